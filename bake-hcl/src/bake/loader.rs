//! Bake semantics over evaluated HCL: variables (with environment overrides and
//! validation), user functions, target and group blocks with `matrix` and `name`, lazy
//! `target.NAME.FIELD` references with cycle detection, and lowering into the bake model.
//!
//! Evaluation is demand-driven: nothing is evaluated in file order; a value is computed
//! the first time something needs it, and remembered.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bake_core::fields::DefField;
use bake_core::go::parse_bool;
use bake_core::model::{Config, GroupDef, RawEntry, TargetDef};
use bake_core::source::{Origin, SourceMap};
use bake_core::util::did_you_mean;
use indexmap::IndexMap;

use crate::error::{ErrorKind, HclError, Result};
use crate::eval::{Env, Evaluator};
use crate::functions::FnEnv;
use crate::json;
use crate::limits;
use crate::parse::ast::{Attr, Block, Body, Expr, ExprKind, Ident, Span};
use crate::parse::type_expr::type_expr;
use crate::value::{convert, Type, Value, ValueMap};

/// Inputs from outside: the environment, `--var` values and builtins. Nothing here is read
/// from the process by this crate.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The process environment (variable overrides come from here).
    pub env: BTreeMap<String, String>,
    /// `--var NAME=VALUE` overrides (they beat the environment).
    pub vars: BTreeMap<String, String>,
    /// Whether variables may be overridden from the environment
    /// (`BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP` turns this off).
    pub env_lookup: bool,
    /// Builtin variables (`BAKE_CMD_CONTEXT`, `BAKE_LOCAL_PLATFORM`): strings that cannot be
    /// overridden.
    pub builtins: BTreeMap<String, String>,
    /// What functions may read (clock, home directory, ...).
    pub fn_env: FnEnv,
    /// Record what each target attribute and variable default refers to
    /// ([`Loaded::refs`], for `--explain`).
    pub record_refs: bool,
    /// Whether to render each variable's value into [`VariableInfo::value`] (for
    /// `--list=variables`); rendering every variable of a large file costs time and memory
    /// that nothing else needs.
    pub render_variables: bool,
}

/// A variable as `--list=variables` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableInfo {
    /// Its name.
    pub name: String,
    /// Its value rendered as buildx renders it; `None` for null (and when
    /// [`LoadOptions::render_variables`] is off).
    pub value: Option<String>,
    /// Its type constraint, when one was given.
    pub type_name: Option<String>,
    /// Its description.
    pub description: Option<String>,
}

/// What loading produced.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Groups and targets as written (after matrix expansion).
    pub config: Config,
    /// Every declared variable, sorted by name.
    pub variables: Vec<VariableInfo>,
    /// Where each variable's value came from: its `default` (file span), an environment
    /// variable, a `--var` flag, or nothing (empty/null).
    pub variable_origins: BTreeMap<String, Origin>,
    /// Warnings (unknown attributes and blocks).
    pub warnings: Vec<HclError>,
    /// With [`LoadOptions::record_refs`]: the variables and matrix values used by each target
    /// attribute (keyed by the target's name and the expression's span) and variable default
    /// (keyed by an empty name and the span).
    pub refs: BTreeMap<String, BTreeMap<bake_core::explain::SpanKey, bake_core::explain::ExprRefs>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    List,
    Map,
    MapNullable,
    Bool,
    Entries,
    Object,
}

/// Target attributes buildx knows: `inherits` and the field table's keys.
fn target_keys() -> impl Iterator<Item = &'static str> {
    std::iter::once("inherits").chain(bake_core::fields::PRINT_FIELDS)
}

/// How a target attribute's value decodes, from the field table.
fn target_kind(name: &str) -> Option<Kind> {
    use bake_core::fields::DefType;
    Some(match TargetDef::field_type(name)? {
        DefType::Text => Kind::Str,
        DefType::Flag => Kind::Bool,
        DefType::Strings => Kind::List,
        DefType::Map => Kind::Map,
        DefType::NullableMap => Kind::MapNullable,
        DefType::Entries => Kind::Entries,
        DefType::Object => Kind::Object,
    })
}

const GROUP_FIELDS: &[(&str, Kind)] = &[("description", Kind::Str), ("targets", Kind::List)];

fn field_kind(ty: BlockTy, name: &str) -> Option<Kind> {
    match ty {
        BlockTy::Target => target_kind(name),
        BlockTy::Group => GROUP_FIELDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum BlockTy {
    Target,
    Group,
}

impl BlockTy {
    fn as_str(self) -> &'static str {
        match self {
            BlockTy::Target => "target",
            BlockTy::Group => "group",
        }
    }
}

struct VarDecl<'a> {
    block: &'a Block,
    default: Option<&'a Attr>,
    ty: Option<&'a Attr>,
    description: Option<&'a Attr>,
    validations: Vec<(&'a Expr, Option<&'a Expr>)>,
}

struct FuncDecl<'a> {
    block: &'a Block,
    params: Vec<Arc<str>>,
    variadic: Option<Arc<str>>,
    result: &'a Expr,
}

enum Slot {
    InProgress,
    Done(Value),
}

struct Inst<'a> {
    ty: BlockTy,
    block: &'a Block,
    locals: Vec<(Arc<str>, Value)>,
    name: String,
    /// Evaluated attributes, by position in the block body (empty until the first).
    attrs: Vec<Option<Slot>>,
}

