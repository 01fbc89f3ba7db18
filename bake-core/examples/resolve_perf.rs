//! Times `resolve` and `to_print_json` on a generated configuration shaped like the
//! `pipeline` benchmark's (which parses HCL first): `cargo run --release -p bake-core
//! --example resolve_perf -- 5000 [iterations]`. Prints the fastest and median times.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts allocations (and reallocations) so a change's effect shows without timing noise.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use bake_core::api::frontend::{Config, GroupDef, TargetDef};
use bake_core::api::frontend::{Origin, SourceId, Span};
use bake_core::api::SortedMap;

fn origins(keys: &[&'static str]) -> BTreeMap<&'static str, Origin> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let span = Span {
                source: SourceId(0),
                start: i as u32,
                end: i as u32 + 1,
            };
            (*k, Origin::File(span))
        })
        .collect()
}

fn config(n: usize) -> Config {
    let s = |v: &str| Some(v.to_string());
    let mut targets = vec![TargetDef {
        name: "_common".into(),
        args: Some(SortedMap::from([
            ("GO_VERSION".into(), s("1.22")),
            ("BASE".into(), s("alpine")),
        ])),
        labels: Some(SortedMap::from([(
            "org.opencontainers.image.source".into(),
            s("https://github.com/acme/x"),
        )])),
        platforms: Some(vec!["linux/amd64".into(), "linux/arm64".into()]),
        file_dir: s("."),
        origins: origins(&["args", "labels", "platforms"]),
        ..Default::default()
    }];
    for i in 0..n {
        let contexts = (i % 10 != 0)
            .then(|| SortedMap::from([("base".to_string(), format!("target:svc{}", i / 10 * 10))]));
        targets.push(TargetDef {
            name: format!("svc{i}"),
            inherits: Some(vec!["_common".into()]),
            context: Some(format!("services/svc{i}")),
            tags: Some(vec![
                format!("ghcr.io/acme/svc{i}:v1"),
                format!("ghcr.io/acme/svc{i}:latest"),
            ]),
            args: Some(SortedMap::from([
                ("SERVICE".into(), Some(format!("SVC{i}"))),
                ("INDEX".into(), Some(i.to_string())),
            ])),
            origins: if contexts.is_some() {
                origins(&["inherits", "context", "tags", "args", "contexts"])
            } else {
                origins(&["inherits", "context", "tags", "args"])
            },
            contexts,
            file_dir: s("."),
            ..Default::default()
        });
    }
    Config {
        groups: vec![GroupDef {
            name: "default".into(),
            description: None,
            targets: (0..n).map(|i| format!("svc{i}")).collect(),
        }],
        targets,
    }
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    format!("fastest {:>9.3?}  median {:>9.3?}", v[0], v[v.len() / 2])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let iters: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(15);
    let cfg = config(n);
    let env = BTreeMap::new();
    let opts = bake_core::api::ResolveOptions {
        targets: vec![],
        overrides: vec![],
        flag_overrides: Vec::new(),
        env: &env,
        cwd: ".".into(),
        file_relative_paths: false,
    };
    let (a0, b0) = (
        ALLOCS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    let r = bake_core::api::resolve(&cfg, &opts).expect("resolves");
    let (a1, b1) = (
        ALLOCS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    let out = r.to_print_json();
    let (a2, b2) = (
        ALLOCS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    println!(
        "n={n:<6} per target: resolve {:.1} allocs {:.0} bytes; print {:.2} allocs {:.0} bytes ({} bytes out)",
        (a1 - a0) as f64 / n as f64,
        (b1 - b0) as f64 / n as f64,
        (a2 - a1) as f64 / n as f64,
        (b2 - b1) as f64 / n as f64,
        out.len()
    );
    drop((r, out));
    let mut resolve = Vec::new();
    let mut print = Vec::new();
    for _ in 0..iters {
        let t = Instant::now();
        let r = bake_core::api::resolve(&cfg, &opts).expect("resolves");
        resolve.push(t.elapsed());
        let t = Instant::now();
        let out = r.to_print_json();
        print.push(t.elapsed());
        std::hint::black_box(out);
        drop(std::hint::black_box(r));
    }
    println!(
        "n={n:<6} resolve {}   print {}",
        stats(resolve),
        stats(print)
    );
}
