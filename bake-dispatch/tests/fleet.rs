//! Projects with several nodes (fleets), with a fake backend: builds spread over the nodes
//! that serve their platforms and land on the same node run after run; adding a node moves
//! only what the new node wins; a node that is down before the dispatch is left out; a node
//! lost during it has its builds retried once on another.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bake_core::api::{BuildGraph, ProjectDefaults, Resolved, Target};
use bake_dispatch::{
    Backend, BakeConfig, BoxFuture, BuildFailure, BuildOutput, BuildResult, Cancel,
    DispatchOptions, DispatchReport, Event, EventSink, ProjectConfig, RunJob, RunOutcome,
    StatusKind,
};

fn targets(n: usize, project: &str, platforms: &[&str]) -> Vec<Target> {
    (0..n)
        .map(|i| {
            let mut t = Target {
                name: format!("t{i}"),
                context: ".".into(),
                dockerfile: "Dockerfile".into(),
                project_id: Some(project.into()),
                platforms: platforms.iter().map(|p| (*p).to_string()).collect(),
                ..Target::default()
            };
            t.args.insert("I".into(), Some(i.to_string()));
            t
        })
        .collect()
}

fn graph(ts: Vec<Target>) -> BuildGraph {
    let r = Resolved {
        targets: ts
            .into_iter()
            .map(|t| (t.name.clone(), Box::new(t)))
            .collect(),
        ..Resolved::default()
    };
    BuildGraph::new(&r, &ProjectDefaults::default()).expect("graph")
}

/// A backend whose nodes are docker hosts: `down` never answer; `dies` answers for its first
/// run, then fails the builds of later runs and stops answering. Records, per node, the
/// builds it ran and the most at once.
#[derive(Default)]
struct Nodes {
    down: Vec<String>,
    dies: Option<String>,
    slow: Option<String>,
    runs_on_dying: Mutex<usize>,
    ran: Mutex<BTreeMap<String, Vec<String>>>,
    running: Mutex<BTreeMap<String, usize>>,
    peak: Mutex<BTreeMap<String, usize>>,
}

impl Nodes {
    fn dead(&self, host: &str) -> bool {
        self.down.iter().any(|d| d == host)
            || (self.dies.as_deref() == Some(host) && *self.runs_on_dying.lock().unwrap() > 1)
    }
}

impl Backend for Nodes {
    fn probe(self: Arc<Self>, _: String, config: ProjectConfig) -> BoxFuture<Result<(), String>> {
        Box::pin(async move {
            let host = config.docker_host.unwrap_or_default();
            if self.dead(&host) {
                Err(format!("Cannot connect to the Docker daemon at {host}"))
            } else {
                Ok(())
            }
        })
    }

    fn run(
        self: Arc<Self>,
        run: RunJob,
        _events: Arc<dyn EventSink>,
        _cancel: Cancel,
    ) -> BoxFuture<RunOutcome> {
        Box::pin(async move {
            let host = run.config.docker_host.clone().unwrap_or_default();
            if self.dies.as_deref() == Some(host.as_str()) {
                *self.runs_on_dying.lock().unwrap() += 1;
            }
            let builds: Vec<_> = run.builds.iter().filter(|b| !b.context_only).collect();
            {
                let mut r = self.running.lock().unwrap();
                let n = r.entry(host.clone()).or_default();
                *n += builds.len();
                let mut p = self.peak.lock().unwrap();
                let peak = p.entry(host.clone()).or_default();
                *peak = (*peak).max(*n);
            }
            let ms = if self.slow.as_deref() == Some(host.as_str()) {
                60
            } else {
                5
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            *self
                .running
                .lock()
                .unwrap()
                .entry(host.clone())
                .or_default() -= builds.len();
            let mut outcome = RunOutcome::default();
            for b in builds {
                let result = if self.dead(&host) {
                    BuildResult::Failed(BuildFailure::new("error reading from server: EOF"))
                } else {
                    self.ran
                        .lock()
                        .unwrap()
                        .entry(host.clone())
                        .or_default()
                        .push(b.node.names[0].clone());
                    BuildResult::Done(BuildOutput::default(), Duration::from_millis(5))
                };
                outcome.results.insert(b.index, result);
            }
            outcome
        })
    }
}

struct Quiet;
impl EventSink for Quiet {
    fn event(&self, _: &Event) {}
}

fn fleet(nodes: &[(&str, &[&str], Option<usize>)]) -> DispatchOptions {
    fleet_with(nodes, "")
}

fn fleet_with(nodes: &[(&str, &[&str], Option<usize>)], extra: &str) -> DispatchOptions {
    let mut text = format!("[projects.f]\nregistry = \"r/f\"\n{extra}");
    for (host, platforms, limit) in nodes {
        text.push_str(&format!(
            "[[projects.f.nodes]]\ndocker-host = \"{host}\"\nplatforms = {platforms:?}\n"
        ));
        if let Some(l) = limit {
            text.push_str(&format!("max-parallelism = {l}\n"));
        }
    }
    DispatchOptions {
        config: BakeConfig::parse(&text, "bake.toml").expect("config"),
        ..DispatchOptions::default()
    }
}

fn dispatch(g: &BuildGraph, backend: Arc<Nodes>, opts: DispatchOptions) -> DispatchReport {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_c, cancel) = bake_dispatch::cancellation();
    rt.block_on(bake_dispatch::dispatch(
        Arc::new(g.clone()),
        backend,
        Arc::new(Quiet),
        Arc::new(opts),
        cancel,
    ))
}

