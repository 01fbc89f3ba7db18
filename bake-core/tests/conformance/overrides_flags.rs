//! `--set`, the build flags, Depot's `project_id` and `--print` escaping.

use super::*;

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
