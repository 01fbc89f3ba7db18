//! The state of the tty display ([`TtyView`]): every build's state, its steps and its last
//! log lines, kept up to date by the dispatch's [`Event`]s ([`TtyView::apply`]). It does no
//! I/O and reads no clock: each event comes with its moment, so the state, and the frames
//! drawn from it (`frame.rs`), can be tested with scripted times.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bake_core::api::BuildGraph;
use bake_dispatch::{Event, StatusKind};
use console::{measure_text_width, truncate_str};

/// Log lines shown under a running build.
pub(super) const LOG_LINES: usize = 4;
/// The widest `label (project)` column; longer names are cut.
const NAME_WIDTH: usize = 40;

/// Where a build is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum State {
    /// Waiting for the builds it uses.
    Waiting,
    /// Waiting for a slot of its project, or for its builder.
    Queued,
    /// Building since `since`; `order` is when it started among all events.
    Running { since: Instant, order: u64 },
    /// Ended; `order` is when it ended among all events.
    Finished {
        status: StatusKind,
        duration: Duration,
        order: u64,
    },
}

#[derive(Debug, Clone)]
pub(super) struct Build {
    /// `label (project)`, cut to the name column.
    pub(super) name: String,
    pub(super) state: State,
    /// Steps done and seen.
    pub(super) steps: Option<(usize, usize)>,
    /// The step it is at.
    pub(super) current: Option<String>,
    /// The last lines it printed, cleaned.
    pub(super) logs: VecDeque<String>,
}

impl Build {
    pub(super) fn running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    pub(super) fn waiting(&self) -> bool {
        matches!(self.state, State::Waiting | State::Queued)
    }

    /// Starts it when an event shows it runs although no `Started` came; false when it
    /// already ended (late events change nothing then).
    fn ensure_running(&mut self, now: Instant, order: u64) -> bool {
        match self.state {
            State::Running { .. } => true,
            State::Finished { .. } => false,
            State::Waiting | State::Queued => {
                self.state = State::Running { since: now, order };
                true
            }
        }
    }
}

/// What the tty display shows: every build's state, its steps and its last log lines.
#[derive(Debug, Clone)]
pub(crate) struct TtyView {
    /// Every build, in graph order.
    pub(super) builds: Vec<Build>,
    /// Whether lines carry ANSI colours.
    pub(super) color: bool,
    /// Events seen, to order starts and ends.
    seq: u64,
    /// The width of the name column.
    pub(super) name_width: usize,
}

impl TtyView {
    /// A view of these builds (`(label, project)`, in graph order, indexed like the events'
    /// `node`), all waiting. With `color`, lines carry ANSI colours.
    pub(crate) fn new(builds: impl IntoIterator<Item = (String, String)>, color: bool) -> TtyView {
        let builds: Vec<Build> = builds
            .into_iter()
            .map(|(label, project)| Build {
                name: truncate_str(&format!("{label} ({project})"), NAME_WIDTH, "…").into_owned(),
                state: State::Waiting,
                steps: None,
                current: None,
                logs: VecDeque::new(),
            })
            .collect();
        let name_width = builds
            .iter()
            .map(|b| measure_text_width(&b.name))
            .max()
            .unwrap_or(0);
        TtyView {
            builds,
            color,
            seq: 0,
            name_width,
        }
    }

    /// A view of every build of `graph`.
    pub(crate) fn for_graph(graph: &BuildGraph, color: bool) -> TtyView {
        TtyView::new(
            graph
                .nodes
                .iter()
                .map(|n| (n.label(), n.project.id.clone())),
            color,
        )
    }

    /// Takes in one event that happened at `now`.
    pub(crate) fn apply(&mut self, ev: &Event, now: Instant) {
        self.seq += 1;
        let order = self.seq;
        match ev {
            Event::Queued { node } => {
                if let Some(b) = self.builds.get_mut(*node) {
                    if !matches!(b.state, State::Finished { .. }) {
                        b.state = State::Queued;
                    }
                }
            }
            Event::Started { node } => {
                if let Some(b) = self.builds.get_mut(*node) {
                    // Started again after an interruption: a new attempt, the same clock.
                    if !b.running() {
                        b.state = State::Running { since: now, order };
                    }
                    b.steps = None;
                    b.current = None;
                    b.logs.clear();
                }
            }
            Event::Progress {
                node,
                total,
                done,
                current,
                ..
            } => {
                if let Some(b) = self.builds.get_mut(*node) {
                    if b.ensure_running(now, order) {
                        b.steps = Some((*done, *total));
                        b.current = current.as_deref().map(clean).filter(|c| !c.is_empty());
                    }
                }
            }
            Event::Log { node, line } => {
                let line = clean(line);
                if let Some(b) = self.builds.get_mut(*node) {
                    if !line.is_empty() && b.ensure_running(now, order) {
                        if b.logs.len() == LOG_LINES {
                            b.logs.pop_front();
                        }
                        b.logs.push_back(line);
                    }
                }
            }
            Event::Finished {
                node,
                status,
                duration,
            } => {
                if let Some(b) = self.builds.get_mut(*node) {
                    b.state = State::Finished {
                        status: *status,
                        duration: *duration,
                        order,
                    };
                    b.current = None;
                    b.logs.clear();
                }
            }
            // Events this display has no use for (the enum may grow).
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// Ends every build that has not ended as cancelled, as the dispatch report does for
    /// builds it never settled.
    pub(crate) fn close(&mut self, now: Instant) {
        for b in &mut self.builds {
            let duration = match b.state {
                State::Finished { .. } => continue,
                State::Running { since, .. } => now.saturating_duration_since(since),
                State::Waiting | State::Queued => Duration::ZERO,
            };
            self.seq += 1;
            b.state = State::Finished {
                status: StatusKind::Cancelled,
                duration,
                order: self.seq,
            };
            b.current = None;
            b.logs.clear();
        }
    }
}

/// A line a build printed, made safe to show on one row: what follows its last carriage
/// return (progress bars redraw that way), without escapes or control characters, tabs as
/// spaces.
pub(super) fn clean(line: &str) -> String {
    let line = line
        .rsplit('\r')
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    let mut out = String::with_capacity(line.len());
    for c in console::strip_ansi_codes(line).chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.truncate(out.trim_end().len());
    out
}
