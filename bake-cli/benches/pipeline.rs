//! `--print` pipeline stages on generated bake files: parse, evaluate (HCL → model),
//! resolve (merge, inherits, overrides) and print, each measured separately.
//!
//! Run with `cargo bench -p bake-cli`.

use std::collections::BTreeMap;

use bake_core::api::frontend::SourceMap;

// The same allocator as the `bake` binary, so stage timings add up to what users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[100, 1000, 5000, 20000];

fn sources(n: usize) -> (SourceMap, bake_core::api::frontend::SourceId) {
    let mut sm = SourceMap::default();
    let id = sm.add("docker-bake.hcl", testdata::generated(n));
    (sm, id)
}

fn load_opts() -> bake_hcl::LoadOptions {
    bake_hcl::LoadOptions {
        env_lookup: true,
        ..Default::default()
    }
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn parse(bencher: divan::Bencher, n: usize) {
    let (sm, id) = sources(n);
    bencher.bench(|| {
        bake_hcl::parse(&sm, id, bake_hcl::Syntax::Hcl)
            .map(|b| b.blocks.len())
            .ok()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn evaluate(bencher: divan::Bencher, n: usize) {
    let (sm, id) = sources(n);
    let body = bake_hcl::parse(&sm, id, bake_hcl::Syntax::Hcl)
        .ok()
        .into_iter()
        .collect::<Vec<_>>();
    let opts = load_opts();
    bencher.bench(|| {
        bake_hcl::load(&body, &sm, &opts)
            .map(|l| l.config.targets.len())
            .ok()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn resolve(bencher: divan::Bencher, n: usize) {
    let (sm, id) = sources(n);
    let body = bake_hcl::parse(&sm, id, bake_hcl::Syntax::Hcl)
        .ok()
        .into_iter()
        .collect::<Vec<_>>();
    let Ok(loaded) = bake_hcl::load(&body, &sm, &load_opts()) else {
        return;
    };
    let env = BTreeMap::new();
    bencher.bench(|| {
        let o = bake_core::api::ResolveOptions {
            targets: vec![],
            overrides: vec![],
            flag_overrides: Vec::new(),
            env: &env,
            cwd: ".".into(),
            file_relative_paths: false,
        };
        bake_core::api::resolve(&loaded.config, &o)
            .map(|r| r.targets.len())
            .ok()
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn print(bencher: divan::Bencher, n: usize) {
    let (sm, id) = sources(n);
    let body = bake_hcl::parse(&sm, id, bake_hcl::Syntax::Hcl)
        .ok()
        .into_iter()
        .collect::<Vec<_>>();
    let Ok(loaded) = bake_hcl::load(&body, &sm, &load_opts()) else {
        return;
    };
    let env = BTreeMap::new();
    let o = bake_core::api::ResolveOptions {
        targets: vec![],
        overrides: vec![],
        flag_overrides: Vec::new(),
        env: &env,
        cwd: ".".into(),
        file_relative_paths: false,
    };
    let Ok(r) = bake_core::api::resolve(&loaded.config, &o) else {
        return;
    };
    bencher.bench(|| r.to_print_json().len());
}

/// A Compose file with `n` services, each with interpolated fields.
fn compose_text(n: usize) -> String {
    let mut s = String::from("services:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  svc{i}:\n    image: acme/svc{i}:${{TAG:-latest}}\n    build:\n      context: .\n      args:\n        INDEX: \"{i}\"\n        MODE: ${{MODE:-release}}\n      platforms:\n        - linux/amd64\n"
        ));
    }
    s
}

/// Load (recording origins), resolve and `--explain` everything, as `bake --explain` does:
/// what the recording and the explaining cost, and that both stay linear.
fn explain_all(name: &str, text: String, format: bake_core::api::explain::Format) -> usize {
    let Ok(p) = bake_core::api::Bake::new(".")
        .frontend(bake_compose::ComposeFrontend)
        .frontend(bake_hcl::HclFrontend)
        .record_origins(true)
        .source(name, text)
        .load()
    else {
        return 0;
    };
    let Ok(r) = p.resolve(&[], &[]) else {
        return 0;
    };
    let mut out = Vec::new();
    let _ =
        bake_core::api::explain::write(&mut out, format, &r, &p.config, &p.sources, &p.facts, &[]);
    out.len()
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn explain_hcl(bencher: divan::Bencher, n: usize) {
    let text = testdata::generated(n);
    bencher.bench(|| {
        explain_all(
            "docker-bake.hcl",
            text.clone(),
            bake_core::api::explain::Format::Text,
        )
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn explain_hcl_json(bencher: divan::Bencher, n: usize) {
    let text = testdata::generated(n);
    bencher.bench(|| {
        explain_all(
            "docker-bake.hcl",
            text.clone(),
            bake_core::api::explain::Format::Json,
        )
    });
}

#[divan::bench(args = &[100, 1000, 5000], sample_count = 5)]
fn explain_compose(bencher: divan::Bencher, n: usize) {
    let text = compose_text(n);
    bencher.bench(|| {
        explain_all(
            "compose.yaml",
            text.clone(),
            bake_core::api::explain::Format::Text,
        )
    });
}
