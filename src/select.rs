//! After the checks: inline suppressions, severity overrides, rule selection and per-file
//! ignores, in that order. Selection names are rule codes or provider ids (`icloud`), or `ALL`.

use crate::codes;
use std::collections::BTreeMap;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use regex::Regex;

use crate::config::SeverityOverride;
use crate::finding::{Finding, Label, Severity};
use crate::source::{FileId, Loc, Sources};

/// What to report.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// `None` = everything.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, SeverityOverride>,
    /// (glob relative to `base`, names)
    pub per_file_ignores: Vec<(GlobMatcher, Vec<String>)>,
    pub base: std::path::PathBuf,
}

fn names_match(names: &[String], f: &Finding) -> bool {
    names.iter().any(|n| {
        n.eq_ignore_ascii_case("all") || n == &f.code || f.provider.as_deref() == Some(n.as_str())
    })
}

impl Selection {
    /// Apply a `[severity]` override; `false` when the code is switched off.
    fn override_severity(&self, f: &mut Finding) -> bool {
        match self.severity.get(&f.code) {
            None => true,
            Some(SeverityOverride::Off) => false,
            Some(SeverityOverride::Error) => {
                f.severity = Severity::Error;
                true
            }
            Some(SeverityOverride::Warning) => {
                f.severity = Severity::Warning;
                true
            }
            Some(SeverityOverride::Info) => {
                f.severity = Severity::Info;
                true
            }
        }
    }

    pub fn add_per_file_ignore(&mut self, glob: &str, names: Vec<String>) -> Result<(), String> {
        let m = Glob::new(glob)
            .map_err(|e| format!("invalid glob `{glob}`: {e}"))?
            .compile_matcher();
        self.per_file_ignores.push((m, names));
        Ok(())
    }

    fn keeps(&self, f: &Finding, path: &Path) -> bool {
        let selected = match &self.select {
            None => true,
            Some(s) => names_match(s, f),
        } || names_match(&self.extend_select, f);
        if !selected || names_match(&self.ignore, f) {
            return false;
        }
        if self.per_file_ignores.is_empty() {
            return true;
        }
        let rel = std::path::absolute(path)
            .ok()
            .and_then(|p| {
                std::path::absolute(&self.base)
                    .ok()
                    .and_then(|b| p.strip_prefix(b).ok().map(Path::to_path_buf))
            })
            .unwrap_or_else(|| path.to_path_buf());
        !self
            .per_file_ignores
            .iter()
            .any(|(g, names)| (g.is_match(&rel) || g.is_match(path)) && names_match(names, f))
    }
}

/// `smtp-doctor: ignore[code-a, code-b]` in a comment, on the finding's line or alone on the
/// line above it.
struct Suppression {
    file: FileId,
    /// The line it applies to (1-based).
    target_line: usize,
    codes: Vec<(String, Loc, bool)>,
}

fn suppression_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"smtp-doctor:\s*ignore\[([^\]]*)\]").expect("valid regex"))
}

fn suppressions(sources: &Sources, in_part: &dyn Fn(FileId) -> bool) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (id, file) in sources.iter() {
        if !in_part(id) || !file.text.contains("smtp-doctor:") {
            continue;
        }
        let re = suppression_regex();
        let mut offset = 0;
        for (i, line) in file.text.split_inclusive('\n').enumerate() {
            for m in re.captures_iter(line) {
                let whole = m.get(0).expect("match");
                let before = &line[..whole.start()];
                let comment_at = ["#", "//", "/*"]
                    .iter()
                    .filter_map(|c| before.find(c))
                    .min();
                if let Some(c) = comment_at {
                    let code_before = !before[..c].trim().is_empty();
                    let target_line = if code_before { i + 1 } else { i + 2 };
                    let list = m.get(1).expect("group");
                    let mut codes = Vec::new();
                    let mut pos = list.start();
                    for part in list.as_str().split(',') {
                        let name = part.trim();
                        if !name.is_empty() {
                            let start = offset + pos + part.find(name).unwrap_or(0);
                            codes.push((
                                name.to_owned(),
                                Loc::new(id, start..start + name.len()),
                                false,
                            ));
                        }
                        pos += part.len() + 1;
                    }
                    out.push(Suppression {
                        file: id,
                        target_line,
                        codes,
                    });
                }
            }
            offset += line.len();
        }
    }
    out
}

