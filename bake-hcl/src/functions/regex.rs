//! Regular expressions with RE2 semantics (go-cty `stdlib/regexp.go`, `string_replace.go`).

use std::collections::BTreeMap;

use regex::Regex;

use super::util::{arg_err, def, err, param, str_arg, str_value};
use super::{FnEnv, FnError, FuncDef};
use crate::value::{Type, Value};

/// Rewrites an RE2 pattern for the `regex` crate: `\d \w \s \b` (and negations) are ASCII
/// in RE2; `[` inside a class and Rust's class set operators are literals in RE2.
fn translate(pat: &str) -> String {
    let c: Vec<char> = pat.chars().collect();
    let mut out = String::with_capacity(pat.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\\' && i + 1 < c.len() {
            let e = c[i + 1];
            let rep = match (e, in_class) {
                ('d', false) => Some("[0-9]"),
                ('d', true) => Some("0-9"),
                ('D', _) => Some("[^0-9]"),
                ('w', false) => Some("[0-9A-Za-z_]"),
                ('w', true) => Some("0-9A-Za-z_"),
                ('W', _) => Some("[^0-9A-Za-z_]"),
                ('s', false) => Some("[\\t\\n\\x0C\\r ]"),
                ('s', true) => Some("\\t\\n\\x0C\\r "),
                ('S', _) => Some("[^\\t\\n\\x0C\\r ]"),
                ('b', false) => Some("(?-u:\\b)"),
                ('B', false) => Some("(?-u:\\B)"),
                _ => None,
            };
            if let Some(r) = rep {
                out.push_str(r);
            } else {
                out.push(ch);
                out.push(e);
            }
            i += 2;
            continue;
        }
        if in_class {
            match ch {
                ']' => {
                    in_class = false;
                    out.push(']');
                }
                '[' if c.get(i + 1) == Some(&':') => {
                    // a POSIX class: copy through its closing ":]"
                    let rest: String = c[i..].iter().collect();
                    if let Some(end) = rest.find(":]") {
                        out.push_str(&rest[..end + 2]);
                        i += rest[..end + 2].chars().count();
                        continue;
                    }
                    out.push_str("\\[");
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(ch);
                }
                '-' if c.get(i + 1) == Some(&'-') => out.push_str("\\-"),
                _ => out.push(ch),
            }
            i += 1;
            continue;
        }
        if ch == '[' {
            in_class = true;
            out.push('[');
            i += 1;
            if c.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if c.get(i) == Some(&']') {
                out.push_str("\\]");
                i += 1;
            }
            continue;
        }
        out.push(ch);
        i += 1;
    }
    out
}

fn compile(pat: &str) -> Result<Regex, String> {
    Regex::new(&translate(pat)).map_err(|e| {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let last = last.strip_prefix("error: ").unwrap_or(last);
        format!("error parsing pattern: {last}")
    })
}

/// What `regex` returns for a pattern: the match (no groups), a tuple of the groups, or an
/// object of the named groups.
enum CaptureShape {
    Str,
    Tuple(usize),
    Object,
}

fn shape(re: &Regex) -> Result<CaptureShape, String> {
    let mut unnamed = 0;
    let mut names = Vec::new();
    for n in re.capture_names().skip(1) {
        match n {
            Some(n) => names.push(n.to_string()),
            None => unnamed += 1,
        }
    }
    match (unnamed, names.len()) {
        (0, 0) => Ok(CaptureShape::Str),
        (u, 0) => Ok(CaptureShape::Tuple(u)),
        (0, _) => Ok(CaptureShape::Object),
        _ => Err("invalid regexp pattern: cannot mix both named and unnamed capture groups".into()),
    }
}

fn result(re: &Regex, sh: &CaptureShape, caps: &regex::Captures<'_>) -> Value {
    let get = |i: usize| {
        caps.get(i)
            .map_or(Value::Null(Type::String), |m| str_value(m.as_str()))
    };
    match sh {
        CaptureShape::Str => get(0),
        CaptureShape::Tuple(n) => Value::tuple((1..=*n).map(get).collect()),
        CaptureShape::Object => {
            let mut m = BTreeMap::new();
            for (i, name) in re.capture_names().enumerate().skip(1) {
                if let Some(name) = name {
                    m.insert(name.to_string(), get(i));
                }
            }
            Value::object(m)
        }
    }
}

fn prepare(pat: &str) -> Result<(Regex, CaptureShape), FnError> {
    let re = compile(pat).map_err(|e| FnError::arg(0, e))?;
    let sh = shape(&re).map_err(|e| FnError::arg(0, e))?;
    Ok((re, sh))
}