struct Loader<'a> {
    opts: &'a LoadOptions,
    sources: &'a SourceMap,
    vars: IndexMap<String, VarDecl<'a>>,
    attrs: IndexMap<String, &'a Attr>,
    funcs: IndexMap<String, FuncDecl<'a>>,
    values: HashMap<String, Slot>,
    var_types: HashMap<String, Type>,
    stack: Vec<String>,
    blocks_allowed: bool,
    insts: Vec<Inst<'a>>,
    by_name: HashMap<(BlockTy, String), Vec<usize>>,
    ref_stack: Vec<(usize, usize)>,
    /// The evaluation context buildx would use: `None` for the global one, the instance for
    /// a matrix cell, `Some(usize::MAX)` inside user functions (not tracked).
    cur_ctx: Option<usize>,
    keywords_seen: std::collections::HashSet<(Option<usize>, String)>,
    /// Expressions evaluated so far ([`limits::MAX_EVAL_STEPS`]).
    steps: u64,
    var_origins: BTreeMap<String, Origin>,
}

/// Loads HCL/JSON bodies (already parsed, in file order) into the bake model.
///
/// # Errors
/// The first error found, with its span; call [`HclError::attach`] to render it.
pub fn load(bodies: &[Body], sources: &SourceMap, opts: &LoadOptions) -> Result<Loaded> {
    let mut warnings = Vec::new();
    let mut l = Loader {
        opts,
        sources,
        vars: IndexMap::new(),
        attrs: IndexMap::new(),
        funcs: IndexMap::new(),
        values: HashMap::new(),
        var_types: HashMap::new(),
        stack: Vec::new(),
        blocks_allowed: false,
        insts: Vec::new(),
        by_name: HashMap::new(),
        ref_stack: Vec::new(),
        cur_ctx: None,
        keywords_seen: std::collections::HashSet::new(),
        steps: 0,
        var_origins: BTreeMap::new(),
    };
    let mut blocks: Vec<(BlockTy, &Block)> = Vec::new();
    for body in bodies {
        for a in &body.attrs {
            let name = a.name.name.to_string();
            if opts.builtins.contains_key(&name) || name == "target" || name == "group" {
                continue;
            }
            l.attrs.insert(name, a);
        }
        for b in &body.blocks {
            match &*b.ident.name {
                "variable" => {
                    let Some(label) = single_label(b)? else {
                        continue;
                    };
                    if opts.builtins.contains_key(&*label.name) {
                        continue;
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
                    l.vars.insert(
                        label.name.to_string(),
                        VarDecl {
                            block: b,
                            default: b.body.attr("default"),
                            ty: b.body.attr("type"),
                            description: b.body.attr("description"),
                            validations,
                        },
                    );
                }
                "function" => {
                    let Some(label) = single_label(b)? else {
                        continue;
                    };
                    if opts.builtins.contains_key(&*label.name) {
                        continue;
                    }
                    let decl = func_decl(b)?;
                    l.funcs.insert(label.name.to_string(), decl);
                }
                "target" => blocks.push((BlockTy::Target, b)),
                "group" => blocks.push((BlockTy::Group, b)),
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
    // A top-level attribute with a variable's name: the variable wins (buildx drops it).
    let var_names: Vec<String> = l.vars.keys().cloned().collect();
    for n in &var_names {
        l.attrs.shift_remove(n);
    }

    // Every variable, then validations, then functions: errors anywhere fail the load.
    let mut variables = Vec::new();
    for name in &var_names {
        let v = l.resolve_var(name, None)?;
        variables.push(l.var_info(name, &v));
    }
    variables.sort_by(|a, b| a.name.cmp(&b.name));
    l.validate()?;
    l.check_functions()?;

    // Names (matrix expansion) of every block, in order.
    let mut renamed: Vec<(BlockTy, String, Vec<String>)> = Vec::new();
    for (ty, b) in &blocks {
        let label = match b.labels.as_slice() {
            [l] => l,
            _ => {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Block,
                        Some(b.span),
                        format!(
                            "invalid block label: a `{}` block needs exactly one label, its name",
                            ty.as_str()
                        ),
                    )
                    .with_help(format!("write `{} \"name\" {{ ... }}`", ty.as_str())),
                ));
            }
        };
        validate_name(&label.name, label.span)?;
        let names = l.expand_block(*ty, b, label)?;
        renamed.push((*ty, label.name.to_string(), names));
    }

    // Evaluate every attribute of every block instance and lower it.
    l.blocks_allowed = true;
    let mut config = Config::default();
    for i in 0..l.insts.len() {
        let (ty, block) = (l.insts[i].ty, l.insts[i].block);
        for (ai, a) in block.body.attrs.iter().enumerate() {
            let an = &*a.name.name;
            if matches!(an, "matrix" | "name") {
                continue;
            }
            if field_kind(ty, an).is_none() {
                if i == 0 || !std::ptr::eq(l.insts[i - 1].block, block) {
                    warnings.push(warn_attr(a, ty.as_str()));
                }
                continue;
            }
            l.eval_attr(i, ai)?;
        }
        for nb in &block.body.blocks {
            if i == 0 || !std::ptr::eq(l.insts[i - 1].block, block) {
                warnings.push(warn_block(nb, ty.as_str()));
            }
        }
        match ty {
            BlockTy::Target => config.targets.push(l.lower_target(i)?),
            BlockTy::Group => config.groups.push(l.lower_group(i)?),
        }
    }
    for (ty, label, names) in renamed {
        if ty != BlockTy::Target {
            continue;
        }
        let mut uniq: Vec<String> = Vec::new();
        for n in names {
            if !uniq.contains(&n) {
                uniq.push(n);
            }
        }
        if uniq.is_empty() || (uniq.len() == 1 && uniq[0] == label) {
            continue;
        }
        config.groups.push(GroupDef {
            name: label,
            description: None,
            targets: uniq,
        });
    }

    // Top-level attributes are evaluated last (and fail the load if broken).
    l.blocks_allowed = false;
    let attr_names: Vec<String> = l.attrs.keys().cloned().collect();
    for n in attr_names {
        l.resolve_var(&n, None)?;
    }

    let refs = if opts.record_refs {
        l.expr_refs()
    } else {
        BTreeMap::new()
    };
    Ok(Loaded {
        config,
        variables,
        variable_origins: l.var_origins,
        warnings,
        refs,
    })
}

fn warn_attr(a: &Attr, ty: &str) -> HclError {
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

fn warn_block(b: &Block, ty: &str) -> HclError {
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

fn func_decl(b: &Block) -> Result<FuncDecl<'_>> {
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
    Ok(FuncDecl {
        block: b,
        params,
        variadic,
        result: &result.expr,
    })
}

/// Target and group names: letters, digits, `_` and `-`.
fn validate_name(name: &str, span: Span) -> Result<()> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(());
    }
    Err(Box::new(
        HclError::new(
            ErrorKind::Block,
            Some(span),
            format!("invalid name `{name}`: only \"a-zA-Z0-9_-\" are allowed"),
        )
        .with_label("invalid name"),
    ))
}

