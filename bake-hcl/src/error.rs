//! Errors of the HCL frontend: each carries the span it is about, and, once
//! [`HclError::attach`] has been called, the source text to render it with a caret.

use std::fmt;
use std::sync::Arc;

use bake_core::api::frontend::SourceMap;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::parse::ast::Span;

/// What went wrong, for callers that match on errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file is not valid HCL or JSON.
    Syntax,
    /// A variable that does not exist.
    UndefinedVariable,
    /// A function that does not exist.
    UndefinedFunction,
    /// A value of the wrong type.
    Type,
    /// A function called with the wrong number of arguments.
    Arity,
    /// A function failed on its arguments.
    Function,
    /// Variables, functions or target references that depend on themselves.
    Cycle,
    /// A variable's value from the environment could not be converted.
    Variable,
    /// A `validation` block failed.
    Validation,
    /// A bad block (no label, bad name, matrix problems).
    Block,
    /// Something else about evaluation (index out of range, ...).
    Eval,
    /// A limit (nesting depth, sizes) was exceeded.
    Limit,
}

impl ErrorKind {
    fn code(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "bake::hcl::syntax",
            ErrorKind::UndefinedVariable => "bake::hcl::undefined_variable",
            ErrorKind::UndefinedFunction => "bake::hcl::undefined_function",
            ErrorKind::Type => "bake::hcl::type",
            ErrorKind::Arity => "bake::hcl::arity",
            ErrorKind::Function => "bake::hcl::function",
            ErrorKind::Cycle => "bake::hcl::cycle",
            ErrorKind::Variable => "bake::hcl::variable",
            ErrorKind::Validation => "bake::hcl::validation",
            ErrorKind::Block => "bake::hcl::block",
            ErrorKind::Eval => "bake::hcl::eval",
            ErrorKind::Limit => "bake::hcl::limit",
        }
    }
}

/// An error in an HCL or JSON bake file.
#[derive(Debug, Clone)]
pub struct HclError {
    /// The kind.
    pub kind: ErrorKind,
    /// The message (lowercase, names in backticks).
    pub message: String,
    /// Where.
    pub span: Option<Span>,
    /// The label under the caret.
    pub label: Option<String>,
    /// A hint.
    pub help: Option<String>,
    /// Whether this is only a warning.
    pub warning: bool,
    source: Option<NamedSource<Arc<str>>>,
}

impl HclError {
    /// A new error.
    #[must_use]
    pub fn new(kind: ErrorKind, span: Option<Span>, message: impl Into<String>) -> HclError {
        HclError {
            kind,
            message: message.into(),
            span,
            label: None,
            help: None,
            warning: false,
            source: None,
        }
    }

    /// A syntax error.
    #[must_use]
    pub fn syntax(span: Span, message: impl Into<String>) -> HclError {
        HclError::new(ErrorKind::Syntax, Some(span), message)
    }

    /// Adds a label under the caret.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> HclError {
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> HclError {
        self.help = Some(help.into());
        self
    }

    /// Marks this as a warning.
    #[must_use]
    pub fn as_warning(mut self) -> HclError {
        self.warning = true;
        self
    }

    /// Sets the span if none was known.
    #[must_use]
    pub fn or_span(mut self, span: Span) -> HclError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Attaches the source text the span points into, so the error renders with a caret.
    #[must_use]
    pub fn attach(mut self, sources: &SourceMap) -> HclError {
        if let Some(span) = self.span {
            let s = sources.get(span.src);
            self.source =
                Some(NamedSource::new(s.name.clone(), s.text.clone()).with_language("hcl"));
        }
        self
    }

    /// The file name and 1-based line and column of the error, if known and attached.
    #[must_use]
    pub fn location(&self, sources: &SourceMap) -> Option<(String, usize, usize)> {
        let span = self.span?;
        let s = sources.get(span.src);
        let off = (span.start as usize).min(s.text.len());
        let before = &s.text[..off];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((s.name.clone(), line, col))
    }
}

impl fmt::Display for HclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HclError {}

impl Diagnostic for HclError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.warning {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        self.source.as_ref()?;
        let len = (span.end - span.start) as usize;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.label.clone().unwrap_or_else(|| "here".to_string())),
            span.start as usize,
            len,
        ))))
    }
}

/// Result of evaluation steps.
pub type Result<T, E = Box<HclError>> = std::result::Result<T, E>;
