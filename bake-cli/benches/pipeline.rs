//! `--print` pipeline stages on generated bake files: parse, evaluate (HCL → model),
//! resolve (merge, inherits, overrides) and print, each measured separately.
//!
//! Run with `cargo bench -p bake-cli`.

use std::collections::BTreeMap;

use bake_core::source::SourceMap;

// The same allocator as the `bake` binary, so stage timings add up to what users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[100, 1000, 5000, 20000];

fn sources(n: usize) -> (SourceMap, bake_core::source::SourceId) {
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
        let o = bake_core::ResolveOptions {
            targets: vec![],
            overrides: vec![],
            flag_overrides: Vec::new(),
            env: &env,
            cwd: ".".into(),
            file_relative_paths: false,
        };
        bake_core::resolve(&loaded.config, &o)
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
    let o = bake_core::ResolveOptions {
        targets: vec![],
        overrides: vec![],
        flag_overrides: Vec::new(),
        env: &env,
        cwd: ".".into(),
        file_relative_paths: false,
    };
    let Ok(r) = bake_core::resolve(&loaded.config, &o) else {
        return;
    };
    bencher.bench(|| r.to_print_json().len());
}
