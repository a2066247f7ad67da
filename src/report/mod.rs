//! Renderers. Each reads [`Outcome`](crate::engine::Outcome) and writes one output format; none
//! of them sees a secret, because they all take their text from [`crate::redact`].

use std::fmt::Write as _;

use crate::engine::Outcome;
use crate::finding::{Finding, Severity};

pub mod escape;
pub mod full;
pub mod github;
pub mod json;
pub mod parts;
pub mod sarif;

/// The output formats of `check` (their command-line names are given in `crate::cli`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// miette diagnostics with source snippets (for people)
    Full,
    /// one line per finding: path:line:col: severity[code] message
    Concise,
    /// one JSON object with a `diagnostics` array
    Json,
    /// one JSON object per finding per line
    JsonLines,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// SARIF 2.1.0 (code scanning)
    Sarif,
}

impl OutputFormat {
    /// Formats for people print a summary line.
    pub fn is_human(self) -> bool {
        matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
}

pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(format: OutputFormat, outcome: &Outcome, style: &Style) -> String {
    match format {
        OutputFormat::Full => full::render(outcome, style),
        OutputFormat::Concise => concise(outcome),
        OutputFormat::Json => json::render(outcome),
        OutputFormat::JsonLines => json::render_lines(outcome),
        OutputFormat::Github => github::render(outcome),
        OutputFormat::Sarif => sarif::render(outcome),
    }
}

/// 1-based (line, column, end line, end column) of a finding's primary span.
pub fn position(outcome: &Outcome, f: &Finding) -> (usize, usize, usize, usize) {
    let loc = f.primary();
    let file = outcome.sources.get(loc.file);
    let (l, c) = file.line_col(loc.span.start);
    let (el, ec) = file.line_col(loc.span.end);
    (l, c, el, ec)
}

fn concise(outcome: &Outcome) -> String {
    let mut s = concise_findings(outcome);
    let _ = writeln!(s, "{}", summary(outcome));
    s
}

/// The `concise` lines of an outcome's findings, without the summary line (a streaming run
/// prints them part by part).
pub fn concise_findings(outcome: &Outcome) -> String {
    let mut s = String::new();
    for f in &outcome.findings {
        let (l, c, _, _) = position(outcome, f);
        // Foreign text on one line: a newline in a file name cannot forge a second finding.
        let path = escape::path(outcome.sources.path(f.primary().file));
        let _ = writeln!(
            s,
            "{path}:{l}:{c}: {}[{}] {}",
            f.severity,
            f.code,
            escape::line(&f.message)
        );
    }
    s
}

/// What the summary line counts: findings by severity, files, profiles, probed endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub files_checked: usize,
    pub profiles: usize,
    pub probes: usize,
    /// Paths that could not be read (input errors and walk warnings).
    pub unreadable: usize,
}

impl Tally {
    pub fn of(outcome: &Outcome) -> Tally {
        let mut t = Tally {
            files_checked: outcome.files_checked,
            profiles: outcome.profiles.len(),
            probes: outcome.probes.len(),
            unreadable: outcome.errors.len() + outcome.warnings.len(),
            ..Tally::default()
        };
        t.count(&outcome.findings);
        t
    }

    /// Add findings to the counts.
    pub fn count(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.notes += 1,
            }
        }
    }

    /// "Found 2 errors and 1 warning in 1 file (1 SMTP profile)." / "No problems found in 3 files
    /// (2 SMTP profiles); 1 path could not be read." / "Nothing checked: 2 paths could not be
    /// read."
    pub fn line(&self) -> String {
        let n = self.unreadable;
        let paths = format!(
            "{n} {} could not be read.",
            if n == 1 { "path" } else { "paths" }
        );
        let nothing = self.files_checked + self.probes + self.errors + self.warnings + self.notes;
        if n > 0 && nothing == 0 {
            return format!("Nothing checked: {paths}");
        }
        let mut line = self.findings_line();
        if n > 0 {
            line.pop();
            let _ = write!(line, "; {paths}");
        }
        line
    }

    fn findings_line(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let (files, profiles) = if self.files_checked == 0 && self.probes > 0 {
            (
                plural(self.probes, "probed endpoint"),
                "live probes".to_owned(),
            )
        } else {
            (
                plural(self.files_checked, "file"),
                plural(self.profiles, "SMTP profile"),
            )
        };
        let (e, w, i) = (self.errors, self.warnings, self.notes);
        if e + w + i == 0 {
            return format!("No problems found in {files} ({profiles}).");
        }
        let mut parts = Vec::new();
        if e > 0 {
            parts.push(plural(e, "error"));
        }
        if w > 0 {
            parts.push(plural(w, "warning"));
        }
        if i > 0 {
            parts.push(plural(i, "note"));
        }
        format!(
            "Found {} in {files} ({profiles}).",
            crate::providers::join_or(&parts).replace(" or ", " and ")
        )
    }
}

/// "Found 2 errors and 1 warning in 1 file." / "No problems found in 3 files."
pub fn summary(outcome: &Outcome) -> String {
    Tally::of(outcome).line()
}

/// `--statistics`: findings per code, most frequent first.
pub fn statistics(format: OutputFormat, outcome: &Outcome) -> String {
    let mut counts: Vec<(String, Severity, usize)> = Vec::new();
    for f in &outcome.findings {
        match counts.iter_mut().find(|(c, _, _)| *c == f.code) {
            Some(e) => {
                e.2 += 1;
                e.1 = e.1.max(f.severity);
            }
            None => counts.push((f.code.clone(), f.severity, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    // JSON for the JSON formats; a table for everything else (annotations and SARIF have no
    // statistics of their own).
    if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
        let rows: Vec<_> = counts
            .iter()
            .map(|(c, s, n)| serde_json::json!({"code": c, "severity": s.as_str(), "count": n}))
            .collect();
        let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let mut s = String::new();
    for (code, sev, n) in &counts {
        let _ = writeln!(s, "{n:>5}  {code:<26} {}", sev.as_str());
    }
    let _ = writeln!(s, "{}", summary(outcome));
    s
}

/// `--verbose`: each probe's dialogue, for stderr. Server text is foreign: every line is
/// escaped, so a reply cannot send control sequences to the terminal.
pub fn transcripts(outcome: &Outcome) -> String {
    let mut s = String::new();
    for r in &outcome.probes {
        let _ = writeln!(
            s,
            "== {}:{} ({}) in {} ms",
            escape::line(&r.endpoint.host),
            r.endpoint.port,
            r.endpoint.mode,
            r.elapsed.as_millis()
        );
        for line in &r.transcript {
            let _ = writeln!(s, "   {}", escape::line(line));
        }
    }
    s
}

/// The paths that could not be read, one `error:` line each (a `warning:` line for what a
/// folder walk skipped), for stderr.
pub fn input_errors(outcome: &Outcome) -> String {
    let mut s = String::new();
    let all = outcome
        .errors
        .iter()
        .map(|e| ("error", e))
        .chain(outcome.warnings.iter().map(|e| ("warning", e)));
    for (level, e) in all {
        let _ = writeln!(
            s,
            "{level}: {}: {}",
            escape::path(&e.path),
            escape::line(&e.message)
        );
    }
    s
}
