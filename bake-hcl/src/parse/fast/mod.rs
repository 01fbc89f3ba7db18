//! A fast hand-written reader for HCL native syntax.
//!
//! It produces exactly the tree [`crate::parse::hcl::parse`] produces (same node kinds, values and
//! byte spans) for the plain, valid input bake files are made of, without building hcl-edit's
//! lossless tree first. It follows hcl-edit's grammar rule by rule (including where newlines are
//! allowed inside expressions and which spans it records) and gives up — returns `None` — on
//! anything invalid or unusual, so that the caller falls back to hcl-edit, which then either
//! parses it or reports the error. Giving up is always safe; accepting what hcl-edit rejects or
//! building a different tree is not, and `tests/fastparse_diff.rs` checks both.
//!
//! Left to hcl-edit on purpose: carriage returns anywhere (CRLF files), non-ASCII identifiers,
//! namespaced function calls (`a::b()`), raw newlines in quoted strings, `- 5` (space between
//! the sign and a negative number literal), empty heredocs, more than 40 nesting levels (counted
//! on more constructs than hcl-edit's 64) or 100 binary operators in one attribute value, and
//! objects whose keys hcl-edit might consider duplicates in ways we do not mirror exactly (two
//! keys that are neither identifiers, plain strings nor numbers; numbers equal as floats).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use bake_core::source::SourceId;

use crate::number::Number;
use crate::parse::ast::{
    Attr, BinOp, Block, Body, Expr, ExprKind, ForExpr, Ident, ObjKey, Span, TravOp, UnOp,
};
use crate::parse::template::{finish_template, template_expr, Strip, Tok};
use crate::value::Value;

/// Nesting levels we follow; hcl-edit allows 64 (counted on fewer constructs).
const MAX_DEPTH: u32 = 40;
/// Binary operators in one root expression; hcl-edit allows 128 on any path.
const MAX_OPS: u32 = 100;

/// Parses an HCL file; `None` when the input is invalid or uses something this reader leaves
/// to hcl-edit.
#[must_use]
pub fn parse(src: SourceId, text: &str) -> Option<Body> {
    let b = text.as_bytes();
    // NUL needs no check: it never matches a token, and the end of input is always told by
    // position. Carriage returns (CRLF files) are left to hcl-edit.
    if u32::try_from(b.len()).is_err() || b.contains(&b'\r') {
        return None;
    }
    let mut p = P {
        s: text,
        b,
        pos: 0,
        src,
        depth: 0,
        ops: 0,
        names: vec![None; NAME_SLOTS],
    };
    let (attrs, blocks) = p.body()?;
    p.ws()?;
    if p.pos != b.len() {
        return None;
    }
    Some(Body {
        attrs,
        blocks,
        span: Span::new(src, 0..text.len()),
    })
}

/// Where a template literal ends.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// A quoted string: escapes, ends at `"`.
    Quoted,
    /// A directive body: no escapes, ends only at `${`, `%{` or the end of input.
    Raw,
    /// A heredoc body: no escapes, also ends at a newline followed by the delimiter line.
    Heredoc(&'a [u8]),
}

fn is_id_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// ASCII identifier characters (`[A-Za-z0-9_-]`).
static ID_CONTINUE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        i += 1;
    }
    t
};

#[inline]
fn is_id_continue(c: u8) -> bool {
    ID_CONTINUE[usize::from(c)]
}

struct P<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    src: SourceId,
    depth: u32,
    ops: u32,
    /// Recently seen identifier names (a direct-mapped cache): bake files repeat a few names
    /// thousands of times, and sharing them saves an allocation each.
    names: Vec<Option<(&'a str, Arc<str>)>>,
}

const NAME_SLOTS: usize = 512;

impl<'a> P<'a> {
    // ---- low level -------------------------------------------------------------------------

    #[inline]
    fn peek(&self) -> u8 {
        self.at(self.pos)
    }

