//! bake-compose: Docker Compose files as bake definitions, read exactly as buildx reads them,
//! with the `x-bake` and `x-depot` extensions.
//!
//! [`load`] takes every Compose file of one invocation (already read into a
//! [`SourceMap`]) and returns the bake model.
//!
//! # Example
//!
//! ```
//! use bake_compose::{load, ComposeOptions};
//! use bake_core::source::SourceMap;
//!
//! let mut sources = SourceMap::default();
//! let id = sources.add(
//!     "compose.yaml",
//!     r#"
//! services:
//!   web:
//!     image: example/web:1.0
//!     build:
//!       context: .
//!       x-depot:
//!         project-id: abc123
//!   db:
//!     image: postgres:16
//! "#,
//! );
//! let loaded = load(&sources, &[id], &ComposeOptions::default())?;
//!
//! // Only services with a `build` section become targets.
//! let targets = &loaded.config.targets;
//! assert_eq!(targets.len(), 1);
//! assert_eq!(targets[0].name, "web");
//! assert_eq!(targets[0].project_id.as_deref(), Some("abc123"));
//! assert_eq!(targets[0].tags.as_deref(), Some(&["example/web:1.0".to_string()][..]));
//! assert_eq!(loaded.config.groups[0].targets, ["web"]);
//! # Ok::<(), bake_compose::ComposeError>(())
//! ```

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use bake_core::model::Config;
use bake_core::source::{SourceId, SourceMap};

pub mod dotenv;
pub mod frontend;

pub use frontend::ComposeFrontend;
mod interp;
mod load;
mod yaml;

/// What the Compose loader may read from outside; nothing is read from the process.
#[derive(Debug, Clone, Default)]
pub struct ComposeOptions {
    /// The process environment (interpolation; it beats `.env`).
    pub env: BTreeMap<String, String>,
    /// `--var` values (buildx passes them to the Compose loader too).
    pub vars: BTreeMap<String, String>,
    /// Whether the environment may be read (`BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP`).
    pub env_lookup: bool,
    /// The working directory (`.env`, `include`, `env_file`, secret files are relative to it
    /// or to the files).
    pub cwd: PathBuf,
    /// Record where each target field was written and the interpolations that fed it (for
    /// `--explain`): fills [`TargetDef::origins`](bake_core::model::TargetDef) and
    /// [`ComposeLoaded::interpolations`].
    pub record_origins: bool,
}

/// What loading produced.
#[derive(Debug, Clone, Default)]
pub struct ComposeLoaded {
    /// The services with a `build` section, as targets, plus their `default` group.
    pub config: Config,
    /// Warnings (unknown `x-bake` / `x-depot` keys, unset interpolation variables).
    pub warnings: Vec<ComposeError>,
    /// With [`ComposeOptions::record_origins`]: the interpolations, at the span of the field
    /// they fed.
    pub interpolations: Vec<bake_core::explain::Interpolation>,
}

/// An error (or warning) in a Compose file, with the file and position when known.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct ComposeError {
    /// The message.
    pub message: String,
    /// A hint.
    #[help]
    pub help: Option<String>,
    /// The file the error is in.
    #[source_code]
    pub source_code: Option<miette::NamedSource<String>>,
    /// Where in the file.
    #[label("here")]
    pub span: Option<miette::SourceSpan>,
    /// (source index, byte offset) waiting for the source text to be attached.
    #[doc(hidden)]
    pending: Option<(usize, usize)>,
    /// The dotted path of the value the error is about (`services.app.build.args`), used to
    /// find it in the file when the parser gave no position.
    #[doc(hidden)]
    path: Option<String>,
}

impl ComposeError {
    /// An error with only a message.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        ComposeError {
            message: message.into(),
            help: None,
            source_code: None,
            span: None,
            pending: None,
            path: None,
        }
    }

    /// Records the dotted path of the value the error is about.
    #[must_use]
    pub(crate) fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Points the error at its path in the `source`-th file's text, if it has a path and no
    /// position yet (block-style YAML only; otherwise the error stays without a caret).
    fn locate(mut self, source: usize, text: &str) -> Self {
        if self.pending.is_none() {
            if let Some(off) = self.path.as_deref().and_then(|p| locate_path(text, p)) {
                self.pending = Some((source, off));
            }
        }
        self
    }

    /// Points the error at byte `offset` of the `source`-th compose file given to [`load`].
    #[must_use]
    pub(crate) fn at(mut self, source: usize, offset: usize) -> Self {
        self.pending = Some((source, offset));
        self
    }

    /// Prefixes the message (buildx wraps errors of the combined load).
    #[must_use]
    fn wrap(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    fn attach(mut self, sources: &SourceMap, ids: &[SourceId]) -> Self {
        if let Some((i, off)) = self.pending.take() {
            if let Some(id) = ids.get(i) {
                let src = sources.get(*id);
                let text = src.text.to_string();
                let off = off.min(text.len());
                self.span = Some(miette::SourceSpan::from((off, 0)));
                self.source_code = Some(miette::NamedSource::new(src.name.clone(), text));
            }
        }
        self
    }
}

