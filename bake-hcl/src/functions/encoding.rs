//! Encoding functions: base64, JSON, CSV, URL (go-cty `stdlib/json.go`, `csv.go`,
//! go-cty-funcs `encoding`), and the `Bytes` capsule functions bake cannot feed.

use std::collections::BTreeMap;

use bake_core::api::go;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

use super::util::{arg_err, def, err, json_encode, nullable_param, param, str_arg, str_value};
use super::{FnEnv, FnError, FuncDef};
use crate::number::Number;
use crate::value::{Type, Value};

/// Go's `base64.StdEncoding` decoder: padding required, trailing bits tolerated, CR/LF
/// ignored.
pub(super) fn go_b64_decode(x: &str) -> Option<Vec<u8>> {
    let cfg = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical);
    let eng = GeneralPurpose::new(&base64::alphabet::STANDARD, cfg);
    let clean: String = x.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    eng.decode(clean).ok()
}

fn base64decode(a: &[Value]) -> Result<Value, FnError> {
    let x = str_arg(&a[0]);
    let Some(b) = go_b64_decode(x) else {
        return err(format!("failed to decode base64 data '{x}'"));
    };
    match String::from_utf8(b) {
        Ok(t) => Ok(str_value(t)),
        Err(_) => err("the result of decoding the the provided string is not valid UTF-8"),
    }
}

fn urlencode(x: &str) -> String {
    let mut out = String::new();
    for b in x.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- JSON decoding ----

struct JsonParser<'a> {
    b: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn bad(&self, ctx: &str) -> String {
        if self.b.get(self.i).is_none() {
            "unexpected end of JSON input".into()
        } else {
            let c = std::str::from_utf8(&self.b[self.i..])
                .ok()
                .and_then(|r| r.chars().next())
                .unwrap_or('?');
            format!("invalid character {} {ctx}", go_char(c))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > 512 {
            return Err("exceeded max depth".into());
        }
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::object(m));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.bad("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.bad("after object key"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    if m.contains_key(&k) {
                        return Err(format!(
                            "duplicate {} property in JSON object",
                            go::quote(&k)
                        ));
                    }
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::object(m));
                        }
                        _ => return Err(self.bad("after object key:value pair")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::tuple(v));
                }
                loop {
                    v.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::tuple(v));
                        }
                        _ => return Err(self.bad("after array element")),
                    }
                }
            }
            Some(b'"') => Ok(str_value(self.string()?)),
            Some(b't') => self.lit("true", Value::Bool(true)),
            Some(b'f') => self.lit("false", Value::Bool(false)),
            Some(b'n') => self.lit("null", Value::NULL),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.bad("looking for beginning of value")),
        }
    }

    fn lit(&mut self, word: &str, v: Value) -> Result<Value, String> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            let mut j = 0;
            while j < word.len() && self.b.get(self.i + j) == Some(&word.as_bytes()[j]) {
                j += 1;
            }
            self.i += j;
            if self.i >= self.b.len() {
                return Err("unexpected end of JSON input".into());
            }
            Err(self.bad(&format!(
                "in literal {word} (expecting {})",
                go_char(word.as_bytes()[j] as char)
            )))
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s0 = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s0
        };
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self) {
            return Err(self.bad("in numeric literal"));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.bad("after decimal point in numeric literal"));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.bad("in exponent of numeric literal"));
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
        Number::parse(text)
            .map(Value::Number)
            .ok_or_else(|| format!("invalid number {text}"))
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err("unexpected end of JSON input".into());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err("unexpected end of JSON input".into());
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xd800..0xdc00).contains(&hi)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                                        .unwrap_or('\u{fffd}')
                                } else {
                                    self.i = save;
                                    '\u{fffd}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{fffd}')
                            }
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.bad("in string escape code"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(self.bad("in string literal")),
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.b.get(self.i) else {
                return Err("unexpected end of JSON input".into());
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.bad("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
}

fn go_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        c => format!("'{c}'"),
    }
}

/// Parses JSON into cty values (objects to objects, arrays to tuples).
pub(super) fn json_decode(text: &str) -> Result<Value, String> {
    let mut p = JsonParser {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err("extraneous data after JSON object".into());
    }
    Ok(v)
}

