//! Tests of the tty display: its state, its frames (snapshots of a scripted run) and what
//! it writes to a terminal (checked on a small terminal emulator).

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bake_dispatch::{Event, StatusKind};
use console::measure_text_width;

use super::frame::clock;
use super::live::{lock, redraw, Live, FRAME, HIDE_CURSOR, SHOW_CURSOR};
use super::view::{clean, TtyView};

/// Asserts the snapshot `name`, kept in `src/snapshots/` where these tests were before the
/// display was split into files (insta looks beside the test's own file otherwise).
fn assert_snapshot(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| insta::assert_snapshot!(name, value));
}

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
    assert_snapshot("tty_frames_100_columns", &scripted_frames(100));
}

#[test]
fn frames_at_70_columns() {
    assert_snapshot("tty_frames_70_columns", &scripted_frames(70));
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
    assert_snapshot("tty_frame_10_rows", &frame.join("\n"));
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
    v.iter().map(std::string::ToString::to_string).collect()
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
        !redraw(0, &first).contains('A'),
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
