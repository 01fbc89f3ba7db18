//! The live display of `--progress=tty`: one block per build, redrawn in place.
//!
//! [`TtyView`] is the state. It takes the dispatch's [`Event`]s ([`TtyView::apply`]) and
//! renders a frame for a terminal size and a moment ([`TtyView::frame`]) without doing any
//! I/O, so frames can be snapshot-tested. [`Live`] puts frames on the terminal: it redraws
//! on events and on a ticker thread (so spinners and clocks move while a step prints
//! nothing), at most once per [`FRAME`], each time moving the cursor up over the previous
//! frame and writing the new one in a single write. [`Live::finish`] replaces the live frame
//! with the final one, so nothing stale is left above what the caller prints next.
//!
//! A frame line is one build:
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

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bake_core::BuildGraph;
use bake_dispatch::{Event, StatusKind};
use console::{measure_text_width, truncate_str};

/// Log lines shown under a running build.
const LOG_LINES: usize = 4;
/// The widest `label (project)` column; longer names are cut.
const NAME_WIDTH: usize = 40;
/// The state word column (`cancelled`).
const STATE_WIDTH: usize = 9;
/// The elapsed-time column (`12.3s`, `1m05s`).
const TIME_WIDTH: usize = 5;
/// The shortest time between two frames.
pub(crate) const FRAME: Duration = Duration::from_millis(100);

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
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
struct Build {
    /// `label (project)`, cut to the name column.
    name: String,
    state: State,
    /// Steps done and seen.
    steps: Option<(usize, usize)>,
    current: Option<String>,
    /// The last lines it printed, cleaned.
    logs: VecDeque<String>,
}

