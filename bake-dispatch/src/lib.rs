//! bake-dispatch: runs a [`BuildGraph`](bake_core::api::BuildGraph) on builders, one per project,
//! behind a [`Backend`]; reads `bake.toml` ([`config`]) and checks entitlements as buildx does
//! ([`entitlements`]).
//!
//! Builds go to their builders in *runs*: one run is one `docker buildx bake` over several
//! builds of one builder, so a context shared by them is sent once and a `target:` link between
//! two builds of the same builder is resolved inside `BuildKit`. The [`scheduler`] decides the
//! runs: a build joins a run of its builder once every build it uses is done or in that same
//! run; a link that crosses builders waits for a hand-off (an OCI layout, or the producing
//! project's registry). Projects run in parallel, each within its `max-parallelism`. When a
//! run fails, the builds that failed fail (and the builds that use them are skipped); the
//! other builds of that run, which buildx stopped, run again in a new run (their work is
//! cached). With `fail_fast`, the first failure cancels everything instead. This crate is the
//! only user of tokio, process spawning and signals among the libraries; bake-core stays pure.

#![deny(missing_docs)]

pub mod buildx;
pub mod config;
pub mod definition;
mod driver;
pub mod entitlements;
pub mod plan;
mod rawjson;
pub mod remote;
pub mod scheduler;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use config::{BakeConfig, CacheMode, ConfigError, ProjectConfig};
pub use driver::dispatch;

use bake_core::api::BuildNode;

/// The 64-bit FNV-1a hash of `s`: stable across runs and machines.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A boxed future, as [`Backend`] methods return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Invocation-wide options of a dispatch.
#[derive(Debug, Clone, Default)]
pub struct DispatchOptions {
    /// Stop starting builds, and cancel those running, after the first failure.
    pub fail_fast: bool,
    /// Push every requested build to its project's `registry` (`--save`), as
    /// `REGISTRY:BUILD-ID-TARGET` (`REGISTRY:BUILD-ID` for a single build).
    pub save: bool,
    /// A second tag for `--save` (`--save-tag`): `REGISTRY:SAVE-TAG-TARGET` (`REGISTRY:SAVE-TAG`
    /// for a single build).
    pub save_tag: Option<String>,
    /// The run's build id, which names the `--save` images; `None` in a dry run, whose plan
    /// shows `BUILD-ID` in its place.
    pub build_id: Option<String>,
    /// A single build (`bakery build`): its saved images are named without a target.
    pub single_build: bool,
    /// The current generation of each registry cache (by repository): part of every cache
    /// ref, so that `bakery cache reset` starts the cache afresh for everyone. `None` in a dry
    /// run, whose plan shows `EPOCH`; a repository missing from the map (its registry did
    /// not answer) builds without its cache.
    pub cache_epochs: Option<BTreeMap<String, String>>,
    /// Entitlements the user granted (`--allow`), passed to buildx as they are.
    pub allow: Vec<String>,
    /// Global policy options (`--policy`), passed to buildx as they are.
    pub policy: Vec<String>,
    /// The builder for every project, overriding the configuration (`--builder`).
    pub builder: Option<String>,
    /// Per-project builder settings.
    pub config: BakeConfig,
    /// A private directory for hand-over layouts, loads and metadata.
    pub work_dir: PathBuf,
    /// The Docker engine `--load` must reach (the user's `DOCKER_HOST` or current context),
    /// when known. Builds on another engine's driver are loaded into it afterwards.
    pub local_host: Option<String>,
    /// Keep buildx's provenance in the metadata (the user asked for a metadata file). Without
    /// it, runs skip buildx's "resolving provenance for metadata file" step, one request per
    /// target that only that file reads.
    pub metadata_provenance: bool,
    /// Run buildx with its debug logging (`docker buildx --debug bake`, from `-D/--debug`).
    pub debug: bool,
}

