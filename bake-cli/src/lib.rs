//! The `bake` command: argument handling, file discovery and wiring of the frontends and
//! the engine. Everything outside (arguments, environment, working directory, standard
//! streams) comes in through [`Context`], so tests can run the whole command in-process.

pub mod args;
pub mod bakery;
mod build;
mod invocation;
mod lint;
mod progress;
mod record;
mod summary;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::args::Args;
use crate::invocation::{Invocation, Mode};
use bake::Reporter;

/// The process context of one invocation.
pub struct Context<'a> {
    /// The environment variables.
    pub env: BTreeMap<String, String>,
    /// The working directory.
    pub cwd: PathBuf,
    /// Standard input (for `-f -`).
    pub stdin: &'a mut dyn Read,
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal (colours, unicode).
    pub color: bool,
    /// Whether stdin is a terminal: bake may ask a question there (granting entitlements,
    /// `bakery init`'s choice of project).
    pub interactive: bool,
    /// Whether stdout is a terminal (`bakery list builds` prints a table there, CSV else).
    pub stdout_terminal: bool,
    /// The time the invocation started, as Unix seconds and nanoseconds (for `timestamp()`
    /// and the build id).
    pub now: Option<(i64, u32)>,
    /// The clock, for the times the build history records as builds start and end.
    pub clock: fn() -> Option<(i64, u32)>,
    /// Randomness for `uuidv4()` and `bcrypt()` salts.
    pub seed: u64,
}

/// Runs `bake` with these arguments (the first is the program name); returns the exit code.
pub fn run(argv: &[String], cx: &mut Context<'_>) -> i32 {
    match Args::try_parse_from(argv) {
        Ok(args) => run_args(&args, argv, cx),
        Err(e) => clap_exit(&e, cx),
    }
}

/// Prints clap's message (help and version on stdout, errors on stderr); the exit code.
pub(crate) fn clap_exit(e: &clap::Error, cx: &mut Context<'_>) -> i32 {
    let code = i32::from(e.use_stderr());
    let text = e.render().to_string();
    if e.use_stderr() {
        let _ = write!(cx.stderr, "{text}");
    } else {
        let _ = write!(cx.stdout, "{text}");
    }
    code
}

/// Runs `bake` with parsed arguments; `argv` is the command line as typed (for messages and
/// the history).
pub(crate) fn run_args(args: &Args, argv: &[String], cx: &mut Context<'_>) -> i32 {
    let mut rep = Reporter::new(cx.color);
    match execute(args, argv, cx, &mut rep) {
        Ok(code) => {
            rep.flush(cx.stderr);
            code
        }
        Err(e) => {
            rep.flush(cx.stderr);
            let _ = write!(cx.stderr, "{}", rep.render(e.as_ref()));
            1
        }
    }
}

pub(crate) type Failure = Box<dyn miette::Diagnostic + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct CliError {
    message: String,
    #[help]
    help: Option<String>,
}

pub(crate) fn fail(message: impl Into<String>, help: Option<String>) -> Failure {
    Box::new(CliError {
        message: message.into(),
        help,
    })
}

fn execute(
    args: &Args,
    argv: &[String],
    cx: &mut Context<'_>,
    rep: &mut Reporter,
) -> Result<i32, Failure> {
    let inv = Invocation::new(args)?;
    let explaining = matches!(inv.mode, Mode::Explain { .. });
    // Files: -f, else BUILDX_BAKE_FILE, else the default names; with a remote definition,
    // those names are read from it, except `cwd://` ones.
    let (base, remote_input) = match &inv.remote {
        None => {
            let files = args.files.iter().cloned();
            let b = bake::discover(cx.cwd.clone(), cx.env.clone());
            (files.fold(b, bake_core::api::Bake::file), None)
        }
        Some(url) => {
            let (b, input) = remote_definition(url, args, cx)?;
            (b, Some(input))
        }
    };
    let mut bake = base
        .cmd_context(inv.cmd_context.clone())
        .stdin(&mut *cx.stdin)
        .clock(cx.now)
        .seed(cx.seed)
        .record_origins(explaining)
        .render_variables(matches!(inv.mode, Mode::List(_)));
    for (k, v) in inv.vars {
        bake = bake.var(k, v);
    }
    let mut project = bake.load().map_err(|e| Box::new(e) as Failure)?;
    for w in std::mem::take(&mut project.warnings) {
        rep.warn(w);
    }

    if let Mode::List(lo) = inv.mode {
        write_out(cx.stdout, &list(&project, lo))?;
        return Ok(0);
    }

    let request = bake::Request {
        targets: inv.targets,
        overrides: args.set.clone(),
        flags: inv.flags,
    };
    if let Mode::Print = inv.mode {
        let printed = project
            .print_request(&request)
            .map_err(|e| Box::new(e) as Failure)?;
        for w in printed.warnings() {
            rep.warn(w.clone());
        }
        // Streamed: the document of a large file need not be held whole.
        let written = printed
            .write(&mut *cx.stdout)
            .and_then(|()| cx.stdout.flush());
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(fail(format!("failed to write output: {e}"), None)),
        }
        // The process is about to exit: freeing thousands of small values one by one
        // would only cost time.
        std::mem::forget((project, printed));
        return Ok(0);
    }
    let resolved = project
        .resolve_request(&request)
        .map_err(|e| Box::new(e) as Failure)?;
    for w in &resolved.warnings {
        rep.warn(w.clone());
    }
    match inv.mode {
        Mode::List(_) => unreachable!("listed before resolving"),
        Mode::Explain {
            format,
            only,
            print,
        } => {
            if print {
                write_out(cx.stdout, &resolved.to_print_json())?;
            }
            match bake_core::api::explain::write(
                cx.stdout,
                format,
                &resolved,
                &project.config,
                &project.sources,
                &project.facts,
                &only,
            ) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(fail(format!("failed to write output: {e}"), None)),
            }
            // About to exit: skip freeing everything piece by piece.
            std::mem::forget((project, resolved));
            Ok(0)
        }
        Mode::Graph(format) => {
            let resolved = rebased(resolved, remote_input.as_ref(), &cx.env)?;
            let graph = build::graph_of(&project, resolved, args)?;
            write_out(cx.stdout, &graph.render(format))?;
            std::mem::forget((project, graph));
            Ok(0)
        }
        Mode::Print => unreachable!("printed before resolving"),
        Mode::Build => {
            let resolved = rebased(resolved, remote_input.as_ref(), &cx.env)?;
            build::build(&project, resolved, args, argv, cx, rep, None)
        }
    }
}

