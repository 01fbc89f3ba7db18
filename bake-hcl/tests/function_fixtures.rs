//! Function fixtures: `testdata/functions/*.hcl`, one file per function family.
//!
//! Each file has a `cases` object whose items are `[expression, expected]` (or
//! `[expression, expected, "type"]`, the type as a constraint such as `"list(string)"`), and
//! an optional `errors` object whose items are expressions that must fail to evaluate. The
//! expected values come from the reference (go-cty, go-cty-funcs, buildx and the values
//! buildx printed), never from running this implementation.
//!
//! Every case is evaluated on its own, so one failure does not hide the others; all failures
//! are collected and reported together by file and case name.

use std::path::{Path, PathBuf};

use bake_core::api::frontend::SourceMap;
use bake_hcl::ast::{Expr, ExprKind, Ident, ObjKey, Span};
use bake_hcl::eval::{Env, Evaluator};
use bake_hcl::functions::FnEnv;
use bake_hcl::json::to_json;
use bake_hcl::value::Value;
use bake_hcl::{ErrorKind, HclError, Syntax};

/// The families that must have a fixture, each with at least this many cases.
const FAMILIES: &[&str] = &[
    "strings",
    "collections",
    "numeric",
    "encoding",
    "hashes",
    "regex",
    "datetime",
    "cidr",
    "format",
    "typeconv",
    "paths",
    "sets",
];
const MIN_CASES_PER_FAMILY: usize = 10;
const MIN_CASES_TOTAL: usize = 500;

/// Builtins only: no variables, blocks or user functions; fixed clock, home and cwd.
struct FixtureEnv {
    fn_env: FnEnv,
}

impl Env for FixtureEnv {
    fn global(&mut self, id: &Ident) -> bake_hcl::error::Result<Value> {
        Err(Box::new(HclError::new(
            ErrorKind::UndefinedVariable,
            Some(id.span),
            format!("unknown variable {:?}", &*id.name),
        )))
    }
    fn is_block_type(&self, _name: &str) -> bool {
        false
    }
    fn block_ref(
        &mut self,
        _ty: &str,
        name: &Ident,
        _field: Option<&Ident>,
    ) -> bake_hcl::error::Result<Value> {
        Err(Box::new(HclError::new(
            ErrorKind::UndefinedVariable,
            Some(name.span),
            "no blocks in fixtures",
        )))
    }
    fn call_user(
        &mut self,
        _name: &Ident,
        _args: Vec<Value>,
        _span: Span,
        _depth: usize,
    ) -> Option<bake_hcl::error::Result<Value>> {
        None
    }
    fn type_keyword(&mut self, _id: &Ident) -> bake_hcl::error::Result<()> {
        Ok(())
    }
    fn has_user_function(&self, _name: &str) -> bool {
        false
    }
    fn fn_env(&self) -> &FnEnv {
        &self.fn_env
    }
    fn user_function_names(&self) -> Vec<String> {
        Vec::new()
    }
}

fn fixture_env() -> FixtureEnv {
    FixtureEnv {
        fn_env: FnEnv {
            // 2023-11-14T22:13:20Z
            now: Some((1_700_000_000, 0)),
            home: Some("/home/tester".into()),
            cwd: Some("/work/proj".into()),
            seed: 7,
            draws: std::sync::Arc::default(),
        },
    }
}

fn eval(e: &Expr) -> Result<Value, String> {
    let mut env = fixture_env();
    Evaluator::new(&mut env).eval(e).map_err(|e| e.to_string())
}

fn key_name(k: &ObjKey) -> String {
    match k {
        ObjKey::Ident(id) => id.name.to_string(),
        ObjKey::Expr(e) => match eval(e) {
            Ok(v) => v.as_str().map_or_else(|| v.debug_render(), str::to_string),
            Err(e) => format!("<bad key: {e}>"),
        },
    }
}

fn render(v: &Value) -> String {
    format!(
        "{} ({})",
        to_json(v).unwrap_or_else(|e| e),
        v.ty().constraint_name()
    )
}

