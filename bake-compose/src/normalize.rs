//! Canonical forms (compose-go `canonical`) and relative paths resolved against the file's
//! directory. A build key is normalized, and its paths resolved, as its row of the build key
//! table says.

#![allow(clippy::unnecessary_wraps)] // the build-key table's functions share one signature

use bake_core::api::go::join_path;

use crate::build_keys::{Normalize, Paths, BUILD_KEYS, SHORT_FORM_KEY};
use crate::loader::{error, LoadResult, Loader};
use crate::yaml::{Map, Value};

/// Brings every service of `model` to its canonical form: the long forms of `build`,
/// `env_file` and `extends`, and each build key's own.
pub(crate) fn canonicalize(model: &mut Map) -> LoadResult<()> {
    if let Some(Value::Map(services)) = model.get_mut("services") {
        for (name, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            if let Some(b) = s.get_mut("build") {
                if let Value::Str(path) = b {
                    *b = Value::Map(short_form_build(std::mem::take(path)));
                }
                if let Value::Map(b) = b {
                    canonicalize_build(b, &format!("services.{name}.build"))?;
                }
            }
            if let Some(ef) = s.get_mut("env_file") {
                *ef = env_files_as_mappings(std::mem::replace(ef, Value::Null));
            }
            if let Some(Value::Str(e)) = s.get("extends").cloned().as_ref() {
                let mut m = Map::new();
                m.insert("service".into(), Value::Str(e.clone()));
                s.insert("extends".into(), Value::Map(m));
            }
        }
    }
    Ok(())
}

/// The build section `build: PATH` is short for.
pub(crate) fn short_form_build(path: String) -> Map {
    let mut m = Map::new();
    m.insert(SHORT_FORM_KEY.into(), Value::Str(path));
    m
}

/// Each build key reshaped, then checked (`path`: the build section's, for messages).
fn canonicalize_build(build: &mut Map, path: &str) -> LoadResult<()> {
    for key in BUILD_KEYS {
        if let (Normalize::Reshape(reshape), Some(v)) = (key.normalize, build.get_mut(key.name)) {
            reshape(v, &format!("{path}.{}", key.name))?;
        }
    }
    for key in BUILD_KEYS {
        if let (Normalize::Check(check), Some(v)) = (key.normalize, build.get(key.name)) {
            check(v, &format!("{path}.{}", key.name))?;
        }
    }
    Ok(())
}

/// `env_file` as a list of mappings with `path` and `required` (true unless it says).
fn env_files_as_mappings(env_file: Value) -> Value {
    let items = match env_file {
        Value::Str(s) => vec![Value::Str(s)],
        Value::Seq(v) => v,
        other => vec![other],
    };
    let mut out = Vec::new();
    for it in items {
        match it {
            Value::Str(s) => {
                let mut m = Map::new();
                m.insert("path".into(), Value::Str(s));
                m.insert("required".into(), Value::Bool(true));
                out.push(Value::Map(m));
            }
            Value::Map(mut m) => {
                if !m.contains_key("required") {
                    m.insert("required".into(), Value::Bool(true));
                }
                out.push(Value::Map(m));
            }
            other => out.push(other),
        }
    }
    Value::Seq(out)
}

/// Build secrets given by name as mappings with `source`.
pub(crate) fn secrets_as_mappings(v: &mut Value, path: &str) -> LoadResult<()> {
    let Value::Seq(secrets) = v else {
        return Ok(());
    };
    for (i, s) in secrets.iter_mut().enumerate() {
        match s {
            Value::Str(src) => {
                let mut m = Map::new();
                m.insert("source".into(), Value::Str(std::mem::take(src)));
                *s = Value::Map(m);
            }
            Value::Map(_) => {}
            other => {
                return Err(error(format!(
                    "{path}.{i}: unsupported type {}",
                    other.go_type()
                )))
            }
        }
    }
    Ok(())
}

/// A scalar as its text (`true` → `"true"`).
pub(crate) fn scalar_as_text(v: &mut Value, _path: &str) -> LoadResult<()> {
    if !matches!(v, Value::Str(_)) {
        *v = Value::Str(v.sprint());
    }
    Ok(())
}