impl<'a> Loader<'a> {
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

    fn resolve_var(&mut self, name: &str, use_span: Option<Span>) -> Result<Value> {
        match self.values.get(name) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                let start = self.stack.iter().position(|n| n == name).unwrap_or(0);
                let mut path: Vec<&str> = self.stack[start..].iter().map(String::as_str).collect();
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
        self.stack.push(name.to_string());
        let saved = (self.blocks_allowed, self.cur_ctx);
        self.blocks_allowed = false;
        self.cur_ctx = None;
        let r = self.compute_var(name);
        (self.blocks_allowed, self.cur_ctx) = saved;
        self.stack.pop();
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

    fn compute_var(&mut self, name: &str) -> Result<Value> {
        if let Some(a) = self.attrs.get(name).copied() {
            return Evaluator::new(self).eval(&a.expr);
        }
        let Some(decl) = self.vars.get(name) else {
            return Err(self.undefined(name, None));
        };
        let (default, ty_attr, block_span) = (decl.default, decl.ty, decl.block.span);
        let (var_type, type_specified) = match ty_attr {
            Some(t) => {
                let ty = type_expr(&t.expr)?;
                let explicit = ty != Type::Dynamic || t.expr.as_keyword() == Some("any");
                (ty, explicit)
            }
            None => (Type::Dynamic, false),
        };
        if type_specified {
            self.var_types.insert(name.to_string(), var_type.clone());
        }
        let default_expr = default.map(|d| &d.expr).filter(|e| !is_null_literal(e));
        let has_default_attr = default.is_some();
        let mut val = if let Some(d) = default.map(|d| &d.expr) {
            let v = Evaluator::new(self).eval(d)?;
            convert(&v, &var_type).map_err(|e| {
                HclError::new(
                    ErrorKind::Variable,
                    Some(d.span),
                    format!(
                        "invalid type {} for variable `{name}` default value: {e}",
                        var_type.friendly_name()
                    ),
                )
            })?
        } else {
            Value::NULL
        };
        let ovr = self.value_override(name, type_specified);
        let origin = match &ovr {
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
        if !has_default_attr && ovr.is_none() {
            return Ok(if type_specified {
                Value::Null(var_type)
            } else {
                Value::string("")
            });
        }
        let Some((text, is_json)) = ovr else {
            return Ok(val);
        };
        let bad = |msg: String| {
            Box::new(
                HclError::new(ErrorKind::Variable, Some(block_span), msg)
                    .with_label("this variable"),
            )
        };
        val = if type_specified && is_json {
            let j: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                bad(format!(
                    "failed to convert variable `{name}` from JSON: {e}"
                ))
            })?;
            let v = json::from_json(&j);
            convert(&v, &var_type).map_err(|e| {
                bad(format!(
                    "failed to convert variable `{name}` from JSON: {e}"
                ))
            })?
        } else if matches!(
            var_type,
            Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Map(_)
        ) {
            value_from_csv(name, &text, &var_type)
                .map_err(|m| bad(format!("failed to convert variable `{name}` from CSV: {m}")))?
        } else if type_specified && var_type.is_primitive() {
            convert_primitive(name, &text, &var_type).map_err(bad)?
        } else if type_specified {
            return Err(bad(format!(
                "unsupported type {} for variable `{name}`",
                var_type.friendly_name()
            )));
        } else if !has_default_attr || val.is_null() {
            Value::string(text)
        } else if val.ty().is_primitive() {
            convert_primitive(name, &text, &val.ty()).map_err(bad)?
        } else {
            return Err(bad(format!(
                "unsupported type {} for variable `{name}`",
                val.ty().friendly_name()
            ))
            .with_help_box(format!(
                "set `{name}_JSON` to a JSON value, or give the variable a `type`"
            )));
        };
        Ok(val)
    }

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

