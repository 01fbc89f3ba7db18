//! Build ids and the build history on real builds: a run with a failing target, a run killed
//! with SIGKILL, and a history file that cannot be used.

use super::builds::processes_with;
use super::{bake_with, engine, metadata, no_panic, workspace, Engine};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `bakery ARGS` in `dir` with the history `db`: stdout, and the exit code.
fn bakery(e: &Engine, dir: &Path, db: &Path, args: &[&str]) -> (String, Option<i32>) {
    let db = db.display().to_string();
    let out = super::bakery(e, dir, args, &[("BAKE_HISTORY", &db)]);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

fn builds_json(e: &Engine, dir: &Path, db: &Path) -> serde_json::Value {
    let (out, code) = bakery(e, dir, db, &["list", "builds", "--output", "json"]);
    assert_eq!(code, Some(0));
    serde_json::from_str(&out).expect("list builds JSON")
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_run_with_a_failing_target_is_recorded_with_each_status() {
    let e = engine();
    let hcl = r#"
target "good" {
  project_id = "a"
}
target "broken" {
  project_id = "b"
  dockerfile = "broken.Dockerfile"
}
group "default" {
  targets = ["good", "broken"]
}
"#;
    let dir = workspace(
        "history-failed",
        &e,
        &[
            ("docker-bake.hcl", hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo good > /good\n",
            ),
            (
                "broken.Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo about to fail && exit 3\n",
            ),
        ],
        "",
    );
    let db = dir.join("state/history.db");
    let db_s = db.to_str().expect("utf-8 path");
    let (out, _) = bake_with(
        &e,
        &dir,
        &["--progress=plain", "--metadata-file", "meta.json"],
        &[("BAKE_HISTORY", db_s)],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let id = err
        .lines()
        .find_map(|l| l.strip_prefix("build ID: "))
        .expect("the summary shows the build id")
        .to_string();
    assert_eq!(id.len(), 13, "{id}");
    // The metadata file carries it as Depot writes it; the builds in graph order (by name),
    // projectID the first one's project, projectIDs all of them.
    let meta = metadata(&dir);
    let depot = &meta["depot.build"];
    assert_eq!(depot["buildID"], id.as_str());
    assert_eq!(depot["projectID"], "b");
    assert_eq!(depot["targets"], serde_json::json!(["broken", "good"]));
    assert_eq!(depot["projectIDs"], serde_json::json!(["b", "a"]));
    // And the history has the run, newest first, with each build's end.
    let runs = builds_json(&e, &dir, &db);
    let run = &runs[0];
    assert_eq!(run["id"], id.as_str());
    assert_eq!(run["status"], "failed");
    assert_eq!(run["exitCode"], 1);
    assert_eq!(run["projects"], serde_json::json!(["a", "b"]));
    let targets = run["targets"].as_array().expect("targets");
    assert_eq!(targets[1]["name"], "good");
    assert_eq!(targets[1]["status"], "done");
    assert_eq!(targets[1]["builder"], format!("docker-host={}", e.host_a));
    assert!(
        targets[1]["digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:")),
        "{run}"
    );
    assert_eq!(targets[0]["name"], "broken");
    assert_eq!(targets[0]["status"], "failed");
    assert!(
        targets[0]["error"]
            .as_str()
            .is_some_and(|m| m.contains("exit code: 3")),
        "{run}"
    );
    assert!(run["command"][0]
        .as_str()
        .is_some_and(|c| c.ends_with("bake")));
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_run_killed_with_sigkill_shows_as_interrupted() {
    let e = engine();
    let nonce = format!("{:?}", Instant::now());
    let df = format!("FROM localbusybox:latest\nRUN --network=none echo '{nonce}' && sleep 60\n");
    let hcl = "target \"slow\" {\n  project_id = \"a\"\n}\n";
    let dir = workspace(
        "history-killed",
        &e,
        &[("docker-bake.hcl", hcl), ("Dockerfile", &df)],
        "",
    );
    let db = dir.join("history.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bakery"))
        .args(["bake", "--progress=plain", "slow"])
        .current_dir(&dir)
        .env_clear()
        .envs(&e.env)
        .env("BAKE_HISTORY", &db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn bakery bake");
    let pid = child.id();
    // Wait until the history shows the build running.
    let start = Instant::now();
    let running = loop {
        if db.exists() {
            let runs = builds_json(&e, &dir, &db);
            if runs[0]["targets"][0]["status"] == "running" {
                break runs;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the build never showed as running"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(running[0]["status"], "running");
    assert_eq!(
        running[0]["command"],
        serde_json::json!([
            env!("CARGO_BIN_EXE_bakery"),
            "bake",
            "--progress=plain",
            "slow"
        ])
    );
    // SAFETY: sends SIGKILL to the child we spawned; no memory is involved.
    unsafe {
        libc::kill(i32::try_from(pid).expect("pid"), libc::SIGKILL);
    }
    let _ = child.wait();
    // The builds it started outlive it: stop them (they name its private directory).
    for p in processes_with(&format!("bake-{pid}-")) {
        if let Some(Ok(orphan)) = p.split(':').next().map(str::parse::<i32>) {
            // SAFETY: kills a process of the run this test started.
            unsafe {
                libc::kill(orphan, libc::SIGKILL);
            }
        }
    }
    let runs = builds_json(&e, &dir, &db);
    assert_eq!(runs[0]["status"], "interrupted", "{runs}");
    assert_eq!(runs[0]["targets"][0]["status"], "interrupted", "{runs}");
    assert_eq!(runs[0]["duration"], serde_json::Value::Null);
    // CSV too, as Depot's list writes it when stdout is not a terminal.
    let (csv, _) = bakery(&e, &dir, &db, &["list", "builds"]);
    assert!(
        csv.starts_with("Build ID,Status,Started,Duration (s)"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.contains(",interrupted,")),
        "{csv}"
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_corrupt_history_does_not_stop_the_build() {
    let e = engine();
    let hcl = "target \"app\" {\n  project_id = \"a\"\n}\n";
    let dir = workspace(
        "history-corrupt",
        &e,
        &[
            ("docker-bake.hcl", hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nRUN --network=none echo ok > /ok\n",
            ),
            ("broken.db", &"not a database ".repeat(400)),
        ],
        "",
    );
    let db = dir.join("broken.db");
    let (out, _) = bake_with(
        &e,
        &dir,
        &["--progress=plain", "app"],
        &[("BAKE_HISTORY", db.to_str().expect("utf-8 path"))],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "the build itself succeeds");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was not recorded in the build history"),
        "{err}"
    );
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains("file is not a database"), "{err}");
}