/// Whether a file that is not named `.yml`/`.yaml`/`.json`/`.hcl` is a Compose file (buildx
/// tries to load it as one).
#[must_use]
pub fn looks_like_compose(text: &str) -> bool {
    let t = text.trim_start();
    !t.starts_with('{') && (t.starts_with("services:") || t.contains("\nservices:"))
}

/// Loads the Compose files `ids` (in order; later files merge over earlier ones).
///
/// # Errors
/// Invalid YAML, files that are not valid Compose files, failed interpolation
/// (`${VAR:?message}`), missing secret or env files.
#[allow(clippy::result_large_err)] // the CLI's contract; errors are rare and returned once
pub fn load(
    sources: &SourceMap,
    ids: &[SourceId],
    opts: &ComposeOptions,
) -> Result<ComposeLoaded, ComposeError> {
    if ids.is_empty() {
        return Ok(ComposeLoaded::default());
    }
    load_inner(sources, ids, opts).map_err(|e| (*e).attach(sources, ids))
}

/// Where each interpolation variable's value comes from (for `--explain`).
type EnvSources = BTreeMap<String, bake_core::explain::VariableSource>;

/// The variables interpolation sees (`--var` over the environment over `.env`), and where
/// each came from.
fn compose_env(
    opts: &ComposeOptions,
) -> Result<(BTreeMap<String, String>, EnvSources), Box<ComposeError>> {
    use bake_core::explain::VariableSource;
    let mut env = if opts.env_lookup {
        opts.env.clone()
    } else {
        BTreeMap::new()
    };
    let mut from: EnvSources = BTreeMap::new();
    if opts.record_origins {
        for k in env.keys() {
            from.insert(k.clone(), VariableSource::Environment { name: k.clone() });
        }
    }
    let dot = opts.cwd.join(".env");
    if dot.is_file() {
        let text = bake_core::util::read_regular(&dot)
            .map_err(|e| Box::new(ComposeError::new(format!("failed to read .env: {e}"))))?;
        let cur = env.clone();
        let vars = dotenv::parse(&text, &|k| cur.get(k).cloned())
            .map_err(|e| Box::new(ComposeError::new(format!("failed to read .env: {e}"))))?;
        for (k, v) in vars {
            if opts.record_origins && !env.contains_key(&k) {
                from.insert(
                    k.clone(),
                    VariableSource::DotEnv {
                        file: ".env".to_string(),
                    },
                );
            }
            env.entry(k).or_insert(v);
        }
    }
    for (k, v) in &opts.vars {
        env.insert(k.clone(), v.clone());
        if opts.record_origins {
            from.insert(
                k.clone(),
                VariableSource::VarFlag {
                    flag: format!("--var {k}"),
                },
            );
        }
    }
    Ok((env, from))
}

fn load_inner(
    sources: &SourceMap,
    ids: &[SourceId],
    opts: &ComposeOptions,
) -> Result<ComposeLoaded, Box<ComposeError>> {
    let (env, env_sources) = compose_env(opts)?;
    let file = |i: usize, id: SourceId, named: bool| {
        let src = sources.get(id);
        load::FileIn {
            name: if named {
                src.name.clone()
            } else {
                String::new()
            },
            text: src.text.to_string(),
            workdir: String::new(),
            base: String::new(),
            source: Some(i),
        }
    };
    // Each file on its own first, as buildx validates them (errors are not wrapped).
    for (i, id) in ids.iter().enumerate() {
        let mut l = load::Loader {
            env: env.clone(),
            cwd: &opts.cwd,
            warnings: Vec::new(),
            warn: false,
            record: false,
            interps: Vec::new(),
        };
        let text = &sources.get(*id).text;
        let here = |e: Box<ComposeError>| Box::new((*e).locate(i, text));
        let model = l
            .load_model(&[file(i, *id, false)], &mut Vec::new())
            .map_err(here)?;
        let filtered = load::filter(&model);
        if filtered.is_empty() {
            return Err(Box::new(ComposeError::new("empty compose file")));
        }
        load::validate(&filtered).map_err(here)?;
        l.build_config(&filtered, false, None).map_err(here)?;
    }
    let mut l = load::Loader {
        env,
        cwd: &opts.cwd,
        warnings: Vec::new(),
        warn: true,
        record: opts.record_origins,
        interps: Vec::new(),
    };
    let wrap = |e: Box<ComposeError>| Box::new((*e).wrap("failed to parse compose file"));
    let files: Vec<load::FileIn> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| file(i, *id, true))
        .collect();
    let model = l.load_model(&files, &mut Vec::new()).map_err(wrap)?;
    let filtered = load::filter(&model);
    if filtered.is_empty() {
        return Err(wrap(Box::new(ComposeError::new("empty compose file"))));
    }
    load::validate(&filtered).map_err(wrap)?;
    let first = sources.get(ids[0]);
    let dir = std::path::Path::new(&first.name)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = if dir.is_empty() || first.name == "-" {
        ".".to_string()
    } else {
        dir
    };
    let mut config = l.build_config(&filtered, true, Some(&dir)).map_err(wrap)?;
    let interpolations = if opts.record_origins {
        record_origins(sources, ids, &mut config, &l.interps, &env_sources)
    } else {
        Vec::new()
    };
    Ok(ComposeLoaded {
        config,
        warnings: l.warnings,
        interpolations,
    })
}

