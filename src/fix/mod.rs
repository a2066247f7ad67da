//! `check --fix` / `--diff`: apply the findings' fixes to the files' text, check again, repeat.
//!
//! A fix is a set of byte-range replacements on the text the run read (possibly in two files:
//! code and the `.env` line it reads). Each round takes the fixes of one check in finding order
//! (file, position, code), keeps a fix only when none of its edits overlaps an edit already
//! taken or a secret, and applies the kept ones together; the texts are then checked again in
//! memory (`RunOptions::overlay`), at most [`MAX_ROUNDS`] times, stopping early when nothing is
//! left to fix, a round would bring back texts already seen, or a round would leave the
//! password less protected than before (more cleartext or unverified-TLS findings). Only then
//! is anything written (`write`: a temporary file beside the original, renamed over it, mode
//! kept) or shown (`diff`: unified, secrets masked).

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::engine::Outcome;
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::source::FileId;

mod diff;
pub mod words;
mod write;

pub use diff::diff;
pub use write::write;

/// The most check-and-fix rounds one run does.
pub const MAX_ROUNDS: usize = 6;

/// Texts by key (the file's canonical path; standard input's name).
pub type Texts = BTreeMap<PathBuf, String>;

/// One file the fixes changed.
#[derive(Debug, Clone)]
pub struct Change {
    /// The path as the run shows it.
    pub path: PathBuf,
    /// Where it is written (the canonical path).
    pub key: PathBuf,
    pub original: String,
    pub fixed: String,
}

/// What a fix run did: the first and the last check, the changed files and how many fixes went
/// in.
#[derive(Debug)]
pub struct FixRun {
    pub first: Outcome,
    pub last: Outcome,
    pub changes: Vec<Change>,
    pub applied: usize,
}

impl FixRun {
    /// Fixes left in the last check that `--unsafe-fixes` would apply.
    pub fn unsafe_left(&self) -> usize {
        self.last
            .findings
            .iter()
            .filter(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|x| x.applicability == Applicability::Unsafe)
            })
            .count()
    }
}

/// The key of a path: its canonical form when it exists on disk.
pub fn key_of(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Check, fix, check again. `check` runs the engine with the given texts in place of the files'
/// content; `texts` starts with what is already in memory (standard input), the rest is read
/// from disk when a fix first touches it.
pub fn run(
    mut check: impl FnMut(&Texts) -> Outcome,
    mut texts: Texts,
    unsafe_fixes: bool,
) -> FixRun {
    let mut originals = texts.clone();
    let mut paths: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    let mut seen: HashSet<Texts> = HashSet::new();
    seen.insert(texts.clone());
    let mut first = None;
    let mut applied = 0;
    let mut last = check(&texts);
    for _ in 0..MAX_ROUNDS {
        let keys: BTreeMap<FileId, PathBuf> = (last.sources.iter())
            .map(|(id, f)| (id, key_of(&f.path)))
            .collect();
        for (id, f) in last.sources.iter() {
            let key = &keys[&id];
            paths.entry(key.clone()).or_insert_with(|| f.path.clone());
            if !texts.contains_key(key) {
                // The text the run read, unmasked: from disk, the same length as the source.
                if let Some(t) = read_text(&f.path).filter(|t| t.len() == f.text.len()) {
                    originals.insert(key.clone(), t.clone());
                    texts.insert(key.clone(), t);
                }
            }
        }
        let taken = select(&last.findings, unsafe_fixes, |id| {
            let key = keys.get(&id)?;
            let text = texts.get(key)?;
            let secrets = last.sources.get(id).secrets().collect();
            Some((text.as_str(), secrets))
        });
        if taken.is_empty() {
            break;
        }
        let mut next = texts.clone();
        let mut by_file: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
        for fix in &taken {
            for e in &fix.edits {
                by_file.entry(e.loc.file).or_default().push(e);
            }
        }
        for (id, edits) in by_file {
            let Some(key) = keys.get(&id) else { continue };
            if let Some(t) = next.get_mut(key) {
                *t = apply(t, &edits);
            }
        }
        if !seen.insert(next.clone()) {
            break; // the fixes go round in a circle: stop before repeating
        }
        let again = check(&next);
        if exposure(&again) > exposure(&last) {
            break; // a fix must never end with the password in clear: keep the texts as they were
        }
        applied += taken.len();
        texts = next;
        first.get_or_insert(std::mem::replace(&mut last, again));
    }
    let changes = texts
        .iter()
        .filter(|(k, t)| originals.get(*k) != Some(t))
        .map(|(k, t)| Change {
            path: paths.get(k).cloned().unwrap_or_else(|| k.clone()),
            key: k.clone(),
            original: originals.get(k).cloned().unwrap_or_default(),
            fixed: t.clone(),
        })
        .collect();
    let first = match first {
        Some(f) => f,
        None => check(&texts),
    };
    FixRun {
        first,
        last,
        changes,
        applied,
    }
}

/// How many findings say the password travels unprotected (no TLS with a login, certificates
/// not checked): a round of fixes that adds one is not applied.
fn exposure(o: &Outcome) -> usize {
    o.findings
        .iter()
        .filter(|f| {
            (f.code == crate::codes::INSECURE_TRANSPORT
                && f.severity == crate::finding::Severity::Error)
                || f.code == crate::codes::TLS_VERIFY_DISABLED
        })
        .count()
}

fn read_text(path: &Path) -> Option<String> {
    let bytes = crate::input::read_file(path, crate::engine::MAX_FILE_SIZE).ok()?;
    String::from_utf8(bytes).ok()
}

/// The fixes to apply this round, in finding order: every edit inside its file's text, on
/// character boundaries, clear of secrets and of the edits already taken; edits that change
/// nothing are dropped, and a fix left with none is skipped. `file` gives a file's text and
/// secret spans (`None`: the file cannot be edited).
pub fn select<'a, 't>(
    findings: &'a [Finding],
    unsafe_fixes: bool,
    mut file: impl FnMut(FileId) -> Option<(&'t str, Vec<Range<usize>>)>,
) -> Vec<Fix> {
    let mut taken: Vec<Fix> = Vec::new();
    let mut used: Vec<(FileId, Range<usize>)> = Vec::new();
    let overlaps = |a: &Range<usize>, b: &Range<usize>| {
        (a.start < b.end && b.start < a.end)
            || (a.start == b.start && (a.is_empty() || b.is_empty()))
    };
    'fixes: for f in findings {
        let Some(fix) = &f.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        let mut edits = Vec::new();
        for e in &fix.edits {
            let Some((text, secrets)) = file(e.loc.file) else {
                continue 'fixes;
            };
            let Some(current) = text.get(e.loc.span.clone()) else {
                continue 'fixes;
            };
            if secrets.iter().any(|s| overlaps(s, &e.loc.span))
                || used
                    .iter()
                    .any(|(file, r)| *file == e.loc.file && overlaps(r, &e.loc.span))
                || edits
                    .iter()
                    .any(|x: &Edit| x.loc.file == e.loc.file && overlaps(&x.loc.span, &e.loc.span))
            {
                continue 'fixes;
            }
            if current != e.replacement {
                edits.push(e.clone());
            }
        }
        if edits.is_empty() {
            continue;
        }
        used.extend(edits.iter().map(|e| (e.loc.file, e.loc.span.clone())));
        taken.push(Fix {
            applicability: fix.applicability,
            message: fix.message.clone(),
            edits,
        });
    }
    taken
}

/// `text` with the edits (which do not overlap) applied.
pub fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.loc.span.start, e.loc.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        let Range { start, end } = e.loc.span.clone();
        if start < at || end > text.len() {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests;