impl DispatchOptions {
    /// The registry cache of build `node` in a project with settings `project`:
    /// `REPO:bake-cache-EPOCH-TARGET[-PLATFORMS]`, one ref per target and platform set, so that
    /// builds never write each other's cache; `None` without a registry cache.
    #[must_use]
    pub fn cache_ref(&self, project: &ProjectConfig, node: &BuildNode) -> Option<String> {
        let repo = project.cache_repository()?;
        let epoch = match &self.cache_epochs {
            None => "EPOCH",
            Some(m) => m.get(repo)?,
        };
        let mut key = node.names[0].clone();
        for p in &node.target.platforms {
            key.push('-');
            key.push_str(p);
        }
        let clean: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut tag = format!("bake-cache-{epoch}-{clean}");
        // A tag is at most 128 characters: a long key keeps its start and a hash of all.
        if tag.len() > 128 {
            tag.truncate(110);
            tag.push_str(&format!("-{:016x}", fnv1a(&clean)));
        }
        Some(format!("{repo}:{tag}"))
    }

    /// The images `--save` pushes for target `target` to `registry` (none without `--save`
    /// or a registry): `REGISTRY:BUILD-ID-TARGET`, then `REGISTRY:SAVE-TAG-TARGET` with a save
    /// tag; a single build's are `REGISTRY:BUILD-ID` and `REGISTRY:SAVE-TAG`.
    #[must_use]
    pub fn save_refs(&self, registry: Option<&str>, target: &str) -> Vec<String> {
        let Some(registry) = registry.filter(|_| self.save) else {
            return Vec::new();
        };
        let repo = registry.trim_end_matches('/');
        let id = self.build_id.as_deref().unwrap_or("BUILD-ID");
        std::iter::once(id)
            .chain(self.save_tag.as_deref())
            .map(|tag| {
                if self.single_build {
                    format!("{repo}:{tag}")
                } else {
                    format!("{repo}:{tag}-{target}")
                }
            })
            .collect()
    }

    /// The effective settings of project `id`: its configuration, with `--builder` applied.
    #[must_use]
    pub fn project(&self, id: &str) -> ProjectConfig {
        let mut p = self.config.project(id);
        if let Some(b) = &self.builder {
            p.builder = Some(b.clone());
            p.docker_host = None;
            p.endpoint = None;
            p.nodes.clear();
        }
        p
    }

    /// The builder project `id` builds on, or for a fleet its first node: projects with the
    /// same key share runs.
    #[must_use]
    pub fn builder_key(&self, id: &str) -> BuilderKey {
        self.builders_of(id)
            .into_iter()
            .next()
            .map_or(BuilderKey::Default, |b| b.key)
    }

    /// The builders project `id` may build on: its one builder, or each of its nodes.
    #[must_use]
    pub fn builders_of(&self, id: &str) -> Vec<BuilderSpec> {
        let p = self.project(id);
        if p.nodes.is_empty() {
            return vec![BuilderSpec {
                key: BuilderKey::of(&p),
                name: id.to_string(),
                platforms: Vec::new(),
                limit: None,
                config: p,
            }];
        }
        p.nodes
            .iter()
            .map(|n| {
                let config = n.as_builder();
                let key = BuilderKey::of(&config);
                BuilderSpec {
                    name: format!("{id}-{:08x}", fnv1a(&key.to_string()) as u32),
                    key,
                    platforms: n.platforms.clone(),
                    limit: n.max_parallelism,
                    config,
                }
            })
            .collect()
    }
}

/// One platform of a split build, on the node that builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    /// The platform (`linux/arm64`).
    pub platform: String,
    /// The node.
    pub builder: BuilderSpec,
}

/// Whether a build's outputs can come from parts joined in a registry: it pushes (an image
/// or registry output that pushes), loads (`type=docker` into the engine), or has no output.
/// Files (`local`, `tar`, `oci`) are written by one builder, whole.
#[must_use]
pub fn splittable(t: &bake_core::api::Target) -> bool {
    t.output.iter().all(|o| match o.typ.as_str() {
        "registry" => true,
        "image" => o.attrs.get("push").is_some_and(|v| v == "true"),
        "docker" => o.dest.is_empty(),
        _ => false,
    })
}

/// One builder a project's builds may run on: the project's own, or a node of its fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderSpec {
    /// Which builder it is.
    pub key: BuilderKey,
    /// Its name in messages and in the `remote` builder made for an endpoint: the project's
    /// id, or for a node the id and a hash of its address.
    pub name: String,
    /// How to reach it.
    pub config: ProjectConfig,
    /// The platforms it builds natively; empty: any (a single builder).
    pub platforms: Vec<String>,
    /// How many builds may run on it at once (a node's `max-parallelism`).
    pub limit: Option<usize>,
}

