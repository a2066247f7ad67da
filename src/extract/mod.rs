//! Extractors: one per file format, each turning a file's text into zero or more [`Profile`]s
//! whose every field keeps the byte span it came from.
//!
//! An extractor never fails: a file it cannot read as its format yields a `parse-error` finding
//! with the span of the problem. Extractors also report problems only the format can see
//! (`invalid-value`, `conflicting-settings`) and the spans of every secret-looking value, so that
//! renderers can mask them even when they sit on a line next to the one being shown.

use std::ops::Range;
use std::path::Path;

use crate::finding::Finding;
use crate::model::Profile;
use crate::source::{FileId, Loc};

pub mod clients;
pub mod dotenv;
pub mod php;
pub mod python;
pub mod syntax;

/// The formats smtp-doctor reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Toml,
    Dotenv,
    ThunderbirdPrefs,
    /// PHP: PHPMailer code, Laravel `config/mail.php`.
    Php,
    /// JavaScript (CommonJS or ESM) using Nodemailer.
    JavaScript,
    /// TypeScript using Nodemailer.
    TypeScript,
    /// Python: smtplib code, Django `settings.py`.
    Python,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Dotenv => "dotenv",
            Format::ThunderbirdPrefs => "thunderbird-prefs",
            Format::Php => "php",
            Format::JavaScript => "javascript",
            Format::TypeScript => "typescript",
            Format::Python => "python",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        ALL_FORMATS.iter().copied().find(|f| f.name() == name)
    }

    /// The comment syntax of the format, for `expect:` markers and suppressions.
    pub fn line_comment(self) -> &'static str {
        match self {
            Format::Toml | Format::Dotenv | Format::Python => "#",
            Format::ThunderbirdPrefs | Format::Php | Format::JavaScript | Format::TypeScript => {
                "//"
            }
        }
    }
}

pub const ALL_FORMATS: &[Format] = &[
    Format::Toml,
    Format::Dotenv,
    Format::ThunderbirdPrefs,
    Format::Php,
    Format::JavaScript,
    Format::TypeScript,
    Format::Python,
];

/// Source-code file extensions and their formats. Code files are only read as configuration
/// when a cheap look at their text finds a mail library ([`code_sniff`]).
const CODE_EXTENSIONS: &[(&str, Format)] = &[
    ("php", Format::Php),
    ("js", Format::JavaScript),
    ("mjs", Format::JavaScript),
    ("cjs", Format::JavaScript),
    ("jsx", Format::JavaScript),
    ("ts", Format::TypeScript),
    ("mts", Format::TypeScript),
    ("cts", Format::TypeScript),
    ("tsx", Format::TypeScript),
    ("py", Format::Python),
];

/// Is this a source file that might hold SMTP settings (decided by its extension alone)?
pub fn is_code_path(path: &Path) -> bool {
    code_format(path).is_some()
}

fn code_format(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    CODE_EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, f)| *f)
}

/// Does the text of a code file mention a mail library or mail settings this format reads?
pub fn code_sniff(format: Format, text: &str) -> bool {
    let needles: &[&str] = match format {
        Format::Php => &["PHPMailer", "isSMTP", "'smtp'", "\"smtp\"", "MAIL_HOST"],
        Format::JavaScript | Format::TypeScript => &["nodemailer", "createTransport"],
        Format::Python => &["smtplib", "EMAIL_HOST", "EMAIL_BACKEND"],
        _ => return false,
    };
    needles.iter().any(|n| text.contains(n))
}

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

/// Choose the format of a file by its name, then by a cheap look at its content.
pub fn detect(path: &Path, text: &str) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name == "prefs.js" || name == "user.js" {
        return Some(Format::ThunderbirdPrefs);
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Some(Format::Dotenv);
    }
    if name.ends_with(".toml") {
        return Some(Format::Toml);
    }
    if let Some(format) = code_format(path) {
        return code_sniff(format, text).then_some(format);
    }
    // Content sniff for files whose name says nothing.
    let head = &text[..text.len().min(4096)];
    if head.contains("user_pref(\"mail.") {
        return Some(Format::ThunderbirdPrefs);
    }
    None
}

/// Brackets nested deeper than this in code are not parsed: no real configuration nests so deep,
/// and tree-sitter's error recovery on a megabyte of unclosed brackets takes seconds and
/// hundreds of megabytes.
pub const MAX_NESTING: usize = 512;

/// Where unquoted brackets first nest deeper than [`MAX_NESTING`], if they do. Quotes are
/// tracked naively (a bracket inside a string does not count); that is enough for a guard.
fn too_deep(text: &str) -> Option<usize> {
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
    if matches!(
        format,
        Format::Php | Format::JavaScript | Format::TypeScript | Format::Python
    ) {
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
    match format {
        Format::Toml => clients::toml_app::extract(file, text),
        Format::Dotenv => dotenv::extract(file, text),
        Format::ThunderbirdPrefs => clients::thunderbird::extract(file, text),
        Format::Php => php::extract(file, text),
        Format::JavaScript => clients::nodemailer::extract(file, text, false),
        Format::TypeScript => clients::nodemailer::extract(file, text, true),
        Format::Python => python::extract(file, text),
    }
}

/// Does a key name look like it holds a secret (password, token, API key)?
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pass",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "credential",
        "private_key",
    ]
    .iter()
    .any(|s| k.contains(s))
        || k.ends_with("_key")
        || k == "key"
}

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
    fn detects_by_name_then_content() {
        assert_eq!(
            detect(Path::new("a/.env.production"), ""),
            Some(Format::Dotenv)
        );
        assert_eq!(
            detect(Path::new("prefs.js"), ""),
            Some(Format::ThunderbirdPrefs)
        );
        assert_eq!(detect(Path::new("config.toml"), ""), Some(Format::Toml));
        assert_eq!(
            detect(
                Path::new("backup.txt"),
                "user_pref(\"mail.smtpserver.smtp1.hostname\", \"x\");"
            ),
            Some(Format::ThunderbirdPrefs)
        );
        assert_eq!(detect(Path::new("notes.txt"), "hello"), None);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("<?php return {};", "[".repeat(MAX_NESTING + 1));
        let ex = extract(Format::Php, FileId(0), &deep);
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
