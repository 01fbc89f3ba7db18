//! The parsed bodies sorted into what they declare: variables (with their `validation`
//! blocks), user functions, top-level attributes, and the `target` and `group` blocks in file
//! order; with a warning for each block and attribute bake does not know.

use std::sync::Arc;

use bake_core::api::frontend::did_you_mean;
use indexmap::IndexMap;

use super::blocks::{target_keys, GROUP_FIELDS};
use super::loader::LoadOptions;
use super::{BlockRef, BlockType};
use crate::error::{ErrorKind, HclError, Result};
use crate::parse::ast::{Attr, Block, Body, Expr, ExprKind, Ident};

/// A `variable` block.
pub(super) struct VariableDecl<'a> {
    pub(super) block: &'a Block,
    pub(super) default: Option<&'a Attr>,
    pub(super) ty: Option<&'a Attr>,
    pub(super) description: Option<&'a Attr>,
    /// Each `validation` block's `condition` and `error_message`.
    pub(super) validations: Vec<(&'a Expr, Option<&'a Expr>)>,
}

/// A `function` block.
pub(super) struct FunctionDecl<'a> {
    pub(super) block: &'a Block,
    pub(super) params: Vec<Arc<str>>,
    pub(super) variadic: Option<Arc<str>>,
    pub(super) result: &'a Expr,
}

/// What the bodies of one load declare.
pub(super) struct Declarations<'a> {
    /// Variables by name (a later declaration replaces an earlier one in its place).
    pub(super) variables: IndexMap<String, VariableDecl<'a>>,
    /// Top-level attributes by name (a later file's replaces an earlier one's), except those
    /// named like a builtin. One named like a variable sets that variable's value.
    pub(super) attributes: IndexMap<String, &'a Attr>,
    /// User functions by name.
    pub(super) functions: IndexMap<String, FunctionDecl<'a>>,
    /// `target` and `group` blocks in file order.
    pub(super) blocks: Vec<(BlockType, BlockRef<'a>)>,
}

impl<'a> Declarations<'a> {
    /// Sorts the bodies' attributes and blocks, in file order.
    ///
    /// # Errors
    /// A `variable` or `function` block without exactly one label, a `validation` block
    /// without a `condition`, and a malformed `function` block.
    pub(super) fn collect(
        bodies: &'a [Body],
        opts: &LoadOptions,
        warnings: &mut Vec<HclError>,
    ) -> Result<Declarations<'a>> {
        let mut decls = Declarations {
            variables: IndexMap::new(),
            attributes: IndexMap::new(),
            functions: IndexMap::new(),
            blocks: Vec::new(),
        };
        for body in bodies {
            for a in &body.attrs {
                let name = a.name.name.to_string();
                if opts.builtins.contains_key(&name) || name == "target" || name == "group" {
                    continue;
                }
                decls.attributes.insert(name, a);
            }
            for b in &body.blocks {
                match &*b.ident.name {
                    "variable" => decls.add_variable(b, opts, warnings)?,
                    "function" => decls.add_function(b, opts)?,
                    "target" => decls
                        .blocks
                        .push((BlockType::Target, BlockRef::Borrowed(b))),
                    "group" => decls.blocks.push((BlockType::Group, BlockRef::Borrowed(b))),
                    other => warnings.push(
                        HclError::new(
                            ErrorKind::Block,
                            Some(b.ident.span),
                            format!("unknown block type `{other}` is ignored"),
                        )
                        .with_label("not a bake block")
                        .with_help(
                            "bake files hold `target`, `group`, `variable` and `function` blocks",
                        )
                        .as_warning(),
                    ),
                }
            }
        }
        Ok(decls)
    }

    /// A `variable` block (ignored when a builtin has its name).
    fn add_variable(
        &mut self,
        b: &'a Block,
        opts: &LoadOptions,
        warnings: &mut Vec<HclError>,
    ) -> Result<()> {
        let Some(label) = single_label(b)? else {
            return Ok(());
        };
        if opts.builtins.contains_key(&*label.name) {
            return Ok(());
        }
        let mut validations = Vec::new();
        for vb in &b.body.blocks {
            if &*vb.ident.name == "validation" {
                let cond = vb.body.attr("condition").ok_or_else(|| {
                    HclError::new(
                        ErrorKind::Block,
                        Some(vb.span),
                        "missing required argument `condition` in `validation` block",
                    )
                })?;
                let msg = vb.body.attr("error_message").map(|a| &a.expr);
                validations.push((&cond.expr, msg));
            } else {
                warnings.push(warn_block(vb, "variable"));
            }
        }
        for a in &b.body.attrs {
            if !matches!(&*a.name.name, "default" | "type" | "description") {
                warnings.push(warn_attr(a, "variable"));
            }
        }
        self.variables.insert(
            label.name.to_string(),
            VariableDecl {
                block: b,
                default: b.body.attr("default"),
                ty: b.body.attr("type"),
                description: b.body.attr("description"),
                validations,
            },
        );
        Ok(())
    }

    /// A `function` block (ignored when a builtin has its name).
    fn add_function(&mut self, b: &'a Block, opts: &LoadOptions) -> Result<()> {
        let Some(label) = single_label(b)? else {
            return Ok(());
        };
        if opts.builtins.contains_key(&*label.name) {
            return Ok(());
        }
        let decl = function_decl(b)?;
        self.functions.insert(label.name.to_string(), decl);
        Ok(())
    }
}

