//! The embedding API: load bake files with an explicit environment, working directory and
//! clock, resolve targets with overrides and get the build graph, without a CLI (building it is
//! `bake_dispatch`'s job).
//!
//! Reading HCL and Compose is the job of *frontends* (`bake_hcl::HclFrontend`,
//! `bake_compose::ComposeFrontend`), plugged into [`Bake`]; this crate holds the orchestration
//! so that it does not depend on them. Nothing here reads the process environment, prints or
//! exits.
//!
//! ```
//! use bake_core::api::{Bake, Frontend, FrontendInput, FrontendOutput, Failure};
//! use bake_core::model::{Config, TargetDef};
//!
//! /// A toy frontend: one target per line of a `.txt` file.
//! struct Lines;
//! impl Frontend for Lines {
//!     fn name(&self) -> &'static str { "lines" }
//!     fn claims(&self, name: &str, _text: &str) -> bool { name.ends_with(".txt") }
//!     fn load(&self, input: &FrontendInput<'_>) -> Result<FrontendOutput, Failure> {
//!         let mut config = Config::default();
//!         for id in input.files {
//!             for line in input.sources.get(*id).text.lines() {
//!                 config.targets.push(TargetDef { name: line.to_string(), ..TargetDef::default() });
//!             }
//!         }
//!         Ok(FrontendOutput { config, ..FrontendOutput::default() })
//!     }
//! }
//!
//! let project = Bake::new("/work")
//!     .frontend(Lines)
//!     .source("targets.txt", "app\nweb\n")
//!     .load()
//!     .unwrap();
//! let resolved = project.resolve(&["app".into()], &["app.tags=acme/app:1".into()]).unwrap();
//! assert_eq!(resolved.targets["app"].tags, ["acme/app:1"]);
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

// Everything a host needs, from one place.
pub use crate::explain::Explained;
pub use crate::graph::{BuildGraph, BuildNode, GraphFormat};
pub use crate::resolve::{Group, Target};

use crate::explain::Facts;
use crate::graph::GraphError;
use crate::list::VariableInfo;
use crate::model::Config;
use crate::project::ProjectDefaults;
use crate::resolve::{resolve, ResolveOptions, Resolved};
use crate::source::{SourceId, SourceMap};
use crate::ResolveError;

/// A diagnostic from a frontend, ready to render with miette or to downcast.
pub type Failure = Box<dyn miette::Diagnostic + Send + Sync + 'static>;

/// What a frontend gets: the files it claimed and the outside world, passed in explicitly.
#[derive(Debug)]
pub struct FrontendInput<'a> {
    /// All sources (the frontend reads the ones in `files`).
    pub sources: &'a SourceMap,
    /// The files this frontend claimed, in the order given.
    pub files: &'a [SourceId],
    /// The environment (variable overrides, Compose interpolation).
    pub env: &'a BTreeMap<String, String>,
    /// `--var NAME=VALUE` values.
    pub vars: &'a BTreeMap<String, String>,
    /// Whether variables may be overridden from `env`.
    pub env_lookup: bool,
    /// The working directory: relative paths are relative to it.
    pub cwd: &'a Path,
    /// The current time as Unix seconds and nanoseconds (`timestamp()`); `None` for unknown.
    pub now: Option<(i64, u32)>,
    /// Randomness for `uuidv4()` and `bcrypt()` salts.
    pub seed: u64,
    /// Record origins and references for [`Project::explain`] (costs time on big files).
    pub record_origins: bool,
    /// Render every variable's value into [`FrontendOutput::variables`] (for
    /// `--list=variables` and [`Project::explain`]; costs time on big files).
    pub render_variables: bool,
}

/// What a frontend produced.
#[derive(Default)]
pub struct FrontendOutput {
    /// Its groups and targets.
    pub config: Config,
    /// Its variables (for `--list=variables`).
    pub variables: Vec<VariableInfo>,
    /// What it knows about origins (for [`Project::explain`]).
    pub facts: Facts,
    /// Warnings, to show the user.
    pub warnings: Vec<Failure>,
}

impl std::fmt::Debug for FrontendOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontendOutput")
            .field("config", &self.config)
            .field("variables", &self.variables)
            .field("warnings", &self.warnings.len())
            .finish_non_exhaustive()
    }
}

