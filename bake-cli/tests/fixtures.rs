//! Runs `bake` in-process on every fixture under `testdata/{print,errors,compose,plan}` and
//! snapshots what a user sees: exit code, stdout (`--print` JSON) and stderr (rendered
//! diagnostics, no colour, fixed width).
//!
//! A fixture is a directory with bake files, an optional `args` file (one argument a line;
//! default `--print`) and an optional `env` file (`KEY=VALUE` lines; the environment is
//! otherwise empty but for `HOME=/home/user`). Adding a test means adding a directory;
//! review new snapshots with `cargo insta review` or `INSTA_UPDATE=always`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn run_fixture(dir: &Path) -> String {
    run_fixture_with(dir, &[])
}

/// Runs a fixture with `extra` arguments before those of its `args` file.
fn run_fixture_with(dir: &Path, extra: &[&str]) -> String {
    let mut args: Vec<String> = extra.iter().map(|s| (*s).to_string()).collect();
    match std::fs::read_to_string(dir.join("args")) {
        Ok(s) => args.extend(s.lines().map(str::to_string)),
        Err(_) if extra.is_empty() => args.push("--print".to_string()),
        Err(_) => {}
    }
    let mut env = BTreeMap::new();
    env.insert("HOME".to_string(), "/home/user".to_string());
    if let Ok(s) = std::fs::read_to_string(dir.join("env")) {
        for line in s.lines() {
            if let Some((k, v)) = line.split_once('=') {
                env.insert(k.to_string(), v.to_string());
            }
        }
    }
    run_in(dir, args, env)
}

/// Runs `bake ARGS` in `cwd` with the environment `env`; what a user sees, as a fixture shows it.
fn run_in(cwd: &Path, args: Vec<String>, env: BTreeMap<String, String>) -> String {
    let dir = cwd;
    let mut stdin: &[u8] = b"";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut cx = bake_cli::Context {
        env,
        cwd: dir.to_path_buf(),
        stdin: &mut stdin,
        stdout: &mut out,
        stderr: &mut err,
        color: false,
        interactive: false,
        stdout_terminal: false,
        now: Some((1_700_000_000, 0)),
        clock: || Some((1_700_000_000, 0)),
        seed: 0,
    };
    let mut argv = vec!["bake".to_string()];
    argv.extend(args);
    let code = bake_cli::run(&argv, &mut cx);
    let out = String::from_utf8_lossy(&out);
    let err = String::from_utf8_lossy(&err);
    assert!(
        !err.contains("panicked"),
        "{}: panicked: {err}",
        dir.display()
    );
    format!("exit: {code}\n--- stdout\n{out}--- stderr\n{err}")
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let root = testdata::root().join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn name_of(dir: &Path) -> String {
    dir.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn print_fixtures() {
    let dirs = fixtures("print");
    assert!(dirs.len() >= 8);
    for dir in dirs {
        let name = name_of(&dir);
        let shown = run_fixture(&dir);
        assert!(shown.starts_with("exit: 0\n"), "{name} failed:\n{shown}");
        insta::assert_snapshot!(format!("print__{name}"), shown);
    }
}

/// `-D/--debug` (buildx's global flag) is accepted and changes nothing `--print` shows.
#[test]
fn debug_flag_changes_no_print_output() {
    let dirs = fixtures("print");
    assert!(!dirs.is_empty());
    for dir in dirs {
        let plain = run_fixture(&dir);
        assert!(
            plain.starts_with("exit: 0\n"),
            "{}:\n{plain}",
            dir.display()
        );
        for flag in ["-D", "--debug"] {
            // Without an `args` file the fixture runs `--print` alone.
            let extra: &[&str] = if dir.join("args").exists() {
                &[flag]
            } else {
                &[flag, "--print"]
            };
            assert_eq!(
                run_fixture_with(&dir, extra),
                plain,
                "{} with {flag}",
                dir.display()
            );
        }
    }
}

#[test]
fn error_fixtures() {
    let dirs = fixtures("errors");
    assert!(dirs.len() >= 20);
    for dir in dirs {
        let name = name_of(&dir);
        let shown = run_fixture(&dir);
        if !name.ends_with("-warning") {
            assert!(
                !shown.starts_with("exit: 0\n"),
                "{name} should fail:\n{shown}"
            );
        }
        insta::assert_snapshot!(format!("errors__{name}"), shown);
    }
}

#[test]
fn compose_fixtures() {
    let dirs = fixtures("compose");
    assert!(dirs.len() >= 9);
    for dir in dirs {
        let name = name_of(&dir);
        let shown = run_fixture(&dir);
        insta::assert_snapshot!(format!("compose__{name}"), shown);
    }
}

#[test]
fn plan_fixtures() {
    let dirs = fixtures("plan");
    assert!(dirs.len() >= 5);
    for dir in dirs {
        let name = name_of(&dir);
        let shown = run_fixture(&dir);
        insta::assert_snapshot!(format!("plan__{name}"), shown);
    }
}

#[test]
fn graph_fixtures() {
    let dirs = fixtures("graph");
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = name_of(&dir);
        for format in ["dot", "mermaid", "json"] {
            let shown = run_fixture_with(&dir, &[&format!("--graph={format}")]);
            assert!(shown.starts_with("exit: 0\n"), "{name}:\n{shown}");
            insta::assert_snapshot!(format!("graph__{name}__{format}"), shown);
        }
    }
}

/// The JSON graph has as many nodes and edges as the dry-run plan has builds and hand-overs.
#[test]
fn graph_counts_match_the_plan() {
    for dir in fixtures("graph") {
        let shown = run_fixture_with(&dir, &["--graph=json"]);
        let json = shown
            .split("--- stdout\n")
            .nth(1)
            .and_then(|s| s.split("--- stderr\n").next())
            .unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(json).expect("graph JSON");
        let nodes = v["nodes"].as_array().map_or(0, Vec::len);
        let edges = v["edges"].as_array().map_or(0, Vec::len);
        let plan = run_fixture_with(&dir, &["--dry-run"]);
        let header = format!("Plan: {nodes} build");
        assert!(plan.contains(&header), "{plan}");
        // One line per build in the runs: `  NAMES  [id]  project P`.
        let builds = plan
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.contains("]  project "))
            .count();
        assert_eq!(builds, nodes, "{plan}");
        // Every edge is a `target:` link inside a run or a hand-off from an earlier run.
        let links = plan.matches("\"target:").count() + plan.matches("@\\u003cdigest of ").count();
        assert!(links >= edges, "{edges} edges, {links} links:\n{plan}");
        for e in v["edges"].as_array().into_iter().flatten() {
            let ctx = e["context"].as_str().unwrap_or_default();
            assert!(plan.contains(&format!("\"{ctx}\": ")), "{ctx}: {plan}");
        }
    }
}

