//! String functions (go-cty `stdlib/string.go`, `string_replace.go`; buildx's `sanitize`).

use super::util::{arg_err, def, err, graphemes, param, str_arg, str_value, to_int};
use super::{FnEnv, FnError, FuncDef};
use crate::value::{Type, Value};

fn go_upper(x: &str) -> String {
    x.chars()
        .map(|c| {
            let mut u = c.to_uppercase();
            if u.len() == 1 {
                u.next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

fn go_lower(x: &str) -> String {
    x.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

fn is_separator(c: char) -> bool {
    if (c as u32) <= 0x7f {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

fn go_title(x: &str) -> String {
    let mut prev = ' ';
    let mut out = String::with_capacity(x.len());
    for c in x.chars() {
        if is_separator(prev) {
            let mut u = c.to_uppercase();
            if u.len() == 1 {
                out.push(u.next().unwrap_or(c));
            } else {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn substr(x: &str, offset: i64, length: i64) -> String {
    let g = graphemes(x);
    let mut offset = offset;
    if offset < 0 {
        offset += g.len() as i64;
    } else if length == 0 {
        return String::new();
    }
    let start = if offset > 0 {
        (offset as usize).min(g.len())
    } else {
        0
    };
    let rest = &g[start..];
    if length < 0 {
        return rest.concat();
    }
    // cty's loop only stops early when the count reaches `length`; zero never does.
    let take = if length == 0 {
        rest.len()
    } else {
        (length as usize).min(rest.len())
    };
    rest[..take].concat()
}

fn sanitize(x: &str) -> String {
    x.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn join(a: &[Value]) -> Result<Value, FnError> {
    if a.len() < 2 {
        return err("at least one list is required");
    }
    let mut parts: Vec<&str> = Vec::new();
    let many = a.len() > 2;
    for (ai, l) in a[1..].iter().enumerate() {
        for (ei, e) in l.as_seq().unwrap_or_default().iter().enumerate() {
            if e.is_null() {
                return if many {
                    arg_err(
                        ai + 1,
                        format!(
                            "element {ei} of list {} is null; cannot concatenate null values",
                            ai + 1
                        ),
                    )
                } else {
                    arg_err(
                        ai + 1,
                        format!("element {ei} is null; cannot concatenate null values"),
                    )
                };
            }
            parts.push(str_arg(e));
        }
    }
    let sep = str_arg(&a[0])
        .len()
        .saturating_mul(parts.len().saturating_sub(1));
    check_size(parts.iter().fold(sep, |n, p| n.saturating_add(p.len())))?;
    Ok(str_value(parts.join(str_arg(&a[0]))))
}

fn sort(a: &[Value]) -> Result<Value, FnError> {
    let mut v: Vec<String> = Vec::new();
    for (i, e) in a[0].as_seq().unwrap_or_default().iter().enumerate() {
        if e.is_null() {
            return err(format!(
                "given list element {i} is null; a null string cannot be sorted"
            ));
        }
        v.push(str_arg(e).to_string());
    }
    v.sort();
    Ok(Value::list(v.into_iter().map(str_value).collect()))
}

fn split(a: &[Value]) -> Value {
    let (sep, x) = (str_arg(&a[0]), str_arg(&a[1]));
    let parts: Vec<Value> = if sep.is_empty() {
        x.chars().map(|c| str_value(c.to_string())).collect()
    } else {
        x.split(sep).map(str_value).collect()
    };
    Value::list(parts)
}

fn indent(a: &[Value]) -> Result<Value, FnError> {
    let spaces = to_int(&a[0]).map_err(FnError::msg)?;
    if spaces < 0 {
        return err("panic in function implementation: strings: negative Repeat count");
    }
    if spaces > 1 << 20 {
        return err("panic in function implementation: strings: Repeat output length overflow");
    }
    let lines = str_arg(&a[1]).matches('\n').count();
    check_size(
        str_arg(&a[1])
            .len()
            .saturating_add(lines.saturating_mul(spaces as usize)),
    )?;
    let pad = " ".repeat(spaces as usize);
    Ok(str_value(str_arg(&a[1]).replace('\n', &format!("\n{pad}"))))
}

/// Refuses a result of `len` bytes over the value size limit before building it.
fn check_size(len: usize) -> Result<(), FnError> {
    if len > crate::limits::MAX_VALUE_SIZE {
        return err(crate::limits::Oversize::Size.message("the result"));
    }
    Ok(())
}

/// The string builtins: one table entry each (name, parameters, variadic
/// parameter, body).
///
/// Long on purpose: it is a table, one short entry per builtin, best read in one place.
#[allow(clippy::too_many_lines)]
pub(super) fn all() -> Vec<FuncDef> {
    let str1 = || vec![param("str", Type::String)];
    vec![
        def("upper", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(go_upper(str_arg(&a[0]))))
        }),
        def("lower", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(go_lower(str_arg(&a[0]))))
        }),
        def("title", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(go_title(str_arg(&a[0]))))
        }),
        def("trimspace", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(str_arg(&a[0]).trim_matches(char::is_whitespace)))
        }),
        def("chomp", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(str_value(str_arg(&a[0]).trim_end_matches(['\r', '\n'])))
        }),
        def("reverse", str1(), None, |_: &FnEnv, a: &[Value]| {
            let mut g = graphemes(str_arg(&a[0]));
            g.reverse();
            Ok(str_value(g.concat()))
        }),
        def("strlen", str1(), None, |_: &FnEnv, a: &[Value]| {
            Ok(Value::int(graphemes(str_arg(&a[0])).len() as i64))
        }),
        def(
            "sanitize",
            vec![param("name", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(str_value(sanitize(str_arg(&a[0])))),
        ),
        def(
            "trim",
            vec![param("str", Type::String), param("cutset", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| {
                let cut = str_arg(&a[1]);
                Ok(str_value(str_arg(&a[0]).trim_matches(|c| cut.contains(c))))
            },
        ),
        def(
            "trimprefix",
            vec![param("str", Type::String), param("prefix", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| {
                let x = str_arg(&a[0]);
                Ok(str_value(x.strip_prefix(str_arg(&a[1])).unwrap_or(x)))
            },
        ),
        def(
            "trimsuffix",
            vec![param("str", Type::String), param("suffix", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| {
                let x = str_arg(&a[0]);
                Ok(str_value(x.strip_suffix(str_arg(&a[1])).unwrap_or(x)))
            },
        ),
        def(
            "replace",
            vec![
                param("str", Type::String),
                param("substr", Type::String),
                param("replace", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| {
                let (x, from, to) = (str_arg(&a[0]), str_arg(&a[1]), str_arg(&a[2]));
                let n = if from.is_empty() {
                    x.chars().count() + 1
                } else {
                    x.matches(from).count()
                };
                check_size(x.len().saturating_add(n.saturating_mul(to.len())))?;
                Ok(str_value(x.replace(from, to)))
            },
        ),
        def(
            "substr",
            vec![
                param("str", Type::String),
                param("offset", Type::Number),
                param("length", Type::Number),
            ],
            None,
            |_: &FnEnv, a: &[Value]| {
                let off = to_int(&a[1]).map_err(FnError::msg)?;
                let len = to_int(&a[2]).map_err(FnError::msg)?;
                Ok(str_value(substr(str_arg(&a[0]), off, len)))
            },
        ),
        def(
            "indent",
            vec![param("spaces", Type::Number), param("str", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| indent(a),
        ),
        def(
            "join",
            vec![param("separator", Type::String)],
            Some(param("lists", Type::list(Type::String))),
            |_: &FnEnv, a: &[Value]| join(a),
        ),
        def(
            "sort",
            vec![param("list", Type::list(Type::String))],
            None,
            |_: &FnEnv, a: &[Value]| sort(a),
        ),
        def(
            "split",
            vec![param("separator", Type::String), param("str", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(split(a)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call, call_err, l, nv, sv};

    #[test]
    fn case_and_trim() {
        assert_eq!(call("lower", vec![sv("MiXeD")]), sv("mixed"));
        assert_eq!(call("upper", vec![sv("MiXeD")]), sv("MIXED"));
        assert_eq!(call("upper", vec![sv("straße")]), sv("STRAßE"));
        assert_eq!(
            call("title", vec![sv("hello big world")]),
            sv("Hello Big World")
        );
        assert_eq!(
            call("title", vec![sv("o'neil is_here x-y")]),
            sv("O'Neil Is_here X-Y")
        );
        assert_eq!(call("trim", vec![sv("--a-b--"), sv("-")]), sv("a-b"));
        assert_eq!(call("trim", vec![sv("?!hi?!"), sv("!?")]), sv("hi"));
        assert_eq!(call("trimprefix", vec![sv("v1.2.3"), sv("v")]), sv("1.2.3"));
        assert_eq!(call("trimprefix", vec![sv("1.2.3"), sv("v")]), sv("1.2.3"));
        assert_eq!(
            call("trimsuffix", vec![sv("app.tar.gz"), sv(".gz")]),
            sv("app.tar")
        );
        assert_eq!(call("trimspace", vec![sv("  \t spaced \n ")]), sv("spaced"));
        assert_eq!(call("chomp", vec![sv("line\n\n")]), sv("line"));
        assert_eq!(call("chomp", vec![sv("a\r\n\r")]), sv("a"));
        assert_eq!(call("chomp", vec![sv("a\nb")]), sv("a\nb"));
        assert!(call_err("upper", vec![l(vec![sv("a")])]).contains("string required"));
        assert!(call_err("upper", vec![sv("a"), sv("b")]).contains("argument"));
    }

    #[test]
    fn replace_reverse_len_substr() {
        assert_eq!(
            call("replace", vec![sv("a.b.c"), sv("."), sv("/")]),
            sv("a/b/c")
        );
        assert_eq!(
            call("replace", vec![sv("v1.22.3"), sv("/\\.[0-9]+$/"), sv("")]),
            sv("v1.22.3")
        );
        assert_eq!(
            call("replace", vec![sv("abc"), sv(""), sv("-")]),
            sv("-a-b-c-")
        );
        assert_eq!(call("reverse", vec![sv("abc")]), sv("cba"));
        assert_eq!(call("reverse", vec![sv("e\u{301}x")]), sv("xe\u{301}"));
        assert_eq!(call("strlen", vec![sv("héllo")]), nv(5));
        assert_eq!(call("strlen", vec![sv("e\u{301}")]), nv(1));
        assert_eq!(
            call("substr", vec![sv("buildx"), nv(0), nv(5)]),
            sv("build")
        );
        assert_eq!(call("substr", vec![sv("buildx"), nv(-2), nv(-1)]), sv("dx"));
        assert_eq!(call("substr", vec![sv("buildx"), nv(2), nv(0)]), sv(""));
        assert_eq!(call("substr", vec![sv("buildx"), nv(-2), nv(0)]), sv("dx"));
        assert_eq!(call("substr", vec![sv("buildx"), nv(10), nv(2)]), sv(""));
        assert_eq!(
            call("substr", vec![sv("buildx"), nv(1), nv(100)]),
            sv("uildx")
        );
        assert_eq!(
            call("substr", vec![sv("buildx"), nv(-100), nv(2)]),
            sv("bu")
        );
        assert!(call_err("substr", vec![sv("x"), sv("1.5"), nv(1)]).contains("whole number"));
    }

    #[test]
    fn join_split_sort_indent_sanitize() {
        use super::super::testutil::{nv, t};
        assert_eq!(
            call("join", vec![sv("/"), t(vec![sv("usr"), sv("local")])]),
            sv("usr/local")
        );
        assert_eq!(
            call("join", vec![sv(","), t(vec![sv("a")]), t(vec![nv(1)])]),
            sv("a,1")
        );
        assert!(call_err("join", vec![sv(",")]).contains("at least one list"));
        assert!(call_err(
            "join",
            vec![sv(","), t(vec![super::super::testutil::null()])]
        )
        .contains("element 0 is null"));
        assert_eq!(
            call("split", vec![sv(","), sv("a,,b")]),
            l(vec![sv("a"), sv(""), sv("b")])
        );
        assert_eq!(call("split", vec![sv(","), sv("")]), l(vec![sv("")]));
        assert_eq!(
            call("split", vec![sv(""), sv("ab")]),
            l(vec![sv("a"), sv("b")])
        );
        assert_eq!(
            call(
                "sort",
                vec![t(vec![sv("b"), sv("a"), sv("C"), sv("10"), sv("9")])]
            ),
            l(vec![sv("10"), sv("9"), sv("C"), sv("a"), sv("b")])
        );
        assert_eq!(
            call("sort", vec![t(vec![nv(10), nv(9)])]),
            l(vec![sv("10"), sv("9")])
        );
        assert_eq!(
            call("indent", vec![nv(2), sv("a\nb\nc")]),
            sv("a\n  b\n  c")
        );
        assert!(call_err("indent", vec![nv(-1), sv("a\nb")]).contains("negative"));
        assert_eq!(
            call("sanitize", vec![sv("My App/v1.2:latest")]),
            sv("My_App_v1_2_latest")
        );
        assert_eq!(call("sanitize", vec![sv("1st-build")]), sv("1st-build"));
        assert_eq!(call("sanitize", vec![sv("é")]), sv("_"));
    }
}
