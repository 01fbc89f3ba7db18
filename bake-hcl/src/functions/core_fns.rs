//! A few string functions the evaluator's own tests use; the full library lives beside.

use super::{FnEnv, FnError, FuncDef, Param};
use crate::value::{Type, Value};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub(super) fn all() -> Vec<FuncDef> {
    vec![
        FuncDef {
            name: "upper",
            params: vec![Param::new("str", Type::String)],
            variadic: None,
            body: |_: &FnEnv, a: &[Value]| Ok(Value::string(s(&a[0]).to_uppercase())),
        },
        FuncDef {
            name: "lower",
            params: vec![Param::new("str", Type::String)],
            variadic: None,
            body: |_: &FnEnv, a: &[Value]| Ok(Value::string(s(&a[0]).to_lowercase())),
        },
        FuncDef {
            name: "join",
            params: vec![Param::new("separator", Type::String)],
            variadic: Some(Param::new("lists", Type::list(Type::String))),
            body: |_: &FnEnv, a: &[Value]| {
                if a.len() < 2 {
                    return Err(FnError::msg("at least one list is required"));
                }
                let mut parts: Vec<&str> = Vec::new();
                for l in &a[1..] {
                    for e in l.as_seq().unwrap_or_default() {
                        if e.is_null() {
                            return Err(FnError::msg("element is null"));
                        }
                        parts.push(s(e));
                    }
                }
                Ok(Value::string(parts.join(s(&a[0]))))
            },
        },
        FuncDef {
            name: "split",
            params: vec![Param::new("separator", Type::String), Param::new("str", Type::String)],
            variadic: None,
            body: |_: &FnEnv, a: &[Value]| {
                let (sep, st) = (s(&a[0]), s(&a[1]));
                let parts: Vec<Value> = if sep.is_empty() {
                    st.chars().map(|c| Value::string(c.to_string())).collect()
                } else {
                    st.split(sep).map(Value::string).collect()
                };
                Ok(Value::list(parts))
            },
        },
    ]
}
