//! HCL native syntax → our syntax tree, through `hcl-edit` (the only module that knows it).

use std::borrow::Cow;
use std::sync::Arc;

use bake_core::api::frontend::SourceId;
use hcl_edit::expr::{
    BinaryOperator, Expression, FuncCall, ObjectKey, Traversal, TraversalOperator, UnaryOp,
    UnaryOperator,
};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element, HeredocTemplate, Template};
use hcl_edit::Span as _;

use crate::error::HclError;
use crate::number::Number;
use crate::parse::ast::{
    Attr, BinOp, Block, Body, Call, Expr, ExprKind, ForExpr, Ident, ObjKey, Span, TplPart, TravOp,
    UnOp,
};
use crate::parse::template::{finish_template, template_expr, TemplateToken};
use crate::value::Value;

/// Parses an HCL file.
///
/// # Errors
/// A syntax error with its location.
pub fn parse(src: SourceId, text: &str) -> crate::error::Result<Body> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let off = e.location().offset().min(text.len());
        Box::new(HclError::syntax(
            Span::new(src, off..off),
            e.message().to_string(),
        ))
    })?;
    let converter = HclConverter { src, text, base: 0 };
    Ok(converter.body(&body, 0..text.len()))
}

/// Parses a template (the string of a JSON value).
///
/// # Errors
/// A syntax error with its location.
pub fn parse_template_str(src: SourceId, text: &str, span: Span) -> crate::error::Result<Expr> {
    let tpl = hcl_edit::parser::parse_template(text).map_err(|e| {
        Box::new(HclError::syntax(
            span,
            format!("invalid template: {}", e.message()),
        ))
    })?;
    // Spans inside refer to `text`, not to the file: map them all onto the string's span.
    let converter = HclConverter { src, text, base: 0 };
    let parts = converter.template(&tpl);
    let mut e = template_expr(parts, span);
    fix_spans(&mut e, span);
    Ok(e)
}

/// Parses an expression (a JSON string in an expression context, like `type`).
///
/// # Errors
/// A syntax error.
pub fn parse_expr_str(src: SourceId, text: &str, span: Span) -> crate::error::Result<Expr> {
    let ex = hcl_edit::parser::parse_expr(text.trim_end()).map_err(|e| {
        Box::new(HclError::syntax(
            span,
            format!("invalid expression: {}", e.message()),
        ))
    })?;
    let converter = HclConverter { src, text, base: 0 };
    let mut e = converter.expr(&ex);
    fix_spans(&mut e, span);
    Ok(e)
}

fn fix_spans(e: &mut Expr, span: Span) {
    // A coarse mapping: every node gets the string's span.
    e.span = span;
}

/// Converts hcl-edit's tree (spans kept) into ours.
struct HclConverter<'a> {
    src: SourceId,
    text: &'a str,
    /// Offset of `text` in the source (for re-parsed heredoc bodies).
    base: usize,
}

