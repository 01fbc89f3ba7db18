//! Dispatch: runs a [`BuildGraph`](crate::BuildGraph) on builders, one per project, behind a [`Backend`].
//!
//! The scheduler starts each build as soon as the builds it uses as contexts are done, runs
//! projects in parallel, and keeps each project within its `max-parallelism`. A failed build
//! fails the builds that depend on it; every other build still runs to the end and keeps its
//! result, unless `fail_fast` is set. Cancelling (SIGINT in the CLI) stops everything in flight.
//! This module and its children are the only users of tokio in the library.

pub mod buildx;
pub mod plan;
mod rawjson;
mod scheduler;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use scheduler::dispatch;

use crate::config::{BakeConfig, ProjectConfig};
use crate::graph::BuildNode;

/// A boxed future, as [`Backend`] methods return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Invocation-wide options of a dispatch.
#[derive(Debug, Clone, Default)]
pub struct DispatchOptions {
    /// Stop starting builds, and cancel those running, after the first failure.
    pub fail_fast: bool,
    /// Push every requested build to its project's `registry` (`--save`).
    pub save: bool,
    /// The tag for `--save` (default: the build's content id).
    pub save_tag: Option<String>,
    /// Entitlements granted to every build (`--allow`).
    pub allow: Vec<String>,
    /// The builder for every project, overriding the configuration (`--builder`).
    pub builder: Option<String>,
    /// Per-project builder settings.
    pub config: BakeConfig,
    /// A private directory for hand-over layouts and per-build metadata.
    pub work_dir: PathBuf,
}

impl DispatchOptions {
    /// The effective settings of project `id`: its configuration, with `--builder` applied.
    #[must_use]
    pub fn project(&self, id: &str) -> ProjectConfig {
        let mut p = self.config.project(id);
        if let Some(b) = &self.builder {
            p.builder = Some(b.clone());
            p.docker_host = None;
            p.endpoint = None;
        }
        p
    }
}

/// How a build hands its result to the builds that use it as a named context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// An OCI image layout directory on this machine (`oci-layout://DIR@DIGEST`).
    OciLayout(PathBuf),
}

/// One build, as the scheduler gives it to a backend.
#[derive(Debug, Clone)]
pub struct BuildJob {
    /// The node's index in the graph.
    pub index: usize,
    /// The build.
    pub node: BuildNode,
    /// Its project's settings.
    pub project: ProjectConfig,
    /// Named contexts replacing its `target:` contexts: context name to reference
    /// (`oci-layout:///…@sha256:…`).
    pub contexts: BTreeMap<String, String>,
    /// Where it must leave its result when other builds use it.
    pub handoff: Option<Handoff>,
    /// The image `--save` pushes (`REGISTRY/TARGET:TAG`), when saving.
    pub save_ref: Option<String>,
    /// The options of the whole dispatch.
    pub options: Arc<DispatchOptions>,
}

/// The job for node `i`: its project's settings, its `target:` contexts replaced by the
/// references `handoff_of` gives for the nodes they name, a hand-over when other builds use
/// it, and the `--save` image.
pub fn job_for(
    graph: &crate::graph::BuildGraph,
    i: usize,
    options: &Arc<DispatchOptions>,
    handoff_of: impl Fn(usize) -> Option<String>,
) -> BuildJob {
    let node = graph.nodes[i].clone();
    let project = options.project(&node.project.id);
    let mut contexts = BTreeMap::new();
    for d in &node.deps {
        if let Some(r) = handoff_of(d.node) {
            contexts.insert(d.context.clone(), r);
        }
    }
    let used = !graph.dependents(i).is_empty();
    let handoff = used.then(|| Handoff::OciLayout(options.work_dir.join("handoff").join(&node.id)));
    let save_ref = if options.save && node.requested {
        project.registry.as_ref().map(|r| {
            let tag = options.save_tag.clone().unwrap_or_else(|| node.id.clone());
            format!("{}/{}:{}", r.trim_end_matches('/'), node.names[0], tag)
        })
    } else {
        None
    };
    BuildJob {
        index: i,
        node,
        project,
        contexts,
        handoff,
        save_ref,
        options: options.clone(),
    }
}

/// What a successful build produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOutput {
    /// The builder's metadata for the build (buildx's `--metadata-file` object).
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The reference dependents use as a named context, when there is a hand-over.
    pub handoff_ref: Option<String>,
    /// Steps of the build that BuildKit found in its cache.
    pub cached_steps: usize,
    /// All steps of the build.
    pub steps: usize,
    /// What the build printed on standard output (`--call` results).
    pub stdout: String,
}

impl BuildOutput {
    /// The image digest, from the metadata.
    #[must_use]
    pub fn digest(&self) -> Option<&str> {
        self.metadata
            .get("containerimage.digest")
            .and_then(|v| v.as_str())
    }

    /// The image name(s), from the metadata.
    #[must_use]
    pub fn image(&self) -> Option<&str> {
        self.metadata.get("image.name").and_then(|v| v.as_str())
    }
}

/// Why a build failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildFailure {
    /// One line: what went wrong.
    pub message: String,
    /// The last lines the build printed, for context.
    pub log_tail: Vec<String>,
}

impl BuildFailure {
    /// A failure with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        BuildFailure {
            message: message.into(),
            log_tail: Vec::new(),
        }
    }
}

