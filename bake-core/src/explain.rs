//! `bake --explain`: for each field of a resolved target, its value and the chain that
//! produced it — where it was written, the `inherits` steps it passed through, the variables
//! and matrix values it used (and where those came from), files that overrode earlier ones,
//! `--set` flags, and Compose interpolation.
//!
//! Frontends contribute facts ([`Facts`]); this module only reads them.

use std::collections::{BTreeMap, HashMap};

use crate::util::FxBuildHasher;
use std::io;

use serde::Serialize;

use crate::json::{push_usize, write_plain_string, PrettyWriter};
use crate::model::{Config, TargetDef};
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
    /// Variables used inside the user functions it called (and the functions those called):
    /// the variable and the function whose body used it.
    pub in_functions: Vec<(String, String)>,
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
    /// Each variable looked up, in order.
    pub lookups: Vec<Lookup>,
}

/// One variable looked up by a Compose interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The variable.
    pub name: String,
    /// Its value, `None` when unset.
    pub value: Option<String>,
    /// Where the value came from ([`VariableSource::Unset`] when unset).
    pub from: VariableSource,
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

/// A [`Place`] that borrows its file name and line (what explaining uses internally, so that
/// no field allocates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct At<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    source_line: &'a str,
    width: usize,
}

impl At<'_> {
    fn owned(&self) -> Place {
        Place {
            file: self.file.to_string(),
            line: self.line,
            column: self.column,
            source_line: self.source_line.to_string(),
            width: self.width,
        }
    }
}

/// Line starts of every source, so finding a line is a binary search.
pub struct Lines<'s> {
    /// By source id: the name, the text and where each line starts.
    files: Vec<(&'s str, &'s str, Vec<usize>)>,
}

impl<'s> Lines<'s> {
    /// Indexes the lines of every source of `sources`.
    #[must_use]
    pub fn new(sources: &'s SourceMap) -> Self {
        let files = sources
            .iter()
            .map(|(_, src)| {
                let text: &str = &src.text;
                let mut starts = vec![0];
                starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
                (src.name.as_str(), text, starts)
            })
            .collect();
        Lines { files }
    }

    /// The place of `span`, `None` when the span is outside its source.
    fn at(&self, span: Span) -> Option<At<'s>> {
        let (file, text, starts) = self.files.get(span.source.0 as usize)?;
        let text: &'s str = text;
        let start = (span.start as usize).min(text.len());
        let end = (span.end as usize).clamp(start, text.len());
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return None;
        }
        let line0 = starts.partition_point(|&s| s <= start).saturating_sub(1);
        let line_start = starts[line0];
        let line_end = starts.get(line0 + 1).map_or(text.len(), |s| s - 1);
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end)].chars().count().max(1);
        Some(At {
            file,
            line: line0 + 1,
            column,
            source_line: text[line_start..line_end].trim_end_matches('\r'),
            width,
        })
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
        lines.at(span).map(|a| a.owned())
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
    /// The final value replaced this one: an earlier file's definition of the block, or a
    /// block it inherits from.
    Overrode {
        /// The replaced value's place.
        earlier: Place,
        /// The block it is in.
        target: String,
    },
    /// The field merges (maps, lists that `inherits` and later files append to): this value
    /// is part of the final one, except for keys written again later.
    Merged {
        /// The merged value's place.
        with: Place,
        /// The block it is in.
        target: String,
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
        /// The user function whose body used it, when it was not used directly.
        #[serde(skip_serializing_if = "Option::is_none")]
        function: Option<String>,
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
        /// Where the value came from.
        from: VariableSource,
    },
    /// A `--set` flag.
    Set {
        /// The override as given.
        flag: String,
    },
    /// A flag that is an override (`--load`, `--push`, `--pull`, `--no-cache`, `--sbom`,
    /// `--provenance`, `--call`, `--check`).
    Flag {
        /// The flag as given.
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
    /// A `.env` file (Compose interpolation).
    DotEnv {
        /// The file.
        file: String,
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

/// The fields a target has, as `--print` names them (in `--print`'s order).
pub const FIELDS: [&str; 29] = crate::print::PRINT_FIELDS;

/// Every requested target's fields, explained.
pub type Explained = BTreeMap<String, BTreeMap<String, FieldExplain>>;

/// How [`write()`] renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people: each field, its value and its history, with carets.
    Text,
    /// For tools: `{target: {field: {value, origin: [...]}}}`.
    Json,
}

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
    let mut c = Collect {
        out: Explained::new(),
        current: String::new(),
        value: PrettyWriter::serde_style(256, true),
    };
    // Collecting cannot fail.
    let _ = Explainer::new(config, sources, facts).each(resolved, only, &mut c);
    c.out
}

