//! The scheduler: which builds run together, and when.
//!
//! [`Scheduler`] is a synchronous state machine over the graph's nodes, with no runtime and
//! no I/O: each build is waiting, running (in a run), or ended (done, failed, skipped,
//! cancelled). [`Scheduler::next_ready`] groups the builds that can start now into runs (one
//! per builder), [`Scheduler::complete`] takes a run's results, [`Scheduler::fail`] fails a
//! whole run, [`Scheduler::cancel`] stops everything. [`dispatch`](crate::dispatch) drives
//! it with tokio.

use std::sync::Arc;
use std::time::Duration;

use super::{
    BuildFailure, BuildResult, BuilderKey, BuilderSpec, DispatchOptions, NodeReport, NodeStatus,
    RunJob, RunOutcome,
};
use bake_core::api::BuildGraph;

/// How often a build may be stopped by other builds' failures before it counts as failed.
const MAX_INTERRUPTIONS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
enum State {
    Waiting,
    Running(usize),
    Settled(NodeReport),
}

/// A run the scheduler decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRun {
    /// The run's number.
    pub id: usize,
    /// The builder, as an index into [`Scheduler::builders`].
    pub builder: usize,
    /// The builds to run, dependencies first.
    pub nodes: Vec<usize>,
    /// Finished builds of the same builder that builds of the run use: in the run as
    /// contexts only (`BuildKit` has them cached).
    pub reused: Vec<usize>,
}

/// The scheduling state of a dispatch.
#[derive(Debug, Clone)]
pub struct Scheduler {
    deps: Vec<Vec<usize>>,
    /// Each build's name(s), for notes.
    labels: Vec<String>,
    /// Each build's builders, in the order it prefers them: its project's builder, or the
    /// nodes of its fleet that serve its platforms, by rendezvous hashing of its name.
    candidates: Vec<Vec<usize>>,
    /// The builder each build runs (or last ran) on.
    builder_of: Vec<usize>,
    project_of: Vec<usize>,
    /// The projects' ids, by `project_of`.
    projects: Vec<String>,
    limits: Vec<Option<usize>>,
    running: Vec<usize>,
    state: Vec<State>,
    interruptions: Vec<usize>,
    /// Whether a build was already moved once to another node after its node was lost.
    retried: Vec<bool>,
    /// For a multi-platform build that no node builds whole but its nodes build part by part:
    /// each platform with the nodes that build it natively, preferred first.
    split: Vec<Option<SplitPlan>>,
    /// Whether a build's project shares its cache through a registry: only such builds
    /// spill to an idle node (elsewhere, the others would start cold).
    shared_cache: Vec<bool>,
    builders: Vec<BuilderKey>,
    specs: Vec<BuilderSpec>,
    builder_running: Vec<usize>,
    /// Why a builder is out of the dispatch (unreachable before it, or lost during it).
    lost: Vec<Option<String>>,
    notes: Vec<String>,
    next_id: usize,
    fail_fast: bool,
    stopping: bool,
}

/// The rendezvous score of `name` on builder `key`: a build goes to the builder with the
/// highest score among those that serve it, so it lands on the same one run after run, and
/// adding a builder moves only the builds it now wins.
fn score(name: &str, key: &BuilderKey) -> u64 {
    super::fnv1a(&format!("{name}\u{0}{key}"))
}

/// A note for each build with platforms that no node it may use builds natively.
fn emulation_notes(graph: &BuildGraph, emulated: &[Vec<String>]) -> Vec<String> {
    emulated
        .iter()
        .enumerate()
        .filter(|(_, emu)| !emu.is_empty())
        .map(|(i, emu)| {
            format!(
                "{}: no node of project {} builds {} natively; emulated",
                graph.nodes[i].label(),
                graph.nodes[i].project.id,
                emu.join(", ")
            )
        })
        .collect()
}

/// A build split by platform: each platform with the nodes that build it, preferred first.
type SplitPlan = Vec<(String, Vec<usize>)>;

