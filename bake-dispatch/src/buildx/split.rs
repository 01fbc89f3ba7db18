//! A multi-platform build split across a fleet's nodes: each platform builds natively on its
//! node and is pushed to the project's registry under a tag of its own; the parts are then
//! joined registry-side into one index (`docker buildx imagetools create`), which is tagged
//! with what the build pushes and saves, and pulled into the local engine when it loads. As
//! the "distribute builds across runners" recipe does, except that each part is pushed with
//! a tag (the `docker` driver cannot push by digest alone).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::BuildxBackend;
use crate::{BuildFailure, BuildJob, BuildOutput, BuildResult, Cancel, EventSink, RunJob};
use bake_core::api::ExportEntry;

/// How long joining the parts may take.
const JOIN_LIMIT: Duration = Duration::from_mins(10);

/// A tag-safe form of `s` (`linux/arm64` gives `linux-arm64`).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What the build asks of its image: the names it pushes (its tags, or its outputs' names),
/// and whether it loads into the engine.
fn wanted(b: &BuildJob) -> (Vec<String>, bool) {
    let t = &b.node.target;
    let mut push = Vec::new();
    let mut load = false;
    for o in &t.output {
        match o.typ.as_str() {
            "docker" => load = true,
            _ => match o.attrs.get("name") {
                Some(n) => push.extend(n.split(',').map(str::to_string)),
                None => push.extend(t.tags.iter().cloned()),
            },
        }
    }
    push.sort();
    push.dedup();
    (push, load)
}

