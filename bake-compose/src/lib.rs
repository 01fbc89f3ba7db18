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
//! use bake_core::api::frontend::SourceMap;
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
//!
//! # Stages
//!
//! Each file is parsed (`yaml`), interpolated (`interpolate`, with `template` and the
//! `variables`), completed by its `include`s and `extends`, and merged over the files before
//! it (`merge`), then brought to canonical form with its paths resolved (`normalize`); the
//! `loader` drives this. What buildx keeps of the model is checked against the schema
//! (`validate`) and lowered to targets (`lower`, `convert`, `extensions`), and with
//! `--explain` the fields' origins are found in the text (`origins`, `key_positions`). Every
//! stage reads the keys of a service's `build` section from one table, `build_keys`.

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use bake_core::api::frontend::Config;
use bake_core::api::frontend::{SourceId, SourceMap};

use crate::loader::{ComposeFile, Loader};

pub mod dotenv;
pub mod frontend;

pub use frontend::ComposeFrontend;

mod build_keys;
mod convert;
mod environment;
mod extends;
mod extensions;
mod include;
mod interpolate;
mod key_positions;
mod loader;
mod lower;
mod merge;
mod normalize;
mod origins;
mod template;
mod units;
mod validate;
mod variables;
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
    /// `--explain`): fills [`TargetDef::origins`](bake_core::api::frontend::TargetDef) and
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
    pub interpolations: Vec<bake_core::api::frontend::Interpolation>,
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
    fn locate_in(mut self, source: usize, text: &str) -> Self {
        if self.pending.is_none() {
            if let Some(off) = self
                .path
                .as_deref()
                .and_then(|p| key_positions::key_offset(text, p))
            {
                self.pending = Some((source, off));
            }
        }
        self
    }

    /// Points the error at byte `offset` of the `source`-th compose file given to [`load`].
    #[must_use]
    pub(crate) fn at_offset(mut self, source: usize, offset: usize) -> Self {
        self.pending = Some((source, offset));
        self
    }

    /// Prefixes the message (buildx wraps errors of the combined load).
    #[must_use]
    fn wrap(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    /// Attaches the text of the file the error points at, for its caret.
    fn attach_source(mut self, sources: &SourceMap, ids: &[SourceId]) -> Self {
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
    load_files(sources, ids, opts).map_err(|e| (*e).attach_source(sources, ids))
}

/// Loads the files as buildx does: each on its own first, then all of them together.
fn load_files(
    sources: &SourceMap,
    ids: &[SourceId],
    opts: &ComposeOptions,
) -> Result<ComposeLoaded, Box<ComposeError>> {
    let (variables, variable_sources) = variables::interpolation_variables(opts)?;
    check_each_file(sources, ids, opts, &variables)?;
    let mut loader = Loader::new(variables, &opts.cwd);
    loader.warn_unset_variables = true;
    loader.record_interpolations = opts.record_origins;
    let wrap = |e: Box<ComposeError>| Box::new((*e).wrap("failed to parse compose file"));
    let files: Vec<ComposeFile> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| compose_file(sources, i, *id, true))
        .collect();
    let model = loader.load_model(&files, &mut Vec::new()).map_err(wrap)?;
    let subset = validate::build_subset(&model);
    if subset.is_empty() {
        return Err(wrap(Box::new(ComposeError::new("empty compose file"))));
    }
    validate::validate(&subset).map_err(wrap)?;
    let dir = first_file_dir(sources, ids);
    let mut config = loader
        .lower_services(&subset, true, Some(&dir))
        .map_err(wrap)?;
    let interpolations = if opts.record_origins {
        origins::record_origins(
            sources,
            ids,
            &mut config,
            &loader.interpolations,
            &variable_sources,
        )
    } else {
        Vec::new()
    };
    let mut warnings = misplaced_extensions(&model, sources, ids);
    warnings.append(&mut loader.warnings);
    Ok(ComposeLoaded {
        config,
        warnings,
        interpolations,
    })
}

/// Warnings for `x-bake` / `x-depot` written on a service instead of under its `build`
/// section, each pointing at the key in the first file (of `ids`) that writes it there.
fn misplaced_extensions(
    model: &yaml::Map,
    sources: &SourceMap,
    ids: &[SourceId],
) -> Vec<ComposeError> {
    extensions::misplaced(model)
        .into_iter()
        .map(|(warning, path)| {
            let name = path.rsplit('.').next().unwrap_or_default();
            let at = ids.iter().enumerate().find_map(|(i, id)| {
                let text = &sources.get(*id).text;
                key_positions::key_offset(text, &path)
                    .filter(|&off| {
                        text[off..]
                            .trim_start_matches(['"', '\''])
                            .starts_with(name)
                    })
                    .map(|off| (i, off))
            });
            match at {
                Some((i, off)) => warning.at_offset(i, off).attach_source(sources, ids),
                None => warning,
            }
        })
        .collect()
}

/// Loads, validates and lowers each file on its own, as buildx validates them first (errors
/// are not wrapped, and point at the file when they have a path).
fn check_each_file(
    sources: &SourceMap,
    ids: &[SourceId],
    opts: &ComposeOptions,
    variables: &BTreeMap<String, String>,
) -> Result<(), Box<ComposeError>> {
    for (i, id) in ids.iter().enumerate() {
        let mut loader = Loader::new(variables.clone(), &opts.cwd);
        let text = &sources.get(*id).text;
        let here = |e: Box<ComposeError>| Box::new((*e).locate_in(i, text));
        let model = loader
            .load_model(&[compose_file(sources, i, *id, false)], &mut Vec::new())
            .map_err(here)?;
        let subset = validate::build_subset(&model);
        if subset.is_empty() {
            return Err(Box::new(ComposeError::new("empty compose file")));
        }
        validate::validate(&subset).map_err(here)?;
        loader.lower_services(&subset, false, None).map_err(here)?;
    }
    Ok(())
}

/// The `i`-th file given to [`load`]; unnamed, its errors do not name it.
fn compose_file(sources: &SourceMap, i: usize, id: SourceId, named: bool) -> ComposeFile {
    let src = sources.get(id);
    ComposeFile {
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
}

/// The directory of the first file, for `BUILDX_BAKE_FILE_RELATIVE_PATHS` (`.` for the
/// working directory and stdin).
fn first_file_dir(sources: &SourceMap, ids: &[SourceId]) -> String {
    let first = sources.get(ids[0]);
    let dir = std::path::Path::new(&first.name)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    if dir.is_empty() || first.name == "-" {
        ".".to_string()
    } else {
        dir
    }
}
