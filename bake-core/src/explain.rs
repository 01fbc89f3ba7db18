//! `bake --explain`: for each field of a resolved target, its value and the chain that
//! produced it — where it was written, the `inherits` steps it passed through, the variables
//! and matrix values it used (and where those came from), files that overrode earlier ones,
//! `--set` flags, and Compose interpolation.
//!
//! Frontends contribute facts ([`Facts`]); this module only reads them.

use std::collections::BTreeMap;

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::Config;
use crate::resolve::{Resolved, Target};
use crate::source::{Origin, SourceMap, Span};

/// A span as a sortable key: `(source, start, end)`.
pub type SpanKey = (u32, u32, u32);

/// The key of `span`.
#[must_use]
pub fn span_key(span: Span) -> SpanKey {
    (span.source.0, span.start, span.end)
}

/// What an expression referred to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExprRefs {
    /// Variables it used, in order of first use.
    pub variables: Vec<String>,
    /// Matrix values it used: name and value.
    pub matrix: Vec<(String, String)>,
}

/// A variable's final value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableFact {
    /// The value as `--list=variables` shows it (`None` for null).
    pub value: Option<String>,
    /// Its origin: the default's span, an environment variable, `--var`, or nothing.
    pub origin: Origin,
}

/// One Compose interpolation: the template as written and the variables it looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolation {
    /// The span of the field it fed (the same span as the field's origin).
    pub span: Span,
    /// The text before interpolation (`${TAG:-latest}`).
    pub template: String,
    /// Each variable looked up: its name and value (`None` when unset).
    pub lookups: Vec<(String, Option<String>)>,
}

/// What the frontends know beyond the model.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// What each recorded expression referred to, by the name of the target it is in (empty
    /// for variable defaults) and its span.
    pub refs: BTreeMap<String, BTreeMap<SpanKey, ExprRefs>>,
    /// Every variable.
    pub variables: BTreeMap<String, VariableFact>,
    /// Compose interpolations.
    pub interpolations: Vec<Interpolation>,
}

/// A place in a file, with the line shown as a diagnostic shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The text of the line.
    pub source_line: String,
    /// How many characters the caret covers on that line.
    pub width: usize,
}

/// Line starts of every source, so finding a line is a binary search.
pub struct Lines<'s> {
    sources: &'s SourceMap,
    starts: BTreeMap<u32, Vec<usize>>,
}

impl<'s> Lines<'s> {
    /// Indexes the lines of every source of `sources`.
    #[must_use]
    pub fn new(sources: &'s SourceMap) -> Self {
        let starts = sources
            .iter()
            .map(|(id, src)| {
                let mut v = vec![0];
                v.extend(src.text.match_indices('\n').map(|(i, _)| i + 1));
                (id.0, v)
            })
            .collect();
        Lines { sources, starts }
    }
}

impl Place {
    /// The place of `span`, `None` when the span is outside its source.
    #[must_use]
    pub fn of(sources: &SourceMap, span: Span) -> Option<Place> {
        Self::at(&Lines::new(sources), span)
    }

    /// [`Place::of`] with the lines already indexed.
    #[must_use]
    pub fn at(lines: &Lines<'_>, span: Span) -> Option<Place> {
        let src = lines.sources.iter().find(|(id, _)| *id == span.source)?.1;
        let text: &str = &src.text;
        let start = (span.start as usize).min(text.len());
        let end = (span.end as usize).clamp(start, text.len());
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return None;
        }
        let starts = lines.starts.get(&span.source.0)?;
        let line0 = starts.partition_point(|&s| s <= start).saturating_sub(1);
        let line_start = starts[line0];
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = line0 + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end)].chars().count().max(1);
        Some(Place {
            file: src.name.clone(),
            line,
            column,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width,
        })
    }

    fn short(&self) -> String {
        let mut s = String::with_capacity(self.file.len() + 12);
        self.push_short(&mut s);
        s
    }

    fn push_short(&self, out: &mut String) {
        out.push_str(&self.file);
        let _ = write!(out, ":{}:{}", self.line, self.column);
    }
}

