//! A minimal JSON value and a writer that reproduces Go's `encoding/json` output byte for byte:
//! `MarshalIndent` layout (two-space indent, `"key": value`, `{}` / `[]` when empty) and Go's
//! string escaping (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).

/// A JSON value in output order (objects keep the order they were built in).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string (escaped as Go does when written).
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object: its members in output order (keys are not deduplicated).
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Self {
        Json::Str(s.into())
    }

    /// An array of strings.
    pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(v: I) -> Self {
        Json::Arr(v.into_iter().map(|s| Json::Str(s.into())).collect())
    }

    /// The same value as a `serde_json` value.
    #[must_use]
    pub fn into_serde(self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(b),
            Json::Int(i) => serde_json::Value::from(i),
            Json::Str(s) => serde_json::Value::String(s),
            Json::Arr(a) => serde_json::Value::Array(a.into_iter().map(Json::into_serde).collect()),
            Json::Obj(o) => {
                serde_json::Value::Object(o.into_iter().map(|(k, v)| (k, v.into_serde())).collect())
            }
        }
    }

    /// The same value from a `serde_json` value (objects keep their order; numbers that are
    /// not integers become strings, as this model has none).
    #[must_use]
    pub fn from_serde(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Json::Str(n.to_string()), Json::Int),
            serde_json::Value::String(s) => Json::Str(s),
            serde_json::Value::Array(a) => Json::Arr(a.into_iter().map(Json::from_serde).collect()),
            serde_json::Value::Object(o) => Json::Obj(
                o.into_iter()
                    .map(|(k, v)| (k, Json::from_serde(v)))
                    .collect(),
            ),
        }
    }

    /// Pretty-prints as Go's `json.MarshalIndent(v, prefix, "  ")` (no trailing newline).
    #[must_use]
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, 0);
        out
    }
}

/// Writes `s` as a JSON string literal with Go's escaping.
pub fn write_go_string(out: &mut String, s: &str) {
    write_escaped(out, s, false, true);
}

/// Writes `s` as a JSON string literal with the escaping of `serde_json` (no HTML escapes).
pub(crate) fn write_plain_string(out: &mut String, s: &str) {
    write_escaped(out, s, false, false);
}

/// Whether byte `b` may need more than copying: JSON and Go's HTML escapes, the first byte
/// of U+2028 / U+2029, and `$` / `%` (template escape).
const fn special_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'&' as usize] = true;
    t[0xE2] = true;
    t[b'$' as usize] = true;
    t[b'%' as usize] = true;
    t
}

static SPECIAL: [bool; 256] = special_table();

/// The bytes `serde_json` escapes: control characters, `"` and `\\`.
const fn plain_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
}

static PLAIN: [bool; 256] = plain_table();

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u_escape(out: &mut String, c: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((c >> shift) & 0xF) as usize] as char);
    }
}

/// `tpl`: buildx's template escape; `html`: Go's `<`, `>`, `&`, U+2028 and U+2029 escapes
/// (without it, the escaping is `serde_json`'s).
fn write_escaped(out: &mut String, s: &str, tpl: bool, html: bool) {
    let bytes = s.as_bytes();
    // Without template or HTML escapes only the JSON escapes matter: a smaller table.
    let table = if tpl || html { &SPECIAL } else { &PLAIN };
    out.reserve(bytes.len() + 2);
    out.push('"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !table[b as usize] {
            i += 1;
            continue;
        }
        // Every special byte is ASCII or the lead byte 0xE2, so `i` is a char boundary.
        let (esc, len): (Option<&str>, usize) = match b {
            b'"' => (Some("\\\""), 1),
            b'\\' => (Some("\\\\"), 1),
            b'\n' => (Some("\\n"), 1),
            b'\r' => (Some("\\r"), 1),
            b'\t' => (Some("\\t"), 1),
            0x08 => (Some("\\b"), 1),
            0x0C => (Some("\\f"), 1),
            b'<' | b'>' | b'&' if !html => {
                i += 1;
                continue;
            }
            b'$' | b'%' => {
                if tpl && bytes.get(i + 1) == Some(&b'{') {
                    out.push_str(&s[start..=i]);
                    start = i;
                }
                i += 1;
                continue;
            }
            0xE2 => {
                if html
                    && bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9))
                {
                    out.push_str(&s[start..i]);
                    push_u_escape(out, 0x2000 | u32::from(bytes[i + 2] - 0xA8 + 0x28));
                    i += 3;
                    start = i;
                } else {
                    i += 1;
                }
                continue;
            }
            _ => (None, 1),
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => push_u_escape(out, u32::from(b)),
        }
        i += len;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes Go's `MarshalIndent(v, "", "  ")` layout straight into a string, without building
