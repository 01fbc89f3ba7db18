//! Reads buildx's `--progress=rawjson` stream: pretty-printed, multi-line JSON objects of
//! `BuildKit`'s `SolveStatus` (`vertexes`, `statuses`, `logs` with base64 `data`), mixed with
//! plain text lines (buildx's final `ERROR: …`).

use std::collections::{BTreeMap, VecDeque};

use base64::Engine as _;
use serde::Deserialize;

/// What one chunk of the stream held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// A status object.
    Status(SolveStatus),
    /// A line that is not JSON.
    Text(String),
}

/// The parts of `BuildKit`'s `SolveStatus` that progress and errors need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct SolveStatus {
    #[serde(default)]
    pub vertexes: Vec<Vertex>,
    #[serde(default)]
    pub logs: Vec<VertexLog>,
}

/// A step of the build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Vertex {
    pub digest: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub started: Option<String>,
    #[serde(default)]
    pub completed: Option<String>,
    #[serde(default)]
    pub cached: bool,
    #[serde(default)]
    pub error: String,
}

/// Output a step printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct VertexLog {
    #[serde(default)]
    pub vertex: String,
    #[serde(default)]
    pub data: String,
}

/// An incremental splitter of the stream into [`Item`]s.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    /// Adds bytes and returns the complete items they finish.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<Item> {
        self.buf.extend_from_slice(bytes);
        self.drain(false)
    }

    /// Returns what remains at the end of the stream.
    pub(crate) fn finish(&mut self) -> Vec<Item> {
        self.drain(true)
    }

    fn drain(&mut self, eof: bool) -> Vec<Item> {
        let mut items = Vec::new();
        let mut pos = 0;
        loop {
            while pos < self.buf.len() && self.buf[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos >= self.buf.len() {
                break;
            }
            if self.buf[pos] == b'{' {
                let mut it = serde_json::Deserializer::from_slice(&self.buf[pos..])
                    .into_iter::<SolveStatus>();
                match it.next() {
                    Some(Ok(s)) => {
                        pos += it.byte_offset();
                        items.push(Item::Status(s));
                        continue;
                    }
                    Some(Err(e)) if e.is_eof() && !eof => break,
                    _ => {}
                }
            }
            // A text line.
            match self.buf[pos..].iter().position(|&b| b == b'\n') {
                Some(nl) => {
                    let line = String::from_utf8_lossy(&self.buf[pos..pos + nl]);
                    items.push(Item::Text(line.trim_end_matches('\r').to_string()));
                    pos += nl + 1;
                }
                None if eof => {
                    let line = String::from_utf8_lossy(&self.buf[pos..]);
                    items.push(Item::Text(line.trim_end().to_string()));
                    pos = self.buf.len();
                }
                None => break,
            }
        }
        self.buf.drain(..pos);
        items
    }
}

/// Follows a build's steps: counts for progress, lines for logs, the tail for failures.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    steps: BTreeMap<String, StepState>,
    order: Vec<String>,
    tail: VecDeque<String>,
    errors: Vec<String>,
    texts: Vec<String>,
    partial: BTreeMap<String, String>,
    last_completed: Option<std::time::Instant>,
}

/// Whether a vertex name is a numbered Dockerfile step other than `FROM`.
fn is_step(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('[') else {
        return false;
    };
    let Some((inside, after)) = rest.split_once(']') else {
        return false;
    };
    let last = inside.rsplit(' ').next().unwrap_or("");
    let numbered = last.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && (a.to_string() + b).bytes().all(|c| c.is_ascii_digit())
    });
    numbered && !after.trim_start().starts_with("FROM ")
}

#[derive(Debug, Default, Clone)]
struct StepState {
    name: String,
    started: bool,
    completed: bool,
    cached: bool,
}

const TAIL: usize = 40;

