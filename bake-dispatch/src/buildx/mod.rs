//! The `BuildKit` backend: one `docker buildx bake` per run.
//!
//! A run's builds go to buildx as one bake definition on standard input (see
//! [`definition`](super::definition)), with `--progress=rawjson` (each vertex carries its
//! target's name, so progress is kept per build) and `--metadata-file` (per target). Shared
//! contexts are sent once, `target:` links inside the run are resolved in `BuildKit`, and
//! attribute handling and defaults are buildx's own. buildx skips its entitlement check under
//! `rawjson`: the caller checks first ([`crate::entitlements`]); the user's `--allow` is passed
//! on, plus write access to bake's private directory when a run writes hand-offs or load
//! archives there (for buildx before 0.21, which still checks).
//!
//! Each stage has its file: the Docker CLI's configuration and the buildx plugin check
//! (`docker.rs`), the command and its definition (`command.rs`), the missing-Dockerfile check
//! before a run (`precheck.rs`), running the process and decoding its progress
//! (`process.rs`), the results of a run (`results.rs`), and loading archives into the local
//! engine afterwards (`load.rs`). This file holds the backend itself and its [`Backend`]
//! methods, which chain those stages.

mod check;
mod command;
mod docker;
mod images;
mod inspect;
mod load;
mod precheck;
mod process;
mod results;
mod split;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::ProjectConfig;
use crate::definition::{Definition, Role};
use crate::{
    Backend, BoxFuture, BuildFailure, BuildResult, Cancel, EventSink, Handoff, RunJob, RunOutcome,
};

pub use check::{LintReport, LintWarning};
pub use command::{sh_quote, Invocation};
pub use docker::{check_buildx, find_in_path, BuildxError, DockerCli, MIN_BUILDX};
pub use images::CACHE_EPOCH_TAG;
pub use inspect::{parse_inspect, BuilderState};

/// The JSON value in the regular file `p`, if it reads and parses.
fn read_json(p: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&bake_core::api::frontend::read_regular(p).ok()?).ok()
}

/// Drives `docker buildx bake`.
#[derive(Debug, Clone)]
pub struct BuildxBackend {
    docker: PathBuf,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
}

/// The Docker CLI could not be found.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot build: `docker` was not found in PATH")]
#[diagnostic(
    code(bake::dispatch::no_docker),
    help("install Docker with the buildx plugin (docker-cli and docker-buildx), or use --dry-run or --print")
)]
pub struct NoDocker;

impl BuildxBackend {
    /// A backend using the `docker` of `env`'s `PATH`, running commands in `cwd` with exactly
    /// the environment `env`.
    ///
    /// # Errors
    /// [`NoDocker`] when `PATH` has no `docker`.
    pub fn new(env: BTreeMap<String, String>, cwd: PathBuf) -> Result<Self, NoDocker> {
        let docker = find_in_path("docker", &env).ok_or(NoDocker)?;
        Ok(BuildxBackend { docker, env, cwd })
    }

    /// A backend for plans: `docker` from `PATH` when there is one, else plain `docker`.
    #[must_use]
    pub fn for_plan(env: BTreeMap<String, String>, cwd: PathBuf) -> Self {
        let docker = find_in_path("docker", &env).unwrap_or_else(|| PathBuf::from("docker"));
        BuildxBackend { docker, env, cwd }
    }

    /// The name of the `remote` builder made for a project's `endpoint`.
    #[must_use]
    pub fn endpoint_builder(project: &str) -> String {
        let clean: String = project
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("bake-{clean}")
    }

    fn project_env(p: &ProjectConfig) -> Vec<(String, String)> {
        p.docker_host
            .as_ref()
            .map(|h| vec![("DOCKER_HOST".to_string(), h.clone())])
            .unwrap_or_default()
    }

    fn project_builder(project: &str, p: &ProjectConfig) -> Option<String> {
        p.builder
            .clone()
            .or_else(|| p.endpoint.as_ref().map(|_| Self::endpoint_builder(project)))
    }
}

