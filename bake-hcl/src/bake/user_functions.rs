//! User functions (`function` blocks): the check that none calls itself, directly or through
//! others, and calls, whose parameters are locals of the result expression.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Loader, IN_USER_FUNCTION};
use crate::error::{ErrorKind, HclError, Result};
use crate::eval::Evaluator;
use crate::parse::ast::{ExprKind, Ident, Span};
use crate::value::Value;

impl Loader<'_> {
    /// User functions may not call themselves, directly or through others.
    pub(super) fn check_functions(&self) -> Result<()> {
        // The calls between user functions, by index in `funcs`.
        let edges: Vec<Vec<(usize, Span)>> = self
            .funcs
            .values()
            .map(|d| {
                let mut out = Vec::new();
                d.result.walk(&mut |x| {
                    if let ExprKind::Call(c) = &x.kind {
                        if let Some(i) = self.funcs.get_index_of(&*c.name.name) {
                            out.push((i, c.name.span));
                        }
                    }
                });
                out
            })
            .collect();
        let on_cycle = on_cycles(&edges);
        for (start, decl) in self.funcs.values().enumerate() {
            if !on_cycle[start] {
                continue;
            }
            // Depth-first search for a path back to `start` (one exists: it is on a cycle);
            // `parent` records the path, each function being reached once.
            let mut parent: HashMap<usize, usize> = HashMap::new();
            let mut stack = vec![start];
            while let Some(f) = stack.pop() {
                for &(callee, span) in &edges[f] {
                    if callee == start {
                        let mut p = vec![callee, f];
                        let mut at = f;
                        while let Some(&up) = parent.get(&at) {
                            p.push(up);
                            at = up;
                        }
                        p.reverse();
                        let names: Vec<&str> = p
                            .iter()
                            .filter_map(|&i| self.funcs.get_index(i).map(|(n, _)| n.as_str()))
                            .collect();
                        let span = if f == start { span } else { decl.block.span };
                        return Err(Box::new(
                            HclError::new(
                                ErrorKind::Cycle,
                                Some(span),
                                format!("function cycle not allowed: {}", names.join(" -> ")),
                            )
                            .with_label("recursive call")
                            .with_help(
                                "bake functions cannot call themselves, directly or indirectly",
                            ),
                        ));
                    }
                    if callee != start && !parent.contains_key(&callee) {
                        parent.insert(callee, f);
                        stack.push(callee);
                    }
                }
            }
        }
        Ok(())
    }

    /// Calls the user function `name`, if there is one: arity checked, parameters bound
    /// as locals, the result evaluated from `depth` on (for the nesting limit).
    pub(super) fn call_user_function(
        &mut self,
        name: &Ident,
        args: Vec<Value>,
        span: Span,
        depth: usize,
    ) -> Option<Result<Value>> {
        let decl = self.funcs.get(&*name.name)?;
        let (params, variadic, result) = (decl.params.clone(), decl.variadic.clone(), decl.result);
        if args.len() < params.len() || (variadic.is_none() && args.len() > params.len()) {
            let want = if variadic.is_some() {
                format!("at least {}", params.len())
            } else {
                params.len().to_string()
            };
            return Some(Err(Box::new(
                HclError::new(
                    ErrorKind::Arity,
                    Some(span),
                    format!(
                        "function `{}` takes {want} argument{}, got {}",
                        name.name,
                        if params.len() == 1 && variadic.is_none() {
                            ""
                        } else {
                            "s"
                        },
                        args.len()
                    ),
                )
                .with_label("wrong number of arguments"),
            )));
        }
        let mut locals: Vec<(Arc<str>, Value)> = Vec::new();
        let mut it = args.into_iter();
        for p in &params {
            locals.push((p.clone(), it.next().unwrap_or(Value::NULL)));
        }
        if let Some(v) = variadic {
            locals.push((v, Value::tuple(it.collect())));
        }
        let saved = (self.blocks_allowed, self.eval_context);
        self.blocks_allowed = false;
        self.eval_context = IN_USER_FUNCTION;
        let r = Evaluator::with_locals(self, locals, depth).eval(result);
        (self.blocks_allowed, self.eval_context) = saved;
        Some(r)
    }
}

/// Which nodes of a graph lie on a cycle (a strongly connected component of more than one
/// node, or a node with an edge to itself): Tarjan's algorithm without recursion, so a long
/// chain of functions cannot overflow the stack.
fn on_cycles(edges: &[Vec<(usize, Span)>]) -> Vec<bool> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut out = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        let mut work = vec![(root, 0usize)];
        while let Some(&(v, i)) = work.last() {
            if let Some(&(w, _)) = edges[v].get(i) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if w == v {
                    out[v] = true;
                }
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(u, _)) = work.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut members = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        members.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if members.len() > 1 {
                        for w in members {
                            out[w] = true;
                        }
                    }
                }
            }
        }
    }
    out
}
