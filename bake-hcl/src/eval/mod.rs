//! The expression evaluator: HCL semantics over our syntax tree, with cty's conversions.
//!
//! Global names (variables, attributes, block references, user functions) come from an
//! [`Env`] that resolves them lazily; locals (for-expression and matrix variables, function
//! parameters) live in a stack here.
//!
//! This file holds [`Evaluator::eval`] (limits, then one method per kind of expression) and
//! the simple kinds; the others have a file each: `operators` (unary, binary, conditional),
//! `template`, `for_expr`, `traversal` (attributes, indexes, splats, block references) and
//! `call` (builtins, user functions, `try`, `can`, `convert`).

mod call;
mod for_expr;
mod operators;
mod template;
mod traversal;

use std::sync::Arc;

use crate::error::{ErrorKind, HclError, Result};
use crate::parse::ast::{Expr, ExprKind, Ident, ObjKey, Span};
use crate::value::{convert, Type, Value, ValueMap};

/// How deep expressions may nest (and user functions call each other) before evaluation
/// stops with an error instead of overflowing the stack.
pub const MAX_DEPTH: usize = crate::limits::MAX_NESTING;

/// What the evaluator asks its surroundings for.
pub trait Env {
    /// A global name: a variable, attribute or builtin.
    ///
    /// # Errors
    /// Unknown names (with a suggestion) and errors evaluating the variable.
    fn global(&mut self, id: &Ident) -> Result<Value>;

    /// Whether `name` is a block type (`target`, `group`) that can be referenced.
    fn is_block_type(&self, name: &str) -> bool;

    /// `TYPE.NAME.FIELD` (or the whole block when `field` is `None`).
    ///
    /// # Errors
    /// Unknown blocks and errors evaluating the field.
    fn block_ref(&mut self, ty: &str, name: &Ident, field: Option<&Ident>) -> Result<Value>;

    /// Calls a user-defined function, if one with this name exists; `depth` is the nesting
    /// depth of the call, which the function's result expression continues from.
    ///
    /// # Errors
    /// Errors in the function's result expression.
    fn call_user(
        &mut self,
        name: &Ident,
        args: Vec<Value>,
        span: Span,
        depth: usize,
    ) -> Option<Result<Value>>;

    /// Counts one evaluation step; `false` once [`crate::limits::MAX_EVAL_STEPS`] are spent.
    fn step(&mut self) -> bool {
        true
    }

    /// Notes a type keyword (`string`) used in a `convert` call; buildx fails when the same
    /// keyword is used twice in one evaluation context (it takes it for a variable cycle).
    ///
    /// # Errors
    /// On the second use in the same context.
    fn type_keyword(&mut self, id: &Ident) -> Result<()>;

    /// Whether a user-defined function with this name exists.
    fn has_user_function(&self, name: &str) -> bool;

    /// The injected environment of builtin functions.
    fn fn_env(&self) -> &crate::functions::FnEnv;

    /// User function names (for suggestions).
    fn user_function_names(&self) -> Vec<String>;
}

/// An evaluator over one environment.
pub struct Evaluator<'e> {
    env: &'e mut dyn Env,
    locals: Vec<(Arc<str>, Value)>,
    depth: usize,
}

/// An error about `span`.
fn err(kind: ErrorKind, span: Span, msg: impl Into<String>) -> Box<HclError> {
    Box::new(HclError::new(kind, Some(span), msg))
}

impl<'e> Evaluator<'e> {
    /// An evaluator with no locals.
    pub fn new(env: &'e mut dyn Env) -> Evaluator<'e> {
        Evaluator {
            env,
            locals: Vec::new(),
            depth: 0,
        }
    }

    /// An evaluator with these locals (matrix values, function parameters).
    pub fn with_locals(
        env: &'e mut dyn Env,
        locals: Vec<(Arc<str>, Value)>,
        depth: usize,
    ) -> Evaluator<'e> {
        Evaluator { env, locals, depth }
    }

