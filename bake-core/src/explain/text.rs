//! `--explain` as text: each field, its value and its history, with carets.

use super::{PlaceRef, SourceRef, StepRef};
use crate::json::{push_usize, write_plain_string, PrettyWriter};
use crate::resolve::Target;

/// `  field = value` and its history, as text.
// Long: one arm per kind of step, so the text of every step reads in one place.
#[allow(clippy::too_many_lines)]
pub(super) fn text_field(w: &mut PrettyWriter, field: &str, t: &Target, steps: &[StepRef<'_>]) {
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
            StepRef::Written { at, target } => {
                out.push_str("    set at ");
                push_short(out, at);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
                caret_block(out, at, "      ");
            }
            StepRef::Inherited { via } => {
                out.push_str("    inherited: ");
                for (i, v) in via.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" -> ");
                    }
                    out.push_str(v);
                }
                out.push('\n');
            }
            StepRef::Overrode { earlier, target } => {
                out.push_str("    replaces the value written at ");
                push_short(out, earlier);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
            }
            StepRef::Merged { with, target } => {
                out.push_str("    merged with the value written at ");
                push_short(out, with);
                out.push_str(" in target ");
                write_plain_string(out, target);
                out.push('\n');
            }
            StepRef::Variable {
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
            StepRef::Matrix { name, value } => {
                out.push_str("    uses matrix value ");
                out.push_str(name);
                out.push_str(" = ");
                write_plain_string(out, value);
                out.push('\n');
            }
            StepRef::Interpolated {
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
            StepRef::Set { flag } => {
                out.push_str("    set by --set ");
                out.push_str(flag);
                out.push('\n');
            }
            StepRef::Flag { flag } => {
                out.push_str("    set by ");
                out.push_str(flag);
                out.push('\n');
            }
            StepRef::Default => out.push_str("    not set in any file: the default\n"),
        }
    }
}

fn push_short(out: &mut String, at: &PlaceRef<'_>) {
    out.push_str(at.file);
    out.push(':');
    push_usize(out, at.line);
    out.push(':');
    push_usize(out, at.column);
}

fn push_source(out: &mut String, from: &SourceRef<'_>) {
    match from {
        SourceRef::Default { at } => {
            out.push_str("its default at ");
            push_short(out, at);
        }
        SourceRef::Environment { name } => {
            out.push_str("environment variable ");
            out.push_str(name);
        }
        SourceRef::DotEnv { file } => {
            out.push_str("the file ");
            out.push_str(file);
        }
        SourceRef::VarFlag { flag } => out.push_str(flag),
        SourceRef::Unset => out.push_str("no default and no override"),
    }
}

fn caret_block(out: &mut String, at: &PlaceRef<'_>, indent: &str) {
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
