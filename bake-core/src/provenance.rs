//! Provenance: what the frontends record beside the model about where values came from
//! (the variables and matrix values each expression used, every variable's definition,
//! Compose interpolations), for `--explain` to read. Frontends depend on the model, the
//! sources and this module only.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::source::{Origin, Span};

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
