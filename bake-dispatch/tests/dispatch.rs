//! The graph and the scheduler, with a fake backend: deduplication, cycles, ordering,
//! failure propagation, fail-fast, per-project parallelism limits and cancellation.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bake_core::api::{BuildGraph, GraphError, ProjectDefaults, Resolved, Target};
use bake_dispatch::ProjectConfig;
use bake_dispatch::{
    Backend, BakeConfig, BoxFuture, BuildFailure, BuildJob, BuildOutput, BuildResult, Cancel,
    DispatchOptions, Event, EventSink, Link, NodeStatus, RunJob, RunOutcome, StatusKind,
};

fn target(name: &str, project: Option<&str>, contexts: &[(&str, &str)]) -> Target {
    Target {
        name: name.to_string(),
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        project_id: project.map(str::to_string),
        contexts: contexts
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
        ..Target::default()
    }
}

fn resolved(targets: Vec<Target>) -> Resolved {
    Resolved {
        targets: targets
            .into_iter()
            .map(|t| (t.name.clone(), Box::new(t)))
            .collect(),
        ..Resolved::default()
    }
}

#[test]
fn identical_targets_share_a_node_and_contexts_make_edges() {
    let mut app = target("app", Some("p2"), &[("base", "target:base")]);
    app.tags = vec!["x:1".into()];
    let mut copy = app.clone();
    copy.name = "app-copy".into();
    copy.description = "descriptions do not matter".into();
    let mut other = app.clone();
    other.name = "other".into();
    other.tags = vec!["x:2".into()];
    let base = target("base", Some("p1"), &[]);
    let g = BuildGraph::new(
        &resolved(vec![app, copy, other, base]),
        &ProjectDefaults::default(),
    )
    .expect("graph");
    let names: Vec<Vec<String>> = g.nodes.iter().map(|n| n.names.clone()).collect();
    assert_eq!(
        names,
        vec![
            vec!["base".to_string()],
            vec!["app".to_string(), "app-copy".to_string()],
            vec!["other".to_string()]
        ]
    );
    assert_eq!(g.edge_count(), 2);
    assert_eq!(g.projects(), vec!["p1", "p2"]);
    assert_eq!(g.nodes[1].deps[0].node, 0);
}

#[test]
fn the_same_build_in_two_projects_is_two_nodes() {
    let a = target("a", Some("p1"), &[]);
    let b = target("b", Some("p2"), &[]);
    let g = BuildGraph::new(&resolved(vec![a, b]), &ProjectDefaults::default()).expect("graph");
    assert_eq!(g.nodes.len(), 2);
}

#[test]
fn context_cycles_name_the_path() {
    let a = target("a", None, &[("x", "target:b")]);
    let b = target("b", None, &[("y", "target:c")]);
    let c = target("c", None, &[("z", "target:a")]);
    let e = BuildGraph::new(&resolved(vec![a, b, c]), &ProjectDefaults::default()).unwrap_err();
    assert_eq!(
        e,
        GraphError::Cycle {
            path: vec!["a".into(), "b".into(), "c".into(), "a".into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "`target:` contexts form a cycle: a -> b -> c -> a"
    );
}

/// A backend that sleeps per build, fails the targets it is told to (at once, stopping the
/// other builds of the run as buildx does), and records the order of starts and the most
/// builds of one project running at once.
#[derive(Default)]
struct Fake {
    fail: Vec<String>,
    sleep_ms: u64,
    log: Mutex<Vec<String>>,
    running: Mutex<BTreeMap<String, usize>>,
    peak: Mutex<BTreeMap<String, usize>>,
    unreachable: Vec<String>,
    links: Mutex<Vec<String>>,
}

impl Backend for Fake {
    fn prepare(
        self: Arc<Self>,
        project: String,
        _: ProjectConfig,
    ) -> BoxFuture<Result<(), String>> {
        Box::pin(async move {
            if self.unreachable.contains(&project) {
                Err("cannot reach it".to_string())
            } else {
                Ok(())
            }
        })
    }

    fn run(
        self: Arc<Self>,
        run: RunJob,
        _events: Arc<dyn EventSink>,
        mut cancel: Cancel,
    ) -> BoxFuture<RunOutcome> {
        Box::pin(async move {
            let builds: Vec<&BuildJob> = run.builds.iter().filter(|b| !b.context_only).collect();
            for b in &builds {
                let name = &b.node.names[0];
                let project = b.node.project.id.clone();
                self.log.lock().unwrap().push(format!("start {name}"));
                let mut r = self.running.lock().unwrap();
                let n = r.entry(project.clone()).or_default();
                *n += 1;
                let mut p = self.peak.lock().unwrap();
                let peak = p.entry(project).or_default();
                *peak = (*peak).max(*n);
                for (ctx, link) in &b.contexts {
                    self.links.lock().unwrap().push(match link {
                        Link::InRun(d) => format!("{name}.{ctx} in run from node {d}"),
                        Link::Ref(r) => format!("{name}.{ctx} = {r}"),
                    });
                }
            }
            // A failing build fails at once and stops the run; the others take `sleep_ms`.
            let failing = builds.iter().any(|b| self.fail.contains(&b.node.names[0]));
            let sleep = if failing { 0 } else { self.sleep_ms };
            let cancelled = tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(sleep)) => false,
                () = cancel.cancelled() => true,
            };
            let mut outcome = RunOutcome::default();
            for b in &builds {
                let name = b.node.names[0].clone();
                *self
                    .running
                    .lock()
                    .unwrap()
                    .get_mut(&b.node.project.id)
                    .unwrap() -= 1;
                self.log.lock().unwrap().push(format!("end {name}"));
                let result = if self.fail.contains(&name) {
                    BuildResult::Failed(BuildFailure::new(format!("{name} broke")))
                } else if cancelled || failing {
                    BuildResult::Interrupted
                } else {
                    BuildResult::Done(
                        BuildOutput {
                            handoff_ref: b.handoff.as_ref().map(|_| format!("ref-of-{name}")),
                            ..BuildOutput::default()
                        },
                        Duration::from_millis(sleep),
                    )
                };
                outcome.results.insert(b.index, result);
            }
            outcome
        })
    }
}

