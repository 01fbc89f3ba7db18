//! Tuples, objects (with the duplicate-key checks hcl-edit makes) and `for` expressions in
//! both forms.

use super::FastParser;
use crate::parse::ast::{Expr, ExprKind, ForExpr, ObjKey};
use crate::value::Value;

impl FastParser<'_> {
    /// Whether `for` (followed by a space or comment start) comes next, after whitespace.
    fn for_ahead(&mut self) -> Option<bool> {
        let save = self.pos;
        self.ws()?;
        let r = self.starts(b"for")
            && matches!(
                self.byte_at(self.pos + 3),
                b' ' | b'\t' | b'#' | b'/' | b'\n'
            );
        self.pos = save;
        Some(r)
    }

    pub(super) fn array(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        if self.for_ahead()? {
            let fe = self.for_expr(false)?;
            self.expect(b']')?;
            return Some(Expr {
                kind: ExprKind::For(Box::new(fe)),
                span: self.span(start, self.pos),
            });
        }
        let mut items = Vec::new();
        self.ws()?;
        if !self.eat(b']') {
            loop {
                items.push(self.expr(true)?);
                self.ws()?;
                if self.eat(b',') {
                    self.ws()?;
                    if self.eat(b']') {
                        break;
                    }
                } else {
                    self.expect(b']')?;
                    break;
                }
            }
        }
        items.shrink_to_fit();
        Some(Expr {
            kind: ExprKind::Tuple(items),
            span: self.span(start, self.pos),
        })
    }

    /// A for expression after its opening bracket, up to (not including) the closing one.
    fn for_expr(&mut self, object: bool) -> Option<ForExpr> {
        self.ws()?;
        self.expect_str(b"for")?;
        self.ws()?;
        let first = self.ident()?;
        self.ws()?;
        let (key_var, val_var) = if self.eat(b',') {
            self.ws()?;
            let second = self.ident()?;
            self.ws()?;
            (Some(first), second)
        } else {
            (None, first)
        };
        self.expect_str(b"in")?;
        self.ws()?;
        let coll = self.expr(false)?;
        self.ws()?;
        self.expect(b':')?;
        self.ws()?;
        let (key_expr, val_expr, grouping) = if object {
            let k = self.expr(false)?;
            self.ws()?;
            self.expect_str(b"=>")?;
            self.ws()?;
            let v = self.expr(false)?;
            self.ws()?;
            let grouping = self.starts(b"...");
            if grouping {
                self.pos += 3;
                self.ws()?;
            }
            (Some(k), v, grouping)
        } else {
            let v = self.expr(true)?;
            self.ws()?;
            (None, v, false)
        };
        let save = self.pos;
        self.ws()?;
        let cond = if self.starts(b"if") {
            self.pos += 2;
            self.ws()?;
            let c = self.expr(true)?;
            self.ws()?;
            Some(c)
        } else {
            self.pos = save;
            None
        };
        Some(ForExpr {
            key_var,
            val_var,
            coll,
            key_expr,
            val_expr,
            grouping,
            cond,
        })
    }

    pub(super) fn object(&mut self, nl: &mut bool) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        if self.for_ahead()? {
            *nl = true;
            let fe = self.for_expr(true)?;
            self.expect(b'}')?;
            return Some(Expr {
                kind: ExprKind::For(Box::new(fe)),
                span: self.span(start, self.pos),
            });
        }
        let mut items: Vec<(ObjKey, Expr)> = Vec::new();
        let mut complex_keys = 0;
        // Number keys by value: hcl-edit compares keys structurally, and numbers equal as
        // floats may be equal to it.
        let mut numbers: Vec<f64> = Vec::new();
        loop {
            self.ws()?;
            if self.eat(b'}') {
                break;
            }
            let key = self.expr(false)?;
            self.sp()?;
            let key = match key.kind {
                ExprKind::Var(id) => {
                    if items
                        .iter()
                        .any(|(k, _)| matches!(k, ObjKey::Ident(i) if i.name == id.name))
                    {
                        return None;
                    }
                    ObjKey::Ident(id)
                }
                ExprKind::Lit(Value::String(ref s)) => {
                    if items.iter().any(|(k, _)| {
                        matches!(k, ObjKey::Expr(Expr { kind: ExprKind::Lit(Value::String(t)), .. }) if t == s)
                    }) {
                        return None;
                    }
                    ObjKey::Expr(key)
                }
                ExprKind::Lit(Value::Number(_)) => {
                    let text = &self.text[key.span.start as usize..key.span.end as usize];
                    let v: f64 = text.parse().ok()?;
                    if numbers.contains(&v) {
                        return None;
                    }
                    numbers.push(v);
                    ObjKey::Expr(key)
                }
                _ => {
                    complex_keys += 1;
                    if complex_keys > 1 {
                        return None;
                    }
                    ObjKey::Expr(key)
                }
            };
            if !matches!(self.peek(), b'=' | b':') {
                return None;
            }
            self.pos += 1;
            self.sp()?;
            let value = self.expr(false)?;
            self.sp()?;
            items.push((key, value));
            match self.peek() {
                b'}' => {
                    self.pos += 1;
                    break;
                }
                b'\n' | b',' => self.pos += 1,
                b'#' => {
                    self.skip_line();
                    self.expect(b'\n')?;
                }
                b'/' if self.byte_at(self.pos + 1) == b'/' => {
                    self.skip_line();
                    self.expect(b'\n')?;
                }
                _ => return None,
            }
        }
        items.shrink_to_fit();
        Some(Expr {
            kind: ExprKind::Object(items),
            span: self.span(start, self.pos),
        })
    }
}