/// A list of `KEY=VALUE` entries as a mapping.
pub(crate) fn entries_as_mapping(v: &mut Value, path: &str) -> LoadResult<()> {
    if let Value::Seq(items) = v {
        let mut m = Map::new();
        for it in items.iter() {
            let s = it.sprint();
            let Some((k, val)) = s.split_once('=') else {
                return Err(error(format!(
                    "{path}: invalid value {s}, expected key=value"
                )));
            };
            m.insert(k.to_string(), Value::Str(val.to_string()));
        }
        *v = Value::Map(m);
    }
    Ok(())
}

/// SSH keys as a mapping of IDs to paths (`default` alone to none).
pub(crate) fn ssh_as_mapping(v: &mut Value, path: &str) -> LoadResult<()> {
    match v {
        Value::Map(_) => {}
        Value::Seq(items) => {
            let mut m = Map::new();
            for it in items.iter() {
                let Value::Str(s) = it else {
                    return Err(error(format!("invalid ssh key type {}", it.go_type())));
                };
                match s.split_once('=') {
                    Some((id, key_path)) => {
                        m.insert(id.to_string(), Value::Str(key_path.to_string()));
                    }
                    None if s == "default" => {
                        m.insert(s.clone(), Value::Null);
                    }
                    None => return Err(error(format!("invalid ssh key {s:?}"))),
                }
            }
            *v = Value::Map(m);
        }
        other => {
            return Err(error(format!(
                "{path}: invalid type {} for ssh",
                other.go_type()
            )))
        }
    }
    Ok(())
}

/// Each ulimit is a number or a mapping (compose-go's message names `external`).
pub(crate) fn check_ulimit_types(v: &Value, path: &str) -> LoadResult<()> {
    if let Value::Map(limits) = v {
        for (k, v) in limits {
            if !matches!(v, Value::Map(_) | Value::Int(_)) {
                return Err(error(format!(
                    "{path}.{k}: invalid type {} for external",
                    v.go_type()
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// relative paths (workingDir "" = the process working directory, only cleaned)

fn is_remote_context(v: &str) -> bool {
    [
        "https://",
        "http://",
        "git://",
        "ssh://",
        "github.com/",
        "git@",
    ]
    .iter()
    .any(|p| v.starts_with(p))
}

/// Resolves the relative paths of `model` against `workdir`.
pub(crate) fn resolve_paths(loader: &Loader<'_>, model: &mut Map, workdir: &str) {
    let abs = |v: &str| -> String {
        let v = loader.expand_user(v);
        if v.starts_with('/') || v.is_empty() {
            v
        } else {
            join_path(workdir, &v)
        }
    };
    let context = |v: &str| -> String {
        if v.contains("://") || v.starts_with("service:") || is_remote_context(v) {
            v.to_string()
        } else {
            abs(v)
        }
    };
    if let Some(Value::Map(services)) = model.get_mut("services") {
        for (_, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            if let Some(Value::Map(b)) = s.get_mut("build") {
                resolve_build_paths(b, &abs, &context);
            }
            if let Some(Value::Seq(ef)) = s.get_mut("env_file") {
                for e in ef.iter_mut() {
                    if let Value::Map(m) = e {
                        if let Some(Value::Str(p)) = m.get_mut("path") {
                            *p = abs(p);
                        }
                    }
                }
            }
            if let Some(Value::Map(ext)) = s.get_mut("extends") {
                if let Some(Value::Str(p)) = ext.get_mut("file") {
                    *p = abs(p);
                }
            }
        }
    }
    if let Some(Value::Map(secrets)) = model.get_mut("secrets") {
        for (_, s) in secrets.iter_mut() {
            if let Value::Map(m) = s {
                if let Some(Value::Str(p)) = m.get_mut("file") {
                    *p = abs(p);
                }
            }
        }
    }
}

/// The paths a build section's keys hold, as their rows say (`abs` for a file path,
/// `context` for a build context).
fn resolve_build_paths(
    build: &mut Map,
    abs: &dyn Fn(&str) -> String,
    context: &dyn Fn(&str) -> String,
) {
    for key in BUILD_KEYS {
        let Some(v) = build.get_mut(key.name) else {
            continue;
        };
        let resolve = match key.paths {
            Paths::None => continue,
            Paths::Context => {
                if let Value::Str(c) = v {
                    *c = context(c);
                }
                continue;
            }
            Paths::Contexts => context,
            Paths::Files => abs,
        };
        if let Value::Map(m) = v {
            for (_, v) in m.iter_mut() {
                if let Value::Str(p) = v {
                    *p = resolve(p);
                }
            }
        }
    }
}