impl BuilderSpec {
    /// Whether it builds `platform` natively (a builder that lists none builds anything).
    #[must_use]
    pub fn serves(&self, platform: &str) -> bool {
        self.platforms.is_empty() || self.platforms.iter().any(|p| same_platform(p, platform))
    }
}

/// Whether two platform strings name the same platform (`linux/arm64` and
/// `linux/arm64/v8` do).
fn same_platform(a: &str, b: &str) -> bool {
    let norm = |p: &str| {
        let p = p.trim().to_ascii_lowercase();
        p.strip_suffix("/v8")
            .filter(|q| q.ends_with("arm64"))
            .map_or(p.clone(), str::to_string)
    };
    norm(a) == norm(b)
}

/// Which builder a project uses. Builds of projects with the same key share `buildx bake`
/// runs (and links between them need no hand-off).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuilderKey {
    /// A named buildx builder.
    Builder(String),
    /// A Docker engine's own builder (`docker-host`).
    DockerHost(String),
    /// A `BuildKit` daemon through a `remote` builder (`endpoint`).
    Endpoint(String),
    /// The local Docker's default builder.
    Default,
}

impl BuilderKey {
    /// The key of a project's settings.
    #[must_use]
    pub fn of(p: &ProjectConfig) -> BuilderKey {
        if let Some(b) = &p.builder {
            BuilderKey::Builder(b.clone())
        } else if let Some(h) = &p.docker_host {
            BuilderKey::DockerHost(h.clone())
        } else if let Some(e) = &p.endpoint {
            BuilderKey::Endpoint(e.clone())
        } else {
            BuilderKey::Default
        }
    }
}

impl std::fmt::Display for BuilderKey {
    /// How messages and the history name the builder: `NAME`, `docker-host=HOST`,
    /// `endpoint=ADDR`, `default`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuilderKey::Builder(b) => f.write_str(b),
            BuilderKey::DockerHost(h) => write!(f, "docker-host={h}"),
            BuilderKey::Endpoint(e) => write!(f, "endpoint={e}"),
            BuilderKey::Default => f.write_str("default"),
        }
    }
}

/// How a build hands its result to builds on other builders that use it as a named context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// An OCI image layout directory on this machine (`oci-layout://DIR@DIGEST`).
    OciLayout(PathBuf),
    /// An image pushed to the producing project's registry as `REPO:TAG`
    /// (`docker-image://REPO@DIGEST`).
    Registry {
        /// The repository (`registry.example.com/abc123/base`).
        repo: String,
        /// The tag it is pushed with (`bake-handoff-<id>`).
        tag: String,
    },
}

impl Handoff {
    /// The named-context reference of the hand-off of the image with `digest`.
    #[must_use]
    pub fn reference(&self, digest: &str) -> String {
        match self {
            Handoff::OciLayout(dir) => format!("oci-layout://{}@{digest}", dir.to_string_lossy()),
            Handoff::Registry { repo, .. } => format!("docker-image://{repo}@{digest}"),
        }
    }
}

/// Where a `target:` context of a build comes from in its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A build of the same run (by node index): buildx links the two inside `BuildKit`.
    InRun(usize),
    /// A finished build's hand-off (`oci-layout://…@sha256:…`, `docker-image://…@sha256:…`).
    Ref(String),
}

/// One build, as the scheduler gives it to a backend within a run.
#[derive(Debug, Clone)]
pub struct BuildJob {
    /// The node's index in the graph.
    pub index: usize,
    /// The build.
    pub node: BuildNode,
    /// Its project's settings.
    pub project: ProjectConfig,
    /// Its `target:` contexts, by context name.
    pub contexts: BTreeMap<String, Link>,
    /// Where it must leave its result for builds on other builders that use it.
    pub handoff: Option<Handoff>,
    /// The images `--save` pushes (see [`DispatchOptions::save_refs`]), when saving.
    pub save_refs: Vec<String>,
    /// The project's registry cache for this build (see [`DispatchOptions::cache_ref`]).
    pub cache_ref: Option<String>,
    /// For a multi-platform build of a fleet that no node builds whole: its parts, one
    /// platform each on a node that builds it natively, joined into one image (empty: not
    /// split).
    pub split: Vec<SplitPart>,
    /// Whether the build is already done and is in the run only as a context of others
    /// (`BuildKit` finds it in its cache); it exports nothing and gets no result.
    pub context_only: bool,
}

