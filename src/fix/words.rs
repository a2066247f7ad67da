//! A setting's new value in the words the file already uses: `secure: true` in Nodemailer,
//! `PHPMailer::ENCRYPTION_SMTPS`, `EMAIL_USE_SSL = True`, `MAIL_SCHEME=smtps`, `try_ssl` 3,
//! `security = "implicit"`. The checks ask here for the text of a fix; `None` means the change
//! cannot be written as one replacement of the value (then the check offers another fix, or
//! none).

use crate::model::{Client, TlsMode};

/// The text of a value and what precedes it on its line (the key, for `.env` and TOML lines).
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    pub before: &'a str,
    pub text: &'a str,
}

/// What a boolean written at this place switches on, judged from the key before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BoolMeans {
    Implicit,
    Starttls,
}

fn bool_means(before: &str) -> Option<BoolMeans> {
    // The last key on the line before the value (`secure: ` in `{ port: 465, secure: `).
    let lower = before.to_ascii_lowercase();
    let key = lower
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .find(|w| !w.is_empty())?;
    let has = |words: &[&str]| words.iter().any(|w| key.contains(w));
    if has(&[
        "starttls",
        "start_tls",
        "start-tls",
        "use_tls",
        "require_tls",
        "requiretls",
    ]) {
        Some(BoolMeans::Starttls)
    } else if has(&[
        "ssl",
        "secure",
        "implicit",
        "smtps",
        "tls_wrapper",
        "force_tls",
    ]) {
        Some(BoolMeans::Implicit)
    } else {
        None
    }
}

