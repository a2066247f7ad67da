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

use super::env_url::{report_broken_userinfo, DsnAt};
use super::spelling::{check_env_keys, KeySet};
use super::symfony::{
    bad_scheme, login, php_bool, php_bool_strict, transport_security, DsnOptions, NO_PORT_NOTE,
};
use crate::extract::php::value::{Arr, EnvRead, Expr, Field};
use crate::extract::syntax::dotenv::{Ctx, Def};
use crate::extract::syntax::url::{parse_dsn, Dsn};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{laravel_env, PhpVal, UrlPart};
use crate::model::{Client, EnvRef, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

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

/// The `MAIL_*` names Laravel's stock `config/mail.php` reads (and Flask-Mail's, which share
/// the prefix): another name one or two edits away is a misspelling.
pub(crate) const KEYS: KeySet = KeySet {
    program: "Laravel",
    prefix: "MAIL_",
    known: &[
        "MAIL_MAILER",
        "MAIL_DRIVER",
        "MAIL_SCHEME",
        "MAIL_URL",
        "MAIL_HOST",
        "MAIL_PORT",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_ENCRYPTION",
        "MAIL_EHLO_DOMAIN",
        "MAIL_FROM_ADDRESS",
        "MAIL_FROM_NAME",
        "MAIL_LOG_CHANNEL",
        "MAIL_SENDMAIL_PATH",
        "MAIL_MARKDOWN_THEME",
        "MAIL_SERVER",
        "MAIL_USE_TLS",
        "MAIL_USE_SSL",
        "MAIL_DEFAULT_SENDER",
        "MAIL_MAX_EMAILS",
        "MAIL_SUPPRESS_SEND",
        "MAIL_ASCII_ATTACHMENTS",
        "MAIL_DEBUG",
    ],
    renamed: &[],
};

/// Does this env file hold Laravel's mail settings?
pub(crate) fn env_recognised(ctx: &Ctx) -> bool {
    ctx.has_any(LARAVEL_STRONG) || (ctx.has_any(LARAVEL_WEAK) && !ctx.has_any(FLASK_MAIL))
}

/// A non-empty string as Laravel's `env()` returns it.
fn lv_string(ctx: &Ctx, d: &Def) -> Option<Value<String>> {
    let v = ctx.string(d)?;
    match laravel_env(&v.value) {
        PhpVal::Str(s) if !s.trim().is_empty() => Some(Value::literal(s, v.loc)),
        _ => None,
    }
}

/// The mailer an env file configures through Laravel's stock `config/mail.php`.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(&[LARAVEL_STRONG, LARAVEL_WEAK, &["MAIL_FROM_ADDRESS"]].concat())?;
    if !env_mailer_is_smtp(ctx) {
        return None;
    }
    check_env_keys(ctx, &KEYS, "Laravel uses its default for that setting");
    let mut profile = Profile::new(Client::Laravel, "MAIL_*", anchor.clone());
    // MAIL_URL overrides host, port, username and password; its query sets transport options.
    let url = env_url(ctx);
    if url.as_ref().is_some_and(|u| u.unsupported) {
        return None;
    }
    let url = url.filter(|u| !u.unsupported);
    env_fields(ctx, &mut profile, url.as_ref());
    let opts = DsnOptions {
        require_tls: url.as_ref().and_then(|u| u.query(ctx, "require_tls")),
        auto_tls: url.as_ref().and_then(|u| u.query(ctx, "auto_tls")),
    };
    let port_at = profile.port.as_ref().map(|p| p.loc.clone());
    let smtp_at = url
        .as_ref()
        .map(|u| ctx.sub_loc(u.def, &u.dsn.scheme.1))
        .or(port_at)
        .unwrap_or(anchor.clone());
    profile.security = env_security(ctx, &profile, url.as_ref(), &opts, smtp_at);
    // MAIL_ENCRYPTION: not read by the stock config since Laravel 11, but people still
    // believe in it.
    if let (Some(d), Some(sec)) = (ctx.get("MAIL_ENCRYPTION"), profile.security.clone()) {
        if let Some(PhpVal::Str(e)) = ctx.text(d).map(|t| laravel_env(t.trim())) {
            let port = profile.port.as_ref().map(|p| p.value);
            let f = encryption_ignored(&e, ctx.vloc(d), sec.value, port, Ignored::EnvFile);
            ctx.findings.extend(f);
        }
    }
    // verify_peer: anything but a true value switches certificate checks off.
    if let Some((v, loc)) = url.as_ref().and_then(|u| u.query(ctx, "verify_peer")) {
        if !v.is_empty() {
            profile.tls_verify = Some(Value::literal(php_bool(&v), loc));
        }
    }
    for (key, val) in [
        ("require_tls", &opts.require_tls),
        ("auto_tls", &opts.auto_tls),
    ] {
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

/// Which mailer? Only `smtp` reads the SMTP settings; a misspelt or empty name is reported.
fn env_mailer_is_smtp(ctx: &mut Ctx) -> bool {
    let Some(d) = ctx.first_of(&["MAIL_MAILER", "MAIL_DRIVER"]) else {
        return true;
    };
    let key = d.name.clone();
    let raw = ctx.text(d).unwrap_or_else(|| "smtp".to_string());
    let name = match laravel_env(raw.trim()) {
        PhpVal::Str(s) => s.trim().to_string(),
        PhpVal::Null => String::new(),
        PhpVal::Bool(_) | PhpVal::Int(_) => return false,
    };
    if name == "smtp" {
        return true;
    }
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
    false
}

/// `MAIL_URL`, parsed, with what its scheme means.
struct EnvUrl<'a> {
    def: &'a Def,
    dsn: Dsn,
    /// `smtps://`: Laravel has no such transport (reported); where it is used anyway, its span.
    smtps: Option<Loc>,
    /// Not an SMTP transport at all: the SMTP settings are unused.
    unsupported: bool,
}

impl EnvUrl<'_> {
    /// A query option's decoded value and its span.
    fn query(&self, ctx: &Ctx, key: &str) -> Option<(String, Loc)> {
        let (_, val, r) = self.dsn.query.iter().rev().find(|(k, _, _)| k == key)?;
        Some((val.clone(), ctx.sub_loc(self.def, r)))
    }

    /// A part of the URL, when it is there and not empty.
    fn part(&self, ctx: &Ctx, part: &Option<(String, Range<usize>)>) -> Option<Value<String>> {
        let (v, r) = part.as_ref().filter(|(v, _)| !v.is_empty())?;
        Some(Value::literal(v.clone(), ctx.sub_loc(self.def, r)))
    }
}