/// A sink for what happens during a dispatch. Called from the scheduler's tasks.
pub trait EventSink: Send + Sync {
    /// Receives one event.
    fn event(&self, event: &Event);
}

/// An event sink that drops everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&self, _: &Event) {}
}

/// Something that happened to a build.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The build is waiting for a slot of its project or is being prepared.
    Queued {
        /// The node index.
        node: usize,
    },
    /// The build started on its builder.
    Started {
        /// The node index.
        node: usize,
    },
    /// Progress: steps seen, done and cached, and the step now running.
    Progress {
        /// The node index.
        node: usize,
        /// Steps seen so far.
        total: usize,
        /// Steps done (cached ones included).
        done: usize,
        /// Steps found in the cache.
        cached: usize,
        /// The step running now.
        current: Option<String>,
    },
    /// A line of output: a step starting or ending, or a line a step printed.
    Log {
        /// The node index.
        node: usize,
        /// The line, without its newline.
        line: String,
    },
    /// The build ended.
    Finished {
        /// The node index.
        node: usize,
        /// How.
        status: StatusKind,
        /// How long it ran.
        duration: Duration,
    },
}

/// How a build ended, without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusKind {
    /// It succeeded.
    Done,
    /// It failed.
    Failed,
    /// It never ran: a build it uses failed.
    Skipped,
    /// It was cancelled or never started because of a cancellation.
    Cancelled,
}

impl StatusKind {
    /// The word used in reports.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            StatusKind::Done => "done",
            StatusKind::Failed => "failed",
            StatusKind::Skipped => "skipped",
            StatusKind::Cancelled => "cancelled",
        }
    }
}

/// How one build ended, with its details.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeStatus {
    /// It succeeded.
    Done(BuildOutput),
    /// It failed.
    Failed(BuildFailure),
    /// A build it uses (the node index) failed or was skipped.
    Skipped(usize),
    /// It was cancelled.
    Cancelled,
}

impl NodeStatus {
    /// The kind of ending.
    #[must_use]
    pub fn kind(&self) -> StatusKind {
        match self {
            NodeStatus::Done(_) => StatusKind::Done,
            NodeStatus::Failed(_) => StatusKind::Failed,
            NodeStatus::Skipped(_) => StatusKind::Skipped,
            NodeStatus::Cancelled => StatusKind::Cancelled,
        }
    }
}

/// One build's result.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeReport {
    /// How it ended.
    pub status: NodeStatus,
    /// How long it ran (zero when it never started).
    pub duration: Duration,
}

/// The results of a dispatch, one per graph node, in graph order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DispatchReport {
    /// Per node.
    pub nodes: Vec<NodeReport>,
}

impl DispatchReport {
    /// Whether every build succeeded.
    #[must_use]
    pub fn success(&self) -> bool {
        self.nodes
            .iter()
            .all(|n| matches!(n.status, NodeStatus::Done(_)))
    }

    /// The `--metadata-file` content: for each target name of each successful build, buildx's
    /// metadata plus `project_id` and `duration` (seconds), keys sorted.
    #[must_use]
    pub fn metadata_json(&self, graph: &crate::graph::BuildGraph) -> String {
        let mut out: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for (node, report) in graph.nodes.iter().zip(&self.nodes) {
            let NodeStatus::Done(o) = &report.status else {
                continue;
            };
            let mut m: BTreeMap<String, serde_json::Value> = o
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            m.insert(
                "project_id".into(),
                serde_json::Value::String(node.project.id.clone()),
            );
            let secs = (report.duration.as_millis() as f64) / 1000.0;
            m.insert("duration".into(), serde_json::json!(secs));
            for name in &node.names {
                out.insert(
                    name.clone(),
                    serde_json::Value::Object(m.clone().into_iter().collect()),
                );
            }
        }
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

/// Cancels a dispatch from outside (a signal handler, a timeout).
#[derive(Debug, Clone)]
pub struct Canceller(Arc<tokio::sync::watch::Sender<bool>>);

/// The receiving side of a [`Canceller`], given to the scheduler and backends.
#[derive(Debug, Clone)]
pub struct Cancel(tokio::sync::watch::Receiver<bool>);

/// A connected canceller and cancel token.
#[must_use]
pub fn cancellation() -> (Canceller, Cancel) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    (Canceller(Arc::new(tx)), Cancel(rx))
}

impl Canceller {
    /// Asks everything to stop.
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

impl Cancel {
    /// Whether cancellation was asked for.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until cancellation is asked for (forever when the canceller is gone unused).
    pub async fn cancelled(&mut self) {
        if self.0.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Where builds run. Implementations: [`buildx::BuildxBackend`] (real builds through
/// `docker buildx build`); a host may bring its own.
pub trait Backend: Send + Sync + 'static {
    /// Checks, once per project before its first build, that the project's builder can be
    /// reached (and creates what it needs, such as a `remote` builder for an endpoint).
    fn prepare(
        self: Arc<Self>,
        project: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>>;

    /// Runs one build to its end, reporting progress to `events`, and stops it when `cancel`
    /// fires.
    fn build(
        self: Arc<Self>,
        job: BuildJob,
        events: Arc<dyn EventSink>,
        cancel: Cancel,
    ) -> BoxFuture<Result<BuildOutput, BuildFailure>>;
}
