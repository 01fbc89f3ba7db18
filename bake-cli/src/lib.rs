//! The `bake` command: argument handling, file discovery and wiring of the frontends and
//! the engine. Everything outside (arguments, environment, working directory, standard
//! streams) comes in through [`Context`], so tests can run the whole command in-process.

pub mod args;
mod files;
mod render;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use bake_core::source::SourceMap;
use clap::Parser;

use crate::args::Args;
use crate::files::{discover, FileKind};
use crate::render::Reporter;

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
    /// The current time as Unix seconds and nanoseconds (for `timestamp()`).
    pub now: Option<(i64, u32)>,
    /// Randomness for `uuidv4()` and `bcrypt()` salts.
    pub seed: u64,
}

/// Runs `bake` with these arguments (the first is the program name); returns the exit code.
pub fn run(argv: Vec<String>, cx: &mut Context<'_>) -> i32 {
    let args = match Args::try_parse_from(argv) {
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
    match execute(&args, cx, &mut rep) {
        Ok(()) => {
            rep.flush(cx.stderr);
            0
        }
        Err(e) => {
            rep.flush(cx.stderr);
            let _ = write!(cx.stderr, "{}", rep.render(e.as_ref()));
            1
        }
    }
}

type Failure = Box<dyn miette::Diagnostic + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct CliError {
    message: String,
    #[help]
    help: Option<String>,
}

fn fail(message: impl Into<String>, help: Option<String>) -> Failure {
    Box::new(CliError {
        message: message.into(),
        help,
    })
}

fn env_bool(env: &BTreeMap<String, String>, key: &str) -> Result<bool, Failure> {
    match env.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(v) => Err(fail(format!("failed to parse {key} value {v:?}"), None)),
    }
}

fn execute(args: &Args, cx: &mut Context<'_>, rep: &mut Reporter) -> Result<(), Failure> {
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

    // Files: -f, else BUILDX_BAKE_FILE, else the default names.
    let mut sources = SourceMap::default();
    let files = discover(&args.files, &cx.env, &cx.cwd, cx.stdin, &mut sources)?;
    if files.is_empty() {
        return Err(fail(
            "couldn't find a bake definition",
            Some("create a docker-bake.hcl, or name a file with `-f FILE`".into()),
        ));
    }

    let env_lookup = !env_bool(&cx.env, "BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP")?;
    let mut bodies = Vec::new();
    let mut compose_ids = Vec::new();
    for f in &files {
        match f.kind {
            FileKind::Hcl | FileKind::Json => {
                let syntax = if f.kind == FileKind::Json {
                    bake_hcl::Syntax::Json
                } else {
                    bake_hcl::Syntax::Hcl
                };
                let body = bake_hcl::parse(&sources, f.id, syntax)
                    .map_err(|e| Box::new(e.attach(&sources)) as Failure)?;
                bodies.push(body);
            }
            FileKind::Compose => compose_ids.push(f.id),
        }
    }
    // Compose files load first (buildx merges them into the configuration before HCL).
    let copts = bake_compose::ComposeOptions {
        env: cx.env.clone(),
        vars: vars.clone(),
        env_lookup,
        cwd: cx.cwd.clone(),
    };
    let composed =
        bake_compose::load(&sources, &compose_ids, &copts).map_err(|e| Box::new(e) as Failure)?;
    for w in composed.warnings {
        rep.warn(Box::new(w));
    }

    let mut builtins = BTreeMap::new();
    builtins.insert("BAKE_CMD_CONTEXT".to_string(), "cwd://".to_string());
    builtins.insert("BAKE_LOCAL_PLATFORM".to_string(), local_platform());
    let opts = bake_hcl::LoadOptions {
        env: cx.env.clone(),
        vars,
        env_lookup,
        builtins,
        fn_env: bake_hcl::functions::FnEnv {
            now: cx.now,
            home: cx.env.get("HOME").cloned(),
            cwd: Some(cx.cwd.to_string_lossy().into_owned()),
            seed: cx.seed,
            draws: std::sync::Arc::default(),
        },
        render_variables: list.is_some(),
    };
    let loaded = bake_hcl::load(&bodies, &sources, &opts)
        .map_err(|e| Box::new(e.attach(&sources)) as Failure)?;
    for w in loaded.warnings {
        rep.warn(Box::new(w.attach(&sources)));
    }
    let mut config = composed.config;
    config.groups.extend(loaded.config.groups);
    config.targets.extend(loaded.config.targets);

    if let Some(lo) = list_opts {
        let vars: Vec<bake_core::VariableInfo> = loaded
            .variables
            .iter()
            .map(|v| bake_core::VariableInfo {
                name: v.name.clone(),
                value: v.value.clone(),
                type_name: v.type_name.clone(),
                description: v.description.clone(),
            })
            .collect();
        let input = match lo.kind {
            bake_core::ListType::Targets => bake_core::ListInput::Targets(&config),
            bake_core::ListType::Variables => bake_core::ListInput::Variables(&vars),
        };
        let out = bake_core::render_list(lo, input);
        write_out(cx.stdout, &out)?;
        return Ok(());
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
    let mut overrides = args.set.clone();
    overrides.extend(flags.to_overrides());
    let file_relative_paths = env_bool(&cx.env, "BUILDX_BAKE_FILE_RELATIVE_PATHS")?;
    let ropts = bake_core::ResolveOptions {
        targets: args.targets.clone(),
        overrides,
        env: &cx.env,
        cwd: cx.cwd.clone(),
        file_relative_paths,
    };
    let resolved = bake_core::resolve(&config, &ropts).map_err(|e| Box::new(e) as Failure)?;
    for w in &resolved.warnings {
        rep.warn(fail(w.clone(), None));
    }
    if args.print {
        write_out(cx.stdout, &resolved.to_print_json())?;
        // The process is about to exit: freeing thousands of small values one by one would
        // only cost time.
        std::mem::forget((bodies, config, resolved, sources));
        return Ok(());
    }
    Err(fail(
        "building is not available yet: only --print and --list work in this version",
        Some("run `bake --print` to see the resolved definition".into()),
    ))
}

fn write_out(w: &mut dyn Write, s: &str) -> Result<(), Failure> {
    match w.write_all(s.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(format!("failed to write output: {e}"), None)),
    }
}

/// The platform of this machine, as `BAKE_LOCAL_PLATFORM` shows it (`linux/amd64`).
fn local_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm/v7",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!("{os}/{arch}")
}
