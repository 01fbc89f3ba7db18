//! A minimal JSON value and a writer that reproduces Go's `encoding/json` output byte for byte:
//! `MarshalIndent` layout (two-space indent, `"key": value`, `{}` / `[]` when empty) and Go's
//! string escaping (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).

/// A JSON value in output order (objects keep the order they were built in).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
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
    out.push('"');
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
    }
}