fn env_url<'a>(ctx: &mut Ctx<'a>) -> Option<EnvUrl<'a>> {
    let d = ctx.get("MAIL_URL")?;
    let t = ctx.text(d)?;
    match laravel_env(t.trim()) {
        PhpVal::Str(s) if !s.trim().is_empty() => {}
        _ => return None,
    }
    let Some(dsn) = parse_dsn(&t) else {
        ctx.invalid(
            Severity::Error,
            ctx.vloc(d),
            "the value of MAIL_URL is not a mailer URL".to_string(),
            "expected scheme://user:password@host:port",
            "write it as `smtp://user:password@host:587?require_tls=true`, with \
             special characters in the user and password percent-encoded",
        );
        return None;
    };
    let mut url = EnvUrl {
        def: d,
        smtps: None,
        unsupported: false,
        dsn,
    };
    let sloc = ctx.sub_loc(d, &url.dsn.scheme.1);
    match url.dsn.scheme.0.to_ascii_lowercase().as_str() {
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
            url.smtps = Some(sloc);
        }
        s if s.starts_with("smtp") => {
            ctx.invalid(
                Severity::Error,
                sloc,
                "the MAIL_URL scheme is not a Laravel mail transport".to_string(),
                "Laravel fails with \"Unsupported mail transport\"",
                "start MAIL_URL with `smtp://`",
            );
            url.unsupported = true;
        }
        // log://, sendmail://, ...: not an SMTP transport.
        _ => url.unsupported = true,
    }
    if !url.unsupported {
        let at = DsnAt {
            def: d,
            dsn: url.dsn.clone(),
        };
        report_broken_userinfo(ctx, &at, "MAIL_URL");
    }
    Some(url)
}

