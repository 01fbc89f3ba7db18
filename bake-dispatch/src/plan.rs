//! The dry-run plan: the runs a dispatch would make if every build succeeds, each with the
//! exact `docker buildx bake` command and the definition it reads.

use std::fmt::Write as _;
use std::sync::Arc;

use super::buildx::{BuildxBackend, Invocation};
use super::definition::Role;
use super::scheduler::{run_job, Scheduler};
use super::{BuildOutput, BuildResult, BuilderKey, DispatchOptions, RunOutcome};
use crate::config::ProjectConfig;
use bake_core::api::BuildGraph;

/// One run of a plan.
#[derive(Debug, Clone)]
pub struct PlanRun {
    /// The run's number, from 1.
    pub number: usize,
    /// The builder.
    pub builder: BuilderKey,
    /// The builder's name (its project's id, or a fleet node's name).
    pub project: String,
    /// How to reach the builder.
    pub config: ProjectConfig,
    /// The builds it runs (node indexes), dependencies first.
    pub nodes: Vec<usize>,
    /// Finished builds it includes as contexts only.
    pub reused: Vec<usize>,
    /// The numbers of the runs it waits for.
    pub after: Vec<usize>,
    /// The command that runs it.
    pub command: Invocation,
}

/// The placeholder a plan shows for the digest of a build that has not run yet.
#[must_use]
pub fn pending_digest(graph: &BuildGraph, node: usize) -> String {
    format!("<digest of {}>", graph.nodes[node].names[0])
}

/// The projects of `graph` that `--save` needs a registry for and that have none.
#[must_use]
pub fn save_without_registry(graph: &BuildGraph, options: &DispatchOptions) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !options.save {
        return out;
    }
    for n in graph.nodes.iter().filter(|n| n.requested) {
        if options.project(&n.project.id).registry.is_none() && !out.contains(&n.project.id) {
            out.push(n.project.id.clone());
        }
    }
    out
}

/// The runs of `graph`, in the order they would start if every build succeeded.
#[must_use]
pub fn plan(
    graph: &BuildGraph,
    backend: &BuildxBackend,
    options: &Arc<DispatchOptions>,
) -> Vec<PlanRun> {
    let mut scheduler = Scheduler::new(graph, options);
    let mut handoffs: Vec<Option<String>> = vec![None; graph.nodes.len()];
    let mut run_of: Vec<usize> = vec![0; graph.nodes.len()];
    let mut out = Vec::new();
    loop {
        let runs = scheduler.next_ready();
        if runs.is_empty() {
            break;
        }
        for run in runs {
            let job = run_job(graph, &scheduler, &run, options, |d| handoffs[d].clone());
            let (command, def) = backend.command(&job);
            let number = out.len() + 1;
            let mut after: Vec<usize> = Vec::new();
            for &i in &run.nodes {
                for d in &graph.nodes[i].deps {
                    let r = run_of[d.node];
                    if r != 0 && r != number && !after.contains(&r) {
                        after.push(r);
                    }
                }
            }
            after.sort_unstable();
            let mut outcome = RunOutcome::default();
            for &i in &run.nodes {
                run_of[i] = number;
                let mut o = BuildOutput::default();
                for d in def.targets.iter().filter(|d| d.node == i) {
                    for role in &d.roles {
                        if let Role::Handoff(h) = role {
                            o.handoff_ref = Some(h.reference(&pending_digest(graph, i)));
                        }
                    }
                }
                outcome
                    .results
                    .insert(i, BuildResult::Done(o, std::time::Duration::ZERO));
            }
            let f = scheduler.complete(&run, outcome, false);
            for i in f.ended {
                if let Some(super::NodeReport {
                    status: super::NodeStatus::Done(o),
                    ..
                }) = scheduler.report(i)
                {
                    handoffs[i].clone_from(&o.handoff_ref);
                }
            }
            out.push(PlanRun {
                number,
                builder: job.builder.clone(),
                project: job.project.clone(),
                config: job.config.clone(),
                nodes: run.nodes.clone(),
                reused: run.reused.clone(),
                after,
                command,
            });
        }
    }
    out
}

fn describe_builder(project: &str, p: &ProjectConfig) -> String {
    if let Some(b) = &p.builder {
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
    }
}

fn describe_project(id: &str, p: &ProjectConfig, options: &DispatchOptions) -> String {
    if !p.nodes.is_empty() {
        let mut s = format!("project {id}: a fleet of {} nodes", p.nodes.len());
        if let Some(r) = &p.registry {
            let _ = write!(s, ", registry {r}");
        }
        for spec in options.builders_of(id) {
            let _ = write!(
                s,
                "\n  node {}: {}",
                spec.name,
                describe_builder(&spec.name, &spec.config)
            );
            if !spec.platforms.is_empty() {
                let _ = write!(s, ", platforms {}", spec.platforms.join(","));
            }
            if let Some(m) = spec.limit {
                let _ = write!(s, ", at most {m} at once");
            }
        }
        return s;
    }
    let mut s = format!("project {id}: {}", describe_builder(id, p));
    if let Some(m) = p.max_parallelism {
        let _ = write!(s, ", at most {m} at once");
    }
    if let Some(r) = &p.registry {
        let _ = write!(s, ", registry {r}");
    }
    s
}

/// The plan as text: a header, the projects and their builders, then each run with its
/// builds, what it waits for, and its command with the definition it reads.
#[must_use]
pub fn render_plan(graph: &BuildGraph, runs: &[PlanRun], options: &DispatchOptions) -> String {
    let projects = graph.projects();
    let mut out = String::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let _ = writeln!(
        out,
        "Plan: {} build{} in {} project{}, {} run{} of docker buildx bake (dry run: nothing is built)",
        graph.nodes.len(),
        plural(graph.nodes.len()),
        projects.len(),
        plural(projects.len()),
        runs.len(),
        plural(runs.len()),
    );
    out.push('\n');
    for project in &projects {
        let _ = writeln!(
            out,
            "{}",
            describe_project(project, &options.project(project), options)
        );
    }
    let missing = save_without_registry(graph, options);
    for p in &missing {
        let _ = writeln!(
            out,
            "  cannot --save: project {p} has no registry configured; add `registry = \"HOST/REPO\"` under [projects.{p}] in bake.toml"
        );
    }
    for run in runs {
        let mut head = format!(
            "\nrun {}: {}",
            run.number,
            describe_builder(&run.project, &run.config)
        );
        if !run.after.is_empty() {
            let after: Vec<String> = run.after.iter().map(|r| format!("run {r}")).collect();
            let _ = write!(head, ", after {}", after.join(", "));
        }
        let _ = writeln!(out, "{head}");
        for &i in &run.nodes {
            let node = &graph.nodes[i];
            let _ = write!(
                out,
                "  {}  [{}]  project {}",
                node.names.join(", "),
                node.id,
                node.project.id
            );
            if !node.requested {
                out.push_str("  (context only)");
            }
            out.push('\n');
        }
        for &i in &run.reused {
            let node = &graph.nodes[i];
            let _ = writeln!(
                out,
                "  {}  [{}]  (built already; a cached context here)",
                node.names.join(", "),
                node.id
            );
        }
        for line in run.command.shell_line().lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}