impl Tracker {
    /// Applies one item; returns the log lines it produced (steps starting and ending, and
    /// what steps printed).
    pub(crate) fn apply(&mut self, item: Item) -> Vec<String> {
        let mut lines = Vec::new();
        match item {
            Item::Text(t) => {
                if !t.trim().is_empty() {
                    self.texts.push(t.clone());
                    self.remember(&t);
                    lines.push(t);
                }
            }
            Item::Status(s) => {
                for v in s.vertexes {
                    let known = self.steps.contains_key(&v.digest);
                    if !known {
                        self.order.push(v.digest.clone());
                    }
                    let st = self.steps.entry(v.digest.clone()).or_default();
                    if !v.name.is_empty() {
                        st.name.clone_from(&v.name);
                    }
                    if v.started.is_some() && !st.started {
                        st.started = true;
                        if !v.cached {
                            lines.push(st.name.clone());
                        }
                    }
                    if v.cached && !st.cached {
                        st.cached = true;
                        if !st.completed {
                            lines.push(format!("{} CACHED", st.name));
                        }
                    }
                    if v.completed.is_some() && !st.completed {
                        st.completed = true;
                        self.last_completed = Some(std::time::Instant::now());
                        if !v.error.is_empty() {
                            let msg = format!("{} ERROR: {}", st.name, v.error);
                            self.errors.push(msg.clone());
                            lines.push(msg);
                        } else if !v.cached {
                            lines.push(format!("{} DONE", st.name));
                        }
                    }
                }
                for l in s.logs {
                    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&l.data)
                    else {
                        continue;
                    };
                    let text = String::from_utf8_lossy(&bytes);
                    let buf = self.partial.entry(l.vertex.clone()).or_default();
                    buf.push_str(&text);
                    while let Some(nl) = buf.find('\n') {
                        let line: String = buf.drain(..=nl).collect();
                        let line = line.trim_end().to_string();
                        lines.push(line);
                    }
                }
                for l in &lines {
                    self.remember(l);
                }
            }
        }
        lines
    }

    fn remember(&mut self, line: &str) {
        if self.tail.len() == TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back(line.to_string());
    }

    /// Vertices seen, done, and cached (every vertex, internal ones included).
    #[must_use]
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let total = self.steps.len();
        let done = self.steps.values().filter(|s| s.completed).count();
        let cached = self.steps.values().filter(|s| s.cached).count();
        (total, done, cached)
    }

    /// The build's steps as buildx numbers them (`[2/3] RUN …`, `[stage 1/4] COPY …`),
    /// `FROM` lines left out (resolving an image is not a cacheable step), and how many of them
    /// were `CACHED`.
    #[must_use]
    pub(crate) fn step_counts(&self) -> (usize, usize) {
        let steps = self.steps.values().filter(|s| is_step(&s.name));
        let (mut n, mut cached) = (0, 0);
        for s in steps {
            n += 1;
            if s.cached {
                cached += 1;
            }
        }
        (n, cached)
    }

    /// When the last step completed, if any did.
    #[must_use]
    pub(crate) fn last_completed(&self) -> Option<std::time::Instant> {
        self.last_completed
    }

    /// The most recently started step that has not completed.
    #[must_use]
    pub(crate) fn current(&self) -> Option<String> {
        self.order
            .iter()
            .rev()
            .map(|d| &self.steps[d])
            .find(|s| s.started && !s.completed)
            .map(|s| s.name.clone())
    }

    /// The best one-line reason for a failure: buildx's `ERROR:` line, else a step's error.
    #[must_use]
    pub(crate) fn failure_message(&self) -> Option<String> {
        self.texts
            .iter()
            .rev()
            .find_map(|t| t.strip_prefix("ERROR: ").map(str::to_string))
            .or_else(|| self.errors.last().cloned())
            .or_else(|| self.texts.last().cloned())
    }

    /// The last lines seen.
    #[must_use]
    pub(crate) fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }
}

/// Splits a multi-target run's stream by target: buildx names each vertex `[TARGET …]` when a
/// bake run has several targets. Vertices without a known prefix go to the only target when
/// there is one, else to no target (they still count for the run's failure message).
#[derive(Debug)]
pub(crate) struct RunTracker {
    slot_of: std::collections::HashMap<String, usize>,
    owner: BTreeMap<String, Option<usize>>,
    trackers: Vec<Tracker>,
    run: Tracker,
}

impl RunTracker {
    /// A tracker for a run with `slots` builds whose definition targets are `names`, each
    /// with the slot it reports to (several names may share one, as a build and its copies
    /// do).
    #[must_use]
    pub(crate) fn new(
        names: impl IntoIterator<Item = (String, usize)>,
        slots: usize,
    ) -> RunTracker {
        RunTracker {
            slot_of: names.into_iter().collect(),
            owner: BTreeMap::new(),
            trackers: (0..slots).map(|_| Tracker::default()).collect(),
            run: Tracker::default(),
        }
    }

    /// The slot a vertex name's `[TARGET …]` prefix names, and the name without it.
    fn split_prefix(&self, name: &str) -> Option<(usize, String)> {
        let rest = name.strip_prefix('[')?;
        let end = rest.find([' ', ']'])?;
        let k = *self.slot_of.get(&rest[..end])?;
        let after = &rest[end..];
        let shown = if let Some(inner) = after.strip_prefix(' ') {
            format!("[{inner}")
        } else {
            after[1..].trim_start().to_string()
        };
        Some((k, shown))
    }

