//! The build graph: resolved targets as a deduplicated DAG of builds.
//!
//! Every resolved target (requested, or pulled in through a `target:` context) maps to one
//! node. Two targets whose builds are identical — the same content hash of every
//! build-relevant field, with their `target:` contexts replaced by the hashes of the builds they
//! name, in the same project — share one node, which then serves both names. Edges run from a
//! build to the builds it uses as named contexts. Node order is deterministic: dependencies
//! first, ties broken by target name.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::DiGraph;
use sha2::{Digest, Sha256};

use crate::json::PrettyWriter;

use crate::project::{ProjectDefaults, TargetProject};
use crate::resolve::{Resolved, Target};

/// A `target:` context of a build: the context name and the node that provides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The named context (`base` in `contexts = { base = "target:b" }`).
    pub context: String,
    /// The index of the providing node in [`BuildGraph::nodes`].
    pub node: usize,
}

/// One build of the graph.
#[derive(Debug, Clone)]
pub struct BuildNode {
    /// The content id: the first 12 hex digits of the build's SHA-256.
    pub id: String,
    /// Every target name this build serves, in graph order.
    pub names: Vec<String>,
    /// The resolved definition (the first of `names`).
    pub target: Target,
    /// Where it builds.
    pub project: TargetProject,
    /// Its `target:` contexts, by context name.
    pub deps: Vec<Dep>,
    /// Whether any of its names was requested (not only pulled in as a context).
    pub requested: bool,
}

impl BuildNode {
    /// The name used in progress lines and reports: the names joined with `,`.
    #[must_use]
    pub fn label(&self) -> String {
        self.names.join(",")
    }
}

/// The deduplicated DAG of builds.
#[derive(Debug, Clone, Default)]
pub struct BuildGraph {
    /// Nodes in dependency order: every node comes after the nodes it depends on.
    pub nodes: Vec<BuildNode>,
    /// For each node, the nodes that use it.
    users: Vec<Vec<usize>>,
}

/// Why a graph could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum GraphError {
    /// `target:` contexts that form a cycle.
    #[error("`target:` contexts form a cycle: {}", path.join(" -> "))]
    #[diagnostic(
        code(bake::graph::cycle),
        help("a target cannot use itself, directly or through others, as a build context")
    )]
    Cycle {
        /// The targets of the cycle, the first repeated at the end.
        path: Vec<String>,
    },
    /// A `target:` context naming a target that was not resolved.
    #[error(
        "target `{from}` uses `target:{to}` as context `{context}`, but `{to}` is not defined"
    )]
    #[diagnostic(code(bake::graph::missing))]
    Missing {
        /// The target with the context.
        from: String,
        /// The context name.
        context: String,
        /// The missing target.
        to: String,
    },
    /// A `depot.json` in the working directory that cannot be used.
    #[error("{0}")]
    #[diagnostic(help("depot.json should look like {{\"id\": \"PROJECT\"}}"))]
    DepotJson(String),
}

impl BuildGraph {
    /// Builds the graph of `resolved`, placing each target in its project.
    ///
    /// # Errors
    /// A cycle of `target:` contexts, or a context naming an unknown target.
    pub fn new(resolved: &Resolved, defaults: &ProjectDefaults) -> Result<Self, GraphError> {
        Self::build(resolved, defaults, std::clone::Clone::clone)
    }

    /// [`BuildGraph::new`], moving the targets out of `resolved` instead of copying them.
    ///
    /// # Errors
    /// As [`BuildGraph::new`].
    pub fn from_resolved(
        mut resolved: Resolved,
        defaults: &ProjectDefaults,
    ) -> Result<Self, GraphError> {
        let mut g = Self::build(&resolved, defaults, |_| Target::default())?;
        for n in &mut g.nodes {
            if let Some(t) = resolved.targets.remove(&n.names[0]) {
                n.target = *t;
            }
        }
        Ok(g)
    }

