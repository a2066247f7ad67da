/// mimalloc: see Cargo.toml and docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    smtp_doctor::cli::main_with_args(std::env::args_os())
}