    /// Applies one item. Returns, per slot touched, the lines it produced.
    pub(crate) fn apply(&mut self, item: Item) -> Vec<(usize, Vec<String>)> {
        let status = match item {
            Item::Text(t) => {
                self.run.apply(Item::Text(t));
                return Vec::new();
            }
            Item::Status(s) => s,
        };
        let single = (self.trackers.len() == 1).then_some(0);
        let mut parts: BTreeMap<Option<usize>, SolveStatus> = BTreeMap::new();
        for mut v in status.vertexes {
            let slot = match self.split_prefix(&v.name) {
                Some((k, shown)) => {
                    v.name = shown;
                    Some(k)
                }
                None => self.owner.get(&v.digest).copied().flatten().or(single),
            };
            self.owner.insert(v.digest.clone(), slot);
            parts.entry(slot).or_default().vertexes.push(v);
        }
        for l in status.logs {
            let slot = self.owner.get(&l.vertex).copied().flatten().or(single);
            parts.entry(slot).or_default().logs.push(l);
        }
        let mut out = Vec::new();
        for (slot, part) in parts {
            match slot {
                Some(s) if s < self.trackers.len() => {
                    let lines = self.trackers[s].apply(Item::Status(part));
                    out.push((s, lines));
                }
                _ => {
                    self.run.apply(Item::Status(part));
                }
            }
        }
        out
    }

    /// The tracker of a slot.
    #[must_use]
    pub(crate) fn slot(&self, s: usize) -> &Tracker {
        &self.trackers[s]
    }

    /// The run's own lines: buildx's text and vertices of no target.
    #[must_use]
    pub(crate) fn run(&self) -> &Tracker {
        &self.run
    }

    /// The slots buildx reported as failed: the targets its `ERROR: target NAME: …` lines
    /// name, else those with a vertex that failed for a reason other than a cancellation.
    #[must_use]
    pub(crate) fn failed(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for t in &self.run.texts {
            let named = t
                .strip_prefix("ERROR: target ")
                .and_then(|rest| rest.split_once(':'))
                .and_then(|(name, _)| self.slot_of.get(name));
            if let Some(&k) = named {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        if out.is_empty() {
            out = (0..self.trackers.len())
                .filter(|&s| {
                    self.trackers[s]
                        .errors
                        .iter()
                        .any(|e| !e.contains("context canceled") && !e.contains("canceled:"))
                })
                .collect();
        }
        out
    }

    /// Whether buildx printed an `ERROR:` line.
    #[must_use]
    pub(crate) fn has_error_line(&self) -> bool {
        self.run.texts.iter().any(|t| t.starts_with("ERROR: "))
    }

    /// buildx's own error text for the run (its `ERROR:` line), if it printed one.
    #[must_use]
    pub(crate) fn error_text(&self) -> Option<String> {
        self.run.failure_message()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pretty_objects_and_text() {
        let stream = concat!(
            "{\n  \"vertexes\": [\n    {\n      \"digest\": \"sha256:a\",\n      \"name\": \"[1/2] FROM x\",\n",
            "      \"started\": \"2024-01-01T00:00:00Z\"\n    }\n  ]\n}\n",
            "{\n  \"vertexes\": [{\"digest\": \"sha256:a\", \"name\": \"[1/2] FROM x\", \"started\": \"t\", \"completed\": \"t\", \"cached\": true}],\n",
            "  \"logs\": [{\"vertex\": \"sha256:a\", \"data\": \"aGVsbG8K\"}]\n}\n",
            "ERROR: failed to build: boom\n"
        );
        let mut d = Decoder::default();
        let mut items = Vec::new();
        // Feed in awkward chunks.
        for chunk in stream.as_bytes().chunks(7) {
            items.extend(d.push(chunk));
        }
        items.extend(d.finish());
        assert_eq!(items.len(), 3, "{items:?}");
        let mut t = Tracker::default();
        let mut lines = Vec::new();
        for i in items {
            lines.extend(t.apply(i));
        }
        assert_eq!(
            lines,
            vec![
                "[1/2] FROM x",
                "[1/2] FROM x CACHED",
                "hello",
                "ERROR: failed to build: boom"
            ]
        );
        assert_eq!(t.counts(), (1, 1, 1));
        assert_eq!(
            t.failure_message().as_deref(),
            Some("failed to build: boom")
        );
    }
}
