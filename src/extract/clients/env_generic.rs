//! `SMTP_*` variables in env files, read with the meaning of the app that reads them: the
//! generic meaning most apps give them (Nodemailer-style apps), or Mastodon's or Vaultwarden's
//! when [`super::env_families`] recognises the file as theirs. The same reading serves a
//! prefixed family (`APP_SMTP_HOST`, ...): every key is looked up under the family's prefix.

use crate::extract::parse_bool;
use crate::extract::syntax::dotenv::{flag, Ctx, Def};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Security, Value};
use crate::source::Loc;

const G_HOST: &[&str] = &["SMTP_HOST", "SMTP_SERVER", "SMTP_ADDRESS"];
const G_PORT: &[&str] = &["SMTP_PORT"];
const G_USER: &[&str] = &["SMTP_USER", "SMTP_USERNAME", "SMTP_LOGIN"];
const G_PASS: &[&str] = &["SMTP_PASS", "SMTP_PASSWORD"];
const G_FROM: &[&str] = &[
    "SMTP_FROM",
    "SMTP_FROM_ADDRESS",
    "SMTP_FROM_EMAIL",
    "MAIL_FROM",
    "EMAIL_FROM",
];
const G_SECURITY: &[&str] = &[
    "SMTP_SECURE",
    "SMTP_SSL",
    "SMTP_STARTTLS",
    "SMTP_TLS",
    "SMTP_SECURITY",
    "SMTP_ENABLE_STARTTLS",
    "SMTP_ENABLE_STARTTLS_AUTO",
];

/// Whose meaning the `SMTP_*` keys have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dialect {
    Generic,
    /// Mastodon's `config/email.yml` (ActionMailer and the mail gem underneath).
    Mastodon,
    /// Vaultwarden's `SMTP_SECURITY` and its defaults.
    Vaultwarden,
}

/// The keys one reading looks at: a prefix (empty, or `APP_` for `APP_SMTP_HOST`), and which
/// names give host, login and From (an app reads only its own names).
pub(crate) struct Keys {
    pub(crate) prefix: String,
    pub(crate) label: String,
    pub(crate) dialect: Dialect,
    pub(crate) host: &'static [&'static str],
    pub(crate) user: &'static [&'static str],
    pub(crate) pass: &'static [&'static str],
    pub(crate) from: &'static [&'static str],
}

