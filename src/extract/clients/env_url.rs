//! Mailer URLs in `.env` files, on the one URL parser ([`parse_dsn`]): the shared reading of a
//! URL-valued variable ([`DsnAt`], every part at its own span), the report of a password that
//! breaks its URL, and two clients: Django's `EMAIL_URL` (django-environ and dj-email-url) and
//! the generic `SMTP_URL` / `EMAIL_SERVER` / `MAIL_URL` of Node apps (Nodemailer's URL rules).
//! Symfony's `MAILER_DSN` is in [`super::symfony`], Laravel's `MAIL_URL` in [`super::laravel`].

use std::ops::Range;

use super::spelling::{suggest, KeySet};
use crate::extract::parse_bool;
use crate::extract::syntax::dotenv::{Ctx, Def};
use crate::extract::syntax::url::{parse_dsn, Dsn};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};

/// A URL-valued variable, parsed.
pub(crate) struct DsnAt<'a> {
    pub(crate) def: &'a Def,
    pub(crate) dsn: Dsn,
}

impl<'a> DsnAt<'a> {
    /// The URL in `key`, when it is set and not empty; a value that is not a URL is reported
    /// (`invalid-value`, error) and gives `None`.
    pub(crate) fn read(ctx: &mut Ctx<'a>, key: &str, program: &str) -> Option<DsnAt<'a>> {
        let def = ctx.get(key)?;
        let text = ctx.text(def)?;
        if text.trim().is_empty() {
            return None;
        }
        Self::read_part(ctx, def, key, program, &text, 0..text.len())
    }

    /// The URL at `range` of the value `text` of `def` (one DSN of several).
    pub(crate) fn read_part(
        ctx: &mut Ctx<'a>,
        def: &'a Def,
        key: &str,
        program: &str,
        text: &str,
        range: Range<usize>,
    ) -> Option<DsnAt<'a>> {
        let start = range.start;
        match parse_dsn(&text[range.clone()]) {
            Some(dsn) => Some(DsnAt {
                def,
                dsn: dsn.shifted(start),
            }),
            None => {
                let at = if range.len() < text.len() {
                    ctx.sub_loc(def, &range)
                } else {
                    ctx.vloc(def)
                };
                ctx.invalid(
                    Severity::Error,
                    at,
                    format!("the value of {key} is not a URL, so {program} cannot use it"),
                    "expected scheme://user:password@host:port",
                    "write it as `smtp://user:password@host:587`, with special characters in \
                     the user and password percent-encoded",
                );
                None
            }
        }
    }

    pub(crate) fn loc(&self, ctx: &Ctx, r: &Range<usize>) -> crate::source::Loc {
        ctx.sub_loc(self.def, r)
    }

    /// A part of the URL, when it is there and not empty, at its own span.
    pub(crate) fn part(
        &self,
        ctx: &Ctx,
        part: &Option<(String, Range<usize>)>,
    ) -> Option<Value<String>> {
        let (v, r) = part.as_ref().filter(|(v, _)| !v.is_empty())?;
        Some(Value::literal(v.clone(), ctx.sub_loc(self.def, r)))
    }

    /// The port, validated (`invalid-value` for one that is not 1-65535).
    pub(crate) fn port(&self, ctx: &mut Ctx, key: &str) -> Option<Value<u16>> {
        let p = self.part(ctx, &self.dsn.port)?;
        ctx.port(key, &p.value, p.loc)
    }

    /// The password, decoded, at its span (unknown when the value is built from `${...}`).
    pub(crate) fn password(&self, ctx: &mut Ctx) -> Option<Value<Secret>> {
        let (p, r) = self.dsn.pass.clone().filter(|(p, _)| !p.is_empty())?;
        if self.def.has_refs() {
            return ctx.password(self.def);
        }
        Some(Value::literal(Secret::new(p), ctx.sub_loc(self.def, &r)))
    }

    /// A query option's decoded value and its span (the last one, as PHP and Node keep it).
    pub(crate) fn query(&self, ctx: &Ctx, key: &str) -> Option<(String, crate::source::Loc)> {
        let (_, val, r) = self.dsn.query.iter().rev().find(|(k, _, _)| k == key)?;
        Some((val.clone(), ctx.sub_loc(self.def, r)))
    }
}

/// A raw `#`, `/` or `?` in the user or password ends that part of the URL: every URL parser
/// then reads another host and password. Reported at the character (`invalid-value`, error),
/// with its encoded form; the password itself is never written into the message.
pub(crate) fn report_broken_userinfo(ctx: &mut Ctx, dsn: &DsnAt, key: &str) {
    let Some((r, c)) = dsn.dsn.unencoded_at.clone() else {
        return;
    };
    let enc = Dsn::encoded(c);
    ctx.push(
        Finding::new(
            "invalid-value",
            Severity::Error,
            format!(
                "the user or password in {key} holds a raw `{c}`, which ends that part of a \
                 URL: the host, user and password are read wrongly"
            ),
            Label::new(dsn.loc(ctx, &r), format!("write `{enc}` here")),
        )
        .with_help(format!(
            "percent-encode it as `{enc}` (and `@` as `%40`, `:` as `%3A`, `/` as `%2F`, `?` as \
             `%3F`, `#` as `%23`)"
        )),
    );
}

