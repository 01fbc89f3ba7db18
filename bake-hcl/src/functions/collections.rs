//! Collection and set functions (go-cty `stdlib/collection.go`, `sequence.go`, `set.go`,
//! `general.go`; buildx's `indexof`).

use std::collections::BTreeMap;

use super::util::{
    arg_err, cty_equals, def, elem_type, err, is_list, is_map, is_object, is_set, is_tuple,
    nullable_param, num_value, param, seq, str_arg, to_int,
};
use super::{FnEnv, FnError, FuncDef};
use crate::number::Number;
use crate::value::{convert, unify, Type, Value, ValueMap};

fn coll_err<T>() -> Result<T, FnError> {
    err("collection must be a list, a map or a tuple")
}

/// cty's `Value.HasIndex` for a known list, tuple or map.
fn has_index(c: &Value, key: &Value) -> bool {
    match c {
        Value::List(e) | Value::Tuple(e) => match key {
            Value::Number(k) => match k.to_i64() {
                Some(i) => i >= 0 && (i as usize) < e.len(),
                None => false,
            },
            _ => false,
        },
        Value::Map(m) => match key {
            Value::String(k) => m.contains_key(&**k),
            _ => false,
        },
        _ => false,
    }
}

fn hasindex(a: &[Value]) -> Result<Value, FnError> {
    if !(is_list(&a[0]) || is_tuple(&a[0]) || is_map(&a[0])) {
        return coll_err();
    }
    Ok(Value::Bool(has_index(&a[0], &a[1])))
}

fn index(a: &[Value]) -> Result<Value, FnError> {
    let (c, key) = (&a[0], &a[1]);
    match c {
        Value::Tuple(e) => {
            if !matches!(key, Value::Number(_)) {
                return err("key for tuple must be number");
            }
            let i = to_int(key).map_err(|e| FnError::msg(format!("invalid key for tuple: {e}")))?;
            if i < 0 || i as usize >= e.len() {
                return err(format!("key must be between 0 and {} inclusive", e.len()));
            }
        }
        Value::List(_) => {
            if !matches!(key, Value::Number(_)) {
                return err("key for list must be number");
            }
        }
        Value::Map(_) => {
            if !matches!(key, Value::String(_)) {
                return err("key for map must be string");
            }
        }
        _ => return coll_err(),
    }
    if !has_index(c, key) {
        return err("invalid index");
    }
    Ok(match (c, key) {
        (Value::Map(m), Value::String(k)) => m[&**k].clone(),
        (_, k) => seq(c)[to_int(k).unwrap_or(0) as usize].clone(),
    })
}

fn length(a: &[Value]) -> Result<Value, FnError> {
    match &a[0] {
        Value::List(e) | Value::Set(e) | Value::Tuple(e) => Ok(Value::int(e.len() as i64)),
        Value::Map(m) => Ok(Value::int(m.len() as i64)),
        _ => coll_err(),
    }
}

fn element(a: &[Value]) -> Result<Value, FnError> {
    let l = &a[0];
    if !matches!(l, Value::List(_) | Value::Tuple(_)) {
        return err(format!(
            "cannot read elements from {}",
            l.ty().friendly_name()
        ));
    }
    let i = to_int(&a[1]).map_err(|e| FnError::msg(format!("invalid index: {e}")))?;
    let e = seq(l);
    if e.is_empty() {
        return err("cannot use element function with an empty list");
    }
    let n = e.len() as i64;
    let mut i = i % n;
    if i < 0 {
        i += n;
    }
    Ok(e[i as usize].clone())
}

fn coalesce(a: &[Value]) -> Result<Value, FnError> {
    let tys: Vec<Type> = a.iter().map(Value::ty).collect();
    let Some(rt) = unify(&tys) else {
        return err("all arguments must have the same type");
    };
    for v in a {
        if v.is_null() {
            continue;
        }
        return convert(v, &rt).map_err(|e| FnError::msg(e.0));
    }
    err("no non-null arguments")
}

fn coalescelist(a: &[Value]) -> Result<Value, FnError> {
    if a.is_empty() {
        return err("at least one argument is required");
    }
    for v in a {
        if !(is_list(v) || is_tuple(v)) {
            return err("coalescelist arguments must be lists or tuples");
        }
    }
    for v in a {
        if !v.is_null() && !seq(v).is_empty() {
            return Ok(v.clone());
        }
    }
    err("no non-null arguments")
}

