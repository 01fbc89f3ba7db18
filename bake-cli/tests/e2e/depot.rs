//! Depot's other commands on the real engine: `bakery build` (the same image as `docker buildx
//! build`), `--save` then `pull` into the other daemon and `push` to another repository,
//! `pull --target` of a bake run, `cache reset`, and `init` pinning the next build's project.

use super::builds::registry_has;
use super::{bakery, docker, engine, workspace, Engine};
use std::path::Path;
use std::process::Command;

fn json_file(dir: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(name)).expect("metadata file");
    serde_json::from_str(&text).expect("metadata JSON")
}

const DOCKERFILE: &str = "FROM localbusybox:latest AS base
ARG GREETING=hi
RUN --network=none echo $GREETING > /greeting
FROM base AS final
COPY --from=extra f /f
RUN --network=none --mount=type=secret,id=tok wc -c /run/secrets/tok > /tok-size
FROM base AS unused
RUN --network=none exit 1
";

/// Builds with `flags` through `bakery build` (project a, daemon A) and `docker buildx build`
/// (daemon A), with `SOURCE_DATE_EPOCH` set, and checks that both give the same image.
fn same_image_as_buildx(e: &Engine, dir: &Path, flags: &[&str]) {
    let epoch = [("SOURCE_DATE_EPOCH", "1700000000")];
    // The same flags through bakery (project a: daemon A) and docker buildx build (daemon A).
    let mut ours: Vec<&str> = vec!["build", "--project", "a", "--progress=plain"];
    ours.extend(flags.iter().copied());
    ours.extend([
        "-o",
        "type=oci,dest=ours.tar,rewrite-timestamp=true",
        "--metadata-file",
        "ours.json",
        ".",
    ]);
    let out = bakery(e, dir, &ours, &epoch);
    assert!(out.status.success());
    let mut theirs: Vec<&str> = vec!["buildx", "build", "--progress=plain"];
    theirs.extend(flags.iter().copied());
    theirs.extend([
        "-o",
        "type=oci,dest=theirs.tar,rewrite-timestamp=true",
        "--metadata-file",
        "theirs.json",
        ".",
    ]);
    let out = Command::new("docker")
        .args(&theirs)
        .current_dir(dir)
        .env_clear()
        .envs(&e.env)
        .envs(epoch)
        .env("DOCKER_HOST", &e.host_a)
        .output()
        .expect("run docker buildx build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (json_file(dir, "ours.json"), json_file(dir, "theirs.json"));
    assert!(a["containerimage.digest"].is_string(), "{a}");
    assert_eq!(a["containerimage.digest"], b["containerimage.digest"]);
    assert_eq!(a["depot.build"]["projectID"], "a");
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn bakery_build_matches_buildx_and_its_save_is_pulled_and_pushed() {
    let e = engine();
    let tag = format!("t{}", std::process::id());
    let dir = workspace(
        "depot-build",
        &e,
        &[
            ("Dockerfile", DOCKERFILE),
            ("ctx2/f", "from the named context\n"),
            ("tok.txt", "s3cret\n"),
        ],
        &format!("registry = \"{}/e2e-depot-b\"\n", e.registry),
    );
    let flags = [
        "--build-arg",
        "GREETING=hello",
        "--target",
        "final",
        "--secret",
        "id=tok,src=tok.txt",
        "--build-context",
        "extra=ctx2",
        "--provenance=false",
        "--platform",
        "linux/amd64",
    ];
    same_image_as_buildx(&e, &dir, &flags);

    // Saved on project b (daemon B), two platforms when the engine emulates arm64.
    let platforms = if e.arm64 {
        "linux/amd64,linux/arm64"
    } else {
        "linux/amd64"
    };
    let mut save: Vec<&str> = vec!["build", "--project", "b", "--save", "--progress=plain"];
    save.extend(&flags[..flags.len() - 2]);
    save.extend([
        "--platform",
        platforms,
        "--metadata-file",
        "saved.json",
        ".",
    ]);
    let out = bakery(&e, &dir, &save, &[]);
    assert!(out.status.success());
    let meta = json_file(&dir, "saved.json");
    let id = meta["depot.build"]["buildID"]
        .as_str()
        .expect("a build id")
        .to_string();
    let saved = meta["saved"][0].as_str().unwrap_or_default();
    assert!(
        saved.starts_with(&format!("{}/e2e-depot-b:{id}@sha256:", e.registry)),
        "{meta}"
    );
    assert!(registry_has(&e, "e2e-depot-b", &id));

    // Pulled by a prefix of its id into daemon A, under a name of our choice.
    let pulled = format!("e2e-pulled:{tag}");
    let out = bakery(
        &e,
        &dir,
        &["pull", "--project", "b", "-t", &pulled, &id[..10]],
        &[("DOCKER_HOST", &e.host_a)],
    );
    assert!(out.status.success());
    let inspect = docker(&e, &e.host_a, &["image", "inspect", &pulled]);
    assert!(inspect.status.success(), "not pulled into daemon A");

    copy_keeps_every_platform(&e, &dir, &id, saved, &tag);

    // A registry that refuses: the error names the build and its image.
    let out = bakery(&e, &dir, &["push", "-t", "127.0.0.1:9/nowhere:1", &id], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("cannot push build {id}")) && err.contains("nowhere"),
        "{err}"
    );
}

/// `bakery push -t` of saved build `id` (saved as `saved`) copies the image itself, with
/// every platform, registry-side.
fn copy_keeps_every_platform(e: &Engine, dir: &Path, id: &str, saved: &str, tag: &str) {
    // Copied registry-side with every platform.
    let copy = format!("{}/e2e-depot-copy:{tag}", e.registry);
    let out = bakery(e, dir, &["push", "-t", &copy, id], &[]);
    assert!(out.status.success());
    let raw = docker(
        e,
        &e.host_a,
        &["buildx", "imagetools", "inspect", "--raw", &copy],
    );
    assert!(raw.status.success());
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).expect("index JSON");
    let mut archs: Vec<String> = index["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|d| d["platform"]["architecture"].as_str())
                .filter(|a| *a != "unknown")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    archs.sort();
    let want: Vec<&str> = if e.arm64 {
        vec!["amd64", "arm64"]
    } else {
        vec!["amd64"]
    };
    assert_eq!(archs, want, "{index}");
    // The copy is the saved image itself, not a rewrapped one.
    let digest = saved.split_once('@').map(|(_, d)| d).unwrap_or_default();
    let sum = docker(
        e,
        &e.host_a,
        &[
            "buildx",
            "imagetools",
            "inspect",
            "--format",
            "{{json .Manifest.Digest}}",
            &copy,
        ],
    );
    assert!(String::from_utf8_lossy(&sum.stdout).contains(digest));
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_bake_run_saves_three_targets_and_pull_takes_one() {
    let e = engine();
    let tag = format!("t{}", std::process::id());
    let hcl = format!(
        r#"
target "one" {{
  project_id = "b"
  args = {{ N = "1" }}
}}
target "two" {{
  project_id = "b"
  args = {{ N = "2" }}
  tags = ["e2e-two:{tag}"]
}}
target "three" {{
  project_id = "b"
  args = {{ N = "3" }}
}}
group "default" {{
  targets = ["one", "two", "three"]
}}
"#
    );
    let dir = workspace(
        "depot-three",
        &e,
        &[
            ("docker-bake.hcl", &hcl),
            (
                "Dockerfile",
                "FROM localbusybox:latest\nARG N\nRUN --network=none echo $N > /n\n",
            ),
        ],
        &format!("registry = \"{}/e2e-depot-three\"\n", e.registry),
    );
    let out = bakery(
        &e,
        &dir,
        &[
            "bake",
            "--save",
            "--save-tag",
            &tag,
            "--progress=plain",
            "--metadata-file",
            "meta.json",
        ],
        &[],
    );
    assert!(out.status.success());
    let meta = json_file(&dir, "meta.json");
    let id = meta["depot.build"]["buildID"].as_str().expect("a build id");
    for t in ["one", "two", "three"] {
        assert!(registry_has(&e, "e2e-depot-three", &format!("{id}-{t}")));
        assert!(registry_has(&e, "e2e-depot-three", &format!("{tag}-{t}")));
    }
    // By its save tag, one target, into daemon A: tagged as the target declared.
    let out = bakery(
        &e,
        &dir,
        &["pull", "--target", "two", &tag],
        &[("DOCKER_HOST", &e.host_a)],
    );
    assert!(out.status.success());
    let two = format!("e2e-two:{tag}");
    assert!(docker(&e, &e.host_a, &["image", "inspect", &two])
        .status
        .success());
    let one = format!("{}/e2e-depot-three:{id}-one", e.registry);
    assert!(
        !docker(&e, &e.host_a, &["image", "inspect", &one])
            .status
            .success(),
        "pull --target two pulled one too"
    );
}

/// The summary row of `target`: its CACHED column (`cached/steps`).
pub(crate) fn cached_column(stderr: &str, target: &str) -> String {
    stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(target))
        .and_then(|l| l.split_whitespace().nth(4))
        .unwrap_or_default()
        .to_string()
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn cache_reset_makes_the_next_build_start_cold() {
    let e = engine();
    let salt = format!("{}-{}", std::process::id(), line!());
    let dir = workspace(
        "depot-cache",
        &e,
        &[(
            "Dockerfile",
            &format!("FROM localbusybox:latest\nRUN --network=none echo {salt} > /s\nRUN --network=none echo two > /t\n"),
        )],
        "",
    );
    let build = |dir: &Path| {
        let out = bakery(
            &e,
            dir,
            &["build", "--project", "b", "--progress=plain", "."],
            &[],
        );
        assert!(out.status.success());
        cached_column(&String::from_utf8_lossy(&out.stderr), "build")
    };
    build(&dir);
    assert_eq!(build(&dir), "2/2", "a second build is fully cached");
    let out = bakery(&e, &dir, &["cache", "reset", "--project", "b"], &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("project b: cache reset on builder"));
    assert_eq!(build(&dir), "0/2", "after cache reset nothing is cached");

    // A project whose builder cannot be reached: a clear error naming it.
    std::fs::write(
        dir.join("bake.toml"),
        "[projects.gone]\ndocker-host = \"unix:///nonexistent/docker.sock\"\n",
    )
    .expect("write bake.toml");
    let out = bakery(&e, &dir, &["cache", "reset", "--project", "gone"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reset the cache of project gone"),
        "{err}"
    );
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn init_pins_the_directory_for_the_next_build() {
    let e = engine();
    let tag = format!("e2e-init:t{}", std::process::id());
    let dir = workspace(
        "depot-init",
        &e,
        &[(
            "Dockerfile",
            "FROM localbusybox:latest\nRUN --network=none echo init > /i\n",
        )],
        "",
    );
    let out = bakery(&e, &dir, &["init", "--project", "b"], &[]);
    assert!(out.status.success());
    let depot: serde_json::Value = json_file(&dir, "depot.json");
    assert_eq!(depot["id"], "b");
    let out = bakery(
        &e,
        &dir,
        &[
            "build",
            "-t",
            &tag,
            "--progress=plain",
            "--metadata-file",
            "meta.json",
            ".",
        ],
        &[],
    );
    assert!(out.status.success());
    assert_eq!(
        json_file(&dir, "meta.json")["depot.build"]["projectID"],
        "b"
    );
    // Project b builds on daemon B, whose engine (docker driver) keeps the tagged image.
    assert!(docker(&e, &e.host_b, &["image", "inspect", &tag])
        .status
        .success());
    assert!(!docker(&e, &e.host_a, &["image", "inspect", &tag])
        .status
        .success());
}

#[test]
#[ignore = "needs the engine: scripts/engine.sh start, then cargo test -p bake-cli --test e2e -- --ignored"]
fn a_registry_cache_warms_a_new_builder_until_cache_reset() {
    let e = engine();
    let salt = format!("{}-{}", std::process::id(), line!());
    let dir = workspace(
        "depot-registry-cache",
        &e,
        &[
            (
                "Dockerfile",
                &format!("FROM localbusybox:latest\nRUN --network=none echo {salt} > /s\nRUN --network=none echo two > /t\n"),
            ),
            (
                "docker-bake.hcl",
                "target \"app\" {\n  project_id = \"p\"\n  platforms = [\"linux/amd64\"]\n}\n",
            ),
        ],
        "",
    );
    // Project p on daemon `host` (a new builder each time: its cache emptied first).
    let on = |host: &str| {
        let config = format!(
            "[projects.p]\ndocker-host = \"{host}\"\nregistry = \"{}/e2e-cache-{salt}\"\ncache = \"registry\"\n",
            e.registry
        );
        std::fs::write(dir.join("bake.toml"), config).expect("write bake.toml");
        let pruned = docker(&e, host, &["buildx", "prune", "--all", "--force"]);
        assert!(pruned.status.success());
    };
    let build = || {
        let out = bakery(&e, &dir, &["bake", "--progress=plain", "app"], &[]);
        assert!(out.status.success());
        cached_column(&String::from_utf8_lossy(&out.stderr), "app")
    };
    on(&e.host_a);
    assert_eq!(build(), "0/2", "the first build of the project is cold");
    // A builder that never built it (daemon B, its cache emptied) starts warm.
    on(&e.host_b);
    assert_eq!(build(), "2/2", "the registry cache warms a new builder");
    let out = bakery(&e, &dir, &["cache", "reset", "--project", "p"], &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("started afresh"));
    // After the reset neither the builder nor the registry has the cache, for anyone.
    on(&e.host_a);
    assert_eq!(
        build(),
        "0/2",
        "cache reset starts the registry cache afresh"
    );
}