/// Projects `p` and `q` on two builders.
fn two_builders() -> DispatchOptions {
    DispatchOptions {
        config: BakeConfig::parse(
            "[projects.p]\ndocker-host = \"unix:///p\"\n[projects.q]\ndocker-host = \"unix:///q\"\n",
            "bake.toml",
        )
        .unwrap(),
        ..DispatchOptions::default()
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn event(&self, e: &Event) {
        self.0.lock().unwrap().push(e.clone());
    }
}

fn run(
    g: BuildGraph,
    fake: Arc<Fake>,
    opts: DispatchOptions,
) -> (
    Vec<StatusKind>,
    bake_dispatch::DispatchReport,
    Arc<Recorder>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_canceller, cancel) = bake_dispatch::cancellation();
    let rec = Arc::new(Recorder::default());
    let report = rt.block_on(bake_dispatch::dispatch(
        Arc::new(g),
        fake,
        rec.clone(),
        Arc::new(opts),
        cancel,
    ));
    let kinds = report.nodes.iter().map(|n| n.status.kind()).collect();
    (kinds, report, rec)
}

fn chain_graph() -> BuildGraph {
    // base <- mid <- top; lone is independent.
    let base = target("base", Some("p"), &[]);
    let mid = target("mid", Some("p"), &[("b", "target:base")]);
    let top = target("top", Some("q"), &[("m", "target:mid")]);
    let lone = target("lone", Some("q"), &[]);
    BuildGraph::new(
        &resolved(vec![base, mid, top, lone]),
        &ProjectDefaults::default(),
    )
    .unwrap()
}

#[test]
fn dependencies_run_first_and_hand_over() {
    let g = chain_graph();
    let order: Vec<&str> = g.nodes.iter().map(|n| n.names[0].as_str()).collect();
    assert_eq!(order, ["base", "lone", "mid", "top"]);
    let fake = Arc::new(Fake {
        sleep_ms: 10,
        ..Fake::default()
    });
    let (kinds, report, rec) = run(g, fake.clone(), two_builders());
    assert!(kinds.iter().all(|k| *k == StatusKind::Done), "{kinds:?}");
    // base and mid share builder p: one run, linked inside it; top (builder q) waits for
    // mid's hand-off.
    assert_eq!(report.runs, 3);
    let log = fake.log.lock().unwrap().clone();
    let pos = |s: &str| log.iter().position(|l| l == s).unwrap();
    assert!(pos("start mid") < pos("end base"), "{log:?}");
    assert!(pos("end mid") < pos("start top"), "{log:?}");
    let links = fake.links.lock().unwrap().clone();
    assert_eq!(
        links,
        ["mid.b in run from node 0", "top.m = ref-of-mid"],
        "{links:?}"
    );
    let finished = rec
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Finished { .. }))
        .count();
    assert_eq!(finished, 4);
}

#[test]
fn a_failure_skips_its_dependents_and_the_rest_finishes() {
    let fake = Arc::new(Fake {
        fail: vec!["base".into()],
        sleep_ms: 5,
        ..Fake::default()
    });
    // One builder: all four in one run; base fails, buildx stops the run, lone runs again.
    let (kinds, report, _) = run(chain_graph(), fake, DispatchOptions::default());
    assert_eq!(report.runs, 2);
    assert_eq!(
        kinds,
        [
            StatusKind::Failed,
            StatusKind::Done,
            StatusKind::Skipped,
            StatusKind::Skipped
        ]
    );
    assert_eq!(report.nodes[2].status, NodeStatus::Skipped(0));
    assert_eq!(report.nodes[3].status, NodeStatus::Skipped(2));
    assert!(!report.success());
}

