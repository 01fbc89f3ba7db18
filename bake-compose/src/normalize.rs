//! Canonical forms (compose-go `canonical`) and relative paths resolved against the file's
//! directory.

use bake_core::go::join_path;

use crate::loader::{error, LoadResult, Loader};
use crate::yaml::{Map, Value};

pub(crate) fn canonicalize(dict: &mut Map) -> LoadResult<()> {
    if let Some(Value::Map(services)) = dict.get_mut("services") {
        for (name, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            let p = format!("services.{name}");
            if let Some(b) = s.get_mut("build") {
                if let Value::Str(ctx) = b {
                    let mut m = Map::new();
                    m.insert("context".into(), Value::Str(std::mem::take(ctx)));
                    *b = Value::Map(m);
                }
                if let Value::Map(b) = b {
                    canonicalize_build(b, &format!("{p}.build"))?;
                }
            }
            if let Some(ef) = s.get_mut("env_file") {
                let items = match std::mem::replace(ef, Value::Null) {
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
                *ef = Value::Seq(out);
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

fn canonicalize_build(b: &mut Map, p: &str) -> LoadResult<()> {
    if let Some(Value::Seq(secrets)) = b.get_mut("secrets") {
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
                        "{p}.secrets.{i}: unsupported type {}",
                        go_type(other)
                    )))
                }
            }
        }
    }
    for key in ["provenance", "sbom"] {
        if let Some(v) = b.get_mut(key) {
            if !matches!(v, Value::Str(_)) {
                *v = Value::Str(v.sprint());
            }
        }
    }
    if let Some(ac) = b.get_mut("additional_contexts") {
        if let Value::Seq(items) = ac {
            let mut m = Map::new();
            for it in items.iter() {
                let s = it.sprint();
                let Some((k, v)) = s.split_once('=') else {
                    return Err(error(format!(
                        "{p}.additional_contexts: invalid value {s}, expected key=value"
                    )));
                };
                m.insert(k.to_string(), Value::Str(v.to_string()));
            }
            *ac = Value::Map(m);
        }
    }
    if let Some(ssh) = b.get_mut("ssh") {
        match ssh {
            Value::Map(_) => {}
            Value::Seq(items) => {
                let mut m = Map::new();
                for it in items.iter() {
                    let Value::Str(s) = it else {
                        return Err(error(format!("invalid ssh key type {}", go_type(it))));
                    };
                    match s.split_once('=') {
                        Some((id, path)) => {
                            m.insert(id.to_string(), Value::Str(path.to_string()));
                        }
                        None if s == "default" => {
                            m.insert(s.clone(), Value::Null);
                        }
                        None => return Err(error(format!("invalid ssh key {s:?}"))),
                    }
                }
                *ssh = Value::Map(m);
            }
            other => {
                return Err(error(format!(
                    "{p}.ssh: invalid type {} for ssh",
                    go_type(other)
                )))
            }
        }
    }
    if let Some(Value::Map(ul)) = b.get("ulimits") {
        for (k, v) in ul {
            if !matches!(v, Value::Map(_) | Value::Int(_)) {
                return Err(error(format!(
                    "{p}.ulimits.{k}: invalid type {} for external",
                    go_type(v)
                )));
            }
        }
    }
    Ok(())
}

pub(crate) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
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

pub(crate) fn resolve_paths(l: &Loader<'_>, dict: &mut Map, wd: &str) {
    let abs = |v: &str| -> String {
        let v = l.expand_user(v);
        if v.starts_with('/') || v.is_empty() {
            v
        } else {
            join_path(wd, &v)
        }
    };
    let ctx = |v: &str| -> String {
        if v.contains("://") || v.starts_with("service:") || is_remote_context(v) {
            v.to_string()
        } else {
            abs(v)
        }
    };
    if let Some(Value::Map(services)) = dict.get_mut("services") {
        for (_, s) in services.iter_mut() {
            let Value::Map(s) = s else { continue };
            if let Some(Value::Map(b)) = s.get_mut("build") {
                if let Some(Value::Str(c)) = b.get_mut("context") {
                    *c = ctx(c);
                }
                if let Some(Value::Map(ac)) = b.get_mut("additional_contexts") {
                    for (_, v) in ac.iter_mut() {
                        if let Value::Str(c) = v {
                            *c = ctx(c);
                        }
                    }
                }
                if let Some(Value::Map(ssh)) = b.get_mut("ssh") {
                    for (_, v) in ssh.iter_mut() {
                        if let Value::Str(c) = v {
                            *c = abs(c);
                        }
                    }
                }
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
    if let Some(Value::Map(secrets)) = dict.get_mut("secrets") {
        for (_, s) in secrets.iter_mut() {
            if let Value::Map(m) = s {
                if let Some(Value::Str(p)) = m.get_mut("file") {
                    *p = abs(p);
                }
            }
        }
    }
}
