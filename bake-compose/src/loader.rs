//! The Compose loader's shared state and its first stage: files → one merged model
//! (interpolation, `include`, `extends`, `!reset`/`!override`, multi-file merge), as buildx
//! does it (`bake/compose.go` over compose-go).

use std::collections::BTreeMap;
use std::path::Path;

use bake_core::api::frontend::did_you_mean;
use bake_core::api::go::join_path;

use crate::merge::{dedupe_entry_lists, merge_values, remove_reset_paths};
use crate::normalize::{canonicalize, resolve_paths};
use crate::yaml::{self, Document, Map, Value};
use crate::ComposeError;

/// A file to load: its display name, its text and its directory relative to the directory of
/// the configuration that loads it ("" for the working directory).
pub(crate) struct ComposeFile {
    pub name: String,
    pub text: String,
    /// Directory used to resolve relative paths written in this file (relative to `base`).
    pub workdir: String,
    /// Directory, relative to the process working directory, that `workdir` is relative to.
    pub base: String,
    /// Index in the source map (for error snippets), if the file came from the CLI.
    pub source: Option<usize>,
}

/// Loads Compose files and lowers them to bake targets; what it collects on the way (warnings,
/// interpolations) is read once it is done.
pub(crate) struct Loader<'a> {
    /// The variables interpolation sees (`--var`, the environment, `.env`).
    pub variables: BTreeMap<String, String>,
    pub cwd: &'a Path,
    pub warnings: Vec<ComposeError>,
    /// Warn about variables that are not set (they interpolate as blank strings).
    pub warn_unset_variables: bool,
    /// Record interpolations (for `--explain`).
    pub record_interpolations: bool,
    pub interpolations: Vec<RecordedInterpolation>,
}

/// One interpolated string: where it is, the template, and the variables it looked up.
#[derive(Debug, Clone)]
pub(crate) struct RecordedInterpolation {
    pub path: Vec<String>,
    pub template: String,
    pub lookups: Vec<(String, Option<String>)>,
}

pub(crate) type LoadResult<T> = Result<T, Box<ComposeError>>;

pub(crate) fn error(msg: impl Into<String>) -> Box<ComposeError> {
    Box::new(ComposeError::new(msg))
}

/// The top-level keys of a Compose file; buildx ignores others.
const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models",
];

/// Whether `path` matches the dotted `pattern`, where `*` matches any one key.
pub(crate) fn path_matches(path: &[String], pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('.').collect();
    parts.len() == path.len() && parts.iter().zip(path).all(|(p, s)| *p == "*" || p == s)
}

/// `path` with `key` appended.
pub(crate) fn child_path(path: &[String], key: &str) -> Vec<String> {
    let mut p = path.to_vec();
    p.push(key.to_string());
    p
}

impl<'a> Loader<'a> {
    /// A loader that reads files relative to `cwd` and interpolates with `variables`; it
    /// neither warns about unset variables nor records interpolations until told to.
    pub(crate) fn new(variables: BTreeMap<String, String>, cwd: &'a Path) -> Self {
        Loader {
            variables,
            cwd,
            warnings: Vec::new(),
            warn_unset_variables: false,
            record_interpolations: false,
            interpolations: Vec::new(),
        }
    }
}

impl Loader<'_> {
    pub(crate) fn variable(&self, name: &str) -> Option<String> {
        self.variables.get(name).cloned()
    }

    /// Reads a file, relative to the working directory unless absolute.
    pub(crate) fn read_file(&self, path: &str) -> std::io::Result<String> {
        let p = if Path::new(path).is_absolute() {
            Path::new(path).to_path_buf()
        } else {
            self.cwd.join(path)
        };
        bake_core::api::frontend::read_regular(&p)
    }

    /// `~` and `~/...` under `HOME`.
    pub(crate) fn expand_user(&self, p: &str) -> String {
        if p == "~" || p.starts_with("~/") {
            if let Some(home) = self.variables.get("HOME") {
                return format!("{home}{}", &p[1..]);
            }
        }
        p.to_string()
    }

    /// Loads `files` into one model (compose-go `loadYamlModel`).
    pub(crate) fn load_model(
        &mut self,
        files: &[ComposeFile],
        included: &mut Vec<String>,
    ) -> LoadResult<Map> {
        let mut model = Map::new();
        let workdir = files.first().map(|f| f.workdir.clone()).unwrap_or_default();
        for file in files {
            for doc in parse_documents(file)? {
                self.merge_document(&mut model, doc, file, included)?;
            }
        }
        resolve_paths(self, &mut model, &workdir);
        Ok(model)
    }

    /// Interpolates one document, resolves its `include` and `extends`, and merges it over
    /// `model`.
    fn merge_document(
        &mut self,
        model: &mut Map,
        doc: Document,
        file: &ComposeFile,
        included: &mut Vec<String>,
    ) -> LoadResult<()> {
        let Value::Map(document) = doc.root else {
            return Err(error("top-level object must be a mapping"));
        };
        self.warn_unknown_top_level_keys(&document, file);
        let mut document = self.interpolate_document(document)?;
        included.push(join_path(&file.base, &file.name));
        self.load_includes(&mut document, file, included)?;
        remove_reset_paths(model, &doc.reset_paths);
        self.resolve_extends(&mut document, file, &doc.reset_paths)?;
        let earlier = std::mem::take(model);
        *model = match merge_values(Value::Map(earlier), Value::Map(document), &[])? {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        dedupe_entry_lists(model);
        model.shift_remove("version");
        canonicalize(model)
    }

    /// buildx ignores top-level keys it does not know; we accept them too, but say so.
    fn warn_unknown_top_level_keys(&mut self, document: &Map, file: &ComposeFile) {
        for k in document.keys() {
            if !k.starts_with("x-") && !TOP_LEVEL_KEYS.contains(&k.as_str()) {
                let near = did_you_mean(k, TOP_LEVEL_KEYS.iter().copied());
                let mut w = *error(format!(
                    "unknown top-level key `{k}` in {} is ignored",
                    if file.name.is_empty() {
                        "the compose file"
                    } else {
                        file.name.as_str()
                    }
                ));
                w.help = near.or_else(|| Some("extension keys start with `x-`".into()));
                self.warnings.push(w);
            }
        }
    }
}

/// The YAML documents of `file`; a syntax error points at its position when the file came
/// from the command line.
fn parse_documents(file: &ComposeFile) -> LoadResult<Vec<Document>> {
    yaml::parse(&file.text).map_err(|e| {
        let what = if file.name.is_empty() {
            "compose file"
        } else {
            file.name.as_str()
        };
        let mut ce = error(format!("failed to parse {what}: {}", e.message));
        if let (Some(src), Some(off)) = (file.source, e.offset) {
            ce = Box::new(ce.at_offset(src, off));
        }
        ce
    })
}

/// The reason of an I/O error, as Go words it.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        // `read_regular`'s refusals (not a regular file, too large), a symlink loop, ...
        _ => e.to_string(),
    }
}
