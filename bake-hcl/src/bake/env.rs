//! The evaluator's view of a load: [`Loader`] as its [`Env`], answering for global names,
//! block references, user functions, buildx's per-context type keyword rule and the step
//! limit.

use super::{Loader, IN_USER_FUNCTION};
use crate::error::{ErrorKind, HclError, Result};
use crate::eval::Env;
use crate::functions::FnEnv;
use crate::limits;
use crate::parse::ast::{Ident, Span};
use crate::value::Value;

impl Env for Loader<'_> {
    fn global(&mut self, id: &Ident) -> Result<Value> {
        self.resolve_var(&id.name, Some(id.span)).map_err(|e| {
            if e.kind == ErrorKind::UndefinedVariable && e.span.is_none() {
                Box::new((*e).or_span(id.span))
            } else if e.kind == ErrorKind::UndefinedVariable {
                let mut e2 = *e;
                e2.span = Some(id.span);
                Box::new(e2)
            } else {
                e
            }
        })
    }

    fn is_block_type(&self, name: &str) -> bool {
        self.blocks_allowed && matches!(name, "target" | "group")
    }

    fn block_ref(&mut self, ty: &str, name: &Ident, field: Option<&Ident>) -> Result<Value> {
        self.block_reference(ty, name, field)
    }

    fn call_user(
        &mut self,
        name: &Ident,
        args: Vec<Value>,
        span: Span,
        depth: usize,
    ) -> Option<Result<Value>> {
        self.call_user_function(name, args, span, depth)
    }

    fn type_keyword(&mut self, id: &Ident) -> Result<()> {
        if self.eval_context == IN_USER_FUNCTION {
            return Ok(());
        }
        if self
            .keywords_seen
            .insert((self.eval_context, id.name.to_string()))
        {
            return Ok(());
        }
        Err(Box::new(
            HclError::new(
                ErrorKind::Cycle,
                Some(id.span),
                format!("variable cycle not allowed for {}", id.name),
            )
            .with_label("second use of this type keyword")
            .with_help(format!(
                "buildx takes the type keyword `{}` for a variable and rejects its second use in one context; convert once into a variable and reuse it",
                id.name
            )),
        ))
    }

    fn has_user_function(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    fn step(&mut self) -> bool {
        self.steps += 1;
        self.steps <= limits::MAX_EVAL_STEPS
    }

    fn fn_env(&self) -> &FnEnv {
        &self.opts.fn_env
    }

    fn user_function_names(&self) -> Vec<String> {
        self.funcs.keys().cloned().collect()
    }
}
