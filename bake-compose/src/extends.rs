//! `extends`: a service built on another one, from this file or another.

use std::path::Path;

use bake_core::go::join_path;

use crate::loader::{err, io_msg, FileIn, Loader, Res};
use crate::merge::{apply_reset, merge_yaml};
use crate::normalize::{canonical, resolve_paths};
use crate::yaml::{self, Map, Value};

impl Loader<'_> {
    pub(crate) fn apply_extends(
        &mut self,
        cfg: &mut Map,
        f: &FileIn,
        resets: &[String],
    ) -> Res<()> {
        let Some(Value::Map(services)) = cfg.get("services") else {
            return Ok(());
        };
        let mut services = services.clone();
        let names: Vec<String> = services.keys().cloned().collect();
        for name in names {
            let mut stack = Vec::new();
            self.extend_service(&name, &mut services, f, resets, &mut stack)?;
        }
        cfg.insert("services".into(), Value::Map(services));
        Ok(())
    }

    fn extend_service(
        &mut self,
        name: &str,
        services: &mut Map,
        f: &FileIn,
        resets: &[String],
        stack: &mut Vec<String>,
    ) -> Res<Option<Value>> {
        let Some(s) = services.get(name).cloned() else {
            return Ok(None);
        };
        let Value::Map(service) = s else {
            if s == Value::Null {
                return Ok(None);
            }
            return Err(err(format!("services.{name} must be a mapping")));
        };
        let Some(ext) = service.get("extends").cloned() else {
            return Ok(Some(Value::Map(service)));
        };
        let (reference, file) = match ext {
            Value::Str(s) => (s, None),
            Value::Map(m) => {
                let Some(Value::Str(r)) = m.get("service") else {
                    return Err(err(format!("extends.{name}.service is required")));
                };
                let file = match m.get("file") {
                    Some(Value::Str(s)) => Some(s.clone()),
                    _ => None,
                };
                (r.clone(), file)
            }
            _ => return Ok(Some(Value::Map(service))),
        };
        if stack.iter().any(|s| s == name) {
            return Err(err(format!(
                "Circular reference with extends: {} -> {name}",
                stack.join(" -> ")
            )));
        }
        stack.push(name.to_string());
        let base = if let Some(file) = file {
            let here = join_path(&f.base, &f.workdir);
            let full = join_path(&here, &file);
            let text = self
                .read(&full)
                .map_err(|e| err(format!("open {full}: {}", io_msg(&e))))?;
            let docs = yaml::parse(&text)
                .map_err(|e| err(format!("failed to parse {full}: {}", e.message)))?;
            let mut other = Map::new();
            for d in docs {
                if let Value::Map(m) = d.root {
                    other = self.interpolate_root(m)?;
                }
            }
            let Some(Value::Map(mut osvc)) = other.shift_remove("services") else {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found in {full}",
                    f.name
                )));
            };
            let dir = Path::new(&file)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let sub = FileIn {
                name: full.clone(),
                text: String::new(),
                workdir: dir.clone(),
                base: here.clone(),
                source: None,
            };
            let b = self.extend_service(&reference, &mut osvc, &sub, &[], &mut Vec::new())?;
            let Some(mut b) = b else {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found in {full}",
                    f.name
                )));
            };
            // paths of the base are relative to its own file
            let mut wrapper = Map::new();
            let mut svcs = Map::new();
            svcs.insert(reference.clone(), b.clone());
            wrapper.insert("services".into(), Value::Map(svcs));
            canonical(&mut wrapper)?;
            resolve_paths(self, &mut wrapper, &dir);
            if let Some(Value::Map(s)) = wrapper.get("services") {
                if let Some(v) = s.get(&reference) {
                    b = v.clone();
                }
            }
            Some(b)
        } else {
            if !services.contains_key(&reference) {
                return Err(err(format!(
                    "cannot extend service {name:?} in {}: service {reference:?} not found",
                    f.name
                )));
            }
            self.extend_service(&reference, services, f, resets, stack)?
        };
        stack.pop();
        let Some(base) = base else {
            return Ok(Some(Value::Map(service)));
        };
        let mut wrapper = Map::new();
        let mut svcs = Map::new();
        svcs.insert(name.to_string(), base);
        wrapper.insert("services".into(), Value::Map(svcs));
        apply_reset(&mut wrapper, resets);
        let base = match wrapper.get("services") {
            Some(Value::Map(s)) => s.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
        let base = if base == Value::Null {
            Value::Map(Map::new())
        } else {
            base
        };
        let merged = merge_yaml(
            base,
            Value::Map(service),
            &["services".to_string(), "x".to_string()],
        )?;
        let merged = match merged {
            Value::Map(mut m) => {
                m.shift_remove("extends");
                Value::Map(m)
            }
            other => other,
        };
        services.insert(name.to_string(), merged.clone());
        Ok(Some(merged))
    }
}