fn compact(a: &[Value]) -> Value {
    Value::list(
        seq(&a[0])
            .iter()
            .filter(|v| !v.is_null() && !str_arg(v).is_empty())
            .cloned()
            .collect(),
    )
}

fn concat(a: &[Value]) -> Result<Value, FnError> {
    if a.is_empty() {
        return err("at least one argument is required");
    }
    if a.iter().all(is_list) {
        let tys: Vec<Type> = a.iter().map(Value::ty).collect();
        if let Some(rt) = unify(&tys) {
            let mut out = Vec::new();
            for (i, v) in a.iter().enumerate() {
                let c = convert(v, &rt).map_err(|e| FnError::arg(i, e.0))?;
                out.extend(seq(&c).iter().cloned());
            }
            return Ok(Value::list(out));
        }
    }
    let mut out = Vec::new();
    for (i, v) in a.iter().enumerate() {
        if !(is_list(v) || is_tuple(v)) {
            return arg_err(
                i,
                format!(
                    "all arguments must be lists or tuples; got {}",
                    v.ty().friendly_name()
                ),
            );
        }
        out.extend(seq(v).iter().cloned());
    }
    Ok(Value::tuple(out))
}

fn contains(a: &[Value]) -> Result<Value, FnError> {
    if !(is_list(&a[0]) || is_tuple(&a[0]) || is_set(&a[0])) {
        return err("argument must be list, tuple, or set");
    }
    Ok(Value::Bool(seq(&a[0]).iter().any(|v| cty_equals(&a[1], v))))
}

fn distinct(a: &[Value]) -> Value {
    // Bucketed by a hash that agrees with `cty_equals`, so a long list takes linear time
    // (comparing each element with all kept ones would be quadratic).
    let mut out: Vec<Value> = Vec::new();
    let mut buckets: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    for v in seq(&a[0]) {
        let bucket = buckets.entry(value_hash(v)).or_default();
        if !bucket.iter().any(|&i| cty_equals(&out[i], v)) {
            bucket.push(out.len());
            out.push(v.clone());
        }
    }
    Value::list(out)
}

/// A hash that agrees with `cty_equals`: equal values hash alike (nulls of any type,
/// numbers by value, collections by kind and elements).
fn hash_value(v: &Value, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match v {
        Value::Null(_) => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            b.hash(h);
        }
        Value::Number(n) => {
            h.write_u8(2);
            n.hash(h);
        }
        Value::String(s) => {
            h.write_u8(3);
            s.hash(h);
        }
        Value::List(e) | Value::Set(e) | Value::Tuple(e) => {
            h.write_u8(match v {
                Value::List(_) => 4,
                Value::Set(_) => 5,
                _ => 6,
            });
            h.write_usize(e.len());
            for x in e.iter() {
                hash_value(x, h);
            }
        }
        Value::Map(m) | Value::Object(m) => {
            h.write_u8(if matches!(v, Value::Map(_)) { 7 } else { 8 });
            h.write_usize(m.len());
            for (k, x) in m.iter() {
                k.hash(h);
                hash_value(x, h);
            }
        }
    }
}

fn chunklist(a: &[Value]) -> Result<Value, FnError> {
    let size = to_int(&a[1]).map_err(|e| FnError::msg(format!("invalid size: {e}")))?;
    if size < 0 {
        return err("the size argument must be positive");
    }
    let e = seq(&a[0]);
    if e.is_empty() {
        return Ok(Value::list(vec![]));
    }
    if size == 0 {
        return Ok(Value::list(vec![a[0].clone()]));
    }
    Ok(Value::list(
        e.chunks(size as usize)
            .map(|c| Value::list(c.to_vec()))
            .collect(),
    ))
}

fn flattener(v: &Value, out: &mut Vec<Value>) {
    for e in seq(v) {
        if !e.is_null() && matches!(e, Value::List(_) | Value::Set(_) | Value::Tuple(_)) {
            flattener(e, out);
        } else {
            out.push(e.clone());
        }
    }
}

