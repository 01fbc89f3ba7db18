//! Rendering diagnostics as the `bake` command does: errors and warnings through miette,
//! 100 columns wide.

use std::io::Write;

use bake_core::api::Warning;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Collects warnings and renders diagnostics.
pub struct Reporter {
    handler: GraphicalReportHandler,
    warnings: Vec<Warning>,
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

    /// Queues a warning, from loading ([`Project::warnings`](crate::Project::warnings)),
    /// resolving ([`Resolved::warnings`](crate::Resolved::warnings)) or the host itself.
    pub fn warn(&mut self, w: Warning) {
        self.warnings.push(w);
    }

    /// Writes the queued warnings.
    pub fn flush(&mut self, out: &mut dyn Write) {
        for w in self.warnings.drain(..) {
            let mut s = String::new();
            if self.handler.render_report(&mut s, &w).is_ok() {
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
