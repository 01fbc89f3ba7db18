//! The BuildKit backend: one `docker buildx bake` per run.
//!
//! A run's builds go to buildx as one bake definition on standard input (see
//! [`definition`](super::definition)), with `--progress=rawjson` (each vertex carries its
//! target's name, so progress is kept per build) and `--metadata-file` (per target). Shared
//! contexts are sent once, `target:` links inside the run are resolved in BuildKit, and
//! attribute handling and defaults are buildx's own. buildx skips its entitlement check under
//! `rawjson`: the caller checks first ([`crate::entitlements`]); the user's `--allow` is passed
//! on, plus write access to bake's private directory when a run writes hand-offs or load
//! archives there (for buildx before 0.21, which still checks).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::definition::{definition, Definition, Role};
use super::rawjson::{Decoder, RunTracker};
use super::{
    Backend, BoxFuture, BuildFailure, BuildJob, BuildOutput, BuildResult, Cancel, Event, EventSink,
    Handoff, RunJob, RunOutcome,
};
use crate::config::ProjectConfig;

/// A command line: program, arguments, extra environment and standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The program (the `docker` found in `PATH`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables set for it on top of the caller's environment.
    pub env: Vec<(String, String)>,
    /// What it reads on standard input (an inline Dockerfile).
    pub stdin: Option<String>,
}

impl Invocation {
    /// The command as a shell line (`DOCKER_HOST=… docker buildx build …`), quoted for sh.
    #[must_use]
    pub fn shell_line(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", sh_quote(v)))
            .collect();
        parts.push(sh_quote(&self.program.to_string_lossy()));
        parts.extend(self.args.iter().map(|a| sh_quote(a)));
        let mut line = parts.join(" ");
        if let Some(s) = &self.stdin {
            line.push_str(" <<'EOF'\n");
            line.push_str(s);
            if !s.ends_with('\n') {
                line.push('\n');
            }
            line.push_str("EOF");
        }
        line
    }
}

/// Quotes `s` for a POSIX shell when it needs it.
#[must_use]
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+^".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Finds `name` in the `PATH` of `env`, as `which` does.
#[must_use]
pub fn find_in_path(name: &str, env: &BTreeMap<String, String>) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = env.get("PATH")?;
    path.split(':').filter(|d| !d.is_empty()).find_map(|d| {
        let p = Path::new(d).join(name);
        let meta = std::fs::metadata(&p).ok()?;
        (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(p)
    })
}

/// The Docker CLI's configuration: its directory (`DOCKER_CONFIG`, else `~/.docker`) and
/// `config.json`, read once.
#[derive(Debug, Clone, Default)]
pub struct DockerCli {
    dir: Option<PathBuf>,
    config: serde_json::Value,
}

impl DockerCli {
    /// Reads the configuration the Docker CLI would use with the environment `env`.
    #[must_use]
    pub fn load(env: &BTreeMap<String, String>) -> DockerCli {
        let dir = env
            .get("DOCKER_CONFIG")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".docker")));
        let config = dir
            .as_ref()
            .and_then(|d| read_json(&d.join("config.json")))
            .unwrap_or_default();
        DockerCli { dir, config }
    }

    /// The Docker engine the user's `docker` talks to: `DOCKER_HOST`, else the endpoint of
    /// the context `DOCKER_CONTEXT` or the configuration's `currentContext` names, else the
    /// default socket.
    #[must_use]
    pub fn local_host(&self, env: &BTreeMap<String, String>) -> String {
        const DEFAULT: &str = "unix:///var/run/docker.sock";
        if let Some(h) = env.get("DOCKER_HOST").filter(|h| !h.is_empty()) {
            return h.clone();
        }
        let context = env
            .get("DOCKER_CONTEXT")
            .filter(|c| !c.is_empty())
            .map(String::as_str)
            .or_else(|| self.config.get("currentContext")?.as_str());
        let (Some(dir), Some(name)) = (&self.dir, context.filter(|c| *c != "default")) else {
            return DEFAULT.into();
        };
        use sha2::Digest as _;
        let hash: String = sha2::Sha256::digest(name.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        read_json(
            &dir.join("contexts")
                .join("meta")
                .join(hash)
                .join("meta.json"),
        )
        .and_then(|m| {
            Some(
                m.get("Endpoints")?
                    .get("docker")?
                    .get("Host")?
                    .as_str()?
                    .to_string(),
            )
        })
        .unwrap_or_else(|| DEFAULT.into())
    }

    /// The plugin directories, in the CLI's order of lookup.
    fn plugin_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .config
            .get("cliPluginsExtraDirs")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(PathBuf::from))
            .collect();
        dirs.extend(self.dir.as_ref().map(|d| d.join("cli-plugins")));
        dirs.extend(
            [
                "/usr/local/lib/docker/cli-plugins",
                "/usr/local/libexec/docker/cli-plugins",
                "/usr/lib/docker/cli-plugins",
                "/usr/libexec/docker/cli-plugins",
            ]
            .map(PathBuf::from),
        );
        dirs
    }
}