fn flatten(a: &[Value]) -> Result<Value, FnError> {
    if !matches!(&a[0], Value::List(_) | Value::Set(_) | Value::Tuple(_)) {
        return err("can only flatten lists, sets and tuples");
    }
    let mut out = Vec::new();
    flattener(&a[0], &mut out);
    Ok(Value::tuple(out))
}

fn keys(a: &[Value]) -> Result<Value, FnError> {
    match &a[0] {
        Value::Map(m) => Ok(Value::list(
            m.keys().map(|k| Value::string(k.as_str())).collect(),
        )),
        Value::Object(m) => Ok(Value::tuple(
            m.keys().map(|k| Value::string(k.as_str())).collect(),
        )),
        _ => arg_err(0, "must have map or object type"),
    }
}

fn values(a: &[Value]) -> Result<Value, FnError> {
    match &a[0] {
        Value::Map(m) => Ok(Value::list(m.values().cloned().collect())),
        Value::Object(m) => Ok(Value::tuple(m.values().cloned().collect())),
        _ => err("values() requires a map as the first argument"),
    }
}

fn lookup(a: &[Value]) -> Result<Value, FnError> {
    let key = str_arg(&a[1]);
    match &a[0] {
        Value::Object(m) => Ok(m.get(key).cloned().unwrap_or_else(|| a[2].clone())),
        Value::Map(m) => {
            let et = elem_type(&a[0]);
            let d = convert(&a[2], &et).map_err(|_| {
                FnError::arg(
                    2,
                    "the default value must have the same type as the map elements",
                )
            })?;
            Ok(m.get(key).cloned().unwrap_or(d))
        }
        _ => arg_err(0, "lookup() requires a map as the first argument"),
    }
}

fn merge(a: &[Value]) -> Result<Value, FnError> {
    let mut dynamic = false;
    for v in a {
        if matches!(v, Value::Null(Type::Dynamic)) {
            dynamic = true;
            continue;
        }
        if !(is_map(v) || is_object(v)) {
            return err(format!(
                "arguments must be maps or objects, got {:?}",
                v.ty().friendly_name()
            ));
        }
    }
    let mut out = ValueMap::new();
    for v in a {
        if let Some(m) = v.as_map() {
            for (k, x) in m {
                out.insert(k.clone(), x.clone());
            }
        }
    }
    let matching = !a.is_empty() && a.iter().all(|v| v.ty() == a[0].ty());
    if !dynamic && matching && is_map(&a[0]) {
        return Ok(Value::map(out));
    }
    Ok(Value::object(out))
}

fn reverselist(a: &[Value]) -> Result<Value, FnError> {
    let v = &a[0];
    let mut e = seq(v).to_vec();
    e.reverse();
    match v {
        Value::Tuple(_) => Ok(Value::tuple(e)),
        Value::List(_) | Value::Set(_) => Ok(Value::list(e)),
        _ => arg_err(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                v.ty().friendly_name()
            ),
        ),
    }
}

fn setproduct(a: &[Value]) -> Result<Value, FnError> {
    if a.len() < 2 {
        return err("at least two arguments are required");
    }
    let mut all_lists = true;
    let mut etys = Vec::new();
    for (i, v) in a.iter().enumerate() {
        match v {
            Value::Set(_) => {
                all_lists = false;
                etys.push(elem_type(v));
            }
            Value::List(_) => etys.push(elem_type(v)),
            Value::Tuple(e) => {
                let tys: Vec<Type> = e.iter().map(Value::ty).collect();
                match unify(&tys) {
                    Some(t) => etys.push(t),
                    None => return arg_err(i, "all elements must be of the same type"),
                }
            }
            _ => return arg_err(i, "a set or a list is required"),
        }
    }
    let mut total: usize = 1;
    for v in a {
        total = total.saturating_mul(seq(v).len());
    }
    if total > 1 << 20 {
        return err("the product is too large");
    }
    let mut out = Vec::with_capacity(total);
    let mut idx = vec![0usize; a.len()];
    for _ in 0..total {
        let mut tup = Vec::with_capacity(a.len());
        for (j, &k) in idx.iter().enumerate() {
            let x = &seq(&a[j])[k];
            tup.push(convert(x, &etys[j]).unwrap_or_else(|_| x.clone()));
        }
        out.push(Value::tuple(tup));
        for j in (0..idx.len()).rev() {
            idx[j] += 1;
            if idx[j] < seq(&a[j]).len() {
                break;
            }
            idx[j] = 0;
        }
    }
    Ok(if all_lists {
        Value::list(out)
    } else {
        Value::set(out)
    })
}

