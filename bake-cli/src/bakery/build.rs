//! `bakery build`: one Dockerfile build with the flags of `docker buildx build`, run as a bake
//! definition of one target (`build`) through the same graph, project routing, dispatcher and
//! history as `bake`. Paths named on the command line are read as `docker buildx build` reads
//! them: relative to the working directory, and granted (buildx build asks nothing for them).

use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{json, Map, Value};

use crate::args::Args;
use crate::build::{LintFailOn, Single};
use crate::invocation::Invocation;
use crate::{fail, Context, Failure};
use bake::Reporter;

/// The name of the one target of a `bakery build`.
pub(crate) const TARGET: &str = "build";

// Doc comments here are help texts: no Markdown backticks.
#[allow(clippy::doc_markdown)]
#[derive(Debug, clap::Args)]
pub(super) struct BuildArgs {
    /// The build context: a directory, a Git or HTTP URL, or - (a Dockerfile on standard
    /// input, no context)
    #[arg(value_name = "PATH | URL | -")]
    context: String,
    /// Name and optionally a tag (format: "name:tag")
    #[arg(short = 't', long = "tag", value_name = "NAME")]
    tags: Vec<String>,
    /// Name of the Dockerfile (default: "PATH/Dockerfile"; - reads standard input)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<String>,
    /// Set target platform for build (repeatable, or comma-separated)
    #[arg(long = "platform", value_name = "PLATFORM")]
    platforms: Vec<String>,
    /// Set build-time variables (KEY=VALUE, or KEY to take it from the environment)
    #[arg(long = "build-arg", value_name = "KEY[=VALUE]")]
    args: Vec<String>,
    /// Set the target build stage to build
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
    /// Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")
    #[arg(long = "secret", value_name = "SECRET")]
    secrets: Vec<String>,
    /// SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")
    #[arg(long = "ssh", value_name = "SSH")]
    ssh: Vec<String>,
    /// Output destination (format: "type=local,dest=path")
    #[arg(short = 'o', long = "output", value_name = "OUTPUT")]
    outputs: Vec<String>,
    /// Shorthand for "--output=type=docker"
    #[arg(long)]
    load: bool,
    /// Shorthand for "--output=type=registry"
    #[arg(long)]
    push: bool,
    /// External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")
    #[arg(long = "cache-from", value_name = "CACHE")]
    cache_from: Vec<String>,
    /// Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")
    #[arg(long = "cache-to", value_name = "CACHE")]
    cache_to: Vec<String>,
    /// Do not use cache when building the image
    #[arg(long = "no-cache")]
    no_cache: bool,
    /// Do not cache specified stages
    #[arg(long = "no-cache-filter", value_name = "STAGE")]
    no_cache_filter: Vec<String>,
    /// Always attempt to pull all referenced images
    #[arg(long)]
    pull: bool,
    /// Additional build contexts (e.g., name=path)
    #[arg(long = "build-context", value_name = "NAME=VALUE")]
    build_contexts: Vec<String>,
    /// Set metadata for an image
    #[arg(long = "label", value_name = "KEY=VALUE")]
    labels: Vec<String>,
    /// Add annotation to the image
    #[arg(long = "annotation", value_name = "ANNOTATION")]
    annotations: Vec<String>,
    /// Attestation parameters (format: "type=sbom,generator=image")
    #[arg(long = "attest", value_name = "ATTEST")]
    attest: Vec<String>,
    /// Shorthand for "--attest=type=provenance"
    #[arg(long, value_name = "VALUE", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    provenance: Option<String>,
    /// Shorthand for "--attest=type=sbom"
    #[arg(long, value_name = "VALUE", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    sbom: Option<String>,
    /// Set the networking mode for the "RUN" instructions during build
    #[arg(long, value_name = "MODE")]
    network: Option<String>,
    /// Add a custom host-to-IP mapping (format: "host:ip" or "host=ip")
    #[arg(long = "add-host", value_name = "HOST:IP")]
    add_hosts: Vec<String>,
    /// Shared memory size for build containers
    #[arg(long = "shm-size", value_name = "BYTES")]
    shm_size: Option<String>,
    /// Ulimit options (e.g., "nofile=1024:1024")
    #[arg(long = "ulimit", value_name = "ULIMIT")]
    ulimits: Vec<String>,
    /// Allow extra privileged entitlement (e.g., "network.host", "security.insecure")
    #[arg(long = "allow", value_name = "ENTITLEMENT")]
    allow: Vec<String>,
    /// Set method for evaluating build ("check", "outline", "targets")
    #[arg(long, value_name = "METHOD")]
    call: Option<String>,
    /// Shorthand for "--call=check"
    #[arg(long)]
    check: bool,
    /// Write the image ID to a file
    #[arg(long, value_name = "FILE")]
    iidfile: Option<String>,
    /// Write build result metadata to a file
    #[arg(long = "metadata-file", value_name = "FILE")]
    metadata_file: Option<String>,
    /// Set type of progress output ("auto", "plain", "tty", "quiet", "rawjson")
    #[arg(long, value_name = "MODE", default_value = "auto")]
    progress: String,
    /// Suppress the build output and print image ID on success
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Override the configured builder instance
    #[arg(long, value_name = "NAME")]
    builder: Option<String>,
    /// Enable debug logging
    #[arg(short = 'D', long)]
    debug: bool,
    /// The project to build in (default: DEPOT_PROJECT_ID, else depot.json's id)
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// Push the image to the project's registry as REGISTRY:BUILD-ID (see bake.toml registry)
    #[arg(long)]
    save: bool,
    /// An additional tag for --save: REGISTRY:SAVE-TAG
    #[arg(long = "save-tag", value_name = "TAG", requires = "save")]
    save_tag: Option<String>,
    /// Check the Dockerfile with BuildKit's rules before building
    #[arg(long)]
    lint: bool,
    /// The lint severity that stops the build: error, warn or none
    #[arg(
        long = "lint-fail-on",
        value_name = "SEVERITY",
        default_value = "error"
    )]
    lint_fail_on: LintFailOn,
    /// Builder configuration file (default: BAKE_CONFIG, bake.toml here or in a parent
    /// directory, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// Print the build plan (the exact buildx command) without building
    #[arg(long = "dry-run")]
    dry_run: bool,
}

