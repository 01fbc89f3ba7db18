//! The catalogue's `bakery` cases: subcommands, projects, the build history, saved builds
//! and single builds (none needs an engine: each fails before anything is built).

use std::path::Path;

use super::{case, check, Case};

#[test]
fn bakery() {
    let two = "[projects.abc]\nbuilder = \"x\"\n[projects.def]\ndocker-host = \"unix:///d.sock\"\n";
    let garbage = vec![0x5au8; 4096];
    check(&[
        case(
            "bakery: unknown subcommand",
            None,
            "unrecognized subcommand 'frobnicate'",
        )
        .bakery(&["frobnicate"]),
        case("bakery: no subcommand", None, "Usage: bakery").bakery(&[]),
        case(
            "bakery: init over an existing depot.json",
            None,
            "depot.json already exists in",
        )
        .file("depot.json", "{\"id\":\"abc\"}\n")
        .bakery(&["init", "--project", "def"]),
        case(
            "bakery: init without --project and no terminal",
            None,
            "pass --project with one of the projects of bake.toml: abc, def",
        )
        .file("bake.toml", two)
        .bakery(&["init"]),
        case(
            "bakery: init with no project configured",
            None,
            "configures no project",
        )
        .bakery(&["init"]),
        case(
            "bakery: init with a broken bake.toml",
            Some("bake.toml:2"),
            "unknown field `buildr`",
        )
        .file("bake.toml", "[projects.abc]\nbuildr = \"x\"\n")
        .bakery(&["init", "--project", "abc"]),
        case(
            "bakery: list builds from a corrupt history",
            None,
            "cannot use the build history h.db: file is not a database",
        )
        .file("h.db", garbage.clone())
        .env("BAKE_HISTORY", "h.db")
        .bakery(&["list", "builds"]),
        case(
            "bakery: list builds from a newer history",
            None,
            "has schema version 99",
        )
        .setup(|d| {
            let db = d.join("h.db");
            let h = bake_history::History::open(&db).expect("a history");
            drop(h);
            // user_version at offset 60 of the header, big-endian.
            let mut bytes = std::fs::read(&db).expect("read the history");
            bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
            std::fs::write(&db, bytes).expect("write the history");
        })
        .env("BAKE_HISTORY", "h.db")
        .bakery(&["list", "builds"]),
        case(
            "bakery: list builds in an unknown format",
            None,
            "invalid value 'yaml' for '--output <FORMAT>'",
        )
        .bakery(&["list", "builds", "--output", "yaml"]),
        case("bakery: projects list as csv", None, "invalid value 'csv'")
            .bakery(&["projects", "list", "--output", "csv"]),
        case(
            "bakery: completion for an unknown shell",
            None,
            "invalid value 'tcsh'",
        )
        .bakery(&["completion", "tcsh"]),
        case("bakery bake: the same errors as bake", None, "--save")
            .hcl("target \"app\" {}\n")
            .bakery(&["bake", "--dry-run", "--save-tag", "v1"]),
    ]);
}

/// A history with three runs: `01k2x7aaaaaaa` (project abc) saved targets api and web,
/// `01k2x7bbbbbbb` (abc) built api without saving it, `01k3ccccccccc` (def) saved app.
fn saved_history(d: &Path) {
    use bake_history::{BuildId, History, NewRun, NewTarget, Owner, Status, TargetEnd};
    let mut h = History::open(&d.join("h.db")).expect("a history");
    let runs: [(&str, &str, &[&str], bool); 3] = [
        ("01k2x7aaaaaaa", "abc", &["api", "web"], true),
        ("01k2x7bbbbbbb", "abc", &["api"], false),
        ("01k3ccccccccc", "def", &["app"], true),
    ];
    for (k, (id, project, targets, saved)) in runs.into_iter().enumerate() {
        let run = NewRun {
            id: BuildId::parse(id).expect("an id"),
            command: vec!["bake".into(), "--save".into()],
            cwd: "/src".into(),
            owner: Owner::current(),
            started_ms: 1_000 * (i64::try_from(k).unwrap_or(0) + 1),
            targets: targets
                .iter()
                .map(|t| NewTarget {
                    name: (*t).into(),
                    project: project.into(),
                    builder: "default".into(),
                    requested: true,
                })
                .collect(),
        };
        h.begin(&run).expect("begin");
        let ends: Vec<TargetEnd> = targets
            .iter()
            .map(|t| TargetEnd {
                status: Some(Status::Done),
                saved_refs: if saved {
                    vec![format!("reg/{project}:{id}-{t}@sha256:00")]
                } else {
                    Vec::new()
                },
                ..TargetEnd::default()
            })
            .collect();
        h.finish(&run.id, Status::Done, 9_000, 0, &ends)
            .expect("finish");
    }
}