impl HclConverter<'_> {
    fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        let r = r.unwrap_or(0..0);
        Span::new(self.src, r.start + self.base..r.end + self.base)
    }

    fn ident(&self, d: &hcl_edit::Decorated<hcl_edit::Ident>) -> Ident {
        Ident {
            name: Arc::from(d.as_str()),
            span: self.span(d.span()),
        }
    }

    fn body(&self, b: &hcl_edit::structure::Body, range: std::ops::Range<usize>) -> Body {
        let mut out = Body {
            span: Span::new(self.src, range),
            ..Body::default()
        };
        for s in b {
            match s {
                Structure::Attribute(a) => out.attrs.push(Attr {
                    name: self.ident(&a.key),
                    expr: self.expr(&a.value),
                    span: self.span(a.span()),
                }),
                Structure::Block(bl) => {
                    let labels = bl
                        .labels
                        .iter()
                        .map(|l| match l {
                            BlockLabel::Ident(i) => self.ident(i),
                            BlockLabel::String(s) => Ident {
                                name: Arc::from(s.as_str()),
                                span: self.span(s.span()),
                            },
                        })
                        .collect::<Vec<_>>();
                    let ident = self.ident(&bl.ident);
                    let header_end = labels.last().map_or(ident.span, |l| l.span);
                    let bspan = bl.span().unwrap_or(0..0);
                    out.blocks.push(Block {
                        span: ident.span.to(header_end),
                        ident,
                        labels,
                        body: self.body(&bl.body, bspan),
                    });
                }
            }
        }
        out
    }

    /// An expression; the kinds that take more than a few lines have a method each.
    fn expr(&self, e: &Expression) -> Expr {
        let span = self.span(e.span());
        let kind = match e {
            Expression::Null(_) => ExprKind::Lit(Value::NULL),
            Expression::Bool(b) => ExprKind::Lit(Value::Bool(*b.value())),
            Expression::Number(n) => self.number(n),
            Expression::String(s) => ExprKind::Lit(Value::string(s.as_str())),
            Expression::Array(a) => ExprKind::Tuple(a.iter().map(|x| self.expr(x)).collect()),
            Expression::Object(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(i) => ObjKey::Ident(self.ident(i)),
                            ObjectKey::Expression(x) => ObjKey::Expr(self.expr(x)),
                        };
                        (key, self.expr(v.expr()))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => {
                let parts = self.template_elements(t.iter(), None);
                return template_expr(parts, span);
            }
            Expression::HeredocTemplate(h) => return template_expr(self.heredoc(h), span),
            Expression::Parenthesis(p) => ExprKind::Paren(Box::new(self.expr(p.inner()))),
            Expression::Variable(v) => ExprKind::Var(self.ident(v)),
            Expression::Conditional(c) => ExprKind::Cond(
                Box::new(self.expr(&c.cond_expr)),
                Box::new(self.expr(&c.true_expr)),
                Box::new(self.expr(&c.false_expr)),
            ),
            Expression::FuncCall(f) => self.call(f),
            Expression::Traversal(t) => self.traversal(t),
            Expression::UnaryOp(u) => self.unary(u),
            Expression::BinaryOp(b) => ExprKind::Binary(
                binary_op(*b.operator.value()),
                Box::new(self.expr(&b.lhs_expr)),
                Box::new(self.expr(&b.rhs_expr)),
            ),
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| self.ident(k)),
                val_var: self.ident(&f.intro.value_var),
                coll: self.expr(&f.intro.collection_expr),
                key_expr: f.key_expr.as_ref().map(|k| self.expr(k)),
                val_expr: self.expr(&f.value_expr),
                grouping: f.grouping,
                cond: f.cond.as_ref().map(|c| self.expr(&c.expr)),
            })),
        };
        Expr { kind, span }
    }

    /// A number literal, read from its source text (hcl-edit's value is a float).
    fn number(&self, n: &hcl_edit::Formatted<hcl_edit::Number>) -> ExprKind {
        let raw = n
            .span()
            .and_then(|r| self.text.get(r))
            .map_or_else(|| n.value().to_string(), str::to_string);
        match Number::parse(&raw) {
            Some(num) => ExprKind::Lit(Value::Number(num)),
            None => ExprKind::Lit(Value::Number(
                Number::from_f64(n.value().as_f64().unwrap_or(0.0))
                    .unwrap_or_else(|| Number::from_i64(0)),
            )),
        }
    }

    /// A heredoc's template parts.
    fn heredoc(&self, h: &HeredocTemplate) -> Vec<TplPart> {
        // hcl-edit has already dedented the body; HCL applies strip markers before
        // dedenting, line by line, so re-read the raw body and do it HCL's way.
        let flush = h.indent().is_some();
        let raw = h
            .template
            .span()
            .and_then(|r| Some((r.start, self.text.get(r)?)));
        match raw.map(|(start, raw)| (start, raw, hcl_edit::parser::parse_template(raw))) {
            Some((start, raw, Ok(t))) => {
                let converter = HclConverter {
                    src: self.src,
                    text: raw,
                    base: self.base + start,
                };
                converter.template_elements(t.iter(), Some(flush))
            }
            _ => self.template_elements(h.template.iter(), None),
        }
    }

    /// A function call; a namespaced name (`a::b`) keeps its namespace.
    fn call(&self, f: &FuncCall) -> ExprKind {
        let mut name = self.ident(&f.name.name);
        if f.name.is_namespaced() {
            let ns: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
            name.name = Arc::from(format!("{}::{}", ns.join("::"), name.name));
        }
        ExprKind::Call(Box::new(Call {
            name,
            args: f.args.iter().map(|a| self.expr(a)).collect(),
            expand: f.args.expand_final(),
        }))
    }

    /// An expression followed by traversal operators.
    fn traversal(&self, t: &Traversal) -> ExprKind {
        let ops = t
            .operators
            .iter()
            .map(|op| {
                let ospan = self.span(op.span());
                match op.value() {
                    TraversalOperator::AttrSplat(_) => TravOp::AttrSplat(ospan),
                    TraversalOperator::FullSplat(_) => TravOp::FullSplat(ospan),
                    TraversalOperator::GetAttr(i) => TravOp::Attr(self.ident(i)),
                    TraversalOperator::Index(x) => TravOp::Index(self.expr(x)),
                    TraversalOperator::LegacyIndex(n) => TravOp::LegacyIndex(*n.value(), ospan),
                }
            })
            .collect();
        ExprKind::Traversal(Box::new(self.expr(&t.expr)), ops)
    }

    /// `-x` or `!x`; `-5` is a negative number literal.
    fn unary(&self, u: &UnaryOp) -> ExprKind {
        let op = match u.operator.value() {
            UnaryOperator::Neg => UnOp::Neg,
            UnaryOperator::Not => UnOp::Not,
        };
        let inner = self.expr(&u.expr);
        if let (UnOp::Neg, ExprKind::Lit(Value::Number(n))) = (op, &inner.kind) {
            ExprKind::Lit(Value::Number(n.neg()))
        } else {
            ExprKind::Unary(op, Box::new(inner))
        }
    }

    fn template(&self, t: &Template) -> Vec<TplPart> {
        self.template_elements(t.iter(), None)
    }

    /// Template elements to parts, applying strip markers; `heredoc` is `Some(flush)` for a
    /// raw heredoc body, whose literals HCL sees one line at a time.
    fn template_elements<'t>(
        &self,
        elems: impl Iterator<Item = &'t Element>,
        heredoc: Option<bool>,
    ) -> Vec<TplPart> {
        let mut toks = Vec::new();
        for el in elems {
            self.flatten(el, &mut toks);
        }
        finish_template(toks, heredoc)
    }

    fn flatten(&self, el: &Element, toks: &mut Vec<TemplateToken<'static>>) {
        match el {
            Element::Literal(l) => toks.push(TemplateToken::Lit(Cow::Owned(l.value().clone()))),
            Element::Interpolation(i) => {
                toks.push(TemplateToken::Interp(self.expr(&i.expr), strip(i.strip)));
            }
            Element::Directive(d) => match &**d {
                Directive::If(d) => {
                    toks.push(TemplateToken::If(
                        self.expr(&d.if_expr.cond_expr),
                        strip(d.if_expr.strip),
                    ));
                    for e in &d.if_expr.template {
                        self.flatten(e, toks);
                    }
                    if let Some(els) = &d.else_expr {
                        toks.push(TemplateToken::Else(strip(els.strip)));
                        for e in &els.template {
                            self.flatten(e, toks);
                        }
                    }
                    toks.push(TemplateToken::EndIf(strip(d.endif_expr.strip)));
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    toks.push(TemplateToken::For(
                        f.key_var.as_ref().map(|k| self.ident(k)),
                        self.ident(&f.value_var),
                        self.expr(&f.collection_expr),
                        strip(f.strip),
                    ));
                    for e in &f.template {
                        self.flatten(e, toks);
                    }
                    toks.push(TemplateToken::EndFor(strip(d.endfor_expr.strip)));
                }
            },
        }
    }
}

/// hcl-edit's binary operator as ours.
fn binary_op(op: BinaryOperator) -> BinOp {
    match op {
        BinaryOperator::Eq => BinOp::Eq,
        BinaryOperator::NotEq => BinOp::NotEq,
        BinaryOperator::LessEq => BinOp::LessEq,
        BinaryOperator::GreaterEq => BinOp::GreaterEq,
        BinaryOperator::Less => BinOp::Less,
        BinaryOperator::Greater => BinOp::Greater,
        BinaryOperator::Plus => BinOp::Add,
        BinaryOperator::Minus => BinOp::Sub,
        BinaryOperator::Mul => BinOp::Mul,
        BinaryOperator::Div => BinOp::Div,
        BinaryOperator::Mod => BinOp::Mod,
        BinaryOperator::And => BinOp::And,
        BinaryOperator::Or => BinOp::Or,
    }
}

/// hcl-edit's strip marker as (strip before, strip after).
fn strip(s: hcl_edit::template::Strip) -> (bool, bool) {
    (s.strip_start(), s.strip_end())
}
