//! Test helpers: call a builtin by name with a fixed environment and compare values.

use std::collections::BTreeMap;

use super::{lookup, FnEnv, FnError};
use crate::number::Number;
use crate::value::Value;

/// A value compared with cty's `Equals` (kinds must match too).
#[derive(Clone)]
pub(crate) struct TestValue(pub Value);

impl PartialEq for TestValue {
    fn eq(&self, o: &TestValue) -> bool {
        same(&self.0, &o.0)
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null(_), Value::Null(_)) => true,
        (Value::List(x), Value::List(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, p), (k2, q))| k1 == k2 && same(p, q))
        }
        _ => a.equals(b),
    }
}

impl std::fmt::Debug for TestValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.0 {
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Tuple(_) => "tuple",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            _ => "",
        };
        write!(f, "{kind}{}", self.0.debug_render())
    }
}

/// The environment tests use.
pub(crate) fn env() -> FnEnv {
    FnEnv {
        now: Some((1_700_000_000, 0)),
        home: Some("/nonexistent-home".into()),
        cwd: Some("/work".into()),
        seed: 42,
        draws: std::sync::Arc::default(),
    }
}

/// Calls `name`, returning the raw result.
pub(crate) fn try_call(name: &str, args: Vec<TestValue>) -> Result<Value, FnError> {
    let f = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
    f.call(&env(), args.into_iter().map(|v| v.0).collect())
}

/// Calls `name`, which must succeed.
#[track_caller]
pub(crate) fn call(name: &str, args: Vec<TestValue>) -> TestValue {
    match try_call(name, args) {
        Ok(v) => TestValue(v),
        Err(e) => panic!("{name} failed: {e:?}"),
    }
}

/// Calls `name`, which must fail; returns the message.
#[track_caller]
pub(crate) fn call_err(name: &str, args: Vec<TestValue>) -> String {
    match try_call(name, args) {
        Ok(v) => panic!("{name} succeeded with {:?}", TestValue(v)),
        Err(FnError::Msg(m) | FnError::Arg(_, m)) => m,
    }
}

/// Calls `name` and renders the result as buildx prints it into `args` (strings raw,
/// numbers and bools as text, anything else as JSON).
#[track_caller]
pub(crate) fn printed(name: &str, args: Vec<TestValue>) -> String {
    let v = call(name, args).0;
    match &v {
        Value::String(x) => x.to_string(),
        Value::Number(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => super::util::json_encode(&v).unwrap(),
    }
}

pub(crate) fn sv(x: &str) -> TestValue {
    TestValue(Value::string(x))
}

pub(crate) fn nv(x: i64) -> TestValue {
    TestValue(Value::int(x))
}

pub(crate) fn fv(x: &str) -> TestValue {
    TestValue(Value::Number(Number::parse(x).unwrap()))
}

pub(crate) fn bv(x: bool) -> TestValue {
    TestValue(Value::Bool(x))
}

pub(crate) fn null() -> TestValue {
    TestValue(Value::NULL)
}

pub(crate) fn l(x: Vec<TestValue>) -> TestValue {
    TestValue(Value::list(x.into_iter().map(|v| v.0).collect()))
}

pub(crate) fn t(x: Vec<TestValue>) -> TestValue {
    TestValue(Value::tuple(x.into_iter().map(|v| v.0).collect()))
}

pub(crate) fn set(x: Vec<TestValue>) -> TestValue {
    TestValue(Value::set(x.into_iter().map(|v| v.0).collect()))
}

pub(crate) fn m(x: Vec<(&str, TestValue)>) -> TestValue {
    TestValue(Value::map(
        x.into_iter()
            .map(|(k, v)| (k.to_string(), v.0))
            .collect::<BTreeMap<_, _>>(),
    ))
}

pub(crate) fn o(x: Vec<(&str, TestValue)>) -> TestValue {
    TestValue(Value::object(
        x.into_iter()
            .map(|(k, v)| (k.to_string(), v.0))
            .collect::<BTreeMap<_, _>>(),
    ))
}