    fn validate(&mut self) -> Result<()> {
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

    /// User functions may not call themselves, directly or through others.
    fn check_functions(&self) -> Result<()> {
        // The calls between user functions, by index in `funcs`.
        let edges: Vec<Vec<(usize, Span)>> = self
            .funcs
            .values()
            .map(|d| {
                let mut out = Vec::new();
                d.result.walk(&mut |x| {
                    if let ExprKind::Call { name, .. } = &x.kind {
                        if let Some(i) = self.funcs.get_index_of(&*name.name) {
                            out.push((i, name.span));
                        }
                    }
                });
                out
            })
            .collect();
        let on_cycle = on_cycles(&edges);
        for (start, decl) in self.funcs.values().enumerate() {
            if !on_cycle[start] {
                continue;
            }
            // Depth-first search for a path back to `start` (one exists: it is on a cycle);
            // `parent` records the path, each function being reached once.
            let mut parent: HashMap<usize, usize> = HashMap::new();
            let mut stack = vec![start];
            while let Some(f) = stack.pop() {
                for &(callee, span) in &edges[f] {
                    if callee == start {
                        let mut p = vec![callee, f];
                        let mut at = f;
                        while let Some(&up) = parent.get(&at) {
                            p.push(up);
                            at = up;
                        }
                        p.reverse();
                        let names: Vec<&str> = p
                            .iter()
                            .filter_map(|&i| self.funcs.get_index(i).map(|(n, _)| n.as_str()))
                            .collect();
                        let span = if f == start { span } else { decl.block.span };
                        return Err(Box::new(
                            HclError::new(
                                ErrorKind::Cycle,
                                Some(span),
                                format!("function cycle not allowed: {}", names.join(" -> ")),
                            )
                            .with_label("recursive call")
                            .with_help(
                                "bake functions cannot call themselves, directly or indirectly",
                            ),
                        ));
                    }
                    if callee != start && !parent.contains_key(&callee) {
                        parent.insert(callee, f);
                        stack.push(callee);
                    }
                }
            }
        }
        Ok(())
    }

    /// Evaluates `matrix` and `name` of a block: one instance per matrix cell.
    fn expand_block(&mut self, ty: BlockTy, b: &'a Block, label: &Ident) -> Result<Vec<String>> {
        let matrix = b.body.attr("matrix");
        let name_attr = b.body.attr("name");
        if ty == BlockTy::Group {
            if let Some(a) = matrix.or(name_attr) {
                return Err(Box::new(HclError::new(
                    ErrorKind::Block,
                    Some(a.name.span),
                    format!("{} is not supported for groups", a.name.name),
                )));
            }
        }
        if let (Some(a), None) = (name_attr, matrix) {
            return Err(Box::new(
                HclError::new(ErrorKind::Block, Some(a.name.span), "name requires matrix")
                    .with_help("add a `matrix` attribute, or remove `name`"),
            ));
        }
        let mut contexts: Vec<Vec<(Arc<str>, Value)>> = vec![Vec::new()];
        if let Some(m) = matrix {
            let mv = Evaluator::new(self).eval(&m.expr)?;
            let Some(axes) = (match &mv {
                Value::Map(x) | Value::Object(x) => Some(x.clone()),
                _ => None,
            }) else {
                return Err(Box::new(
                    HclError::new(ErrorKind::Block, Some(m.expr.span), "matrix must be a map")
                        .with_help("write `matrix = { axis = [\"a\", \"b\"] }`"),
                ));
            };
            let mut cells = 1usize;
            for (k, vals) in axes.iter() {
                let Some(vals) = vals.as_seq() else {
                    return Err(Box::new(HclError::new(
                        ErrorKind::Block,
                        Some(m.expr.span),
                        format!("matrix values must be a list (axis `{k}`)"),
                    )));
                };
                cells = cells.saturating_mul(vals.len());
                if cells > limits::MAX_MATRIX_TARGETS {
                    return Err(Box::new(
                        HclError::new(
                            ErrorKind::Limit,
                            Some(m.expr.span),
                            format!(
                                "matrix expands to more than the limit of {} targets",
                                limits::MAX_MATRIX_TARGETS
                            ),
                        )
                        .with_help(
                            "split the matrix over several blocks, or use fewer values per axis",
                        ),
                    ));
                }
                let mut next = Vec::new();
                for v in vals {
                    for c in &contexts {
                        let mut c2 = c.clone();
                        c2.push((Arc::from(k.as_str()), v.clone()));
                        next.push(c2);
                    }
                }
                contexts = next;
            }
        }
        let mut names = Vec::with_capacity(contexts.len());
        let mut seen = std::collections::HashSet::with_capacity(contexts.len());
        for locals in contexts {
            let name = match name_attr {
                Some(a) => {
                    let v = Evaluator::with_locals(self, locals.clone(), 0).eval(&a.expr)?;
                    let s = match convert(&v, &Type::String) {
                        Ok(Value::String(s)) => s.to_string(),
                        _ => {
                            return Err(Box::new(HclError::new(
                                ErrorKind::Type,
                                Some(a.expr.span),
                                "name must be a string",
                            )))
                        }
                    };
                    if let Err(e) = validate_name(&s, a.expr.span) {
                        return Err(Box::new(
                            (*e).with_help("matrix names may use letters, digits, `_` and `-`"),
                        ));
                    }
                    s
                }
                None => label.name.to_string(),
            };
            if !seen.insert(name.clone()) {
                let span = name_attr.map_or(label.span, |a| a.expr.span);
                let mut e = HclError::new(
                    ErrorKind::Block,
                    Some(span),
                    format!("duplicate name `{name}`"),
                );
                if name_attr.is_none() {
                    e = e.with_help("a target with a `matrix` needs a `name` that differs per cell, like `name = \"app-${item}\"`");
                }
                return Err(Box::new(e));
            }
            names.push(name.clone());
            let idx = self.insts.len();
            self.insts.push(Inst {
                ty,
                block: b,
                locals,
                name: name.clone(),
                attrs: Vec::new(),
            });
            self.by_name.entry((ty, name)).or_default().push(idx);
        }
        Ok(names)
    }

    fn ref_name(&self, inst: usize, idx: usize) -> String {
        let i = &self.insts[inst];
        format!(
            "{}.{}.{}",
            i.ty.as_str(),
            i.name,
            i.block.body.attrs[idx].name.name
        )
    }

    /// Evaluates attribute `idx` of a block instance once, remembering the value.
    fn eval_attr(&mut self, inst: usize, idx: usize) -> Result<Value> {
        let a: &'a Attr = &self.insts[inst].block.body.attrs[idx];
        if self.insts[inst].attrs.is_empty() {
            let n = self.insts[inst].block.body.attrs.len();
            self.insts[inst].attrs.resize_with(n, || None);
        }
        match &self.insts[inst].attrs[idx] {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                let me = self.ref_name(inst, idx);
                let start = self
                    .ref_stack
                    .iter()
                    .position(|r| *r == (inst, idx))
                    .unwrap_or(0);
                let mut path: Vec<String> = self.ref_stack[start..]
                    .iter()
                    .map(|&(i, x)| self.ref_name(i, x))
                    .collect();
                path.push(me.clone());
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Cycle,
                        Some(a.expr.span),
                        format!(
                            "reference cycle not allowed for {me}: {}",
                            path.join(" -> ")
                        ),
                    )
                    .with_label("this value depends on itself"),
                ));
            }
            None => {}
        }
        self.insts[inst].attrs[idx] = Some(Slot::InProgress);
        self.ref_stack.push((inst, idx));
        let locals = self.insts[inst].locals.clone();
        let saved_ctx = self.cur_ctx;
        self.cur_ctx = if locals.is_empty() { None } else { Some(inst) };
        let r = Evaluator::with_locals(self, locals, 0).eval(&a.expr);
        self.cur_ctx = saved_ctx;
        self.ref_stack.pop();
        match r {
            Ok(v) => {
                self.insts[inst].attrs[idx] = Some(Slot::Done(v.clone()));
                Ok(v)
            }
            Err(e) => {
                self.insts[inst].attrs[idx] = None;
                Err(e)
            }
        }
    }

    fn done_value(&self, inst: usize, idx: usize) -> Option<&Value> {
        match self.insts[inst].attrs.get(idx) {
            Some(Some(Slot::Done(v))) => Some(v),
            _ => None,
        }
    }

    /// What each target attribute and variable default refers to: global variables, and
    /// matrix values of the block's cell.
    fn expr_refs(
        &self,
    ) -> BTreeMap<String, BTreeMap<bake_core::explain::SpanKey, bake_core::explain::ExprRefs>> {
        use bake_core::explain::{span_key, ExprRefs};
        let fn_vars = self.function_variables();
        let collect = |e: &Expr, locals: &[(Arc<str>, Value)]| {
            let mut r = ExprRefs::default();
            e.walk(&mut |x| {
                if let ExprKind::Call { name, .. } = &x.kind {
                    if let Some(i) = self.funcs.get_index_of(&*name.name) {
                        for (v, f) in &fn_vars[i] {
                            if !r.in_functions.iter().any(|(k, _)| k == v) {
                                r.in_functions.push((v.clone(), f.clone()));
                            }
                        }
                    }
                }
                if let ExprKind::Var(id) = &x.kind {
                    let n: &str = &id.name;
                    if let Some((_, v)) = locals.iter().find(|(k, _)| &**k == n) {
                        let shown = v.as_str().map_or_else(
                            || crate::json::to_json(v).unwrap_or_default(),
                            str::to_string,
                        );
                        if !r.matrix.iter().any(|(k, _)| k == n) {
                            r.matrix.push((n.to_string(), shown));
                        }
                    } else if self.vars.contains_key(n) && !r.variables.iter().any(|k| k == n) {
                        r.variables.push(n.to_string());
                    }
                }
            });
            r
        };
        let mut out: BTreeMap<String, BTreeMap<_, ExprRefs>> = BTreeMap::new();
        for inst in &self.insts {
            if inst.ty != BlockTy::Target {
                continue;
            }
            for a in &inst.block.body.attrs {
                let r = collect(&a.expr, &inst.locals);
                if r != ExprRefs::default() {
                    out.entry(inst.name.clone())
                        .or_default()
                        .insert(span_key(to_core_span(a.expr.span)), r);
                }
            }
        }
        for decl in self.vars.values() {
            if let Some(d) = decl.default {
                let r = collect(&d.expr, &[]);
                if r != ExprRefs::default() {
                    out.entry(String::new())
                        .or_default()
                        .insert(span_key(to_core_span(d.expr.span)), r);
                }
            }
        }
        out
    }

    /// For each user function (by index): the global variables its body uses, directly or
    /// through the functions it calls, each with the function whose body uses it.
    fn function_variables(&self) -> Vec<Vec<(String, String)>> {
        fn visit(
            l: &Loader<'_>,
            i: usize,
            memo: &mut Vec<Option<Vec<(String, String)>>>,
            depth: usize,
        ) -> Vec<(String, String)> {
            if let Some(done) = &memo[i] {
                return done.clone();
            }
            let Some((fname, decl)) = l.funcs.get_index(i) else {
                return Vec::new();
            };
            let mut out: Vec<(String, String)> = Vec::new();
            let mut calls = Vec::new();
            decl.result.walk(&mut |x| match &x.kind {
                ExprKind::Var(id) => {
                    let n: &str = &id.name;
                    let local = decl.params.iter().any(|p| &**p == n)
                        || decl.variadic.as_deref() == Some(n);
                    if !local && l.vars.contains_key(n) && !out.iter().any(|(k, _)| k == n) {
                        out.push((n.to_string(), fname.clone()));
                    }
                }
                ExprKind::Call { name, .. } => {
                    if let Some(j) = l.funcs.get_index_of(&*name.name) {
                        calls.push(j);
                    }
                }
                _ => {}
            });
            // The load rejected recursive functions; the depth bound only guards the walk.
            if depth < 64 {
                for j in calls {
                    for (v, f) in visit(l, j, memo, depth + 1) {
                        if !out.iter().any(|(k, _)| *k == v) {
                            out.push((v, f));
                        }
                    }
                }
            }
            memo[i] = Some(out.clone());
            out
        }
        let mut memo = vec![None; self.funcs.len()];
        (0..self.funcs.len())
            .map(|i| visit(self, i, &mut memo, 0))
            .collect()
    }

    fn lower_group(&self, i: usize) -> Result<GroupDef> {
        let inst = &self.insts[i];
        let mut g = GroupDef {
            name: inst.name.clone(),
            ..GroupDef::default()
        };
        for (ai, a) in inst.block.body.attrs.iter().enumerate() {
            let Some(v) = self.done_value(i, ai) else {
                continue;
            };
            match &*a.name.name {
                "description" => g.description = decode_str(v, a)?,
                "targets" => g.targets = decode_list(v, a)?.unwrap_or_default(),
                _ => {}
            }
        }
        Ok(g)
    }

    fn lower_target(&self, i: usize) -> Result<TargetDef> {
        let inst = &self.insts[i];
        let mut t = TargetDef {
            name: inst.name.clone(),
            ..TargetDef::default()
        };
        let file = &self.sources.get(inst.block.span.src).name;
        if file != "-" && !file.contains("://") {
            let dir = std::path::Path::new(file)
                .parent()
                .map_or(String::new(), |p| p.to_string_lossy().into_owned());
            t.file_dir = Some(if dir.is_empty() { ".".to_string() } else { dir });
        }
        for (ai, a) in inst.block.body.attrs.iter().enumerate() {
            let name: &str = &a.name.name;
            let Some(v) = self.done_value(i, ai) else {
                continue;
            };
            let Some(key) = target_keys().find(|k| *k == name) else {
                continue;
            };
            let span = a.expr.span;
            let Some(field) = t.field_mut(key) else {
                continue;
            };
            let set = match field {
                DefField::Text(f) => set(f, decode_str(v, a)?),
                DefField::Flag(f) => set(f, decode_bool(v, a)?),
                DefField::Strings(f) => set(f, decode_list(v, a)?),
                DefField::Map(f) => set(
                    f,
                    decode_map(v, a)?.map(|m| {
                        m.into_iter()
                            .filter_map(|(k, v)| v.map(|v| (k, v)))
                            .collect()
                    }),
                ),
                DefField::NullableMap(f) => set(f, decode_map(v, a)?),
                DefField::Entries(f) => set(f, decode_entries(v, a)?),
                DefField::Object(f) => set(f, decode_object(v, a)?),
            };
            if set {
                t.origins.insert(key, Origin::File(to_core_span(span)));
            }
        }
        Ok(t)
    }

    fn block_value(&mut self, inst: usize, field: &str) -> Result<Option<Value>> {
        let block = self.insts[inst].block;
        let Some(idx) = block.body.attrs.iter().position(|a| &*a.name.name == field) else {
            return Ok(None);
        };
        let v = self.eval_attr(inst, idx)?;
        let ty = self.insts[inst].ty;
        Ok(Some(match field_kind(ty, field) {
            Some(Kind::Str) => convert(&v, &Type::String).unwrap_or(v),
            Some(Kind::List) => convert(&v, &Type::list(Type::String)).unwrap_or(v),
            Some(Kind::Map | Kind::MapNullable) => {
                convert(&v, &Type::map(Type::String)).unwrap_or(v)
            }
            Some(Kind::Bool) => convert(&v, &Type::Bool).unwrap_or(v),
            _ => v,
        }))
    }
}