/// Host, port, login, password and From: MAIL_URL's parts first, then the `MAIL_*` keys.
fn env_fields(ctx: &mut Ctx, profile: &mut Profile, url: Option<&EnvUrl>) {
    profile.host = url
        .and_then(|u| u.part(ctx, &u.dsn.host))
        .or_else(|| ctx.get("MAIL_HOST").and_then(|d| lv_string(ctx, d)));
    let url_port = url.and_then(|u| u.part(ctx, &u.dsn.port));
    profile.port = match url_port {
        Some(p) => ctx.port("MAIL_URL", &p.value, p.loc),
        None => match ctx.get("MAIL_PORT") {
            Some(d) => match ctx.text(d).map(|t| laravel_env(t.trim())) {
                Some(PhpVal::Str(_)) => ctx.port_of("MAIL_PORT", d),
                _ => None,
            },
            None => None,
        },
    };
    profile.username = url
        .and_then(|u| u.part(ctx, &u.dsn.user))
        .or_else(|| ctx.get("MAIL_USERNAME").and_then(|d| lv_string(ctx, d)));
    profile.password = match url {
        Some(u) if u.dsn.pass.as_ref().is_some_and(|p| !p.0.is_empty()) => {
            if u.def.has_refs() {
                ctx.password(u.def)
            } else {
                let (p, r) = u.dsn.pass.clone().unwrap_or_default();
                Some(Value::literal(Secret::new(p), ctx.sub_loc(u.def, &r)))
            }
        }
        _ => match ctx.get("MAIL_PASSWORD") {
            Some(d) => match laravel_env(&d.value) {
                PhpVal::Str(_) => ctx.password(d),
                _ => None,
            },
            None => None,
        },
    };
    let password_at = profile.password.as_ref().map(|p| p.loc.clone());
    profile.auth = Some(login(
        profile.username.as_ref().map(|u| u.loc.clone()),
        password_at,
        profile.anchor.clone(),
    ));
    if let Some(f) = ctx.get("MAIL_FROM_ADDRESS").and_then(|d| lv_string(ctx, d)) {
        profile.from.push(f);
    }
}

/// The connection's security: MAIL_SCHEME (or `scheme=` in the URL query), else the port.
fn env_security(
    ctx: &mut Ctx,
    profile: &Profile,
    url: Option<&EnvUrl>,
    opts: &DsnOptions,
    smtp_at: Loc,
) -> Option<Value<Security>> {
    let scheme: Option<(String, Loc)> = match url.and_then(|u| u.query(ctx, "scheme")) {
        Some(s) => Some(s),
        None => ctx.get("MAIL_SCHEME").and_then(|d| {
            let t = ctx.text(d)?;
            match laravel_env(t.trim()) {
                PhpVal::Str(s) => Some((s.trim().to_string(), ctx.vloc(d))),
                _ => None,
            }
        }),
    };
    let scheme = scheme.filter(|(s, _)| !s.is_empty());
    let (smtps, explicit_smtp) = match scheme {
        Some((s, loc)) if s.eq_ignore_ascii_case("smtps") => (Some(loc), None),
        Some((s, loc)) if s.eq_ignore_ascii_case("smtp") => (None, Some(loc)),
        Some((_, loc)) => {
            ctx.findings.push(bad_scheme(loc));
            return None;
        }
        None => (url.and_then(|u| u.smtps.clone()), None),
    };
    let port = profile.port.as_ref();
    let sec = transport_security(smtps, port, explicit_smtp, smtp_at)?;
    opts.apply(sec, &mut ctx.findings)
}

// ---------------------------------------------------------------------------------------------
// config/mail.php
// ---------------------------------------------------------------------------------------------

