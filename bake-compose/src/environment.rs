//! A service's environment (`environment` and `env_file`), which build args without a value
//! read.

use std::collections::BTreeMap;

use crate::dotenv;
use crate::loader::{error, LoadResult, Loader};
use crate::yaml::{Map, Value};

/// Variables in the order they were declared; `None` for a name declared without a value.
pub(crate) type Environment = Vec<(String, Option<String>)>;

/// The value of `name` in `environment`, if it has one.
pub(crate) fn value_of(environment: &Environment, name: &str) -> Option<String> {
    environment
        .iter()
        .find(|(n, v)| n == name && v.is_some())
        .and_then(|(_, v)| v.clone())
}

/// Sets `name` in `environment`, where it was declared if it was.
fn set(environment: &mut Environment, name: String, value: Option<String>) {
    if let Some(slot) = environment.iter_mut().find(|(n, _)| *n == name) {
        slot.1 = value;
    } else {
        environment.push((name, value));
    }
}

/// `KEY=VALUE` entries or a mapping, as compose-go's `MappingWithEquals` (None: no value).
pub(crate) fn mapping_with_equals(v: Option<&Value>) -> LoadResult<Environment> {
    let mut out = Environment::new();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let val = match e {
                    Value::Null => None,
                    other => Some(other.sprint()),
                };
                set(&mut out, k.clone(), val);
            }
        }
        Some(Value::Seq(items)) => {
            for it in items {
                let s = it.sprint();
                let (name, value) = match s.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (s, None),
                };
                if name.ends_with(char::is_whitespace) {
                    return Err(error(format!(
                        "environment variable {name} is declared with a trailing space"
                    )));
                }
                set(&mut out, name, value);
            }
        }
        Some(other) => {
            return Err(error(format!(
                "unexpected value type {} for mapping",
                other.go_type()
            )))
        }
    }
    Ok(out)
}

impl Loader<'_> {
    /// The service environment after `env_file` (compose-go `WithServicesEnvironmentResolved`).
    pub(crate) fn service_environment(&mut self, service: &Map) -> LoadResult<Environment> {
        let mut environment = mapping_with_equals(service.get("environment"))?;
        for (k, v) in &mut environment {
            if v.is_none() {
                *v = self.variables.get(k).cloned();
            }
        }
        let Some(Value::Seq(files)) = service.get("env_file") else {
            return Ok(environment);
        };
        let mut from_files: BTreeMap<String, String> = BTreeMap::new();
        for f in files {
            let Value::Map(m) = f else { continue };
            let path = m.get("path").map(Value::sprint).unwrap_or_default();
            let required = !matches!(m.get("required"), Some(Value::Bool(false)));
            let Some(text) = self.read_env_file(&path, required)? else {
                continue;
            };
            let variables = &self.variables;
            let declared = &environment;
            let earlier = from_files.clone();
            let vars = dotenv::parse(&text, &|k| {
                variables
                    .get(k)
                    .cloned()
                    .or_else(|| value_of(declared, k))
                    .or_else(|| earlier.get(k).cloned())
            })
            .map_err(|e| error(format!("failed to read {path}: {e}")))?;
            for (k, v) in vars {
                from_files.insert(k, v);
            }
        }
        let mut out: Environment = from_files.into_iter().map(|(k, v)| (k, Some(v))).collect();
        for (k, v) in environment {
            set(&mut out, k, v);
        }
        Ok(out)
    }

    /// The text of an `env_file`; `None` for a missing file that is not required.
    fn read_env_file(&self, path: &str, required: bool) -> LoadResult<Option<String>> {
        match self.read_file(path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if required {
                    let abs = self.cwd.join(path);
                    return Err(error(format!(
                        "env file {} not found: stat {}: no such file or directory",
                        abs.display(),
                        abs.display()
                    )));
                }
                Ok(None)
            }
            Err(e) => Err(error(format!("failed to read {path}: {e}"))),
        }
    }
}
