//! Command-line interface: argument definitions and the glue from arguments to the library and
//! the renderers. This is the only place that writes to stdout and stderr.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::codes::{self, CODES};
use crate::engine::{self, Outcome};
use crate::finding::Severity;
use crate::providers::{Providers, RuleError, RuleOrigin};
use crate::report::{self, full, OutputFormat, Style};

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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configuration files (.env, *.toml, Thunderbird prefs.js/user.js) or folders.
    Check(CheckArgs),
    /// List the providers and rule codes smtp-doctor knows.
    Rules(RulesArgs),
    /// Print the documentation of a rule code.
    Explain {
        /// A rule code, e.g. tls-mode-mismatch.
        code: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input (name it with --stdin-filename).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, alias = "output-format", value_enum, default_value_t = OutputFormat::Full)]
    pub format: OutputFormat,
    /// Add provider rules from a folder of YAML files (may be repeated).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings (errors reading input still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// File name to use for standard input (decides its format), e.g. `.env`.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Also load provider rules from a folder of YAML files.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

const EXIT_OK: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn use_color(choice: Color, stream_is_tty: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            stream_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Run the command line; returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    let color = use_color(cli.color, std::io::stdout().is_terminal());
    let err_color = use_color(cli.color, std::io::stderr().is_terminal());
    let style = Style { color, width: 100 };
    let code = match cli.command {
        Command::Check(args) => check(args, &style, err_color),
        Command::Rules(args) => rules(args, err_color),
        Command::Explain { code } => explain(&code),
    };
    ExitCode::from(code)
}

fn load_providers(dirs: &[PathBuf], err_color: bool) -> Result<Providers, u8> {
    let mut providers = Providers::builtin().map_err(|e| report_rule_error(&e, err_color))?;
    for dir in dirs {
        providers
            .load_dir(dir)
            .map_err(|e| report_rule_error(&e, err_color))?;
    }
    Ok(providers)
}

fn report_rule_error(e: &RuleError, color: bool) -> u8 {
    let name = e.path.display().to_string();
    let text = if e.text.is_empty() {
        format!("error: {name}: invalid provider rules: {}\n", e.message)
    } else {
        full::render_snippet(
            &name,
            &e.text,
            e.span.clone(),
            &format!("invalid provider rules: {}", e.message),
            Some("see docs/writing-rules.md for the format of provider files"),
            &Style { color, width: 100 },
        )
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
    EXIT_ERROR
}

fn write_stdout(s: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => true,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

fn check(args: CheckArgs, style: &Style, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let outcome: Outcome = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be combined with other paths");
            return EXIT_ERROR;
        }
        let Some(name) = args.stdin_filename.clone() else {
            eprintln!("error: reading standard input needs --stdin-filename NAME (e.g. .env, config.toml, prefs.js) to choose the format");
            return EXIT_ERROR;
        };
        let mut text = String::new();
        if let Err(e) = std::io::stdin()
            .take(engine::MAX_FILE_SIZE)
            .read_to_string(&mut text)
        {
            eprintln!("error: cannot read standard input: {e}");
            return EXIT_ERROR;
        }
        let Some(format) = crate::extract::detect(&name, &text) else {
            eprintln!(
                "error: cannot tell the format of `{}`; name it like .env, config.toml or prefs.js",
                name.display()
            );
            return EXIT_ERROR;
        };
        engine::check_text(&name, &text, format, &providers)
    } else {
        engine::check_paths(&args.paths, &providers)
    };
    for e in &outcome.errors {
        eprintln!("error: {}: {}", e.path.display(), e.message);
    }
    if outcome.files_checked == 0 && outcome.errors.is_empty() {
        eprintln!("note: no configuration files found in the given paths");
    }
    if !write_stdout(&report::render(args.format, &outcome, style)) {
        return EXIT_ERROR;
    }
    if !outcome.errors.is_empty() {
        return EXIT_ERROR;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    if !args.exit_zero && outcome.findings.iter().any(|f| f.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn rules(args: RulesArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = match args.format {
        ListFormat::Json => {
            let provs: Vec<_> = providers
                .list
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id, "name": p.name,
                        "origin": match &p.origin { RuleOrigin::Builtin => "builtin".to_owned(), RuleOrigin::User(path) => path.display().to_string() },
                        "smtp_hosts": p.smtp_hosts.iter().map(|h| h.text.clone()).collect::<Vec<_>>(),
                        "endpoints": p.submission.iter().map(|e| serde_json::json!({"port": e.port, "tls": e.tls, "documented": e.documented})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let codes: Vec<_> = CODES
                .iter()
                .map(|c| serde_json::json!({"code": c.code, "severity": c.severity.as_str(), "summary": c.summary, "probe": c.probe}))
                .collect();
            let mut s = serde_json::to_string_pretty(
                &serde_json::json!({"providers": provs, "codes": codes}),
            )
            .unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Text => {
            let mut s = String::from("Providers:\n");
            for p in &providers.list {
                let origin = match &p.origin {
                    RuleOrigin::Builtin => String::new(),
                    RuleOrigin::User(path) => format!("  (from {})", path.display()),
                };
                s.push_str(&format!(
                    "  {:<14} {:<32} {}: {}{origin}\n",
                    p.id,
                    p.name,
                    p.primary_host(),
                    p.documented_endpoints()
                ));
            }
            s.push_str("\nRule codes:\n");
            for c in CODES {
                s.push_str(&format!(
                    "  {:<26} {:<8} {}\n",
                    c.code,
                    c.severity.as_str(),
                    c.summary
                ));
            }
            s.push_str("\nMore: smtp-doctor explain CODE\n");
            s
        }
    };
    if write_stdout(&text) {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

fn explain(code: &str) -> u8 {
    match codes::lookup(code) {
        Some(c) => {
            if write_stdout(c.doc) {
                EXIT_OK
            } else {
                EXIT_ERROR
            }
        }
        None => {
            eprintln!("error: unknown rule code `{code}`; `smtp-doctor rules` lists them");
            EXIT_ERROR
        }
    }
}
