//! Our own syntax tree: what both the HCL and the JSON readers produce, with byte spans into
//! the source. Keeping it ours puts the parser behind a module boundary (it can be replaced)
//! and lets JSON bake files share the evaluator.

use std::sync::Arc;

use bake_core::api::frontend::SourceId;

use crate::value::Value;

/// A byte range in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The source.
    pub src: SourceId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from a byte range.
    #[must_use]
    pub fn new(src: SourceId, r: std::ops::Range<usize>) -> Span {
        Span {
            src,
            start: u32::try_from(r.start).unwrap_or(u32::MAX),
            end: u32::try_from(r.end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            src: self.src,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An identifier with its span.
#[derive(Debug, Clone)]
pub struct Ident {
    /// The name.
    pub name: Arc<str>,
    /// Where it was written.
    pub span: Span,
}

/// A body: attributes and blocks in source order.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Attributes in source order.
    pub attrs: Vec<Attr>,
    /// Blocks in source order.
    pub blocks: Vec<Block>,
    /// The span of the whole body (for "missing attribute" messages).
    pub span: Span,
}

impl Body {
    /// Whether any expression in this body or its blocks, at any depth, refers to a
    /// variable named one of `names` (a traversal's root included).
    #[must_use]
    pub fn mentions(&self, names: &[&str]) -> bool {
        let mut found = false;
        let mut check = |e: &Expr| {
            if let ExprKind::Var(id) = &e.kind {
                found |= names.contains(&&*id.name);
            }
        };
        for a in &self.attrs {
            a.expr.walk(&mut check);
        }
        found || self.blocks.iter().any(|b| b.body.mentions(names))
    }

    /// The attribute with this name.
    #[must_use]
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| &*a.name.name == name)
    }
}

/// `name = expr`
#[derive(Debug, Clone)]
pub struct Attr {
    /// The attribute's name.
    pub name: Ident,
    /// Its expression.
    pub expr: Expr,
    /// The whole attribute.
    pub span: Span,
}

/// `type "label" { ... }`
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type (`target`, `variable`, ...).
    pub ident: Ident,
    /// The labels.
    pub labels: Vec<Ident>,
    /// The body.
    pub body: Body,
    /// The block header (type and labels), for messages.
    pub span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Less,
    /// `<=`
    LessEq,
    /// `>`
    Greater,
    /// `>=`
    GreaterEq,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `&&`
    And,
    /// `||`
    Or,
}

/// One step of a traversal.
#[derive(Debug, Clone)]
pub enum TravOp {
    /// `.name`
    Attr(Ident),
    /// `[expr]`
    Index(Expr),
    /// `.0`
    LegacyIndex(u64, Span),
    /// `.*` (attribute-only splat)
    AttrSplat(Span),
    /// `[*]`
    FullSplat(Span),
}

/// Template pieces.
#[derive(Debug, Clone)]
pub enum TplPart {
    /// Literal text (strip markers already applied).
    Lit(Arc<str>),
    /// `${expr}`
    Interp(Expr),
    /// `%{ if c }a%{ else }b%{ endif }` (boxed: directives are rare, and every literal
    /// and interpolation part is as large as the largest variant)
    If(Box<TplIf>),
    /// `%{ for k, v in coll }...%{ endfor }` (boxed, as `If`)
    For(Box<TplFor>),
}

/// A template `if` directive.
#[derive(Debug, Clone)]
pub struct TplIf {
    /// The condition.
    pub cond: Expr,
    /// Taken when true.
    pub then: Vec<TplPart>,
    /// Taken when false.
    pub els: Vec<TplPart>,
}

/// A template `for` directive.
#[derive(Debug, Clone)]
pub struct TplFor {
    /// Key variable.
    pub key: Option<Ident>,
    /// Value variable.
    pub val: Ident,
    /// The collection.
    pub coll: Expr,
    /// The body.
    pub body: Vec<TplPart>,
}

