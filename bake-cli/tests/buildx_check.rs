//! Building needs Docker's buildx plugin, 0.17.0 or newer: without it, or with an older one,
//! bake says so (naming what it found and what it needs) before it starts anything.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Runs `bake` in a directory with a bake file, a fake `docker` on PATH and `DOCKER_CONFIG`
/// holding `plugin` (a buildx plugin script) when given.
fn run(name: &str, plugin: Option<&str>) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("bake-buildx-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bin = dir.join("bin");
    let cfg = dir.join("dockercfg");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::create_dir_all(cfg.join("cli-plugins")).expect("mkdir");
    script(
        &bin.join("docker"),
        "echo docker must not be run >&2; exit 3",
    );
    if let Some(p) = plugin {
        script(&cfg.join("cli-plugins").join("docker-buildx"), p);
    }
    std::fs::write(dir.join("docker-bake.hcl"), "target \"default\" {}\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_bake"))
        .current_dir(&dir)
        .env_clear()
        .env("PATH", &bin)
        .env("HOME", &dir)
        .env("DOCKER_CONFIG", &cfg)
        .output()
        .expect("run bake");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code().unwrap_or(-1), err)
}

#[test]
fn a_missing_plugin_is_named_with_where_bake_looked() {
    let (code, err) = run("missing", None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the Docker CLI has no buildx plugin"), "{err}");
    assert!(err.contains("dockercfg/cli-plugins"), "{err}");
    assert!(err.contains("0.17.0 or newer"), "{err}");
    assert!(!err.contains("docker must not be run"), "{err}");
}

#[test]
fn an_old_plugin_names_the_version_found_and_needed() {
    let (code, err) = run("old", Some("echo github.com/docker/buildx v0.13.1 abc"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("buildx v0.13.1"), "{err}");
    assert!(
        err.contains("too old; bake needs buildx 0.17.0 or newer"),
        "{err}"
    );
    assert!(!err.contains("docker must not be run"), "{err}");
}
