//! Variables and top-level attributes: each value computed once, on first use, with cycle
//! detection. A variable's `default` is converted to its `type`; the environment and `--var`
//! override it (see `overrides` for how their text becomes a value); `validation` blocks run
//! once every variable is known.

use bake_core::api::frontend::did_you_mean;
use bake_core::api::frontend::Origin;

use super::loader::VariableInfo;
use super::overrides::{override_value, OverrideError};
use super::{to_core_span, Loader, Slot};
use crate::error::{ErrorKind, HclError, Result};
use crate::eval::Evaluator;
use crate::json;
use crate::parse::ast::{Attr, Expr, ExprKind, Span};
use crate::parse::type_expr::type_expr;
use crate::value::{convert, Type, Value};

/// A variable's type: the one its `type` attribute gives (`specified`), else `any`.
pub(super) struct DeclaredType {
    pub(super) ty: Type,
    pub(super) specified: bool,
}

impl Loader<'_> {
    /// Every declared variable's value as `--list=variables` shows it, sorted by name.
    pub(super) fn resolve_variables(&mut self) -> Result<Vec<VariableInfo>> {
        let var_names: Vec<String> = self.vars.keys().cloned().collect();
        let mut variables = Vec::new();
        for name in &var_names {
            let v = self.resolve_var(name, None)?;
            variables.push(self.var_info(name, &v));
        }
        variables.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(variables)
    }

    /// Evaluates every top-level attribute (an error in one fails the load).
    pub(super) fn resolve_attributes(&mut self) -> Result<()> {
        let attr_names: Vec<String> = self.attrs.keys().cloned().collect();
        for n in attr_names {
            self.resolve_var(&n, None)?;
        }
        Ok(())
    }

    /// The override for `name` from `--var`, else (when allowed) from the environment.
    fn lookup_override(&self, name: &str) -> Option<String> {
        if let Some(v) = self.opts.vars.get(name) {
            return Some(v.clone());
        }
        if self.opts.env_lookup {
            return self.opts.env.get(name).cloned();
        }
        None
    }

    /// The override for a variable: (text, is JSON).
    fn value_override(&self, name: &str, favor_json: bool) -> Option<(String, bool)> {
        let plain = self.lookup_override(name);
        if plain.is_none() || favor_json {
            let jn = format!("{name}_JSON");
            if !self.vars.contains_key(&jn) && !self.opts.builtins.contains_key(&jn) {
                if let Some(j) = self.lookup_override(&jn) {
                    return Some((j, true));
                }
            }
        }
        plain.map(|p| (p, false))
    }

    /// A variable's or top-level attribute's value, computed once; `use_span` is where it is
    /// used (for messages).
    pub(super) fn resolve_var(&mut self, name: &str, use_span: Option<Span>) -> Result<Value> {
        match self.values.get(name) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                let start = self.var_stack.iter().position(|n| n == name).unwrap_or(0);
                let mut path: Vec<&str> =
                    self.var_stack[start..].iter().map(String::as_str).collect();
                path.push(name);
                let span = use_span.or_else(|| self.vars.get(name).map(|v| v.block.span));
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Cycle,
                        span,
                        format!("variable cycle not allowed: {}", path.join(" -> ")),
                    )
                    .with_label("this reference closes the cycle"),
                ));
            }
            None => {}
        }
        if let Some(b) = self.opts.builtins.get(name) {
            let v = Value::string(b.as_str());
            self.values.insert(name.to_string(), Slot::Done(v.clone()));
            return Ok(v);
        }
        if !self.vars.contains_key(name) && !self.attrs.contains_key(name) {
            return Err(self.undefined(name, use_span));
        }
        self.values.insert(name.to_string(), Slot::InProgress);
        self.var_stack.push(name.to_string());
        let saved = (self.blocks_allowed, self.eval_context);
        // buildx resolves every variable (and a top-level attribute named like one) before
        // it knows the blocks; any other top-level attribute is resolved on first use, and
        // sees `target.NAME.FIELD` when that use is in a block or at the end of the load.
        if self.vars.contains_key(name) {
            self.blocks_allowed = false;
        }
        self.eval_context = None;
        let r = self.compute_var(name);
        (self.blocks_allowed, self.eval_context) = saved;
        self.var_stack.pop();
        match r {
            Ok(v) => {
                self.values.insert(name.to_string(), Slot::Done(v.clone()));
                Ok(v)
            }
            Err(e) => {
                self.values.remove(name);
                Err(e)
            }
        }
    }

    /// The error for an unknown name, with a suggestion.
    fn undefined(&self, name: &str, span: Option<Span>) -> Box<HclError> {
        let mut e = HclError::new(
            ErrorKind::UndefinedVariable,
            span,
            format!("unknown variable `{name}`"),
        )
        .with_label("not defined");
        let cands = self
            .vars
            .keys()
            .chain(self.attrs.keys())
            .chain(self.opts.builtins.keys())
            .map(String::as_str)
            .collect::<Vec<_>>();
        if let Some(s) = did_you_mean(name, cands) {
            e = e.with_help(s);
        } else {
            e = e.with_help(format!(
                "declare it: `variable \"{name}\" {{ default = \"...\" }}`"
            ));
        }
        Box::new(e)
    }

    /// Computes a top-level attribute, or a variable: its default converted to its type,
    /// unless `--var` or the environment overrides it.
    fn compute_var(&mut self, name: &str) -> Result<Value> {
        if let Some(a) = self.attrs.get(name).copied() {
            return self.attribute_value(name, a);
        }
        let Some(decl) = self.vars.get(name) else {
            return Err(self.undefined(name, None));
        };
        let (default, ty_attr, block_span) = (decl.default, decl.ty, decl.block.span);
        let declared = declared_type(ty_attr)?;
        if declared.specified {
            self.var_types.insert(name.to_string(), declared.ty.clone());
        }
        let default_value = match default {
            Some(d) => Some(self.default_value(name, &d.expr, &declared.ty)?),
            None => None,
        };
        let ovr = self.value_override(name, declared.specified);
        let default_expr = default.map(|d| &d.expr).filter(|e| !is_null_literal(e));
        self.record_origin(name, ovr.as_ref(), default_expr);
        let Some((text, is_json)) = ovr else {
            return Ok(match default_value {
                Some(v) => v,
                None if declared.specified => Value::Null(declared.ty),
                None => Value::string(""),
            });
        };
        override_value(name, &text, is_json, &declared, default_value.as_ref())
            .map_err(|e| override_error(block_span, e))
    }

    /// A top-level attribute's value. One named like a variable (declared in any file) takes
    /// the place of the variable's `default`, as buildx's `resolveValue` looks top-level
    /// attributes up first: the variable's `type` is then neither applied nor shown, and its
    /// `default` never evaluated. `--var` and the environment still override it, converted
    /// as for an untyped variable: to the attribute value's primitive type. An attribute
    /// named like no variable is never overridden.
    fn attribute_value(&mut self, name: &str, a: &Attr) -> Result<Value> {
        let v = Evaluator::new(self).eval(&a.expr)?;
        let Some(block_span) = self.vars.get(name).map(|d| d.block.span) else {
            return Ok(v);
        };
        let ovr = self.value_override(name, false);
        let expr = Some(&a.expr).filter(|e| !is_null_literal(e));
        self.record_origin(name, ovr.as_ref(), expr);
        let Some((text, is_json)) = ovr else {
            return Ok(v);
        };
        let untyped = DeclaredType {
            ty: Type::Dynamic,
            specified: false,
        };
        override_value(name, &text, is_json, &untyped, Some(&v)).map_err(|mut e| {
            if e.help.is_some() {
                e.help = Some(format!(
                    "the top-level attribute `{name} = ...` sets this variable to a {}; an environment value or `--var` can only override a string, number or bool",
                    v.ty().friendly_name()
                ));
            }
            override_error(block_span, e)
        })
    }

    /// A variable's `default`, converted to its type.
    fn default_value(&mut self, name: &str, default: &Expr, var_type: &Type) -> Result<Value> {
        let v = Evaluator::new(self).eval(default)?;
        convert(&v, var_type).map_err(|e| {
            Box::new(HclError::new(
                ErrorKind::Variable,
                Some(default.span),
                format!(
                    "invalid type {} for variable `{name}` default value: {e}",
                    var_type.friendly_name()
                ),
            ))
        })
    }

    /// Notes where a variable's value comes from: the override (`(text, is JSON)`), else its
    /// default (unless that is `null`), else nowhere.
    fn record_origin(
        &mut self,
        name: &str,
        ovr: Option<&(String, bool)>,
        default_expr: Option<&Expr>,
    ) {
        let origin = match ovr {
            Some((_, json)) => {
                let key = if *json {
                    format!("{name}_JSON")
                } else {
                    name.to_string()
                };
                if self.opts.vars.contains_key(&key) {
                    Origin::Set(format!("--var {key}"))
                } else {
                    Origin::Env(key)
                }
            }
            None => match default_expr {
                Some(d) => Origin::File(to_core_span(d.span)),
                None => Origin::Default,
            },
        };
        self.var_origins.insert(name.to_string(), origin);
    }

    /// A variable as `--list=variables` shows it.
    fn var_info(&self, name: &str, v: &Value) -> VariableInfo {
        let decl = &self.vars[name];
        let tc = self.var_types.get(name);
        let description = decl.description.and_then(|d| match &d.expr.kind {
            ExprKind::Lit(Value::String(s)) => Some(s.to_string()),
            _ => None,
        });
        let value = if v.is_null() || !self.opts.render_variables {
            None
        } else if let Some(tc) = tc {
            let s = json::to_json(v).unwrap_or_else(|_| "null".to_string());
            Some(if *tc == Type::String {
                s.trim_matches('"').to_string()
            } else {
                s
            })
        } else if v.ty().is_primitive() {
            convert(v, &Type::String)
                .ok()
                .and_then(|s| s.as_str().map(str::to_string))
        } else {
            json::to_json(v).ok()
        };
        VariableInfo {
            name: name.to_string(),
            value,
            type_name: tc.map(|t| t.friendly_name().replace("dynamic", "any")),
            description,
        }
    }

    /// Runs every variable's `validation` blocks.
    pub(super) fn validate(&mut self) -> Result<()> {
        let names: Vec<String> = self.vars.keys().cloned().collect();
        for name in names {
            let rules = self.vars[&name].validations.clone();
            for (cond, msg) in rules {
                let v = Evaluator::new(self).eval(cond)?;
                if v.is_null() {
                    return Err(Box::new(HclError::new(
                        ErrorKind::Validation,
                        Some(cond.span),
                        "invalid condition result: condition expression must return either true or false, not null",
                    )));
                }
                let b = convert(&v, &Type::Bool).map_err(|e| {
                    HclError::new(
                        ErrorKind::Validation,
                        Some(cond.span),
                        format!("invalid condition result: {e}"),
                    )
                })?;
                if !b.is_true() {
                    let text = match msg {
                        Some(m) => {
                            let mv = Evaluator::new(self).eval(m)?;
                            match convert(&mv, &Type::String) {
                                Ok(Value::String(s)) => s.to_string(),
                                _ => "This check failed, but has an invalid error message.".into(),
                            }
                        }
                        None => "This check failed, but has an invalid error message.".into(),
                    };
                    return Err(Box::new(
                        HclError::new(
                            ErrorKind::Validation,
                            Some(cond.span),
                            format!("validation failed for variable `{name}`: {text}"),
                        )
                        .with_label("this condition is false"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// An override that does not fit its variable, pointing at the variable.
fn override_error(block_span: Span, e: OverrideError) -> Box<HclError> {
    let mut err =
        HclError::new(ErrorKind::Variable, Some(block_span), e.message).with_label("this variable");
    if let Some(help) = e.help {
        err = err.with_help(help);
    }
    Box::new(err)
}

/// The type a variable's `type` attribute declares; `any` written out counts as declared.
fn declared_type(ty_attr: Option<&Attr>) -> Result<DeclaredType> {
    Ok(match ty_attr {
        Some(t) => {
            let ty = type_expr(&t.expr)?;
            let specified = ty != Type::Dynamic || t.expr.as_keyword() == Some("any");
            DeclaredType { ty, specified }
        }
        None => DeclaredType {
            ty: Type::Dynamic,
            specified: false,
        },
    })
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Lit(Value::Null(_)))
}