// ---------------------------------------------------------------------------------------------
// Django's EMAIL_URL
// ---------------------------------------------------------------------------------------------

const DJ_PORT: &str = "Django connects to port 25 when the URL names no port (465 for smtp+ssl, \
                       587 for submission)";
const DJ_PLAIN: &str = "the smtp scheme sets neither EMAIL_USE_TLS nor EMAIL_USE_SSL: no TLS";
const DJ_LOGIN: &str = "Django logs in when the URL has both a user and a password";
/// Schemes that configure a Django backend other than SMTP.
const DJ_OTHER: &[&str] = &[
    "console",
    "consolemail",
    "file",
    "filemail",
    "memory",
    "memorymail",
    "dummy",
    "dummymail",
    "amazonses",
    "amazon-ses",
];
const DJ_SCHEMES: KeySet = KeySet {
    program: "Django",
    prefix: "",
    known: &[
        "smtp",
        "smtps",
        "smtp+tls",
        "smtp+ssl",
        "submission",
        "submit",
    ],
    renamed: &[],
};

/// Is there a non-empty `EMAIL_URL`? Then it is the mailer, and the `EMAIL_*` keys beside it
/// are not read as a second one.
pub(crate) fn has_email_url(ctx: &Ctx) -> bool {
    ctx.get("EMAIL_URL")
        .and_then(|d| ctx.text(d))
        .is_some_and(|t| !t.trim().is_empty())
}

/// `EMAIL_URL`, as django-environ (`env.email_url()`) and dj-email-url read it: `smtp` no TLS,
/// `smtps` and `smtp+tls` EMAIL_USE_TLS (STARTTLS), `smtp+ssl` EMAIL_USE_SSL (implicit TLS),
/// `submission`/`submit` STARTTLS on 587; dj-email-url's `?ssl=` / `?tls=` override.
pub(crate) fn from_email_url(ctx: &mut Ctx) -> Option<Profile> {
    let dsn = DsnAt::read(ctx, "EMAIL_URL", "Django")?;
    let scheme = dsn.dsn.scheme.0.to_ascii_lowercase();
    let scheme_at = dsn.loc(ctx, &dsn.dsn.scheme.1);
    let (sec, port) = match scheme.as_str() {
        "smtp" => (Security::None, 25),
        "smtps" | "smtp+tls" => (Security::StartTls { required: true }, 25),
        "smtp+ssl" => (Security::ImplicitTls, 465),
        "submission" | "submit" => (Security::StartTls { required: true }, 587),
        s => {
            if !DJ_OTHER.contains(&s) {
                let hint = suggest(&DJ_SCHEMES, s).unwrap_or("smtp+tls");
                ctx.invalid(
                    Severity::Error,
                    scheme_at,
                    format!("`{s}` is not an e-mail URL scheme Django's URL readers know"),
                    "unknown scheme",
                    &format!(
                        "did you mean `{hint}`? Use `smtp+tls://` for STARTTLS (587) or \
                         `smtp+ssl://` for implicit TLS (465)"
                    ),
                );
            }
            return None;
        }
    };
    report_broken_userinfo(ctx, &dsn, "EMAIL_URL");
    let anchor = ctx.loc(dsn.def.name_span.clone());
    let mut p = Profile::new(Client::Django, "EMAIL_URL", anchor.clone());
    p.host = dsn.part(ctx, &dsn.dsn.host);
    p.port = dsn.port(ctx, "EMAIL_URL");
    if p.port.is_none() && dsn.dsn.port.is_none() {
        p.port = Some(Value::default(port, scheme_at.clone(), DJ_PORT));
    }
    p.username = dsn.part(ctx, &dsn.dsn.user);
    p.password = dsn.password(ctx);
    p.auth = Some(match (&p.username, &p.password) {
        (Some(_), Some(pw)) => Value::default(AuthMethod::Password, pw.loc.clone(), DJ_LOGIN),
        _ => Value::default(AuthMethod::None, anchor, DJ_LOGIN),
    });
    // dj-email-url: `?ssl=` wins over `?tls=`, each only when truthy.
    let truthy = |v: &str| {
        matches!(v, "1" | "y" | "Y" | "yes" | "Yes" | "YES" | "t" | "T")
            || matches!(v.to_ascii_lowercase().as_str(), "true" | "on")
    };
    let query = match (dsn.query(ctx, "ssl"), dsn.query(ctx, "tls")) {
        (Some((v, at)), _) if truthy(&v) => Some((Security::ImplicitTls, at)),
        (_, Some((v, at))) if truthy(&v) => Some((Security::StartTls { required: true }, at)),
        _ => None,
    };
    p.security = Some(match query {
        Some((s, at)) => Value::literal(s, at),
        None if sec == Security::None => Value::default(sec, scheme_at, DJ_PLAIN),
        None => Value::literal(sec, scheme_at),
    });
    Some(p)
}

