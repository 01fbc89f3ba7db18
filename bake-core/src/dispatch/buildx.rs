//! The BuildKit backend: one `docker buildx build` per build.
//!
//! One `build` per node (not one `bake` per project) keeps every build its own process, so a
//! failure ends only that build, each build has its own duration, progress and metadata, and
//! `max-parallelism` is ours to keep. Builds that others use as named contexts also write an
//! OCI layout (a second exporter), which their dependents take as `oci-layout://DIR@DIGEST`;
//! on the same builder BuildKit finds the layers in its store and rebuilds nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::rawjson::{Decoder, Tracker};
use super::{
    Backend, BoxFuture, BuildFailure, BuildJob, BuildOutput, Cancel, Event, EventSink, Handoff,
};
use crate::config::ProjectConfig;
use crate::entries::{CacheEntry, ExportEntry, PolicyEntry, SecretEntry, SshEntry};
use crate::util::csv_quote;

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

/// Drives `docker buildx build`.
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

    /// The metadata file of a build.
    fn metadata_path(job: &BuildJob) -> PathBuf {
        job.options
            .work_dir
            .join("metadata")
            .join(format!("{}.json", job.node.id))
    }

    /// The exact command that runs `job`.
    ///
    /// # Errors
    /// A `--save` without a registry for the project.
    pub fn command(&self, job: &BuildJob) -> Result<Invocation, BuildFailure> {
        let t = &job.node.target;
        let project = &job.node.project.id;
        let mut a: Vec<String> = vec!["buildx".into(), "build".into()];
        let flag = |a: &mut Vec<String>, k: &str, v: String| {
            a.push(k.to_string());
            a.push(v);
        };
        flag(&mut a, "--progress", "rawjson".into());
        flag(
            &mut a,
            "--metadata-file",
            Self::metadata_path(job).to_string_lossy().into_owned(),
        );
        if let Some(b) = Self::project_builder(project, &job.project) {
            flag(&mut a, "--builder", b);
        }

        // Context and Dockerfile, as bake's toBuildOpt places them.
        let context = t.context.strip_prefix("cwd://").unwrap_or(&t.context);
        let context = if context.is_empty() { "." } else { context };
        let remote = crate::util::is_remote_url(context);
        let mut stdin = None;
        if let Some(inline) = &t.dockerfile_inline {
            flag(&mut a, "--file", "-".into());
            stdin = Some(inline.clone());
        } else {
            let df = if t.dockerfile.is_empty() {
                "Dockerfile"
            } else {
                &t.dockerfile
            };
            let df = if let Some(rest) = df.strip_prefix("cwd://") {
                rest.to_string()
            } else if !remote && !Path::new(df).is_absolute() && context != "-" {
                crate::util::clean_path(&Path::new(context).join(df).to_string_lossy())
            } else {
                df.to_string()
            };
            flag(&mut a, "--file", df);
        }
        if let Some(s) = &t.target {
            flag(&mut a, "--target", s.clone());
        }
        if !t.platforms.is_empty() {
            flag(&mut a, "--platform", t.platforms.join(","));
        }
        for tag in &t.tags {
            flag(&mut a, "--tag", tag.clone());
        }
        for (k, v) in &t.args {
            if let Some(v) = v {
                flag(&mut a, "--build-arg", format!("{k}={v}"));
            }
        }
        for (k, v) in &t.labels {
            if let Some(v) = v {
                flag(&mut a, "--label", format!("{k}={v}"));
            }
        }
        for an in &t.annotations {
            flag(&mut a, "--annotation", an.clone());
        }
        for at in &t.attest {
            flag(&mut a, "--attest", at.to_csv());
        }
        for c in &t.cache_from {
            flag(&mut a, "--cache-from", cache_csv(c));
        }
        for c in &t.cache_to {
            flag(&mut a, "--cache-to", cache_csv(c));
        }
        for s in &t.secret {
            flag(&mut a, "--secret", secret_csv(s));
        }
        for s in &t.ssh {
            flag(&mut a, "--ssh", ssh_text(s));
        }
        for (name, value) in &t.contexts {
            let v = if value.starts_with("target:") {
                match job.contexts.get(name) {
                    Some(r) => r.clone(),
                    None => {
                        return Err(BuildFailure::new(format!(
                            "context `{name}` ({value}) has no hand-over from its build"
                        )))
                    }
                }
            } else {
                value.strip_prefix("cwd://").unwrap_or(value).to_string()
            };
            flag(&mut a, "--build-context", format!("{name}={v}"));
        }
        if t.pull == Some(true) {
            a.push("--pull".into());
        }
        if t.no_cache == Some(true) {
            a.push("--no-cache".into());
        }
        for f in &t.no_cache_filter {
            flag(&mut a, "--no-cache-filter", f.clone());
        }
        if let Some(n) = &t.network {
            flag(&mut a, "--network", n.clone());
        }
        if let Some(s) = &t.shm_size {
            flag(&mut a, "--shm-size", s.clone());
        }
        for u in &t.ulimits {
            flag(&mut a, "--ulimit", u.clone());
        }
        if let Some(c) = &t.call {
            if c != "build" {
                flag(&mut a, "--call", c.clone());
            }
        }
        let mut allow: Vec<String> = t.entitlements.clone();
        for e in &job.options.allow {
            if !allow.contains(e) {
                allow.push(e.clone());
            }
        }
        for e in allow {
            flag(&mut a, "--allow", e);
        }
        for (h, ip) in &t.extra_hosts {
            match ip {
                Some(ip) => flag(&mut a, "--add-host", format!("{h}={ip}")),
                None => flag(&mut a, "--add-host", h.clone()),
            }
        }
        for p in &t.policy {
            flag(&mut a, "--policy", policy_csv(p));
        }

        // Outputs: the target's own, the --save image, the hand-over layout.
        let mut outputs: Vec<String> = t
            .output
            .iter()
            .filter(|o| o.typ != "cacheonly")
            .map(export_csv)
            .collect();
        if job.options.save && job.node.requested {
            match &job.save_ref {
                Some(r) => outputs.push(format!("type=image,name={r},push=true")),
                None => {
                    return Err(BuildFailure::new(format!(
                        "--save: project {project} has no registry configured; add `registry = \"HOST/REPO\"` under [projects.{project}] in bake.toml"
                    )))
                }
            }
        }
        if let Some(Handoff::OciLayout(dir)) = &job.handoff {
            outputs.push(format!("type=oci,dest={},tar=false", dir.to_string_lossy()));
        }
        if outputs.is_empty() && t.output.iter().any(|o| o.typ == "cacheonly") {
            outputs.push("type=cacheonly".into());
        }
        for o in outputs {
            flag(&mut a, "--output", o);
        }
        a.push(context.to_string());
        Ok(Invocation {
            program: self.docker.clone(),
            args: a,
            env: Self::project_env(&job.project),
            stdin,
        })
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

fn kv_csv(first: &[(&str, &str)], attrs: &BTreeMap<String, String>) -> String {
    let mut parts: Vec<String> = first
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| csv_quote(&format!("{k}={v}")))
        .collect();
    parts.extend(attrs.iter().map(|(k, v)| csv_quote(&format!("{k}={v}"))));
    parts.join(",")
}