#[test]
fn saved_builds() {
    let history = |c: Case| c.setup(saved_history).env("BAKE_HISTORY", "h.db");
    check(&[
        history(case(
            "bakery pull: an unknown build id",
            None,
            "no build 01k2x7aaaaabb in the build history",
        ))
        .bakery(&["pull", "01k2x7aaaaabb"]),
        history(case(
            "bakery pull: an unknown build id, the closest suggested",
            None,
            "did you mean `01k2x7aaaaaaa`?",
        ))
        .bakery(&["pull", "01k2x7aaaaabb"]),
        history(case(
            "bakery pull: an ambiguous id prefix",
            None,
            "build id 01k2x7 is ambiguous: 01k2x7bbbbbbb, 01k2x7aaaaaaa",
        ))
        .bakery(&["pull", "01k2x7"]),
        history(case(
            "bakery pull: a build that was not saved",
            None,
            "build 01k2x7bbbbbbb was not saved",
        ))
        .bakery(&["pull", "01k2x7b"]),
        history(case(
            "bakery pull: a build of another project",
            None,
            "build 01k2x7aaaaaaa is a build of project abc, not def",
        ))
        .bakery(&["pull", "--project", "def", "01k2x7a"]),
        history(case(
            "bakery pull: a target the build does not have",
            None,
            "build 01k2x7aaaaaaa has no target wbe",
        ))
        .bakery(&["pull", "--target", "wbe", "01k2x7a"]),
        history(case(
            "bakery pull: -t for a build of several targets",
            None,
            "-t names one image, and build 01k2x7a saved 2 targets (api, web)",
        ))
        .bakery(&["pull", "-t", "x/y:1", "01k2x7a"]),
        case(
            "bakery pull: a corrupt history",
            None,
            "cannot use the build history h.db",
        )
        .file("h.db", vec![0x5au8; 4096])
        .env("BAKE_HISTORY", "h.db")
        .bakery(&["pull", "01k2x7a"]),
        history(case(
            "bakery push: no -t",
            None,
            "push needs -t: where to copy the build",
        ))
        .bakery(&["push", "01k3c"]),
        history(case(
            "bakery push: a build of several targets without --target",
            None,
            "saved 2 targets (api, web): which one to push?",
        ))
        .bakery(&["push", "-t", "x/y:1", "01k2x7a"]),
    ]);
}

#[test]
fn cache_reset_and_single_builds() {
    let two = "[projects.abc]\nbuilder = \"x\"\n[projects.def]\ndocker-host = \"unix:///d.sock\"\n";
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    check(&[
        case(
            "bakery cache reset: no project named",
            None,
            "which project's cache?",
        )
        .file("bake.toml", two)
        .bakery(&["cache", "reset"]),
        case(
            "bakery cache reset: a project bake.toml does not configure",
            None,
            "project abd is not in bake.toml",
        )
        .file("bake.toml", two)
        .bakery(&["cache", "reset", "--project", "abd"]),
        case(
            "bakery build: context and Dockerfile both on standard input",
            None,
            "cannot both be read from standard input",
        )
        .bakery(&["build", "-f", "-", "-"]),
        case(
            "bakery build: a tar archive on standard input",
            None,
            "a tar archive on standard input is not supported",
        )
        .stdin(tar)
        .bakery(&["build", "-"]),
        case(
            "bakery build: a build context without a name",
            None,
            "--build-context \"ctx\": expected NAME=VALUE",
        )
        .file("Dockerfile", "FROM scratch\n")
        .bakery(&["build", "--build-context", "ctx", "."]),
        case(
            "bakery build: --save to a project without a registry",
            None,
            "--save: project abc has no registry configured",
        )
        .file("bake.toml", two)
        .file("Dockerfile", "FROM scratch\n")
        .bakery(&["build", "--save", "--project", "abc", "."]),
        case(
            "bakery build: an unknown lint severity",
            None,
            "invalid value 'fatal' for '--lint-fail-on <SEVERITY>'",
        )
        .bakery(&["build", "--lint", "--lint-fail-on", "fatal", "."]),
    ]);
}

#[test]
fn project_configuration() {
    check(&[
        case(
            "bake.toml: a registry cache without a registry",
            Some("bake.toml:1"),
            "project abc: cache = \"registry\" needs a registry to keep it in",
        )
        .file(
            "bake.toml",
            "[projects.abc]\nbuilder = \"x\"\ncache = \"registry\"\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: a cache kind that does not exist",
            Some("bake.toml:3"),
            "unknown variant `regsitry`, expected `registry`",
        )
        .file(
            "bake.toml",
            "[projects.abc]\nregistry = \"r\"\ncache = \"regsitry\"\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: a node with no way to reach it",
            Some("bake.toml:2"),
            "node 1 of project f has no way to reach it",
        )
        .file(
            "bake.toml",
            "[projects.f]\n[[projects.f.nodes]]\nplatforms = [\"linux/amd64\"]\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: a platform typo in a node",
            Some("bake.toml:2"),
            "did you mean `linux/amd64`?",
        )
        .file(
            "bake.toml",
            "[projects.f]\n[[projects.f.nodes]]\ndocker-host = \"unix:///a\"\nplatforms = [\"linux/amd46\"]\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: a missing mTLS file",
            Some("bake.toml:2"),
            "node 1 of project f: cacert ca.pem does not exist or is not a file",
        )
        .file(
            "bake.toml",
            "[projects.f]\n[[projects.f.nodes]]\nendpoint = \"tcp://x:1\"\ncacert = \"ca.pem\"\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: two nodes with one address",
            Some("bake.toml:4"),
            "node 2 of project f has the same address as another node",
        )
        .file(
            "bake.toml",
            "[projects.f]\n[[projects.f.nodes]]\ndocker-host = \"unix:///a\"\n[[projects.f.nodes]]\ndocker-host = \"unix:///a\"\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
        case(
            "bake.toml: a fleet with a builder of its own",
            Some("bake.toml:1"),
            "project f has nodes and also a builder of its own",
        )
        .file(
            "bake.toml",
            "[projects.f]\nbuilder = \"x\"\n[[projects.f.nodes]]\ndocker-host = \"unix:///a\"\n",
        )
        .hcl("target \"app\" {}\n")
        .args(&["--dry-run", "app"]),
    ]);
}
