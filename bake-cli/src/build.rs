//! Building: the graph, the projects' builders, the checks before building (metadata file,
//! entitlements, `--save` registries, the buildx plugin), the dry-run plan, and the live
//! dispatch with its progress display, metadata file and summary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bake_core::api::{BuildGraph, ProjectSource, Resolved};
use bake_dispatch::buildx::{BuildxBackend, DockerCli};
use bake_dispatch::BakeConfig;
use bake_dispatch::{
    self as dispatch, Canceller, DepotBuild, DispatchOptions, DispatchReport, Event, EventSink,
    NodeStatus,
};
use bake_history::BuildId;

use crate::args::Args;
use crate::progress::{progress_mode, Mode, Progress};
use crate::record::Recorder;
use crate::summary::{failure_text, summary_table};
use crate::{fail, Context, Failure};
use bake::Reporter;

/// The graph of `resolved` with every target placed in its project.
pub(crate) fn graph_of(
    project: &bake_core::api::Project,
    resolved: Resolved,
    args: &Args,
) -> Result<BuildGraph, Failure> {
    project
        .into_graph(resolved, args.project.as_deref())
        .map_err(|e| Box::new(e) as Failure)
}

/// The builder configuration, and a line saying which file it came from (for `--dry-run`).
struct Configuration {
    config: BakeConfig,
    origin: String,
}

