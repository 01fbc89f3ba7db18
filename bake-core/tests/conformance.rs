//! Conformance cases translated by hand into `Config` values; the expected outputs are the
//! reference's, copied from `/work/shared/conformance/cases/*/expected.out`.

#![allow(clippy::unnecessary_wraps)] // helpers build the Option fields of a TargetDef

use std::collections::BTreeMap;

use bake_core::api::frontend::{Config, GroupDef, RawEntry, TargetDef};
use bake_core::api::{
    parse_list, render_list, resolve, Flags, ListInput, ResolveError, ResolveOptions, VariableInfo,
};

fn t(name: &str) -> TargetDef {
    TargetDef {
        name: name.to_string(),
        ..Default::default()
    }
}

fn g(name: &str, targets: &[&str]) -> GroupDef {
    GroupDef {
        name: name.to_string(),
        description: None,
        targets: strs(targets),
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(std::string::ToString::to_string).collect()
}

fn some(v: &[&str]) -> Option<Vec<String>> {
    Some(strs(v))
}

fn raw(v: &[&str]) -> Option<Vec<RawEntry>> {
    Some(v.iter().map(|s| RawEntry::Str(s.to_string())).collect())
}

fn obj(pairs: &[(&str, &str)]) -> RawEntry {
    RawEntry::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn map(pairs: &[(&str, Option<&str>)]) -> Option<BTreeMap<String, Option<String>>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect(),
    )
}

fn smap(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn cfg(groups: Vec<GroupDef>, targets: Vec<TargetDef>) -> Config {
    Config { groups, targets }
}

fn run_env(
    config: &Config,
    targets: &[&str],
    overrides: &[String],
    env: &[(&str, &str)],
) -> Result<String, ResolveError> {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let opts = ResolveOptions {
        targets: strs(targets),
        overrides: overrides.to_vec(),
        flag_overrides: Vec::new(),
        env: &env,
        cwd: std::env::temp_dir(),
        file_relative_paths: false,
    };
    resolve(config, &opts).map(|r| r.to_print_json())
}

fn run(config: &Config, targets: &[&str], overrides: &[&str]) -> Result<String, ResolveError> {
    run_env(config, targets, &strs(overrides), &[])
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name, ".out"))
    };
}

#[test]
fn case_111_inherits_single() {
    let base = TargetDef {
        dockerfile: Some("base.Dockerfile".into()),
        args: map(&[("A", Some("1"))]),
        tags: some(&["base"]),
        ..t("base")
    };
    let app = TargetDef {
        inherits: some(&["base"]),
        tags: some(&["app"]),
        ..t("app")
    };
    let c = cfg(vec![], vec![base, app]);
    assert_eq!(
        run(&c, &["app"], &[]).unwrap(),
        fixture!("111-inherits-single")
    );
}

#[test]
fn case_112_inherits_multiple_later_parent_wins() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                args: map(&[("A", Some("p1")), ("B", Some("p1"))]),
                dockerfile: Some("p1.Dockerfile".into()),
                target: Some("p1stage".into()),
                ..t("p1")
            },
            TargetDef {
                args: map(&[("B", Some("p2")), ("C", Some("p2"))]),
                dockerfile: Some("p2.Dockerfile".into()),
                ..t("p2")
            },
            TargetDef {
                inherits: some(&["p1", "p2"]),
                args: map(&[("C", Some("app"))]),
                ..t("app")
            },
        ],
    );
    assert_eq!(
        run(&c, &["app"], &[]).unwrap(),
        fixture!("112-inherits-multiple-later-parent-wins")
    );
}