fn read_json(p: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&bake_core::util::read_regular(p).ok()?).ok()
}

/// The oldest buildx bake can drive: target names on errors and one session for all
/// targets of a bake run (0.17), `--allow` and `entitlements` in bake, `--call`.
pub const MIN_BUILDX: (u32, u32, u32) = (0, 17, 0);

/// The buildx plugin is missing or too old.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum BuildxError {
    /// No `docker-buildx` in the Docker CLI's plugin directories.
    #[error("cannot build: the Docker CLI has no buildx plugin (looked in {})", looked.join(", "))]
    #[diagnostic(
        code(bake::dispatch::no_buildx),
        help("install Docker's buildx plugin, 0.17.0 or newer (Debian/Ubuntu: docker-buildx; or put the docker-buildx binary in ~/.docker/cli-plugins/); --print, --list, --explain, --graph and --dry-run need no engine")
    )]
    Missing {
        /// The directories searched.
        looked: Vec<String>,
    },
    /// A plugin older than [`MIN_BUILDX`].
    #[error("cannot build: buildx {found} ({path}) is too old; bake needs buildx 0.17.0 or newer")]
    #[diagnostic(
        code(bake::dispatch::old_buildx),
        help("upgrade Docker's buildx plugin (https://github.com/docker/buildx/releases)")
    )]
    TooOld {
        /// The version found.
        found: String,
        /// The plugin binary.
        path: String,
    },
}

