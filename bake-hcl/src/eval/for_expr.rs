//! `for` expressions: `[for k, v in coll : expr if cond]` and
//! `{for k, v in coll : key => value... if cond}`, with the size limit counted as elements
//! arrive.

use std::collections::BTreeMap;

use super::{err, Evaluator, WithHelp};
use crate::error::{ErrorKind, Result};
use crate::parse::ast::{ForExpr, Span};
use crate::value::{convert, Type, Value};

/// What a `for` expression has produced so far, and the size budget left for it: counted as
/// elements arrive, so that the result cannot run out of memory before the size check on
/// the whole value.
struct ForResult {
    list: Vec<Value>,
    obj: BTreeMap<String, Value>,
    groups: BTreeMap<String, Vec<Value>>,
    budget: usize,
}

impl ForResult {
    /// Counts `v` against the budget.
    fn take(&mut self, v: &Value, span: Span) -> Result<()> {
        let n = crate::limits::value_size(v, self.budget).map_err(|o| {
            err(
                ErrorKind::Limit,
                span,
                o.message("the result of this `for`"),
            )
        })?;
        self.budget -= n;
        Ok(())
    }
}

impl Evaluator<'_> {
    /// A `for` expression: its element for each item of the collection, with the key and
    /// value variables bound.
    pub(super) fn for_expr(&mut self, f: &ForExpr) -> Result<Value> {
        let cv = self.eval(&f.coll)?;
        let items = iter_pairs(&cv, f.coll.span)?;
        let mut acc = ForResult {
            list: Vec::new(),
            obj: BTreeMap::new(),
            groups: BTreeMap::new(),
            budget: crate::limits::MAX_VALUE_SIZE,
        };
        for (k, v) in items {
            let n = self.locals.len();
            if let Some(key) = &f.key_var {
                self.locals.push((key.name.clone(), k));
            }
            self.locals.push((f.val_var.name.clone(), v));
            let r = self.for_element(f, &mut acc);
            self.locals.truncate(n);
            r?;
        }
        if f.key_expr.is_some() {
            if f.grouping {
                for (k, vs) in acc.groups {
                    acc.obj.insert(k, Value::tuple(vs));
                }
            }
            Ok(Value::object(acc.obj))
        } else {
            Ok(Value::tuple(acc.list))
        }
    }

    /// One item of a `for` (its variables bound): the `if` condition, then the key and value.
    fn for_element(&mut self, f: &ForExpr, acc: &mut ForResult) -> Result<()> {
        if let Some(c) = &f.cond {
            let cv = self.eval(c)?;
            if cv.is_null() {
                return Err(err(
                    ErrorKind::Type,
                    c.span,
                    "invalid for condition: the condition value is null",
                ));
            }
            if !Self::bool_operand(&cv, c.span, "for condition")? {
                return Ok(());
            }
        }
        if let Some(ke) = &f.key_expr {
            let kv = self.eval(ke)?;
            let key = match convert(&kv, &Type::String) {
                Ok(Value::String(s)) => s.to_string(),
                _ => {
                    return Err(err(
                        ErrorKind::Type,
                        ke.span,
                        format!(
                            "invalid object key: a string is required, got {}",
                            kv.ty().friendly_name()
                        ),
                    ))
                }
            };
            let vv = self.eval(&f.val_expr)?;
            if f.grouping {
                acc.take(&vv, f.val_expr.span)?;
                acc.groups.entry(key).or_default().push(vv);
            } else {
                if acc.obj.contains_key(&key) {
                    return Err(err(
                        ErrorKind::Eval,
                        ke.span,
                        format!("duplicate object key `{key}`"),
                    )
                    .with_help(
                        "add `...` after the value expression to group values with the same key",
                    ));
                }
                acc.take(&vv, f.val_expr.span)?;
                acc.obj.insert(key, vv);
            }
        } else {
            let vv = self.eval(&f.val_expr)?;
            acc.take(&vv, f.val_expr.span)?;
            acc.list.push(vv);
        }
        Ok(())
    }
}

/// The (key, value) pairs a `for` iterates: index/value for sequences, key/value for maps.
pub(super) fn iter_pairs(v: &Value, span: Span) -> Result<Vec<(Value, Value)>> {
    match v {
        Value::List(e) | Value::Tuple(e) => Ok(e
            .iter()
            .enumerate()
            .map(|(i, x)| (Value::int(i as i64), x.clone()))
            .collect()),
        Value::Set(e) => Ok(e.iter().map(|x| (x.clone(), x.clone())).collect()),
        Value::Map(m) | Value::Object(m) => {
            Ok(m.iter().map(|(k, x)| (Value::string(k.as_str()), x.clone())).collect())
        }
        Value::Null(_) => Err(err(
            ErrorKind::Type,
            span,
            "iteration over null value: a null value cannot be used as the collection in a `for` expression",
        )),
        other => Err(err(
            ErrorKind::Type,
            span,
            format!(
                "iteration over non-iterable value: a value of type {} cannot be used as the collection in a `for` expression",
                other.ty().friendly_name()
            ),
        )),
    }
}
