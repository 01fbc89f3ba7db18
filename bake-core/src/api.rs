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
//! use bake_core::api::frontend::{Config, TargetDef};
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

// Everything a host needs, from one place: this module is bake-core's whole public surface.
pub use crate::entries::{
    Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry,
};
pub use crate::error::{ResolveError, Warning};
pub use crate::explain::Explained;
pub use crate::graph::{BuildGraph, BuildNode, Dep, GraphError, GraphFormat};
pub use crate::json::Json;
pub use crate::list::{
    parse_list, render_list, ListFormat, ListInput, ListOptions, ListType, VariableInfo,
};
pub use crate::map::{SortedMap, SortedMapIter, SortedMapIterMut};
pub use crate::pathmatch::{path_match, BadPattern};
pub use crate::project::{ProjectDefaults, ProjectSource, TargetProject, DEFAULT_PROJECT};
pub use crate::resolve::{
    check_overrides, parse_call_func, print, resolve, Flags, Group, Printed, ResolveOptions,
    Resolved, Target, OVERRIDE_KEYS,
};

use crate::model::Config;
use crate::provenance::Facts;
use crate::source::{SourceId, SourceMap};

/// `--explain`: why each field of a resolved target has its value.
pub mod explain {
    pub use crate::explain::{
        explain, render, write, Explained, FieldExplain, Format, Lines, Step, FIELDS,
    };
    pub use crate::provenance::{Facts, VariableSource};
}

/// What a frontend builds and reports: the definition model, sources and spans, and the
/// provenance facts `--explain` reads. Frontends (`bake_hcl`, `bake_compose`) depend on this
/// and on [`go`] only.
pub mod frontend {
    pub use super::{Failure, Frontend, FrontendInput, FrontendOutput};
    pub use crate::fields::{DefField, DefType, PRINT_FIELDS};
    pub use crate::limits::MAX_NESTING;
    pub use crate::list::VariableInfo;
    pub use crate::model::{Config, GroupDef, RawEntry, TargetDef};
    pub use crate::provenance::{
        span_key, ExprRefs, Facts, Interpolation, Lookup, Place, SpanKey, VariableFact,
        VariableSource,
    };
    pub use crate::source::{Origin, Source, SourceId, SourceMap, Span};
    pub use crate::util::{did_you_mean, read_regular, MAX_FILE_SIZE};
    pub use crate::validate::ULIMIT_NAMES;
}

/// Helpers that behave exactly as their Go counterparts in buildx (paths, booleans, CSV,
/// quoting, URLs), shared by the frontends and the dispatcher.
pub mod go {
    pub use crate::go::{
        clean_path, csv_fields, csv_quote, is_clean, is_git_ssh, is_remote_url, join_path,
        parse_bool, quote,
    };
    pub use crate::json::write_go_string;
}

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
    /// The builtin variable `BAKE_CMD_CONTEXT`: `cwd://`, or the command context URL given
    /// after a remote definition's URL.
    pub cmd_context: &'a str,
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
    /// No file was given, and discovery found none.
    #[error("couldn't find a bake definition")]
    #[diagnostic(help("create a docker-bake.hcl, or name a file with `-f FILE`"))]
    NoFiles,
    /// A file could not be found or read (the message names it and says why).
    #[error("{message}")]
    File {
        /// What failed, naming the file.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// An environment variable that changes how files are read has a value buildx refuses.
    #[error("failed to parse {key} value {value:?}")]
    Env {
        /// The variable.
        key: String,
        /// Its value.
        value: String,
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
    /// A frontend reported a problem in the files: its own diagnostic, with file and caret.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Frontend(FrontendFailure),
}

/// A frontend's diagnostic, as [`LoadError::Frontend`] carries it.
#[derive(Debug)]
pub struct FrontendFailure(pub Failure);

impl std::fmt::Display for FrontendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for FrontendFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl miette::Diagnostic for FrontendFailure {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
    }
}

/// The environment variables that change how buildx reads bake files, parsed once (strictly,
/// as buildx parses them: a value `strconv.ParseBool` refuses is an error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvPolicy {
    /// `BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP`: variables are not overridden from the
    /// environment.
    pub disable_vars_env_lookup: bool,
    /// `BUILDX_BAKE_FILE_RELATIVE_PATHS`: paths are relative to each definition's file.
    pub file_relative_paths: bool,
    /// `BUILDX_BAKE_FILE`, split on `BUILDX_BAKE_PATH_SEPARATOR` (`:` by default), empty
    /// parts left out: the files to read when none is named.
    pub bake_files: Vec<String>,
}

