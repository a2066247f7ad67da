//! App env families: one table entry per app that keeps its SMTP settings in environment
//! variables (a prefix, the names it reads, its words for TLS, its defaults, where they were read).
//! An app is recognised by keys only it uses, so one mailer gives one profile: a file that is
//! Mastodon's or Vaultwarden's is read with that app's meaning instead of the generic `SMTP_*`
//! one, and a prefixed family (`PAPERLESS_EMAIL_*`, `AUTHENTIK_EMAIL__*`, `APP_SMTP_*`) gives
//! a profile of its own. `docs/formats/dotenv.md` lists the families with their sources.

use super::django::{both_flags_on, flags_mean, flask_flags_on, SMTPLIB_HOST};
use super::env_generic::{self, Dialect, Keys};
use super::host_field::host_value;
use super::spelling::{check_env_keys, KeySet};
use crate::extract::syntax::dotenv::{Ctx, Def};
use crate::finding::Severity;
use crate::model::{AuthMethod, Client, Profile, Security, Value};
use crate::source::Loc;

/// How an app turns its TLS keys into a connection.
pub(crate) enum Rules {
    /// The `SMTP_*` reading of [`env_generic`] in an app's dialect.
    Smtp(Dialect),
    /// Two flags as Django's SMTP backend (and Flask-Mail) reads them: `tls` is STARTTLS
    /// (required), `ssl` implicit TLS, both at once is refused (Django) or fails (Flask-Mail).
    /// `truthy` are the words the app reads as true (any other is false).
    DjangoFlags {
        tls: &'static str,
        ssl: &'static str,
        truthy: &'static [&'static str],
    },
    /// The same two flags, each value read by `json.loads` as Flask's `from_prefixed_env`
    /// does: `true`, a non-zero number or any text that is not JSON (`True`, `False`) is true;
    /// `false`, `0`, `null` and an empty value are false.
    JsonFlags {
        tls: &'static str,
        ssl: &'static str,
    },
}

/// One app's env family.
pub(crate) struct Family {
    pub(crate) app: &'static str,
    /// The profile label.
    pub(crate) label: &'static str,
    /// Prefix of every key of a prefixed family (`PAPERLESS_EMAIL_`); any key with it says the
    /// file is the app's. Empty for a family recognised by its markers.
    pub(crate) prefix: &'static str,
    /// Full key names only this app uses: any of them says the file is the app's.
    pub(crate) markers: &'static [&'static str],
    /// Key sets that say it too when all of their keys are present.
    pub(crate) marker_sets: &'static [&'static [&'static str]],
    pub(crate) host: &'static [&'static str],
    pub(crate) port: &'static str,
    pub(crate) user: &'static [&'static str],
    pub(crate) pass: &'static [&'static str],
    pub(crate) from: &'static [&'static str],
    pub(crate) rules: Rules,
    /// The port the app uses when none is set, and why.
    pub(crate) default_port: Option<(u16, &'static str)>,
    /// Every name the app reads under its prefix, for misspelt keys.
    pub(crate) names: KeySet,
    /// A key naming how the app delivers, and its word for SMTP: another word is no SMTP.
    pub(crate) delivery: Option<(&'static str, &'static str)>,
    /// A second mailer under a prefix of the same keys (Mastodon's `BULK_SMTP_*`), used when
    /// its host key is set; it sends with the first mailer's From.
    pub(crate) second: Option<(&'static str, &'static str)>,
}

