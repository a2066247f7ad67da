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
    // Live probes (`--probe`, `smtp-doctor probe`): what the server really did.
    "dns-no-address", Error, true, "the SMTP host has no address in DNS (no A/AAAA record, or the name does not exist)";
    "dns-error", Warning, true, "a DNS lookup failed or timed out, so the answer is unknown";
    "mx-provider", Info, true, "the mail domain's MX records point to a known provider";
    "srv-differs", Info, true, "the mail domain's RFC 6186 SRV records name a different submission endpoint";
    "connect-refused", Error, true, "nothing accepts connections on this host and port";
    "connect-timeout", Error, true, "the TCP connection was not established within the timeout";
    "connect-failed", Error, true, "the TCP connection failed (network unreachable, no route)";
    "banner-timeout", Error, true, "the server sent no greeting within the timeout";
    "banner-invalid", Error, true, "the server's first line is not an SMTP greeting";
    "banner-rejected", Error, true, "the server greeted with an error (421 busy, 554 no service)";
    "reply-timeout", Error, true, "the server did not finish a reply within the timeout";
    "protocol-error", Error, true, "the server's reply is not valid SMTP";
    "connection-closed", Error, true, "the server closed the connection in the middle of the dialogue";
    "ehlo-rejected", Warning, true, "the server refused EHLO";
    "starttls-not-offered", Error, true, "STARTTLS is configured but the server does not offer it";
    "starttls-refused", Error, true, "the server answered STARTTLS with an error (e.g. 454)";
    "starttls-available", Info, true, "the configuration uses no TLS but the server offers STARTTLS";
    "tls-handshake-failed", Error, true, "the TLS handshake failed";
    "tls-version-obsolete", Error, true, "the server speaks only TLS versions older than 1.2";
    "certificate-invalid", Error, true, "the server's certificate does not verify (untrusted issuer, wrong name, expired)";
    "certificate-expiring", Warning, true, "the server's certificate expires in less than 14 days";
    "auth-before-tls", Warning, true, "the server offers AUTH on an unencrypted connection";
    "auth-not-offered", Error, true, "the configuration logs in but the server offers no AUTH";
    "auth-mechanism-unsupported", Error, true, "the server does not offer the mechanism the client would log in with";
    "auth-skipped", Info, true, "the AUTH probe was asked for but not attempted (and why)";
    "auth-rejected", Error, true, "the server refused the login; the reply is mapped to a likely cause";
    "auth-succeeded", Info, true, "the server accepted the login";
    "from-rejected", Error, true, "after login, the server refused the From address for this account";
    "ca-file-invalid", Error, true, "the --ca-file could not be read as PEM certificates";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_codes_match_the_probe_module() {
        let here: Vec<(&str, Severity)> = CODES
            .iter()
            .filter(|c| c.probe)
            .map(|c| (c.code, c.severity))
            .collect();
        let there: Vec<(&str, Severity)> = crate::probe::probe_codes()
            .iter()
            .map(|(c, s, _)| (*c, *s))
            .collect();
        assert_eq!(here, there);
    }

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
}
