//! Writing to the terminal: stdout, colour, and the error reports of rule and settings files.

use std::io::Write;

use clap::ValueEnum;

use super::{EXIT_ERROR, EXIT_OK};
use crate::providers::RuleError;
use crate::report::{full, Style};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub(super) fn use_color(choice: Color, stream_is_tty: bool) -> bool {
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

/// Writes `s` to stdout; `false` when that failed (a closed pipe is not a failure).
pub(super) fn write_stdout(s: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => true,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

/// The exit code of a command whose only output was written: 0, or 2 when writing failed.
pub(super) fn exit_after(written: bool) -> u8 {
    if written {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

pub(super) fn report_rule_error(e: &RuleError, color: bool) -> u8 {
    let name = e.path.display().to_string();
    let text = if e.text.is_empty() || e.span.is_none() {
        crate::report::escape::text(&format!(
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

pub(super) fn report_config_error(e: &crate::config::ConfigError, color: bool) -> u8 {
    let name = e.path.display().to_string();
    let text = if e.text.is_empty() {
        crate::report::escape::text(&format!("error: {name}: {}\n", e.message)).into_owned()
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
