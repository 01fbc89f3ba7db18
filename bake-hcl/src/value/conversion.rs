//! cty's conversions between types (`convert.Convert`) and its type unification
//! (`convert.Unify`), with cty's error messages.

use std::collections::BTreeMap;

use super::{ConvertError, Type, Value, ValueMap};
use crate::number::Number;

/// Converts `v` to type `want` with cty's `convert.Convert` rules.
///
/// # Errors
/// cty's message when the conversion is impossible.
pub fn convert(v: &Value, want: &Type) -> Result<Value, ConvertError> {
    if let Value::Null(_) = v {
        return Ok(Value::Null(want.clone()));
    }
    match want {
        Type::Dynamic => Ok(v.clone()),
        Type::Optional(t) => convert(v, t),
        Type::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::string(n.to_string())),
            Value::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
            _ => Err(mismatch(v, want)),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => Number::parse(s)
                .map(Value::Number)
                .ok_or_else(|| ConvertError("a number is required".into())),
            _ => Err(mismatch(v, want)),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) => match &**s {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(ConvertError("a bool is required".into())),
            },
            _ => Err(mismatch(v, want)),
        },
        Type::List(et) | Type::Set(et) => to_list_or_set(v, want, et),
        Type::Map(et) => to_map(v, want, et),
        Type::Tuple(ts) => to_tuple(v, want, ts),
        Type::Object(ts) => to_object(v, want, ts),
    }
}

/// `list(et)` or `set(et)` (`want`) from a list, set or tuple; a dynamic element type is the
/// unified type of the elements.
fn to_list_or_set(v: &Value, want: &Type, et: &Type) -> Result<Value, ConvertError> {
    let elems: Vec<Value> = match v {
        Value::List(e) | Value::Set(e) | Value::Tuple(e) => e.to_vec(),
        _ => return Err(mismatch(v, want)),
    };
    let et = if et.has_dynamic() {
        unify(&elems.iter().map(Value::ty).collect::<Vec<_>>())
            .ok_or_else(|| ConvertError("all elements must have the same type".into()))?
    } else {
        et.clone()
    };
    let mut out = Vec::with_capacity(elems.len());
    for (i, e) in elems.iter().enumerate() {
        out.push(convert(e, &et).map_err(|e| ConvertError(format!("element {i}: {e}")))?);
    }
    if matches!(want, Type::Set(_)) {
        Ok(Value::set(out))
    } else {
        Ok(Value::list(out))
    }
}

/// `map(et)` (`want`) from a map or object.
fn to_map(v: &Value, want: &Type, et: &Type) -> Result<Value, ConvertError> {
    let (Value::Map(m) | Value::Object(m)) = v else {
        return Err(mismatch(v, want));
    };
    let et = if et.has_dynamic() {
        unify(&m.values().map(Value::ty).collect::<Vec<_>>())
            .ok_or_else(|| ConvertError("all map elements must have the same type".into()))?
    } else {
        et.clone()
    };
    let mut out = ValueMap::new();
    for (k, e) in m.iter() {
        out.insert(
            k.clone(),
            convert(e, &et).map_err(|e| ConvertError(format!("element {k:?}: {e}")))?,
        );
    }
    Ok(Value::map(out))
}

/// A tuple of the element types `ts` (`want`) from a list or tuple of as many elements.
fn to_tuple(v: &Value, want: &Type, ts: &[Type]) -> Result<Value, ConvertError> {
    let (Value::List(elems) | Value::Tuple(elems)) = v else {
        return Err(mismatch(v, want));
    };
    if elems.len() != ts.len() {
        return Err(ConvertError(format!(
            "tuple required with {} elements",
            ts.len()
        )));
    }
    let mut out = Vec::with_capacity(elems.len());
    for (i, (e, t)) in elems.iter().zip(ts).enumerate() {
        out.push(convert(e, t).map_err(|e| ConvertError(format!("element {i}: {e}")))?);
    }
    Ok(Value::tuple(out))
}