pub(crate) const FAMILIES: &[Family] = &[
    // config/email.yml (mastodon/mastodon): ENV.fetch of each key.
    Family {
        app: "Mastodon",
        label: "Mastodon SMTP_*",
        prefix: "",
        markers: &[
            "SMTP_ENABLE_STARTTLS",
            "SMTP_ENABLE_STARTTLS_AUTO",
            "SMTP_OPENSSL_VERIFY_MODE",
            "SMTP_DELIVERY_METHOD",
        ],
        marker_sets: &[
            &["SMTP_SERVER", "SMTP_LOGIN"],
            &["SMTP_SERVER", "LOCAL_DOMAIN"],
        ],
        host: &["SMTP_SERVER"],
        port: "SMTP_PORT",
        user: &["SMTP_LOGIN"],
        pass: &["SMTP_PASSWORD"],
        from: &["SMTP_FROM_ADDRESS"],
        rules: Rules::Smtp(Dialect::Mastodon),
        default_port: None,
        names: KeySet {
            program: "Mastodon",
            prefix: "SMTP_",
            known: &[
                "SMTP_SERVER",
                "SMTP_PORT",
                "SMTP_LOGIN",
                "SMTP_PASSWORD",
                "SMTP_FROM_ADDRESS",
                "SMTP_REPLY_TO",
                "SMTP_RETURN_PATH",
                "SMTP_DOMAIN",
                "SMTP_AUTH_METHOD",
                "SMTP_CA_FILE",
                "SMTP_OPENSSL_VERIFY_MODE",
                "SMTP_ENABLE_STARTTLS",
                "SMTP_ENABLE_STARTTLS_AUTO",
                "SMTP_TLS",
                "SMTP_SSL",
                "SMTP_DELIVERY_METHOD",
            ],
            renamed: &[],
        },
        delivery: Some(("SMTP_DELIVERY_METHOD", "smtp")),
        second: Some(("BULK_", "Mastodon BULK_SMTP_*")),
    },
    // .env.template (dani-garcia/vaultwarden), "SMTP Email settings".
    Family {
        app: "Vaultwarden",
        label: "Vaultwarden SMTP_*",
        prefix: "",
        markers: &[
            "SMTP_ACCEPT_INVALID_CERTS",
            "SMTP_ACCEPT_INVALID_HOSTNAMES",
            "SMTP_EXPLICIT_TLS",
            "SMTP_EMBED_IMAGES",
            "SMTP_AUTH_MECHANISM",
            "SMTP_FROM_NAME",
        ],
        marker_sets: &[
            &["SMTP_SECURITY", "SIGNUPS_ALLOWED"],
            &["SMTP_SECURITY", "ADMIN_TOKEN"],
        ],
        host: &["SMTP_HOST"],
        port: "SMTP_PORT",
        user: &["SMTP_USERNAME"],
        pass: &["SMTP_PASSWORD"],
        from: &["SMTP_FROM"],
        rules: Rules::Smtp(Dialect::Vaultwarden),
        default_port: None,
        names: KeySet {
            program: "Vaultwarden",
            prefix: "SMTP_",
            known: &[
                "SMTP_HOST",
                "SMTP_PORT",
                "SMTP_SECURITY",
                "SMTP_FROM",
                "SMTP_FROM_NAME",
                "SMTP_USERNAME",
                "SMTP_PASSWORD",
                "SMTP_TIMEOUT",
                "SMTP_AUTH_MECHANISM",
                "SMTP_EMBED_IMAGES",
                "SMTP_DEBUG",
                "SMTP_ACCEPT_INVALID_CERTS",
                "SMTP_ACCEPT_INVALID_HOSTNAMES",
                "SMTP_SSL",
                "SMTP_EXPLICIT_TLS",
            ],
            renamed: &[],
        },
        delivery: None,
        second: None,
    },
    // Paperless-ngx docs, configuration.md "Email sending"; settings.py __get_boolean.
    Family {
        app: "Paperless-ngx",
        label: "PAPERLESS_EMAIL_*",
        prefix: "PAPERLESS_EMAIL_",
        markers: &[],
        marker_sets: &[],
        host: &["PAPERLESS_EMAIL_HOST"],
        port: "PAPERLESS_EMAIL_PORT",
        user: &["PAPERLESS_EMAIL_HOST_USER"],
        pass: &["PAPERLESS_EMAIL_HOST_PASSWORD"],
        from: &["PAPERLESS_EMAIL_FROM"],
        rules: Rules::DjangoFlags {
            tls: "PAPERLESS_EMAIL_USE_TLS",
            ssl: "PAPERLESS_EMAIL_USE_SSL",
            truthy: &["yes", "y", "1", "t", "true"],
        },
        default_port: Some((25, "Paperless-ngx's PAPERLESS_EMAIL_PORT defaults to 25")),
        names: KeySet {
            program: "Paperless-ngx",
            prefix: "PAPERLESS_EMAIL_",
            known: &[
                "PAPERLESS_EMAIL_HOST",
                "PAPERLESS_EMAIL_PORT",
                "PAPERLESS_EMAIL_HOST_USER",
                "PAPERLESS_EMAIL_HOST_PASSWORD",
                "PAPERLESS_EMAIL_USE_TLS",
                "PAPERLESS_EMAIL_USE_SSL",
                "PAPERLESS_EMAIL_FROM",
                "PAPERLESS_EMAIL_TASK_CRON",
                "PAPERLESS_EMAIL_PARSE_DEFAULT_LAYOUT",
                "PAPERLESS_EMAIL_GNUPG_HOME",
                "PAPERLESS_EMAIL_CERTIFICATE_LOCATION",
                "PAPERLESS_EMAIL_ENABLE_GPG_DECRYPTOR",
            ],
            renamed: &[],
        },
        delivery: None,
        second: None,
    },
    // Flask-Mail (flask_mail.py `Mail.init_app`, docs "Configuring Flask-Mail"): the app's
    // config reads these from the environment; how it turns a flag into a boolean is the app's
    // own code, so every usual true word counts.
    Family {
        app: "Flask-Mail",
        label: "MAIL_* (Flask-Mail)",
        prefix: "",
        markers: &[
            "MAIL_SERVER",
            "MAIL_USE_TLS",
            "MAIL_USE_SSL",
            "MAIL_DEFAULT_SENDER",
        ],
        marker_sets: &[],
        host: &["MAIL_SERVER"],
        port: "MAIL_PORT",
        user: &["MAIL_USERNAME"],
        pass: &["MAIL_PASSWORD"],
        from: &["MAIL_DEFAULT_SENDER"],
        rules: Rules::DjangoFlags {
            tls: "MAIL_USE_TLS",
            ssl: "MAIL_USE_SSL",
            truthy: &["true", "1", "yes", "y", "on", "t"],
        },
        default_port: Some((25, "Flask-Mail's MAIL_PORT defaults to 25")),
        names: KeySet {
            program: "Flask-Mail",
            ..super::laravel::KEYS
        },
        delivery: None,
        second: None,
    },
    // Flask's `app.config.from_prefixed_env()` (src/flask/config.py, Flask 2.1+): every
    // `FLASK_*` variable becomes the config key without the prefix, its value passed through
    // `json.loads` (kept as a string when that fails); Flask-Mail then reads MAIL_* as above.
    Family {
        app: "Flask-Mail (from_prefixed_env)",
        label: "FLASK_MAIL_* (Flask from_prefixed_env, Flask-Mail)",
        prefix: "FLASK_MAIL_",
        markers: &[],
        marker_sets: &[],
        host: &["FLASK_MAIL_SERVER"],
        port: "FLASK_MAIL_PORT",
        user: &["FLASK_MAIL_USERNAME"],
        pass: &["FLASK_MAIL_PASSWORD"],
        from: &["FLASK_MAIL_DEFAULT_SENDER"],
        rules: Rules::JsonFlags {
            tls: "FLASK_MAIL_USE_TLS",
            ssl: "FLASK_MAIL_USE_SSL",
        },
        default_port: Some((25, "Flask-Mail's MAIL_PORT defaults to 25")),
        names: KeySet {
            program: "Flask-Mail",
            prefix: "FLASK_MAIL_",
            known: &[
                "FLASK_MAIL_SERVER",
                "FLASK_MAIL_PORT",
                "FLASK_MAIL_USE_TLS",
                "FLASK_MAIL_USE_SSL",
                "FLASK_MAIL_USERNAME",
                "FLASK_MAIL_PASSWORD",
                "FLASK_MAIL_DEFAULT_SENDER",
                "FLASK_MAIL_DEBUG",
                "FLASK_MAIL_MAX_EMAILS",
                "FLASK_MAIL_SUPPRESS_SEND",
                "FLASK_MAIL_ASCII_ATTACHMENTS",
                "FLASK_MAIL_TIMEOUT",
                "FLASK_MAIL_BACKEND",
                "FLASK_MAIL_FILE_PATH",
                "FLASK_MAIL_USE_LOCALTIME",
                "FLASK_MAIL_SSL_KEYFILE",
                "FLASK_MAIL_SSL_CERTFILE",
            ],
            renamed: &[],
        },
        delivery: None,
        second: None,
    },
    // authentik docs, "Configuration" > "AUTHENTIK_EMAIL"; default.yml `email:` block.
    Family {
        app: "authentik",
        label: "AUTHENTIK_EMAIL__*",
        prefix: "AUTHENTIK_EMAIL__",
        markers: &[],
        marker_sets: &[],
        host: &["AUTHENTIK_EMAIL__HOST"],
        port: "AUTHENTIK_EMAIL__PORT",
        user: &["AUTHENTIK_EMAIL__USERNAME"],
        pass: &["AUTHENTIK_EMAIL__PASSWORD"],
        from: &["AUTHENTIK_EMAIL__FROM"],
        rules: Rules::DjangoFlags {
            tls: "AUTHENTIK_EMAIL__USE_TLS",
            ssl: "AUTHENTIK_EMAIL__USE_SSL",
            truthy: &["true"],
        },
        default_port: Some((25, "authentik's email.port defaults to 25")),
        names: KeySet {
            program: "authentik",
            prefix: "AUTHENTIK_EMAIL__",
            known: &[
                "AUTHENTIK_EMAIL__HOST",
                "AUTHENTIK_EMAIL__PORT",
                "AUTHENTIK_EMAIL__USERNAME",
                "AUTHENTIK_EMAIL__PASSWORD",
                "AUTHENTIK_EMAIL__USE_TLS",
                "AUTHENTIK_EMAIL__USE_SSL",
                "AUTHENTIK_EMAIL__TIMEOUT",
                "AUTHENTIK_EMAIL__FROM",
            ],
            renamed: &[],
        },
        delivery: None,
        second: None,
    },
];