/// Writes the explanation of the targets of `resolved` (all of them, or the `only` ones) to
/// `out` as `format`, one target at a time: memory stays that of `--print` on large files.
///
/// # Errors
/// Writing to `out` failed.
pub fn write(
    out: &mut dyn io::Write,
    format: Format,
    resolved: &Resolved,
    config: &Config,
    sources: &SourceMap,
    facts: &Facts,
    only: &[(String, Option<String>)],
) -> io::Result<()> {
    let json = format == Format::Json;
    let mut s = Stream {
        w: PrettyWriter::serde_style(2 * Stream::CHUNK, !json),
        out,
        json,
    };
    if json {
        s.w.open('{');
    }
    Explainer::new(config, sources, facts).each(resolved, only, &mut s)?;
    if json {
        s.w.close('}');
        s.w.out.push('\n');
    }
    s.out.write_all(s.w.out.as_bytes())?;
    s.out.flush()
}

/// What receives the explanation, a target at a time.
trait Render {
    /// A target starts.
    fn target(&mut self, name: &str);
    /// One of its fields, with its history.
    fn field(&mut self, field: &str, t: &Target, steps: &[S<'_>]);
    /// The target is done.
    fn end_target(&mut self) -> io::Result<()>;
}

/// Builds the typed answer ([`Explained`]).
struct Collect {
    out: Explained,
    current: String,
    /// Scratch space for values.
    value: PrettyWriter,
}

impl Render for Collect {
    fn target(&mut self, name: &str) {
        self.current = name.to_string();
        self.out.insert(self.current.clone(), BTreeMap::new());
    }

    fn field(&mut self, field: &str, t: &Target, steps: &[S<'_>]) {
        self.value.out.clear();
        t.write_print_value(field, &mut self.value);
        if let Some(fields) = self.out.get_mut(&self.current) {
            fields.insert(
                field.to_string(),
                FieldExplain {
                    value: serde_json::from_str(&self.value.out).unwrap_or(serde_json::Value::Null),
                    origin: steps.iter().map(S::owned).collect(),
                },
            );
        }
    }

    fn end_target(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Renders text or JSON into a buffer written out in chunks.
struct Stream<'o> {
    w: PrettyWriter,
    out: &'o mut dyn io::Write,
    json: bool,
}

impl Stream<'_> {
    const CHUNK: usize = 1 << 16;
}

impl Render for Stream<'_> {
    fn target(&mut self, name: &str) {
        if self.json {
            self.w.key(name);
            self.w.open('{');
        } else {
            self.w.out.push_str("target ");
            write_plain_string(&mut self.w.out, name);
            self.w.out.push('\n');
        }
    }

    fn field(&mut self, field: &str, t: &Target, steps: &[S<'_>]) {
        if self.json {
            json_field(&mut self.w, field, t, steps);
        } else {
            text_field(&mut self.w, field, t, steps);
        }
    }

    fn end_target(&mut self) -> io::Result<()> {
        if self.json {
            self.w.close('}');
        }
        if self.w.out.len() >= Self::CHUNK {
            self.out.write_all(self.w.out.as_bytes())?;
            self.w.out.clear();
        }
        Ok(())
    }
}

/// [`write()`] into a string.
#[must_use]
pub fn render(
    format: Format,
    resolved: &Resolved,
    config: &Config,
    sources: &SourceMap,
    facts: &Facts,
    only: &[(String, Option<String>)],
) -> String {
    let mut buf = Vec::new();
    // Writing into a vector cannot fail, and only valid UTF-8 is written.
    let _ = write(&mut buf, format, resolved, config, sources, facts, only);
    String::from_utf8(buf).unwrap_or_default()
}

/// One step of a value's history, borrowing everything it shows ([`Step`] owns it).
#[derive(Debug, Clone, PartialEq, Eq)]
enum S<'a> {
    Written {
        at: At<'a>,
        target: &'a str,
    },
    Inherited {
        via: Vec<&'a str>,
    },
    Overrode {
        earlier: At<'a>,
        target: &'a str,
    },
    Merged {
        with: At<'a>,
        target: &'a str,
    },
    Variable {
        name: &'a str,
        value: Option<&'a str>,
        from: Src<'a>,
        through: Option<&'a str>,
        function: Option<&'a str>,
    },
    Matrix {
        name: &'a str,
        value: &'a str,
    },
    Interpolated {
        template: &'a str,
        variable: &'a str,
        value: Option<&'a str>,
        from: Src<'a>,
    },
    Set {
        flag: &'a str,
    },
    Flag {
        flag: &'a str,
    },
    Default,
}

/// [`VariableSource`], borrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Src<'a> {
    Default { at: At<'a> },
    Environment { name: &'a str },
    DotEnv { file: &'a str },
    VarFlag { flag: &'a str },
    Unset,
}

impl Src<'_> {
    fn owned(&self) -> VariableSource {
        match self {
            Src::Default { at } => VariableSource::Default { at: at.owned() },
            Src::Environment { name } => VariableSource::Environment {
                name: (*name).to_string(),
            },
            Src::DotEnv { file } => VariableSource::DotEnv {
                file: (*file).to_string(),
            },
            Src::VarFlag { flag } => VariableSource::VarFlag {
                flag: (*flag).to_string(),
            },
            Src::Unset => VariableSource::Unset,
        }
    }
}

impl S<'_> {
    fn owned(&self) -> Step {
        let s = |v: &str| v.to_string();
        match self {
            S::Written { at, target } => Step::Written {
                at: at.owned(),
                target: s(target),
            },
            S::Inherited { via } => Step::Inherited {
                via: via.iter().map(|v| s(v)).collect(),
            },
            S::Overrode { earlier, target } => Step::Overrode {
                earlier: earlier.owned(),
                target: s(target),
            },
            S::Merged { with, target } => Step::Merged {
                with: with.owned(),
                target: s(target),
            },
            S::Variable {
                name,
                value,
                from,
                through,
                function,
            } => Step::Variable {
                name: s(name),
                value: value.map(s),
                from: from.owned(),
                through: through.map(s),
                function: function.map(s),
            },
            S::Matrix { name, value } => Step::Matrix {
                name: s(name),
                value: s(value),
            },
            S::Interpolated {
                template,
                variable,
                value,
                from,
            } => Step::Interpolated {
                template: s(template),
                variable: s(variable),
                value: value.map(s),
                from: from.owned(),
            },
            S::Set { flag } => Step::Set { flag: s(flag) },
            S::Flag { flag } => Step::Flag { flag: s(flag) },
            S::Default => Step::Default,
        }
    }
}

/// What explaining needs, built once: the definitions by name, the lines of the sources and
/// the interpolations by span.
struct Explainer<'a> {
    // Lookups only (never iterated), so hash maps do not make output order depend on them.
    by_name: HashMap<&'a str, Vec<&'a TargetDef>, FxBuildHasher>,
    interpolations: HashMap<SpanKey, Vec<&'a Interpolation>, FxBuildHasher>,
    /// What variable defaults refer to.
    default_refs: Option<&'a BTreeMap<SpanKey, ExprRefs>>,
    lines: Lines<'a>,
    facts: &'a Facts,
}

/// A block `inherits` reaches: its name, the index of the block that inherits it, its
/// definitions and what their expressions refer to.
struct Reached<'x> {
    name: &'x str,
    parent: usize,
    defs: &'x [&'x TargetDef],
    refs: Option<&'x BTreeMap<SpanKey, ExprRefs>>,
}

