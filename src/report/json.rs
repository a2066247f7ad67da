//! `--format json`: the stable machine contract of ARCHITECTURE.md.

use serde_json::{json, Value};

use super::position;
use crate::engine::Outcome;
use crate::finding::{Applicability, Finding};

fn diagnostic(outcome: &Outcome, f: &Finding) -> Value {
    let (line, column, end_line, end_column) = position(outcome, f);
    let file = outcome.sources.path(f.primary().file).display().to_string();
    let labels: Vec<Value> = f
        .labels
        .iter()
        .map(|l| {
            let src = outcome.sources.get(l.loc.file);
            let (line, column) = src.line_col(l.loc.span.start);
            let (end_line, end_column) = src.line_col(l.loc.span.end);
            json!({
                "file": src.path.display().to_string(),
                "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                "message": l.message,
            })
        })
        .collect();
    let mut d = json!({
        "code": f.code,
        "severity": f.severity.as_str(),
        "message": f.message,
        "file": file,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "provider": f.provider,
        "help": f.help,
        "url": crate::codes::lookup(&f.code).map(|c| crate::codes::doc_path(c.code)),
        "labels": labels,
    });
    if let Some(fix) = &f.fix {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let src = outcome.sources.get(e.loc.file);
                let (line, column) = src.line_col(e.loc.span.start);
                let (end_line, end_column) = src.line_col(e.loc.span.end);
                json!({"file": src.path.display().to_string(), "line": line, "column": column,
                       "end_line": end_line, "end_column": end_column, "content": e.replacement})
            })
            .collect();
        d["fix"] = json!({
            "applicability": match fix.applicability { Applicability::Safe => "safe", Applicability::Unsafe => "unsafe" },
            "message": fix.message,
            "edits": edits,
        });
    }
    d
}

pub fn render(outcome: &Outcome) -> String {
    let mut w = JsonWriter::new();
    let mut s = w.begin();
    s.push_str(&w.part(outcome));
    s.push_str(&w.end(&super::Tally::of(outcome), &outcome.probes));
    s
}

/// `--format json` part by part: the `diagnostics` array grows as parts arrive, and the counts
/// follow it. The same bytes as one document built at once.
pub struct JsonWriter {
    array: super::parts::ArrayWriter,
}

impl Default for JsonWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonWriter {
    pub fn new() -> Self {
        JsonWriter {
            array: super::parts::ArrayWriter::new("diagnostics"),
        }
    }

    fn doc(tally: &super::Tally, probes: &[crate::probe::ProbeReport]) -> Value {
        let mut doc = json!({
            "version": 1,
            "tool": {"name": "smtp-doctor", "version": env!("CARGO_PKG_VERSION")},
            "files_checked": tally.files_checked,
            "profiles": tally.profiles,
            "diagnostics": [],
        });
        if !probes.is_empty() {
            doc["probes"] = serde_json::to_value(probes).unwrap_or_default();
        }
        doc
    }

    /// The document up to the first diagnostic (counts are not known yet: they follow it).
    pub fn begin(&mut self) -> String {
        self.array.begin(&Self::doc(&super::Tally::default(), &[]))
    }

    pub fn part(&mut self, outcome: &Outcome) -> String {
        let items: Vec<Value> = outcome
            .findings
            .iter()
            .map(|f| diagnostic(outcome, f))
            .collect();
        self.array.items(&items)
    }

    pub fn end(&mut self, tally: &super::Tally, probes: &[crate::probe::ProbeReport]) -> String {
        self.array.end(&Self::doc(tally, probes))
    }
}

/// `--format json-lines`: one diagnostic object per line, nothing else.
pub fn render_lines(outcome: &Outcome) -> String {
    let mut s = String::new();
    for f in &outcome.findings {
        s.push_str(&super::escape::json(
            serde_json::to_string(&diagnostic(outcome, f)).unwrap_or_default(),
        ));
        s.push('\n');
    }
    s
}
