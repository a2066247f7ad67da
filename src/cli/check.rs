//! `smtp-doctor check`: settings, one engine run (probes included with `--probe`), rendering,
//! exit code.

use std::path::PathBuf;

use super::probe::{print_transcripts, probe_options, ProbeArgs};
use super::settings::{settings, show_settings, validate_names, Settings};
use super::values::FailOn;
use super::{load_providers, output, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::engine::{self, Outcome, RunOptions};
use crate::providers::Providers;
use crate::report::{self, OutputFormat, Style};

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
    /// Apply the safe fixes to the files (with `-`: print the fixed text on stdout).
    #[arg(long, help_heading = "Fixes", conflicts_with = "probe")]
    pub fix: bool,
    /// Also apply the unsafe fixes (with --fix or --diff).
    #[arg(long, help_heading = "Fixes")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing (exit 1 when there would be changes).
    #[arg(long, help_heading = "Fixes", conflicts_with = "probe")]
    pub diff: bool,
}

pub(super) fn run(args: CheckArgs, style: &Style, err_color: bool) -> u8 {
    let mut settings = match settings(&args, err_color) {
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
        // Globs and names come from a settings file anyone may have committed.
        let text = show_settings(&settings, &providers);
        let text = crate::report::escape::text(&text);
        return output::exit_after(output::write_stdout(&text));
    }
    if args.probe {
        match probe_options(&args.probe_args) {
            Ok(o) => settings.opts.probe = Some(o),
            Err(code) => return code,
        }
    }
    if args.fix || args.diff {
        return fix(&args, &settings, &providers, style);
    }
    if super::stream::applies(&args, &settings) {
        return super::stream::run(&args, &settings, &providers);
    }
    let outcome = match run_engine(&args, &providers, &settings.opts) {
        Ok(o) => o,
        Err(code) => return code,
    };
    print_transcripts(&outcome, args.probe && args.probe_args.verbose);
    report_outcome(&args, &settings, &outcome, style)
}

/// The engine on the paths, or on standard input named by `--stdin-filename`.
fn run_engine(args: &CheckArgs, providers: &Providers, opts: &RunOptions) -> Result<Outcome, u8> {
    match read_stdin(args)? {
        None => Ok(engine::check_paths_with(&args.paths, providers, opts)),
        Some((name, bytes)) => Ok(engine::check_bytes(&name, bytes, providers, opts)),
    }
}

/// Standard input and its `--stdin-filename`, when the path is `-`.
fn read_stdin(args: &CheckArgs) -> Result<Option<(PathBuf, Vec<u8>)>, u8> {
    if !args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Ok(None);
    }
    if args.paths.len() > 1 {
        eprintln!("error: `-` (standard input) cannot be combined with other paths");
        return Err(EXIT_ERROR);
    }
    let Some(name) = args.stdin_filename.clone() else {
        eprintln!("error: reading standard input needs --stdin-filename NAME (e.g. .env, config.toml, prefs.js) to choose the format");
        return Err(EXIT_ERROR);
    };
    // Standard input goes through the same checks as a file: size cap, NUL bytes, UTF-8.
    match crate::input::read_stdin(engine::MAX_FILE_SIZE) {
        Ok(b) => Ok(Some((name, b))),
        Err(m) => {
            eprintln!("error: {m}");
            Err(EXIT_ERROR)
        }
    }
}

/// As ruff does: how many findings `--fix` (and `--unsafe-fixes`) would fix, on stderr.
fn fixable_note(outcome: &Outcome) {
    let (safe, unsafe_) = fixable(&outcome.findings);
    fixable_note_of(safe, unsafe_);
}

