//! The `bakery` command: Depot's CLI shape over the same code as `bake`. `bakery bake ...` is
//! `bake ...`; the other subcommands work on the project configuration (`bake.toml`), the
//! working directory's `depot.json` and the build history.

mod build;
mod builds;
mod cache;
mod init;
mod projects;
mod saved;

use clap::{Parser, Subcommand, ValueEnum};

use crate::args::Args;
use crate::{Context, Failure};
use bake::Reporter;

/// Depot's CLI, self-hosted: builds bake files on your own BuildKit builders, one per project
/// of bake.toml, and keeps a local history of the builds.
// Doc comments here are help texts: no Markdown backticks around BuildKit.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Parser)]
#[command(
    name = "bakery",
    version,
    disable_help_subcommand = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Bakery {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build targets of a bake file: exactly `bake` (a drop-in for `docker buildx bake`)
    Bake(Box<Args>),
    /// Build one Dockerfile: the flags of `docker buildx build`, plus --project, --save and
    /// --lint
    Build(Box<build::BuildArgs>),
    /// Pin the current directory to a project: writes depot.json
    Init(init::InitArgs),
    /// Show the projects of bake.toml and their builders
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// List recorded builds
    #[command(subcommand)]
    List(ListCommand),
    /// Pull a saved build into the local Docker engine
    Pull(saved::PullArgs),
    /// Copy a saved build, every platform and attestation, to another repository
    Push(saved::PushArgs),
    /// Manage a project's build cache
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print a shell completion script (for bakery, or with --bin bake for bake)
    Completion(CompletionArgs),
}

#[allow(clippy::doc_markdown)]
#[derive(Debug, Subcommand)]
enum ProjectsCommand {
    /// Each project with its builder, state, platforms, BuildKit version, parallelism and
    /// registry
    List(projects::ListArgs),
}

#[derive(Debug, Subcommand)]
enum CacheCommand {
    /// Empty the project's cache: its next build starts cold on its builder
    Reset(cache::ResetArgs),
}

#[derive(Debug, Subcommand)]
enum ListCommand {
    /// Recorded builds, newest first
    Builds(builds::ListArgs),
}

/// A shell to complete in.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Which binary a completion script is for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Binary {
    Bakery,
    Bake,
}

#[derive(Debug, clap::Args)]
struct CompletionArgs {
    /// The shell
    shell: Shell,
    /// The command to complete (bakery, or bake)
    #[arg(long = "bin", value_name = "NAME", default_value = "bakery")]
    bin: Binary,
}

/// Runs `bakery` with these arguments (the first is the program name); returns the exit code.
pub fn run(argv: &[String], cx: &mut Context<'_>) -> i32 {
    let parsed = match Bakery::try_parse_from(argv) {
        Ok(p) => p,
        Err(e) => return crate::clap_exit(&e, cx),
    };
    if let Command::Bake(args) = &parsed.command {
        return crate::run_args(args, argv, cx);
    }
    let mut rep = Reporter::new(cx.color);
    let result = match parsed.command {
        Command::Bake(_) => unreachable!("handled above"),
        Command::Init(a) => init::run(&a, cx, &mut rep),
        Command::Projects(ProjectsCommand::List(a)) => projects::run(&a, cx),
        Command::List(ListCommand::Builds(a)) => builds::run(&a, cx),
        Command::Build(a) => build::run(&a, argv, cx, &mut rep),
        Command::Pull(a) => saved::pull(&a, cx),
        Command::Push(a) => saved::push(&a, cx),
        Command::Cache(CacheCommand::Reset(a)) => cache::reset(&a, cx),
        Command::Completion(a) => completion(&a, cx),
    };
    rep.flush(cx.stderr);
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = write!(cx.stderr, "{}", rep.render(e.as_ref()));
            1
        }
    }
}

fn completion(a: &CompletionArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    use clap::CommandFactory;
    let (mut cmd, name) = match a.bin {
        Binary::Bakery => (Bakery::command(), "bakery"),
        Binary::Bake => (Args::command(), "bake"),
    };
    let mut out = Vec::new();
    let shell = match a.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    crate::write_out(cx.stdout, &String::from_utf8_lossy(&out))?;
    Ok(0)
}

/// The configuration (`--config`, else the one found from the working directory), and its
/// file as messages name it (relative to the working directory when inside it).
fn load_config(
    flag: Option<&str>,
    cx: &Context<'_>,
) -> Result<(bake_dispatch::BakeConfig, String), Failure> {
    use bake_dispatch::BakeConfig;
    let path = BakeConfig::locate(flag, &cx.env, &cx.cwd).map_err(|e| e as Failure)?;
    match path {
        Some(p) => {
            let shown = p
                .strip_prefix(&cx.cwd)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string());
            let config = BakeConfig::load(&p, &shown).map_err(|e| e as Failure)?;
            Ok((config, shown))
        }
        None => Ok((BakeConfig::default(), "bake.toml".into())),
    }
}

/// The project a command works on: `--project`, else `DEPOT_PROJECT_ID`, else the id of
/// `depot.json` in the working directory, as for builds.
fn project_default(flag: Option<&str>, cx: &Context<'_>) -> Result<Option<String>, Failure> {
    let d = bake_core::api::ProjectDefaults::discover(flag, &cx.env, &cx.cwd)
        .map_err(|e| crate::fail(e, Some("fix depot.json, or pass --project".into())))?;
    Ok(d.flag.or(d.env).or(d.depot_json))
}

/// How `list builds` and `projects list` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Table,
    Json,
    Csv,
}

/// The output of `projects list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableOrJson {
    Table,
    Json,
}
