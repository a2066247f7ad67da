//! Extractors: one per file format, each turning a file's text into zero or more [`Profile`]s
//! whose every field keeps the byte span it came from.
//!
//! An extractor never fails: a file it cannot read as its format yields a `parse-error` finding
//! with the span of the problem. Extractors also report problems only the format can see
//! (`invalid-value`, `conflicting-settings`) and the spans of every secret-looking value, so that
//! renderers can mask them even when they sit on a line next to the one being shown.

use std::ops::Range;

use crate::finding::Finding;
use crate::model::Profile;
use crate::source::{FileId, Loc};

pub mod clients;
pub mod compose;
pub mod dotenv;
pub mod formats;
pub mod php;
pub mod python;
pub mod syntax;

pub use formats::{code_sniff, detect, is_code_path, Format, FormatDef, FORMATS};

/// A variable defined in an env file, for resolving references from code in the same project.
#[derive(Clone, Debug)]
pub struct EnvDef {
    pub name: String,
    pub value: String,
    /// Span of the value (inside quotes, if quoted).
    pub loc: Loc,
}

/// What an extractor found in one file.
#[derive(Debug, Default)]
pub struct Extraction {
    pub profiles: Vec<Profile>,
    pub findings: Vec<Finding>,
    /// Byte ranges of secret-looking values (passwords, tokens, keys) in this file.
    pub secrets: Vec<Range<usize>>,
    /// Variables an env file defines (empty for other formats).
    pub env: Vec<EnvDef>,
}

/// Brackets nested deeper than this in code are not parsed: no real configuration nests so deep,
/// and tree-sitter's error recovery on a megabyte of unclosed brackets takes seconds and
/// hundreds of megabytes.
pub const MAX_NESTING: usize = 512;

/// Where unquoted brackets first nest deeper than [`MAX_NESTING`], if they do. Quotes are
/// tracked naively (a bracket inside a string does not count); that is enough for a guard.
fn too_deep(text: &str) -> Option<usize> {
    // Nesting deeper than the limit takes more opening brackets than the limit. Most files have
    // fewer in all, and counting them costs far less than following the quotes byte by byte.
    let opening = text
        .bytes()
        .filter(|b| matches!(b, b'(' | b'[' | b'{'))
        .count();
    if opening <= MAX_NESTING {
        return None;
    }
    let (mut depth, mut quote, mut escaped) = (0usize, None::<u8>, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(i);
                    }
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    None
}

/// Run the extractor for `format` on one file.
pub fn extract(format: Format, file: FileId, text: &str) -> Extraction {
    let def = format.def();
    if def.tree_sitter {
        if let Some(at) = too_deep(text) {
            let span = syntax::tree::widen(text, at..at);
            return Extraction {
                findings: vec![Finding::new(
                    "parse-error",
                    crate::finding::Severity::Error,
                    format!(
                        "brackets nest deeper than {MAX_NESTING} levels here; the file is not read"
                    ),
                    crate::finding::Label::new(Loc::new(file, span), "too deep"),
                )
                .with_help("no mail configuration nests this deep: check the file for damage")],
                ..Extraction::default()
            };
        }
    }
    syntax::tree::take_cut_off();
    let mut ex = (def.read)(file, text);
    if let Some(why) = syntax::tree::take_cut_off().filter(|_| def.tree_sitter) {
        ex.profiles.clear();
        ex.findings.push(
            Finding::new(
                "parse-error",
                crate::finding::Severity::Error,
                format!(
                    "the parser gave up on this file {}; it was not read",
                    why.describe()
                ),
                crate::finding::Label::new(
                    Loc::new(file, syntax::tree::widen(text, 0..0)),
                    "not read",
                ),
            )
            .with_help(
                "no mail configuration takes this long or this much memory to parse: check the file for damage",
            ),
        );
    }
    ex
}

/// Words that make a key name, or a line, about a secret (password, token, API key).
pub const SECRET_WORDS: &[&str] = &[
    "pass",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "private_key",
];