/// Where each build ran, by name.
fn placement(g: &BuildGraph, r: &DispatchReport) -> BTreeMap<String, String> {
    g.nodes
        .iter()
        .zip(&r.builders)
        .map(|(n, b)| (n.names[0].clone(), b.to_string()))
        .collect()
}

const AMD: &[&str] = &["linux/amd64"];

#[test]
fn builds_spread_over_the_nodes_and_stay_there_run_after_run() {
    let g = graph(targets(40, "f", AMD));
    let opts = || fleet(&[("unix:///a", AMD, Some(2)), ("unix:///b", AMD, Some(2))]);
    let nodes = Arc::new(Nodes::default());
    let first = dispatch(&g, nodes.clone(), opts());
    assert!(first
        .nodes
        .iter()
        .all(|n| n.status.kind() == StatusKind::Done));
    let peak = nodes.peak.lock().unwrap().clone();
    assert!(peak.values().all(|p| *p <= 2), "{peak:?}");
    let ran = nodes.ran.lock().unwrap().clone();
    assert_eq!(ran.len(), 2, "both nodes build");
    assert!(ran.values().all(|v| v.len() >= 10), "{ran:?}");
    let second = dispatch(&g, Arc::new(Nodes::default()), opts());
    assert_eq!(placement(&g, &first), placement(&g, &second));
}

#[test]
fn with_a_registry_cache_an_idle_node_takes_builds_from_a_slow_one() {
    let g = graph(targets(40, "f", AMD));
    let nodes = || {
        Arc::new(Nodes {
            slow: Some("unix:///b".into()),
            ..Nodes::default()
        })
    };
    let limits = [("unix:///a", AMD, Some(2)), ("unix:///b", AMD, Some(2))];
    // Without a shared cache, builds wait for their (slow) node: elsewhere they start cold.
    let plain = nodes();
    dispatch(&g, plain.clone(), fleet(&limits));
    let ran = plain.ran.lock().unwrap().clone();
    let sticky = ran["unix:///b"].len();
    // With the project's registry cache, the idle node takes part of the slow one's queue.
    let cached = nodes();
    let r = dispatch(
        &g,
        cached.clone(),
        fleet_with(&limits, "cache = \"registry\"\n"),
    );
    assert!(r.nodes.iter().all(|n| n.status.kind() == StatusKind::Done));
    let ran = cached.ran.lock().unwrap().clone();
    assert!(
        ran["unix:///b"].len() < sticky,
        "the slow node kept {} of its {sticky}",
        ran["unix:///b"].len()
    );
}

#[test]
fn a_new_node_takes_only_the_builds_it_wins() {
    let g = graph(targets(60, "f", AMD));
    let two = dispatch(
        &g,
        Arc::new(Nodes::default()),
        fleet(&[("unix:///a", AMD, None), ("unix:///b", AMD, None)]),
    );
    let three = dispatch(
        &g,
        Arc::new(Nodes::default()),
        fleet(&[
            ("unix:///a", AMD, None),
            ("unix:///b", AMD, None),
            ("unix:///c", AMD, None),
        ]),
    );
    let (p2, p3) = (placement(&g, &two), placement(&g, &three));
    let moved: Vec<&String> = p2.keys().filter(|k| p2[*k] != p3[*k]).collect();
    let to_new = moved
        .iter()
        .filter(|k| p3[**k] == "docker-host=unix:///c")
        .count();
    // About a third moves, nearly all of it to the new node: only the few the load bound
    // pushes off a node that has its share already move between the old ones.
    assert!((15..=25).contains(&moved.len()), "{} moved", moved.len());
    assert!(
        moved.len() - to_new <= 3,
        "{} of {} moved between old nodes",
        moved.len() - to_new,
        moved.len()
    );
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for b in p3.values() {
        *load.entry(b.as_str()).or_default() += 1;
    }
    assert!(load.values().all(|&n| n <= 25), "bounded: {load:?}");
}