/// `0.29.1+ds1`, `v0.36.1` → (0, 29, 1).
fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['+', '-', ' ']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u32>().ok());
    Some((
        it.next()??,
        it.next()?.unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}

/// Finds the buildx plugin the Docker CLI would run (with the environment `env`) and checks
/// its version. The version is
/// asked of the plugin once per binary (keyed by path, size and modification time) and kept in
/// `cache_dir`, so a warm build pays a `stat`, not a process.
///
/// # Errors
/// No plugin, or one older than [`MIN_BUILDX`].
pub fn check_buildx(
    docker: &DockerCli,
    env: &BTreeMap<String, String>,
    cache_dir: Option<&Path>,
) -> Result<String, BuildxError> {
    let dirs = docker.plugin_dirs();
    let Some(path) = dirs.iter().map(|d| d.join("docker-buildx")).find(|p| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }) else {
        return Err(BuildxError::Missing {
            looked: dirs.iter().map(|d| d.display().to_string()).collect(),
        });
    };
    let meta = std::fs::metadata(&path).ok();
    let key = format!(
        "{}\t{}\t{}",
        path.display(),
        meta.as_ref().map_or(0, std::fs::Metadata::len),
        meta.and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos())
    );
    let cache = cache_dir.map(|d| d.join("buildx-version"));
    let cached = cache
        .as_ref()
        .and_then(|c| bake_core::util::read_regular(c).ok())
        .and_then(|t| {
            let (k, v) = t.trim_end().rsplit_once('\t')?;
            (k == key).then(|| v.to_string())
        });
    let version = match cached {
        Some(v) => v,
        None => {
            let out = std::process::Command::new(&path)
                .arg("version")
                .env_clear()
                .envs(env)
                .stdin(std::process::Stdio::null())
                .output();
            let text = out
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            // `github.com/docker/buildx v0.36.1 <sha>` or `… 0.29.1+ds1 0.29.1+ds1-4`.
            let v = text.split_whitespace().nth(1).unwrap_or("").to_string();
            if let (Some(c), false) = (&cache, v.is_empty()) {
                if let Some(parent) = c.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::fs::write(c, format!("{key}\t{v}\n"));
            }
            v
        }
    };
    match parse_version(&version) {
        Some(found) if found < MIN_BUILDX => Err(BuildxError::TooOld {
            found: version,
            path: path.display().to_string(),
        }),
        // A version that does not parse (a development build) is given the benefit of the
        // doubt.
        _ => Ok(version),
    }
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

    /// The metadata file of a run.
    fn metadata_path(run: &RunJob) -> PathBuf {
        run.options
            .work_dir
            .join("runs")
            .join(format!("{}.json", run.id))
    }

    /// The exact command of a run, and the definition it reads on standard input.
    #[must_use]
    pub fn command(&self, run: &RunJob) -> (Invocation, Definition) {
        let load_locally = match (&run.config.docker_host, &run.options.local_host) {
            (Some(h), Some(local)) => h != local,
            _ => false,
        };
        let def = definition(&run.builds, &run.options.work_dir, load_locally);
        let mut a: Vec<String> = vec!["buildx".into(), "bake".into()];
        let flag = |a: &mut Vec<String>, k: &str, v: String| {
            a.push(k.to_string());
            a.push(v);
        };
        flag(&mut a, "--file", "-".into());
        flag(&mut a, "--progress", "rawjson".into());
        flag(
            &mut a,
            "--metadata-file",
            Self::metadata_path(run).to_string_lossy().into_owned(),
        );
        if let Some(b) = Self::project_builder(&run.project, &run.config) {
            flag(&mut a, "--builder", b);
        }
        for e in run.options.allow.iter().chain(&def.grants) {
            flag(&mut a, "--allow", e.clone());
        }
        for p in &run.options.policy {
            flag(&mut a, "--policy", p.clone());
        }
        for t in &def.targets {
            if !t.roles.contains(&Role::Context) {
                a.push(t.name.clone());
            }
        }
        let mut env = Self::project_env(&run.config);
        if !run.options.metadata_provenance {
            env.push(("BUILDX_METADATA_PROVENANCE".into(), "disabled".into()));
        }
        let inv = Invocation {
            program: self.docker.clone(),
            args: a,
            env,
            stdin: Some(def.json.clone()),
        };
        (inv, def)
    }

    /// Runs a short docker command with a time limit; its trimmed stdout, or the last line of
    /// its stderr.
    async fn short(
        &self,
        args: &[&str],
        env: &[(String, String)],
        limit: Duration,
    ) -> Result<String, String> {
        let mut cmd = tokio::process::Command::new(&self.docker);
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .envs(env.iter().cloned())
            .current_dir(&self.cwd)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        match tokio::time::timeout(limit, cmd.output()).await {
            Err(_) => Err(format!(
                "`docker {}` did not answer within {}s",
                args.join(" "),
                limit.as_secs()
            )),
            Ok(Err(e)) => Err(format!("cannot run {}: {e}", self.docker.display())),
            Ok(Ok(out)) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
            Ok(Ok(out)) => {
                let err = String::from_utf8_lossy(&out.stderr);
                let line = err
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("failed")
                    .trim()
                    .to_string();
                Err(line)
            }
        }
    }
}

