//! The `bakery` binary: Depot's CLI shape (`bakery bake`, `bakery list builds`, ...), handed
//! over to [`bake_cli::bakery::run`].

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../process.rs"]
mod process;

fn main() -> std::process::ExitCode {
    process::main_with(bake_cli::bakery::run)
}
