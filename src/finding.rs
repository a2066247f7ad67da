//! [`Finding`]: the record of truth for one problem. Renderers (miette, JSON, ...) only read it.

use std::fmt;

use crate::source::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled span. The first label of a finding is its primary location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub loc: Loc,
    pub message: Option<String>,
}

impl Label {
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Label {
            loc,
            message: Some(message.into()),
        }
    }

    pub fn bare(loc: Loc) -> Self {
        Label { loc, message: None }
    }
}

/// Whether applying a fix keeps the meaning the user intended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// Replace the bytes at `loc` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub loc: Loc,
    pub replacement: String,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A change that resolves the finding: byte-range replacements on the original text (possibly
/// in several files, e.g. the `.env` line a code file reads), applied together or not at all
/// by `check --fix` (src/fix/); JSON output carries it too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// One replacement.
    pub fn replace(
        applicability: Applicability,
        message: impl Into<String>,
        loc: Loc,
        replacement: impl Into<String>,
    ) -> Self {
        Fix {
            applicability,
            message: message.into(),
            edits: vec![Edit {
                loc,
                replacement: replacement.into(),
            }],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable kebab-case rule code (see `smtp-doctor rules`).
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Where it is; the first label is the primary one. Labels may be in different files.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Provider id (`icloud`) when the finding comes from a provider's facts.
    pub provider: Option<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
            labels: vec![primary],
            help: None,
            provider: None,
            fix: None,
        }
    }

    pub fn with_label(mut self, label: Label) -> Self {
        if !self.labels.iter().any(|l| l.loc == label.loc) {
            self.labels.push(label);
        }
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_provider(mut self, provider: Option<&str>) -> Self {
        self.provider = provider.map(str::to_owned);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn primary(&self) -> &Loc {
        &self.labels[0].loc
    }
}