fn slice_index(v: &Value, i: usize, what: &str, len: usize) -> Result<usize, FnError> {
    let x = to_int(v).map_err(|e| FnError::arg(i, format!("invalid {what} index: {e}")))?;
    if x < 0 {
        return arg_err(i, format!("{what} index must not be less than zero"));
    }
    if x as usize > len {
        return arg_err(
            i,
            format!("{what} index must not be greater than the length of the list"),
        );
    }
    Ok(x as usize)
}

fn slice(a: &[Value]) -> Result<Value, FnError> {
    let l = &a[0];
    if is_set(l) {
        return arg_err(0, "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important");
    }
    if !(is_list(l) || is_tuple(l)) {
        return arg_err(0, "must be a list or tuple value");
    }
    let e = seq(l);
    let start = slice_index(&a[1], 1, "start", e.len())?;
    let end = slice_index(&a[2], 2, "end", e.len())?;
    if start > end {
        return arg_err(1, "start index must not be greater than end index");
    }
    let out = e[start..end].to_vec();
    Ok(if is_tuple(l) {
        Value::tuple(out)
    } else {
        Value::list(out)
    })
}

fn zipmap(a: &[Value]) -> Result<Value, FnError> {
    let (k, v) = (seq(&a[0]), &a[1]);
    if !(is_list(v) || is_tuple(v)) {
        return err("values argument must be a list or tuple value");
    }
    let vals = seq(v);
    if k.len() != vals.len() {
        return err(format!(
            "number of keys ({}) does not match number of values ({})",
            k.len(),
            vals.len()
        ));
    }
    let mut out = BTreeMap::new();
    for (i, (key, val)) in k.iter().zip(vals).enumerate() {
        if key.is_null() {
            return err(format!("keys list has null value at index {i}"));
        }
        out.insert(str_arg(key).to_string(), val.clone());
    }
    Ok(if is_list(v) {
        Value::map(out)
    } else {
        Value::object(out)
    })
}

fn range(a: &[Value]) -> Result<Value, FnError> {
    let nums: Vec<Number> = a.iter().map(super::util::num_arg).collect();
    let zero = Number::from_i64(0);
    let (start, end, step) = match nums.len() {
        1 => {
            let st = if nums[0].less_than(&zero) { -1 } else { 1 };
            (zero.clone(), nums[0].clone(), Number::from_i64(st))
        }
        2 => {
            let st = if nums[1].less_than(&nums[0]) { -1 } else { 1 };
            (nums[0].clone(), nums[1].clone(), Number::from_i64(st))
        }
        3 => (nums[0].clone(), nums[1].clone(), nums[2].clone()),
        _ => return err("must have one, two, or three arguments"),
    };
    // cty compares `step == cty.Zero` by identity, which never holds for an argument, so a
    // zero step runs into the 1024-value limit instead.
    let down = step.less_than(&zero);
    if down {
        if end.greater_than(&start) {
            return arg_err(1, "end must be less than start when step is negative");
        }
    } else if end.less_than(&start) {
        return arg_err(1, "end must be greater than start when step is positive");
    }
    let mut out = Vec::new();
    let mut cur = start;
    loop {
        if down {
            if cur.less_or_equal(&end) {
                break;
            }
        } else if cur.greater_or_equal(&end) {
            break;
        }
        if out.len() >= 1024 {
            return err("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step");
        }
        out.push(num_value(cur.clone()));
        cur = cur.add(&step);
    }
    Ok(Value::list(out))
}

fn indexof(a: &[Value]) -> Result<Value, FnError> {
    if !(is_list(&a[0]) || is_tuple(&a[0])) {
        return err("argument must be a list or tuple");
    }
    let e = seq(&a[0]);
    if e.is_empty() {
        return err("cannot search an empty list");
    }
    for (i, v) in e.iter().enumerate() {
        if cty_equals(v, &a[1]) {
            return Ok(Value::int(i as i64));
        }
    }
    err("item not found")
}

