//! Showing a build's progress, as `--progress` asks: a live display redrawn in place on a
//! terminal (`tty`), a prefixed line per event worth a line (`plain`), one JSON object per
//! event (`rawjson`), or nothing (`quiet`). [`Progress`] takes the dispatch's events and
//! hands them to the chosen one.
//!
//! The tty display is three stages, one file each: the state every event updates
//! ([`TtyView`], `view.rs`), the frame drawn from that state for a terminal size and a moment
//! (`frame.rs`, pure, so frames can be snapshot-tested), and the terminal it is drawn on
//! ([`Live`], `live.rs`: redraws on events and on a ticker, each frame over the previous
//! one). The line-based modes are in `lines.rs`.

mod frame;
mod lines;
mod live;
mod view;

use std::io::Write;

use bake_core::api::BuildGraph;
use bake_dispatch::Event;

use self::lines::Lines;
use self::live::Live;
use self::view::TtyView;
use crate::{fail, Failure};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Tty,
    Plain,
    Quiet,
    RawJson,
}

/// The mode `--progress` names (`auto`: the tty display on a terminal, else plain lines).
pub(crate) fn progress_mode(value: &str, tty: bool) -> Result<Mode, Failure> {
    Ok(match value {
        "auto" | "" => {
            if tty {
                Mode::Tty
            } else {
                Mode::Plain
            }
        }
        "tty" => Mode::Tty,
        "plain" => Mode::Plain,
        "quiet" | "none" => Mode::Quiet,
        "rawjson" => Mode::RawJson,
        other => {
            return Err(fail(
                format!("invalid progress mode {other:?}"),
                Some("use one of auto, tty, plain, quiet, rawjson".into()),
            ))
        }
    })
}

/// Renders events: one live line per build on a terminal, prefixed lines when plain, JSON
/// lines for `rawjson`, nothing when quiet.
pub(crate) struct Progress {
    mode: Mode,
    lines: Lines,
    live: Option<Live>,
}

impl Progress {
    pub(crate) fn new(mode: Mode, graph: &BuildGraph, color: bool) -> Progress {
        Progress {
            mode,
            lines: Lines::for_graph(graph),
            live: (mode == Mode::Tty).then(|| Live::stderr(TtyView::for_graph(graph, color))),
        }
    }

    pub(crate) fn show(&mut self, ev: &Event, out: &mut dyn Write) {
        match self.mode {
            Mode::Quiet => {}
            Mode::RawJson => {
                let _ = writeln!(out, "{}", self.lines.json(ev));
            }
            Mode::Plain => {
                if let Some(line) = self.lines.plain(ev) {
                    let _ = writeln!(out, "{line}");
                }
            }
            Mode::Tty => {
                if let Some(live) = &self.live {
                    live.event(ev);
                }
            }
        }
    }

    pub(crate) fn finish(&mut self) {
        if let Some(live) = self.live.take() {
            live.finish();
        }
    }
}

#[cfg(test)]
mod tests;
