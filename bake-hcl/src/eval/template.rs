//! Templates: strings with interpolations and `%{ if }` / `%{ for }` directives, rendered
//! as HCL renders them (only strings, numbers and bools interpolate).

use super::for_expr::iter_pairs;
use super::{err, Evaluator};
use crate::error::{ErrorKind, Result};
use crate::parse::ast::{Span, TplFor, TplIf, TplPart};
use crate::value::Value;

impl Evaluator<'_> {
    /// A template's string; a template that is a single interpolation is that value,
    /// unchanged (`"${x}"` is `x`, whatever its type).
    pub(super) fn template_value(&mut self, parts: &[TplPart]) -> Result<Value> {
        if let [TplPart::Interp(x)] = parts {
            return self.eval(x);
        }
        let mut out = String::new();
        self.template(parts, &mut out)?;
        Ok(Value::string(out))
    }

    fn template(&mut self, parts: &[TplPart], out: &mut String) -> Result<()> {
        for p in parts {
            match p {
                TplPart::Lit(s) => out.push_str(s),
                TplPart::Interp(x) => {
                    let v = self.eval(x)?;
                    interp_str(&v, x.span, out)?;
                    if out.len() > crate::limits::MAX_VALUE_SIZE {
                        return Err(err(
                            ErrorKind::Limit,
                            x.span,
                            crate::limits::Oversize::Size.message("the template result"),
                        ));
                    }
                }
                TplPart::If(d) => {
                    let TplIf { cond, then, els } = &**d;
                    let cv = self.eval(cond)?;
                    if cv.is_null() {
                        return Err(err(
                            ErrorKind::Type,
                            cond.span,
                            "invalid template if condition: the condition value is null",
                        ));
                    }
                    if Self::bool_operand(&cv, cond.span, "template if condition")? {
                        self.template(then, out)?;
                    } else {
                        self.template(els, out)?;
                    }
                }
                TplPart::For(d) => {
                    let TplFor {
                        key,
                        val,
                        coll,
                        body,
                    } = &**d;
                    let cv = self.eval(coll)?;
                    let items = iter_pairs(&cv, coll.span)?;
                    for (k, v) in items {
                        let n = self.locals.len();
                        if let Some(key) = key {
                            self.locals.push((key.name.clone(), k));
                        }
                        self.locals.push((val.name.clone(), v));
                        let r = self.template(body, out);
                        self.locals.truncate(n);
                        r?;
                        if out.len() > crate::limits::MAX_VALUE_SIZE {
                            return Err(err(
                                ErrorKind::Limit,
                                coll.span,
                                crate::limits::Oversize::Size.message("the template result"),
                            ));
                        }
                        if !self.env.step() {
                            return Err(err(
                                ErrorKind::Limit,
                                coll.span,
                                format!(
                                    "evaluation exceeds the limit of {} steps",
                                    crate::limits::MAX_EVAL_STEPS
                                ),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Appends a value to a template, as HCL does: strings, numbers and bools only.
fn interp_str(v: &Value, span: Span, out: &mut String) -> Result<()> {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null(_) => {
            return Err(err(
                ErrorKind::Type,
                span,
                "invalid template interpolation value: the expression result is null",
            ))
        }
        other => {
            return Err(err(
                ErrorKind::Type,
                span,
                format!(
                "invalid template interpolation value: cannot include a {} in a string template",
                other.ty().friendly_name()
            ),
            ))
        }
    }
    Ok(())
}
