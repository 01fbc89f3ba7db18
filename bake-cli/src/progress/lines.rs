//! The line-based modes: `plain` writes a line, prefixed with the build's label, when a build
//! starts, prints a line or ends; `rawjson` writes every event as one JSON object naming its
//! target and project.

use bake_core::api::BuildGraph;
use bake_dispatch::Event;

/// The names events are shown under: each build's label and project, by node.
pub(super) struct Lines {
    labels: Vec<String>,
    projects: Vec<String>,
}

impl Lines {
    pub(super) fn for_graph(graph: &BuildGraph) -> Lines {
        Lines {
            labels: graph
                .nodes
                .iter()
                .map(bake_core::api::BuildNode::label)
                .collect(),
            projects: graph.nodes.iter().map(|n| n.project.id.clone()).collect(),
        }
    }

    /// The `plain` line of an event, if it has one (`[app] building on project p`).
    pub(super) fn plain(&self, ev: &Event) -> Option<String> {
        Some(match ev {
            Event::Queued { .. } | Event::Progress { .. } => return None,
            Event::Started { node } => {
                format!(
                    "[{}] building on project {}",
                    self.labels[*node], self.projects[*node]
                )
            }
            Event::Log { node, line } => format!("[{}] {line}", self.labels[*node]),
            Event::Finished {
                node,
                status,
                duration,
            } => format!(
                "[{}] {} in {:.1}s",
                self.labels[*node],
                status.word(),
                duration.as_secs_f64()
            ),
        })
    }

    /// The `rawjson` line of an event.
    pub(super) fn json(&self, ev: &Event) -> String {
        let (kind, node, extra) = match ev {
            Event::Queued { node } => ("queued", *node, serde_json::json!({})),
            Event::Started { node } => ("started", *node, serde_json::json!({})),
            Event::Progress {
                node,
                total,
                done,
                cached,
                current,
            } => (
                "progress",
                *node,
                serde_json::json!({"total": total, "done": done, "cached": cached, "current": current}),
            ),
            Event::Log { node, line } => ("log", *node, serde_json::json!({ "line": line })),
            Event::Finished {
                node,
                status,
                duration,
            } => (
                "finished",
                *node,
                serde_json::json!({"status": status.word(), "duration": duration.as_secs_f64()}),
            ),
        };
        let mut obj = serde_json::json!({
            "event": kind,
            "target": self.labels[node],
            "project": self.projects[node],
        });
        if let (Some(o), serde_json::Value::Object(e)) = (obj.as_object_mut(), extra) {
            o.extend(e);
        }
        obj.to_string()
    }
}