impl Keys {
    /// The generic reading of the unprefixed `SMTP_*` keys.
    pub(crate) fn generic(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.to_string(),
            label: format!("{prefix}SMTP_*"),
            dialect: Dialect::Generic,
            host: G_HOST,
            user: G_USER,
            pass: G_PASS,
            from: if prefix.is_empty() {
                G_FROM
            } else {
                &G_FROM[..3]
            },
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get<'a>(&self, ctx: &Ctx<'a>, key: &str) -> Option<&'a Def> {
        ctx.get(&self.name(key))
    }

    fn first_of<'a>(&self, ctx: &Ctx<'a>, keys: &[&str]) -> Option<&'a Def> {
        keys.iter().find_map(|k| self.get(ctx, k))
    }
}
const G_AUTH: &[&str] = &["SMTP_AUTH_METHOD", "SMTP_AUTH_MECHANISM", "SMTP_AUTH_TYPE"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Claim {
    Implicit,
    StartReq,
    StartOpp,
    Plain,
}

const MASTODON_PORT: &str = "Mastodon passes no port when SMTP_PORT is unset, and the mail gem \
                             then connects to port 25";
const MASTODON_AUTO: &str = "Mastodon sets enable_starttls_auto unless SMTP_ENABLE_STARTTLS_AUTO \
                             is `false`: STARTTLS only when the server offers it";
const VW_DEFAULT: &str = "Vaultwarden's SMTP_SECURITY defaults to starttls";
const VW_PORT: &str = "Vaultwarden's default port: 587 for starttls, 465 for force_tls, 25 for off";

/// The profile of the `SMTP_*` variables of an env file, read as `keys` says.
pub(crate) fn from_env_file(ctx: &mut Ctx, keys: &Keys) -> Option<Profile> {
    let core: Vec<String> = [keys.host, G_PORT, keys.user, keys.pass, G_SECURITY]
        .concat()
        .iter()
        .map(|k| keys.name(k))
        .collect();
    let core: Vec<&str> = core.iter().map(String::as_str).collect();
    let anchor = ctx.anchor(&core)?;
    let mut profile = Profile::new(Client::DotenvGeneric, keys.label.clone(), anchor.clone());
    profile.host = keys.first_of(ctx, keys.host).and_then(|d| ctx.string(d));
    if let Some(d) = keys.first_of(ctx, G_PORT) {
        let key = d.name.clone();
        profile.port = ctx.port_of(&key, d);
    }
    profile.username = keys.first_of(ctx, keys.user).and_then(|d| ctx.string(d));
    let pass_def = keys.first_of(ctx, keys.pass);
    profile.password = pass_def.and_then(|d| ctx.password(d));
    if let Some(f) = keys.first_of(ctx, keys.from).and_then(|d| ctx.string(d)) {
        profile.from.push(f);
    }
    profile.security = security(ctx, keys);
    let near = profile.host.as_ref().map_or(anchor, |h| h.loc.clone());
    defaults(keys.dialect, &mut profile, near);
    profile.tls_verify = generic_verify(ctx, keys);
    profile.auth = auth(ctx, keys, pass_def);
    Some(profile)
}

/// What the app does when the file leaves the TLS mode or the port out.
fn defaults(dialect: Dialect, p: &mut Profile, near: Loc) {
    match dialect {
        Dialect::Generic => {}
        Dialect::Mastodon => {
            if p.security.is_none() {
                let opp = Security::StartTls { required: false };
                p.security = Some(Value::default(opp, near.clone(), MASTODON_AUTO));
            }
            if p.port.is_none() {
                p.port = Some(Value::default(25, near, MASTODON_PORT));
            }
        }
        Dialect::Vaultwarden => {
            if p.security.is_none() {
                let req = Security::StartTls { required: true };
                p.security = Some(Value::default(req, near.clone(), VW_DEFAULT));
            }
            if p.port.is_none() {
                let port = match p.security.as_ref().map(|s| s.value) {
                    Some(Security::ImplicitTls) => 465,
                    Some(Security::None) => 25,
                    _ => 587,
                };
                let at = p.security.as_ref().map_or(near, |s| s.loc.clone());
                p.port = Some(Value::default(port, at, VW_PORT));
            }
        }
    }
}

/// What each security key of the file claims, with where it was made.
fn security(ctx: &mut Ctx, keys: &Keys) -> Option<Value<Security>> {
    let mastodon = keys.dialect == Dialect::Mastodon;
    let mut claims: Vec<(Claim, Loc, String)> = Vec::new();
    let mut claim = |c: Claim, ctx: &Ctx, d: &Def| claims.push((c, ctx.vloc(d), d.name.clone()));
    if let Some(d) = keys.get(ctx, "SMTP_SECURE") {
        // Nodemailer `secure`: true = implicit TLS; false = plain start, STARTTLS if offered.
        // Apps in PHPMailer's style write a mode word instead (`ssl`, `starttls`).
        let word = ctx.text(d).map(|t| t.trim().to_ascii_lowercase());
        match word.as_deref().and_then(mode_word) {
            Some(c) => c.into_iter().for_each(|c| claim(c, ctx, d)),
            None => match flag(ctx, &d.name, d) {
                Some(true) => claim(Claim::Implicit, ctx, d),
                Some(false) => claim(Claim::StartOpp, ctx, d),
                None => {}
            },
        }
    }
    // Mastodon: implicit TLS only for the exact string `true`.
    let exact_true = |ctx: &Ctx, d: &Def| ctx.text(d).is_some_and(|t| t.trim() == "true");
    if let Some(d) = keys.get(ctx, "SMTP_SSL") {
        let on = match keys.dialect {
            Dialect::Mastodon => exact_true(ctx, d),
            // Vaultwarden's retired SMTP_SSL is not implicit TLS (it meant STARTTLS).
            Dialect::Vaultwarden => false,
            Dialect::Generic => flag(ctx, &d.name, d) == Some(true),
        };
        if on {
            claim(Claim::Implicit, ctx, d);
        }
    }
    if let Some(d) = keys.get(ctx, "SMTP_TLS").filter(|_| mastodon) {
        if exact_true(ctx, d) {
            claim(Claim::Implicit, ctx, d);
        }
    }
    if let Some(d) = keys.get(ctx, "SMTP_STARTTLS").filter(|_| !mastodon) {
        if flag(ctx, &d.name, d) == Some(true) {
            claim(Claim::StartReq, ctx, d);
        }
    }
    if let Some(d) = keys.get(ctx, "SMTP_SECURITY").filter(|_| !mastodon) {
        if let Some(c) = security_word(ctx, keys.dialect, d) {
            claim(c, ctx, d);
        }
    }
    if mastodon {
        mastodon_starttls(ctx, keys, &mut claim);
    }
    settle(ctx, &claims)
}

/// `SMTP_SECURITY`: Vaultwarden's three words (anything else stops Vaultwarden), or the words
/// other apps use for it.
fn security_word(ctx: &mut Ctx, dialect: Dialect, d: &Def) -> Option<Claim> {
    let t = ctx.text(d)?;
    let word = t.trim().to_ascii_lowercase();
    match (dialect, word.as_str()) {
        (_, "force_tls") => Some(Claim::Implicit),
        (_, "starttls") => Some(Claim::StartReq),
        (_, "off") => Some(Claim::Plain),
        (Dialect::Vaultwarden, _) => {
            ctx.invalid(
                Severity::Error,
                ctx.vloc(d),
                format!("the value of {} must be starttls, force_tls or off", d.name),
                "unknown mode",
                "use `force_tls` for port 465 (implicit TLS) or `starttls` for port 587",
            );
            None
        }
        (_, "ssl" | "tls_implicit" | "implicit" | "smtps") => Some(Claim::Implicit),
        (_, "none" | "plain") => Some(Claim::Plain),
        _ => None,
    }
}

/// A TLS mode word where a generic app may take a boolean: `Some(None)` for `tls`, which
/// means STARTTLS to PHPMailer-style apps and implicit TLS to others (so no mode is taken).
fn mode_word(word: &str) -> Option<Option<Claim>> {
    Some(match word {
        "ssl" | "smtps" | "implicit" | "tls_implicit" | "force_tls" => Some(Claim::Implicit),
        "starttls" | "start_tls" => Some(Claim::StartReq),
        "tls" => None,
        "none" | "plain" => Some(Claim::Plain),
        _ => return None,
    })
}

/// Mastodon's `SMTP_ENABLE_STARTTLS` (`always`, `auto`, `never` or `false`); with another
/// word or none, `SMTP_ENABLE_STARTTLS_AUTO` (`convert_smtp_settings` in
/// lib/mastodon/email_configuration_helper.rb).
fn mastodon_starttls(ctx: &mut Ctx, keys: &Keys, claim: &mut impl FnMut(Claim, &Ctx, &Def)) {
    if let Some(d) = keys.get(ctx, "SMTP_ENABLE_STARTTLS") {
        if let Some(t) = ctx.text(d) {
            match t.trim() {
                "always" => return claim(Claim::StartReq, ctx, d),
                "auto" => return claim(Claim::StartOpp, ctx, d),
                "never" | "false" => return claim(Claim::Plain, ctx, d),
                "" => {}
                _ => ctx.invalid(
                    Severity::Warning,
                    ctx.vloc(d),
                    format!(
                        "Mastodon does not know this value of {}: it falls back to {}",
                        d.name,
                        keys.name("SMTP_ENABLE_STARTTLS_AUTO")
                    ),
                    "not auto, always or never",
                    "use `always` to require STARTTLS",
                ),
            }
        }
    }
    if let Some(d) = keys.get(ctx, "SMTP_ENABLE_STARTTLS_AUTO") {
        // config/email.yml compares with the string `false`; anything else keeps it on.
        match ctx.text(d).map(|t| t.trim() == "false") {
            Some(true) => claim(Claim::Plain, ctx, d),
            Some(false) => claim(Claim::StartOpp, ctx, d),
            None => {}
        }
    }
}

/// The TLS mode the claims add up to; implicit TLS and required STARTTLS at once conflict.
fn settle(ctx: &mut Ctx, claims: &[(Claim, Loc, String)]) -> Option<Value<Security>> {
    let first = |c: Claim| claims.iter().find(|(k, _, _)| *k == c).cloned();
    match (first(Claim::Implicit), first(Claim::StartReq)) {
        (Some((_, iloc, ikey)), Some((_, sloc, skey))) => {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    format!("implicit TLS ({ikey}) and STARTTLS ({skey}) are both switched on"),
                    Label::new(iloc, "implicit TLS"),
                )
                .with_label(Label::new(sloc, "STARTTLS"))
                .with_help(
                    "keep one: implicit TLS for port 465, STARTTLS for port 587 (and switch the \
                     other off)",
                ),
            );
            None
        }
        (Some((_, loc, _)), None) => Some(Value::literal(Security::ImplicitTls, loc)),
        (None, Some((_, loc, _))) => {
            Some(Value::literal(Security::StartTls { required: true }, loc))
        }
        (None, None) => first(Claim::Plain)
            .map(|(_, loc, _)| Value::literal(Security::None, loc))
            .or_else(|| {
                first(Claim::StartOpp)
                    .map(|(_, loc, _)| Value::literal(Security::StartTls { required: false }, loc))
            }),
    }
}