fn to_core_span(s: Span) -> bake_core::source::Span {
    bake_core::source::Span {
        source: s.src,
        start: s.start,
        end: s.end,
    }
}

fn set<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    let was = v.is_some();
    if v.is_some() {
        *slot = v;
    }
    was
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Lit(Value::Null(_)))
}

fn type_err(a: &Attr, want: &str, got: &Value) -> Box<HclError> {
    Box::new(
        HclError::new(
            ErrorKind::Type,
            Some(a.expr.span),
            format!(
                "incorrect attribute value type: inappropriate value for attribute `{}`: {want} required, got {}",
                a.name.name,
                got.ty().friendly_name()
            ),
        )
        .with_label(format!("expected {want}")),
    )
}

fn decode_str(v: &Value, a: &Attr) -> Result<Option<String>> {
    if v.is_null() {
        return Ok(None);
    }
    match convert(v, &Type::String) {
        Ok(Value::String(s)) => Ok(Some(s.to_string())),
        _ => Err(type_err(a, "string", v)),
    }
}

fn decode_bool(v: &Value, a: &Attr) -> Result<Option<bool>> {
    if v.is_null() {
        return Ok(None);
    }
    match convert(v, &Type::Bool) {
        Ok(Value::Bool(b)) => Ok(Some(b)),
        _ => Err(type_err(a, "bool", v)),
    }
}

