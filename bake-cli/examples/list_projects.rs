//! Loads a Compose file (Depot's multi-project example) and lists each service's project and
//! tags: `cargo run -p bake-cli --example list_projects`.

const COMPOSE: &str = "\
services:
  api:
    image: registry.example.com/api:1.0
    build:
      dockerfile: ./Dockerfile.api
      x-depot:
        project-id: abc123
  web:
    image: registry.example.com/web:1.0
    build:
      dockerfile: ./Dockerfile.web
      x-depot:
        project-id: def456
";

/// What the example prints.
pub(crate) fn run() -> String {
    // The Compose and HCL frontends are registered; `bake::discover` would also find the
    // files in the directory as `docker buildx bake` does.
    let project = bake::new("/src")
        .source("compose.yaml", COMPOSE)
        .load()
        .expect("the example file loads");
    let resolved = project
        .resolve(&[], &[])
        .expect("the default group resolves");
    let graph = project.graph(&resolved, None).expect("no cycles");
    let mut out = String::new();
    for node in &graph.nodes {
        out.push_str(&format!(
            "{:<4} project {:<7} tags {}\n",
            node.names.join(","),
            node.project.id,
            node.target.tags.join(", ")
        ));
    }
    out
}

fn main() {
    print!("{}", run());
}