/// A reader of one kind of bake file.
pub trait Frontend: Send + Sync {
    /// A short name for messages (`hcl`, `compose`).
    fn name(&self) -> &'static str;
    /// Whether this frontend reads the file `name` with this text. [`Bake`] asks the
    /// frontends in the order they were added; the first that claims a file reads it.
    fn claims(&self, name: &str, text: &str) -> bool;
    /// Loads the claimed files.
    ///
    /// # Errors
    /// A diagnostic for the first problem, with its file and position when there is one.
    fn load(&self, input: &FrontendInput<'_>) -> Result<FrontendOutput, Failure>;
}

/// Why loading failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// No file was given.
    #[error("no bake file to load")]
    #[diagnostic(
        code(bake::load::no_files),
        help("add files with Bake::file or Bake::source")
    )]
    NoFiles,
    /// A file could not be read.
    #[error("failed to read {path}: {reason}")]
    #[diagnostic(code(bake::load::read))]
    Read {
        /// The file as named.
        path: String,
        /// Why.
        reason: String,
    },
    /// No frontend reads this file.
    #[error("no frontend reads {name}")]
    #[diagnostic(
        code(bake::load::unclaimed),
        help("add the frontend for this kind of file (bake_hcl::HclFrontend, bake_compose::ComposeFrontend)")
    )]
    Unclaimed {
        /// The file.
        name: String,
    },
    /// A frontend reported a problem in the files.
    #[error("{frontend}: {error}")]
    Frontend {
        /// The frontend's name.
        frontend: &'static str,
        /// Its diagnostic.
        #[diagnostic_source]
        error: Failure,
    },
}

/// A builder for loading bake files.
#[must_use]
pub struct Bake {
    cwd: PathBuf,
    env: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    env_lookup: bool,
    now: Option<(i64, u32)>,
    seed: u64,
    record_origins: bool,
    render_variables: bool,
    sources: SourceMap,
    pending: Vec<String>,
    frontends: Vec<Arc<dyn Frontend>>,
}

impl std::fmt::Debug for Bake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bake")
            .field("cwd", &self.cwd)
            .field("files", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Bake {
    /// A builder working in `cwd`, with an empty environment, no clock and no frontends.
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        Bake {
            cwd: cwd.into(),
            env: BTreeMap::new(),
            vars: BTreeMap::new(),
            env_lookup: true,
            now: None,
            seed: 0,
            record_origins: false,
            render_variables: false,
            sources: SourceMap::default(),
            pending: Vec::new(),
            frontends: Vec::new(),
        }
    }

    /// Adds a frontend; earlier ones are asked first. Add Compose before HCL, as buildx
    /// loads Compose files first.
    pub fn frontend(mut self, f: impl Frontend + 'static) -> Self {
        self.frontends.push(Arc::new(f));
        self
    }

    /// The environment variables bake files may read.
    pub fn env(mut self, env: BTreeMap<String, String>) -> Self {
        self.env = env;
        self
    }

    /// Sets a variable, as `--var NAME=VALUE` does.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Whether variables may be overridden from the environment (default: yes).
    pub fn env_lookup(mut self, on: bool) -> Self {
        self.env_lookup = on;
        self
    }

    /// The current time (Unix seconds, nanoseconds) for `timestamp()`.
    pub fn clock(mut self, now: Option<(i64, u32)>) -> Self {
        self.now = now;
        self
    }

    /// Randomness for `uuidv4()` and `bcrypt()`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Records origins for [`Project::explain`].
    pub fn record_origins(mut self, on: bool) -> Self {
        self.record_origins = on;
        self
    }

    /// Renders variable values (for listing them; [`Bake::record_origins`] implies it).
    pub fn render_variables(mut self, on: bool) -> Self {
        self.render_variables = on;
        self
    }

    /// Adds an in-memory file.
    pub fn source(mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        self.sources.add(name, text);
        self
    }

    /// Adds files already read into a source map, in its order.
    pub fn sources(mut self, sources: SourceMap) -> Self {
        for (_, s) in sources.iter() {
            self.sources.add(s.name.clone(), s.text.clone());
        }
        self
    }

    /// Adds a file to read (relative to the working directory) when loading.
    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.pending.push(path.into());
        self
    }

    /// Reads the files and loads them with the frontends.
    ///
    /// # Errors
    /// A file that cannot be read or that no frontend claims, or a frontend's diagnostic.
    pub fn load(mut self) -> Result<Project, LoadError> {
        for p in std::mem::take(&mut self.pending) {
            // Regular files only (a FIFO would block), within the size limit.
            let text =
                crate::util::read_regular(&self.cwd.join(&p)).map_err(|e| LoadError::Read {
                    path: p.clone(),
                    reason: e.to_string(),
                })?;
            self.sources.add(p, text);
        }
        if self.sources.iter().next().is_none() {
            return Err(LoadError::NoFiles);
        }
        let mut claimed: Vec<Vec<SourceId>> = vec![Vec::new(); self.frontends.len()];
        for (id, src) in self.sources.iter() {
            let Some(k) = self
                .frontends
                .iter()
                .position(|f| f.claims(&src.name, &src.text))
            else {
                return Err(LoadError::Unclaimed {
                    name: src.name.clone(),
                });
            };
            claimed[k].push(id);
        }
        let mut project = Project {
            sources: SourceMap::default(),
            config: Config::default(),
            variables: Vec::new(),
            facts: Facts::default(),
            warnings: Vec::new(),
            env: self.env.clone(),
            cwd: self.cwd.clone(),
        };
        for (f, files) in self.frontends.iter().zip(&claimed) {
            if files.is_empty() {
                continue;
            }
            let input = FrontendInput {
                sources: &self.sources,
                files,
                env: &self.env,
                vars: &self.vars,
                env_lookup: self.env_lookup,
                cwd: &self.cwd,
                now: self.now,
                seed: self.seed,
                record_origins: self.record_origins,
                render_variables: self.render_variables || self.record_origins,
            };
            let out = f.load(&input).map_err(|error| LoadError::Frontend {
                frontend: f.name(),
                error,
            })?;
            project.config.groups.extend(out.config.groups);
            project.config.targets.extend(out.config.targets);
            project.variables.extend(out.variables);
            for (block, refs) in out.facts.refs {
                project.facts.refs.entry(block).or_default().extend(refs);
            }
            project.facts.variables.extend(out.facts.variables);
            project
                .facts
                .interpolations
                .extend(out.facts.interpolations);
            project.warnings.extend(out.warnings);
        }
        project.sources = self.sources;
        Ok(project)
    }
}

