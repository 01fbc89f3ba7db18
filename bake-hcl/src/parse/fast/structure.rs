//! The structure of a file: bodies (attributes and blocks, one per line, no duplicate
//! attribute names) and blocks with their labels, including one-line blocks.

use std::collections::HashSet;
use std::sync::Arc;

use super::{is_id_start, FastParser};
use crate::parse::ast::{Attr, Block, Body, Ident};

impl<'a> FastParser<'a> {
    /// A body's structures, up to (not including) trailing whitespace.
    pub(super) fn body(&mut self) -> Option<(Vec<Attr>, Vec<Block>)> {
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
                    let name: &'a str = &self.text[start..ident.span.end as usize];
                    if attrs.len() < 16 {
                        if attrs.iter().any(|a| &*a.name.name == name) {
                            return None;
                        }
                        if attrs.len() == 15 {
                            names.extend(attrs.iter().map(|a| {
                                &self.text[a.name.span.start as usize..a.name.span.end as usize]
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
                _ => blocks.push(self.body_block(start, ident, blocks.len())?),
            }
            self.sp()?;
            if self.peek() == b'#' || self.starts(b"//") {
                self.skip_line();
            }
            if self.pos < self.bytes.len() && !self.eat(b'\n') {
                return None;
            }
        }
        // Sized to fit: the tree lives until every block is lowered.
        attrs.shrink_to_fit();
        blocks.shrink_to_fit();
        Some((attrs, blocks))
    }

    /// [`FastParser::block`], for block `index` of the body being read: with its body let go
    /// (and `index` recorded) when deferring, in the file's top-level body, and it
    /// [`can_wait`].
    fn body_block(&mut self, start: usize, ident: Ident, index: usize) -> Option<Block> {
        let mut b = self.block(start, ident)?;
        if self.defer && self.depth == 0 && can_wait(&b) {
            b.body.attrs = Vec::new();
            b.body.blocks = Vec::new();
            self.deferred.push(index);
        }
        Some(b)
    }

    /// A block after its type identifier (and the spaces after it).
    pub(super) fn block(&mut self, start: usize, ident: Ident) -> Option<Block> {
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
        labels.shrink_to_fit();
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
}

/// Whether a top-level block's body can be read again when the block is lowered: a
/// `target` or `group` without `matrix` or `name` (read while expanding matrices) and without
/// references to `target` or `group` (which may read other blocks out of order).
fn can_wait(b: &Block) -> bool {
    matches!(&*b.ident.name, "target" | "group")
        && b.body.attr("matrix").is_none()
        && b.body.attr("name").is_none()
        && !b.body.mentions(&["target", "group"])
}