/// Where each target field comes from in the Compose files, by print key: the paths under
/// `services.NAME` that feed it, `x-bake` first.
const FIELD_PATHS: &[(&str, &[&str])] = &[
    ("context", &["build.x-bake.context", "build.context"]),
    (
        "dockerfile",
        &["build.x-bake.dockerfile", "build.dockerfile"],
    ),
    ("dockerfile-inline", &["build.dockerfile_inline"]),
    ("args", &["build.x-bake.args", "build.args"]),
    ("labels", &["build.x-bake.labels", "build.labels"]),
    ("tags", &["build.x-bake.tags", "build.tags", "image"]),
    ("platforms", &["build.x-bake.platforms", "build.platforms"]),
    (
        "cache-from",
        &["build.x-bake.cache-from", "build.cache_from"],
    ),
    ("cache-to", &["build.x-bake.cache-to", "build.cache_to"]),
    ("target", &["build.x-bake.target", "build.target"]),
    ("secret", &["build.x-bake.secret", "build.secrets"]),
    ("ssh", &["build.x-bake.ssh", "build.ssh"]),
    ("network", &["build.x-bake.network", "build.network"]),
    ("shm-size", &["build.x-bake.shm-size", "build.shm_size"]),
    ("ulimits", &["build.x-bake.ulimits", "build.ulimits"]),
    (
        "extra-hosts",
        &["build.x-bake.extra-hosts", "build.extra_hosts"],
    ),
    (
        "contexts",
        &["build.x-bake.contexts", "build.additional_contexts"],
    ),
    ("output", &["build.x-bake.output"]),
    ("pull", &["build.x-bake.pull", "build.pull"]),
    ("no-cache", &["build.x-bake.no-cache", "build.no_cache"]),
    ("no-cache-filter", &["build.x-bake.no-cache-filter"]),
    ("attest", &["build.x-bake.attest"]),
    (
        "entitlements",
        &["build.x-bake.entitlements", "build.entitlements"],
    ),
    ("project_id", &["build.x-depot.project-id"]),
];

/// Fills the origins of the targets' fields (the key in the last file that has it) and
/// places each interpolation at the field it fed. Linear: each file's keys are indexed once,
/// and the interpolations by service.
fn record_origins(
    sources: &SourceMap,
    ids: &[SourceId],
    config: &mut Config,
    interps: &[load::Interp],
    env_sources: &EnvSources,
) -> Vec<bake_core::explain::Interpolation> {
    use bake_core::source::{Origin, Span};
    let indexes: Vec<(SourceId, &str, KeyIndex)> = ids
        .iter()
        .map(|id| {
            let text: &str = &sources.get(*id).text;
            (*id, text, KeyIndex::new(text))
        })
        .collect();
    let mut by_service: BTreeMap<&str, Vec<&load::Interp>> = BTreeMap::new();
    for i in interps {
        if let [first, service, ..] = i.path.as_slice() {
            if first == "services" {
                by_service.entry(service.as_str()).or_default().push(i);
            }
        }
    }
    let mut out = Vec::new();
    let mut path = String::new();
    for t in &mut config.targets {
        for (key, paths) in FIELD_PATHS {
            if !t.is_set(key) {
                continue;
            }
            let found = paths.iter().find_map(|rel| {
                path.clear();
                path.push_str("services\n");
                path.push_str(&t.name);
                for seg in rel.split('.') {
                    path.push('\n');
                    path.push_str(seg);
                }
                indexes.iter().rev().find_map(|(id, text, index)| {
                    let off = index.get(&path)?;
                    let end = text[off..].find('\n').map_or(text.len(), |e| off + e);
                    Some((*id, off, end, *rel))
                })
            });
            let Some((id, start, end, rel)) = found else {
                continue;
            };
            let span = Span {
                source: id,
                start: u32::try_from(start).unwrap_or(u32::MAX),
                end: u32::try_from(end).unwrap_or(u32::MAX),
            };
            t.origins.insert(key, Origin::File(span));
            let Some(mine) = by_service.get(t.name.as_str()) else {
                continue;
            };
            for i in mine {
                // `services.NAME.` then the field's path.
                if !i.path[2..]
                    .iter()
                    .map(String::as_str)
                    .take(rel.split('.').count())
                    .eq(rel.split('.'))
                {
                    continue;
                }
                out.push(bake_core::explain::Interpolation {
                    span,
                    template: i.template.clone(),
                    lookups: i
                        .lookups
                        .iter()
                        .map(|(name, value)| bake_core::explain::Lookup {
                            name: name.clone(),
                            value: value.clone(),
                            from: match value {
                                Some(_) => env_sources.get(name).cloned().unwrap_or(
                                    bake_core::explain::VariableSource::Environment {
                                        name: name.clone(),
                                    },
                                ),
                                None => bake_core::explain::VariableSource::Unset,
                            },
                        })
                        .collect(),
                });
            }
        }
    }
    out
}

