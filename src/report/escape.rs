//! Making foreign text safe to print on a terminal.
//!
//! File names, values read from files, server replies and rule strings come from whoever wrote
//! the repository or runs the server. Printed raw, an ESC or C1 byte starts a terminal control
//! sequence (colours, cursor moves, OSC 8 links, window titles), and a newline in a file name
//! forges a second `concise` line. Every renderer passes foreign text through one of these
//! functions, as ripgrep and git do: control characters become visible escapes.
//!
//! - [`line`]: one-line contexts (a `concise` line, a file name, a transcript line). Every
//!   control character, newline and carriage return included, is escaped; tab is kept.
//! - [`text`]: messages that may span lines (miette messages, help, labels): newlines and
//!   tabs are kept, every other control character is escaped.
//! - [`source`]: a file's text handed to miette for its snippet. Byte spans point into it, so
//!   its length must not change: each control byte becomes `?` (a C1 character, two bytes,
//!   becomes `??`), and newlines, tabs and `\r\n` stay.
//! - [`json`]: already-serialised JSON, where serde escaped C0 but left C1 characters raw.

use std::borrow::Cow;

/// Characters a terminal may act on: C0 (with `keep`), DEL, C1, and the bidirectional
/// overrides and isolates that reorder what is shown ("Trojan Source").
fn is_dangerous(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_dangerous(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_dangerous(c) || keep.contains(&c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Foreign text for a one-line context: no control character survives, except tab.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, &['\t'])
}

/// Foreign text that may span lines: newlines and tabs kept, other control characters escaped.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, &['\n', '\t'])
}

/// A path for a one-line context.
pub fn path(p: &std::path::Path) -> String {
    line(&p.display().to_string()).into_owned()
}

/// A file's text for a source snippet, with the same byte length (spans stay valid).
pub fn source(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let lone_cr = |i: usize| bytes.get(i + 1) != Some(&b'\n');
    if !s
        .char_indices()
        .any(|(i, c)| is_dangerous(c) && !matches!(c, '\n' | '\t') && (c != '\r' || lone_cr(i)))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if is_dangerous(c) && !matches!(c, '\n' | '\t') && (c != '\r' || lone_cr(i)) {
            for _ in 0..c.len_utf8() {
                out.push('?');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialised JSON with C1 and bidirectional control characters written as `\uXXXX` escapes.
/// serde_json escapes C0 itself; these can only occur inside strings, where the escape is the
/// same value.
pub fn json(s: String) -> String {
    if !s.chars().any(|c| is_dangerous(c) && !c.is_ascii()) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) && !c.is_ascii() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_escapes_every_control_character() {
        assert_eq!(
            line("a\u{1b}[31mb\nc\r\u{9b}d\u{7f}\te"),
            "a\\x1b[31mb\\nc\\r\\u{9b}d\\x7f\te"
        );
        assert_eq!(line("x\u{202e}y"), "x\\u{202e}y");
        assert!(matches!(line("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn text_keeps_newlines() {
        assert_eq!(text("a\nb\u{1b}]8;;x\u{7}"), "a\nb\\x1b]8;;x\\x07");
    }

    #[test]
    fn source_keeps_length_and_line_structure() {
        let s = "a=\u{1b}[31m\r\nb=\u{9b}2J\rc\td\n";
        let out = source(s);
        assert_eq!(out.len(), s.len());
        assert_eq!(out, "a=?[31m\r\nb=??2J?c\td\n");
    }

    #[test]
    fn json_escapes_c1_inside_strings() {
        let v = serde_json::json!({"m": "a\u{1b}b\u{9b}c"});
        let out = json(serde_json::to_string(&v).unwrap());
        assert_eq!(out, r#"{"m":"a\u001bb\u009bc"}"#);
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }
}
