//! Drawing a frame of the tty display ([`TtyView::frame`]): the lines to show for a
//! terminal size and a moment, without any I/O. A frame line is one build:
//!
//! ```text
//! ⠹ app (proj-b)   running    2.0s  2/6  [app 3/6] RUN ./configure --prefix=/usr/loc…
//!     > checking for gcc... gcc
//! ```
//!
//! with the last [`LOG_LINES`] lines a running build printed under it. Every line is cut to
//! the terminal's width (display width: wide characters count two, escapes nothing), and a
//! frame taller than the terminal drops finished and waiting builds first (counted on a
//! `… N more builds` line), so that moving the cursor up always reaches the frame's top.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bake_dispatch::StatusKind;
use console::{measure_text_width, truncate_str};

use super::live::FRAME;
use super::view::{Build, State, TtyView, LOG_LINES};

/// The state word column (`cancelled`).
const STATE_WIDTH: usize = 9;
/// The elapsed-time column (`12.3s`, `1m05s`).
const TIME_WIDTH: usize = 5;

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";

impl TtyView {
    /// The lines to show at `now` on a terminal `width` columns wide and `height` rows high:
    /// no line is wider than `width`, and there are at most `height - 1` lines (one row
    /// stays for the cursor; one line at least), so the frame can be erased by moving up
    /// over it.
    pub(crate) fn frame(&self, width: usize, height: usize, now: Instant) -> Vec<String> {
        let width = width.max(1);
        let budget = height.saturating_sub(1).max(1);
        let (shown, log_cap) = self.fit(budget);
        let mut lines = Vec::new();
        let hidden: Vec<&Build> = self
            .builds
            .iter()
            .zip(&shown)
            .filter(|(_, s)| !**s)
            .map(|(b, _)| b)
            .collect();
        if !hidden.is_empty() {
            lines.push(self.more_line(&hidden));
        }
        for (b, _) in self.builds.iter().zip(&shown).filter(|(_, s)| **s) {
            lines.push(self.header(b, now));
            if b.running() {
                let skip = b.logs.len().saturating_sub(log_cap);
                for l in b.logs.iter().skip(skip) {
                    lines.push(self.paint(DIM, &format!("    > {l}")));
                }
            }
        }
        lines
            .into_iter()
            .map(|l| truncate_str(&l, width, "…").into_owned())
            .collect()
    }

    /// Which builds are shown, and how many log lines each running one gets, to fit
    /// `budget` lines: finished builds go first (the earliest ended first), then waiting
    /// ones (the last in the graph first), then log lines, then failed builds, then running
    /// ones (the latest started first). Hidden builds take one line between them.
    fn fit(&self, budget: usize) -> (Vec<bool>, usize) {
        let logs = |b: &Build, cap: usize| {
            if b.running() {
                b.logs.len().min(cap)
            } else {
                0
            }
        };
        let mut cap = LOG_LINES;
        let mut shown = vec![true; self.builds.len()];
        let mut total: usize = self.builds.iter().map(|b| 1 + logs(b, cap)).sum();
        let mut hidden = 0usize;
        let fits = |total: usize, hidden: usize| total + usize::from(hidden > 0) <= budget;
        if fits(total, hidden) {
            return (shown, cap);
        }

        let ended = |failed: bool| {
            let mut v: Vec<(u64, usize)> = self
                .builds
                .iter()
                .enumerate()
                .filter_map(|(i, b)| match b.state {
                    State::Finished { status, order, .. }
                        if (status == StatusKind::Failed) == failed =>
                    {
                        Some((order, i))
                    }
                    _ => None,
                })
                .collect();
            v.sort_unstable();
            v.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
        };
        let waiting: Vec<usize> = (0..self.builds.len())
            .rev()
            .filter(|&i| self.builds[i].waiting())
            .collect();
        for i in ended(false).into_iter().chain(waiting) {
            if fits(total, hidden) {
                return (shown, cap);
            }
            shown[i] = false;
            hidden += 1;
            total -= 1;
        }
        while !fits(total, hidden) && cap > 0 {
            cap -= 1;
            total -= self
                .builds
                .iter()
                .zip(&shown)
                .filter(|(b, s)| **s && b.running() && b.logs.len() > cap)
                .count();
        }
        let mut running: Vec<(u64, usize)> = self
            .builds
            .iter()
            .enumerate()
            .filter_map(|(i, b)| match b.state {
                State::Running { order, .. } => Some((order, i)),
                _ => None,
            })
            .collect();
        running.sort_unstable_by(|a, b| b.cmp(a));
        for i in ended(true)
            .into_iter()
            .chain(running.into_iter().map(|(_, i)| i))
        {
            if fits(total, hidden) {
                break;
            }
            shown[i] = false;
            hidden += 1;
            total -= 1 + logs(&self.builds[i], cap);
        }
        (shown, cap)
    }