/// How a multi-platform build with no node that builds all its `platforms` splits over the
/// nodes `own` (indexes into `specs`): each platform on the nodes that build it natively, by
/// rendezvous hashing of the build's name and the platform; `None` when some platform has
/// no such node.
fn split_plan(
    specs: &[BuilderSpec],
    own: &[usize],
    platforms: &[String],
    name: &str,
) -> Option<SplitPlan> {
    if platforms.len() < 2 {
        return None;
    }
    platforms
        .iter()
        .map(|p| {
            let mut nodes: Vec<usize> = own
                .iter()
                .copied()
                .filter(|b| !specs[*b].platforms.is_empty() && specs[*b].serves(p))
                .collect();
            nodes.sort_by_key(|b| {
                std::cmp::Reverse(score(&format!("{name}\u{0}{p}"), &specs[*b].key))
            });
            (!nodes.is_empty()).then(|| (p.clone(), nodes))
        })
        .collect()
}

/// A note for each build split across nodes, naming the node of each platform.
fn split_notes(
    graph: &BuildGraph,
    split: &[Option<SplitPlan>],
    specs: &[BuilderSpec],
) -> Vec<String> {
    split
        .iter()
        .enumerate()
        .filter_map(|(i, plan)| {
            let parts: Vec<String> = plan
                .as_ref()?
                .iter()
                .map(|(p, nodes)| format!("{p} on {}", specs[nodes[0]].key))
                .collect();
            Some(format!(
                "{}: each platform built natively on its node, joined into one image ({})",
                graph.nodes[i].label(),
                parts.join(", ")
            ))
        })
        .collect()
}

/// How much more than an even share of a fleet's builds one node may take.
const LOAD_BOUND: f64 = 1.25;

/// Consistent hashing with bounded loads: among the builds that share a set of nodes, in
/// graph order, each goes to the first node it prefers that has fewer than 1.25 times an even
/// share (its preference moves it first). The same builds on the same nodes always land the
/// same way, so each finds its cache where it built before; no node takes far more than the
/// others, so none sits idle at the end.
fn balance(candidates: &mut [Vec<usize>]) {
    let mut groups: std::collections::BTreeMap<Vec<usize>, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.len() > 1 {
            let mut key = c.clone();
            key.sort_unstable();
            groups.entry(key).or_default().push(i);
        }
    }
    for (set, builds) in groups {
        let share = builds.len() as f64 / set.len() as f64;
        let cap = (share * LOAD_BOUND).ceil().max(1.0) as usize;
        let mut load: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for i in builds {
            let pick = candidates[i]
                .iter()
                .position(|b| load.get(b).copied().unwrap_or(0) < cap)
                .unwrap_or(0);
            let b = candidates[i].remove(pick);
            candidates[i].insert(0, b);
            *load.entry(b).or_default() += 1;
        }
    }
}

/// Where build `i` of `graph` may run: the builders it prefers (indexes into `specs`, which
/// gets its project's builders), the platforms none of them builds natively, and its split
/// when it builds part by part.
fn place(
    graph: &BuildGraph,
    i: usize,
    options: &DispatchOptions,
    specs: &mut Vec<BuilderSpec>,
) -> (Vec<usize>, Vec<String>, Option<SplitPlan>) {
    let n = &graph.nodes[i];
    let own = options.builders_of(&n.project.id);
    let fleet = own.len() > 1;
    let mut idx: Vec<usize> = Vec::new();
    for spec in &own {
        let b = if let Some(b) = specs.iter().position(|k| k.key == spec.key) {
            if let Some(l) = spec.limit {
                specs[b].limit = Some(specs[b].limit.map_or(l, |m| m.min(l)));
            }
            b
        } else {
            specs.push(spec.clone());
            specs.len() - 1
        };
        idx.push(b);
    }
    let platforms = &n.target.platforms;
    let mut emu = Vec::new();
    let mut plan = None;
    if fleet {
        let serves_all = |b: &usize| platforms.iter().all(|p| specs[*b].serves(p));
        let all: Vec<usize> = idx.iter().copied().filter(serves_all).collect();
        let splittable = all.is_empty()
            && n.deps.is_empty()
            && graph.dependents(i).is_empty()
            && crate::splittable(&n.target)
            && options.project(&n.project.id).registry.is_some();
        if splittable {
            plan = split_plan(specs, &idx, platforms, &n.names[0]);
        }
        if let Some(plan) = &plan {
            idx.clone_from(&plan[0].1);
        } else if !all.is_empty() {
            idx = all;
        } else if let Some(first) = platforms.first() {
            let some: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|b| specs[*b].serves(first))
                .collect();
            if !some.is_empty() {
                idx = some;
            }
        }
        let name = &n.names[0];
        idx.sort_by_key(|b| std::cmp::Reverse(score(name, &specs[*b].key)));
        if plan.is_none() {
            emu = platforms
                .iter()
                .filter(|p| !specs[idx[0]].serves(p))
                .cloned()
                .collect();
        }
    }
    (idx, emu, plan)
}

