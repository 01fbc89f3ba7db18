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
    BuildFailure, BuildResult, BuilderKey, DispatchOptions, NodeReport, NodeStatus, RunJob,
    RunOutcome,
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
    builder_of: Vec<usize>,
    project_of: Vec<usize>,
    limits: Vec<Option<usize>>,
    running: Vec<usize>,
    state: Vec<State>,
    interruptions: Vec<usize>,
    builders: Vec<BuilderKey>,
    next_id: usize,
    fail_fast: bool,
    stopping: bool,
}

impl Scheduler {
    /// A scheduler for `graph` with the projects' settings of `options`.
    #[must_use]
    pub fn new(graph: &BuildGraph, options: &DispatchOptions) -> Scheduler {
        let mut builders: Vec<BuilderKey> = Vec::new();
        let mut projects: Vec<String> = Vec::new();
        let mut limits = Vec::new();
        let mut builder_of = Vec::new();
        let mut project_of = Vec::new();
        for n in &graph.nodes {
            let key = options.builder_key(&n.project.id);
            let b = builders.iter().position(|k| *k == key).unwrap_or_else(|| {
                builders.push(key);
                builders.len() - 1
            });
            builder_of.push(b);
            let p = projects
                .iter()
                .position(|p| *p == n.project.id)
                .unwrap_or_else(|| {
                    projects.push(n.project.id.clone());
                    limits.push(options.project(&n.project.id).max_parallelism);
                    projects.len() - 1
                });
            project_of.push(p);
        }
        let n = graph.nodes.len();
        Scheduler {
            deps: graph
                .nodes
                .iter()
                .map(|n| n.deps.iter().map(|d| d.node).collect())
                .collect(),
            builder_of,
            project_of,
            running: vec![0; limits.len()],
            limits,
            state: vec![State::Waiting; n],
            interruptions: vec![0; n],
            builders,
            next_id: 0,
            fail_fast: options.fail_fast,
            stopping: false,
        }
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
            let status = if self.stopping {
                Some(NodeStatus::Cancelled)
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

    /// The runs that can start now: per builder, every waiting build whose dependencies are
    /// done or start in the same run, within each project's `max-parallelism`.
    pub fn next_ready(&mut self) -> Vec<PlannedRun> {
        let mut runs = Vec::new();
        if self.stopping {
            return runs;
        }
        for b in 0..self.builders.len() {
            let mut chosen: Vec<usize> = Vec::new();
            let mut in_run = vec![false; self.state.len()];
            for i in 0..self.state.len() {
                if self.builder_of[i] != b || self.state[i] != State::Waiting {
                    continue;
                }
                let ready = self.deps[i]
                    .iter()
                    .all(|&d| self.done(d) || (in_run[d] && self.builder_of[d] == b));
                let p = self.project_of[i];
                let room = self.limits[p].is_none_or(|l| self.running[p] < l);
                if ready && room {
                    in_run[i] = true;
                    self.running[p] += 1;
                    chosen.push(i);
                }
            }
            if chosen.is_empty() {
                continue;
            }
            let mut reused: Vec<usize> = Vec::new();
            for &i in &chosen {
                for &d in &self.deps[i] {
                    if !in_run[d] && self.builder_of[d] == b && !reused.contains(&d) {
                        reused.push(d);
                    }
                }
            }
            reused.sort_unstable();
            let id = self.next_id;
            self.next_id += 1;
            for &i in &chosen {
                self.state[i] = State::Running(id);
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
        for &i in &run.nodes {
            self.running[self.project_of[i]] -= 1;
            let result = outcome.results.remove(&i).unwrap_or_else(|| {
                if cancelled {
                    BuildResult::Interrupted
                } else {
                    BuildResult::Failed(BuildFailure::new("the builder gave no result"))
                }
            });
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
            let mut job = super::job_for(graph, i, options, in_run, &handoff_of);
            if run.reused.binary_search(&i).is_ok() {
                job.context_only = true;
                job.handoff = None;
                job.save_refs.clear();
                job.cache_ref = None;
            }
            job
        })
        .collect::<Vec<_>>();
    let first = run.nodes[0];
    let project = graph.nodes[first].project.id.clone();
    RunJob {
        id: run.id,
        builder: scheduler.builders()[run.builder].clone(),
        config: options.project(&project),
        project,
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