/// Apply suppressions and the selection; returns the findings to report.
///
/// `probed` says whether the run probed servers: without probes nothing can report a probe
/// code, so a suppression naming one is neither used nor unused (the same file may be checked
/// with and without `--probe`).
pub fn apply(
    findings: Vec<Finding>,
    sources: &Sources,
    sel: &Selection,
    probed: bool,
) -> Vec<Finding> {
    apply_in(findings, sources, &|_| true, sel, probed)
}

/// [`apply`] for a part of a run: only the suppression comments of the files `in_part` admits
/// are read and reported when unused (the findings must all be in those files).
pub fn apply_in(
    findings: Vec<Finding>,
    sources: &Sources,
    in_part: &dyn Fn(FileId) -> bool,
    sel: &Selection,
    probed: bool,
) -> Vec<Finding> {
    let mut sups = suppressions(sources, in_part);
    let mut kept = Vec::new();
    for mut f in findings {
        let loc = f.primary().clone();
        let line = sources.get(loc.file).line_col(loc.span.start).0;
        let mut suppressed = false;
        for s in sups
            .iter_mut()
            .filter(|s| s.file == loc.file && s.target_line == line)
        {
            // Mark every name that covers the finding (its code and its provider) as used.
            for c in s.codes.iter_mut() {
                if c.0 == f.code || f.provider.as_deref() == Some(c.0.as_str()) {
                    c.2 = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed && sel.override_severity(&mut f) && sel.keeps(&f, sources.path(loc.file)) {
            kept.push(f);
        }
    }
    for s in &sups {
        for (name, loc, used) in &s.codes {
            if !used && (probed || !codes::is_probe_code(name)) {
                let f = Finding::new(
                    codes::UNUSED_SUPPRESSION,
                    Severity::Warning,
                    format!(
                        "`{name}` is suppressed here, but nothing on line {} reports it",
                        s.target_line
                    ),
                    Label::new(loc.clone(), "suppresses nothing"),
                )
                .with_help(
                    "remove it, or move it to the line of the finding (or alone on the line above)",
                );
                let mut f = f;
                if sel.override_severity(&mut f) && sel.keeps(&f, sources.path(loc.file)) {
                    kept.push(f);
                }
            }
        }
    }
    kept.sort_by_key(|f| (f.primary().file, f.primary().span.start, f.code.clone()));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn finding(
        file: FileId,
        span: std::ops::Range<usize>,
        code: &str,
        provider: Option<&str>,
    ) -> Finding {
        Finding::new(
            code,
            Severity::Error,
            "m",
            Label::bare(Loc::new(file, span)),
        )
        .with_provider(provider)
    }

    #[test]
    fn suppression_by_code_or_provider_on_the_line_or_above() {
        let mut sources = Sources::default();
        let text = "a = 1 # smtp-doctor: ignore[x-code, icloud] # smtp-doctor: ignore[y-code]\n# smtp-doctor: ignore[z-code]\nb = 2\nc = 3 # smtp-doctor: ignore[unused-one]\n";
        let id = sources.add(SourceFile::new("t.toml", text));
        let b = text.find("b = 2").unwrap();
        let findings = vec![
            finding(id, 0..1, "x-code", Some("icloud")),
            finding(id, 0..1, "y-code", None),
            finding(id, b..b + 1, "z-code", None),
            finding(id, b..b + 1, "kept-code", None),
        ];
        let out = apply(findings, &sources, &Selection::default(), false);
        let codes: Vec<_> = out.iter().map(|f| f.code.as_str()).collect();
        // Both names matching the first finding count as used; only `unused-one` is reported.
        assert_eq!(codes, ["kept-code", "unused-suppression"]);
        assert_eq!(&text[out[1].primary().span.clone()], "unused-one");
    }

    #[test]
    fn severity_overrides_reach_unused_suppressions() {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new(
            "t.toml",
            "a = 1 # smtp-doctor: ignore[x]\n",
        ));
        let mut sel = Selection::default();
        sel.severity
            .insert("unused-suppression".into(), SeverityOverride::Off);
        assert!(apply(Vec::new(), &sources, &sel, false).is_empty());
        let _ = id;
    }

    #[test]
    fn suppressed_probe_codes_are_judged_only_when_the_run_probed() {
        let mut sources = Sources::default();
        sources.add(SourceFile::new(
            "t.toml",
            "port = 2 # smtp-doctor: ignore[connect-refused]\n",
        ));
        let sel = Selection::default();
        assert!(apply(Vec::new(), &sources, &sel, false).is_empty());
        let out = apply(Vec::new(), &sources, &sel, true);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, codes::UNUSED_SUPPRESSION);
    }
}
