//! The `bake` binary: collects the process context and hands over to [`bake_cli::run`].

// Evaluation allocates many small values; mimalloc makes that (and freeing) much cheaper
// than the system allocator (measured: see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "process.rs"]
mod process;

fn main() -> std::process::ExitCode {
    process::main_with(bake_cli::run)
}