/// How many findings have a safe fix, and how many an unsafe one.
pub(super) fn fixable(findings: &[crate::finding::Finding]) -> (usize, usize) {
    use crate::finding::Applicability;
    let count = |a: Applicability| {
        findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    (count(Applicability::Safe), count(Applicability::Unsafe))
}

/// The note for `safe` and `unsafe_` fixable findings (nothing when there are none).
pub(super) fn fixable_note_of(safe: usize, unsafe_: usize) {
    let more = match unsafe_ {
        0 => String::new(),
        n => format!(" ({n} more with --fix --unsafe-fixes)"),
    };
    match (safe, unsafe_) {
        (0, 0) => {}
        (0, n) => eprintln!("note: {n} finding(s) can be fixed with --fix --unsafe-fixes"),
        (n, _) => eprintln!("note: {n} finding(s) can be fixed with --fix{more}"),
    }
}

/// `--fix` and `--diff`: fix in memory, then write the files (or print the fixed standard
/// input, or the diff) and report what is left.
fn fix(args: &CheckArgs, settings: &Settings, providers: &Providers, style: &Style) -> u8 {
    let stdin = match read_stdin(args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = &settings.opts;
    let mut texts = crate::fix::Texts::new();
    let run = match &stdin {
        Some((name, bytes)) => {
            let Ok(text) = String::from_utf8(bytes.clone()) else {
                eprintln!("error: standard input is not valid UTF-8 text; nothing to fix");
                return EXIT_ERROR;
            };
            let key = crate::fix::key_of(name);
            texts.insert(key.clone(), text);
            let check = |t: &crate::fix::Texts| {
                let bytes = t.get(&key).cloned().unwrap_or_default().into_bytes();
                engine::check_bytes(name, bytes, providers, opts)
            };
            crate::fix::run(check, texts, args.unsafe_fixes)
        }
        None => {
            let check = |t: &crate::fix::Texts| {
                let mut o = opts.clone();
                o.overlay = Some(std::sync::Arc::new(t.clone().into_iter().collect()));
                engine::check_paths_with(&args.paths, providers, &o)
            };
            crate::fix::run(check, texts, args.unsafe_fixes)
        }
    };
    let files = run.changes.len();
    let hidden = match (args.unsafe_fixes, run.unsafe_left()) {
        (false, n) if n > 0 => format!(" ({n} more with --unsafe-fixes)"),
        _ => String::new(),
    };
    if args.diff {
        eprint!("{}", crate::report::input_errors(&run.last));
        if !output::write_stdout(&crate::fix::diff(&run)) {
            return EXIT_ERROR;
        }
        eprintln!(
            "would fix {} finding(s) in {files} file(s){hidden}",
            run.applied
        );
        return match (run.last.errors.is_empty(), files) {
            (false, _) => EXIT_ERROR,
            (true, 0) => EXIT_OK,
            (true, _) => EXIT_FINDINGS,
        };
    }
    if let Some((name, bytes)) = &stdin {
        return fixed_stdin(args, settings, &run, name, bytes, style);
    }
    let failed = crate::fix::write(&run.changes);
    for (path, why) in &failed {
        eprintln!(
            "error: {}: not fixed: {}",
            crate::report::escape::line(&path.display().to_string()),
            crate::report::escape::line(why)
        );
    }
    let code = report_outcome(args, settings, &run.last, style);
    let left = run.last.findings.len();
    eprintln!(
        "fixed {} finding(s) in {} file(s), {left} left{hidden}",
        run.applied,
        files - failed.len()
    );
    if failed.is_empty() {
        code
    } else {
        EXIT_ERROR
    }
}

/// `check --fix -`: the fixed text on stdout, as ruff does; what is left on stderr. A text
/// that holds a password is not printed to a terminal.
fn fixed_stdin(
    args: &CheckArgs,
    settings: &Settings,
    run: &crate::fix::FixRun,
    name: &std::path::Path,
    bytes: &[u8],
    style: &Style,
) -> u8 {
    use std::io::IsTerminal;
    let text = match run.changes.first() {
        Some(c) => c.fixed.clone(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    let has_secret = run
        .last
        .sources
        .iter()
        .any(|(_, f)| f.secrets().next().is_some());
    if has_secret && std::io::stdout().is_terminal() {
        eprintln!(
            "error: the fixed {} holds a password, which is not printed to a terminal: redirect standard output to a file, or use --diff",
            crate::report::escape::line(&name.display().to_string())
        );
        return EXIT_ERROR;
    }
    if !output::write_stdout(&text) {
        return EXIT_ERROR;
    }
    eprint!(
        "{}",
        crate::report::render(settings.format, &run.last, style)
    );
    eprintln!("fixed {} finding(s)", run.applied);
    let threshold = settings.fail_on.severity();
    if !run.last.errors.is_empty() {
        EXIT_ERROR
    } else if !args.exit_zero && run.last.findings.iter().any(|f| f.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Input errors on stderr, the findings (or statistics) on stdout, and the exit code.
fn report_outcome(args: &CheckArgs, settings: &Settings, outcome: &Outcome, style: &Style) -> u8 {
    eprint!("{}", crate::report::input_errors(outcome));
    if outcome.files_checked == 0 && outcome.errors.is_empty() {
        eprintln!("note: no configuration files found in the given paths");
    }
    let text = if args.statistics {
        report::statistics(settings.format, outcome)
    } else {
        report::render(settings.format, outcome, style)
    };
    if !output::write_stdout(&text) {
        return EXIT_ERROR;
    }
    if settings.format.is_human() && !args.statistics && !args.fix {
        fixable_note(outcome);
    }
    if !outcome.errors.is_empty() {
        return EXIT_ERROR;
    }
    let threshold = settings.fail_on.severity();
    if !args.exit_zero && outcome.findings.iter().any(|f| f.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
