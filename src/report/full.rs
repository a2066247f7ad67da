//! The human format: miette's graphical report, one per finding, over redacted source text.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{escape, Style};
use crate::codes;
use crate::engine::Outcome;
use crate::finding::{Finding, Severity};
use crate::redact::redacted_text;
use crate::source::FileId;

/// One file's part of a finding, as miette wants it.
struct Rendered {
    message: String,
    code: Option<String>,
    severity: Severity,
    help: Option<String>,
    url: Option<String>,
    /// None when the snippet would be too long to show (see [`MAX_SNIPPET_LINE`]).
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

/// Lines longer than this (bytes) are not shown in a snippet: miette prints whole lines, so a
/// minified or hostile one-line file of megabytes would be printed once per finding. The
/// finding then names its position instead.
const MAX_SNIPPET_LINE: usize = 1000;

/// Does the snippet of `span` (its lines and one line of context either side) hold a line
/// longer than [`MAX_SNIPPET_LINE`]?
fn snippet_too_long(text: &str, span: &std::ops::Range<usize>) -> bool {
    let b = text.as_bytes();
    let start = span.start.min(b.len());
    let end = span.end.clamp(start, b.len());
    let line_start = |at: usize| {
        b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
    };
    let line_end = |at: usize| {
        b[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| at + i)
    };
    // From the start of the line before to the end of the line after, line by line.
    let first = line_start(start);
    let from = if first > 0 { line_start(first - 1) } else { 0 };
    let last = line_end(end);
    let to = if last < b.len() {
        line_end(last + 1)
    } else {
        last
    };
    b[from..to]
        .split(|&c| c == b'\n')
        .any(|line| line.len() > MAX_SNIPPET_LINE)
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1)
}

/// The text miette shows for each file: redacted and made safe once per run, shared by every
/// finding in the file (a large file with many findings is not copied for each).
type Texts = HashMap<FileId, Arc<str>>;

fn source(outcome: &Outcome, file: FileId, texts: &mut Texts) -> NamedSource<Arc<str>> {
    let f = outcome.sources.get(file);
    let text = texts
        .entry(file)
        .or_insert_with(|| escape::source(&redacted_text(f)).into_owned().into())
        .clone();
    NamedSource::new(escape::path(&f.path), text)
}

fn to_rendered(outcome: &Outcome, f: &Finding, texts: &mut Texts) -> Rendered {
    let main_file = f.primary().file;
    let mut files: Vec<FileId> = vec![main_file];
    for l in &f.labels {
        if !files.contains(&l.loc.file) {
            files.push(l.loc.file);
        }
    }
    let labels_in = |file: FileId| -> Vec<LabeledSpan> {
        f.labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.loc.file == file)
            .map(|(i, l)| {
                let span = (l.loc.span.start, l.loc.span.len());
                let message = l.message.as_deref().map(|m| escape::text(m).into_owned());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(message, span)
                } else {
                    LabeledSpan::new_with_span(message, span)
                }
            })
            .collect()
    };
    // A file whose snippet would hold an over-long line: its labels become lines of text.
    let mut positions = String::new();
    let too_long = |file: FileId| {
        let text = &outcome.sources.get(file).text;
        f.labels
            .iter()
            .any(|l| l.loc.file == file && snippet_too_long(text, &l.loc.span))
    };
    let mut shown = |file: FileId| -> (Option<NamedSource<Arc<str>>>, Vec<LabeledSpan>) {
        if !too_long(file) {
            return (Some(source(outcome, file, texts)), labels_in(file));
        }
        let src = outcome.sources.get(file);
        for l in f.labels.iter().filter(|l| l.loc.file == file) {
            let (line, col) = src.line_col(l.loc.span.start);
            positions.push_str(&format!(
                "\n  --> {}:{line}:{col}{} (the line is too long to show)",
                escape::path(&src.path),
                l.message
                    .as_deref()
                    .map(|m| format!(": {}", escape::line(m)))
                    .unwrap_or_default()
            ));
        }
        (None, Vec::new())
    };
    let related = files[1..]
        .iter()
        .map(|&file| {
            let (source, labels) = shown(file);
            Rendered {
                message: "related location".into(),
                code: None,
                severity: Severity::Info,
                help: None,
                url: None,
                source,
                labels,
                related: Vec::new(),
            }
        })
        .collect();
    let (source, labels) = shown(main_file);
    Rendered {
        message: format!("{}{positions}", escape::text(&f.message)),
        code: Some(format!("smtp-doctor::{}", f.code)),
        severity: f.severity,
        help: f.help.as_deref().map(|h| escape::text(h).into_owned()),
        url: codes::lookup(&f.code).map(|c| codes::doc_path(c.code)),
        source,
        labels,
        related,
    }
}

pub fn render(outcome: &Outcome, style: &Style) -> String {
    let h = handler(style);
    let mut out = String::new();
    let mut texts = Texts::new();
    for f in &outcome.findings {
        let r = to_rendered(outcome, f, &mut texts);
        if h.render_report(&mut out, &r).is_err() {
            out.push_str(&f.message);
        }
        out.push('\n');
    }
    out.push_str(&super::summary(outcome));
    out.push('\n');
    out
}

/// Render a standalone problem in a file (a broken rule file) the same way. Every part may be
/// foreign text and is escaped.
pub fn render_snippet(
    name: &str,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
    help: Option<&str>,
    style: &Style,
) -> String {
    let r = Rendered {
        message: escape::text(message).into_owned(),
        code: None,
        severity: Severity::Error,
        help: help.map(|h| escape::text(h).into_owned()),
        url: None,
        source: Some(NamedSource::new(
            escape::line(name),
            Arc::from(escape::source(text).into_owned()),
        )),
        labels: span
            .map(|s| {
                vec![LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    (s.start, s.len()),
                )]
            })
            .unwrap_or_default(),
        related: Vec::new(),
    };
    let mut out = String::new();
    if handler(style).render_report(&mut out, &r).is_err() {
        out.push_str(message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_in_or_around_a_snippet_are_detected() {
        let long = "x".repeat(MAX_SNIPPET_LINE + 1);
        let text = format!("a=1\nb=2\n{long}\nc=3\nd=4\n");
        let b = text.find("b=2").unwrap();
        let c = text.find("c=3").unwrap();
        let d = text.find("d=4").unwrap();
        assert!(!snippet_too_long(&text, &(0..1)));
        assert!(
            snippet_too_long(&text, &(b..b + 1)),
            "the next line is long"
        );
        assert!(
            snippet_too_long(&text, &(c..c + 1)),
            "the line before is long"
        );
        assert!(!snippet_too_long(&text, &(d..d + 1)));
        assert!(snippet_too_long(&text, &(b + 5..b + 6)), "on the long line");
        assert!(!snippet_too_long("", &(0..0)));
    }
}