pub(super) fn run(
    a: &BuildArgs,
    argv: &[String],
    cx: &mut Context<'_>,
    rep: &mut Reporter,
) -> Result<i32, Failure> {
    let input = Input::read(a, cx)?;
    let json = definition(a, &input, &cx.env, &cx.cwd)?;
    let args = bake_args(a, &input)?;
    let inv = Invocation::new(&args)?;
    let project = bake::new(cx.cwd.clone())
        .env(cx.env.clone())
        .clock(cx.now)
        .seed(cx.seed)
        .source("bakery-build.json", json)
        .load()
        .map_err(|e| Box::new(e) as Failure)?;
    let request = bake::Request {
        targets: vec![TARGET.to_string()],
        overrides: Vec::new(),
        flags: inv.flags,
    };
    let resolved = project
        .resolve_request(&request)
        .map_err(|e| Box::new(e) as Failure)?;
    for w in &resolved.warnings {
        rep.warn(w.clone());
    }
    let single = Single {
        iidfile: a.iidfile.clone(),
        quiet: a.quiet || a.progress == "quiet",
        lint: a.lint.then_some(a.lint_fail_on),
    };
    let code = crate::build::build(&project, resolved, &args, argv, cx, rep, Some(&single));
    drop(input);
    code
}

/// What standard input and the context argument give: the Dockerfile's text when it comes
/// from standard input, and the empty directory that is the context of `-`.
struct Input {
    inline: Option<String>,
    empty_context: Option<PathBuf>,
}

