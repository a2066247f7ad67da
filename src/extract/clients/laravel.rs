//! Laravel's mail settings (Symfony Mailer underneath), whichever file holds them: the `MAIL_*`
//! variables of a `.env` file read through the stock `config/mail.php` ([`from_env_file`]), and
//! the mailers of a `config/mail.php` itself ([`from_config`]).
//!
//! Laravel 9 and later send with Symfony Mailer. `MailManager::createSmtpTransport` builds a DSN
//! from the mailer's array: the scheme is `scheme` when set, else `smtps` for port 465 and
//! `smtp` for any other port; Symfony Mailer then uses implicit TLS for `smtps` (or port 465),
//! and otherwise STARTTLS only when the server offers it. `encryption` plays no part. The other
//! keys of the array are passed on as DSN options, so `verify_peer`, `auto_tls` and
//! `require_tls` work there.

use std::ops::Range;

use crate::extract::syntax::dotenv::{Ctx, Def, PhpIssue};
use crate::extract::syntax::url::{parse_dsn, Dsn};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::Loc;

const LARAVEL_STRONG: &[&str] = &[
    "MAIL_MAILER",
    "MAIL_DRIVER",
    "MAIL_HOST",
    "MAIL_URL",
    "MAIL_SCHEME",
    "MAIL_ENCRYPTION",
];
const LARAVEL_WEAK: &[&str] = &["MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD"];
/// Flask-Mail uses `MAIL_SERVER`/`MAIL_USE_TLS`: such files are not Laravel's.
const FLASK_MAIL: &[&str] = &["MAIL_SERVER", "MAIL_USE_TLS", "MAIL_USE_SSL"];
const LARAVEL_ALL: &[&str] = &[
    "MAIL_MAILER",
    "MAIL_DRIVER",
    "MAIL_URL",
    "MAIL_SCHEME",
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_ENCRYPTION",
    "MAIL_FROM_ADDRESS",
];

/// Does this env file hold Laravel's mail settings?
pub(crate) fn env_recognised(ctx: &Ctx) -> bool {
    ctx.has_any(LARAVEL_STRONG) || (ctx.has_any(LARAVEL_WEAK) && !ctx.has_any(FLASK_MAIL))
}

/// What Laravel's `env()` makes of a string: `true`/`false`/`null`/`empty`, also in
/// parentheses, become real types.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lv {
    Null,
    Bool(bool),
    Str(String),
}

fn laravel_env(s: &str) -> Lv {
    match s.to_ascii_lowercase().as_str() {
        "true" | "(true)" => Lv::Bool(true),
        "false" | "(false)" => Lv::Bool(false),
        "null" | "(null)" => Lv::Null,
        "empty" | "(empty)" => Lv::Str(String::new()),
        _ => Lv::Str(s.to_string()),
    }
}

/// A non-empty string as Laravel's `env()` returns it.
fn lv_string(ctx: &Ctx, d: &Def) -> Option<Value<String>> {
    let v = ctx.string(d)?;
    match laravel_env(&v.value) {
        Lv::Str(s) if !s.trim().is_empty() => Some(Value::literal(s, v.loc)),
        _ => None,
    }
}

/// Report what only phpdotenv (Laravel's reader) refuses in the file.
pub(crate) fn report_phpdotenv_only(ctx: &mut Ctx, issues: &[(Range<usize>, PhpIssue)]) {
    for (span, issue) in issues {
        let loc = ctx.loc(span.clone());
        let f = match issue {
            PhpIssue::UnquotedSpace => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) refuses an unquoted value that contains spaces",
                Label::new(loc, "unquoted value with a space"),
            )
            .with_help("put the value in double quotes: `KEY=\"two words\"`"),
            PhpIssue::Multiline => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) lets a value span lines only inside double quotes",
                Label::new(loc, "this value spans lines"),
            )
            .with_help("use double quotes for a value with line breaks"),
            PhpIssue::Escape => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) refuses this escape sequence in a double-quoted value",
                Label::new(loc, "unknown escape"),
            )
            .with_help(
                "inside double quotes write a backslash as `\\\\`, or use single quotes, \
                 which keep every character as it is",
            ),
        };
        ctx.push(f);
    }
}

