//! Values to and from JSON, as go-cty's JSON encoding does it (sorted keys, Go's string
//! escaping, numbers in cty's decimal form).

use crate::number::Number;
use crate::value::{Value, ValueMap};

/// A JSON document as a cty value: objects become objects, arrays tuples.
#[must_use]
pub fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::NULL,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            Value::Number(Number::parse(&n.to_string()).unwrap_or_else(|| Number::from_i64(0)))
        }
        serde_json::Value::String(s) => Value::string(s.as_str()),
        serde_json::Value::Array(a) => Value::tuple(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let mut m = ValueMap::new();
            for (k, v) in o {
                m.insert(k.clone(), from_json(v));
            }
            Value::object(m)
        }
    }
}

/// A value as compact JSON, the way cty marshals it (sorted keys, Go's string escaping,
/// numbers in cty's decimal form).
///
/// # Errors
/// cty refuses infinite numbers.
pub fn to_json(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, &mut out)?;
    Ok(out)
}

fn write_json(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_json().map_err(str::to_string)?),
        Value::String(s) => bake_core::api::go::write_go_string(out, s),
        Value::List(e) | Value::Set(e) | Value::Tuple(e) => {
            out.push('[');
            for (i, x) in e.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out)?;
            }
            out.push(']');
        }
        Value::Map(m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                bake_core::api::go::write_go_string(out, k);
                out.push(':');
                write_json(x, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}
