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

use crate::json::{write_plain_string, PrettyWriter};
use crate::model::{Config, TargetDef};
use crate::resolve::{Resolved, Target};
use crate::source::{Origin, SourceMap, Span};

use crate::provenance::{span_key, ExprRefs, Facts, Interpolation, Place, SpanKey, VariableSource};

mod json;
mod text;

use json::json_field;
use text::text_field;

/// A [`Place`] that borrows its file name and line (what explaining uses internally, so that
/// no field allocates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlaceRef<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    source_line: &'a str,
    width: usize,
}

impl PlaceRef<'_> {
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
    fn at(&self, span: Span) -> Option<PlaceRef<'s>> {
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
        Some(PlaceRef {
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
    fn field(&mut self, field: &str, t: &Target, steps: &[StepRef<'_>]);
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

    fn field(&mut self, field: &str, t: &Target, steps: &[StepRef<'_>]) {
        self.value.out.clear();
        t.write_print_value(field, &mut self.value);
        if let Some(fields) = self.out.get_mut(&self.current) {
            fields.insert(
                field.to_string(),
                FieldExplain {
                    value: serde_json::from_str(&self.value.out).unwrap_or(serde_json::Value::Null),
                    origin: steps.iter().map(StepRef::owned).collect(),
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

    fn field(&mut self, field: &str, t: &Target, steps: &[StepRef<'_>]) {
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
enum StepRef<'a> {
    Written {
        at: PlaceRef<'a>,
        target: &'a str,
    },
    Inherited {
        via: Vec<&'a str>,
    },
    Overrode {
        earlier: PlaceRef<'a>,
        target: &'a str,
    },
    Merged {
        with: PlaceRef<'a>,
        target: &'a str,
    },
    Variable {
        name: &'a str,
        value: Option<&'a str>,
        from: SourceRef<'a>,
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
        from: SourceRef<'a>,
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
enum SourceRef<'a> {
    Default { at: PlaceRef<'a> },
    Environment { name: &'a str },
    DotEnv { file: &'a str },
    VarFlag { flag: &'a str },
    Unset,
}

impl SourceRef<'_> {
    fn owned(&self) -> VariableSource {
        match self {
            SourceRef::Default { at } => VariableSource::Default { at: at.owned() },
            SourceRef::Environment { name } => VariableSource::Environment {
                name: (*name).to_string(),
            },
            SourceRef::DotEnv { file } => VariableSource::DotEnv {
                file: (*file).to_string(),
            },
            SourceRef::VarFlag { flag } => VariableSource::VarFlag {
                flag: (*flag).to_string(),
            },
            SourceRef::Unset => VariableSource::Unset,
        }
    }
}

impl StepRef<'_> {
    fn owned(&self) -> Step {
        let s = |v: &str| v.to_string();
        match self {
            StepRef::Written { at, target } => Step::Written {
                at: at.owned(),
                target: s(target),
            },
            StepRef::Inherited { via } => Step::Inherited {
                via: via.iter().map(|v| s(v)).collect(),
            },
            StepRef::Overrode { earlier, target } => Step::Overrode {
                earlier: earlier.owned(),
                target: s(target),
            },
            StepRef::Merged { with, target } => Step::Merged {
                with: with.owned(),
                target: s(target),
            },
            StepRef::Variable {
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
            StepRef::Matrix { name, value } => Step::Matrix {
                name: s(name),
                value: s(value),
            },
            StepRef::Interpolated {
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
            StepRef::Set { flag } => Step::Set { flag: s(flag) },
            StepRef::Flag { flag } => Step::Flag { flag: s(flag) },
            StepRef::Default => Step::Default,
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
    fn history<'x>(&'x self, tx: &TargetExplain<'x>, key: &'x str, steps: &mut Vec<StepRef<'x>>) {
        steps.clear();
        let merging = crate::fields::merges(key);
        match tx.target.origins.get(key) {
            None | Some(Origin::Default) => steps.push(StepRef::Default),
            Some(o @ (Origin::Set(flag) | Origin::Flag(flag))) => {
                steps.push(if matches!(o, Origin::Set(_)) {
                    StepRef::Set { flag }
                } else {
                    StepRef::Flag { flag }
                });
                // The file values it replaced or merged with.
                self.others(tx, key, None, merging, steps);
            }
            Some(Origin::Env(v)) => steps.push(StepRef::Variable {
                name: v,
                value: None,
                from: SourceRef::Environment { name: v },
                through: None,
                function: None,
            }),
            Some(Origin::Inherited(from)) => steps.push(StepRef::Inherited {
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
                    steps.push(StepRef::Written { at, target: writer });
                }
                if k != 0 {
                    let mut via = vec![writer];
                    let mut i = k;
                    while i != 0 {
                        i = tx.closure[i].parent;
                        via.push(tx.closure[i].name);
                    }
                    via.reverse();
                    steps.push(StepRef::Inherited { via });
                }
                self.expr_steps(tx.closure[k].refs, span, steps, None);
                if let Some(is) = self.interpolations.get(&span_key(span)) {
                    for i in is {
                        for l in &i.lookups {
                            steps.push(StepRef::Interpolated {
                                template: &i.template,
                                variable: &l.name,
                                value: l.value.as_deref(),
                                from: Self::src(&l.from),
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
        steps: &mut Vec<StepRef<'x>>,
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
                    steps.push(StepRef::Merged {
                        with: at,
                        target: r.name,
                    });
                    self.expr_steps(r.refs, *other, steps, None);
                } else {
                    steps.push(StepRef::Overrode {
                        earlier: at,
                        target: r.name,
                    });
                }
            }
        }
    }

    fn src(v: &VariableSource) -> SourceRef<'_> {
        match v {
            VariableSource::Default { at } => SourceRef::Default {
                at: PlaceRef {
                    file: &at.file,
                    line: at.line,
                    column: at.column,
                    source_line: &at.source_line,
                    width: at.width,
                },
            },
            VariableSource::Environment { name } => SourceRef::Environment { name },
            VariableSource::DotEnv { file } => SourceRef::DotEnv { file },
            VariableSource::VarFlag { flag } => SourceRef::VarFlag { flag },
            VariableSource::Unset => SourceRef::Unset,
        }
    }

    /// The variables and matrix values the expression at `span` used, following variables
    /// whose defaults use other variables.
    /// `refs`: what the expressions of the block `span` is in refer to.
    fn expr_steps<'x>(
        &'x self,
        refs: Option<&'x BTreeMap<SpanKey, ExprRefs>>,
        span: Span,
        steps: &mut Vec<StepRef<'x>>,
        through: Option<&'x str>,
    ) {
        let Some(refs) = refs.and_then(|m| m.get(&span_key(span))) else {
            return;
        };
        for (name, value) in &refs.matrix {
            steps.push(StepRef::Matrix { name, value });
        }
        let direct = refs.variables.iter().map(|v| (v, None));
        let called = refs.in_functions.iter().map(|(v, f)| (v, Some(f.as_str())));
        for (v, function) in direct.chain(called) {
            if steps
                .iter()
                .any(|s| matches!(s, StepRef::Variable { name, .. } if name == v))
            {
                continue;
            }
            let Some((v, fact)) = self.facts.variables.get_key_value(v.as_str()) else {
                continue;
            };
            let from = match &fact.origin {
                Origin::File(s) => match self.lines.at(*s) {
                    Some(at) => SourceRef::Default { at },
                    None => SourceRef::Unset,
                },
                Origin::Env(e) => SourceRef::Environment { name: e },
                Origin::Set(f) | Origin::Flag(f) => SourceRef::VarFlag { flag: f },
                Origin::Inherited(_) | Origin::Default => SourceRef::Unset,
            };
            steps.push(StepRef::Variable {
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