impl Scheduler {
    /// A scheduler for `graph` with the projects' settings of `options`.
    #[must_use]
    pub fn new(graph: &BuildGraph, options: &DispatchOptions) -> Scheduler {
        let mut specs: Vec<BuilderSpec> = Vec::new();
        let mut projects: Vec<String> = Vec::new();
        let mut limits = Vec::new();
        let mut candidates = Vec::new();
        let mut emulated = Vec::new();
        let mut split = Vec::new();
        let mut project_of = Vec::new();
        for (i, n) in graph.nodes.iter().enumerate() {
            let (idx, emu, plan) = place(graph, i, options, &mut specs);
            candidates.push(idx);
            emulated.push(emu);
            split.push(plan);
            let p = projects
                .iter()
                .position(|p| *p == n.project.id)
                .unwrap_or_else(|| {
                    projects.push(n.project.id.clone());
                    let own = options.project(&n.project.id);
                    limits.push(if own.nodes.is_empty() {
                        own.max_parallelism
                    } else {
                        None
                    });
                    projects.len() - 1
                });
            project_of.push(p);
        }
        balance(&mut candidates);
        let n = graph.nodes.len();
        let mut notes = emulation_notes(graph, &emulated);
        notes.extend(split_notes(graph, &split, &specs));
        Scheduler {
            labels: graph
                .nodes
                .iter()
                .map(bake_core::api::BuildNode::label)
                .collect(),
            deps: graph
                .nodes
                .iter()
                .map(|n| n.deps.iter().map(|d| d.node).collect())
                .collect(),
            builder_of: candidates.iter().map(|c| c[0]).collect(),
            candidates,
            project_of,
            projects,
            running: vec![0; limits.len()],
            limits,
            state: vec![State::Waiting; n],
            interruptions: vec![0; n],
            retried: vec![false; n],
            split,
            shared_cache: graph
                .nodes
                .iter()
                .map(|n| options.project(&n.project.id).cache_repository().is_some())
                .collect(),
            builders: specs.iter().map(|s| s.key.clone()).collect(),
            builder_running: vec![0; specs.len()],
            lost: vec![None; specs.len()],
            specs,
            notes,
            next_id: 0,
            fail_fast: options.fail_fast,
            stopping: false,
        }
    }

    /// The builders a dispatch may use.
    #[must_use]
    pub fn specs(&self) -> &[BuilderSpec] {
        &self.specs
    }

