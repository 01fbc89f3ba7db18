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
//!
//! The reader's methods follow the grammar's layers, a file each: `cursor` (bytes,
//! whitespace and comments, identifiers), `structure` (bodies, attributes, blocks), `expr`
//! (operators, terms, traversals, numbers, names and calls), `collections` (tuples, objects,
//! `for` expressions) and `template` (strings, heredocs, interpolations and directives).

mod collections;
mod cursor;
mod expr;
mod structure;
mod template;

use std::sync::Arc;

use bake_core::api::frontend::SourceId;

use crate::parse::ast::{Block, Body, Span};

/// Nesting levels we follow; hcl-edit allows 64 (counted on fewer constructs).
const MAX_DEPTH: u32 = 40;
/// Binary operators in one root expression; hcl-edit allows 128 on any path.
const MAX_OPS: u32 = 100;

/// Parses an HCL file; `None` when the input is invalid or uses something this reader leaves
/// to hcl-edit.
#[must_use]
pub fn parse(src: SourceId, text: &str) -> Option<Body> {
    parse_deferring(src, text, false).map(|(body, _)| body)
}

/// [`parse`]; with `defer`, the bodies of the top-level `target` and `group` blocks that
/// nothing else can need before they are lowered (no `matrix` or `name`, no reference to
/// `target` or `group`) are read, checked and let go at once: such a block keeps its labels,
/// spans and an empty body, and its index in the file's blocks is returned; a [`BlockReader`]
/// reads it again when it is lowered. A large file's syntax tree is then never held whole.
#[must_use]
pub(crate) fn parse_deferring(
    src: SourceId,
    text: &str,
    defer: bool,
) -> Option<(Body, Vec<usize>)> {
    let b = text.as_bytes();
    // NUL needs no check: it never matches a token, and the end of input is always told by
    // position. Carriage returns (CRLF files) are left to hcl-edit.
    if u32::try_from(b.len()).is_err() || b.contains(&b'\r') {
        return None;
    }
    let mut p = FastParser::new(src, text, 0, vec![None; NAME_SLOTS]);
    p.defer = defer;
    let (attrs, blocks) = p.body()?;
    p.ws()?;
    if p.pos != b.len() {
        return None;
    }
    Some((
        Body {
            attrs,
            blocks,
            span: Span::new(src, 0..text.len()),
        },
        p.deferred,
    ))
}

/// Reads deferred blocks again ([`parse_deferring`]), sharing one name cache.
#[derive(Default)]
pub(crate) struct BlockReader<'a> {
    names: Vec<Option<(&'a str, Arc<str>)>>,
}

impl<'a> BlockReader<'a> {
    /// The top-level block starting at byte `start` of `text` (its type identifier): what
    /// [`parse_deferring`] read there.
    pub(crate) fn read(&mut self, src: SourceId, text: &'a str, start: usize) -> Option<Block> {
        let names = match std::mem::take(&mut self.names) {
            n if n.len() == NAME_SLOTS => n,
            _ => vec![None; NAME_SLOTS],
        };
        let mut p = FastParser::new(src, text, start, names);
        let block = p.ident().and_then(|ident| {
            p.sp()?;
            p.block(start, ident)
        });
        self.names = p.names;
        block
    }
}

/// Where a template literal ends.
#[derive(Clone, Copy)]
enum TemplateMode<'a> {
    /// A quoted string: escapes, ends at `"`.
    Quoted,
    /// A directive body: no escapes, ends only at `${`, `%{` or the end of input.
    Raw,
    /// A heredoc body: no escapes, also ends at a newline followed by the delimiter line.
    Heredoc(&'a [u8]),
}

/// ASCII identifier start characters (`[A-Za-z_]`).
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

/// The reader's state: the input and the position in it.
struct FastParser<'a> {
    text: &'a str,
    /// `text` as bytes.
    bytes: &'a [u8],
    pos: usize,
    src: SourceId,
    /// Nesting levels entered ([`MAX_DEPTH`]).
    depth: u32,
    /// Binary operators in the current root expression ([`MAX_OPS`]).
    ops: u32,
    /// Recently seen identifier names (a direct-mapped cache): bake files repeat a few names
    /// thousands of times, and sharing them saves an allocation each.
    names: Vec<Option<(&'a str, Arc<str>)>>,
    /// Let go of the bodies of top-level blocks that can wait ([`parse_deferring`]).
    defer: bool,
    /// The indices of the top-level blocks whose bodies were let go.
    deferred: Vec<usize>,
}

impl<'a> FastParser<'a> {
    /// `names`: [`FastParser::names`], [`NAME_SLOTS`] long.
    fn new(
        src: SourceId,
        text: &'a str,
        pos: usize,
        names: Vec<Option<(&'a str, Arc<str>)>>,
    ) -> Self {
        FastParser {
            text,
            bytes: text.as_bytes(),
            pos,
            src,
            depth: 0,
            ops: 0,
            names,
            defer: false,
            deferred: Vec::new(),
        }
    }
}

/// The size of [`FastParser::names`].
const NAME_SLOTS: usize = 512;