fn decode_list(v: &Value, a: &Attr) -> Result<Option<Vec<String>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(items) = v.as_seq() else {
        return Err(type_err(a, "list of string", v));
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match convert(it, &Type::String) {
            Ok(Value::String(s)) => out.push(s.to_string()),
            Ok(_) => {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Type,
                        Some(a.expr.span),
                        format!(
                            "incorrect attribute value type: inappropriate value for attribute `{}`: null values are not allowed in a list",
                            a.name.name
                        ),
                    )
                    .with_label("contains null"),
                ))
            }
            Err(_) => return Err(type_err(a, "list of string", v)),
        }
    }
    Ok(Some(out))
}

fn decode_map(v: &Value, a: &Attr) -> Result<Option<BTreeMap<String, Option<String>>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(m) = v.as_map() else {
        return Err(type_err(a, "map of string", v));
    };
    let mut out = BTreeMap::new();
    for (k, x) in m {
        if x.is_null() {
            out.insert(k.clone(), None);
            continue;
        }
        match convert(x, &Type::String) {
            Ok(Value::String(s)) => {
                out.insert(k.clone(), Some(s.to_string()));
            }
            _ => {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Type,
                        Some(a.expr.span),
                        format!(
                            "incorrect attribute value type: inappropriate value for attribute `{}`: element `{k}`: string required, got {}",
                            a.name.name,
                            x.ty().friendly_name()
                        ),
                    )
                    .with_label("expected a map of strings"),
                ))
            }
        }
    }
    Ok(Some(out))
}

