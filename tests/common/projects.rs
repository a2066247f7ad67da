//! What the project tests share: check a fixture project folder and list its findings with
//! their labels as (file relative to the project, line, message).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use smtp_doctor::engine::{self, Outcome};
use smtp_doctor::finding::Severity;
use smtp_doctor::providers::Providers;

/// A label: file relative to the project folder, line, message.
pub type Place = (String, usize, String);

pub fn check(project: &str) -> (PathBuf, Outcome) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(project);
    let providers = Providers::builtin().unwrap();
    let outcome = engine::check_paths(std::slice::from_ref(&root), &providers);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    (root, outcome)
}

/// Every warning and error as (code, labels), labels in order, the primary first.
pub fn findings(root: &Path, o: &Outcome) -> BTreeSet<(String, Vec<Place>)> {
    o.findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| {
            let labels = f
                .labels
                .iter()
                .map(|l| {
                    let file = o.sources.get(l.loc.file);
                    let rel = file.path.strip_prefix(root).unwrap_or(&file.path);
                    (
                        rel.to_string_lossy().replace('\\', "/"),
                        file.line_col(l.loc.span.start).0,
                        l.message.clone().unwrap_or_default(),
                    )
                })
                .collect();
            (f.code.clone(), labels)
        })
        .collect()
}

pub fn place(file: &str, line: usize, message: &str) -> Place {
    (file.to_owned(), line, message.to_owned())
}
