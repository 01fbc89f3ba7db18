//! A small JSON reader that keeps the byte span of every value and key, for HCL-JSON bake
//! files (`serde_json` keeps none). Input is validated with `serde_json` first, so this reader
//! can assume well-formed JSON; it still never panics on anything else.

/// A JSON value with its span.
#[derive(Debug, Clone)]
pub struct JNode {
    /// The value.
    pub kind: JKind,
    /// Byte range of the value in the text.
    pub span: std::ops::Range<usize>,
}

/// JSON value kinds. Objects keep their members in order, duplicates included.
#[derive(Debug, Clone)]
pub enum JKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Arr(Vec<JNode>),
    /// An object: (key, key span, value).
    Obj(Vec<(String, std::ops::Range<usize>, JNode)>),
}

/// How deep arrays and objects may nest in a JSON bake file.
pub const MAX_DEPTH: usize = 512;

/// The offset of the first bracket that nests deeper than [`MAX_DEPTH`], if one does
/// (brackets inside strings do not count).
#[must_use]
pub fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads one JSON document; `None` if it is not well-formed (or nests deeper than
/// [`MAX_DEPTH`]).
#[must_use]
pub fn read(text: &str) -> Option<JNode> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    let v = r.value()?;
    r.ws();
    (r.pos == r.b.len()).then_some(v)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Option<JNode> {
        self.ws();
        let start = self.pos;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let kind = match *self.b.get(self.pos)? {
            b'n' => self.word("null", JKind::Null)?,
            b't' => self.word("true", JKind::Bool(true))?,
            b'f' => self.word("false", JKind::Bool(false))?,
            b'"' => JKind::Str(self.string()?),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        match self.b.get(self.pos)? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                JKind::Arr(items)
            }
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        let ks = self.pos;
                        let key = self.string()?;
                        let kspan = ks..self.pos;
                        self.ws();
                        if self.b.get(self.pos) != Some(&b':') {
                            return None;
                        }
                        self.pos += 1;
                        let v = self.value()?;
                        members.push((key, kspan, v));
                        self.ws();
                        match self.b.get(self.pos)? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                JKind::Obj(members)
            }
            b'-' | b'0'..=b'9' => {
                while self.pos < self.b.len()
                    && matches!(
                        self.b[self.pos],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.pos += 1;
                }
                JKind::Num(self.text.get(start..self.pos)?.to_string())
            }
            _ => return None,
        };
        self.depth -= 1;
        Some(JNode {
            kind,
            span: start..self.pos,
        })
    }

    fn word(&mut self, w: &str, k: JKind) -> Option<JKind> {
        if self.b.get(self.pos..self.pos + w.len())? == w.as_bytes() {
            self.pos += w.len();
            Some(k)
        } else {
            None
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.b.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        let mut escaped = false;
        loop {
            match *self.b.get(self.pos)? {
                b'\\' => {
                    escaped = true;
                    self.pos += 2;
                }
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        let raw = self.text.get(start..self.pos)?;
        if escaped {
            serde_json::from_str(raw).ok()
        } else {
            Some(raw[1..raw.len() - 1].to_string())
        }
    }
}
