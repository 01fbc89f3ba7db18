//! HCL's JSON syntax → our syntax tree. Strings are templates (`"${X}"`, `"$${X}"`), the
//! top-level keys `variable`, `function`, `target` and `group` hold blocks keyed by label,
//! everything else is an attribute.
//!
//! Spans: serde_json gives none, so every node points at the key it was found under
//! (located by a textual search); good enough for "which target, which attribute".

use std::sync::Arc;

use bake_core::source::SourceId;
use serde_json::Value as J;

use crate::ast::{Attr, Block, Body, Expr, ExprKind, Ident, ObjKey, Span};
use crate::error::{HclError, Result};
use crate::number::Number;
use crate::parse_hcl::{parse_expr_str, parse_template_str};
use crate::value::Value;

/// Parses a JSON bake file.
///
/// # Errors
/// Invalid JSON (with line and column) and invalid templates in strings.
pub fn parse(src: SourceId, text: &str) -> Result<Body> {
    let j: J = serde_json::from_str(text).map_err(|e| {
        let off = line_col_offset(text, e.line(), e.column());
        HclError::syntax(Span::new(src, off..off), format!("invalid JSON: {e}"))
    })?;
    let cx = Cx { src, text };
    let J::Object(top) = &j else {
        return Err(Box::new(HclError::syntax(
            Span::new(src, 0..0),
            "a JSON bake file must be an object at the top level",
        )));
    };
    let mut body = Body {
        span: Span::new(src, 0..text.len()),
        ..Body::default()
    };
    for (k, v) in top {
        let kspan = cx.key_span(k);
        match k.as_str() {
            "variable" | "function" | "target" | "group" => {
                for (label, b) in labeled(v) {
                    let lspan = cx.key_span(&label);
                    let blk = cx.block(k, &label, b, kspan, lspan)?;
                    body.blocks.push(blk);
                }
            }
            _ => body.attrs.push(Attr {
                name: Ident {
                    name: Arc::from(k.as_str()),
                    span: kspan,
                },
                expr: cx.expr(v, kspan)?,
                span: kspan,
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

/// `{"label": {...}}` or `[{"label": {...}}, ...]` → (label, body) pairs.
fn labeled(v: &J) -> Vec<(String, &J)> {
    match v {
        J::Object(o) => o
            .iter()
            .flat_map(|(k, b)| match b {
                J::Array(items) => items.iter().map(|i| (k.clone(), i)).collect::<Vec<_>>(),
                other => vec![(k.clone(), other)],
            })
            .collect(),
        J::Array(items) => items.iter().flat_map(labeled).collect(),
        _ => Vec::new(),
    }
}

struct Cx<'a> {
    src: SourceId,
    text: &'a str,
}

impl Cx<'_> {
    fn key_span(&self, key: &str) -> Span {
        let needle = format!("\"{key}\"");
        match self.text.find(&needle) {
            Some(i) => Span::new(self.src, i..i + needle.len()),
            None => Span::new(self.src, 0..0),
        }
    }

    fn block(&self, ty: &str, label: &str, b: &J, tspan: Span, lspan: Span) -> Result<Block> {
        let mut body = Body {
            span: lspan,
            ..Body::default()
        };
        if let J::Object(o) = b {
            for (k, v) in o {
                let kspan = self.key_span(k);
                let name = Ident {
                    name: Arc::from(k.as_str()),
                    span: kspan,
                };
                if ty == "variable" && k == "validation" {
                    let items: Vec<&J> = match v {
                        J::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for it in items {
                        let mut vb = Body {
                            span: kspan,
                            ..Body::default()
                        };
                        if let J::Object(vo) = it {
                            for (vk, vv) in vo {
                                let vks = self.key_span(vk);
                                vb.attrs.push(Attr {
                                    name: Ident {
                                        name: Arc::from(vk.as_str()),
                                        span: vks,
                                    },
                                    expr: self.expr(vv, vks)?,
                                    span: vks,
                                });
                            }
                        }
                        body.blocks.push(Block {
                            ident: name.clone(),
                            labels: vec![],
                            body: vb,
                            span: kspan,
                        });
                    }
                    continue;
                }
                let expr = match (ty, k.as_str(), v) {
                    ("variable", "type", J::String(s)) => parse_expr_str(self.src, s, kspan)?,
                    ("function", "params", J::Array(items)) => Expr {
                        kind: ExprKind::Tuple(
                            items
                                .iter()
                                .map(|i| match i {
                                    J::String(s) => Ok(keyword(s, kspan)),
                                    other => self.expr(other, kspan),
                                })
                                .collect::<Result<_>>()?,
                        ),
                        span: kspan,
                    },
                    ("function", "variadic_params", J::String(s)) => keyword(s, kspan),
                    _ => self.expr(v, kspan)?,
                };
                body.attrs.push(Attr {
                    name,
                    expr,
                    span: kspan,
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

    fn expr(&self, v: &J, span: Span) -> Result<Expr> {
        let kind = match v {
            J::Null => ExprKind::Lit(Value::NULL),
            J::Bool(b) => ExprKind::Lit(Value::Bool(*b)),
            J::Number(n) => ExprKind::Lit(Value::Number(
                Number::parse(&n.to_string()).unwrap_or_else(|| Number::from_i64(0)),
            )),
            J::String(s) => {
                if !s.contains("${") && !s.contains("%{") {
                    ExprKind::Lit(Value::string(s.as_str()))
                } else {
                    return parse_template_str(self.src, s, span);
                }
            }
            J::Array(a) => ExprKind::Tuple(
                a.iter()
                    .map(|x| self.expr(x, span))
                    .collect::<Result<_>>()?,
            ),
            J::Object(o) => ExprKind::Object(
                o.iter()
                    .map(|(k, x)| {
                        Ok((
                            ObjKey::Expr(Expr {
                                kind: ExprKind::Lit(Value::string(k.as_str())),
                                span,
                            }),
                            self.expr(x, span)?,
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