impl EnvPolicy {
    /// Reads the policy from `env`.
    ///
    /// # Errors
    /// [`LoadError::Env`] for a boolean variable buildx would refuse.
    pub fn from_env(env: &BTreeMap<String, String>) -> Result<EnvPolicy, LoadError> {
        let flag = |key: &str| match env.get(key).map(|v| v.trim()) {
            None | Some("") => Ok(false),
            Some(v) => crate::go::parse_bool(v).ok_or_else(|| LoadError::Env {
                key: key.to_string(),
                value: v.to_string(),
            }),
        };
        let mut bake_files = Vec::new();
        if let Some(f) = env.get("BUILDX_BAKE_FILE") {
            let sep = env
                .get("BUILDX_BAKE_PATH_SEPARATOR")
                .filter(|s| !s.is_empty())
                .map_or(":", String::as_str);
            bake_files = f
                .split(sep)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
        }
        Ok(EnvPolicy {
            disable_vars_env_lookup: flag("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP")?,
            file_relative_paths: flag("BUILDX_BAKE_FILE_RELATIVE_PATHS")?,
            bake_files,
        })
    }
}

/// The compose names and bake names buildx looks for when no file is named, in its order.
pub const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
];

fn file_error(message: String, help: Option<&str>) -> LoadError {
    LoadError::File {
        message,
        help: help.map(str::to_string),
    }
}

/// Reads bake file `name` (relative to `cwd`): `None` when it does not exist. Directories,
/// devices and FIFOs are refused (reading a FIFO would block), as is text that is not UTF-8.
fn read_bake_file(cwd: &Path, name: &str) -> Result<Option<String>, LoadError> {
    let path = cwd.join(name);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(format!("failed to read {name}: {e}"), None)),
    };
    if meta.is_dir() {
        return Err(file_error(
            format!("failed to read {name}: is a directory"),
            Some("name a bake file, not a directory"),
        ));
    }
    if !meta.is_file() {
        return Err(file_error(
            format!("failed to read {name}: not a regular file"),
            None,
        ));
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| file_error(format!("failed to read {name}: {e}"), None))?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        file_error(
            format!(
                "failed to read {name}: the file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
            None,
        )
    })
}

/// A builder for loading bake files.
///
/// Defaults: no clock (`timestamp()` is an error until [`Bake::clock`] gives the time), seed
/// 0 (`uuidv4()` and `bcrypt()` salts are the same in every process until [`Bake::seed`]
/// gives randomness), variables overridable from the environment unless
/// `BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP` says otherwise, no frontends (add them with
/// [`Bake::frontend`], Compose before HCL; the `bake` facade crate registers both).
#[must_use]
pub struct Bake<'i> {
    cwd: PathBuf,
    discover: bool,
    stdin: Option<&'i mut dyn std::io::Read>,
    env: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    env_lookup: bool,
    now: Option<(i64, u32)>,
    seed: u64,
    record_origins: bool,
    render_variables: bool,
    cmd_context: String,
    sources: SourceMap,
    pending: Vec<String>,
    frontends: Vec<Arc<dyn Frontend>>,
}

impl std::fmt::Debug for Bake<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bake")
            .field("cwd", &self.cwd)
            .field("files", &self.pending)
            .finish_non_exhaustive()
    }
}

