//! How the values of build keys become bake fields: by the field's type, or, for the keys
//! whose conversion is special, by the functions the build key table names.

#![allow(clippy::unnecessary_wraps)] // the build-key table's conversions share one signature

use std::collections::BTreeMap;

use bake_core::api::frontend::RawEntry;
use bake_core::api::go::parse_bool;

use crate::environment::{mapping_with_equals, value_of, Environment};
use crate::loader::{error, LoadResult};
use crate::units::{bytes_size, ram_in_bytes};
use crate::yaml::{Map, Value};

/// What converting a build key reads: its value, and the parts of the project some keys
/// need.
pub(crate) struct Conversion<'a> {
    /// The build key.
    pub(crate) key: &'static str,
    /// Its value, if the service's build section has it.
    pub(crate) value: Option<&'a Value>,
    /// The service's environment (build args without a value read it).
    pub(crate) environment: &'a Environment,
    /// The interpolation variables (build args read them after the environment).
    pub(crate) variables: &'a BTreeMap<String, String>,
    /// The project's top-level `secrets`.
    pub(crate) secrets: &'a Map,
}

/// A scalar as text, unless null or empty.
pub(crate) fn text_value(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Null) | None => None,
        Some(v) => Some(v.sprint()).filter(|s| !s.is_empty()),
    }
}

/// A list as its items' text; a string as a list of one.
pub(crate) fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Seq(items)) => items.iter().map(Value::sprint).collect(),
        Some(Value::Str(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// `true`, or a string Go's `ParseBool` reads as true.
pub(crate) fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Str(s)) => parse_bool(s) == Some(true),
        _ => false,
    }
}

/// The target a service becomes is named after it, dots replaced.
pub(crate) fn target_name(service: &str) -> String {
    service.replace('.', "_")
}

/// Named contexts; a `service:` or `target:` reference names the service's target.
pub(crate) fn named_contexts_of(m: &Map) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| {
            let mut v = v.sprint();
            if v.starts_with("service:") || v.starts_with("target:") {
                if let Some((_, name)) = v.split_once(':') {
                    v = format!("target:{}", target_name(name));
                }
            }
            (k.clone(), v)
        })
        .collect()
}

/// A mapping of named contexts (normalization made a list of entries one).
pub(crate) fn named_contexts(c: &Conversion<'_>) -> LoadResult<Option<BTreeMap<String, String>>> {
    Ok(match c.value {
        Some(Value::Map(m)) => Some(named_contexts_of(m)),
        _ => None,
    })
}

/// A size in bytes, or with a unit (`256m`), printed as go-units does (`256MiB`); zero is
/// no size.
pub(crate) fn memory_size(c: &Conversion<'_>) -> LoadResult<Option<String>> {
    let n = match c.value {
        Some(Value::Int(i)) => Some(*i),
        Some(Value::Str(s)) => {
            Some(ram_in_bytes(s).ok_or_else(|| error(format!("invalid size: '{s}'")))?)
        }
        _ => None,
    };
    Ok(n.filter(|n| *n > 0).map(bytes_size))
}

/// `NAME=SOFT:HARD`, sorted; a limit given as one number has no soft or hard value (0:0).
pub(crate) fn ulimit_options(c: &Conversion<'_>) -> LoadResult<Option<Vec<String>>> {
    let Some(Value::Map(limits)) = c.value else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (name, limit) in limits {
        let (soft, hard) = match limit {
            Value::Map(m) => (int_or_zero(m.get("soft")), int_or_zero(m.get("hard"))),
            _ => (0, 0),
        };
        if !bake_core::api::frontend::ULIMIT_NAMES.contains(&name.as_str()) {
            return Err(error(format!("invalid ulimit type: {name}")));
        }
        if soft > hard {
            return Err(error(format!(
                "invalid ulimit argument: {name}={soft}:{hard}"
            )));
        }
        out.push(format!("{name}={soft}:{hard}"));
    }
    out.sort();
    Ok(Some(out))
}

