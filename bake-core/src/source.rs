//! Sources and spans: every file the user gave us, owned once, and origins that point into them.

use std::sync::Arc;

/// Index of a source in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourceId(pub u32);

/// One input file: its display name (as the user wrote it) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name as given (`docker-bake.hcl`, `-` for stdin, `sub/x.json`).
    pub name: String,
    /// The file's text.
    pub text: Arc<str>,
}

/// All sources of one invocation.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    /// Adds a source and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let id = SourceId(u32::try_from(self.sources.len()).unwrap_or(u32::MAX));
        self.sources.push(Source {
            name: name.into(),
            text: text.into(),
        });
        id
    }

    /// The source with this id.
    #[must_use]
    pub fn get(&self, id: SourceId) -> &Source {
        &self.sources[id.0 as usize]
    }

    /// Every source, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| (SourceId(i as u32), s))
    }
}

/// A byte range in a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The source the range is in.
    pub source: SourceId,
    /// The offset of the first byte.
    pub start: u32,
    /// The offset just past the last byte (exclusive).
    pub end: u32,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written in a file at this span.
    File(Span),
    /// From the environment variable of this name.
    Env(String),
    /// From a `--set` flag (its full text).
    Set(String),
    /// From a command-line flag (`--load`, `--push`, ...).
    Flag(String),
    /// Inherited from the named target.
    Inherited(String),
    /// A built-in default.
    Default,
}
