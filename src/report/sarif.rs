//! `--format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub code scanning and others).

use serde_json::{json, Value};

use crate::codes::CODES;
use crate::engine::Outcome;
use crate::finding::Severity;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI with `/` separators (repo-relative when run from the repo root).
fn uri(path: &std::path::Path) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    let s = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
}

/// The first paragraph of a rule page that is not a heading.
fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

pub fn render(outcome: &Outcome) -> String {
    let mut w = SarifWriter::new();
    let mut s = w.begin();
    s.push_str(&w.part(outcome));
    s.push_str(&w.end());
    s
}

/// `--format sarif` part by part: the `results` array grows as parts arrive.
pub struct SarifWriter {
    array: super::parts::ArrayWriter,
    doc: Value,
}

impl Default for SarifWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl SarifWriter {
    pub fn new() -> Self {
        let rules: Vec<Value> = CODES
            .iter()
            .map(|c| {
                json!({
                    "id": c.code,
                    "name": c.code,
                    "shortDescription": {"text": c.summary},
                    "fullDescription": {"text": first_paragraph(c.doc)},
                    "helpUri": crate::codes::doc_url(c.code),
                    "help": {"text": format!("smtp-doctor explain {}", c.code), "markdown": c.doc},
                    "defaultConfiguration": {"level": level(c.severity)},
                })
            })
            .collect();
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "smtp-doctor",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/smtp-doctor",
                    "rules": rules,
                }},
                "results": [],
                "columnKind": "unicodeCodePoints",
            }],
        });
        SarifWriter {
            array: super::parts::ArrayWriter::new("results"),
            doc,
        }
    }

    pub fn begin(&mut self) -> String {
        self.array.begin(&self.doc)
    }

    pub fn part(&mut self, outcome: &Outcome) -> String {
        let results: Vec<Value> = outcome
            .findings
            .iter()
            .map(|f| result(outcome, f))
            .collect();
        self.array.items(&results)
    }

    pub fn end(&mut self) -> String {
        self.array.end(&self.doc)
    }
}

/// One finding as a SARIF result. A code without a rule of its own (none today) has no
/// `ruleIndex`; its `ruleId` still names it.
fn result(outcome: &Outcome, f: &crate::finding::Finding) -> Value {
    let locations: Vec<Value> = f
        .labels
        .iter()
        .map(|l| {
            let src = outcome.sources.get(l.loc.file);
            let (sl, sc) = src.line_col(l.loc.span.start);
            let (el, ec) = src.line_col(l.loc.span.end);
            let mut loc = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(&src.path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                }
            });
            if let Some(m) = &l.message {
                loc["message"] = json!({"text": m});
            }
            loc
        })
        .collect();
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let mut r = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [locations[0].clone()],
    });
    if let Some(i) = CODES.iter().position(|c| c.code == f.code) {
        r["ruleIndex"] = json!(i);
    }
    if locations.len() > 1 {
        r["relatedLocations"] = Value::Array(
            locations[1..]
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut l = l.clone();
                    l["id"] = json!(i + 1);
                    l
                })
                .collect(),
        );
    }
    if let Some(p) = &f.provider {
        r["properties"] = json!({"provider": p});
    }
    r
}
