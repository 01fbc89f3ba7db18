//! The fuzz entry points, shared by the cargo-fuzz targets in `fuzz_targets/`. Each one runs
//! a piece of `bake` on arbitrary text; the only thing checked is that it returns (an error is
//! fine) instead of panicking, hanging or running out of memory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bake_core::api::frontend::SourceMap;

/// An empty directory that the loaders may look around in (`.env`, `include`, `env_file`):
/// fuzz inputs must not reach the files of the machine they run on.
fn sandbox() -> PathBuf {
    let dir = std::env::temp_dir().join("bake-fuzz-cwd");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Resolves (up to 64 of) the targets and prints them; with `explain`, explains them as
/// text and JSON too.
fn resolve_all(
    config: &bake_core::api::frontend::Config,
    explain: Option<(&SourceMap, &bake_core::api::explain::Facts)>,
) {
    let env = BTreeMap::new();
    let targets: Vec<String> = config
        .targets
        .iter()
        .take(64)
        .map(|t| t.name.clone())
        .collect();
    let opts = bake_core::api::ResolveOptions {
        targets,
        overrides: Vec::new(),
        flag_overrides: Vec::new(),
        env: &env,
        cwd: sandbox(),
        file_relative_paths: false,
    };
    let full = bake_core::api::resolve(config, &opts);
    // `--print`'s streamed path gives the same document, or the same error.
    let streamed = bake_core::api::print(config, &opts);
    match (&full, &streamed) {
        (Ok(r), Ok(p)) => assert_eq!(r.to_print_json(), p.to_json(), "streamed --print differs"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "streamed error differs"),
        _ => panic!("streamed --print: {streamed:?}, full: {full:?}"),
    }
    if let Ok(r) = full {
        let _ = r.to_print_json();
        if let Some((sources, facts)) = explain {
            for format in [
                bake_core::api::explain::Format::Text,
                bake_core::api::explain::Format::Json,
            ] {
                let _ = bake_core::api::explain::render(format, &r, config, sources, facts, &[]);
            }
        }
    }
}

/// Loads `text` as the file `name` (its extension picks HCL or JSON) the way the CLI does,
/// recording what `--list` and `--explain` need so that those paths are fuzzed too.
fn hcl_load(text: &str, name: &str) {
    deferred_load(text, name);
    let Ok(p) = bake_core::api::Bake::new(sandbox())
        .frontend(bake_hcl::HclFrontend)
        .record_origins(true)
        .render_variables(true)
        .source(name, text)
        .load()
    else {
        return;
    };
    resolve_all(&p.config, Some((&p.sources, &p.facts)));
}

/// Loads `text` as `--print` does (target and group blocks deferred while reading, read again
/// when lowered) and as `--explain` does (read whole): the same model less the origins, or
/// the same error; then resolves the first as `--print` would.
fn deferred_load(text: &str, name: &str) {
    let deferred = bake_core::api::Bake::new(sandbox())
        .frontend(bake_hcl::HclFrontend)
        .source(name, text)
        .load();
    let whole = bake_core::api::Bake::new(sandbox())
        .frontend(bake_hcl::HclFrontend)
        .record_origins(true)
        .source(name, text)
        .load();
    match (&deferred, &whole) {
        (Ok(d), Ok(w)) => {
            let strip = |c: &bake_core::api::frontend::Config| {
                let mut c = c.clone();
                for t in &mut c.targets {
                    t.origins.clear();
                }
                format!("{c:?}")
            };
            assert_eq!(strip(&d.config), strip(&w.config), "deferred load differs");
            resolve_all(&d.config, None);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "deferred error differs"),
        _ => panic!(
            "deferred load: {:?}, whole: {:?}",
            deferred.as_ref().map(|_| ()).map_err(ToString::to_string),
            whole.as_ref().map(|_| ()).map_err(ToString::to_string)
        ),
    }
}

/// Load options for the HCL targets: empty environment, with everything `--list` and
/// `--explain` record turned on so that those paths are fuzzed too.
fn hcl_options() -> bake_hcl::LoadOptions {
    bake_hcl::LoadOptions {
        render_variables: true,
        record_refs: true,
        ..bake_hcl::LoadOptions::default()
    }
}

/// HCL native syntax: parse, evaluate, resolve every target, print.
pub fn hcl(text: &str) {
    hcl_load(text, "docker-bake.hcl");
}

/// HCL JSON syntax: parse, evaluate, resolve every target, print.
pub fn hcl_json(text: &str) {
    hcl_load(text, "docker-bake.json");
}

/// A Compose file with interpolation from a small environment, then resolve and print.
pub fn compose(text: &str) {
    let mut sources = SourceMap::default();
    let id = sources.add("compose.yaml", text);
    let env: BTreeMap<String, String> = [("TAG", "1.0"), ("EMPTY", ""), ("A", "${B}")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let opts = bake_compose::ComposeOptions {
        env,
        vars: BTreeMap::new(),
        env_lookup: true,
        cwd: sandbox(),
        record_origins: true,
    };
    if let Ok(loaded) = bake_compose::load(&sources, &[id], &opts) {
        let facts = bake_core::api::explain::Facts {
            interpolations: loaded.interpolations.clone(),
            ..Default::default()
        };
        resolve_all(&loaded.config, Some((&sources, &facts)));
    }
}

const SET_BASE: &str = r#"
group "default" { targets = ["app", "db"] }
target "base" { context = "." args = { A = "1" } }
target "app" {
  inherits = ["base"]
  tags = ["acme/app:dev"]
  platforms = ["linux/amd64"]
  cache-from = ["type=registry,ref=acme/cache"]
  output = ["type=docker"]
}
target "db" { dockerfile = "db.Dockerfile" secret = ["id=tok,env=TOKEN"] }
"#;

/// `--set` values (one per line) over a fixed definition, through `bake_core::api::resolve`.
pub fn set(text: &str) {
    let mut sources = SourceMap::default();
    let id = sources.add("docker-bake.hcl", SET_BASE);
    let Ok(body) = bake_hcl::parse(&sources, id, bake_hcl::Syntax::Hcl) else {
        return;
    };
    let opts = hcl_options();
    let Ok(loaded) = bake_hcl::load(&[body], &sources, &opts) else {
        return;
    };
    let mut lines = text.lines();
    let targets: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .take(8)
        .map(str::to_string)
        .collect();
    let env = BTreeMap::new();
    let ropts = bake_core::api::ResolveOptions {
        targets,
        overrides: lines.take(64).map(str::to_string).collect(),
        flag_overrides: Vec::new(),
        env: &env,
        cwd: sandbox(),
        file_relative_paths: false,
    };
    if let Ok(r) = bake_core::api::resolve(&loaded.config, &ropts) {
        let _ = r.to_print_json();
    }
}

/// A `.env` file, with bare keys and substitutions looked up in a small environment.
pub fn dotenv(text: &str) {
    let lookup = |k: &str| match k {
        "HOME" => Some("/home/u".to_string()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let _ = bake_compose::dotenv::parse(text, &lookup);
}
