//! Where results go: `--save` leaves a target's tags alone, `--load` lands in the local engine, a failing target keeps the others' results.

use super::builds::{build_with_a_broken_target, registry_has};
use super::*;

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
        registry_has(&e, "e2e-save", &format!("{tag}-tagged")),
        "saved manifest missing"
    );
    assert!(
        !registry_has(&e, "e2e/prod-tagged", &tag),
        "--save pushed to the target's own tag"
    );
    let meta = metadata(&dir);
    // The build id's image, then the save tag's, both with the digest.
    let saved: Vec<&str> = meta["tagged"]["saved"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let id = meta["depot.build"]["buildID"].as_str().unwrap_or_default();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert!(
        saved[0].starts_with(&format!("{}/e2e-save:{id}-tagged@sha256:", e.registry)),
        "{saved:?}"
    );
    assert!(
        saved[1].starts_with(&format!("{}/e2e-save:{tag}-tagged@sha256:", e.registry)),
        "{saved:?}"
    );
    assert!(registry_has(&e, "e2e-save", &format!("{id}-tagged")));
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
