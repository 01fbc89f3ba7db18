//! Function calls: `try` and `can` (which evaluate their arguments lazily), `convert` (whose
//! second argument is a type, not a value), user functions (through the [`Env`](super::Env))
//! and builtins, with errors pointing at the argument they are about.

use bake_core::api::frontend::did_you_mean;

use super::{err, Evaluator, WithHelp};
use crate::error::{ErrorKind, HclError, Result};
use crate::functions::FnError;
use crate::parse::ast::{Expr, ExprKind, Ident, Span};
use crate::value::Value;

impl Evaluator<'_> {
    /// `name(args...)`, `expand` when the last argument ends with `...`.
    pub(super) fn call(
        &mut self,
        name: &Ident,
        args: &[Expr],
        expand: bool,
        span: Span,
    ) -> Result<Value> {
        match &*name.name {
            "try" => return self.call_try(args, span),
            "can" => return self.call_can(args, span),
            // `convert(value, type)`: the second argument is a type expression, not a value.
            "convert" if args.len() == 2 && !expand => return self.call_convert(name, args, span),
            _ => {}
        }
        let (vals, spans) = self.call_arguments(args, expand)?;
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

    /// `try(a, b, ...)`: the value of the first argument that evaluates without an error.
    fn call_try(&mut self, args: &[Expr], span: Span) -> Result<Value> {
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
        Err(err(
            ErrorKind::Function,
            span,
            format!("no expression succeeded: {detail}"),
        ))
    }

    /// `can(x)`: whether `x` evaluates without an error.
    fn call_can(&mut self, args: &[Expr], span: Span) -> Result<Value> {
        if args.len() != 1 {
            return Err(err(
                ErrorKind::Arity,
                span,
                format!("function `can` takes 1 argument, got {}", args.len()),
            ));
        }
        Ok(Value::Bool(self.eval(&args[0]).is_ok()))
    }

    /// `convert(value, type)`: the type expression goes to the builtin as its constraint
    /// name, and each type keyword in it is noted with the [`Env`](super::Env) (buildx
    /// rejects a keyword's second use in one context).
    fn call_convert(&mut self, name: &Ident, args: &[Expr], span: Span) -> Result<Value> {
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
        let vals = vec![v, Value::string(t.constraint_name())];
        let spans = [args[0].span, args[1].span];
        let f = crate::functions::lookup("convert").ok_or_else(|| self.unknown_function(name))?;
        f.call(self.env.fn_env(), vals)
            .map_err(|fe| fn_error(fe, name, &spans, span))
    }

    /// The argument values with the span of each (with `expand`, every element of the last
    /// argument is an argument with that argument's span).
    fn call_arguments(&mut self, args: &[Expr], expand: bool) -> Result<(Vec<Value>, Vec<Span>)> {
        let mut vals = Vec::with_capacity(args.len());
        let mut spans = Vec::with_capacity(args.len());
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
        Ok((vals, spans))
    }

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

fn fn_error(fe: FnError, name: &Ident, spans: &[Span], span: Span) -> Box<HclError> {
    match fe {
        FnError::Msg(m) => err(
            ErrorKind::Function,
            span,
            format!("error in function call `{}`: {m}", name.name),
        ),
        FnError::Arg(i, m) => err(
            ErrorKind::Function,
            spans.get(i).copied().unwrap_or(span),
            format!("invalid argument {} to `{}`: {m}", i + 1, name.name),
        ),
    }
}