/// Runs split build `b` of `run`: its parts at once, each on its node, then the join.
pub(super) async fn run_split(
    backend: Arc<BuildxBackend>,
    run: &RunJob,
    b: &BuildJob,
    events: Arc<dyn EventSink>,
    cancel: Cancel,
) -> BTreeMap<usize, BuildResult> {
    let started = Instant::now();
    let project = run.options.project(&b.node.project.id);
    let Some(repo) = project
        .registry
        .as_deref()
        .map(|r| r.trim_end_matches('/').to_string())
    else {
        return fail(
            b,
            "a split build needs the project's registry to join its parts in",
        );
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (k, part) in b.split.iter().enumerate() {
        let mut job = b.clone();
        job.split.clear();
        job.save_refs.clear();
        job.handoff = None;
        job.node.target.platforms = vec![part.platform.clone()];
        job.node.target.tags.clear();
        let tag = format!("bake-part-{}-{}", b.node.id, slug(&part.platform));
        job.node.target.output = vec![ExportEntry {
            typ: "image".into(),
            dest: String::new(),
            attrs: [
                ("name".to_string(), format!("{repo}:{tag}")),
                ("push".to_string(), "true".to_string()),
            ]
            .into_iter()
            .collect(),
        }];
        job.cache_ref = run.options.cache_ref(&project, &job.node);
        let part_run = RunJob {
            id: run.id + 1_000_000 * (k + 1),
            builder: part.builder.key.clone(),
            config: part.builder.config.clone(),
            project: part.builder.name.clone(),
            builds: vec![job],
            options: run.options.clone(),
        };
        let (backend, events, cancel) = (backend.clone(), events.clone(), cancel.clone());
        let platform = part.platform.clone();
        let node = part.builder.key.to_string();
        tasks.spawn(async move {
            let r = backend.run_builds(&part_run, events, cancel).await;
            (k, platform, node, r)
        });
    }
    let mut parts: Vec<Option<(String, BuildOutput)>> = vec![None; b.split.len()];
    let mut failure: Option<BuildFailure> = None;
    while let Some(joined) = tasks.join_next().await {
        let Ok((k, platform, node, mut r)) = joined else {
            failure.get_or_insert(BuildFailure::new("a part of the build stopped"));
            continue;
        };
        match r.remove(&b.index) {
            Some(BuildResult::Done(o, _)) => match o.digest() {
                Some(d) => parts[k] = Some((d.to_string(), o)),
                None => {
                    failure.get_or_insert(BuildFailure::new(format!(
                        "the {platform} part (on {node}) wrote no image digest"
                    )));
                }
            },
            Some(BuildResult::Failed(mut f)) => {
                f.message = format!("{platform} part on {node}: {}", f.message);
                failure.get_or_insert(f);
            }
            Some(BuildResult::Interrupted) | None => {
                return [(b.index, BuildResult::Interrupted)].into_iter().collect();
            }
        }
    }
    if let Some(f) = failure {
        return [(b.index, BuildResult::Failed(f))].into_iter().collect();
    }
    let parts: Vec<(String, BuildOutput)> = parts.into_iter().flatten().collect();
    match join(&backend, b, &repo, &parts, run.options.local_host.as_ref()).await {
        Ok(mut out) => {
            out.steps = parts.iter().map(|(_, o)| o.steps).sum();
            out.cached_steps = parts.iter().map(|(_, o)| o.cached_steps).sum();
            [(b.index, BuildResult::Done(out, started.elapsed()))]
                .into_iter()
                .collect()
        }
        Err(e) => fail(b, &e),
    }
}

fn fail(b: &BuildJob, message: &str) -> BTreeMap<usize, BuildResult> {
    [(b.index, BuildResult::Failed(BuildFailure::new(message)))]
        .into_iter()
        .collect()
}

/// Joins the pushed `parts` (digest, output) of `b` into one index in `repo`, tagged with
/// what the build pushes and saves; pulls it into the local engine when the build loads.
async fn join(
    backend: &BuildxBackend,
    b: &BuildJob,
    repo: &str,
    parts: &[(String, BuildOutput)],
    local: Option<&String>,
) -> Result<BuildOutput, String> {
    let (push, load) = wanted(b);
    let own = format!("{repo}:bake-split-{}", b.node.id);
    let mut args: Vec<String> = vec![
        "buildx".into(),
        "imagetools".into(),
        "create".into(),
        "--progress=plain".into(),
        "-t".into(),
        own.clone(),
    ];
    args.extend(parts.iter().map(|(d, _)| format!("{repo}@{d}")));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    backend
        .short(&argv, &[], JOIN_LIMIT)
        .await
        .map_err(|e| format!("cannot join the platforms into one image: {e}"))?;
    // Then copied, unchanged, to each name (one at a time: a create with targets in several
    // repositories copies the blobs to the first only).
    for n in push.iter().chain(&b.save_refs) {
        backend
            .copy(&own, n)
            .await
            .map_err(|e| format!("cannot push the joined image to {n}: {e}"))?;
    }
    let digest = backend
        .short(
            &[
                "buildx",
                "imagetools",
                "inspect",
                "--format",
                "{{json .Manifest.Digest}}",
                &own,
            ],
            &[],
            Duration::from_mins(1),
        )
        .await
        .map_err(|e| format!("cannot read the joined image: {e}"))?
        .trim()
        .trim_matches('"')
        .to_string();
    let mut out = BuildOutput::default();
    out.metadata.insert(
        "containerimage.digest".into(),
        serde_json::Value::String(digest.clone()),
    );
    let shown: Vec<String> = if !push.is_empty() {
        push.clone()
    } else if load && !b.node.target.tags.is_empty() {
        b.node.target.tags.clone()
    } else {
        vec![own.clone()]
    };
    out.metadata.insert(
        "image.name".into(),
        serde_json::Value::String(shown.join(",")),
    );
    out.saved = b
        .save_refs
        .iter()
        .map(|r| format!("{r}@{digest}"))
        .collect();
    if load {
        backend
            .pull(&own, None)
            .await
            .map_err(|e| format!("cannot load the joined image into the local engine: {e}"))?;
        for t in &b.node.target.tags {
            backend
                .tag(&own, t)
                .await
                .map_err(|e| format!("cannot tag the loaded image {t}: {e}"))?;
        }
        out.loaded_into = local.cloned();
    }
    Ok(out)
}
