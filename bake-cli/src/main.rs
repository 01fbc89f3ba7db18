//! The `bake` binary: collects the process context and hands over to [`bake_cli::run`].

use std::io::IsTerminal;

// Evaluation allocates many small values; mimalloc makes that (and freeing) much cheaper
// than the system allocator (measured: see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stack of the thread that does the work. Parsing and evaluation recurse over the
/// input; their nesting limits keep them well inside this (the main thread's 8 MiB would be
/// too little for a debug build at the limits). Untouched stack costs no memory.
const STACK_SIZE: usize = 256 << 20;

fn main() -> std::process::ExitCode {
    let worker = std::thread::Builder::new()
        .name("bake".into())
        .stack_size(STACK_SIZE)
        .spawn(run);
    let code = match worker {
        Ok(handle) => handle.join().unwrap_or(101),
        Err(_) => run(),
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn run() -> i32 {
    let env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| {
            (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            )
        });
    let (mut stdin, mut stdout, mut stderr) =
        (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let color = stderr.is_terminal();
    // Not cryptographic: salts for bcrypt() and uuidv4() only need to differ between runs.
    let seed = now.map_or(0, |(s, n)| (s as u64).rotate_left(32) ^ u64::from(n))
        ^ u64::from(std::process::id()).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut cx = bake_cli::Context {
        env,
        cwd,
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        color,
        interactive: std::io::stdin().is_terminal(),
        now,
        seed,
    };
    bake_cli::run(&std::env::args().collect::<Vec<_>>(), &mut cx)
}
