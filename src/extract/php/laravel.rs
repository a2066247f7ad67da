//! Laravel's `config/mail.php`: the array the file returns.
//!
//! Laravel 9 and later send with Symfony Mailer. `MailManager::createSmtpTransport` builds a DSN
//! from the mailer's array: the scheme is `scheme` when set, else `smtps` for port 465 and
//! `smtp` for any other port; Symfony Mailer then uses implicit TLS for `smtps` (or port 465),
//! and otherwise STARTTLS only when the server offers it. `encryption` plays no part. The other
//! keys of the array are passed on as DSN options, so `verify_peer`, `auto_tls` and
//! `require_tls` work there.
//!
//! Both layouts are read: `'mailers' => ['smtp' => [...]]` (Laravel 7+, one profile per mailer
//! whose `transport` is `smtp`) and the older top-level `'driver' => 'smtp', 'host' => ...`,
//! which Laravel still accepts. The global `'from' => ['address' => ...]` is the From of every
//! profile.

use std::ops::Range;

use super::value::{Arr, EnvRead, Expr, Field, PhpVal};
use super::Src;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, EnvRef, Profile, Secret, Security, Value};

const PORT_NOTE: &str =
    "Laravel (Symfony Mailer) uses implicit TLS on port 465 and, on any other port, STARTTLS only when the server offers it";

pub(super) fn build(src: &Src, returns: &[(Arr, Range<usize>)], ex: &mut Extraction) {
    for (arr, _) in returns {
        let from = arr.get("from").map(|e| &e.value);
        if let Some(Expr::Array(mailers)) = arr.get("mailers").map(|e| &e.value) {
            for m in &mailers.entries {
                let Expr::Array(cfg) = &m.value else { continue };
                let smtp = match cfg.get("transport") {
                    Some(t) => names_smtp(&t.value),
                    None => m.key.as_deref() == Some("smtp"),
                };
                if !smtp {
                    continue;
                }
                let label = format!("mailers.{}", m.key.as_deref().unwrap_or("?"));
                let p = profile(src, cfg, from, label, m.key_span.clone(), ex);
                ex.profiles.push(p);
            }
        } else if let Some(driver) = arr.get("driver") {
            if names_smtp(&driver.value) && (arr.get("host").is_some() || arr.get("port").is_some())
            {
                let p = profile(
                    src,
                    arr,
                    from,
                    "mail (driver smtp)".into(),
                    driver.key_span.clone(),
                    ex,
                );
                ex.profiles.push(p);
            }
        }
    }
}

/// `'smtp'`, or `env('MAIL_MAILER', 'smtp')` / `env('MAIL_DRIVER')`.
fn names_smtp(e: &Expr) -> bool {
    match e {
        Expr::Str(s) => s.text == "smtp",
        Expr::Env(r) => r.default.as_ref().is_none_or(|(t, _)| t == "smtp"),
        _ => false,
    }
}

fn env_ref(src: &Src, e: &EnvRead, f: Field) -> EnvRef {
    e.env_ref(|r| src.loc(r), f)
}

enum PortSrc {
    Literal(Value<u16>),
    Env(EnvRead),
    Absent,
    Unknown,
}