fn cache_csv(c: &CacheEntry) -> String {
    kv_csv(&[("type", &c.typ)], &c.attrs)
}

fn export_csv(e: &ExportEntry) -> String {
    kv_csv(&[("type", &e.typ), ("dest", &e.dest)], &e.attrs)
}

fn secret_csv(s: &SecretEntry) -> String {
    kv_csv(
        &[("id", &s.id), ("src", &s.src), ("env", &s.env)],
        &BTreeMap::new(),
    )
}

fn ssh_text(s: &SshEntry) -> String {
    if s.paths.is_empty() {
        s.id.clone()
    } else {
        format!("{}={}", s.id, s.paths.join(","))
    }
}

fn policy_csv(p: &PolicyEntry) -> String {
    let mut parts: Vec<String> = p
        .files
        .iter()
        .map(|f| csv_quote(&format!("filename={f}")))
        .collect();
    if p.reset {
        parts.push("reset=true".into());
    }
    if p.disabled {
        parts.push("disabled=true".into());
    }
    if let Some(s) = p.strict {
        parts.push(format!("strict={s}"));
    }
    if let Some(l) = &p.log_level {
        parts.push(format!("log-level={l}"));
    }
    parts.join(",")
}

/// Kills a process group when dropped, unless told the process has ended.
struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    fn signal(&self, sig: i32) {
        if let Some(p) = self.pgid {
            // SAFETY: kill(2) with a negative pid signals the process group we created for
            // this build (process_group(0) makes the child its leader); no memory is touched.
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

impl Backend for BuildxBackend {
    fn prepare(
        self: Arc<Self>,
        project: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        Box::pin(async move {
            let limit = Duration::from_secs(60);
            let env = Self::project_env(&config);
            if let Some(b) = &config.builder {
                self.short(&["buildx", "inspect", "--bootstrap", b], &env, limit)
                    .await
                    .map_err(|e| {
                        format!("builder `{b}` is not usable: {e} (`docker buildx ls` lists the builders; fix `builder` under [projects.{project}])")
                    })?;
                return Ok(());
            }
            if let Some(ep) = &config.endpoint {
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
                return Ok(());
            }
            let host = config
                .docker_host
                .clone()
                .or_else(|| self.env.get("DOCKER_HOST").cloned())
                .unwrap_or_else(|| "the local Docker engine".into());
            self.short(&["version", "--format", "{{.Server.Version}}"], &env, limit)
                .await
                .map_err(|e| format!("cannot reach {host}: {e}"))?;
            Ok(())
        })
    }

    fn build(
        self: Arc<Self>,
        job: BuildJob,
        events: Arc<dyn EventSink>,
        mut cancel: Cancel,
    ) -> BoxFuture<Result<BuildOutput, BuildFailure>> {
        Box::pin(async move {
            let i = job.index;
            let inv = self.command(&job)?;
            let meta_path = Self::metadata_path(&job);
            if let Some(dir) = meta_path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    BuildFailure::new(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let _ = std::fs::remove_file(&meta_path);
            if let Some(Handoff::OciLayout(dir)) = &job.handoff {
                let _ = std::fs::remove_dir_all(dir);
            }
            if !t_has_dockerfile(&job, &self.cwd) {
                return Err(BuildFailure::new(format!(
                    "Dockerfile not found: {}",
                    dockerfile_display(&inv)
                )));
            }
            let mut cmd = tokio::process::Command::new(&inv.program);
            cmd.args(&inv.args)
                .env_clear()
                .envs(&self.env)
                .envs(inv.env.iter().cloned())
                .current_dir(&self.cwd)
                .stdin(if inv.stdin.is_some() {
                    std::process::Stdio::piped()
                } else {
                    std::process::Stdio::null()
                })
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .process_group(0)
                .kill_on_drop(true);
            let mut child = cmd.spawn().map_err(|e| {
                BuildFailure::new(format!("cannot run {}: {e}", inv.program.display()))
            })?;
            let mut guard = GroupGuard {
                pgid: child.id().and_then(|p| i32::try_from(p).ok()),
            };
            if let (Some(text), Some(mut w)) = (inv.stdin.clone(), child.stdin.take()) {
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
                let events = events.clone();
                tokio::spawn(async move {
                    let mut dec = Decoder::default();
                    let mut tr = Tracker::default();
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match r.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        for item in dec.push(&buf[..n]) {
                            feed(&mut tr, item, i, events.as_ref());
                        }
                    }
                    for item in dec.finish() {
                        feed(&mut tr, item, i, events.as_ref());
                    }
                    tr
                })
            });
            let status = tokio::select! {
                s = child.wait() => s,
                () = cancel.cancelled() => {
                    // buildx cancels the build in BuildKit on SIGINT; give it a moment.
                    guard.signal(libc::SIGINT);
                    if tokio::time::timeout(Duration::from_secs(5), child.wait()).await.is_err() {
                        guard.signal(libc::SIGKILL);
                        let _ = child.wait().await;
                    }
                    guard.signal(libc::SIGKILL);
                    guard.pgid = None;
                    return Err(BuildFailure::new("cancelled"));
                }
            };
            // The leader exited; anything left in its group goes with the guard.
            drop(guard);
            let tracker = match stderr_task {
                Some(t) => t.await.unwrap_or_default(),
                None => Tracker::default(),
            };
            let stdout = match stdout_task {
                Some(t) => t.await.unwrap_or_default(),
                None => String::new(),
            };
            let status =
                status.map_err(|e| BuildFailure::new(format!("waiting for docker: {e}")))?;
            let (steps, _, cached) = tracker.counts();
            if !status.success() {
                let message = tracker
                    .failure_message()
                    .unwrap_or_else(|| format!("docker buildx build exited with {status}"));
                return Err(BuildFailure {
                    message,
                    log_tail: tracker.tail(),
                });
            }
            let metadata = match std::fs::read_to_string(&meta_path) {
                Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(serde_json::Value::Object(m)) => m,
                    _ => serde_json::Map::new(),
                },
                Err(_) => serde_json::Map::new(),
            };
            let mut out = BuildOutput {
                metadata,
                handoff_ref: None,
                cached_steps: cached,
                steps,
                stdout,
            };
            if let Some(Handoff::OciLayout(dir)) = &job.handoff {
                let Some(d) = out.digest().map(str::to_string) else {
                    return Err(BuildFailure::new(
                        "the build wrote no image digest, so the builds that use it cannot get it",
                    ));
                };
                out.handoff_ref = Some(format!("oci-layout://{}@{d}", dir.to_string_lossy()));
            }
            Ok(out)
        })
    }
}

