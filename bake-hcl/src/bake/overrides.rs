//! Variable values given as text, by the environment or `--var`: converted to the variable's
//! declared type (from JSON for `NAME_JSON`, from buildx's CSV form for collections, with Go's
//! `strconv` rules for primitives), or for an untyped variable to its default's type.

use bake_core::api::go::parse_bool;

use super::variables::DeclaredType;
use crate::json;
use crate::value::{convert, Type, Value, ValueMap};

/// Why an override's text does not fit its variable, with a hint when there is one.
pub(super) struct OverrideError {
    pub(super) message: String,
    pub(super) help: Option<String>,
}

impl OverrideError {
    fn new(message: String) -> OverrideError {
        OverrideError {
            message,
            help: None,
        }
    }
}

/// The value an override gives a variable: `text` (JSON when `is_json`) converted to the
/// declared type; for an untyped variable, a string, or its default's primitive type.
/// `default` is the converted default, when the variable has a `default` attribute.
pub(super) fn override_value(
    name: &str,
    text: &str,
    is_json: bool,
    declared: &DeclaredType,
    default: Option<&Value>,
) -> Result<Value, OverrideError> {
    let var_type = &declared.ty;
    if declared.specified && is_json {
        let j: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            OverrideError::new(format!(
                "failed to convert variable `{name}` from JSON: {e}"
            ))
        })?;
        let v = json::from_json(&j);
        convert(&v, var_type).map_err(|e| {
            OverrideError::new(format!(
                "failed to convert variable `{name}` from JSON: {e}"
            ))
        })
    } else if matches!(
        var_type,
        Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Map(_)
    ) {
        value_from_csv(name, text, var_type).map_err(|m| {
            OverrideError::new(format!("failed to convert variable `{name}` from CSV: {m}"))
        })
    } else if declared.specified && var_type.is_primitive() {
        convert_primitive(name, text, var_type).map_err(OverrideError::new)
    } else if declared.specified {
        Err(OverrideError::new(format!(
            "unsupported type {} for variable `{name}`",
            var_type.friendly_name()
        )))
    } else {
        match default {
            None => Ok(Value::string(text)),
            Some(v) if v.is_null() => Ok(Value::string(text)),
            Some(v) if v.ty().is_primitive() => {
                convert_primitive(name, text, &v.ty()).map_err(OverrideError::new)
            }
            Some(v) => Err(OverrideError {
                message: format!(
                    "unsupported type {} for variable `{name}`",
                    v.ty().friendly_name()
                ),
                help: Some(format!(
                    "set `{name}_JSON` to a JSON value, or give the variable a `type`"
                )),
            }),
        }
    }
}

/// An environment value converted to a primitive type, as buildx does (Go's
/// `strconv.ParseBool` / `ParseFloat`).
fn convert_primitive(name: &str, text: &str, ty: &Type) -> std::result::Result<Value, String> {
    match ty {
        Type::String => Ok(Value::string(text)),
        Type::Bool => match parse_bool(text) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err(format!(
                "failed to parse `{name}` as bool: strconv.ParseBool: parsing {text:?}: invalid syntax"
            )),
        },
        Type::Number => {
            let f: f64 = parse_go_float(text).ok_or_else(|| {
                format!("failed to parse `{name}` as number: strconv.ParseFloat: parsing {text:?}: invalid syntax")
            })?;
            if f.is_nan() || f.is_infinite() {
                return Err(format!("failed to parse `{name}` as number: invalid number value"));
            }
            crate::number::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| format!("failed to parse `{name}` as number"))
        }
        other => Err(format!("`{name}` of type {} is not a primitive", other.friendly_name())),
    }
}

/// Go's `strconv.ParseFloat(text, 64)`: underscores, hexadecimal, `inf` and `nan` included.
fn parse_go_float(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if let Some(hex) = body.strip_prefix("0x") {
        let neg = lower.starts_with('-');
        let v = i64::from_str_radix(hex, 16).ok()? as f64;
        return Some(if neg { -v } else { v });
    }
    if matches!(body, "inf" | "infinity") {
        return Some(if lower.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if body == "nan" {
        return Some(f64::NAN);
    }
    t.parse::<f64>().ok()
}

/// Splits a CSV record (double quotes, `""` escapes) on `sep`.
fn csv_fields(text: &str, sep: char) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() && !quoted_field {
            in_quotes = true;
            quoted_field = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
            quoted_field = false;
        } else if c == '"' {
            return Err(format!("bare \" in non-quoted field: {text:?}"));
        } else {
            cur.push(c);
        }
    }
    if in_quotes {
        return Err(format!(
            "extraneous or missing \" in quoted field: {text:?}"
        ));
    }
    out.push(cur);
    Ok(out)
}

/// A list, set, tuple or map value from buildx's CSV form (`a,b`; maps `k:v,k2:v2`).
fn value_from_csv(name: &str, text: &str, ty: &Type) -> std::result::Result<Value, String> {
    let fields = csv_fields(text, ',')?;
    let prim = |t: &Type, f: &str| -> std::result::Result<Value, String> {
        if !t.is_primitive() {
            return Err(format!(
                "unsupported type {} for CSV specification",
                ty.friendly_name()
            ));
        }
        convert_primitive(name, f, t).map_err(|e| {
            format!(
                "failed to parse element of type {}: {e}",
                ty.friendly_name()
            )
        })
    };
    match ty {
        Type::List(et) | Type::Set(et) => {
            let mut out = Vec::new();
            for f in &fields {
                out.push(prim(et, f)?);
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::set(out)
            } else {
                Value::list(out)
            })
        }
        Type::Tuple(ts) => {
            if ts.len() != fields.len() {
                return Err(format!(
                    "{} expects {} elements but only {} provided",
                    ty.friendly_name(),
                    ts.len(),
                    fields.len()
                ));
            }
            let mut out = Vec::new();
            for (t, f) in ts.iter().zip(&fields) {
                out.push(prim(t, f)?);
            }
            Ok(Value::tuple(out))
        }
        Type::Map(et) => {
            let mut m = ValueMap::new();
            for f in &fields {
                let kv = csv_fields(f, ':')?;
                if kv.len() != 2 {
                    return Err(format!(
                        "expected one k/v pair but got {} pieces from {f}",
                        kv.len()
                    ));
                }
                m.insert(kv[0].clone(), prim(et, &kv[1])?);
            }
            Ok(Value::map(m))
        }
        _ => Err(format!(
            "unsupported type {} for CSV specification",
            ty.friendly_name()
        )),
    }
}