fn regex_fn(a: &[Value]) -> Result<Value, FnError> {
    let (re, sh) = prepare(str_arg(&a[0]))?;
    match re.captures(str_arg(&a[1])) {
        Some(c) => Ok(result(&re, &sh, &c)),
        None => err("pattern did not match any part of the given string"),
    }
}

fn regexall(a: &[Value]) -> Result<Value, FnError> {
    let (re, sh) = prepare(str_arg(&a[0]))?;
    Ok(Value::list(
        re.captures_iter(str_arg(&a[1]))
            .map(|c| result(&re, &sh, &c))
            .collect(),
    ))
}

fn regex_replace(a: &[Value]) -> Result<Value, FnError> {
    let re = match compile(str_arg(&a[1])) {
        Ok(r) => r,
        Err(e) => return arg_err(1, e),
    };
    // Counted as it grows: an empty match at every position, each replaced by a long
    // expansion, would otherwise build a string far over the value size limit first.
    let mut size = str_arg(&a[0]).len();
    let mut over = false;
    let out = re.replace_all(str_arg(&a[0]), |caps: &regex::Captures<'_>| {
        let mut piece = String::new();
        if !over {
            caps.expand(str_arg(&a[2]), &mut piece);
            size = size.saturating_add(piece.len());
            over = size > crate::limits::MAX_VALUE_SIZE;
        }
        if over {
            piece.clear();
        }
        piece
    });
    if over {
        return err(crate::limits::Oversize::Size.message("the result"));
    }
    Ok(str_value(out.into_owned()))
}

/// The regular expression builtins: one table entry each (name, parameters, variadic
/// parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    let two = || {
        vec![
            param("pattern", Type::String),
            param("string", Type::String),
        ]
    };
    vec![
        def("regex", two(), None, |_: &FnEnv, a: &[Value]| regex_fn(a)),
        def("regexall", two(), None, |_: &FnEnv, a: &[Value]| {
            regexall(a)
        }),
        def(
            "regex_replace",
            vec![
                param("str", Type::String),
                param("pattern", Type::String),
                param("replace", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| regex_replace(a),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, l, null, o, printed, sv, t};
    use super::translate;

    #[test]
    fn conformance_213() {
        assert_eq!(
            printed("regex", vec![sv("[0-9]+\\.[0-9]+"), sv("version 1.22.3")]),
            "1.22"
        );
        assert_eq!(
            printed("regex", vec![sv("(\\d+)-(\\w+)"), sv("12-abc")]),
            r#"["12","abc"]"#
        );
        assert_eq!(
            call(
                "regex",
                vec![sv("(?P<major>\\d+)\\.(?P<minor>\\d+)"), sv("v3.14")]
            ),
            o(vec![("major", sv("3")), ("minor", sv("14"))])
        );
        assert_eq!(
            printed("regexall", vec![sv("[a-z]+"), sv("a1bc2def")]),
            r#"["a","bc","def"]"#
        );
        assert_eq!(call("regexall", vec![sv("x"), sv("abc")]), l(vec![]));
        assert_eq!(
            printed("regex_replace", vec![sv("hello world"), sv("o"), sv("0")]),
            "hell0 w0rld"
        );
        assert_eq!(
            printed(
                "regex_replace",
                vec![sv("2024-01-05"), sv("(\\d+)-(\\d+)-(\\d+)"), sv("$3/$2/$1")]
            ),
            "05/01/2024"
        );
        assert!(call_err("regex", vec![sv("[0-9]+"), sv("no digits")]).contains("did not match"));
    }

    #[test]
    fn re2_semantics() {
        assert!(call_err("regex", vec![sv("\\d"), sv("٣")]).contains("did not match"));
        assert_eq!(call("regex", vec![sv("[\\d]+"), sv("a42")]), sv("42"));
        assert_eq!(call("regex", vec![sv("[[]"), sv("a[b")]), sv("["));
        assert_eq!(call("regex", vec![sv("[]a]+"), sv("x]a]")]), sv("]a]"));
        assert_eq!(call("regex", vec![sv("[[:digit:]]+"), sv("x12")]), sv("12"));
        assert_eq!(
            call("regex", vec![sv("(a)|(b)"), sv("b")]),
            t(vec![null(), sv("b")])
        );
        assert!(call_err("regex", vec![sv("(a)(?P<n>b)"), sv("ab")]).contains("cannot mix"));
        assert!(call_err("regex", vec![sv("("), sv("ab")]).contains("error parsing pattern"));
        assert_eq!(translate("\\bx\\b"), "(?-u:\\b)x(?-u:\\b)");
    }
}
