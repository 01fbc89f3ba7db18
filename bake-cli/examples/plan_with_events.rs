//! Plans a dispatch with a custom backend and an event sink that records what happens:
//! `cargo run -p bake-cli --example plan_with_events`. No engine is needed: the backend only
//! writes down the builds it is given.

use std::sync::{Arc, Mutex};

use bake_core::api::Bake;
use bake_core::config::ProjectConfig;
use bake_core::dispatch::{
    self, Backend, BoxFuture, BuildFailure, BuildJob, BuildOutput, Cancel, DispatchOptions, Event,
    EventSink,
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

/// A backend that builds nothing: it hands each dependent a made-up reference.
struct Pretend;

impl Backend for Pretend {
    fn prepare(self: Arc<Self>, _: String, _: ProjectConfig) -> BoxFuture<Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    fn build(
        self: Arc<Self>,
        job: BuildJob,
        _: Arc<dyn EventSink>,
        _: Cancel,
    ) -> BoxFuture<Result<BuildOutput, BuildFailure>> {
        Box::pin(async move {
            Ok(BuildOutput {
                handoff_ref: job
                    .handoff
                    .as_ref()
                    .map(|_| format!("docker-image://example/{}", job.node.names[0])),
                ..BuildOutput::default()
            })
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
            Event::Progress { .. } | Event::Log { .. } => return,
        };
        if let Ok(mut s) = self.seen.lock() {
            s.push(line);
        }
    }
}

/// What the example prints.
pub fn run() -> String {
    let project = Bake::new("/src")
        .frontend(bake_compose::ComposeFrontend)
        .frontend(bake_hcl::HclFrontend)
        .source("docker-bake.hcl", HCL)
        .load()
        .expect("the example file loads");
    let resolved = project.resolve(&[], &[]).expect("resolves");
    let graph = Arc::new(project.graph(&resolved, None).expect("no cycles"));
    let recorder = Arc::new(Recorder {
        names: graph.nodes.iter().map(|n| n.label()).collect(),
        ..Recorder::default()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (_canceller, cancel) = dispatch::cancellation();
    let report = runtime.block_on(dispatch::dispatch(
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
    out.push_str(&format!(
        "{} builds, all done: {}\n",
        report.nodes.len(),
        report.success()
    ));
    out
}

fn main() {
    print!("{}", run());
}