// ---- sets ----

fn set_types(a: &[Value]) -> Result<Type, FnError> {
    let mut etys = Vec::new();
    for v in a {
        let t = elem_type(v);
        if seq(v).is_empty() && t == Type::Dynamic {
            continue;
        }
        etys.push(t);
    }
    if etys.is_empty() {
        return Ok(Type::set(Type::Dynamic));
    }
    match unify(&etys) {
        Some(t) => Ok(Type::set(t)),
        None => err("given sets must all have compatible element types"),
    }
}

fn set_op(a: &[Value], f: fn(Vec<Value>, &[Value]) -> Vec<Value>) -> Result<Value, FnError> {
    let rt = set_types(a)?;
    let first = convert(&a[0], &rt).map_err(|e| FnError::arg(0, e.0))?;
    let mut cur = seq(&first).to_vec();
    for (i, v) in a[1..].iter().enumerate() {
        let c = convert(v, &rt).map_err(|e| FnError::arg(i + 1, e.0))?;
        cur = f(cur, seq(&c));
    }
    Ok(Value::set(cur))
}

fn has(v: &[Value], x: &Value) -> bool {
    v.iter().any(|y| y.equals(x))
}

/// The elements of a collection by [`hash_value`], for membership tests in linear time
/// overall (set operations on large sets would otherwise be quadratic).
struct ValueIndex<'a> {
    items: &'a [Value],
    buckets: std::collections::HashMap<u64, Vec<usize>>,
}

impl<'a> ValueIndex<'a> {
    fn new(items: &'a [Value]) -> Self {
        let mut buckets: std::collections::HashMap<u64, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, v) in items.iter().enumerate() {
            buckets.entry(value_hash(v)).or_default().push(i);
        }
        ValueIndex { items, buckets }
    }

    fn contains(&self, x: &Value) -> bool {
        self.buckets
            .get(&value_hash(x))
            .is_some_and(|b| b.iter().any(|&i| self.items[i].equals(x)))
    }
}

fn value_hash(v: &Value) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    hash_value(v, &mut h);
    std::hash::Hasher::finish(&h)
}

fn sethaselement(a: &[Value]) -> Value {
    let et = elem_type(&a[0]);
    if et != a[1].ty() {
        return Value::Bool(false);
    }
    Value::Bool(has(seq(&a[0]), &a[1]))
}

fn setd() -> Type {
    Type::set(Type::Dynamic)
}

