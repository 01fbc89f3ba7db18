//! bake-compose: Docker Compose files as bake definitions, read exactly as buildx reads them,
//! with the `x-bake` and `x-depot` extensions.
//!
//! [`load`] takes every Compose file of one invocation (already read into a
//! [`SourceMap`]) and returns the bake model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bake_core::model::Config;
use bake_core::source::{SourceId, SourceMap};

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
}

/// What loading produced.
#[derive(Debug, Clone, Default)]
pub struct ComposeLoaded {
    /// The services with a `build` section, as targets, plus their `default` group.
    pub config: Config,
    /// Warnings (unknown `x-bake` / `x-depot` keys, unset interpolation variables).
    pub warnings: Vec<ComposeError>,
}

/// An error (or warning) in a Compose file.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub struct ComposeError {
    /// The message.
    pub message: String,
    /// A hint.
    #[help]
    pub help: Option<String>,
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
pub fn load(
    sources: &SourceMap,
    ids: &[SourceId],
    opts: &ComposeOptions,
) -> Result<ComposeLoaded, ComposeError> {
    let _ = (sources, opts);
    if ids.is_empty() {
        return Ok(ComposeLoaded::default());
    }
    Err(ComposeError {
        message: "Compose files are not supported yet".into(),
        help: Some("use an HCL or JSON bake file for now".into()),
    })
}