#[test]
fn fail_fast_cancels_the_rest() {
    let a = target("a", Some("p"), &[]);
    let mut slow = target("slow", Some("q"), &[]);
    slow.args.insert("X".into(), Some("1".into()));
    let g = BuildGraph::new(&resolved(vec![a, slow]), &ProjectDefaults::default()).unwrap();
    let fake = Arc::new(Fake {
        fail: vec!["a".into()],
        sleep_ms: 50,
        ..Fake::default()
    });
    let opts = DispatchOptions {
        fail_fast: true,
        ..DispatchOptions::default()
    };
    let (kinds, _, _) = run(g, fake, opts);
    // Both start together; `a` fails at once and `slow` (50 ms) is cancelled.
    assert_eq!(kinds, [StatusKind::Failed, StatusKind::Cancelled]);
}

#[test]
fn max_parallelism_is_kept_per_project() {
    let mut ts = Vec::new();
    for i in 0..6 {
        let mut t = target(&format!("p{i}"), Some("limited"), &[]);
        t.args.insert("I".into(), Some(i.to_string()));
        ts.push(t);
        let mut u = target(&format!("q{i}"), Some("free"), &[]);
        u.args.insert("I".into(), Some(i.to_string()));
        ts.push(u);
    }
    let g = BuildGraph::new(&resolved(ts), &ProjectDefaults::default()).unwrap();
    let fake = Arc::new(Fake {
        sleep_ms: 20,
        ..Fake::default()
    });
    let mut config = BakeConfig::default();
    config.projects.insert(
        "limited".into(),
        ProjectConfig {
            max_parallelism: Some(2),
            ..ProjectConfig::default()
        },
    );
    let opts = DispatchOptions {
        config,
        ..DispatchOptions::default()
    };
    let (kinds, _, _) = run(g, fake.clone(), opts);
    assert!(kinds.iter().all(|k| *k == StatusKind::Done));
    let peak = fake.peak.lock().unwrap().clone();
    assert_eq!(peak["limited"], 2);
    assert_eq!(peak["free"], 6);
}

#[test]
fn an_unreachable_project_fails_only_its_builds() {
    let a = target("a", Some("down"), &[]);
    let b = target("b", Some("up"), &[]);
    let g = BuildGraph::new(&resolved(vec![a, b]), &ProjectDefaults::default()).unwrap();
    let fake = Arc::new(Fake {
        unreachable: vec!["down".into()],
        ..Fake::default()
    });
    // Two builders (a builder is prepared once, whichever projects use it).
    let mut config = BakeConfig::default();
    for p in ["down", "up"] {
        config.projects.insert(
            p.into(),
            ProjectConfig {
                docker_host: Some(format!("unix:///{p}.sock")),
                ..ProjectConfig::default()
            },
        );
    }
    let opts = DispatchOptions {
        config,
        ..DispatchOptions::default()
    };
    let (kinds, report, _) = run(g, fake, opts);
    assert_eq!(kinds, [StatusKind::Failed, StatusKind::Done]);
    let NodeStatus::Failed(f) = &report.nodes[0].status else {
        panic!("not failed")
    };
    assert_eq!(f.message, "project down: cannot reach it");
}

#[test]
fn cancelling_stops_running_builds_and_starts_nothing_new() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fake = Arc::new(Fake {
        sleep_ms: 60_000,
        ..Fake::default()
    });
    let (canceller, cancel) = bake_dispatch::cancellation();
    let report = rt.block_on(async {
        let c = canceller.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            c.cancel();
        });
        bake_dispatch::dispatch(
            Arc::new(chain_graph()),
            fake.clone(),
            Arc::new(bake_dispatch::NoEvents),
            Arc::new(two_builders()),
            cancel,
        )
        .await
    });
    let kinds: Vec<StatusKind> = report.nodes.iter().map(|n| n.status.kind()).collect();
    assert!(
        kinds.iter().all(|k| *k == StatusKind::Cancelled),
        "{kinds:?}"
    );
    // Only the builds that could start did: base and mid (one run on p), lone (on q).
    let starts = fake
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("start"))
        .count();
    assert_eq!(starts, 3);
}

#[test]
fn metadata_lists_every_name_of_successful_builds() {
    let a = target("a", Some("p"), &[]);
    let mut a2 = a.clone();
    a2.name = "a2".into();
    let g = BuildGraph::new(&resolved(vec![a, a2]), &ProjectDefaults::default()).unwrap();
    let (_, report, _) = run(
        g.clone(),
        Arc::new(Fake::default()),
        DispatchOptions::default(),
    );
    let v: serde_json::Value = serde_json::from_str(&report.metadata_json(&g)).unwrap();
    assert_eq!(v["a"]["project_id"], "p");
    assert_eq!(v["a2"]["project_id"], "p");
    assert!(v["a"]["duration"].is_number());
}
