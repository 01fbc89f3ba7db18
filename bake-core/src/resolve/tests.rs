//! The merge's algebra, on samples covering set, unset, empty and null forms.

#![allow(clippy::unnecessary_wraps)] // helpers build the Option fields of a Draft

use super::*;
use crate::entries::{
    Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry,
};
use crate::source::Origin;

fn map(pairs: &[(&str, Option<&str>)]) -> Option<SortedMap<Option<String>>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.map(str::to_string)))
            .collect(),
    )
}

fn strs(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| (*s).to_string()).collect())
}

/// Targets covering set / unset / empty / null-valued forms of every merged field.
fn samples() -> Vec<Draft> {
    let cache = |r: &str| CacheEntry {
        typ: "registry".into(),
        attrs: BTreeMap::from([("ref".to_string(), r.to_string())]),
    };
    let full = Draft {
        description: Some("d".into()),
        inherits: vec!["p".into()],
        annotations: strs(&["a=1", "a=1"]),
        attest: Some(vec![Attest {
            typ: "sbom".into(),
            ..Default::default()
        }]),
        context: Some("ctx".into()),
        contexts: Some(SortedMap::from([("x".to_string(), "target:y".to_string())])),
        dockerfile: Some("D".into()),
        dockerfile_inline: Some("FROM x".into()),
        args: map(&[("A", Some("1")), ("N", None)]),
        labels: map(&[("L", Some("v"))]),
        tags: strs(&["t"]),
        cache_from: Some(vec![cache("a"), cache("a"), cache("b")]),
        cache_to: Some(vec![cache("c")]),
        target: Some("stage".into()),
        secret: Some(vec![SecretEntry {
            id: "s".into(),
            ..Default::default()
        }]),
        ssh: Some(vec![SshEntry::default()]),
        platforms: strs(&["linux/amd64"]),
        output: Some(vec![ExportEntry {
            typ: "docker".into(),
            ..Default::default()
        }]),
        pull: Some(true),
        no_cache: Some(false),
        network: Some("host".into()),
        no_cache_filter: strs(&["x"]),
        ulimits: strs(&["nofile=1:1"]),
        resources: Some(Resources {
            memory: Some("1g".into()),
            ..Default::default()
        }),
        call: Some("lint".into()),
        entitlements: strs(&["e"]),
        extra_hosts: map(&[("h", Some("1.2.3.4"))]),
        policy: Some(vec![PolicyEntry::default()]),
        project_id: Some("p".into()),
        default_base: Some(Some("dir".into())),
        linked: true,
        origins: BTreeMap::from([("tags", Origin::Default)]),
        ..Default::default()
    };
    let empties = Draft {
        annotations: strs(&[]),
        args: map(&[]),
        labels: map(&[("N", None)]),
        contexts: Some(SortedMap::new()),
        cache_from: Some(Vec::new()),
        attest: Some(Vec::new()),
        secret: Some(Vec::new()),
        ssh: Some(Vec::new()),
        output: Some(Vec::new()),
        default_base: Some(None),
        ..Default::default()
    };
    let other = Draft {
        description: Some("e".into()),
        inherits: vec!["q".into()],
        args: map(&[("A", Some("2")), ("B", Some("3"))]),
        labels: map(&[("N", None), ("M", Some("m"))]),
        contexts: Some(SortedMap::from([("z".to_string(), "ctx".to_string())])),
        cache_from: Some(vec![cache("b"), cache("d")]),
        secret: Some(vec![
            SecretEntry {
                id: "s".into(),
                src: "f".into(),
                ..Default::default()
            },
            SecretEntry {
                id: "t".into(),
                ..Default::default()
            },
        ]),
        platforms: strs(&["linux/arm64"]),
        resources: Some(Resources {
            cpu_shares: Some(2),
            ..Default::default()
        }),
        origins: BTreeMap::from([("args", Origin::Default)]),
        ..Default::default()
    };
    vec![Draft::default(), full, empties, other]
}

/// The second of buildx's merges (`tt` into an empty target) changes nothing, so the
/// resolver merges parents straight into the result.
#[test]
fn merging_a_merge_result_into_empty_is_identity() {
    for a in samples() {
        for b in samples() {
            let mut tt = Draft::default();
            tt.merge(a.clone());
            tt.merge(b.clone());
            let mut m = Draft::default();
            m.merge(tt.clone());
            assert_eq!(format!("{m:?}"), format!("{tt:?}"));
        }
    }
}