/// One target being explained: its name, the fields to explain (sorted), and the blocks its
/// `inherits` reach (breadth first, itself first; each with the index of the block that
/// inherits it).
struct TargetExplain<'x> {
    name: &'x str,
    target: &'x Target,
    fields: Vec<&'x str>,
    closure: Vec<Reached<'x>>,
}

impl<'a> Explainer<'a> {
    fn new(config: &'a Config, sources: &'a SourceMap, facts: &'a Facts) -> Self {
        let mut by_name: HashMap<&str, Vec<&TargetDef>, FxBuildHasher> =
            HashMap::with_capacity_and_hasher(config.targets.len(), FxBuildHasher::default());
        for d in &config.targets {
            by_name.entry(d.name.as_str()).or_default().push(d);
        }
        let mut interpolations: HashMap<SpanKey, Vec<&Interpolation>, FxBuildHasher> =
            HashMap::default();
        for i in &facts.interpolations {
            interpolations.entry(span_key(i.span)).or_default().push(i);
        }
        Explainer {
            by_name,
            interpolations,
            default_refs: facts.refs.get(""),
            lines: Lines::new(sources),
            facts,
        }
    }

    /// Explains each target of `resolved` that `only` keeps into `r`.
    fn each(
        &self,
        resolved: &Resolved,
        only: &[(String, Option<String>)],
        r: &mut dyn Render,
    ) -> io::Result<()> {
        let mut steps = Vec::new();
        for (name, t) in &resolved.targets {
            let Some(tx) = self.target(name, t, only) else {
                continue;
            };
            r.target(name);
            for field in &tx.fields {
                self.history(&tx, field, &mut steps);
                r.field(field, t, &steps);
            }
            r.end_target()?;
        }
        Ok(())
    }

