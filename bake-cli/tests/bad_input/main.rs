//! A catalogue of bad input: broken syntax, runaway evaluation, hostile files and wrong
//! flags. Each case runs the real `bake` binary in a fresh directory and checks that it fails
//! with exit code 1 and a message (naming the file and line where the input has one), within
//! a time limit, and that nothing panicked.
//!
//! A case is a row of a table: the files of its directory, the arguments, and what stderr
//! must contain. Cases that need special files (FIFOs, symlink loops, devices) build them
//! in a setup function.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod bakery;

/// How long one case may run (a debug build, on a busy machine) before it counts as a hang.
const TIMEOUT: Duration = Duration::from_mins(2);

pub(crate) struct Case {
    name: &'static str,
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    stdin: Vec<u8>,
    /// `file:line` that stderr must show (as `file:line:column`).
    at: Option<&'static str>,
    /// Text that stderr must contain.
    msg: &'static str,
    setup: Option<fn(&Path)>,
    /// Run `bakery` instead of `bake`.
    bakery: bool,
}

pub(crate) fn case(name: &'static str, at: Option<&'static str>, msg: &'static str) -> Case {
    Case {
        name,
        files: Vec::new(),
        args: vec!["--print".into()],
        env: BTreeMap::new(),
        stdin: Vec::new(),
        at,
        msg,
        setup: None,
        bakery: false,
    }
}

impl Case {
    fn file(mut self, name: &str, text: impl Into<Vec<u8>>) -> Self {
        self.files.push((name.to_string(), text.into()));
        self
    }
    fn hcl(self, text: impl Into<Vec<u8>>) -> Self {
        self.file("docker-bake.hcl", text)
    }
    fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| (*s).to_string()).collect();
        self
    }
    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.insert(k.into(), v.into());
        self
    }
    fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = data.into();
        self
    }
    fn setup(mut self, f: fn(&Path)) -> Self {
        self.setup = Some(f);
        self
    }
    /// `bakery ARGS` instead of `bake ARGS`.
    fn bakery(mut self, args: &[&str]) -> Self {
        self.bakery = true;
        self.args(args)
    }
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bake-bad-input-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

fn run(c: &Case) -> Outcome {
    let dir = scratch_dir(c.name);
    for (name, text) in &c.files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create a fixture directory");
        }
        std::fs::write(&p, text).expect("write a fixture file");
    }
    if let Some(f) = c.setup {
        f(&dir);
    }
    let start = Instant::now();
    let bin = if c.bakery {
        env!("CARGO_BIN_EXE_bakery")
    } else {
        env!("CARGO_BIN_EXE_bake")
    };
    let mut child = Command::new(bin)
        .args(&c.args)
        .current_dir(&dir)
        .env_clear()
        .env("HOME", "/home/user")
        .envs(&c.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bake");
    // Standard input and error go through threads: a case that blocks must not block us.
    let mut input = child.stdin.take().expect("piped stdin");
    let data = c.stdin.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = input.write_all(&data);
    });
    let mut err = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for bake") {
            break status.code();
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    Outcome {
        code,
        stderr,
        elapsed,
    }
}

