//! `extends`: a service built on another one, from this file or another.

use std::path::Path;

use bake_core::api::go::join_path;

use crate::loader::{error, io_reason, ComposeFile, LoadResult, Loader};
use crate::merge::{merge_values, remove_reset_paths};
use crate::normalize::{canonicalize, resolve_paths};
use crate::yaml::{self, Map, Value};

/// What a service's `extends` names: a service, and the file it is in when not this one.
struct ExtendsRef {
    service: String,
    file: Option<String>,
}

impl Loader<'_> {
    /// Replaces every service of `document` that extends another by the merge of the two.
    pub(crate) fn resolve_extends(
        &mut self,
        document: &mut Map,
        file: &ComposeFile,
        resets: &[String],
    ) -> LoadResult<()> {
        let Some(Value::Map(services)) = document.get("services") else {
            return Ok(());
        };
        let mut services = services.clone();
        let names: Vec<String> = services.keys().cloned().collect();
        for name in names {
            let mut stack = Vec::new();
            self.extend_service(&name, &mut services, file, resets, &mut stack)?;
        }
        document.insert("services".into(), Value::Map(services));
        Ok(())
    }

    /// Service `name` of `services` with what it extends merged in (recursively; `stack` holds
    /// the services being extended, for cycles); `None` if there is no such service.
    fn extend_service(
        &mut self,
        name: &str,
        services: &mut Map,
        file: &ComposeFile,
        resets: &[String],
        stack: &mut Vec<String>,
    ) -> LoadResult<Option<Value>> {
        let Some(s) = services.get(name).cloned() else {
            return Ok(None);
        };
        let Value::Map(service) = s else {
            if s == Value::Null {
                return Ok(None);
            }
            return Err(error(format!("services.{name} must be a mapping")));
        };
        let Some(reference) = parse_extends(name, &service)? else {
            return Ok(Some(Value::Map(service)));
        };
        if stack.iter().any(|s| s == name) {
            return Err(error(format!(
                "Circular reference with extends: {} -> {name}",
                stack.join(" -> ")
            )));
        }
        stack.push(name.to_string());
        let base = if let Some(other) = &reference.file {
            Some(self.base_from_file(name, &reference.service, other, file)?)
        } else {
            if !services.contains_key(&reference.service) {
                return Err(error(format!(
                    "cannot extend service {name:?} in {}: service {:?} not found",
                    file.name, reference.service
                )));
            }
            self.extend_service(&reference.service, services, file, resets, stack)?
        };
        stack.pop();
        let Some(base) = base else {
            return Ok(Some(Value::Map(service)));
        };
        let merged = merge_over_base(name, base, service, resets)?;
        services.insert(name.to_string(), merged.clone());
        Ok(Some(merged))
    }

    /// Service `reference` of file `other` (relative to `file`'s directory), extended in
    /// turn, its paths resolved against its own file's directory.
    fn base_from_file(
        &mut self,
        name: &str,
        reference: &str,
        other: &str,
        file: &ComposeFile,
    ) -> LoadResult<Value> {
        let here = join_path(&file.base, &file.workdir);
        let full = join_path(&here, other);
        let not_found = || {
            error(format!(
                "cannot extend service {name:?} in {}: service {reference:?} not found in {full}",
                file.name
            ))
        };
        let text = self
            .read_file(&full)
            .map_err(|e| error(format!("open {full}: {}", io_reason(&e))))?;
        let docs = yaml::parse(&text)
            .map_err(|e| error(format!("failed to parse {full}: {}", e.message)))?;
        let mut model = Map::new();
        for d in docs {
            if let Value::Map(m) = d.root {
                model = self.interpolate_document(m)?;
            }
        }
        let Some(Value::Map(mut services)) = model.shift_remove("services") else {
            return Err(not_found());
        };
        let dir = Path::new(other)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let other_file = ComposeFile {
            name: full.clone(),
            text: String::new(),
            workdir: dir.clone(),
            base: here.clone(),
            source: None,
        };
        let extended =
            self.extend_service(reference, &mut services, &other_file, &[], &mut Vec::new())?;
        let Some(mut base) = extended else {
            return Err(not_found());
        };
        let mut wrapper = services_model(reference, base.clone());
        canonicalize(&mut wrapper)?;
        resolve_paths(self, &mut wrapper, &dir);
        if let Some(Value::Map(s)) = wrapper.get("services") {
            if let Some(v) = s.get(reference) {
                base = v.clone();
            }
        }
        Ok(base)
    }
}

/// A service's `extends`: a service name, or a mapping with `service` and `file`; `None`
/// when it has none (or one of another type).
fn parse_extends(name: &str, service: &Map) -> LoadResult<Option<ExtendsRef>> {
    match service.get("extends") {
        Some(Value::Str(s)) => Ok(Some(ExtendsRef {
            service: s.clone(),
            file: None,
        })),
        Some(Value::Map(m)) => {
            let Some(Value::Str(r)) = m.get("service") else {
                return Err(error(format!("extends.{name}.service is required")));
            };
            let file = match m.get("file") {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            };
            Ok(Some(ExtendsRef {
                service: r.clone(),
                file,
            }))
        }
        _ => Ok(None),
    }
}

/// `service` merged over `base`, after the file's `!reset` paths removed from the base what
/// they reset; without its `extends`.
fn merge_over_base(name: &str, base: Value, service: Map, resets: &[String]) -> LoadResult<Value> {
    let mut wrapper = services_model(name, base);
    remove_reset_paths(&mut wrapper, resets);
    let base = match wrapper.get("services") {
        Some(Value::Map(s)) => s.get(name).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let base = if base == Value::Null {
        Value::Map(Map::new())
    } else {
        base
    };
    let merged = merge_values(
        base,
        Value::Map(service),
        &["services".to_string(), "x".to_string()],
    )?;
    Ok(match merged {
        Value::Map(mut m) => {
            m.shift_remove("extends");
            Value::Map(m)
        }
        other => other,
    })
}

/// A model with the one service `name`, so the model-wide steps can run on it.
fn services_model(name: &str, service: Value) -> Map {
    let mut services = Map::new();
    services.insert(name.to_string(), service);
    let mut model = Map::new();
    model.insert("services".into(), Value::Map(services));
    model
}
