//! `--explain` from the library: the structured answer ([`bake_core::api::explain::explain`])
//! serializes to exactly what the streamed JSON rendering writes, and covers every kind of
//! step.

use std::collections::BTreeMap;

use bake_core::api::explain::{self, Step, VariableSource};
use bake_core::api::Bake;

const HCL: &str = r#"
variable "REGISTRY" {
  default = "ghcr.io/acme"
}
variable "TAG" {
  default = "v1"
}
variable "IMAGE" {
  default = "${REGISTRY}/app"
}
function "img" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}
target "_common" {
  args      = { GO = "1.22", "A<B" = "x&y\u2028" }
  platforms = ["linux/amd64"]
  labels    = { team = "core" }
}
target "mid" {
  inherits = ["_common"]
  network  = "host"
}
target "app" {
  inherits = ["mid"]
  args     = { SERVICE = "app" }
  tags     = [img("app"), "${IMAGE}:edge"]
  labels   = { team = "web" }
}
target "cell" {
  name   = "cell-${v}"
  matrix = { v = ["a", "b"] }
  target = v
}
"#;

const LATER: &str = r#"
target "app" {
  network = "none"
  labels  = { tier = "front" }
}
"#;

fn project(env: &[(&str, &str)]) -> bake_core::api::Project {
    Bake::new("/src")
        .frontend(bake_compose::ComposeFrontend)
        .frontend(bake_hcl::HclFrontend)
        .env(
            env.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect::<BTreeMap<_, _>>(),
        )
        .record_origins(true)
        .source("docker-bake.hcl", HCL)
        .source("override.hcl", LATER)
        .load()
        .expect("the files load")
}

fn resolve(p: &bake_core::api::Project) -> bake_core::api::Resolved {
    let flags = bake_core::api::Flags {
        push: true,
        ..Default::default()
    };
    bake_core::api::resolve(
        &p.config,
        &bake_core::api::ResolveOptions {
            targets: vec!["app".into(), "cell-a".into(), "cell-b".into()],
            overrides: vec!["app.platform=linux/arm64".into()],
            flag_overrides: flags.to_flag_overrides(),
            env: &BTreeMap::new(),
            cwd: "/src".into(),
            file_relative_paths: false,
        },
    )
    .expect("resolves")
}

#[test]
fn structured_answer_serializes_as_the_streamed_json() {
    let p = project(&[("TAG", "v2")]);
    let r = resolve(&p);
    for only in [
        vec![],
        vec![("app".to_string(), Some("tags".to_string()))],
        vec![
            ("cell-b".to_string(), None),
            ("app".to_string(), Some("output".to_string())),
        ],
    ] {
        let structured = explain::explain(&r, &p.config, &p.sources, &p.facts, &only);
        let mut want = serde_json::to_string_pretty(&structured).expect("serializes");
        want.push('\n');
        let streamed = explain::render(
            explain::Format::Json,
            &r,
            &p.config,
            &p.sources,
            &p.facts,
            &only,
        );
        assert_eq!(streamed, want, "only = {only:?}");
    }
}

#[test]
fn every_kind_of_step() {
    let p = project(&[("TAG", "v2")]);
    let r = resolve(&p);
    let e = explain::explain(&r, &p.config, &p.sources, &p.facts, &[]);
    let app = &e["app"];
    let origin = |f: &str| &app[f].origin;

    // Written in a parent two levels up.
    assert!(
        matches!(&origin("labels")[0], Step::Written { target, at } if target == "app" && at.file == "override.hcl")
    );
    assert!(origin("labels").iter().any(
        |s| matches!(s, Step::Merged { target, with } if target == "app" && with.file == "docker-bake.hcl")
    ));
    assert!(origin("labels")
        .iter()
        .any(|s| matches!(s, Step::Merged { target, .. } if target == "_common")));
    // A later file replaced an earlier value.
    assert!(
        matches!(&origin("network")[0], Step::Written { target, at } if target == "app" && at.file == "override.hcl")
    );
    assert!(origin("network")
        .iter()
        .any(|s| matches!(s, Step::Overrode { target, .. } if target == "mid")));
    // Inherited through two levels.
    assert_eq!(
        app["args"].value,
        serde_json::json!({"A<B": "x&y\u{2028}", "GO": "1.22", "SERVICE": "app"})
    );
    // Variables: through a function, from the environment, and through a default.
    let tags = origin("tags");
    assert!(tags.iter().any(|s| matches!(s,
        Step::Variable { name, value, from: VariableSource::Environment { name: env }, function, .. }
        if name == "TAG" && value.as_deref() == Some("v2") && env == "TAG" && function.as_deref() == Some("img"))));
    assert!(tags.iter().any(|s| matches!(s,
        Step::Variable { name, from: VariableSource::Default { .. }, function: None, through: None, .. }
        if name == "IMAGE")));
    // REGISTRY is used twice (in IMAGE's default, and in img): listed once.
    assert_eq!(
        tags.iter()
            .filter(|s| matches!(s, Step::Variable { name, .. } if name == "REGISTRY"))
            .count(),
        1
    );
    // --set and --push.
    assert!(
        matches!(&origin("platforms")[0], Step::Set { flag } if flag == "app.platform=linux/arm64")
    );
    assert!(origin("platforms")
        .iter()
        .any(|s| matches!(s, Step::Overrode { target, .. } if target == "_common")));
    assert!(matches!(&origin("output")[0], Step::Flag { flag } if flag == "--push"));
    // Defaults.
    assert_eq!(origin("dockerfile"), &vec![Step::Default]);
    // Matrix values.
    assert!(e["cell-b"]["target"]
        .origin
        .iter()
        .any(|s| matches!(s, Step::Matrix { name, value } if name == "v" && value == "b")));
}

