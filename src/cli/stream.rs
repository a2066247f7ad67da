//! `check` in every format but `full`: findings are written as soon as they are final
//! (`crate::stream`), so memory does not grow with the tree and the output of a long scan
//! starts at once. `json` and `sarif` write their one document in pieces (`report::parts`).

use std::io::Write as _;

use super::check::CheckArgs;
use super::settings::Settings;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::engine::Outcome;
use crate::providers::Providers;
use crate::report::{self, OutputFormat};

/// Whether this `check` streams: any format but `full` (which shows source lines, masked with
/// every secret of the run), files and folders (not standard input), no `--statistics`, no
/// `--probe`.
pub(super) fn applies(args: &CheckArgs, settings: &Settings) -> bool {
    settings.format != OutputFormat::Full
        && !args.statistics
        && settings.opts.probe.is_none()
        && !args.paths.iter().any(|p| p.as_os_str() == "-")
}

/// Run, print part by part, and give the exit code.
pub(super) fn run(args: &CheckArgs, settings: &Settings, providers: &Providers) -> u8 {
    let format = settings.format;
    let mut failed = false;
    let (mut safe, mut unsafe_) = (0, 0);
    let mut json = report::json::JsonWriter::new();
    let mut sarif = report::sarif::SarifWriter::new();
    let write = |text: &str, failed: &mut bool| {
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => true,
            // A closed pipe (`| head`) stops the run quietly; another error is one.
            Err(e) => {
                *failed = e.kind() != std::io::ErrorKind::BrokenPipe;
                false
            }
        }
    };
    let head = match format {
        OutputFormat::Json => json.begin(),
        OutputFormat::Sarif => sarif.begin(),
        _ => String::new(),
    };
    if !write(&head, &mut failed) {
        return if failed { EXIT_ERROR } else { EXIT_OK };
    }
    let mut show = |part: &Outcome| {
        let (s, u) = super::check::fixable(&part.findings);
        (safe, unsafe_) = (safe + s, unsafe_ + u);
        let text = match format {
            OutputFormat::Concise => report::concise_findings(part),
            OutputFormat::JsonLines => report::json::render_lines(part),
            OutputFormat::Json => json.part(part),
            OutputFormat::Sarif => sarif.part(part),
            _ => report::github::render(part),
        };
        write(&text, &mut failed)
    };
    let done =
        crate::stream::check_paths_streaming(&args.paths, providers, &settings.opts, &mut show);
    let tail = match format {
        OutputFormat::Json => json.end(&done.tally, &[]),
        OutputFormat::Sarif => sarif.end(),
        _ => String::new(),
    };
    if !done.stopped && !write(&tail, &mut failed) {
        return if failed { EXIT_ERROR } else { EXIT_OK };
    }
    let tail = Outcome {
        errors: done.errors,
        warnings: done.warnings,
        ..Outcome::default()
    };
    eprint!("{}", report::input_errors(&tail));
    if done.stopped {
        return if failed { EXIT_ERROR } else { EXIT_OK };
    }
    if done.tally.files_checked == 0 && tail.errors.is_empty() {
        eprintln!("note: no configuration files found in the given paths");
    }
    if format == OutputFormat::Concise {
        if !super::output::write_stdout(&format!("{}\n", done.tally.line())) {
            return EXIT_ERROR;
        }
        super::check::fixable_note_of(safe, unsafe_);
    }
    if !tail.errors.is_empty() {
        return EXIT_ERROR;
    }
    let threshold = settings.fail_on.severity();
    if !args.exit_zero && done.worst.is_some_and(|w| w >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
