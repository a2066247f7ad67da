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
    let diagnostics: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| diagnostic(outcome, f))
        .collect();
    let doc = json!({
        "version": 1,
        "tool": {"name": "smtp-doctor", "version": env!("CARGO_PKG_VERSION")},
        "files_checked": outcome.files_checked,
        "profiles": outcome.profiles.len(),
        "diagnostics": diagnostics,
    });
    let mut doc = doc;
    if !outcome.probes.is_empty() {
        doc["probes"] = serde_json::to_value(&outcome.probes).unwrap_or_default();
    }
    let mut s =
        super::escape::json(serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into()));
    s.push('\n');
    s
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