/// One `docker buildx bake` run: builds of one builder that run together.
#[derive(Debug, Clone)]
pub struct RunJob {
    /// The run's number (in the order runs start).
    pub id: usize,
    /// The builder.
    pub builder: BuilderKey,
    /// The project whose settings reach the builder (the first build's).
    pub project: String,
    /// Its builder settings.
    pub config: ProjectConfig,
    /// The builds, dependencies first; the ones with `context_only` are done already.
    pub builds: Vec<BuildJob>,
    /// The options of the whole dispatch.
    pub options: Arc<DispatchOptions>,
}

/// The job for node `i` in a run: its project's settings, its `target:` contexts as links
/// (`in_run` tells which nodes are in the same run, `handoff_of` gives the reference of a
/// finished node on another builder), a hand-off when a build that uses it may run on another
/// builder (`elsewhere`), the `--save` images and the project cache.
pub fn job_for(
    graph: &bake_core::api::BuildGraph,
    i: usize,
    options: &DispatchOptions,
    in_run: impl Fn(usize) -> bool,
    elsewhere: impl Fn(usize) -> bool,
    handoff_of: impl Fn(usize) -> Option<String>,
) -> BuildJob {
    let node = graph.nodes[i].clone();
    let project = options.project(&node.project.id);
    let mut contexts = BTreeMap::new();
    for d in &node.deps {
        if in_run(d.node) {
            contexts.insert(d.context.clone(), Link::InRun(d.node));
        } else if let Some(r) = handoff_of(d.node) {
            contexts.insert(d.context.clone(), Link::Ref(r));
        }
    }
    let crosses = graph.dependents(i).iter().any(|&u| elsewhere(u));
    let handoff = crosses.then(|| match &project.registry {
        Some(r) => Handoff::Registry {
            repo: format!("{}/{}", r.trim_end_matches('/'), node.names[0]),
            tag: format!("bake-handoff-{}", node.id),
        },
        None => Handoff::OciLayout(options.work_dir.join("handoff").join(&node.id)),
    });
    let cache_ref = options.cache_ref(&project, &node);
    let save_refs = if node.requested {
        options.save_refs(project.registry.as_deref(), &node.names[0])
    } else {
        Vec::new()
    };
    BuildJob {
        index: i,
        node,
        project,
        contexts,
        handoff,
        save_refs,
        cache_ref,
        split: Vec::new(),
        context_only: false,
    }
}

/// What a successful build produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildOutput {
    /// The builder's metadata for the build (buildx's `--metadata-file` object).
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The reference builds on other builders use as a named context, when there is a
    /// hand-off.
    pub handoff_ref: Option<String>,
    /// The images `--save` pushed, with their digest (`REF@sha256:…`): the build id's, then
    /// the save tag's.
    pub saved: Vec<String>,
    /// The Docker engine the image was loaded into, when bake loaded it there itself.
    pub loaded_into: Option<String>,
    /// Steps of the build that `BuildKit` found in its cache.
    pub cached_steps: usize,
    /// The build's steps (Dockerfile instructions; internal steps not counted).
    pub steps: usize,
    /// What the run printed on standard output (`--call` results); set on the first build of
    /// a run only.
    pub stdout: String,
    /// A `--call`/`--check` that ran and reported problems (buildx exits 1 for them).
    pub call_failed: bool,
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

/// How one build of a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildResult {
    /// It succeeded, after running for this long.
    Done(BuildOutput, Duration),
    /// It failed.
    Failed(BuildFailure),
    /// It was stopped because another build of the run failed (buildx stops a whole bake
    /// run on its first failure): it runs again.
    Interrupted,
}

