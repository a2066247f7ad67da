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
    /// For a probe code, the configuration value its findings point at.
    pub probe_at: Option<ProbeAt>,
}

/// The configuration value a probe finding is reported at (the host when the value is absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeAt {
    /// The SMTP host: DNS, certificate and greeting-level facts.
    Host,
    /// The port (and so the TLS mode): connection and TLS facts.
    Port,
    /// The login: AUTH facts.
    Login,
    /// The From address.
    Sender,
    /// The login's or From address's domain: MX and SRV facts.
    MailDomain,
}

use ProbeAt::{Host, Login, MailDomain, Port, Sender};

macro_rules! codes {
    ($( $name:ident = $code:literal, $sev:ident, $at:expr, $summary:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $name: &str = $code;
        )*

        /// Every code, static checks first, then the live probes'.
        pub static CODES: &[CodeInfo] = &[
            $( CodeInfo {
                code: $code,
                severity: Severity::$sev,
                summary: $summary,
                doc: include_str!(concat!("../docs/rules/", $code, ".md")),
                probe: {
                    let at: Option<ProbeAt> = $at;
                    at.is_some()
                },
                probe_at: $at,
            }, )*
        ];
    };
}

codes! {
    PORT_NOT_OFFERED = "port-not-offered", Error, None, "the provider does not accept submission on this port";
    PORT_UNDOCUMENTED = "port-undocumented", Warning, None, "the provider does not document this port, though it may work";
    TLS_MODE_MISMATCH = "tls-mode-mismatch", Error, None, "TLS mode does not fit the port (implicit TLS on 587, STARTTLS or none on 465)";
    INSECURE_TRANSPORT = "insecure-transport", Error, None, "credentials or mail could travel unencrypted (no TLS, or STARTTLS not required)";
    TLS_VERIFY_DISABLED = "tls-verify-disabled", Error, None, "certificate verification switched off";
    USERNAME_NOT_FULL_ADDRESS = "username-not-full-address", Error, None, "login lacks its domain where the provider needs the full address";
    USERNAME_MISMATCH = "username-mismatch", Error, None, "login is not the user name the provider expects (a fixed name, a credential's shape, or the part before @)";
    FROM_MISMATCH = "from-mismatch", Error, None, "From address the provider will refuse or rewrite for this login";
    APP_PASSWORD_REQUIRED = "app-password-required", Error, None, "the password does not look like the app-specific password the provider requires";
    PLAINTEXT_SECRET = "plaintext-secret", Warning, None, "a password literal stored in the file";
    AUTH_MISSING = "auth-missing", Error, None, "the provider requires AUTH and the config has none";
    AUTH_METHOD_UNSUPPORTED = "auth-method-unsupported", Error, None, "an auth method the provider does not offer (or basic auth where only OAuth2 works)";
    HOST_TYPO = "host-typo", Error, None, "a host that is almost a known provider host, or a known wrong guess";
    INCOMING_HOST_AS_SMTP = "incoming-host-as-smtp", Error, None, "an IMAP/POP host or port used as the SMTP server";
    CONFLICTING_SETTINGS = "conflicting-settings", Error, None, "settings that contradict each other (e.g. SSL and TLS both on)";
    INVALID_VALUE = "invalid-value", Error, None, "a value that cannot be what the client expects (port 99999, unknown mode)";
    UNKNOWN_SETTING = "unknown-setting", Warning, None, "a setting name the program does not read, a near miss of one it does (`EMAIL_USE_TSL`)";
    PARSE_ERROR = "parse-error", Error, None, "the file could not be read as its format";
    UNUSED_SUPPRESSION = "unused-suppression", Warning, None, "an inline `smtp-doctor: ignore[...]` comment that suppresses nothing";
    // Live probes (`--probe`, `smtp-doctor probe`): what the server really did.
    DNS_NO_ADDRESS = "dns-no-address", Error, Some(Host), "the SMTP host has no address in DNS (no A/AAAA record, or the name does not exist)";
    DNS_ERROR = "dns-error", Warning, Some(Host), "a DNS lookup failed or timed out, so the answer is unknown";
    MX_PROVIDER = "mx-provider", Info, Some(MailDomain), "the mail domain's MX records point to a known provider";
    SRV_DIFFERS = "srv-differs", Info, Some(MailDomain), "the mail domain's RFC 6186 SRV records name a different submission endpoint";
    CONNECT_REFUSED = "connect-refused", Error, Some(Port), "nothing accepts connections on this host and port";
    CONNECT_TIMEOUT = "connect-timeout", Error, Some(Port), "the TCP connection was not established within the timeout";
    CONNECT_FAILED = "connect-failed", Error, Some(Port), "the TCP connection failed (network unreachable, no route)";
    BANNER_TIMEOUT = "banner-timeout", Error, Some(Port), "the server sent no greeting within the timeout";
    BANNER_INVALID = "banner-invalid", Error, Some(Port), "the server's first line is not an SMTP greeting";
    BANNER_REJECTED = "banner-rejected", Error, Some(Port), "the server greeted with an error (421 busy, 554 no service)";
    REPLY_TIMEOUT = "reply-timeout", Error, Some(Port), "the server did not finish a reply within the timeout";
    PROTOCOL_ERROR = "protocol-error", Error, Some(Port), "the server's reply is not valid SMTP";
    CONNECTION_CLOSED = "connection-closed", Error, Some(Port), "the server closed the connection in the middle of the dialogue";
    EHLO_REJECTED = "ehlo-rejected", Warning, Some(Host), "the server refused EHLO";
    STARTTLS_NOT_OFFERED = "starttls-not-offered", Error, Some(Port), "STARTTLS is configured but the server does not offer it";
    STARTTLS_REFUSED = "starttls-refused", Error, Some(Port), "the server answered STARTTLS with an error (e.g. 454)";
    STARTTLS_AVAILABLE = "starttls-available", Info, Some(Port), "the configuration uses no TLS but the server offers STARTTLS";
    TLS_HANDSHAKE_FAILED = "tls-handshake-failed", Error, Some(Port), "the TLS handshake failed";
    TLS_VERSION_OBSOLETE = "tls-version-obsolete", Error, Some(Port), "the server speaks only TLS versions older than 1.2";
    CERTIFICATE_INVALID = "certificate-invalid", Error, Some(Host), "the server's certificate does not verify (untrusted issuer, wrong name, expired)";
    CERTIFICATE_EXPIRING = "certificate-expiring", Warning, Some(Host), "the server's certificate expires in less than 14 days";
    AUTH_BEFORE_TLS = "auth-before-tls", Warning, Some(Login), "the server offers AUTH on an unencrypted connection";
    AUTH_NOT_OFFERED = "auth-not-offered", Error, Some(Login), "the configuration logs in but the server offers no AUTH";
    AUTH_MECHANISM_UNSUPPORTED = "auth-mechanism-unsupported", Error, Some(Login), "the server does not offer the mechanism the client would log in with";
    AUTH_SKIPPED = "auth-skipped", Info, Some(Login), "the AUTH probe was asked for but not attempted (and why)";
    AUTH_REJECTED = "auth-rejected", Error, Some(Login), "the server refused the login; the reply is mapped to a likely cause";
    AUTH_SUCCEEDED = "auth-succeeded", Info, Some(Login), "the server accepted the login";
    FROM_REJECTED = "from-rejected", Error, Some(Sender), "after login, the server refused the From address for this account";
    CA_FILE_INVALID = "ca-file-invalid", Error, Some(Host), "the --ca-file could not be read as PEM certificates";
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

/// The codes a live probe can report (`--probe`, `smtp-doctor probe`).
pub fn probe_codes() -> impl Iterator<Item = &'static CodeInfo> {
    CODES.iter().filter(|c| c.probe)
}

