//! Values and types with go-cty semantics: the data the evaluator computes with.
//!
//! Collections are reference-counted so that copying a variable's value into many targets is
//! cheap. Objects and maps keep their keys sorted, as cty iterates them lexicographically.
//! Conversions between types (and type unification) are in `conversion`.

mod conversion;

pub use conversion::{convert, unify};

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::number::Number;

/// A map from attribute or key names to values, sorted by key as cty orders them.
pub type ValueMap = BTreeMap<String, Value>;

/// A cty value (known values only: bake never deals in unknowns).
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`, with the type it was declared with (`Dynamic` when untyped).
    Null(Type),
    /// `true` / `false`
    Bool(bool),
    /// An arbitrary-precision number.
    Number(Number),
    /// A UTF-8 string.
    String(Arc<str>),
    /// A list: every element has the same type.
    List(Arc<Vec<Value>>),
    /// A set: elements sorted and unique.
    Set(Arc<Vec<Value>>),
    /// A tuple: a sequence of values of any types.
    Tuple(Arc<Vec<Value>>),
    /// A map: every value has the same type.
    Map(Arc<ValueMap>),
    /// An object: attributes of any types.
    Object(Arc<ValueMap>),
}

/// A cty type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    /// `string`
    String,
    /// `number`
    Number,
    /// `bool`
    Bool,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)`
    Map(Box<Type>),
    /// `tuple([...])`
    Tuple(Vec<Type>),
    /// `object({...})`
    Object(BTreeMap<String, Type>),
    /// `any` (cty's dynamic pseudo-type)
    Dynamic,
    /// `optional(T)`: an object attribute that may be absent (it converts to null).
    Optional(Box<Type>),
}

impl Type {
    /// `list(T)`
    #[must_use]
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    /// `map(T)`
    #[must_use]
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// `set(T)`
    #[must_use]
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    /// Whether this is string, number or bool.
    #[must_use]
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// Whether the type contains `any` somewhere.
    #[must_use]
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::List(t) | Type::Set(t) | Type::Map(t) | Type::Optional(t) => t.has_dynamic(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
            Type::Object(ts) => ts.values().any(Type::has_dynamic),
            _ => false,
        }
    }

    /// The name cty gives this type in messages ("list of string").
    #[must_use]
    pub fn friendly_name(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
            Type::Dynamic => "dynamic".into(),
            Type::Optional(t) => t.friendly_name(),
        }
    }

    /// The name cty gives this type as a constraint (`list(string)`), as `--list=variables`
    /// shows it.
    #[must_use]
    pub fn constraint_name(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("list({})", t.constraint_name()),
            Type::Set(t) => format!("set({})", t.constraint_name()),
            Type::Map(t) => format!("map({})", t.constraint_name()),
            Type::Tuple(ts) => format!(
                "tuple([{}])",
                ts.iter()
                    .map(Type::constraint_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Type::Object(ts) => format!(
                "object({{{}}})",
                ts.iter()
                    .map(|(k, t)| format!("{k}={}", t.constraint_name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Type::Dynamic => "any".into(),
            Type::Optional(t) => format!("optional({})", t.constraint_name()),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.friendly_name())
    }
}

/// An error converting a value to a type; the message is cty's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError(pub String);

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Value {
    /// An untyped null.
    pub const NULL: Value = Value::Null(Type::Dynamic);

    /// A string value.
    #[must_use]
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A number value from an integer.
    #[must_use]
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from_i64(i))
    }

    /// A tuple value.
    #[must_use]
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(v))
    }

    /// A list value (the caller guarantees one element type).
    #[must_use]
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }

    /// An object value.
    #[must_use]
    pub fn object(m: ValueMap) -> Value {
        Value::Object(Arc::new(m))
    }

    /// A map value (the caller guarantees one element type).
    #[must_use]
    pub fn map(m: ValueMap) -> Value {
        Value::Map(Arc::new(m))
    }

    /// A set value: sorts and deduplicates the elements.
    #[must_use]
    pub fn set(mut v: Vec<Value>) -> Value {
        v.sort_by(Value::set_order);
        v.dedup_by(|a, b| a.equals(b));
        Value::Set(Arc::new(v))
    }

    /// Whether this is null.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }

    /// The value's type.
    #[must_use]
    pub fn ty(&self) -> Type {
        match self {
            Value::Null(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(v.first().map_or(Type::Dynamic, Value::ty)),
            Value::Set(v) => Type::set(v.first().map_or(Type::Dynamic, Value::ty)),
            Value::Map(m) => Type::map(m.values().next().map_or(Type::Dynamic, Value::ty)),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::ty).collect()),
            Value::Object(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), v.ty())).collect()),
        }
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    #[must_use]
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a map or object.
    #[must_use]
    pub fn as_map(&self) -> Option<&ValueMap> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Whether the value is a list, set, tuple, map or object.
    #[must_use]
    pub fn is_collection(&self) -> bool {
        !matches!(
            self,
            Value::Null(_) | Value::Bool(_) | Value::Number(_) | Value::String(_)
        )
    }

    /// cty's `Equals`: values of different types are never equal.
    #[must_use]
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null(_), Value::Null(_)) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b))
            | (Value::Set(a), Value::Set(b))
            | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.equals(vb))
            }
            _ => false,
        }
    }

    /// The order cty keeps set elements in: strings lexically, numbers numerically, false
    /// before true, other values by their JSON-ish rendering.
    #[must_use]
    pub fn set_order(a: &Value, b: &Value) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (a, b) {
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Null(_), Value::Null(_)) => Ordering::Equal,
            (Value::Null(_), _) => Ordering::Greater,
            (_, Value::Null(_)) => Ordering::Less,
            _ => a.debug_render().cmp(&b.debug_render()),
        }
    }

    /// A compact rendering used for ordering and messages.
    #[must_use]
    pub fn debug_render(&self) -> String {
        match self {
            Value::Null(_) => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => format!("{s:?}"),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => format!(
                "[{}]",
                v.iter()
                    .map(Value::debug_render)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Map(m) | Value::Object(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k:?} = {}", v.debug_render()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Whether the value is truthy as cty's `True()` of a converted bool.
    #[must_use]
    pub fn is_true(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

#[cfg(test)]
mod tests;