/// The byte offset of every key of block-style YAML by its path (segments joined by `\n`),
/// following keys by indentation: the first key of each path wins. Flow style, anchors and
/// merged keys are not followed.
struct KeyIndex {
    // Lookups only (never iterated), so a hash map does not make output order depend on it.
    at: std::collections::HashMap<String, usize>,
}

impl KeyIndex {
    /// Paths deeper than this are not indexed (the deepest looked up is
    /// `services.NAME.build.x-bake.FIELD`).
    const DEPTH: usize = 6;

    fn new(text: &str) -> Self {
        let mut at = std::collections::HashMap::new();
        let mut stack: Vec<(usize, &str)> = Vec::new();
        let mut path = String::new();
        let mut off = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            let content = trimmed.trim_end();
            if !(content.is_empty() || content.starts_with('#') || content.starts_with('-')) {
                if let Some((key, _)) = content.split_once(':') {
                    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
                    while stack.last().is_some_and(|(i, _)| *i >= indent) {
                        stack.pop();
                    }
                    stack.push((indent, key));
                    if stack.len() <= Self::DEPTH {
                        path.clear();
                        for (i, (_, k)) in stack.iter().enumerate() {
                            if i > 0 {
                                path.push('\n');
                            }
                            path.push_str(k);
                        }
                        at.entry(path.clone()).or_insert(off + indent);
                    }
                }
            }
            off += line.len();
        }
        KeyIndex { at }
    }

    fn get(&self, path: &str) -> Option<usize> {
        self.at.get(path).copied()
    }
}

/// The byte offset of the key at dotted `path` (`services.app.build.args`) in block-style
/// YAML: follows keys by indentation; `None` when the path cannot be followed (flow style,
/// anchors, merged keys).
fn locate_path(text: &str, path: &str) -> Option<usize> {
    let want: Vec<&str> = path.split('.').collect();
    let mut stack: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    let mut best = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let content = trimmed.trim_end();
        if content.is_empty() || content.starts_with('#') || content.starts_with('-') {
            off += line.len();
            continue;
        }
        if let Some((key, _)) = content.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, key));
            let depth = stack.len();
            if depth <= want.len() && stack.iter().zip(&want).all(|((_, k), w)| k == w) {
                best = Some(off + indent);
                if depth == want.len() {
                    return best;
                }
            }
        }
        off += line.len();
    }
    best
}

#[cfg(test)]
mod locate_tests {
    use super::{locate_path, KeyIndex};

    #[test]
    fn locate_falls_back_to_the_deepest_key() {
        let text = "services:\n  web:\n    image: x\n  app:\n    build:\n      args: 42\n";
        let off = locate_path(text, "services.app.build.args").unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 5], "args:");
        let off = locate_path(text, "services.app.build.labels").unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 6], "build:");
        assert_eq!(locate_path("{services: {}}", "services.x"), None);
    }

    #[test]
    fn follows_block_keys_by_indentation() {
        let text = "services:\n  web:\n    image: x\n  app:\n    build:\n      args: 42\n  app:\n    later: 1\n";
        let index = KeyIndex::new(text);
        let off = index
            .get("services\napp\nbuild\nargs")
            .unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 5], "args:");
        // The first key of a path wins.
        let off = index.get("services\napp").unwrap_or(usize::MAX);
        assert_eq!(off, text.find("app:").unwrap_or(0));
        assert_eq!(index.get("services\napp\nbuild\nlabels"), None);
        assert_eq!(KeyIndex::new("{services: {}}").get("services\nx"), None);
    }
}
