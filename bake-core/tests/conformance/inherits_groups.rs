//! `inherits`, groups and target selection.

use super::*;

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
