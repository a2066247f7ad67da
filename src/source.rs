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

/// All files of one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }

    /// Forget a file's text once its findings are reported (a streaming run keeps only the
    /// path). Line and column lookups then answer 1:1.
    pub fn release(&mut self, id: FileId) {
        let f = self.get_mut(id);
        f.text = Arc::from("");
        f.line_starts = vec![0];
        f.secrets.clear();
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

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