impl Family {
    /// Does the file hold this app's settings?
    fn present(&self, ctx: &Ctx) -> bool {
        let keys_with_prefix =
            !self.prefix.is_empty() && ctx.last.keys().any(|k| k.starts_with(self.prefix));
        keys_with_prefix
            || ctx.has_any(self.markers)
            || self
                .marker_sets
                .iter()
                .any(|set| set.iter().all(|k| ctx.get(k).is_some()))
            || (self.prefix.is_empty()
                && ctx
                    .get("SMTP_SECURITY")
                    .and_then(|d| ctx.text(d))
                    .is_some_and(|t| t.trim() == "force_tls" && self.app == "Vaultwarden"))
    }
}

/// What the app families of a file took: the unprefixed `SMTP_*` keys (then they are not read
/// a second time as generic ones), and prefixes of their own (`BULK_` for Mastodon).
#[derive(Default)]
pub(crate) struct Owned {
    pub(crate) smtp: bool,
    pub(crate) prefixes: Vec<&'static str>,
}

/// The profiles of the app families the file holds, and what they own.
pub(crate) fn profiles(ctx: &mut Ctx) -> (Vec<Profile>, Owned) {
    let mut out = Vec::new();
    let mut owned = Owned::default();
    let mut owns_smtp = false;
    for fam in FAMILIES {
        if owns_smtp && fam.prefix.is_empty() || !fam.present(ctx) {
            continue;
        }
        check_env_keys(
            ctx,
            &fam.names,
            &format!("{} uses its default for it", fam.app),
        );
        let p = match &fam.rules {
            Rules::Smtp(dialect) => {
                owns_smtp = true;
                smtp_family(ctx, fam, *dialect, &mut owned)
            }
            Rules::DjangoFlags { tls, ssl, truthy } => {
                let p = django_flags(ctx, fam, [tls, ssl], &|t| {
                    truthy.contains(&t.trim().to_ascii_lowercase().as_str())
                });
                warn_unread_words(ctx, [tls, ssl], truthy, fam.app);
                p.into_iter().collect()
            }
            Rules::JsonFlags { tls, ssl } => {
                let p = django_flags(ctx, fam, [tls, ssl], &json_truthy);
                warn_json_words(ctx, [tls, ssl]);
                p.into_iter().collect()
            }
        };
        out.extend(p);
    }
    owned.smtp = owns_smtp;
    (out, owned)
}

