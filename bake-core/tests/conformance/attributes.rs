//! Target attributes: contexts, cache, outputs, attestations, resources, secrets.

use super::*;

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