/// `--list`: the targets or variables as written, before resolving.
fn list(project: &bake_core::api::Project, lo: bake_core::api::ListOptions) -> String {
    let input = match lo.kind {
        bake_core::api::ListType::Targets => bake_core::api::ListInput::Targets(&project.config),
        bake_core::api::ListType::Variables => {
            bake_core::api::ListInput::Variables(&project.variables)
        }
    };
    bake_core::api::render_list(lo, input)
}

/// Reads a remote definition (`bake URL ...`): the `-f` names (or `BUILDX_BAKE_FILE`'s)
/// from the source, except `cwd://` ones, read locally after them, as buildx does. The
/// fetched copy is removed once the files are read.
fn remote_definition<'i>(
    url: &str,
    args: &Args,
    cx: &Context<'_>,
) -> Result<(bake_core::api::Bake<'i>, bake_dispatch::remote::RemoteInput), Failure> {
    let names = if args.files.is_empty() {
        bake_core::api::EnvPolicy::from_env(&cx.env)
            .map_err(|e| Box::new(e) as Failure)?
            .bake_files
    } else {
        args.files.clone()
    };
    let (local, remote): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|n| n.starts_with("cwd://"));
    let work = build::WorkDir::create(cx)?;
    let def = bake_dispatch::remote::fetch(
        url,
        &remote,
        args.builder.as_deref(),
        &cx.env,
        &cx.cwd,
        &work.0,
    )
    .map_err(|e| Box::new(e) as Failure)?;
    let mut b = bake::new(cx.cwd.clone()).env(cx.env.clone());
    for (name, text) in def.files {
        b = b.source(name, text);
    }
    for l in local {
        b = b.file(l);
    }
    drop(work);
    Ok((b, def.input))
}

/// The targets with their relative contexts pointing into the remote definition's source.
fn rebased(
    mut resolved: bake_core::api::Resolved,
    remote: Option<&bake_dispatch::remote::RemoteInput>,
    env: &BTreeMap<String, String>,
) -> Result<bake_core::api::Resolved, Failure> {
    if let Some(r) = remote {
        r.rebase(&mut resolved, env)
            .map_err(|e| Box::new(e) as Failure)?;
    }
    Ok(resolved)
}

/// Runs `f` to its end on a runtime of this thread.
pub(crate) fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}"), None))?;
    Ok(runtime.block_on(f))
}

/// Asks `prompt` on standard error and reads the answer, one line of standard input (without
/// its line ending; read byte by byte, so nothing after it is consumed).
pub(crate) fn ask(prompt: &str, cx: &mut Context<'_>) -> String {
    let _ = cx.stderr.write_all(prompt.as_bytes());
    let _ = cx.stderr.flush();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = cx.stdin.read(&mut byte) {
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8_lossy(&line)
        .trim_end_matches('\r')
        .to_string()
}

/// The directory for scratch files: `TMPDIR` of the environment bake was given, else `/tmp`.
pub(crate) fn temp_base(env: &BTreeMap<String, String>) -> PathBuf {
    env.get("TMPDIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from)
}

pub(crate) fn write_out(w: &mut dyn Write, s: &str) -> Result<(), Failure> {
    match w.write_all(s.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(format!("failed to write output: {e}"), None)),
    }
}