    fn build(
        resolved: &Resolved,
        defaults: &ProjectDefaults,
        take: impl Fn(&Target) -> Target,
    ) -> Result<Self, GraphError> {
        let targets = &resolved.targets;
        let names: Vec<&String> = targets.keys().collect();
        let index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();

        // Target-level graph: an edge from a dependency to its dependent.
        let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(names.len(), 0);
        for i in 0..names.len() {
            g.add_node(i);
        }
        let mut deps: Vec<Vec<(String, usize)>> = vec![Vec::new(); names.len()];
        for (i, name) in names.iter().enumerate() {
            for (ctx, value) in &targets[*name].contexts {
                let Some(link) = value.strip_prefix("target:") else {
                    continue;
                };
                let Some(&j) = index.get(link) else {
                    return Err(GraphError::Missing {
                        from: (*name).clone(),
                        context: ctx.clone(),
                        to: link.to_string(),
                    });
                };
                deps[i].push((ctx.clone(), j));
                g.add_edge(
                    petgraph::graph::NodeIndex::new(j),
                    petgraph::graph::NodeIndex::new(i),
                    (),
                );
            }
        }
        if petgraph::algo::toposort(&g, None).is_err() {
            return Err(GraphError::Cycle {
                path: find_cycle(&names, &deps),
            });
        }

        // Kahn's algorithm with the smallest ready name first: a deterministic order.
        let mut indegree: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (i, ds) in deps.iter().enumerate() {
            for (_, j) in ds {
                dependents[*j].push(i);
            }
        }
        let mut ready: BTreeSet<usize> = (0..names.len()).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(names.len());
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &d in &dependents[i] {
                indegree[d] -= 1;
                if indegree[d] == 0 {
                    ready.insert(d);
                }
            }
        }

        // Content hashes in dependency order, so a context's hash is known when it is used.
        let mut hashes: Vec<String> = vec![String::new(); names.len()];
        let mut node_of: Vec<usize> = vec![0; names.len()];
        let mut by_hash: BTreeMap<String, usize> = BTreeMap::new();
        let mut nodes: Vec<BuildNode> = Vec::new();
        let mut buf = PrettyWriter::serde_style(1024, true);
        for &i in &order {
            let t = &targets[names[i]];
            let project = crate::project::assign(t, defaults);
            let hash = content_hash(t, &project, &mut buf, |link| {
                index.get(link).map(|&j| hashes[j].as_str())
            });
            hashes[i] = hash.clone();
            if let Some(&n) = by_hash.get(&hash) {
                node_of[i] = n;
                nodes[n].names.push(names[i].clone());
                nodes[n].requested |= !t.linked;
                continue;
            }
            let n = nodes.len();
            by_hash.insert(hash.clone(), n);
            node_of[i] = n;
            nodes.push(BuildNode {
                id: hash[..12].to_string(),
                names: vec![names[i].clone()],
                target: take(t),
                project,
                deps: deps[i]
                    .iter()
                    .map(|(c, j)| Dep {
                        context: c.clone(),
                        node: node_of[*j],
                    })
                    .collect(),
                requested: !t.linked,
            });
        }
        Ok(Self::from_nodes(nodes))
    }

    /// A graph of these nodes, which must come dependencies first (every [`Dep`] names an
    /// earlier node).
    #[must_use]
    pub fn from_nodes(nodes: Vec<BuildNode>) -> Self {
        let mut users = vec![Vec::new(); nodes.len()];
        for (j, n) in nodes.iter().enumerate() {
            for d in &n.deps {
                if !users[d.node].contains(&j) {
                    users[d.node].push(j);
                }
            }
        }
        BuildGraph { nodes, users }
    }

    /// The indexes of the nodes that use node `i` as a context, in graph order.
    #[must_use]
    pub fn dependents(&self, i: usize) -> &[usize] {
        self.users.get(i).map_or(&[], Vec::as_slice)
    }

    /// The number of `target:` edges (after deduplication; one per distinct pair).
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.edges().len()
    }

    /// Every edge as `(dependency, dependent, context name)`, in node order, deduplicated.
    #[must_use]
    pub fn edges(&self) -> Vec<(usize, usize, String)> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            for d in &n.deps {
                if seen.insert((d.node, i, d.context.clone())) {
                    out.push((d.node, i, d.context.clone()));
                }
            }
        }
        out
    }

    /// The projects of the graph, in order of first use.
    #[must_use]
    pub fn projects(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for n in &self.nodes {
            if seen.insert(n.project.id.as_str()) {
                out.push(n.project.id.as_str());
            }
        }
        out
    }
}

