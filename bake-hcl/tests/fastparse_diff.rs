//! The fast HCL reader against hcl-edit: same tree (kinds, values, spans) for everything the fast
//! reader accepts, never accepting what hcl-edit rejects, and never panicking.

use bake_core::api::frontend::SourceId;
use bake_hcl::{fastparse, parse_hcl};

const SRC: SourceId = SourceId(3);

/// Compares both readers on `text`: `Some(accepted)` when hcl-edit accepts, `None` when it
/// rejects (then the fast reader must have given up too).
fn check(name: &str, text: &str) -> Option<bool> {
    let fast = fastparse::parse(SRC, text);
    match parse_hcl::parse(SRC, text) {
        Err(e) => {
            assert!(
                fast.is_none(),
                "{name}: fast reader accepted what hcl-edit rejects ({e:?}):\n{text}"
            );
            None
        }
        Ok(slow) => {
            if let Some(fast) = &fast {
                let (f, s) = (format!("{fast:#?}"), format!("{slow:#?}"));
                if f != s {
                    let line = f
                        .lines()
                        .zip(s.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    let ctx = |t: &str| {
                        t.lines()
                            .skip(line.saturating_sub(12))
                            .take(20)
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    panic!(
                        "{name}: trees differ at line {line}\n--- fast\n{}\n--- hcl-edit\n{}\n--- input\n{text}",
                        ctx(&f),
                        ctx(&s)
                    );
                }
            }
            Some(fast.is_some())
        }
    }
}

fn corpus() -> Vec<(String, String)> {
    testdata::files_with_extension("hcl")
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

#[test]
fn corpus_matches_hcl_edit() {
    let files = corpus();
    assert!(files.len() > 100, "corpus not found: {} files", files.len());
    let (mut valid, mut accepted) = (0, 0);
    let mut declined = Vec::new();
    for (name, text) in &files {
        if let Some(acc) = check(name, text) {
            valid += 1;
            if acc {
                accepted += 1;
            } else {
                declined.push(name.clone());
            }
        }
    }
    eprintln!(
        "fast reader accepted {accepted} of {valid} valid corpus files ({} files in all); declined: {declined:#?}",
        files.len()
    );
    assert!(
        accepted * 100 >= valid * 95,
        "only {accepted} of {valid} accepted; declined: {declined:#?}"
    );
}

#[test]
fn generated_bench_files_match() {
    for n in [0, 1, 100, 1000, 5000] {
        let text = testdata::generated(n);
        assert_eq!(
            check(&format!("generated({n})"), &text),
            Some(true),
            "generated({n}) not accepted"
        );
    }
}

/// Inputs hcl-edit accepts and the fast reader must accept too (with the same tree).
const ACCEPTED: &[&str] = &[
    "",
    "\n\n",
    "# only a comment",
    "a = 1",
    "a = 1\n",
    "a = 1 # c\nb = 2 // d\n/* e */ c = 3 /* f */\n",
    "/* multi\nline */\na = 1\n",
    "a = -5\nb = - x\nc = -x.y\nd = !true\ne = --5\nf = !!a\ng = -0\nh = -1.5e3\n",
    "a = 1.5\nb = 1e10\nc = 2.5E-3\nd = 18446744073709551616\ne = 007\nf = 1.x\n",
    "a = 1 + 2 * 3 - 4 / 5 % 6\n",
    "a = a || b && c == d != e < f <= g > h >= i + j - k * l / m % n\n",
    "a = x - y - z\nb = x / y * z\nc = a == b == c\nd = (a + b) * c\n",
    "a = !a == b\nb = -a * b\nc = a ? b : c ? d : e\nd = a ? b ? c : d : e\ne = a+b ?c:d\n",
    "a = a /* c */ + /* d */ b\n",
    "a = x.y.z\nb = x[0][\"k\"]\nc = x.0.1\nd = x.*.y\ne = x[*].y\nf = x . y\ng = x [ 0 ]\n",
    "a = x.y[1].z[*].w\nb = f(x).y\nc = [1, 2][0]\nd = {a = 1}.a\ne = \"s\".x\n",
    "a = \"plain\"\nb = \"\"\nc = \"esc \\n \\t \\r \\\" \\\\ \\u00e9 \\U0001F600\"\n",
    "a = \"$${x} %%{y} $$ %% $x %x $\"\n",
    "a = \"${x}\"\nb = \"a${x}b${y.z}c\"\nc = \"${x}${y}\"\nd = \"${ x + 1 }\"\n",
    "a = \"x ${~ y ~} z\"\nb = \"  ${~y}\"\nc = \"${y~}  \"\n",
    "a = \"%{ if x }yes%{ else }no%{ endif }\"\n",
    "a = \"%{if x}yes%{endif}\"\nb = \"%{~ if x ~} y %{~ endif ~}\"\n",
    "a = \"%{ for k, v in m }${k}=${v},%{ endfor }\"\nb = \"%{for v in l}${v}%{endfor}\"\n",
    "a = \"%{ if a }%{ if b }x%{ endif }%{ endif }\"\n",
    "a = \"%{ if true }a\\\"b%{ endif }\"\n",
    "a = \"é ${x} ü\"\nb = \"日本\"\n",
    "a = <<EOT\nhello\n  world\nEOT\n",
    "a = <<-EOT\n    hello\n      world\n    EOT\n",
    "a = <<-EOT\n    a ${x}\n\n    b %{ if y }c%{ endif }\n  EOT\n",
    "a = <<-EOT\n  ${x}\n    y\n  EOT\n",
    "a = <<EOT\n${x}\nEOT\n",
    "a = <<EOT\nx ${~ y ~}\n  z\nEOT\n",
    "a = <<-EOT\n\t\tx\n\t\ty\n\tEOT\n",
    "a = <<EOT\n  EOTX\nEOT\nb = 1\n",
    "a = <<EOT\n$${x} %%{y}\nEOT\n",
    "a = <<EOT\n%{ for x in y }\n  ${x}\n%{ endfor }\nEOT\n",
    "a = [<<EOT\nx\nEOT\n, 1]\n",
    "a = []\nb = [1]\nc = [1,]\nd = [\n  1,\n  2,\n]\ne = [1, [2, [3]]]\n",
    "a = [\n  # c\n  1, // d\n  /* e */ 2\n]\n",
    "a = {}\nb = { a = 1 }\nc = { a = 1, b = 2 }\nd = {\n  a = 1\n  b = 2,\n  c: 3\n}\n",
    "a = { \"k\" = 1, k = 2 }\nb = { (k) = 1 }\nc = { a.b = 1 }\nd = { \"${x}\" = 1 }\n",
    "a = {\n  a = 1 # c\n  b = 2 // d\n}\n",
    "a = {\n  17 = x\n  21 = y\n  -1 = z\n  1.5 = w\n}\n",
    "a = f()\nb = f(1)\nc = f(1, 2)\nd = f(1,)\ne = f(x...)\nf = f(1, x...)\ng = f (1)\n",
    "a = f(\n  1,\n  2\n)\nb = f(x ...)\nc = f(g(h(1)))\n",
    "a = [for x in y : x]\nb = [for i, x in y : x if i > 0]\nc = [ for x in y: upper(x) ]\n",
    "a = {for k, v in m : k => v}\nb = {for k, v in m : k => v... if v != null}\nc = {for x in y: x => x...}\n",
    "a = [\n  for x in y :\n  x\n  if x\n]\n",
    "a = [for x in [1, 2] : x + 1]\nb = { for x in y : x => [for z in x : z] }\n",
    "a = [1] + [2]\nb = [1]\n  + [2]\n",
    "a = f(1)\n  + 2\n",
    "a = (\n  1 +\n  2\n)\n",
    "a = x[\n  0\n]\n",
    "a = format\nb = [format]\nc = [for_x]\nd = { format = 1 }\n",
    "a = null\nb = true\nc = false\nd = null.x\ne = true(1)\n",
    "a-b = 1\n_x = a-b\n",
    "target \"a\" {}\n",
    "target \"a\" {\n}\n",
    "target \"a\" { x = 1 }\n",
    "target \"a\" \"b\" c { }\n",
    "target a {\n  x = 1\n}\n",
    "target {\n  x = 1\n}\n",
    "target \"a\" { # c\n  x = 1\n}\n",
    "target \"a\" { /* c */ }\n",
    "target \"a\" {\n  x = 1\n  inner {\n    y = 2\n    deeper \"z\" { w = 3 }\n  }\n}\ntarget \"b\" {}\n",
    "target \"esc\\\"aped\" {}\n",
    "target \"a\" {\n  x = 1\n}",
    "a = 1\ntarget \"a\" {}\nb = 2\n",
    "a = 1\n\n\n# trailing\n",
    "a = [x\n  .y]\n",
    "a = [x\n  [0]]\n",
    "a = [x\n  ? 1\n  : 2]\n",
    "a = f(x\n  == 1)\n",
];

/// Inputs hcl-edit rejects (the fast reader must give up on them).
const REJECTED: &[&str] = &[
    "target \"default\" { tags = [\"x\"] dockerfile = \"D\" }\n",
    "target \"default\" {\n  tags = [\"x\"] }\n",
    "target \"default\" {\n  tags = [\"x\"]\n  tags = [\"y\"]\n}\n",
    "a = 1\na = 2\n",
    "a = { x = 1, x = 2 }\n",
    "a = { \"x\" = 1, \"x\" = 2 }\n",
    "a = { x = 1 y = 2 }\n",
    "target \"default\" {\n  tags = [\"x]\n}\n",
    "a = \"%{ if true }x\"\n",
    "a = \"%{ endif }\"\n",
    "a = \"%{ else }\"\n",
    "a = \"%{ foo }\"\n",
    "target \"default\" {\n  tags = [\"x\"]\n",
    "a = 1 b = 2\n",
    "a = \n1\n",
    "a = 1e\n",
    "a = 1e999\n",
    "a = [,]\n",
    "a = [1,,]\n",
    "a = f(,)\n",
    "a = f(1, ...)\n",
    "a = f(1,,)\n",
    "a = x.\n",
    "a = x..y\n",
    "a = a & b\n",
    "a = a | b\n",
    "a = a ! b\n",
    "a = \"\\q\"\n",
    "a = \"\\u12\"\n",
    "a = \"\\uD800\"\n",
    "a = <<EOT\nx\n",
    "a = <<EOT x\nEOT\n",
    "a = { for = 1 }\n",
    "a = [for x in y]\n",
    "a = {for k, v in m : k}\n",
    "a = (1\n",
    "a = 1 +\n2\n",
    "a = x ? 1\n",
    "target \"a\" { x = 1\n}\n",
    "target \"${x}\" {}\n",
    "target \"a\" \n{}\n",
    "\"a\" = 1\n",
    "a = /* unterminated\n",
    "a = 1 /* x\n",
    "{}\n",
    "a = x.007\n",
    "a = x\n  .y\n",
    "a = x.99999999999999999999999\n",
];

#[test]
fn tricky_inputs() {
    let mut bad = Vec::new();
    for (i, text) in ACCEPTED.iter().enumerate() {
        let r = check(&format!("accepted #{i}"), text);
        if r != Some(true) {
            bad.push(format!("accepted #{i} gave {r:?}: {text:?}"));
        }
    }
    for (i, text) in REJECTED.iter().enumerate() {
        let r = check(&format!("rejected #{i}"), text);
        if r.is_some() {
            bad.push(format!("rejected #{i} gave {r:?}: {text:?}"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Inputs the fast reader leaves to hcl-edit (valid or not): only the comparison matters.
const OTHER: &[&str] = &[
    "a = 1\r\nb = 2\r\n",
    "é = 1\n",
    "a = é\n",
    "a = provider::ns::f(1)\n",
    "a = \"x\ny\"\n",
    "a = - 5\n",
    "a = <<EOT\nEOT\n",
    "a = <<-EOT\n  EOT\n",
    "a = { (x) = 1, (x) = 2 }\n",
    "a = { 1 = 1, 1 = 2 }\n",
    "a = { 1 = 1, 1.0 = 2 }\n",
    "a = { 1 = 1, 1e0 = 2 }\n",
    "a = { -1 = 1, - 1 = 2 }\n",
    "a = { true = 1, true = 2 }\n",
    "a = { null = 1, \"null\" = 2 }\n",
    "a = \"%{ if a }x\n%{ endif }\"\n",
    "a = \"%{ iffy }\"\n",
    "a = \"%{ ifx }x%{ endif }\"\n",
    "a = [ifx for x in y]\n",
    "a = {for x in y: x => x ifx}\n",
    "a = [for x in y: x ifx]\n",
    "a = <<EOT\n%{ if x }\nEOT\n%{ endif }\nEOT\n",
    "a = 1.5.0\n",
    "a = x\n[0]\n",
    "a = [1]\n[0]\n",
    "a = \"\\u00\"\n",
];

#[test]
fn other_inputs_agree() {
    for (i, text) in OTHER.iter().enumerate() {
        check(&format!("other #{i}"), text);
    }
}

#[test]
fn deep_nesting_is_left_to_hcl_edit() {
    for n in [10, 39, 40, 41, 63, 64, 65, 200] {
        let text = format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n));
        check(&format!("tuple depth {n}"), &text);
        let text = format!("a = {}1{}\n", "(".repeat(n), ")".repeat(n));
        check(&format!("paren depth {n}"), &text);
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!("b{i} {{\n"));
        }
        for _ in 0..n {
            text.push_str("}\n");
        }
        check(&format!("block depth {n}"), &text);
        let text = format!("a = {}0\n", "x ? 1 : ".repeat(n));
        check(&format!("conditional chain {n}"), &text);
        let text = format!("a = {}x\n", "!".repeat(n));
        check(&format!("unary chain {n}"), &text);
        let text = format!("a = \"{}x{}\"\n", "${\"".repeat(n), "\"}".repeat(n));
        check(&format!("template depth {n}"), &text);
    }
    // Far beyond any limit: the fast reader must give up without overflowing its stack.
    for text in [
        format!("a = {}0\n", "x ? 1 : ".repeat(100_000)),
        format!("a = {}1\n", "[".repeat(100_000)),
        format!("a = {}x\n", "-".repeat(100_000)),
        format!("a = 1{}\n", " + 1".repeat(100_000)),
        "b {\n".repeat(100_000),
    ] {
        assert!(fastparse::parse(SRC, &text).is_none());
    }
    for n in [50, 99, 100, 101, 127, 128, 129, 300] {
        let text = format!("a = 1{}\n", " + 1".repeat(n));
        check(&format!("operators {n}"), &text);
    }
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const PIECES: &[&str] = &[
    "\n", " ", "\"", "${", "%{", "}", "{", "[", "]", "(", ")", "=", "==", ",", ".", "...", "*",
    "-", "!", "?", ":", "#", "//", "/*", "*/", "<<EOT\n", "\nEOT\n", "<<-EOT\n", "~", "\\", "if ",
    "for ", "in ", "endif", "endfor", "else", "x", "1", "1.5", "e", "=>", "&&", "||", "é", "\r",
    "\0",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(4) {
            0 if !b.is_empty() => {
                let end = (at + 1 + rng.below(4)).min(b.len());
                b.drain(at.min(b.len())..end.max(at.min(b.len())));
            }
            2 if at < b.len() => {
                b[at] = u8::try_from(rng.below(128)).unwrap_or(b' ');
            }
            // 1, and 0 or 2 when they cannot apply: insert a piece.
            _ => {
                let p = PIECES[rng.below(PIECES.len())];
                b.splice(at..at, p.bytes());
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn mutated_inputs_never_panic_and_agree() {
    let mut inputs: Vec<String> = ACCEPTED.iter().map(ToString::to_string).collect();
    // Small corpus files (hcl-edit is slow in debug builds on big ones).
    inputs.extend(
        corpus()
            .into_iter()
            .map(|(_, t)| t)
            .filter(|t| t.len() < 4000),
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let rounds = if cfg!(debug_assertions) { 6 } else { 40 };
    for (i, base) in inputs.iter().enumerate() {
        for r in 0..rounds {
            let text = mutate(&mut rng, base);
            let res = std::panic::catch_unwind(|| check(&format!("mutant {i}/{r}"), &text));
            assert!(res.is_ok(), "mutant {i}/{r} failed:\n{text:?}");
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..3000 {
        let len = rng.below(80);
        let mut s = String::new();
        for _ in 0..len {
            if rng.below(3) == 0 {
                s.push_str(PIECES[rng.below(PIECES.len())]);
            } else {
                s.push(char::from(u8::try_from(rng.below(128)).unwrap_or(b' ')));
            }
        }
        let bytes: Vec<u8> = (0..rng.below(40))
            .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
            .collect();
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        for text in [s, lossy] {
            let res = std::panic::catch_unwind(|| fastparse::parse(SRC, &text));
            assert!(res.is_ok(), "panic on {text:?}");
        }
    }
}

/// Random expressions from a small grammar, with random spacing, comments and newlines: both
/// readers must agree on every one of them.
struct Gen {
    rng: Rng,
}

impl Gen {
    fn pick<'s>(&mut self, xs: &[&'s str]) -> &'s str {
        xs[self.rng.below(xs.len())]
    }

    /// Spacing between tokens: usually a space or nothing, sometimes a comment or a newline.
    fn sp(&mut self, out: &mut String) {
        let s = self.pick(&[
            "",
            " ",
            " ",
            "",
            "  ",
            "\t",
            " /* c */ ",
            "\n",
            "\n  ",
            " # c\n",
            " // c\n",
        ]);
        out.push_str(s);
    }

    fn lit_text(&mut self, out: &mut String) {
        for _ in 0..self.rng.below(4) {
            let s = self.pick(&[
                "a",
                "b c",
                "  ",
                "\\n",
                "\\t",
                "\\\"",
                "\\\\",
                "\\u00e9",
                "é",
                "$${x}",
                "%%{y}",
                "$",
                "%",
                "x.y",
                "\\U0001F600",
                ":",
                " ",
            ]);
            out.push_str(s);
        }
    }

    fn string(&mut self, out: &mut String, depth: usize) {
        out.push('"');
        for _ in 0..self.rng.below(4) {
            match self.rng.below(6) {
                0 | 1 => self.lit_text(out),
                2 | 3 => {
                    out.push_str(self.pick(&["${", "${~", "${ ", "${~ "]));
                    self.expr(out, depth + 1);
                    out.push_str(self.pick(&["}", "~}", " }", " ~}"]));
                }
                4 => {
                    out.push_str(self.pick(&["%{ if ", "%{~ if ", "%{if "]));
                    self.expr(out, depth + 1);
                    out.push_str(self.pick(&[" }", "~}", "}"]));
                    out.push_str(self.pick(&["x", " y ", "", "z${a}"]));
                    if self.rng.below(2) == 0 {
                        out.push_str(self.pick(&["%{ else }", "%{~ else ~}", "%{else}"]));
                        out.push_str(self.pick(&["n", " m ", ""]));
                    }
                    out.push_str(self.pick(&["%{ endif }", "%{~ endif ~}", "%{endif}"]));
                }
                _ => {
                    out.push_str(self.pick(&["%{ for v in ", "%{ for k, v in ", "%{~for v in "]));
                    self.expr(out, depth + 1);
                    out.push_str(self.pick(&[" }", "~}"]));
                    out.push_str(self.pick(&["${v},", " - ${v}\n", "x", ""]));
                    out.push_str(self.pick(&["%{ endfor }", "%{~ endfor ~}"]));
                }
            }
        }
        out.push('"');
    }

    fn heredoc(&mut self, out: &mut String, depth: usize) {
        let flush = self.rng.below(2) == 0;
        out.push_str(if flush { "<<-EOT\n" } else { "<<EOT\n" });
        for _ in 0..=self.rng.below(3) {
            out.push_str(self.pick(&["", "  ", "    ", "\t"]));
            match self.rng.below(4) {
                0 => {
                    out.push_str(self.pick(&["${", "${~"]));
                    self.expr(out, depth + 1);
                    out.push_str(self.pick(&["}", "~}"]));
                }
                1 => out.push_str(
                    self.pick(&["%{ if x }a%{ endif }", "%{~ for v in l ~} ${v}%{ endfor }"]),
                ),
                _ => out.push_str(self.pick(&["text", "a b", "$${x}", "EOTX", ""])),
            }
            out.push('\n');
        }
        out.push_str(self.pick(&["EOT", "  EOT", "\tEOT"]));
    }

    #[allow(clippy::too_many_lines)] // one arm per expression form the generator can write
    fn expr(&mut self, out: &mut String, depth: usize) {
        let max = if depth > 3 { 6 } else { 17 };
        match self.rng.below(max) {
            0 => out.push_str(self.pick(&[
                "0", "1", "42", "1.5", "1e3", "2.5E-2", "-7", "-0", "-1.25", "007",
            ])),
            1 => out.push_str(self.pick(&["x", "foo", "a-b", "_u", "for_x", "iff", "format"])),
            2 => out.push_str(self.pick(&["true", "false", "null"])),
            3 | 4 => self.string(out, depth),
            5 => out.push_str(self.pick(&["\"s\"", "\"\"", "\"a b\""])),
            6 => {
                out.push('[');
                let n = self.rng.below(4);
                for i in 0..n {
                    self.sp(out);
                    self.expr(out, depth + 1);
                    self.sp(out);
                    if i + 1 < n || self.rng.below(3) == 0 {
                        out.push(',');
                    }
                }
                self.sp(out);
                out.push(']');
            }
            7 => {
                out.push('{');
                let n = self.rng.below(4);
                for i in 0..n {
                    self.sp(out);
                    out.push_str(self.pick(&[
                        "a", "b", "c", "\"k\"", "\"a\"", "1", "2", "(x)", "x.y", "\"${x}\"",
                    ]));
                    out.push_str(self.pick(&[" = ", "=", ": ", " : "]));
                    self.expr(out, depth + 1);
                    if i + 1 < n {
                        out.push_str(self.pick(&[",", "\n", ", ", " # c\n", ",\n"]));
                    } else {
                        out.push_str(self.pick(&["", ",", "\n", " "]));
                    }
                }
                out.push('}');
            }
            8 => {
                out.push_str(self.pick(&["f", "upper", "join", "g"]));
                out.push('(');
                let n = self.rng.below(4);
                for i in 0..n {
                    self.sp(out);
                    self.expr(out, depth + 1);
                    if i + 1 < n {
                        out.push(',');
                    }
                }
                out.push_str(self.pick(&["", "", ",", "...", " ..."]));
                self.sp(out);
                out.push(')');
            }
            9 => {
                self.expr(out, depth + 1);
                for _ in 0..=self.rng.below(3) {
                    out.push_str(self.pick(&[
                        ".a",
                        ".b",
                        "[0]",
                        "[ \"k\" ]",
                        ".0",
                        ".*",
                        "[*]",
                        " .c",
                        "[x]",
                    ]));
                }
            }
            10 => {
                out.push_str(self.pick(&["-", "!", "- ", "!!", "--"]));
                self.expr(out, depth + 1);
            }
            11 | 12 => {
                self.expr(out, depth + 1);
                out.push_str(self.pick(&[
                    " + ", "-", " * ", " / ", " % ", " == ", " != ", " < ", " <= ", " > ", " >= ",
                    " && ", " || ", "+", " - ",
                ]));
                self.expr(out, depth + 1);
            }
            13 => {
                self.expr(out, depth + 1);
                out.push_str(self.pick(&[" ? ", "?"]));
                self.expr(out, depth + 1);
                out.push_str(self.pick(&[" : ", ":"]));
                self.expr(out, depth + 1);
            }
            14 => {
                let obj = self.rng.below(2) == 0;
                out.push(if obj { '{' } else { '[' });
                out.push_str(self.pick(&["for v in ", "for k, v in ", " for i,v in "]));
                self.expr(out, depth + 1);
                out.push_str(self.pick(&[" : ", ": ", ":"]));
                if obj {
                    self.expr(out, depth + 1);
                    out.push_str(" => ");
                }
                self.expr(out, depth + 1);
                if obj && self.rng.below(3) == 0 {
                    out.push_str("...");
                }
                if self.rng.below(2) == 0 {
                    out.push_str(" if ");
                    self.expr(out, depth + 1);
                }
                out.push(if obj { '}' } else { ']' });
            }
            15 => {
                out.push('(');
                self.sp(out);
                self.expr(out, depth + 1);
                self.sp(out);
                out.push(')');
            }
            _ => self.heredoc(out, depth),
        }
    }
}

#[test]
fn random_expressions_agree() {
    let mut g = Gen {
        rng: Rng(0x1234_5678_9abc_def1),
    };
    let n = if cfg!(debug_assertions) { 4000 } else { 40000 };
    let (mut valid, mut accepted) = (0, 0);
    for i in 0..n {
        let mut e = String::new();
        g.expr(&mut e, 0);
        let text = match i % 3 {
            0 => format!("a = {e}\n"),
            1 => format!("target \"t\" {{\n  x = {e}\n  y = 1\n}}\n"),
            _ => format!("b {{ x = {e} }}\n"),
        };
        if let Some(acc) = check(&format!("random #{i}"), &text) {
            valid += 1;
            accepted += usize::from(acc);
        }
    }
    eprintln!("random expressions: {valid} of {n} valid, {accepted} accepted by the fast reader");
    assert!(
        valid * 4 >= n,
        "generator too often invalid: {valid} of {n}"
    );
    assert!(accepted * 10 >= valid * 8, "{accepted} of {valid} accepted");
}
