//! Plans a dispatch with a custom backend and an event sink that records what happens:
//! `cargo run -p bake-cli --example plan_with_events`. No engine is needed: the backend only
//! writes down the builds it is given.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bake_core::api::Bake;
use bake_dispatch::{
    Backend, BoxFuture, BuildOutput, BuildResult, Cancel, DispatchOptions, Event, EventSink, Link,
    RunJob, RunOutcome,
};

const HCL: &str = r#"
target "base" {
  project_id = "platform"
  dockerfile = "base.Dockerfile"
}

target "api" {
  project_id = "backend"
  contexts   = { base = "target:base" }
}

target "web" {
  project_id = "frontend"
  contexts   = { base = "target:base" }
}

group "default" {
  targets = ["api", "web"]
}
"#;

/// A backend that builds nothing: every build of a run succeeds, and a build that others use
/// hands them a made-up reference.
struct Pretend;

impl Backend for Pretend {
    fn run(
        self: Arc<Self>,
        run: RunJob,
        _: Arc<dyn EventSink>,
        _: Cancel,
    ) -> BoxFuture<RunOutcome> {
        Box::pin(async move {
            let mut outcome = RunOutcome::default();
            for job in run.builds.iter().filter(|j| !j.context_only) {
                let used: Vec<String> = job
                    .contexts
                    .iter()
                    .map(|(name, link)| match link {
                        Link::InRun(_) => format!("{name} in the same run"),
                        Link::Ref(r) => format!("{name} from {r}"),
                    })
                    .collect();
                let output = BuildOutput {
                    handoff_ref: job
                        .handoff
                        .as_ref()
                        .map(|_| format!("docker-image://example/{}", job.node.names[0])),
                    stdout: used.join(", "),
                    ..BuildOutput::default()
                };
                outcome
                    .results
                    .insert(job.index, BuildResult::Done(output, Duration::ZERO));
            }
            outcome
        })
    }
}

/// Records every event with the target it concerns.
#[derive(Default)]
struct Recorder {
    names: Vec<String>,
    seen: Mutex<Vec<String>>,
}

impl EventSink for Recorder {
    fn event(&self, e: &Event) {
        let line = match e {
            Event::Queued { node } => format!("queued   {}", self.names[*node]),
            Event::Started { node } => format!("started  {}", self.names[*node]),
            Event::Finished { node, status, .. } => {
                format!("finished {} ({})", self.names[*node], status.word())
            }
            _ => return,
        };
        if let Ok(mut s) = self.seen.lock() {
            s.push(line);
        }
    }
}

/// What the example prints.
pub(crate) fn run() -> String {
    let project = Bake::new("/src")
        .frontend(bake_compose::ComposeFrontend)
        .frontend(bake_hcl::HclFrontend)
        .source("docker-bake.hcl", HCL)
        .load()
        .expect("the example file loads");
    let resolved = project.resolve(&[], &[]).expect("resolves");
    let graph = Arc::new(project.graph(&resolved, None).expect("no cycles"));
    let recorder = Arc::new(Recorder {
        names: graph
            .nodes
            .iter()
            .map(bake_core::api::BuildNode::label)
            .collect(),
        ..Recorder::default()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (_canceller, cancel) = bake_dispatch::cancellation();
    let report = runtime.block_on(bake_dispatch::dispatch(
        graph.clone(),
        Arc::new(Pretend),
        recorder.clone(),
        Arc::new(DispatchOptions::default()),
        cancel,
    ));
    let mut out = String::new();
    for line in recorder.seen.lock().map(|s| s.clone()).unwrap_or_default() {
        out.push_str(&line);
        out.push('\n');
    }
    for (node, r) in graph.nodes.iter().zip(&report.nodes) {
        if let bake_dispatch::NodeStatus::Done(o) = &r.status {
            if !o.stdout.is_empty() {
                out.push_str(&format!("{}: {}\n", node.label(), o.stdout));
            }
        }
    }
    out.push_str(&format!(
        "{} builds in {} runs, all done: {}\n",
        report.nodes.len(),
        report.runs,
        report.success()
    ));
    out
}

fn main() {
    print!("{}", run());
}
