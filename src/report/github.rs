//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use std::fmt::Write as _;

use super::{escape, position};
use crate::engine::Outcome;
use crate::finding::Severity;

/// Escape the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`, which separate properties).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(outcome: &Outcome) -> String {
    let mut s = String::new();
    for f in &outcome.findings {
        let (line, col, end_line, end_col) = position(outcome, f);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let file = property(&escape::path(outcome.sources.path(f.primary().file)));
        // Columns only make sense for a span on one line.
        let cols = if line == end_line {
            format!(",col={col},endColumn={end_col}")
        } else {
            String::new()
        };
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            s,
            "::{level} file={file},line={line},endLine={end_line}{cols},title={}::{}",
            property(&format!("smtp-doctor {}", f.code)),
            data(&escape::text(&message))
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
