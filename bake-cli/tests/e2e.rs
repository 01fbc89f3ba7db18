//! End-to-end builds on a real engine: two Docker daemons (projects A and B), a local
//! registry and a busybox base image, as `scripts/engine.sh start` sets up.
//!
//! The tests are `#[ignore]`d, so a plain `cargo test` lists them as ignored instead of
//! passing them without an engine. Run them with the engine up:
//!
//! ```sh
//! scripts/engine.sh start
//! cargo test -p bake-cli --test e2e -- --ignored
//! ```
//!
//! They read the engine's environment from `$BAKE_ENGINE_DIR/env` (default
//! `/tmp/bake-engine/env`); once asked for, a missing or silent engine (or a missing `tmux`
//! for the terminal test) fails them with the reason. `.ci/run` starts the engine and runs
//! them all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Builds share two daemons; running them one at a time keeps timings meaningful.
static SERIAL: Mutex<()> = Mutex::new(());

/// A running engine, held for one test at a time (the guard of `SERIAL`).
struct Engine {
    _serial: std::sync::MutexGuard<'static, ()>,
    env: BTreeMap<String, String>,
    host_a: String,
    host_b: String,
    host_c: String,
    registry: String,
    arm64: bool,
}

/// The engine `scripts/engine.sh start` set up; a test that asked for it fails without it.
fn engine() -> Engine {
    let dir = std::env::var("BAKE_ENGINE_DIR").unwrap_or_else(|_| "/tmp/bake-engine".into());
    let file = Path::new(&dir).join("env");
    let Ok(text) = std::fs::read_to_string(&file) else {
        panic!(
            "no engine: {} is missing; run scripts/engine.sh start",
            file.display()
        );
    };
    let mut env: BTreeMap<String, String> = std::env::vars().collect();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((k, v)) = rest.split_once('=') else {
            continue;
        };
        let v = v.trim_matches('"');
        let old_path = env.get("PATH").cloned().unwrap_or_default();
        env.insert(k.to_string(), v.replace("$PATH", &old_path));
    }
    let get = |k: &str| env.get(k).cloned().unwrap_or_default();
    let e = Engine {
        host_a: get("BAKE_E2E_HOST_A"),
        host_b: get("BAKE_E2E_HOST_B"),
        host_c: get("BAKE_E2E_HOST_C"),
        registry: get("BAKE_E2E_REGISTRY"),
        arm64: get("BAKE_E2E_ARM64") == "1",
        env,
        _serial: SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    };
    // The daemon must answer; a stale env file from a stopped engine is no engine.
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .env_clear()
        .envs(&e.env)
        .env("DOCKER_HOST", &e.host_a)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "the engine in {} does not answer: run scripts/engine.sh start",
        file.display()
    );
    e
}

/// A fresh project directory with the given files, and a `bake.toml` mapping project `a` to
/// daemon A and `b` to daemon B.
fn workspace(name: &str, e: &Engine, files: &[(&str, &str)], extra_config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bake-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create workspace");
    for (path, text) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(p, text).expect("write file");
    }
    let config = format!(
        "[projects.a]\ndocker-host = \"{}\"\n\n[projects.b]\ndocker-host = \"{}\"\n{extra_config}",
        e.host_a, e.host_b
    );
    std::fs::write(dir.join("bake.toml"), config).expect("write bake.toml");
    dir
}

fn bake(e: &Engine, dir: &Path, args: &[&str]) -> (Output, Duration) {
    bake_with(e, dir, args, &[])
}

fn bake_with(e: &Engine, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_bake"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(&e.env)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run bake");
    let took = start.elapsed();
    eprintln!(
        "bake {} took {:.2}s, exit {:?}\n--- stderr\n{}",
        args.join(" "),
        took.as_secs_f64(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, took)
}

fn docker(e: &Engine, host: &str, args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .env_clear()
        .envs(&e.env)
        .env("DOCKER_HOST", host)
        .output()
        .expect("run docker")
}

fn metadata(dir: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("meta.json")).expect("metadata file");
    match serde_json::from_str(&text).expect("metadata JSON") {
        serde_json::Value::Object(m) => m,
        other => panic!("metadata is not an object: {other}"),
    }
}

fn no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked at"), "{err}");
    assert_ne!(out.status.code(), Some(101));
}

const COMPOSE: &str = "services:
  api:
    image: e2e-api:latest
    build:
      dockerfile: ./Dockerfile.api
      x-depot:
        project-id: a
  web:
    image: e2e-web:latest
    build:
      dockerfile: ./Dockerfile.web
      x-depot:
        project-id: b
