//! Command-line interface: argument definitions and the glue from arguments to the library and
//! the renderers. This is the only place that writes to stdout and stderr.

use std::io::{IsTerminal, Read, Write};
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
    /// Check configuration files (.env, *.toml, Thunderbird prefs.js/user.js) or folders.
    Check(CheckArgs),
    /// List the providers and rule codes smtp-doctor knows.
    Rules(RulesArgs),
    /// Print the documentation of a rule code.
    Explain {
        /// A rule code, e.g. tls-mode-mismatch.
        code: String,
    },
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
    #[arg(long, alias = "output-format", value_enum)]
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
            "error: {}: `{what} = \"{value}\"`: expected {expected}",
            config_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
        EXIT_ERROR
    };
    let format = match (args.format, &file.output_format) {
        (Some(f), _) => f,
        (None, Some(name)) => OutputFormat::from_str(name, true).map_err(|_| {
            bad(
                "output-format",
                name,
                "full, concise, json, json-lines, github or sarif",
            )
        })?,
        (None, None) => OutputFormat::Full,
    };
    let fail_on = match (args.fail_on, &file.fail_on) {
        (Some(f), _) => f,
        (None, Some(name)) => FailOn::from_str(name, true)
            .map_err(|_| bad("fail-on", name, "error, warning or info"))?,
        (None, None) => FailOn::Error,
    };
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
        format!("error: {name}: {}\n", e.message)
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
        .chain(sel.per_file_ignores.iter().flat_map(|(_, n)| n))
        .chain(sel.severity.keys());
    for name in all {
        let known = name.eq_ignore_ascii_case("all")
            || codes::lookup(name).is_some()
            || providers.get(name).is_some();
        if !known {
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
        let mut text = String::new();
        if let Err(e) = std::io::stdin()
            .take(engine::MAX_FILE_SIZE)
            .read_to_string(&mut text)
        {
            eprintln!("error: cannot read standard input: {e}");
            return EXIT_ERROR;
        }
        let forced = engine::forced_format(opts, &name);
        let Some(format) = forced.or_else(|| crate::extract::detect(&name, &text)) else {
            eprintln!(
                "error: cannot tell the format of `{}`; name it like .env, config.toml or prefs.js",
                name.display()
            );
            return EXIT_ERROR;
        };
        engine::check_text(&name, &text, format, &providers, opts)
    } else {
        engine::check_paths_with(&args.paths, &providers, opts)
    };
    for e in &outcome.errors {
        eprintln!("error: {}: {}", e.path.display(), e.message);
    }
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
