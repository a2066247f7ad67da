//! Secret masking, applied to a file's text before any renderer sees it. Every secret byte
//! becomes `*`, so byte spans stay valid and the text stays valid UTF-8.

use crate::source::SourceFile;

pub fn redacted_text(file: &SourceFile) -> String {
    let mut bytes = file.text.as_bytes().to_vec();
    for span in file.secrets() {
        let end = span.end.min(bytes.len());
        for b in &mut bytes[span.start.min(end)..end] {
            *b = b'*';
        }
    }
    // Replacing whole code points' bytes with ASCII keeps UTF-8 valid, except when a span cuts
    // a code point; fall back to lossy decoding, which never panics.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_bytes_in_place() {
        let mut f = SourceFile::new("x", "pw = \"sécret\"\n");
        f.add_secret(6..13);
        let r = redacted_text(&f);
        assert_eq!(r.len(), f.text.len());
        assert_eq!(r, "pw = \"*******\"\n");
    }
}
