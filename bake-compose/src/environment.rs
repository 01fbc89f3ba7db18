//! A service's environment (`environment` and `env_file`), which build args without a value
//! read.

use std::collections::BTreeMap;

use crate::dotenv;
use crate::loader::{error, LoadResult, Loader};
use crate::normalize::go_type;
use crate::yaml::{Map, Value};

/// `KEY=VALUE` entries or a mapping, as compose-go's `MappingWithEquals` (None: no value).
pub(crate) fn mapping_with_equals(v: Option<&Value>) -> LoadResult<Vec<(String, Option<String>)>> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut put = |k: String, v: Option<String>| {
        if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
            slot.1 = v;
        } else {
            out.push((k, v));
        }
    };
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let val = match e {
                    Value::Null => None,
                    other => Some(other.sprint()),
                };
                put(k.clone(), val);
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                match s.split_once('=') {
                    Some((k, v)) => {
                        if k.ends_with(char::is_whitespace) {
                            return Err(error(format!(
                                "environment variable {k} is declared with a trailing space"
                            )));
                        }
                        put(k.to_string(), Some(v.to_string()));
                    }
                    None => {
                        if s.ends_with(char::is_whitespace) {
                            return Err(error(format!(
                                "environment variable {s} is declared with a trailing space"
                            )));
                        }
                        put(s, None);
                    }
                }
            }
        }
        Some(other) => {
            return Err(error(format!(
                "unexpected value type {} for mapping",
                go_type(other)
            )))
        }
    }
    Ok(out)
}

impl Loader<'_> {
    /// The service environment after `env_file` (compose-go `WithServicesEnvironmentResolved`).
    pub(crate) fn service_environment(
        &mut self,
        s: &Map,
    ) -> LoadResult<Vec<(String, Option<String>)>> {
        let mut environment = mapping_with_equals(s.get("environment"))?;
        for (k, v) in &mut environment {
            if v.is_none() {
                *v = self.variables.get(k).cloned();
            }
        }
        let Some(Value::Seq(files)) = s.get("env_file") else {
            return Ok(environment);
        };
        let mut from_files: BTreeMap<String, String> = BTreeMap::new();
        for f in files {
            let Value::Map(m) = f else { continue };
            let path = m.get("path").map(Value::sprint).unwrap_or_default();
            let required = !matches!(m.get("required"), Some(Value::Bool(false)));
            let text = match self.read_file(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if required {
                        let abs = self.cwd.join(&path);
                        return Err(error(format!(
                            "env file {} not found: stat {}: no such file or directory",
                            abs.display(),
                            abs.display()
                        )));
                    }
                    continue;
                }
                Err(e) => return Err(error(format!("failed to read {path}: {e}"))),
            };
            let env = &self.variables;
            let envv = &environment;
            let acc = from_files.clone();
            let vars = dotenv::parse(&text, &|k| {
                env.get(k)
                    .cloned()
                    .or_else(|| {
                        envv.iter()
                            .find(|(ek, ev)| ek == k && ev.is_some())
                            .and_then(|(_, v)| v.clone())
                    })
                    .or_else(|| acc.get(k).cloned())
            })
            .map_err(|e| error(format!("failed to read {path}: {e}")))?;
            for (k, v) in vars {
                from_files.insert(k, v);
            }
        }
        let mut out: Vec<(String, Option<String>)> =
            from_files.into_iter().map(|(k, v)| (k, Some(v))).collect();
        for (k, v) in environment {
            if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
                slot.1 = v;
            } else {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}
