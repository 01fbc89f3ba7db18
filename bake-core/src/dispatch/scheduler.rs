//! The scheduler: runs the graph's builds as their dependencies finish.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;

use super::{
    Backend, BuildFailure, BuildJob, BuildOutput, Cancel, DispatchOptions, DispatchReport, Event,
    EventSink, NodeReport, NodeStatus,
};
use crate::graph::BuildGraph;

type Prepared = Arc<OnceCell<Result<(), String>>>;

/// Runs every build of `graph` on `backend` and returns one report per node.
///
/// Builds start as soon as the builds they use are done; each project is prepared once (its
/// builder checked) before its first build and keeps within its `max-parallelism`. A failure
/// skips the builds that depend on it and, with `fail_fast`, cancels everything else. Once
/// `cancel` fires, running builds are stopped and no new one starts.
pub async fn dispatch(
    graph: Arc<BuildGraph>,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    options: Arc<DispatchOptions>,
    cancel: Cancel,
) -> DispatchReport {
    let n = graph.nodes.len();
    let mut status: Vec<Option<NodeReport>> = vec![None; n];
    let mut started = vec![false; n];
    let mut outputs: Vec<Option<String>> = vec![None; n];

    // One semaphore and one preparation per project.
    let mut slots: BTreeMap<String, Option<Arc<Semaphore>>> = BTreeMap::new();
    let mut prepared: BTreeMap<String, Prepared> = BTreeMap::new();
    for node in &graph.nodes {
        let id = &node.project.id;
        if !slots.contains_key(id) {
            let cfg = options.project(id);
            slots.insert(
                id.clone(),
                cfg.max_parallelism.map(|m| Arc::new(Semaphore::new(m))),
            );
            prepared.insert(id.clone(), Arc::new(OnceCell::new()));
        }
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop = Cancel(stop_rx);
    // Outside cancellation flows into the internal stop signal (fail-fast uses it too).
    let forward = {
        let mut outer = cancel.clone();
        let tx = stop_tx.clone();
        tokio::spawn(async move {
            outer.cancelled().await;
            let _ = tx.send(true);
        })
    };

    let mut tasks: JoinSet<(usize, NodeStatus, Duration)> = JoinSet::new();
    loop {
        // Settle what can be settled without running: skips and cancellations.
        let stopping = stop.is_cancelled();
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..n {
                if started[i] || status[i].is_some() {
                    continue;
                }
                let failed_dep = graph.nodes[i]
                    .deps
                    .iter()
                    .find_map(|d| match &status[d.node] {
                        Some(r) if !matches!(r.status, NodeStatus::Done(_)) => Some(d.node),
                        _ => None,
                    });
                let settled = if stopping {
                    Some(NodeStatus::Cancelled)
                } else {
                    failed_dep.map(NodeStatus::Skipped)
                };
                if let Some(s) = settled {
                    events.event(&Event::Finished {
                        node: i,
                        status: s.kind(),
                        duration: Duration::ZERO,
                    });
                    status[i] = Some(NodeReport {
                        status: s,
                        duration: Duration::ZERO,
                    });
                    changed = true;
                }
            }
        }
        // Start every build whose dependencies are done.
        for i in 0..n {
            if started[i] || status[i].is_some() {
                continue;
            }
            let deps_done = graph.nodes[i].deps.iter().all(|d| {
                matches!(
                    status[d.node],
                    Some(NodeReport {
                        status: NodeStatus::Done(_),
                        ..
                    })
                )
            });
            if !deps_done {
                continue;
            }
            started[i] = true;
            let job = super::job_for(&graph, i, &options, |d| outputs[d].clone());
            let slot = slots.get(&job.node.project.id).cloned().flatten();
            let prep = prepared
                .get(&job.node.project.id)
                .cloned()
                .unwrap_or_default();
            let backend = backend.clone();
            let events = events.clone();
            let stop = stop.clone();
            tasks.spawn(run_one(job, slot, prep, backend, events, stop));
        }

        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (i, st, duration) = match joined {
            Ok(r) => r,
            // A task that panicked or was aborted: nothing to recover; the loop settles the
            // rest (its node stays unsettled only if it was never recorded, which the final
            // pass below fills in).
            Err(_) => continue,
        };
        if let NodeStatus::Done(o) = &st {
            outputs[i].clone_from(&o.handoff_ref);
        }
        let failed = matches!(st, NodeStatus::Failed(_));
        events.event(&Event::Finished {
            node: i,
            status: st.kind(),
            duration,
        });
        status[i] = Some(NodeReport {
            status: st,
            duration,
        });
        if failed && options.fail_fast {
            let _ = stop_tx.send(true);
        }
    }
    forward.abort();
    DispatchReport {
        nodes: status
            .into_iter()
            .map(|s| {
                s.unwrap_or(NodeReport {
                    status: NodeStatus::Cancelled,
                    duration: Duration::ZERO,
                })
            })
            .collect(),
    }
}

async fn run_one(
    job: BuildJob,
    slot: Option<Arc<Semaphore>>,
    prep: Prepared,
    backend: Arc<dyn Backend>,
    events: Arc<dyn EventSink>,
    mut stop: Cancel,
) -> (usize, NodeStatus, Duration) {
    let i = job.index;
    events.event(&Event::Queued { node: i });
    let project = job.node.project.id.clone();
    let wait = async {
        let permit = match &slot {
            Some(s) => s.clone().acquire_owned().await.ok(),
            None => None,
        };
        let ready = prep
            .get_or_init(|| {
                backend
                    .clone()
                    .prepare(project.clone(), job.project.clone())
            })
            .await
            .clone();
        (permit, ready)
    };
    let (permit, ready) = tokio::select! {
        r = wait => r,
        () = stop.cancelled() => return (i, NodeStatus::Cancelled, Duration::ZERO),
    };
    if let Err(e) = ready {
        return (
            i,
            NodeStatus::Failed(BuildFailure::new(format!("project {project}: {e}"))),
            Duration::ZERO,
        );
    }
    if stop.is_cancelled() {
        return (i, NodeStatus::Cancelled, Duration::ZERO);
    }
    events.event(&Event::Started { node: i });
    let start = Instant::now();
    let result: Result<BuildOutput, BuildFailure> =
        backend.build(job, events.clone(), stop.clone()).await;
    let duration = start.elapsed();
    drop(permit);
    let st = match result {
        Ok(o) => NodeStatus::Done(o),
        Err(_) if stop.is_cancelled() => NodeStatus::Cancelled,
        Err(f) => NodeStatus::Failed(f),
    };
    (i, st, duration)
}