#[test]
fn case_115_inherits_list_fields_merged_or_replaced() {
    let base = TargetDef {
        annotations: some(&["a=1"]),
        attest: raw(&["type=sbom", "type=provenance,mode=min"]),
        secret: raw(&["id=one,env=ONE", "id=two,env=TWO"]),
        cache_from: raw(&["type=registry,ref=base"]),
        cache_to: raw(&["type=inline"]),
        output: raw(&["type=docker"]),
        no_cache_filter: some(&["base-stage"]),
        ulimits: some(&["nofile=1:2"]),
        entitlements: some(&["network.host"]),
        extra_hosts: map(&[("base.local", Some("10.0.0.1"))]),
        resources: Some(obj(&[("memory", "1g")])),
        description: Some("base".into()),
        ..t("base")
    };
    let app = TargetDef {
        inherits: some(&["base"]),
        annotations: some(&["b=2"]),
        attest: raw(&["type=provenance,mode=max"]),
        secret: raw(&["id=two,env=TWO_OVERRIDE", "id=three,env=THREE"]),
        cache_from: raw(&["type=gha"]),
        cache_to: raw(&["type=gha"]),
        output: raw(&["type=image"]),
        no_cache_filter: some(&["app-stage"]),
        ulimits: some(&["nproc=3"]),
        entitlements: some(&["security.insecure"]),
        extra_hosts: map(&[("app.local", Some("10.0.0.2"))]),
        resources: Some(obj(&[("cpu-shares", "512")])),
        ..t("app")
    };
    let c = cfg(vec![], vec![base, app]);
    assert_eq!(
        run(&c, &["app"], &[]).unwrap(),
        fixture!("115-inherits-list-fields-merged-or-replaced")
    );
}

#[test]
fn case_116_inherits_null_arg_in_child_keeps_parent() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                args: map(&[("A", Some("from-base")), ("B", Some("from-base"))]),
                ..t("base")
            },
            TargetDef {
                inherits: some(&["base"]),
                args: map(&[("A", None), ("C", None)]),
                ..t("app")
            },
        ],
    );
    assert_eq!(
        run(&c, &["app"], &[]).unwrap(),
        fixture!("116-inherits-null-arg-in-child-keeps-parent")
    );
}

#[test]
fn case_119_120_inherits_cycles_accepted_with_warning() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                inherits: some(&["b"]),
                ..t("a")
            },
            TargetDef {
                inherits: some(&["a"]),
                ..t("b")
            },
        ],
    );
    let env = BTreeMap::new();
    let opts = ResolveOptions {
        targets: strs(&["a"]),
        overrides: vec![],
        flag_overrides: Vec::new(),
        env: &env,
        cwd: std::env::temp_dir(),
        file_relative_paths: false,
    };
    let r = resolve(&c, &opts).unwrap();
    assert_eq!(r.to_print_json(), fixture!("119-inherits-cycle-accepted"));
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].to_string().contains("`b` inherits from `a`"),
        "{:?}",
        r.warnings
    );

    let c = cfg(
        vec![],
        vec![TargetDef {
            inherits: some(&["a"]),
            tags: some(&["x"]),
            ..t("a")
        }],
    );
    assert_eq!(
        run(&c, &["a"], &[]).unwrap(),
        fixture!("120-inherits-self-accepted")
    );
}

#[test]
fn case_118_121_inherits_errors() {
    let c = cfg(
        vec![g("g", &["x"])],
        vec![
            t("x"),
            TargetDef {
                inherits: some(&["g"]),
                ..t("app")
            },
            TargetDef {
                inherits: some(&["nope"]),
                ..t("other")
            },
        ],
    );
    let err = run(&c, &["app"], &[]).unwrap_err();
    assert!(matches!(&err, ResolveError::ParentNotFound { parent, .. } if parent == "g"));
    let err = run(&c, &["other"], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "target `other` inherits from `nope`, which is not a target"
    );
}

#[test]
fn case_142_group_nested() {
    let c = cfg(
        vec![
            g("all", &["frontend", "backend"]),
            g("frontend", &["web"]),
            g("backend", &["api", "worker"]),
        ],
        vec![t("web"), t("api"), t("worker")],
    );
    assert_eq!(
        run(&c, &["all"], &[]).unwrap(),
        fixture!("142-group-nested")
    );
}

#[test]
fn case_144_group_overlapping_members_deduped() {
    let c = cfg(
        vec![g("g1", &["a", "b"]), g("g2", &["b", "c"])],
        vec![t("a"), t("b"), t("c")],
    );
    assert_eq!(
        run(&c, &["g1", "g2", "a"], &[]).unwrap(),
        fixture!("144-group-overlapping-members-deduped")
    );
}