    /// The innermost local with this name.
    fn local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }

    /// Evaluates an expression.
    ///
    /// # Errors
    /// Any evaluation error, with the span of the offending expression.
    pub fn eval(&mut self, e: &Expr) -> Result<Value> {
        if self.depth >= MAX_DEPTH {
            return Err(err(
                ErrorKind::Limit,
                e.span,
                format!("expression nesting exceeds the limit of {MAX_DEPTH} levels"),
            )
            .with_help("expressions, including calls of user functions, nest too deeply"));
        }
        if !self.env.step() {
            return Err(err(
                ErrorKind::Limit,
                e.span,
                format!(
                    "evaluation exceeds the limit of {} steps",
                    crate::limits::MAX_EVAL_STEPS
                ),
            )
            .with_help(
                "the file evaluates too many expressions (nested `for` over large collections?)",
            ));
        }
        self.depth += 1;
        let r = self.eval_inner(e);
        self.depth -= 1;
        let v = r?;
        // Values built here (not passed through from a variable) must stay within the size
        // limit, so that nothing can double its way out of memory.
        if matches!(
            e.kind,
            ExprKind::Template(_)
                | ExprKind::Tuple(_)
                | ExprKind::Object(_)
                | ExprKind::Call(_)
                | ExprKind::For(_)
                | ExprKind::Binary(..)
        ) {
            check_size(&v, e.span)?;
        }
        Ok(v)
    }

    /// One step of [`Evaluator::eval`]: a method for each kind of expression.
    fn eval_inner(&mut self, e: &Expr) -> Result<Value> {
        match &e.kind {
            ExprKind::Lit(v) => Ok(v.clone()),
            ExprKind::Paren(inner) => self.eval(inner),
            ExprKind::Template(parts) => self.template_value(parts),
            ExprKind::Tuple(items) => self.tuple(items),
            ExprKind::Object(items) => self.object(items),
            ExprKind::Var(id) => self.var(id),
            ExprKind::Traversal(root, ops) => self.traversal(root, ops, e.span),
            ExprKind::Call(c) => self.call(&c.name, &c.args, c.expand, e.span),
            ExprKind::Cond(c, a, b) => self.conditional(c, a, b),
            ExprKind::Unary(op, x) => self.unary(*op, x),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::For(f) => self.for_expr(f),
        }
    }

    /// `[a, b]`
    fn tuple(&mut self, items: &[Expr]) -> Result<Value> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(self.eval(i)?);
        }
        Ok(Value::tuple(out))
    }

    /// `{ k = v }`: a key that is an expression must convert to a string.
    fn object(&mut self, items: &[(ObjKey, Expr)]) -> Result<Value> {
        let mut out = ValueMap::new();
        for (k, v) in items {
            let key = match k {
                ObjKey::Ident(id) => id.name.to_string(),
                ObjKey::Expr(ke) => {
                    let kv = self.eval(ke)?;
                    match convert(&kv, &Type::String) {
                        Ok(Value::String(s)) => s.to_string(),
                        Ok(_) => {
                            return Err(err(
                                ErrorKind::Type,
                                ke.span,
                                "object key must not be null",
                            ))
                        }
                        Err(m) => {
                            return Err(err(
                                ErrorKind::Type,
                                ke.span,
                                format!("invalid object key: {m}"),
                            ))
                        }
                    }
                }
            };
            let val = self.eval(v)?;
            out.insert(key, val);
        }
        Ok(Value::object(out))
    }

    /// A name: a local, else a global from the [`Env`] (a block type alone is an error).
    fn var(&mut self, id: &Ident) -> Result<Value> {
        if let Some(v) = self.local(&id.name) {
            return Ok(v.clone());
        }
        if self.env.is_block_type(&id.name) {
            return Err(err(
                ErrorKind::Eval,
                id.span,
                format!("cannot access `{}` as a variable", id.name),
            )
            .with_help(format!("refer to a field: `{}.NAME.FIELD`", id.name)));
        }
        self.env.global(id)
    }
}

/// Refuses a value over [`crate::limits::MAX_VALUE_SIZE`] or nested too deeply.
fn check_size(v: &Value, span: Span) -> Result<()> {
    match v {
        Value::String(s) if s.len() <= crate::limits::MAX_VALUE_SIZE => Ok(()),
        Value::Null(_) | Value::Bool(_) | Value::Number(_) => Ok(()),
        _ => crate::limits::value_size(v, crate::limits::MAX_VALUE_SIZE)
            .map(|_| ())
            .map_err(|o| {
                err(
                    ErrorKind::Limit,
                    span,
                    o.message("the value of this expression"),
                )
            }),
    }
}

/// [`HclError`]'s builder methods on a boxed error.
trait WithHelp {
    fn with_help(self, h: impl Into<String>) -> Self;
    fn with_label(self, l: impl Into<String>) -> Self;
}

impl WithHelp for Box<HclError> {
    fn with_help(self, h: impl Into<String>) -> Self {
        Box::new((*self).with_help(h))
    }
    fn with_label(self, l: impl Into<String>) -> Self {
        Box::new((*self).with_label(l))
    }
}
