//! The scheduler's state machine without a runtime: every small graph exhaustively, and random
//! larger ones with proptest, driven to the end with arbitrary results, checking at every step
//! what must always hold.

use std::collections::BTreeMap;
use std::time::Duration;

use bake_core::api::Target;
use bake_core::api::{BuildGraph, BuildNode, Dep};
use bake_core::api::{ProjectSource, TargetProject};
use bake_dispatch::scheduler::{Phase, PlannedRun, Scheduler};
use bake_dispatch::{
    BakeConfig, BuildFailure, BuildOutput, BuildResult, DispatchOptions, RunOutcome, StatusKind,
};
use proptest::prelude::*;

/// Projects `a` and `c` share builder A, `b` is alone on builder B.
const PROJECTS: [&str; 3] = ["a", "b", "c"];

fn options(limits: [Option<usize>; 3], fail_fast: bool) -> DispatchOptions {
    let mut toml = String::new();
    for (p, host) in PROJECTS.iter().zip(["A", "B", "A"]) {
        toml.push_str(&format!(
            "[projects.{p}]\ndocker-host = \"unix:///{host}\"\n"
        ));
        if let Some(l) = limits[PROJECTS.iter().position(|x| x == p).unwrap()] {
            toml.push_str(&format!("max-parallelism = {l}\n"));
        }
    }
    DispatchOptions {
        config: BakeConfig::parse(&toml, "bake.toml").unwrap(),
        fail_fast,
        ..DispatchOptions::default()
    }
}

/// Node `i` uses the nodes in `deps[i]` (all lower than `i`) and builds in `PROJECTS[proj[i]]`.
fn graph(deps: &[Vec<usize>], proj: &[usize]) -> BuildGraph {
    BuildGraph::from_nodes(
        deps.iter()
            .zip(proj)
            .enumerate()
            .map(|(i, (d, &p))| BuildNode {
                id: format!("{i:0>12}"),
                names: vec![format!("n{i}")],
                target: Target::default(),
                project: TargetProject {
                    id: PROJECTS[p].to_string(),
                    source: ProjectSource::Target,
                },
                deps: d
                    .iter()
                    .map(|&n| Dep {
                        context: format!("c{n}"),
                        node: n,
                    })
                    .collect(),
                requested: true,
            })
            .collect(),
    )
}

/// What a backend reports for one build of a run.
#[derive(Debug, Clone, Copy)]
enum Says {
    Done,
    Failed,
    Interrupted,
    Nothing,
}

fn says(code: u8) -> Says {
    match code % 8 {
        0..=4 => Says::Done,
        5 => Says::Failed,
        6 => Says::Interrupted,
        _ => Says::Nothing,
    }
}

/// Drives a scheduler to the end. `script` gives, in turn, what each build of each run
/// reports and which pending run completes next; `cancel_at` cancels before that step.
/// Checks the invariants at every step and returns the final states.
fn drive(
    deps: &[Vec<usize>],
    proj: &[usize],
    opts: &DispatchOptions,
    script: &[u8],
    cancel_at: Option<usize>,
) -> Vec<StatusKind> {
    let mut d = Drive::new(deps, proj, opts);
    let mut pending: Vec<PlannedRun> = Vec::new();
    let mut next = script.iter().copied().cycle();
    let mut step = 0;
    let max_steps = deps.len() * 6 + 4;
    loop {
        assert!(step <= max_steps, "no progress after {step} steps");
        if cancel_at == Some(step) {
            d.s.cancel();
            d.cancelled = true;
        }
        step += 1;
        d.s.settle_unrunnable();
        let runs = d.s.next_ready();
        if d.s.stopping() {
            assert!(runs.is_empty(), "a run started while stopping");
        }
        for r in &runs {
            d.check_started(r);
        }
        pending.extend(runs);
        d.check_parallelism();
        if pending.is_empty() {
            break;
        }
        let run = pending.remove(usize::from(next.next().unwrap()) % pending.len());
        let out = d.backend_says(&run, &mut next);
        let f = d.s.complete(&run, out, d.cancelled);
        for &i in &f.again {
            assert_eq!(d.s.phase(i), Phase::Waiting);
        }
        for &i in &f.ended {
            assert!(matches!(d.s.phase(i), Phase::Ended(_)));
        }
    }
    d.s.settle_unrunnable();
    assert!(
        d.s.all_settled(),
        "builds left waiting with nothing running"
    );
    d.end()
}