#[test]
fn case_145_146_153_155_group_and_selection_errors() {
    let c = cfg(vec![g("g1", &["g2", "a"]), g("g2", &["g1"])], vec![t("a")]);
    let err = run(&c, &["g1"], &[]).unwrap_err();
    assert_eq!(err.to_string(), "failed to find target `g1`");
    let c = cfg(
        vec![g("default", &["exists", "missing"])],
        vec![t("exists")],
    );
    assert!(matches!(
        run(&c, &[], &[]).unwrap_err(),
        ResolveError::TargetNotFound { name, .. } if name == "missing"
    ));
    let c = cfg(vec![], vec![t("app"), t("b")]);
    let err = run(&c, &["ap"], &[]).unwrap_err();
    assert_eq!(
        err,
        ResolveError::TargetNotFound {
            name: "ap".into(),
            help: Some("did you mean `app`?".into())
        }
    );
    assert!(run(&c, &[], &[]).is_err());
    assert!(matches!(
        run(&c, &["zz*"], &[]).unwrap_err(),
        ResolveError::NoMatch { .. }
    ));
}

#[test]
fn case_147_group_defined_twice_last_wins() {
    let c = cfg(
        vec![g("default", &["a"]), g("default", &["b"])],
        vec![t("a"), t("b")],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("147-group-defined-twice-last-wins")
    );
}

#[test]
fn case_148_group_empty_targets() {
    let c = cfg(vec![g("empty", &[])], vec![t("a")]);
    assert_eq!(
        run(&c, &["empty"], &[]).unwrap(),
        fixture!("148-group-empty-targets")
    );
}

#[test]
fn case_151_select_glob_pattern_on_cli() {
    let c = cfg(vec![], vec![t("app1"), t("app2"), t("other")]);
    assert_eq!(
        run(&c, &["app*"], &[]).unwrap(),
        fixture!("151-select-glob-pattern-on-cli")
    );
}

#[test]
fn case_163_attr_contexts_every_kind() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                dockerfile_inline: Some("FROM scratch".into()),
                ..t("base")
            },
            TargetDef {
                contexts: smap(&[
                    ("alpine", "docker-image://alpine:3.20"),
                    ("src", "./src"),
                    ("upstream", "https://github.com/moby/buildkit.git"),
                    ("layout", "oci-layout://./layout:tag"),
                    ("base", "target:base"),
                ]),
                ..t("default")
            },
        ],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("163-attr-contexts-every-kind")
    );
}

#[test]
fn case_164_165_166_contexts_target_links() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                dockerfile: Some("one.Dockerfile".into()),
                ..t("one")
            },
            TargetDef {
                contexts: smap(&[("one", "target:one")]),
                output: raw(&["type=docker"]),
                ..t("two")
            },
            TargetDef {
                contexts: smap(&[("two", "target:two")]),
                ..t("default")
            },
        ],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("164-attr-contexts-target-chain-printed-as-cacheonly")
    );
    let missing = cfg(
        vec![],
        vec![TargetDef {
            contexts: smap(&[("base", "target:missing")]),
            ..t("default")
        }],
    );
    assert!(matches!(
        run(&missing, &[], &[]).unwrap_err(),
        ResolveError::TargetNotFound { name, .. } if name == "missing"
    ));
    let selfref = cfg(
        vec![],
        vec![TargetDef {
            contexts: smap(&[("me", "target:default")]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&selfref, &[], &[]).unwrap_err().to_string(),
        "target `default` cannot link to itself"
    );
}

#[test]
fn case_172_attr_cache_from_to_string_and_object() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            cache_from: Some(vec![
                RawEntry::Str("user/app:cache".into()),
                RawEntry::Str("type=local,src=path/to/cache".into()),
                obj(&[("type", "gha"), ("scope", "main")]),
            ]),
            cache_to: Some(vec![
                RawEntry::Str("type=inline".into()),
                obj(&[
                    ("type", "registry"),
                    ("ref", "user/app:cache"),
                    ("mode", "max"),
                ]),
            ]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("172-attr-cache-from-to-string-and-object")
    );
}

#[test]
fn case_174_attr_output_string_and_object_forms() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            output: Some(vec![
                RawEntry::Str("type=image,push=true".into()),
                RawEntry::Str("./out".into()),
                obj(&[("type", "local"), ("dest", "dist")]),
                RawEntry::Str("-".into()),
                RawEntry::Str("type=cacheonly".into()),
            ]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("174-attr-output-string-and-object-forms")
    );
}

#[test]
fn case_183_attr_network_host_shm_size_ulimits() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            network: Some("host".into()),
            shm_size: Some("128m".into()),
            ulimits: some(&["nofile=1024:2048", "nproc=512"]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("183-attr-network-host-shm-size-ulimits")
    );
}