/// Does a key name look like it holds a secret (password, token, API key)?
pub fn is_secret_key(key: &str) -> bool {
    // Compared in place, without a lower-cased copy: this runs for every key of every file.
    // Only where a secret word can start (its first letter, in either case) are the words tried.
    let k = key.as_bytes();
    let at = |i: usize, w: &[u8]| {
        k.get(i..i + w.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(w))
    };
    let has_word = (0..k.len()).any(|i| {
        SECRET_STARTS[usize::from(k[i])] && SECRET_WORDS.iter().any(|w| at(i, w.as_bytes()))
    });
    has_word
        || (k.len() >= 4 && k[k.len() - 4..].eq_ignore_ascii_case(b"_key"))
        || key.eq_ignore_ascii_case("key")
}

/// The bytes a word of [`SECRET_WORDS`] starts with, in either case.
const SECRET_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    let mut i = 0;
    while i < SECRET_WORDS.len() {
        let first = SECRET_WORDS[i].as_bytes()[0];
        starts[first.to_ascii_lowercase() as usize] = true;
        starts[first.to_ascii_uppercase() as usize] = true;
        i += 1;
    }
    starts
};

pub use crate::model::conversion::parse_port;

/// Truthiness of a configuration string as a careful boolean parser reads it.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s
        .trim()
        .trim_matches(['(', ')'])
        .to_ascii_lowercase()
        .as_str()
    {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_found_as_the_plain_search_finds_them() {
        let plain = |key: &str| {
            let k = key.as_bytes();
            let has = |w: &[u8]| k.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
            SECRET_WORDS.iter().any(|w| has(w.as_bytes()))
                || (k.len() >= 4 && k[k.len() - 4..].eq_ignore_ascii_case(b"_key"))
                || key.eq_ignore_ascii_case("key")
        };
        let mut keys = vec![
            "",
            "k",
            "key",
            "KEY",
            "pass",
            "PASSWORD",
            "smtp_pass",
            "MAIL_PASSWORD",
            "secret",
            "client_Secret",
            "tok",
            "token",
            "apiKey",
            "API_KEY",
            "api-key",
            "credentials",
            "PRIVATE_KEY",
            "private-key",
            "host",
            "port",
            "user",
            "username",
            "x_key",
            "_key",
            "keys",
            "monkey",
            "passé",
            "é_key",
            "ÉPASS",
            "p",
            "pas",
            "apikeY",
            "sEcReT",
        ];
        let words = [
            "pass", "PaSs", "x", "é", "_key", "api", "key", "token", "-", "cred",
        ];
        let mut built = Vec::new();
        for a in words {
            for b in words {
                for c in ["", "s", "_KEY", "ential"] {
                    built.push(format!("{a}{b}{c}"));
                }
            }
        }
        keys.extend(built.iter().map(String::as_str));
        for key in keys {
            assert_eq!(is_secret_key(key), plain(key), "{key:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("<?php return {};", "[".repeat(MAX_NESTING + 1));
        let ex = extract(Format::from_name("php").unwrap(), FileId(0), &deep);
        assert_eq!(ex.findings.len(), 1);
        assert_eq!(ex.findings[0].code, "parse-error");
        assert_eq!(ex.findings[0].primary().span.start, 13 + MAX_NESTING);
        // Brackets inside strings and balanced brackets do not count.
        let quoted = format!("x = '{}'\nEMAIL_HOST = 'h'", "{".repeat(4 * MAX_NESTING));
        assert_eq!(too_deep(&quoted), None);
        let balanced = "(".repeat(100) + &")".repeat(100);
        assert_eq!(too_deep(&balanced.repeat(50)), None);
    }

    #[test]
    fn ports_and_bools() {
        assert_eq!(parse_port("587"), Some(587));
        assert_eq!(parse_port("99999"), None);
        assert_eq!(parse_port("0"), None);
        assert_eq!(parse_bool("(false)"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert!(
            is_secret_key("MAIL_PASSWORD")
                && is_secret_key("smtp_pass")
                && !is_secret_key("MAIL_HOST")
        );
    }
}