fn feed(tr: &mut Tracker, item: super::rawjson::Item, node: usize, events: &dyn EventSink) {
    let lines = tr.apply(item);
    if lines.is_empty() {
        return;
    }
    for line in lines {
        events.event(&Event::Log { node, line });
    }
    let (total, done, cached) = tr.counts();
    events.event(&Event::Progress {
        node,
        total,
        done,
        cached,
        current: tr.current(),
    });
}

/// Whether a local Dockerfile the build needs exists (remote contexts and inline files are
/// not checked).
fn t_has_dockerfile(job: &BuildJob, cwd: &Path) -> bool {
    let t = &job.node.target;
    if t.dockerfile_inline.is_some() {
        return true;
    }
    let context = t.context.strip_prefix("cwd://").unwrap_or(&t.context);
    if crate::util::is_remote_url(context) || context == "-" {
        return true;
    }
    let df = if t.dockerfile.is_empty() {
        "Dockerfile"
    } else {
        t.dockerfile.as_str()
    };
    let path = match df.strip_prefix("cwd://") {
        Some(rest) => cwd.join(rest),
        None if Path::new(df).is_absolute() => PathBuf::from(df),
        None => cwd.join(context).join(df),
    };
    path.is_file()
}

fn dockerfile_display(inv: &Invocation) -> String {
    inv.args
        .iter()
        .position(|a| a == "--file")
        .and_then(|i| inv.args.get(i + 1))
        .cloned()
        .unwrap_or_default()
}
