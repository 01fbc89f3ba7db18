//! The build subset of the model (what buildx keeps), its compose-spec schema checks, and
//! the project's consistency (compose-go `checkConsistency`). A build key is checked as its
//! row of the build key table says.

use std::collections::HashSet;

use crate::build_keys::{build_key, feeding, BuildKey, Schema, BUILD_KEYS};
use crate::convert::secret_source;
use crate::loader::{error, LoadResult};
use crate::yaml::{Map, Value};
use crate::ComposeError;

/// The keys of a top-level secret.
const SECRET_KEYS: &[&str] = &[
    "name",
    "environment",
    "file",
    "external",
    "labels",
    "driver",
    "driver_opts",
    "template_driver",
];

/// The keys of a top-level secret that are strings.
const SECRET_STRING_KEYS: [&str; 5] = ["name", "environment", "file", "driver", "template_driver"];

/// The keys of a build secret given as a mapping.
const BUILD_SECRET_KEYS: &[&str] = &["source", "target", "uid", "gid", "mode"];

/// The limits of a ulimit given as a mapping.
const ULIMIT_LIMITS: [&str; 2] = ["soft", "hard"];

/// Keeps what buildx keeps: `services.*.{image,build,environment,env_file}` and `secrets`.
pub(crate) fn build_subset(raw: &Map) -> Map {
    let mut out = Map::new();
    if let Some(Value::Map(services)) = raw.get("services") {
        let mut kept = Map::new();
        for (name, svc) in services {
            match svc {
                Value::Null => {
                    kept.insert(name.clone(), Value::Map(Map::new()));
                }
                Value::Map(m) => {
                    let mut f = Map::new();
                    for k in ["image", "build", "environment", "env_file"] {
                        if let Some(v) = m.get(k) {
                            f.insert(k.to_string(), v.clone());
                        }
                    }
                    kept.insert(name.clone(), Value::Map(f));
                }
                _ => {}
            }
        }
        out.insert("services".into(), Value::Map(kept));
    }
    if let Some(v) = raw.get("secrets") {
        out.insert("secrets".into(), v.clone());
    }
    out
}

/// The compose schema, for the build subset.
pub(crate) fn validate(subset: &Map) -> LoadResult<()> {
    if let Some(services) = subset.get("services") {
        let Value::Map(services) = services else {
            return Err(type_error("services", &["object"]));
        };
        for (name, s) in services {
            validate_service(name, s)?;
        }
    }
    if let Some(secrets) = subset.get("secrets") {
        let Value::Map(secrets) = secrets else {
            return Err(type_error("secrets", &["object"]));
        };
        for (name, s) in secrets {
            let p = format!("secrets.{name}");
            let Value::Map(m) = s else {
                return Err(type_error(&p, &["object"]));
            };
            reject_unknown_keys(m, &p, |k| SECRET_KEYS.contains(&k))?;
            for k in SECRET_STRING_KEYS {
                if let Some(v) = m.get(k) {
                    expect_type(v, &format!("{p}.{k}"), &["string"])?;
                }
            }
        }
    }
    Ok(())
}

fn validate_service(name: &str, service: &Value) -> LoadResult<()> {
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
    let Value::Map(s) = service else {
        return Err(type_error(&p, &["object"]));
    };
    if let Some(v) = s.get("image") {
        expect_type(v, &format!("{p}.image"), &["string"])?;
    }
    if let Some(v) = s.get("environment") {
        check_list_or_dict(v, &format!("{p}.environment"))?;
    }
    if let Some(b) = s.get("build") {
        validate_build(b, &format!("{p}.build"))?;
    }
    Ok(())
}

/// A build section: a context path, or a mapping of build keys, each of its schema.
fn validate_build(build: &Value, p: &str) -> LoadResult<()> {
    let m = match build {
        Value::Str(_) => return Ok(()),
        Value::Map(m) => m,
        _ => return Err(type_error(p, &["string"])),
    };
    reject_unknown_keys(m, p, |k| build_key(k).is_some())?;
    for (k, v) in m {
        if let Some(key) = build_key(k) {
            check_schema(key.schema, v, &format!("{p}.{k}"))?;
        }
    }
    Ok(())
}

fn check_schema(schema: Schema, v: &Value, path: &str) -> LoadResult<()> {
    match schema {
        Schema::Types(types) => expect_type(v, path, types),
        Schema::StringList => check_string_list(v, path),
        Schema::ListOrDict => check_list_or_dict(v, path),
        Schema::StringOrList => match v {
            Value::Str(_) => Ok(()),
            _ => check_string_list(v, path).map_err(|_| type_error(path, &["string"])),
        },
        Schema::Custom(check) => check(v, path),
        Schema::Any => Ok(()),
    }
}

/// Extra hosts: a mapping of hosts to an IP or a list of them, or a list of strings.
pub(crate) fn check_hosts(v: &Value, path: &str) -> LoadResult<()> {
    match v {
        Value::Map(hosts) => {
            for (h, e) in hosts {
                if !matches!(e, Value::Str(_) | Value::Seq(_)) {
                    return Err(type_error(&format!("{path}.{h}"), &["string"]));
                }
            }
            Ok(())
        }
        Value::Seq(_) => check_string_list(v, path),
        _ => Err(type_error(path, &["object"])),
    }
}

/// Build secrets: a list of secret names or of mappings.
pub(crate) fn check_build_secrets(v: &Value, path: &str) -> LoadResult<()> {
    let Value::Seq(items) = v else {
        return Err(type_error(path, &["array"]));
    };
    for (i, it) in items.iter().enumerate() {
        let ip = format!("{path}.{i}");
        match it {
            Value::Str(_) => {}
            Value::Map(m) => reject_unknown_keys(m, &ip, |k| BUILD_SECRET_KEYS.contains(&k))?,
            _ => return Err(type_error(&ip, &["string"])),
        }
    }
    Ok(())
}

