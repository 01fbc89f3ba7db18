//! `bakery pull` and `bakery push`: a build saved with `--save`, found by its build id (or a
//! unique prefix of one) or its save tag, pulled into the local engine or copied to another
//! repository registry-side.
//!
//! The history of this machine knows which targets a run saved, under which refs. A build
//! made on another machine is not in it: then the project's registry (bake.toml) is asked
//! for `REGISTRY:KEY` (a single build) or `REGISTRY:KEY-TARGET` for each `--target`.

use std::sync::Arc;

use bake_dispatch::buildx::BuildxBackend;
use bake_history::{is_alive, History, Lookup, RunRecord};

use super::{load_config, project_default};
use crate::block_on;
use crate::record::history_path;
use crate::summary::without_digest;
use crate::{fail, Context, Failure};

// Doc comments here are help texts: no Markdown backticks.
#[allow(clippy::doc_markdown)]
#[derive(Debug, clap::Args)]
pub(super) struct PullArgs {
    /// The project the build belongs to (default: DEPOT_PROJECT_ID, else depot.json's id)
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// Name the pulled image TAG (default: the tags the build declared)
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// The platform to pull (default: the local engine's)
    #[arg(long, value_name = "PLATFORM")]
    platform: Option<String>,
    /// Pull only this target of a bake build (repeatable; default: every saved target)
    #[arg(long = "target", value_name = "TARGET")]
    targets: Vec<String>,
    /// Builder configuration file (default: `BAKE_CONFIG`, bake.toml here or in a parent
    /// directory, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// A build id (or a unique prefix of one), or a save tag
    #[arg(value_name = "BUILD-ID|SAVE-TAG")]
    build: String,
}

// Doc comments here are help texts: no Markdown backticks.
#[allow(clippy::doc_markdown)]
#[derive(Debug, clap::Args)]
pub(super) struct PushArgs {
    /// The project the build belongs to (default: DEPOT_PROJECT_ID, else depot.json's id)
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// Where to copy the image (repeatable; required)
    #[arg(short = 't', long = "tag", value_name = "REF")]
    tags: Vec<String>,
    /// The target of a bake build to push (needed when it saved several)
    #[arg(long = "target", value_name = "TARGET")]
    target: Option<String>,
    /// Builder configuration file (default: `BAKE_CONFIG`, bake.toml here or in a parent
    /// directory, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// A build id (or a unique prefix of one), or a save tag
    #[arg(value_name = "BUILD-ID|SAVE-TAG")]
    build: String,
}

/// One saved image of a build.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Saved {
    /// The target's name(s), empty for a single build found in the registry.
    target: String,
    /// The image in the project's registry (`REF@DIGEST` when the history knows the digest).
    reference: String,
    /// The tags the build declared.
    declared: Vec<String>,
}

pub(super) fn pull(a: &PullArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    let found = saved_images(
        &a.build,
        a.project.as_deref(),
        &a.targets,
        a.config.as_deref(),
        cx,
    )?;
    if !a.tags.is_empty() && found.len() > 1 {
        return Err(fail(
            format!(
                "-t names one image, and build {} saved {} targets ({})",
                a.build,
                found.len(),
                names(&found)
            ),
            Some("pick the target to pull with --target".into()),
        ));
    }
    let backend = backend(cx)?;
    let mut lines = String::new();
    for s in &found {
        // By its build id's name: pulling by digest alone would leave the image without one.
        let name = without_digest(&s.reference);
        block_on(backend.pull(name, a.platform.as_deref()))?
            .map_err(|e| transfer_error("pull", s, &a.build, None, &e))?;
        let tags = if a.tags.is_empty() {
            &s.declared
        } else {
            &a.tags
        };
        for t in tags {
            block_on(backend.tag(name, t))?.map_err(|e| {
                fail(
                    format!("pulled {name}, but cannot tag it {t}: {e}"),
                    Some("give a valid image name with -t".into()),
                )
            })?;
        }
        let what = if s.target.is_empty() {
            String::new()
        } else {
            format!("{}: ", s.target)
        };
        if tags.is_empty() {
            lines.push_str(&format!("{what}pulled {name}\n"));
        } else {
            lines.push_str(&format!("{what}pulled {name} as {}\n", tags.join(", ")));
        }
    }
    crate::write_out(cx.stdout, &lines)?;
    Ok(0)
}