/// Loads the builder configuration and warns about projects named in the files or by
/// `--project` that it does not configure.
fn config_for(
    graph: &BuildGraph,
    args: &Args,
    cx: &Context<'_>,
    rep: &mut Reporter,
) -> Result<Configuration, Failure> {
    let path =
        BakeConfig::locate(args.config.as_deref(), &cx.env, &cx.cwd).map_err(|e| e as Failure)?;
    let config = match &path {
        Some(p) => {
            let shown = config_path_shown(p, &cx.cwd);
            BakeConfig::load(p, &shown).map_err(|e| e as Failure)?
        }
        None => BakeConfig::default(),
    };
    let origin = config_origin(path.as_deref(), args, cx);
    let mut missing: Vec<(String, &'static str)> = Vec::new();
    for node in &graph.nodes {
        let id = &node.project.id;
        let named = matches!(
            node.project.source,
            ProjectSource::Target | ProjectSource::Flag
        );
        if !named
            || config.projects.contains_key(id)
            || args.builder.is_some()
            || missing.iter().any(|(m, _)| m == id)
        {
            continue;
        }
        missing.push((id.clone(), node.project.source.describe()));
    }
    if !missing.is_empty() {
        rep.warn(bake_core::api::Warning::from_diagnostic(
            missing_projects_warning(&missing, &config, path.as_deref(), cx),
        ));
    }
    Ok(Configuration { config, origin })
}

/// The warning for projects that a target or `--project` names and the configuration does
/// not have: a did-you-mean for each close to a configured one, and the sections to add.
fn missing_projects_warning(
    missing: &[(String, &'static str)],
    config: &BakeConfig,
    path: Option<&Path>,
    cx: &Context<'_>,
) -> Failure {
    let file = path.map_or_else(
        || "bake.toml".to_string(),
        |p| config_path_shown(p, &cx.cwd),
    );
    let names: Vec<String> = missing
        .iter()
        .map(|(id, src)| format!("{id} (from {src})"))
        .collect();
    let (noun, verb) = if missing.len() == 1 {
        ("project", "has")
    } else {
        ("projects", "have")
    };
    let mut help = String::new();
    for (id, src) in missing {
        if let Some(near) =
            bake_core::api::frontend::did_you_mean(id, config.projects.keys().map(String::as_str))
        {
            help.push_str(&format!("{id} (from {src}): {near}\n"));
        }
    }
    help.push_str(&format!("to give each its own builder, add to {file}:"));
    for (id, _) in missing {
        help.push_str(&format!(
            "\n[projects.{id}]\nbuilder = \"NAME\"   # or docker-host = \"unix:///…\", or endpoint = \"tcp://…\""
        ));
    }
    fail(
        format!(
            "{noun} {} {verb} no builder configured; using the local Docker's default builder",
            names.join(", ")
        ),
        Some(help),
    )
}

/// Which configuration file is used and why, for the `--dry-run` plan.
fn config_origin(path: Option<&Path>, args: &Args, cx: &Context<'_>) -> String {
    let Some(p) = path else {
        return "builder configuration: none (no bake.toml here or in a parent directory up to \
                the repository root, and no user configuration)"
            .to_string();
    };
    let shown = config_path_shown(p, &cx.cwd);
    let via = if args.config.is_some() {
        "from --config"
    } else if cx.env.get("BAKE_CONFIG").is_some_and(|v| !v.is_empty()) {
        "from BAKE_CONFIG"
    } else if p.parent() == Some(cx.cwd.as_path()) {
        "in this directory"
    } else if p.file_name().is_some_and(|n| n == "bake.toml")
        && p.parent().is_some_and(|d| cx.cwd.starts_with(d))
    {
        "found in a parent directory"
    } else {
        "the user configuration"
    };
    format!("builder configuration: {shown} ({via})")
}

/// `p` as messages show it: relative to `cwd` when inside it, `../bake.toml` (and so on) for
/// a `bake.toml` found in a parent directory, else as it is.
fn config_path_shown(p: &Path, cwd: &Path) -> String {
    if let Ok(rel) = p.strip_prefix(cwd) {
        return rel.display().to_string();
    }
    if let (Some(dir), Some(name)) = (p.parent(), p.file_name()) {
        if let Some(up) = cwd.ancestors().position(|a| a == dir) {
            return format!("{}{}", "../".repeat(up), name.to_string_lossy());
        }
    }
    p.display().to_string()
}

fn display_path(p: &Path, cwd: &Path) -> String {
    p.strip_prefix(cwd)
        .map_or_else(|_| p.display().to_string(), |r| r.display().to_string())
}

/// A private scratch directory for hand-over layouts and metadata, removed when dropped.
pub(crate) struct WorkDir(pub(crate) PathBuf, bool);

impl WorkDir {
    pub(crate) fn create(cx: &Context<'_>) -> Result<WorkDir, Failure> {
        let dir = crate::temp_base(&cx.env).join(format!(
            "bake-{}-{:08x}",
            std::process::id(),
            cx.seed as u32
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display()), None))?;
        Ok(WorkDir(dir, true))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// What a single build (`bakery build`) does beyond a bake run: its saved image is named
/// without a target, its metadata file is buildx build's (one object), and it may write the
/// image id, print it, and check the Dockerfile first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Single {
    /// `--iidfile`: where to write the image id.
    pub(crate) iidfile: Option<String>,
    /// `-q`: print the image id on standard output.
    pub(crate) quiet: bool,
    /// `--lint`, with the severity that stops the build.
    pub(crate) lint: Option<LintFailOn>,
}

/// The lint severity that stops a build (`--lint-fail-on`, Depot's flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LintFailOn {
    /// A Dockerfile that does not parse, or rules it makes errors (`# check=error=true`).
    Error,
    /// Any rule broken.
    Warn,
    /// Nothing: print what the checks found and build.
    None,
}

/// `bake --dry-run` and plain `bake`: plans or runs the builds (`single` for `bakery build`).
/// Returns the exit code.
pub(crate) fn build(
    project: &bake_core::api::Project,
    resolved: Resolved,
    args: &Args,
    argv: &[String],
    cx: &mut Context<'_>,
    rep: &mut Reporter,
    single: Option<&Single>,
) -> Result<i32, Failure> {
    let mode = progress_mode(&args.progress, cx.color)?;
    let graph = graph_of(project, resolved, args)?;
    let Configuration { config, origin } = config_for(&graph, args, cx, rep)?;
    check_metadata_dir(args, cx)?;
    // A dry run creates nothing: its commands name the scratch directory `<work>`.
    let work = if args.dry_run {
        WorkDir(PathBuf::from("<work>"), false)
    } else {
        WorkDir::create(cx)?
    };
    let docker_cli = DockerCli::load(&cx.env);
    let mut options = dispatch_options(args, config, &work, &docker_cli, cx);
    options.single_build = single.is_some();
    if args.dry_run {
        return print_plan(&graph, &Arc::new(options), &origin, cx, rep);
    }
    if !entitlements_granted(&graph, args, argv, cx, rep)? {
        return Ok(1);
    }
    check_save_registries(&graph, &options, cx)?;
    let backend = buildx_backend(&docker_cli, cx)?;
    if let Some(fail_on) = single.and_then(|s| s.lint) {
        crate::lint::lint(&graph, &options, &backend, fail_on, rep)?;
    }
    options.cache_epochs = Some(cache_epochs(&graph, &options, &backend, rep)?);
    rep.flush(cx.stderr);
    // From here on the run has a build id and a record in the history, which is finished
    // whatever happens (an error below still ends it, as failed).
    let mut record = Recorder::begin(&graph, &options, argv, cx);
    options.build_id = Some(record.id.to_string());
    let live = LiveBuild {
        graph: Arc::new(graph),
        options: Arc::new(options),
        mode,
    };
    let ran = live.run(backend, &mut record, cx);
    let (result, report, cancelled) = match ran {
        Ok((report, interrupted)) => (
            live.finish(&report, interrupted, &record.id, args, single, cx),
            Some(report),
            interrupted,
        ),
        Err(e) => (Err(e), None, false),
    };
    let code = result.as_ref().map_or(1, |c| *c);
    record.finish(report.as_ref(), cancelled, code);
    if let Some(w) = record.warning() {
        rep.warn(bake_core::api::Warning::from_diagnostic(w));
    }
    result
}

/// The generation of each registry cache the builds use (projects with `cache =
/// "registry"`), asked of the registries at once. A registry that does not answer leaves its
/// projects without their cache, with a warning.
fn cache_epochs(
    graph: &BuildGraph,
    options: &DispatchOptions,
    backend: &BuildxBackend,
    rep: &mut Reporter,
) -> Result<std::collections::BTreeMap<String, String>, Failure> {
    let mut repos: Vec<(String, String)> = Vec::new();
    for n in &graph.nodes {
        if let Some(r) = options.project(&n.project.id).cache_repository() {
            if !repos.iter().any(|(repo, _)| repo == r) {
                repos.push((r.to_string(), n.project.id.clone()));
            }
        }
    }
    let mut epochs = std::collections::BTreeMap::new();
    if repos.is_empty() {
        return Ok(epochs);
    }
    let answers = crate::block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (k, (repo, _)) in repos.iter().enumerate() {
            let (b, repo) = (backend.clone(), repo.clone());
            tasks.spawn(async move { (k, b.cache_epoch(&repo).await) });
        }
        let mut answers: Vec<Result<String, String>> = vec![Err(String::new()); repos.len()];
        while let Some(Ok((k, a))) = tasks.join_next().await {
            answers[k] = a;
        }
        answers
    })?;
    for ((repo, project), answer) in repos.into_iter().zip(answers) {
        match answer {
            Ok(epoch) => {
                epochs.insert(repo, epoch);
            }
            Err(e) => rep.warn(bake_core::api::Warning::from_diagnostic(fail(
                format!("the registry cache of project {project} ({repo}) cannot be reached: {e}"),
                Some("the builds go on without it; check the registry and `docker login`".into()),
            ))),
        }
    }
    Ok(epochs)
}

