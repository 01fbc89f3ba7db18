//! Putting frames on the terminal: [`Live`] redraws its [`TtyView`] on events and on a
//! ticker thread (so spinners and clocks move while a step prints nothing), at most once per
//! [`FRAME`], each time moving the cursor up over the previous frame and writing the new one
//! in a single write ([`redraw`]). [`Live::finish`] replaces the live frame with the final
//! one, so nothing stale is left above what the caller prints next.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bake_dispatch::Event;

use super::view::TtyView;

/// The shortest time between two frames.
pub(crate) const FRAME: Duration = Duration::from_millis(100);

pub(super) const HIDE_CURSOR: &str = "\x1b[?25l";
pub(super) const SHOW_CURSOR: &str = "\x1b[?25h";

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

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