/// One step of a value's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// The expression that set it.
    Written {
        /// Where.
        at: Place,
        /// The target block it is in.
        target: String,
    },
    /// It came through `inherits`: `via` is the chain from the explained target to the one
    /// that wrote it.
    Inherited {
        /// Target names, the explained one first.
        via: Vec<String>,
    },
    /// A later file's value replaced this earlier one.
    Overrode {
        /// The earlier place.
        earlier: Place,
    },
    /// A variable the expression used.
    Variable {
        /// Its name.
        name: String,
        /// Its value (`None` for null).
        value: Option<String>,
        /// Where that value came from.
        from: VariableSource,
        /// The variable whose default used it, when it was not used directly.
        #[serde(skip_serializing_if = "Option::is_none")]
        through: Option<String>,
    },
    /// A matrix value the expression used.
    Matrix {
        /// The matrix variable.
        name: String,
        /// Its value in this cell.
        value: String,
    },
    /// A Compose interpolation in the value.
    Interpolated {
        /// The template as written.
        template: String,
        /// The variable looked up.
        variable: String,
        /// Its value, `None` when unset (then the template's default or an empty string
        /// applied).
        value: Option<String>,
    },
    /// A `--set` flag (or a flag that is one: `--load`, `--push`, ...).
    Set {
        /// The override as given.
        flag: String,
    },
    /// Nothing set it: the default.
    Default,
}

/// Where a variable's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VariableSource {
    /// Its `default` in a file.
    Default {
        /// Where.
        at: Place,
    },
    /// An environment variable.
    Environment {
        /// Its name.
        name: String,
    },
    /// A `--var` flag.
    VarFlag {
        /// The flag.
        flag: String,
    },
    /// No default and no override: empty or null.
    Unset,
}

/// One field explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldExplain {
    /// The value as `--print` shows it.
    pub value: serde_json::Value,
    /// How it got there, the final setter first.
    pub origin: Vec<Step>,
}

/// The fields a target has, as `--print` names them.
pub const FIELDS: [&str; 29] = [
    "description",
    "annotations",
    "attest",
    "context",
    "contexts",
    "dockerfile",
    "dockerfile-inline",
    "args",
    "labels",
    "tags",
    "cache-from",
    "cache-to",
    "target",
    "secret",
    "ssh",
    "platforms",
    "output",
    "pull",
    "no-cache",
    "network",
    "no-cache-filter",
    "shm-size",
    "ulimits",
    "resources",
    "call",
    "entitlements",
    "extra-hosts",
    "policy",
    "project_id",
];

/// Every requested target's fields, explained.
pub type Explained = BTreeMap<String, BTreeMap<String, FieldExplain>>;

/// Explains the fields of the targets of `resolved` (all of them, or the `only` ones:
/// target name and optional field).
#[must_use]
pub fn explain(
    resolved: &Resolved,
    config: &Config,
    sources: &SourceMap,
    facts: &Facts,
    only: &[(String, Option<String>)],
) -> Explained {
    let mut out = Explained::new();
    Explainer::new(config, sources, facts).each(resolved, only, |name, fields| {
        out.insert(name.to_string(), fields);
    });
    out
}

/// [`explain`] rendered as text ([`render_text`]), one target at a time so that memory stays
/// small on large files.
#[must_use]
pub fn explain_text(
    resolved: &Resolved,
    config: &Config,
    sources: &SourceMap,
    facts: &Facts,
    only: &[(String, Option<String>)],
) -> String {
    let mut out = String::with_capacity(2048 * resolved.targets.len().min(1 << 16));
    Explainer::new(config, sources, facts).each(resolved, only, |name, fields| {
        render_target_text(&mut out, name, &fields);
    });
    out
}

/// [`explain`] rendered as JSON ([`render_json`]), one target at a time.
#[must_use]
pub fn explain_json(
    resolved: &Resolved,
    config: &Config,
    sources: &SourceMap,
    facts: &Facts,
    only: &[(String, Option<String>)],
) -> String {
    use serde::ser::{SerializeMap, Serializer};
    let ex = Explainer::new(config, sources, facts);
    let mut buf: Vec<u8> = Vec::with_capacity(4096 * resolved.targets.len().min(1 << 16));
    let mut ser = serde_json::Serializer::pretty(&mut buf);
    let written = (|| -> Result<(), serde_json::Error> {
        let mut map = ser.serialize_map(None)?;
        let mut failed = None;
        ex.each(resolved, only, |name, fields| {
            if failed.is_none() {
                failed = map.serialize_entry(name, &fields).err();
            }
        });
        match failed {
            Some(e) => Err(e),
            None => map.end(),
        }
    })();
    if written.is_err() {
        return "{}\n".into();
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_else(|_| "{}\n".into())
}

/// What explaining needs, built once: the definitions by name and the lines of the sources.
struct Explainer<'a> {
    index: Index<'a>,
    lines: Lines<'a>,
    facts: &'a Facts,
}