/// The SMTP mailers of the arrays a `config/mail.php` returns.
///
/// Both layouts are read: `'mailers' => ['smtp' => [...]]` (Laravel 7+, one profile per mailer
/// whose `transport` is `smtp`) and the older top-level `'driver' => 'smtp', 'host' => ...`,
/// which Laravel still accepts. The global `'from' => ['address' => ...]` is the From of every
/// profile. Environment reads become [`EnvRef`]s with the conversion Laravel's `env()` applies.
pub(crate) fn from_config(file: FileId, returns: &[(Arr, Range<usize>)], ex: &mut Extraction) {
    for (arr, _) in returns {
        let from = arr.get("from").map(|e| &e.value);
        if let Some(Expr::Array(mailers)) = arr.get("mailers").map(|e| &e.value) {
            for m in &mailers.entries {
                let Expr::Array(cfg) = &m.value else { continue };
                let smtp = match cfg.get("transport") {
                    Some(t) => names_smtp(&t.value),
                    None => m.key.as_deref() == Some("smtp"),
                };
                if smtp {
                    let label = format!("mailers.{}", m.key.as_deref().unwrap_or("?"));
                    let mailer = ConfigMailer { file, cfg, from };
                    let p = mailer.profile(label, m.key_span.clone(), ex);
                    ex.profiles.push(p);
                }
            }
        } else if let Some(driver) = arr.get("driver") {
            if names_smtp(&driver.value) && (arr.get("host").is_some() || arr.get("port").is_some())
            {
                let mailer = ConfigMailer {
                    file,
                    cfg: arr,
                    from,
                };
                let p = mailer.profile("mail (driver smtp)".into(), driver.key_span.clone(), ex);
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

enum PortSrc {
    Literal(Value<u16>),
    Env(EnvRead),
    Absent,
    Unknown,
}

/// One mailer array of `config/mail.php`, and the global From.
struct ConfigMailer<'a> {
    file: FileId,
    cfg: &'a Arr,
    from: Option<&'a Expr>,
}

impl ConfigMailer<'_> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn get(&self, key: &str) -> Option<&Expr> {
        self.cfg.get(key).map(|e| &e.value)
    }

    fn env_ref(&self, e: &EnvRead, f: Field) -> EnvRef {
        e.env_ref(|r| self.loc(r), f)
    }

    fn profile(&self, label: String, anchor: Range<usize>, ex: &mut Extraction) -> Profile {
        let mut p = Profile::new(Client::LaravelConfig, label, self.loc(anchor.clone()));
        let mut refs: Vec<EnvRef> = Vec::new();
        let mut localhost = false;
        match self.get("host") {
            Some(Expr::Str(s)) if !s.text.trim().is_empty() => {
                localhost = s.text.trim() == "localhost";
                p.host = Some(Value::literal(s.text.clone(), self.loc(s.span.clone())));
            }
            Some(Expr::Env(e)) => refs.push(self.env_ref(e, Field::Host)),
            _ => {}
        }
        let port = self.port(ex);
        self.security(&mut p, &mut refs, port, localhost, &anchor, ex);
        if let (Some(Expr::Str(enc)), Some(sec)) = (self.get("encryption"), &p.security) {
            let port = p.port.as_ref().map(|p| p.value);
            let at = self.loc(enc.span.clone());
            ex.findings.extend(encryption_ignored(
                &enc.text,
                at,
                sec.value,
                port,
                Ignored::Config,
            ));
        }
        self.login(&mut p, &mut refs, &anchor, ex);
        // `url`: what the URL holds overrides host, port and login (Laravel's
        // ConfigurationUrlParser), so its reads come last.
        if let Some(Expr::Env(e)) = self.get("url") {
            for part in [
                UrlPart::Host,
                UrlPart::Port,
                UrlPart::PortSecurity,
                UrlPart::Username,
                UrlPart::Password,
                UrlPart::Verify,
            ] {
                refs.push(self.env_ref(e, Field::LvUrl(part)));
            }
        }
        // `verify_peer` => false turns off both certificate and name checks.
        match self.get("verify_peer") {
            Some(Expr::Env(e)) => refs.push(self.env_ref(e, Field::LvVerify)),
            Some(e) => {
                let off = match e.literal() {
                    Some(PhpVal::Null) | None => false,
                    Some(PhpVal::Str(s)) if s.is_empty() => false,
                    Some(v) => !v.filter_bool(),
                };
                if off {
                    p.tls_verify = Some(Value::literal(false, self.loc(e.span())));
                }
            }
            None => {}
        }
        if let Some(Expr::Array(f)) = self.from {
            match f.get("address").map(|e| &e.value) {
                Some(Expr::Str(s)) if !s.text.trim().is_empty() => p
                    .from
                    .push(Value::literal(s.text.clone(), self.loc(s.span.clone()))),
                Some(Expr::Env(e)) => refs.push(self.env_ref(e, Field::From)),
                _ => {}
            }
        }
        p.env_refs = refs;
        p
    }

    fn port(&self, ex: &mut Extraction) -> PortSrc {
        let e = match self.get("port") {
            None | Some(Expr::Null { .. }) => return PortSrc::Absent,
            Some(Expr::Env(e)) => return PortSrc::Env(e.clone()),
            Some(e) => e,
        };
        let Some(v) = e.literal() else {
            return PortSrc::Unknown;
        };
        let n = match &v {
            PhpVal::Int(i) => Some(*i),
            PhpVal::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            _ => None,
        };
        match n.and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0) {
            Some(n) => PortSrc::Literal(Value::literal(n, self.loc(e.span()))),
            None => {
                ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Error,
                        "the mailer's port is not a port number (1-65535)",
                        Label::new(self.loc(e.span()), "not a port"),
                    )
                    .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                );
                PortSrc::Unknown
            }
        }
    }

    /// Port and TLS mode: `scheme` => `smtps` forces implicit TLS; `smtp` or nothing lets the
    /// port decide; DSN options then adjust STARTTLS.
    fn security(
        &self,
        p: &mut Profile,
        refs: &mut Vec<EnvRef>,
        port: PortSrc,
        localhost: bool,
        anchor: &Range<usize>,
        ex: &mut Extraction,
    ) {
        let mut smtps: Option<Loc> = None;
        let mut scheme_env: Option<&EnvRead> = None;
        match self.get("scheme") {
            Some(Expr::Str(s)) => match s.text.to_ascii_lowercase().as_str() {
                "smtps" => smtps = Some(self.loc(s.span.clone())),
                "smtp" | "" => {}
                _ => ex.findings.push(bad_scheme(self.loc(s.span.clone()))),
            },
            Some(Expr::Env(e)) => scheme_env = Some(e),
            _ => {}
        }
        match &port {
            PortSrc::Literal(v) => {
                p.port = Some(v.clone());
                p.security = transport_security(smtps.clone(), Some(v), None, v.loc.clone());
                if let (Some(e), None) = (scheme_env, &smtps) {
                    let f = if v.value == 465 {
                        Field::LvScheme465
                    } else {
                        Field::LvScheme
                    };
                    refs.push(self.env_ref(e, f));
                }
            }
            PortSrc::Env(pe) => {
                refs.push(self.env_ref(pe, Field::Port));
                match &smtps {
                    Some(s) => p.security = Some(Value::literal(Security::ImplicitTls, s.clone())),
                    None => {
                        // The port's mode first; `MAIL_SCHEME=smtps` then makes it implicit
                        // TLS, any other scheme leaves it.
                        refs.push(self.env_ref(pe, Field::LvPortSecurity));
                        if let Some(e) = scheme_env {
                            refs.push(self.env_ref(e, Field::LvScheme));
                        }
                    }
                }
            }
            PortSrc::Absent => {
                // No port and no TLS choice: implicit TLS on 465 (port 25 without TLS for
                // localhost).
                let at = self.loc(anchor.clone());
                let (port, sec) = if localhost {
                    (25, Security::StartTls { required: false })
                } else {
                    (465, Security::ImplicitTls)
                };
                p.port = Some(Value::default(port, at.clone(), NO_PORT_NOTE));
                p.security = Some(match &smtps {
                    Some(s) => Value::literal(Security::ImplicitTls, s.clone()),
                    None => Value::default(sec, at, NO_PORT_NOTE),
                });
            }
            PortSrc::Unknown => {
                if let Some(s) = smtps {
                    p.security = Some(Value::literal(Security::ImplicitTls, s));
                }
            }
        }
        let opts = DsnOptions {
            require_tls: self.option("require_tls"),
            auto_tls: self.option("auto_tls"),
        };
        if let Some(sec) = p.security.take() {
            p.security = opts.apply(sec, &mut ex.findings);
        }
    }

    /// A DSN option written as a literal, as the text Symfony Mailer's boolean reading sees.
    fn option(&self, key: &str) -> Option<(String, Loc)> {
        let e = self.get(key)?;
        let text = match e.literal()? {
            PhpVal::Bool(b) => b.to_string(),
            v => v.to_text(),
        };
        Some((text, self.loc(e.span())))
    }

    /// Username and password: Symfony Mailer logs in when a username is set.
    fn login(
        &self,
        p: &mut Profile,
        refs: &mut Vec<EnvRef>,
        anchor: &Range<usize>,
        ex: &mut Extraction,
    ) {
        match self.get("username") {
            Some(Expr::Str(s)) if !s.text.is_empty() => {
                let at = self.loc(s.span.clone());
                p.username = Some(Value::literal(s.text.clone(), at.clone()));
                p.auth = Some(login(Some(at), None, p.anchor.clone()));
            }
            Some(Expr::Env(e)) => {
                refs.push(self.env_ref(e, Field::Username));
                refs.push(self.env_ref(e, Field::LvUserAuth));
                let at = self.loc(e.reference.clone());
                p.auth = Some(login(Some(at), None, p.anchor.clone()));
            }
            Some(Expr::Unknown { .. }) => {}
            other => {
                let at = other.map(Expr::span).unwrap_or_else(|| anchor.clone());
                p.auth = Some(login(None, None, self.loc(at)));
            }
        }
        match self.get("password") {
            Some(Expr::Str(s)) if !s.text.is_empty() => {
                ex.secrets.push(s.span.clone());
                p.password = Some(Value::literal(
                    Secret::new(s.text.clone()),
                    self.loc(s.span.clone()),
                ));
            }
            Some(Expr::Env(e)) => refs.push(self.env_ref(e, Field::Password)),
            _ => {}
        }
    }
}