/// Fails when the metadata file (`--metadata-file`) would go to a directory that does not
/// exist, before anything is built.
fn check_metadata_dir(args: &Args, cx: &Context<'_>) -> Result<(), Failure> {
    let Some(m) = &args.metadata_file else {
        return Ok(());
    };
    let p = cx.cwd.join(m);
    let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
    if !parent.as_os_str().is_empty() && !parent.is_dir() {
        return Err(fail(
            format!(
                "cannot write the metadata file {m}: directory {} does not exist",
                display_path(&parent, &cx.cwd)
            ),
            Some("create the directory first, or name a file in an existing one".into()),
        ));
    }
    Ok(())
}

/// The dispatch's options: the flags, the builder configuration, the scratch directory and
/// the engine `--load` must reach.
fn dispatch_options(
    args: &Args,
    config: BakeConfig,
    work: &WorkDir,
    docker_cli: &DockerCli,
    cx: &Context<'_>,
) -> DispatchOptions {
    DispatchOptions {
        fail_fast: args.fail_fast,
        save: args.save,
        save_tag: args.save_tag.clone(),
        build_id: None,
        single_build: false,
        cache_epochs: None,
        allow: args.allow.clone(),
        policy: args.policy.clone(),
        builder: args.builder.clone(),
        config,
        work_dir: work.0.clone(),
        local_host: Some(docker_cli.local_host(&cx.env)),
        metadata_provenance: args.metadata_file.is_some(),
        debug: args.debug,
    }
}