/// a [`Json`] tree: `{}` / `[]` when a container gets no members.
///
/// [`PrettyWriter::serde_style`] writes `serde_json`'s layouts instead (its pretty printer's,
/// which only escapes differently, or its compact one).
#[derive(Debug)]
pub struct PrettyWriter {
    /// The text written so far.
    pub out: String,
    level: usize,
    /// The innermost open container has no member yet.
    empty: bool,
    /// No newlines, no indentation, `"key":value`.
    compact: bool,
    /// Go's HTML escapes in strings.
    html: bool,
    /// Every string and key gets the `${` / `%{` escape (a definition buildx reads back).
    templates: bool,
}

impl Default for PrettyWriter {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

const SPACES: &str = "                                                                ";

impl PrettyWriter {
    /// A writer whose buffer starts with room for `capacity` bytes.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        PrettyWriter {
            out: String::with_capacity(capacity),
            level: 0,
            empty: false,
            compact: false,
            html: true,
            templates: false,
        }
    }

    /// A writer for values nested `level` containers deep in a document written by
    /// [`PrettyWriter::with_capacity`] (their text goes in with [`PrettyWriter::raw_value`]).
    #[must_use]
    pub(crate) fn at_level(level: usize, capacity: usize) -> Self {
        PrettyWriter {
            level,
            ..Self::with_capacity(capacity)
        }
    }

    /// Writes a value already rendered (by a writer [`PrettyWriter::at_level`] this one's
    /// level), after its key or [`PrettyWriter::elem`].
    pub(crate) fn raw_value(&mut self, text: &str) {
        self.out.push_str(text);
        self.empty = false;
    }

    /// A writer with `serde_json`'s escaping (no HTML escapes): its pretty layout, or its
    /// compact one (`{"a":["b"]}`) when `compact`.
    #[must_use]
    pub fn serde_style(capacity: usize, compact: bool) -> Self {
        PrettyWriter {
            compact,
            html: false,
            ..Self::with_capacity(capacity)
        }
    }

    /// A writer whose every string and key gets buildx's `${` / `%{` escape, for JSON that
    /// buildx reads as a bake definition (where strings and keys are templates). Values that
    /// `--print` escapes already ([`PrettyWriter::str_tpl`]) are escaped once, not twice.
    #[must_use]
    pub fn for_definition(capacity: usize) -> Self {
        PrettyWriter {
            templates: true,
            ..Self::with_capacity(capacity)
        }
    }

    fn newline(&mut self) {
        if self.compact {
            return;
        }
        self.out.push('\n');
        let mut n = self.level * 2;
        while n > SPACES.len() {
            self.out.push_str(SPACES);
            n -= SPACES.len();
        }
        self.out.push_str(&SPACES[..n]);
    }

    /// Starts an object (`{`) or array (`[`) value.
    pub fn open(&mut self, c: char) {
        self.out.push(c);
        self.level += 1;
        self.empty = true;
    }

    /// Ends the innermost container with `}` or `]`.
    pub fn close(&mut self, c: char) {
        self.level -= 1;
        if !self.empty {
            self.newline();
        }
        self.out.push(c);
        self.empty = false;
    }

    /// Starts an array element.
    pub fn elem(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.newline();
    }

    /// Starts an object member: writes its key (escaped as a JSON string).
    pub fn key(&mut self, k: &str) {
        self.elem();
        write_escaped(&mut self.out, k, self.templates, self.html);
        self.colon();
    }

    fn colon(&mut self) {
        self.out.push_str(if self.compact { ":" } else { ": " });
    }

    /// Starts an object member whose key needs no escaping.
    pub fn raw_key(&mut self, k: &str) {
        debug_assert!(!k.bytes().any(|b| SPECIAL[b as usize]));
        self.elem();
        self.out.push('"');
        self.out.push_str(k);
        self.out.push('"');
        self.colon();
    }

    /// A string value.
    pub fn str(&mut self, s: &str) {
        write_escaped(&mut self.out, s, self.templates, self.html);
    }

    /// A string value with buildx's `${` / `%{` escape.
    pub fn str_tpl(&mut self, s: &str) {
        write_escaped(&mut self.out, s, true, self.html);
    }

    /// An unsigned integer.
    pub fn uint(&mut self, n: usize) {
        push_usize(&mut self.out, n);
    }

    /// `true` or `false`.
    pub fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.out.push_str("null");
    }

    /// An array of strings.
    pub fn strs<'s>(&mut self, items: impl IntoIterator<Item = &'s String>) {
        self.open('[');
        for s in items {
            self.elem();
            self.str(s);
        }
        self.close(']');
    }

    /// Any [`Json`] value.
    pub fn value(&mut self, v: &Json) {
        match v {
            Json::Null => self.null(),
            Json::Bool(b) => self.bool(*b),
            Json::Int(i) => self.out.push_str(&i.to_string()),
            Json::Str(s) => self.str(s),
            Json::Arr(items) => {
                self.open('[');
                for item in items {
                    self.elem();
                    self.value(item);
                }
                self.close(']');
            }
            Json::Obj(fields) => {
                self.open('{');
                for (k, item) in fields {
                    self.key(k);
                    self.value(item);
                }
                self.close('}');
            }
        }
    }
}