/// The mailer an env file configures through Laravel's stock `config/mail.php`.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(LARAVEL_ALL)?;

    // Which mailer? Only `smtp` reads the SMTP settings.
    if let Some(d) = ctx.first_of(&["MAIL_MAILER", "MAIL_DRIVER"]) {
        let key = d.name.clone();
        let raw = ctx.text(d).unwrap_or_else(|| "smtp".to_string());
        let name = match laravel_env(raw.trim()) {
            Lv::Null => String::new(),
            Lv::Str(s) => s.trim().to_string(),
            Lv::Bool(_) => return None,
        };
        if name != "smtp" {
            if name.is_empty() || name.eq_ignore_ascii_case("smtp") {
                let msg = if name.is_empty() {
                    format!("the value of {key} is empty, so Laravel has no mailer to send with")
                } else {
                    format!("mailer `{name}` does not exist in Laravel: mailer names are case-sensitive")
                };
                ctx.invalid(
                    Severity::Error,
                    ctx.vloc(d),
                    msg,
                    "Laravel fails with \"Mailer is not defined\"",
                    &format!("write `{key}=smtp` to send through the SMTP settings"),
                );
            }
            // log, array, sendmail, ses, postmark, failover ...: the SMTP settings are unused.
            return None;
        }
    }

    let mut profile = Profile::new(Client::Laravel, "MAIL_*", anchor.clone());

    // MAIL_URL overrides host, port, username and password; its query sets transport options.
    let mut url: Option<(&Def, Dsn)> = None;
    if let Some(d) = ctx.get("MAIL_URL") {
        if let Some(t) = ctx.text(d) {
            if let Lv::Str(s) = laravel_env(t.trim()) {
                if !s.trim().is_empty() {
                    match parse_dsn(&t) {
                        Some(dsn) => url = Some((d, dsn)),
                        None => ctx.invalid(
                            Severity::Error,
                            ctx.vloc(d),
                            "the value of MAIL_URL is not a mailer URL".to_string(),
                            "expected scheme://user:password@host:port",
                            "write it as `smtp://user:password@host:587?require_tls=true`, with \
                             special characters in the user and password percent-encoded",
                        ),
                    }
                }
            }
        }
    }

    let mut url_smtps: Option<Loc> = None;
    if let Some((d, dsn)) = &url {
        let scheme = dsn.scheme.0.to_ascii_lowercase();
        let sloc = ctx.sub_loc(d, &dsn.scheme.1);
        match scheme.as_str() {
            "smtp" => {}
            "smtps" => {
                ctx.invalid(
                    Severity::Error,
                    sloc.clone(),
                    "the MAIL_URL scheme is read as the mail transport, and Laravel has no \
                     `smtps` transport"
                        .to_string(),
                    "Laravel fails with \"Unsupported mail transport [smtps]\"",
                    "write `smtp://…:465` (port 465 gets implicit TLS), or add `scheme=smtps` \
                     to the query",
                );
                url_smtps = Some(sloc);
            }
            s if s.starts_with("smtp") => {
                ctx.invalid(
                    Severity::Error,
                    sloc,
                    "the MAIL_URL scheme is not a Laravel mail transport".to_string(),
                    "Laravel fails with \"Unsupported mail transport\"",
                    "start MAIL_URL with `smtp://`",
                );
                return None;
            }
            // log://, sendmail://, ...: not an SMTP transport.
            _ => return None,
        }
        if dsn.unencoded_userinfo {
            ctx.invalid(
                Severity::Error,
                ctx.vloc(d),
                "the user or password in MAIL_URL holds a character that ends that part of a URL"
                    .to_string(),
                "`#`, `/` or `?` before the `@`",
                "percent-encode it: `#` as `%23`, `/` as `%2F`, `?` as `%3F`, `@` as `%40`, \
                 `:` as `%3A`",
            );
        }
    }
    let query = |key: &str| -> Option<(String, Loc)> {
        let (d, dsn) = url.as_ref()?;
        let (_, val, r) = dsn.query.iter().rev().find(|(k, _, _)| k == key)?;
        Some((val.clone(), ctx.sub_loc(d, r)))
    };
    let require_tls = query("require_tls");
    let verify_peer = query("verify_peer");
    let auto_tls = query("auto_tls");
    let query_scheme = query("scheme");

    // Host.
    profile.host = match &url {
        Some((d, dsn)) if dsn.host.as_ref().is_some_and(|h| !h.0.is_empty()) => {
            let (h, r) = dsn.host.clone().unwrap_or_default();
            Some(Value::literal(h, ctx.sub_loc(d, &r)))
        }
        _ => ctx.get("MAIL_HOST").and_then(|d| lv_string(ctx, d)),
    };
    // Port.
    let url_port = url.as_ref().and_then(|(d, dsn)| {
        dsn.port
            .as_ref()
            .map(|(p, r)| (p.clone(), ctx.sub_loc(d, r)))
    });
    profile.port = match url_port {
        Some((p, loc)) => ctx.port("MAIL_URL", &p, loc),
        None => match ctx.get("MAIL_PORT") {
            Some(d) => match ctx.text(d).map(|t| laravel_env(t.trim())) {
                Some(Lv::Str(_)) => ctx.port_of("MAIL_PORT", d),
                _ => None,
            },
            None => None,
        },
    };
    // Username and password.
    profile.username = match &url {
        Some((d, dsn)) if dsn.user.as_ref().is_some_and(|u| !u.0.is_empty()) => {
            let (u, r) = dsn.user.clone().unwrap_or_default();
            Some(Value::literal(u, ctx.sub_loc(d, &r)))
        }
        _ => ctx.get("MAIL_USERNAME").and_then(|d| lv_string(ctx, d)),
    };
    profile.password = match &url {
        Some((d, dsn)) if dsn.pass.as_ref().is_some_and(|p| !p.0.is_empty()) => {
            if d.has_refs() {
                let d = *d;
                ctx.password(d)
            } else {
                let (p, r) = dsn.pass.clone().unwrap_or_default();
                Some(Value::literal(Secret::new(p), ctx.sub_loc(d, &r)))
            }
        }
        _ => match ctx.get("MAIL_PASSWORD") {
            Some(d) => match laravel_env(&d.value) {
                Lv::Str(_) => ctx.password(d),
                _ => None,
            },
            None => None,
        },
    };
    // Symfony Mailer logs in only when a username is set.
    profile.auth = Some(match (&profile.username, &profile.password) {
        (Some(u), p) => Value::default(
            AuthMethod::Password,
            p.as_ref().map_or(u.loc.clone(), |p| p.loc.clone()),
            "Symfony Mailer logs in with the username and password when a username is set",
        ),
        (None, p) => Value::default(
            AuthMethod::None,
            p.as_ref().map_or(anchor.clone(), |p| p.loc.clone()),
            "Symfony Mailer logs in only when a username is set",
        ),
    });
    // From.
    if let Some(f) = ctx.get("MAIL_FROM_ADDRESS").and_then(|d| lv_string(ctx, d)) {
        profile.from.push(f);
    }

    // Security: MAIL_SCHEME (or `scheme=` in the URL query), else the port decides.
    let port = profile.port.as_ref().map(|p| p.value);
    let port_loc = profile.port.as_ref().map(|p| p.loc.clone());
    let scheme: Option<(String, Loc)> = match query_scheme {
        Some(s) => Some(s),
        None => ctx.get("MAIL_SCHEME").and_then(|d| {
            let t = ctx.text(d)?;
            match laravel_env(t.trim()) {
                Lv::Str(s) => Some((s.trim().to_string(), ctx.vloc(d))),
                _ => None,
            }
        }),
    };
    let scheme = scheme.filter(|(s, _)| !s.is_empty());
    let auto = |explicit: Option<Loc>, ctx: &mut Ctx| -> Option<Value<Security>> {
        if port == Some(465) {
            return Some(Value::default(
                Security::ImplicitTls,
                port_loc.clone().unwrap_or(anchor.clone()),
                "Laravel and Symfony Mailer use implicit TLS on port 465",
            ));
        }
        let auto_off = auto_tls
            .as_ref()
            .filter(|(v, _)| !v.is_empty() && !php_bool(v));
        let required = require_tls.as_ref().filter(|(v, _)| php_bool(v));
        if let (Some((_, off)), Some((_, req))) = (auto_off, required) {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "the MAIL_URL requires TLS but also switches STARTTLS off",
                    Label::new(req.clone(), "TLS required"),
                )
                .with_label(Label::new(off.clone(), "STARTTLS off"))
                .with_help("remove `auto_tls` and keep `require_tls=true`"),
            );
            return None;
        }
        if let Some((_, off)) = auto_off {
            return Some(Value::literal(Security::None, off.clone()));
        }
        if let Some((_, req)) = required {
            return Some(Value::literal(
                Security::StartTls { required: true },
                req.clone(),
            ));
        }
        let opp = Security::StartTls { required: false };
        Some(match explicit {
            Some(loc) => Value::literal(opp, loc),
            None => Value::default(
                opp,
                url.as_ref()
                    .map(|(d, dsn)| ctx.sub_loc(d, &dsn.scheme.1))
                    .or(port_loc.clone())
                    .unwrap_or(anchor.clone()),
                "Laravel uses the smtp scheme for every port but 465: STARTTLS only when the \
                 server offers it",
            ),
        })
    };
    profile.security = match scheme {
        Some((s, loc)) if s.eq_ignore_ascii_case("smtps") => {
            Some(Value::literal(Security::ImplicitTls, loc))
        }
        Some((s, loc)) if s.eq_ignore_ascii_case("smtp") => auto(Some(loc), ctx),
        Some((_, loc)) => {
            ctx.invalid(
                Severity::Error,
                loc,
                "the mailer scheme must be `smtp` or `smtps`".to_string(),
                "Symfony Mailer refuses this scheme",
                "use `smtps` for implicit TLS (port 465), `smtp` otherwise, or leave it empty \
                 to let the port decide",
            );
            None
        }
        None => match url_smtps {
            Some(loc) => Some(Value::literal(Security::ImplicitTls, loc)),
            None => auto(None, ctx),
        },
    };

    // MAIL_ENCRYPTION: ignored since Laravel 11, but people still believe in it.
    if let (Some(d), Some(sec)) = (ctx.get("MAIL_ENCRYPTION"), profile.security.clone()) {
        if let Some(Lv::Str(e)) = ctx.text(d).map(|t| laravel_env(t.trim())) {
            let e = e.to_ascii_lowercase();
            let on_port = port.map_or(String::new(), |p| format!(" on port {p}"));
            let implicit = sec.value == Security::ImplicitTls;
            let wrong = match e.as_str() {
                "ssl" | "smtps" if !implicit => Some("SSL"),
                "tls" | "starttls" if implicit => Some("STARTTLS"),
                _ => None,
            };
            if let Some(wanted) = wrong {
                let help = if implicit {
                    "remove MAIL_ENCRYPTION; implicit TLS on 465 is right, and for STARTTLS use \
                     port 587 instead"
                } else {
                    "remove MAIL_ENCRYPTION; for implicit TLS use port 465 (or MAIL_SCHEME=smtps) \
                     if your provider offers it"
                };
                ctx.invalid(
                    Severity::Warning,
                    ctx.vloc(d),
                    format!(
                        "the connection{on_port} gets {}, not {wanted}: Laravel ignores MAIL_ENCRYPTION",
                        sec.value
                    ),
                    "ignored since Laravel 11; the port decides",
                    help,
                );
            }
        }
    }

    // verify_peer: anything but a true value switches certificate checks off.
    if let Some((v, loc)) = verify_peer {
        if !v.is_empty() {
            profile.tls_verify = Some(Value::literal(php_bool(&v), loc));
        }
    }
    for (key, val) in [("require_tls", &require_tls), ("auto_tls", &auto_tls)] {
        if let Some((v, loc)) = val {
            if php_bool_strict(v).is_none() {
                ctx.invalid(
                    Severity::Warning,
                    loc.clone(),
                    format!("the `{key}` option in MAIL_URL is not a boolean"),
                    "read as false",
                    &format!("write `{key}=true` or `{key}=false`"),
                );
            }
        }
    }
    Some(profile)
}

/// PHP `filter_var($v, FILTER_VALIDATE_BOOL)`: true only for 1/true/on/yes.
fn php_bool(v: &str) -> bool {
    php_bool_strict(v) == Some(true)
}

fn php_bool_strict(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" | "" => Some(false),
        _ => None,
    }
}