/// Primitives (and null) are compared with cty's `Equals`, so `"1"` is not `1`; collections
/// by their JSON rendering, so an expected tuple literal matches a list, set or tuple result
/// (the optional third element pins the type when it matters).
fn same(got: &Value, want: &Value) -> bool {
    if want.is_collection() || got.is_collection() {
        want.is_collection()
            && got.is_collection()
            && matches!((to_json(got), to_json(want)), (Ok(a), Ok(b)) if a == b)
    } else {
        got.equals(want)
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/functions")
}

/// Runs one fixture file; returns the number of cases and error cases checked.
fn run_file(path: &Path, failures: &mut Vec<String>) -> usize {
    let file = path.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let mut sources = SourceMap::default();
    let id = sources.add(file.clone(), text);
    let body = match bake_hcl::parse(&sources, id, Syntax::Hcl) {
        Ok(b) => b,
        Err(e) => {
            failures.push(format!("{file}: does not parse: {e}"));
            return 0;
        }
    };
    let mut count = 0;
    for attr in &body.attrs {
        let section = &*attr.name.name;
        let ExprKind::Object(items) = &attr.expr.kind else {
            failures.push(format!("{file}: `{section}` is not an object"));
            continue;
        };
        for (k, e) in items {
            let name = format!("{file}: {section}.{}", key_name(k));
            count += 1;
            match section {
                "cases" => check_case(&name, e, failures),
                "errors" => {
                    if let Ok(v) = eval(e) {
                        failures.push(format!("{name}: expected an error, got {}", render(&v)));
                    }
                }
                _ => failures.push(format!("{file}: unknown section `{section}`")),
            }
        }
    }
    count
}

fn check_case(name: &str, e: &Expr, failures: &mut Vec<String>) {
    let ExprKind::Tuple(parts) = &e.kind else {
        failures.push(format!("{name}: a case is [expression, expected]"));
        return;
    };
    if !(2..=3).contains(&parts.len()) {
        failures.push(format!("{name}: a case is [expression, expected, type?]"));
        return;
    }
    let got = match eval(&parts[0]) {
        Ok(v) => v,
        Err(err) => {
            failures.push(format!("{name}: failed: {err}"));
            return;
        }
    };
    let want = match eval(&parts[1]) {
        Ok(v) => v,
        Err(err) => {
            failures.push(format!("{name}: the expected value fails: {err}"));
            return;
        }
    };
    if !same(&got, &want) {
        failures.push(format!(
            "{name}: got {}, want {}",
            render(&got),
            render(&want)
        ));
    }
    if let Some(t) = parts.get(2) {
        match eval(t) {
            Ok(t) if t.as_str().is_some() => {
                let have = got.ty().constraint_name();
                if t.as_str() != Some(have.as_str()) {
                    failures.push(format!(
                        "{name}: type {have}, want {}",
                        t.as_str().unwrap_or_default()
                    ));
                }
            }
            _ => failures.push(format!("{name}: the type must be a string")),
        }
    }
}

#[test]
fn function_fixtures() {
    let dir = fixtures_dir();
    let mut failures = Vec::new();
    let mut total = 0;
    for family in FAMILIES {
        let path = dir.join(format!("{family}.hcl"));
        if !path.exists() {
            failures.push(format!("{family}.hcl: missing"));
            continue;
        }
        let n = run_file(&path, &mut failures);
        if n < MIN_CASES_PER_FAMILY {
            failures.push(format!(
                "{family}.hcl: only {n} cases (want at least {MIN_CASES_PER_FAMILY})"
            ));
        }
        total += n;
    }
    // Files beyond the list above are run too.
    let mut extra: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "hcl"))
        .filter(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy();
            !FAMILIES.contains(&stem.as_ref())
        })
        .collect();
    extra.sort();
    for p in extra {
        total += run_file(&p, &mut failures);
    }
    if total < MIN_CASES_TOTAL {
        failures.push(format!(
            "only {total} cases in {} (want at least {MIN_CASES_TOTAL})",
            dir.display()
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {total} function fixture cases failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