/// `--dry-run`: prints the runs and their commands, and builds nothing.
/// The line after the plan's first says which builder configuration it uses (`origin`).
fn print_plan(
    graph: &BuildGraph,
    options: &Arc<DispatchOptions>,
    origin: &str,
    cx: &mut Context<'_>,
    rep: &mut Reporter,
) -> Result<i32, Failure> {
    let backend = BuildxBackend::for_plan(cx.env.clone(), cx.cwd.clone());
    let runs = dispatch::plan::plan(graph, &backend, options);
    let plan = dispatch::plan::render_plan(graph, &runs, options);
    let text = match plan.split_once('\n') {
        Some((head, rest)) => format!("{head}\n{origin}\n{rest}"),
        None => format!("{plan}{origin}\n"),
    };
    rep.flush(cx.stderr);
    crate::write_out(cx.stdout, &text)?;
    Ok(0)
}

/// Fails when `--save` applies to a project with no registry to save to.
fn check_save_registries(
    graph: &BuildGraph,
    options: &DispatchOptions,
    cx: &Context<'_>,
) -> Result<(), Failure> {
    let missing = dispatch::plan::save_without_registry(graph, options);
    let Some(p) = missing.first() else {
        return Ok(());
    };
    Err(fail(
        format!("--save: project {p} has no registry configured"),
        Some(format!(
            "add `registry = \"HOST/REPO\"` under [projects.{p}] in {}",
            options.config.path.as_ref().map_or_else(
                || "bake.toml".to_string(),
                |f| config_path_shown(f, &cx.cwd)
            )
        )),
    ))
}

