//! Builds across projects and daemons: parallel projects, `target:` links, pushes, failures and interruption.

use super::*;

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
    let names: Vec<&String> = meta.keys().filter(|k| *k != "depot.build").collect();
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

pub(crate) fn registry_has(e: &Engine, repo: &str, tag: &str) -> bool {
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
        registry_has(&e, "e2e-save", &format!("{tag}-saved")),
        "saved manifest missing"
    );
}

/// Builds `hcl` in a workspace with `dockerfile` as `Dockerfile` and a `broken.Dockerfile`
/// whose RUN fails; expects exit 1. Returns the targets of the metadata file and stderr.
pub(crate) fn build_with_a_broken_target(
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
    // The targets that were built (the run's `depot.build` entry aside).
    let names = metadata(&dir)
        .keys()
        .filter(|k| *k != "depot.build")
        .cloned()
        .collect();
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
pub(crate) fn processes_with(needle: &str) -> Vec<String> {
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
