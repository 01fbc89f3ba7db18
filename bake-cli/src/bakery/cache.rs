//! `bakery cache reset`: the project's next build starts cold: its builder's cache is
//! emptied, and its registry cache (`cache = "registry"`) starts a new generation, for
//! everyone using it.

use std::sync::Arc;

use bake_dispatch::buildx::BuildxBackend;
use bake_dispatch::DispatchOptions;

use super::{load_config, project_default};
use crate::block_on;
use crate::{fail, Context, Failure};

// Doc comments here are help texts: no Markdown backticks.
#[allow(clippy::doc_markdown)]
#[derive(Debug, clap::Args)]
pub(super) struct ResetArgs {
    /// The project (default: DEPOT_PROJECT_ID, else depot.json's id)
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// Builder configuration file (default: `BAKE_CONFIG`, bake.toml here or in a parent
    /// directory, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
}

pub(super) fn reset(a: &ResetArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    let (config, name) = load_config(a.config.as_deref(), cx)?;
    let ids = || {
        config
            .projects
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(id) = project_default(a.project.as_deref(), cx)? else {
        return Err(fail(
            "which project's cache? no --project given, no DEPOT_PROJECT_ID and no depot.json here",
            Some(if config.projects.is_empty() {
                format!("{name} configures no project")
            } else {
                format!("pass --project with one of {}", ids())
            }),
        ));
    };
    // A typo must not empty the default builder's cache.
    let Some(project) = config.projects.get(&id) else {
        let mut help = format!("the projects of {name}: {}", ids());
        if let Some(near) =
            bake_core::api::frontend::did_you_mean(&id, config.projects.keys().map(String::as_str))
        {
            help = format!("{near}; {help}");
        }
        return Err(fail(format!("project {id} is not in {name}"), Some(help)));
    };
    let backend = Arc::new(
        BuildxBackend::new(cx.env.clone(), cx.cwd.clone()).map_err(|e| Box::new(e) as Failure)?,
    );
    // Every builder of the project: its own, or each node of its fleet.
    let options = DispatchOptions {
        config: config.clone(),
        ..DispatchOptions::default()
    };
    let builders = options.builders_of(&id);
    let mut text = String::new();
    let mut failed: Vec<String> = Vec::new();
    for spec in &builders {
        match block_on(backend.prune(&spec.name, &spec.config))? {
            Ok(freed) => {
                let freed = freed.map_or_else(String::new, |f| format!(", {f} freed"));
                text.push_str(&format!(
                    "project {id}: cache reset on builder {}{freed}\n",
                    spec.key
                ));
            }
            Err(e) => failed.push(format!("builder {}: {e}", spec.key)),
        }
    }
    if !failed.is_empty() {
        let _ = crate::write_out(cx.stdout, &text);
        return Err(fail(
            format!(
                "cannot reset the cache of project {id}: {}",
                failed.join("; ")
            ),
            Some(
                "check that the builder is running (`bakery projects list` shows its state), then run cache reset again".into(),
            ),
        ));
    }
    if let Some(repo) = project.cache_repository() {
        let (s, n) = cx.now.unwrap_or_default();
        let stamp = format!("{s}.{n:09}-{:016x}", cx.seed);
        let first = &builders[0];
        let epoch = block_on(backend.new_cache_epoch(&first.name, &first.config, repo, &stamp))?.map_err(|e| {
            fail(
                format!("cannot reset the registry cache of project {id} ({repo}): {e}"),
                Some("the builder's cache is empty already; check the registry and `docker login`, then run cache reset again".into()),
            )
        })?;
        text.push_str(&format!(
            "project {id}: registry cache {repo} started afresh (generation {epoch})\n"
        ));
    }
    crate::write_out(cx.stdout, &text)?;
    Ok(0)
}
