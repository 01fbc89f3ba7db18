//! `bakery projects list`: each project of bake.toml with its builder and what the builder
//! reports (`docker buildx inspect --bootstrap`, all projects at once).

use std::sync::Arc;
use std::time::Duration;

use bake_dispatch::buildx::{BuilderState, BuildxBackend};
use bake_dispatch::{BakeConfig, BuilderKey, ProjectConfig};

use super::{table, TableOrJson};
use crate::{fail, Context, Failure};

/// How long one builder may take to answer.
const INSPECT_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub(super) struct ListArgs {
    /// table or json
    #[arg(long, short = 'o', value_name = "FORMAT", default_value = "table")]
    output: TableOrJson,
    /// Builder configuration file (default: `BAKE_CONFIG`, ./bake.toml, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
}

pub(super) fn run(a: &ListArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    let path =
        BakeConfig::locate(a.config.as_deref(), &cx.env, &cx.cwd).map_err(|e| e as Failure)?;
    let config = match &path {
        Some(p) => {
            let shown = p
                .strip_prefix(&cx.cwd)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string());
            BakeConfig::load(p, &shown).map_err(|e| e as Failure)?
        }
        None => BakeConfig::default(),
    };
    if config.projects.is_empty() && a.output == TableOrJson::Table {
        let _ = writeln!(
            cx.stderr,
            "no projects configured ({}); add [projects.ID] with builder, docker-host or endpoint to bake.toml",
            path.as_ref().map_or_else(
                || "no bake.toml here or in a parent directory, and no user configuration".into(),
                |p| format!("in {}", p.display())
            )
        );
        return Ok(0);
    }
    let states = inspect_all(&config, cx)?;
    let text = match a.output {
        TableOrJson::Json => json(&config, &states),
        TableOrJson::Table => table_of(&config, &states),
    };
    crate::write_out(cx.stdout, &text)?;
    Ok(0)
}

/// Every project's builder state, in the configuration's order (by id).
fn inspect_all(config: &BakeConfig, cx: &Context<'_>) -> Result<Vec<BuilderState>, Failure> {
    let Ok(backend) = BuildxBackend::new(cx.env.clone(), cx.cwd.clone()) else {
        let st = BuilderState {
            reason: Some("`docker` was not found in PATH".into()),
            ..BuilderState::default()
        };
        return Ok(vec![st; config.projects.len()]);
    };
    let backend = Arc::new(backend);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}"), None))?;
    let projects: Vec<(String, ProjectConfig)> = config
        .projects
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, (id, p)) in projects.into_iter().enumerate() {
            let b = backend.clone();
            tasks.spawn(async move { (i, b.inspect(&id, &p, INSPECT_LIMIT).await) });
        }
        let mut states = vec![BuilderState::default(); tasks.len()];
        while let Some(Ok((i, st))) = tasks.join_next().await {
            states[i] = st;
        }
        states
    }))
}

fn state_text(st: &BuilderState) -> String {
    if st.reachable {
        "reachable".into()
    } else {
        format!(
            "unreachable: {}",
            st.reason.as_deref().unwrap_or("no answer")
        )
    }
}

fn table_of(config: &BakeConfig, states: &[BuilderState]) -> String {
    let mut rows = vec![[
        "PROJECT",
        "BUILDER",
        "STATE",
        "PLATFORMS",
        "BUILDKIT",
        "MAX-PARALLELISM",
        "REGISTRY",
        "CACHE",
    ]
    .map(String::from)
    .to_vec()];
    for ((id, p), st) in config.projects.iter().zip(states) {
        rows.push(vec![
            id.clone(),
            BuilderKey::of(p).to_string(),
            state_text(st),
            if st.platforms.is_empty() {
                "-".into()
            } else {
                st.platforms.join(",")
            },
            st.buildkit.clone().unwrap_or_else(|| "-".into()),
            p.max_parallelism
                .map_or_else(|| "unlimited".into(), |n| n.to_string()),
            p.registry.clone().unwrap_or_else(|| "-".into()),
            p.cache_repository()
                .map_or_else(|| "builder".into(), |r| format!("registry {r}")),
        ]);
    }
    table(&rows)
}

fn json(config: &BakeConfig, states: &[BuilderState]) -> String {
    let list: Vec<serde_json::Value> = config
        .projects
        .iter()
        .zip(states)
        .map(|((id, p), st)| {
            serde_json::json!({
                "id": id,
                "builder": BuilderKey::of(p).to_string(),
                "reachable": st.reachable,
                "reason": st.reason,
                "platforms": st.platforms,
                "buildkitVersion": st.buildkit,
                "maxParallelism": p.max_parallelism,
                "registry": p.registry,
                "registryCache": p.cache_repository(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
