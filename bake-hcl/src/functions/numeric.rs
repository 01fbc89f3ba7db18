//! Number and boolean functions (go-cty `stdlib/number.go`, `bool.go`).

use bake_core::api::go;
use num_bigint::BigUint;

use super::util::{arg_err, def, err, num_arg, num_value, param, str_arg, to_int};
use super::{FnEnv, FnError, FuncDef};
use crate::number::Number;
use crate::value::{Type, Value};

/// A failure with cty's message.
fn msg_error(e: &str) -> FnError {
    FnError::msg(e)
}

fn two() -> Vec<super::Param> {
    vec![param("a", Type::Number), param("b", Type::Number)]
}

fn one() -> Vec<super::Param> {
    vec![param("num", Type::Number)]
}

fn parseint(a: &[Value]) -> Result<Value, FnError> {
    if !matches!(a[0], Value::String(_)) {
        return arg_err(
            0,
            format!(
                "first argument must be a string, not {}",
                a[0].ty().friendly_name()
            ),
        );
    }
    let text = str_arg(&a[0]);
    let base = to_int(&a[1]).map_err(|e| FnError::arg(1, e))?;
    if !(2..=62).contains(&base) {
        return arg_err(1, "base must be a whole number between 2 and 62 inclusive");
    }
    let bad = || {
        FnError::arg(
            0,
            format!("cannot parse {} as a base {base} integer", go::quote(text)),
        )
    };
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    if digits.len() > crate::limits::MAX_PARSEINT_DIGITS {
        // The conversion takes time quadratic in the length.
        return arg_err(
            0,
            format!(
                "the number has more than the limit of {} digits",
                crate::limits::MAX_PARSEINT_DIGITS
            ),
        );
    }
    let mut mag = BigUint::from(0u32);
    for c in digits.bytes() {
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' if base <= 36 => u32::from(c - b'A') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 36,
            _ => return Err(bad()),
        };
        if i64::from(d) >= base {
            return Err(bad());
        }
        mag = mag * BigUint::from(base as u64) + BigUint::from(d);
    }
    Ok(num_value(Number::from_bigint(neg, mag)))
}

fn minmax(a: &[Value], max: bool) -> Result<Value, FnError> {
    if a.is_empty() {
        return err("must pass at least one number");
    }
    let mut best = if max {
        Number::neg_inf()
    } else {
        Number::pos_inf()
    };
    for v in a {
        let x = num_arg(v);
        if (max && x.greater_than(&best)) || (!max && x.less_than(&best)) {
            best = x;
        }
    }
    Ok(num_value(best))
}

/// The number and boolean builtins: one table entry each (name, parameters, variadic
/// parameter, body).
///
/// Long on purpose: it is a table, one short entry per builtin, best read in one place.
#[allow(clippy::too_many_lines)]
pub(super) fn all() -> Vec<FuncDef> {
    vec![
        def("absolute", one(), None, |_: &FnEnv, a: &[Value]| {
            Ok(num_value(num_arg(&a[0]).abs()))
        }),
        def("negate", one(), None, |_: &FnEnv, a: &[Value]| {
            Ok(num_value(num_arg(&a[0]).neg()))
        }),
        def("ceil", one(), None, |_: &FnEnv, a: &[Value]| {
            Ok(num_value(num_arg(&a[0]).ceil()))
        }),
        def("floor", one(), None, |_: &FnEnv, a: &[Value]| {
            Ok(num_value(num_arg(&a[0]).floor()))
        }),
        def("int", one(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0]).try_trunc().map(num_value).map_err(msg_error)
        }),
        def("signum", one(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .try_signum()
                .map(num_value)
                .map_err(msg_error)
        }),
        def("add", two(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .try_add(&num_arg(&a[1]))
                .map(num_value)
                .map_err(msg_error)
        }),
        def("subtract", two(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .try_sub(&num_arg(&a[1]))
                .map(num_value)
                .map_err(msg_error)
        }),
        def("multiply", two(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .try_mul(&num_arg(&a[1]))
                .map(num_value)
                .map_err(msg_error)
        }),
        def("divide", two(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .div(&num_arg(&a[1]))
                .map(num_value)
                .map_err(msg_error)
        }),
        def("modulo", two(), None, |_: &FnEnv, a: &[Value]| {
            num_arg(&a[0])
                .rem(&num_arg(&a[1]))
                .map(num_value)
                .map_err(msg_error)
        }),
        def(
            "log",
            vec![param("num", Type::Number), param("base", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| {
                num_arg(&a[0])
                    .try_log(&num_arg(&a[1]))
                    .map(num_value)
                    .map_err(msg_error)
            },
        ),
        def(
            "pow",
            vec![param("num", Type::Number), param("power", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| {
                num_arg(&a[0])
                    .try_pow(&num_arg(&a[1]))
                    .map(num_value)
                    .map_err(msg_error)
            },
        ),
        def(
            "min",
            vec![],
            Some(param("numbers", Type::Number)),
            |_: &FnEnv, a: &[Value]| minmax(a, false),
        ),
        def(
            "max",
            vec![],
            Some(param("numbers", Type::Number)),
            |_: &FnEnv, a: &[Value]| minmax(a, true),
        ),
        def(
            "parseint",
            vec![param("number", Type::Dynamic), param("base", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| parseint(a),
        ),
        def("greaterthan", two(), None, |_: &FnEnv, a: &[Value]| {
            Ok(Value::Bool(num_arg(&a[0]).greater_than(&num_arg(&a[1]))))
        }),
        def(
            "greaterthanorequalto",
            two(),
            None,
            |_: &FnEnv, a: &[Value]| {
                Ok(Value::Bool(
                    num_arg(&a[0]).greater_or_equal(&num_arg(&a[1])),
                ))
            },
        ),
        def("lessthan", two(), None, |_: &FnEnv, a: &[Value]| {
            Ok(Value::Bool(num_arg(&a[0]).less_than(&num_arg(&a[1]))))
        }),
        def(
            "lessthanorequalto",
            two(),
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(num_arg(&a[0]).less_or_equal(&num_arg(&a[1])))),
        ),
        def(
            "not",
            vec![param("val", Type::Bool)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(!a[0].is_true())),
        ),
        def(
            "and",
            vec![param("a", Type::Bool), param("b", Type::Bool)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(a[0].is_true() && a[1].is_true())),
        ),
        def(
            "or",
            vec![param("a", Type::Bool), param("b", Type::Bool)],
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(a[0].is_true() || a[1].is_true())),
        ),
    ]
}