fn profile(
    src: &Src,
    cfg: &Arr,
    from: Option<&Expr>,
    label: String,
    anchor: Range<usize>,
    ex: &mut Extraction,
) -> Profile {
    let mut p = Profile::new(Client::LaravelConfig, label, src.loc(anchor.clone()));
    let mut refs: Vec<EnvRef> = Vec::new();
    let get = |k: &str| cfg.get(k).map(|e| &e.value);

    // Host.
    let mut localhost = false;
    match get("host") {
        Some(Expr::Str(s)) if !s.text.trim().is_empty() => {
            localhost = s.text.trim() == "localhost";
            p.host = Some(Value::literal(s.text.clone(), src.loc(s.span.clone())));
        }
        Some(Expr::Env(e)) => refs.push(env_ref(src, e, Field::Host)),
        _ => {}
    }

    // Port.
    let port = match get("port") {
        None | Some(Expr::Null { .. }) => PortSrc::Absent,
        Some(Expr::Env(e)) => PortSrc::Env(e.clone()),
        Some(e) => match e.literal() {
            Some(v) => {
                let n = match &v {
                    PhpVal::Int(i) => Some(*i),
                    PhpVal::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                        s.parse().ok()
                    }
                    _ => None,
                };
                match n.and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0) {
                    Some(n) => PortSrc::Literal(Value::literal(n, src.loc(e.span()))),
                    None => {
                        ex.findings.push(
                            Finding::new(
                                "invalid-value",
                                Severity::Error,
                                "the mailer's port is not a port number (1-65535)",
                                Label::new(src.loc(e.span()), "not a port"),
                            )
                            .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                        );
                        PortSrc::Unknown
                    }
                }
            }
            None => PortSrc::Unknown,
        },
    };

    // Scheme: `smtps` forces implicit TLS; `smtp` or nothing lets the port decide.
    let mut smtps: Option<Range<usize>> = None;
    let mut scheme_env: Option<EnvRead> = None;
    match get("scheme") {
        Some(Expr::Str(s)) => match s.text.to_ascii_lowercase().as_str() {
            "smtps" => smtps = Some(s.span.clone()),
            "smtp" | "" => {}
            _ => ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    "the mailer scheme must be `smtp` or `smtps`; Symfony Mailer refuses any other",
                    Label::new(src.loc(s.span.clone()), "unknown scheme"),
                )
                .with_help(
                    "use `smtps` for implicit TLS (port 465), `smtp` otherwise, or remove it to let the port decide",
                ),
            ),
        },
        Some(Expr::Env(e)) => scheme_env = Some(e.clone()),
        _ => {}
    }

    match &port {
        PortSrc::Literal(v) => {
            p.port = Some(v.clone());
            p.security = Some(match &smtps {
                Some(s) => Value::literal(Security::ImplicitTls, src.loc(s.clone())),
                None => Value::default(
                    if v.value == 465 {
                        Security::ImplicitTls
                    } else {
                        Security::StartTls { required: false }
                    },
                    v.loc.clone(),
                    PORT_NOTE,
                ),
            });
            if let (Some(e), None) = (&scheme_env, &smtps) {
                let f = if v.value == 465 {
                    Field::LvScheme465
                } else {
                    Field::LvScheme
                };
                refs.push(env_ref(src, e, f));
            }
        }
        PortSrc::Env(pe) => {
            refs.push(env_ref(src, pe, Field::Port));
            match &smtps {
                Some(s) => {
                    p.security = Some(Value::literal(Security::ImplicitTls, src.loc(s.clone())))
                }
                None => {
                    // The scheme first, so that the port (465 is implicit TLS whatever the
                    // scheme says) has the last word.
                    if let Some(e) = &scheme_env {
                        refs.push(env_ref(src, e, Field::LvScheme));
                    }
                    refs.push(env_ref(src, pe, Field::LvPortSecurity));
                }
            }
        }
        PortSrc::Absent => {
            // Symfony Mailer: no port and no TLS choice means implicit TLS on 465 (port 25
            // without TLS for localhost).
            let at = src.loc(anchor.clone());
            let (port, sec) = if localhost {
                (25, Security::StartTls { required: false })
            } else {
                (465, Security::ImplicitTls)
            };
            p.port = Some(Value::default(
                port,
                at.clone(),
                "Symfony Mailer uses port 465 with implicit TLS when the mailer has no port",
            ));
            p.security = Some(match &smtps {
                Some(s) => Value::literal(Security::ImplicitTls, src.loc(s.clone())),
                None => Value::default(
                    sec,
                    at,
                    "Symfony Mailer uses port 465 with implicit TLS when the mailer has no port",
                ),
            });
        }
        PortSrc::Unknown => {
            if let Some(s) = &smtps {
                p.security = Some(Value::literal(Security::ImplicitTls, src.loc(s.clone())));
            }
        }
    }

    // DSN options that change STARTTLS, when the port is known and not implicit.
    if matches!(&p.security, Some(s) if s.value == (Security::StartTls { required: false })) {
        // Symfony Mailer reads both with FILTER_VALIDATE_BOOL; an empty or null `auto_tls`
        // keeps the default (on).
        let flag = |k: &str| -> Option<(bool, Range<usize>)> {
            let e = get(k)?;
            let b = match e.literal()? {
                PhpVal::Null => k == "auto_tls",
                PhpVal::Str(s) if s.is_empty() => k == "auto_tls",
                v => v.filter_bool(),
            };
            Some((b, e.span()))
        };
        if let Some((true, at)) = flag("require_tls") {
            p.security = Some(Value::literal(
                Security::StartTls { required: true },
                src.loc(at),
            ));
        } else if let Some((false, at)) = flag("auto_tls") {
            p.security = Some(Value::literal(Security::None, src.loc(at)));
        }
    }

    // `encryption` is ignored by Symfony Mailer; say so when it promises something else.
    if let (Some(Expr::Str(enc)), Some(sec)) = (get("encryption"), &p.security) {
        let implicit = sec.value == Security::ImplicitTls;
        let wanted = match enc.text.to_ascii_lowercase().as_str() {
            "ssl" | "smtps" if !implicit => Some("SSL"),
            "tls" | "starttls" if implicit => Some("STARTTLS"),
            _ => None,
        };
        if let (Some(wanted), Some(port)) = (wanted, &p.port) {
            ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!(
                        "the connection on port {} gets {}, not {wanted}: Laravel ignores 'encryption'",
                        port.value, sec.value
                    ),
                    Label::new(src.loc(enc.span.clone()), "ignored since Laravel 9 (Symfony Mailer)"),
                )
                .with_help(if implicit {
                    "remove 'encryption'; implicit TLS on 465 is right, and for STARTTLS use port 587"
                } else {
                    "remove 'encryption'; for implicit TLS use port 465 (or 'scheme' => 'smtps')"
                }),
            );
        }
    }

    // Username: Symfony Mailer logs in when one is set.
    match get("username") {
        Some(Expr::Str(s)) if !s.text.is_empty() => {
            p.username = Some(Value::literal(s.text.clone(), src.loc(s.span.clone())));
            p.auth = Some(Value::default(
                AuthMethod::Password,
                src.loc(s.span.clone()),
                "Symfony Mailer logs in when a username is set",
            ));
        }
        Some(Expr::Env(e)) => {
            refs.push(env_ref(src, e, Field::Username));
            refs.push(env_ref(src, e, Field::LvUserAuth));
            p.auth = Some(Value::default(
                AuthMethod::Password,
                src.loc(e.reference.clone()),
                "Symfony Mailer logs in when a username is set",
            ));
        }
        Some(Expr::Unknown { .. }) => {}
        other => {
            let at = other.map(Expr::span).unwrap_or_else(|| anchor.clone());
            p.auth = Some(Value::default(
                AuthMethod::None,
                src.loc(at),
                "Symfony Mailer logs in only when a username is set",
            ));
        }
    }

    match get("password") {
        Some(Expr::Str(s)) if !s.text.is_empty() => {
            ex.secrets.push(s.span.clone());
            p.password = Some(Value::literal(
                Secret::new(s.text.clone()),
                src.loc(s.span.clone()),
            ));
        }
        Some(Expr::Env(e)) => refs.push(env_ref(src, e, Field::Password)),
        _ => {}
    }

    // `verify_peer` => false turns off both certificate and name checks.
    match get("verify_peer") {
        Some(Expr::Env(e)) => refs.push(env_ref(src, e, Field::LvVerify)),
        Some(e) => {
            let off = match e.literal() {
                Some(PhpVal::Null) | None => false,
                Some(PhpVal::Str(s)) if s.is_empty() => false,
                Some(v) => !v.filter_bool(),
            };
            if off {
                p.tls_verify = Some(Value::literal(false, src.loc(e.span())));
            }
        }
        None => {}
    }

    // From.
    if let Some(Expr::Array(f)) = from {
        match f.get("address").map(|e| &e.value) {
            Some(Expr::Str(s)) if !s.text.trim().is_empty() => p
                .from
                .push(Value::literal(s.text.clone(), src.loc(s.span.clone()))),
            Some(Expr::Env(e)) => refs.push(env_ref(src, e, Field::From)),
            _ => {}
        }
    }

    p.env_refs = refs;
    p
}