#[test]
fn explain_fixtures() {
    let dirs = fixtures("explain");
    assert!(dirs.len() >= 6);
    for dir in dirs {
        let name = name_of(&dir);
        let shown = run_fixture(&dir);
        assert!(shown.starts_with("exit: 0\n"), "{name}:\n{shown}");
        insta::assert_snapshot!(format!("explain__{name}"), shown);
    }
}

/// `bake.toml` is found in a parent directory (up to the repository root), and `--dry-run`
/// says which file it used.
#[test]
fn bake_toml_in_a_parent_directory_is_used_from_a_subdirectory() {
    let root = std::env::temp_dir().join(format!("bake-fixture-upwards-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let api = root.join("api");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(
        root.join("docker-bake.hcl"),
        "target \"api\" {\n  context = \"api\"\n  project_id = \"abc123\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("bake.toml"),
        "[projects.abc123]\nbuilder = \"ci-amd64\"\n",
    )
    .unwrap();
    let env = BTreeMap::from([("HOME".to_string(), "/home/user".to_string())]);
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let shown = run_in(
        &api,
        args(&["-f", "../docker-bake.hcl", "--dry-run", "api"]),
        env.clone(),
    );
    assert!(shown.starts_with("exit: 0\n"), "{shown}");
    assert!(
        shown.contains("\nbuilder configuration: ../bake.toml (found in a parent directory)\n"),
        "{shown}"
    );
    assert!(
        shown.contains("project abc123: buildx builder `ci-amd64`"),
        "{shown}"
    );
    assert!(!shown.contains("no builder configured"), "{shown}");
    // From the root itself, the same file, as `bake.toml`.
    let shown = run_in(&root, args(&["--dry-run", "api"]), env.clone());
    assert!(
        shown.contains("\nbuilder configuration: bake.toml (in this directory)\n"),
        "{shown}"
    );
    // Without the file, the plan says there is none and the warning names ./bake.toml.
    std::fs::remove_file(root.join("bake.toml")).unwrap();
    let shown = run_in(
        &api,
        args(&["-f", "../docker-bake.hcl", "--dry-run", "api"]),
        env,
    );
    assert!(shown.contains("\nbuilder configuration: none ("), "{shown}");
    assert!(
        shown.contains("project abc123 (from project_id) has no builder configured"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
