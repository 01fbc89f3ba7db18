//! Conformance cases translated by hand into `Config` values; the expected outputs are the
//! reference's, copied from `/work/shared/conformance/cases/*/expected.out`.

#![allow(clippy::unnecessary_wraps)] // helpers build the Option fields of a TargetDef

use std::collections::BTreeMap;

use bake_core::api::frontend::{Config, GroupDef, RawEntry, TargetDef};
use bake_core::api::{
    parse_list, print, render_list, resolve, Flags, ListInput, ResolveError, ResolveOptions,
    SortedMap, VariableInfo,
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

fn map(pairs: &[(&str, Option<&str>)]) -> Option<SortedMap<Option<String>>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect(),
    )
}

fn smap(pairs: &[(&str, &str)]) -> Option<SortedMap<String>> {
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
    let full = resolve(config, &opts).map(|r| r.to_print_json());
    // `--print`'s streamed path gives the same document, or the same error.
    let streamed = print(config, &opts).map(|p| p.to_json());
    assert_eq!(format!("{streamed:?}"), format!("{full:?}"));
    full
}

fn run(config: &Config, targets: &[&str], overrides: &[&str]) -> Result<String, ResolveError> {
    run_env(config, targets, &strs(overrides), &[])
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/", $name, ".out"))
    };
}

mod attributes;
mod inherits_groups;
mod overrides_flags;
