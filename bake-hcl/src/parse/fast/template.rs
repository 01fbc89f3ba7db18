//! Strings and templates: quoted strings (with escapes), heredocs (`<<EOT`, `<<-EOT`),
//! interpolations and `%{ if }` / `%{ for }` directives, read into the template tokens shared
//! with the hcl-edit reader.

use std::borrow::Cow;

use super::{is_id_continue, FastParser, TemplateMode};
use crate::parse::ast::{Expr, ExprKind};
use crate::parse::template::{finish_template, template_expr, Strip, TemplateToken};
use crate::value::Value;

impl<'a> FastParser<'a> {
    /// A quoted string without interpolations (a block label); `None` for anything else.
    pub(super) fn plain_string(&mut self) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let lit = self.literal(TemplateMode::Quoted)?.unwrap_or_default();
        self.expect(b'"')?;
        Some(lit)
    }

    pub(super) fn quoted(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        // Fast path: no escapes, markers or newlines.
        let mut i = self.pos;
        while let Some(&c) = self.bytes.get(i) {
            match c {
                b'"' => {
                    let lit = &self.text[self.pos..i];
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
        let toks = self.elements(TemplateMode::Quoted)?;
        self.expect(b'"')?;
        let span = self.span(start, self.pos);
        if toks.is_empty() {
            return Some(Expr {
                kind: ExprKind::Lit(Value::string("")),
                span,
            });
        }
        if let [TemplateToken::Lit(s)] = &toks[..] {
            return Some(Expr {
                kind: ExprKind::Lit(Value::string(&**s)),
                span,
            });
        }
        Some(template_expr(finish_template(toks, None), span))
    }

    pub(super) fn heredoc(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.expect_str(b"<<")?;
        let flush = self.eat(b'-');
        let (ds, de) = self.ident_str()?;
        let delim = &self.bytes[ds..de];
        self.expect(b'\n')?;
        // An empty body (the delimiter right away) is left to hcl-edit.
        let mut i = self.pos;
        while matches!(self.byte_at(i), b' ' | b'\t') {
            i += 1;
        }
        if self.bytes.get(i..i + delim.len()) == Some(delim) {
            let c = self.byte_at(i + delim.len());
            if c >= 0x80 || !is_id_continue(c) {
                return None;
            }
        }
        let mut toks = self.elements(TemplateMode::Heredoc(delim))?;
        self.expect(b'\n')?;
        match toks.last_mut() {
            Some(TemplateToken::Lit(s)) => s.to_mut().push('\n'),
            _ => toks.push(TemplateToken::Lit(Cow::Borrowed("\n"))),
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
        // The hcl-edit reader (`parse::hcl`) dedents (`<<-`) only when hcl-edit found an indent
        // to strip.
        let flush = flush && hcl_edit_indent(&toks);
        Some(template_expr(finish_template(toks, Some(flush)), span))
    }

    /// Whether the current position (at a newline) ends the heredoc with this delimiter.
    fn heredoc_end(&self, delim: &[u8]) -> bool {
        let mut i = self.pos + 1;
        while matches!(self.byte_at(i), b' ' | b'\t') {
            i += 1;
        }
        self.bytes.get(i..i + delim.len()) == Some(delim)
            && !is_id_continue(self.byte_at(i + delim.len()))
            && self.byte_at(i + delim.len()) < 0x80
    }

    /// A literal run of template text; `Some(None)` when empty.
    #[allow(clippy::option_option)] // `None` (not a literal here) differs from `Some(None)` (empty).
    fn literal(&mut self, mode: TemplateMode<'_>) -> Option<Option<Cow<'a, str>>> {
        let mut out: Option<String> = None;
        let mut run = self.pos;
        loop {
            let c = self.peek();
            match c {
                b'$' | b'%' => {
                    let c1 = self.byte_at(self.pos + 1);
                    if c1 == c && self.byte_at(self.pos + 2) == b'{' {
                        // `$${` / `%%{`: an escaped marker.
                        let o = out.get_or_insert_with(String::new);
                        o.push_str(&self.text[run..=self.pos]);
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
                b'"' if matches!(mode, TemplateMode::Quoted) => break,
                b'\\' if matches!(mode, TemplateMode::Quoted) => {
                    let o = out.get_or_insert_with(String::new);
                    o.push_str(&self.text[run..self.pos]);
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
                            let hex = self.bytes.get(self.pos..self.pos + n)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            let v =
                                u32::from_str_radix(&self.text[self.pos..self.pos + n], 16).ok()?;
                            o.push(char::from_u32(v)?);
                            self.pos += n;
                        }
                        _ => return None,
                    }
                    run = self.pos;
                }
                b'\n' => match mode {
                    TemplateMode::Quoted => return None,
                    TemplateMode::Heredoc(d) if self.heredoc_end(d) => break,
                    _ => self.pos += 1,
                },
                0 if self.pos >= self.bytes.len() => break,
                _ => self.pos += 1,
            }
        }
        let s: &'a str = self.text;
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
    fn elements(&mut self, mode: TemplateMode<'_>) -> Option<Vec<TemplateToken<'a>>> {
        let mut toks = Vec::new();
        loop {
            let before = self.pos;
            if let Some(l) = self.literal(mode)? {
                toks.push(TemplateToken::Lit(l));
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
                toks.push(TemplateToken::Interp(e, (sl, sr)));
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

    fn directive_body(&mut self, toks: &mut Vec<TemplateToken<'a>>) -> Option<()> {
        self.enter()?;
        let body = self.elements(TemplateMode::Raw)?;
        toks.extend(body);
        self.leave();
        Some(())
    }

    fn if_directive(&mut self, sl: bool, toks: &mut Vec<TemplateToken<'a>>) -> Option<()> {
        self.ws()?;
        let cond = self.expr(false)?;
        let sr = self.control_end()?;
        toks.push(TemplateToken::If(cond, (sl, sr)));
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
            toks.push(TemplateToken::Else(s));
            self.directive_body(toks)?;
        }
        let s = self.closing(b"endif")?;
        toks.push(TemplateToken::EndIf(s));
        Some(())
    }

    fn for_directive(&mut self, sl: bool, toks: &mut Vec<TemplateToken<'a>>) -> Option<()> {
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
        toks.push(TemplateToken::For(key, val, coll, (sl, sr)));
        self.directive_body(toks)?;
        let s = self.closing(b"endfor")?;
        toks.push(TemplateToken::EndFor(s));
        Some(())
    }
}

/// Whether hcl-edit's own heredoc dedent finds an indent (`HeredocTemplate::indent` is set):
/// it looks at the top-level literals only, before strip markers.
fn hcl_edit_indent(toks: &[TemplateToken<'_>]) -> bool {
    let mut indent = false;
    let mut skip_first_line = false;
    let mut depth = 0usize;
    for t in toks {
        match t {
            TemplateToken::Lit(lit) if depth == 0 => {
                indent |= min_leading_whitespace(lit, skip_first_line);
                skip_first_line = !lit.ends_with('\n');
            }
            TemplateToken::Lit(_) | TemplateToken::Else(_) => {}
            TemplateToken::If(..) | TemplateToken::For(..) => {
                if depth == 0 && !skip_first_line {
                    return false;
                }
                depth += 1;
            }
            TemplateToken::Interp(..) => {
                if depth == 0 && !skip_first_line {
                    return false;
                }
            }
            TemplateToken::EndIf(_) | TemplateToken::EndFor(_) => depth = depth.saturating_sub(1),
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