impl Input {
    fn read(a: &BuildArgs, cx: &mut Context<'_>) -> Result<Input, Failure> {
        let stdin_context = a.context == "-";
        if stdin_context && a.file.as_deref() == Some("-") {
            return Err(fail(
                "the context and the Dockerfile cannot both be read from standard input",
                Some("pass a directory as the context, or drop -f -".into()),
            ));
        }
        if !stdin_context && a.file.as_deref() != Some("-") {
            return Ok(Input {
                inline: None,
                empty_context: None,
            });
        }
        let mut bytes = Vec::new();
        cx.stdin
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("cannot read standard input: {e}"), None))?;
        // A tar archive has "ustar" at offset 257.
        if stdin_context && bytes.get(257..262) == Some(b"ustar") {
            return Err(fail(
                "a tar archive on standard input is not supported as a build context",
                Some("extract it and pass the directory as the context".into()),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            fail(
                "the Dockerfile on standard input is not UTF-8 text",
                Some("pass the file with -f".into()),
            )
        })?;
        let empty_context = if stdin_context {
            let d = crate::temp_base(&cx.env).join(format!(
                "bakery-context-{}-{:08x}",
                std::process::id(),
                cx.seed as u32
            ));
            std::fs::create_dir_all(&d).map_err(|e| {
                fail(
                    format!("cannot create an empty context {}: {e}", d.display()),
                    None,
                )
            })?;
            Some(d)
        } else {
            None
        };
        Ok(Input {
            inline: Some(text),
            empty_context,
        })
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(d) = &self.empty_context {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Whether `s` is a remote context (Git or HTTP) rather than a local path.
fn is_remote(s: &str) -> bool {
    bake_dispatch::remote::is_git_url(s) || s.starts_with("http://") || s.starts_with("https://")
}

/// Whether a named context's value is a local path (not an image, a URL or a layout).
fn is_local_path(v: &str) -> bool {
    !v.contains("://") && !is_remote(v) && !v.starts_with("target:")
}

/// `p` made absolute against `cwd`, as `docker buildx build` reads it.
fn absolute(p: &str, cwd: &Path) -> String {
    let path = Path::new(p);
    if path.is_absolute() {
        p.to_string()
    } else {
        cwd.join(path).to_string_lossy().into_owned()
    }
}

/// A string of the definition: bake reads JSON values as templates, so `${` and `%{` are
/// escaped to stay as the user wrote them.
fn lit(s: &str) -> Value {
    Value::String(s.replace("${", "$${").replace("%{", "%%{"))
}

fn lits(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| lit(s)).collect())
}

