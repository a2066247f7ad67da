//! Django's `EMAIL_*` settings (`django.core.mail.backends.smtp.EmailBackend`): `EMAIL_USE_TLS`
//! is required STARTTLS, `EMAIL_USE_SSL` implicit TLS, both at once is refused, and the port
//! defaults to 25.

use crate::extract::syntax::dotenv::{Ctx, Def};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Security, Value};

const DJANGO_KEYS: &[&str] = &[
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
];
const DJANGO_NON_SMTP_BACKENDS: &[&str] = &["console", "filebased", "locmem", "dummy"];

/// A boolean as django-environ (`env.bool`) and python-decouple (`cast=bool`) read it.
fn django_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" | "ok" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
        _ => None,
    }
}

struct DjangoFlag<'a> {
    key: &'static str,
    def: &'a Def,
    value: Option<bool>,
    /// A non-empty string that means false, but is truthy when read raw with `os.getenv`.
    falsy_text: bool,
}

fn django_flag<'a>(ctx: &mut Ctx<'a>, key: &'static str) -> Option<DjangoFlag<'a>> {
    let def = ctx.get(key)?;
    let t = ctx.text(def)?;
    let value = django_bool(&t);
    if value.is_none() {
        ctx.invalid(
            Severity::Warning,
            ctx.vloc(def),
            format!("the value of {key} is not a boolean"),
            "expected True or False",
            "write `True` or `False`",
        );
    }
    Some(DjangoFlag {
        key,
        def,
        value,
        falsy_text: value == Some(false) && !t.trim().is_empty(),
    })
}

/// Django's `EMAIL_*` settings as a `.env` file gives them.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(DJANGO_KEYS)?;
    if let Some(b) = ctx.get("EMAIL_BACKEND").and_then(|d| ctx.text(d)) {
        let b = b.trim();
        let non_smtp = DJANGO_NON_SMTP_BACKENDS
            .iter()
            .any(|n| b == format!("django.core.mail.backends.{n}.EmailBackend"));
        if non_smtp {
            return None;
        }
    }
    let mut profile = Profile::new(Client::Django, "EMAIL_*", anchor.clone());
    profile.host = ctx.get("EMAIL_HOST").and_then(|d| ctx.string(d));
    let near = profile
        .host
        .as_ref()
        .map_or(anchor.clone(), |h| h.loc.clone());
    profile.port = match ctx.get("EMAIL_PORT") {
        Some(d) => ctx.port_of("EMAIL_PORT", d),
        None => Some(Value::default(
            25,
            near.clone(),
            "Django's EMAIL_PORT defaults to 25",
        )),
    };
    profile.username = ctx.get("EMAIL_HOST_USER").and_then(|d| ctx.string(d));
    let pass_def = ctx.get("EMAIL_HOST_PASSWORD");
    profile.password = pass_def.and_then(|d| ctx.password(d));
    let pass_given = pass_def.is_some_and(|d| !d.value.is_empty());
    profile.auth = Some(if profile.username.is_some() && pass_given {
        Value::default(
            AuthMethod::Password,
            pass_def.map_or(anchor.clone(), |d| ctx.vloc(d)),
            "Django logs in when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set",
        )
    } else {
        let loc = profile
            .username
            .as_ref()
            .map(|u| u.loc.clone())
            .or(pass_def.map(|d| ctx.vloc(d)))
            .unwrap_or(anchor.clone());
        Value::default(
            AuthMethod::None,
            loc,
            "Django logs in only when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set",
        )
    });
    for key in ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"] {
        if let Some(f) = ctx.get(key).and_then(|d| ctx.string(d)) {
            profile.from.push(f);
        }
    }

    let tls = django_flag(ctx, "EMAIL_USE_TLS");
    let ssl = django_flag(ctx, "EMAIL_USE_SSL");
    let on = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value == Some(true));
    let unknown = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value.is_none());
    profile.security = match (&tls, &ssl) {
        (Some(t), Some(s)) if on(&tls) && on(&ssl) => {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "both EMAIL_USE_TLS and EMAIL_USE_SSL are true, and Django refuses to send \
                     with both (they are mutually exclusive)",
                    Label::new(ctx.vloc(s.def), "implicit TLS"),
                )
                .with_label(Label::new(ctx.vloc(t.def), "STARTTLS"))
                .with_help(
                    "keep EMAIL_USE_SSL=True for port 465 or EMAIL_USE_TLS=True for port 587, \
                     and set the other to False",
                ),
            );
            None
        }
        _ if on(&ssl) || on(&tls) => {
            let (yes, other, sec) = if on(&ssl) {
                (ssl.as_ref(), tls.as_ref(), Security::ImplicitTls)
            } else {
                (
                    tls.as_ref(),
                    ssl.as_ref(),
                    Security::StartTls { required: true },
                )
            };
            let yes = yes?;
            if let Some(o) = other.filter(|o| o.falsy_text) {
                let raw = o.def.value.trim().to_string();
                ctx.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Warning,
                        format!(
                            "settings.py code that reads {} with os.getenv gets the truthy \
                             string \"{raw}\", and Django then refuses both TLS flags",
                            o.key
                        ),
                        Label::new(ctx.vloc(o.def), "a non-empty string is true in Python"),
                    )
                    .with_label(Label::new(ctx.vloc(yes.def), "this flag is on"))
                    .with_help(format!(
                        "read the flag as a boolean (`os.getenv(\"{0}\") == \"True\"` or \
                         django-environ `env.bool(\"{0}\")`), or delete the line",
                        o.key
                    )),
                );
            }
            Some(Value::literal(sec, ctx.vloc(yes.def)))
        }
        _ if unknown(&tls) || unknown(&ssl) => None,
        _ => Some(match tls.as_ref().or(ssl.as_ref()) {
            Some(f) => Value::literal(Security::None, ctx.vloc(f.def)),
            None => Value::default(
                Security::None,
                near,
                "Django sends without TLS unless EMAIL_USE_TLS or EMAIL_USE_SSL is true",
            ),
        }),
    };
    Some(profile)
}