/// Loaded bake files: the definitions as written, ready to resolve.
pub struct Project {
    /// The files.
    pub sources: SourceMap,
    /// Every group and target as written, Compose files first.
    pub config: Config,
    /// The variables (for `--list=variables`).
    pub variables: Vec<VariableInfo>,
    /// Origins and references (for [`Project::explain`]).
    pub facts: Facts,
    /// Warnings from the frontends.
    pub warnings: Vec<Failure>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("config", &self.config)
            .field("variables", &self.variables)
            .field("warnings", &self.warnings.len())
            .finish_non_exhaustive()
    }
}

impl Project {
    /// Resolves `targets` (names, groups or patterns; empty means `default`) with `--set`
    /// style `overrides` (`app.tags=x`, `*.platform=linux/arm64`).
    ///
    /// # Errors
    /// Unknown targets, bad overrides, and everything buildx rejects while resolving.
    pub fn resolve(
        &self,
        targets: &[String],
        overrides: &[String],
    ) -> Result<Resolved, ResolveError> {
        let relative = self
            .env
            .get("BUILDX_BAKE_FILE_RELATIVE_PATHS")
            .and_then(|v| crate::go::parse_bool(v.trim()))
            == Some(true);
        let opts = ResolveOptions {
            targets: targets.to_vec(),
            overrides: overrides.to_vec(),
            flag_overrides: Vec::new(),
            env: &self.env,
            cwd: self.cwd.clone(),
            file_relative_paths: relative,
        };
        resolve(&self.config, &opts)
    }

    /// The build graph of `resolved`, each target in its project (`project` stands for
    /// `--project`; `DEPOT_PROJECT_ID` and `depot.json` are read from the environment and
    /// working directory given to [`Bake`]; a `depot.json` that cannot be used is ignored,
    /// as if absent).
    ///
    /// # Errors
    /// A cycle of `target:` contexts.
    pub fn graph(
        &self,
        resolved: &Resolved,
        project: Option<&str>,
    ) -> Result<BuildGraph, GraphError> {
        let defaults = ProjectDefaults::discover(project, &self.env, &self.cwd).unwrap_or_default();
        BuildGraph::new(resolved, &defaults)
    }

    /// Explains the fields of `resolved`'s targets (all, or the `only` ones: target and
    /// optional field). Load with [`Bake::record_origins`] for the full chain.
    #[must_use]
    pub fn explain(&self, resolved: &Resolved, only: &[(String, Option<String>)]) -> Explained {
        crate::explain::explain(resolved, &self.config, &self.sources, &self.facts, only)
    }
}