/// `KEY=VALUE` pairs as a map; `from_env` takes a bare `KEY` from the environment (left out
/// when unset, as buildx does), else a bare key is an error naming `flag`.
fn pairs(
    flag: &str,
    items: &[String],
    env: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<Map<String, Value>, Failure> {
    let mut m = Map::new();
    for item in items {
        match item.split_once('=') {
            Some((k, v)) => {
                m.insert(k.to_string(), lit(v));
            }
            None => match env {
                Some(env) => {
                    if let Some(v) = env.get(item) {
                        m.insert(item.clone(), lit(v));
                    }
                }
                None => {
                    return Err(fail(
                        format!("{flag} {item:?}: expected NAME=VALUE"),
                        Some(format!("write it as {flag} {item}=VALUE")),
                    ))
                }
            },
        }
    }
    Ok(m)
}

/// The bake definition (JSON) of the build: one target, `build`.
fn definition(
    a: &BuildArgs,
    input: &Input,
    env: &std::collections::BTreeMap<String, String>,
    cwd: &Path,
) -> Result<String, Failure> {
    let mut t = Map::new();
    let context = match &input.empty_context {
        Some(d) => d.to_string_lossy().into_owned(),
        None if is_remote(&a.context) => a.context.clone(),
        None => absolute(&a.context, cwd),
    };
    t.insert("context".into(), lit(&context));
    match (&input.inline, &a.file) {
        (Some(text), _) => {
            t.insert("dockerfile-inline".into(), lit(text));
        }
        (None, Some(f)) if is_remote(&a.context) => {
            t.insert("dockerfile".into(), lit(f));
        }
        (None, Some(f)) => {
            t.insert("dockerfile".into(), lit(&absolute(f, cwd)));
        }
        (None, None) => {}
    }
    let mut list = |key: &str, v: &[String]| {
        if !v.is_empty() {
            t.insert(key.into(), lits(v));
        }
    };
    list("tags", &a.tags);
    let platforms: Vec<String> = a
        .platforms
        .iter()
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    list("platforms", &platforms);
    list("secret", &a.secrets);
    list("ssh", &a.ssh);
    list("output", &a.outputs);
    list("cache-from", &a.cache_from);
    list("cache-to", &a.cache_to);
    list("no-cache-filter", &a.no_cache_filter);
    list("annotations", &a.annotations);
    list("attest", &a.attest);
    list("ulimits", &a.ulimits);
    list("entitlements", &a.allow);
    let args = pairs("--build-arg", &a.args, Some(env))?;
    if !args.is_empty() {
        t.insert("args".into(), Value::Object(args));
    }
    let mut contexts = pairs("--build-context", &a.build_contexts, None)?;
    for v in contexts.values_mut() {
        if let Value::String(s) = v {
            if is_local_path(s) {
                *s = absolute(s, cwd);
            }
        }
    }
    if !contexts.is_empty() {
        t.insert("contexts".into(), Value::Object(contexts));
    }
    let labels = pairs("--label", &a.labels, None)?;
    if !labels.is_empty() {
        t.insert("labels".into(), Value::Object(labels));
    }
    let mut hosts = Map::new();
    for h in &a.add_hosts {
        let (name, ip) = h
            .split_once('=')
            .or_else(|| h.split_once(':'))
            .ok_or_else(|| {
                fail(
                    format!("--add-host {h:?}: expected HOST:IP or HOST=IP"),
                    None,
                )
            })?;
        hosts.insert(name.to_string(), lit(ip));
    }
    if !hosts.is_empty() {
        t.insert("extra-hosts".into(), Value::Object(hosts));
    }
    for (key, v) in [
        ("target", &a.target),
        ("network", &a.network),
        ("shm-size", &a.shm_size),
    ] {
        if let Some(v) = v {
            t.insert(key.into(), lit(v));
        }
    }
    Ok(json!({ "target": { TARGET: t } }).to_string())
}

/// The `bake` flags of the build: what bake has a flag for, plus the grants of the paths
/// named on the command line (outside the working directory bake would ask for them).
fn bake_args(a: &BuildArgs, input: &Input) -> Result<Args, Failure> {
    let mut v: Vec<String> = vec!["bakery build".into()];
    let mut flag = |name: &str, value: Option<&str>| {
        v.push(match value {
            Some(x) => format!("--{name}={x}"),
            None => format!("--{name}"),
        });
    };
    let progress = if a.quiet {
        "quiet"
    } else {
        a.progress.as_str()
    };
    flag("progress", Some(progress));
    for (on, name) in [
        (a.load, "load"),
        (a.push, "push"),
        (a.no_cache, "no-cache"),
        (a.pull, "pull"),
        (a.check, "check"),
        (a.save, "save"),
        (a.debug, "debug"),
        (a.dry_run, "dry-run"),
    ] {
        if on {
            flag(name, None);
        }
    }
    for (name, value) in [
        ("provenance", &a.provenance),
        ("sbom", &a.sbom),
        ("call", &a.call),
        ("metadata-file", &a.metadata_file),
        ("builder", &a.builder),
        ("project", &a.project),
        ("save-tag", &a.save_tag),
        ("config", &a.config),
    ] {
        if let Some(x) = value {
            flag(name, Some(x));
        }
    }
    for x in &a.allow {
        flag("allow", Some(x));
    }
    let mut read = Vec::new();
    if input.empty_context.is_none() && !is_remote(&a.context) {
        read.push(a.context.clone());
    }
    if let Some(f) = a
        .file
        .as_deref()
        .filter(|f| *f != "-" && !is_remote(&a.context))
    {
        read.push(f.to_string());
    }
    for s in &a.secrets {
        let files = s
            .split(',')
            .filter_map(|f| f.strip_prefix("src=").or_else(|| f.strip_prefix("source=")));
        read.extend(files.map(str::to_string));
    }
    for c in &a.build_contexts {
        if let Some((_, p)) = c.split_once('=').filter(|(_, p)| is_local_path(p)) {
            read.push(p.to_string());
        }
    }
    for p in read {
        flag("allow", Some(&format!("fs.read={p}")));
    }
    Args::try_parse_from(&v).map_err(|e| fail(e.to_string().trim().to_string(), None))
}
