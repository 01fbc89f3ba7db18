//! HCL's JSON syntax → our syntax tree. Strings are templates (`"${X}"`, `"$${X}"`), the
//! top-level keys `variable`, `function`, `target` and `group` hold blocks keyed by label,
//! everything else is an attribute. Every node keeps the span of the JSON value it came
//! from, so diagnostics point at the exact value.

use std::sync::Arc;

use bake_core::api::frontend::SourceId;

use crate::error::{HclError, Result};
use crate::number::Number;
use crate::parse::ast::{Attr, Block, Body, Expr, ExprKind, Ident, ObjKey, Span};
use crate::parse::hcl::{parse_expr_str, parse_template_str};
use crate::parse::json_spans::{JKind, JNode};
use crate::value::Value;

/// Parses a JSON bake file.
///
/// # Errors
/// Invalid JSON (with line and column) and invalid templates in strings.
pub fn parse(src: SourceId, text: &str) -> Result<Body> {
    // serde_json validates (and words the error); our reader then keeps the spans.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let off = line_col_offset(text, e.line(), e.column());
        return Err(Box::new(HclError::syntax(
            Span::new(src, off..off),
            format!("invalid JSON: {e}"),
        )));
    }
    if let Some(off) = crate::parse::json_spans::too_deep(text) {
        return Err(Box::new(HclError::new(
            crate::ErrorKind::Limit,
            Some(Span::new(src, off..off + 1)),
            format!(
                "JSON nests deeper than the limit of {} levels",
                crate::parse::json_spans::MAX_DEPTH
            ),
        )));
    }
    let converter = JsonConverter { src };
    let Some(JNode {
        kind: JKind::Obj(top),
        ..
    }) = crate::parse::json_spans::read(text)
    else {
        return Err(Box::new(HclError::syntax(
            Span::new(src, 0..0),
            "a JSON bake file must be an object at the top level",
        )));
    };
    let mut body = Body {
        span: Span::new(src, 0..text.len()),
        ..Body::default()
    };
    for (k, kspan, v) in &top {
        let kspan = converter.span(kspan);
        match k.as_str() {
            "variable" | "function" | "target" | "group" => {
                for (label, lspan, b) in labeled(v) {
                    body.blocks
                        .push(converter.block(k, label, b, kspan, converter.span(lspan))?);
                }
            }
            _ => body.attrs.push(Attr {
                name: Ident {
                    name: Arc::from(k.as_str()),
                    span: kspan,
                },
                expr: converter.expr(v)?,
                span: kspan.to(converter.span(&v.span)),
            }),
        }
    }
    Ok(body)
}

fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + col.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

type Member<'j> = (&'j str, &'j std::ops::Range<usize>, &'j JNode);

/// `{"label": {...}}` or `[{"label": {...}}, ...]` → (label, label span, body) triples.
fn labeled(v: &JNode) -> Vec<Member<'_>> {
    match &v.kind {
        JKind::Obj(o) => o
            .iter()
            .flat_map(|(k, ks, b)| match &b.kind {
                JKind::Arr(items) => items
                    .iter()
                    .map(|i| (k.as_str(), ks, i))
                    .collect::<Vec<_>>(),
                _ => vec![(k.as_str(), ks, b)],
            })
            .collect(),
        JKind::Arr(items) => items.iter().flat_map(labeled).collect(),
        _ => Vec::new(),
    }
}

/// Converts JSON nodes into our tree, spans kept.
struct JsonConverter {
    src: SourceId,
}

impl JsonConverter {
    fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.src, r.clone())
    }

    fn attrs(&self, o: &JNode, body: &mut Body) -> Result<()> {
        if let JKind::Obj(members) = &o.kind {
            for (k, ks, v) in members {
                let kspan = self.span(ks);
                body.attrs.push(Attr {
                    name: Ident {
                        name: Arc::from(k.as_str()),
                        span: kspan,
                    },
                    expr: self.expr(v)?,
                    span: kspan.to(self.span(&v.span)),
                });
            }
        }
        Ok(())
    }

    fn block(&self, ty: &str, label: &str, b: &JNode, tspan: Span, lspan: Span) -> Result<Block> {
        let mut body = Body {
            span: self.span(&b.span),
            ..Body::default()
        };
        if let JKind::Obj(members) = &b.kind {
            for (k, ks, v) in members {
                let kspan = self.span(ks);
                let vspan = self.span(&v.span);
                let name = Ident {
                    name: Arc::from(k.as_str()),
                    span: kspan,
                };
                if ty == "variable" && k == "validation" {
                    let items: Vec<&JNode> = match &v.kind {
                        JKind::Arr(a) => a.iter().collect(),
                        _ => vec![v],
                    };
                    for it in items {
                        let mut vb = Body {
                            span: self.span(&it.span),
                            ..Body::default()
                        };
                        self.attrs(it, &mut vb)?;
                        body.blocks.push(Block {
                            ident: name.clone(),
                            labels: vec![],
                            body: vb,
                            span: kspan,
                        });
                    }
                    continue;
                }
                let expr = match (ty, k.as_str(), &v.kind) {
                    ("variable", "type", JKind::Str(s)) => parse_expr_str(self.src, s, vspan)?,
                    ("function", "params", JKind::Arr(items)) => Expr {
                        kind: ExprKind::Tuple(
                            items
                                .iter()
                                .map(|i| match &i.kind {
                                    JKind::Str(s) => Ok(keyword(s, self.span(&i.span))),
                                    _ => self.expr(i),
                                })
                                .collect::<Result<_>>()?,
                        ),
                        span: vspan,
                    },
                    ("function", "variadic_params", JKind::Str(s)) => keyword(s, vspan),
                    _ => self.expr(v)?,
                };
                body.attrs.push(Attr {
                    name,
                    expr,
                    span: kspan.to(vspan),
                });
            }
        }
        Ok(Block {
            ident: Ident {
                name: Arc::from(ty),
                span: tspan,
            },
            labels: vec![Ident {
                name: Arc::from(label),
                span: lspan,
            }],
            body,
            span: lspan,
        })
    }

    fn expr(&self, v: &JNode) -> Result<Expr> {
        let span = self.span(&v.span);
        let kind = match &v.kind {
            JKind::Null => ExprKind::Lit(Value::NULL),
            JKind::Bool(b) => ExprKind::Lit(Value::Bool(*b)),
            JKind::Num(n) => ExprKind::Lit(Value::Number(
                Number::parse(n).unwrap_or_else(|| Number::from_i64(0)),
            )),
            JKind::Str(s) => {
                if !s.contains("${") && !s.contains("%{") {
                    ExprKind::Lit(Value::string(s.as_str()))
                } else {
                    return parse_template_str(self.src, s, span);
                }
            }
            JKind::Arr(a) => {
                ExprKind::Tuple(a.iter().map(|x| self.expr(x)).collect::<Result<_>>()?)
            }
            JKind::Obj(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, ks, x)| {
                        Ok((
                            ObjKey::Expr(Expr {
                                kind: ExprKind::Lit(Value::string(k.as_str())),
                                span: self.span(ks),
                            }),
                            self.expr(x)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
        };
        Ok(Expr { kind, span })
    }
}

fn keyword(s: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Var(Ident {
            name: Arc::from(s),
            span,
        }),
        span,
    }
}