pub(super) fn push(a: &PushArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    if a.tags.is_empty() {
        return Err(fail(
            "push needs -t: where to copy the build",
            Some(format!(
                "name the image to create, e.g. `bakery push -t registry.example.com/app:1 {}`",
                a.build
            )),
        ));
    }
    let targets: Vec<String> = a.target.iter().cloned().collect();
    let found = saved_images(
        &a.build,
        a.project.as_deref(),
        &targets,
        a.config.as_deref(),
        cx,
    )?;
    let [s] = found.as_slice() else {
        return Err(fail(
            format!(
                "build {} saved {} targets ({}): which one to push?",
                a.build,
                found.len(),
                names(&found)
            ),
            Some("pick it with --target".into()),
        ));
    };
    let backend = backend(cx)?;
    let mut lines = String::new();
    for t in &a.tags {
        block_on(backend.copy(&s.reference, t))?
            .map_err(|e| transfer_error("push", s, &a.build, Some(t), &e))?;
        lines.push_str(&format!("pushed {} to {t}\n", without_digest(&s.reference)));
    }
    crate::write_out(cx.stdout, &lines)?;
    Ok(0)
}

fn backend(cx: &Context<'_>) -> Result<Arc<BuildxBackend>, Failure> {
    BuildxBackend::new(cx.env.clone(), cx.cwd.clone())
        .map(Arc::new)
        .map_err(|e| Box::new(e) as Failure)
}

