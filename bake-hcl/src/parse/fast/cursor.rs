//! The lowest layer of the fast reader: looking at bytes, whitespace and comments (hcl-edit's
//! `sp` and `ws`), nesting depth, and identifiers (their names shared through a small cache).

use std::sync::Arc;

use super::{is_id_continue, is_id_start, FastParser, MAX_DEPTH, NAME_SLOTS};
use crate::parse::ast::{Ident, Span};

impl<'a> FastParser<'a> {
    #[inline]
    pub(super) fn peek(&self) -> u8 {
        self.byte_at(self.pos)
    }

    #[inline]
    pub(super) fn byte_at(&self, i: usize) -> u8 {
        // NUL never occurs in accepted input, so it doubles as the end marker.
        self.bytes.get(i).copied().unwrap_or(0)
    }

    #[inline]
    pub(super) fn starts(&self, s: &[u8]) -> bool {
        self.bytes
            .get(self.pos..self.pos + s.len())
            .is_some_and(|x| x == s)
    }

    #[inline]
    pub(super) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == c {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    pub(super) fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    pub(super) fn expect_str(&mut self, s: &[u8]) -> Option<()> {
        if self.starts(s) {
            self.pos += s.len();
            Some(())
        } else {
            None
        }
    }

    #[inline]
    pub(super) fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.src, start..end)
    }

    pub(super) fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `/* ... */`, at `/*`.
    fn block_comment(&mut self) -> Option<()> {
        let rest = self.bytes.get(self.pos + 2..)?;
        let end = rest.windows(2).position(|w| w == b"*/")?;
        self.pos += 2 + end + 2;
        Some(())
    }

    pub(super) fn skip_line(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    /// hcl-edit's `sp`: spaces, tabs and inline comments.
    pub(super) fn sp(&mut self) -> Option<()> {
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
    pub(super) fn ws(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\n' => self.pos += 1,
                b'#' => self.skip_line(),
                b'/' if self.byte_at(self.pos + 1) == b'/' => self.skip_line(),
                b'/' if self.byte_at(self.pos + 1) == b'*' => self.block_comment()?,
                _ => return Some(()),
            }
        }
    }

    pub(super) fn ws_or_sp(&mut self, nl: bool) -> Option<()> {
        if nl {
            self.ws()
        } else {
            self.sp()
        }
    }

    /// An identifier at the current position (ASCII only; `None` otherwise).
    pub(super) fn ident_str(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if !is_id_start(self.peek()) {
            return None;
        }
        let mut i = start + 1;
        while i < self.bytes.len() && is_id_continue(self.bytes[i]) {
            i += 1;
        }
        if self.byte_at(i) >= 0x80 {
            return None;
        }
        self.pos = i;
        Some((start, i))
    }

    pub(super) fn ident(&mut self) -> Option<Ident> {
        let (start, end) = self.ident_str()?;
        Some(self.make_ident(start, end))
    }

    /// The identifier `s[start..end]`, its name shared with earlier ones.
    pub(super) fn make_ident(&mut self, start: usize, end: usize) -> Ident {
        let text: &'a str = &self.text[start..end];
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
}