/// Appends the decimal digits of `n`.
pub(crate) fn push_usize(out: &mut String, mut n: usize) {
    if n < 10 {
        out.push(char::from(b'0' + n as u8));
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, v: &Json, level: usize) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::Str(s) => write_go_string(out, s),
        Json::Arr(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                write_value(out, item, level + 1);
            }
            indent(out, level);
            out.push(']');
        }
        Json::Obj(fields) => {
            if fields.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                write_go_string(out, k);
                out.push_str(": ");
                write_value(out, item, level + 1);
            }
            indent(out, level);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escaping() {
        let mut s = String::new();
        write_go_string(&mut s, "a<b>&c\u{2028}\u{2029}\"\\\n\t\u{1}\u{8}é");
        assert_eq!(
            s,
            "\"a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\\"\\\\\\n\\t\\u0001\\bé\""
        );
    }

    #[test]
    fn layout() {
        let v = Json::Obj(vec![
            ("a".into(), Json::Arr(vec![])),
            ("b".into(), Json::Obj(vec![])),
            (
                "c".into(),
                Json::Arr(vec![
                    Json::Obj(vec![("x".into(), Json::Int(1))]),
                    Json::Null,
                ]),
            ),
        ]);
        assert_eq!(
            v.to_pretty(),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    {\n      \"x\": 1\n    },\n    null\n  ]\n}"
        );
        let mut w = PrettyWriter::default();
        w.value(&v);
        assert_eq!(w.out, v.to_pretty());
        // serde_json's layouts, with strings that Go would escape.
        let v = Json::Obj(vec![
            ("a<".into(), Json::Arr(vec![])),
            (
                "c".into(),
                Json::Arr(vec![v, Json::Bool(true), Json::str("\u{2028}&")]),
            ),
        ]);
        let serde = v.clone().into_serde();
        for compact in [false, true] {
            let mut w = PrettyWriter::serde_style(0, compact);
            w.value(&v);
            let want = if compact {
                serde_json::to_string(&serde).unwrap()
            } else {
                serde_json::to_string_pretty(&serde).unwrap()
            };
            assert_eq!(w.out, want, "compact={compact}");
        }
    }

    #[test]
    fn digits() {
        let mut n = String::new();
        for x in [0, 7, 10, 12345, usize::MAX] {
            n.clear();
            push_usize(&mut n, x);
            assert_eq!(n, x.to_string());
        }
    }
}

#[cfg(test)]
mod escape_tests {
    use super::*;

    /// The per-character reference the fast path must match.
    fn reference(s: &str, tpl: bool) -> String {
        let s = if tpl {
            s.replace("${", "$${").replace("%{", "%%{")
        } else {
            s.to_string()
        };
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn fast_escape_matches_reference() {
        let alphabet = [
            "$", "%", "{", "}", "a", "\"", "\\", "\n", "\u{1}", "\u{7f}", "<", "&", "\u{2028}",
            "\u{2029}", "\u{2027}", "\u{20ac}", "é", "😀", "${", "%{", "$${", "\u{1f}",
        ];
        // Every string of up to three pieces of the alphabet.
        let mut cases = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for base in &frontier {
                for piece in alphabet {
                    next.push(format!("{base}{piece}"));
                }
            }
            cases.extend(next.iter().cloned());
            frontier = next;
        }
        for c in &cases {
            for tpl in [false, true] {
                let mut got = String::new();
                write_escaped(&mut got, c, tpl, true);
                assert_eq!(got, reference(c, tpl), "{c:?} tpl={tpl}");
            }
            // Without HTML escapes: exactly serde_json's string escaping.
            let mut plain = String::new();
            write_plain_string(&mut plain, c);
            assert_eq!(plain, serde_json::to_string(c).unwrap(), "{c:?}");
        }
    }
}
