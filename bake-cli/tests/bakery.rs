//! `bakery`, in-process: every help text (snapshots), `init` in a scratch directory,
//! `list builds` over a history the test writes through `bake_history`, and completions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bake_history::{BuildId, History, NewRun, NewTarget, Owner, Status, TargetEnd};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `bakery ARGS` in `cwd` with `env`, `stdin` as standard input, stdin a terminal when
/// `interactive`.
fn bakery_in(
    cwd: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &[u8],
    interactive: bool,
) -> Out {
    let mut input = stdin;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    env.entry("HOME".into())
        .or_insert_with(|| "/nonexistent-home".into());
    let mut cx = bake_cli::Context {
        env,
        cwd: cwd.to_path_buf(),
        stdin: &mut input,
        stdout: &mut out,
        stderr: &mut err,
        color: false,
        interactive,
        stdout_terminal: false,
        now: Some((1_700_000_100, 0)),
        clock: || Some((1_700_000_100, 0)),
        seed: 0,
    };
    let mut argv = vec!["bakery".to_string()];
    argv.extend(args.iter().map(|s| (*s).to_string()));
    let code = bake_cli::bakery::run(&argv, &mut cx);
    Out {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bakery-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn help_texts() {
    let d = scratch("help");
    for args in [
        &["--help"][..],
        &["bake", "--help"],
        &["init", "--help"],
        &["projects", "--help"],
        &["projects", "list", "--help"],
        &["list", "--help"],
        &["list", "builds", "--help"],
        &["completion", "--help"],
        &["build", "--help"],
        &["pull", "--help"],
        &["push", "--help"],
        &["cache", "--help"],
        &["cache", "reset", "--help"],
    ] {
        let o = bakery_in(&d, args, &[], b"", false);
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(o.stderr.is_empty(), "{args:?}: {}", o.stderr);
        let name = format!("help_{}", args[..args.len() - 1].join("_"));
        let name = if name == "help_" {
            "help_bakery".to_string()
        } else {
            name
        };
        insta::assert_snapshot!(name, o.stdout);
    }
}

#[test]
fn bakery_bake_is_bake() {
    let d = scratch("bake");
    std::fs::write(
        d.join("docker-bake.hcl"),
        "target \"build\" {\n  tags = [\"x/build\"]\n}\ntarget \"push\" {}\n",
    )
    .unwrap();
    // Target names that are bakery's subcommand names are plain targets after `bake`.
    let o = bakery_in(&d, &["bake", "--print", "build", "push"], &[], b"", false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["target"]["build"]["tags"][0], "x/build");
    assert!(v["target"]["push"].is_object());
    let mut input: &[u8] = b"";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut cx = bake_cli::Context {
        env: BTreeMap::new(),
        cwd: d.clone(),
        stdin: &mut input,
        stdout: &mut out,
        stderr: &mut err,
        color: false,
        interactive: false,
        stdout_terminal: false,
        now: Some((1_700_000_100, 0)),
        clock: || None,
        seed: 0,
    };
    let code = bake_cli::run(
        &["bake", "--print", "build", "push"].map(String::from),
        &mut cx,
    );
    assert_eq!(code, 0);
    assert_eq!(String::from_utf8_lossy(&out), o.stdout);
}

#[test]
fn init_writes_depot_json_and_refuses_to_overwrite() {
    let d = scratch("init");
    std::fs::write(
        d.join("bake.toml"),
        "[projects.abc]\nbuilder = \"b1\"\n[projects.def]\ndocker-host = \"unix:///d.sock\"\n",
    )
    .unwrap();
    let o = bakery_in(&d, &["init", "--project", "def"], &[], b"", false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(d.join("depot.json")).unwrap(),
        "{\"id\":\"def\"}\n"
    );
    assert_eq!(
        o.stdout,
        format!("Project def initialized in directory {}\n", d.display())
    );
    // Again: refused, the file unchanged.
    let o = bakery_in(&d, &["init", "--project", "abc"], &[], b"", false);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("depot.json already exists in"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--force"), "{}", o.stderr);
    assert!(std::fs::read_to_string(d.join("depot.json"))
        .unwrap()
        .contains("def"));
    // --force overwrites.
    let o = bakery_in(
        &d,
        &["init", "--project", "abc", "--force"],
        &[],
        b"",
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(d.join("depot.json")).unwrap(),
        "{\"id\":\"abc\"}\n"
    );
    // On a terminal: a numbered choice.
    let o = bakery_in(&d, &["init", "--force"], &[], b"2\n", true);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("  1) abc  (b1)\n  2) def  (docker-host=unix:///d.sock)\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("Choose a project [1-2]: "),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.join("depot.json")).unwrap(),
        "{\"id\":\"def\"}\n"
    );
    // A wrong answer writes nothing.
    let o = bakery_in(&d, &["init", "--force"], &[], b"7\n", true);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("no project \"7\""), "{}", o.stderr);
    // Not a terminal: the projects are listed.
    std::fs::remove_file(d.join("depot.json")).unwrap();
    let o = bakery_in(&d, &["init"], &[], b"", false);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("abc, def"), "{}", o.stderr);
    assert!(!d.join("depot.json").exists());
    // A project bake.toml does not configure: written, with a warning.
    let o = bakery_in(&d, &["init", "--project", "abd"], &[], b"", false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("project abd is not in"), "{}", o.stderr);
    assert!(o.stderr.contains("abc"), "{}", o.stderr);
}

/// A history with a done run (saved), a failed one, a running one and one whose process is
/// gone.
fn sample_history(path: &Path) {
    let mut h = History::open(path).unwrap();
    let target = |name: &str, project: &str| NewTarget {
        name: name.into(),
        project: project.into(),
        builder: "default".into(),
        requested: true,
    };
    let begin = |h: &mut History, k: u64, owner: Owner, targets: Vec<NewTarget>| {
        let started = 1_700_000_000_000 + k * 10_000;
        let id = BuildId::new(started, k);
        h.begin(&NewRun {
            id: id.clone(),
            command: vec!["bake".into(), "--save".into()],
            cwd: "/src".into(),
            owner,
            started_ms: started as i64,
            targets,
        })
        .unwrap();
        id
    };
    let gone = Owner {
        pid: u32::MAX - 1,
        start: None,
    };
    let a = begin(&mut h, 0, gone.clone(), vec![target("api", "p1")]);
    let end = |status, saved: &[&str], started: i64, ended: i64| TargetEnd {
        status: Some(status),
        started_ms: Some(started),
        ended_ms: Some(ended),
        digest: (status == Status::Done).then(|| "sha256:abcd".to_string()),
        image_refs: vec![],
        saved_refs: saved.iter().map(|s| (*s).to_string()).collect(),
        error: (status == Status::Failed).then(|| {
            "process \"/bin/sh -c false\" did not complete successfully: exit code: 1".to_string()
        }),
        builder: None,
    };
    h.finish(
        &a,
        Status::Done,
        1_700_000_004_500,
        0,
        &[end(
            Status::Done,
            &["reg.example/p1/api:ID-api"],
            1_700_000_000_100,
            1_700_000_004_400,
        )],
    )
    .unwrap();
    let b = begin(
        &mut h,
        1,
        gone.clone(),
        vec![target("api", "p1"), target("web", "p2")],
    );
    h.finish(
        &b,
        Status::Failed,
        1_700_000_012_000,
        1,
        &[
            end(Status::Done, &[], 1_700_000_010_100, 1_700_000_011_000),
            end(Status::Failed, &[], 1_700_000_010_100, 1_700_000_011_900),
        ],
    )
    .unwrap();
    begin(&mut h, 2, gone, vec![target("web", "p2")]);
    begin(&mut h, 3, Owner::current(), vec![target("api", "p1")]);
}

#[test]
fn list_builds_in_each_format() {
    let d = scratch("list");
    let db = d.join("state/history.db");
    sample_history(&db);
    let env = [("BAKE_HISTORY", db.to_str().unwrap())];
    let o = bakery_in(
        &d,
        &["list", "builds", "--output", "table"],
        &env,
        b"",
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("list_builds_table", o.stdout);
    // Not a terminal and no --output: CSV, as Depot does.
    let o = bakery_in(&d, &["list", "builds"], &env, b"", false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("list_builds_csv", o.stdout);
    let o = bakery_in(
        &d,
        &["list", "builds", "--output", "json", "--project", "p2"],
        &env,
        b"",
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let runs = v.as_array().unwrap();
    assert_eq!(runs.len(), 2, "only runs with a p2 build");
    assert_eq!(runs[0]["status"], "interrupted");
    assert_eq!(runs[0]["duration"], serde_json::Value::Null);
    assert_eq!(runs[0]["targets"][0]["status"], "interrupted");
    assert_eq!(runs[1]["status"], "failed");
    assert_eq!(runs[1]["exitCode"], 1);
    assert_eq!(runs[1]["targets"][0]["status"], "done");
    assert_eq!(runs[1]["targets"][1]["status"], "failed");
    insta::assert_snapshot!("list_builds_json_p2", o.stdout);
    let o = bakery_in(
        &d,
        &["list", "builds", "-o", "json", "--limit", "1"],
        &env,
        b"",
        false,
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["status"], "running");
    assert_eq!(v[0]["duration"], 70, "a running build's duration runs on");
}

#[test]
fn list_builds_without_a_history() {
    let d = scratch("empty");
    let db = d.join("none/history.db");
    let env = [("BAKE_HISTORY", db.to_str().unwrap())];
    let o = bakery_in(&d, &["list", "builds", "-o", "json"], &env, b"", false);
    assert_eq!((o.code, o.stdout.as_str()), (0, "[]\n"));
    let o = bakery_in(&d, &["list", "builds"], &env, b"", false);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    let o = bakery_in(&d, &["list", "builds", "-o", "table"], &env, b"", false);
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("no builds recorded"), "{}", o.stderr);
    assert!(!db.exists(), "listing creates no history");
}

#[test]
fn projects_list_without_docker() {
    let d = scratch("projects");
    std::fs::write(
        d.join("bake.toml"),
        "[projects.abc]\nbuilder = \"b1\"\nmax-parallelism = 2\nregistry = \"reg.example/abc\"\n[projects.def]\ndocker-host = \"unix:///d.sock\"\n",
    )
    .unwrap();
    let env = [("PATH", "/nonexistent")];
    let o = bakery_in(&d, &["projects", "list"], &env, b"", false);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!("projects_list_no_docker", o.stdout);
    let o = bakery_in(&d, &["projects", "list", "-o", "json"], &env, b"", false);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v[0]["id"], "abc");
    assert_eq!(v[0]["maxParallelism"], 2);
    assert_eq!(v[0]["registry"], "reg.example/abc");
    assert_eq!(v[1]["builder"], "docker-host=unix:///d.sock");
    assert_eq!(v[1]["reachable"], false);
}

#[test]
fn completions_cover_both_binaries() {
    let d = scratch("completion");
    for shell in ["bash", "zsh", "fish"] {
        let o = bakery_in(&d, &["completion", shell], &[], b"", false);
        assert_eq!(o.code, 0, "{}", o.stderr);
        for word in ["init", "projects", "builds", "metadata-file", "save-tag"] {
            assert!(
                o.stdout.contains(word),
                "{shell}: bakery's script lacks {word}"
            );
        }
        let o = bakery_in(&d, &["completion", shell, "--bin", "bake"], &[], b"", false);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("metadata-file"), "{shell}");
        assert!(
            !o.stdout.contains("projects"),
            "{shell}: bake has no subcommands"
        );
    }
}
