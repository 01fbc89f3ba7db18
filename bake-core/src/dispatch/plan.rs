//! The dry-run plan: per project, in order, each build with the exact command it would run.

use std::fmt::Write as _;
use std::sync::Arc;

use super::buildx::{BuildxBackend, Invocation};
use super::{job_for, BuildFailure, DispatchOptions};
use crate::config::ProjectConfig;
use crate::graph::BuildGraph;

/// One build of a plan.
#[derive(Debug, Clone)]
pub struct PlanStep {
    /// The node index.
    pub node: usize,
    /// The command that runs it, or why it cannot run.
    pub command: Result<Invocation, BuildFailure>,
}

/// The placeholder a plan shows for the digest of a build that has not run yet.
#[must_use]
pub fn pending_ref(graph: &BuildGraph, options: &DispatchOptions, node: usize) -> String {
    let n = &graph.nodes[node];
    format!(
        "oci-layout://{}@<digest of {}>",
        options
            .work_dir
            .join("handoff")
            .join(&n.id)
            .to_string_lossy(),
        n.names[0]
    )
}

/// The commands of every build of `graph`, in graph order.
#[must_use]
pub fn plan(
    graph: &BuildGraph,
    backend: &BuildxBackend,
    options: &Arc<DispatchOptions>,
) -> Vec<PlanStep> {
    (0..graph.nodes.len())
        .map(|i| {
            let job = job_for(graph, i, options, |d| Some(pending_ref(graph, options, d)));
            PlanStep {
                node: i,
                command: backend.command(&job),
            }
        })
        .collect()
}

fn describe_builder(project: &str, p: &ProjectConfig) -> String {
    let mut s = if let Some(b) = &p.builder {
        format!("buildx builder `{b}`")
    } else if let Some(h) = &p.docker_host {
        format!("Docker engine at {h}")
    } else if let Some(e) = &p.endpoint {
        format!(
            "BuildKit at {e} (remote builder `{}`)",
            BuildxBackend::endpoint_builder(project)
        )
    } else {
        "the local Docker's default builder".to_string()
    };
    if let Some(m) = p.max_parallelism {
        let _ = write!(s, ", at most {m} at once");
    }
    if let Some(r) = &p.registry {
        let _ = write!(s, ", registry {r}");
    }
    s
}

/// The plan as text: a header, then per project its builder and its builds in order, each
/// with the names it serves, what it waits for, and its command.
#[must_use]
pub fn render_plan(graph: &BuildGraph, steps: &[PlanStep], options: &DispatchOptions) -> String {
    let projects = graph.projects();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan: {} build{} in {} project{} (dry run: nothing is built)",
        graph.nodes.len(),
        if graph.nodes.len() == 1 { "" } else { "s" },
        projects.len(),
        if projects.len() == 1 { "" } else { "s" },
    );
    for project in projects {
        let cfg = options.project(project);
        let _ = writeln!(
            out,
            "\nproject {project}: {}",
            describe_builder(project, &cfg)
        );
        let mut k = 0;
        for step in steps {
            let node = &graph.nodes[step.node];
            if node.project.id != project {
                continue;
            }
            k += 1;
            let _ = write!(out, "  {k}. {}  [{}]", node.names.join(", "), node.id);
            if !node.requested {
                out.push_str("  (context only)");
            }
            if !node.deps.is_empty() {
                let after: Vec<String> = node
                    .deps
                    .iter()
                    .map(|d| {
                        let dep = &graph.nodes[d.node];
                        if dep.project.id == project {
                            dep.names[0].clone()
                        } else {
                            format!("{} (project {})", dep.names[0], dep.project.id)
                        }
                    })
                    .collect();
                let _ = write!(out, "  after: {}", after.join(", "));
            }
            out.push('\n');
            match &step.command {
                Ok(inv) => {
                    for line in inv.shell_line().lines() {
                        let _ = writeln!(out, "     {line}");
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "     cannot run: {}", e.message);
                }
            }
        }
    }
    out
}
