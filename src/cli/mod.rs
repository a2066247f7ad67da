//! Command-line interface: argument definitions and the glue from arguments to the library and
//! the renderers. This is the only place that writes to stdout and stderr.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::codes::{self, CODES};
use crate::config::Config;
use crate::engine::{self, Outcome};
use crate::finding::Severity;
use crate::providers::{Providers, RuleError, RuleOrigin};
use crate::report::{self, full, OutputFormat, Style};
use crate::select::Selection;

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
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff).
    Manpage,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads standard input (name it with --stdin-filename).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format [default: full, or the settings file's output-format].
    #[arg(
        long,
        alias = "output-format",
        value_enum,
        env = "SMTP_DOCTOR_OUTPUT_FORMAT"
    )]
    pub format: Option<OutputFormat>,
    /// Add provider rules from a folder of YAML files (may be repeated).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 0 even when there are findings (errors reading input still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// File name to use for standard input (decides its format), e.g. `.env`.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Report only these rule codes or providers (comma-separated; `ALL` for everything).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "CODE|PROVIDER",
        help_heading = "Rule selection"
    )]
    pub select: Option<Vec<String>>,
    /// Also report these rule codes or providers.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "CODE|PROVIDER",
        help_heading = "Rule selection"
    )]
    pub extend_select: Vec<String>,
    /// Never report these rule codes or providers.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "CODE|PROVIDER",
        help_heading = "Rule selection"
    )]
    pub ignore: Vec<String>,
    /// Print how many findings each code has, instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Use this settings file instead of searching for .smtp-doctor.toml.
    #[arg(long, value_name = "FILE", help_heading = "Settings")]
    pub config: Option<PathBuf>,
    /// Ignore every settings file.
    #[arg(long, conflicts_with = "config", help_heading = "Settings")]
    pub isolated: bool,
    /// Print the settings in effect (after the settings file and flags) and exit.
    #[arg(long, help_heading = "Settings")]
    pub show_settings: bool,
    /// Also probe every server the configuration names (talks to the network).
    #[arg(long, help_heading = "Live probes")]
    pub probe: bool,
    #[command(flatten)]
    pub probe_args: ProbeArgs,
}

/// Options of live probes, shared by `check --probe` and `probe`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// Ask this DNS server (IP[:PORT]) instead of the system resolver.
    #[arg(long, value_name = "IP[:PORT]", help_heading = "Live probes")]
    pub dns: Option<String>,
    /// Trust this PEM file of CA certificates (a private CA) in addition to the public roots.
    #[arg(long, value_name = "FILE", help_heading = "Live probes")]
    pub ca_file: Option<PathBuf>,
    /// Connect to ADDR:PORT instead of HOST:PORT, keeping SNI and the name check of HOST (as curl).
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT", help_heading = "Live probes")]
    pub connect_to: Vec<String>,
    /// Also log in (only over TLS whose certificate verified). The password comes from the
    /// configuration, or for `probe` from SMTP_DOCTOR_PASSWORD or a prompt.
    #[arg(long, help_heading = "Live probes")]
    pub auth: bool,
    /// Seconds allowed for each step (connect, greeting, each reply, handshake).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 5.0,
        help_heading = "Live probes"
    )]
    pub timeout: f64,
    /// Show the SMTP dialogue of each probe on stderr (secrets masked).
    #[arg(long, short, help_heading = "Live probes")]
    pub verbose: bool,
}