/// A scheduler being driven, and what the fake backend did to it so far.
struct Drive<'a> {
    deps: &'a [Vec<usize>],
    proj: &'a [usize],
    opts: &'a DispatchOptions,
    s: Scheduler,
    failed_by_backend: Vec<bool>,
    interrupted: Vec<usize>,
    cancelled: bool,
}

impl<'a> Drive<'a> {
    fn new(deps: &'a [Vec<usize>], proj: &'a [usize], opts: &'a DispatchOptions) -> Drive<'a> {
        let n = deps.len();
        Drive {
            deps,
            proj,
            opts,
            s: Scheduler::new(&graph(deps, proj), opts),
            failed_by_backend: vec![false; n],
            interrupted: vec![0; n],
            cancelled: false,
        }
    }

    /// The builder of build `i`: A (0) or B (1).
    fn builder(&self, i: usize) -> usize {
        usize::from(self.proj[i] == 1)
    }

    /// A run just started: one builder, its builds running, every build they use done or in
    /// the run before them, and the done builds of the same builder there as contexts.
    fn check_started(&self, r: &PlannedRun) {
        let s = &self.s;
        assert!(!r.nodes.is_empty(), "an empty run");
        let b = self.builder(r.nodes[0]);
        for &i in &r.nodes {
            assert_eq!(self.builder(i), b, "a run mixes builders");
            assert_eq!(s.phase(i), Phase::Running(r.id));
            for &d in &self.deps[i] {
                let same_run = r.nodes.contains(&d);
                assert!(
                    same_run || s.phase(d) == Phase::Ended(StatusKind::Done),
                    "n{i} started before n{d} it uses was done"
                );
                if same_run {
                    let (pi, pd) = (
                        r.nodes.iter().position(|&x| x == i).unwrap(),
                        r.nodes.iter().position(|&x| x == d).unwrap(),
                    );
                    assert!(pd < pi, "dependencies come first in a run");
                }
                if !same_run && self.builder(d) == b {
                    assert!(r.reused.contains(&d), "n{d} missing as a context");
                }
            }
        }
        for &d in &r.reused {
            assert!(!r.nodes.contains(&d));
            assert_eq!(self.builder(d), b);
            assert_eq!(s.phase(d), Phase::Ended(StatusKind::Done));
        }
    }

    /// max-parallelism holds over everything running.
    fn check_parallelism(&self) {
        for (p, name) in PROJECTS.iter().enumerate() {
            if let Some(l) = self.opts.project(PROJECTS[p]).max_parallelism {
                let running = (0..self.deps.len())
                    .filter(|&i| self.proj[i] == p && matches!(self.s.phase(i), Phase::Running(_)))
                    .count();
                assert!(running <= l, "project {name} runs {running} > {l}");
            }
        }
    }

    /// What the fake backend reports for `run`, each build's result taken from `next`.
    fn backend_says(
        &mut self,
        run: &PlannedRun,
        next: &mut impl Iterator<Item = u8>,
    ) -> RunOutcome {
        let mut out = RunOutcome::default();
        for &i in &run.nodes {
            let code = next.next().unwrap();
            // As BuildKit: a build cannot succeed on a build of its run that did not.
            let dep_ok = self.deps[i].iter().all(|d| {
                !run.nodes.contains(d) || matches!(out.results.get(d), Some(BuildResult::Done(..)))
            });
            let said = if dep_ok {
                says(code)
            } else {
                Says::Interrupted
            };
            let r = match said {
                Says::Done => BuildResult::Done(BuildOutput::default(), Duration::ZERO),
                Says::Failed => {
                    self.failed_by_backend[i] = true;
                    BuildResult::Failed(BuildFailure::new("boom"))
                }
                Says::Interrupted => {
                    self.interrupted[i] += 1;
                    BuildResult::Interrupted
                }
                Says::Nothing => {
                    self.failed_by_backend[i] = !self.cancelled;
                    continue;
                }
            };
            out.results.insert(i, r);
        }
        out
    }

    /// The final states, checked: done only on done dependencies, skipped only for a reason,
    /// cancelled only on a cancellation or `--fail-fast`, failed only when the backend said
    /// so (or after too many interruptions), and everything done when nothing failed.
    fn end(self) -> Vec<StatusKind> {
        let (deps, opts, cancelled) = (self.deps, self.opts, self.cancelled);
        let end: Vec<StatusKind> = self
            .s
            .into_reports()
            .iter()
            .map(|r| r.status.kind())
            .collect();
        for i in 0..deps.len() {
            match end[i] {
                StatusKind::Done => {
                    for &d in &deps[i] {
                        assert_eq!(end[d], StatusKind::Done, "n{i} done on a failed n{d}");
                    }
                }
                StatusKind::Skipped => assert!(
                    deps[i].iter().any(|&d| end[d] != StatusKind::Done),
                    "n{i} skipped with every dependency done"
                ),
                StatusKind::Cancelled => assert!(
                    cancelled || opts.fail_fast,
                    "n{i} cancelled without a cancellation or --fail-fast"
                ),
                StatusKind::Failed => assert!(
                    self.failed_by_backend[i] || self.interrupted[i] > 3,
                    "n{i} failed though the backend never said so"
                ),
            }
        }
        if !cancelled && !opts.fail_fast {
            // Without failures everything is built.
            if !self.failed_by_backend.iter().any(|&f| f)
                && end.iter().all(|k| *k != StatusKind::Failed)
            {
                assert!(end.iter().all(|k| *k == StatusKind::Done), "{end:?}");
            }
        }
        end
    }
}

/// Every graph of four builds (each of the 64 sets of edges from a later build to an earlier
/// one), every assignment to builders A and B, with each build in turn failing (or none),
/// in all four combinations of a `max-parallelism` of 1 and `--fail-fast`.
#[test]
fn every_graph_of_four_builds() {
    let pairs: Vec<(usize, usize)> = (0..4).flat_map(|j| (0..j).map(move |i| (j, i))).collect();
    let mut cases = 0;
    for edges in 0u32..(1 << pairs.len()) {
        let mut deps = vec![Vec::new(); 4];
        for (k, &(j, i)) in pairs.iter().enumerate() {
            if edges & (1 << k) != 0 {
                deps[j].push(i);
            }
        }
        for assign in 0u32..16 {
            let proj: Vec<usize> = (0..4).map(|i| ((assign >> i) & 1) as usize).collect();
            for failing in 0..=4usize {
                for (limits, fail_fast) in [
                    ([None, None, None], false),
                    ([Some(1), None, None], false),
                    ([None, None, None], true),
                    ([Some(1), Some(1), None], true),
                ] {
                    let opts = options(limits, fail_fast);
                    let end = drive(&deps, &proj, &opts, &[0], None);
                    assert!(end.iter().all(|k| *k == StatusKind::Done));
                    let end = drive_failing(&deps, &proj, &opts, failing);
                    if failing < 4 {
                        assert_eq!(end[failing], StatusKind::Failed);
                        if !fail_fast {
                            for (i, got) in end.iter().enumerate() {
                                let uses_failed = reaches(&deps, i, failing);
                                let want = if i == failing {
                                    StatusKind::Failed
                                } else if uses_failed {
                                    StatusKind::Skipped
                                } else {
                                    StatusKind::Done
                                };
                                assert_eq!(*got, want, "n{i}: deps {deps:?} proj {proj:?}");
                            }
                        }
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 64 * 16 * 5 * 4);
}

/// Whether build `i` uses build `f`, directly or through others.
fn reaches(deps: &[Vec<usize>], i: usize, f: usize) -> bool {
    deps[i].iter().any(|&d| d == f || reaches(deps, d, f))
}

/// Drives to the end with build `failing` failing and every other build done, except that a
/// run with a failure interrupts its other builds (as buildx does): they run again.
fn drive_failing(
    deps: &[Vec<usize>],
    proj: &[usize],
    opts: &DispatchOptions,
    failing: usize,
) -> Vec<StatusKind> {
    let g = graph(deps, proj);
    let mut s = Scheduler::new(&g, opts);
    let mut pending: Vec<PlannedRun> = Vec::new();
    for _ in 0..64 {
        s.settle_unrunnable();
        pending.extend(s.next_ready());
        if pending.is_empty() {
            break;
        }
        let run = pending.remove(0);
        let mut out = RunOutcome::default();
        let fails = run.nodes.contains(&failing);
        for &i in &run.nodes {
            let r = if i == failing {
                BuildResult::Failed(BuildFailure::new("boom"))
            } else if fails {
                BuildResult::Interrupted
            } else {
                BuildResult::Done(BuildOutput::default(), Duration::ZERO)
            };
            out.results.insert(i, r);
        }
        s.complete(&run, out, false);
    }
    s.settle_unrunnable();
    assert!(s.all_settled());
    s.into_reports().iter().map(|r| r.status.kind()).collect()
}

#[test]
fn a_whole_run_fails_when_its_builder_cannot_start() {
    let deps = vec![vec![], vec![0], vec![]];
    let g = graph(&deps, &[0, 0, 1]);
    let opts = options([None, None, None], false);
    let mut s = Scheduler::new(&g, &opts);
    let runs = s.next_ready();
    assert_eq!(runs.len(), 2);
    let f = s.fail(&runs[0], &BuildFailure::new("builder unreachable"));
    assert_eq!(f.ended, vec![0, 1]);
    assert_eq!(s.phase(0), Phase::Ended(StatusKind::Failed));
    assert_eq!(s.phase(2), Phase::Running(runs[1].id));
}

fn arb_case() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<usize>)> {
    (1usize..=12).prop_flat_map(|n| {
        let deps = (0..n)
            .map(|i| proptest::collection::btree_set(0..i.max(1), 0..=i.min(3)))
            .collect::<Vec<_>>();
        (deps, proptest::collection::vec(0usize..3, n)).prop_map(|(deps, proj)| {
            let deps = deps
                .into_iter()
                .enumerate()
                .map(|(i, d)| d.into_iter().filter(|&x| x < i).collect())
                .collect();
            (deps, proj)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random graphs of up to twelve builds over three projects (two sharing a builder),
    /// random limits, results and completion order, sometimes `--fail-fast`, sometimes a
    /// cancellation: the invariants of `drive` hold at every step and everything ends.
    #[test]
    fn random_graphs_always_end_consistently(
        (deps, proj) in arb_case(),
        limits in proptest::array::uniform3(proptest::option::of(1usize..=3)),
        fail_fast in any::<bool>(),
        script in proptest::collection::vec(any::<u8>(), 1..64),
        cancel_at in proptest::option::weighted(0.2, 0usize..20),
    ) {
        let opts = options(limits, fail_fast);
        let end = drive(&deps, &proj, &opts, &script, cancel_at);
        let by_node: BTreeMap<usize, StatusKind> = end.into_iter().enumerate().collect();
        prop_assert_eq!(by_node.len(), deps.len());
    }
}
