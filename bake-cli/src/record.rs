//! The build id of a run and its record in the build history (`bake_history`): begun before
//! the builds start, updated as each build starts and ends, finished with the exit code. A
//! history that cannot be used never stops the builds: the run goes on unrecorded and says so.

use bake_core::api::BuildGraph;
use bake_dispatch::{DispatchOptions, DispatchReport, Event, NodeStatus, StatusKind};
use bake_history::{BuildId, History, NewRun, NewTarget, Owner, Status, TargetEnd};

use crate::summary::without_digest;
use crate::{fail, Context, Failure};

/// How many times a new id is drawn when the one drawn is taken already.
const ID_TRIES: u64 = 4;

/// The record of one run.
pub(crate) struct Recorder {
    /// The run's build id.
    pub(crate) id: BuildId,
    history: Option<History>,
    /// Why the run is not (or no longer) recorded.
    problem: Option<String>,
    path: Option<String>,
    clock: fn() -> Option<(i64, u32)>,
    /// The tags each build declares (its `tags`), by node.
    declared: Vec<Vec<String>>,
}

fn ms((s, n): (i64, u32)) -> i64 {
    s.saturating_mul(1000)
        .saturating_add(i64::from(n / 1_000_000))
}

/// The history file of this environment, and the reason when there is none.
pub(crate) fn history_path(cx: &Context<'_>) -> Result<std::path::PathBuf, Failure> {
    bake_history::default_path(&cx.env).ok_or_else(|| {
        fail(
            "no build history: neither BAKE_HISTORY, XDG_STATE_HOME nor HOME is set",
            Some("set BAKE_HISTORY to the history file".into()),
        )
    })
}

impl Recorder {
    /// Draws the run's id and records it as running, with its builds queued.
    pub(crate) fn begin(
        graph: &BuildGraph,
        options: &DispatchOptions,
        argv: &[String],
        cx: &Context<'_>,
    ) -> Recorder {
        let started = cx.now.map_or(0, ms);
        let draw =
            |k: u64| BuildId::new(u64::try_from(started).unwrap_or(0), cx.seed.wrapping_add(k));
        let mut rec = Recorder {
            id: draw(0),
            history: None,
            problem: None,
            path: None,
            clock: cx.clock,
            declared: graph.nodes.iter().map(|n| n.target.tags.clone()).collect(),
        };
        let path = match history_path(cx) {
            Ok(p) => p,
            Err(e) => {
                rec.problem = Some(e.to_string());
                return rec;
            }
        };
        rec.path = Some(path.display().to_string());
        let mut history = match History::open(&path) {
            Ok(h) => h,
            Err(e) => {
                rec.problem = Some(e.to_string());
                return rec;
            }
        };
        let targets = graph
            .nodes
            .iter()
            .map(|n| NewTarget {
                name: n.label(),
                project: n.project.id.clone(),
                builder: options.builder_key(&n.project.id).to_string(),
                requested: n.requested,
            })
            .collect();
        let mut run = NewRun {
            id: rec.id.clone(),
            command: argv.to_vec(),
            cwd: cx.cwd.display().to_string(),
            owner: Owner::current(),
            started_ms: started,
            targets,
        };
        for k in 1..=ID_TRIES {
            match history.begin(&run) {
                Ok(()) => {
                    rec.id = run.id.clone();
                    rec.history = Some(history);
                    return rec;
                }
                Err(bake_history::HistoryError::Duplicate(_)) if k < ID_TRIES => {
                    run.id = draw(k);
                }
                Err(e) => {
                    rec.problem = Some(e.to_string());
                    return rec;
                }
            }
        }
        rec
    }

    fn now_ms(&self) -> Option<i64> {
        (self.clock)().map(ms)
    }

    /// Stops recording after a write failed, keeping the reason.
    fn lost(&mut self, e: &bake_history::HistoryError) {
        self.history = None;
        self.problem = Some(e.to_string());
    }

    /// Records a build starting or ending.
    pub(crate) fn event(&mut self, ev: &Event) {
        let at = self.now_ms();
        let Some(h) = &self.history else {
            return;
        };
        let r = match ev {
            Event::Started { node } => h.target_started(&self.id, *node, at.unwrap_or(0)),
            Event::Finished { node, status, .. } => h.target_finished(
                &self.id,
                *node,
                &TargetEnd {
                    status: Some(status_of(*status)),
                    ended_ms: at,
                    ..TargetEnd::default()
                },
            ),
            _ => Ok(()),
        };
        if let Err(e) = r {
            self.lost(&e);
        }
    }

    /// Records the end of the run: every build's result from `report` (none when the
    /// dispatch could not run), the run's status and its exit code.
    pub(crate) fn finish(
        &mut self,
        report: Option<&DispatchReport>,
        cancelled: bool,
        exit_code: i32,
    ) {
        let ended = self.now_ms().unwrap_or(0);
        let Some(h) = &mut self.history else {
            return;
        };
        let ends: Vec<TargetEnd> = match report {
            Some(report) => report
                .nodes
                .iter()
                .zip(&self.declared)
                .zip(&report.builders)
                .map(|((r, tags), b)| TargetEnd {
                    builder: Some(b.to_string()),
                    ..target_end(&r.status, tags)
                })
                .collect(),
            None => Vec::new(),
        };
        let status = if cancelled {
            Status::Cancelled
        } else if exit_code == 0 {
            Status::Done
        } else {
            Status::Failed
        };
        if let Err(e) = h.finish(&self.id, status, ended, exit_code, &ends) {
            self.lost(&e);
        }
    }

    /// The warning for a run that was not recorded (or not to its end), naming the history
    /// file and why.
    pub(crate) fn warning(&self) -> Option<Failure> {
        let problem = self.problem.as_ref()?;
        let message = format!(
            "build {} was not recorded in the build history: {problem}",
            self.id
        );
        let help = match &self.path {
            Some(p) => format!(
                "the builds ran as usual; move {p} aside (a new history is created in its place) or set BAKE_HISTORY to another file"
            ),
            None => "the builds ran as usual; set BAKE_HISTORY to record them".into(),
        };
        Some(fail(message, Some(help)))
    }
}

fn status_of(k: StatusKind) -> Status {
    match k {
        StatusKind::Done => Status::Done,
        StatusKind::Failed => Status::Failed,
        StatusKind::Skipped => Status::Skipped,
        StatusKind::Cancelled => Status::Cancelled,
    }
}

/// How a build ended, for the history. Its image refs are the names it was exported under
/// (not the `--save` ones), else the tags it declares (a saved build exports nothing else).
fn target_end(status: &NodeStatus, declared: &[String]) -> TargetEnd {
    let mut end = TargetEnd {
        status: Some(status_of(status.kind())),
        ..TargetEnd::default()
    };
    match status {
        NodeStatus::Done(o) => {
            end.digest = o.digest().map(str::to_string);
            end.saved_refs.clone_from(&o.saved);
            let saved = |i: &str| o.saved.iter().any(|s| without_digest(s) == i);
            end.image_refs = o
                .image()
                .filter(|i| !i.starts_with("moby-dangling@"))
                .map(|i| {
                    i.split(',')
                        .filter(|i| !saved(i))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            if end.image_refs.is_empty() {
                end.image_refs = declared.to_vec();
            }
        }
        NodeStatus::Failed(f) => end.error = Some(f.message.clone()),
        NodeStatus::Skipped(_) | NodeStatus::Cancelled => {}
    }
    end
}
