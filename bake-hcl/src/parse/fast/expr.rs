//! Expressions: the conditional operator, binary operators by precedence (with hcl-edit's
//! rules for newlines between operands), terms with their traversals, number literals,
//! unary operators, and names: variables, `null`/`true`/`false` and function calls.

use super::{is_id_start, FastParser, MAX_OPS};
use crate::number::Number;
use crate::parse::ast::{BinOp, Call, Expr, ExprKind, TravOp, UnOp};
use crate::value::Value;

impl FastParser<'_> {
    pub(super) fn root_expr(&mut self) -> Option<Expr> {
        self.ops = 0;
        let mut nl = false;
        self.expr_inner(&mut nl)
    }

    /// A nested expression with its own state (`nl`: whether newlines may separate operators).
    pub(super) fn expr(&mut self, nl: bool) -> Option<Expr> {
        self.enter()?;
        let mut nl = nl;
        let e = self.expr_inner(&mut nl)?;
        self.leave();
        Some(e)
    }

    fn expr_inner(&mut self, nl: &mut bool) -> Option<Expr> {
        let start = self.pos;
        let mut e = self.term(nl)?;
        loop {
            let cp = self.pos;
            self.ws_or_sp(*nl)?;
            let c0 = self.peek();
            let c1 = self.byte_at(self.pos + 1);
            if c0 == b'?' {
                self.pos += 1;
                self.ws_or_sp(*nl)?;
                let t = self.expr(*nl)?;
                self.ws_or_sp(*nl)?;
                self.expect(b':')?;
                self.ws_or_sp(*nl)?;
                let f = self.expr(*nl)?;
                return Some(Expr {
                    span: self.span(start, f.span.end as usize),
                    kind: ExprKind::Cond(Box::new(e), Box::new(t), Box::new(f)),
                });
            }
            if is_binary_start(c0, c1) {
                self.pos = cp;
                e = self.binary_ops(e, nl)?;
            } else {
                self.pos = cp;
                return Some(e);
            }
        }
    }

    fn binary_ops(&mut self, first: Expr, nl: &mut bool) -> Option<Expr> {
        let mut operands = vec![first];
        let mut operators: Vec<BinOp> = Vec::new();
        loop {
            let cp = self.pos;
            self.ws_or_sp(*nl)?;
            let c0 = self.peek();
            let c1 = self.byte_at(self.pos + 1);
            if !is_binary_start(c0, c1) {
                self.pos = cp;
                break;
            }
            let (op, len) = match (c0, c1) {
                (b'=', b'=') => (BinOp::Eq, 2),
                (b'!', b'=') => (BinOp::NotEq, 2),
                (b'<', b'=') => (BinOp::LessEq, 2),
                (b'>', b'=') => (BinOp::GreaterEq, 2),
                (b'<', _) => (BinOp::Less, 1),
                (b'>', _) => (BinOp::Greater, 1),
                (b'+', _) => (BinOp::Add, 1),
                (b'-', _) => (BinOp::Sub, 1),
                (b'*', _) => (BinOp::Mul, 1),
                (b'/', _) => (BinOp::Div, 1),
                (b'%', _) => (BinOp::Mod, 1),
                (b'&', b'&') => (BinOp::And, 2),
                (b'|', b'|') => (BinOp::Or, 2),
                _ => return None,
            };
            self.pos += len;
            self.ops += 1;
            if self.ops > MAX_OPS {
                return None;
            }
            self.ws_or_sp(*nl)?;
            let mut tnl = *nl;
            let rhs = self.term(&mut tnl)?;
            // Reduce while the operator on the stack binds at least as tightly (left assoc).
            while let Some(&top) = operators.last() {
                if prec(top) >= prec(op) {
                    operators.pop();
                    reduce(&mut operands, top);
                } else {
                    break;
                }
            }
            operators.push(op);
            operands.push(rhs);
        }
        while let Some(top) = operators.pop() {
            reduce(&mut operands, top);
        }
        operands.pop()
    }

    /// An expression term with its traversal operators.
    fn term(&mut self, nl: &mut bool) -> Option<Expr> {
        self.enter()?;
        let start = self.pos;
        let c = self.peek();
        let mut e = match c {
            b'"' => self.quoted()?,
            b'[' => {
                *nl = true;
                self.array()?
            }
            b'{' => self.object(nl)?,
            b'0'..=b'9' => self.number(start, start)?,
            b'<' => self.heredoc()?,
            b'-' => self.minus(*nl)?,
            b'!' => {
                self.pos += 1;
                self.unary(UnOp::Not, start, *nl)?
            }
            b'(' => {
                self.pos += 1;
                self.ws()?;
                let inner = self.expr(true)?;
                self.ws()?;
                self.expect(b')')?;
                Expr {
                    kind: ExprKind::Paren(Box::new(inner)),
                    span: self.span(start, self.pos),
                }
            }
            c if is_id_start(c) => self.name_or_call(nl)?,
            _ => return None,
        };
        let cp = self.pos;
        self.ws_or_sp(*nl)?;
        if self.traversal_ahead() {
            let mut ops = Vec::new();
            loop {
                ops.push(self.traversal_op()?);
                let cp2 = self.pos;
                self.ws_or_sp(*nl)?;
                if !self.traversal_ahead() {
                    self.pos = cp2;
                    break;
                }
            }
            e = Expr {
                kind: ExprKind::Traversal(Box::new(e), ops),
                span: self.span(start, self.pos),
            };
        } else {
            self.pos = cp;
        }
        self.leave();
        Some(e)
    }

    fn traversal_ahead(&self) -> bool {
        match self.peek() {
            b'.' => self.byte_at(self.pos + 1) != b'.',
            b'[' => true,
            _ => false,
        }
    }

    fn traversal_op(&mut self) -> Option<TravOp> {
        let start = self.pos;
        if self.eat(b'.') {
            self.ws()?;
            let c = self.peek();
            if c == b'*' {
                self.pos += 1;
                Some(TravOp::AttrSplat(self.span(start, self.pos)))
            } else if c.is_ascii_digit() {
                let dstart = self.pos;
                if c == b'0' {
                    self.pos += 1;
                } else {
                    while self.peek().is_ascii_digit() {
                        self.pos += 1;
                    }
                }
                let n: u64 = self.text[dstart..self.pos].parse().ok()?;
                Some(TravOp::LegacyIndex(n, self.span(start, self.pos)))
            } else {
                Some(TravOp::Attr(self.ident()?))
            }
        } else {
            self.expect(b'[')?;
            self.ws()?;
            if self.eat(b'*') {
                self.ws()?;
                self.expect(b']')?;
                Some(TravOp::FullSplat(self.span(start, self.pos)))
            } else {
                let e = self.expr(true)?;
                self.ws()?;
                self.expect(b']')?;
                Some(TravOp::Index(e))
            }
        }
    }

    /// A number literal; `start` is where the literal's text starts (at `-` when negative).
    fn number(&mut self, start: usize, digits: usize) -> Option<Expr> {
        self.pos = digits;
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
        let mut float = false;
        if self.peek() == b'.' && self.byte_at(self.pos + 1).is_ascii_digit() {
            self.pos += 1;
            while self.peek().is_ascii_digit() {
                self.pos += 1;
            }
            float = true;
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.pos += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.pos += 1;
            }
            if !self.peek().is_ascii_digit() {
                return None;
            }
            while self.peek().is_ascii_digit() {
                self.pos += 1;
            }
            float = true;
        }
        let lexeme = &self.text[digits..self.pos];
        if float {
            if !lexeme.parse::<f64>().ok()?.is_finite() {
                return None;
            }
        } else if lexeme.len() > 300 {
            return None;
        }
        let n = Number::parse(&self.text[start..self.pos])?;
        Some(Expr {
            kind: ExprKind::Lit(Value::Number(n)),
            span: self.span(start, self.pos),
        })
    }

    /// `-5` (a negative number literal) or `-x`.
    fn minus(&mut self, nl: bool) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        let after = self.pos;
        self.sp()?;
        if self.peek().is_ascii_digit() {
            if self.pos != after {
                return None;
            }
            return self.number(start, after);
        }
        self.pos = after;
        self.unary(UnOp::Neg, start, nl)
    }

    fn unary(&mut self, op: UnOp, start: usize, nl: bool) -> Option<Expr> {
        self.sp()?;
        let mut inner_nl = nl;
        let inner = self.term(&mut inner_nl)?;
        let span = self.span(start, inner.span.end as usize);
        let kind = match (op, &inner.kind) {
            (UnOp::Neg, ExprKind::Lit(Value::Number(n))) => ExprKind::Lit(Value::Number(n.neg())),
            _ => ExprKind::Unary(op, Box::new(inner)),
        };
        Some(Expr { kind, span })
    }

    fn name_or_call(&mut self, nl: &mut bool) -> Option<Expr> {
        let (start, end) = self.ident_str()?;
        let cp = self.pos;
        self.ws_or_sp(*nl)?;
        if self.starts(b"::") {
            return None;
        }
        if self.peek() == b'(' {
            *nl = true;
            let name = self.make_ident(start, end);
            self.pos += 1;
            let mut args = Vec::new();
            let mut expand = false;
            self.ws()?;
            if !self.eat(b')') {
                if matches!(self.peek(), b',' | b'.') {
                    return None;
                }
                loop {
                    args.push(self.expr(true)?);
                    self.ws()?;
                    match self.peek() {
                        b',' => {
                            self.pos += 1;
                            self.ws()?;
                            if self.eat(b')') {
                                break;
                            }
                            if matches!(self.peek(), b',' | b'.') {
                                return None;
                            }
                        }
                        b'.' => {
                            self.expect_str(b"...")?;
                            expand = true;
                            self.ws()?;
                            self.expect(b')')?;
                            break;
                        }
                        b')' => {
                            self.pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            args.shrink_to_fit();
            return Some(Expr {
                kind: ExprKind::Call(Box::new(Call { name, args, expand })),
                span: self.span(start, self.pos),
            });
        }
        self.pos = cp;
        let word = &self.text[start..end];
        let kind = match word {
            "null" => ExprKind::Lit(Value::NULL),
            "true" => ExprKind::Lit(Value::Bool(true)),
            "false" => ExprKind::Lit(Value::Bool(false)),
            _ => ExprKind::Var(self.make_ident(start, end)),
        };
        Some(Expr {
            kind,
            span: self.span(start, end),
        })
    }
}

fn is_binary_start(c0: u8, c1: u8) -> bool {
    if c0 == b'/' && (c1 == b'/' || c1 == b'*') {
        return false;
    }
    (c0 == b'=' && c1 == b'=')
        || matches!(
            c0,
            b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|'
        )
}

fn prec(op: BinOp) -> u8 {
    match op {
        BinOp::Mul | BinOp::Div | BinOp::Mod => 6,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Less | BinOp::LessEq | BinOp::Greater | BinOp::GreaterEq => 4,
        BinOp::Eq | BinOp::NotEq => 3,
        BinOp::And => 2,
        BinOp::Or => 1,
    }
}

fn reduce(operands: &mut Vec<Expr>, op: BinOp) {
    let (Some(rhs), Some(lhs)) = (operands.pop(), operands.pop()) else {
        return;
    };
    operands.push(Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
    });
}