/// An app that reads `SMTP_*` keys in its own dialect, and its second mailer if it has one.
fn smtp_family(ctx: &mut Ctx, fam: &Family, dialect: Dialect, owned: &mut Owned) -> Vec<Profile> {
    let keys = |prefix: &str, label: &str, from: &'static [&'static str]| Keys {
        prefix: prefix.to_string(),
        label: label.to_string(),
        dialect,
        host: fam.host,
        user: fam.user,
        pass: fam.pass,
        from,
    };
    if let Some((key, smtp)) = fam.delivery {
        let other = ctx
            .get(key)
            .and_then(|d| ctx.text(d))
            .is_some_and(|t| !t.trim().is_empty() && t.trim() != smtp);
        if other {
            // Delivered by sendmail, to files, ...: no SMTP settings are used.
            if let Some((prefix, _)) = fam.second {
                owned.prefixes.push(prefix);
            }
            return Vec::new();
        }
    }
    let mut out: Vec<Profile> = Vec::new();
    out.extend(env_generic::from_env_file(
        ctx,
        &keys("", fam.label, fam.from),
    ));
    if let Some((prefix, label)) = fam.second {
        owned.prefixes.push(prefix);
        let host_set = fam.host.iter().any(|h| {
            ctx.get(&format!("{prefix}{h}"))
                .and_then(|d| ctx.text(d))
                .is_some_and(|t| !t.trim().is_empty())
        });
        if host_set {
            if let Some(mut p) = env_generic::from_env_file(ctx, &keys(prefix, label, &[])) {
                p.from = out.first().map(|m| m.from.clone()).unwrap_or_default();
                out.push(p);
            }
        }
    }
    out
}

