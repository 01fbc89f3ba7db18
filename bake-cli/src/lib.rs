//! The `bake` command: argument handling, file discovery and wiring of the frontends and
//! the engine. Everything outside (arguments, environment, working directory, standard
//! streams) comes in through [`Context`], so tests can run the whole command in-process.

pub mod args;
mod build;
mod progress;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Parser;

use crate::args::Args;
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
    /// Whether stdin is a terminal: bake may ask a question there (granting entitlements).
    pub interactive: bool,
    /// The current time as Unix seconds and nanoseconds (for `timestamp()`).
    pub now: Option<(i64, u32)>,
    /// Randomness for `uuidv4()` and `bcrypt()` salts.
    pub seed: u64,
}

/// Runs `bake` with these arguments (the first is the program name); returns the exit code.
pub fn run(argv: Vec<String>, cx: &mut Context<'_>) -> i32 {
    let args = match Args::try_parse_from(&argv) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(cx.stderr, "{text}");
            } else {
                let _ = write!(cx.stdout, "{text}");
            }
            return code;
        }
    };
    let mut rep = Reporter::new(cx.color);
    match execute(&args, &argv, cx, &mut rep) {
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
    let mut list = args.list.clone();
    if list.is_none() {
        if args.list_targets {
            list = Some("targets".into());
        } else if args.list_variables {
            list = Some("variables".into());
        }
    }
    if args.print && list.is_some() {
        return Err(fail("--print and --list are mutually exclusive", None));
    }
    let list_opts = match &list {
        Some(l) => Some(bake_core::parse_list(l).map_err(|e| Box::new(e) as Failure)?),
        None => None,
    };

    let mut vars = BTreeMap::new();
    for v in &args.vars {
        if v.is_empty() {
            continue;
        }
        let Some((k, val)) = v.split_once('=') else {
            return Err(fail(
                format!("invalid variable {v:?}, expected key=value"),
                None,
            ));
        };
        if k.is_empty() {
            return Err(fail(format!("invalid variable {v:?}, key is empty"), None));
        }
        vars.insert(k.to_string(), val.to_string());
    }

    // Files: -f, else BUILDX_BAKE_FILE, else the default names. Compose files load before
    // HCL ones, as buildx merges them into the configuration first.
    let mut bake = bake::discover(cx.cwd.clone(), cx.env.clone())
        .stdin(&mut *cx.stdin)
        .clock(cx.now)
        .seed(cx.seed)
        .record_origins(args.explain.is_some())
        .render_variables(list_opts.is_some());
    for f in &args.files {
        bake = bake.file(f.clone());
    }
    for (k, v) in vars {
        bake = bake.var(k, v);
    }
    let project = bake.load().map_err(|e| Box::new(e) as Failure)?;
    let mut project = project;
    for w in std::mem::take(&mut project.warnings) {
        rep.warn(w);
    }

    if let Some(lo) = list_opts {
        let input = match lo.kind {
            bake_core::ListType::Targets => bake_core::ListInput::Targets(&project.config),
            bake_core::ListType::Variables => bake_core::ListInput::Variables(&project.variables),
        };
        let out = bake_core::render_list(lo, input);
        write_out(cx.stdout, &out)?;
        return Ok(0);
    }

    let flags = bake_core::Flags {
        load: args.load,
        push: args.push,
        pull: args.pull,
        no_cache: args.no_cache,
        provenance: args.provenance.clone(),
        sbom: args.sbom.clone(),
        call: args.call.clone(),
        check: args.check,
    };
    if let Some(c) = &args.call {
        bake_core::parse_call_func(c).map_err(|e| Box::new(e) as Failure)?;
    }
    // `--explain app.tags`: the target is `app`, the field `tags`.
    let explain_only: Vec<(String, Option<String>)> = if args.explain.is_some() {
        args.targets
            .iter()
            .map(|t| match t.split_once('.') {
                Some((n, f)) => (n.to_string(), Some(f.to_string())),
                None => (t.clone(), None),
            })
            .collect()
    } else {
        Vec::new()
    };
    let targets: Vec<String> = if args.explain.is_some() {
        let mut names: Vec<String> = Vec::new();
        for (n, _) in &explain_only {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        names
    } else {
        args.targets.clone()
    };
    let request = bake::Request {
        targets,
        overrides: args.set.clone(),
        flags,
    };
    let resolved = project
        .resolve_request(&request)
        .map_err(|e| Box::new(e) as Failure)?;
    for w in &resolved.warnings {
        rep.warn_text(w.clone());
    }
    if let Some(format) = &args.explain {
        let json = match format.as_str() {
            "" | "text" => false,
            "json" => true,
            other => {
                return Err(fail(
                    format!("unknown explain format {other:?}"),
                    Some("use --explain (text) or --explain=json".into()),
                ))
            }
        };
        // Unknown fields: an error that lists the known ones.
        if let Some((t, f)) = explain_only.iter().find_map(|(t, f)| {
            f.as_ref()
                .filter(|f| !bake_core::explain::FIELDS.contains(&f.as_str()))
                .map(|f| (t, f))
        }) {
            return Err(fail(
                format!("target {t} has no field {f:?}"),
                Some(format!(
                    "fields are the keys `bake --print {t}` shows: {}",
                    bake_core::explain::FIELDS.join(", ")
                )),
            ));
        }
        if args.print {
            write_out(cx.stdout, &resolved.to_print_json())?;
        }
        let format = if json {
            bake_core::explain::Format::Json
        } else {
            bake_core::explain::Format::Text
        };
        match bake_core::explain::write(
            cx.stdout,
            format,
            &resolved,
            &project.config,
            &project.sources,
            &project.facts,
            &explain_only,
        ) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(fail(format!("failed to write output: {e}"), None)),
        }
        // About to exit: skip freeing everything piece by piece.
        std::mem::forget((project, resolved));
        return Ok(0);
    }
    if let Some(format) = &args.graph {
        let format = bake_core::graph::GraphFormat::parse(format).map_err(|e| fail(e, None))?;
        let graph = build::graph_of(&project, resolved, args)?;
        write_out(cx.stdout, &graph.render(format))?;
        std::mem::forget((project, graph));
        return Ok(0);
    }
    if args.print {
        write_out(cx.stdout, &resolved.to_print_json())?;
        // The process is about to exit: freeing thousands of small values one by one would
        // only cost time.
        std::mem::forget((project, resolved));
        return Ok(0);
    }
    build::build(&project, resolved, args, argv, cx, rep)
}

pub(crate) fn write_out(w: &mut dyn Write, s: &str) -> Result<(), Failure> {
    match w.write_all(s.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(format!("failed to write output: {e}"), None)),
    }
}