    #[inline]
    fn at(&self, i: usize) -> u8 {
        // NUL never occurs in accepted input, so it doubles as the end marker.
        self.b.get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn starts(&self, s: &[u8]) -> bool {
        self.b
            .get(self.pos..self.pos + s.len())
            .is_some_and(|x| x == s)
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == c {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    fn expect_str(&mut self, s: &[u8]) -> Option<()> {
        if self.starts(s) {
            self.pos += s.len();
            Some(())
        } else {
            None
        }
    }

    #[inline]
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.src, start..end)
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `/* ... */`, at `/*`.
    fn block_comment(&mut self) -> Option<()> {
        let rest = self.b.get(self.pos + 2..)?;
        let end = rest.windows(2).position(|w| w == b"*/")?;
        self.pos += 2 + end + 2;
        Some(())
    }

    fn skip_line(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    /// hcl-edit's `sp`: spaces, tabs and inline comments.
    fn sp(&mut self) -> Option<()> {
        loop {
            while matches!(self.peek(), b' ' | b'\t') {
                self.pos += 1;
            }
            if self.starts(b"/*") {
                self.block_comment()?;
            } else {
                return Some(());
            }
        }
    }

    /// hcl-edit's `ws`: whitespace including newlines, and all comments.
    fn ws(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\n' => self.pos += 1,
                b'#' => self.skip_line(),
                b'/' if self.at(self.pos + 1) == b'/' => self.skip_line(),
                b'/' if self.at(self.pos + 1) == b'*' => self.block_comment()?,
                _ => return Some(()),
            }
        }
    }

    fn ws_or_sp(&mut self, nl: bool) -> Option<()> {
        if nl {
            self.ws()
        } else {
            self.sp()
        }
    }

    /// An identifier at the current position (ASCII only; `None` otherwise).
    fn ident_str(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if !is_id_start(self.peek()) {
            return None;
        }
        let mut i = start + 1;
        while i < self.b.len() && is_id_continue(self.b[i]) {
            i += 1;
        }
        if self.at(i) >= 0x80 {
            return None;
        }
        self.pos = i;
        Some((start, i))
    }

    fn ident(&mut self) -> Option<Ident> {
        let (start, end) = self.ident_str()?;
        Some(self.make_ident(start, end))
    }

    /// The identifier `s[start..end]`, its name shared with earlier ones.
    fn make_ident(&mut self, start: usize, end: usize) -> Ident {
        let text: &'a str = &self.s[start..end];
        let b = text.as_bytes();
        let (first, last) = (b[0] as usize, b[b.len() - 1] as usize);
        let slot = (b.len() * 61 + first * 31 + last * 7 + b[b.len() / 2] as usize) % NAME_SLOTS;
        let name = match &self.names[slot] {
            Some((k, v)) if *k == text => v.clone(),
            _ => {
                let v: Arc<str> = Arc::from(text);
                self.names[slot] = Some((text, v.clone()));
                v
            }
        };
        Ident {
            name,
            span: self.span(start, end),
        }
    }

    // ---- structure -------------------------------------------------------------------------

    /// A body's structures, up to (not including) trailing whitespace.
    fn body(&mut self) -> Option<(Vec<Attr>, Vec<Block>)> {
        let mut attrs: Vec<Attr> = Vec::new();
        let mut blocks = Vec::new();
        let mut names: HashSet<&'a str> = HashSet::new();
        loop {
            let save = self.pos;
            self.ws()?;
            let c = self.peek();
            if c >= 0x80 {
                return None;
            }
            if !is_id_start(c) {
                self.pos = save;
                break;
            }
            let start = self.pos;
            let ident = self.ident()?;
            self.sp()?;
            match self.peek() {
                b'=' => {
                    let name: &'a str = &self.s[start..ident.span.end as usize];
                    if attrs.len() < 16 {
                        if attrs.iter().any(|a| &*a.name.name == name) {
                            return None;
                        }
                        if attrs.len() == 15 {
                            names.extend(attrs.iter().map(|a| {
                                &self.s[a.name.span.start as usize..a.name.span.end as usize]
                            }));
                            names.insert(name);
                        }
                    } else if !names.insert(name) {
                        return None;
                    }
                    self.pos += 1;
                    self.sp()?;
                    let expr = self.root_expr()?;
                    attrs.push(Attr {
                        name: ident,
                        span: self.span(start, expr.span.end as usize),
                        expr,
                    });
                }
                _ => blocks.push(self.block(start, ident)?),
            }
            self.sp()?;
            if self.peek() == b'#' || self.starts(b"//") {
                self.skip_line();
            }
            if self.pos < self.b.len() && !self.eat(b'\n') {
                return None;
            }
        }
        Some((attrs, blocks))
    }

    /// A block after its type identifier (and the spaces after it).
    fn block(&mut self, start: usize, ident: Ident) -> Option<Block> {
        let mut labels = Vec::new();
        loop {
            match self.peek() {
                b'"' => {
                    let lstart = self.pos;
                    let name = self.plain_string()?;
                    labels.push(Ident {
                        name: Arc::from(&*name),
                        span: self.span(lstart, self.pos),
                    });
                }
                c if is_id_start(c) => labels.push(self.ident()?),
                _ => break,
            }
            self.sp()?;
        }
        self.expect(b'{')?;
        self.enter()?;
        let save = self.pos;
        self.sp()?;
        if self.peek() == b'#' || self.starts(b"//") {
            self.skip_line();
        }
        let (attrs, blocks) = if self.eat(b'\n') {
            let r = self.body()?;
            self.ws()?;
            r
        } else {
            // One-line block: at most one attribute.
            self.pos = save;
            self.sp()?;
            let mut attrs = Vec::new();
            if self.peek() != b'}' {
                let astart = self.pos;
                let name = self.ident()?;
                self.sp()?;
                self.expect(b'=')?;
                self.sp()?;
                let expr = self.root_expr()?;
                attrs.push(Attr {
                    name,
                    span: self.span(astart, expr.span.end as usize),
                    expr,
                });
                self.sp()?;
            }
            (attrs, Vec::new())
        };
        self.expect(b'}')?;
        self.leave();
        let header_end = labels.last().map_or(ident.span, |l| l.span);
        Some(Block {
            span: ident.span.to(header_end),
            ident,
            labels,
            body: Body {
                attrs,
                blocks,
                span: self.span(start, self.pos),
            },
        })
    }

    // ---- expressions -----------------------------------------------------------------------

    fn root_expr(&mut self) -> Option<Expr> {
        self.ops = 0;
        let mut nl = false;
        self.expr_inner(&mut nl)
    }

    /// A nested expression with its own state (`nl`: whether newlines may separate operators).
    fn expr(&mut self, nl: bool) -> Option<Expr> {
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
            let c1 = self.at(self.pos + 1);
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
            let c1 = self.at(self.pos + 1);
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
            c if is_id_start(c) => self.identlike(nl)?,
            _ => return None,
        };
        let cp = self.pos;
        self.ws_or_sp(*nl)?;
        if self.traversal_ahead() {
            let mut ops = Vec::new();
            loop {
                ops.push(self.trav_op()?);
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
            b'.' => self.at(self.pos + 1) != b'.',
            b'[' => true,
            _ => false,
        }
    }

    fn trav_op(&mut self) -> Option<TravOp> {
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
                let n: u64 = self.s[dstart..self.pos].parse().ok()?;
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
        if self.peek() == b'.' && self.at(self.pos + 1).is_ascii_digit() {
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
        let lexeme = &self.s[digits..self.pos];
        if float {
            if !lexeme.parse::<f64>().ok()?.is_finite() {
                return None;
            }
        } else if lexeme.len() > 300 {
            return None;
        }
        let n = Number::parse(&self.s[start..self.pos])?;
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

    fn identlike(&mut self, nl: &mut bool) -> Option<Expr> {
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
            return Some(Expr {
                kind: ExprKind::Call { name, args, expand },
                span: self.span(start, self.pos),
            });
        }
        self.pos = cp;
        let word = &self.s[start..end];
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

    /// Whether `for` (followed by a space or comment start) comes next, after whitespace.
    fn for_ahead(&mut self) -> Option<bool> {
        let save = self.pos;
        self.ws()?;
        let r = self.starts(b"for")
            && matches!(self.at(self.pos + 3), b' ' | b'\t' | b'#' | b'/' | b'\n');
        self.pos = save;
        Some(r)
    }

    fn array(&mut self) -> Option<Expr> {
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

    fn object(&mut self, nl: &mut bool) -> Option<Expr> {
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
                    let text = &self.s[key.span.start as usize..key.span.end as usize];
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
                b'/' if self.at(self.pos + 1) == b'/' => {
                    self.skip_line();
                    self.expect(b'\n')?;
                }
                _ => return None,
            }
        }
        Some(Expr {
            kind: ExprKind::Object(items),
            span: self.span(start, self.pos),
        })
    }

    // ---- strings and templates -------------------------------------------------------------

    /// A quoted string without interpolations (a block label); `None` for anything else.
    fn plain_string(&mut self) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let lit = self.literal(Mode::Quoted)?.unwrap_or_default();
        self.expect(b'"')?;
        Some(lit)
    }

    fn quoted(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        // Fast path: no escapes, markers or newlines.
        let mut i = self.pos;
        while let Some(&c) = self.b.get(i) {
            match c {
                b'"' => {
                    let lit = &self.s[self.pos..i];
                    self.pos = i + 1;
                    return Some(Expr {
                        kind: ExprKind::Lit(Value::string(lit)),
                        span: self.span(start, self.pos),
                    });
                }
                b'\\' | b'$' | b'%' | b'\n' => break,
                _ => i += 1,
            }
        }
        let toks = self.elements(Mode::Quoted)?;
        self.expect(b'"')?;
        let span = self.span(start, self.pos);
        if toks.is_empty() {
            return Some(Expr {
                kind: ExprKind::Lit(Value::string("")),
                span,
            });
        }
        if let [Tok::Lit(s)] = &toks[..] {
            return Some(Expr {
                kind: ExprKind::Lit(Value::string(&**s)),
                span,
            });
        }
        Some(template_expr(finish_template(toks, None), span))
    }

    fn heredoc(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.expect_str(b"<<")?;
        let flush = self.eat(b'-');
        let (ds, de) = self.ident_str()?;
        let delim = &self.b[ds..de];
        self.expect(b'\n')?;
        // An empty body (the delimiter right away) is left to hcl-edit.
        let mut i = self.pos;
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        if self.b.get(i..i + delim.len()) == Some(delim) {
            let c = self.at(i + delim.len());
            if c >= 0x80 || !is_id_continue(c) {
                return None;
            }
        }
        let mut toks = self.elements(Mode::Heredoc(delim))?;
        self.expect(b'\n')?;
        match toks.last_mut() {
            Some(Tok::Lit(s)) => s.to_mut().push('\n'),
            _ => toks.push(Tok::Lit(Cow::Borrowed("\n"))),
        }
        while matches!(self.peek(), b' ' | b'\t') {
            self.pos += 1;
        }
        self.expect_str(delim)?;
        let c = self.peek();
        if c >= 0x80 || is_id_continue(c) {
            return None;
        }
        let span = self.span(start, self.pos);
        // `parse_hcl` dedents (`<<-`) only when hcl-edit found an indent to strip.
        let flush = flush && hcl_edit_indent(&toks);
        Some(template_expr(finish_template(toks, Some(flush)), span))
    }

    /// Whether the current position (at a newline) ends the heredoc with this delimiter.
    fn heredoc_end(&self, delim: &[u8]) -> bool {
        let mut i = self.pos + 1;
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        self.b.get(i..i + delim.len()) == Some(delim)
            && !is_id_continue(self.at(i + delim.len()))
            && self.at(i + delim.len()) < 0x80
    }

    /// A literal run of template text; `Some(None)` when empty.
    fn literal(&mut self, mode: Mode<'_>) -> Option<Option<Cow<'a, str>>> {
        let mut out: Option<String> = None;
        let mut run = self.pos;
        loop {
            let c = self.peek();
            match c {
                b'$' | b'%' => {
                    let c1 = self.at(self.pos + 1);
                    if c1 == c && self.at(self.pos + 2) == b'{' {
                        // `$${` / `%%{`: an escaped marker.
                        let o = out.get_or_insert_with(String::new);
                        o.push_str(&self.s[run..self.pos + 1]);
                        o.push('{');
                        self.pos += 3;
                        run = self.pos;
                        continue;
                    }
                    if c1 == b'{' {
                        break;
                    }
                    self.pos += 1;
                }
                b'"' if matches!(mode, Mode::Quoted) => break,
                b'\\' if matches!(mode, Mode::Quoted) => {
                    let o = out.get_or_insert_with(String::new);
                    o.push_str(&self.s[run..self.pos]);
                    self.pos += 1;
                    let e = self.peek();
                    self.pos += 1;
                    match e {
                        b'n' => o.push('\n'),
                        b'r' => o.push('\r'),
                        b't' => o.push('\t'),
                        b'\\' => o.push('\\'),
                        b'"' => o.push('"'),
                        b'u' | b'U' => {
                            let n = if e == b'u' { 4 } else { 8 };
                            let hex = self.b.get(self.pos..self.pos + n)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            let v =
                                u32::from_str_radix(&self.s[self.pos..self.pos + n], 16).ok()?;
                            o.push(char::from_u32(v)?);
                            self.pos += n;
                        }
                        _ => return None,
                    }
                    run = self.pos;
                }
                b'\n' => match mode {
                    Mode::Quoted => return None,
                    Mode::Heredoc(d) if self.heredoc_end(d) => break,
                    _ => self.pos += 1,
                },
                0 if self.pos >= self.b.len() => break,
                _ => self.pos += 1,
            }
        }
        let s: &'a str = self.s;
        Some(match out {
            Some(mut o) => {
                o.push_str(&s[run..self.pos]);
                Some(Cow::Owned(o))
            }
            None if self.pos > run => Some(Cow::Borrowed(&s[run..self.pos])),
            None => None,
        })
    }

    /// Template elements up to whatever ends them (the caller checks what that is).
    fn elements(&mut self, mode: Mode<'_>) -> Option<Vec<Tok<'a>>> {
        let mut toks = Vec::new();
        loop {
            let before = self.pos;
            if let Some(l) = self.literal(mode)? {
                toks.push(Tok::Lit(l));
            } else if self.pos > before {
                // Only escaped markers that produced nothing: impossible, but stay exact.
                return None;
            }
            if self.starts(b"${") {
                self.pos += 2;
                let sl = self.eat(b'~');
                self.ws()?;
                let e = self.expr(true)?;
                self.ws()?;
                let sr = self.eat(b'~');
                self.expect(b'}')?;
                toks.push(Tok::Interp(e, (sl, sr)));
            } else if self.starts(b"%{") {
                let save = self.pos;
                self.pos += 2;
                let sl = self.eat(b'~');
                self.ws()?;
                if self.starts(b"if") {
                    self.pos += 2;
                    self.if_directive(sl, &mut toks)?;
                } else if self.starts(b"for") {
                    self.pos += 3;
                    self.for_directive(sl, &mut toks)?;
                } else {
                    self.pos = save;
                    return Some(toks);
                }
            } else {
                return Some(toks);
            }
        }
    }

    /// The end of a directive's opening: spaces, `~`, `}`.
    fn control_end(&mut self) -> Option<bool> {
        self.ws()?;
        let sr = self.eat(b'~');
        self.expect(b'}')?;
        Some(sr)
    }

    /// `%{ keyword ~}` where `keyword` is `else`, `endif` or `endfor`: its strip markers.
    fn closing(&mut self, keyword: &[u8]) -> Option<Strip> {
        self.expect_str(b"%{")?;
        let sl = self.eat(b'~');
        self.ws()?;
        self.expect_str(keyword)?;
        let sr = self.control_end()?;
        Some((sl, sr))
    }

    fn directive_body(&mut self, toks: &mut Vec<Tok<'a>>) -> Option<()> {
        self.enter()?;
        let body = self.elements(Mode::Raw)?;
        toks.extend(body);
        self.leave();
        Some(())
    }

    fn if_directive(&mut self, sl: bool, toks: &mut Vec<Tok<'a>>) -> Option<()> {
        self.ws()?;
        let cond = self.expr(false)?;
        let sr = self.control_end()?;
        toks.push(Tok::If(cond, (sl, sr)));
        self.directive_body(toks)?;
        // `%{ else }`?
        let save = self.pos;
        self.expect_str(b"%{")?;
        self.eat(b'~');
        self.ws()?;
        let has_else = self.starts(b"else");
        self.pos = save;
        if has_else {
            let s = self.closing(b"else")?;
            toks.push(Tok::Else(s));
            self.directive_body(toks)?;
        }
        let s = self.closing(b"endif")?;
        toks.push(Tok::EndIf(s));
        Some(())
    }

    fn for_directive(&mut self, sl: bool, toks: &mut Vec<Tok<'a>>) -> Option<()> {
        self.ws()?;
        let first = self.ident()?;
        self.ws()?;
        let (key, val) = if self.eat(b',') {
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
        let sr = self.control_end()?;
        toks.push(Tok::For(key, val, coll, (sl, sr)));
        self.directive_body(toks)?;
        let s = self.closing(b"endfor")?;
        toks.push(Tok::EndFor(s));
        Some(())
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

/// Whether hcl-edit's own heredoc dedent finds an indent (`HeredocTemplate::indent` is set):
/// it looks at the top-level literals only, before strip markers.
fn hcl_edit_indent(toks: &[Tok<'_>]) -> bool {
    let mut indent = false;
    let mut skip_first_line = false;
    let mut depth = 0usize;
    for t in toks {
        match t {
            Tok::Lit(lit) if depth == 0 => {
                indent |= min_leading_whitespace(lit, skip_first_line);
                skip_first_line = !lit.ends_with('\n');
            }
            Tok::Lit(_) | Tok::Else(_) => {}
            Tok::If(..) | Tok::For(..) => {
                if depth == 0 && !skip_first_line {
                    return false;
                }
                depth += 1;
            }
            Tok::Interp(..) => {
                if depth == 0 && !skip_first_line {
                    return false;
                }
            }
            Tok::EndIf(_) | Tok::EndFor(_) => depth = depth.saturating_sub(1),
        }
    }
    indent
}

/// hcl-edit's `min_leading_whitespace(s, skip_first).is_some()`.
fn min_leading_whitespace(s: &str, skip_first: bool) -> bool {
    let mut found = false;
    for (i, line) in s.lines().enumerate() {
        if (i == 0 && skip_first) || line.is_empty() {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            return false;
        }
        found = true;
    }
    found
}
