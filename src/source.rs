//! Source files as the run sees them: their text, a stable id, and where their secrets are.
//!
//! Every span in smtp-doctor is a byte range into one of these files. Secrets are recorded here
//! (not on the finding) so that every renderer masks the same bytes before it shows any text.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Range<usize>,
}

impl Loc {
    pub fn new(file: FileId, span: Range<usize>) -> Self {
        Loc { file, span }
    }
}

/// One file's text, shared cheaply between extractors and renderers.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as discovered under a folder the user gave).
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Byte offset of the start of every line, for line/column lookups.
    line_starts: Vec<usize>,
    /// Byte ranges that hold secrets; renderers mask them.
    secrets: std::collections::BTreeSet<(usize, usize)>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
            secrets: Default::default(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// Byte range of a 1-based line, without its line ending.
    pub fn line_span(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map(|&next| next - 1)
            .unwrap_or(self.text.len());
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Some(start..end.max(start))
    }

    /// The secret spans, in file order, each once.
    pub fn secrets(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        self.secrets.iter().map(|&(s, e)| s..e)
    }

    pub fn add_secret(&mut self, span: Range<usize>) {
        if span.start < span.end && span.end <= self.text.len() {
            self.secrets.insert((span.start, span.end));
        }
    }
}

/// The files of one run, addressed by [`FileId`].
///
/// Ids are handed out in order and never reused. A streaming run forgets a file once its
/// findings are reported ([`Sources::release`]), so the table holds the files still in use, not
/// every file of the tree: its size (and the cost of [`Sources::iter`]) is bounded by a batch
/// and the env files waiting for their folder.
#[derive(Debug, Default)]
pub struct Sources {
    files: std::collections::BTreeMap<u32, SourceFile>,
    next: u32,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = self.next_id();
        self.add_as(id, file);
        id
    }

    /// Add a file with an id chosen before it was read (at least [`Sources::next_id`]), so
    /// that files can be read on several threads; the ids skipped are never used.
    pub fn add_as(&mut self, id: FileId, file: SourceFile) {
        debug_assert!(id.0 >= self.next, "file ids are handed out in order");
        self.files.insert(id.0, file);
        self.next = self.next.max(id.0 + 1);
    }

    /// The id the next file added will get.
    pub fn next_id(&self) -> FileId {
        FileId(self.next)
    }

    /// A file of the run. A file already released reads as an empty file with an empty path
    /// (a bug in debug builds: nothing may point at a file once it is reported).
    pub fn get(&self, id: FileId) -> &SourceFile {
        match self.files.get(&id.0) {
            Some(f) => f,
            None => {
                debug_assert!(false, "file {id:?} used after it was released");
                static GONE: std::sync::OnceLock<SourceFile> = std::sync::OnceLock::new();
                GONE.get_or_init(|| SourceFile::new("", ""))
            }
        }
    }

    /// A file of the run, if it is still held.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(&id.0)
    }

    /// A file of the run to add secrets to; `None` once it is released.
    pub fn get_mut(&mut self, id: FileId) -> Option<&mut SourceFile> {
        self.files.get_mut(&id.0)
    }

    /// Forget a file once its findings are reported (a streaming run): its text, its secrets
    /// and its path.
    pub fn release(&mut self, id: FileId) {
        self.files.remove(&id.0);
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// The files still held, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().map(|(&i, f)| (FileId(i), f))
    }

    /// How many files are held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_lines_from_one() {
        let f = SourceFile::new("x", "ab\r\nçd\nlast");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 1));
        assert_eq!(f.line_col(6), (2, 2)); // after the two-byte ç
        assert_eq!(f.line_col(8), (3, 1));
        assert_eq!(f.line_span(1), Some(0..2));
        assert_eq!(f.line_span(3), Some(8..12));
        assert_eq!(f.line_span(4), None);
    }
}
