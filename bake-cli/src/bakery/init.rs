//! `bakery init`: writes `depot.json` (`{"id":"…"}`, as Depot writes it) in the working
//! directory, pinning it to a project: the one `--project` names, else one picked on the
//! terminal from bake.toml's projects.

use bake_dispatch::BakeConfig;

use crate::{fail, Context, Failure};
use bake::Reporter;

#[derive(Debug, clap::Args)]
pub(super) struct InitArgs {
    /// The project to pin this directory to (default: pick one of bake.toml's)
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// Overwrite an existing depot.json
    #[arg(long)]
    force: bool,
    /// Builder configuration file (default: `BAKE_CONFIG`, ./bake.toml, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
}

pub(super) fn run(a: &InitArgs, cx: &mut Context<'_>, rep: &mut Reporter) -> Result<i32, Failure> {
    let file = cx.cwd.join("depot.json");
    if !a.force && (file.exists() || file.is_symlink()) {
        return Err(fail(
            format!("depot.json already exists in {}", cx.cwd.display()),
            Some("re-run with --force to overwrite it".into()),
        ));
    }
    let (config, name) = super::load_config(a.config.as_deref(), cx)?;
    let id = match &a.project {
        Some(p) if p.trim().is_empty() => {
            return Err(fail(
                "--project needs a project id",
                Some(available(&config, &name)),
            ))
        }
        Some(p) => {
            if !config.projects.contains_key(p) && !config.projects.is_empty() {
                let mut help = format!(
                    "builds of project {p} will use the local Docker's default builder until {name} configures it"
                );
                if let Some(near) = bake_core::api::frontend::did_you_mean(
                    p,
                    config.projects.keys().map(String::as_str),
                ) {
                    help = format!("{near}; {help}");
                }
                rep.warn(bake_core::api::Warning::from_diagnostic(fail(
                    format!("project {p} is not in {name}"),
                    Some(help),
                )));
            }
            p.clone()
        }
        None => pick(&config, &name, cx)?,
    };
    let text = format!("{}\n", serde_json::json!({ "id": id }));
    std::fs::write(&file, text)
        .map_err(|e| fail(format!("cannot write {}: {e}", file.display()), None))?;
    crate::write_out(
        cx.stdout,
        &format!(
            "Project {id} initialized in directory {}\n",
            cx.cwd.display()
        ),
    )?;
    Ok(0)
}

/// The projects to choose from, for messages.
fn available(config: &BakeConfig, name: &str) -> String {
    if config.projects.is_empty() {
        return format!(
            "{name} configures no project: add one ([projects.ID] with builder, docker-host or endpoint), or pass --project ID"
        );
    }
    let ids: Vec<&str> = config.projects.keys().map(String::as_str).collect();
    format!(
        "pass --project with one of the projects of {}: {}",
        name,
        ids.join(", ")
    )
}

/// Asks on the terminal which of the configured projects to use.
fn pick(config: &BakeConfig, name: &str, cx: &mut Context<'_>) -> Result<String, Failure> {
    if config.projects.is_empty() {
        return Err(fail(
            "no project to initialize",
            Some(available(config, name)),
        ));
    }
    if !cx.interactive {
        return Err(fail(
            "no --project given, and standard input is not a terminal to choose one on",
            Some(available(config, name)),
        ));
    }
    let ids: Vec<&String> = config.projects.keys().collect();
    let mut prompt = format!("Projects in {name}:\n");
    for (k, id) in ids.iter().enumerate() {
        let p = &config.projects[*id];
        let builder = if p.nodes.is_empty() {
            bake_dispatch::BuilderKey::of(p).to_string()
        } else {
            format!("a fleet of {} nodes", p.nodes.len())
        };
        prompt.push_str(&format!("  {}) {id}  ({builder})\n", k + 1));
    }
    prompt.push_str(&format!("Choose a project [1-{}]: ", ids.len()));
    let answer = crate::ask(&prompt, cx).trim().to_string();
    let chosen = answer
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|n| ids.get(n))
        .map(|s| (*s).clone())
        .or_else(|| ids.iter().find(|id| **id == &answer).map(|s| (*s).clone()));
    chosen.ok_or_else(|| {
        fail(
            format!(
                "no project {answer:?}: answer with a number from 1 to {}",
                ids.len()
            ),
            Some(available(config, name)),
        )
    })
}
