//! Template tokens shared by both HCL readers: literals and markers in source order, then
//! HCL's steps in HCL's order — heredoc line splitting, strip markers (`~`), the flush-heredoc
//! dedent (`<<-`), and nesting into [`TplPart`]s.

use std::borrow::Cow;
use std::sync::Arc;

use crate::parse::ast::{Expr, ExprKind, Ident, Span, TplFor, TplIf, TplPart};
use crate::value::Value;

/// Strip markers `(before, after)` of a template interpolation or directive.
pub(crate) type Strip = (bool, bool);

/// Template tokens in source order, before strip markers are applied (both HCL readers make them).
pub(crate) enum TemplateToken<'a> {
    Lit(Cow<'a, str>),
    Interp(Expr, Strip),
    If(Expr, Strip),
    Else(Strip),
    EndIf(Strip),
    For(Option<Ident>, Ident, Expr, Strip),
    EndFor(Strip),
}

impl TemplateToken<'_> {
    pub(crate) fn strip(&self) -> Strip {
        match self {
            TemplateToken::Lit(_) => (false, false),
            TemplateToken::Interp(_, s)
            | TemplateToken::If(_, s)
            | TemplateToken::Else(s)
            | TemplateToken::EndIf(s)
            | TemplateToken::For(_, _, _, s)
            | TemplateToken::EndFor(s) => *s,
        }
    }
}

/// A template that is only literal text is a plain string.
pub(crate) fn template_expr(parts: Vec<TplPart>, span: Span) -> Expr {
    if parts.iter().all(|p| matches!(p, TplPart::Lit(_))) {
        let s: String = parts
            .iter()
            .map(|p| match p {
                TplPart::Lit(s) => &**s,
                _ => "",
            })
            .collect();
        return Expr {
            kind: ExprKind::Lit(Value::string(s)),
            span,
        };
    }
    Expr {
        kind: ExprKind::Template(parts),
        span,
    }
}

/// Tokens to parts: heredoc line splitting, strip markers, flush dedent, nesting.
pub(crate) fn finish_template(
    mut toks: Vec<TemplateToken<'_>>,
    heredoc: Option<bool>,
) -> Vec<TplPart> {
    if heredoc.is_some() {
        toks = split_lines(toks);
    }
    for i in 0..toks.len() {
        let (start, end) = toks[i].strip();
        if start && i > 0 {
            if let TemplateToken::Lit(s) = &mut toks[i - 1] {
                match s {
                    Cow::Borrowed(b) => *b = b.trim_end(),
                    Cow::Owned(o) => o.truncate(o.trim_end().len()),
                }
            }
        }
        if end && i + 1 < toks.len() {
            if let TemplateToken::Lit(s) = &mut toks[i + 1] {
                match s {
                    Cow::Borrowed(b) => *b = b.trim_start(),
                    Cow::Owned(o) => *o = o.trim_start().to_string(),
                }
            }
        }
    }
    if heredoc == Some(true) {
        flush_heredoc(&mut toks);
    }
    let mut it = toks.into_iter().peekable();
    build(&mut it)
}

/// Splits literal tokens after each newline, as HCL's scanner tokenizes heredoc bodies.
fn split_lines(toks: Vec<TemplateToken<'_>>) -> Vec<TemplateToken<'_>> {
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        match t {
            TemplateToken::Lit(Cow::Borrowed(s)) if s.contains('\n') => {
                out.extend(
                    s.split_inclusive('\n')
                        .map(|l| TemplateToken::Lit(Cow::Borrowed(l))),
                );
            }
            TemplateToken::Lit(Cow::Owned(s)) if s.contains('\n') => {
                out.extend(
                    s.split_inclusive('\n')
                        .map(|l| TemplateToken::Lit(Cow::Owned(l.to_string()))),
                );
            }
            other => out.push(other),
        }
    }
    out
}

/// HCL's flush-heredoc rule (`<<-`): find the line with the fewest leading spaces (a line
/// that starts with an interpolation or directive counts as zero; blank lines do not count)
/// and remove that many from the literal at the start of every line.
fn flush_heredoc(toks: &mut [TemplateToken<'_>]) {
    let mut min = usize::MAX;
    let mut newline = true;
    let mut adjust = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if newline {
            newline = false;
            let mut spaces = 0;
            if let TemplateToken::Lit(s) = t {
                let trimmed = s.trim_start();
                if trimmed.is_empty() && s.ends_with('\n') {
                    spaces = usize::MAX;
                } else {
                    spaces = s[..s.len() - trimmed.len()].chars().count();
                    adjust.push(i);
                }
            }
            min = min.min(spaces);
        }
        if let TemplateToken::Lit(s) = t {
            if s.ends_with('\n') {
                newline = true;
            }
        }
    }
    if min == usize::MAX || min == 0 {
        return;
    }
    for i in adjust {
        if let TemplateToken::Lit(s) = &mut toks[i] {
            let cut: usize = s.chars().take(min).map(char::len_utf8).sum();
            match s {
                Cow::Borrowed(b) => *b = &b[cut..],
                Cow::Owned(o) => {
                    o.drain(..cut);
                }
            }
        }
    }
}

fn build(it: &mut std::iter::Peekable<std::vec::IntoIter<TemplateToken<'_>>>) -> Vec<TplPart> {
    let mut out = Vec::new();
    while let Some(tok) = it.peek() {
        if matches!(
            tok,
            TemplateToken::Else(_) | TemplateToken::EndIf(_) | TemplateToken::EndFor(_)
        ) {
            return out;
        }
        let Some(tok) = it.next() else { break };
        match tok {
            TemplateToken::Lit(s) => {
                if !s.is_empty() {
                    out.push(TplPart::Lit(Arc::from(&*s)));
                }
            }
            TemplateToken::Interp(e, _) => out.push(TplPart::Interp(e)),
            TemplateToken::If(cond, _) => {
                let then = build(it);
                let mut els = Vec::new();
                if matches!(it.peek(), Some(TemplateToken::Else(_))) {
                    it.next();
                    els = build(it);
                }
                if matches!(it.peek(), Some(TemplateToken::EndIf(_))) {
                    it.next();
                }
                out.push(TplPart::If(Box::new(TplIf { cond, then, els })));
            }
            TemplateToken::For(key, val, coll, _) => {
                let body = build(it);
                if matches!(it.peek(), Some(TemplateToken::EndFor(_))) {
                    it.next();
                }
                out.push(TplPart::For(Box::new(TplFor {
                    key,
                    val,
                    coll,
                    body,
                })));
            }
            TemplateToken::Else(_) | TemplateToken::EndIf(_) | TemplateToken::EndFor(_) => {}
        }
    }
    out.shrink_to_fit();
    out
}
