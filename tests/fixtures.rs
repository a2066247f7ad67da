//! Data-driven fixture test: every file under fixtures/ is checked, and the set of
//! (line, code) pairs of its findings must equal the `expect: <code>` markers written in the
//! file. Files whose name contains "good" must carry no marker and yield no warning or error.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use smtp_doctor::engine;
use smtp_doctor::finding::Severity;
use smtp_doctor::providers::Providers;

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // Provider rule folders used by CLI tests are not inputs.
            if p.file_name().is_some_and(|n| n == "user-rules") {
                continue;
            }
            fixture_files(&p, out);
        } else if smtp_doctor::extract::detect(
            &p,
            &String::from_utf8_lossy(&std::fs::read(&p).unwrap()),
        )
        .is_some()
        {
            out.push(p);
        }
    }
}

/// `(line, code)` pairs from `expect: a, b` markers; `expect-next: a` on a comment line of
/// its own is about the line below (for syntaxes with no comment after a value, as msmtp's).
fn expectations(text: &str) -> BTreeSet<(usize, String)> {
    let mut set = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        for (marker, line_no) in [("expect:", i + 1), ("expect-next:", i + 2)] {
            if let Some(pos) = line.find(marker) {
                for code in line[pos + marker.len()..].split(',') {
                    let code = code.trim().trim_end_matches("*/").trim();
                    if !code.is_empty() {
                        set.insert((line_no, code.to_owned()));
                    }
                }
            }
        }
    }
    set
}

#[test]
fn every_fixture_yields_exactly_its_expected_findings() {
    let providers = Providers::builtin().unwrap();
    let mut files = Vec::new();
    fixture_files(Path::new("fixtures"), &mut files);
    assert!(files.len() >= 10, "fixtures missing: {files:?}");
    let mut failures = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let expected = expectations(&text);
        // A fixture folder with a `rules/` folder adds those provider rules, as `--rules` does.
        let mut providers = providers.clone();
        let rules = path.parent().unwrap().join("rules");
        if rules.is_dir() {
            providers.load_dir(&rules).unwrap();
        }
        let outcome = engine::check_paths(std::slice::from_ref(path), &providers);
        assert!(
            outcome.errors.is_empty(),
            "{}: {:?}",
            path.display(),
            outcome.errors
        );
        let actual: BTreeSet<(usize, String)> = outcome
            .findings
            .iter()
            .filter(|f| f.severity > Severity::Info || expected.iter().any(|(_, c)| c == &f.code))
            .map(|f| {
                let file = outcome.sources.get(f.primary().file);
                (file.line_col(f.primary().span.start).0, f.code.clone())
            })
            .collect();
        let is_good = path.to_string_lossy().contains("good");
        if is_good && !expected.is_empty() {
            failures.push(format!(
                "{}: a good fixture must not expect findings",
                path.display()
            ));
        }
        if actual != expected {
            let missing: Vec<_> = expected.difference(&actual).collect();
            let extra: Vec<_> = actual.difference(&expected).collect();
            failures.push(format!(
                "{}:\n  missing {missing:?}\n  unexpected {extra:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_code_has_a_bad_fixture() {
    let mut files = Vec::new();
    fixture_files(Path::new("fixtures"), &mut files);
    let mut seen = BTreeSet::new();
    for p in &files {
        for (_, code) in expectations(&String::from_utf8_lossy(&std::fs::read(p).unwrap())) {
            seen.insert(code);
        }
    }
    let missing: Vec<_> = smtp_doctor::codes::CODES
        .iter()
        .filter(|c| !c.probe && !seen.contains(c.code))
        .map(|c| c.code)
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a bad fixture: {missing:?}"
    );
}