    fn defs(&self, name: &str) -> &[&'a TargetDef] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Target `name`'s fields to explain, or `None` when `only` leaves it out.
    fn target<'x>(
        &'x self,
        name: &'x str,
        t: &'x Target,
        only: &'x [(String, Option<String>)],
    ) -> Option<TargetExplain<'x>> {
        let mut fields: Vec<&str> = if only.is_empty() {
            FIELDS.iter().copied().filter(|f| t.shows(f)).collect()
        } else {
            let mine: Vec<&(String, Option<String>)> =
                only.iter().filter(|(n, _)| n == name).collect();
            if mine.is_empty() {
                return None;
            }
            if mine.iter().any(|(_, f)| f.is_none()) {
                FIELDS.iter().copied().filter(|f| t.shows(f)).collect()
            } else {
                mine.iter()
                    .filter_map(|(_, f)| f.as_deref())
                    .filter(|f| FIELDS.contains(f))
                    .collect()
            }
        };
        fields.sort_unstable();
        fields.dedup();
        // The blocks `inherits` reaches, breadth first (chains are short: a scan finds
        // repeats).
        let reach = |name: &'x str, parent: usize| Reached {
            name,
            parent,
            defs: self.defs(name),
            refs: self.facts.refs.get(name),
        };
        let mut closure: Vec<Reached<'x>> = vec![reach(name, 0)];
        let mut i = 0;
        while i < closure.len() {
            for d in closure[i].defs {
                for p in d.inherits.iter().flatten() {
                    if !closure.iter().any(|r| r.name == p) {
                        closure.push(reach(p.as_str(), i));
                    }
                }
            }
            i += 1;
        }
        Some(TargetExplain {
            name,
            target: t,
            fields,
            closure,
        })
    }

    /// The history of `key` of `tx`, into `steps` (cleared first).
    fn history<'x>(&'x self, tx: &TargetExplain<'x>, key: &'x str, steps: &mut Vec<S<'x>>) {
        steps.clear();
        let merging = crate::fields::merges(key);
        match tx.target.origins.get(key) {
            None | Some(Origin::Default) => steps.push(S::Default),
            Some(o @ (Origin::Set(flag) | Origin::Flag(flag))) => {
                steps.push(if matches!(o, Origin::Set(_)) {
                    S::Set { flag }
                } else {
                    S::Flag { flag }
                });
                // The file values it replaced or merged with.
                self.others(tx, key, None, merging, steps);
            }
            Some(Origin::Env(v)) => steps.push(S::Variable {
                name: v,
                value: None,
                from: Src::Environment { name: v },
                through: None,
                function: None,
            }),
            Some(Origin::Inherited(from)) => steps.push(S::Inherited {
                via: vec![tx.name, from],
            }),
            Some(Origin::File(span)) => {
                let span = *span;
                // The block that wrote it: the nearest one `inherits` reaches whose
                // definition has this span (the target itself when none does).
                let k = tx
                    .closure
                    .iter()
                    .position(|r| {
                        r.defs
                            .iter()
                            .any(|d| d.origins.get(key) == Some(&Origin::File(span)))
                    })
                    .unwrap_or(0);
                let writer = tx.closure[k].name;
                if let Some(at) = self.lines.at(span) {
                    steps.push(S::Written { at, target: writer });
                }
                if k != 0 {
                    let mut via = vec![writer];
                    let mut i = k;
                    while i != 0 {
                        i = tx.closure[i].parent;
                        via.push(tx.closure[i].name);
                    }
                    via.reverse();
                    steps.push(S::Inherited { via });
                }
                self.expr_steps(tx.closure[k].refs, span, steps, None);
                if let Some(is) = self.interpolations.get(&span_key(span)) {
                    for i in is {
                        for l in &i.lookups {
                            steps.push(S::Interpolated {
                                template: &i.template,
                                variable: &l.name,
                                value: l.value.as_deref(),
                                from: self.src(&l.from),
                            });
                        }
                    }
                }
                self.others(tx, key, Some(span), merging, steps);
            }
        }
    }

    /// The other file values of `key` in the blocks `tx` inherits from (itself included),
    /// other than the final one at `span`: replaced, or merged into it (then with the
    /// variables they used).
    fn others<'x>(
        &'x self,
        tx: &TargetExplain<'x>,
        key: &str,
        span: Option<Span>,
        merging: bool,
        steps: &mut Vec<S<'x>>,
    ) {
        for r in &tx.closure {
            for d in r.defs {
                let Some(Origin::File(other)) = d.origins.get(key) else {
                    continue;
                };
                if Some(*other) == span {
                    continue;
                }
                let Some(at) = self.lines.at(*other) else {
                    continue;
                };
                if merging {
                    steps.push(S::Merged {
                        with: at,
                        target: r.name,
                    });
                    self.expr_steps(r.refs, *other, steps, None);
                } else {
                    steps.push(S::Overrode {
                        earlier: at,
                        target: r.name,
                    });
                }
            }
        }
    }

    fn src<'x>(&'x self, v: &'x VariableSource) -> Src<'x> {
        match v {
            VariableSource::Default { at } => Src::Default {
                at: At {
                    file: &at.file,
                    line: at.line,
                    column: at.column,
                    source_line: &at.source_line,
                    width: at.width,
                },
            },
            VariableSource::Environment { name } => Src::Environment { name },
            VariableSource::DotEnv { file } => Src::DotEnv { file },
            VariableSource::VarFlag { flag } => Src::VarFlag { flag },
            VariableSource::Unset => Src::Unset,
        }
    }

    /// The variables and matrix values the expression at `span` used, following variables
    /// whose defaults use other variables.
    /// `refs`: what the expressions of the block `span` is in refer to.
    fn expr_steps<'x>(
        &'x self,
        refs: Option<&'x BTreeMap<SpanKey, ExprRefs>>,
        span: Span,
        steps: &mut Vec<S<'x>>,
        through: Option<&'x str>,
    ) {
        let Some(refs) = refs.and_then(|m| m.get(&span_key(span))) else {
            return;
        };
        for (name, value) in &refs.matrix {
            steps.push(S::Matrix { name, value });
        }
        let direct = refs.variables.iter().map(|v| (v, None));
        let called = refs.in_functions.iter().map(|(v, f)| (v, Some(f.as_str())));
        for (v, function) in direct.chain(called) {
            if steps
                .iter()
                .any(|s| matches!(s, S::Variable { name, .. } if name == v))
            {
                continue;
            }
            let Some((v, fact)) = self.facts.variables.get_key_value(v.as_str()) else {
                continue;
            };
            let from = match &fact.origin {
                Origin::File(s) => match self.lines.at(*s) {
                    Some(at) => Src::Default { at },
                    None => Src::Unset,
                },
                Origin::Env(e) => Src::Environment { name: e },
                Origin::Set(f) | Origin::Flag(f) => Src::VarFlag { flag: f },
                Origin::Inherited(_) | Origin::Default => Src::Unset,
            };
            steps.push(S::Variable {
                name: v,
                value: fact.value.as_deref(),
                from,
                through,
                function,
            });
            // A variable whose default uses others: those, too (each once, so cycles end).
            if let Origin::File(s) = &fact.origin {
                self.expr_steps(self.default_refs, *s, steps, Some(v));
            }
        }
    }
}