/// Ulimits: a mapping of names to a limit or to a mapping of both limits.
pub(crate) fn check_ulimit_map(v: &Value, path: &str) -> LoadResult<()> {
    let Value::Map(limits_by_name) = v else {
        return Err(type_error(path, &["object"]));
    };
    for (n, u) in limits_by_name {
        let up = format!("{path}.{n}");
        match u {
            Value::Int(_) | Value::Str(_) => {}
            Value::Map(limits) => {
                reject_unknown_keys(limits, &up, |k| ULIMIT_LIMITS.contains(&k))?;
                for r in ULIMIT_LIMITS {
                    match limits.get(r) {
                        None => return Err(error(format!("{up} missing property '{r}'"))),
                        Some(x) => expect_type(x, &format!("{up}.{r}"), &["integer", "string"])?,
                    }
                }
            }
            _ => return Err(type_error(&up, &["integer", "string"])),
        }
    }
    Ok(())
}

/// A build key of one service, with what its consistency check may read of the project.
pub(crate) struct KeyInProject<'a> {
    /// The service.
    pub(crate) service: &'a str,
    /// The key's row.
    pub(crate) key: &'a BuildKey,
    /// The key's value.
    pub(crate) value: &'a Value,
    /// The service's build section.
    pub(crate) build: &'a Map,
    /// The project's top-level `secrets`.
    pub(crate) secrets: &'a Map,
}

/// Each service has an image or a build section, and its build keys agree with the rest
/// of the project.
pub(crate) fn check_consistency(services: &Map, secrets: &Map) -> LoadResult<()> {
    for (name, s) in services {
        let Value::Map(s) = s else { continue };
        if !s.contains_key("build") && !s.contains_key("image") {
            return Err(error(format!(
                "service {name:?} has neither an image nor a build context specified: invalid compose project"
            )));
        }
        let Some(Value::Map(build)) = s.get("build") else {
            continue;
        };
        for key in BUILD_KEYS {
            let (Some(check), Some(value)) = (key.check, build.get(key.name)) else {
                continue;
            };
            check(&KeyInProject {
                service: name,
                key,
                value,
                build,
                secrets,
            })?;
        }
    }
    Ok(())
}

/// Every build secret is a top-level secret.
pub(crate) fn secrets_are_defined(k: &KeyInProject<'_>) -> LoadResult<()> {
    let Value::Seq(entries) = k.value else {
        return Ok(());
    };
    for entry in entries {
        let src = secret_source(entry);
        if !k.secrets.contains_key(&src) {
            return Err(error(format!(
                "service {:?} refers to undefined build secret {src}: invalid compose project",
                k.service
            )));
        }
    }
    Ok(())
}

/// An inline Dockerfile and a Dockerfile path exclude each other.
pub(crate) fn not_with_a_dockerfile(k: &KeyInProject<'_>) -> LoadResult<()> {
    let Some(dockerfile) = feeding("dockerfile") else {
        return Ok(());
    };
    if !k.value.sprint().is_empty()
        && k.build
            .get(dockerfile.name)
            .is_some_and(|v| !v.sprint().is_empty())
    {
        return Err(error(format!(
            "service {:?} declares mutualy exclusive {} and {}: invalid compose project",
            k.service, dockerfile.name, k.key.name
        )));
    }
    Ok(())
}

/// "PATH must be a T" (or "a T, U or V", sorted); the error points at `path`.
pub(crate) fn type_error(path: &str, want: &[&str]) -> Box<ComposeError> {
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

fn expect_type(v: &Value, path: &str, types: &[&str]) -> LoadResult<()> {
    if types.iter().any(|t| is_type(v, t)) {
        Ok(())
    } else {
        Err(type_error(path, types))
    }
}

/// Fails on keys `known` does not accept (`x-` keys are always accepted), naming them all.
fn reject_unknown_keys(m: &Map, path: &str, known: impl Fn(&str) -> bool) -> LoadResult<()> {
    let extra: Vec<String> = m
        .keys()
        .filter(|k| !k.starts_with("x-") && !known(k))
        .map(|k| format!("'{k}'"))
        .collect();
    if extra.is_empty() {
        Ok(())
    } else {
        Err(error(format!(
            "{path} additional properties {} not allowed",
            extra.join(", ")
        )))
    }
}

fn check_list_or_dict(v: &Value, path: &str) -> LoadResult<()> {
    match v {
        Value::Map(m) => {
            for (k, e) in m {
                expect_type(
                    e,
                    &format!("{path}.{k}"),
                    &["string", "number", "boolean", "null"],
                )?;
            }
            Ok(())
        }
        Value::Seq(items) => {
            for (i, e) in items.iter().enumerate() {
                expect_type(e, &format!("{path}.{i}"), &["string"])?;
            }
            let mut seen = HashSet::new();
            for e in items {
                if !seen.insert(e.sprint()) {
                    return Err(error(format!("{path} items must be unique")));
                }
            }
            Ok(())
        }
        _ => Err(type_error(path, &["object"])),
    }
}

fn check_string_list(v: &Value, path: &str) -> LoadResult<()> {
    let Value::Seq(items) = v else {
        return Err(type_error(path, &["array"]));
    };
    for (i, e) in items.iter().enumerate() {
        expect_type(e, &format!("{path}.{i}"), &["string"])?;
    }
    Ok(())
}