#[test]
fn case_186_187_attest_forms() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            attest: Some(vec![
                RawEntry::Str("type=sbom,generator=docker/scout-sbom-indexer:latest".into()),
                obj(&[("type", "provenance"), ("mode", "max")]),
            ]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("186-attr-attest-string-and-object")
    );
    let c = cfg(
        vec![],
        vec![TargetDef {
            attest: raw(&["type=provenance,disabled=true", "type=sbom,disabled=true"]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &[]).unwrap(),
        fixture!("187-attr-attest-disabled")
    );
}

#[test]
fn case_193_attr_resources() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            resources: Some(obj(&[("memory", "2g"), ("cpu-quota", "50000")])),
            ..t("default")
        }],
    );
    assert_eq!(run(&c, &[], &[]).unwrap(), fixture!("193-attr-resources"));
}

#[test]
fn case_179_180_181_182_secret_checks() {
    let dir = std::env::temp_dir().join(format!("bake-core-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("secret.txt"), "s3cr3t").unwrap();
    let env: BTreeMap<String, String> = [("NPM_TOKEN".to_string(), "t0ken".to_string())].into();
    let empty = BTreeMap::new();
    let mk = |secret: &str| {
        cfg(
            vec![],
            vec![TargetDef {
                secret: raw(&[secret]),
                ..t("default")
            }],
        )
    };
    let opts = |env| ResolveOptions {
        targets: vec![],
        overrides: vec![],
        flag_overrides: Vec::new(),
        env,
        cwd: dir.clone(),
        file_relative_paths: false,
    };
    assert!(resolve(&mk("id=NPM_TOKEN"), &opts(&env)).is_ok());
    assert!(matches!(
        resolve(&mk("id=NPM_TOKEN"), &opts(&empty)).unwrap_err(),
        ResolveError::SecretFile { .. }
    ));
    let ok = resolve(&mk("id=mysecret,src=secret.txt"), &opts(&empty)).unwrap();
    assert_eq!(ok.targets["default"].secret[0].src, "secret.txt");
    assert!(resolve(&mk("id=mysecret,src=does-not-exist.txt"), &opts(&empty)).is_err());
    // ssh default needs SSH_AUTH_SOCK
    let ssh = cfg(
        vec![],
        vec![TargetDef {
            ssh: raw(&["default"]),
            ..t("default")
        }],
    );
    assert!(matches!(
        resolve(&ssh, &opts(&empty)).unwrap_err(),
        ResolveError::SshAgent { .. }
    ));
    std::fs::remove_dir_all(&dir).ok();
}

fn app_config() -> Config {
    cfg(
        vec![],
        vec![
            TargetDef {
                context: Some(".".into()),
                dockerfile: Some("Dockerfile".into()),
                args: map(&[("KEEP", Some("1")), ("CHANGE", Some("old"))]),
                labels: map(&[("l1", Some("v1"))]),
                tags: some(&["org/app:base"]),
                platforms: some(&["linux/amd64"]),
                cache_from: raw(&["type=registry,ref=org/app:cache"]),
                secret: raw(&["id=token,env=TOKEN"]),
                ..t("app")
            },
            TargetDef {
                inherits: some(&["app"]),
                target: Some("debug".into()),
                ..t("app-debug")
            },
            TargetDef {
                tags: some(&["org/other:base"]),
                ..t("other")
            },
        ],
    )
}

#[test]
fn case_288_set_args_and_labels() {
    let out = run(
        &app_config(),
        &["app"],
        &[
            "app.args.CHANGE=new",
            "app.args.ADDED=x",
            "app.labels.l2=v2",
        ],
    )
    .unwrap();
    assert_eq!(out, fixture!("288-set-args-and-labels"));
}

#[test]
fn case_289_set_args_without_value_reads_env() {
    let out = run_env(
        &app_config(),
        &["app"],
        &strs(&["app.args.FROM_ENV", "app.args.NOT_IN_ENV"]),
        &[("FROM_ENV", "env-value")],
    )
    .unwrap();
    assert_eq!(out, fixture!("289-set-args-without-value-reads-env"));
}

#[test]
fn case_292_set_platform_context_dockerfile_target() {
    let out = run(
        &app_config(),
        &["app"],
        &[
            "app.platform=linux/arm64,linux/riscv64",
            "app.context=./sub",
            "app.dockerfile=other.Dockerfile",
            "app.target=prod",
        ],
    )
    .unwrap();
    assert_eq!(out, fixture!("292-set-platform-context-dockerfile-target"));
}

#[test]
fn case_303_304_set_oddities() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            network: Some("host".into()),
            ..t("app")
        }],
    );
    assert_eq!(
        run(&c, &["app"], &["app.network=none"]).unwrap(),
        fixture!("303-set-network-value-is-lost")
    );
    let c = cfg(
        vec![],
        vec![TargetDef {
            no_cache_filter: some(&["base"]),
            ulimits: some(&["nofile=1:2"]),
            ..t("app")
        }],
    );
    assert_eq!(
        run(
            &c,
            &["app"],
            &["app.no-cache-filter=deps", "app.ulimits+=nproc=3"]
        )
        .unwrap(),
        fixture!("304-set-no-cache-filter-and-ulimits-clear-field")
    );
}

