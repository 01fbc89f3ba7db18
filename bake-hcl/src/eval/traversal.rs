//! Traversals: `.attr`, `[index]`, legacy `.0`, splats (`.*`, `[*]`), and lazy references
//! into blocks (`target.NAME.FIELD`), which the [`Env`](super::Env) resolves.

use bake_core::api::frontend::did_you_mean;

use super::{err, Evaluator, WithHelp};
use crate::error::{ErrorKind, Result};
use crate::number::Number;
use crate::parse::ast::{Expr, ExprKind, Ident, Span, TravOp};
use crate::value::{convert, Type, Value};

impl Evaluator<'_> {
    /// `root` followed by its traversal operators.
    pub(super) fn traversal(&mut self, root: &Expr, ops: &[TravOp], span: Span) -> Result<Value> {
        // `target.NAME.FIELD`: a lazy reference into a block.
        if let ExprKind::Var(id) = &root.kind {
            if self.local(&id.name).is_none() && self.env.is_block_type(&id.name) {
                return self.block_reference(id, ops, span);
            }
        }
        let base = self.eval(root)?;
        self.apply_ops(base, ops)
    }

    /// `TYPE.NAME.FIELD...` where `TYPE` (`id`) is a block type: the block's field (or the
    /// whole block), then the remaining operators.
    fn block_reference(&mut self, id: &Ident, ops: &[TravOp], span: Span) -> Result<Value> {
        let name = match ops.first() {
            Some(TravOp::Attr(n)) => n.clone(),
            Some(TravOp::Index(ix)) => {
                let v = self.eval(ix)?;
                match convert(&v, &Type::String) {
                    Ok(Value::String(s)) => Ident {
                        name: s,
                        span: ix.span,
                    },
                    _ => {
                        return Err(err(
                            ErrorKind::Eval,
                            ix.span,
                            format!("cannot traverse `{}` with this key", id.name),
                        ))
                    }
                }
            }
            _ => {
                return Err(err(
                    ErrorKind::Eval,
                    span,
                    format!("cannot traverse `{}` without attribute", id.name),
                ))
            }
        };
        let field = match ops.get(1) {
            Some(TravOp::Attr(f)) => Some(f.clone()),
            _ => None,
        };
        let base = self.env.block_ref(&id.name, &name, field.as_ref())?;
        let rest = if field.is_some() {
            &ops[2..]
        } else {
            &ops[1..]
        };
        self.apply_ops(base, rest)
    }

    fn apply_ops(&mut self, mut v: Value, ops: &[TravOp]) -> Result<Value> {
        for (i, op) in ops.iter().enumerate() {
            match op {
                TravOp::Attr(name) => v = get_attr(&v, name)?,
                TravOp::Index(ix) => {
                    let k = self.eval(ix)?;
                    v = index(&v, &k, ix.span)?;
                }
                TravOp::LegacyIndex(n, sp) => {
                    v = index(&v, &Value::Number(Number::from_u64(*n)), *sp)?;
                }
                TravOp::AttrSplat(_) | TravOp::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let (elems, as_list) = match &v {
                        Value::Null(_) => return Ok(Value::tuple(vec![])),
                        Value::List(e) | Value::Set(e) => (e.to_vec(), true),
                        Value::Tuple(e) => (e.to_vec(), false),
                        other => (vec![other.clone()], false),
                    };
                    let mut out = Vec::with_capacity(elems.len());
                    for el in elems {
                        out.push(self.apply_ops(el, rest)?);
                    }
                    return Ok(if as_list {
                        Value::list(out)
                    } else {
                        Value::tuple(out)
                    });
                }
            }
        }
        Ok(v)
    }
}

/// `v.name`
fn get_attr(v: &Value, name: &Ident) -> Result<Value> {
    match v {
        Value::Object(m) => m.get(&*name.name).cloned().ok_or_else(|| {
            let mut e = err(
                ErrorKind::Eval,
                name.span,
                format!(
                    "unsupported attribute: this object does not have an attribute named `{}`",
                    name.name
                ),
            );
            if let Some(s) = did_you_mean(&name.name, m.keys().map(String::as_str)) {
                e = e.with_help(s);
            }
            e
        }),
        Value::Map(m) => m.get(&*name.name).cloned().ok_or_else(|| {
            err(
                ErrorKind::Eval,
                name.span,
                format!(
                    "missing map element: this map does not have an element with the key `{}`",
                    name.name
                ),
            )
        }),
        Value::Null(_) => Err(err(
            ErrorKind::Eval,
            name.span,
            format!("attempt to get attribute `{}` from null value", name.name),
        )),
        other => Err(err(
            ErrorKind::Eval,
            name.span,
            format!(
                "unsupported attribute: can't access attribute `{}` on a {} value",
                name.name,
                other.ty().friendly_name()
            ),
        )),
    }
}

/// `v[k]`
fn index(v: &Value, k: &Value, span: Span) -> Result<Value> {
    match v {
        Value::List(e) | Value::Tuple(e) => {
            let Ok(Value::Number(n)) = convert(k, &Type::Number) else {
                return Err(err(
                    ErrorKind::Type,
                    span,
                    format!(
                        "invalid index: a number is required to index a sequence, got {}",
                        k.ty().friendly_name()
                    ),
                ));
            };
            let i = n.to_i64().filter(|i| *i >= 0 && (*i as usize) < e.len());
            match i {
                Some(i) => Ok(e[i as usize].clone()),
                None => Err(err(
                    ErrorKind::Eval,
                    span,
                    format!(
                        "invalid index: the given key does not identify an element in this collection value (index {n}, length {})",
                        e.len()
                    ),
                )),
            }
        }
        Value::Map(m) | Value::Object(m) => {
            let Ok(Value::String(key)) = convert(k, &Type::String) else {
                return Err(err(
                    ErrorKind::Type,
                    span,
                    format!(
                        "invalid index: a string key is required, got {}",
                        k.ty().friendly_name()
                    ),
                ));
            };
            m.get(&*key).cloned().ok_or_else(|| {
                err(
                    ErrorKind::Eval,
                    span,
                    format!("invalid index: the given key `{key}` does not identify an element in this collection value"),
                )
            })
        }
        Value::Null(_) => Err(err(
            ErrorKind::Eval,
            span,
            "attempt to index null value",
        )),
        Value::Set(_) => Err(err(
            ErrorKind::Eval,
            span,
            "invalid index: elements of a set are identified only by their value and don't have any separate index or key to select with",
        )),
        other => Err(err(
            ErrorKind::Eval,
            span,
            format!("invalid index: this value does not have any indices ({})", other.ty().friendly_name()),
        )),
    }
}