    /// `… 5 more builds (3 done, 2 waiting)`.
    fn more_line(&self, hidden: &[&Build]) -> String {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for b in hidden {
            let word = match b.state {
                State::Waiting | State::Queued => "waiting",
                State::Running { .. } => "running",
                State::Finished { status, .. } => status.word(),
            };
            match counts.iter_mut().find(|(w, _)| *w == word) {
                Some((_, n)) => *n += 1,
                None => counts.push((word, 1)),
            }
        }
        let rank = |w: &str| {
            [
                "running",
                "failed",
                "done",
                "skipped",
                "cancelled",
                "waiting",
            ]
            .iter()
            .position(|x| *x == w)
        };
        counts.sort_by_key(|(w, _)| rank(w));
        let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
        let noun = if hidden.len() == 1 { "build" } else { "builds" };
        self.paint(
            DIM,
            &format!("… {} more {noun} ({})", hidden.len(), parts.join(", ")),
        )
    }

    /// `✔ base (proj-a)  done  1.2s`, or for a running build its clock, steps and current
    /// step.
    fn header(&self, b: &Build, now: Instant) -> String {
        let (mark, word, color, time) = match b.state {
            State::Waiting => ('·', "waiting", DIM, None),
            State::Queued => ('·', "queued", DIM, None),
            State::Running { since, .. } => {
                let t = now.saturating_duration_since(since);
                let spin = SPINNER[(t.as_millis() / FRAME.as_millis()) as usize % SPINNER.len()];
                (spin, "running", CYAN, Some(t))
            }
            State::Finished {
                status, duration, ..
            } => {
                let (mark, color) = match status {
                    StatusKind::Done => ('✔', GREEN),
                    StatusKind::Failed => ('✘', RED),
                    StatusKind::Skipped | StatusKind::Cancelled => ('-', YELLOW),
                };
                let ran =
                    !duration.is_zero() || matches!(status, StatusKind::Done | StatusKind::Failed);
                (mark, status.word(), color, ran.then_some(duration))
            }
        };
        let name_color = if b.waiting() { DIM } else { BOLD };
        let mut line = format!(
            "{} {}{}  {}{} {:>TIME_WIDTH$}",
            self.paint(color, &mark.to_string()),
            self.paint(name_color, &b.name),
            " ".repeat(self.name_width.saturating_sub(measure_text_width(&b.name))),
            self.paint(color, word),
            " ".repeat(STATE_WIDTH.saturating_sub(word.len())),
            time.map(clock).unwrap_or_default(),
        );
        if b.running() {
            if let Some((done, total)) = b.steps.filter(|(_, t)| *t > 0) {
                let _ = write!(line, "  {done}/{total}");
            }
            if let Some(c) = &b.current {
                let _ = write!(line, "  {c}");
            }
        }
        line.trim_end().to_string()
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// `1.2s`, `1m05s`, `2h03m`.
pub(super) fn clock(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 59.95 {
        format!("{s:.1}s")
    } else if d.as_secs() < 3600 {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    } else {
        format!("{}h{:02}m", d.as_secs() / 3600, d.as_secs() % 3600 / 60)
    }
}