#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The message, e.g. "535-5.7.8 Username and Password not accepted"; read from standard
    /// input when absent.
    pub message: Vec<String>,
    /// Only this provider's explanations.
    #[arg(long, value_name = "ID")]
    pub provider: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Also load provider rules from a folder of YAML files.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ProbeCmdArgs {
    /// Servers to probe: HOST[:PORT] (default port 587; 465 means implicit TLS).
    pub targets: Vec<String>,
    /// Probe every submission endpoint of a known provider (e.g. icloud).
    #[arg(long, value_name = "ID")]
    pub provider: Vec<String>,
    /// TLS mode for the targets given as HOST[:PORT].
    #[arg(long, value_enum)]
    pub tls: Option<crate::model::TlsMode>,
    /// Log in as this user with --auth (password from SMTP_DOCTOR_PASSWORD, or asked for on the
    /// terminal).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Check that the server accepts this sender (with --auth).
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Output format.
    #[arg(long, alias = "output-format", value_enum, default_value_t = OutputFormat::Full)]
    pub format: OutputFormat,
    /// Add provider rules from a folder of YAML files (may be repeated).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub probe_args: ProbeArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
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
        Command::Probe(args) => probe_cmd(args, &style, err_color),
        Command::Triage(args) => triage(args, err_color),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "smtp-doctor",
                &mut buf,
            );
            if write_stdout(&String::from_utf8_lossy(&buf)) {
                EXIT_OK
            } else {
                EXIT_ERROR
            }
        }
        Command::Manpage => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf) {
                Ok(()) if write_stdout(&String::from_utf8_lossy(&buf)) => EXIT_OK,
                _ => EXIT_ERROR,
            }
        }
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
    let text = if e.text.is_empty() || e.span.is_none() {
        report::escape::text(&format!(
            "error: {name}: invalid provider rules: {}\n",
            e.message
        ))
        .into_owned()
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

/// Settings in effect for one `check` run: flags over the settings file over defaults.
struct Settings {
    config_path: Option<PathBuf>,
    format: OutputFormat,
    fail_on: FailOn,
    rule_dirs: Vec<PathBuf>,
    opts: engine::RunOptions,
}

fn settings(args: &CheckArgs, err_color: bool) -> Result<Settings, u8> {
    let config_path = if args.isolated {
        None
    } else if let Some(p) = &args.config {
        Some(p.clone())
    } else {
        let start = args
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        Config::discover(&start)
    };
    let config = match &config_path {
        Some(p) => Config::load(p).map_err(|e| report_config_error(&e, err_color))?,
        None => Config::default(),
    };
    let base = config.base_dir();
    let file = &config.file;
    let bad = |what: &str, value: &str, expected: &str| {
        eprintln!(
            "error: {}: `{what} = \"{}\"`: expected {expected}",
            config_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            report::escape::line(value)
        );
        EXIT_ERROR
    };
    // Values in the file are checked even when a flag overrides them.
    let file_format = match &file.output_format {
        Some(name) => Some(OutputFormat::from_str(name, false).map_err(|_| {
            bad(
                "output-format",
                name,
                "full, concise, json, json-lines, github or sarif",
            )
        })?),
        None => None,
    };
    let file_fail_on = match &file.fail_on {
        Some(name) => Some(
            FailOn::from_str(name, false)
                .map_err(|_| bad("fail-on", name, "error, warning or info"))?,
        ),
        None => None,
    };
    let format = args.format.or(file_format).unwrap_or(OutputFormat::Full);
    let fail_on = args.fail_on.or(file_fail_on).unwrap_or(FailOn::Error);
    let mut rule_dirs: Vec<PathBuf> = file.rule_dirs.iter().map(|d| base.join(d)).collect();
    rule_dirs.extend(args.rule_dirs.iter().cloned());
    let mut selection = Selection {
        select: args.select.clone().or_else(|| file.select.clone()),
        extend_select: file
            .extend_select
            .iter()
            .chain(&args.extend_select)
            .cloned()
            .collect(),
        ignore: file.ignore.iter().chain(&args.ignore).cloned().collect(),
        severity: file.severity.clone(),
        per_file_ignores: Vec::new(),
        base: base.clone(),
    };
    for (glob, names) in &file.per_file_ignores {
        selection
            .add_per_file_ignore(glob, names.clone())
            .map_err(|m| {
                eprintln!("error: per-file-ignores: {m}");
                EXIT_ERROR
            })?;
    }
    let mut formats = Vec::new();
    for (glob, name) in &file.formats {
        let f = crate::extract::Format::from_name(name).ok_or_else(|| {
            let names: Vec<_> = crate::extract::ALL_FORMATS
                .iter()
                .map(|f| f.name())
                .collect();
            bad(&format!("formats.\"{glob}\""), name, &names.join(", "))
        })?;
        let abs_base = std::path::absolute(&base).unwrap_or_else(|_| base.clone());
        let m = globset::Glob::new(&abs_base.join(glob).to_string_lossy())
            .map_err(|e| {
                eprintln!("error: formats: invalid glob `{glob}`: {e}");
                EXIT_ERROR
            })?
            .compile_matcher();
        formats.push((m, f));
    }
    Ok(Settings {
        config_path,
        format,
        fail_on,
        rule_dirs,
        opts: engine::RunOptions { selection, formats },
    })
}

fn report_config_error(e: &crate::config::ConfigError, color: bool) -> u8 {
    let name = e.path.display().to_string();
    let text = if e.text.is_empty() {
        report::escape::text(&format!("error: {name}: {}\n", e.message)).into_owned()
    } else {
        full::render_snippet(
            &name,
            &e.text,
            e.span.clone(),
            &format!("invalid settings file: {}", e.message),
            Some("see docs/configuration.md"),
            &Style { color, width: 100 },
        )
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
    EXIT_ERROR
}

/// Every selection name must be a rule code, a provider id or `ALL`.
fn validate_names(sel: &Selection, providers: &Providers) -> Result<(), u8> {
    let all = sel
        .select
        .iter()
        .flatten()
        .chain(&sel.extend_select)
        .chain(&sel.ignore)
        .chain(sel.per_file_ignores.iter().flat_map(|(_, n)| n));
    for code in sel.severity.keys() {
        if codes::lookup(code).is_none() {
            let code = report::escape::line(code);
            eprintln!("error: [severity] `{code}` is not a rule code (see `smtp-doctor rules`)");
            return Err(EXIT_ERROR);
        }
    }
    for name in all {
        let known = name.eq_ignore_ascii_case("all")
            || codes::lookup(name).is_some()
            || providers.get(name).is_some();
        if !known {
            let name = report::escape::line(name);
            eprintln!("error: unknown rule code or provider `{name}` (see `smtp-doctor rules`)");
            return Err(EXIT_ERROR);
        }
    }
    Ok(())
}

fn show_settings(s: &Settings, providers: &Providers) -> String {
    let sel = &s.opts.selection;
    let list = |v: &[String]| {
        format!(
            "[{}]",
            v.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut out = String::new();
    out.push_str(&format!(
        "# settings file: {}\n",
        s.config_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "none".into())
    ));
    out.push_str(&format!(
        "output-format = \"{}\"\n",
        s.format
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    ));
    out.push_str(&format!(
        "fail-on = \"{}\"\n",
        s.fail_on
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    ));
    out.push_str(&format!(
        "rule-dirs = {}\n",
        list(
            &s.rule_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
        )
    ));
    out.push_str(&format!(
        "select = {}\n",
        sel.select
            .as_deref()
            .map(list)
            .unwrap_or_else(|| "[\"ALL\"]".into())
    ));
    out.push_str(&format!("extend-select = {}\n", list(&sel.extend_select)));
    out.push_str(&format!("ignore = {}\n", list(&sel.ignore)));
    out.push_str(&format!(
        "providers = {}\n",
        list(
            &providers
                .list
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>()
        )
    ));
    out.push_str("\n[severity]\n");
    for (code, o) in &sel.severity {
        out.push_str(&format!(
            "{code} = \"{}\"\n",
            format!("{o:?}").to_lowercase()
        ));
    }
    // Globs as matched: relative ones were joined to the settings file's folder.
    out.push_str("\n[per-file-ignores]\n");
    for (glob, names) in &sel.per_file_ignores {
        out.push_str(&format!("{:?} = {}\n", glob.glob().glob(), list(names)));
    }
    out.push_str("\n[formats]\n");
    for (glob, format) in &s.opts.formats {
        out.push_str(&format!(
            "{:?} = \"{}\"\n",
            glob.glob().glob(),
            format.name()
        ));
    }
    out
}

fn check(args: CheckArgs, style: &Style, err_color: bool) -> u8 {
    let settings = match settings(&args, err_color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let providers = match load_providers(&settings.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(code) = validate_names(&settings.opts.selection, &providers) {
        return code;
    }
    if args.show_settings {
        return if write_stdout(&show_settings(&settings, &providers)) {
            EXIT_OK
        } else {
            EXIT_ERROR
        };
    }
    let opts = &settings.opts;
    let outcome: Outcome = if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be combined with other paths");
            return EXIT_ERROR;
        }
        let Some(name) = args.stdin_filename.clone() else {
            eprintln!("error: reading standard input needs --stdin-filename NAME (e.g. .env, config.toml, prefs.js) to choose the format");
            return EXIT_ERROR;
        };
        let bytes = match crate::input::read_stdin(engine::MAX_FILE_SIZE) {
            Ok(b) => b,
            Err(m) => {
                eprintln!("error: {m}");
                return EXIT_ERROR;
            }
        };
        engine::check_bytes(&name, bytes, &providers, opts)
    } else {
        engine::check_paths_with(&args.paths, &providers, opts)
    };
    let mut outcome = outcome;
    if args.probe {
        let mut popts = match probe_options(&args.probe_args) {
            Ok(o) => o,
            Err(code) => return code,
        };
        popts.mx_rules = std::sync::Arc::new(crate::probe::mx_rules(&providers));
        crate::probing::probe_profiles(&mut outcome, &popts);
        print_transcripts(&outcome, args.probe_args.verbose);
    }
    eprint!("{}", report::input_errors(&outcome));
    if outcome.files_checked == 0 && outcome.errors.is_empty() {
        eprintln!("note: no configuration files found in the given paths");
    }
    let text = if args.statistics {
        report::statistics(settings.format, &outcome)
    } else {
        report::render(settings.format, &outcome, style)
    };
    if !write_stdout(&text) {
        return EXIT_ERROR;
    }
    if !outcome.errors.is_empty() {
        return EXIT_ERROR;
    }
    let threshold = match settings.fail_on {
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

fn probe_options(a: &ProbeArgs) -> Result<crate::probe::ProbeOptions, u8> {
    let usage = |m: String| {
        eprintln!("error: {m}");
        EXIT_ERROR
    };
    let mut o = crate::probe::ProbeOptions::default();
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 600.0) {
        return Err(usage("--timeout must be between 0 and 600 seconds".into()));
    }
    o.timeout = std::time::Duration::from_secs_f64(a.timeout);
    if let Some(d) = &a.dns {
        o.dns = Some(crate::probe::parse_dns_server(d).map_err(|m| usage(format!("--dns: {m}")))?);
    }
    o.ca_file = a.ca_file.clone();
    for c in &a.connect_to {
        o.connect_to
            .push(c.parse().map_err(|m| usage(format!("--connect-to: {m}")))?);
    }
    o.auth = a.auth;
    o.transcript = a.verbose;
    o.validate().map_err(usage)?;
    Ok(o)
}

/// One line per probed endpoint: what the server did (for people; JSON has the full reports).
fn observations(outcome: &Outcome) -> String {
    let mut s = String::from("\nObserved:\n");
    for r in &outcome.probes {
        let mut parts = Vec::new();
        match (&r.connected, &r.banner) {
            (None, _) => parts.push("not reached".to_owned()),
            (Some(addr), None) => parts.push(format!("connected to {addr}, no greeting")),
            (Some(addr), Some(_)) => parts.push(format!("{addr}")),
        }
        if let Some(t) = &r.tls {
            parts.push(format!(
                "{} {}, certificate {} ({} days left)",
                t.version,
                t.cipher_suite,
                if t.verified {
                    "verified"
                } else {
                    "NOT verified"
                },
                t.days_left
            ));
        }
        if let Some(c) = r.capabilities() {
            if !c.auth.is_empty() {
                parts.push(format!("AUTH {}", c.auth.join(" ")));
            }
        }
        if let Some(a) = &r.auth {
            parts.push(format!(
                "login {}",
                if a.accepted { "accepted" } else { "refused" }
            ));
        }
        parts.push(format!("{} ms", r.elapsed.as_millis()));
        s.push_str(&format!(
            "  {}:{} ({}): {}\n",
            r.endpoint.host,
            r.endpoint.port,
            r.endpoint.mode,
            parts.join(", ")
        ));
    }
    report::escape::text(&s).into_owned()
}

fn print_transcripts(outcome: &Outcome, verbose: bool) {
    if !verbose {
        return;
    }
    let _ = std::io::stderr().write_all(report::transcripts(outcome).as_bytes());
}

/// `smtp-doctor probe`: the targets become a small virtual source (one line per target) so
/// that findings point at the target they are about, with the same renderers as `check`.
fn probe_cmd(args: ProbeCmdArgs, style: &Style, err_color: bool) -> u8 {
    use crate::model::{Client, Profile, Secret, Security, TlsMode, Value};
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut popts = match probe_options(&args.probe_args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    popts.mx_rules = std::sync::Arc::new(crate::probe::mx_rules(&providers));
    let mut lines: Vec<(String, TlsMode, Option<String>)> = Vec::new();
    for t in &args.targets {
        let ep = match crate::probe::Endpoint::parse(t) {
            Ok(e) => e,
            Err(m) => {
                eprintln!("error: {m}");
                return EXIT_ERROR;
            }
        };
        lines.push((
            format!("{}:{}", ep.host, ep.port),
            args.tls.unwrap_or(ep.mode),
            None,
        ));
    }
    for id in &args.provider {
        let Some(p) = providers.get(id) else {
            eprintln!("error: unknown provider `{id}` (see `smtp-doctor rules`)");
            return EXIT_ERROR;
        };
        let Some(host) = p.smtp_hosts.iter().find(|h| h.is_exact()) else {
            eprintln!(
                "error: {} names its SMTP hosts only by pattern ({}); probe the host of your account instead",
                p.name,
                p.smtp_hosts.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(", ")
            );
            return EXIT_ERROR;
        };
        for e in &p.submission {
            lines.push((
                format!("{}:{}", host.text, e.port),
                e.tls,
                Some(p.id.clone()),
            ));
        }
    }
    if lines.is_empty() {
        eprintln!("error: name a target (HOST[:PORT]) or --provider ID");
        return EXIT_ERROR;
    }
    let mut password = std::env::var("SMTP_DOCTOR_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if args.probe_args.auth {
        let Some(user) = &args.user else {
            eprintln!("error: --auth needs --user USER");
            return EXIT_ERROR;
        };
        // No password in the environment: ask on the terminal (not echoed), never on a pipe.
        if password.is_none() && std::io::stdin().is_terminal() {
            password = rpassword::prompt_password(format!("password for {user}: "))
                .ok()
                .filter(|p| !p.is_empty());
        }
        if password.is_none() {
            eprintln!("error: --auth needs the password: set SMTP_DOCTOR_PASSWORD, or run in a terminal to be asked");
            return EXIT_ERROR;
        }
    }
    let text: String = lines.iter().map(|(l, _, _)| format!("{l}\n")).collect();
    let mut outcome = Outcome::default();
    let file = outcome
        .sources
        .add(crate::source::SourceFile::new("<targets>", text.clone()));
    let mut offset = 0;
    for (line, mode, _) in &lines {
        let host_len = line.rfind(':').unwrap_or(line.len());
        let loc = |r: std::ops::Range<usize>| {
            crate::source::Loc::new(file, offset + r.start..offset + r.end)
        };
        let mut p = Profile::new(Client::Toml, line.clone(), loc(0..line.len()));
        p.host = Some(Value::literal(
            line[..host_len].to_owned(),
            loc(0..host_len),
        ));
        let port: u16 = line[host_len + 1..].parse().unwrap_or(587);
        p.port = Some(Value::literal(port, loc(host_len + 1..line.len())));
        p.security = Some(Value::literal(
            match mode {
                TlsMode::Implicit => Security::ImplicitTls,
                TlsMode::Starttls => Security::StartTls { required: true },
                TlsMode::None => Security::None,
            },
            loc(0..line.len()),
        ));
        if let (Some(u), Some(pw)) = (&args.user, &password) {
            p.username = Some(Value::literal(u.clone(), loc(0..host_len)));
            p.password = Some(Value::default(
                Secret::new(pw.clone()),
                loc(0..0),
                "from SMTP_DOCTOR_PASSWORD",
            ));
        }
        if let Some(f) = &args.from {
            p.from.push(Value::literal(f.clone(), loc(0..host_len)));
        }
        outcome.profiles.push(p);
        offset += line.len() + 1;
    }
    outcome.files_checked = 0;
    crate::probing::probe_profiles(&mut outcome, &popts);
    for f in &mut outcome.findings {
        if f.provider.is_none() {
            let line = outcome.sources.get(file).line_col(f.primary().span.start).0;
            f.provider = lines.get(line - 1).and_then(|(_, _, p)| p.clone());
        }
    }
    print_transcripts(&outcome, args.probe_args.verbose);
    let mut text = report::render(args.format, &outcome, style);
    if args.format.is_human() {
        text.push_str(&observations(&outcome));
    }
    if !write_stdout(&text) {
        return EXIT_ERROR;
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity >= Severity::Error)
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `smtp-doctor triage`: exit 0 when the message is explained, 1 when nothing is known of it.
fn triage(args: TriageArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(id) = &args.provider {
        if providers.get(id).is_none() {
            eprintln!("error: unknown provider `{id}` (see `smtp-doctor rules`)");
            return EXIT_ERROR;
        }
    }
    let text = if args.message.is_empty() {
        match crate::input::read_stdin(crate::input::MAX_SMALL_FILE_SIZE) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(m) => {
                eprintln!("error: {m}");
                return EXIT_ERROR;
            }
        }
    } else {
        args.message.join(" ")
    };
    if text.trim().is_empty() {
        eprintln!("error: give the message to explain, as arguments or on standard input");
        return EXIT_ERROR;
    }
    let found = crate::triage::explain(&text, &providers, args.provider.as_deref());
    let out = match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({ "explanations": found }))
                .unwrap_or_default();
            s.push('\n');
            report::escape::json(s)
        }
        ListFormat::Text if found.is_empty() => {
            "No known explanation. `smtp-doctor probe HOST` shows what the server does.\n"
                .to_owned()
        }
        ListFormat::Text => {
            let mut s = String::new();
            for e in &found {
                let who = e.provider_name.as_deref().unwrap_or("any server");
                s.push_str(&format!("{who}: \"{}\"\n", e.matched));
                s.push_str(&format!("  cause: {}\n", e.cause));
                s.push_str(&format!("  fix:   {}\n", e.fix));
                if let Some(c) = e.code {
                    s.push_str(&format!("  rule:  {c} (smtp-doctor explain {c})\n"));
                }
                s.push_str(&format!("  source: {}\n\n", e.source));
            }
            report::escape::text(&s).into_owned()
        }
    };
    if !write_stdout(&out) {
        return EXIT_ERROR;
    }
    if found.is_empty() {
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
            report::escape::json(s)
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
            report::escape::text(&s).into_owned()
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
