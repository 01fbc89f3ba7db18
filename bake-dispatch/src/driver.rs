//! The tokio driver of the [`Scheduler`]: starts the runs it decides on, one task each,
//! prepares each project once, and feeds the results back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, OnceCell};
use tokio::task::JoinSet;

use crate::scheduler::{run_job, PlannedRun, Scheduler};
use crate::{
    Backend, BuildFailure, BuildResult, Cancel, DispatchOptions, DispatchReport, Event, EventSink,
    NodeStatus, RunJob, RunOutcome,
};
use bake_core::api::BuildGraph;

type Prepared = Arc<OnceCell<Result<(), String>>>;

/// Runs every build of `graph` on `backend` and returns one report per node.
///
/// Builds start, in runs per builder, as soon as the builds they use are done; each project
/// is prepared once before its first run. A failure skips the builds that depend on it and,
/// with `fail_fast`, cancels everything else. Once `cancel` fires, running builds are stopped
/// and no new one starts.
pub async fn dispatch(
    graph: Arc<BuildGraph>,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    options: Arc<DispatchOptions>,
    cancel: Cancel,
) -> DispatchReport {
    let mut driver = Driver::new(graph, backend, events, options);
    driver.probe_fleets().await;
    let forward = {
        let mut outer = cancel.clone();
        let tx = driver.stop_tx.clone();
        tokio::spawn(async move {
            outer.cancelled().await;
            let _ = tx.send(true);
        })
    };
    loop {
        driver.start_ready();
        let Some(joined) = driver.tasks.join_next().await else {
            break;
        };
        let Ok((run, outcome, lost)) = joined else {
            // A task that panicked: its builds stay unsettled and end as cancelled.
            continue;
        };
        if let Some(reason) = lost {
            driver.scheduler.lose(run.builder, &reason);
        }
        driver.complete(&run, outcome);
    }
    forward.abort();
    let notes = driver.scheduler.notes().to_vec();
    let builders = (0..driver.graph.nodes.len())
        .map(|i| {
            driver.scheduler.specs()[driver.scheduler.builder_of(i)]
                .key
                .clone()
        })
        .collect();
    DispatchReport {
        builders,
        nodes: driver.scheduler.into_reports(),
        runs: driver.runs,
        notes,
    }
}

/// What a dispatch keeps between the runs it starts and the runs that end.
struct Driver {
    graph: Arc<BuildGraph>,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    options: Arc<DispatchOptions>,
    scheduler: Scheduler,
    /// The hand-off reference of each build that made one, for the builds that use it.
    handoffs: Vec<Option<String>>,
    /// Each builder's preparation (by its name), shared by its runs.
    prepared: BTreeMap<String, Prepared>,
    /// When each build last started.
    starts: Vec<Option<Instant>>,
    /// Runs started so far.
    runs: usize,
    /// The runs under way, each with why its builder was lost, when it was.
    tasks: JoinSet<(PlannedRun, RunOutcome, Option<String>)>,
    /// Stops the runs under way: the caller cancelled, or the scheduler is stopping.
    stop_tx: watch::Sender<bool>,
    stop: Cancel,
}