/// The collection and set builtins: one table entry each (name, parameters, variadic
/// parameter, body).
///
/// Long on purpose: it is a table, one short entry per builtin, best read in one place.
#[allow(clippy::too_many_lines)]
pub(super) fn all() -> Vec<FuncDef> {
    let d = || Type::Dynamic;
    vec![
        def(
            "hasindex",
            vec![param("collection", d()), param("key", d())],
            None,
            |_: &FnEnv, a: &[Value]| hasindex(a),
        ),
        def(
            "index",
            vec![param("collection", d()), param("key", d())],
            None,
            |_: &FnEnv, a: &[Value]| index(a),
        ),
        def(
            "length",
            vec![param("collection", d())],
            None,
            |_: &FnEnv, a: &[Value]| length(a),
        ),
        def(
            "element",
            vec![param("list", d()), param("index", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| element(a),
        ),
        def(
            "coalesce",
            vec![],
            Some(nullable_param("vals", d())),
            |_: &FnEnv, a: &[Value]| coalesce(a),
        ),
        def(
            "coalescelist",
            vec![],
            Some(nullable_param("vals", d())),
            |_: &FnEnv, a: &[Value]| coalescelist(a),
        ),
        def(
            "compact",
            vec![param("list", Type::list(Type::String))],
            None,
            |_: &FnEnv, a: &[Value]| Ok(compact(a)),
        ),
        def(
            "concat",
            vec![],
            Some(param("seqs", d())),
            |_: &FnEnv, a: &[Value]| concat(a),
        ),
        def(
            "contains",
            vec![param("list", d()), param("value", d())],
            None,
            |_: &FnEnv, a: &[Value]| contains(a),
        ),
        def(
            "distinct",
            vec![param("list", Type::list(d()))],
            None,
            |_: &FnEnv, a: &[Value]| Ok(distinct(a)),
        ),
        def(
            "chunklist",
            vec![param("list", Type::list(d())), param("size", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| chunklist(a),
        ),
        def(
            "flatten",
            vec![param("list", d())],
            None,
            |_: &FnEnv, a: &[Value]| flatten(a),
        ),
        def(
            "keys",
            vec![param("inputMap", d())],
            None,
            |_: &FnEnv, a: &[Value]| keys(a),
        ),
        def(
            "values",
            vec![param("mapping", d())],
            None,
            |_: &FnEnv, a: &[Value]| values(a),
        ),
        def(
            "lookup",
            vec![
                param("inputMap", d()),
                param("key", Type::String),
                param("default", d()),
            ],
            None,
            |_: &FnEnv, a: &[Value]| lookup(a),
        ),
        def(
            "merge",
            vec![],
            Some(nullable_param("maps", d())),
            |_: &FnEnv, a: &[Value]| merge(a),
        ),
        def(
            "reverselist",
            vec![param("list", d())],
            None,
            |_: &FnEnv, a: &[Value]| reverselist(a),
        ),
        def(
            "setproduct",
            vec![],
            Some(param("sets", d())),
            |_: &FnEnv, a: &[Value]| setproduct(a),
        ),
        def(
            "slice",
            vec![
                param("list", d()),
                param("start_index", Type::Number),
                param("end_index", Type::Number),
            ],
            None,
            |_: &FnEnv, a: &[Value]| slice(a),
        ),
        def(
            "zipmap",
            vec![
                param("keys", Type::list(Type::String)),
                param("values", d()),
            ],
            None,
            |_: &FnEnv, a: &[Value]| zipmap(a),
        ),
        def(
            "range",
            vec![],
            Some(param("params", Type::Number)),
            |_: &FnEnv, a: &[Value]| range(a),
        ),
        def(
            "indexof",
            vec![param("list", d()), param("value", d())],
            None,
            |_: &FnEnv, a: &[Value]| indexof(a),
        ),
        def(
            "equal",
            vec![nullable_param("a", d()), nullable_param("b", d())],
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(cty_equals(&a[0], &a[1]))),
        ),
        def(
            "notequal",
            vec![nullable_param("a", d()), nullable_param("b", d())],
            None,
            |_: &FnEnv, a: &[Value]| Ok(Value::Bool(!cty_equals(&a[0], &a[1]))),
        ),
        def(
            "sethaselement",
            vec![param("set", setd()), param("elem", d())],
            None,
            |_: &FnEnv, a: &[Value]| Ok(sethaselement(a)),
        ),
        def(
            "setunion",
            vec![param("first_set", setd())],
            Some(param("other_sets", setd())),
            |_: &FnEnv, a: &[Value]| {
                set_op(a, |mut x, y| {
                    x.extend(y.iter().cloned());
                    x
                })
            },
        ),
        def(
            "setintersection",
            vec![param("first_set", setd())],
            Some(param("other_sets", setd())),
            |_: &FnEnv, a: &[Value]| {
                set_op(a, |x, y| {
                    let y = ValueIndex::new(y);
                    x.into_iter().filter(|e| y.contains(e)).collect()
                })
            },
        ),
        def(
            "setsubtract",
            vec![param("a", setd()), param("b", setd())],
            None,
            |_: &FnEnv, a: &[Value]| {
                set_op(a, |x, y| {
                    let y = ValueIndex::new(y);
                    x.into_iter().filter(|e| !y.contains(e)).collect()
                })
            },
        ),
        def(
            "setsymmetricdifference",
            vec![param("first_set", setd())],
            Some(param("other_sets", setd())),
            |_: &FnEnv, a: &[Value]| {
                set_op(a, |x, y| {
                    let (ix, iy) = (ValueIndex::new(&x), ValueIndex::new(y));
                    let mut out: Vec<Value> =
                        x.iter().filter(|e| !iy.contains(e)).cloned().collect();
                    out.extend(y.iter().filter(|e| !ix.contains(e)).cloned());
                    out
                })
            },
        ),
    ]
}