/// Where an ignored `encryption` setting was written.
#[derive(Clone, Copy)]
enum Ignored {
    /// `MAIL_ENCRYPTION` in an env file: the stock config has not read it since Laravel 11.
    EnvFile,
    /// `'encryption'` in `config/mail.php`: Symfony Mailer (Laravel 9+) has no such option.
    Config,
}

/// `encryption`/`MAIL_ENCRYPTION` plays no part in the connection; a warning when it promises
/// another TLS mode than the connection gets.
fn encryption_ignored(
    enc: &str,
    loc: Loc,
    sec: Security,
    port: Option<u16>,
    place: Ignored,
) -> Option<Finding> {
    let implicit = sec == Security::ImplicitTls;
    let wanted = match enc.trim().to_ascii_lowercase().as_str() {
        "ssl" | "smtps" if !implicit => "SSL",
        "tls" | "starttls" if implicit => "STARTTLS",
        _ => return None,
    };
    let on_port = port.map_or(String::new(), |p| format!(" on port {p}"));
    let (name, label, scheme_fix) = match place {
        Ignored::EnvFile => (
            "MAIL_ENCRYPTION",
            "ignored since Laravel 11; the port decides",
            "MAIL_SCHEME=smtps",
        ),
        Ignored::Config => (
            "'encryption'",
            "ignored since Laravel 9 (Symfony Mailer)",
            "'scheme' => 'smtps'",
        ),
    };
    let help = if implicit {
        format!(
            "remove {name}; implicit TLS on 465 is right, and for STARTTLS use port 587 instead"
        )
    } else {
        format!(
            "remove {name}; for implicit TLS use port 465 (or {scheme_fix}) if your provider \
             offers it"
        )
    };
    Some(
        Finding::new(
            "invalid-value",
            Severity::Warning,
            format!("the connection{on_port} gets {sec}, not {wanted}: Laravel ignores {name}"),
            Label::new(loc, label),
        )
        .with_help(help),
    )
}
