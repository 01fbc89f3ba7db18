//! What expressions refer to, for `--explain`: for each target attribute and variable
//! default (or the top-level attribute that stands for it), the global variables it uses
//! (directly or through user functions) and the matrix values of its cell.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{to_core_span, BlockType, Loader};
use crate::parse::ast::{Expr, ExprKind};
use crate::value::Value;

impl Loader<'_> {
    /// What each target attribute and variable default refers to: global variables, and
    /// matrix values of the block's cell.
    pub(super) fn expr_refs(
        &self,
    ) -> BTreeMap<
        String,
        BTreeMap<bake_core::api::frontend::SpanKey, bake_core::api::frontend::ExprRefs>,
    > {
        use bake_core::api::frontend::{span_key, ExprRefs};
        let fn_vars = self.function_variables();
        let collect = |e: &Expr, locals: &[(Arc<str>, Value)]| {
            let mut r = ExprRefs::default();
            e.walk(&mut |x| {
                if let ExprKind::Call(c) = &x.kind {
                    if let Some(i) = self.funcs.get_index_of(&*c.name.name) {
                        for (v, f) in &fn_vars[i] {
                            if !r.in_functions.iter().any(|(k, _)| k == v) {
                                r.in_functions.push((v.clone(), f.clone()));
                            }
                        }
                    }
                }
                if let ExprKind::Var(id) = &x.kind {
                    let n: &str = &id.name;
                    if let Some((_, v)) = locals.iter().find(|(k, _)| &**k == n) {
                        let shown = v.as_str().map_or_else(
                            || crate::json::to_json(v).unwrap_or_default(),
                            str::to_string,
                        );
                        if !r.matrix.iter().any(|(k, _)| k == n) {
                            r.matrix.push((n.to_string(), shown));
                        }
                    } else if self.vars.contains_key(n) && !r.variables.iter().any(|k| k == n) {
                        r.variables.push(n.to_string());
                    }
                }
            });
            r
        };
        let mut out: BTreeMap<String, BTreeMap<_, ExprRefs>> = BTreeMap::new();
        for inst in &self.instances {
            if inst.ty != BlockType::Target {
                continue;
            }
            for a in &inst.block.body.attrs {
                let r = collect(&a.expr, &inst.locals);
                if r != ExprRefs::default() {
                    out.entry(inst.name.clone())
                        .or_default()
                        .insert(span_key(to_core_span(a.expr.span)), r);
                }
            }
        }
        for (name, decl) in &self.vars {
            // A top-level attribute named like the variable stands for its default.
            let value = match self.attrs.get(name) {
                Some(a) => Some(&a.expr),
                None => decl.default.map(|d| &d.expr),
            };
            if let Some(e) = value {
                let r = collect(e, &[]);
                if r != ExprRefs::default() {
                    out.entry(String::new())
                        .or_default()
                        .insert(span_key(to_core_span(e.span)), r);
                }
            }
        }
        out
    }

    /// For each user function (by index): the global variables its body uses, directly or
    /// through the functions it calls, each with the function whose body uses it.
    fn function_variables(&self) -> Vec<Vec<(String, String)>> {
        fn visit(
            l: &Loader<'_>,
            i: usize,
            memo: &mut Vec<Option<Vec<(String, String)>>>,
            depth: usize,
        ) -> Vec<(String, String)> {
            if let Some(done) = &memo[i] {
                return done.clone();
            }
            let Some((fname, decl)) = l.funcs.get_index(i) else {
                return Vec::new();
            };
            let mut out: Vec<(String, String)> = Vec::new();
            let mut calls = Vec::new();
            decl.result.walk(&mut |x| match &x.kind {
                ExprKind::Var(id) => {
                    let n: &str = &id.name;
                    let local = decl.params.iter().any(|p| &**p == n)
                        || decl.variadic.as_deref() == Some(n);
                    if !local && l.vars.contains_key(n) && !out.iter().any(|(k, _)| k == n) {
                        out.push((n.to_string(), fname.clone()));
                    }
                }
                ExprKind::Call(c) => {
                    if let Some(j) = l.funcs.get_index_of(&*c.name.name) {
                        calls.push(j);
                    }
                }
                _ => {}
            });
            // The load rejected recursive functions; the depth bound only guards the walk.
            if depth < 64 {
                for j in calls {
                    for (v, f) in visit(l, j, memo, depth + 1) {
                        if !out.iter().any(|(k, _)| *k == v) {
                            out.push((v, f));
                        }
                    }
                }
            }
            memo[i] = Some(out.clone());
            out
        }
        let mut memo = vec![None; self.funcs.len()];
        (0..self.funcs.len())
            .map(|i| visit(self, i, &mut memo, 0))
            .collect()
    }
}