#[test]
fn case_310_set_glob_prefix() {
    let out = run(
        &app_config(),
        &["app", "app-debug", "other"],
        &["app*.args.PREFIXED=yes"],
    )
    .unwrap();
    assert_eq!(out, fixture!("310-set-glob-prefix"));
}

#[test]
fn case_312_set_applies_after_inherits() {
    let out = run(
        &app_config(),
        &["app-debug"],
        &["app.args.CHANGE=only-parent", "app-debug.args.KEEP=child"],
    )
    .unwrap();
    assert_eq!(out, fixture!("312-set-applies-after-inherits"));
}

#[test]
fn case_296_to_318_set_errors_and_secrets() {
    let c = app_config();
    let out = run(&c, &["app"], &["app.secret.token=env=OTHER_TOKEN"]).unwrap();
    assert!(out.contains("\"env\": \"OTHER_TOKEN\""));
    assert!(matches!(
        run(&c, &["app"], &["app.secret.nope=env=X"]).unwrap_err(),
        ResolveError::SecretNotDeclared { id, .. } if id == "nope"
    ));
    assert!(matches!(
        run(&c, &["app"], &["app.no-cache=maybe"]).unwrap_err(),
        ResolveError::InvalidBool { .. }
    ));
    assert_eq!(
        run(&c, &["app"], &["app.description=x"]).unwrap_err(),
        ResolveError::UnknownOverrideKey {
            key: "description".into(),
            help: None
        }
    );
    assert_eq!(
        run(&c, &["app"], &["app.tgas=x"]).unwrap_err(),
        ResolveError::UnknownOverrideKey {
            key: "tgas".into(),
            help: Some("did you mean `tags`?".into())
        }
    );
    assert!(matches!(
        run(&c, &["app"], &["nomatch*.tags=x"]).unwrap_err(),
        ResolveError::NoMatch { .. }
    ));
    let grouped = Config {
        groups: vec![g("grp", &["app"])],
        ..app_config()
    };
    assert!(matches!(
        run(&grouped, &["grp"], &["grp.tags=x"]).unwrap_err(),
        ResolveError::NoMatch { help: Some(h), .. } if h.contains("is a group")
    ));
    assert!(matches!(
        run(&c, &["app"], &["tags=x"]).unwrap_err(),
        ResolveError::OverrideKey { .. }
    ));
    assert!(matches!(
        run(&c, &["app"], &["app.tags"]).unwrap_err(),
        ResolveError::OverrideValue { .. }
    ));
    assert!(matches!(
        run(&c, &["app"], &["app.args=x"]).unwrap_err(),
        ResolveError::OverrideNeedsName { .. }
    ));
    // An override for a target that is not requested is ignored.
    assert!(run(&c, &["app"], &["other.nonsense=1"]).is_ok());
}

#[test]
fn case_321_322_flag_load_and_push() {
    let c = cfg(
        vec![],
        vec![
            t("plain"),
            TargetDef {
                output: raw(&["type=image,name=org/img"]),
                ..t("image")
            },
            TargetDef {
                output: raw(&["type=tar,dest=out.tar"]),
                ..t("tarout")
            },
            TargetDef {
                output: raw(&["type=docker"]),
                ..t("docker")
            },
            TargetDef {
                output: raw(&["type=registry"]),
                ..t("registry")
            },
            TargetDef {
                output: raw(&["type=local,dest=out"]),
                ..t("localout")
            },
        ],
    );
    let names = ["plain", "image", "tarout", "docker", "registry", "localout"];
    let load = Flags {
        load: true,
        ..Default::default()
    }
    .to_overrides();
    assert_eq!(load, vec!["*.load=true"]);
    assert_eq!(
        run_env(&c, &names, &load, &[]).unwrap(),
        fixture!("321-flag-load")
    );
    let push = Flags {
        push: true,
        ..Default::default()
    }
    .to_overrides();
    assert_eq!(
        run_env(&c, &names, &push, &[]).unwrap(),
        fixture!("322-flag-push")
    );
}