impl<'a> Explainer<'a> {
    fn new(config: &'a Config, sources: &'a SourceMap, facts: &'a Facts) -> Self {
        Explainer {
            index: Index::new(config),
            lines: Lines::new(sources),
            facts,
        }
    }

    /// Calls `f` with each target of `resolved` that `only` keeps and its explained fields,
    /// one target at a time (nothing is kept between calls).
    fn each(
        &self,
        resolved: &Resolved,
        only: &[(String, Option<String>)],
        mut f: impl FnMut(&str, BTreeMap<String, FieldExplain>),
    ) {
        for (name, t) in &resolved.targets {
            if let Some(fields) = self.target(name, t, only) {
                f(name, fields);
            }
        }
    }

    /// The explained fields of target `name`, or `None` when `only` leaves it out.
    fn target(
        &self,
        name: &str,
        t: &Target,
        only: &[(String, Option<String>)],
    ) -> Option<BTreeMap<String, FieldExplain>> {
        let fields: Option<Vec<&str>> = if only.is_empty() {
            None
        } else {
            let mine: Vec<&(String, Option<String>)> =
                only.iter().filter(|(n, _)| n == name).collect();
            if mine.is_empty() {
                return None;
            }
            if mine.iter().any(|(_, f)| f.is_none()) {
                None
            } else {
                Some(mine.iter().filter_map(|(_, f)| f.as_deref()).collect())
            }
        };
        let mut obj = print_object(t);
        let mut out = BTreeMap::new();
        let mut add = |key: String, value: serde_json::Value| {
            if FIELDS.contains(&key.as_str()) {
                let origin = history(name, &key, t, &self.index, &self.lines, self.facts);
                out.insert(key, FieldExplain { value, origin });
            }
        };
        match &fields {
            Some(fs) => {
                for f in fs {
                    let value = obj.remove(*f).unwrap_or(serde_json::Value::Null);
                    add((*f).to_string(), value);
                }
            }
            None => {
                for (key, value) in obj {
                    add(key, value);
                }
            }
        }
        Some(out)
    }
}

/// The target's `--print` object as JSON (without `context`/`dockerfile` defaults dropped:
/// exactly what `--print` shows).
fn print_object(t: &Target) -> serde_json::Map<String, serde_json::Value> {
    match t.to_json().into_serde() {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// The print keys a field may have been recorded under (`cache-from` is `cache-from` in HCL
/// and `cache_from` nowhere; both spellings are tried).
fn origin_of<'a>(t: &'a Target, key: &str) -> Option<&'a Origin> {
    t.origins
        .get(key)
        .or_else(|| t.origins.get(key.replace('_', "-").as_str()))
        .or_else(|| t.origins.get(key.replace('-', "_").as_str()))
}

/// The definitions by name, and which definition wrote each (field, span): built once so
/// explaining every target stays linear.
struct Index<'c> {
    by_name: BTreeMap<&'c str, Vec<&'c crate::model::TargetDef>>,
    // Lookups only (never iterated), so a hash map does not make output order depend on it.
    writers: std::collections::HashMap<(SpanKey, &'static str), Vec<&'c str>>,
}

