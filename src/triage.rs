//! Triage: what a pasted server reply or client error means. The provider rules' `replies` facts
//! come first; a few client-side symptoms that belong to no provider (a TLS mode that does not
//! fit the port) follow, with their sources.

use crate::codes;
use crate::providers::Providers;

/// One explanation of the text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// Provider id, or `None` for symptoms any server causes.
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    /// The part of the text that matched.
    pub matched: String,
    pub cause: String,
    pub fix: String,
    pub source: String,
    /// The rule code whose page explains the underlying mistake, if there is one.
    pub code: Option<&'static str>,
}

/// Symptoms clients print whatever the provider (research/client-formats.md §3, §4.1, §5).
const GENERIC: &[(&str, &str, &str, &str, Option<&str>)] = &[
    (
        "wrong version number",
        "the client started TLS at once (implicit TLS) on a port that speaks plain SMTP first (587 or 25)",
        "use STARTTLS on 587, or implicit TLS on 465 (Nodemailer: secure: false on 587)",
        "https://github.com/nodemailer/nodemailer/issues/1154",
        Some(codes::TLS_MODE_MISMATCH),
    ),
    (
        "Unrecognized SSL message",
        "the client started TLS at once (implicit TLS) on a port that speaks plain SMTP first",
        "use STARTTLS on 587, or implicit TLS on 465",
        "https://github.com/grails-plugins/grails-mail/issues/27",
        Some(codes::TLS_MODE_MISMATCH),
    ),
    (
        "Greeting never received",
        "the client waited for a plaintext greeting on a port that speaks TLS first (465), or the port is filtered",
        "use implicit TLS on 465 (Nodemailer: secure: true), or STARTTLS on 587",
        "https://github.com/nodemailer/nodemailer/issues/441",
        Some(codes::TLS_MODE_MISMATCH),
    ),
    (
        "Connection unexpectedly closed",
        "often a plaintext or STARTTLS client on port 465, which expects TLS from the first byte",
        "use implicit TLS on 465 (Python: smtplib.SMTP_SSL; Django: EMAIL_USE_SSL), or STARTTLS on 587",
        "https://github.com/healthchecks/healthchecks/issues/683",
        Some(codes::TLS_MODE_MISMATCH),
    ),
    (
        "STARTTLS extension not supported",
        "the client wants STARTTLS but the server did not offer it: an implicit-TLS port (465) or a server without TLS",
        "on 465 use implicit TLS instead; otherwise the server offers no TLS and must not get the password",
        "https://docs.python.org/3/library/smtplib.html",
        Some(codes::TLS_MODE_MISMATCH),
    ),
    (
        "SMTP AUTH extension not supported",
        "the client tried to log in before STARTTLS; servers offer AUTH only inside TLS",
        "call starttls() (or use implicit TLS) before login",
        "https://github.com/eugene-eeo/mailthon/issues/33",
        Some(codes::INSECURE_TRANSPORT),
    ),
    (
        "self signed certificate",
        "the server's certificate is not from a CA the client trusts (a private CA, or an interception proxy)",
        "trust that CA explicitly (smtp-doctor probe --ca-file shows what the server sends); do not switch verification off",
        "https://github.com/nodemailer/nodemailer/issues/504",
        Some(codes::TLS_VERIFY_DISABLED),
    ),
    (
        "unable to verify the first certificate",
        "the server sends an incomplete certificate chain, or one from a CA the client does not trust",
        "fix the chain on the server or trust the CA; do not switch verification off",
        "https://github.com/nodemailer/nodemailer/issues/406",
        Some(codes::TLS_VERIFY_DISABLED),
    ),
];

/// Every explanation of `text` known to the rules, provider replies first.
pub fn explain(text: &str, providers: &Providers, only: Option<&str>) -> Vec<Explanation> {
    let hay = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for p in &providers.list {
        if only.is_some_and(|id| id != p.id) {
            continue;
        }
        for r in &p.replies {
            if !r.matches.is_empty() && hay.contains(&r.matches.to_ascii_lowercase()) {
                out.push(Explanation {
                    provider: Some(p.id.clone()),
                    provider_name: Some(p.name.clone()),
                    matched: r.matches.clone(),
                    cause: r.cause.clone(),
                    fix: r.fix.clone(),
                    source: p.source_url(&r.source).to_owned(),
                    code: None,
                });
            }
        }
    }
    // A longer matched text is a more specific explanation.
    out.sort_by_key(|e| std::cmp::Reverse(e.matched.len()));
    for (m, cause, fix, source, code) in GENERIC {
        if hay.contains(&m.to_ascii_lowercase()) {
            out.push(Explanation {
                provider: None,
                provider_name: None,
                matched: (*m).to_owned(),
                cause: (*cause).to_owned(),
                fix: (*fix).to_owned(),
                source: (*source).to_owned(),
                code: *code,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_replies_and_generic_symptoms() {
        let ps = Providers::builtin().unwrap();
        let e = explain(
            "550 5.7.0 From address is not one of your addresses",
            &ps,
            None,
        );
        assert_eq!(e[0].provider.as_deref(), Some("icloud"));
        let e = explain(
            "534-5.7.9 Application-specific password required",
            &ps,
            Some("gmail"),
        );
        assert_eq!(e.len(), 1);
        assert!(e[0].cause.contains("app password"), "{e:?}");
        let e = explain(
            "Error: 1408F10B:SSL routines:ssl3_get_record:wrong version number",
            &ps,
            None,
        );
        assert_eq!(e.last().unwrap().code, Some("tls-mode-mismatch"));
        assert!(explain("250 OK", &ps, None).is_empty());
    }
}