const LOGIN: &str = "the app logs in when user and password are both set (Django's SMTP backend, \
                     Flask-Mail)";
const PLAIN: &str = "the app sends without TLS unless its TLS or SSL flag is true";

/// A family whose app hands its keys to Django's SMTP backend.
fn django_flags(
    ctx: &mut Ctx,
    fam: &Family,
    [tls, ssl]: [&str; 2],
    truthy: &dyn Fn(&str) -> bool,
) -> Option<Profile> {
    let all: Vec<&str> = [fam.host, &[fam.port], fam.user, fam.pass, &[tls, ssl]].concat();
    let anchor = ctx.anchor(&all)?;
    let mut p = Profile::new(Client::DotenvGeneric, fam.label, anchor.clone());
    // Django's SMTP backend and Flask-Mail both call `smtplib.SMTP(host, port)`: a `:port` or
    // scheme in the host stays part of the name.
    let host_def = ctx.first_of(fam.host);
    p.host = host_def.and_then(|d| ctx.string(d)).map(|h| {
        let (file, key) = (h.loc.file, host_def.map_or("", |d| d.name.as_str()));
        let mut found = Vec::new();
        let what = (fam.app, key, SMTPLIB_HOST);
        let v = host_value(
            &h.value,
            h.loc.span.clone(),
            &|r| Loc::new(file, r),
            what,
            &mut found,
        );
        found.into_iter().for_each(|f| ctx.push(f));
        v
    });
    let near = p.host.as_ref().map_or(anchor.clone(), |h| h.loc.clone());
    p.port = match ctx.get(fam.port) {
        Some(d) => ctx.port_of(fam.port, d),
        None => fam
            .default_port
            .map(|(n, why)| Value::default(n, near.clone(), why)),
    };
    p.username = ctx.first_of(fam.user).and_then(|d| ctx.string(d));
    let pass: Option<&Def> = ctx.first_of(fam.pass);
    p.password = pass.and_then(|d| ctx.password(d));
    if let Some(f) = ctx.first_of(fam.from).and_then(|d| ctx.string(d)) {
        p.from.push(f);
    }
    // A password built from `${VAR}` is set elsewhere: whether the app logs in is unknown.
    let pass_elsewhere = pass.is_some_and(|d| d.has_refs());
    p.auth = match (&p.username, &p.password) {
        (Some(_), Some(pw)) => Some(Value::default(AuthMethod::Password, pw.loc.clone(), LOGIN)),
        (Some(_), None) if pass_elsewhere => None,
        _ => Some(Value::default(AuthMethod::None, near.clone(), LOGIN)),
    };
    let read = |ctx: &Ctx, key: &str| {
        let d = ctx.get(key)?;
        let on = ctx.text(d).is_some_and(|t| truthy(&t));
        Some((on, ctx.vloc(d)))
    };
    let (t, s) = (read(ctx, tls), read(ctx, ssl));
    let on = |f: &Option<(bool, crate::source::Loc)>| f.as_ref().filter(|(b, _)| *b).cloned();
    p.security = match (on(&t), on(&s)) {
        (Some((_, tl)), Some((_, sl))) => {
            let f = if fam.app.starts_with("Flask-Mail") {
                flask_flags_on([tls, ssl], sl, tl)
            } else {
                both_flags_on(sl, tl)
            };
            ctx.push(f);
            None
        }
        (tl, sl) => {
            let sec = flags_mean(tl.is_some(), sl.is_some()).unwrap_or(Security::None);
            Some(match tl.or(sl).or(t.clone()).or(s.clone()) {
                Some((_, at)) => Value::literal(sec, at),
                None => Value::default(sec, near, PLAIN),
            })
        }
    };
    Some(p)
}

