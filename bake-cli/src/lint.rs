//! `bakery build --lint`: `BuildKit`'s Dockerfile checks before the build, on the build's own
//! builder. Broken rules are warnings; a Dockerfile that does not parse, or whose rules it
//! makes errors (`# check=error=true`), stops the build (and so do warnings with
//! `--lint-fail-on=warn`).

use bake_core::api::BuildGraph;
use bake_dispatch::buildx::{BuildxBackend, LintWarning};
use bake_dispatch::DispatchOptions;

use crate::build::LintFailOn;
use crate::{fail, Failure};
use bake::Reporter;

fn place(file: &str, line: Option<u64>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

fn warning(w: &LintWarning) -> Failure {
    fail(
        format!(
            "lint: {}: {} ({})",
            place(&w.file, w.line),
            w.detail,
            w.rule
        ),
        Some(w.url.clone()),
    )
}

/// Runs the checks of the first build of `graph`; warns about each broken rule, and fails
/// when `fail_on` says the findings stop the build.
pub(crate) fn lint(
    graph: &BuildGraph,
    options: &DispatchOptions,
    backend: &BuildxBackend,
    fail_on: LintFailOn,
    rep: &mut Reporter,
) -> Result<(), Failure> {
    let Some(node) = graph.nodes.first() else {
        return Ok(());
    };
    // The project's builder, or the first node of its fleet.
    let Some(builder) = options.builders_of(&node.project.id).into_iter().next() else {
        return Ok(());
    };
    let report = crate::block_on(backend.check(&builder.name, &builder.config, &node.target))?
        .map_err(|e| {
            fail(
                format!("lint: the Dockerfile checks could not run: {e}"),
                Some("build without --lint, or check that the builder is running".into()),
            )
        })?;
    for w in &report.warnings {
        rep.warn(bake_core::api::Warning::from_diagnostic(warning(w)));
    }
    let file = report.file.as_str();
    match (&report.error, fail_on) {
        (Some((message, line)), LintFailOn::Error | LintFailOn::Warn) => Err(fail(
            format!("lint: {}: {message}", place(file, *line)),
            Some("fix the Dockerfile, or build with --lint-fail-on=none".into()),
        )),
        (None, LintFailOn::Warn) if !report.warnings.is_empty() => Err(fail(
            format!(
                "lint: {} rule(s) broken, and --lint-fail-on=warn stops the build",
                report.warnings.len()
            ),
            Some("fix the Dockerfile, or build with --lint-fail-on=error".into()),
        )),
        _ => Ok(()),
    }
}
