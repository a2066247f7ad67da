//! `check` for the formats that print one finding at a time (`concise`, `json-lines`,
//! `github`): findings are written as soon as they are final (`crate::stream`), so memory does
//! not grow with the tree, and the output of a long scan starts at once.

use std::io::Write as _;

use super::check::CheckArgs;
use super::settings::Settings;
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::engine::Outcome;
use crate::providers::Providers;
use crate::report::{self, OutputFormat};

/// Whether this `check` streams: a streaming format, files and folders (not standard input),
/// no `--statistics`, no `--probe`.
pub(super) fn applies(args: &CheckArgs, settings: &Settings) -> bool {
    matches!(
        settings.format,
        OutputFormat::Concise | OutputFormat::JsonLines | OutputFormat::Github
    ) && !args.statistics
        && settings.opts.probe.is_none()
        && !args.paths.iter().any(|p| p.as_os_str() == "-")
}

/// Run, print part by part, and give the exit code.
pub(super) fn run(args: &CheckArgs, settings: &Settings, providers: &Providers) -> u8 {
    let format = settings.format;
    let mut failed = false;
    let (mut safe, mut unsafe_) = (0, 0);
    let mut show = |part: &Outcome| {
        let (s, u) = super::check::fixable(&part.findings);
        (safe, unsafe_) = (safe + s, unsafe_ + u);
        let text = match format {
            OutputFormat::Concise => report::concise_findings(part),
            OutputFormat::JsonLines => report::json::render_lines(part),
            _ => report::github::render(part),
        };
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            Ok(()) => true,
            // A closed pipe (`| head`) stops the run quietly; another error is one.
            Err(e) => {
                failed = e.kind() != std::io::ErrorKind::BrokenPipe;
                false
            }
        }
    };
    let done =
        crate::stream::check_paths_streaming(&args.paths, providers, &settings.opts, &mut show);
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