/// The backend that builds: `docker` from `PATH`, with a buildx plugin recent enough (its
/// version is cached under `$XDG_CACHE_HOME/bake`).
fn buildx_backend(docker_cli: &DockerCli, cx: &Context<'_>) -> Result<BuildxBackend, Failure> {
    let backend =
        BuildxBackend::new(cx.env.clone(), cx.cwd.clone()).map_err(|e| Box::new(e) as Failure)?;
    let cache_dir = cx
        .env
        .get("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| cx.env.get("HOME").map(|h| Path::new(h).join(".cache")))
        .map(|d| d.join("bake"));
    dispatch::buildx::check_buildx(docker_cli, &cx.env, cache_dir.as_deref())
        .map_err(|e| Box::new(e) as Failure)?;
    Ok(backend)
}

/// A build that passed its checks: what it builds, how, and how its progress is shown.
struct LiveBuild {
    graph: Arc<BuildGraph>,
    options: Arc<DispatchOptions>,
    mode: Mode,
}

impl LiveBuild {
    /// Runs the builds on `backend`, showing their progress on standard error until the
    /// dispatch ends (SIGINT or SIGTERM cancels it). The report, and whether it was cancelled.
    fn run(
        &self,
        backend: BuildxBackend,
        record: &mut Recorder,
        cx: &mut Context<'_>,
    ) -> Result<(DispatchReport, bool), Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(format!("cannot start the scheduler: {e}"), None))?;
        let (canceller, cancel) = dispatch::cancellation();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
        let sink: Arc<dyn EventSink> = Arc::new(ChannelSink(tx));
        let mut view = Progress::new(self.mode, &self.graph, cx.color);
        let stderr = &mut *cx.stderr;
        let ended = runtime.block_on(async {
            let signals = tokio::spawn(cancel_on_signal(canceller));
            let run = dispatch::dispatch(
                self.graph.clone(),
                Arc::new(backend),
                sink,
                self.options.clone(),
                cancel.clone(),
            );
            tokio::pin!(run);
            let report = loop {
                tokio::select! {
                    r = &mut run => break r,
                    Some(ev) = rx.recv() => {
                        record.event(&ev);
                        view.show(&ev, stderr);
                    }
                }
            };
            while let Ok(ev) = rx.try_recv() {
                record.event(&ev);
                view.show(&ev, stderr);
            }
            signals.abort();
            (report, cancel.is_cancelled())
        });
        view.finish();
        Ok(ended)
    }

    /// What follows the builds: the metadata file, what they printed on stdout, the summary
    /// table and the failures. Returns the exit code.
    fn finish(
        &self,
        report: &DispatchReport,
        interrupted: bool,
        build_id: &BuildId,
        args: &Args,
        single: Option<&Single>,
        cx: &mut Context<'_>,
    ) -> Result<i32, Failure> {
        let graph = &self.graph;
        if let Some(m) = &args.metadata_file {
            let p = cx.cwd.join(m);
            let depot = DepotBuild::of(graph, build_id.as_str());
            let text = match single {
                Some(_) => single_metadata(report, &depot),
                None => report.metadata_json_with(graph, Some(&depot)),
            };
            std::fs::write(&p, text)
                .map_err(|e| fail(format!("cannot write the metadata file {m}: {e}"), None))?;
        }
        if let Some(s) = single {
            write_image_id(report, s, cx)?;
        }
        // What builds printed on stdout (`--call` results), in graph order.
        for r in &report.nodes {
            if let NodeStatus::Done(o) = &r.status {
                if !o.stdout.is_empty() {
                    crate::write_out(cx.stdout, &o.stdout)?;
                }
            }
        }
        if self.mode != Mode::Quiet && self.mode != Mode::RawJson {
            let local = self.options.local_host.as_deref();
            let table = summary_table(graph, report, local.unwrap_or("the local engine"));
            let _ = cx.stderr.write_all(table.as_bytes());
            for note in &report.notes {
                let _ = writeln!(cx.stderr, "note: {note}");
            }
            let _ = writeln!(cx.stderr, "build ID: {build_id}");
        }
        let failures = failure_text(graph, report);
        if !failures.is_empty() {
            let _ = cx.stderr.write_all(failures.as_bytes());
        }
        let _ = cx.stderr.flush();
        if interrupted {
            let _ = writeln!(cx.stderr, "interrupted: builds cancelled");
            return Ok(130);
        }
        let call_failed = report
            .nodes
            .iter()
            .any(|r| matches!(&r.status, NodeStatus::Done(o) if o.call_failed));
        Ok(i32::from(!report.success() || call_failed))
    }
}