fn entry_map(x: &Value, a: &Attr) -> Result<BTreeMap<String, String>> {
    let Some(m) = x.as_map() else {
        return Err(type_err(a, "list of map of string", x));
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        if v.is_null() {
            continue;
        }
        match convert(v, &Type::String) {
            Ok(Value::String(s)) => {
                out.insert(k.clone(), s.to_string());
            }
            _ => return Err(type_err(a, "list of map of string", x)),
        }
    }
    Ok(out)
}

fn decode_entries(v: &Value, a: &Attr) -> Result<Option<Vec<RawEntry>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(items) = v.as_seq() else {
        return Err(type_err(a, "list of map of string", v));
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match it {
            Value::Null(_) => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => out.push(RawEntry::Str(s.to_string())),
            Value::Map(_) | Value::Object(_) => out.push(RawEntry::Map(entry_map(it, a)?)),
            other => match convert(other, &Type::String) {
                Ok(Value::String(s)) => out.push(RawEntry::Str(s.to_string())),
                _ => return Err(type_err(a, "list of map of string", v)),
            },
        }
    }
    Ok(Some(out))
}

fn decode_object(v: &Value, a: &Attr) -> Result<Option<RawEntry>> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(RawEntry::Map(entry_map(v, a)?)))
}

/// An environment value converted to a primitive type, as buildx does (Go's
/// `strconv.ParseBool` / `ParseFloat`).
fn convert_primitive(name: &str, text: &str, ty: &Type) -> std::result::Result<Value, String> {
    match ty {
        Type::String => Ok(Value::string(text)),
        Type::Bool => match parse_bool(text) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err(format!(
                "failed to parse `{name}` as bool: strconv.ParseBool: parsing {text:?}: invalid syntax"
            )),
        },
        Type::Number => {
            let f: f64 = parse_go_float(text).ok_or_else(|| {
                format!("failed to parse `{name}` as number: strconv.ParseFloat: parsing {text:?}: invalid syntax")
            })?;
            if f.is_nan() || f.is_infinite() {
                return Err(format!("failed to parse `{name}` as number: invalid number value"));
            }
            crate::number::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| format!("failed to parse `{name}` as number"))
        }
        other => Err(format!("`{name}` of type {} is not a primitive", other.friendly_name())),
    }
}

fn parse_go_float(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if let Some(hex) = body.strip_prefix("0x") {
        let neg = lower.starts_with('-');
        let v = i64::from_str_radix(hex, 16).ok()? as f64;
        return Some(if neg { -v } else { v });
    }
    if matches!(body, "inf" | "infinity") {
        return Some(if lower.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if body == "nan" {
        return Some(f64::NAN);
    }
    t.parse::<f64>().ok()
}

/// Splits a CSV record (double quotes, `""` escapes) on `sep`.
fn csv_fields(text: &str, sep: char) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() && !quoted_field {
            in_quotes = true;
            quoted_field = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
            quoted_field = false;
        } else if c == '"' {
            return Err(format!("bare \" in non-quoted field: {text:?}"));
        } else {
            cur.push(c);
        }
    }
    if in_quotes {
        return Err(format!(
            "extraneous or missing \" in quoted field: {text:?}"
        ));
    }
    out.push(cur);
    Ok(out)
}

fn value_from_csv(name: &str, text: &str, ty: &Type) -> std::result::Result<Value, String> {
    let fields = csv_fields(text, ',')?;
    let prim = |t: &Type, f: &str| -> std::result::Result<Value, String> {
        if !t.is_primitive() {
            return Err(format!(
                "unsupported type {} for CSV specification",
                ty.friendly_name()
            ));
        }
        convert_primitive(name, f, t).map_err(|e| {
            format!(
                "failed to parse element of type {}: {e}",
                ty.friendly_name()
            )
        })
    };
    match ty {
        Type::List(et) | Type::Set(et) => {
            let mut out = Vec::new();
            for f in &fields {
                out.push(prim(et, f)?);
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::set(out)
            } else {
                Value::list(out)
            })
        }
        Type::Tuple(ts) => {
            if ts.len() != fields.len() {
                return Err(format!(
                    "{} expects {} elements but only {} provided",
                    ty.friendly_name(),
                    ts.len(),
                    fields.len()
                ));
            }
            let mut out = Vec::new();
            for (t, f) in ts.iter().zip(&fields) {
                out.push(prim(t, f)?);
            }
            Ok(Value::tuple(out))
        }
        Type::Map(et) => {
            let mut m = ValueMap::new();
            for f in &fields {
                let kv = csv_fields(f, ':')?;
                if kv.len() != 2 {
                    return Err(format!(
                        "expected one k/v pair but got {} pieces from {f}",
                        kv.len()
                    ));
                }
                m.insert(kv[0].clone(), prim(et, &kv[1])?);
            }
            Ok(Value::map(m))
        }
        _ => Err(format!(
            "unsupported type {} for CSV specification",
            ty.friendly_name()
        )),
    }
}

