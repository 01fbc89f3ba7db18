//! Operators: `-x` and `!x`, the binary operators (`&&` and `||` short-circuit), and the
//! conditional `c ? a : b`, whose result cty converts to the type both branches unify to.

use super::{err, Evaluator};
use crate::error::{ErrorKind, Result};
use crate::number::Number;
use crate::parse::ast::{BinOp, Expr, Span, UnOp};
use crate::value::{convert, unify, Type, Value};

impl Evaluator<'_> {
    /// `-x` and `!x`.
    pub(super) fn unary(&mut self, op: UnOp, x: &Expr) -> Result<Value> {
        let v = self.eval(x)?;
        match op {
            UnOp::Neg => {
                let n = Self::number_operand(&v, x.span, "operand")?;
                Ok(Value::Number(n.neg()))
            }
            UnOp::Not => {
                let b = Self::bool_operand(&v, x.span, "operand")?;
                Ok(Value::Bool(!b))
            }
        }
    }

    pub(super) fn number_operand(v: &Value, span: Span, which: &str) -> Result<Number> {
        match convert(v, &Type::Number) {
            Ok(Value::Number(n)) => Ok(n),
            Ok(_) => Err(err(
                ErrorKind::Type,
                span,
                format!("invalid {which}: a number is required, got null"),
            )),
            Err(_) => Err(err(
                ErrorKind::Type,
                span,
                format!(
                    "invalid {which}: a number is required, got {}",
                    v.ty().friendly_name()
                ),
            )),
        }
    }

    pub(super) fn bool_operand(v: &Value, span: Span, which: &str) -> Result<bool> {
        match convert(v, &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(_) => Err(err(
                ErrorKind::Type,
                span,
                format!("invalid {which}: a bool is required, got null"),
            )),
            Err(_) => Err(err(
                ErrorKind::Type,
                span,
                format!(
                    "invalid {which}: a bool is required, got {}",
                    v.ty().friendly_name()
                ),
            )),
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Result<Value> {
        match op {
            BinOp::And | BinOp::Or => {
                let lv = self.eval(l)?;
                let lb = Self::bool_operand(&lv, l.span, "left operand")?;
                if op == BinOp::And && !lb {
                    return Ok(Value::Bool(false));
                }
                if op == BinOp::Or && lb {
                    return Ok(Value::Bool(true));
                }
                let rv = self.eval(r)?;
                let rb = Self::bool_operand(&rv, r.span, "right operand")?;
                Ok(Value::Bool(rb))
            }
            BinOp::Eq | BinOp::NotEq => {
                let lv = self.eval(l)?;
                let rv = self.eval(r)?;
                let eq = lv.equals(&rv);
                Ok(Value::Bool(if op == BinOp::Eq { eq } else { !eq }))
            }
            _ => {
                let lv = self.eval(l)?;
                let rv = self.eval(r)?;
                let a = Self::number_operand(&lv, l.span, "left operand")?;
                let b = Self::number_operand(&rv, r.span, "right operand")?;
                let v = match op {
                    BinOp::Add => Value::Number(
                        a.try_add(&b)
                            .map_err(|m| err(ErrorKind::Eval, span, m.to_string()))?,
                    ),
                    BinOp::Sub => Value::Number(
                        a.try_sub(&b)
                            .map_err(|m| err(ErrorKind::Eval, span, m.to_string()))?,
                    ),
                    BinOp::Mul => Value::Number(
                        a.try_mul(&b)
                            .map_err(|m| err(ErrorKind::Eval, span, m.to_string()))?,
                    ),
                    BinOp::Div => Value::Number(
                        a.div(&b)
                            .map_err(|m| err(ErrorKind::Eval, span, m.to_string()))?,
                    ),
                    BinOp::Mod => Value::Number(
                        a.rem(&b)
                            .map_err(|m| err(ErrorKind::Eval, span, m.to_string()))?,
                    ),
                    BinOp::Less => Value::Bool(a.less_than(&b)),
                    BinOp::LessEq => Value::Bool(a.less_or_equal(&b)),
                    BinOp::Greater => Value::Bool(a.greater_than(&b)),
                    BinOp::GreaterEq => Value::Bool(a.greater_or_equal(&b)),
                    // handled above; kept total so no input can reach a panic
                    BinOp::And | BinOp::Or | BinOp::Eq | BinOp::NotEq => Value::NULL,
                };
                Ok(v)
            }
        }
    }

    pub(super) fn conditional(&mut self, c: &Expr, a: &Expr, b: &Expr) -> Result<Value> {
        let cv = self.eval(c)?;
        if cv.is_null() {
            return Err(err(
                ErrorKind::Type,
                c.span,
                "invalid condition: the condition value is null",
            ));
        }
        let cond = Self::bool_operand(&cv, c.span, "condition")?;
        let (chosen, other) = if cond { (a, b) } else { (b, a) };
        let v = self.eval(chosen)?;
        // cty unifies both branches' types; errors in the other branch do not matter.
        if let Ok(ov) = self.eval(other) {
            let (ta, tb) = (v.ty(), ov.ty());
            if ta != tb && !v.is_null() && !ov.is_null() {
                if let Some(t) = unify(&[ta, tb]) {
                    if let Ok(cv) = convert(&v, &t) {
                        return Ok(cv);
                    }
                }
            }
        }
        Ok(v)
    }
}