/// Runs every case and fails once, listing every case that misbehaved.
pub(crate) fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let o = run(c);
        let mut problems = Vec::new();
        match o.code {
            None => problems.push(format!(
                "no exit code after {:?} (hang or signal)",
                o.elapsed
            )),
            Some(101) => problems.push("exit code 101 (a panic)".to_string()),
            Some(1) => {}
            Some(n) => problems.push(format!("exit code {n}, expected 1")),
        }
        for bad in ["panicked at", "stack overflow", "memory allocation of"] {
            if o.stderr.contains(bad) {
                problems.push(format!("stderr contains {bad:?}"));
            }
        }
        if let Some(at) = c.at {
            // `file:line` is followed by the column; a bare `file:` is any line of the file.
            let want = if at.ends_with(':') {
                at.to_string()
            } else {
                format!("{at}:")
            };
            if !o.stderr.contains(&want) {
                problems.push(format!("stderr does not name {at}"));
            }
        }
        if !o.stderr.contains(c.msg) {
            problems.push(format!("stderr does not contain {:?}", c.msg));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "case `{}`: {}\n--- stderr\n{}",
                c.name,
                problems.join("; "),
                o.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

fn chain(n: usize, first: &str, each: impl Fn(usize) -> String) -> String {
    let mut s = first.to_string();
    for i in 1..n {
        s.push_str(&each(i));
    }
    s
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn hcl_syntax() {
    check(&[
        case("unclosed block", Some("docker-bake.hcl:1"), "").hcl("target \"a\" {\n"),
        case("unterminated string", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  tags = [\"abc]\n}\n"),
        case("missing value", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  dockerfile =\n}\n"),
        case("dangling operator", Some("docker-bake.hcl:2"), "")
            .hcl("variable \"X\" {\n  default = 1 +\n}\n"),
        case("unterminated heredoc", Some("docker-bake.hcl:3"), "heredoc")
            .hcl("target \"a\" {\n  dockerfile-inline = <<EOT\nFROM scratch\n"),
        case("unterminated template", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  tags = [\"${x\"]\n}\n"),
        case("block without label", Some("docker-bake.hcl:1"), "").hcl("target {\n}\n"),
        case("stray closing brace", Some("docker-bake.hcl:2"), "").hcl("target \"a\" {}\n}\n"),
        case("huge exponent", Some("docker-bake.hcl:1"), "")
            .hcl("target \"a\" { args = { X = 1e999999999 } }\n"),
        case(
            "parentheses nested 100,000 deep",
            Some("docker-bake.hcl:2"),
            "nesting",
        )
        .hcl(format!(
            "target \"a\" {{\n  args = {{ X = {} }}\n}}\n",
            nested("(", "1", ")", 100_000)
        )),
        case(
            "lists nested 100,000 deep",
            Some("docker-bake.hcl:2"),
            "nesting",
        )
        .hcl(format!(
            "target \"a\" {{\n  args = {{ X = {} }}\n}}\n",
            nested("[", "1", "]", 100_000)
        )),
        case(
            "templates nested 50,000 deep",
            Some("docker-bake.hcl:2"),
            "nesting",
        )
        .hcl(format!(
            "target \"a\" {{\n  tags = [\"{}\"]\n}}\n",
            nested("${\"", "1", "\"}", 50_000)
        )),
        case("invalid UTF-8", None, "not valid UTF-8")
            .hcl(b"target \"a\" {\n  tags = [\"\xff\xfe\"]\n}\n".to_vec()),
        case("NUL bytes", Some("docker-bake.hcl:1"), "").hcl(b"target \"a\" {\0}\n".to_vec()),
    ]);
}

#[test]
fn hcl_evaluation() {
    check(&[
        case("unknown variable", Some("docker-bake.hcl:2"), "unknown variable `NOPE`")
            .hcl("target \"a\" {\n  tags = [NOPE]\n}\n"),
        case("unknown function", Some("docker-bake.hcl:2"), "unknown function `nope`")
            .hcl("target \"a\" {\n  tags = [nope(1)]\n}\n"),
        case("wrong argument count", Some("docker-bake.hcl:2"), "upper")
            .hcl("target \"a\" {\n  tags = [upper(\"a\", \"b\")]\n}\n"),
        case("string times number", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  args = { X = \"a\" * 2 }\n}\n"),
        case("index out of range", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  args = { X = [1][5] }\n}\n"),
        case("attribute of null", Some("docker-bake.hcl:5"), "from null value")
            .hcl("variable \"V\" {\n default = null\n}\ntarget \"a\" {\n  args = { X = V.x }\n}\n")
            .env("UNUSED", "1"),
        case("for over a number", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  tags = [for x in 5 : x]\n}\n"),
        case("non-bool condition", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  args = { X = \"maybe\" ? 1 : 2 }\n}\n"),
        case("duplicate for key", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  args = {for k in [\"a\", \"a\"] : k => k}\n}\n"),
        case("bad jsondecode", Some("docker-bake.hcl:2"), "jsondecode")
            .hcl("target \"a\" {\n  args = { X = jsondecode(\"{\") }\n}\n"),
        case("list where map needed", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  args = [\"a\"]\n}\n"),
        case("validation fails", Some("docker-bake.hcl:4"), "must be short")
            .hcl("variable \"V\" {\n  default = \"long value\"\n  validation {\n    condition = length(V) < 3\n    error_message = \"must be short\"\n  }\n}\n"),
        case("typed variable from env", None, "BAD")
            .hcl("variable \"N\" {\n  type = number\n  default = 1\n}\ntarget \"a\" {\n  args = { N = N }\n}\n")
            .env("N", "BAD"),
        case("variable cycle", Some("docker-bake.hcl:"), "cycle")
            .hcl("variable \"A\" { default = B }\nvariable \"B\" { default = A }\ntarget \"a\" {\n  args = { A = A }\n}\n"),
        case("recursive function", Some("docker-bake.hcl:3"), "function cycle not allowed: f -> f")
            .hcl("function \"f\" {\n  params = [x]\n  result = f(x)\n}\ntarget \"a\" {\n  args = { X = f(1) }\n}\n"),
        case("mutually recursive functions", Some("docker-bake.hcl:"), "function cycle not allowed")
            .hcl("function \"f\" {\n  params = [x]\n  result = g(x)\n}\nfunction \"g\" {\n  params = [x]\n  result = f(x)\n}\ntarget \"a\" {\n  args = { X = f(1) }\n}\n"),
        case("name without matrix", Some("docker-bake.hcl:2"), "name requires matrix")
            .hcl("target \"a\" {\n  name = \"x\"\n}\n"),
        case("matrix not a map", Some("docker-bake.hcl:3"), "matrix must be a map")
            .hcl("target \"a\" {\n  name = \"a-${x}\"\n  matrix = [1, 2]\n}\n"),
        case("duplicate matrix names", Some("docker-bake.hcl:2"), "duplicate name")
            .hcl("target \"a\" {\n  name = \"same\"\n  matrix = { x = [1, 2] }\n}\n"),
        case("call of an undefined target field", Some("docker-bake.hcl:2"), "")
            .hcl("target \"a\" {\n  tags = target.nope.tags\n}\n"),
    ]);
}

#[test]
fn limits() {
    let function_chain = |n: usize| {
        chain(
            n,
            "function \"f0\" {\n  params = [x]\n  result = x\n}\n",
            |i| {
                format!(
                    "function \"f{i}\" {{\n  params = [x]\n  result = f{}(x)\n}}\n",
                    i - 1
                )
            },
        )
    };
    let long_chain = function_chain(20_000);
    let functions = function_chain(300);
    let doubling = chain(
        40,
        "variable \"v0\" { default = \"xxxxxxxxxxxxxxxx\" }\n",
        |i| {
            format!(
                "variable \"v{i}\" {{ default = \"${{v{0}}}${{v{0}}}\" }}\n",
                i - 1
            )
        },
    );
    let concat = chain(40, "variable \"v0\" { default = [\"x\", \"y\"] }\n", |i| {
        format!(
            "variable \"v{i}\" {{ default = concat(v{0}, v{0}) }}\n",
            i - 1
        )
    });
    let shared = chain(60, "variable \"v0\" { default = { a = \"x\" } }\n", |i| {
        format!("variable \"v{i}\" {{ default = [v{0}, v{0}] }}\n", i - 1)
    });
    let inherits = chain(400, "target \"t0\" {}\n", |i| {
        format!("target \"t{i}\" {{ inherits = [\"t{}\"] }}\n", i - 1)
    });
    let groups = chain(
        400,
        "target \"a\" {}\ngroup \"g0\" { targets = [\"a\"] }\n",
        |i| format!("group \"g{i}\" {{ targets = [\"g{}\"] }}\n", i - 1),
    );
    let links = chain(400, "target \"t0\" {}\n", |i| {
        format!(
            "target \"t{i}\" {{ contexts = {{ base = \"target:t{}\" }} }}\n",
            i - 1
        )
    });
    check(&[
        // The check for recursive functions once took cubic time in the length of a chain.
        case("user functions chained 20,000 deep", Some("docker-bake.hcl:"), "nesting exceeds the limit of 256")
            .hcl(format!("{long_chain}target \"a\" {{\n  args = {{ X = f19999(1) }}\n}}\n")),
        case("user functions nested 300 deep", Some("docker-bake.hcl:"), "nesting exceeds the limit of 256")
            .hcl(format!("{functions}target \"a\" {{\n  args = {{ X = f299(1) }}\n}}\n")),
        case("matrix of a billion targets", Some("docker-bake.hcl:3"), "matrix expands to more than the limit of 10000 targets")
            .hcl("target \"a\" {\n  name = \"a-${x}-${y}-${z}\"\n  matrix = { x = range(1000), y = range(1000), z = range(1000) }\n}\n"),
        case("string doubled 40 times", Some("docker-bake.hcl:"), "value size limit of 16 MiB")
            .hcl(format!("{doubling}target \"a\" {{\n  args = {{ X = v39 }}\n}}\n")),
        case("list doubled 40 times", Some("docker-bake.hcl:"), "value size limit of 16 MiB")
            .hcl(format!("{concat}target \"a\" {{\n  args = {{ X = length(v39) }}\n}}\n")),
        case("shared value doubled 60 times", Some("docker-bake.hcl:"), "limit")
            .hcl(format!("{shared}target \"a\" {{\n  args = {{ X = jsonencode(v59) }}\n}}\n")),
        case("nested for", Some("docker-bake.hcl:2"), "value size limit of 16 MiB")
            .hcl("target \"a\" {\n  args = { X = length([for a in range(1024) : join(\"\", [for b in range(1024) : \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"])]) }\n}\n"),
        case("template loops", Some("docker-bake.hcl:2"), "limit")
            .hcl("target \"a\" {\n  args = { X = \"%{for a in range(1024)}%{for b in range(1024)}%{for c in range(1024)}x%{endfor}%{endfor}%{endfor}\" }\n}\n"),
        case("evaluation steps", Some("docker-bake.hcl:2"), "limit of 10000000 steps")
            .hcl("target \"a\" {\n  args = { X = length([for a in range(1024) : length([for b in range(1024) : length([for c in range(1024) : 1])])]) }\n}\n"),
        case("range too long", Some("docker-bake.hcl:2"), "range")
            .hcl("target \"a\" {\n  args = { X = length(range(100000000)) }\n}\n"),
        case("setproduct too large", Some("docker-bake.hcl:2"), "setproduct")
            .hcl("target \"a\" {\n  args = { X = length(setproduct(range(1024), range(1024), range(1024))) }\n}\n"),
        case("indent of a huge string", Some("docker-bake.hcl:3"), "value size limit")
            .hcl("variable \"S\" { default = join(\"\\n\", [for i in range(1000) : \"x\"]) }\ntarget \"a\" {\n  args = { X = indent(1000000, S) }\n}\n"),
        case("replace blowing up", Some("docker-bake.hcl:3"), "value size limit")
            .hcl("variable \"S\" { default = join(\"\", [for i in range(1024) : \"xxxxxxxxxxxxxxxx\"]) }\ntarget \"a\" {\n  args = { X = replace(S, \"\", S) }\n}\n"),
        case("regex_replace blowing up", Some("docker-bake.hcl:3"), "value size limit")
            .hcl("variable \"S\" { default = join(\"\", [for i in range(1024) : \"xxxxxxxxxxxxxxxx\"]) }\ntarget \"a\" {\n  args = { X = regex_replace(S, \"\", S) }\n}\n"),
        case("join with a huge separator", Some("docker-bake.hcl:3"), "value size limit")
            .hcl("variable \"S\" { default = join(\"\", [for i in range(1024) : \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]) }\ntarget \"a\" {\n  args = { X = join(S, [for i in range(1024) : \"y\"]) }\n}\n"),
        case("format of many huge arguments", Some("docker-bake.hcl:3"), "value size limit")
            .hcl("variable \"S\" { default = join(\"\", [for i in range(1024) : \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]) }\ntarget \"a\" {\n  args = { X = format(join(\"\", [for i in range(1024) : \"%s\"]), [for i in range(1024) : S]...) }\n}\n"),
        case("bcrypt cost 31", Some("docker-bake.hcl:2"), "cost 31 exceeds the limit of 15")
            .hcl("target \"a\" {\n  args = { X = bcrypt(\"pw\", 31) }\n}\n"),
        case("parseint of 20,000 digits", Some("docker-bake.hcl:2"), "limit of 10000 digits")
            .hcl(format!("target \"a\" {{\n  args = {{ X = parseint(\"{}\", 10) }}\n}}\n", "7".repeat(20_000))),
        case("distinct and set operations on 256,000 values", Some("docker-bake.hcl:3"), "nope")
            .hcl("variable \"L\" { default = flatten([for a in range(256) : [for b in range(1000) : a * 1000 + b]]) }\ntarget \"a\" {\n  args = { X = length(distinct(L)) + length(setintersection(L, L)) + length(setsubtract(L, L)) + nope }\n}\n"),
        case("inherits 400 deep", None, "`inherits` chains nest deeper than the limit of 256 levels")
            .hcl(inherits).args(&["--print", "t399"]),
        case("groups 400 deep", None, "groups nest deeper than the limit of 256 levels")
            .hcl(groups).args(&["--print", "g399"]),
        case("target: contexts 400 deep", None, "`target:` contexts nest deeper than the limit of 256 levels")
            .hcl(links).args(&["--print", "t399"]),
    ]);
}

#[test]
fn hcl_json() {
    check(&[
        case("invalid JSON", Some("docker-bake.json:3"), "").file(
            "docker-bake.json",
            "{\n  \"target\": {\n    \"a\": {,}\n  }\n}\n",
        ),
        case("top-level array", Some("docker-bake.json:1"), "object")
            .file("docker-bake.json", "[1, 2]\n"),
        case(
            "nested 100,000 deep",
            Some("docker-bake.json:1"),
            "JSON nests deeper than the limit of 512 levels",
        )
        .file(
            "docker-bake.json",
            format!(
                "{{\"target\":{{\"a\":{{\"args\":{{\"X\":{}}}}}}}}}\n",
                nested("[", "1", "]", 100_000)
            ),
        ),
        case(
            "unknown variable in a template",
            Some("docker-bake.json:"),
            "unknown variable `NOPE`",
        )
        .file(
            "docker-bake.json",
            "{\n  \"target\": {\n    \"a\": { \"tags\": [\"${NOPE}\"] }\n  }\n}\n",
        ),
        case(
            "target is a string",
            None,
            "failed to find target `default`",
        )
        .file("docker-bake.json", "{\n  \"target\": \"a\"\n}\n"),
        case("unterminated template", Some("docker-bake.json:3"), "").file(
            "docker-bake.json",
            "{\n  \"target\": {\n    \"a\": { \"tags\": [\"${\"] }\n  }\n}\n",
        ),
        case("truncated file", Some("docker-bake.json:"), "")
            .file("docker-bake.json", "{\n  \"target\": {\n"),
    ]);
}

#[test]
#[allow(clippy::too_many_lines)] // one table of bad Compose inputs
fn compose() {
    let laughs = chain(
        10,
        "x-a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        |i| {
            format!(
                "x-a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 9].join(",")
            )
        },
    );
    let map_laughs = chain(40, "x-a0: &a0 {k: v}\n", |i| {
        format!("x-a{i}: &a{i} {{a: *a{0}, b: *a{0}}}\n", i - 1)
    });
    let services = "services:\n  app:\n    build: .\n";
    check(&[
        case(
            "invalid YAML",
            Some("compose.yaml:4"),
            "did not find expected node",
        )
        .file("compose.yaml", "services:\n  app:\n    build: [\n"),
        case("tab indentation", Some("compose.yaml:"), "")
            .file("compose.yaml", "services:\n\tapp:\n\t\tbuild: .\n"),
        case(
            "billion laughs",
            Some("compose.yaml:"),
            "aliases expand to more than the limit of 1000000",
        )
        .file("compose.yaml", format!("{laughs}{services}")),
        case(
            "billion laughs in maps",
            Some("compose.yaml:"),
            "aliases expand to more than the limit",
        )
        .file("compose.yaml", format!("{map_laughs}{services}")),
        case("duplicate key", Some("compose.yaml:4"), "").file(
            "compose.yaml",
            "services:\n  app:\n    build: .\n    build: ..\n",
        ),
        case("unknown alias", Some("compose.yaml:3"), "")
            .file("compose.yaml", "services:\n  app:\n    build: *nope\n"),
        case("required variable unset", None, "must be set").file(
            "compose.yaml",
            "services:\n  app:\n    build: .\n    image: \"${TAG:?must be set}\"\n",
        ),
        case("unterminated interpolation", None, "").file(
            "compose.yaml",
            "services:\n  app:\n    build: .\n    image: \"${TAG\"\n",
        ),
        case("nested 100,000 deep", Some("compose.yaml:"), "").file(
            "compose.yaml",
            format!(
                "services:\n  app:\n    build: .\n    x: {}\n",
                nested("[", "1", "]", 100_000)
            ),
        ),
        case(
            "interpolation nested 20,000 deep",
            Some("compose.yaml:4"),
            "templates nest deeper than the limit of 256",
        )
        .file(
            "compose.yaml",
            format!(
                "services:\n  app:\n    build: .\n    image: \"{}\"\n",
                nested("${A:-", "x", "}", 20_000)
            ),
        ),
        case(
            ".env interpolation nested 20,000 deep",
            None,
            "failed to read .env: templates nest deeper than the limit of 256",
        )
        .file("compose.yaml", services)
        .file(".env", format!("A={}\n", nested("${B:-", "x", "}", 20_000))),
        case(
            ".env with an unterminated quote",
            None,
            "failed to read .env: line 3: unterminated quoted value",
        )
        .file("compose.yaml", services)
        .file(".env", "A=1\nB=\"open\n"),
        case("services is a list", None, "compose file")
            .file("compose.yaml", "services:\n  - app\n"),
        case("extends a missing service", None, "nope").file(
            "compose.yaml",
            "services:\n  app:\n    build: .\n    extends:\n      service: nope\n",
        ),
        case("extends cycle", None, "").file(
            "compose.yaml",
            "services:\n  a:\n    build: .\n    extends: b\n  b:\n    build: .\n    extends: a\n",
        ),
        case("include of a missing file", None, "nope.yaml").file(
            "compose.yaml",
            format!("include:\n  - nope.yaml\n{services}"),
        ),
        case("include cycle", None, "include cycle")
            .file(
                "compose.yaml",
                format!("include:\n  - other.yaml\n{services}"),
            )
            .file(
                "other.yaml",
                "include:\n  - compose.yaml\nservices:\n  b:\n    build: .\n",
            ),
        case("missing env_file", None, "not found").file(
            "compose.yaml",
            "services:\n  app:\n    build: .\n    env_file: nope.env\n",
        ),
        case("bad build type", None, "").file(
            "compose.yaml",
            "services:\n  app:\n    build: 5\n    image: [1]\n",
        ),
    ]);
}

#[cfg(unix)]
#[test]
fn hostile_files() {
    let services = "services:\n  app:\n    build: .\n";
    check(&[
        case("-f names a FIFO", None, "not a regular file")
            .args(&["-f", "fifo.hcl", "--print"])
            .setup(|d| mkfifo(&d.join("fifo.hcl"))),
        case("-f names a symlink loop", None, "loop.hcl")
            .args(&["-f", "loop.hcl", "--print"])
            .setup(|d| {
                std::os::unix::fs::symlink("loop2.hcl", d.join("loop.hcl")).expect("symlink");
                std::os::unix::fs::symlink("loop.hcl", d.join("loop2.hcl")).expect("symlink");
            }),
        case("-f names a device", None, "not a regular file")
            .args(&["-f", "/dev/zero", "--print"]),
        case("-f names a directory", None, "is a directory")
            .args(&["-f", "sub", "--print"])
            .file("sub/x", ""),
        case("-f names a missing file", None, "nope.hcl").args(&["-f", "nope.hcl", "--print"]),
        case("default file is a FIFO", None, "not a regular file")
            .setup(|d| mkfifo(&d.join("docker-bake.hcl"))),
        case("compose include of a FIFO", None, "not a regular file")
            .file("compose.yaml", format!("include:\n  - fifo.yaml\n{services}"))
            .setup(|d| mkfifo(&d.join("fifo.yaml"))),
        case("compose include of a device", None, "not a regular file")
            .file("compose.yaml", format!("include:\n  - /dev/zero\n{services}")),
        case("compose include of a symlink loop", None, "loop.yaml")
            .file("compose.yaml", format!("include:\n  - loop.yaml\n{services}"))
            .setup(|d| std::os::unix::fs::symlink("loop.yaml", d.join("loop.yaml")).expect("symlink")),
        case("compose extends from a FIFO", None, "not a regular file")
            .file("compose.yaml", "services:\n  app:\n    build: .\n    extends:\n      file: fifo.yaml\n      service: base\n")
            .setup(|d| mkfifo(&d.join("fifo.yaml"))),
        case("env_file is a FIFO", None, "not a regular file")
            .file("compose.yaml", "services:\n  app:\n    build: .\n    env_file: fifo.env\n")
            .setup(|d| mkfifo(&d.join("fifo.env"))),
        case("ssh key is a FIFO", None, "not an ssh agent socket or a private key")
            .hcl("target \"a\" {\n  ssh = [\"default=fifo\"]\n}\n")
            .args(&["--print", "a"])
            .setup(|d| mkfifo(&d.join("fifo"))),
        case("BUILDX_BAKE_FILE names a missing file", None, "nope.hcl")
            .env("BUILDX_BAKE_FILE", "nope.hcl"),
        case("stdin is not UTF-8", None, "not valid UTF-8")
            .args(&["-f", "-", "--print"])
            .stdin(b"target \"a\" {\xff}".to_vec()),
    ]);
}

#[test]
fn flags() {
    let ok = "target \"app\" {}\ngroup \"default\" { targets = [\"app\"] }\n";
    check(&[
        case("no bake file", None, "couldn't find a bake definition"),
        case("unknown flag", None, "--nope")
            .hcl(ok)
            .args(&["--nope"]),
        case("--set without a value", None, "expected target.name=value")
            .hcl(ok)
            .args(&["--print", "--set", "app.tags"]),
        case("--set without a field", None, "invalid override key")
            .hcl(ok)
            .args(&["--print", "--set", "app=x"]),
        case("--set of an unknown field", None, "nope")
            .hcl(ok)
            .args(&["--print", "--set", "app.nope=x"]),
        case("--set with a bad pattern", None, "")
            .hcl(ok)
            .args(&["--print", "--set", "[.tags=x"]),
        case("--set args without a name", None, "requires a name")
            .hcl(ok)
            .args(&["--print", "--set", "app.args=x"]),
        case("--var without a value", None, "expected key=value")
            .hcl(ok)
            .args(&["--print", "--var", "NAME"]),
        case("--list of an unknown kind", None, "nope")
            .hcl(ok)
            .args(&["--list=nope"]),
        case("--print with --list", None, "mutually exclusive")
            .hcl(ok)
            .args(&["--print", "--list=targets"]),
        case("unknown target", None, "failed to find target `nope`")
            .hcl(ok)
            .args(&["--print", "nope"]),
        case("--list with an unknown format", None, "nope")
            .hcl(ok)
            .args(&["--list=targets,format=nope"]),
        case(
            "bad boolean in the environment",
            None,
            "BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP",
        )
        .hcl(ok)
        .env("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP", "perhaps"),
        case(
            "inherits from a missing target",
            None,
            "which is not a target",
        )
        .hcl("target \"app\" {\n  inherits = [\"nope\"]\n}\n")
        .args(&["--print", "app"]),
    ]);
}

/// `bake.toml` and the build flags: checked before anything is built (`--dry-run` needs no
/// engine).
#[test]
fn config_and_build_flags() {
    let ok =
        "target \"app\" {\n  project_id = \"abc\"\n}\ngroup \"default\" { targets = [\"app\"] }\n";
    check(&[
        case("config: unknown key", Some("bake.toml:2"), "unknown field `buildr`")
            .hcl(ok)
            .file("bake.toml", "[projects.abc]\nbuildr = \"x\"\n")
            .args(&["--dry-run"]),
        case("config: wrong type", Some("bake.toml:2"), "invalid type")
            .hcl(ok)
            .file("bake.toml", "[projects.abc]\nmax-parallelism = \"four\"\n")
            .args(&["--dry-run"]),
        case("config: not TOML", Some("bake.toml:1"), "invalid config file")
            .hcl(ok)
            .file("bake.toml", "[projects.abc\n")
            .args(&["--dry-run"]),
        case("config: two builders", Some("bake.toml:1"), "more than one of builder")
            .hcl(ok)
            .file(
                "bake.toml",
                "[projects.abc]\nbuilder = \"x\"\nendpoint = \"tcp://h:1\"\n",
            )
            .args(&["--dry-run"]),
        case("config: zero parallelism", Some("bake.toml:1"), "at least 1")
            .hcl(ok)
            .file("bake.toml", "[projects.abc]\nmax-parallelism = 0\n")
            .args(&["--dry-run"]),
        case("config: projects is not a table", Some("bake.toml:1"), "invalid type")
            .hcl(ok)
            .file("bake.toml", "projects = 3\n")
            .args(&["--dry-run"]),
        case("--config names a missing file", None, "does not exist")
            .hcl(ok)
            .args(&["--dry-run", "--config", "nope.toml"]),
        case("BAKE_CONFIG names a missing file", None, "from BAKE_CONFIG")
            .hcl(ok)
            .env("BAKE_CONFIG", "nope.toml")
            .args(&["--dry-run"]),
        case("metadata file in a missing directory", None, "directory nowhere does not exist")
            .hcl(ok)
            .args(&["--dry-run", "--metadata-file", "nowhere/m.json"]),
        case("unknown progress mode", None, "invalid progress mode")
            .hcl(ok)
            .args(&["--dry-run", "--progress", "fancy"]),
        case("unknown graph format", None, "unknown graph format")
            .hcl(ok)
            .args(&["--graph=svg"]),
        case("unknown explain format", None, "unknown explain format")
            .hcl(ok)
            .args(&["--explain=yaml"]),
        case("explain an unknown field", None, "has no field")
            .hcl(ok)
            .args(&["--explain", "app.nope"]),
        case("--save-tag without --save", None, "--save")
            .hcl(ok)
            .args(&["--dry-run", "--save-tag", "v1"]),
        case("bad depot.json", None, "depot.json")
            .hcl("target \"app\" {}\n")
            .file("depot.json", "{\"id\": 7}\n")
            .args(&["--dry-run", "app"]),
        case("depot.json is a FIFO", None, "depot.json: not a regular file")
            .hcl("target \"app\" {}\n")
            .setup(|d| mkfifo(&d.join("depot.json")))
            .args(&["--dry-run", "app"]),
        case("bake.toml is a FIFO (--config)", None, "is not a file")
            .hcl(ok)
            .setup(|d| mkfifo(&d.join("fifo.toml")))
            .args(&["--dry-run", "--config", "fifo.toml"]),
        case("target: context cycle", None, "infinite loop")
            .hcl("target \"a\" {\n  contexts = { x = \"target:b\" }\n}\ntarget \"b\" {\n  contexts = { y = \"target:a\" }\n}\n")
            .args(&["--dry-run", "a"]),
        case("building without docker in PATH", None, "`docker` was not found in PATH")
            .hcl(ok)
            .env("PATH", "/nonexistent")
            .args(&["--progress=plain"]),
    ]);
}

/// `bakery`'s own subcommands: unknown ones, `init` that would overwrite or has nothing to
/// choose from, and a build history that cannot be read.
/// Output that goes nowhere (`bake --print | head -1`, a closed pipe) is not an error.
#[cfg(unix)]
#[test]
fn broken_pipe_is_quiet() {
    let dir = scratch_dir("broken-pipe");
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!(
            "target \"t{i}\" {{ tags = [\"acme/t{i}:dev\"] }}\n"
        ));
    }
    text.push_str("group \"default\" { targets = [");
    text.push_str(
        &(0..2000)
            .map(|i| format!("\"t{i}\""))
            .collect::<Vec<_>>()
            .join(","),
    );
    text.push_str("] }\n");
    std::fs::write(dir.join("docker-bake.hcl"), text).expect("write the bake file");
    let script = format!(
        "{:?} --print | head -n 1; echo \"status=${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_bake")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(&dir)
        .env_clear()
        .output()
        .expect("run bash");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.starts_with("{\n"), "stdout: {stdout}");
    assert!(
        stdout.contains("status=0"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.is_empty(), "stderr: {stderr}");
}

/// Output to a full disk is an error message and exit code 1, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn full_disk_is_an_error() {
    let dir = scratch_dir("full-disk");
    std::fs::write(dir.join("docker-bake.hcl"), "target \"default\" {}\n").expect("write");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_bake"))
        .arg("--print")
        .current_dir(&dir)
        .env_clear()
        .stdout(full)
        .output()
        .expect("run bake");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("failed to write output"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

/// A `.env` that is a FIFO is not read (it is not a regular file): no hang.
#[cfg(unix)]
#[test]
fn dotenv_fifo_does_not_hang() {
    let dir = scratch_dir("dotenv-fifo");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  app:\n    build: .\n",
    )
    .expect("write");
    mkfifo(&dir.join(".env"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_bake"))
        .arg("--print")
        .current_dir(&dir)
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bake");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = std::fs::remove_dir_all(&dir);
    let status = status.expect("bake hangs on a FIFO .env");
    assert_eq!(status.code(), Some(0));
}
