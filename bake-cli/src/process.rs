//! The process side of both binaries (`bake`, `bakery`): a large stack for the worker
//! thread, and the [`bake_cli::Context`] collected from the process (arguments, environment,
//! working directory, streams, clock). Included by each `main` with `#[path]`.

use std::io::IsTerminal;

/// The stack of the thread that does the work. Parsing and evaluation recurse over the
/// input; their nesting limits keep them well inside this (the main thread's 8 MiB would be
/// too little for a debug build at the limits). Untouched stack costs no memory.
const STACK_SIZE: usize = 256 << 20;

/// Runs `entry` with the process's context on a thread with a large stack; its exit code.
pub(crate) fn main_with(
    entry: fn(&[String], &mut bake_cli::Context<'_>) -> i32,
) -> std::process::ExitCode {
    let work = move || run(entry);
    let worker = std::thread::Builder::new()
        .name("bake".into())
        .stack_size(STACK_SIZE)
        .spawn(work);
    let code = match worker {
        Ok(handle) => handle.join().unwrap_or(101),
        Err(_) => run(entry),
    };
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The time now as Unix seconds and nanoseconds.
fn clock_now() -> Option<(i64, u32)> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| {
            (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            )
        })
}

fn run(entry: fn(&[String], &mut bake_cli::Context<'_>) -> i32) -> i32 {
    let env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let now = clock_now();
    let (mut stdin, mut stdout, mut stderr) =
        (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let color = stderr.is_terminal();
    let stdout_terminal = stdout.is_terminal();
    // Not cryptographic: salts for bcrypt() and uuidv4(), and build ids, only need to differ
    // between runs.
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
        stdout_terminal,
        now,
        clock: clock_now,
        seed,
    };
    entry(&std::env::args().collect::<Vec<_>>(), &mut cx)
}