impl Build {
    fn running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    fn waiting(&self) -> bool {
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
    builds: Vec<Build>,
    color: bool,
    /// Events seen, to order starts and ends.
    seq: u64,
    /// The width of the name column.
    name_width: usize,
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
fn clock(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 59.95 {
        format!("{s:.1}s")
    } else if d.as_secs() < 3600 {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    } else {
        format!("{}h{:02}m", d.as_secs() / 3600, d.as_secs() % 3600 / 60)
    }
}

/// A line a build printed, made safe to show on one row: what follows its last carriage
/// return (progress bars redraw that way), without escapes or control characters, tabs as
/// spaces.
fn clean(line: &str) -> String {
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

/// The bytes that replace a frame of `previous` lines, drawn with the cursor at the start
/// of the line below it, by `frame`: up over the old frame, each new line over an erased
/// row, then everything below erased (the new frame may be shorter). The cursor ends at the
/// start of the line below the new frame.
pub(crate) fn redraw(previous: usize, frame: &[String]) -> String {
    let mut out = String::new();
    // `ESC[0A` moves up one row in most terminals: no move at all for an empty frame.
    if previous > 0 {
        let _ = write!(out, "\x1b[{previous}A");
    }
    for line in frame {
        out.push_str("\r\x1b[2K");
        out.push_str(line);
        out.push('\n');
    }
    // After a line exactly as wide as the terminal the cursor stays in the last column.
    out.push_str("\r\x1b[J");
    out
}

/// The terminal's size as `(columns, rows)`.
type SizeFn = Box<dyn Fn() -> (usize, usize) + Send>;

/// The size of the terminal on standard error, 80x24 when it has none.
fn stderr_size() -> (usize, usize) {
    console::Term::stderr()
        .size_checked()
        .map_or((80, 24), |(rows, cols)| {
            (usize::from(cols), usize::from(rows))
        })
}

/// What is on the terminal, and the view it shows.
struct Screen {
    view: TtyView,
    out: Box<dyn Write + Send>,
    size: SizeFn,
    /// Lines of the live frame on the terminal, above the cursor.
    drawn: usize,
    /// The frame on the terminal.
    last: Vec<String>,
    last_draw: Option<Instant>,
    cursor_hidden: bool,
}

impl Screen {
    fn due(&self, now: Instant) -> bool {
        self.last_draw
            .is_none_or(|t| now.saturating_duration_since(t) >= FRAME)
    }

    fn draw(&mut self, now: Instant) {
        let (width, height) = (self.size)();
        let frame = self.view.frame(width, height, now);
        self.last_draw = Some(now);
        if frame == self.last {
            return;
        }
        let mut buf = String::new();
        if !self.cursor_hidden {
            buf.push_str(HIDE_CURSOR);
            self.cursor_hidden = true;
        }
        buf.push_str(&redraw(self.drawn, &frame));
        let _ = self.out.write_all(buf.as_bytes());
        let _ = self.out.flush();
        self.drawn = frame.len();
        self.last = frame;
    }

    /// Replaces the live frame by the final one, whole, and shows the cursor again.
    fn finish(&mut self, now: Instant) {
        self.view.close(now);
        let (width, _) = (self.size)();
        let frame = self.view.frame(width, usize::MAX, now);
        let mut buf = redraw(self.drawn, &frame);
        if self.cursor_hidden {
            buf.push_str(SHOW_CURSOR);
            self.cursor_hidden = false;
        }
        let _ = self.out.write_all(buf.as_bytes());
        let _ = self.out.flush();
        self.drawn = 0;
        self.last = frame;
    }
}

struct Shared {
    screen: Mutex<Screen>,
    stop: Mutex<bool>,
    wake: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while drawing leaves the screen usable: keep drawing.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A [`TtyView`] drawn live on a terminal until [`Live::finish`] (or drop).
pub(crate) struct Live {
    shared: Arc<Shared>,
    ticker: Option<JoinHandle<()>>,
    closed: bool,
}

impl Live {
    /// Draws `view` on standard error, sized to its terminal.
    pub(crate) fn stderr(view: TtyView) -> Live {
        Live::start(view, Box::new(std::io::stderr()), Box::new(stderr_size))
    }

    /// Draws `view` on `out`, a terminal whose `(columns, rows)` `size` tells.
    pub(crate) fn start(view: TtyView, out: Box<dyn Write + Send>, size: SizeFn) -> Live {
        let shared = Arc::new(Shared {
            screen: Mutex::new(Screen {
                view,
                out,
                size,
                drawn: 0,
                last: Vec::new(),
                last_draw: None,
                cursor_hidden: false,
            }),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        let ticking = shared.clone();
        // Without a ticker, clocks and spinners would freeze while a step prints nothing.
        let ticker = std::thread::Builder::new()
            .name("bake-progress".into())
            .spawn(move || loop {
                {
                    let stop = lock(&ticking.stop);
                    let (stop, _) = ticking
                        .wake
                        .wait_timeout_while(stop, FRAME / 2, |s| !*s)
                        .unwrap_or_else(PoisonError::into_inner);
                    if *stop {
                        return;
                    }
                }
                let now = Instant::now();
                let mut screen = lock(&ticking.screen);
                if screen.due(now) {
                    screen.draw(now);
                }
            })
            .ok();
        Live {
            shared,
            ticker,
            closed: false,
        }
    }

    /// Takes in an event, redrawing when the last frame is at least [`FRAME`] old.
    pub(crate) fn event(&self, ev: &Event) {
        let now = Instant::now();
        let mut screen = lock(&self.shared.screen);
        screen.view.apply(ev, now);
        if screen.due(now) {
            screen.draw(now);
        }
    }

    /// Stops drawing: erases the live frame, prints the final one (every build, without
    /// log lines) and shows the cursor again.
    pub(crate) fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        lock(&self.shared.screen).finish(Instant::now());
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The builds of the scripted run: two projects, `web` using `app`.
    fn builds() -> Vec<(String, String)> {
        [("base", "proj-a"), ("app", "proj-b"), ("web", "proj-b")]
            .iter()
            .map(|(l, p)| (l.to_string(), p.to_string()))
            .collect()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn progress(node: usize, total: usize, done: usize, current: Option<&str>) -> Event {
        Event::Progress {
            node,
            total,
            done,
            cached: 1,
            current: current.map(str::to_string),
        }
    }

    fn log(node: usize, line: &str) -> Event {
        Event::Log {
            node,
            line: line.to_string(),
        }
    }

    fn finished(node: usize, status: StatusKind, duration: Duration) -> Event {
        Event::Finished {
            node,
            status,
            duration,
        }
    }

    /// The scripted run, as (milliseconds after the start, event).
    fn script() -> Vec<(u64, Event)> {
        vec![
            (0, Event::Queued { node: 0 }),
            (0, Event::Started { node: 0 }),
            (
                100,
                progress(0, 3, 1, Some("[base 2/3] RUN apk add --no-cache curl")),
            ),
            (120, log(0, "[base 2/3] RUN apk add --no-cache curl")),
            (
                180,
                log(0, "fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz"),
            ),
            (1240, progress(0, 3, 3, None)),
            (1240, finished(0, StatusKind::Done, ms(1240))),
            (1300, Event::Queued { node: 1 }),
            (1400, Event::Started { node: 1 }),
            (
                1500,
                progress(
                    1,
                    6,
                    2,
                    Some("[app 3/6] RUN ./configure --prefix=/usr/local --enable-optimizations --with-lto && make -j4 && make install"),
                ),
            ),
            (1500, log(1, "[app 3/6] RUN ./configure --prefix=/usr/local --enable-optimizations")),
            (1900, log(1, "checking for gcc... gcc")),
            (2300, log(1, "checking whether the C compiler works... yes")),
            (2700, log(1, "\x1b[32mconfigure:\x1b[0m creating\tMakefile\r")),
            (
                3100,
                log(1, "编译模块：日本語のテキストを処理しています、한국어 텍스트도 처리 중입니다 (wide characters take two columns each)"),
            ),
            (4100, log(1, "error: C compiler cannot create executables")),
            (4100, finished(1, StatusKind::Failed, ms(2700))),
            (4100, finished(2, StatusKind::Skipped, Duration::ZERO)),
        ]
    }

    /// The frames of the scripted run at a few moments, colour off.
    fn scripted_frames(width: usize) -> String {
        let t0 = Instant::now();
        let mut view = TtyView::new(builds(), false);
        let mut out = String::new();
        let mut events = script().into_iter().peekable();
        for at in [250, 3400, 4200] {
            while let Some((t, ev)) = events.next_if(|(t, _)| *t <= at) {
                view.apply(&ev, t0 + ms(t));
            }
            let frame = view.frame(width, 24, t0 + ms(at));
            for line in &frame {
                let w = measure_text_width(line);
                assert!(w <= width, "{w} columns > {width}: {line:?}");
            }
            let _ = writeln!(out, "--- at {at} ms");
            for line in frame {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn frames_at_100_columns() {
        insta::assert_snapshot!("tty_frames_100_columns", scripted_frames(100));
    }

    #[test]
    fn frames_at_70_columns() {
        insta::assert_snapshot!("tty_frames_70_columns", scripted_frames(70));
    }

    #[test]
    fn running_builds_show_their_last_lines_and_lose_them_when_done() {
        let t0 = Instant::now();
        let mut view = TtyView::new(builds(), false);
        view.apply(&Event::Started { node: 1 }, t0);
        for k in 0..6 {
            view.apply(&log(1, &format!("line {k}")), t0 + ms(k));
        }
        let frame = view.frame(100, 24, t0 + ms(10));
        let logs: Vec<&String> = frame.iter().filter(|l| l.starts_with("    > ")).collect();
        assert_eq!(
            logs,
            [
                "    > line 2",
                "    > line 3",
                "    > line 4",
                "    > line 5"
            ]
        );
        view.apply(&finished(1, StatusKind::Done, ms(20)), t0 + ms(20));
        let frame = view.frame(100, 24, t0 + ms(30));
        assert_eq!(frame.len(), 3, "{frame:#?}");
        assert!(frame.iter().all(|l| !l.contains('>')), "{frame:#?}");
        assert!(frame[1].starts_with("✔ app (proj-b)"), "{frame:#?}");
    }

    #[test]
    fn the_clock_ticks_while_running_and_stops_at_the_end() {
        let t0 = Instant::now();
        let mut view = TtyView::new(builds(), false);
        view.apply(&Event::Started { node: 0 }, t0);
        assert!(view.frame(80, 24, t0 + ms(1500))[0].contains(" 1.5s"));
        assert!(view.frame(80, 24, t0 + ms(65_000))[0].contains(" 1m05s"));
        view.apply(&finished(0, StatusKind::Done, ms(2000)), t0 + ms(2000));
        assert!(view.frame(80, 24, t0 + ms(9000))[0].contains(" 2.0s"));
        assert_eq!(clock(Duration::from_secs(2 * 3600 + 3 * 60 + 4)), "2h03m");
    }

    #[test]
    fn a_frame_taller_than_the_terminal_keeps_running_builds() {
        let t0 = Instant::now();
        let names: Vec<(String, String)> = (0..12)
            .map(|i| (format!("t{i:02}"), "proj".to_string()))
            .collect();
        let mut view = TtyView::new(names, false);
        let mut t = 0;
        let mut at = |view: &mut TtyView, ev: Event| {
            t += 10;
            view.apply(&ev, t0 + ms(t));
        };
        for i in 0..6 {
            at(&mut view, Event::Started { node: i });
            at(&mut view, finished(i, StatusKind::Done, ms(5)));
        }
        at(&mut view, Event::Started { node: 6 });
        at(&mut view, finished(6, StatusKind::Failed, ms(5)));
        for i in [7, 8] {
            at(&mut view, Event::Started { node: i });
            for k in 0..4 {
                at(&mut view, log(i, &format!("t{i:02} line {k}")));
            }
        }
        at(&mut view, Event::Queued { node: 9 });

        // 12 headers and 8 log lines do not fit 10 rows: 9 lines at most.
        let frame = view.frame(70, 10, t0 + ms(1000));
        insta::assert_snapshot!("tty_frame_10_rows", frame.join("\n"));
        assert!(frame.len() <= 9, "{frame:#?}");
        assert_eq!(frame[0], "… 9 more builds (6 done, 3 waiting)");
        assert!(frame.iter().any(|l| l.starts_with("✘ t06")), "{frame:#?}");
        for i in [7, 8] {
            let head = format!("t{i:02} (proj)");
            assert!(frame.iter().any(|l| l.contains(&head)), "{frame:#?}");
        }

        // Fewer rows: log lines go, then the failure, then the latest started build.
        let frame = view.frame(70, 4, t0 + ms(1000));
        assert_eq!(frame.len(), 3, "{frame:#?}");
        assert_eq!(
            frame[0], "… 10 more builds (1 failed, 6 done, 3 waiting)",
            "{frame:#?}"
        );
        assert!(frame[1].contains("t07 (proj)") && frame[2].contains("t08 (proj)"));

        let frame = view.frame(70, 2, t0 + ms(1000));
        assert_eq!(
            frame,
            ["… 12 more builds (2 running, 1 failed, 6 done, 3 waiting)"]
        );
    }

    #[test]
    fn colours_only_add_escapes() {
        let t0 = Instant::now();
        let mut plain = TtyView::new(builds(), false);
        let mut colored = TtyView::new(builds(), true);
        for (t, ev) in script().into_iter().take(13) {
            plain.apply(&ev, t0 + ms(t));
            colored.apply(&ev, t0 + ms(t));
        }
        for width in [100, 70, 30] {
            let p = plain.frame(width, 24, t0 + ms(3000));
            let c = colored.frame(width, 24, t0 + ms(3000));
            assert_ne!(p, c);
            let stripped: Vec<String> = c
                .iter()
                .map(|l| console::strip_ansi_codes(l).into_owned())
                .collect();
            assert_eq!(stripped, p);
            for l in &c {
                assert!(measure_text_width(l) <= width, "{l:?}");
                // Every colour is reset, even on a cut line.
                assert_eq!(
                    2 * l.matches("\x1b[0m").count(),
                    l.matches("\x1b[").count(),
                    "{l:?}"
                );
            }
        }
    }

    #[test]
    fn log_lines_are_cleaned() {
        assert_eq!(clean("a\tb"), "a    b");
        assert_eq!(clean("10%\r50%\r100%\r"), "100%");
        assert_eq!(clean("\x1b[1;31mred\x1b[0m text\x07  "), "red text");
        assert_eq!(clean("\r\n"), "");
    }

    #[test]
    fn late_and_unknown_events_change_nothing() {
        let t0 = Instant::now();
        let mut view = TtyView::new(builds(), false);
        view.apply(&finished(0, StatusKind::Cancelled, Duration::ZERO), t0);
        let before = view.frame(80, 24, t0);
        view.apply(&log(0, "late"), t0 + ms(1));
        view.apply(&progress(0, 2, 1, Some("late")), t0 + ms(1));
        view.apply(&Event::Started { node: 99 }, t0 + ms(1));
        assert_eq!(view.frame(80, 24, t0), before);
        assert_eq!(before[0], "- base (proj-a)  cancelled");
    }

    /// A terminal of `width` x `height` that keeps what scrolls off the top, understanding
    /// the sequences the display writes. It fails on a line wider than the terminal and on
    /// a cursor-up past the top of the screen (which cannot reach a line that scrolled off).
    struct Term {
        width: usize,
        height: usize,
        rows: Vec<Vec<char>>,
        row: usize,
        col: usize,
        cursor_visible: bool,
    }

    impl Term {
        fn new(width: usize, height: usize) -> Term {
            Term {
                width,
                height,
                rows: vec![Vec::new()],
                row: 0,
                col: 0,
                cursor_visible: true,
            }
        }

        fn feed(&mut self, s: &str) {
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\x1b' => {
                        assert_eq!(chars.next(), Some('['));
                        let mut params = String::new();
                        let end = loop {
                            let c = chars.next().expect("an unfinished escape");
                            if ('@'..='~').contains(&c) {
                                break c;
                            }
                            params.push(c);
                        };
                        self.csi(&params, end);
                    }
                    '\n' => {
                        self.row += 1;
                        if self.row == self.rows.len() {
                            self.rows.push(Vec::new());
                        }
                    }
                    '\r' => self.col = 0,
                    c => {
                        let w = measure_text_width(&c.to_string());
                        assert!(self.col + w <= self.width, "a line wraps at {c:?}");
                        // A wide character fills a second cell, kept as '\0'.
                        let line = &mut self.rows[self.row];
                        if line.len() < self.col + w {
                            line.resize(self.col + w, ' ');
                        }
                        line[self.col] = c;
                        for cell in &mut line[self.col + 1..self.col + w] {
                            *cell = '\0';
                        }
                        self.col += w;
                    }
                }
            }
        }

        fn csi(&mut self, params: &str, end: char) {
            match (params, end) {
                ("?25", 'l') => self.cursor_visible = false,
                ("?25", 'h') => self.cursor_visible = true,
                (n, 'A') => {
                    let n: usize = n.parse().expect("a count");
                    let top = self.rows.len().saturating_sub(self.height);
                    assert!(self.row >= top + n, "cursor-up past the top of the screen");
                    self.row -= n;
                }
                ("2", 'K') => self.rows[self.row].clear(),
                ("", 'J') => {
                    self.rows[self.row].truncate(self.col);
                    self.rows.truncate(self.row + 1);
                }
                (_, 'm') => {}
                other => panic!("unexpected sequence {other:?}"),
            }
        }

        /// Every line, scrolled off or not, the cursor's (empty) line excluded.
        fn lines(&self) -> Vec<String> {
            let mut v: Vec<String> = self
                .rows
                .iter()
                .map(|r| r.iter().filter(|c| **c != '\0').collect())
                .collect();
            assert_eq!(self.row + 1, v.len(), "the cursor is on the last line");
            assert_eq!(v.pop().as_deref(), Some(""), "the cursor's line is empty");
            v
        }
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_redraw_erases_exactly_the_previous_frame() {
        let first = lines(&["a1", "a2 is longer", "a3", "a4", "a5"]);
        let second = lines(&["b1", "b2"]);
        let third = lines(&["c1", "c2", "c3", "c4", "c5", "c6"]);

        // Up over as many rows as the previous frame had, one erased row per new line.
        let bytes = redraw(first.len(), &second);
        assert_eq!(bytes, "\x1b[5A\r\x1b[2Kb1\n\r\x1b[2Kb2\n\r\x1b[J");
        assert!(
            !redraw(0, &first).contains("A"),
            "no cursor-up for the first frame"
        );

        let mut term = Term::new(20, 10);
        term.feed("earlier output\n");
        let mut previous = 0;
        for frame in [&first, &second, &third, &second] {
            term.feed(&redraw(previous, frame));
            previous = frame.len();
            let mut want = lines(&["earlier output"]);
            want.extend(frame.iter().cloned());
            assert_eq!(term.lines(), want);
        }
    }

    #[test]
    fn frames_fit_and_are_erased_on_a_small_terminal() {
        let t0 = Instant::now();
        let names: Vec<(String, String)> = (0..30)
            .map(|i| (format!("target-{i}"), "p".to_string()))
            .collect();
        let mut view = TtyView::new(names, false);
        let mut term = Term::new(40, 8);
        term.feed("earlier output\n");
        let mut previous = 0;
        for i in 0..30 {
            let now = t0 + ms(10 * i as u64);
            view.apply(&Event::Started { node: i }, now);
            view.apply(
                &log(i, "a long line of output that is cut at the width"),
                now,
            );
            if i >= 3 {
                view.apply(&finished(i - 3, StatusKind::Done, ms(30)), now);
            }
            let frame = view.frame(40, 8, now);
            assert!(frame.len() < 8, "{frame:#?}");
            term.feed(&redraw(previous, &frame));
            previous = frame.len();
            let shown = term.lines();
            assert_eq!(&shown[shown.len() - frame.len()..], &frame[..]);
        }
    }

    /// A writer the test can read after the display is done with it.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Capture {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).expect("UTF-8 output")
        }
    }

    #[test]
    fn finish_leaves_only_the_final_frame() {
        let out = Capture::default();
        let live = Live::start(
            TtyView::new(builds(), false),
            Box::new(out.clone()),
            Box::new(|| (70, 24)),
        );
        for (_, ev) in script().into_iter().take(13) {
            live.event(&ev);
        }
        // Let the ticker draw at least once more.
        std::thread::sleep(FRAME * 2);
        live.event(&finished(1, StatusKind::Failed, ms(2700)));
        live.event(&finished(2, StatusKind::Skipped, Duration::ZERO));
        live.finish();

        let text = out.text();
        assert!(text.starts_with(HIDE_CURSOR), "{text:?}");
        assert!(text.ends_with(SHOW_CURSOR), "{text:?}");
        assert!(text.contains("> checking"), "a live frame showed the logs");
        let mut term = Term::new(70, 24);
        term.feed("earlier output\n");
        term.feed(&text);
        assert!(term.cursor_visible);
        assert_eq!(
            term.lines(),
            [
                "earlier output",
                "✔ base (proj-a)  done       1.2s",
                "✘ app (proj-b)   failed     2.7s",
                "- web (proj-b)   skipped",
            ]
        );
    }

    #[test]
    fn dropping_the_display_cancels_what_runs_and_restores_the_cursor() {
        let out = Capture::default();
        let live = Live::start(
            TtyView::new(builds(), false),
            Box::new(out.clone()),
            Box::new(|| (70, 24)),
        );
        live.event(&Event::Started { node: 0 });
        live.event(&log(0, "working"));
        drop(live);

        let mut term = Term::new(70, 24);
        term.feed(&out.text());
        assert!(term.cursor_visible);
        let shown = term.lines();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(
            shown[0].starts_with("- base (proj-a)  cancelled"),
            "{shown:#?}"
        );
        assert_eq!(shown[1], "- app (proj-b)   cancelled");
    }
}