#[test]
fn platforms_go_to_the_nodes_that_build_them_natively() {
    let mut ts = targets(6, "f", &["linux/arm64"]);
    let mut amd = targets(1, "f", &["linux/s390x"]);
    amd[0].name = "odd".into();
    ts.extend(amd);
    let g = graph(ts);
    let r = dispatch(
        &g,
        Arc::new(Nodes::default()),
        fleet(&[
            ("unix:///amd", AMD, None),
            ("unix:///arm", &["linux/arm64"], None),
        ]),
    );
    let p = placement(&g, &r);
    for i in 0..6 {
        assert_eq!(p[&format!("t{i}")], "docker-host=unix:///arm");
    }
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("odd") && n.contains("linux/s390x") && n.contains("emulated")),
        "{:?}",
        r.notes
    );
}

#[test]
fn a_node_down_before_the_dispatch_is_left_out() {
    let g = graph(targets(10, "f", AMD));
    let nodes = Arc::new(Nodes {
        down: vec!["unix:///b".into()],
        ..Nodes::default()
    });
    let r = dispatch(
        &g,
        nodes.clone(),
        fleet(&[("unix:///a", AMD, None), ("unix:///b", AMD, None)]),
    );
    assert!(r.nodes.iter().all(|n| n.status.kind() == StatusKind::Done));
    let ran = nodes.ran.lock().unwrap().clone();
    assert_eq!(ran.keys().collect::<Vec<_>>(), ["unix:///a"]);
    assert!(
        r.notes.iter().any(|n| n.contains("unix:///b left out")),
        "{:?}",
        r.notes
    );
}

#[test]
fn builds_of_a_node_lost_mid_run_are_retried_once_elsewhere() {
    let g = graph(targets(20, "f", AMD));
    let nodes = Arc::new(Nodes {
        dies: Some("unix:///b".into()),
        ..Nodes::default()
    });
    let r = dispatch(
        &g,
        nodes.clone(),
        fleet(&[("unix:///a", AMD, Some(2)), ("unix:///b", AMD, Some(2))]),
    );
    let kinds: BTreeSet<StatusKind> = r.nodes.iter().map(|n| n.status.kind()).collect();
    assert_eq!(kinds, BTreeSet::from([StatusKind::Done]), "{:?}", r.notes);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("retried on another node")),
        "{:?}",
        r.notes
    );
    let ran = nodes.ran.lock().unwrap().clone();
    assert_eq!(
        ran.values().map(Vec::len).sum::<usize>(),
        20,
        "every build ran once to its end: {ran:?}"
    );

    // With both nodes gone nothing can run: clear errors, no hang.
    let nodes = Arc::new(Nodes {
        down: vec!["unix:///a".into(), "unix:///b".into()],
        ..Nodes::default()
    });
    let r = dispatch(
        &g,
        nodes,
        fleet(&[("unix:///a", AMD, Some(2)), ("unix:///b", AMD, Some(2))]),
    );
    for n in &r.nodes {
        let bake_dispatch::NodeStatus::Failed(f) = &n.status else {
            panic!("{:?}", n.status)
        };
        assert!(
            f.message.contains("no builder of project f can be reached"),
            "{}",
            f.message
        );
    }
}

#[test]
fn builds_go_where_their_target_contexts_were_built() {
    let mut ts = targets(1, "f", AMD);
    ts[0].name = "base".into();
    for i in 0..8 {
        let mut t = targets(1, "f", AMD).remove(0);
        t.name = format!("app{i}");
        t.args.insert("I".into(), Some(format!("app{i}")));
        t.contexts.insert("base".into(), "target:base".into());
        ts.push(t);
    }
    let g = graph(ts);
    let r = dispatch(
        &g,
        Arc::new(Nodes::default()),
        fleet(&[("unix:///a", AMD, None), ("unix:///b", AMD, None)]),
    );
    assert!(r.nodes.iter().all(|n| n.status.kind() == StatusKind::Done));
    let p = placement(&g, &r);
    for i in 0..8 {
        assert_eq!(
            p[&format!("app{i}")],
            p["base"],
            "app{i} left its context's node"
        );
    }
}