impl<'i> Bake<'i> {
    /// A builder working in `cwd`, with an empty environment, no clock and no frontends,
    /// reading only the files and sources it is given.
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        Bake {
            cwd: cwd.into(),
            discover: false,
            stdin: None,
            env: BTreeMap::new(),
            vars: BTreeMap::new(),
            env_lookup: true,
            now: None,
            seed: 0,
            record_origins: false,
            render_variables: false,
            cmd_context: "cwd://".to_string(),
            sources: SourceMap::default(),
            pending: Vec::new(),
            frontends: Vec::new(),
        }
    }

    /// A builder that finds its files as `docker buildx bake` does: the files named with
    /// [`Bake::file`] (`-f`), else those of `BUILDX_BAKE_FILE`, else the default names
    /// ([`DEFAULT_FILES`]) that exist and are not empty; in `cwd`, with the environment `env`.
    pub fn discover(cwd: impl Into<PathBuf>, env: BTreeMap<String, String>) -> Self {
        let mut b = Bake::new(cwd).env(env);
        b.discover = true;
        b
    }

    /// Where a file named `-` is read from (standard input).
    pub fn stdin(mut self, stdin: &'i mut dyn std::io::Read) -> Self {
        self.stdin = Some(stdin);
        self
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

    /// The value of the builtin variable `BAKE_CMD_CONTEXT` (default `cwd://`): the command
    /// context given after a remote definition's URL.
    pub fn cmd_context(mut self, context: impl Into<String>) -> Self {
        self.cmd_context = context.into();
        self
    }

    /// Adds an in-memory file.
    pub fn source(mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        self.sources.add(name, text);
        self
    }

    /// Adds files already read into a source map, in its order.
    pub fn sources(mut self, sources: &SourceMap) -> Self {
        for (_, s) in sources.iter() {
            self.sources.add(s.name.clone(), s.text.clone());
        }
        self
    }

    /// Adds a file to read (relative to the working directory) when loading, as `-f` does:
    /// `cwd://` is stripped, `-` is standard input ([`Bake::stdin`]).
    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.pending.push(path.into());
        self
    }

    /// Reads the files and loads them with the frontends.
    ///
    /// # Errors
    /// A file that cannot be read or that no frontend claims, or a frontend's diagnostic.
    pub fn load(mut self) -> Result<Project, LoadError> {
        let policy = EnvPolicy::from_env(&self.env)?;
        self.read_files(&policy)?;
        if self.sources.iter().next().is_none() {
            return Err(LoadError::NoFiles);
        }
        let claimed = self.claim()?;
        let env_lookup = self.env_lookup && !policy.disable_vars_env_lookup;
        let mut project = Project {
            sources: SourceMap::default(),
            config: Config::default(),
            variables: Vec::new(),
            facts: Facts::default(),
            warnings: Vec::new(),
            env: self.env.clone(),
            cwd: self.cwd.clone(),
            policy,
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
                env_lookup,
                cwd: &self.cwd,
                now: self.now,
                seed: self.seed,
                record_origins: self.record_origins,
                render_variables: self.render_variables || self.record_origins,
                cmd_context: &self.cmd_context,
            };
            let out = f
                .load(&input)
                .map_err(|e| LoadError::Frontend(FrontendFailure(e)))?;
            project.add(out);
        }
        project.sources = self.sources;
        Ok(project)
    }

    /// The names of the files to read: those given, else (discovering) `BUILDX_BAKE_FILE`'s,
    /// else the default names; and whether they are the defaults (missing or empty ones are
    /// skipped).
    fn file_names(&mut self, policy: &EnvPolicy) -> Result<(Vec<String>, bool), LoadError> {
        let mut names: Vec<String> = std::mem::take(&mut self.pending)
            .iter()
            .map(|n| n.strip_prefix("cwd://").unwrap_or(n).to_string())
            .collect();
        if !names.is_empty() || !self.discover {
            return Ok((names, false));
        }
        for p in &policy.bake_files {
            if p != "-" && !self.cwd.join(p).exists() {
                return Err(file_error(
                    format!("stat {p}: no such file or directory"),
                    None,
                ));
            }
            names.push(p.clone());
        }
        if names.is_empty() {
            return Ok((
                DEFAULT_FILES.iter().map(|s| (*s).to_string()).collect(),
                true,
            ));
        }
        Ok((names, false))
    }

    /// Reads the files into the sources.
    fn read_files(&mut self, policy: &EnvPolicy) -> Result<(), LoadError> {
        let (names, defaults) = self.file_names(policy)?;
        for name in names {
            let text = if name == "-" {
                self.read_stdin()?
            } else {
                match read_bake_file(&self.cwd, &name)? {
                    Some(t) => t,
                    None if defaults => continue,
                    None => {
                        return Err(file_error(
                            format!(
                                "failed to read {name}: open {name}: no such file or directory"
                            ),
                            Some("check the path given with -f"),
                        ))
                    }
                }
            };
            if defaults && text.trim().is_empty() {
                continue;
            }
            // Which frontend reads it (Compose, HCL or HCL-JSON) is theirs to say.
            self.sources.add(name, text);
        }
        Ok(())
    }

    /// The text of standard input (a file named `-`), empty without one.
    fn read_stdin(&mut self) -> Result<String, LoadError> {
        let mut buf = Vec::new();
        if let Some(r) = self.stdin.as_mut() {
            r.read_to_end(&mut buf)
                .map_err(|e| file_error(format!("failed to read standard input: {e}"), None))?;
        }
        String::from_utf8(buf).map_err(|_| {
            file_error(
                "failed to read standard input: not valid UTF-8".into(),
                None,
            )
        })
    }

    /// Which frontend reads each source: the first that claims it, in the order added.
    fn claim(&self) -> Result<Vec<Vec<SourceId>>, LoadError> {
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
        Ok(claimed)
    }
}

