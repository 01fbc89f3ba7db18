//! Unit tests of values: conversions and set order.

use super::*;

#[test]
fn convert_primitives() {
    assert_eq!(
        convert(&Value::int(3), &Type::String).unwrap().as_str(),
        Some("3")
    );
    assert!(convert(&Value::string("x"), &Type::Number).is_err());
    assert!(convert(&Value::string("true"), &Type::Bool)
        .unwrap()
        .is_true());
}

#[test]
fn tuple_to_list_unifies_to_string() {
    let t = Value::tuple(vec![Value::int(1), Value::string("a")]);
    let l = convert(&t, &Type::list(Type::Dynamic)).unwrap();
    assert_eq!(l.ty(), Type::list(Type::String));
}

#[test]
fn sets_sort_and_dedup() {
    let s = Value::set(vec![
        Value::string("b"),
        Value::string("a"),
        Value::string("b"),
    ]);
    assert_eq!(s.debug_render(), r#"["a", "b"]"#);
}
