//! The `x-bake` and `x-depot` extensions of a service's `build` section: keys that set bake
//! fields directly, over what the Compose keys set.

#![allow(clippy::unnecessary_wraps)] // the build-key table's functions share one signature

use std::collections::HashSet;

use bake_core::api::frontend::DefField;
use bake_core::api::frontend::{RawEntry, TargetDef};
use bake_core::api::SortedMap;

use crate::convert::named_contexts_of;
use crate::loader::{error, LoadResult};
use crate::yaml::{Map, Value};
use crate::ComposeError;

/// An `x-` key of a service's `build` section.
#[derive(Debug)]
pub(crate) struct Extension {
    /// The key.
    pub(crate) name: &'static str,
    /// Its keys, each with the bake field it sets (by its `--print` key), in the order they
    /// are read.
    pub(crate) keys: &'static [(&'static str, &'static str)],
    /// Sets the fields of `target` from the extension's value; unknown keys are warned
    /// about.
    pub(crate) lower:
        fn(&Extension, &mut TargetDef, &Value, &str, &mut Vec<ComposeError>) -> LoadResult<()>,
}

/// buildx's `x-bake`: its keys are the fields' own, and add to what the Compose keys set
/// (lists without duplicates) or replace it (flags).
pub(crate) const X_BAKE: Extension = Extension {
    name: "x-bake",
    keys: &[
        ("tags", "tags"),
        ("cache-from", "cache-from"),
        ("cache-to", "cache-to"),
        ("secret", "secret"),
        ("ssh", "ssh"),
        ("platforms", "platforms"),
        ("output", "output"),
        ("pull", "pull"),
        ("no-cache", "no-cache"),
        ("no-cache-filter", "no-cache-filter"),
        ("contexts", "contexts"),
    ],
    lower: lower_x_bake,
};

/// Depot's `x-depot`: a key is read by its Depot name or by the field's.
pub(crate) const X_DEPOT: Extension = Extension {
    name: "x-depot",
    keys: &[("project-id", "project_id")],
    lower: lower_x_depot,
};

fn lower_x_bake(
    extension: &Extension,
    target: &mut TargetDef,
    value: &Value,
    service: &str,
    warnings: &mut Vec<ComposeError>,
) -> LoadResult<()> {
    let Value::Map(xb) = value else {
        if *value == Value::Null {
            return Ok(());
        }
        return Err(error(format!(
            "yaml: unmarshal errors:\n  cannot unmarshal {} into Go value of type bake.xbake",
            value.go_type()
        )));
    };
    warn_unknown_keys(extension, xb, service, warnings, |k| {
        extension.keys.iter().any(|(key, _)| *key == k)
    });
    for (key, field) in extension.keys {
        let value = xb.get(*key);
        let path = format!("{}.{key}", extension.name);
        match target.field_mut(field) {
            Some(DefField::Strings(slot)) => {
                let items = list(value, &path)?;
                if !items.is_empty() {
                    // Only the new items are checked against the list: what the Compose keys
                    // set is kept as it is (and `tags` has no duplicates after unicity).
                    let mut all = slot.take().unwrap_or_default();
                    push_unique(&mut all, items);
                    *slot = Some(all);
                }
            }
            Some(DefField::Entries(slot)) => {
                let items = list(value, &path)?;
                if !items.is_empty() {
                    push_entries(slot, items);
                }
            }
            Some(DefField::Flag(slot)) => {
                if let Some(b) = flag(value, &path)? {
                    *slot = Some(b);
                }
            }
            Some(DefField::Map(slot)) => add_contexts(slot, value, &path)?,
            other => unreachable!(
                "{path}: bake field {field} is {:?} (see the build_keys tests)",
                other.map(|f| f.ty())
            ),
        }
    }
    Ok(())
}

fn lower_x_depot(
    extension: &Extension,
    target: &mut TargetDef,
    value: &Value,
    service: &str,
    warnings: &mut Vec<ComposeError>,
) -> LoadResult<()> {
    let Value::Map(xd) = value else {
        return Ok(());
    };
    for (k, val) in xd {
        let field = extension
            .keys
            .iter()
            .find(|(key, field)| k == key || k == field)
            .map(|(_, field)| *field);
        let Some(field) = field else {
            warnings.push(unknown_key(extension, k, service));
            continue;
        };
        if *val != Value::Null {
            if let Some(DefField::Text(slot)) = target.field_mut(field) {
                *slot = Some(val.sprint());
            }
        }
    }
    Ok(())
}