/// Kills a process group when dropped, unless told the process has ended.
struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    fn signal(&self, sig: i32) {
        if let Some(p) = self.pgid {
            // SAFETY: kill(2) with a negative pid signals the process group we created for
            // this run (process_group(0) makes the child its leader); no memory is touched.
            unsafe {
                libc::kill(-p, sig);
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.signal(libc::SIGKILL);
    }
}

/// What the process of a run left behind.
struct Ran {
    success: bool,
    exit: String,
    tracker: RunTracker,
    stdout: String,
    start: std::time::Instant,
}

impl BuildxBackend {
    /// Runs `inv`, feeding its progress to `tracker` and the events of slot `s` to the build
    /// `nodes[s]` (none for context-only slots). `None` when cancelled.
    async fn execute(
        &self,
        inv: &Invocation,
        mut tracker: RunTracker,
        nodes: Vec<Option<usize>>,
        events: Arc<dyn EventSink>,
        mut cancel: Cancel,
    ) -> Result<Option<Ran>, BuildFailure> {
        let start = std::time::Instant::now();
        let mut cmd = tokio::process::Command::new(&inv.program);
        cmd.args(&inv.args)
            .env_clear()
            .envs(&self.env)
            .envs(inv.env.iter().cloned())
            .current_dir(&self.cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| BuildFailure::new(format!("cannot run {}: {e}", inv.program.display())))?;
        let mut guard = GroupGuard {
            pgid: child.id().and_then(|p| i32::try_from(p).ok()),
        };
        if let Some(mut w) = child.stdin.take() {
            let text = inv.stdin.clone().unwrap_or_default();
            tokio::spawn(async move {
                let _ = w.write_all(text.as_bytes()).await;
            });
        }
        let stdout_task = child.stdout.take().map(|mut r| {
            tokio::spawn(async move {
                let mut s = String::new();
                let _ = r.read_to_string(&mut s).await;
                s
            })
        });
        let stderr_task = child.stderr.take().map(|mut r| {
            tokio::spawn(async move {
                let mut dec = Decoder::default();
                let mut buf = vec![0u8; 32 * 1024];
                loop {
                    let n = match r.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    for item in dec.push(&buf[..n]) {
                        feed(&mut tracker, item, &nodes, events.as_ref());
                    }
                }
                for item in dec.finish() {
                    feed(&mut tracker, item, &nodes, events.as_ref());
                }
                tracker
            })
        });
        let status = tokio::select! {
            s = child.wait() => s,
            () = cancel.cancelled() => {
                // buildx cancels the solve in BuildKit on SIGINT; give it a moment.
                guard.signal(libc::SIGINT);
                if tokio::time::timeout(Duration::from_secs(5), child.wait()).await.is_err() {
                    guard.signal(libc::SIGKILL);
                    let _ = child.wait().await;
                }
                guard.signal(libc::SIGKILL);
                guard.pgid = None;
                return Ok(None);
            }
        };
        // The leader exited; anything left in its group goes with the guard.
        drop(guard);
        let status = status.map_err(|e| BuildFailure::new(format!("waiting for docker: {e}")))?;
        let tracker = match stderr_task {
            Some(t) => t
                .await
                .map_err(|e| BuildFailure::new(format!("reading buildx's progress: {e}")))?,
            None => return Err(BuildFailure::new("buildx's progress was not readable")),
        };
        let stdout = match stdout_task {
            Some(t) => t.await.unwrap_or_default(),
            None => String::new(),
        };
        Ok(Some(Ran {
            success: status.success(),
            exit: status.to_string(),
            tracker,
            stdout,
            start,
        }))
    }
}

impl BuildxBackend {
    /// Loads the archives of builds made on another engine into the local one (`--load`
    /// lands where the user's `docker` points, whichever builder built it).
    async fn load_archives(
        &self,
        def: &Definition,
        run: &RunJob,
        results: &mut BTreeMap<usize, BuildResult>,
    ) {
        let local = run
            .options
            .local_host
            .clone()
            .unwrap_or_else(|| "the local Docker engine".into());
        for d in &def.targets {
            for role in &d.roles {
                let Role::Load(tar) = role else { continue };
                let Some(BuildResult::Done(out, took)) = results.get_mut(&d.node) else {
                    continue;
                };
                let path = tar.to_string_lossy().into_owned();
                let started = std::time::Instant::now();
                match self
                    .short(&["load", "-q", "-i", &path], &[], Duration::from_secs(600))
                    .await
                {
                    Ok(_) => {
                        out.loaded_into = Some(local.clone());
                        *took += started.elapsed();
                        let _ = std::fs::remove_file(tar);
                    }
                    Err(e) => {
                        results.insert(
                            d.node,
                            BuildResult::Failed(BuildFailure::new(format!(
                                "built, but loading it into {local} failed: {e}"
                            ))),
                        );
                    }
                }
            }
        }
    }
}

fn feed(
    tr: &mut RunTracker,
    item: super::rawjson::Item,
    nodes: &[Option<usize>],
    events: &dyn EventSink,
) {
    for (s, lines) in tr.apply(item) {
        let Some(node) = nodes.get(s).copied().flatten() else {
            continue;
        };
        if lines.is_empty() {
            continue;
        }
        for line in lines {
            events.event(&Event::Log { node, line });
        }
        let t = tr.slot(s);
        let (total, done, _) = t.counts();
        let (_, cached) = t.step_counts();
        events.event(&Event::Progress {
            node,
            total,
            done,
            cached,
            current: t.current(),
        });
    }
}

/// The local Dockerfile a build needs, when it is missing (remote contexts and Dockerfiles,
/// image and `target:` contexts, and inline Dockerfiles are not checked).
fn missing_dockerfile(job: &BuildJob, cwd: &Path) -> Option<String> {
    let t = &job.node.target;
    let inputs = crate::entitlements::Inputs::of(t);
    let remote = bake_core::go::is_remote_url(&inputs.context)
        || bake_core::go::is_remote_url(&inputs.dockerfile);
    let image = inputs.context.starts_with("docker-image:");
    if t.dockerfile_inline.is_some() || remote || image || inputs.context_is_target {
        return None;
    }
    (!cwd.join(&inputs.dockerfile).is_file()).then(|| {
        if t.dockerfile.is_empty() {
            "Dockerfile".to_string()
        } else {
            t.dockerfile.clone()
        }
    })
}

/// Removes from `builds` those that cannot run (a missing Dockerfile): they fail, and the
/// builds of the run that use them, directly or not, are interrupted (the scheduler then skips
/// them).
fn drop_unrunnable(
    builds: &mut Vec<BuildJob>,
    cwd: &Path,
    results: &mut BTreeMap<usize, BuildResult>,
) {
    let mut gone: Vec<usize> = Vec::new();
    for b in builds.iter() {
        if b.context_only {
            continue;
        }
        if let Some(df) = missing_dockerfile(b, cwd) {
            results.insert(
                b.index,
                BuildResult::Failed(BuildFailure::new(format!("Dockerfile not found: {df}"))),
            );
            gone.push(b.index);
        }
    }
    if gone.is_empty() {
        return;
    }
    // Builds come dependencies first, so one pass finds every user of a gone build.
    for b in builds.iter() {
        if gone.contains(&b.index) {
            continue;
        }
        let uses_gone = b
            .contexts
            .values()
            .any(|l| matches!(l, super::Link::InRun(d) if gone.contains(d)));
        if uses_gone {
            gone.push(b.index);
            if !b.context_only {
                results.insert(b.index, BuildResult::Interrupted);
            }
        }
    }
    builds.retain(|b| !gone.contains(&b.index));
}

/// The metadata buildx wrote for each definition target.
fn read_metadata(path: &Path) -> serde_json::Map<String, serde_json::Value> {
    match read_json(path) {
        Some(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

fn object(v: Option<&serde_json::Value>) -> serde_json::Map<String, serde_json::Value> {
    match v {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    }
}

fn digest_of(m: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    m.get("containerimage.digest")
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The results of a successful run, from the metadata file.
fn success_results(
    def: &Definition,
    builds: &[BuildJob],
    ran: &Ran,
    meta_path: &Path,
) -> BTreeMap<usize, BuildResult> {
    let meta = read_metadata(meta_path);
    let run_time = ran.start.elapsed();
    let mut results = BTreeMap::new();
    let mut stdout = Some(ran.stdout.clone());
    for (s, b) in builds.iter().enumerate() {
        if b.context_only {
            continue;
        }
        let t = ran.tracker.slot(s);
        let (steps, cached_steps) = t.step_counts();
        let mut out = BuildOutput {
            cached_steps,
            steps,
            stdout: stdout.take().unwrap_or_default(),
            ..BuildOutput::default()
        };
        let mut problem = None;
        for d in def.targets.iter().filter(|d| d.node == b.index) {
            let m = object(meta.get(&d.name));
            for role in &d.roles {
                match role {
                    Role::Build => out.metadata.clone_from(&m),
                    Role::Save(r) => {
                        out.saved = Some(match digest_of(&m) {
                            Some(dg) => format!("{r}@{dg}"),
                            None => r.clone(),
                        });
                    }
                    Role::Handoff(h) => match digest_of(&m) {
                        Some(dg) => out.handoff_ref = Some(h.reference(&dg)),
                        None => {
                            problem = Some(BuildFailure::new(
                                "the build wrote no image digest, so the builds on other builders that use it cannot get it",
                            ));
                        }
                    },
                    Role::Context | Role::Load(_) => {}
                }
            }
            // A build replaced by its --save or hand-off export has that one's metadata.
            if out.metadata.is_empty() {
                out.metadata = m;
            }
        }
        let result = match problem {
            Some(p) => BuildResult::Failed(p),
            None => {
                let took = t
                    .last_completed()
                    .map_or(run_time, |at| at.duration_since(ran.start));
                BuildResult::Done(out, took)
            }
        };
        results.insert(b.index, result);
    }
    results
}

/// The results of a failed run: the builds buildx names as failed fail, the others were
/// stopped by it and run again. When it names none, the failure is the run's: every build
/// fails with it.
fn failure_results(builds: &[BuildJob], ran: &Ran, run: &RunJob) -> BTreeMap<usize, BuildResult> {
    let tr = &ran.tracker;
    let mut failed = vec![false; builds.len()];
    for s in tr.failed() {
        failed[s] = true;
    }
    // A failed build's users in the run were stopped (the scheduler skips them); but a
    // context-only build that failed takes the builds that use it along.
    let slot_of: std::collections::HashMap<usize, usize> = builds
        .iter()
        .enumerate()
        .map(|(s, b)| (b.index, s))
        .collect();
    for (s, b) in builds.iter().enumerate() {
        let uses_failed_context = b.contexts.values().any(|l| {
            matches!(l, super::Link::InRun(d)
                if slot_of.get(d).is_some_and(|&ds| failed[ds] && builds[ds].context_only))
        });
        failed[s] |= uses_failed_context;
    }
    let whole_run = builds
        .iter()
        .zip(&failed)
        .all(|(b, f)| !f || b.context_only);
    let run_error = tr.error_text();
    let mut results = BTreeMap::new();
    for (s, b) in builds.iter().enumerate() {
        if b.context_only {
            continue;
        }
        if !(whole_run || failed[s]) {
            results.insert(b.index, BuildResult::Interrupted);
            continue;
        }
        let mut message = run_error
            .clone()
            .unwrap_or_else(|| format!("docker buildx bake exited with {}", ran.exit));
        let prefix = format!("target {}: ", b.node.names[0]);
        if let Some(rest) = message.strip_prefix(&prefix) {
            message = rest.to_string();
        }
        if let (true, Some(name)) = (whole_run, &run.config.builder) {
            if message.contains("no builder") {
                message = format!(
                    "project {}: builder `{name}` is not usable: {message} (`docker buildx ls` lists the builders; fix `builder` under [projects.{}])",
                    run.project, run.project
                );
            }
        }
        // Its own lines, then buildx's (the Dockerfile excerpt; its error is the message).
        let mut log_tail = tr.slot(s).tail();
        log_tail.extend(
            tr.run()
                .tail()
                .into_iter()
                .filter(|l| !l.starts_with("ERROR: ")),
        );
        results.insert(
            b.index,
            BuildResult::Failed(BuildFailure { message, log_tail }),
        );
    }
    results
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
            let limit = Duration::from_secs(60);
            let env = Self::project_env(&config);
            let name = Self::endpoint_builder(&project);
            if self
                .short(&["buildx", "inspect", &name], &env, limit)
                .await
                .is_err()
            {
                self.short(
                    &[
                        "buildx", "create", "--name", &name, "--driver", "remote", ep,
                    ],
                    &env,
                    limit,
                )
                .await
                .map_err(|e| format!("cannot create a remote builder for {ep}: {e}"))?;
            }
            self.short(&["buildx", "inspect", "--bootstrap", &name], &env, limit)
                .await
                .map_err(|e| format!("BuildKit at {ep} is not reachable: {e}"))?;
            Ok(())
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
            drop_unrunnable(&mut builds, &self.cwd, &mut results);
            if builds.iter().all(|b| b.context_only) {
                return RunOutcome { results };
            }
            let run = RunJob { builds, ..run };
            let builds = &run.builds;
            let meta_path = Self::metadata_path(&run);
            let fail_all = |results: &mut BTreeMap<usize, BuildResult>, f: BuildFailure| {
                for b in builds.iter().filter(|b| !b.context_only) {
                    results.insert(b.index, BuildResult::Failed(f.clone()));
                }
            };
            if let Some(dir) = meta_path.parent() {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    fail_all(
                        &mut results,
                        BuildFailure::new(format!("cannot create {}: {e}", dir.display())),
                    );
                    return RunOutcome { results };
                }
            }
            let _ = std::fs::remove_file(&meta_path);
            for b in builds {
                if let Some(Handoff::OciLayout(dir)) = &b.handoff {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            let (inv, def) = self.command(&run);
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
            let slot_of: std::collections::HashMap<usize, usize> = builds
                .iter()
                .enumerate()
                .map(|(s, b)| (b.index, s))
                .collect();
            let nodes: Vec<Option<usize>> = builds
                .iter()
                .map(|b| (!b.context_only).then_some(b.index))
                .collect();
            let tracker = RunTracker::new(
                def.targets
                    .iter()
                    .map(|d| (d.name.clone(), slot_of[&d.node])),
                builds.len(),
            );
            let ran = match self.execute(&inv, tracker, nodes, events, cancel).await {
                Ok(Some(r)) => r,
                Ok(None) => {
                    for b in builds.iter().filter(|b| !b.context_only) {
                        results.insert(b.index, BuildResult::Interrupted);
                    }
                    return RunOutcome { results };
                }
                Err(f) => {
                    fail_all(&mut results, f);
                    return RunOutcome { results };
                }
            };
            let calls = builds
                .iter()
                .filter(|b| !b.context_only)
                .all(|b| b.node.target.call.as_deref().is_some_and(|c| c != "build"));
            if ran.success {
                results.extend(success_results(&def, builds, &ran, &meta_path));
                self.load_archives(&def, &run, &mut results).await;
            } else if calls && !ran.tracker.has_error_line() {
                // `--check` that found problems: buildx printed them and exits 1.
                let mut r = success_results(&def, builds, &ran, &meta_path);
                for v in r.values_mut() {
                    if let BuildResult::Done(o, _) = v {
                        o.call_failed = true;
                    }
                }
                results.extend(r);
            } else {
                results.extend(failure_results(builds, &ran, &run));
            }
            RunOutcome { results }
        })
    }
}

#[cfg(test)]
mod version_tests {
    use super::parse_version;

    #[test]
    fn parses_upstream_and_debian_versions() {
        assert_eq!(parse_version("v0.36.1"), Some((0, 36, 1)));
        assert_eq!(parse_version("0.29.1+ds1"), Some((0, 29, 1)));
        assert_eq!(parse_version("0.13.1-dev"), Some((0, 13, 1)));
        assert_eq!(parse_version("junk"), None);
    }
}