impl Driver {
    /// A driver with nothing started; every build is reported queued.
    fn new(
        graph: Arc<BuildGraph>,
        backend: Arc<dyn Backend>,
        events: Arc<dyn EventSink>,
        options: Arc<DispatchOptions>,
    ) -> Driver {
        let scheduler = Scheduler::new(&graph, &options);
        let n = graph.nodes.len();
        for i in 0..n {
            events.event(&Event::Queued { node: i });
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        Driver {
            graph,
            backend,
            events,
            options,
            scheduler,
            handoffs: vec![None; n],
            prepared: BTreeMap::new(),
            starts: vec![None; n],
            runs: 0,
            tasks: JoinSet::new(),
            stop_tx,
            stop: Cancel(stop_rx),
        }
    }

    /// Settles the builds that can no longer run, and starts every run the scheduler has
    /// ready (none once stopped).
    fn start_ready(&mut self) {
        if self.stop.is_cancelled() {
            self.scheduler.cancel();
        }
        for (i, s) in self.scheduler.settle_unrunnable() {
            self.events.event(&Event::Finished {
                node: i,
                status: s.kind(),
                duration: Duration::ZERO,
            });
        }
        for run in self.scheduler.next_ready() {
            self.runs += 1;
            let handoffs = &self.handoffs;
            let job = run_job(&self.graph, &self.scheduler, &run, &self.options, |d| {
                handoffs[d].clone()
            });
            for &i in &run.nodes {
                self.starts[i] = Some(Instant::now());
            }
            let prep = self
                .prepared
                .entry(job.project.clone())
                .or_default()
                .clone();
            let fleet = self.scheduler.fleet_builders().contains(&run.builder);
            self.tasks.spawn(run_one(
                run,
                job,
                prep,
                fleet,
                self.backend.clone(),
                self.events.clone(),
                self.stop.clone(),
            ));
        }
    }

    /// Checks every node of the fleets before the first run: a node that does not answer is
    /// left out (a note says why) and its builds go to the others.
    async fn probe_fleets(&mut self) {
        let nodes = self.scheduler.fleet_builders();
        let mut probes = JoinSet::new();
        for b in nodes {
            let spec = self.scheduler.specs()[b].clone();
            let backend = self.backend.clone();
            probes.spawn(async move {
                let ready = backend
                    .clone()
                    .prepare(spec.name.clone(), spec.config.clone())
                    .await;
                let r = match ready {
                    Ok(()) => backend.probe(spec.name, spec.config).await,
                    Err(e) => Err(e),
                };
                (b, r)
            });
        }
        while let Some(Ok((b, r))) = probes.join_next().await {
            if let Err(e) = r {
                self.scheduler.lose(b, &e);
            }
        }
    }

    /// Takes in the outcome of a run: reports the builds that ended, and stops everything
    /// when the scheduler says so.
    fn complete(&mut self, run: &PlannedRun, outcome: RunOutcome) {
        let cancelled = self.stop.is_cancelled();
        let f = self.scheduler.complete(run, outcome, cancelled);
        for &i in &f.ended {
            let Some(r) = self.scheduler.report(i) else {
                continue;
            };
            if let NodeStatus::Done(o) = &r.status {
                self.handoffs[i].clone_from(&o.handoff_ref);
            }
            let duration = match &r.status {
                NodeStatus::Done(_) => r.duration,
                _ => self.starts[i].map(|s| s.elapsed()).unwrap_or_default(),
            };
            self.events.event(&Event::Finished {
                node: i,
                status: r.status.kind(),
                duration,
            });
        }
        for &i in &f.again {
            self.events.event(&Event::Log {
                node: i,
                line: "stopped because another build of its run failed; running it again".into(),
            });
        }
        for &i in &f.retried {
            self.events.event(&Event::Log {
                node: i,
                line: "its node was lost; running it again on another node".into(),
            });
        }
        if self.scheduler.stopping() {
            let _ = self.stop_tx.send(true);
        }
    }
}

async fn run_one(
    run: PlannedRun,
    job: RunJob,
    prepared: Prepared,
    fleet: bool,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    mut stop: Cancel,
) -> (PlannedRun, RunOutcome, Option<String>) {
    // Each builder is prepared once; when it cannot be, the builds of the run fail (and on a
    // fleet's node, the node is lost: they move to another).
    let ready = tokio::select! {
        r = prepared.get_or_init(|| backend.clone().prepare(job.project.clone(), job.config.clone())) => r.clone(),
        () = stop.cancelled() => return (run, RunOutcome::default(), None),
    };
    if let Err(e) = ready {
        let mut outcome = RunOutcome::default();
        for b in job.builds.iter().filter(|b| !b.context_only) {
            outcome.results.insert(
                b.index,
                BuildResult::Failed(BuildFailure::new(format!(
                    "project {}: {e}",
                    b.node.project.id
                ))),
            );
        }
        let lost = fleet.then_some(e);
        return (run, outcome, lost);
    }
    for &i in &run.nodes {
        events.event(&Event::Started { node: i });
    }
    let (name, config) = (job.project.clone(), job.config.clone());
    let outcome = backend.clone().run(job, events, stop.clone()).await;
    // A failure on a fleet's node may be the node's: ask it whether it is still there.
    let failed = outcome
        .results
        .values()
        .any(|r| !matches!(r, BuildResult::Done(..)))
        || outcome.results.len() < run.nodes.len();
    let lost = if fleet && failed && !stop.is_cancelled() {
        backend.probe(name, config).await.err()
    } else {
        None
    };
    (run, outcome, lost)
}
