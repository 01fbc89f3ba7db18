//! Merging files: `!reset` / `!override`, compose-go's `override.MergeYaml`, and unicity
//! of entry lists after a merge (compose-go `unicity`). A build key merges as its row of the
//! build key table says.

use std::collections::BTreeMap;

use crate::build_keys::{build_key, BuildKey, Merge, BUILD_KEYS};
use crate::loader::{child_path, error, path_matches, LoadResult};
use crate::normalize::short_form_build;
use crate::yaml::{Map, Value};

/// Service keys whose values merge as lists of `KEY=VALUE` entries.
const SERVICE_ENTRY_LISTS: [&str; 13] = [
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
];

/// Service keys whose lists of entries keep one entry per key after a merge.
const SERVICE_UNIQUE_ENTRIES: [&str; 6] = [
    "environment",
    "labels",
    "annotations",
    "dns",
    "cap_add",
    "cap_drop",
];

// ---------------------------------------------------------------------------------------
// !reset / !override

/// Removes what the `!reset` / `!override` paths of a document name from the model it
/// merges over.
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

/// A value as a list of entries: a mapping as sorted `KEY=VALUE` entries (`KEY` alone for
/// null, one entry per item of a list).
fn as_entries(v: Value) -> Vec<Value> {
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

/// A value as a mapping: a list's items as keys without values.
fn as_mapping(v: Value) -> Map {
    match v {
        Value::Map(m) => m,
        Value::Seq(items) => items
            .into_iter()
            .map(|i| (i.sprint(), Value::Null))
            .collect(),
        _ => Map::new(),
    }
}

/// `later` merged over `earlier`, the value at `path` (compose-go `override.MergeYaml`).
pub(crate) fn merge_values(earlier: Value, later: Value, path: &[String]) -> LoadResult<Value> {
    let at = |pattern: &str| path_matches(path, pattern);
    if at("services.*.build") {
        let to_build = |v: Value| match v {
            Value::Str(s) => short_form_build(s),
            Value::Map(m) => m,
            _ => Map::new(),
        };
        return merge_mappings(to_build(earlier), to_build(later), path).map(Value::Map);
    }
    let merge = build_key_at(path).map_or(Merge::Deep, |k| k.merge);
    if merge == Merge::Entries || SERVICE_ENTRY_LISTS.iter().any(|pattern| at(pattern)) {
        let mut a = as_entries(earlier);
        a.extend(as_entries(later));
        return Ok(Value::Seq(a));
    }
    if merge == Merge::Union || at("services.*.extra_hosts") {
        let mut right = as_entries(earlier);
        for v in as_entries(later) {
            if !right.contains(&v) {
                right.push(v);
            }
        }
        return Ok(Value::Seq(right));
    }
    if at("services.*.command") || at("services.*.entrypoint") || at("services.*.healthcheck.test")
    {
        return Ok(later);
    }
    if at("services.*.networks") || at("services.*.models") || at("services.*.depends_on") {
        return merge_mappings(as_mapping(earlier), as_mapping(later), path).map(Value::Map);
    }
    if at("services.*.ulimits.*") {
        return Ok(later);
    }
    if later == Value::Null {
        return Ok(earlier);
    }
    match earlier {
        Value::Map(a) => match later {
            Value::Map(b) => merge_mappings(a, b, path).map(Value::Map),
            _ => Err(error(format!("cannot override {}", path.join(".")))),
        },
        Value::Seq(mut a) => match later {
            Value::Seq(b) => {
                a.extend(b);
                Ok(Value::Seq(a))
            }
            _ => Err(error(format!("cannot override {}", path.join(".")))),
        },
        _ => Ok(later),
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

/// The row of the build key at `path` (`services.NAME.build.KEY`).
fn build_key_at(path: &[String]) -> Option<&'static BuildKey> {
    if path_matches(path, "services.*.build.*") {
        build_key(&path[3])
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------
// unicity

/// Keeps one entry per key (the last, where the first was) in the lists of entries of every
/// service.
pub(crate) fn dedupe_entry_lists(model: &mut Map) {
    let Some(Value::Map(services)) = model.get_mut("services") else {
        return;
    };
    for (_, s) in services.iter_mut() {
        let Value::Map(s) = s else { continue };
        for key in SERVICE_UNIQUE_ENTRIES {
            if let Some(Value::Seq(v)) = s.get_mut(key) {
                dedupe_by_key(v);
            }
        }
        if let Some(Value::Map(b)) = s.get_mut("build") {
            for key in BUILD_KEYS.iter().filter(|k| k.unique_entries) {
                if let Some(Value::Seq(v)) = b.get_mut(key.name) {
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
