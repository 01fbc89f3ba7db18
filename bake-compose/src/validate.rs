//! The build subset of the model (what buildx keeps) and its compose-spec schema checks.

use std::collections::HashSet;

use crate::loader::{error, LoadResult};
use crate::yaml::{Map, Value};
use crate::ComposeError;

// ---------------------------------------------------------------------------------------
// the filtered model, its validation and the targets

/// Keeps what buildx keeps: `services.*.{image,build,environment,env_file}` and `secrets`.
pub(crate) fn build_subset(raw: &Map) -> Map {
    let mut out = Map::new();
    if let Some(Value::Map(services)) = raw.get("services") {
        {
            let mut fs = Map::new();
            for (name, svc) in services {
                match svc {
                    Value::Null => {
                        fs.insert(name.clone(), Value::Map(Map::new()));
                    }
                    Value::Map(m) => {
                        let mut f = Map::new();
                        for k in ["image", "build", "environment", "env_file"] {
                            if let Some(v) = m.get(k) {
                                f.insert(k.to_string(), v.clone());
                            }
                        }
                        fs.insert(name.clone(), Value::Map(f));
                    }
                    _ => {}
                }
            }
            out.insert("services".into(), Value::Map(fs));
        }
    }
    if let Some(v) = raw.get("secrets") {
        out.insert("secrets".into(), v.clone());
    }
    out
}

fn type_err(path: &str, want: &[&str]) -> Box<ComposeError> {
    let mut w: Vec<&str> = want
        .iter()
        .map(|t| if *t == "object" { "mapping" } else { t })
        .collect();
    if w.len() == 1 {
        return Box::new(error(format!("{path} must be a {}", w[0])).with_path(path));
    }
    w.sort_unstable();
    let last = w.pop().unwrap_or_default();
    Box::new(error(format!("{path} must be a {} or {last}", w.join(", "))).with_path(path))
}

fn is_type(v: &Value, t: &str) -> bool {
    matches!(
        (v, t),
        (Value::Str(_), "string")
            | (Value::Bool(_), "boolean")
            | (Value::Int(_), "integer" | "number")
            | (Value::Float(_), "number")
            | (Value::Null, "null")
            | (Value::Seq(_), "array")
            | (Value::Map(_), "object")
    )
}

fn want(v: &Value, path: &str, types: &[&str]) -> LoadResult<()> {
    if types.iter().any(|t| is_type(v, t)) {
        Ok(())
    } else {
        Err(type_err(path, types))
    }
}

fn additional(m: &Map, path: &str, allowed: &[&str]) -> LoadResult<()> {
    let extra: Vec<String> = m
        .keys()
        .filter(|k| !k.starts_with("x-") && !allowed.contains(&k.as_str()))
        .map(|k| format!("'{k}'"))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else if extra.len() == 1 {
        Err(error(format!(
            "{path} additional properties {} not allowed",
            extra[0]
        )))
    } else {
        Err(error(format!(
            "{path} additional properties {} not allowed",
            extra.join(", ")
        )))
    }
}

fn list_or_dict(v: &Value, path: &str) -> LoadResult<()> {
    match v {
        Value::Map(m) => {
            for (k, e) in m {
                want(
                    e,
                    &format!("{path}.{k}"),
                    &["string", "number", "boolean", "null"],
                )?;
            }
            Ok(())
        }
        Value::Seq(items) => {
            for (i, e) in items.iter().enumerate() {
                want(e, &format!("{path}.{i}"), &["string"])?;
            }
            let mut seen = HashSet::new();
            for e in items {
                if !seen.insert(e.sprint()) {
                    return Err(error(format!("{path} items must be unique")));
                }
            }
            Ok(())
        }
        _ => Err(type_err(path, &["object"])),
    }
}

fn string_list(v: &Value, path: &str) -> LoadResult<()> {
    let Value::Seq(items) = v else {
        return Err(type_err(path, &["array"]));
    };
    for (i, e) in items.iter().enumerate() {
        want(e, &format!("{path}.{i}"), &["string"])?;
    }
    Ok(())
}

const BUILD_KEYS: &[&str] = &[
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "args",
    "ssh",
    "labels",
    "cache_from",
    "cache_to",
    "no_cache",
    "no_cache_filter",
    "additional_contexts",
    "network",
    "provenance",
    "sbom",
    "pull",
    "target",
    "shm_size",
    "extra_hosts",
    "isolation",
    "privileged",
    "secrets",
    "tags",
    "ulimits",
    "platforms",
];