/// `explain` says "merged" for exactly the fields whose parent value survives in the child
/// through `inherits`: its list of merging fields agrees with what resolve does.
#[test]
#[allow(clippy::too_many_lines)] // one table of cases, field by field
fn merged_steps_agree_with_resolve() {
    // Field, parent value, child value, a token only the parent's value has.
    let cases: &[(&str, &str, &str, &str)] = &[
        ("description", r#""ptok""#, r#""ctok""#, "ptok"),
        ("annotations", r#"["ptok=1"]"#, r#"["ctok=1"]"#, "ptok"),
        (
            "attest",
            r#"["type=sbom"]"#,
            r#"["type=provenance"]"#,
            "sbom",
        ),
        ("context", r#""ptok""#, r#""ctok""#, "ptok"),
        ("contexts", r#"{ p = "ptok" }"#, r#"{ c = "ctok" }"#, "ptok"),
        ("dockerfile", r#""ptok""#, r#""ctok""#, "ptok"),
        (
            "dockerfile-inline",
            r#""FROM ptok""#,
            r#""FROM ctok""#,
            "ptok",
        ),
        ("args", r#"{ P = "ptok" }"#, r#"{ C = "ctok" }"#, "ptok"),
        ("labels", r#"{ p = "ptok" }"#, r#"{ c = "ctok" }"#, "ptok"),
        ("tags", r#"["ptok"]"#, r#"["ctok"]"#, "ptok"),
        (
            "cache-from",
            r#"["type=registry,ref=ptok"]"#,
            r#"["type=registry,ref=ctok"]"#,
            "ptok",
        ),
        (
            "cache-to",
            r#"["type=registry,ref=ptok"]"#,
            r#"["type=registry,ref=ctok"]"#,
            "ptok",
        ),
        ("target", r#""ptok""#, r#""ctok""#, "ptok"),
        (
            "secret",
            r#"["id=ptok,env=P"]"#,
            r#"["id=ctok,env=C"]"#,
            "ptok",
        ),
        ("ssh", r#"["ptok"]"#, r#"["ctok"]"#, "ptok"),
        (
            "platforms",
            r#"["linux/amd64"]"#,
            r#"["linux/arm64"]"#,
            "amd64",
        ),
        (
            "output",
            r#"["type=local,dest=ptok"]"#,
            r#"["type=local,dest=ctok"]"#,
            "ptok",
        ),
        ("network", r#""host""#, r#""none""#, "host"),
        ("no-cache-filter", r#"["ptok"]"#, r#"["ctok"]"#, "ptok"),
        ("shm-size", r#""1g""#, r#""2g""#, "1g"),
        (
            "ulimits",
            r#"["nofile=1024:1024"]"#,
            r#"["nproc=2:2"]"#,
            "nofile",
        ),
        (
            "resources",
            r#"{ memory = "1g" }"#,
            r"{ cpu-shares = 512 }",
            "1g",
        ),
        ("call", r#""check""#, r#""outline""#, "check"),
        (
            "entitlements",
            r#"["network.host"]"#,
            r#"["security.insecure"]"#,
            "network.host",
        ),
        (
            "extra-hosts",
            r#"{ ptok = "1.2.3.4" }"#,
            r#"{ ctok = "5.6.7.8" }"#,
            "ptok",
        ),
        ("project_id", r#""ptok""#, r#""ctok""#, "ptok"),
    ];
    // An ssh entry without paths uses the agent, whose socket must exist.
    let sock = std::env::temp_dir().join(format!("bake-explain-agent-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&sock);
    let _agent = std::os::unix::net::UnixListener::bind(&sock).expect("binds a socket");
    let (mut merging, mut replacing) = (0, 0);
    for (field, parent, child, token) in cases {
        let hcl = format!(
            "target \"parent\" {{\n  {field} = {parent}\n}}\ntarget \"child\" {{\n  inherits = [\"parent\"]\n  {field} = {child}\n}}\n"
        );
        let p = Bake::new("/src")
            .frontend(bake_hcl::HclFrontend)
            .env(BTreeMap::from([(
                "SSH_AUTH_SOCK".to_string(),
                sock.display().to_string(),
            )]))
            .record_origins(true)
            .source("docker-bake.hcl", hcl)
            .load()
            .unwrap_or_else(|e| panic!("{field}: {e}"));
        let r = p
            .resolve(&["child".to_string()], &[])
            .unwrap_or_else(|e| panic!("{field}: {e}"));
        let e = p.explain(&r, &[("child".to_string(), Some((*field).to_string()))]);
        let fx = &e["child"][*field];
        let kept = fx.value.to_string().contains(token);
        let merged = fx
            .origin
            .iter()
            .any(|s| matches!(s, Step::Merged { target, .. } if target == "parent"));
        let replaced = fx
            .origin
            .iter()
            .any(|s| matches!(s, Step::Overrode { target, .. } if target == "parent"));
        assert_eq!(merged, kept, "{field}: {fx:?}");
        assert_eq!(replaced, !kept, "{field}: {fx:?}");
        if kept {
            merging += 1;
        } else {
            replacing += 1;
        }
    }
    let _ = std::fs::remove_file(&sock);
    assert!(merging >= 10 && replacing >= 10, "{merging} {replacing}");
}