trait HelpBox {
    fn with_help_box(self, h: String) -> Self;
}

impl HelpBox for Box<HclError> {
    fn with_help_box(self, h: String) -> Self {
        Box::new((*self).with_help(h))
    }
}

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
        let bt = if ty == "group" {
            BlockTy::Group
        } else {
            BlockTy::Target
        };
        let Some(idxs) = self.by_name.get(&(bt, name.name.to_string())).cloned() else {
            let mut e = HclError::new(
                ErrorKind::Eval,
                Some(name.span),
                format!(
                    "unsupported attribute: there is no {ty} named `{}`",
                    name.name
                ),
            )
            .with_label(format!("unknown {ty}"));
            let cands: Vec<String> = self
                .by_name
                .keys()
                .filter(|(t, _)| *t == bt)
                .map(|(_, n)| n.clone())
                .collect();
            if let Some(s) = did_you_mean(&name.name, cands.iter().map(String::as_str)) {
                e = e.with_help(s);
            }
            return Err(Box::new(e));
        };
        match field {
            Some(f) => {
                if field_kind(bt, &f.name).is_none() {
                    let mut e = HclError::new(
                        ErrorKind::Eval,
                        Some(f.span),
                        format!(
                            "unsupported attribute: a {ty} has no attribute named `{}`",
                            f.name
                        ),
                    );
                    let known: Vec<&str> = if bt == BlockTy::Target {
                        target_keys().collect()
                    } else {
                        GROUP_FIELDS.iter().map(|(n, _)| *n).collect()
                    };
                    if let Some(s) = did_you_mean(&f.name, known) {
                        e = e.with_help(s);
                    }
                    return Err(Box::new(e));
                }
                let mut out = Value::NULL;
                for i in idxs {
                    if let Some(v) = self.block_value(i, &f.name)? {
                        out = v;
                    }
                }
                Ok(out)
            }
            None => {
                let known: Vec<&str> = if bt == BlockTy::Target {
                    target_keys().collect()
                } else {
                    GROUP_FIELDS.iter().map(|(n, _)| *n).collect()
                };
                let mut m = ValueMap::new();
                for fname in known {
                    let mut out = Value::NULL;
                    for &i in &idxs {
                        if let Some(v) = self.block_value(i, fname)? {
                            out = v;
                        }
                    }
                    m.insert((*fname).to_string(), out);
                }
                m.insert("name".into(), Value::string(name.name.clone()));
                Ok(Value::object(m))
            }
        }
    }

    fn call_user(
        &mut self,
        name: &Ident,
        args: Vec<Value>,
        span: Span,
        depth: usize,
    ) -> Option<Result<Value>> {
        let decl = self.funcs.get(&*name.name)?;
        let (params, variadic, result) = (decl.params.clone(), decl.variadic.clone(), decl.result);
        if args.len() < params.len() || (variadic.is_none() && args.len() > params.len()) {
            let want = if variadic.is_some() {
                format!("at least {}", params.len())
            } else {
                params.len().to_string()
            };
            return Some(Err(Box::new(
                HclError::new(
                    ErrorKind::Arity,
                    Some(span),
                    format!(
                        "function `{}` takes {want} argument{}, got {}",
                        name.name,
                        if params.len() == 1 && variadic.is_none() {
                            ""
                        } else {
                            "s"
                        },
                        args.len()
                    ),
                )
                .with_label("wrong number of arguments"),
            )));
        }
        let mut locals: Vec<(Arc<str>, Value)> = Vec::new();
        let mut it = args.into_iter();
        for p in &params {
            locals.push((p.clone(), it.next().unwrap_or(Value::NULL)));
        }
        if let Some(v) = variadic {
            locals.push((v, Value::tuple(it.collect())));
        }
        let saved = (self.blocks_allowed, self.cur_ctx);
        self.blocks_allowed = false;
        self.cur_ctx = Some(usize::MAX);
        let r = Evaluator::with_locals(self, locals, depth).eval(result);
        (self.blocks_allowed, self.cur_ctx) = saved;
        Some(r)
    }

    fn type_keyword(&mut self, id: &Ident) -> Result<()> {
        if self.cur_ctx == Some(usize::MAX) {
            return Ok(());
        }
        if self
            .keywords_seen
            .insert((self.cur_ctx, id.name.to_string()))
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

/// Which nodes of a graph lie on a cycle (a strongly connected component of more than one
/// node, or a node with an edge to itself): Tarjan's algorithm without recursion, so a long
/// chain of functions cannot overflow the stack.
fn on_cycles(edges: &[Vec<(usize, Span)>]) -> Vec<bool> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut out = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        let mut work = vec![(root, 0usize)];
        while let Some(&(v, i)) = work.last() {
            if let Some(&(w, _)) = edges[v].get(i) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if w == v {
                    out[v] = true;
                }
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(u, _)) = work.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut members = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        members.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if members.len() > 1 {
                        for w in members {
                            out[w] = true;
                        }
                    }
                }
            }
        }
    }
    out
}
