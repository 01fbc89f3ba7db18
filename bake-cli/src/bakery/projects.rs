//! `bakery projects list`: each project of bake.toml with its builder and what the builder
//! reports (`docker buildx inspect --bootstrap`, all projects at once).

use std::sync::Arc;
use std::time::Duration;

use bake_dispatch::buildx::{BuilderState, BuildxBackend};
use bake_dispatch::{BakeConfig, BuilderSpec, DispatchOptions, ProjectConfig};

use super::TableOrJson;
use crate::summary::table;
use crate::{Context, Failure};

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
    let rows = rows_of(&config);
    let states = inspect_all(&rows, cx)?;
    let text = match a.output {
        TableOrJson::Json => json(&rows, &states),
        TableOrJson::Table => table_of(&rows, &states),
    };
    crate::write_out(cx.stdout, &text)?;
    Ok(0)
}

/// One line of the list: a project and one of its builders (a fleet has one per node).
struct Row {
    id: String,
    project: ProjectConfig,
    /// The node's number (from 1) in a fleet.
    node: Option<usize>,
    spec: BuilderSpec,
}

/// The projects' builders, in the configuration's order (by id, then node).
fn rows_of(config: &BakeConfig) -> Vec<Row> {
    let options = DispatchOptions {
        config: config.clone(),
        ..DispatchOptions::default()
    };
    let mut rows = Vec::new();
    for (id, p) in &config.projects {
        let fleet = !p.nodes.is_empty();
        for (k, spec) in options.builders_of(id).into_iter().enumerate() {
            rows.push(Row {
                id: id.clone(),
                project: p.clone(),
                node: fleet.then_some(k + 1),
                spec,
            });
        }
    }
    rows
}

/// Every builder's state, in the order of `rows`.
fn inspect_all(rows: &[Row], cx: &Context<'_>) -> Result<Vec<BuilderState>, Failure> {
    let Ok(backend) = BuildxBackend::new(cx.env.clone(), cx.cwd.clone()) else {
        let st = BuilderState {
            reason: Some("`docker` was not found in PATH".into()),
            ..BuilderState::default()
        };
        return Ok(vec![st; rows.len()]);
    };
    let backend = Arc::new(backend);
    let projects: Vec<(String, ProjectConfig)> = rows
        .iter()
        .map(|r| (r.spec.name.clone(), r.spec.config.clone()))
        .collect();
    crate::block_on(async {
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
    })
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

fn table_of(rows: &[Row], states: &[BuilderState]) -> String {
    let mut out = vec![[
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
    for (r, st) in rows.iter().zip(states) {
        let limit = r.spec.limit.or(r.project.max_parallelism);
        // A node builds natively the platforms it lists; the builder reports what it can run.
        let platforms = if r.spec.platforms.is_empty() {
            st.platforms.join(",")
        } else {
            r.spec.platforms.join(",")
        };
        out.push(vec![
            match r.node {
                Some(k) => format!("{} (node {k})", r.id),
                None => r.id.clone(),
            },
            r.spec.key.to_string(),
            state_text(st),
            if platforms.is_empty() {
                "-".into()
            } else {
                platforms
            },
            st.buildkit.clone().unwrap_or_else(|| "-".into()),
            limit.map_or_else(|| "unlimited".into(), |n| n.to_string()),
            r.project.registry.clone().unwrap_or_else(|| "-".into()),
            r.project
                .cache_repository()
                .map_or_else(|| "builder".into(), |c| format!("registry {c}")),
        ]);
    }
    table(&out)
}

fn json(rows: &[Row], states: &[BuilderState]) -> String {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .zip(states)
        .map(|(r, st)| {
            serde_json::json!({
                "id": r.id,
                "node": r.node,
                "builder": r.spec.key.to_string(),
                "reachable": st.reachable,
                "reason": st.reason,
                "platforms": st.platforms,
                "nativePlatforms": r.spec.platforms,
                "buildkitVersion": st.buildkit,
                "maxParallelism": r.spec.limit.or(r.project.max_parallelism),
                "registry": r.project.registry,
                "registryCache": r.project.cache_repository(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