/// One cycle among the target-level edges, as a path of names (first repeated at the end).
fn find_cycle(names: &[&String], deps: &[Vec<(String, usize)>]) -> Vec<String> {
    // Colour-marking DFS from each node in name order; the first back edge closes a cycle.
    fn visit(
        i: usize,
        deps: &[Vec<(String, usize)>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[i] = 1;
        stack.push(i);
        for (_, j) in &deps[i] {
            match state[*j] {
                1 => {
                    let from = stack.iter().position(|&s| s == *j).unwrap_or(0);
                    let mut cyc: Vec<usize> = stack[from..].to_vec();
                    cyc.push(*j);
                    return Some(cyc);
                }
                0 => {
                    if let Some(c) = visit(*j, deps, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state[i] = 2;
        None
    }
    let mut state = vec![0u8; names.len()];
    for i in 0..names.len() {
        if state[i] == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(i, deps, &mut state, &mut stack) {
                // The walk follows "uses as context"; show it in that direction.
                return c.into_iter().map(|k| names[k].clone()).collect();
            }
        }
    }
    Vec::new()
}

/// The SHA-256 (hex) of everything that decides what a build produces: the target's build key
/// ([`Target::write_build_key`], from the field table), `target:` contexts replaced by the
/// hash of the build they name, and the project. `buf` is scratch space.
fn content_hash<'h>(
    t: &Target,
    project: &TargetProject,
    buf: &mut PrettyWriter,
    hash_of: impl Fn(&str) -> Option<&'h str>,
) -> String {
    buf.out.clear();
    t.write_build_key(buf, &|link| hash_of(link).map(str::to_string));
    let mut hasher = Sha256::new();
    hasher.update(buf.out.as_bytes());
    hasher.update(b"\0project=");
    hasher.update(project.id.as_bytes());
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    s
}

/// The formats `bake --graph` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart (renders in GitHub markdown).
    Mermaid,
    /// JSON for tools: `{projects, nodes, edges}`.
    Json,
}

impl GraphFormat {
    /// Parses `dot`, `mermaid` or `json`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "" | "dot" => Ok(GraphFormat::Dot),
            "mermaid" => Ok(GraphFormat::Mermaid),
            "json" => Ok(GraphFormat::Json),
            other => Err(format!(
                "unknown graph format {other:?}: use dot, mermaid or json"
            )),
        }
    }
}

impl BuildNode {
    /// What the build outputs, in a few words: `type=docker`, `cacheonly`, or `none`.
    #[must_use]
    pub fn output_summary(&self) -> String {
        let outs: Vec<String> = self
            .target
            .output
            .iter()
            .map(|o| {
                if o.dest.is_empty() {
                    format!("type={}", o.typ)
                } else {
                    format!("type={},dest={}", o.typ, o.dest)
                }
            })
            .collect();
        if outs.is_empty() {
            "none".into()
        } else {
            outs.join(" ")
        }
    }
}

fn dot_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

impl BuildGraph {
    /// Draws the graph: one cluster per project, one box per build (every name it serves, its
    /// platforms and outputs), one arrow per `target:` context from the build it uses.
    #[must_use]
    pub fn render(&self, format: GraphFormat) -> String {
        match format {
            GraphFormat::Dot => self.to_dot(),
            GraphFormat::Mermaid => self.to_mermaid(),
            GraphFormat::Json => self.to_json(),
        }
    }