/// An object with the attribute types `ts` (`want`) from a map or object; an absent
/// `optional(T)` attribute becomes a null of `T`.
fn to_object(v: &Value, want: &Type, ts: &BTreeMap<String, Type>) -> Result<Value, ConvertError> {
    let (Value::Map(m) | Value::Object(m)) = v else {
        return Err(mismatch(v, want));
    };
    let mut out = ValueMap::new();
    for (k, t) in ts {
        if let Some(e) = m.get(k) {
            out.insert(
                k.clone(),
                convert(e, t).map_err(|e| ConvertError(format!("attribute {k:?}: {e}")))?,
            );
        } else {
            if let Type::Optional(inner) = t {
                out.insert(k.clone(), Value::Null((**inner).clone()));
                continue;
            }
            return Err(ConvertError(format!("attribute {k:?} is required")));
        }
    }
    Ok(Value::object(out))
}

fn mismatch(v: &Value, want: &Type) -> ConvertError {
    let got = v.ty();
    let msg = match (want, &got) {
        (Type::String | Type::Number | Type::Bool, _) => {
            format!("{} required", want.friendly_name())
        }
        (Type::List(_) | Type::Set(_), _) => format!("{} required", want.friendly_name()),
        (Type::Map(_), _) => "map required".to_string(),
        (Type::Object(_), _) => "object required".to_string(),
        (Type::Tuple(_), _) => "tuple required".to_string(),
        (Type::Dynamic, _) => "value required".to_string(),
        (Type::Optional(t), _) => return mismatch(v, t),
    };
    ConvertError(msg)
}

/// The single type every type in `ts` converts to, as cty's `convert.Unify` finds it
/// (primitives unify towards string; otherwise types must agree).
#[must_use]
pub fn unify(ts: &[Type]) -> Option<Type> {
    let mut it = ts.iter().filter(|t| **t != Type::Dynamic);
    let Some(first) = it.next() else {
        return Some(Type::Dynamic);
    };
    let mut acc = first.clone();
    for t in it {
        acc = unify2(&acc, t)?;
    }
    Some(acc)
}

fn unify2(a: &Type, b: &Type) -> Option<Type> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (x, y) if x.is_primitive() && y.is_primitive() => Some(Type::String),
        (Type::List(x), Type::List(y)) => Some(Type::list(unify2(x, y)?)),
        (Type::Set(x), Type::Set(y)) => Some(Type::set(unify2(x, y)?)),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(unify2(x, y)?)),
        (Type::Set(x), Type::List(y)) | (Type::List(y), Type::Set(x)) => {
            Some(Type::set(unify2(x, y)?))
        }
        (Type::Tuple(xs), Type::Tuple(ys)) => {
            if xs.len() == ys.len() {
                Some(Type::Tuple(
                    xs.iter()
                        .zip(ys)
                        .map(|(x, y)| unify2(x, y))
                        .collect::<Option<_>>()?,
                ))
            } else {
                let all: Vec<Type> = xs.iter().chain(ys).cloned().collect();
                Some(Type::list(unify(&all)?))
            }
        }
        (Type::Tuple(xs), Type::List(y)) | (Type::List(y), Type::Tuple(xs)) => {
            let mut all: Vec<Type> = xs.clone();
            all.push((**y).clone());
            Some(Type::list(unify(&all)?))
        }
        (Type::Tuple(xs), Type::Set(y)) | (Type::Set(y), Type::Tuple(xs)) => {
            let mut all: Vec<Type> = xs.clone();
            all.push((**y).clone());
            Some(Type::set(unify(&all)?))
        }
        (Type::Object(xs), Type::Object(ys)) => {
            if xs.keys().eq(ys.keys()) {
                Some(Type::Object(
                    xs.iter()
                        .zip(ys.values())
                        .map(|((k, x), y)| Some((k.clone(), unify2(x, y)?)))
                        .collect::<Option<_>>()?,
                ))
            } else {
                let all: Vec<Type> = xs.values().chain(ys.values()).cloned().collect();
                Some(Type::map(unify(&all)?))
            }
        }
        (Type::Object(xs), Type::Map(y)) | (Type::Map(y), Type::Object(xs)) => {
            let mut all: Vec<Type> = xs.values().cloned().collect();
            all.push((**y).clone());
            Some(Type::map(unify(&all)?))
        }
        _ => None,
    }
}