// ---------------------------------------------------------------------------------------------
// Generic SMTP_URL (Nodemailer's connection URL)
// ---------------------------------------------------------------------------------------------

/// Variables that hold a Nodemailer-style connection URL (`EMAIL_SERVER` is NextAuth's).
/// `MAIL_URL` only when the file is not Laravel's.
const GENERIC_URL: &[&str] = &[
    "SMTP_URL",
    "SMTP_DSN",
    "SMTP_CONNECTION_URL",
    "EMAIL_SERVER",
];
const NM_PORT: &str = "Nodemailer's default port: 465 for smtps://, otherwise 587";
const NM_OPP: &str = "an smtp:// URL starts in plaintext and uses STARTTLS only if the server \
                      offers it";
const NM_LOGIN: &str = "the URL has a password, so the app logs in with it";
const NM_SCHEMES: KeySet = KeySet {
    program: "Nodemailer",
    prefix: "",
    known: &["smtp", "smtps"],
    renamed: &[],
};

/// The generic URL variable of the file, if one holds a URL (`MAIL_URL` counts when `laravel`
/// is false).
pub(crate) fn generic_url_key(ctx: &Ctx, laravel: bool) -> Option<&'static str> {
    let mail_url: &[&str] = if laravel { &[] } else { &["MAIL_URL"] };
    // Only a URL: some apps keep a bare host name in `EMAIL_SERVER` or `MAIL_URL`.
    GENERIC_URL.iter().chain(mail_url).copied().find(|k| {
        ctx.get(k)
            .and_then(|d| ctx.text(d))
            .is_some_and(|t| t.contains("://"))
    })
}

/// A generic connection URL, as Nodemailer reads one: `smtps://` implicit TLS (port 465),
/// `smtp://` plaintext upgraded by STARTTLS when offered (port 587); the query options
/// `requireTLS`, `ignoreTLS` and `tls.rejectUnauthorized`.
pub(crate) fn from_generic_url(ctx: &mut Ctx, key: &'static str) -> Option<Profile> {
    let dsn = DsnAt::read(ctx, key, "the app")?;
    let scheme = dsn.dsn.scheme.0.to_ascii_lowercase();
    let scheme_at = dsn.loc(ctx, &dsn.dsn.scheme.1);
    let implicit = match scheme.as_str() {
        "smtp" => false,
        "smtps" => true,
        s => {
            if let Some(hint) = suggest(&NM_SCHEMES, s) {
                ctx.invalid(
                    Severity::Error,
                    scheme_at,
                    format!("`{s}` is not an SMTP URL scheme"),
                    "unknown scheme",
                    &format!("did you mean `{hint}://`?"),
                );
            }
            return None;
        }
    };
    report_broken_userinfo(ctx, &dsn, key);
    let anchor = ctx.loc(dsn.def.name_span.clone());
    let mut p = Profile::new(Client::DotenvGeneric, key, anchor);
    p.host = dsn.part(ctx, &dsn.dsn.host);
    p.port = dsn.port(ctx, key);
    if p.port.is_none() && dsn.dsn.port.is_none() {
        let port = if implicit { 465 } else { 587 };
        p.port = Some(Value::default(port, scheme_at.clone(), NM_PORT));
    }
    p.username = dsn.part(ctx, &dsn.dsn.user);
    p.password = dsn.password(ctx);
    p.auth = p
        .password
        .as_ref()
        .map(|pw| Value::default(AuthMethod::Password, pw.loc.clone(), NM_LOGIN));
    let on =
        |q: Option<(String, crate::source::Loc)>| q.filter(|(v, _)| parse_bool(v) == Some(true));
    p.security = Some(if implicit {
        Value::literal(Security::ImplicitTls, scheme_at)
    } else if let Some((_, at)) = on(dsn.query(ctx, "requireTLS")) {
        Value::literal(Security::StartTls { required: true }, at)
    } else if let Some((_, at)) = on(dsn.query(ctx, "ignoreTLS")) {
        Value::literal(Security::None, at)
    } else {
        Value::default(Security::StartTls { required: false }, scheme_at, NM_OPP)
    });
    if let Some((v, at)) = dsn.query(ctx, "tls.rejectUnauthorized") {
        if parse_bool(&v) == Some(false) && !v.is_empty() {
            p.tls_verify = Some(Value::literal(false, at));
        }
    }
    Some(p)
}
