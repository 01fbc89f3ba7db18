//! Rendering diagnostics as the `bake` command does: errors and warnings through miette,
//! 100 columns wide.

use std::io::Write;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Collects warnings and renders diagnostics.
pub struct Reporter {
    handler: GraphicalReportHandler,
    warnings: Vec<Box<dyn Diagnostic + Send + Sync>>,
}

impl Reporter {
    /// A reporter; `color` picks the coloured unicode theme, else plain ASCII-free of colour.
    pub fn new(color: bool) -> Reporter {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Reporter {
            handler: GraphicalReportHandler::new_themed(theme).with_width(100),
            warnings: Vec::new(),
        }
    }

    /// Queues a warning given as text (the resolver's warnings).
    pub fn warn_text(&mut self, message: impl Into<String>) {
        self.warn(Box::new(Note(message.into())));
    }

    /// Queues a warning (shown with warning severity whatever the diagnostic says).
    pub fn warn(&mut self, w: Box<dyn Diagnostic + Send + Sync>) {
        self.warnings.push(Box::new(AsWarning(w)));
    }

    /// Writes the queued warnings.
    pub fn flush(&mut self, out: &mut dyn Write) {
        for w in self.warnings.drain(..) {
            let mut s = String::new();
            if self.handler.render_report(&mut s, w.as_ref()).is_ok() {
                let _ = write!(out, "{s}");
            }
        }
    }

    /// Renders one diagnostic.
    pub fn render(&self, d: &dyn Diagnostic) -> String {
        let mut s = String::new();
        if self.handler.render_report(&mut s, d).is_err() {
            s = format!("error: {d}\\n");
        }
        s
    }
}

/// A diagnostic shown as a warning.
#[derive(Debug)]
struct AsWarning(Box<dyn Diagnostic + Send + Sync>);

impl std::fmt::Display for AsWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for AsWarning {}

impl Diagnostic for AsWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// A warning that is only text.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{0}")]
struct Note(String);