/// The metadata file of a single build: buildx build's object (the build's metadata, with
/// `saved` after `--save`) and Depot's `depot.build` (`buildID`, `projectID`).
fn single_metadata(report: &DispatchReport, depot: &DepotBuild) -> String {
    let mut m = std::collections::BTreeMap::<String, serde_json::Value>::new();
    if let Some(NodeStatus::Done(o)) = report.nodes.first().map(|r| &r.status) {
        m.extend(o.metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        if !o.saved.is_empty() {
            m.insert("saved".into(), serde_json::json!(o.saved));
        }
    }
    m.insert(
        "depot.build".into(),
        serde_json::json!({ "buildID": depot.build_id, "projectID": depot.project_id }),
    );
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_default();
    text.push('\n');
    text
}

/// `--iidfile` and `-q` of a single build: the image id (its config digest, else its
/// manifest's), as buildx build writes and prints it.
fn write_image_id(
    report: &DispatchReport,
    s: &Single,
    cx: &mut Context<'_>,
) -> Result<(), Failure> {
    let Some(NodeStatus::Done(o)) = report.nodes.first().map(|r| &r.status) else {
        return Ok(());
    };
    let id = o
        .metadata
        .get("containerimage.config.digest")
        .or_else(|| o.metadata.get("containerimage.digest"))
        .and_then(|v| v.as_str());
    let Some(id) = id else {
        return Ok(());
    };
    if let Some(f) = &s.iidfile {
        std::fs::write(cx.cwd.join(f), id)
            .map_err(|e| fail(format!("cannot write the image id file {f}: {e}"), None))?;
    }
    if s.quiet {
        crate::write_out(cx.stdout, &format!("{id}\n"))?;
    }
    Ok(())
}

/// Cancels the builds on the first SIGINT or SIGTERM.
async fn cancel_on_signal(canceller: Canceller) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    canceller.cancel();
}

struct ChannelSink(tokio::sync::mpsc::UnboundedSender<Event>);

impl EventSink for ChannelSink {
    fn event(&self, event: &Event) {
        let _ = self.0.send(event.clone());
    }
}
/// Checks what the targets ask for against `--allow`, as `docker buildx bake` does before it
/// builds (buildx itself skips the check in the `rawjson` mode bake drives it with). When
/// something is missing: buildx's message, then on a terminal its question (`y` grants and
/// goes on), else its error. Returns whether the build may go on.
fn entitlements_granted(
    graph: &BuildGraph,
    args: &Args,
    argv: &[String],
    cx: &mut Context<'_>,
    rep: &mut Reporter,
) -> Result<bool, Failure> {
    use bake_dispatch::entitlements::{missing, Grants};
    let grants = Grants::parse(&args.allow).map_err(|e| Box::new(e) as Failure)?;
    let m = missing(graph.nodes.iter().map(|n| &n.target), &grants, &cx.cwd);
    let fs_env = cx.env.get("BUILDX_BAKE_ENTITLEMENTS_FS");
    // buildx's `strconv.ParseBool` of the variable, when set.
    let fs = match fs_env {
        None => true,
        Some(v) => bake_core::api::go::parse_bool(v).ok_or_else(|| {
            fail(
                format!("failed to parse BUILDX_BAKE_ENTITLEMENTS_FS value {v:?}"),
                None,
            )
        })?,
    };
    if !m.blocks(fs) {
        return Ok(true);
    }
    let wd = std::fs::canonicalize(&cx.cwd).unwrap_or_else(|_| cx.cwd.clone());
    let program = argv.first().map_or_else(
        || "bake".into(),
        |p| {
            Path::new(p)
                .file_name()
                .map_or_else(|| p.clone(), |f| f.to_string_lossy().into_owned())
        },
    );
    let rest = argv.get(1..).unwrap_or_default();
    let text = m.message(&wd, fs, fs_env.is_some(), cx.interactive, &program, rest);
    rep.flush(cx.stderr);
    let _ = cx.stderr.write_all(text.as_bytes());
    if cx.interactive {
        let answer = crate::ask(
            "Do you want to grant requested privileges and continue? [y/N] ",
            cx,
        );
        if answer.eq_ignore_ascii_case("y") {
            return Ok(true);
        }
    }
    let _ = cx
        .stderr
        .write_all(b"ERROR: additional privileges requested\n");
    Ok(false)
}