/// The warning for an attribute bake does not know in a `ty` block.
pub(super) fn warn_attr(a: &Attr, ty: &str) -> HclError {
    let mut w = HclError::new(
        ErrorKind::Block,
        Some(a.name.span),
        format!(
            "unknown attribute `{}` in `{ty}` block is ignored",
            a.name.name
        ),
    )
    .with_label("unknown attribute");
    let known: Vec<&str> = match ty {
        "target" => target_keys().chain(["name", "matrix"]).collect(),
        "group" => GROUP_FIELDS.iter().map(|(n, _)| *n).collect(),
        "variable" => vec!["default", "type", "description"],
        _ => vec![],
    };
    if let Some(s) = did_you_mean(&a.name.name, known) {
        w = w.with_help(s);
    }
    w.as_warning()
}

/// The warning for a block bake does not know inside a `ty` block.
pub(super) fn warn_block(b: &Block, ty: &str) -> HclError {
    HclError::new(
        ErrorKind::Block,
        Some(b.ident.span),
        format!(
            "unknown block `{}` in `{ty}` block is ignored",
            b.ident.name
        ),
    )
    .with_label("unknown block")
    .as_warning()
}

/// The one label of a `variable` or `function` block (its name).
fn single_label(b: &Block) -> Result<Option<&Ident>> {
    match b.labels.as_slice() {
        [l] => Ok(Some(l)),
        _ => Err(Box::new(HclError::new(
            ErrorKind::Block,
            Some(b.span),
            format!("a `{}` block needs exactly one label", b.ident.name),
        ))),
    }
}

/// A `function` block's declaration: `params`, `variadic_params` and `result`, nothing else.
fn function_decl(b: &Block) -> Result<FunctionDecl<'_>> {
    let name = b.labels.first().map_or("", |l| &*l.name);
    let params_attr = b.body.attr("params").ok_or_else(|| {
        HclError::new(
            ErrorKind::Block,
            Some(b.span),
            format!("empty params not allowed for function `{name}`"),
        )
        .with_help("add `params = [...]` (use `params = []` for none)")
    })?;
    let result = b.body.attr("result").ok_or_else(|| {
        HclError::new(
            ErrorKind::Block,
            Some(b.span),
            format!("empty result not allowed for function `{name}`"),
        )
        .with_help("add `result = <expression>`")
    })?;
    let mut params = Vec::new();
    match &params_attr.expr.kind {
        ExprKind::Tuple(items) => {
            for p in items {
                match p.as_keyword() {
                    Some(k) => params.push(Arc::from(k)),
                    None => {
                        return Err(Box::new(HclError::new(
                            ErrorKind::Block,
                            Some(p.span),
                            "invalid param element: each parameter name must be an identifier",
                        )))
                    }
                }
            }
        }
        _ => {
            return Err(Box::new(HclError::new(
                ErrorKind::Block,
                Some(params_attr.expr.span),
                "`params` must be a list of parameter names",
            )))
        }
    }
    let mut variadic = None;
    if let Some(v) = b.body.attr("variadic_params") {
        match v.expr.as_keyword() {
            Some(k) => variadic = Some(Arc::from(k)),
            None => {
                return Err(Box::new(HclError::new(
                    ErrorKind::Block,
                    Some(v.expr.span),
                    "invalid param element: each parameter name must be an identifier",
                )))
            }
        }
    }
    for a in &b.body.attrs {
        if !matches!(&*a.name.name, "params" | "variadic_params" | "result") {
            let mut e = HclError::new(
                ErrorKind::Block,
                Some(a.name.span),
                format!(
                    "unsupported argument `{}` in function `{name}`",
                    a.name.name
                ),
            );
            if let Some(s) = did_you_mean(&a.name.name, ["params", "variadic_params", "result"]) {
                e = e.with_help(s);
            }
            return Err(Box::new(e));
        }
    }
    Ok(FunctionDecl {
        block: b,
        params,
        variadic,
        result: &result.expr,
    })
}
