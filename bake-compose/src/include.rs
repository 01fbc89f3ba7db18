//! `include`: other Compose files loaded into this one's sections.

use std::path::Path;

use bake_core::api::go::join_path;

use crate::loader::{error, io_reason, ComposeFile, LoadResult, Loader};
use crate::merge::merge_values;
use crate::yaml::{Map, Value};

/// The sections an included file adds to.
const INCLUDED_SECTIONS: [&str; 6] = [
    "services", "volumes", "networks", "secrets", "configs", "models",
];

/// One `include` entry: the files, and the directory their relative paths are resolved
/// against when it says (`project_directory`).
struct IncludeEntry {
    paths: Vec<String>,
    project_directory: Option<String>,
}

impl Loader<'_> {
    /// Loads the files `document`'s `include` names and merges them into its sections (the
    /// including file wins).
    pub(crate) fn load_includes(
        &mut self,
        document: &mut Map,
        file: &ComposeFile,
        included: &mut [String],
    ) -> LoadResult<()> {
        let Some(include) = document.shift_remove("include") else {
            return Ok(());
        };
        let Value::Seq(items) = include else {
            if include == Value::Null {
                return Ok(());
            }
            return Err(error(format!(
                "`include` must be a list, got {}",
                include.sprint()
            )));
        };
        for item in items {
            let entry = parse_include_entry(item)?;
            let files = self.read_included_files(&entry, file, included)?;
            let imported = self.load_model(&files, &mut included.to_vec())?;
            merge_imported(document, &imported)?;
        }
        Ok(())
    }

    /// Reads the files of one entry, paths relative to the including file's directory.
    fn read_included_files(
        &self,
        entry: &IncludeEntry,
        file: &ComposeFile,
        included: &[String],
    ) -> LoadResult<Vec<ComposeFile>> {
        let here = join_path(&file.base, &file.workdir);
        let workdir = entry.workdir();
        let mut files = Vec::new();
        for p in &entry.paths {
            let full = join_path(&here, p);
            if included.contains(&full) {
                let mut chain = included.to_vec();
                chain.push(full);
                return Err(error(format!(
                    "include cycle detected:\n{}\n include {}",
                    chain[0],
                    chain[1..].join("\n include ")
                )));
            }
            let text = self
                .read_file(&full)
                .map_err(|e| error(format!("open {full}: {}", io_reason(&e))))?;
            files.push(ComposeFile {
                name: full.clone(),
                text,
                workdir: workdir.clone(),
                base: here.clone(),
                source: None,
            });
        }
        Ok(files)
    }
}

impl IncludeEntry {
    /// The directory the included files' relative paths are resolved against:
    /// `project_directory`, else the first file's directory.
    fn workdir(&self) -> String {
        if let Some(pd) = &self.project_directory {
            return pd.clone();
        }
        let first = self.paths.first().cloned().unwrap_or_default();
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
}

/// An entry is a path, or a mapping with `path` (one or a list) and `project_directory`.
fn parse_include_entry(item: Value) -> LoadResult<IncludeEntry> {
    match item {
        Value::Str(s) => Ok(IncludeEntry {
            paths: vec![s],
            project_directory: None,
        }),
        Value::Map(m) => {
            let paths = match m.get("path") {
                Some(Value::Str(s)) => vec![s.clone()],
                Some(Value::Seq(v)) => v.iter().map(Value::sprint).collect(),
                _ => return Err(error("include: path is required")),
            };
            let project_directory = match m.get("project_directory") {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            };
            Ok(IncludeEntry {
                paths,
                project_directory,
            })
        }
        other => Err(error(format!("invalid include entry {}", other.sprint()))),
    }
}

/// Adds the sections of an included model to `document`'s; an entry both define is the
/// included one merged under the including one.
fn merge_imported(document: &mut Map, imported: &Map) -> LoadResult<()> {
    for key in INCLUDED_SECTIONS {
        let Some(Value::Map(from)) = imported.get(key) else {
            continue;
        };
        let to = document
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
                        merge_values(a.clone(), existing, &[key.to_string(), name.clone()])?;
                    to.insert(name.clone(), merged);
                }
            }
        }
    }
    Ok(())
}