/// `true` for the words a boolean setting writes for yes, `false` for no.
fn bool_word(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// The opposite boolean word, in the same style (`False` -> `True`, `0` -> `1`, `no` -> `yes`).
pub fn flip_bool(text: &str) -> Option<String> {
    let (q, core) = unquote(text);
    let flipped = match core {
        "true" => "false",
        "false" => "true",
        "True" => "False",
        "False" => "True",
        "TRUE" => "FALSE",
        "FALSE" => "TRUE",
        "1" => "0",
        "0" => "1",
        "yes" => "no",
        "no" => "yes",
        "on" => "off",
        "off" => "on",
        _ => return None,
    };
    Some(format!("{q}{flipped}{q}"))
}

/// A value written with its quotes: the quote and the text inside.
fn unquote(text: &str) -> (&str, &str) {
    for q in ["\"", "'", "`"] {
        if text.len() >= 2 && text.starts_with(q) && text.ends_with(q) {
            return (q, &text[1..text.len() - 1]);
        }
    }
    ("", text)
}

/// Same case as `like`: all capitals stay capitals.
fn same_case(like: &str, word: &str) -> String {
    if like.chars().any(|c| c.is_ascii_alphabetic())
        && !like.chars().any(|c| c.is_ascii_lowercase())
    {
        word.to_ascii_uppercase()
    } else {
        word.to_owned()
    }
}

/// The security setting at `at`, rewritten so the client uses `target` instead of `current`.
pub fn security_text(client: Client, at: At, current: TlsMode, target: TlsMode) -> Option<String> {
    if current == target {
        return None;
    }
    let (q, core) = unquote(at.text.trim());
    if at.text.trim() != at.text {
        return None;
    }
    if client != Client::PythonSmtplib {
        if let Some(b) = bool_word(core) {
            let want = match (bool_means(at.before)?, target) {
                (BoolMeans::Implicit, TlsMode::Implicit) => true,
                // Turning implicit TLS off gives STARTTLS only where the client then starts
                // it by itself (Nodemailer, the SMTP_* apps, Rails' Mail); Django, TOML apps
                // and others would send in clear.
                (BoolMeans::Implicit, TlsMode::Starttls)
                    if matches!(
                        client,
                        Client::Nodemailer | Client::DotenvGeneric | Client::Rails
                    ) =>
                {
                    false
                }
                (BoolMeans::Implicit, _) => return None,
                (BoolMeans::Starttls, TlsMode::Starttls) => true,
                // A STARTTLS switch cannot ask for implicit TLS on its own.
                (BoolMeans::Starttls, _) => return None,
            };
            return (b != want).then(|| flip_bool(at.text)).flatten();
        }
    }
    let word = |w: &str| Some(format!("{q}{}{q}", same_case(core, w)));
    let lower = core.to_ascii_lowercase();
    match client {
        Client::Thunderbird if core.bytes().all(|b| b.is_ascii_digit()) && !core.is_empty() => {
            // mail.smtpserver.*.try_ssl: 2 = STARTTLS, 3 = SSL/TLS.
            match target {
                TlsMode::Implicit => Some("3".into()),
                TlsMode::Starttls => Some("2".into()),
                TlsMode::None => None,
            }
        }
        Client::PhpMailer => {
            for (starttls, implicit) in
                [("ENCRYPTION_STARTTLS", "ENCRYPTION_SMTPS"), ("tls", "ssl")]
            {
                let (from, to) = match target {
                    TlsMode::Implicit => (starttls, implicit),
                    TlsMode::Starttls => (implicit, starttls),
                    TlsMode::None => return None,
                };
                if let Some(prefix) = core.strip_suffix(from) {
                    if from.starts_with("ENC") || prefix.is_empty() {
                        return Some(format!("{q}{prefix}{to}{q}"));
                    }
                }
                if from == "tls" && lower == from {
                    return word(to);
                }
            }
            None
        }
        Client::Laravel
        | Client::LaravelConfig
        | Client::Nodemailer
        | Client::DotenvGeneric
        | Client::Toml
            if lower == "smtp" || lower == "smtps" =>
        {
            match target {
                TlsMode::Implicit => word("smtps"),
                TlsMode::Starttls => word("smtp"),
                TlsMode::None => None,
            }
        }
        Client::Toml => {
            let known = matches!(
                lower.as_str(),
                "starttls"
                    | "start-tls"
                    | "ssl"
                    | "implicit"
                    | "implicit-tls"
                    | "tls-wrapper"
                    | "wrapper"
                    | "force-tls"
                    | "none"
                    | "plain"
                    | "plaintext"
            );
            match target {
                _ if !known => None,
                TlsMode::Implicit => word("implicit"),
                TlsMode::Starttls => word("starttls"),
                TlsMode::None => None,
            }
        }
        _ => None,
    }
}

/// The port value at `text` with its number `from` changed to `to` (quotes and a URL around
/// it kept); `None` unless the number appears exactly once.
pub fn port_text(text: &str, from: u16, to: u16) -> Option<String> {
    let digits = from.to_string();
    let mut found = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(k) = text[i..].find(&digits) {
        let s = i + k;
        let e = s + digits.len();
        let alone = (s == 0 || !bytes[s - 1].is_ascii_digit())
            && (e == bytes.len() || !bytes[e].is_ascii_digit());
        if alone {
            if found.is_some() {
                return None;
            }
            found = Some(s);
        }
        i = s + 1;
    }
    let s = found?;
    Some(format!("{}{to}{}", &text[..s], &text[s + digits.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(before: &'a str, text: &'a str) -> At<'a> {
        At { before, text }
    }

    #[test]
    fn booleans_follow_the_key() {
        let imp = TlsMode::Implicit;
        let st = TlsMode::Starttls;
        let n = Client::Nodemailer;
        assert_eq!(
            security_text(n, at("  secure: ", "false"), st, imp).as_deref(),
            Some("true")
        );
        assert_eq!(
            security_text(n, at("  secure: ", "true"), imp, st).as_deref(),
            Some("false")
        );
        // Django with EMAIL_USE_SSL off and nothing else sends in clear: no such fix.
        assert_eq!(
            security_text(Client::Django, at("EMAIL_USE_SSL = ", "True"), imp, st),
            None
        );
        assert_eq!(
            security_text(Client::Toml, at("ssl = ", "true"), imp, st),
            None
        );
        // A STARTTLS switch cannot ask for implicit TLS.
        assert_eq!(
            security_text(Client::Django, at("EMAIL_USE_TLS=", "True"), st, imp),
            None
        );
        assert_eq!(
            security_text(
                Client::DotenvGeneric,
                at("SMTP_SECURE=", "\"false\""),
                st,
                imp
            )
            .as_deref(),
            Some("\"true\"")
        );
        // No key that says what the boolean means: no fix.
        assert_eq!(security_text(n, at("x = ", "false"), st, imp), None);
    }

    #[test]
    fn words_of_each_client() {
        let imp = TlsMode::Implicit;
        let st = TlsMode::Starttls;
        let php = Client::PhpMailer;
        assert_eq!(
            security_text(php, at("", "tls"), st, imp).as_deref(),
            Some("ssl")
        );
        assert_eq!(
            security_text(
                php,
                at("", "\\PHPMailer\\PHPMailer\\PHPMailer::ENCRYPTION_STARTTLS"),
                st,
                imp
            )
            .as_deref(),
            Some("\\PHPMailer\\PHPMailer\\PHPMailer::ENCRYPTION_SMTPS")
        );
        assert_eq!(
            security_text(php, at("", "PHPMailer::ENCRYPTION_SMTPS"), imp, st).as_deref(),
            Some("PHPMailer::ENCRYPTION_STARTTLS")
        );
        assert_eq!(
            security_text(Client::Thunderbird, at("", "2"), st, imp).as_deref(),
            Some("3")
        );
        assert_eq!(
            security_text(Client::Laravel, at("MAIL_SCHEME=", "smtps"), imp, st).as_deref(),
            Some("smtp")
        );
        assert_eq!(
            security_text(Client::Toml, at("security = ", "starttls"), st, imp).as_deref(),
            Some("implicit")
        );
        assert_eq!(
            security_text(Client::Toml, at("security = ", "SSL"), imp, st).as_deref(),
            Some("STARTTLS")
        );
        // smtplib's SMTP_SSL / starttls() are calls, not values.
        assert_eq!(
            security_text(Client::PythonSmtplib, at("", "starttls"), st, imp),
            None
        );
        assert_eq!(security_text(php, at("", "starttls"), st, imp), None);
    }

    #[test]
    fn ports_change_only_their_number() {
        assert_eq!(port_text("587", 587, 465).as_deref(), Some("465"));
        assert_eq!(port_text("'587'", 587, 465).as_deref(), Some("'465'"));
        assert_eq!(port_text("5870", 587, 465), None);
        assert_eq!(port_text("587:587", 587, 465), None);
    }
}