/// The results of a run: one per build that was not `context_only`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutcome {
    /// By node index.
    pub results: BTreeMap<usize, BuildResult>,
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
    /// The build waits for the builds it uses, or for a slot of its project.
    Queued {
        /// The node index.
        node: usize,
    },
    /// The build started on its builder (again, after an interruption).
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
    /// How many `buildx bake` runs it took.
    pub runs: usize,
    /// What the dispatch did beyond the plan: fleet nodes left out or lost, builds moved to
    /// another node, platforms emulated.
    pub notes: Vec<String>,
    /// The builder each build ran (or was to run) on, by node.
    pub builders: Vec<BuilderKey>,
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
    /// metadata plus `project_id`, `duration` (seconds) and, for `--save`, `saved` (the
    /// images pushed, `REF@DIGEST`); keys sorted.
    #[must_use]
    pub fn metadata_json(&self, graph: &bake_core::api::BuildGraph) -> String {
        self.metadata_json_with(graph, None)
    }

    /// [`DispatchReport::metadata_json`] with, when `build` is given, Depot's `depot.build`
    /// entry: `{"buildID": ID, "projectID": P, "targets": [NAME...]}` (and `projectIDs`, every
    /// project of the run, when it spans several).
    #[must_use]
    pub fn metadata_json_with(
        &self,
        graph: &bake_core::api::BuildGraph,
        build: Option<&DepotBuild>,
    ) -> String {
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
            if !o.saved.is_empty() {
                m.insert("saved".into(), serde_json::json!(o.saved));
            }
            for name in &node.names {
                out.insert(
                    name.clone(),
                    serde_json::Value::Object(m.clone().into_iter().collect()),
                );
            }
        }
        if let Some(b) = build {
            let mut entry = serde_json::Map::new();
            entry.insert("buildID".into(), b.build_id.clone().into());
            entry.insert("projectID".into(), b.project_id.clone().into());
            entry.insert("targets".into(), b.targets.clone().into());
            if b.project_ids.len() > 1 {
                entry.insert("projectIDs".into(), b.project_ids.clone().into());
            }
            out.insert("depot.build".into(), serde_json::Value::Object(entry));
        }
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

/// The `depot.build` entry of a metadata file, as Depot writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepotBuild {
    /// The run's build id.
    pub build_id: String,
    /// The project of the first requested build (the run's only project, usually).
    pub project_id: String,
    /// The names of the requested builds, in graph order (Depot: the requested targets).
    pub targets: Vec<String>,
    /// Every project of the run, in graph order, each once.
    pub project_ids: Vec<String>,
}

impl DepotBuild {
    /// The entry for run `build_id` of `graph`.
    #[must_use]
    pub fn of(graph: &bake_core::api::BuildGraph, build_id: &str) -> DepotBuild {
        let requested: Vec<&BuildNode> = graph.nodes.iter().filter(|n| n.requested).collect();
        let mut project_ids: Vec<String> = Vec::new();
        for n in &graph.nodes {
            if !project_ids.contains(&n.project.id) {
                project_ids.push(n.project.id.clone());
            }
        }
        DepotBuild {
            build_id: build_id.to_string(),
            project_id: requested
                .first()
                .map(|n| n.project.id.clone())
                .or_else(|| project_ids.first().cloned())
                .unwrap_or_default(),
            targets: requested.iter().flat_map(|n| n.names.clone()).collect(),
            project_ids,
        }
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
/// `docker buildx bake`); a host may bring its own.
pub trait Backend: Send + Sync + 'static {
    /// Makes what a project's builder needs before its first run (such as a `remote` builder
    /// for an endpoint). The default does nothing.
    fn prepare(
        self: Arc<Self>,
        project: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        let _ = (project, config);
        Box::pin(async { Ok(()) })
    }

    /// Whether builder `name` (settings `config`), prepared, answers. A fleet's nodes are
    /// asked before the dispatch and after a run with failures. The default says yes.
    fn probe(
        self: Arc<Self>,
        name: String,
        config: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        let _ = (name, config);
        Box::pin(async { Ok(()) })
    }

    /// Runs the builds of `run` together on their builder, to the end, reporting progress to
    /// `events`, and stops when `cancel` fires. Returns a result for every build of the run
    /// that is not `context_only`.
    fn run(
        self: Arc<Self>,
        run: RunJob,
        events: Arc<dyn EventSink>,
        cancel: Cancel,
    ) -> BoxFuture<RunOutcome>;
}
