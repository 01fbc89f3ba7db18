//! Interpolation of a parsed file: every string through [`crate::interp::substitute`], with
//! compose-go's casts for the keys the build subset reads.

use crate::interp;
use crate::loader::{err, matches, next, Interp, Loader, Res};
use crate::yaml::{Map, Value};

impl Loader<'_> {
    fn interpolate(
        &mut self,
        v: Value,
        path: &[String],
        errs: &mut Vec<(Vec<String>, String)>,
    ) -> Value {
        match v {
            Value::Str(s) => {
                let mut unset = Vec::new();
                let seen = std::cell::RefCell::new(Vec::<(String, Option<String>)>::new());
                let r = interp::substitute(
                    &s,
                    &|k| {
                        let v = self.lookup(k);
                        if self.record {
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
                    self.interps.push(Interp {
                        path: path.to_vec(),
                        template: s.clone(),
                        lookups,
                    });
                }
                for n in unset {
                    if self.warn {
                        self.warnings.push(*err(format!(
                            "The {n:?} variable is not set. Defaulting to a blank string."
                        )));
                    }
                }
                match r {
                    Ok(s) => cast(path, s),
                    Err(interp::TemplateError::Invalid(t)) => {
                        errs.push((
                            path.to_vec(),
                            format!(
                                "invalid interpolation format for {}.\nYou may need to escape any $ with another $.\n{t}",
                                path.join(".")
                            ),
                        ));
                        Value::Str(s)
                    }
                    Err(e) => {
                        errs.push((
                            path.to_vec(),
                            format!("error while interpolating {}: {e}", path.join(".")),
                        ));
                        Value::Str(s)
                    }
                }
            }
            Value::Map(m) => Value::Map(
                m.into_iter()
                    .map(|(k, v)| {
                        let p = next(path, &k);
                        let v = self.interpolate(v, &p, errs);
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Seq(items) => {
                let p = next(path, "[]");
                Value::Seq(
                    items
                        .into_iter()
                        .map(|v| self.interpolate(v, &p, errs))
                        .collect(),
                )
            }
            other => other,
        }
    }

    pub(crate) fn interpolate_root(&mut self, cfg: Map) -> Res<Map> {
        let mut errs = Vec::new();
        let mut out = Map::new();
        for (k, v) in cfg {
            let p = vec![k.clone()];
            let v = self.interpolate(v, &p, &mut errs);
            out.insert(k, v);
        }
        if errs.is_empty() {
            Ok(out)
        } else {
            errs.sort_by(|a, b| a.0.cmp(&b.0));
            let first = errs.first().map(|e| e.0.join(".")).unwrap_or_default();
            let msgs: Vec<String> = errs.into_iter().map(|e| e.1).collect();
            Err(Box::new(err(msgs.join("\n")).with_path(first)))
        }
    }
}

/// The interpolation casts that matter for the build subset.
pub(crate) fn cast(path: &[String], s: String) -> Value {
    let p = |pat: &str| matches(path, pat);
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