impl Backend for BuildxBackend {
    fn prepare(
        self: Arc<Self>,
        project: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        Box::pin(async move {
            // Builders and engines are checked by the run itself (its error names them); only
            // an endpoint needs a `remote` builder made for it first.
            let Some(ep) = &config.endpoint else {
                return Ok(());
            };
            if config.builder.is_some() {
                return Ok(());
            }
            let limit = Duration::from_mins(1);
            let env = Self::project_env(&config);
            let name = Self::endpoint_builder(&project);
            if self
                .short(&["buildx", "inspect", &name], &env, limit)
                .await
                .is_err()
            {
                let tls: Vec<String> = [
                    ("cacert", &config.cacert),
                    ("cert", &config.cert),
                    ("key", &config.key),
                    ("servername", &config.servername),
                ]
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                .collect();
                let opts = tls.join(",");
                let mut args = vec!["buildx", "create", "--name", &name, "--driver", "remote"];
                if !opts.is_empty() {
                    args.extend(["--driver-opt", &opts]);
                }
                args.push(ep);
                self.short(&args, &env, limit)
                    .await
                    .map_err(|e| format!("cannot create a remote builder for {ep}: {e}"))?;
            }
            self.short(&["buildx", "inspect", "--bootstrap", &name], &env, limit)
                .await
                .map_err(|e| format!("BuildKit at {ep} is not reachable: {e}"))?;
            Ok(())
        })
    }

    fn probe(
        self: Arc<Self>,
        name: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        Box::pin(async move {
            let st = self.inspect(&name, &config, Duration::from_secs(30)).await;
            if st.reachable {
                Ok(())
            } else {
                Err(st.reason.unwrap_or_else(|| "it does not answer".into()))
            }
        })
    }

    fn run(
        self: Arc<Self>,
        run: RunJob,
        events: Arc<dyn EventSink>,
        cancel: Cancel,
    ) -> BoxFuture<RunOutcome> {
        Box::pin(async move {
            let mut results = BTreeMap::new();
            let mut builds = run.builds.clone();
            precheck::drop_unrunnable(&mut builds, &self.cwd, &mut results);
            if builds.iter().all(|b| b.context_only) {
                return RunOutcome { results };
            }
            let run = RunJob { builds, ..run };
            if let Some(b) = run.builds.iter().find(|b| !b.split.is_empty()) {
                let b = b.clone();
                results.extend(split::run_split(self.clone(), &run, &b, events, cancel).await);
                return RunOutcome { results };
            }
            results.extend(self.run_builds(&run, events, cancel).await);
            RunOutcome { results }
        })
    }
}

impl BuildxBackend {
    /// Runs the builds of `run` (all of them runnable) in one `docker buildx bake`, and
    /// returns their results.
    async fn run_builds(
        &self,
        run: &RunJob,
        events: Arc<dyn EventSink>,
        cancel: Cancel,
    ) -> BTreeMap<usize, BuildResult> {
        let builds = &run.builds;
        let meta_path = Self::metadata_path(run);
        let (inv, def) = self.command(run);
        if let Err(f) = clear_outputs(run, &def, &meta_path) {
            return results::fail_all(builds, &f);
        }
        let (tracker, nodes) = process::progress_slots(&def, builds);
        let ran = match self.execute(&inv, tracker, nodes, events, cancel).await {
            Ok(Some(r)) => r,
            Ok(None) => return results::interrupt_all(builds),
            Err(f) => return results::fail_all(builds, &f),
        };
        let mut results = results::of_run(&def, run, &ran, &meta_path);
        if ran.success {
            self.load_archives(&def, run, &mut results).await;
        }
        results
    }
}

/// Makes room for what the run writes: the directory of its metadata file, and no stale
/// metadata file, hand-off layout or load archive from an earlier attempt.
///
/// # Errors
/// The metadata file's directory cannot be created.
fn clear_outputs(run: &RunJob, def: &Definition, meta_path: &Path) -> Result<(), BuildFailure> {
    if let Some(dir) = meta_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| BuildFailure::new(format!("cannot create {}: {e}", dir.display())))?;
    }
    let _ = std::fs::remove_file(meta_path);
    for b in &run.builds {
        if let Some(Handoff::OciLayout(dir)) = &b.handoff {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    for d in &def.targets {
        for role in &d.roles {
            if let Role::Load(tar) = role {
                if let Some(parent) = tar.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::fs::remove_file(tar);
            }
        }
    }
    Ok(())
}