    /// The builders that belong to a fleet (more than one candidate for some build): the
    /// ones checked before the dispatch and after a failed run.
    #[must_use]
    pub fn fleet_builders(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .candidates
            .iter()
            .filter(|c| c.len() > 1)
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Leaves builder `b` out from now on (`reason`: why), as a note of the dispatch.
    pub fn lose(&mut self, b: usize, reason: &str) {
        if self.lost[b].is_none() {
            self.notes
                .push(format!("node {} left out: {reason}", self.specs[b].key));
            self.lost[b] = Some(reason.to_string());
        }
    }

    /// Whether builder `b` is out of the dispatch.
    #[must_use]
    pub fn is_lost(&self, b: usize) -> bool {
        self.lost[b].is_some()
    }

    /// What the dispatch did beyond the plan: nodes left out, builds moved, platforms
    /// emulated.
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The builder build `i` runs (or last ran) on.
    #[must_use]
    pub fn builder_of(&self, i: usize) -> usize {
        self.builder_of[i]
    }

    /// The parts of build `i` when it is split across nodes: each platform with the first
    /// node in the dispatch that builds it; `None` when it is not split, or when a platform
    /// has no node left (it then builds whole on its builder, emulating).
    #[must_use]
    pub fn split_parts(&self, i: usize) -> Option<Vec<(String, usize)>> {
        self.split[i]
            .as_ref()?
            .iter()
            .map(|(p, nodes)| {
                nodes
                    .iter()
                    .copied()
                    .find(|&b| self.lost[b].is_none())
                    .map(|b| (p.clone(), b))
            })
            .collect()
    }

    /// Whether build `i` may run on a builder other than `b`.
    #[must_use]
    pub fn may_run_elsewhere(&self, i: usize, b: usize) -> bool {
        self.candidates[i].iter().any(|&c| c != b)
    }

    /// The builders, in order of first use.
    #[must_use]
    pub fn builders(&self) -> &[BuilderKey] {
        &self.builders
    }

    fn done(&self, i: usize) -> bool {
        matches!(
            &self.state[i],
            State::Settled(NodeReport {
                status: NodeStatus::Done(_),
                ..
            })
        )
    }

    fn settle(&mut self, i: usize, status: NodeStatus, duration: Duration) {
        self.state[i] = State::Settled(NodeReport { status, duration });
    }

    /// Settles the builds that can no longer run (a build they use failed, or the dispatch
    /// is stopping); returns them with how they ended.
    pub fn settle_unrunnable(&mut self) -> Vec<(usize, NodeStatus)> {
        let mut out = Vec::new();
        for i in 0..self.state.len() {
            if self.state[i] != State::Waiting {
                continue;
            }
            let alive = self.candidates[i].iter().any(|&b| self.lost[b].is_none());
            let status = if self.stopping {
                Some(NodeStatus::Cancelled)
            } else if !alive {
                let why: Vec<String> = self.candidates[i]
                    .iter()
                    .filter_map(|&b| {
                        self.lost[b]
                            .as_ref()
                            .map(|r| format!("{}: {r}", self.specs[b].key))
                    })
                    .collect();
                Some(NodeStatus::Failed(BuildFailure::new(format!(
                    "no builder of project {} can be reached ({})",
                    self.projects[self.project_of[i]],
                    why.join("; ")
                ))))
            } else {
                self.deps[i].iter().find_map(|&d| match &self.state[d] {
                    State::Settled(r) if !matches!(r.status, NodeStatus::Done(_)) => {
                        Some(NodeStatus::Skipped(d))
                    }
                    _ => None,
                })
            };
            if let Some(s) = status {
                self.settle(i, s.clone(), Duration::ZERO);
                out.push((i, s));
            }
        }
        out
    }

    /// The runs that can start now: every waiting build whose dependencies are done (or start
    /// in the same run), on the first builder it prefers that is in the dispatch and has
    /// room (the one that built its `target:` contexts first, when it may use it), within its
    /// project's and its builder's `max-parallelism`; one run per builder.
    pub fn next_ready(&mut self) -> Vec<PlannedRun> {
        if self.stopping {
            return Vec::new();
        }
        let n = self.state.len();
        let mut chosen_on: Vec<Option<usize>> = vec![None; n];
        // Builds ready but without room on the builders they prefer, with how many wait for
        // each builder: a second pass spills them to idle builders.
        let mut waiting_for: Vec<usize> = vec![0; self.specs.len()];
        let mut held: Vec<usize> = Vec::new();
        for i in 0..n {
            if self.state[i] != State::Waiting {
                continue;
            }
            // Dependencies not done must start in this round, all on one builder.
            let mut forced: Option<usize> = None;
            let mut ok = true;
            for &d in &self.deps[i] {
                if self.done(d) {
                    continue;
                }
                match chosen_on[d] {
                    Some(b) if forced.is_none_or(|f| f == b) => forced = Some(b),
                    _ => ok = false,
                }
            }
            let p = self.project_of[i];
            if !ok || self.limits[p].is_some_and(|l| self.running[p] >= l) {
                continue;
            }
            let alive = |b: usize| self.lost[b].is_none() && self.candidates[i].contains(&b);
            let room = |b: usize| {
                self.specs[b]
                    .limit
                    .is_none_or(|l| self.builder_running[b] < l)
            };
            // Its place: the builder of a dependency started with it, else the builder that
            // built one of its dependencies, else the first alive builder it prefers.
            let home = match forced {
                Some(f) => alive(f).then_some(f),
                None => self.deps[i]
                    .iter()
                    .map(|&d| self.builder_of[d])
                    .find(|&b| alive(b))
                    .or_else(|| self.candidates[i].iter().copied().find(|&b| alive(b))),
            };
            let Some(home) = home else {
                continue;
            };
            if room(home) {
                chosen_on[i] = Some(home);
                self.builder_running[home] += 1;
                self.running[p] += 1;
            } else if forced.is_none() {
                waiting_for[home] += 1;
                held.push(i);
            }
        }
        self.spill(held, &mut waiting_for, &mut chosen_on);
        self.start_runs(&chosen_on)
    }

    /// The second pass of [`Scheduler::next_ready`]: the `held` builds (no room on their
    /// builder, `waiting_for` of them per builder) that an idle builder takes.
    fn spill(
        &mut self,
        held: Vec<usize>,
        waiting_for: &mut [usize],
        chosen_on: &mut [Option<usize>],
    ) {
        // A builder with nothing to do takes builds that would wait two whole turns on theirs
        // (more than twice as many wait as it runs at once), when their project has a registry
        // cache to start warm from there; otherwise builds stay where their cache is.
        for i in held {
            if !self.shared_cache[i] {
                continue;
            }
            let home = self.candidates[i]
                .iter()
                .copied()
                .find(|&b| self.lost[b].is_none())
                .unwrap_or(self.builder_of[i]);
            let backlog = self.specs[home]
                .limit
                .is_some_and(|l| waiting_for[home] > 2 * l);
            if !backlog {
                continue;
            }
            let p = self.project_of[i];
            if self.limits[p].is_some_and(|l| self.running[p] >= l) {
                continue;
            }
            let idle = self.candidates[i].iter().copied().find(|&b| {
                b != home
                    && self.lost[b].is_none()
                    && self.builder_running[b] == 0
                    && !chosen_on.contains(&Some(b))
            });
            if let Some(b) = idle {
                chosen_on[i] = Some(b);
                self.builder_running[b] += 1;
                self.running[p] += 1;
                waiting_for[home] -= 1;
            }
        }
    }

    /// Groups the builds `chosen_on` a builder this round into one run per builder.
    fn start_runs(&mut self, chosen_on: &[Option<usize>]) -> Vec<PlannedRun> {
        let n = self.state.len();
        let mut runs = Vec::new();
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for b in 0..self.specs.len() {
            let (alone, together): (Vec<usize>, Vec<usize>) = (0..n)
                .filter(|&i| chosen_on[i] == Some(b))
                .partition(|&i| self.split[i].is_some());
            // A split build runs on its own: its parts go to several nodes.
            groups.extend(alone.into_iter().map(|i| (b, vec![i])));
            if !together.is_empty() {
                groups.push((b, together));
            }
        }
        for (b, chosen) in groups {
            let mut reused: Vec<usize> = Vec::new();
            for &i in &chosen {
                for &d in &self.deps[i] {
                    if chosen_on[d].is_none() && self.builder_of[d] == b && !reused.contains(&d) {
                        reused.push(d);
                    }
                }
            }
            reused.sort_unstable();
            let id = self.next_id;
            self.next_id += 1;
            for &i in &chosen {
                self.state[i] = State::Running(id);
                self.builder_of[i] = b;
            }
            runs.push(PlannedRun {
                id,
                builder: b,
                nodes: chosen,
                reused,
            });
        }
        runs
    }

    /// Takes the results of run `run` (its `nodes`); returns the builds that ended, and the
    /// ones that wait to run again. A build without a result failed (was interrupted, when
    /// `cancelled`).
    pub fn complete(
        &mut self,
        run: &PlannedRun,
        mut outcome: RunOutcome,
        cancelled: bool,
    ) -> Finished {
        let mut f = Finished::default();
        let lost = self.lost[run.builder].clone();
        for &i in &run.nodes {
            self.running[self.project_of[i]] -= 1;
            self.builder_running[run.builder] -= 1;
            let result = outcome.results.remove(&i).unwrap_or_else(|| {
                if cancelled {
                    BuildResult::Interrupted
                } else {
                    BuildResult::Failed(BuildFailure::new("the builder gave no result"))
                }
            });
            // A build its lost node did not finish moves, once, to another node it may use.
            let elsewhere = self.candidates[i]
                .iter()
                .any(|&b| b != run.builder && self.lost[b].is_none());
            if let (Some(reason), false, true, false) = (
                &lost,
                matches!(result, BuildResult::Done(..)),
                elsewhere,
                self.retried[i] || cancelled || self.stopping,
            ) {
                self.retried[i] = true;
                self.state[i] = State::Waiting;
                self.notes.push(format!(
                    "{}: retried on another node after {} was lost ({reason})",
                    self.labels[i], self.specs[run.builder].key
                ));
                f.retried.push(i);
                continue;
            }
            match result {
                BuildResult::Done(o, d) => {
                    self.settle(i, NodeStatus::Done(o), d);
                    f.ended.push(i);
                }
                BuildResult::Failed(e) => {
                    self.settle(i, NodeStatus::Failed(e), Duration::ZERO);
                    f.ended.push(i);
                    if self.fail_fast {
                        self.stopping = true;
                    }
                }
                BuildResult::Interrupted if cancelled || self.stopping => {
                    self.settle(i, NodeStatus::Cancelled, Duration::ZERO);
                    f.ended.push(i);
                }
                BuildResult::Interrupted => {
                    self.interruptions[i] += 1;
                    if self.interruptions[i] > MAX_INTERRUPTIONS {
                        self.settle(
                            i,
                            NodeStatus::Failed(BuildFailure::new(format!(
                                "stopped {MAX_INTERRUPTIONS} times by other builds' failures"
                            ))),
                            Duration::ZERO,
                        );
                        f.ended.push(i);
                    } else {
                        self.state[i] = State::Waiting;
                        f.again.push(i);
                    }
                }
            }
        }
        f
    }

    /// Fails every build of run `run` with `failure` (the run could not start: its builder
    /// is unreachable). With `fail_fast`, everything stops.
    pub fn fail(&mut self, run: &PlannedRun, failure: &BuildFailure) -> Finished {
        let mut outcome = RunOutcome::default();
        for &i in &run.nodes {
            outcome
                .results
                .insert(i, BuildResult::Failed(failure.clone()));
        }
        self.complete(run, outcome, false)
    }

    /// Stops everything: no new run starts, waiting builds are cancelled, and the builds of
    /// runs still going end as cancelled when they are interrupted.
    pub fn cancel(&mut self) {
        self.stopping = true;
    }

    /// Where build `i` stands.
    #[must_use]
    pub fn phase(&self, i: usize) -> Phase {
        match &self.state[i] {
            State::Waiting => Phase::Waiting,
            State::Running(r) => Phase::Running(*r),
            State::Settled(r) => Phase::Ended(r.status.kind()),
        }
    }

    /// Whether the dispatch is stopping.
    #[must_use]
    pub fn stopping(&self) -> bool {
        self.stopping
    }

    /// Whether every build has ended.
    #[must_use]
    pub fn all_settled(&self) -> bool {
        self.state.iter().all(|s| matches!(s, State::Settled(_)))
    }

    /// The report of a build that has ended.
    #[must_use]
    pub fn report(&self, i: usize) -> Option<&NodeReport> {
        match &self.state[i] {
            State::Settled(r) => Some(r),
            _ => None,
        }
    }

    /// The final reports, one per node (builds that never ended count as cancelled).
    #[must_use]
    pub fn into_reports(self) -> Vec<NodeReport> {
        self.state
            .into_iter()
            .map(|s| match s {
                State::Settled(r) => r,
                _ => NodeReport {
                    status: NodeStatus::Cancelled,
                    duration: Duration::ZERO,
                },
            })
            .collect()
    }
}

/// Where a build stands, as [`Scheduler::phase`] tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started: waiting for the builds it uses, or for room in its project.
    Waiting,
    /// In the run with this number.
    Running(usize),
    /// Ended so (done, failed, skipped or cancelled).
    Ended(crate::StatusKind),
}

