//! The human format: miette's graphical report, one per finding, over redacted source text.

use std::fmt;

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
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
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
        Some(&self.source)
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

fn source(outcome: &Outcome, file: FileId) -> NamedSource<String> {
    let f = outcome.sources.get(file);
    NamedSource::new(
        escape::path(&f.path),
        escape::source(&redacted_text(f)).into_owned(),
    )
}

fn to_rendered(outcome: &Outcome, f: &Finding) -> Rendered {
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
    let related = files[1..]
        .iter()
        .map(|&file| Rendered {
            message: "related location".into(),
            code: None,
            severity: Severity::Info,
            help: None,
            url: None,
            source: source(outcome, file),
            labels: labels_in(file),
            related: Vec::new(),
        })
        .collect();
    Rendered {
        message: escape::text(&f.message).into_owned(),
        code: Some(format!("smtp-doctor::{}", f.code)),
        severity: f.severity,
        help: f.help.as_deref().map(|h| escape::text(h).into_owned()),
        url: codes::lookup(&f.code).map(|c| codes::doc_path(c.code)),
        source: source(outcome, main_file),
        labels: labels_in(main_file),
        related,
    }
}

pub fn render(outcome: &Outcome, style: &Style) -> String {
    let h = handler(style);
    let mut out = String::new();
    for f in &outcome.findings {
        let r = to_rendered(outcome, f);
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
        source: NamedSource::new(escape::line(name), escape::source(text).into_owned()),
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