";

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn compose_two_projects_build_in_parallel_each_on_its_daemon() {
    let e = engine();
    let nonce = format!("{:?}", Instant::now());
    let api = format!(
        "FROM localbusybox:latest\nRUN --network=none echo '{nonce}' > /n && sleep 3 && echo api > /api\n"
    );
    let web = format!(
        "FROM localbusybox:latest\nRUN --network=none echo '{nonce}' > /n && sleep 3 && echo web > /web\n"
    );
    let dir = workspace(
        "compose",
        &e,
        &[
            ("docker-compose.yml", COMPOSE),
            ("Dockerfile.api", &api),
            ("Dockerfile.web", &web),
        ],
        "",
    );
    let (out, took) = bake(
        &e,
        &dir,
        &["--load", "--progress=plain", "--metadata-file", "meta.json"],
    );
    no_panic(&out);
    assert!(out.status.success());
    // The two builds overlap: both started before either finished (the wall time is logged;
    // one after the other they would take over 6 s).
    let err = String::from_utf8_lossy(&out.stderr);
    let pos = |s: &str| err.find(s).unwrap_or_else(|| panic!("no {s:?} in {err}"));
    let last_start = pos("[api] building on project a").max(pos("[web] building on project b"));
    let first_end = pos("[api] done in").min(pos("[web] done in"));
    assert!(
        last_start < first_end,
        "builds did not overlap ({took:?}):\n{err}"
    );
    let meta = metadata(&dir);
    assert_eq!(meta["api"]["project_id"], "a");
    assert_eq!(meta["web"]["project_id"], "b");
    // Asked for a metadata file, buildx's provenance is in it, as with `docker buildx bake`
    // (runs without one skip resolving it).
    assert!(
        meta["api"].get("buildx.build.provenance").is_some(),
        "{meta:?}"
    );
    // --load lands in the local engine (DOCKER_HOST = daemon A), whichever daemon built it.
    assert!(
        docker(&e, &e.host_a, &["image", "inspect", "e2e-api:latest"])
            .status
            .success()
    );
    assert!(
        docker(&e, &e.host_a, &["image", "inspect", "e2e-web:latest"])
            .status
            .success()
    );
    assert!(
        !docker(&e, &e.host_b, &["image", "inspect", "e2e-api:latest"])
            .status
            .success()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("TARGET") && err.contains("api") && err.contains("done"),
        "{err}"
    );
    // Warm: everything cached.
    let (out, took) = bake(&e, &dir, &["--load", "--progress=quiet"]);
    assert!(out.status.success());
    eprintln!("warm rebuild took {:.2}s", took.as_secs_f64());
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn target_context_across_projects_builds_base_once() {
    let e = engine();
    let hcl = r#"
target "base" {
  project_id = "a"
  dockerfile = "base.Dockerfile"
}
target "app" {
  project_id = "b"
  contexts   = { base = "target:base" }
  dockerfile = "app.Dockerfile"
  tags       = ["e2e-app:latest"]
  output     = ["type=docker"]
}
target "app2" {
  inherits = ["app"]
}
group "default" {
  targets = ["app", "app2"]
}
"#;
    let dir = workspace(
        "contexts",
        &e,
        &[
            ("docker-bake.hcl", hcl),
            (
                "base.Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo from-base > /from-base\n",
            ),
            (
                "app.Dockerfile",
                "FROM base\nRUN --network=none test \"$(cat /from-base)\" = from-base\n",
            ),
        ],
        "",
    );
    let (out, _) = bake(
        &e,
        &dir,
        &["--progress=plain", "--metadata-file", "meta.json"],
    );
    no_panic(&out);
    assert!(out.status.success());
    let meta = metadata(&dir);
    let names: Vec<&String> = meta.keys().collect();
    assert_eq!(names, ["app", "app2", "base"]);
    assert_eq!(meta["base"]["project_id"], "a");
    assert_eq!(meta["app"]["project_id"], "b");
    // app and app2 are one build: the same result.
    assert_eq!(
        meta["app"]["containerimage.digest"],
        meta["app2"]["containerimage.digest"]
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("[base] building on project a").count(),
        1,
        "{err}"
    );
    // `type=docker` (what --load sets) lands in the local engine, A.
    assert!(
        docker(&e, &e.host_a, &["image", "inspect", "e2e-app:latest"])
            .status
            .success()
    );
    assert!(err.contains("loaded into"), "{err}");
}

fn registry_has(e: &Engine, repo: &str, tag: &str) -> bool {
    let url = format!("http://{}/v2/{repo}/manifests/{tag}", e.registry);
    Command::new("curl")
        .args([
            "-sf",
            "-o",
            "/dev/null",
            "-H",
            "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json",
            &url,
        ])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn push_and_save_reach_the_registry() {
    let e = engine();
    let platforms = if e.arm64 {
        r#"platforms = ["linux/amd64", "linux/arm64"]"#
    } else {
        ""
    };
    let tag = format!("t{}", std::process::id());
    let hcl = format!(
        r#"
target "pushed" {{
  project_id = "a"
  tags = ["{reg}/e2e/pushed:{tag}"]
  {platforms}
}}
target "saved" {{
  project_id = "b"
}}
"#,
        reg = e.registry
    );
    let dir = workspace(
        "push",
        &e,
        &[
            ("docker-bake.hcl", &hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo hi > /hi\n",
            ),
        ],
        &format!("registry = \"{}/e2e-save\"\n", e.registry),
    );
    let (out, _) = bake(&e, &dir, &["--push", "--progress=plain", "pushed"]);
    no_panic(&out);
    assert!(out.status.success());
    assert!(
        registry_has(&e, "e2e/pushed", &tag),
        "pushed manifest missing"
    );
    let (out, _) = bake(
        &e,
        &dir,
        &["--save", "--save-tag", &tag, "--progress=plain", "saved"],
    );
    no_panic(&out);
    assert!(out.status.success());
    assert!(
        registry_has(&e, "e2e-save/saved", &tag),
        "saved manifest missing"
    );
}

/// Builds `hcl` in a workspace with `dockerfile` as `Dockerfile` and a `broken.Dockerfile`
/// whose RUN fails; expects exit 1. Returns the targets of the metadata file and stderr.
fn build_with_a_broken_target(
    e: &Engine,
    name: &str,
    hcl: &str,
    dockerfile: &str,
) -> (Vec<String>, String) {
    let dir = workspace(
        name,
        e,
        &[
            ("docker-bake.hcl", hcl),
            ("Dockerfile", dockerfile),
            (
                "broken.Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo about to fail && exit 3\n",
            ),
        ],
        "",
    );
    let (out, _) = bake(
        e,
        &dir,
        &["--progress=plain", "--metadata-file", "meta.json"],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let names = metadata(&dir).keys().cloned().collect();
    (names, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn one_failing_target_of_four_keeps_the_other_results() {
    let e = engine();
    let hcl = r#"
target "ok1" {
  project_id = "a"
  args = { N = "1" }
}
target "ok2" {
  project_id = "b"
  args = { N = "2" }
}
target "ok3" {
  project_id = "a"
  args = { N = "3" }
}
target "broken" {
  project_id = "b"
  dockerfile = "broken.Dockerfile"
}
group "default" {
  targets = ["ok1", "ok2", "ok3", "broken"]
}
"#;
    let (names, err) = build_with_a_broken_target(
        &e,
        "failure",
        hcl,
        "FROM localbusybox:latest\nARG N\nRUN --network=none echo $N > /n\n",
    );
    assert_eq!(names, ["ok1", "ok2", "ok3"]);
    assert!(
        err.contains("error: target broken (project b) failed"),
        "{err}"
    );
    assert!(
        err.contains("about to fail"),
        "the failure shows the step's output: {err}"
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn missing_dockerfile_and_unknown_builder_are_named() {
    let e = engine();
    let hcl = r#"
target "fine" {
  project_id = "a"
}
target "nofile" {
  project_id = "a"
  dockerfile = "nope.Dockerfile"
}
target "elsewhere" {
  project_id = "ghost"
}
group "default" {
  targets = ["fine", "nofile", "elsewhere"]
}
"#;
    let dir = workspace(
        "badinput",
        &e,
        &[
            ("docker-bake.hcl", hcl),
            ("Dockerfile", "FROM localbusybox:latest\n"),
        ],
        "\n[projects.ghost]\nbuilder = \"no-such-builder\"\n",
    );
    let (out, _) = bake(
        &e,
        &dir,
        &["--progress=plain", "--metadata-file", "meta.json"],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "error: target nofile (project a) failed: Dockerfile not found: nope.Dockerfile"
        ),
        "{err}"
    );
    assert!(
        err.contains("error: target elsewhere (project ghost) failed: project ghost: builder `no-such-builder`"),
        "{err}"
    );
    let meta = metadata(&dir);
    assert!(meta.contains_key("fine"), "the other target's work is kept");
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn sigint_stops_everything_quickly() {
    let e = engine();
    let nonce = format!("{:?}", Instant::now());
    let df = format!("FROM localbusybox:latest\nRUN --network=none echo '{nonce}' && sleep 60\n");
    let hcl = r#"
target "slow-a" {
  project_id = "a"
}
target "slow-b" {
  project_id = "b"
}
group "default" {
  targets = ["slow-a", "slow-b"]
}
"#;
    let dir = workspace(
        "sigint",
        &e,
        &[("docker-bake.hcl", hcl), ("Dockerfile", &df)],
        "",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_bake"))
        .args(["--progress=plain"])
        .current_dir(&dir)
        .env_clear()
        .envs(&e.env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bake");
    let pid = child.id();
    // Wait until both builds run their `sleep`.
    std::thread::sleep(Duration::from_secs(4));
    let marker = format!("bake-{pid}-");
    assert!(!processes_with(&marker).is_empty(), "no build was running");
    let sent = Instant::now();
    // SAFETY: sends SIGINT to the child we spawned; no memory is involved.
    unsafe {
        libc::kill(i32::try_from(pid).expect("pid"), libc::SIGINT);
    }
    let status = child.wait().expect("wait");
    let took = sent.elapsed();
    let mut err = String::new();
    if let Some(mut s) = child.stderr.take() {
        use std::io::Read;
        let _ = s.read_to_string(&mut err);
    }
    eprintln!(
        "exit {:?} {:.2}s after SIGINT\n{err}",
        status.code(),
        took.as_secs_f64()
    );
    assert_eq!(status.code(), Some(130));
    assert!(took < Duration::from_secs(8), "took {took:?} to stop");
    assert!(err.contains("cancelled"), "{err}");
    std::thread::sleep(Duration::from_millis(300));
    let left = processes_with(&marker);
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

/// Processes whose command line contains `needle` (the builds of one bake run name its
/// private directory `bake-PID-…`).
fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            found.push(format!("{pid}: {cmd}"));
        }
    }
    found
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn target_links_build_on_a_classic_store_engine() {
    let e = engine();
    assert!(
        !e.host_c.is_empty(),
        "the engine has no classic-store daemon c"
    );
    let hcl = r#"
target "base" {
  # `$${MSG}` is the Dockerfile's own `${MSG}`: it must reach buildx escaped exactly once.
  dockerfile-inline = "FROM localbusybox:latest\nARG MSG=classic\nRUN --network=none echo $${MSG} > /from-base\n"
}
target "app" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN --network=none test \"$(cat /from-base)\" = classic\n"
  tags = ["e2e-classic-app:latest"]
}
"#;
    let dir = workspace("classic", &e, &[("docker-bake.hcl", hcl)], "");
    let _ = docker(
        &e,
        &e.host_c,
        &["image", "rm", "-f", "e2e-classic-app:latest"],
    );
    // Without --load: the link is resolved inside BuildKit, nothing is exported.
    let (out, _) = bake_with(
        &e,
        &dir,
        &["--progress=plain", "--metadata-file", "meta.json", "app"],
        &[("DOCKER_HOST", &e.host_c)],
    );
    no_panic(&out);
    assert!(out.status.success());
    let meta = metadata(&dir);
    assert!(
        meta.contains_key("app") && meta.contains_key("base"),
        "{meta:?}"
    );
    // With --load: the image lands in the classic store.
    let (out, _) = bake_with(
        &e,
        &dir,
        &["--progress=plain", "--load", "app"],
        &[("DOCKER_HOST", &e.host_c)],
    );
    no_panic(&out);
    assert!(out.status.success());
    assert!(docker(
        &e,
        &e.host_c,
        &["image", "inspect", "e2e-classic-app:latest"]
    )
    .status
    .success());
}

/// The `Pass "--allow=…"` line and the ` - …` lines of an entitlement message.
fn privileges(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.starts_with(" - ") || l.starts_with("Pass \""))
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
#[allow(clippy::too_many_lines)] // one table of cases, each run under bake and buildx
fn entitlements_are_refused_where_buildx_refuses() {
    let e = engine();
    let outside = std::env::temp_dir().join(format!("bake-e2e-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(&outside).expect("outside dir");
    std::fs::write(
        outside.join("Dockerfile"),
        "FROM localbusybox:latest\nRUN --network=none true\n",
    )
    .expect("write");
    let out_dir = outside.join("out").to_string_lossy().into_owned();
    let ctx = outside.to_string_lossy().into_owned();
    let cases: Vec<(&str, String, String)> = vec![
        (
            "secret",
            r#"secret = ["id=s,src=/etc/hostname"]"#.to_string(),
            "fs.read=/etc/hostname".to_string(),
        ),
        (
            "context",
            format!("context = \"{ctx}\""),
            format!("fs.read={ctx}"),
        ),
        (
            "network",
            r#"entitlements = ["network.host"]"#.to_string(),
            "network.host".to_string(),
        ),
        (
            "insecure",
            r#"entitlements = ["security.insecure"]"#.to_string(),
            String::new(),
        ),
        (
            "output",
            format!("output = [\"type=local,dest={out_dir}\"]"),
            format!("fs.write={ctx}"),
        ),
        (
            "dockerfile",
            format!("dockerfile = \"{ctx}/Dockerfile\""),
            format!("fs.read={ctx}"),
        ),
        (
            "named-context",
            format!("contexts = {{ extra = \"{ctx}\" }}"),
            format!("fs.read={ctx}"),
        ),
        (
            "cache-from",
            format!("cache-from = [\"type=local,src={ctx}\"]"),
            String::new(),
        ),
        (
            "cache-to",
            format!("cache-to = [\"type=local,dest={out_dir}-cache\"]"),
            String::new(),
        ),
        (
            "device",
            r#"entitlements = ["device=vendor.com/gpu=all"]"#.to_string(),
            String::new(),
        ),
    ];
    for (name, attr, allow) in cases {
        let hcl = format!("target \"t\" {{\n  {attr}\n}}\n");
        let dir = workspace(
            &format!("ent-{name}"),
            &e,
            &[
                ("docker-bake.hcl", &hcl),
                (
                    "Dockerfile",
                    "FROM localbusybox:latest\nRUN --network=none true\n",
                ),
            ],
            "",
        );
        let buildx = Command::new("docker")
            .args(["buildx", "bake", "--progress=plain", "t"])
            .current_dir(&dir)
            .env_clear()
            .envs(&e.env)
            .stdin(Stdio::null())
            .output()
            .expect("run buildx");
        let (ours, _) = bake(&e, &dir, &["--progress=plain", "t"]);
        no_panic(&ours);
        let berr = String::from_utf8_lossy(&buildx.stderr);
        let oerr = String::from_utf8_lossy(&ours.stderr);
        assert_eq!(
            buildx.status.code(),
            Some(1),
            "{name}: buildx should refuse:\n{berr}"
        );
        assert_eq!(
            ours.status.code(),
            Some(1),
            "{name}: bake should refuse:\n{oerr}"
        );
        assert!(
            oerr.contains("ERROR: additional privileges requested"),
            "{name}: {oerr}"
        );
        assert_eq!(
            privileges(&oerr),
            privileges(&berr),
            "{name}:\n--- bake\n{oerr}\n--- buildx\n{berr}"
        );
        assert!(!privileges(&oerr).is_empty(), "{name}: {oerr}");
        if !allow.is_empty() {
            let flag = format!("--allow={allow}");
            let (ok, _) = bake(&e, &dir, &["--progress=plain", &flag, "t"]);
            assert!(
                ok.status.success(),
                "{name} with {flag}: {}",
                String::from_utf8_lossy(&ok.stderr)
            );
        }
    }
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn save_of_a_tagged_target_leaves_its_tags_alone() {
    let e = engine();
    let tag = format!("t{}", std::process::id());
    let hcl = format!(
        r#"
target "tagged" {{
  project_id = "b"
  tags = ["{reg}/e2e/prod-tagged:{tag}"]
}}
"#,
        reg = e.registry
    );
    let dir = workspace(
        "save-tagged",
        &e,
        &[
            ("docker-bake.hcl", &hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo saved > /s\n",
            ),
        ],
        &format!("registry = \"{}/e2e-save\"\n", e.registry),
    );
    let (out, _) = bake(
        &e,
        &dir,
        &[
            "--save",
            "--save-tag",
            &tag,
            "--progress=plain",
            "--metadata-file",
            "meta.json",
            "tagged",
        ],
    );
    no_panic(&out);
    assert!(out.status.success());
    assert!(
        registry_has(&e, "e2e-save/tagged", &tag),
        "saved manifest missing"
    );
    assert!(
        !registry_has(&e, "e2e/prod-tagged", &tag),
        "--save pushed to the target's own tag"
    );
    let meta = metadata(&dir);
    let saved = meta["tagged"]["saved"].as_str().unwrap_or_default();
    assert!(
        saved.starts_with(&format!("{}/e2e-save/tagged:{tag}@sha256:", e.registry)),
        "{saved}"
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn load_of_a_build_on_daemon_b_lands_in_the_local_engine() {
    let e = engine();
    let tag = format!("t{}", std::process::id());
    let hcl = format!(
        "target \"webload\" {{\n  project_id = \"b\"\n  tags = [\"e2e-loaded:{tag}\"]\n}}\n"
    );
    let dir = workspace(
        "load-b",
        &e,
        &[
            ("docker-bake.hcl", &hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo loaded > /l\n",
            ),
        ],
        "",
    );
    let image = format!("e2e-loaded:{tag}");
    let (out, _) = bake(&e, &dir, &["--load", "--progress=plain", "webload"]);
    no_panic(&out);
    assert!(out.status.success());
    assert!(
        docker(&e, &e.host_a, &["image", "inspect", &image])
            .status
            .success(),
        "not in daemon A"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("loaded into {}", e.host_a)), "{err}");
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn one_failing_target_of_six_on_one_builder_keeps_the_other_five() {
    let e = engine();
    let mut hcl = String::new();
    for i in 1..=5 {
        hcl.push_str(&format!(
            "target \"ok{i}\" {{\n  project_id = \"a\"\n  args = {{ N = \"{i}\" }}\n}}\n"
        ));
    }
    hcl.push_str(
        "target \"broken\" {\n  project_id = \"a\"\n  dockerfile = \"broken.Dockerfile\"\n}\n",
    );
    hcl.push_str("group \"default\" {\n  targets = [\"ok1\", \"ok2\", \"ok3\", \"ok4\", \"ok5\", \"broken\"]\n}\n");
    let nonce = format!("{:?}", Instant::now());
    let df = format!("FROM localbusybox:latest\nARG N\nRUN --network=none echo '{nonce}' $N && sleep 1 && echo $N > /n\n");
    let (names, err) = build_with_a_broken_target(&e, "six", &hcl, &df);
    assert_eq!(names, ["ok1", "ok2", "ok3", "ok4", "ok5"]);
    assert!(
        err.contains("error: target broken (project a) failed"),
        "{err}"
    );
    assert!(err.contains("exit code: 3"), "{err}");
}

/// A tmux server on a private socket, with the engine's environment; killed when dropped,
/// so a failing test leaves no server (nor the panes' `sleep`) behind.
struct Tmux {
    socket: String,
    env: BTreeMap<String, String>,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        // `-f /dev/null`: no user configuration changes what the panes show.
        Command::new("tmux")
            .args(["-f", "/dev/null", "-L", &self.socket])
            .args(args)
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// What the session's pane shows, scrollback included, wrapped lines joined (a line
    /// wider than the terminal comes back as one line wider than it).
    fn capture(&self, session: &str) -> String {
        let out = self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", session]);
        assert!(
            out.status.success(),
            "capture-pane: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Captures until `done` holds for a capture, for at most `limit`; the last capture.
    fn wait_for(&self, session: &str, limit: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let shown = self.capture(session);
            if done(&shown) || start.elapsed() > limit {
                return shown;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        // The server leaves its socket behind: `${TMUX_TMPDIR:-/tmp}/tmux-UID/NAME`.
        let tmp = self
            .env
            .get("TMUX_TMPDIR")
            .filter(|d| !d.is_empty())
            .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let _ = std::fs::remove_file(tmp.join(format!("tmux-{uid}")).join(&self.socket));
    }
}

/// `text` in single quotes for `sh`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What changes from run to run in a capture made stable: durations (`12.3s` → `X.Xs`),
/// digests (`sha256:…`), the engines' sockets, trailing spaces and blank lines at the end.
fn normalize_tty(shown: &str, e: &Engine) -> String {
    let text = shown.replace(&e.host_a, "<A>").replace(&e.host_b, "<B>");
    let chars: Vec<char> = text.chars().collect();
    let run = |from: usize, f: fn(&char) -> bool| chars[from..].iter().take_while(|c| f(c)).count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i..].starts_with(&['s', 'h', 'a', '2', '5', '6', ':']) {
            out.push_str("sha256:…");
            i += 7;
            i += run(i, char::is_ascii_hexdigit);
            continue;
        }
        // Digits, a point, digits and an `s`, not inside a word.
        let whole = run(i, char::is_ascii_digit);
        if whole > 0 && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let frac = if chars.get(i + whole) == Some(&'.') {
                run(i + whole + 1, char::is_ascii_digit)
            } else {
                0
            };
            if frac > 0 && chars.get(i + whole + 1 + frac) == Some(&'s') {
                out.push_str("X.Xs");
                i += whole + 1 + frac + 1;
                continue;
            }
            out.extend(&chars[i..i + whole]);
            i += whole;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
#[allow(clippy::too_many_lines)] // one terminal session, step by step
fn tty_progress_in_a_real_terminal_fits_and_leaves_no_stale_lines() {
    const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let e = engine();
    if !Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        panic!("tmux is not installed: this test drives bake in a real terminal through it");
    }
    let hcl = r#"
target "quick" {
  project_id = "a"
  dockerfile = "quick.Dockerfile"
}
target "slow" {
  project_id = "b"
  dockerfile = "slow.Dockerfile"
}
group "default" {
  targets = ["quick", "slow"]
}
"#;
    let mut env = e.env.clone();
    for k in ["TERM", "TMUX", "TMUX_PANE", "COLUMNS", "LINES"] {
        env.remove(k);
    }
    let tmux = Tmux {
        socket: format!("bake-e2e-{}", std::process::id()),
        env: env.clone(),
    };
    for width in [100usize, 70] {
        // A new nonce each time: nothing is cached, `slow` prints while the display runs.
        let nonce = format!("{:?}", Instant::now());
        let quick = format!("FROM localbusybox:latest\nRUN --network=none echo '{nonce}' > /q\n");
        let slow = format!(
            "FROM localbusybox:latest\nRUN --network=none echo '{nonce}' && for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; sleep 0.3; done\n"
        );
        let dir = workspace(
            &format!("tty-{width}"),
            &e,
            &[
                ("docker-bake.hcl", hcl),
                ("quick.Dockerfile", &quick),
                ("slow.Dockerfile", &slow),
            ],
            "",
        );
        // The pane runs a script: the engine's environment, bake on the terminal, its exit
        // code, then a pause that keeps the pane (and what it shows) open.
        let mut script = String::new();
        for (k, v) in &env {
            let name_ok = !k.is_empty()
                && !k.starts_with(|c: char| c.is_ascii_digit())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if name_ok {
                script.push_str(&format!("export {k}={}\n", sh_quote(v)));
            }
        }
        script.push_str(&format!(
            "cd {}\n{} --progress=tty\necho EXIT=$?\nsleep 30\n",
            sh_quote(&dir.to_string_lossy()),
            sh_quote(env!("CARGO_BIN_EXE_bake")),
        ));
        let script_path = dir.join("tty.sh");
        std::fs::write(&script_path, script).expect("write the pane's script");
        let session = format!("w{width}");
        let cols = width.to_string();
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &cols,
            "-y",
            "30",
            &format!("sh {}", sh_quote(&script_path.to_string_lossy())),
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        let fits = |shown: &str, when: &str| {
            for line in shown.lines() {
                let n = line.chars().count();
                assert!(
                    n <= width,
                    "{when}: a line of {n} columns on a {width}-column terminal:\n{line}\n--- screen\n{shown}"
                );
            }
        };

        // While `slow` runs: its line, its last log lines under it.
        let live = tmux.wait_for(&session, Duration::from_secs(15), |s| {
            s.lines().any(|l| l.starts_with("    > line-"))
        });
        eprintln!("--- {width} columns, while slow runs\n{live}");
        fits(&live, "while slow runs");
        let lines: Vec<&str> = live.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("slow (b)"))
            .unwrap_or_else(|| panic!("no line for slow:\n{live}"));
        assert!(
            lines[at].starts_with(SPINNER) && lines[at].contains("running"),
            "slow is not shown running:\n{live}"
        );
        // Its last lines printed (4 at most), a `line-N` among them.
        let logs: Vec<&str> = lines[at + 1..]
            .iter()
            .take_while(|l| l.starts_with("    > "))
            .copied()
            .collect();
        assert!(
            (1..=4).contains(&logs.len()) && logs.iter().any(|l| l.starts_with("    > line-")),
            "no line-N log line under slow's line:\n{live}"
        );
        assert!(
            live.matches("quick (a)").count() <= 1,
            "quick shown more than once:\n{live}"
        );

        // After bake: the final lines once each, the table, the exit code.
        let end = tmux.wait_for(&session, Duration::from_mins(2), |s| {
            s.lines().any(|l| l.starts_with("EXIT="))
        });
        eprintln!("--- {width} columns, at the end\n{end}");
        fits(&end, "at the end");
        let lines: Vec<&str> = end.lines().map(str::trim_end).collect();
        assert!(lines.contains(&"EXIT=0"), "bake failed:\n{end}");
        let table = lines
            .iter()
            .position(|l| l.starts_with("TARGET"))
            .unwrap_or_else(|| panic!("no summary table:\n{end}"));
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("TARGET")).count(),
            1,
            "{end}"
        );
        for label in ["quick (a)", "slow (b)"] {
            let above = lines[..table].iter().filter(|l| l.contains(label)).count();
            assert_eq!(
                above, 1,
                "{label} shown {above} times above the table:\n{end}"
            );
        }
        assert!(
            lines[..table].iter().all(|l| !l.contains("> ")),
            "log lines left above the table:\n{end}"
        );
        assert!(
            !end.contains(SPINNER),
            "a spinner is left on the screen:\n{end}"
        );
        insta::assert_snapshot!(format!("tty_final_{width}"), normalize_tty(&end, &e));
        let _ = tmux.run(&["kill-session", "-t", &session]);
    }
}

/// A `git daemon` serving the repositories under a directory on a loopback port; killed when
/// dropped.
struct GitDaemon {
    child: std::process::Child,
    port: u16,
}

impl GitDaemon {
    fn serve(base: &Path) -> GitDaemon {
        let port = 20000 + u16::try_from(std::process::id() % 20000).unwrap_or(0);
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                &base.display().to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon (install git)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        GitDaemon { child, port }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=e2e", "-c", "user.email=e2e@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn remote_git_definition_prints_as_buildx_and_builds_from_the_repository() {
    let e = engine();
    let base = std::env::temp_dir().join(format!("bake-e2e-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let repo = base.join("defs");
    std::fs::create_dir_all(repo.join("app")).expect("create repo");
    let nonce = format!("{:?}", Instant::now());
    std::fs::write(
        repo.join("docker-bake.hcl"),
        "variable \"TAG\" {\n  default = \"1\"\n}\n\
         target \"default\" {\n  context = \"app\"\n  args = { WHO = \"remote\" }\n  output = [\"type=local,dest=out-${TAG}\"]\n}\n\
         target \"cmd\" {\n  context = BAKE_CMD_CONTEXT\n}\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("app/Dockerfile"),
        "FROM scratch\nARG WHO\nCOPY hello.txt /\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("app/hello.txt"),
        format!("from the repository {nonce}\n"),
    )
    .expect("write");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "definition"]);
    let daemon = GitDaemon::serve(&base);
    let url = format!("git://127.0.0.1:{}/defs", daemon.port);
    let dir = workspace(
        "remote",
        &e,
        &[(
            "local.hcl",
            "target \"default\" {\n  args = { LOCAL = \"yes\" }\n}\n",
        )],
        "",
    );

    // --print: the same JSON as buildx, for the repository's files alone, with a local
    // cwd:// file after them, and with a command context URL.
    for args in [
        vec![url.as_str(), "default"],
        vec![
            "-f",
            "docker-bake.hcl",
            "-f",
            "cwd://local.hcl",
            url.as_str(),
        ],
        vec![url.as_str(), "https://github.com/docker/buildx.git", "cmd"],
    ] {
        let mut print = vec!["--print"];
        print.extend(args.iter().copied());
        let (ours, _) = bake(&e, &dir, &print);
        no_panic(&ours);
        let theirs = Command::new("docker")
            .args(["buildx", "bake"])
            .args(&print)
            .current_dir(&dir)
            .env_clear()
            .envs(&e.env)
            .output()
            .expect("run docker buildx bake");
        assert!(
            theirs.status.success(),
            "{}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        assert!(
            ours.status.success(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "bake {print:?}"
        );
    }

    // A name the repository does not have is an error naming it.
    let (missing, _) = bake(&e, &dir, &["--print", "-f", "nope.hcl", &url]);
    no_panic(&missing);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.hcl"));

    // Building: the context `app` is the repository's subdirectory, the output local.
    let (out, _) = bake(&e, &dir, &["--progress=plain", &url]);
    no_panic(&out);
    assert!(out.status.success());
    let built = std::fs::read_to_string(dir.join("out-1/hello.txt")).expect("built file");
    assert_eq!(built, format!("from the repository {nonce}\n"));
}
