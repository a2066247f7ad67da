//! Generic `SMTP_*` variables in env files (Nodemailer-style apps, Mastodon, Vaultwarden): the
//! meaning most apps give them, with Mastodon's and Vaultwarden's own words where their marker
//! keys show which app reads the file.

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
/// Keys only Mastodon uses: with one of them, `SMTP_TLS=true` means implicit TLS.
const MASTODON_MARKERS: &[&str] = &[
    "SMTP_ENABLE_STARTTLS",
    "SMTP_ENABLE_STARTTLS_AUTO",
    "SMTP_OPENSSL_VERIFY_MODE",
    "SMTP_DELIVERY_METHOD",
];
const G_AUTH: &[&str] = &["SMTP_AUTH_METHOD", "SMTP_AUTH_MECHANISM", "SMTP_AUTH_TYPE"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Claim {
    Implicit,
    StartReq,
    StartOpp,
    Plain,
}

/// The profile of the generic `SMTP_*` variables of an env file.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Option<Profile> {
    let core: Vec<&str> = [G_HOST, G_PORT, G_USER, G_PASS, G_SECURITY].concat();
    let anchor = ctx.anchor(&core)?;
    let mut profile = Profile::new(Client::DotenvGeneric, "SMTP_*", anchor.clone());
    profile.host = ctx.first_of(G_HOST).and_then(|d| ctx.string(d));
    if let Some(d) = ctx.first_of(G_PORT) {
        let key = d.name.clone();
        profile.port = ctx.port_of(&key, d);
    }
    profile.username = ctx.first_of(G_USER).and_then(|d| ctx.string(d));
    let pass_def = ctx.first_of(G_PASS);
    profile.password = pass_def.and_then(|d| ctx.password(d));
    if let Some(f) = ctx.first_of(G_FROM).and_then(|d| ctx.string(d)) {
        profile.from.push(f);
    }

    profile.security = security(ctx);
    // Certificate verification.
    profile.tls_verify = generic_verify(ctx);

    profile.auth = auth(ctx, pass_def);
    Some(profile)
}

/// What each security key of the file claims, with where it was made.
fn security(ctx: &mut Ctx) -> Option<Value<Security>> {
    let mastodon = ctx.has_any(MASTODON_MARKERS);
    let mut claims: Vec<(Claim, Loc, &str)> = Vec::new();
    if let Some(d) = ctx.get("SMTP_SECURE") {
        // Nodemailer `secure`: true = implicit TLS; false = plain start, STARTTLS if offered.
        match flag(ctx, "SMTP_SECURE", d) {
            Some(true) => claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SECURE")),
            Some(false) => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_SECURE")),
            None => {}
        }
    }
    if let Some(d) = ctx.get("SMTP_SSL") {
        let on = if mastodon {
            ctx.text(d).is_some_and(|t| t.trim() == "true")
        } else {
            flag(ctx, "SMTP_SSL", d) == Some(true)
        };
        if on {
            claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SSL"));
        }
    }
    if mastodon {
        if let Some(d) = ctx.get("SMTP_TLS") {
            if ctx.text(d).is_some_and(|t| t.trim() == "true") {
                claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_TLS"));
            }
        }
    }
    if let Some(d) = ctx.get("SMTP_STARTTLS") {
        if flag(ctx, "SMTP_STARTTLS", d) == Some(true) {
            claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_STARTTLS"));
        }
    }
    if let Some(d) = ctx.get("SMTP_SECURITY") {
        // Vaultwarden.
        if let Some(t) = ctx.text(d) {
            match t.trim().to_ascii_lowercase().as_str() {
                "force_tls" => claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SECURITY")),
                "starttls" => claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_SECURITY")),
                "off" => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_SECURITY")),
                _ => ctx.invalid(
                    Severity::Error,
                    ctx.vloc(d),
                    "the value of SMTP_SECURITY must be starttls, force_tls or off".to_string(),
                    "unknown mode",
                    "use `force_tls` for port 465 (implicit TLS) or `starttls` for port 587",
                ),
            }
        }
    }
    if let Some(d) = ctx.get("SMTP_ENABLE_STARTTLS") {
        // Mastodon 4+.
        if let Some(t) = ctx.text(d) {
            match t.trim() {
                "always" => claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                "auto" => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                "never" => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                _ => ctx.invalid(
                    Severity::Warning,
                    ctx.vloc(d),
                    "the value of SMTP_ENABLE_STARTTLS must be auto, always or never".to_string(),
                    "unknown mode",
                    "use `always` to require STARTTLS",
                ),
            }
        }
    } else if let Some(d) = ctx.get("SMTP_ENABLE_STARTTLS_AUTO") {
        match flag(ctx, "SMTP_ENABLE_STARTTLS_AUTO", d) {
            Some(true) => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_ENABLE_STARTTLS_AUTO")),
            Some(false) => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_ENABLE_STARTTLS_AUTO")),
            None => {}
        }
    }
    settle(ctx, &claims)
}

/// The TLS mode the claims add up to; implicit TLS and required STARTTLS at once conflict.
fn settle(ctx: &mut Ctx, claims: &[(Claim, Loc, &str)]) -> Option<Value<Security>> {
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
fn auth(ctx: &mut Ctx, pass_def: Option<&Def>) -> Option<Value<AuthMethod>> {
    let method = ctx.first_of(G_AUTH).and_then(|d| {
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
    let auth_off = match ctx.get("SMTP_AUTH") {
        Some(d) => match flag(ctx, "SMTP_AUTH", d) {
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

fn generic_verify(ctx: &mut Ctx) -> Option<Value<bool>> {
    let mut found: Option<Value<bool>> = None;
    for &(key, sense) in VERIFY_KEYS {
        let Some(d) = ctx.get(key) else { continue };
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
