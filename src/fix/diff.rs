//! `check --diff`: the changes as a unified diff, secrets masked on both sides.

use super::{key_of, Change, FixRun};
use crate::source::SourceFile;

/// The unified diff of every change; a secret never shows (the runs' masked texts are used, and
/// any copy of a secret the first run knew is masked in the new text too).
pub fn diff(run: &FixRun) -> String {
    let mut out = String::new();
    for c in &run.changes {
        let before = source(&run.first, c);
        let after = source(&run.last, c);
        // Every secret value the first run knew, longest first.
        let mut values: Vec<&str> = before
            .map(|s| {
                s.secrets()
                    .filter_map(|r| c.original.get(r))
                    // As masking elsewhere: a value this short ("on", "1") is masked where it
                    // stands, not hunted through the whole text.
                    .filter(|v| v.trim().len() >= 4)
                    .collect()
            })
            .unwrap_or_default();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        let old = shown(&c.original, before, &values);
        let new = shown(&c.fixed, after, &values);
        let name = crate::report::escape::line(&c.path.display().to_string()).into_owned();
        let text = similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(&name, &name)
            .to_string();
        out.push_str(&crate::report::escape::text(&text));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn source<'a>(o: &'a crate::engine::Outcome, c: &Change) -> Option<&'a SourceFile> {
    o.sources
        .iter()
        .map(|(_, f)| f)
        .find(|f| key_of(&f.path) == c.key)
}

/// The text with its secrets masked: the run's masked copy when it is of this text, and every
/// known secret value starred out wherever it still appears.
fn shown(text: &str, src: Option<&SourceFile>, values: &[&str]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if let Some(src) = src.filter(|s| s.text.len() == text.len()) {
        for r in src.secrets() {
            if let Some(b) = bytes.get_mut(r) {
                b.fill(b'*');
            }
        }
    }
    for v in values {
        let mut from = 0;
        while let Some(i) = find(&bytes[from..], v.as_bytes()) {
            bytes[from + i..from + i + v.len()].fill(b'*');
            from += i + v.len();
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
