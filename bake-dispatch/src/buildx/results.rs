//! The results of a run: read from the metadata file buildx wrote (per definition target:
//! the image, its digest, what a `--save` or hand-off copy exported) when it succeeded, from
//! its progress when it failed (which builds buildx names as failed, and its error).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::process::Ran;
use super::read_json;
use crate::definition::{Definition, Role};
use crate::{BuildFailure, BuildJob, BuildOutput, BuildResult, Link, RunJob};

/// The results of the builds of `run` once its process `ran`, from the definition `def` it
/// built and the metadata file at `meta_path`.
pub(super) fn of_run(
    def: &Definition,
    run: &RunJob,
    ran: &Ran,
    meta_path: &Path,
) -> BTreeMap<usize, BuildResult> {
    let builds = &run.builds;
    let calls = builds
        .iter()
        .filter(|b| !b.context_only)
        .all(|b| b.node.target.call.as_deref().is_some_and(|c| c != "build"));
    if ran.success {
        success_results(def, builds, ran, meta_path)
    } else if calls && !ran.tracker.has_error_line() {
        // `--check` that found problems: buildx printed them and exits 1.
        let mut r = success_results(def, builds, ran, meta_path);
        for v in r.values_mut() {
            if let BuildResult::Done(o, _) = v {
                o.call_failed = true;
            }
        }
        r
    } else {
        failure_results(builds, ran, run)
    }
}

/// Every build of `builds` (context-only ones aside) failed with `f`.
pub(super) fn fail_all(builds: &[BuildJob], f: &BuildFailure) -> BTreeMap<usize, BuildResult> {
    builds
        .iter()
        .filter(|b| !b.context_only)
        .map(|b| (b.index, BuildResult::Failed(f.clone())))
        .collect()
}

/// Every build of `builds` (context-only ones aside) was interrupted.
pub(super) fn interrupt_all(builds: &[BuildJob]) -> BTreeMap<usize, BuildResult> {
    builds
        .iter()
        .filter(|b| !b.context_only)
        .map(|b| (b.index, BuildResult::Interrupted))
        .collect()
}

/// The metadata buildx wrote for each definition target.
fn read_metadata(path: &Path) -> serde_json::Map<String, serde_json::Value> {
    match read_json(path) {
        Some(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

fn object(v: Option<&serde_json::Value>) -> serde_json::Map<String, serde_json::Value> {
    match v {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    }
}

fn digest_of(m: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    m.get("containerimage.digest")
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// The results of a successful run, from the metadata file.
fn success_results(
    def: &Definition,
    builds: &[BuildJob],
    ran: &Ran,
    meta_path: &Path,
) -> BTreeMap<usize, BuildResult> {
    let meta = read_metadata(meta_path);
    let run_time = ran.start.elapsed();
    let mut results = BTreeMap::new();
    let mut stdout = Some(ran.stdout.clone());
    for (s, b) in builds.iter().enumerate() {
        if b.context_only {
            continue;
        }
        let t = ran.tracker.slot(s);
        let (steps, cached_steps) = t.step_counts();
        let mut out = BuildOutput {
            cached_steps,
            steps,
            stdout: stdout.take().unwrap_or_default(),
            ..BuildOutput::default()
        };
        let mut problem = None;
        for d in def.targets.iter().filter(|d| d.node == b.index) {
            let m = object(meta.get(&d.name));
            for role in &d.roles {
                match role {
                    Role::Build => out.metadata.clone_from(&m),
                    Role::Save(refs) => {
                        out.saved = refs
                            .iter()
                            .map(|r| match digest_of(&m) {
                                Some(dg) => format!("{r}@{dg}"),
                                None => r.clone(),
                            })
                            .collect();
                    }
                    Role::Handoff(h) => match digest_of(&m) {
                        Some(dg) => out.handoff_ref = Some(h.reference(&dg)),
                        None => {
                            problem = Some(BuildFailure::new(
                                "the build wrote no image digest, so the builds on other builders that use it cannot get it",
                            ));
                        }
                    },
                    Role::Context | Role::Load(_) => {}
                }
            }
            // A build replaced by its --save or hand-off export has that one's metadata.
            if out.metadata.is_empty() {
                out.metadata = m;
            }
        }
        let result = if let Some(p) = problem {
            BuildResult::Failed(p)
        } else {
            let took = t
                .last_completed()
                .map_or(run_time, |at| at.duration_since(ran.start));
            BuildResult::Done(out, took)
        };
        results.insert(b.index, result);
    }
    results
}

/// The results of a failed run: the builds buildx names as failed fail, the others were
/// stopped by it and run again. When it names none, the failure is the run's: every build
/// fails with it.
fn failure_results(builds: &[BuildJob], ran: &Ran, run: &RunJob) -> BTreeMap<usize, BuildResult> {
    let tr = &ran.tracker;
    let mut failed = vec![false; builds.len()];
    for s in tr.failed() {
        failed[s] = true;
    }
    // A failed build's users in the run were stopped (the scheduler skips them); but a
    // context-only build that failed takes the builds that use it along.
    let slot_of: HashMap<usize, usize> = builds
        .iter()
        .enumerate()
        .map(|(s, b)| (b.index, s))
        .collect();
    for (s, b) in builds.iter().enumerate() {
        let uses_failed_context = b.contexts.values().any(|l| {
            matches!(l, Link::InRun(d)
                if slot_of.get(d).is_some_and(|&ds| failed[ds] && builds[ds].context_only))
        });
        failed[s] |= uses_failed_context;
    }
    let whole_run = builds
        .iter()
        .zip(&failed)
        .all(|(b, f)| !f || b.context_only);
    let run_error = tr.error_text();
    let mut results = BTreeMap::new();
    for (s, b) in builds.iter().enumerate() {
        if b.context_only {
            continue;
        }
        if !(whole_run || failed[s]) {
            results.insert(b.index, BuildResult::Interrupted);
            continue;
        }
        let mut message = run_error
            .clone()
            .unwrap_or_else(|| format!("docker buildx bake exited with {}", ran.exit));
        let prefix = format!("target {}: ", b.node.names[0]);
        if let Some(rest) = message.strip_prefix(&prefix) {
            message = rest.to_string();
        }
        if let (true, Some(name)) = (whole_run, &run.config.builder) {
            if message.contains("no builder") {
                message = format!(
                    "project {}: builder `{name}` is not usable: {message} (`docker buildx ls` lists the builders; fix `builder` under [projects.{}])",
                    run.project, run.project
                );
            }
        }
        // Its own lines, then buildx's (the Dockerfile excerpt; its error is the message).
        let mut log_tail = tr.slot(s).tail();
        log_tail.extend(
            tr.run()
                .tail()
                .into_iter()
                .filter(|l| !l.starts_with("ERROR: ")),
        );
        results.insert(
            b.index,
            BuildResult::Failed(BuildFailure { message, log_tail }),
        );
    }
    results
}
