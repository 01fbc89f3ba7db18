//! What is printed after a build: the summary table (target, project, status, time, cache
//! hits, image and where it went) and one block per failed build.

use bake_core::api::BuildGraph;
use bake_dispatch::{self as dispatch, DispatchReport, NodeStatus};

/// Where a build's image went, in a few words: loaded into which engine, pushed, saved.
fn where_it_went(
    node: &bake_core::api::BuildNode,
    o: &dispatch::BuildOutput,
    local: &str,
) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for out in &node.target.output {
        let push = out.attrs.get("push").is_some_and(|v| v == "true");
        match out.typ.as_str() {
            "docker" if out.dest.is_empty() => {
                let into = o.loaded_into.as_deref().unwrap_or(local);
                let w = format!("loaded into {into}");
                if !parts.contains(&w) {
                    parts.push(w);
                }
            }
            "registry" => parts.push("pushed".into()),
            "image" if push => parts.push("pushed".into()),
            "local" | "tar" | "oci" | "docker" if !out.dest.is_empty() => {
                parts.push(format!("written to {}", out.dest));
            }
            _ => {}
        }
    }
    if !o.saved.is_empty() {
        let refs: Vec<&str> = o.saved.iter().map(|s| without_digest(s)).collect();
        parts.push(format!("saved as {}", refs.join(" and ")));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The table printed after a build: target, project, status, time, cache hits, image/digest
/// and where it went.
pub(crate) fn summary_table(graph: &BuildGraph, report: &DispatchReport, local: &str) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "TARGET".into(),
        "PROJECT".into(),
        "STATUS".into(),
        "TIME".into(),
        "CACHED".into(),
        "IMAGE / DIGEST".into(),
    ]];
    for (node, r) in graph.nodes.iter().zip(&report.nodes) {
        let (cached, image) = match &r.status {
            NodeStatus::Done(o) => {
                let digest = o.digest().map(|d| d.chars().take(19).collect::<String>());
                let named = o.image().filter(|i| !i.starts_with("moby-dangling@"));
                let image = match (named, digest) {
                    (Some(i), Some(d)) => format!("{i} {d}"),
                    (Some(i), None) => i.to_string(),
                    (None, Some(d)) => d,
                    (None, None) => "-".into(),
                };
                let image = match where_it_went(node, o, local) {
                    Some(w) if image == "-" => w,
                    Some(w) => format!("{image}  {w}"),
                    None => image,
                };
                (format!("{}/{}", o.cached_steps, o.steps), image)
            }
            NodeStatus::Skipped(dep) => {
                ("-".into(), format!("needs {}", graph.nodes[*dep].names[0]))
            }
            _ => ("-".into(), "-".into()),
        };
        rows.push([
            node.label(),
            node.project.id.clone(),
            r.status.kind().word().to_string(),
            format!("{:.1}s", r.duration.as_secs_f64()),
            cached,
            image,
        ]);
    }
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    format!("\n{}", table(&rows))
}

/// Columns padded to their widest cell, two spaces apart, the last one unpadded.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; n];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (k, (c, w)) in row.iter().zip(&widths).enumerate() {
            if k + 1 == row.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One block per failed build: target, project, reason, and the last lines it printed.
pub(crate) fn failure_text(graph: &BuildGraph, report: &DispatchReport) -> String {
    let mut out = String::new();
    for (node, r) in graph.nodes.iter().zip(&report.nodes) {
        if let NodeStatus::Failed(f) = &r.status {
            out.push_str(&format!(
                "\nerror: target {} (project {}) failed: {}\n",
                node.label(),
                node.project.id,
                f.message
            ));
            let tail: Vec<&String> = f.log_tail.iter().rev().take(12).collect();
            for l in tail.into_iter().rev() {
                out.push_str(&format!("  | {l}\n"));
            }
        }
    }
    out
}

/// An image reference without its digest (`REF@sha256:…` gives `REF`).
pub(crate) fn without_digest(r: &str) -> &str {
    r.split_once('@').map_or(r, |(name, _)| name)
}
