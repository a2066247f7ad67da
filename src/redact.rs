//! Secret masking, applied to a file's text before any renderer sees it. Every secret byte
//! becomes `*`, so byte spans stay valid and the text stays valid UTF-8.

use crate::source::{FileId, SourceFile, Sources};

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

/// String literals that look like secrets whatever the file's syntax: on a line with a secret
/// word (`password = "..."`, `'pass': '...'`, `->Password = "..."`), every quoted literal after
/// the word, and after a `login(`'s first argument; an unterminated literal runs to the end of
/// the line. The readers find secrets by meaning; this net catches what they cannot read (a
/// syntax error on or next to the password line), so a snippet never shows it.
pub fn literal_secrets(text: &str) -> Vec<std::ops::Range<usize>> {
    use aho_corasick::{AhoCorasick, MatchKind};
    use std::sync::OnceLock;
    static ANY: OnceLock<AhoCorasick> = OnceLock::new();
    static WORDS: OnceLock<AhoCorasick> = OnceLock::new();
    // Leftmost-first lets the automaton use its SIMD (Teddy) searcher; it only has to find the
    // lines worth reading.
    let any = ANY.get_or_init(|| {
        let mut all = crate::extract::SECRET_WORDS.to_vec();
        all.push("login(");
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(all)
            .expect("a few short words")
    });
    // The standard semantics find the match that ends first.
    let words = WORDS
        .get_or_init(|| AhoCorasick::new(crate::extract::SECRET_WORDS).expect("a few short words"));
    // Lower-cased once (ASCII only, so byte offsets stay), not line by line.
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut next_line = 0;
    for m in any.find_iter(&lower) {
        if m.start() < next_line {
            continue;
        }
        let start = lower[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = lower[m.start()..]
            .find('\n')
            .map_or(lower.len(), |i| m.start() + i + 1);
        next_line = end;
        let low = &lower[start..end];
        // The earliest end of a secret word, and the first argument after `login(`.
        let word_end = words.find(low).map(|w| w.end());
        let login = low
            .find("login(")
            .and_then(|i| low[i..].find(',').map(|c| i + c + 1));
        if let Some(from) = [word_end, login].into_iter().flatten().min() {
            let line = &text[start..end];
            quoted_after(line, past_open_literal(line, from), start, &mut out);
        }
    }
    out
}

/// `from`, or, when `from` is inside a quoted literal (the secret word was part of a quoted key,
/// `'smtp_password' => '...'`), the byte after that literal's closing quote: the key's closing
/// quote must not be taken for the opening quote of the value.
fn past_open_literal(line: &str, from: usize) -> usize {
    let b = line.as_bytes();
    let mut open: Option<u8> = None;
    let mut i = 0;
    while i < from.min(b.len()) {
        match (open, b[i]) {
            (Some(_), b'\\') => i += 1,
            (Some(q), c) if c == q => open = None,
            (None, c @ (b'"' | b'\'' | b'`')) => open = Some(c),
            _ => {}
        }
        i += 1;
    }
    let Some(q) = open else { return from };
    let mut j = from.max(i);
    while j < b.len() && b[j] != q {
        j += if b[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(b.len())
}

/// The contents of the quoted literals of `line` after byte `from`, as file ranges.
fn quoted_after(line: &str, from: usize, base: usize, out: &mut Vec<std::ops::Range<usize>>) {
    let b = line.as_bytes();
    let mut i = from;
    while i < b.len() {
        let q = b[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let open = i + 1;
        let mut j = open;
        while j < b.len() && b[j] != q && b[j] != b'\n' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(b.len());
        let end = if end == b.len() {
            line.trim_end_matches(['\r', '\n']).len().max(open)
        } else {
            end
        };
        if end >= open + 4 && !is_lookup_name(&line[..i], &line[open..end]) {
            out.push(base + open..base + end);
        }
        i = end + 1;
    }
}

/// Whether a literal is the name a value is looked up by, not a value: the first argument of
/// an environment or configuration read (`ENV["SMTP_PASSWORD"]`, `os.environ.get('X')`,
/// `getenv("X")`, `env('MAIL_PASSWORD')`, `config('mail.password')`, `ENV.fetch("X", ...)`).
/// Masking it would hide the variable's name, and every copy of it (the `.env` key), from the
/// report; a default value after it is still masked.
fn is_lookup_name(before: &str, content: &str) -> bool {
    const READERS: &[&str] = &[
        "env",
        "getenv",
        "environ",
        "environ.get",
        "env.get",
        "fetch",
        "config",
        "env.str",
    ];
    let named = content
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
    let Some(head) = before.trim_end().strip_suffix(['[', '(']) else {
        return false;
    };
    let head = head.trim_end().to_ascii_lowercase();
    named && READERS.iter().any(|r| head.ends_with(r))
}

/// A secret may also be written elsewhere (a comment, a second file): mark every copy of every
/// secret (six characters or more) in every file of the run, not only the spans the extractors
/// reported.
///
/// One Aho-Corasick pass per file for all secrets at once: time linear in the text plus the
/// copies found, where searching for each secret in turn cost secrets x text (a hostile file of
/// a few hundred kilobytes of `KEY_n_PASSWORD=...` lines took minutes). Copies that overlap are
/// all marked.
pub fn mask_every_copy(sources: &mut Sources) {
    /// The longest secret whose copies are searched for elsewhere.
    const MAX_HUNTED: usize = 1024;
    let mut secrets: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (_, f) in sources.iter() {
        for s in f.secrets() {
            if let Some(t) = f.text.get(s.clone()) {
                let t = t.trim();
                // Short values ("true", "off") are too common to hunt for elsewhere, and a
                // value longer than any real password is masked where it stands but not hunted
                // (an automaton over a megabyte pattern costs seconds).
                if (6..=MAX_HUNTED).contains(&t.len()) && seen.insert(t) {
                    secrets.push(t.to_owned());
                }
            }
        }
    }
    if secrets.is_empty() {
        return;
    }
    // The contiguous NFA builds in time linear in the patterns (the DFA does not).
    let Ok(ac) = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(&secrets)
    else {
        return;
    };
    let ids: Vec<FileId> = sources.iter().map(|(id, _)| id).collect();
    for id in ids {
        let Some(file) = sources.get_mut(id) else {
            continue;
        };
        let text = file.text.clone();
        for m in ac.find_overlapping_iter(&*text) {
            file.add_secret(m.start()..m.end());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_key_holding_the_secret_word_is_not_taken_for_the_value() {
        let line = "    'password' => 'Croissant-2024!', // note: the password\n";
        let got: Vec<&str> = literal_secrets(line)
            .into_iter()
            .map(|r| &line[r])
            .collect();
        assert_eq!(got, ["Croissant-2024!"]);
        let line = "  \"smtp_pass\": \"hunter2hunter2\",\n";
        let got: Vec<&str> = literal_secrets(line)
            .into_iter()
            .map(|r| &line[r])
            .collect();
        assert_eq!(got, ["hunter2hunter2"]);
        // Unquoted keys are unchanged.
        let line = "password = \"s3cr3t-value\"\n";
        let got: Vec<&str> = literal_secrets(line)
            .into_iter()
            .map(|r| &line[r])
            .collect();
        assert_eq!(got, ["s3cr3t-value"]);
    }

    #[test]
    fn literal_secrets_are_found_whatever_the_syntax() {
        let text = "[smtp]\npassword = \"hunter2hunter2\nport = 587\n";
        let r = literal_secrets(text);
        assert_eq!(
            r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["hunter2hunter2"]
        );
        let text = "s.login(\"a@gmail.com\", \"pw-s3cret-value\"\nx = (\n";
        let r = literal_secrets(text);
        assert_eq!(
            r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["pw-s3cret-value"]
        );
        let text = "$mail->Password = 'a\\'b' . \"cdef\"; // 'note'\n";
        let got: Vec<&str> = literal_secrets(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["a\\'b", "cdef", "note"]);
        assert!(literal_secrets("host = \"smtp.example.com\"\n").is_empty());
        // The name of a variable read is no secret; a default after it is.
        for (line, kept) in [
            ("  password: ENV[\"SMTP_PASSWORD\"],\n", vec![]),
            ("password = os.environ.get('EMAIL_HOST_PASSWORD')\n", vec![]),
            (
                "'password' => env('MAIL_PASSWORD', 'fallback-pw'),\n",
                vec!["fallback-pw"],
            ),
            (
                "pass: ENV.fetch(\"SMTP_PASS\", \"dev-secret\")\n",
                vec!["dev-secret"],
            ),
            (
                "pass: process.env[\"SMTP_PASS\"] || 'or-this-one'\n",
                vec!["or-this-one"],
            ),
            ("$mail->Password = getenv('SMTP_PASS');\n", vec![]),
            (
                "$mail->Password = lookup('SMTP_PASS');\n",
                vec!["SMTP_PASS"],
            ),
        ] {
            let got: Vec<&str> = literal_secrets(line)
                .into_iter()
                .map(|r| &line[r])
                .collect();
            assert_eq!(got, kept, "{line}");
        }
        assert!(literal_secrets("password = \"ab\"\n").is_empty());
    }

    #[test]
    fn masks_bytes_in_place() {
        let mut f = SourceFile::new("x", "pw = \"sécret\"\n");
        f.add_secret(6..13);
        let r = redacted_text(&f);
        assert_eq!(r.len(), f.text.len());
        assert_eq!(r, "pw = \"*******\"\n");
    }

    #[test]
    fn every_copy_is_marked_in_every_file() {
        let mut sources = Sources::default();
        let mut a = SourceFile::new("a", "pw=hunter22\n# old: hunter22\n");
        a.add_secret(3..11);
        let a = sources.add(a);
        let b = sources.add(SourceFile::new("b", "x hunter22 y hunter2 z\n"));
        mask_every_copy(&mut sources);
        assert_eq!(
            redacted_text(sources.get(a)),
            "pw=********\n# old: ********\n"
        );
        assert_eq!(redacted_text(sources.get(b)), "x ******** y hunter2 z\n");
    }

    #[test]
    fn many_secrets_are_marked_quickly() {
        // Quadratic before: one search of the whole text per secret.
        let text: String = (0..50_000).map(|i| format!("P{i}=pw{i:07}x\n")).collect();
        let mut f = SourceFile::new("a", text.clone());
        let mut at = 0;
        for line in text.lines() {
            let eq = line.find('=').unwrap();
            f.add_secret(at + eq + 1..at + line.len());
            at += line.len() + 1;
        }
        let mut sources = Sources::default();
        let id = sources.add(f);
        mask_every_copy(&mut sources);
        assert!(!redacted_text(sources.get(id)).contains("pw0"));
    }
}