/// Is this a code only a live probe reports?
pub fn is_probe_code(code: &str) -> bool {
    lookup(code).is_some_and(|c| c.probe)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_page_starts_with_its_code() {
        for c in CODES {
            assert!(
                c.doc.starts_with(&format!("# {}\n", c.code)),
                "docs/rules/{}.md",
                c.code
            );
        }
    }

    #[test]
    fn every_code_is_unique_and_kebab() {
        let mut seen = std::collections::HashSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(c
                .code
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-'));
        }
    }

    /// The probe pages state their severity in one sentence; it must be the table's.
    #[test]
    fn probe_pages_state_the_table_severity() {
        for c in probe_codes() {
            assert!(
                c.doc.contains(&format!("Severity: {}.", c.severity)),
                "{}: severity differs from the table",
                c.code
            );
        }
    }

    /// Every page under docs/rules/ (but the index) is a code of the table.
    #[test]
    fn every_doc_page_is_a_code() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let Some(code) = name.strip_suffix(".md") else {
                continue;
            };
            assert!(
                code == "index" || lookup(code).is_some(),
                "docs/rules/{name} has no code in src/codes.rs"
            );
        }
    }

    #[test]
    fn constants_are_the_table() {
        assert_eq!(CONNECT_REFUSED, "connect-refused");
        assert!(is_probe_code(CONNECT_REFUSED));
        assert!(!is_probe_code(PORT_NOT_OFFERED));
        assert_eq!(
            lookup(UNUSED_SUPPRESSION).unwrap().code,
            "unused-suppression"
        );
    }
}