/// How the app logs in: the auth-method key, `SMTP_AUTH=false`, else a password means PLAIN/LOGIN.
fn auth(ctx: &mut Ctx, keys: &Keys, pass_def: Option<&Def>) -> Option<Value<AuthMethod>> {
    let method = keys.first_of(ctx, G_AUTH).and_then(|d| {
        let t = ctx.text(d)?;
        let m = match t.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "" => return None,
            "plain" | "login" => AuthMethod::Password,
            "cram_md5" => AuthMethod::EncryptedPassword,
            "xoauth2" | "oauth2" | "oauth" | "oauthbearer" => AuthMethod::OAuth2,
            "none" => AuthMethod::None,
            other => AuthMethod::Other(other.to_string()),
        };
        Some(Value::literal(m, ctx.vloc(d)))
    });
    let auth_off = match keys.get(ctx, "SMTP_AUTH") {
        Some(d) => match flag(ctx, &d.name, d) {
            Some(false) => Some(Value::literal(AuthMethod::None, ctx.vloc(d))),
            _ => None,
        },
        None => None,
    };
    method.or(auth_off).or_else(|| {
        pass_def.filter(|d| !d.value.is_empty()).map(|d| {
            Value::default(
                AuthMethod::Password,
                ctx.vloc(d),
                "a password is set, so the app logs in with it (PLAIN or LOGIN)",
            )
        })
    })
}