/// An object key.
#[derive(Debug, Clone)]
pub enum ObjKey {
    /// A bare identifier: the key is the name itself.
    Ident(Ident),
    /// Any expression (a parenthesised one, a string, ...).
    Expr(Expr),
}

/// A for expression `[for k, v in c : e if cond]` or `{for k, v in c : k => v... if cond}`.
#[derive(Debug, Clone)]
pub struct ForExpr {
    /// Key (or index) variable.
    pub key_var: Option<Ident>,
    /// Value variable.
    pub val_var: Ident,
    /// Collection.
    pub coll: Expr,
    /// Key expression (object form only).
    pub key_expr: Option<Expr>,
    /// Value expression.
    pub val_expr: Expr,
    /// `...` grouping.
    pub grouping: bool,
    /// `if` condition.
    pub cond: Option<Expr>,
}

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// A function call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Function name.
    pub name: Ident,
    /// Arguments.
    pub args: Vec<Expr>,
    /// Whether the last argument is expanded with `...`.
    pub expand: bool,
}

/// The kinds of expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A literal value (null, bool, number, plain string).
    Lit(Value),
    /// A template (string with interpolations or directives, heredoc).
    Template(Vec<TplPart>),
    /// `[a, b]`
    Tuple(Vec<Expr>),
    /// `{ k = v }`
    Object(Vec<(ObjKey, Expr)>),
    /// A variable reference.
    Var(Ident),
    /// `expr.a[0]...`
    Traversal(Box<Expr>, Vec<TravOp>),
    /// `f(a, b...)` (boxed: the largest kind otherwise, and calls are a few of a file's
    /// expressions).
    Call(Box<Call>),
    /// `c ? a : b`
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `-x`, `!x`
    Unary(UnOp, Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A for expression.
    For(Box<ForExpr>),
    /// `(expr)`
    Paren(Box<Expr>),
}

impl Expr {
    /// If the expression is a bare identifier (`name`, or in JSON a string holding one),
    /// that identifier: `hcl.ExprAsKeyword`.
    #[must_use]
    pub fn as_keyword(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Var(id) => Some(&id.name),
            _ => None,
        }
    }

    /// Calls `f` on every variable root and function name this expression refers to (not
    /// descending into for-expression locals is not attempted: callers ignore locals).
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Lit(_) | ExprKind::Var(_) => {}
            ExprKind::Template(parts) => walk_parts(parts, f),
            ExprKind::Tuple(es) => es.iter().for_each(|e| e.walk(f)),
            ExprKind::Object(kvs) => {
                for (k, v) in kvs {
                    if let ObjKey::Expr(k) = k {
                        k.walk(f);
                    }
                    v.walk(f);
                }
            }
            ExprKind::Traversal(e, ops) => {
                e.walk(f);
                for op in ops {
                    if let TravOp::Index(i) = op {
                        i.walk(f);
                    }
                }
            }
            ExprKind::Call(c) => c.args.iter().for_each(|e| e.walk(f)),
            ExprKind::Cond(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            ExprKind::Unary(_, e) | ExprKind::Paren(e) => e.walk(f),
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::For(fe) => {
                fe.coll.walk(f);
                if let Some(k) = &fe.key_expr {
                    k.walk(f);
                }
                fe.val_expr.walk(f);
                if let Some(c) = &fe.cond {
                    c.walk(f);
                }
            }
        }
    }
}

fn walk_parts(parts: &[TplPart], f: &mut dyn FnMut(&Expr)) {
    for p in parts {
        match p {
            TplPart::Lit(_) => {}
            TplPart::Interp(e) => e.walk(f),
            TplPart::If(d) => {
                let TplIf { cond, then, els } = &**d;
                cond.walk(f);
                walk_parts(then, f);
                walk_parts(els, f);
            }
            TplPart::For(d) => {
                let TplFor { coll, body, .. } = &**d;
                coll.walk(f);
                walk_parts(body, f);
            }
        }
    }
}