#[test]
fn case_324_flag_set_push_false_drops_registry() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            output: raw(&["type=registry", "type=image,push=true", "type=docker"]),
            ..t("default")
        }],
    );
    assert_eq!(
        run(&c, &[], &["*.push=false"]).unwrap(),
        fixture!("324-flag-set-push-false-drops-registry")
    );
}

#[test]
fn case_327_329_333_flags_provenance_and_check() {
    let c = cfg(vec![], vec![t("default")]);
    let ov = Flags {
        provenance: Some("false".into()),
        ..Default::default()
    }
    .to_overrides();
    assert_eq!(ov, vec!["*.attest=type=provenance,disabled=true"]);
    assert_eq!(
        run_env(&c, &[], &ov, &[]).unwrap(),
        fixture!("327-flag-provenance-false")
    );
    let c = cfg(
        vec![],
        vec![TargetDef {
            attest: raw(&["type=provenance,mode=min"]),
            ..t("default")
        }],
    );
    let ov = Flags {
        provenance: Some("mode=max".into()),
        ..Default::default()
    }
    .to_overrides();
    assert_eq!(
        run_env(&c, &[], &ov, &[]).unwrap(),
        fixture!("329-flag-provenance-replaces-target-provenance")
    );
    let c = cfg(
        vec![],
        vec![TargetDef {
            call: Some("outline".into()),
            ..t("default")
        }],
    );
    let ov = Flags {
        check: true,
        ..Default::default()
    }
    .to_overrides();
    assert_eq!(ov, vec!["*.call=lint"]);
    assert_eq!(
        run_env(&c, &[], &ov, &[]).unwrap(),
        fixture!("333-flag-check")
    );
    let build = Flags {
        call: Some("build".into()),
        pull: Some(true),
        no_cache: Some(false),
        ..Default::default()
    };
    assert_eq!(
        build.to_overrides(),
        vec!["*.no-cache=false", "*.pull=true"]
    );
}

#[test]
fn case_335_flag_source_date_epoch_env_added_to_args() {
    let c = cfg(
        vec![],
        vec![
            t("a"),
            TargetDef {
                args: map(&[("SOURCE_DATE_EPOCH", Some("1"))]),
                ..t("b")
            },
        ],
    );
    assert_eq!(
        run_env(&c, &["a", "b"], &[], &[("SOURCE_DATE_EPOCH", "1700000000")]).unwrap(),
        fixture!("335-flag-source-date-epoch-env-added-to-args")
    );
}

#[test]
fn depot_002_project_id_inherited() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                project_id: Some("shared-proj".into()),
                ..t("_base")
            },
            TargetDef {
                inherits: some(&["_base"]),
                tags: some(&["acme/api"]),
                ..t("api")
            },
            TargetDef {
                inherits: some(&["_base"]),
                project_id: Some("web-proj".into()),
                tags: some(&["acme/web"]),
                ..t("web")
            },
        ],
    );
    assert_eq!(
        run(&c, &["api", "web"], &[]).unwrap(),
        fixture!("depot-002-hcl-project-id-inherited")
    );
}

#[test]
fn print_escapes_like_buildx() {
    let c = cfg(
        vec![],
        vec![TargetDef {
            args: map(&[("X", Some("${A}<&>")), ("Y", Some("%{b}"))]),
            tags: some(&["t${x}"]),
            dockerfile_inline: Some("FROM ${BASE}\n".into()),
            ..t("default")
        }],
    );
    let out = run(&c, &[], &[]).unwrap();
    assert!(
        out.contains("\"X\": \"$${A}\\u003c\\u0026\\u003e\""),
        "{out}"
    );
    assert!(out.contains("\"Y\": \"%%{b}\""), "{out}");
    assert!(out.contains("\"t${x}\""), "{out}");
    assert!(
        out.contains("\"dockerfile-inline\": \"FROM $${BASE}\\n\""),
        "{out}"
    );
    assert!(out.ends_with("}\n"));
}

