fn main() -> std::process::ExitCode {
    smtp_doctor::cli::main_with_args(std::env::args_os())
}