    fn node_lines(n: &BuildNode) -> Vec<String> {
        let mut lines = vec![n.names.join(", ")];
        if !n.target.platforms.is_empty() {
            lines.push(n.target.platforms.join(", "));
        }
        lines.push(format!("output: {}", n.output_summary()));
        lines
    }

    fn to_dot(&self) -> String {
        let mut out = String::from(
            "digraph bake {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\"];\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for (k, project) in self.projects().iter().enumerate() {
            out.push_str(&format!(
                "  subgraph cluster_{k} {{\n    label={};\n    style=\"rounded,dashed\";\n",
                dot_quote(&format!("project {project}"))
            ));
            for (i, n) in self.nodes.iter().enumerate() {
                if n.project.id != *project {
                    continue;
                }
                let style = if n.requested {
                    ""
                } else {
                    ", style=\"rounded,dotted\""
                };
                out.push_str(&format!(
                    "    n{i} [label={}{style}];\n",
                    dot_quote(&Self::node_lines(n).join("\n"))
                ));
            }
            out.push_str("  }\n");
        }
        for (from, to, ctx) in self.edges() {
            out.push_str(&format!(
                "  n{from} -> n{to} [label={}];\n",
                dot_quote(&ctx)
            ));
        }
        out.push_str("}\n");
        out
    }

    fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (k, project) in self.projects().iter().enumerate() {
            out.push_str(&format!(
                "  subgraph p{k}[\"project {}\"]\n",
                mermaid_text(project)
            ));
            for (i, n) in self.nodes.iter().enumerate() {
                if n.project.id != *project {
                    continue;
                }
                let label: Vec<String> = Self::node_lines(n)
                    .iter()
                    .map(|l| mermaid_text(l))
                    .collect();
                out.push_str(&format!("    n{i}[\"{}\"]\n", label.join("<br/>")));
            }
            out.push_str("  end\n");
        }
        for (from, to, ctx) in self.edges() {
            out.push_str(&format!(
                "  n{from} -- \"{}\" --> n{to}\n",
                mermaid_text(&ctx)
            ));
        }
        out
    }

    fn to_json(&self) -> String {
        // serde_json's pretty layout, written straight out.
        let mut w = PrettyWriter::serde_style(512 * (self.nodes.len() + 1), false);
        w.open('{');
        w.raw_key("projects");
        w.open('[');
        for p in self.projects() {
            w.elem();
            w.str(p);
        }
        w.close(']');
        w.raw_key("nodes");
        w.open('[');
        for (i, n) in self.nodes.iter().enumerate() {
            w.elem();
            w.open('{');
            w.raw_key("index");
            w.uint(i);
            w.raw_key("id");
            w.str(&n.id);
            w.raw_key("names");
            w.strs(&n.names);
            w.raw_key("project");
            w.str(&n.project.id);
            w.raw_key("project_source");
            w.str(n.project.source.describe());
            w.raw_key("platforms");
            w.strs(&n.target.platforms);
            w.raw_key("outputs");
            w.open('[');
            for o in &n.target.output {
                w.elem();
                o.write_json(&mut w);
            }
            w.close(']');
            w.raw_key("requested");
            w.bool(n.requested);
            w.raw_key("depends_on");
            w.open('[');
            for d in &n.deps {
                w.elem();
                w.open('{');
                w.raw_key("context");
                w.str(&d.context);
                w.raw_key("node");
                w.uint(d.node);
                w.close('}');
            }
            w.close(']');
            w.close('}');
        }
        w.close(']');
        w.raw_key("edges");
        w.open('[');
        for (from, to, ctx) in self.edges() {
            w.elem();
            w.open('{');
            w.raw_key("from");
            w.uint(from);
            w.raw_key("to");
            w.uint(to);
            w.raw_key("context");
            w.str(&ctx);
            w.close('}');
        }
        w.close(']');
        w.close('}');
        w.out.push('\n');
        w.out
    }
}