impl<'c> Index<'c> {
    fn new(config: &'c Config) -> Self {
        let mut by_name: BTreeMap<&str, Vec<&crate::model::TargetDef>> = BTreeMap::new();
        let mut writers: std::collections::HashMap<(SpanKey, &'static str), Vec<&str>> =
            std::collections::HashMap::new();
        for d in &config.targets {
            by_name.entry(d.name.as_str()).or_default().push(d);
            for (k, o) in &d.origins {
                if let Origin::File(span) = o {
                    writers
                        .entry((span_key(*span), *k))
                        .or_default()
                        .push(d.name.as_str());
                }
            }
        }
        Index { by_name, writers }
    }

    fn defs(&self, name: &str) -> &[&'c crate::model::TargetDef] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The block that wrote `key` at `span`: `name` itself when it did (matrix cells share
    /// spans), else the first that did.
    fn writer(&self, name: &str, key: &str, span: Span) -> Option<&'c str> {
        let k = span_key(span);
        let static_key = |want: &str| FIELDS.iter().copied().find(|f| *f == want);
        let ws = static_key(key)
            .and_then(|sk| self.writers.get(&(k, sk)))
            .or_else(|| {
                let dashed = key.replace('_', "-");
                static_key(&dashed).and_then(|sk| self.writers.get(&(k, sk)))
            })?;
        ws.iter()
            .find(|w| **w == name)
            .or_else(|| ws.first())
            .copied()
    }
}

fn history(
    name: &str,
    key: &str,
    t: &Target,
    index: &Index<'_>,
    lines: &Lines<'_>,
    facts: &Facts,
) -> Vec<Step> {
    let mut steps = Vec::new();
    match origin_of(t, key) {
        None | Some(Origin::Default) => steps.push(Step::Default),
        Some(Origin::Set(flag) | Origin::Flag(flag)) => {
            steps.push(Step::Set { flag: flag.clone() });
            // The file value it replaced, if any.
            for d in index.defs(name) {
                if let Some(Origin::File(span)) = d.origins.get(key) {
                    if let Some(earlier) = Place::at(lines, *span) {
                        steps.push(Step::Overrode { earlier });
                    }
                }
            }
        }
        Some(Origin::Env(v)) => steps.push(Step::Variable {
            name: v.clone(),
            value: None,
            from: VariableSource::Environment { name: v.clone() },
            through: None,
        }),
        Some(Origin::Inherited(from)) => steps.push(Step::Inherited {
            via: vec![name.to_string(), from.clone()],
        }),
        Some(Origin::File(span)) => {
            let span = *span;
            // The block that wrote it: a definition whose origin for this key is this span.
            let writer = index
                .writer(name, key, span)
                .map_or_else(|| name.to_string(), str::to_string);
            if let Some(at) = Place::at(lines, span) {
                steps.push(Step::Written {
                    at,
                    target: writer.clone(),
                });
            }
            if writer != name {
                if let Some(via) = inherit_path(index, name, &writer) {
                    steps.push(Step::Inherited { via });
                }
            }
            // Earlier definitions of the same block that this one replaced.
            for d in index.defs(&writer) {
                if let Some(Origin::File(other)) = d.origins.get(key) {
                    if *other != span {
                        if let Some(earlier) = Place::at(lines, *other) {
                            steps.push(Step::Overrode { earlier });
                        }
                    }
                }
            }
            expr_steps(&writer, span, facts, lines, &mut steps, None);
            for i in &facts.interpolations {
                // Compose records interpolations at the span of the field they fed.
                if i.span == span {
                    for (variable, value) in &i.lookups {
                        steps.push(Step::Interpolated {
                            template: i.template.clone(),
                            variable: variable.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
        }
    }
    steps
}

/// The variables and matrix values the expression at `span` used, following variables whose
/// defaults use other variables.
fn expr_steps(
    block: &str,
    span: Span,
    facts: &Facts,
    lines: &Lines<'_>,
    steps: &mut Vec<Step>,
    through: Option<&str>,
) {
    let Some(refs) = facts.refs.get(block).and_then(|m| m.get(&span_key(span))) else {
        return;
    };
    for (name, value) in &refs.matrix {
        steps.push(Step::Matrix {
            name: name.clone(),
            value: value.clone(),
        });
    }
    for v in &refs.variables {
        if steps
            .iter()
            .any(|s| matches!(s, Step::Variable { name, .. } if name == v))
        {
            continue;
        }
        let Some(fact) = facts.variables.get(v) else {
            continue;
        };
        let from = match &fact.origin {
            Origin::File(s) => match Place::at(lines, *s) {
                Some(at) => VariableSource::Default { at },
                None => VariableSource::Unset,
            },
            Origin::Env(e) => VariableSource::Environment { name: e.clone() },
            Origin::Set(f) | Origin::Flag(f) => VariableSource::VarFlag { flag: f.clone() },
            Origin::Inherited(_) | Origin::Default => VariableSource::Unset,
        };
        steps.push(Step::Variable {
            name: v.clone(),
            value: fact.value.clone(),
            from,
            through: through.map(str::to_string),
        });
        // A variable whose default uses others: those, too (each once, so cycles end).
        if let Origin::File(s) = &fact.origin {
            expr_steps("", *s, facts, lines, steps, Some(v));
        }
    }
}

/// The chain of `inherits` from `from` to `to` (both included), breadth first.
fn inherit_path(index: &Index<'_>, from: &str, to: &str) -> Option<Vec<String>> {
    // Breadth first over borrowed names; each reached name remembers where it came from.
    let mut came_from: BTreeMap<&str, Option<&str>> = BTreeMap::from([(from, None)]);
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            let mut path = vec![n.to_string()];
            let mut cur = n;
            while let Some(Some(prev)) = came_from.get(cur) {
                path.push((*prev).to_string());
                cur = prev;
            }
            path.reverse();
            return Some(path);
        }
        for d in index.defs(n) {
            for p in d.inherits.iter().flatten() {
                if !came_from.contains_key(p.as_str()) {
                    came_from.insert(p.as_str(), Some(n));
                    queue.push_back(p.as_str());
                }
            }
        }
    }
    None
}

fn caret_block(out: &mut String, at: &Place, indent: &str) {
    // Plain pushes: this runs for every field of every target.
    let num = at.line.to_string();
    let pad = |out: &mut String| out.extend(std::iter::repeat_n(' ', num.len()));
    out.push_str(indent);
    pad(out);
    out.push_str(" |\n");
    out.push_str(indent);
    out.push_str(&num);
    out.push_str(" | ");
    out.push_str(&at.source_line);
    out.push('\n');
    out.push_str(indent);
    pad(out);
    out.push_str(" | ");
    out.extend(
        at.source_line
            .chars()
            .take(at.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' }),
    );
    out.extend(std::iter::repeat_n('^', at.width));
    out.push('\n');
}

/// `--explain` as text.
#[must_use]
pub fn render_text(e: &Explained) -> String {
    let mut out = String::new();
    for (target, fields) in e {
        render_target_text(&mut out, target, fields);
    }
    out
}

fn render_target_text(out: &mut String, target: &str, fields: &BTreeMap<String, FieldExplain>) {
    // The frequent lines are plain pushes: this runs for every field of every target.
    out.push_str("target \"");
    out.push_str(target);
    out.push_str("\"\n");
    {
        for (field, fx) in fields {
            out.push_str("  ");
            out.push_str(field);
            out.push_str(" = ");
            out.push_str(&serde_json::to_string(&fx.value).unwrap_or_default());
            out.push('\n');
            for step in &fx.origin {
                match step {
                    Step::Written { at, target: writer } => {
                        out.push_str("    set at ");
                        at.push_short(out);
                        out.push_str(" in target \"");
                        out.push_str(writer);
                        out.push_str("\"\n");
                        caret_block(out, at, "      ");
                    }
                    Step::Inherited { via } => {
                        let _ = writeln!(out, "    inherited: {}", via.join(" -> "));
                    }
                    Step::Overrode { earlier } => {
                        let _ =
                            writeln!(out, "    replaces the value written at {}", earlier.short());
                    }
                    Step::Variable {
                        name,
                        value,
                        from,
                        through,
                    } => {
                        let v = value
                            .as_deref()
                            .map_or("null".to_string(), |v| format!("{v:?}"));
                        let src = match from {
                            VariableSource::Default { at } => {
                                format!("its default at {}", at.short())
                            }
                            VariableSource::Environment { name } => {
                                format!("environment variable {name}")
                            }
                            VariableSource::VarFlag { flag } => flag.clone(),
                            VariableSource::Unset => "no default and no override".to_string(),
                        };
                        let via = through
                            .as_deref()
                            .map_or(String::new(), |t| format!(" (in the default of {t})"));
                        let _ = writeln!(out, "    uses variable {name} = {v}{via}, from {src}");
                    }
                    Step::Matrix { name, value } => {
                        let _ = writeln!(out, "    uses matrix value {name} = {value:?}");
                    }
                    Step::Interpolated {
                        template,
                        variable,
                        value,
                    } => match value {
                        Some(v) => {
                            let _ =
                                writeln!(out, "    interpolates {template:?}: {variable} = {v:?}");
                        }
                        None => {
                            let _ = writeln!(
                                out,
                                "    interpolates {template:?}: {variable} is unset, so the template's default (or an empty string) applied"
                            );
                        }
                    },
                    Step::Set { flag } => {
                        let _ = writeln!(out, "    set by --set {flag}");
                    }
                    Step::Default => out.push_str("    not set in any file: the default\n"),
                }
            }
        }
    }
}

/// `--explain=json`: `{target: {field: {value, origin: [...]}}}`.
#[must_use]
pub fn render_json(e: &Explained) -> String {
    let mut s = serde_json::to_string_pretty(e).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
