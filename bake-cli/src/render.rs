//! Rendering diagnostics for the terminal: errors and warnings through miette.

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

    /// Queues a warning.
    pub fn warn(&mut self, w: Box<dyn Diagnostic + Send + Sync>) {
        self.warnings.push(w);
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