/// Python truthiness of what `json.loads` makes of the text, or of the text itself when it is
/// not JSON (Flask's `from_prefixed_env`).
fn json_truthy(text: &str) -> bool {
    let w = text.trim();
    match w {
        "false" | "null" | "\"\"" | "[]" | "{}" => false,
        "" => !text.is_empty(),
        _ => w
            .parse::<f64>()
            .ok()
            .filter(|_| {
                w.bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            })
            .is_none_or(|n| n != 0.0),
    }
}

/// A flag written as a false word that `json.loads` does not read (`False`, `off`, `no`): it
/// stays a non-empty string, which Flask-Mail takes as true.
fn warn_json_words(ctx: &mut Ctx, keys: [&str; 2]) {
    for key in keys {
        let Some(d) = ctx.get(key) else { continue };
        let Some(t) = ctx.text(d) else { continue };
        let looks_false = crate::extract::parse_bool(&t.trim().to_ascii_lowercase()) == Some(false);
        if looks_false && json_truthy(&t) {
            ctx.invalid(
                Severity::Error,
                ctx.vloc(d),
                format!(
                    "from_prefixed_env reads `{}` in {key} with json.loads, which does not \
                     know it: it stays the string '{}', and a non-empty string is true",
                    t.trim(),
                    t.trim()
                ),
                "true, not false",
                "write `false` (lower case, JSON) or leave the variable out",
            );
        }
    }
}

/// A flag value that looks true but is not one of the app's true words (`on` for
/// Paperless-ngx: read as false by older versions, refused by newer ones).
fn warn_unread_words(ctx: &mut Ctx, keys: [&str; 2], truthy: &[&str], app: &str) {
    for key in keys {
        let Some(d) = ctx.get(key) else { continue };
        let Some(t) = ctx.text(d) else { continue };
        let w = t.trim().to_ascii_lowercase();
        let looks_true = crate::extract::parse_bool(&w) == Some(true);
        if looks_true && !truthy.contains(&w.as_str()) {
            ctx.invalid(
                Severity::Warning,
                ctx.vloc(d),
                format!(
                    "{app} does not read `{}` in {key} as true (it reads it as false, or \
                     refuses to start)",
                    t.trim()
                ),
                "not a true value here",
                &format!("write `{}`", truthy.last().copied().unwrap_or("true")),
            );
        }
    }
}

/// Prefixes of generic prefixed families in the file (`APP_` for `APP_SMTP_HOST`): every
/// prefix that has a host key, except the app families' and Grafana's (`GF_SMTP_HOST` is a
/// `host:port` of grafana.ini, read by its own client).
pub(crate) fn generic_prefixes(ctx: &Ctx, owned: &Owned) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &i in ctx.last.values() {
        let name = &ctx.defs[i].name;
        for host in ["SMTP_HOST", "SMTP_SERVER", "SMTP_ADDRESS"] {
            let Some(prefix) = name.strip_suffix(host) else {
                continue;
            };
            let ok = prefix.len() > 1
                && prefix.ends_with('_')
                && prefix != "GF_"
                && !owned.prefixes.contains(&prefix)
                && !FAMILIES
                    .iter()
                    .any(|f| !f.prefix.is_empty() && prefix.starts_with(f.prefix));
            if ok && !out.iter().any(|p| p == prefix) {
                out.push(prefix.to_string());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod json_tests {
    use super::json_truthy;

    #[test]
    fn json_loads_truthiness() {
        for t in [
            "true", "1", "2.5", "True", "False", "off", "no", " ", "\"x\"",
        ] {
            assert!(json_truthy(t), "{t:?}");
        }
        for f in [
            "false", " false ", "0", "0.0", "-0", "null", "\"\"", "[]", "{}", "",
        ] {
            assert!(!json_truthy(f), "{f:?}");
        }
    }
}
