//! The formats smtp-doctor reads, one row each: the name users write (`[formats]`, the docs),
//! how a file is recognised, its comment syntax, and the function that reads it.
//!
//! Adding a format is a reader (a syntax reader in `syntax/` and the client programs in
//! `clients/` that give it meaning, or a client reading an existing syntax), one row here,
//! fixtures under `fixtures/` and a page under `docs/formats/`. `docs/architecture.md` walks
//! through an example.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use super::{clients, compose, dotenv, php, python, Extraction};
use crate::source::FileId;

/// One format: everything the rest of the tool needs to know about it.
pub struct FormatDef {
    /// Stable name, as written in `[formats]` of `.smtp-doctor.toml` and in the docs.
    pub name: &'static str,
    /// Its page: what is read, what it means, what is not covered.
    pub doc: &'static str,
    /// The line-comment syntax, for `expect:` markers and suppression comments.
    pub comment: &'static str,
    /// File names (lower-cased) that are always this format; one `*` stands for any text
    /// (`application-*.yml`).
    pub file_names: &'static [&'static str],
    /// Name prefixes and suffixes (lower-cased) that make a file this format.
    pub prefixes: &'static [&'static str],
    pub suffixes: &'static [&'static str],
    /// Source-code extensions: such a file is read only when its text mentions one of
    /// `mentions` (a mail library), so that a folder scan parses only code about mail.
    pub extensions: &'static [&'static str],
    pub mentions: &'static [&'static str],
    /// Text in the first 4 KiB that makes a file whose name says nothing this format.
    pub content: &'static [&'static str],
    /// Parsed with tree-sitter: deep nesting is refused before parsing.
    pub tree_sitter: bool,
    /// The reader.
    pub read: fn(FileId, &str) -> Extraction,
}

