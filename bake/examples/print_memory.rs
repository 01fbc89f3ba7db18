//! Where `--print`'s memory goes: loads, resolves and renders, then prints one file as
//! `bake --print` does (`Project::print_request`), through the public API, with a counting
//! allocator, and writes the live heap and its peak after each stage to stderr.
//!
//! `cargo run --release -p bake --example print_memory -- FILE > /dev/null`
//!
//! The system allocator is counted, not the binary's mimalloc: the figures are the live
//! heap, not the RSS (which adds the allocator's own pages).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded to `System` with the same arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

thread_local! {
    static START: std::cell::Cell<std::time::Instant> = std::cell::Cell::new(std::time::Instant::now());
}

/// Writes the time, the live heap and the peak since the last stage, then starts the next
/// stage.
fn stage(name: &str) {
    let mb = |b: usize| b as f64 / 1e6;
    eprintln!(
        "{name:>8}: {:6.1} ms, live {:7.2} MB, peak {:7.2} MB, {} allocations",
        START.with(|s| s.replace(std::time::Instant::now()).elapsed().as_secs_f64() * 1e3),
        mb(LIVE.load(Relaxed)),
        mb(PEAK.load(Relaxed)),
        ALLOCS.swap(0, Relaxed)
    );
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

fn main() {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: print_memory FILE");
        std::process::exit(2);
    };
    let cwd = std::env::current_dir().expect("a working directory");
    stage("start");
    let project = match bake::discover(cwd, std::env::vars().collect())
        .file(file)
        .load()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    stage("load");
    let printed = match project.print_request(&bake::Request::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    stage("resolve");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = printed.write(&mut out).and_then(|()| out.flush());
    stage("print");
    if let Err(e) = written {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
