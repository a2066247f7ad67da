//! The stable rule codes. Codes are a public interface: never rename one.
//!
//! Each code's documentation is `docs/rules/<code>.md`, compiled into the binary so that
//! `smtp-doctor explain CODE` works without the repository around it.

use crate::finding::Severity;

pub struct CodeInfo {
    pub code: &'static str,
    /// The severity most findings of this code carry (a check may choose another).
    pub severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
    /// Needs `--probe` (talks to the network).
    pub probe: bool,
}

macro_rules! codes {
    ($( $code:literal, $sev:ident, $probe:literal, $summary:literal; )*) => {
        pub static CODES: &[CodeInfo] = &[
            $( CodeInfo {
                code: $code,
                severity: Severity::$sev,
                summary: $summary,
                doc: include_str!(concat!("../docs/rules/", $code, ".md")),
                probe: $probe,
            }, )*
        ];
    };
}

codes! {
    "port-not-offered", Error, false, "the provider does not accept submission on this port";
    "port-undocumented", Warning, false, "the provider does not document this port, though it may work";
    "tls-mode-mismatch", Error, false, "TLS mode does not fit the port (implicit TLS on 587, STARTTLS or none on 465)";
    "insecure-transport", Error, false, "credentials or mail could travel unencrypted (no TLS, or STARTTLS not required)";
    "tls-verify-disabled", Error, false, "certificate verification switched off";
    "username-not-full-address", Error, false, "login lacks its domain where the provider needs the full address";
    "from-mismatch", Error, false, "From address the provider will refuse or rewrite for this login";
    "app-password-required", Error, false, "the password does not look like the app-specific password the provider requires";
    "plaintext-secret", Warning, false, "a password literal stored in the file";
    "auth-missing", Error, false, "the provider requires AUTH and the config has none";
    "auth-method-unsupported", Error, false, "an auth method the provider does not offer (or basic auth where only OAuth2 works)";
    "host-typo", Error, false, "a host that is almost a known provider host, or a known wrong guess";
    "incoming-host-as-smtp", Error, false, "an IMAP/POP host or port used as the SMTP server";
    "conflicting-settings", Error, false, "settings that contradict each other (e.g. SSL and TLS both on)";
    "invalid-value", Error, false, "a value that cannot be what the client expects (port 99999, unknown mode)";
    "parse-error", Error, false, "the file could not be read as its format";
    "unused-suppression", Warning, false, "an inline `smtp-doctor: ignore[...]` comment that suppresses nothing";
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// Where the documentation page of a code lives, relative to the repository root.
pub fn doc_path(code: &str) -> String {
    format!("docs/rules/{code}.md")
}

/// An absolute URL of a code's page, for formats that need one (SARIF `helpUri`): the page as
/// published with this version of the crate.
pub fn doc_url(code: &str) -> String {
    format!(
        "https://docs.rs/crate/smtp-doctor/{}/source/docs/rules/{code}.md",
        env!("CARGO_PKG_VERSION")
    )
}
