//! Command-line interface: the argument definitions, and one module per subcommand that turns
//! arguments into a library call and renders the result. This is the only place that writes to
//! stdout and stderr, and the only one that knows clap.
//!
//! - `check.rs`: `check` (settings, the engine run, rendering, exit code)
//! - `settings.rs`: the settings file merged with the flags, `--show-settings`
//! - `probe.rs`: `probe`, and the probe options shared with `check --probe`
//! - `triage.rs`: `triage`
//! - `provider_settings/`: `settings PROVIDER` (a working configuration per format: `code.rs` for
//!   code and the first formats, `apps.rs` for apps with a configuration file of their own)
//! - `rules.rs`: `rules` and `explain`
//! - `output.rs`: writing to stdout, colour, error reports for rule and settings files
//! - `values.rs`: the value enums of the flags (`--format`, `--tls`, `--fail-on`, ...)

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::providers::Providers;
use crate::report::Style;

mod check;
mod output;
mod probe;
mod provider_settings;
mod rules;
mod settings;
mod stream;
mod triage;
mod values;

pub use check::CheckArgs;
pub use output::Color;
pub use probe::{ProbeArgs, ProbeCmdArgs};
pub use provider_settings::{SettingsArgs, Target as SettingsTarget};
pub use rules::RulesArgs;
pub use triage::TriageArgs;
pub use values::{FailOn, ListFormat};

/// Finds mistakes in e-mail client SMTP settings before anyone hits "send".
#[derive(Debug, Parser)]
#[command(name = "smtp-doctor", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configuration files and code (.env, *.toml, Thunderbird prefs.js, PHPMailer, Nodemailer,
    /// smtplib, Django, Laravel) or whole folders.
    Check(CheckArgs),
    /// List the providers and rule codes smtp-doctor knows.
    Rules(RulesArgs),
    /// Print the documentation of a rule code.
    Explain {
        /// A rule code, e.g. tls-mode-mismatch.
        code: String,
    },
    /// Probe SMTP servers without a configuration file: DNS, TCP, TLS or STARTTLS, EHLO, and
    /// (with --auth) a login. Never sends a message.
    Probe(ProbeCmdArgs),
    /// Explain a server reply or client error message (pasted, or on standard input): what it
    /// usually means for each provider and how to fix it.
    Triage(TriageArgs),
    /// Print a working configuration for a provider (Nodemailer, PHPMailer, smtplib, Django,
    /// Laravel .env, TOML, Thunderbird user.js): host, port, TLS, login and password kind.
    Settings(SettingsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Manpage,
}

const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

/// Run the command line; returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    let color = output::use_color(cli.color, std::io::stdout().is_terminal());
    let err_color = output::use_color(cli.color, std::io::stderr().is_terminal());
    let style = Style { color, width: 100 };
    let code = match cli.command {
        Command::Check(args) => check::run(args, &style, err_color),
        Command::Rules(args) => rules::rules(args, err_color),
        Command::Explain { code } => rules::explain(&code),
        Command::Probe(args) => probe::run(args, &style, err_color),
        Command::Triage(args) => triage::run(args, err_color),
        Command::Settings(args) => provider_settings::run(args, err_color),
        Command::Completions { shell } => completions(shell),
        Command::Manpage => manpage(),
    };
    ExitCode::from(code)
}

fn completions(shell: clap_complete::Shell) -> u8 {
    let mut buf = Vec::new();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "smtp-doctor",
        &mut buf,
    );
    output::exit_after(output::write_stdout(&String::from_utf8_lossy(&buf)))
}

fn manpage() -> u8 {
    let mut buf = Vec::new();
    match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf) {
        Ok(()) => output::exit_after(output::write_stdout(&String::from_utf8_lossy(&buf))),
        Err(_) => EXIT_ERROR,
    }
}

/// The built-in providers plus the user's rule folders; a broken file is reported (exit 2).
fn load_providers(dirs: &[PathBuf], err_color: bool) -> Result<Providers, u8> {
    let mut providers =
        Providers::builtin().map_err(|e| output::report_rule_error(&e, err_color))?;
    for dir in dirs {
        providers
            .load_dir(dir)
            .map_err(|e| output::report_rule_error(&e, err_color))?;
    }
    Ok(providers)
}