impl Project {
    /// Adds what one frontend produced.
    fn add(&mut self, out: FrontendOutput) {
        // The first frontend's lists are taken as they are: a large file's targets are most
        // of what loading keeps, and extending an empty list would copy them all.
        if self.config.groups.is_empty() {
            self.config.groups = out.config.groups;
        } else {
            self.config.groups.extend(out.config.groups);
        }
        if self.config.targets.is_empty() {
            self.config.targets = out.config.targets;
        } else {
            self.config.targets.extend(out.config.targets);
        }
        self.variables.extend(out.variables);
        for (block, refs) in out.facts.refs {
            self.facts.refs.entry(block).or_default().extend(refs);
        }
        self.facts.variables.extend(out.facts.variables);
        self.facts.interpolations.extend(out.facts.interpolations);
        self.warnings
            .extend(out.warnings.into_iter().map(Warning::from_diagnostic));
    }
}

/// What to resolve, as a command line asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// Target names, groups or patterns; empty means `default`.
    pub targets: Vec<String>,
    /// `--set` overrides, in order.
    pub overrides: Vec<String>,
    /// The build flags (`--push`, `--load`, `--sbom`, ...).
    pub flags: Flags,
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
    /// Warnings from the frontends (resolving adds its own to [`Resolved::warnings`]).
    pub warnings: Vec<Warning>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
    policy: EnvPolicy,
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
        self.resolve_request(&Request {
            targets: targets.to_vec(),
            overrides: overrides.to_vec(),
            flags: Flags::default(),
        })
    }

    /// Resolves what `request` asks for: its targets, its `--set` overrides, then the
    /// overrides its flags stand for (`--push` as `*.push=true`; `--explain` names the flag).
    /// The overrides are checked first ([`check_overrides`]), as the `bake` command
    /// checks them before reading any file.
    ///
    /// # Errors
    /// Unknown targets, bad overrides, and everything buildx rejects while resolving.
    pub fn resolve_request(&self, request: &Request) -> Result<Resolved, ResolveError> {
        crate::resolve::check_overrides(&request.overrides)?;
        resolve(&self.config, &self.resolve_options(request))
    }

    /// `--print`'s document for `request`: what [`Project::resolve_request`] and
    /// [`Resolved::to_print_json`] give, without holding the resolved targets (each is
    /// rendered as soon as it is resolved; on a large file, about a third of the memory).
    ///
    /// # Errors
    /// What [`Project::resolve_request`] returns.
    pub fn print_request(&self, request: &Request) -> Result<Printed, ResolveError> {
        crate::resolve::check_overrides(&request.overrides)?;
        print(&self.config, &self.resolve_options(request))
    }

    fn resolve_options(&self, request: &Request) -> ResolveOptions<'_> {
        ResolveOptions {
            targets: request.targets.clone(),
            overrides: request.overrides.clone(),
            flag_overrides: request.flags.to_flag_overrides(),
            env: &self.env,
            cwd: self.cwd.clone(),
            file_relative_paths: self.policy.file_relative_paths,
        }
    }

    /// The build graph of `resolved`, each target in its project (`project` stands for
    /// `--project`; `DEPOT_PROJECT_ID` and `depot.json` are read from the environment and
    /// working directory given to [`Bake`]).
    ///
    /// # Errors
    /// A cycle of `target:` contexts, or a `depot.json` that cannot be used.
    pub fn graph(
        &self,
        resolved: &Resolved,
        project: Option<&str>,
    ) -> Result<BuildGraph, GraphError> {
        BuildGraph::new(resolved, &self.project_defaults(project)?)
    }

    /// [`Project::graph`], moving the targets out of `resolved`.
    ///
    /// # Errors
    /// A cycle of `target:` contexts, or a `depot.json` that cannot be used.
    pub fn into_graph(
        &self,
        resolved: Resolved,
        project: Option<&str>,
    ) -> Result<BuildGraph, GraphError> {
        BuildGraph::from_resolved(resolved, &self.project_defaults(project)?)
    }

    fn project_defaults(&self, project: Option<&str>) -> Result<ProjectDefaults, GraphError> {
        ProjectDefaults::discover(project, &self.env, &self.cwd).map_err(GraphError::DepotJson)
    }

    /// Explains the fields of `resolved`'s targets (all, or the `only` ones: target and
    /// optional field). Load with [`Bake::record_origins`] for the full chain.
    #[must_use]
    pub fn explain(&self, resolved: &Resolved, only: &[(String, Option<String>)]) -> Explained {
        crate::explain::explain(resolved, &self.config, &self.sources, &self.facts, only)
    }
}