/// `  field = value` and its history, as text.
fn text_field(w: &mut PrettyWriter, field: &str, t: &Target, steps: &[S<'_>]) {
    // Plain pushes: this runs for every field of every target.
    w.out.push_str("  ");
    w.out.push_str(field);
    w.out.push_str(" = ");
    t.write_print_value(field, w);
    w.out.push('\n');
    let out = &mut w.out;
    let quoted = |out: &mut String, v: Option<&str>| match v {
        Some(v) => write_plain_string(out, v),
        None => out.push_str("null"),
    };
    for step in steps {
        match step {
            S::Written { at, target } => {
                out.push_str("    set at ");
                push_short(out, at);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
                caret_block(out, at, "      ");
            }
            S::Inherited { via } => {
                out.push_str("    inherited: ");
                for (i, v) in via.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" -> ");
                    }
                    out.push_str(v);
                }
                out.push('\n');
            }
            S::Overrode { earlier, target } => {
                out.push_str("    replaces the value written at ");
                push_short(out, earlier);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
            }
            S::Merged { with, target } => {
                out.push_str("    merged with the value written at ");
                push_short(out, with);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
            }
            S::Variable {
                name,
                value,
                from,
                through,
                function,
            } => {
                out.push_str("    uses variable ");
                out.push_str(name);
                out.push_str(" = ");
                quoted(out, *value);
                if let Some(t) = through {
                    out.push_str(" (in the default of ");
                    out.push_str(t);
                    out.push(')');
                }
                if let Some(f) = function {
                    out.push_str(" (in function ");
                    out.push_str(f);
                    out.push(')');
                }
                out.push_str(", from ");
                push_source(out, from);
                out.push('\n');
            }
            S::Matrix { name, value } => {
                out.push_str("    uses matrix value ");
                out.push_str(name);
                out.push_str(" = ");
                write_plain_string(out, value);
                out.push('\n');
            }
            S::Interpolated {
                template,
                variable,
                value,
                from,
            } => {
                out.push_str("    interpolates ");
                write_plain_string(out, template);
                out.push_str(": ");
                out.push_str(variable);
                match value {
                    Some(v) => {
                        out.push_str(" = ");
                        write_plain_string(out, v);
                        out.push_str(", from ");
                        push_source(out, from);
                    }
                    None => out.push_str(
                        " is unset, so the template's default (or an empty string) applied",
                    ),
                }
                out.push('\n');
            }
            S::Set { flag } => {
                out.push_str("    set by --set ");
                out.push_str(flag);
                out.push('\n');
            }
            S::Flag { flag } => {
                out.push_str("    set by ");
                out.push_str(flag);
                out.push('\n');
            }
            S::Default => out.push_str("    not set in any file: the default\n"),
        }
    }
}

