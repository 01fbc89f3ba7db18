//! The `bake` binary: collects the process context and hands over to [`bake_cli::run`].

use std::io::IsTerminal;

// Evaluation allocates many small values; mimalloc makes that (and freeing) much cheaper
// than the system allocator (measured: see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
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
        now,
        seed,
    };
    let code = bake_cli::run(std::env::args().collect(), &mut cx);
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
