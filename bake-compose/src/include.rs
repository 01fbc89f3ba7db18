//! `include`: other Compose files loaded into this one's sections.

use std::path::Path;

use bake_core::go::join_path;

use crate::loader::{err, io_msg, FileIn, Loader, Res};
use crate::merge::merge_yaml;
use crate::yaml::{Map, Value};

impl Loader<'_> {
    pub(crate) fn apply_include(
        &mut self,
        cfg: &mut Map,
        f: &FileIn,
        included: &mut [String],
    ) -> Res<()> {
        let Some(inc) = cfg.shift_remove("include") else {
            return Ok(());
        };
        let Value::Seq(items) = inc else {
            if inc == Value::Null {
                return Ok(());
            }
            return Err(err(format!(
                "`include` must be a list, got {}",
                inc.sprint()
            )));
        };
        for item in items {
            let (paths, project_dir) = match item {
                Value::Str(s) => (vec![s], None),
                Value::Map(m) => {
                    let paths = match m.get("path") {
                        Some(Value::Str(s)) => vec![s.clone()],
                        Some(Value::Seq(v)) => v.iter().map(Value::sprint).collect(),
                        _ => return Err(err("include: path is required")),
                    };
                    let pd = match m.get("project_directory") {
                        Some(Value::Str(s)) => Some(s.clone()),
                        _ => None,
                    };
                    (paths, pd)
                }
                other => return Err(err(format!("invalid include entry {}", other.sprint()))),
            };
            // paths relative to the including file's directory
            let here = join_path(&f.base, &f.workdir);
            let first = paths.first().cloned().unwrap_or_default();
            let rel_dir = match &project_dir {
                Some(pd) => pd.clone(),
                None => {
                    let d = Path::new(&first)
                        .parent()
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if d.is_empty() {
                        ".".into()
                    } else {
                        d
                    }
                }
            };
            let mut files = Vec::new();
            for p in &paths {
                let full = join_path(&here, p);
                if included.contains(&full) {
                    let mut chain = included.to_vec();
                    chain.push(full);
                    return Err(err(format!(
                        "include cycle detected:\n{}\n include {}",
                        chain[0],
                        chain[1..].join("\n include ")
                    )));
                }
                let text = self
                    .read(&full)
                    .map_err(|e| err(format!("open {full}: {}", io_msg(&e))))?;
                files.push(FileIn {
                    name: full.clone(),
                    text,
                    workdir: rel_dir.clone(),
                    base: here.clone(),
                    source: None,
                });
            }
            let imported = self.load_model(&files, &mut included.to_vec())?;
            for key in [
                "services", "volumes", "networks", "secrets", "configs", "models",
            ] {
                let Some(Value::Map(from)) = imported.get(key) else {
                    continue;
                };
                let to = cfg
                    .entry(key.to_string())
                    .or_insert_with(|| Value::Map(Map::new()));
                if *to == Value::Null {
                    *to = Value::Map(Map::new());
                }
                let Value::Map(to) = to else { continue };
                for (name, a) in from {
                    match to.get(name).cloned() {
                        None => {
                            to.insert(name.clone(), a.clone());
                        }
                        Some(existing) => {
                            let merged =
                                merge_yaml(a.clone(), existing, &[key.to_string(), name.clone()])?;
                            to.insert(name.clone(), merged);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