fn names(found: &[Saved]) -> String {
    found
        .iter()
        .map(|s| s.target.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A pull or push that failed: what (`verb`), which build and image, where to, and why.
fn transfer_error(verb: &str, s: &Saved, build: &str, to: Option<&str>, e: &str) -> Failure {
    let of = if s.target.is_empty() {
        format!("build {build}")
    } else {
        format!("target {} of build {build}", s.target)
    };
    let to = to.map_or_else(String::new, |t| format!(" to {t}"));
    fail(
        format!(
            "cannot {verb} {of} ({}){to}: {}",
            without_digest(&s.reference),
            e.trim_start_matches("ERROR: ")
        ),
        Some(
            "check that the registry is reachable and that `docker login` has credentials for it"
                .into(),
        ),
    )
}

/// The saved images that `key` names, narrowed to `targets` when given: from the history,
/// else from the project's registry.
fn saved_images(
    key: &str,
    project: Option<&str>,
    targets: &[String],
    config: Option<&str>,
    cx: &Context<'_>,
) -> Result<Vec<Saved>, Failure> {
    let project = project_default(project, cx)?;
    let path = history_path(cx)?;
    let (lookup, recent) = if path.exists() {
        let mut h = History::open(&path).map_err(|e| Box::new(e) as Failure)?;
        let lookup = h.find(key, &is_alive).map_err(|e| Box::new(e) as Failure)?;
        let recent = h.recent_ids(50).map_err(|e| Box::new(e) as Failure)?;
        (lookup, recent)
    } else {
        (Lookup::NotFound, Vec::new())
    };
    match lookup {
        Lookup::Run(run) => from_run(&run, key, project.as_deref(), targets),
        Lookup::Ambiguous(ids) => Err(fail(
            format!("build id {key} is ambiguous: {}", ids.join(", ")),
            Some("give more of the id".into()),
        )),
        Lookup::NotFound => {
            let registry = match &project {
                Some(p) => load_config(config, cx)?.0.project(p).registry,
                None => None,
            };
            match (registry, &project) {
                (Some(r), Some(_)) => Ok(from_registry(&r, key, targets)),
                (None, Some(p)) => Err(not_found(
                    key,
                    &recent,
                    &path.display().to_string(),
                    &format!("project {p} has no registry in bake.toml to look in"),
                )),
                (_, None) => Err(not_found(
                    key,
                    &recent,
                    &path.display().to_string(),
                    "a build made on another machine is found in its project's registry with --project",
                )),
            }
        }
    }
}

fn not_found(key: &str, recent: &[String], path: &str, elsewhere: &str) -> Failure {
    let mut help =
        match bake_core::api::frontend::did_you_mean(key, recent.iter().map(String::as_str)) {
            Some(near) => format!("{near}; "),
            None if recent.is_empty() => "no build is recorded yet; ".into(),
            None => format!(
                "the newest builds are {}; ",
                recent
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    help.push_str("`bakery list builds` shows them; ");
    help.push_str(elsewhere);
    fail(
        format!("no build {key} in the build history ({path})"),
        Some(help),
    )
}

/// The saved images of a recorded run.
fn from_run(
    run: &RunRecord,
    key: &str,
    project: Option<&str>,
    targets: &[String],
) -> Result<Vec<Saved>, Failure> {
    let projects = run.projects();
    if let Some(p) = project {
        if !projects.contains(&p) {
            return Err(fail(
                format!(
                    "build {} is a build of project {}, not {p}",
                    run.id,
                    projects.join(", ")
                ),
                Some(format!("pass --project {}", projects[0])),
            ));
        }
    }
    // The refs under the key when it is a save tag; a build id gives the run's own.
    let tag = if run.id.starts_with(key) {
        run.id.as_str()
    } else {
        key
    };
    // The image is its build id's ref, with the digest: a save tag may have moved on since.
    let saved = |t: &bake_history::TargetRecord| {
        t.saved_under(tag)?;
        t.saved_refs.first().map(|r| Saved {
            target: if t.is_single_build() {
                String::new()
            } else {
                t.name.clone()
            },
            reference: r.clone(),
            declared: t.image_refs.clone(),
        })
    };
    if targets.is_empty() {
        let all: Vec<Saved> = run
            .targets
            .iter()
            .filter(|t| project.is_none_or(|p| t.project == p))
            .filter_map(saved)
            .collect();
        if all.is_empty() {
            let how = if run.status == "done" {
                String::new()
            } else {
                format!(" (it is {})", run.status)
            };
            return Err(fail(
                format!("build {} was not saved{how}", run.id),
                Some("build with --save to keep its images in the project's registry".into()),
            ));
        }
        return Ok(all);
    }
    targets
        .iter()
        .map(|want| {
            let t = run
                .targets
                .iter()
                .find(|t| t.names().any(|n| n == want))
                .ok_or_else(|| {
                    let mut help = format!(
                        "its targets: {}",
                        run.targets
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    if let Some(near) = bake_core::api::frontend::did_you_mean(
                        want,
                        run.targets
                            .iter()
                            .flat_map(bake_history::TargetRecord::names),
                    ) {
                        help = format!("{near}; {help}");
                    }
                    fail(format!("build {} has no target {want}", run.id), Some(help))
                })?;
            saved(t).ok_or_else(|| {
                fail(
                    format!("target {want} of build {} was not saved", run.id),
                    Some(if t.status == "done" {
                        "build it with --save to keep its image in the project's registry".into()
                    } else {
                        format!("it did not build ({})", t.status)
                    }),
                )
            })
        })
        .collect()
}

/// The images of a build the history does not know, in the project's registry.
fn from_registry(registry: &str, key: &str, targets: &[String]) -> Vec<Saved> {
    let repo = registry.trim_end_matches('/');
    if targets.is_empty() {
        return vec![Saved {
            target: String::new(),
            reference: format!("{repo}:{key}"),
            declared: Vec::new(),
        }];
    }
    targets
        .iter()
        .map(|t| Saved {
            target: t.clone(),
            reference: format!("{repo}:{key}-{t}"),
            declared: Vec::new(),
        })
        .collect()
}
