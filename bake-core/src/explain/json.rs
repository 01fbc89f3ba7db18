//! `--explain=json`: each field's value and origin, as `serde_json` pretty-prints
//! [`super::FieldExplain`].

use super::{PlaceRef, SourceRef, StepRef};
use crate::json::PrettyWriter;
use crate::resolve::Target;

/// `"field": {"value": …, "origin": […]}`, as `serde_json` pretty-prints a [`FieldExplain`].
// Long: one arm per kind of step, mirroring `text_field`.
#[allow(clippy::too_many_lines)]
pub(super) fn json_field(w: &mut PrettyWriter, field: &str, t: &Target, steps: &[StepRef<'_>]) {
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
            StepRef::Written { at, target } => {
                kind(w, "written");
                json_place(w, "at", at);
                w.raw_key("target");
                w.str(target);
            }
            StepRef::Inherited { via } => {
                kind(w, "inherited");
                w.raw_key("via");
                w.open('[');
                for v in via {
                    w.elem();
                    w.str(v);
                }
                w.close(']');
            }
            StepRef::Overrode { earlier, target } => {
                kind(w, "overrode");
                json_place(w, "earlier", earlier);
                w.raw_key("target");
                w.str(target);
            }
            StepRef::Merged { with, target } => {
                kind(w, "merged");
                json_place(w, "with", with);
                w.raw_key("target");
                w.str(target);
            }
            StepRef::Variable {
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
            StepRef::Matrix { name, value } => {
                kind(w, "matrix");
                w.raw_key("name");
                w.str(name);
                w.raw_key("value");
                w.str(value);
            }
            StepRef::Interpolated {
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
            StepRef::Set { flag } => {
                kind(w, "set");
                w.raw_key("flag");
                w.str(flag);
            }
            StepRef::Flag { flag } => {
                kind(w, "flag");
                w.raw_key("flag");
                w.str(flag);
            }
            StepRef::Default => kind(w, "default"),
        }
        w.close('}');
    }
    w.close(']');
    w.close('}');
}

fn json_place(w: &mut PrettyWriter, key: &str, at: &PlaceRef<'_>) {
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

fn json_source(w: &mut PrettyWriter, from: &SourceRef<'_>) {
    w.raw_key("from");
    w.open('{');
    w.raw_key("kind");
    match from {
        SourceRef::Default { at } => {
            w.str("default");
            json_place(w, "at", at);
        }
        SourceRef::Environment { name } => {
            w.str("environment");
            w.raw_key("name");
            w.str(name);
        }
        SourceRef::DotEnv { file } => {
            w.str("dot_env");
            w.raw_key("file");
            w.str(file);
        }
        SourceRef::VarFlag { flag } => {
            w.str("var_flag");
            w.raw_key("flag");
            w.str(flag);
        }
        SourceRef::Unset => w.str("unset"),
    }
    w.close('}');
}