fn push_short(out: &mut String, at: &At<'_>) {
    out.push_str(at.file);
    out.push(':');
    push_usize(out, at.line);
    out.push(':');
    push_usize(out, at.column);
}

fn push_source(out: &mut String, from: &Src<'_>) {
    match from {
        Src::Default { at } => {
            out.push_str("its default at ");
            push_short(out, at);
        }
        Src::Environment { name } => {
            out.push_str("environment variable ");
            out.push_str(name);
        }
        Src::DotEnv { file } => {
            out.push_str("the file ");
            out.push_str(file);
        }
        Src::VarFlag { flag } => out.push_str(flag),
        Src::Unset => out.push_str("no default and no override"),
    }
}

fn caret_block(out: &mut String, at: &At<'_>, indent: &str) {
    let mut num = String::new();
    push_usize(&mut num, at.line);
    let pad = |out: &mut String| out.extend(std::iter::repeat_n(' ', num.len()));
    out.push_str(indent);
    pad(out);
    out.push_str(" |\n");
    out.push_str(indent);
    out.push_str(&num);
    out.push_str(" | ");
    out.push_str(at.source_line);
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

/// `"field": {"value": …, "origin": […]}`, as `serde_json` pretty-prints a [`FieldExplain`].
fn json_field(w: &mut PrettyWriter, field: &str, t: &Target, steps: &[S<'_>]) {
    w.key(field);
    w.open('{');
    w.raw_key("value");
    t.write_print_value(field, w);
    w.raw_key("origin");
    w.open('[');
    for step in steps {
        w.elem();
        w.open('{');
        let kind = |w: &mut PrettyWriter, k: &str| {
            w.raw_key("kind");
            w.str(k);
        };
        let opt = |w: &mut PrettyWriter, v: Option<&str>| match v {
            Some(v) => w.str(v),
            None => w.null(),
        };
        match step {
            S::Written { at, target } => {
                kind(w, "written");
                json_place(w, "at", at);
                w.raw_key("target");
                w.str(target);
            }
            S::Inherited { via } => {
                kind(w, "inherited");
                w.raw_key("via");
                w.open('[');
                for v in via {
                    w.elem();
                    w.str(v);
                }
                w.close(']');
            }
            S::Overrode { earlier, target } => {
                kind(w, "overrode");
                json_place(w, "earlier", earlier);
                w.raw_key("target");
                w.str(target);
            }
            S::Merged { with, target } => {
                kind(w, "merged");
                json_place(w, "with", with);
                w.raw_key("target");
                w.str(target);
            }
            S::Variable {
                name,
                value,
                from,
                through,
                function,
            } => {
                kind(w, "variable");
                w.raw_key("name");
                w.str(name);
                w.raw_key("value");
                opt(w, *value);
                json_source(w, from);
                if let Some(t) = through {
                    w.raw_key("through");
                    w.str(t);
                }
                if let Some(f) = function {
                    w.raw_key("function");
                    w.str(f);
                }
            }
            S::Matrix { name, value } => {
                kind(w, "matrix");
                w.raw_key("name");
                w.str(name);
                w.raw_key("value");
                w.str(value);
            }
            S::Interpolated {
                template,
                variable,
                value,
                from,
            } => {
                kind(w, "interpolated");
                w.raw_key("template");
                w.str(template);
                w.raw_key("variable");
                w.str(variable);
                w.raw_key("value");
                opt(w, *value);
                json_source(w, from);
            }
            S::Set { flag } => {
                kind(w, "set");
                w.raw_key("flag");
                w.str(flag);
            }
            S::Flag { flag } => {
                kind(w, "flag");
                w.raw_key("flag");
                w.str(flag);
            }
            S::Default => kind(w, "default"),
        }
        w.close('}');
    }
    w.close(']');
    w.close('}');
}

fn json_place(w: &mut PrettyWriter, key: &str, at: &At<'_>) {
    w.raw_key(key);
    w.open('{');
    w.raw_key("file");
    w.str(at.file);
    w.raw_key("line");
    w.uint(at.line);
    w.raw_key("column");
    w.uint(at.column);
    w.raw_key("source_line");
    w.str(at.source_line);
    w.raw_key("width");
    w.uint(at.width);
    w.close('}');
}

fn json_source(w: &mut PrettyWriter, from: &Src<'_>) {
    w.raw_key("from");
    w.open('{');
    w.raw_key("kind");
    match from {
        Src::Default { at } => {
            w.str("default");
            json_place(w, "at", at);
        }
        Src::Environment { name } => {
            w.str("environment");
            w.raw_key("name");
            w.str(name);
        }
        Src::DotEnv { file } => {
            w.str("dot_env");
            w.raw_key("file");
            w.str(file);
        }
        Src::VarFlag { flag } => {
            w.str("var_flag");
            w.raw_key("flag");
            w.str(flag);
        }
        Src::Unset => w.str("unset"),
    }
    w.close('}');
}