#[test]
fn file_relative_paths_rebase() {
    let c = cfg(
        vec![],
        vec![
            TargetDef {
                context: Some("./ctx".into()),
                contexts: smap(&[("x", "./dep"), ("img", "docker-image://alpine")]),
                file_dir: Some("sub".into()),
                ..t("a")
            },
            TargetDef {
                file_dir: Some("sub".into()),
                ..t("b")
            },
        ],
    );
    let env = BTreeMap::new();
    let opts = ResolveOptions {
        targets: strs(&["a", "b"]),
        overrides: vec![],
        flag_overrides: Vec::new(),
        env: &env,
        cwd: std::env::temp_dir(),
        file_relative_paths: true,
    };
    let r = resolve(&c, &opts).unwrap();
    assert_eq!(r.targets["a"].context, "sub/ctx");
    assert_eq!(r.targets["a"].contexts["x"], "sub/dep");
    assert_eq!(r.targets["a"].contexts["img"], "docker-image://alpine");
    assert_eq!(r.targets["b"].context, "sub");
}

fn list_config() -> Config {
    let all = GroupDef {
        description: Some("Everything".into()),
        ..g("all", &["worker", "app", "docs"])
    };
    cfg(
        vec![g("default", &["app", "worker"]), all],
        vec![
            TargetDef {
                description: Some("The main application".into()),
                ..t("app")
            },
            t("worker"),
            TargetDef {
                description: Some("Documentation site".into()),
                ..t("docs")
            },
            t("_private"),
        ],
    )
}

fn list_vars(registry: &str, debug: &str) -> Vec<VariableInfo> {
    vec![
        VariableInfo {
            name: "REGISTRY".into(),
            value: Some(registry.into()),
            type_name: None,
            description: Some("Registry to push to".into()),
        },
        VariableInfo {
            name: "DEBUG".into(),
            value: Some(debug.into()),
            type_name: Some("bool".into()),
            description: None,
        },
        VariableInfo {
            name: "PLATFORMS".into(),
            value: Some("[\"linux/amd64\"]".into()),
            type_name: Some("list of string".into()),
            description: None,
        },
        VariableInfo {
            name: "NOTHING".into(),
            value: None,
            type_name: None,
            description: None,
        },
        VariableInfo {
            name: "EMPTY".into(),
            value: Some(String::new()),
            type_name: None,
            description: None,
        },
    ]
}

#[test]
fn case_337_338_list_targets() {
    let c = list_config();
    let table = parse_list("targets").unwrap();
    assert_eq!(
        render_list(table, ListInput::Targets(&c)),
        fixture!("337-list-targets-table")
    );
    let json = parse_list("type=targets,format=json").unwrap();
    assert_eq!(
        render_list(json, ListInput::Targets(&c)),
        fixture!("338-list-targets-json")
    );
}

#[test]
fn case_339_340_list_variables() {
    let vars = list_vars("docker.io", "false");
    assert_eq!(
        render_list(
            parse_list("variables").unwrap(),
            ListInput::Variables(&vars)
        ),
        fixture!("339-list-variables-table")
    );
    assert_eq!(
        render_list(
            parse_list("type=variables,format=json").unwrap(),
            ListInput::Variables(&vars)
        ),
        fixture!("340-list-variables-json")
    );
}

#[test]
fn case_342_list_targets_with_matrix() {
    let c = cfg(
        vec![g("m", &["m-b", "m-a"])],
        vec![t("m-b"), t("m-a"), t("solo")],
    );
    assert_eq!(
        render_list(parse_list("targets").unwrap(), ListInput::Targets(&c)),
        fixture!("342-list-targets-with-matrix")
    );
}

#[test]
fn case_344_345_list_errors() {
    assert_eq!(
        parse_list("things").unwrap_err(),
        ResolveError::ListType {
            value: "things".into()
        }
    );
    assert_eq!(
        parse_list("type=targets,format=yaml").unwrap_err(),
        ResolveError::ListFormat {
            value: "yaml".into()
        }
    );
    assert!(matches!(
        parse_list("type=targets,bogus=1").unwrap_err(),
        ResolveError::ListValue { .. }
    ));
}