fn warn_unknown_keys(
    extension: &Extension,
    value: &Map,
    service: &str,
    warnings: &mut Vec<ComposeError>,
    known: impl Fn(&str) -> bool,
) {
    for k in value.keys() {
        if !known(k) {
            warnings.push(unknown_key(extension, k, service));
        }
    }
}

/// The build extensions (`x-bake`, `x-depot`) written on a service itself instead of under
/// its `build` section, where buildx and Depot read them (they ignore them elsewhere): each
/// as (service, extension), a warning telling where it belongs, and the dotted path of the
/// misplaced key (for its caret).
pub(crate) fn misplaced(model: &Map) -> Vec<(ComposeError, String)> {
    let Some(Value::Map(services)) = model.get("services") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (service, value) in services {
        let Value::Map(service_map) = value else {
            continue;
        };
        for extension in [&X_BAKE, &X_DEPOT] {
            if !service_map.contains_key(extension.name) {
                continue;
            }
            let name = extension.name;
            let mut w = ComposeError::new(format!(
                "{name} on service {service:?} is ignored: it belongs under the service's build section (services.{service}.build.{name})"
            ));
            w.help = Some(if service_map.contains_key("build") {
                format!("move `{name}:` into `build:`")
            } else {
                format!("add a `build:` section to the service and move `{name}:` into it")
            });
            out.push((w, format!("services.{service}.{name}")));
        }
    }
    out
}

fn unknown_key(extension: &Extension, key: &str, service: &str) -> ComposeError {
    ComposeError::new(format!(
        "unknown {} key {key:?} in service {service:?} is ignored",
        extension.name
    ))
}

/// A list: its items' text, or a string split at whitespace (`path` names the key in
/// messages).
fn list(value: Option<&Value>, path: &str) -> LoadResult<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Seq(items)) => Ok(items.iter().map(Value::sprint).collect()),
        Some(Value::Map(_)) => Err(error(format!(
            "yaml: unmarshal errors:\n  cannot unmarshal !!map into string ({path})"
        ))),
        Some(other) => Ok(other
            .sprint()
            .split_whitespace()
            .map(str::to_string)
            .collect()),
    }
}

fn flag(value: Option<&Value>, path: &str) -> LoadResult<Option<bool>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(error(format!(
            "yaml: unmarshal errors:\n  cannot unmarshal {:?} into bool ({path})",
            other.sprint()
        ))),
    }
}

/// Named contexts over the Compose keys' (by name).
fn add_contexts(
    slot: &mut Option<SortedMap<String>>,
    value: Option<&Value>,
    path: &str,
) -> LoadResult<()> {
    match value {
        Some(Value::Map(c)) if !c.is_empty() => {
            let mut all = slot.take().unwrap_or_default();
            all.extend(named_contexts_of(c));
            *slot = Some(all);
            Ok(())
        }
        None | Some(Value::Null | Value::Map(_)) => Ok(()),
        Some(other) => Err(error(format!(
            "yaml: unmarshal errors:\n  cannot unmarshal {} into map ({path})",
            other.go_type()
        ))),
    }
}

// Both keep a set of what the list holds: a long list from a file would make repeated
// `contains` quadratic.
fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    let mut seen: HashSet<String> = list.iter().cloned().collect();
    for i in items {
        if seen.insert(i.clone()) {
            list.push(i);
        }
    }
}

fn push_entries(list: &mut Option<Vec<RawEntry>>, items: Vec<String>) {
    let l = list.get_or_insert_with(Vec::new);
    let mut seen: HashSet<String> = l
        .iter()
        .filter_map(|e| match e {
            RawEntry::Str(s) => Some(s.clone()),
            RawEntry::Map(_) => None,
        })
        .collect();
    for i in items {
        if seen.insert(i.clone()) {
            l.push(RawEntry::Str(i));
        }
    }
}