/// The compose schema, for the filtered subset.
pub(crate) fn validate(f: &Map) -> LoadResult<()> {
    if let Some(services) = f.get("services") {
        let Value::Map(services) = services else {
            return Err(type_err("services", &["object"]));
        };
        for (name, s) in services {
            let p = format!("services.{name}");
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                || name.is_empty()
            {
                return Err(error(format!(
                    "services additional properties '{name}' not allowed"
                )));
            }
            let Value::Map(s) = s else {
                return Err(type_err(&p, &["object"]));
            };
            if let Some(v) = s.get("image") {
                want(v, &format!("{p}.image"), &["string"])?;
            }
            if let Some(v) = s.get("environment") {
                list_or_dict(v, &format!("{p}.environment"))?;
            }
            if let Some(b) = s.get("build") {
                validate_build(b, &format!("{p}.build"))?;
            }
        }
    }
    if let Some(secrets) = f.get("secrets") {
        let Value::Map(secrets) = secrets else {
            return Err(type_err("secrets", &["object"]));
        };
        for (name, s) in secrets {
            let p = format!("secrets.{name}");
            let Value::Map(m) = s else {
                return Err(type_err(&p, &["object"]));
            };
            additional(
                m,
                &p,
                &[
                    "name",
                    "environment",
                    "file",
                    "external",
                    "labels",
                    "driver",
                    "driver_opts",
                    "template_driver",
                ],
            )?;
            for k in ["name", "environment", "file", "driver", "template_driver"] {
                if let Some(v) = m.get(k) {
                    want(v, &format!("{p}.{k}"), &["string"])?;
                }
            }
        }
    }
    Ok(())
}

fn validate_build(b: &Value, p: &str) -> LoadResult<()> {
    let m = match b {
        Value::Str(_) => return Ok(()),
        Value::Map(m) => m,
        _ => return Err(type_err(p, &["string"])),
    };
    additional(m, p, BUILD_KEYS)?;
    for (k, v) in m {
        let kp = format!("{p}.{k}");
        match k.as_str() {
            "context" | "dockerfile" | "dockerfile_inline" | "network" | "target" | "isolation" => {
                want(v, &kp, &["string"])?;
            }
            "entitlements" | "cache_from" | "cache_to" | "tags" | "platforms" => {
                string_list(v, &kp)?;
            }
            "args" | "ssh" | "labels" | "additional_contexts" => list_or_dict(v, &kp)?,
            "no_cache" | "pull" | "privileged" => want(v, &kp, &["boolean", "string"])?,
            "provenance" | "sbom" => want(v, &kp, &["string", "boolean"])?,
            "shm_size" => want(v, &kp, &["integer", "string"])?,
            "no_cache_filter" => match v {
                Value::Str(_) => {}
                _ => string_list(v, &kp).map_err(|_| type_err(&kp, &["string"]))?,
            },
            "extra_hosts" => match v {
                Value::Map(hm) => {
                    for (h, e) in hm {
                        if !matches!(e, Value::Str(_) | Value::Seq(_)) {
                            return Err(type_err(&format!("{kp}.{h}"), &["string"]));
                        }
                    }
                }
                Value::Seq(_) => string_list(v, &kp)?,
                _ => return Err(type_err(&kp, &["object"])),
            },
            "secrets" => {
                let Value::Seq(items) = v else {
                    return Err(type_err(&kp, &["array"]));
                };
                for (i, it) in items.iter().enumerate() {
                    let ip = format!("{kp}.{i}");
                    match it {
                        Value::Str(_) => {}
                        Value::Map(sm) => {
                            additional(sm, &ip, &["source", "target", "uid", "gid", "mode"])?;
                        }
                        _ => return Err(type_err(&ip, &["string"])),
                    }
                }
            }
            "ulimits" => {
                let Value::Map(um) = v else {
                    return Err(type_err(&kp, &["object"]));
                };
                for (n, u) in um {
                    let up = format!("{kp}.{n}");
                    match u {
                        Value::Int(_) | Value::Str(_) => {}
                        Value::Map(lim) => {
                            additional(lim, &up, &["soft", "hard"])?;
                            for r in ["soft", "hard"] {
                                match lim.get(r) {
                                    None => {
                                        return Err(error(format!("{up} missing property '{r}'")))
                                    }
                                    Some(x) => {
                                        want(x, &format!("{up}.{r}"), &["integer", "string"])?
                                    }
                                }
                            }
                        }
                        _ => return Err(type_err(&up, &["integer", "string"])),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
