//! The check before a run: a build whose local Dockerfile is missing fails at once with a
//! clear message, and the builds of the run that use it are interrupted, instead of the whole
//! run failing on buildx's error.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{BuildFailure, BuildJob, BuildResult, Link};

/// The local Dockerfile a build needs, when it is missing (remote contexts and Dockerfiles,
/// image and `target:` contexts, and inline Dockerfiles are not checked).
fn missing_dockerfile(job: &BuildJob, cwd: &Path) -> Option<String> {
    let t = &job.node.target;
    let inputs = crate::entitlements::Inputs::of(t);
    let remote = bake_core::api::go::is_remote_url(&inputs.context)
        || bake_core::api::go::is_remote_url(&inputs.dockerfile);
    let image = inputs.context.starts_with("docker-image:");
    if t.dockerfile_inline.is_some() || remote || image || inputs.context_is_target {
        return None;
    }
    (!cwd.join(&inputs.dockerfile).is_file()).then(|| {
        if t.dockerfile.is_empty() {
            "Dockerfile".to_string()
        } else {
            t.dockerfile.clone()
        }
    })
}

/// Removes from `builds` those that cannot run (a missing Dockerfile): they fail, and the
/// builds of the run that use them, directly or not, are interrupted (the scheduler then skips
/// them).
pub(super) fn drop_unrunnable(
    builds: &mut Vec<BuildJob>,
    cwd: &Path,
    results: &mut BTreeMap<usize, BuildResult>,
) {
    let mut gone: Vec<usize> = Vec::new();
    for b in builds.iter() {
        if b.context_only {
            continue;
        }
        if let Some(df) = missing_dockerfile(b, cwd) {
            results.insert(
                b.index,
                BuildResult::Failed(BuildFailure::new(format!("Dockerfile not found: {df}"))),
            );
            gone.push(b.index);
        }
    }
    if gone.is_empty() {
        return;
    }
    // Builds come dependencies first, so one pass finds every user of a gone build.
    for b in builds.iter() {
        if gone.contains(&b.index) {
            continue;
        }
        let uses_gone = b
            .contexts
            .values()
            .any(|l| matches!(l, Link::InRun(d) if gone.contains(d)));
        if uses_gone {
            gone.push(b.index);
            if !b.context_only {
                results.insert(b.index, BuildResult::Interrupted);
            }
        }
    }
    builds.retain(|b| !gone.contains(&b.index));
}