/// What [`Scheduler::complete`] changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Builds that ended.
    pub ended: Vec<usize>,
    /// Builds that wait to run again.
    pub again: Vec<usize>,
    /// Builds that wait to run again on another node, theirs being lost.
    pub retried: Vec<usize>,
}

/// The [`RunJob`] of a planned run.
#[must_use]
pub fn run_job(
    graph: &BuildGraph,
    scheduler: &Scheduler,
    run: &PlannedRun,
    options: &Arc<DispatchOptions>,
    handoff_of: impl Fn(usize) -> Option<String>,
) -> RunJob {
    let members: Vec<usize> = run.reused.iter().chain(&run.nodes).copied().collect();
    let mut all = members.clone();
    all.sort_unstable();
    let in_run = |d: usize| all.binary_search(&d).is_ok();
    let builds = all
        .iter()
        .map(|&i| {
            let mut job = super::job_for(
                graph,
                i,
                options,
                in_run,
                |u| scheduler.may_run_elsewhere(u, run.builder),
                &handoff_of,
            );
            if let Some(parts) = scheduler.split_parts(i) {
                job.split = parts
                    .into_iter()
                    .map(|(platform, b)| super::SplitPart {
                        platform,
                        builder: scheduler.specs()[b].clone(),
                    })
                    .collect();
            }
            if run.reused.binary_search(&i).is_ok() {
                job.context_only = true;
                job.handoff = None;
                job.save_refs.clear();
                job.cache_ref = None;
            }
            job
        })
        .collect::<Vec<_>>();
    let spec = &scheduler.specs()[run.builder];
    RunJob {
        id: run.id,
        builder: spec.key.clone(),
        config: spec.config.clone(),
        project: spec.name.clone(),
        builds,
        options: options.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BakeConfig, ProjectConfig};
    use bake_core::api::{BuildNode, Dep};
    use bake_core::api::{ProjectSource, TargetProject};

    fn node(name: &str, project: &str, deps: &[usize]) -> BuildNode {
        BuildNode {
            id: format!("{name:0>12}"),
            names: vec![name.to_string()],
            target: bake_core::api::Target::default(),
            project: TargetProject {
                id: project.to_string(),
                source: ProjectSource::Target,
            },
            deps: deps
                .iter()
                .map(|&n| Dep {
                    context: format!("c{n}"),
                    node: n,
                })
                .collect(),
            requested: true,
        }
    }

    fn options(config: &str) -> DispatchOptions {
        DispatchOptions {
            config: BakeConfig::parse(config, "bake.toml").expect("config"),
            ..DispatchOptions::default()
        }
    }

    fn done() -> RunOutcome {
        RunOutcome::default()
    }

    fn all_done(run: &PlannedRun) -> RunOutcome {
        let mut o = done();
        for &i in &run.nodes {
            o.results.insert(
                i,
                BuildResult::Done(super::super::BuildOutput::default(), Duration::ZERO),
            );
        }
        o
    }

    const TWO: &str =
        "[projects.a]\ndocker-host = \"unix:///a\"\n[projects.b]\ndocker-host = \"unix:///b\"\n";

    #[test]
    fn one_run_per_builder_with_in_run_links() {
        // 0 base (a), 1 app (a, uses 0), 2 other (b), 3 late (b, uses 0: crosses builders)
        let g = BuildGraph::from_nodes(vec![
            node("base", "a", &[]),
            node("app", "a", &[0]),
            node("other", "b", &[]),
            node("late", "b", &[0]),
        ]);
        let o = options(TWO);
        let mut p = Scheduler::new(&g, &o);
        let runs = p.next_ready();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].nodes, vec![0, 1]);
        assert_eq!(runs[1].nodes, vec![2]);
        assert!(p.next_ready().is_empty(), "nothing else can start yet");
        let f = p.complete(&runs[0], all_done(&runs[0]), false);
        assert_eq!(f.ended, vec![0, 1]);
        let more = p.next_ready();
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].nodes, vec![3]);
        assert!(more[0].reused.is_empty(), "its dep is on another builder");
    }

    #[test]
    fn failure_skips_dependents_and_reruns_the_interrupted() {
        let g = BuildGraph::from_nodes(vec![
            node("base", "a", &[]),
            node("app", "a", &[0]),
            node("ok", "a", &[]),
            node("bad", "a", &[]),
        ]);
        let o = options(TWO);
        let mut p = Scheduler::new(&g, &o);
        let runs = p.next_ready();
        assert_eq!(runs[0].nodes, vec![0, 1, 2, 3]);
        let mut out = done();
        out.results.insert(
            0,
            BuildResult::Done(super::super::BuildOutput::default(), Duration::ZERO),
        );
        out.results.insert(1, BuildResult::Interrupted);
        out.results.insert(2, BuildResult::Interrupted);
        out.results
            .insert(3, BuildResult::Failed(BuildFailure::new("boom")));
        let f = p.complete(&runs[0], out, false);
        assert_eq!(f.again, vec![1, 2]);
        assert!(p.settle_unrunnable().is_empty());
        let again = p.next_ready();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].nodes, vec![1, 2]);
        assert_eq!(again[0].reused, vec![0], "the done base is a context only");
        p.complete(&again[0], all_done(&again[0]), false);
        assert!(p.all_settled());
        let r = p.into_reports();
        assert_eq!(r[3].status.kind(), super::super::StatusKind::Failed);
        assert_eq!(r[2].status.kind(), super::super::StatusKind::Done);
    }

    #[test]
    fn failed_dependency_skips_and_fail_fast_cancels() {
        let g = BuildGraph::from_nodes(vec![
            node("base", "a", &[]),
            node("app", "b", &[0]),
            node("solo", "b", &[]),
        ]);
        let mut o = options(TWO);
        o.fail_fast = true;
        let mut p = Scheduler::new(&g, &o);
        let runs = p.next_ready();
        assert_eq!(runs.len(), 2);
        let mut out = done();
        out.results
            .insert(0, BuildResult::Failed(BuildFailure::new("boom")));
        p.complete(&runs[0], out, false);
        assert!(p.stopping());
        let settled = p.settle_unrunnable();
        assert_eq!(settled, vec![(1, NodeStatus::Cancelled)]);
        let mut out = done();
        out.results.insert(2, BuildResult::Interrupted);
        p.complete(&runs[1], out, true);
        assert!(p.all_settled());
    }

    #[test]
    fn max_parallelism_splits_runs() {
        let g = BuildGraph::from_nodes(vec![
            node("x1", "a", &[]),
            node("x2", "a", &[]),
            node("x3", "a", &[]),
        ]);
        let o = options("[projects.a]\nmax-parallelism = 2\n");
        let mut p = Scheduler::new(&g, &o);
        let runs = p.next_ready();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].nodes, vec![0, 1]);
        assert!(p.next_ready().is_empty());
        p.complete(&runs[0], all_done(&runs[0]), false);
        let runs = p.next_ready();
        assert_eq!(runs[0].nodes, vec![2]);
    }

    #[test]
    fn projects_sharing_a_builder_share_runs() {
        let g = BuildGraph::from_nodes(vec![node("x", "p", &[]), node("y", "q", &[0])]);
        let o = options("");
        let mut p = Scheduler::new(&g, &o);
        let runs = p.next_ready();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].nodes, vec![0, 1]);
        let _ = ProjectConfig::default();
    }
}
