//! The value enums of the flags. The library's own types (`OutputFormat`, `TlsMode`) know
//! nothing of clap; their command-line names are given here.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::model::TlsMode;
use crate::report::OutputFormat;

/// `--fail-on` and the settings file's `fail-on`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn severity(self) -> crate::finding::Severity {
        use crate::finding::Severity;
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// `--format` of `rules` and `triage`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

impl ValueEnum for OutputFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            OutputFormat::Full,
            OutputFormat::Concise,
            OutputFormat::Json,
            OutputFormat::JsonLines,
            OutputFormat::Github,
            OutputFormat::Sarif,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let (name, help) = match self {
            OutputFormat::Full => (
                "full",
                "miette diagnostics with source snippets (for people)",
            ),
            OutputFormat::Concise => (
                "concise",
                "one line per finding: path:line:col: severity[code] message",
            ),
            OutputFormat::Json => ("json", "one JSON object with a `diagnostics` array"),
            OutputFormat::JsonLines => ("json-lines", "one JSON object per finding per line"),
            OutputFormat::Github => ("github", "GitHub Actions workflow commands (annotations)"),
            OutputFormat::Sarif => ("sarif", "SARIF 2.1.0 (code scanning)"),
        };
        Some(PossibleValue::new(name).help(help))
    }
}

impl ValueEnum for TlsMode {
    fn value_variants<'a>() -> &'a [Self] {
        &[TlsMode::Implicit, TlsMode::Starttls, TlsMode::None]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
            TlsMode::None => "none",
        }))
    }
}

/// The name a value enum has on the command line (and in the settings file).
pub(super) fn name_of(v: &impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are the ones the settings file and the provider rules use.
    #[test]
    fn names_match_the_serde_names() {
        for mode in TlsMode::value_variants() {
            assert_eq!(
                serde_json::to_value(mode).unwrap().as_str().unwrap(),
                name_of(mode)
            );
        }
        assert_eq!(
            OutputFormat::from_str("json-lines", false).unwrap(),
            OutputFormat::JsonLines
        );
    }
}