fn int_or_zero(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Int(i)) => *i,
        Some(Value::Str(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// Host to IPs (comma-separated, IPv6 without brackets); always set, empty without hosts.
pub(crate) fn host_addresses(
    c: &Conversion<'_>,
) -> LoadResult<Option<BTreeMap<String, Option<String>>>> {
    let mut out = BTreeMap::new();
    for (host, ips) in hosts_and_ips(c.value)? {
        if host.is_empty() || host.contains([':', '=']) {
            return Err(error(format!("bad host name '{host}'")));
        }
        let ips: Vec<String> = ips
            .into_iter()
            .map(|ip| {
                if ip.len() > 2 && ip.starts_with('[') && ip.ends_with(']') {
                    ip[1..ip.len() - 1].to_string()
                } else {
                    ip
                }
            })
            .collect();
        out.insert(host, Some(ips.join(",")));
    }
    Ok(Some(out))
}

/// The IPs of each host: a mapping (to an IP or a list), or `HOST=IP` / `HOST:IP` entries.
fn hosts_and_ips(v: Option<&Value>) -> LoadResult<BTreeMap<String, Vec<String>>> {
    let mut hosts = BTreeMap::new();
    match v {
        Some(Value::Map(m)) => {
            for (h, v) in m {
                let ips: Vec<String> = match v {
                    Value::Seq(items) => items.iter().map(Value::sprint).collect(),
                    Value::Null => vec![String::new()],
                    other => vec![other.sprint()],
                };
                hosts.insert(h.clone(), ips);
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                let (h, ip) = s
                    .split_once('=')
                    .or_else(|| s.split_once(':'))
                    .ok_or_else(|| error(format!("invalid additional host, missing IP: {s}")))?;
                hosts
                    .entry(h.to_string())
                    .or_insert_with(Vec::new)
                    .push(ip.to_string());
            }
        }
        _ => {}
    }
    Ok(hosts)
}

/// `ID=PATH` (or `ID` alone), sorted.
pub(crate) fn ssh(c: &Conversion<'_>) -> LoadResult<Option<Vec<RawEntry>>> {
    let Some(Value::Map(ssh)) = c.value else {
        return Ok(None);
    };
    let mut keys: Vec<(String, Option<String>)> = ssh
        .iter()
        .map(|(k, v)| {
            let p = match v {
                Value::Null => None,
                other => Some(other.sprint()).filter(|s| !s.is_empty()),
            };
            (k.clone(), p)
        })
        .collect();
    keys.sort();
    Ok(Some(
        keys.into_iter()
            .map(|(id, p)| {
                RawEntry::Str(match p {
                    Some(p) => format!("{id}={p}"),
                    None => id,
                })
            })
            .collect(),
    ))
}

/// The top-level secret a build secret entry names (its `source`).
pub(crate) fn secret_source(entry: &Value) -> String {
    match entry {
        Value::Map(m) => m.get("source").map(Value::sprint).unwrap_or_default(),
        other => other.sprint(),
    }
}

/// Each entry as `id` with the top-level secret's `src` (file) or `env`; external secrets
/// are not supported.
pub(crate) fn secrets(c: &Conversion<'_>) -> LoadResult<Option<Vec<RawEntry>>> {
    let Some(Value::Seq(entries)) = c.value else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for entry in entries {
        let src = secret_source(entry);
        let mut e = BTreeMap::new();
        if !src.is_empty() {
            e.insert("id".to_string(), src.clone());
        }
        if let Some(Value::Map(top)) = c.secrets.get(&src) {
            if is_true(top.get("external")) || matches!(top.get("external"), Some(Value::Map(_))) {
                let n = top.get("name").map(Value::sprint).unwrap_or_default();
                return Err(error(format!("unsupported external secret {n}")));
            }
            let text = |k: &str| top.get(k).map(Value::sprint).filter(|s| !s.is_empty());
            if let Some(f) = text("file") {
                e.insert("src".to_string(), f);
            }
            if let Some(v) = text("environment") {
                e.insert("env".to_string(), v);
            }
        }
        out.push(RawEntry::Map(e));
    }
    Ok(Some(out))
}

/// A mapping, or `KEY=VALUE` entries (`KEY` alone for an empty value); always set.
pub(crate) fn labels(c: &Conversion<'_>) -> LoadResult<Option<BTreeMap<String, Option<String>>>> {
    let mut out = BTreeMap::new();
    match c.value {
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let val = match e {
                    Value::Null => String::new(),
                    other => other.sprint(),
                };
                out.insert(k.clone(), Some(val));
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                let (k, v) = s.split_once('=').unwrap_or((s.as_str(), ""));
                out.insert(k.to_string(), Some(v.to_string()));
            }
        }
        _ => {}
    }
    Ok(Some(out))
}

/// An attestation of the key's type: enabled or disabled by a boolean, else its options.
pub(crate) fn attestation(c: &Conversion<'_>) -> LoadResult<Option<Vec<RawEntry>>> {
    let Some(v) = text_value(c.value) else {
        return Ok(None);
    };
    let ty = c.key;
    let a = match parse_bool(&v) {
        Some(true) => format!("type={ty},disabled=false"),
        Some(false) => format!("type={ty},disabled=true"),
        None => format!("type={ty},{v}"),
    };
    Ok(Some(vec![RawEntry::Str(a)]))
}

/// Build args; one without a value reads the service environment, then the interpolation
/// variables, and is left out when neither has it.
pub(crate) fn args(c: &Conversion<'_>) -> LoadResult<Option<BTreeMap<String, Option<String>>>> {
    let mut args = BTreeMap::new();
    for (k, v) in mapping_with_equals(c.value)? {
        let v = match v {
            Some(v) => Some(v),
            None => value_of(c.environment, &k).or_else(|| c.variables.get(&k).cloned()),
        };
        if let Some(v) = v {
            args.insert(k, Some(v));
        }
    }
    Ok((!args.is_empty()).then_some(args))
}
