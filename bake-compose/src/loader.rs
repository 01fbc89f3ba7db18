//! The Compose loader's shared state and its first stage: files → one merged model
//! (interpolation, `include`, `extends`, `!reset`/`!override`, multi-file merge), as buildx
//! does it (`bake/compose.go` over compose-go).

use std::collections::BTreeMap;
use std::path::Path;

use bake_core::go::join_path;
use bake_core::util::did_you_mean;

use crate::merge::{apply_reset, merge_yaml, unicity};
use crate::normalize::{canonical, resolve_paths};
use crate::yaml::{self, Map, Value};
use crate::ComposeError;

/// A file to load: its display name, its text and its directory relative to the directory of
/// the configuration that loads it ("" for the working directory).
pub(crate) struct FileIn {
    pub name: String,
    pub text: String,
    /// Directory used to resolve relative paths written in this file (relative to `base`).
    pub workdir: String,
    /// Directory, relative to the process working directory, that `workdir` is relative to.
    pub base: String,
    /// Index in the source map (for error snippets), if the file came from the CLI.
    pub source: Option<usize>,
}

pub(crate) struct Loader<'a> {
    pub env: BTreeMap<String, String>,
    pub cwd: &'a Path,
    pub warnings: Vec<ComposeError>,
    pub warn: bool,
    /// Record interpolations (for `--explain`).
    pub record: bool,
    pub interps: Vec<Interp>,
}

/// One interpolated string: where it is, the template, and the variables it looked up.
#[derive(Debug, Clone)]
pub(crate) struct Interp {
    pub path: Vec<String>,
    pub template: String,
    pub lookups: Vec<(String, Option<String>)>,
}

pub(crate) type Res<T> = Result<T, Box<ComposeError>>;

pub(crate) fn err(msg: impl Into<String>) -> Box<ComposeError> {
    Box::new(ComposeError::new(msg))
}

// ---------------------------------------------------------------------------------------
// paths

pub(crate) fn matches(path: &[String], pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('.').collect();
    parts.len() == path.len() && parts.iter().zip(path).all(|(p, s)| *p == "*" || p == s)
}

pub(crate) fn next(path: &[String], k: &str) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(k.to_string());
    p
}

impl Loader<'_> {
    pub(crate) fn lookup(&self, k: &str) -> Option<String> {
        self.env.get(k).cloned()
    }

    pub(crate) fn read(&self, rel: &str) -> std::io::Result<String> {
        let p = if Path::new(rel).is_absolute() {
            Path::new(rel).to_path_buf()
        } else {
            self.cwd.join(rel)
        };
        bake_core::util::read_regular(&p)
    }

    pub(crate) fn expand_user(&self, p: &str) -> String {
        if p == "~" || p.starts_with("~/") {
            if let Some(home) = self.env.get("HOME") {
                return format!("{home}{}", &p[1..]);
            }
        }
        p.to_string()
    }

    /// Loads `files` into one model (compose-go `loadYamlModel`).
    pub(crate) fn load_model(&mut self, files: &[FileIn], included: &mut Vec<String>) -> Res<Map> {
        let mut dict = Map::new();
        let workdir = files.first().map(|f| f.workdir.clone()).unwrap_or_default();
        for f in files {
            let docs = yaml::parse(&f.text).map_err(|e| {
                let what = if f.name.is_empty() {
                    "compose file"
                } else {
                    f.name.as_str()
                };
                let mut ce = err(format!("failed to parse {what}: {}", e.message));
                if let (Some(src), Some(off)) = (f.source, e.offset) {
                    ce = Box::new(ce.at(src, off));
                }
                ce
            })?;
            for doc in docs {
                let Value::Map(cfg) = doc.root else {
                    return Err(err("top-level object must be a mapping"));
                };
                // buildx ignores top-level keys it does not know; we accept them too, but say so.
                const TOP: &[&str] = &[
                    "version", "name", "include", "services", "networks", "volumes", "secrets",
                    "configs", "models",
                ];
                for k in cfg.keys() {
                    if !k.starts_with("x-") && !TOP.contains(&k.as_str()) {
                        let near = did_you_mean(k, TOP.iter().copied());
                        let mut w = *err(format!(
                            "unknown top-level key `{k}` in {} is ignored",
                            if f.name.is_empty() {
                                "the compose file"
                            } else {
                                f.name.as_str()
                            }
                        ));
                        w.help = near.or_else(|| Some("extension keys start with `x-`".into()));
                        self.warnings.push(w);
                    }
                }
                let mut cfg = self.interpolate_root(cfg)?;
                included.push(join_path(&f.base, &f.name));
                self.apply_include(&mut cfg, f, included)?;
                apply_reset(&mut dict, &doc.reset_paths);
                self.apply_extends(&mut cfg, f, &doc.reset_paths)?;
                dict = match merge_yaml(Value::Map(dict), Value::Map(cfg), &[])? {
                    Value::Map(m) => m,
                    _ => Map::new(),
                };
                unicity(&mut dict);
                dict.shift_remove("version");
                canonical(&mut dict)?;
            }
        }
        resolve_paths(self, &mut dict, &workdir);
        Ok(dict)
    }
}

pub(crate) fn io_msg(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        // `read_regular`'s refusals (not a regular file, too large), a symlink loop, ...
        _ => e.to_string(),
    }
}
