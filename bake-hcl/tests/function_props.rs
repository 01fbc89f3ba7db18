//! Property tests of the pure string and collection functions against simple models.

use bake_hcl::functions::{lookup, FnEnv};
use bake_hcl::value::Value;
use proptest::prelude::*;

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let f = lookup(name).ok_or_else(|| format!("no function {name}"))?;
    f.call(&FnEnv::default(), args)
        .map_err(|e| format!("{e:?}"))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_seq()
        .unwrap_or_default()
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_string())
        .collect()
}

fn list(xs: &[String]) -> Value {
    Value::list(xs.iter().map(|s| Value::string(s.as_str())).collect())
}

proptest! {
    #[test]
    fn split_inverts_join(xs in prop::collection::vec("[a-z0-9]{0,6}", 1..8), sep in "[,;|]") {
        let joined = call("join", vec![Value::string(sep.as_str()), list(&xs)]).unwrap();
        let back = call("split", vec![Value::string(sep.as_str()), joined]).unwrap();
        prop_assert_eq!(strs(&back), xs);
    }

    #[test]
    fn upper_lower_match_std(s in "[a-zA-Z0-9 _éÉüÜ-]{0,20}") {
        let up = call("upper", vec![Value::string(s.as_str())]).unwrap();
        prop_assert_eq!(up.as_str().unwrap_or_default(), s.to_uppercase());
        let lo = call("lower", vec![Value::string(s.as_str())]).unwrap();
        prop_assert_eq!(lo.as_str().unwrap_or_default(), s.to_lowercase());
    }

    #[test]
    fn distinct_keeps_first_occurrences(xs in prop::collection::vec("[ab]{1,2}", 0..10)) {
        let got = call("distinct", vec![list(&xs)]).unwrap();
        let mut want: Vec<String> = Vec::new();
        for x in &xs {
            if !want.contains(x) {
                want.push(x.clone());
            }
        }
        prop_assert_eq!(strs(&got), want);
    }

    #[test]
    fn concat_appends(a in prop::collection::vec("[a-z]{1,3}", 0..5), b in prop::collection::vec("[a-z]{1,3}", 0..5)) {
        let got = call("concat", vec![list(&a), list(&b)]).unwrap();
        let mut want = a.clone();
        want.extend(b);
        prop_assert_eq!(strs(&got), want);
    }

    #[test]
    fn reverselist_twice_is_identity(xs in prop::collection::vec("[a-z]{0,3}", 0..8)) {
        let once = call("reverselist", vec![list(&xs)]).unwrap();
        let twice = call("reverselist", vec![once]).unwrap();
        prop_assert_eq!(strs(&twice), xs);
    }

    #[test]
    fn length_counts_elements(xs in prop::collection::vec("[a-z]{0,3}", 0..12)) {
        let n = call("length", vec![list(&xs)]).unwrap();
        prop_assert_eq!(n.debug_render(), xs.len().to_string());
    }

    #[test]
    fn trimspace_matches_std(s in "[ \\t\\na-z]{0,12}") {
        let got = call("trimspace", vec![Value::string(s.as_str())]).unwrap();
        prop_assert_eq!(got.as_str().unwrap_or_default(), s.trim());
    }

    #[test]
    fn replace_plain_matches_std(s in "[ab-]{0,12}", from in "[ab]{1,2}", to in "[xy]{0,2}") {
        let got = call(
            "replace",
            vec![Value::string(s.as_str()), Value::string(from.as_str()), Value::string(to.as_str())],
        )
        .unwrap();
        prop_assert_eq!(got.as_str().unwrap_or_default(), s.replace(&from, &to));
    }
}

/// Any value: primitives and nested collections.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::NULL),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::int),
        "-?[0-9]{1,30}(\\.[0-9]{1,20})?(e-?[0-9]{1,3})?"
            .prop_map(|s| bake_hcl::number::Number::parse(&s).map_or(Value::NULL, Value::Number)),
        "\\PC{0,12}".prop_map(|s| Value::string(s.as_str())),
        "[a-z0-9/.:,=${}%*\\[\\]-]{0,16}".prop_map(|s| Value::string(s.as_str())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::tuple),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::list),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::set),
            prop::collection::btree_map("[a-z]{1,3}", inner.clone(), 0..4).prop_map(Value::object),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4).prop_map(Value::map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// No function panics, whatever it is given (bcrypt is skipped: it is slow by design).
    #[test]
    fn no_function_panics(args in prop::collection::vec(any_value(), 0..4)) {
        for name in bake_hcl::functions::names() {
            if matches!(name, "bcrypt" | "try" | "can") {
                continue;
            }
            let a = args.clone();
            let r = std::panic::catch_unwind(|| call(name, a));
            prop_assert!(r.is_ok(), "{name} panicked on {:?}", args);
        }
    }
}
