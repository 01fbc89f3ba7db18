//! Merging files: `!reset` / `!override`, compose-go's `override.MergeYaml`, and the
//! dedupe_entry_lists of entry lists after a merge.

use std::collections::BTreeMap;

use crate::loader::{child_path, error, path_matches, LoadResult};
use crate::yaml::{Map, Value};

// ---------------------------------------------------------------------------------------
// !reset / !override

pub(crate) fn remove_reset_paths(dict: &mut Map, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    let pats: Vec<Vec<&str>> = paths.iter().map(|p| p.split('.').collect()).collect();
    remove_paths_under(dict, &mut Vec::new(), &pats);
}

fn remove_paths_under(m: &mut Map, path: &mut Vec<String>, pats: &[Vec<&str>]) {
    let keys: Vec<String> = m.keys().cloned().collect();
    for k in keys {
        path.push(k.clone());
        let hit = pats
            .iter()
            .any(|p| p.len() == path.len() && p.iter().zip(path.iter()).all(|(a, b)| a == b));
        if hit {
            m.shift_remove(&k);
        } else if let Some(Value::Map(child)) = m.get_mut(&k) {
            remove_paths_under(child, path, pats);
        }
        path.pop();
    }
}

// ---------------------------------------------------------------------------------------
// merge (compose-go override.MergeYaml)

fn to_sequence(v: Value) -> Vec<Value> {
    match v {
        Value::Map(m) => {
            let mut seq: Vec<String> = Vec::new();
            for (k, val) in m {
                match val {
                    Value::Null => seq.push(k),
                    Value::Seq(items) => {
                        for it in items {
                            seq.push(format!("{k}={}", it.sprint()));
                        }
                    }
                    other => seq.push(format!("{k}={}", other.sprint())),
                }
            }
            seq.sort();
            seq.into_iter().map(Value::Str).collect()
        }
        Value::Seq(v) => v,
        Value::Str(s) => vec![Value::Str(s)],
        _ => Vec::new(),
    }
}

fn to_mapping(v: Value) -> Map {
    match v {
        Value::Map(m) => m,
        Value::Seq(items) => items
            .into_iter()
            .map(|i| (i.sprint(), Value::Null))
            .collect(),
        _ => Map::new(),
    }
}

pub(crate) fn merge_values(e: Value, o: Value, p: &[String]) -> LoadResult<Value> {
    let m = |pat: &str| path_matches(p, pat);
    if m("services.*.build") {
        let to_build = |v: Value| match v {
            Value::Str(s) => {
                let mut m = Map::new();
                m.insert("context".into(), Value::Str(s));
                m
            }
            Value::Map(m) => m,
            _ => Map::new(),
        };
        return merge_mappings(to_build(e), to_build(o), p).map(Value::Map);
    }
    if [
        "services.*.build.args",
        "services.*.build.additional_contexts",
        "services.*.build.labels",
        "services.*.annotations",
        "services.*.dns",
        "services.*.dns_opt",
        "services.*.dns_search",
        "services.*.env_file",
        "services.*.label_file",
        "services.*.environment",
        "services.*.labels",
        "services.*.deploy.labels",
        "services.*.sysctls",
        "services.*.tmpfs",
        "networks.*.labels",
        "volumes.*.labels",
    ]
    .iter()
    .any(|pat| m(pat))
    {
        let mut a = to_sequence(e);
        a.extend(to_sequence(o));
        return Ok(Value::Seq(a));
    }
    if m("services.*.build.extra_hosts") || m("services.*.extra_hosts") {
        let mut right = to_sequence(e);
        for v in to_sequence(o) {
            if !right.contains(&v) {
                right.push(v);
            }
        }
        return Ok(Value::Seq(right));
    }
    if m("services.*.command") || m("services.*.entrypoint") || m("services.*.healthcheck.test") {
        return Ok(o);
    }
    if m("services.*.networks") || m("services.*.models") || m("services.*.depends_on") {
        return merge_mappings(to_mapping(e), to_mapping(o), p).map(Value::Map);
    }
    if m("services.*.ulimits.*") {
        return Ok(o);
    }
    if o == Value::Null {
        return Ok(e);
    }
    match e {
        Value::Map(a) => match o {
            Value::Map(b) => merge_mappings(a, b, p).map(Value::Map),
            _ => Err(error(format!("cannot override {}", p.join(".")))),
        },
        Value::Seq(mut a) => match o {
            Value::Seq(b) => {
                a.extend(b);
                Ok(Value::Seq(a))
            }
            _ => Err(error(format!("cannot override {}", p.join(".")))),
        },
        _ => Ok(o),
    }
}

fn merge_mappings(mut a: Map, b: Map, p: &[String]) -> LoadResult<Map> {
    for (k, v) in b {
        match a.get_mut(&k) {
            None => {
                a.insert(k, v);
            }
            Some(slot) => {
                let e = std::mem::replace(slot, Value::Null);
                *slot = merge_values(e, v, &child_path(p, &k))?;
            }
        }
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// dedupe_entry_lists and canonical forms

pub(crate) fn dedupe_entry_lists(dict: &mut Map) {
    let Some(Value::Map(services)) = dict.get_mut("services") else {
        return;
    };
    for (_, s) in services.iter_mut() {
        let Value::Map(s) = s else { continue };
        for key in [
            "environment",
            "labels",
            "annotations",
            "dns",
            "cap_add",
            "cap_drop",
        ] {
            if let Some(Value::Seq(v)) = s.get_mut(key) {
                dedupe_by_key(v);
            }
        }
        if let Some(Value::Map(b)) = s.get_mut("build") {
            for key in ["args", "additional_contexts", "tags", "labels"] {
                if let Some(Value::Seq(v)) = b.get_mut(key) {
                    dedupe_by_key(v);
                }
            }
        }
    }
}

fn dedupe_by_key(v: &mut Vec<Value>) {
    let mut out: Vec<Value> = Vec::new();
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    for e in v.drain(..) {
        let s = e.sprint();
        let key = s.split_once('=').map_or(s.as_str(), |(k, _)| k).to_string();
        if let Some(&j) = keys.get(&key) {
            out[j] = e;
        } else {
            keys.insert(key, out.len());
            out.push(e);
        }
    }
    *v = out;
}
