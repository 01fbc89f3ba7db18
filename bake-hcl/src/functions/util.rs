//! Helpers shared by the function families: argument access, gocty-style conversions,
//! grapheme handling and cty's JSON encoding.

use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use super::{FnBody, FnError, FuncDef, Param};
use crate::number::Number;
use crate::value::{Type, Value, ValueMap};

/// gocty's error converting a number to a Go `int`.
pub(super) const ERR_WHOLE: &str =
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

/// A function definition.
pub(super) fn def(
    name: &'static str,
    params: Vec<Param>,
    variadic: Option<Param>,
    body: FnBody,
) -> FuncDef {
    // A variadic-only function gets a leading fixed copy of its variadic parameter, so it
    // must be called with at least one argument: every such cty function requires one
    // except `merge`, whose spec accepts no arguments and returns an empty object
    // (go-cty stdlib/collection.go MergeFunc: "empty args is accepted").
    let params = match (&variadic, params.is_empty()) {
        (Some(v), true) if name != "merge" => vec![v.clone()],
        _ => params,
    };
    FuncDef {
        name,
        params,
        variadic,
        body,
    }
}

/// A non-null parameter.
pub(super) fn param(name: &'static str, ty: Type) -> Param {
    Param::new(name, ty)
}

/// A nullable parameter.
pub(super) fn nullable_param(name: &'static str, ty: Type) -> Param {
    Param::nullable(name, ty)
}

/// The string inside a (converted) string argument; empty for anything else.
pub(super) fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The number inside a (converted) number argument.
pub(super) fn num_arg(v: &Value) -> Number {
    match v {
        Value::Number(x) => x.clone(),
        _ => Number::from_i64(0),
    }
}

/// A number value.
pub(super) fn num_value(x: Number) -> Value {
    Value::Number(x)
}

/// A string value.
pub(super) fn str_value(x: impl Into<Arc<str>>) -> Value {
    Value::string(x)
}

/// gocty's conversion of a number value to a Go `int`.
pub(super) fn to_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(x) => x.to_i64().ok_or_else(|| ERR_WHOLE.to_string()),
        _ => Err("number required".into()),
    }
}

/// A general error.
pub(super) fn err<T>(m: impl Into<String>) -> Result<T, FnError> {
    Err(FnError::msg(m))
}

/// An error about argument `i`.
pub(super) fn arg_err<T>(i: usize, m: impl Into<String>) -> Result<T, FnError> {
    Err(FnError::arg(i, m))
}

/// The grapheme clusters of a string.
pub(super) fn graphemes(x: &str) -> Vec<&str> {
    x.graphemes(true).collect()
}

/// cty's `Equals` for known values: nulls equal each other only.
pub(super) fn cty_equals(a: &Value, b: &Value) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (true, false) | (false, true) => false,
        _ => a.equals(b),
    }
}

/// Whether the value is a list (or a null list).
pub(super) fn is_list(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Null(Type::List(_)))
}

/// Whether the value is a tuple (or a null tuple).
pub(super) fn is_tuple(v: &Value) -> bool {
    matches!(v, Value::Tuple(_) | Value::Null(Type::Tuple(_)))
}

/// Whether the value is a set (or a null set).
pub(super) fn is_set(v: &Value) -> bool {
    matches!(v, Value::Set(_) | Value::Null(Type::Set(_)))
}

/// Whether the value is a map (or a null map).
pub(super) fn is_map(v: &Value) -> bool {
    matches!(v, Value::Map(_) | Value::Null(Type::Map(_)))
}

/// Whether the value is an object (or a null object).
pub(super) fn is_object(v: &Value) -> bool {
    matches!(v, Value::Object(_) | Value::Null(Type::Object(_)))
}

/// The element type of a list, set or map value (cty's `ElementType`).
pub(super) fn elem_type(v: &Value) -> Type {
    match v.ty() {
        Type::List(t) | Type::Set(t) | Type::Map(t) => *t,
        _ => Type::Dynamic,
    }
}

/// The elements of a sequence value (empty for anything else).
pub(super) fn seq(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or_default()
}

/// cty's JSON encoding of a value (`json.Marshal` with the value's own type).
pub(super) fn json_encode(v: &Value) -> Result<String, String> {
    crate::json::to_json(v)
}

/// An object value from pairs.
pub(super) fn object(pairs: Vec<(String, Value)>) -> Value {
    Value::object(pairs.into_iter().collect::<ValueMap>())
}

/// Decimal digits of a finite number: (negative, digits without leading/trailing zeros,
/// decimal exponent `e` such that the value is `0.d1d2... * 10^e`). Zero has no digits.
pub(super) fn decimal_parts(x: &Number) -> (bool, Vec<u8>, i64) {
    let text = x.to_string();
    let (neg, body) = match text.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, text.trim_start_matches('+').to_string()),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (body.clone(), String::new()),
    };
    let mut digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
    let mut exp = int_part.len() as i64;
    while digits.first() == Some(&b'0') {
        digits.remove(0);
        exp -= 1;
    }
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        exp = 0;
    }
    (neg, digits, exp)
}

/// Lower-case hexadecimal of `b`, two digits per byte (Go's `hex.EncodeToString`).
pub(super) fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from(DIGITS[usize::from(x >> 4)]));
        s.push(char::from(DIGITS[usize::from(x & 0xf)]));
    }
    s
}