// ---- CSV decoding (Go's encoding/csv rules) ----

type Record = (usize, Vec<String>);

fn csv_parse(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let t = text.replace("\r\n", "\n");
    let c: Vec<char> = t.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut recs = Vec::new();
    while i < c.len() {
        if c[i] == '\n' {
            i += 1;
            line += 1;
            continue;
        }
        let rec_line = line;
        let mut fields = Vec::new();
        loop {
            let mut f = String::new();
            if i < c.len() && c[i] == '"' {
                i += 1;
                loop {
                    if i >= c.len() {
                        return Err((line, "extraneous or missing \" in quoted-field".into()));
                    }
                    if c[i] == '"' {
                        if i + 1 < c.len() && c[i + 1] == '"' {
                            f.push('"');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    if c[i] == '\n' {
                        line += 1;
                    }
                    f.push(c[i]);
                    i += 1;
                }
                if i < c.len() && c[i] != ',' && c[i] != '\n' {
                    return Err((line, "extraneous or missing \" in quoted-field".into()));
                }
            } else {
                while i < c.len() && c[i] != ',' && c[i] != '\n' {
                    if c[i] == '"' {
                        return Err((line, "bare \" in non-quoted-field".into()));
                    }
                    f.push(c[i]);
                    i += 1;
                }
            }
            fields.push(f);
            if i < c.len() && c[i] == ',' {
                i += 1;
                continue;
            }
            if i < c.len() {
                i += 1;
                line += 1;
            }
            break;
        }
        recs.push((rec_line, fields));
    }
    Ok(recs)
}

fn csvdecode(a: &[Value]) -> Result<Value, FnError> {
    let recs = csv_parse(str_arg(&a[0]))
        .map_err(|(l, e)| FnError::msg(format!("CSV parse error on line {l}: {e}")))?;
    let Some((_, headers)) = recs.first() else {
        return err("missing header line");
    };
    let mut seen = std::collections::HashSet::new();
    for h in headers {
        if !seen.insert(h) {
            return err(format!("duplicate column name {}", go::quote(h)));
        }
    }
    let mut rows = Vec::new();
    for (l, r) in &recs[1..] {
        if r.len() != headers.len() {
            return err(format!(
                "CSV parse error on line {l}: wrong number of fields"
            ));
        }
        let m: BTreeMap<String, Value> = headers
            .iter()
            .cloned()
            .zip(r.iter().map(|x| str_value(x.as_str())))
            .collect();
        rows.push(Value::object(m));
    }
    Ok(Value::list(rows))
}

fn bytes_required(_: &FnEnv, _: &[Value]) -> Result<Value, FnError> {
    arg_err(0, "invalid value for \"buf\" parameter: bytes required")
}

/// The encoding builtins: one table entry each (name, parameters, variadic
/// parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    let str1 = || vec![param("str", Type::String)];
    vec![
        def("base64encode", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(
                base64::engine::general_purpose::STANDARD.encode(str_arg(&a[0])),
            ))
        }),
        def("base64decode", str1(), None, |_: &FnEnv, a: &[Value]| {
            base64decode(a)
        }),
        def("urlencode", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(urlencode(str_arg(&a[0]))))
        }),
        def(
            "jsonencode",
            vec![nullable_param("val", Type::Dynamic)],
            None,
            |_: &FnEnv, a: &[Value]| json_encode(&a[0]).map(str_value).map_err(FnError::msg),
        ),
        def("jsondecode", str1(), None, |_: &FnEnv, a: &[Value]| {
            json_decode(str_arg(&a[0])).map_err(FnError::msg)
        }),
        def("csvdecode", str1(), None, |_: &FnEnv, a: &[Value]| {
            csvdecode(a)
        }),
        def(
            "byteslen",
            vec![param("buf", Type::Dynamic)],
            None,
            bytes_required,
        ),
        def(
            "bytesslice",
            vec![
                param("buf", Type::Dynamic),
                param("offset", Type::Number),
                param("length", Type::Number),
            ],
            None,
            bytes_required,
        ),
    ]
}
