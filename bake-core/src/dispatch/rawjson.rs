//! Reads buildx's `--progress=rawjson` stream: pretty-printed, multi-line JSON objects of
//! BuildKit's `SolveStatus` (`vertexes`, `statuses`, `logs` with base64 `data`), mixed with
//! plain text lines (buildx's final `ERROR: …`).

use std::collections::{BTreeMap, VecDeque};

use base64::Engine as _;
use serde::Deserialize;

/// What one chunk of the stream held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A status object.
    Status(SolveStatus),
    /// A line that is not JSON.
    Text(String),
}

/// The parts of BuildKit's `SolveStatus` that progress and errors need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SolveStatus {
    #[serde(default)]
    pub vertexes: Vec<Vertex>,
    #[serde(default)]
    pub logs: Vec<VertexLog>,
}

/// A step of the build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Vertex {
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
pub struct VertexLog {
    #[serde(default)]
    pub vertex: String,
    #[serde(default)]
    pub data: String,
}

/// An incremental splitter of the stream into [`Item`]s.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    /// Adds bytes and returns the complete items they finish.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Item> {
        self.buf.extend_from_slice(bytes);
        self.drain(false)
    }

    /// Returns what remains at the end of the stream.
    pub fn finish(&mut self) -> Vec<Item> {
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
pub struct Tracker {
    steps: BTreeMap<String, StepState>,
    order: Vec<String>,
    tail: VecDeque<String>,
    errors: Vec<String>,
    texts: Vec<String>,
    partial: BTreeMap<String, String>,
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
    pub fn apply(&mut self, item: Item) -> Vec<String> {
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

    /// Steps seen, done, and cached.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let total = self.steps.len();
        let done = self.steps.values().filter(|s| s.completed).count();
        let cached = self.steps.values().filter(|s| s.cached).count();
        (total, done, cached)
    }

    /// The most recently started step that has not completed.
    #[must_use]
    pub fn current(&self) -> Option<String> {
        self.order
            .iter()
            .rev()
            .map(|d| &self.steps[d])
            .find(|s| s.started && !s.completed)
            .map(|s| s.name.clone())
    }

    /// The best one-line reason for a failure: buildx's `ERROR:` line, else a step's error.
    #[must_use]
    pub fn failure_message(&self) -> Option<String> {
        self.texts
            .iter()
            .rev()
            .find_map(|t| t.strip_prefix("ERROR: ").map(str::to_string))
            .or_else(|| self.errors.last().cloned())
            .or_else(|| self.texts.last().cloned())
    }

    /// The last lines seen.
    #[must_use]
    pub fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
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