/// Every format, in the order names are tried.
pub static FORMATS: &[FormatDef] = &[
    FormatDef {
        name: "toml",
        doc: "docs/formats/toml.md",
        comment: "#",
        file_names: &[],
        prefixes: &[],
        suffixes: &[".toml"],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: clients::toml_app::extract,
    },
    FormatDef {
        name: "dotenv",
        doc: "docs/formats/dotenv.md",
        comment: "#",
        file_names: &[".env"],
        prefixes: &[".env."],
        suffixes: &[".env"],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: dotenv::extract,
    },
    FormatDef {
        name: "thunderbird-prefs",
        doc: "docs/formats/thunderbird.md",
        comment: "//",
        file_names: &["prefs.js", "user.js"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &["user_pref(\"mail."],
        tree_sitter: false,
        read: clients::thunderbird::extract,
    },
    FormatDef {
        name: "php",
        doc: "docs/formats/phpmailer.md",
        comment: "//",
        file_names: &[],
        prefixes: &[],
        suffixes: &[],
        extensions: &["php"],
        mentions: &[
            "PHPMailer",
            "isSMTP",
            "'smtp'",
            "\"smtp\"",
            "MAIL_HOST",
            "WPMS_",
            "mail_smtp",
        ],
        content: &[],
        tree_sitter: true,
        read: php::extract,
    },
    FormatDef {
        name: "javascript",
        doc: "docs/formats/nodemailer.md",
        comment: "//",
        file_names: &[],
        prefixes: &[],
        suffixes: &[],
        extensions: &["js", "mjs", "cjs", "jsx"],
        mentions: &["nodemailer", "createTransport", "smtp", "SMTP"],
        content: &[],
        tree_sitter: true,
        read: |file, text| clients::nodemailer::extract(file, text, false),
    },
    FormatDef {
        name: "typescript",
        doc: "docs/formats/nodemailer.md",
        comment: "//",
        file_names: &[],
        prefixes: &[],
        suffixes: &[],
        extensions: &["ts", "mts", "cts", "tsx"],
        mentions: &["nodemailer", "createTransport", "smtp", "SMTP"],
        content: &[],
        tree_sitter: true,
        read: |file, text| clients::nodemailer::extract(file, text, true),
    },
    FormatDef {
        name: "python",
        doc: "docs/formats/python.md",
        comment: "#",
        file_names: &[],
        prefixes: &[],
        suffixes: &[],
        // `.cfg`: the Python files Flask's `app.config.from_pyfile('mail.cfg')` runs.
        extensions: &["py", "cfg"],
        mentions: &["smtplib", "EMAIL_HOST", "EMAIL_BACKEND", "MAIL_SERVER"],
        content: &[],
        tree_sitter: true,
        read: python::extract,
    },
    FormatDef {
        name: "ruby",
        doc: "docs/formats/rails.md",
        comment: "#",
        file_names: &[],
        prefixes: &[],
        suffixes: &[],
        extensions: &["rb"],
        mentions: &["smtp_settings"],
        content: &[],
        tree_sitter: true,
        read: clients::rails::extract,
    },
    FormatDef {
        name: "gitea-ini",
        doc: "docs/formats/gitea.md",
        comment: "#",
        file_names: &["app.ini"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("gitea", file, text),
    },
    FormatDef {
        name: "grafana-ini",
        doc: "docs/formats/grafana.md",
        comment: "#",
        file_names: &["grafana.ini", "custom.ini"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("grafana", file, text),
    },
    FormatDef {
        name: "gitconfig",
        doc: "docs/formats/git-sendemail.md",
        comment: "#",
        file_names: &[".gitconfig", "gitconfig"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &["[sendemail"],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("git-sendemail", file, text),
    },
    FormatDef {
        name: "msmtprc",
        doc: "docs/formats/msmtp.md",
        comment: "#",
        file_names: &[".msmtprc", "msmtprc"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("msmtp", file, text),
    },
    FormatDef {
        name: "spring-properties",
        doc: "docs/formats/spring-boot.md",
        comment: "#",
        file_names: &[],
        prefixes: &[],
        suffixes: &[".properties"],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("spring-boot", file, text),
    },
    FormatDef {
        name: "spring-yaml",
        doc: "docs/formats/spring-boot.md",
        comment: "#",
        file_names: &[
            "application.yml",
            "application.yaml",
            "application-*.yml",
            "application-*.yaml",
            "bootstrap.yml",
            "bootstrap.yaml",
            "bootstrap-*.yml",
            "bootstrap-*.yaml",
        ],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| {
            clients::defined::extract_as("spring-boot", clients::defined::Syntax::Yaml, file, text)
        },
    },
    FormatDef {
        name: "dotnet-appsettings",
        doc: "docs/formats/dotnet.md",
        comment: "//",
        file_names: &["appsettings.json"],
        prefixes: &["appsettings."],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("dotnet", file, text),
    },
    FormatDef {
        name: "ghost-config",
        doc: "docs/formats/ghost.md",
        comment: "//",
        file_names: &[
            "config.production.json",
            "config.development.json",
            "config.local.json",
        ],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("ghost", file, text),
    },
    FormatDef {
        name: "home-assistant",
        doc: "docs/formats/home-assistant.md",
        comment: "#",
        file_names: &["configuration.yaml", "notify.yaml"],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: |file, text| clients::defined::extract("home-assistant", file, text),
    },
    FormatDef {
        name: "docker-compose",
        doc: "docs/formats/docker-compose.md",
        comment: "#",
        file_names: &[
            "docker-compose.yml",
            "docker-compose.yaml",
            "docker-compose.*.yml",
            "docker-compose.*.yaml",
            "compose.yml",
            "compose.yaml",
            "compose.*.yml",
            "compose.*.yaml",
        ],
        prefixes: &[],
        suffixes: &[],
        extensions: &[],
        mentions: &[],
        content: &[],
        tree_sitter: false,
        read: compose::extract,
    },
];

/// A format: a row of [`FORMATS`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format(u8);

impl Format {
    /// Every format, in table order.
    pub fn all() -> impl Iterator<Item = Format> {
        (0..FORMATS.len()).map(|i| Format(i as u8))
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::all().find(|f| f.name() == name)
    }

    pub fn def(self) -> &'static FormatDef {
        &FORMATS[usize::from(self.0)]
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The comment syntax of the format, for `expect:` markers and suppressions.
    pub fn line_comment(self) -> &'static str {
        self.def().comment
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Choose the format of a file by its name, then by a cheap look at its content.
pub fn detect(path: &Path, text: &str) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let by_name = Format::all().find(|f| {
        let d = f.def();
        d.file_names.iter().any(|n| name_matches(n, &name))
            || d.prefixes.iter().any(|p| name.starts_with(p))
            || d.suffixes.iter().any(|s| name.ends_with(s))
    });
    if by_name.is_some() {
        return by_name;
    }
    if let Some(format) = code_format(path) {
        return code_sniff(format, text).then_some(format);
    }
    // Content sniff for files whose name says nothing.
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    Format::all().find(|f| f.def().content.iter().any(|c| head.contains(c)))
}

/// A file name against a pattern of [`FormatDef::file_names`]: equal, or with its one `*`
/// standing for any text.
fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((head, tail)) => {
            name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail)
        }
        None => pattern == name,
    }
}

/// Is this a source file that might hold SMTP settings (decided by its extension alone)?
pub fn is_code_path(path: &Path) -> bool {
    code_format(path).is_some()
}

fn code_format(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Format::all().find(|f| f.def().extensions.contains(&ext.as_str()))
}

/// Does the text of a code file mention a mail library or mail settings this format reads?
///
/// One pass over the text for all of the format's words (an Aho-Corasick automaton built on
/// first use), where a search per word made a folder of ordinary code cost several reads of
/// every file.
pub fn code_sniff(format: Format, text: &str) -> bool {
    static SNIFFERS: OnceLock<Vec<Option<aho_corasick::AhoCorasick>>> = OnceLock::new();
    let sniffers = SNIFFERS.get_or_init(|| {
        Format::all()
            .map(|f| {
                // Leftmost-first lets the automaton use its SIMD (Teddy) searcher.
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .build(f.def().mentions)
                    .ok()
            })
            .collect()
    });
    match &sniffers[usize::from(format.0)] {
        Some(ac) if !format.def().mentions.is_empty() => ac.is_match(text),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str) -> Format {
        Format::from_name(name).unwrap()
    }

    #[test]
    fn detects_by_name_then_code_then_content() {
        assert_eq!(
            detect(Path::new("a/.env.production"), ""),
            Some(f("dotenv"))
        );
        assert_eq!(detect(Path::new("prod.env"), ""), Some(f("dotenv")));
        assert_eq!(
            detect(Path::new("prefs.js"), ""),
            Some(f("thunderbird-prefs"))
        );
        assert_eq!(detect(Path::new("config.toml"), ""), Some(f("toml")));
        for spring in [
            "application.yml",
            "Application-prod.YAML",
            "bootstrap-dev.yml",
        ] {
            assert_eq!(
                detect(Path::new(spring), ""),
                Some(f("spring-yaml")),
                "{spring}"
            );
        }
        for other in [
            "application-.rb",
            "app.yml",
            "application.yml.bak",
            "docker-compose.yml",
        ] {
            assert_ne!(
                detect(Path::new(other), ""),
                Some(f("spring-yaml")),
                "{other}"
            );
        }
        assert_eq!(
            detect(
                Path::new("mailer.ts"),
                "import nodemailer from 'nodemailer'"
            ),
            Some(f("typescript"))
        );
        assert_eq!(detect(Path::new("util.py"), "print(1)"), None);
        assert!(is_code_path(Path::new("util.py")));
        assert_eq!(
            detect(
                Path::new("backup.txt"),
                "user_pref(\"mail.smtpserver.smtp1.hostname\", \"x\");"
            ),
            Some(f("thunderbird-prefs"))
        );
        assert_eq!(detect(Path::new("notes.txt"), "hello"), None);
        // A multi-byte character at the 4 KiB boundary does not panic.
        let text = format!("{}é", "a".repeat(4095));
        assert_eq!(detect(Path::new("notes.txt"), &text), None);
    }

    #[test]
    fn every_row_has_a_unique_name_and_a_page() {
        let mut seen = std::collections::HashSet::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for d in FORMATS {
            assert!(seen.insert(d.name), "{} twice", d.name);
            assert!(matches!(d.comment, "#" | "//"), "{}", d.name);
            assert!(root.join(d.doc).is_file(), "{}: no page {}", d.name, d.doc);
        }
        assert!(Format::all().all(|f| Format::from_name(f.name()) == Some(f)));
    }
}
