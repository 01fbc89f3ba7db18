//! The expression evaluator: HCL semantics over our syntax tree, with cty's conversions.
//!
//! Global names (variables, attributes, block references, user functions) come from an
//! [`Env`] that resolves them lazily; locals (for-expression and matrix variables, function
//! parameters) live in a stack here.

use std::collections::BTreeMap;
use std::sync::Arc;

use bake_core::util::did_you_mean;

use crate::error::{ErrorKind, HclError, Result};
use crate::number::Number;
use crate::parse::ast::{
    BinOp, Expr, ExprKind, ForExpr, Ident, ObjKey, Span, TplPart, TravOp, UnOp,
};
use crate::value::{convert, unify, Type, Value, ValueMap};

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
                | ExprKind::Call { .. }
                | ExprKind::For(_)
                | ExprKind::Binary(..)
        ) {
            check_size(&v, e.span)?;
        }
        Ok(v)
    }

    #[allow(clippy::too_many_lines)]
    fn eval_inner(&mut self, e: &Expr) -> Result<Value> {
        match &e.kind {
            ExprKind::Lit(v) => Ok(v.clone()),
            ExprKind::Paren(inner) => self.eval(inner),
            ExprKind::Template(parts) => {
                if let [TplPart::Interp(x)] = parts.as_slice() {
                    return self.eval(x);
                }
                let mut out = String::new();
                self.template(parts, &mut out)?;
                Ok(Value::string(out))
            }
            ExprKind::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Ok(Value::tuple(out))
            }
            ExprKind::Object(items) => {
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
            ExprKind::Var(id) => self.var(id),
            ExprKind::Traversal(root, ops) => self.traversal(root, ops, e.span),
            ExprKind::Call { name, args, expand } => self.call(name, args, *expand, e.span),
            ExprKind::Cond(c, a, b) => self.conditional(c, a, b),
            ExprKind::Unary(op, x) => {
                let v = self.eval(x)?;
                match op {
                    UnOp::Neg => {
                        let n = self.number_operand(&v, x.span, "operand")?;
                        Ok(Value::Number(n.neg()))
                    }
                    UnOp::Not => {
                        let b = self.bool_operand(&v, x.span, "operand")?;
                        Ok(Value::Bool(!b))
                    }
                }
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::For(f) => self.for_expr(f, e.span),
        }
    }

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

    fn number_operand(&self, v: &Value, span: Span, which: &str) -> Result<Number> {
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

    fn bool_operand(&self, v: &Value, span: Span, which: &str) -> Result<bool> {
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

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Result<Value> {
        match op {
            BinOp::And | BinOp::Or => {
                let lv = self.eval(l)?;
                let lb = self.bool_operand(&lv, l.span, "left operand")?;
                if op == BinOp::And && !lb {
                    return Ok(Value::Bool(false));
                }
                if op == BinOp::Or && lb {
                    return Ok(Value::Bool(true));
                }
                let rv = self.eval(r)?;
                let rb = self.bool_operand(&rv, r.span, "right operand")?;
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
                let a = self.number_operand(&lv, l.span, "left operand")?;
                let b = self.number_operand(&rv, r.span, "right operand")?;
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

    fn conditional(&mut self, c: &Expr, a: &Expr, b: &Expr) -> Result<Value> {
        let cv = self.eval(c)?;
        if cv.is_null() {
            return Err(err(
                ErrorKind::Type,
                c.span,
                "invalid condition: the condition value is null",
            ));
        }
        let cond = self.bool_operand(&cv, c.span, "condition")?;
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
                TplPart::If { cond, then, els } => {
                    let cv = self.eval(cond)?;
                    if cv.is_null() {
                        return Err(err(
                            ErrorKind::Type,
                            cond.span,
                            "invalid template if condition: the condition value is null",
                        ));
                    }
                    if self.bool_operand(&cv, cond.span, "template if condition")? {
                        self.template(then, out)?;
                    } else {
                        self.template(els, out)?;
                    }
                }
                TplPart::For {
                    key,
                    val,
                    coll,
                    body,
                } => {
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

    fn for_expr(&mut self, f: &ForExpr, span: Span) -> Result<Value> {
        let cv = self.eval(&f.coll)?;
        let items = iter_pairs(&cv, f.coll.span)?;
        let mut list = Vec::new();
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        // Counted as elements arrive: the result must not get out of memory before the size
        // check on the whole value.
        let mut budget = crate::limits::MAX_VALUE_SIZE;
        let mut take = |v: &Value| -> Result<()> {
            let n = crate::limits::value_size(v, budget).map_err(|o| {
                err(
                    ErrorKind::Limit,
                    f.val_expr.span,
                    o.message("the result of this `for`"),
                )
            })?;
            budget -= n;
            Ok(())
        };
        for (k, v) in items {
            let n = self.locals.len();
            if let Some(key) = &f.key_var {
                self.locals.push((key.name.clone(), k));
            }
            self.locals.push((f.val_var.name.clone(), v));
            let r = (|| -> Result<()> {
                if let Some(c) = &f.cond {
                    let cv = self.eval(c)?;
                    if cv.is_null() {
                        return Err(err(
                            ErrorKind::Type,
                            c.span,
                            "invalid for condition: the condition value is null",
                        ));
                    }
                    if !self.bool_operand(&cv, c.span, "for condition")? {
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
                        take(&vv)?;
                        groups.entry(key).or_default().push(vv);
                    } else {
                        if obj.contains_key(&key) {
                            return Err(err(
                                ErrorKind::Eval,
                                ke.span,
                                format!("duplicate object key `{key}`"),
                            )
                            .with_help("add `...` after the value expression to group values with the same key"));
                        }
                        take(&vv)?;
                        obj.insert(key, vv);
                    }
                } else {
                    let vv = self.eval(&f.val_expr)?;
                    take(&vv)?;
                    list.push(vv);
                }
                Ok(())
            })();
            self.locals.truncate(n);
            r?;
        }
        let _ = span;
        if f.key_expr.is_some() {
            if f.grouping {
                for (k, vs) in groups {
                    obj.insert(k, Value::tuple(vs));
                }
            }
            Ok(Value::object(obj))
        } else {
            Ok(Value::tuple(list))
        }
    }

    fn traversal(&mut self, root: &Expr, ops: &[TravOp], span: Span) -> Result<Value> {
        // `target.NAME.FIELD`: a lazy reference into a block.
        if let ExprKind::Var(id) = &root.kind {
            if self.local(&id.name).is_none() && self.env.is_block_type(&id.name) {
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
                return self.apply_ops(base, rest);
            }
        }
        let base = self.eval(root)?;
        self.apply_ops(base, ops)
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

    fn call(&mut self, name: &Ident, args: &[Expr], expand: bool, span: Span) -> Result<Value> {
        match &*name.name {
            "try" => {
                if args.is_empty() {
                    return Err(err(
                        ErrorKind::Arity,
                        span,
                        "function `try` requires at least one argument",
                    ));
                }
                let mut last = None;
                for a in args {
                    match self.eval(a) {
                        Ok(v) => return Ok(v),
                        Err(e) => last = Some(e),
                    }
                }
                let detail = last.map(|e| e.message.clone()).unwrap_or_default();
                return Err(err(
                    ErrorKind::Function,
                    span,
                    format!("no expression succeeded: {detail}"),
                ));
            }
            "can" => {
                if args.len() != 1 {
                    return Err(err(
                        ErrorKind::Arity,
                        span,
                        format!("function `can` takes 1 argument, got {}", args.len()),
                    ));
                }
                return Ok(Value::Bool(self.eval(&args[0]).is_ok()));
            }
            _ => {}
        }
        let mut vals = Vec::with_capacity(args.len());
        let mut spans = Vec::with_capacity(args.len());
        // `convert(value, type)`: the second argument is a type expression, not a value.
        if &*name.name == "convert" && args.len() == 2 && !expand {
            let v = self.eval(&args[0])?;
            let t = crate::parse::type_expr::type_expr(&args[1])?;
            let mut keywords = Vec::new();
            args[1].walk(&mut |x| {
                if let ExprKind::Var(id) = &x.kind {
                    keywords.push(id.clone());
                }
            });
            for k in &keywords {
                self.env.type_keyword(k)?;
            }
            vals.push(v);
            vals.push(Value::string(t.constraint_name()));
            spans.extend([args[0].span, args[1].span]);
            let f =
                crate::functions::lookup("convert").ok_or_else(|| self.unknown_function(name))?;
            return f
                .call(self.env.fn_env(), vals)
                .map_err(|fe| fn_error(fe, name, &spans, span));
        }
        for (i, a) in args.iter().enumerate() {
            let v = self.eval(a)?;
            if expand && i + 1 == args.len() {
                match &v {
                    Value::List(e) | Value::Set(e) | Value::Tuple(e) => {
                        for x in e.iter() {
                            vals.push(x.clone());
                            spans.push(a.span);
                        }
                    }
                    Value::Null(_) => {
                        return Err(err(
                            ErrorKind::Type,
                            a.span,
                            "invalid expanding argument value: the expanding argument (indicated with ...) must not be null",
                        ))
                    }
                    _ => {
                        return Err(err(
                            ErrorKind::Type,
                            a.span,
                            "invalid expanding argument value: the expanding argument (indicated with ...) must be of a tuple, list, or set type",
                        ))
                    }
                }
            } else {
                vals.push(v);
                spans.push(a.span);
            }
        }
        if self.env.has_user_function(&name.name) {
            if let Some(r) = self.env.call_user(name, vals, span, self.depth) {
                return r;
            }
            return Err(self.unknown_function(name));
        }
        let Some(f) = crate::functions::lookup(&name.name) else {
            return Err(self.unknown_function(name));
        };
        f.call(self.env.fn_env(), vals)
            .map_err(|fe| fn_error(fe, name, &spans, span))
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

impl Evaluator<'_> {
    fn unknown_function(&self, name: &Ident) -> Box<HclError> {
        let users = self.env.user_function_names();
        let mut cands: Vec<String> = users;
        cands.extend(crate::functions::names().map(str::to_string));
        let hint = did_you_mean(&name.name, cands.iter().map(String::as_str));
        let mut e = err(
            ErrorKind::UndefinedFunction,
            name.span,
            format!("call to unknown function `{}`", name.name),
        )
        .with_label("no such function");
        if let Some(s) = hint {
            e = e.with_help(s);
        }
        e
    }
}

fn fn_error(
    fe: crate::functions::FnError,
    name: &Ident,
    spans: &[Span],
    span: Span,
) -> Box<HclError> {
    match fe {
        crate::functions::FnError::Msg(m) => err(
            ErrorKind::Function,
            span,
            format!("error in function call `{}`: {m}", name.name),
        ),
        crate::functions::FnError::Arg(i, m) => err(
            ErrorKind::Function,
            spans.get(i).copied().unwrap_or(span),
            format!("invalid argument {} to `{}`: {m}", i + 1, name.name),
        ),
    }
}

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

/// The (key, value) pairs a `for` iterates: index/value for sequences, key/value for maps.
fn iter_pairs(v: &Value, span: Span) -> Result<Vec<(Value, Value)>> {
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
            let n = match convert(k, &Type::Number) {
                Ok(Value::Number(n)) => n,
                _ => {
                    return Err(err(
                        ErrorKind::Type,
                        span,
                        format!(
                            "invalid index: a number is required to index a sequence, got {}",
                            k.ty().friendly_name()
                        ),
                    ))
                }
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
            let key = match convert(k, &Type::String) {
                Ok(Value::String(s)) => s,
                _ => {
                    return Err(err(
                        ErrorKind::Type,
                        span,
                        format!(
                            "invalid index: a string key is required, got {}",
                            k.ty().friendly_name()
                        ),
                    ))
                }
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
