//! The tokio driver of the [`Scheduler`]: starts the runs it decides on, one task each,
//! prepares each project once, and feeds the results back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;
use tokio::task::JoinSet;

use crate::scheduler::{run_job, PlannedRun, Scheduler};
use crate::{
    Backend, BuildFailure, BuildResult, Cancel, DispatchOptions, DispatchReport, Event, EventSink,
    NodeStatus, RunJob, RunOutcome,
};
use bake_core::graph::BuildGraph;

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
    let mut scheduler = Scheduler::new(&graph, &options);
    let mut handoffs: Vec<Option<String>> = vec![None; graph.nodes.len()];
    let mut prepared: BTreeMap<String, Prepared> = BTreeMap::new();
    let mut starts: Vec<Option<Instant>> = vec![None; graph.nodes.len()];
    for i in 0..graph.nodes.len() {
        events.event(&Event::Queued { node: i });
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop = Cancel(stop_rx);
    let forward = {
        let mut outer = cancel.clone();
        let tx = stop_tx.clone();
        tokio::spawn(async move {
            outer.cancelled().await;
            let _ = tx.send(true);
        })
    };

    let mut runs = 0;
    let mut tasks: JoinSet<(PlannedRun, RunOutcome)> = JoinSet::new();
    loop {
        if stop.is_cancelled() {
            scheduler.cancel();
        }
        for (i, s) in scheduler.settle_unrunnable() {
            events.event(&Event::Finished {
                node: i,
                status: s.kind(),
                duration: Duration::ZERO,
            });
        }
        for run in scheduler.next_ready() {
            runs += 1;
            let job = run_job(&graph, &scheduler, &run, &options, |d| handoffs[d].clone());
            for &i in &run.nodes {
                starts[i] = Some(Instant::now());
            }
            let mut preps: Vec<(String, Prepared)> = Vec::new();
            for &i in &run.nodes {
                let id = &graph.nodes[i].project.id;
                if !preps.iter().any(|(p, _)| p == id) {
                    preps.push((id.clone(), prepared.entry(id.clone()).or_default().clone()));
                }
            }
            tasks.spawn(run_one(
                run,
                job,
                preps,
                backend.clone(),
                events.clone(),
                stop.clone(),
            ));
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let Ok((run, outcome)) = joined else {
            // A task that panicked: its builds stay unsettled and end as cancelled.
            continue;
        };
        let cancelled = stop.is_cancelled();
        let f = scheduler.complete(&run, outcome, cancelled);
        for &i in &f.ended {
            let Some(r) = scheduler.report(i) else {
                continue;
            };
            if let NodeStatus::Done(o) = &r.status {
                handoffs[i].clone_from(&o.handoff_ref);
            }
            let duration = match &r.status {
                NodeStatus::Done(_) => r.duration,
                _ => starts[i].map(|s| s.elapsed()).unwrap_or_default(),
            };
            events.event(&Event::Finished {
                node: i,
                status: r.status.kind(),
                duration,
            });
        }
        for &i in &f.again {
            events.event(&Event::Log {
                node: i,
                line: "stopped because another build of its run failed; running it again".into(),
            });
        }
        if scheduler.stopping() {
            let _ = stop_tx.send(true);
        }
    }
    forward.abort();
    DispatchReport {
        nodes: scheduler.into_reports(),
        runs,
    }
}

async fn run_one(
    run: PlannedRun,
    job: RunJob,
    prepared: Vec<(String, Prepared)>,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    mut stop: Cancel,
) -> (PlannedRun, RunOutcome) {
    // Each project of the run is prepared once; the builds of a project that cannot be
    // prepared fail, and the others run again without them.
    let mut broken: BTreeMap<String, String> = BTreeMap::new();
    for (project, prep) in &prepared {
        let config = job.options.project(project);
        let ready = tokio::select! {
            r = prep.get_or_init(|| backend.clone().prepare(project.clone(), config)) => r.clone(),
            () = stop.cancelled() => return (run, RunOutcome::default()),
        };
        if let Err(e) = ready {
            broken.insert(project.clone(), e);
        }
    }
    if !broken.is_empty() {
        let mut outcome = RunOutcome::default();
        for b in job.builds.iter().filter(|b| !b.context_only) {
            let result = match broken.get(&b.node.project.id) {
                Some(e) => BuildResult::Failed(BuildFailure::new(format!(
                    "project {}: {e}",
                    b.node.project.id
                ))),
                None => BuildResult::Interrupted,
            };
            outcome.results.insert(b.index, result);
        }
        return (run, outcome);
    }
    for &i in &run.nodes {
        events.event(&Event::Started { node: i });
    }
    let outcome = backend.run(job, events, stop).await;
    (run, outcome)
}