/// How a key switches certificate verification: off when the value is `off_when`.
const VERIFY_KEYS: &[(&str, VerifySense)] = &[
    ("SMTP_TLS_REJECT_UNAUTHORIZED", VerifySense::OffWhenFalse),
    ("SMTP_REJECT_UNAUTHORIZED", VerifySense::OffWhenFalse),
    ("SMTP_TLS_VERIFY", VerifySense::OffWhenFalse),
    ("SMTP_VERIFY_PEER", VerifySense::OffWhenFalse),
    ("SMTP_ACCEPT_INVALID_CERTS", VerifySense::OffWhenTrue),
    ("SMTP_ACCEPT_INVALID_HOSTNAMES", VerifySense::OffWhenTrue),
    ("SMTP_SKIP_VERIFY", VerifySense::OffWhenTrue),
    ("SMTP_INSECURE_SKIP_VERIFY", VerifySense::OffWhenTrue),
    ("SMTP_TLS_INSECURE", VerifySense::OffWhenTrue),
    ("SMTP_OPENSSL_VERIFY_MODE", VerifySense::Mastodon),
    ("NODE_TLS_REJECT_UNAUTHORIZED", VerifySense::Node),
];

#[derive(Clone, Copy)]
enum VerifySense {
    OffWhenFalse,
    OffWhenTrue,
    /// `none` switches it off, `peer` keeps it.
    Mastodon,
    /// Node switches every TLS check of the process off for the string `0`.
    Node,
}

fn generic_verify(ctx: &mut Ctx, keys: &Keys) -> Option<Value<bool>> {
    let mut found: Option<Value<bool>> = None;
    for &(key, sense) in VERIFY_KEYS {
        let d = match sense {
            // Node's own variable is never prefixed.
            VerifySense::Node => ctx.get(key),
            _ => keys.get(ctx, key),
        };
        let Some(d) = d else { continue };
        let Some(t) = ctx.text(d) else { continue };
        let t = t.trim().to_ascii_lowercase();
        let verify = match sense {
            VerifySense::OffWhenFalse => parse_bool(&t).filter(|_| !t.is_empty()),
            VerifySense::OffWhenTrue => parse_bool(&t).filter(|_| !t.is_empty()).map(|b| !b),
            VerifySense::Mastodon => match t.as_str() {
                "none" => Some(false),
                "peer" => Some(true),
                _ => None,
            },
            VerifySense::Node => Some(t != "0"),
        };
        match verify {
            Some(false) => return Some(Value::literal(false, ctx.vloc(d))),
            Some(true) if found.is_none() => found = Some(Value::literal(true, ctx.vloc(d))),
            _ => {}
        }
    }
    found
}
