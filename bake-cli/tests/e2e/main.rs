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
    host_d: String,
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
    // Builds record into a history of the test run's own, not the user's.
    env.insert(
        "BAKE_HISTORY".into(),
        std::env::temp_dir()
            .join(format!("bake-e2e-history-{}.db", std::process::id()))
            .display()
            .to_string(),
    );
    let get = |k: &str| env.get(k).cloned().unwrap_or_default();
    let e = Engine {
        host_a: get("BAKE_E2E_HOST_A"),
        host_b: get("BAKE_E2E_HOST_B"),
        host_c: get("BAKE_E2E_HOST_C"),
        host_d: get("BAKE_E2E_HOST_D"),
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
    run_bin(env!("CARGO_BIN_EXE_bake"), e, dir, args, env)
}

/// `bakery ARGS` in `dir`, with `env` on top of the engine's; checked for panics.
fn bakery(e: &Engine, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let (out, _) = run_bin(env!("CARGO_BIN_EXE_bakery"), e, dir, args, env);
    no_panic(&out);
    out
}

/// Runs binary `bin` with `args` in `dir`, with the engine's environment and `env` on top,
/// standard input empty; prints what it wrote to stderr, for a failing test's log.
fn run_bin(
    bin: &str,
    e: &Engine,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(&e.env)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    let took = start.elapsed();
    let name = Path::new(bin)
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    eprintln!(
        "{name} {} took {:.2}s, exit {:?}\n--- stderr\n{}",
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

mod builds;
mod depot;
mod fleet;
mod history;
mod outputs;
mod remote;
mod safety;
mod terminal;
