//! Interpolation of a parsed file: every string through [`crate::template::substitute`],
//! with compose-go's casts for the keys the build subset reads.

use std::cell::RefCell;

use crate::loader::{child_path, error, path_matches, LoadResult, Loader, RecordedInterpolation};
use crate::template::{self, TemplateError};
use crate::yaml::{Map, Value};

/// A failed interpolation: the path of the value and the message.
type InterpolationError = (Vec<String>, String);

impl Loader<'_> {
    /// Interpolates every string of a document. Errors are collected for the whole document
    /// and reported together, sorted by path.
    pub(crate) fn interpolate_document(&mut self, document: Map) -> LoadResult<Map> {
        let mut errors = Vec::new();
        let mut out = Map::new();
        for (k, v) in document {
            let p = vec![k.clone()];
            let v = self.interpolate_value(v, &p, &mut errors);
            out.insert(k, v);
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            errors.sort_by(|a, b| a.0.cmp(&b.0));
            let first = errors.first().map(|e| e.0.join(".")).unwrap_or_default();
            let messages: Vec<String> = errors.into_iter().map(|e| e.1).collect();
            Err(Box::new(error(messages.join("\n")).with_path(first)))
        }
    }

    fn interpolate_value(
        &mut self,
        v: Value,
        path: &[String],
        errors: &mut Vec<InterpolationError>,
    ) -> Value {
        match v {
            Value::Str(s) => self.interpolate_string(s, path, errors),
            Value::Map(m) => Value::Map(
                m.into_iter()
                    .map(|(k, v)| {
                        let p = child_path(path, &k);
                        let v = self.interpolate_value(v, &p, errors);
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Seq(items) => {
                let p = child_path(path, "[]");
                Value::Seq(
                    items
                        .into_iter()
                        .map(|v| self.interpolate_value(v, &p, errors))
                        .collect(),
                )
            }
            other => other,
        }
    }

    fn interpolate_string(
        &mut self,
        s: String,
        path: &[String],
        errors: &mut Vec<InterpolationError>,
    ) -> Value {
        let mut unset = Vec::new();
        let seen = RefCell::new(Vec::<(String, Option<String>)>::new());
        let result = template::substitute(
            &s,
            &|k| {
                let v = self.variable(k);
                if self.record_interpolations {
                    seen.borrow_mut().push((k.to_string(), v.clone()));
                }
                v
            },
            &mut |n| {
                unset.push(n.to_string());
            },
        );
        let lookups = seen.into_inner();
        if !lookups.is_empty() {
            self.interpolations.push(RecordedInterpolation {
                path: path.to_vec(),
                template: s.clone(),
                lookups,
            });
        }
        for n in unset {
            if self.warn_unset_variables {
                self.warnings.push(*error(format!(
                    "The {n:?} variable is not set. Defaulting to a blank string."
                )));
            }
        }
        match result {
            Ok(s) => cast_interpolated(path, s),
            Err(TemplateError::Invalid(t)) => {
                errors.push((
                    path.to_vec(),
                    format!(
                        "invalid interpolation format for {}.\nYou may need to escape any $ with another $.\n{t}",
                        path.join(".")
                    ),
                ));
                Value::Str(s)
            }
            Err(e) => {
                errors.push((
                    path.to_vec(),
                    format!("error while interpolating {}: {e}", path.join(".")),
                ));
                Value::Str(s)
            }
        }
    }
}

/// The interpolation casts that matter for the build subset.
fn cast_interpolated(path: &[String], s: String) -> Value {
    let p = |pat: &str| path_matches(path, pat);
    if p("services.*.ulimits.*") || p("services.*.ulimits.*.hard") || p("services.*.ulimits.*.soft")
    {
        if let Ok(i) = s.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if p("services.*.privileged")
        || p("services.*.init")
        || p("services.*.read_only")
        || p("services.*.tty")
        || p("services.*.stdin_open")
        || p("secrets.*.external")
    {
        match s.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "on" => return Value::Bool(true),
            "n" | "no" | "false" | "off" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::Str(s)
}
