//! Java `.properties` files (Spring Boot's `application.properties`), as
//! `java.util.Properties.load` reads them: `key=value`, `key: value` or `key value`; lines whose
//! first non-blank character is `#` or `!` are comments (a `#` later in a line is part of the
//! value); `\t`, `\n`, `\r`, `\f`, `\uXXXX` and `\`+character are escapes in keys and values;
//! a line ending in an odd number of backslashes continues on the next line, whose leading
//! blanks are dropped.
//!
//! The result is one table with an empty path (the shape of [`super::ini`]); keys are kept as
//! written (`spring.mail.properties[mail.smtp.auth]` too). Nothing here is refused: `load`
//! accepts any text, so there are no errors.

use std::ops::Range;

use super::ini::Document;
use super::toml::{Entry, Scalar, Table};

pub fn parse(text: &str) -> Document {
    let mut entries = Vec::new();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < text.len() {
        // One logical line: physical lines joined at continuations.
        let (line_spans, next) = logical_line(text, pos);
        pos = next;
        let Some(first) = line_spans.first() else {
            continue;
        };
        let body = &text[first.clone()];
        if body.is_empty() || body.starts_with(['#', '!']) {
            continue;
        }
        if let Some(e) = entry(text, &line_spans) {
            entries.push(e);
        }
    }
    Document {
        tables: vec![Table {
            path: Vec::new(),
            header: None,
            entries,
        }],
        errors: Vec::new(),
    }
}

/// The pieces of one logical line (each without its line break, continuation backslash and,
/// after the first, leading blanks), and where the next line starts.
fn logical_line(text: &str, mut pos: usize) -> (Vec<Range<usize>>, usize) {
    let mut pieces = Vec::new();
    let mut first = true;
    loop {
        let rest = &text[pos..];
        let end = rest.find('\n').map_or(text.len(), |i| pos + i);
        let next = (end + 1).min(text.len()).max(end);
        let mut line_end = end;
        if text[pos..line_end].ends_with('\r') {
            line_end -= 1;
        }
        let line = &text[pos..line_end];
        let lead = line.len() - line.trim_start_matches([' ', '\t', '\u{c}']).len();
        let start = pos + lead;
        let body = &text[start..line_end];
        let slashes = body.len() - body.trim_end_matches('\\').len();
        let is_comment = first && (body.starts_with('#') || body.starts_with('!'));
        let continues = slashes % 2 == 1 && !is_comment && next > end;
        pieces.push(start..line_end - usize::from(continues));
        first = false;
        pos = if end < text.len() {
            end + 1
        } else {
            text.len()
        };
        if !continues || pos >= text.len() {
            return (pieces, pos);
        }
    }
}

/// Unescape `s` from byte `from` of the pieces, stopping (for a key) at an unescaped
/// separator; returns the text and the end position reached (piece index, byte).
fn entry(text: &str, pieces: &[Range<usize>]) -> Option<Entry> {
    let chars: Vec<(usize, char)> = pieces
        .iter()
        .flat_map(|r| {
            text[r.clone()]
                .char_indices()
                .map(move |(i, c)| (r.start + i, c))
        })
        .collect();
    let mut i = 0;
    let mut key = String::new();
    let key_start = chars.first()?.0;
    let mut key_end = key_start;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\u{c}' {
            break;
        }
        i = unescape(&chars, i, &mut key);
        key_end = chars
            .get(i)
            .map_or(end_of(&chars), |(p, _)| *p)
            .max(at + c.len_utf8());
    }
    // Blanks, at most one `=` or `:`, blanks.
    while i < chars.len() && matches!(chars[i].1, ' ' | '\t' | '\u{c}') {
        i += 1;
    }
    if i < chars.len() && matches!(chars[i].1, '=' | ':') {
        i += 1;
    }
    while i < chars.len() && matches!(chars[i].1, ' ' | '\t' | '\u{c}') {
        i += 1;
    }
    let value_start = chars.get(i).map_or(end_of(&chars), |(p, _)| *p);
    let mut value = String::new();
    while i < chars.len() {
        i = unescape(&chars, i, &mut value);
    }
    let value_end = end_of(&chars).max(value_start);
    Some(Entry {
        key,
        key_span: key_start..key_end,
        value: Scalar::Str(value),
        value_span: value_start..value_end,
    })
}

fn end_of(chars: &[(usize, char)]) -> usize {
    chars.last().map_or(0, |(p, c)| p + c.len_utf8())
}

/// Read the character (or escape) at `i` into `out`; the index after it.
fn unescape(chars: &[(usize, char)], i: usize, out: &mut String) -> usize {
    if chars[i].1 != '\\' {
        out.push(chars[i].1);
        return i + 1;
    }
    let Some(&(_, e)) = chars.get(i + 1) else {
        return i + 1;
    };
    match e {
        't' => out.push('\t'),
        'n' => out.push('\n'),
        'r' => out.push('\r'),
        'f' => out.push('\u{c}'),
        'u' => {
            let hex: String = chars[i + 2..].iter().take(4).map(|(_, c)| *c).collect();
            match u32::from_str_radix(&hex, 16)
                .ok()
                .filter(|_| hex.len() == 4)
            {
                Some(n) => {
                    out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                    return i + 6;
                }
                // Java throws on a malformed \uXXXX; keep the text as it is.
                None => out.push('u'),
            }
        }
        other => out.push(other),
    }
    i + 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(t: &str) -> Vec<(String, String, String, String)> {
        parse(t).tables[0]
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.clone(),
                    e.value.as_str().unwrap().to_owned(),
                    t[e.key_span.clone()].to_owned(),
                    t[e.value_span.clone()].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn separators_comments_escapes_and_continuations() {
        let t = "# c\n! c\nspring.mail.host=smtp.example.org\nspring.mail.port : 587\nspring.mail.username me@example.org\nspring.mail.password=p#ss\\u0041\\\n    rest\na\\=b=c\nempty\n";
        let e = entries(t);
        assert_eq!(e[0].0, "spring.mail.host");
        assert_eq!(e[0].3, "smtp.example.org");
        assert_eq!((e[1].1.as_str(), e[1].3.as_str()), ("587", "587"));
        assert_eq!(e[2].1, "me@example.org");
        assert_eq!(e[3].1, "p#ssArest");
        assert_eq!(e[3].3, "p#ss\\u0041\\\n    rest");
        assert_eq!(
            (e[4].0.as_str(), e[4].2.as_str(), e[4].1.as_str()),
            ("a=b", "a\\=b", "c")
        );
        assert_eq!((e[5].0.as_str(), e[5].1.as_str()), ("empty", ""));
    }

    #[test]
    fn any_bytes_without_panic() {
        crate::extract::syntax::testing::inputs(
            0x7e11_0a5e,
            b"\\u00=: \t!#\n\r\x0cabc.\xc3\xa9",
            &["a.b=c\\\n d\nx:\\u0041\n"],
            |t| {
                for e in &parse(t).tables[0].entries {
                    for r in [&e.key_span, &e.value_span] {
                        assert!(r.start <= r.end && r.end <= t.len(), "{r:?} {t:?}");
                        assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
                    }
                }
            },
        );
        let long = "k=".to_owned() + &"\\\n".repeat(100_000);
        let started = std::time::Instant::now();
        let _ = parse(&long);
        assert!(started.elapsed().as_secs() < 3);
    }
}
