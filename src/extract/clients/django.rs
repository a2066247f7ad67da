//! Django's `EMAIL_*` settings (`django.core.mail.backends.smtp.EmailBackend`), whether a `.env`
//! file gives them or a `settings.py` module assigns them: `EMAIL_USE_TLS` is required STARTTLS,
//! `EMAIL_USE_SSL` implicit TLS, both at once is refused, the port defaults to 25, and Django logs
//! in only when user and password are both set. The rules are written once ([`flags_mean`],
//! [`both_flags_on`], the default reasons) and used by both readers.

use std::ops::Range;

use super::host_field::host_value;
use super::reads::{bool_conv, env_ref, invalid_port, port_conv, text_ref, Out};
use super::spelling::{self, KeySet};
use crate::extract::syntax::dotenv::{Ctx, Def};
use crate::extract::syntax::python::PyFile;
use crate::extract::syntax::value::{port_of, BoolVal, NumKind, Pred, Val};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{Conversion, Outcome, Target};
use crate::model::EnvRef;
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

const DEFAULT_PORT: &str = "Django's EMAIL_PORT defaults to 25";
/// What to do with a port or scheme written into the host (Django and Flask-Mail).
pub const SMTPLIB_HOST: &str = "write the name alone; the port goes in the PORT setting and the \
                                TLS mode in USE_TLS / USE_SSL";
const DEFAULT_PLAIN: &str =
    "Django sends without TLS unless EMAIL_USE_TLS or EMAIL_USE_SSL is true";
const LOGIN: &str = "Django logs in when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set";
const NO_LOGIN: &str =
    "Django logs in only when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set";

/// What Django makes of the two flags: the TLS mode, or `None` when both are on (Django raises
/// `ValueError`: they are mutually exclusive).
pub fn flags_mean(use_tls: bool, use_ssl: bool) -> Option<Security> {
    match (use_tls, use_ssl) {
        (true, true) => None,
        (_, true) => Some(Security::ImplicitTls),
        (true, _) => Some(Security::StartTls { required: true }),
        _ => Some(Security::None),
    }
}

/// A TLS flag written as a string that reads as false (`'False'`, `'0'`, `'off'`): Python takes
/// any non-empty string as true, so `program` switches the flag on.
pub fn string_flag(py: &PyFile, program: &str, key: &str, v: tree_sitter::Node) -> Option<Finding> {
    let Val::Str { text, span } = py.eval(v, 0) else {
        return None;
    };
    let word = text.trim();
    if word.is_empty() || crate::extract::parse_bool(word) != Some(false) {
        return None;
    }
    Some(
        Finding::new(
            "invalid-value",
            Severity::Error,
            format!(
                "{key} is the string '{word}', which Python reads as true: {program} switches \
                 the flag on"
            ),
            Label::new(py.loc(span), "a non-empty string is true"),
        )
        .with_help(format!("write {key} = False, without quotes")),
    )
}

/// The `conflicting-settings` error for Flask-Mail's two flags both on (`[tls, ssl]` are the
/// names as written), labelled at each: it wraps the connection in TLS, then sends STARTTLS
/// inside it, which fails.
pub fn flask_flags_on([tls_name, ssl_name]: [&str; 2], ssl: Loc, tls: Loc) -> Finding {
    Finding::new(
        "conflicting-settings",
        Severity::Error,
        format!(
            "{tls_name} and {ssl_name} are both true: Flask-Mail connects with TLS and then \
             sends STARTTLS inside it, which the server refuses"
        ),
        Label::new(ssl, "implicit TLS"),
    )
    .with_label(Label::new(tls, "STARTTLS"))
    .with_help(format!(
        "keep {ssl_name} for port 465 or {tls_name} for port 587, and set the other to false"
    ))
}

/// The `conflicting-settings` error for both flags on, labelled at each.
pub fn both_flags_on(ssl: Loc, tls: Loc) -> Finding {
    Finding::new(
        "conflicting-settings",
        Severity::Error,
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both true, and Django refuses to send with both \
         (they are mutually exclusive)",
        Label::new(ssl, "implicit TLS"),
    )
    .with_label(Label::new(tls, "STARTTLS"))
    .with_help(
        "keep EMAIL_USE_SSL true for port 465 or EMAIL_USE_TLS true for port 587, and set the \
         other to False",
    )
}

/// What `EMAIL_USE_SSL` (`ssl`) or `EMAIL_USE_TLS` read from the environment must be when the
/// other flag is written as true; `raw` when settings.py reads it as a plain string.
fn refused_next_to(ssl: bool, raw: bool) -> &'static str {
    match (ssl, raw) {
        (true, true) => {
            "an empty value: settings.py reads EMAIL_USE_SSL as a raw string, so even \"False\" \
             turns it on, and Django refuses it next to EMAIL_USE_TLS = True"
        }
        (false, true) => {
            "an empty value: settings.py reads EMAIL_USE_TLS as a raw string, so even \"False\" \
             turns it on, and Django refuses it next to EMAIL_USE_SSL = True"
        }
        (true, false) => "false, because EMAIL_USE_TLS is True and Django refuses both",
        (false, false) => "false, because EMAIL_USE_SSL is True and Django refuses both",
    }
}

/// The env references of the two TLS flags when at least one is read from the environment;
/// Django and Flask-Mail read them alike (`USE_TLS` required STARTTLS, `USE_SSL` implicit TLS,
/// both at once refused). `expects(ssl_read, raw)` says what a flag read next to the other
/// written true must be. Both read: `USE_TLS` decides, then `USE_SSL` true overrides it (both
/// true, which the program refuses, is not seen: each value is applied on its own).
pub fn env_flags(
    file: FileId,
    tls: &Option<BoolVal>,
    ssl: &Option<BoolVal>,
    expects: fn(bool, bool) -> &'static str,
) -> Vec<EnvRef> {
    use BoolVal::{Env, Known};
    let falsy = |b: &Option<BoolVal>| b.is_none() || matches!(b, Some(Known(false, _)));
    match (tls, ssl) {
        // One flag from the environment, the other written false or absent.
        (Some(Env(r, pr)), other) if falsy(other) => {
            vec![env_ref(
                file,
                r,
                bool_conv(Out::StartReq, Out::NoTls, pr.clone()),
            )]
        }
        (other, Some(Env(r, pr))) if falsy(other) => {
            vec![env_ref(
                file,
                r,
                bool_conv(Out::Implicit, Out::NoTls, pr.clone()),
            )]
        }
        // One from the environment next to the other written true: it must be false, and then
        // the written flag decides.
        (Some(Known(true, _)), Some(Env(r, pr))) | (Some(Env(r, pr)), Some(Known(true, _))) => {
            let ssl_read = matches!(ssl, Some(Env(..)));
            let refused = Outcome::Refused(expects(ssl_read, *pr == Pred::Truthy));
            let written = if ssl_read {
                Out::StartReq
            } else {
                Out::Implicit
            };
            vec![env_ref(
                file,
                r,
                Conversion::choice(pr.clone(), refused, written.outcome()),
            )]
        }
        (Some(Env(t, pt)), Some(Env(s, ps))) => vec![
            env_ref(file, t, bool_conv(Out::StartReq, Out::NoTls, pt.clone())),
            env_ref(
                file,
                s,
                Conversion::choice(ps.clone(), Out::Implicit.outcome(), Outcome::Keep),
            ),
        ],
        _ => Vec::new(),
    }
}

const DJANGO_KEYS: &[&str] = &[
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
];
/// Every `EMAIL_*` setting Django reads (and django-environ's `EMAIL_URL`): another name one
/// or two edits away is a misspelling ([`spelling`]).
pub const SETTINGS: KeySet = KeySet {
    program: "Django",
    prefix: "EMAIL_",
    known: &[
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "EMAIL_SSL_CERTFILE",
        "EMAIL_SSL_KEYFILE",
        "EMAIL_TIMEOUT",
        "EMAIL_USE_LOCALTIME",
        "EMAIL_SUBJECT_PREFIX",
        "EMAIL_FILE_PATH",
        "EMAIL_URL",
    ],
    renamed: &[],
};
const IGNORED: &str = "Django uses its default for that setting";

/// Django email backends that do not send through an SMTP server (parts of their dotted path).
const NON_SMTP_BACKENDS: &[&str] = &[
    ".console.",
    ".filebased.",
    ".locmem.",
    ".dummy.",
    "anymail.",
    "django_ses",
    "sendgrid_backend",
    "postmarker",
    "django_mailgun",
];

/// Does this `EMAIL_BACKEND` send through an SMTP server?
fn smtp_backend(backend: &str) -> bool {
    !NON_SMTP_BACKENDS.iter().any(|b| backend.contains(b))
}

/// A boolean as django-environ (`env.bool`) and python-decouple (`cast=bool`) read it.
fn django_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" | "ok" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
        _ => None,
    }
}

struct DjangoFlag<'a> {
    def: &'a Def,
    value: Option<bool>,
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
    Some(DjangoFlag { def, value })
}

/// Django's `EMAIL_*` settings as a `.env` file gives them.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(DJANGO_KEYS)?;
    if let Some(b) = ctx.get("EMAIL_BACKEND").and_then(|d| ctx.text(d)) {
        if !smtp_backend(b.trim()) {
            return None;
        }
    }
    spelling::check_env_keys(ctx, &SETTINGS, IGNORED);
    let mut profile = Profile::new(Client::Django, "EMAIL_*", anchor.clone());
    env_file_server(ctx, &mut profile, &anchor);
    let near = profile.host.as_ref().map_or(anchor, |h| h.loc.clone());
    profile.security = env_file_tls(ctx, near);
    Some(profile)
}

/// Host, port, login and From of the `.env` settings.
fn env_file_server(ctx: &mut Ctx, profile: &mut Profile, anchor: &Loc) {
    profile.host = ctx.get("EMAIL_HOST").and_then(|d| ctx.string(d)).map(|h| {
        let file = h.loc.file;
        let mut found = Vec::new();
        let v = host_value(
            &h.value,
            h.loc.span.clone(),
            &|r| Loc::new(file, r),
            ("Django", "EMAIL_HOST", SMTPLIB_HOST),
            &mut found,
        );
        found.into_iter().for_each(|f| ctx.push(f));
        v
    });
    let near = profile
        .host
        .as_ref()
        .map_or(anchor.clone(), |h| h.loc.clone());
    profile.port = match ctx.get("EMAIL_PORT") {
        Some(d) => ctx.port_of("EMAIL_PORT", d),
        None => Some(Value::default(25, near, DEFAULT_PORT)),
    };
    profile.username = ctx.get("EMAIL_HOST_USER").and_then(|d| ctx.string(d));
    let pass_def = ctx.get("EMAIL_HOST_PASSWORD");
    profile.password = pass_def.and_then(|d| ctx.password(d));
    let pass_given = pass_def.is_some_and(|d| !d.value.is_empty());
    profile.auth = Some(if profile.username.is_some() && pass_given {
        Value::default(
            AuthMethod::Password,
            pass_def.map_or(anchor.clone(), |d| ctx.vloc(d)),
            LOGIN,
        )
    } else {
        let loc = profile
            .username
            .as_ref()
            .map(|u| u.loc.clone())
            .or(pass_def.map(|d| ctx.vloc(d)))
            .unwrap_or(anchor.clone());
        Value::default(AuthMethod::None, loc, NO_LOGIN)
    });
    for key in ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"] {
        if let Some(f) = ctx.get(key).and_then(|d| ctx.string(d)) {
            profile.from.push(f);
        }
    }
}

/// `EMAIL_USE_TLS` and `EMAIL_USE_SSL` of the `.env` settings.
fn env_file_tls(ctx: &mut Ctx, near: Loc) -> Option<Value<Security>> {
    let tls = django_flag(ctx, "EMAIL_USE_TLS");
    let ssl = django_flag(ctx, "EMAIL_USE_SSL");
    let on = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value == Some(true));
    let unknown = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value.is_none());
    match (&tls, &ssl) {
        (Some(t), Some(s)) if on(&tls) && on(&ssl) => {
            ctx.push(both_flags_on(ctx.vloc(s.def), ctx.vloc(t.def)));
            None
        }
        _ if on(&ssl) || on(&tls) => {
            let sec = flags_mean(on(&tls), on(&ssl))?;
            let yes = if on(&ssl) { ssl.as_ref() } else { tls.as_ref() };
            // A `False` beside a flag that is on is what django-environ and decouple read as
            // false; only code that reads it raw (`os.getenv`) gets a truthy string, and that
            // code is judged where it is read (settings.py, through the env conversion).
            Some(Value::literal(sec, ctx.vloc(yes?.def)))
        }
        _ if unknown(&tls) || unknown(&ssl) => None,
        _ => Some(match tls.as_ref().or(ssl.as_ref()) {
            Some(f) => Value::literal(Security::None, ctx.vloc(f.def)),
            None => Value::default(Security::None, near, DEFAULT_PLAIN),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// settings.py
// ---------------------------------------------------------------------------------------------

/// Django's settings as a `settings.py` module assigns them (module-level `EMAIL_HOST`,
/// `EMAIL_BACKEND` ...): one profile ([`Client::DjangoSettings`]); `smtplib` says whether the
/// file also opens smtplib connections of its own.
pub fn from_settings(py: &PyFile, ex: &mut Extraction, smtplib: bool) {
    let Some(forced_ssl) = settings_module(py, smtplib) else {
        return;
    };
    let anchor = py
        .module
        .iter()
        .filter(|(n, _, _)| n.starts_with("EMAIL_") || n == "DEFAULT_FROM_EMAIL")
        .map(|(_, s, _)| s.clone())
        .min_by_key(|s| s.start)
        .unwrap_or(0..0);
    let mut p = Profile::new(
        Client::DjangoSettings,
        "EMAIL_* settings",
        py.loc(anchor.clone()),
    );
    for (i, (name, span, _)) in py.module.iter().enumerate() {
        let last = py.module[i + 1..].iter().all(|(n, _, _)| n != name);
        let f = spelling::unknown_setting(&SETTINGS, name, py.loc(span.clone()), IGNORED);
        ex.findings.extend(f.filter(|_| last));
    }
    let mut s = Settings { py, ex };
    let near = s.server(&mut p, &anchor);
    s.login(&mut p, &anchor);
    s.froms(&mut p);
    match forced_ssl {
        Some(span) => p.security = Some(Value::literal(Security::ImplicitTls, py.loc(span))),
        None => {
            let flag = |key: &str| setting(py, key).map(|(_, _, v)| py.flag(*v));
            for key in ["EMAIL_USE_TLS", "EMAIL_USE_SSL"] {
                if let Some((_, _, v)) = setting(py, key) {
                    s.ex.findings.extend(string_flag(py, "Django", key, *v));
                }
            }
            let (tls, ssl) = (flag("EMAIL_USE_TLS"), flag("EMAIL_USE_SSL"));
            s.tls(&mut p, tls, ssl, near);
        }
    }
    s.ex.profiles.push(p);
}

/// The last module-level assignment of a name.
fn setting<'a, 't>(
    py: &'a PyFile<'t>,
    name: &str,
) -> Option<&'a (String, Range<usize>, tree_sitter::Node<'t>)> {
    py.module.iter().rev().find(|(n, _, _)| n == name)
}

/// Is this a settings module that configures an SMTP server? `Some(span)` of an
/// `SSLEmailBackend` that forces implicit TLS.
fn settings_module(py: &PyFile, smtplib: bool) -> Option<Option<Range<usize>>> {
    let names: Vec<&str> = py.module.iter().map(|(n, _, _)| n.as_str()).collect();
    let has_backend = names.contains(&"EMAIL_BACKEND");
    let has_host = names.iter().any(|n| n.starts_with("EMAIL_HOST"));
    // A base settings file that only picks the backend leaves the server to another file.
    let has_server = names.iter().any(|n| DJANGO_KEYS.contains(n));
    if !(has_backend || has_host) || !has_server {
        return None;
    }
    if smtplib && !has_backend && !py.src.contains("django") {
        return None; // a script that keeps its own EMAIL_* constants for smtplib
    }
    let mut forced_ssl = None;
    if let Some((_, _, v)) = setting(py, "EMAIL_BACKEND") {
        if let Val::Str { text, span } = py.eval(*v, 0) {
            if !smtp_backend(&text) {
                return None;
            }
            if text.contains("SSLEmailBackend") {
                forced_ssl = Some(span);
            }
        }
    }
    Some(forced_ssl)
}

struct Settings<'a, 't> {
    py: &'a PyFile<'t>,
    ex: &'a mut Extraction,
}

impl Settings<'_, '_> {
    fn get(&self, key: &str) -> Option<Val> {
        setting(self.py, key).map(|(_, _, v)| self.py.eval(*v, 0))
    }

    fn invalid(&mut self, span: Range<usize>, message: String) {
        self.ex
            .findings
            .push(invalid_port(self.py.loc(span), message));
    }

    /// Host and port; returns the span the TLS default is shown at.
    fn server(&mut self, p: &mut Profile, anchor: &Range<usize>) -> Range<usize> {
        let file = self.py.file;
        let mut near = anchor.clone();
        match self.get("EMAIL_HOST") {
            Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                near = span.clone();
                let py = self.py;
                p.host = Some(host_value(
                    &text,
                    span,
                    &|r| py.loc(r),
                    ("Django", "EMAIL_HOST", SMTPLIB_HOST),
                    &mut self.ex.findings,
                ));
            }
            Some(Val::EnvText(r)) => p.env_refs.push(text_ref(file, &r, Target::Host)),
            _ => {}
        }
        match self.get("EMAIL_PORT") {
            None | Some(Val::Null) => {
                p.port = Some(Value::default(25, self.py.loc(near.clone()), DEFAULT_PORT))
            }
            Some(Val::Num { value, span }) => {
                if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
                    p.port = Some(Value::literal(value as u16, self.py.loc(span)));
                } else {
                    self.invalid(
                        span,
                        format!("EMAIL_PORT {value} is not a port number (1-65535)"),
                    );
                }
            }
            Some(Val::Str { text, span }) => match port_of(&text, NumKind::Whole) {
                Some(n) => p.port = Some(Value::literal(n, self.py.loc(span))),
                None => self.invalid(
                    span,
                    format!("EMAIL_PORT `{}` is not a port number", text.trim()),
                ),
            },
            Some(Val::EnvText(r)) | Some(Val::EnvNum(r, _)) => {
                p.env_refs
                    .push(env_ref(file, &r, port_conv(NumKind::Whole)))
            }
            Some(_) => {}
        }
        near
    }

    /// Login: Django logs in only when user and password are both non-empty.
    fn login(&mut self, p: &mut Profile, anchor: &Range<usize>) {
        let file = self.py.file;
        let mut user_set = None;
        match self.get("EMAIL_HOST_USER") {
            Some(Val::Str { text, span }) if !text.is_empty() => {
                user_set = Some(span.clone());
                p.username = Some(Value::literal(text, self.py.loc(span)));
            }
            Some(Val::EnvText(r)) => {
                user_set = Some(r.reference.clone());
                p.env_refs.push(text_ref(file, &r, Target::Username));
            }
            Some(Val::Str { .. }) | Some(Val::Null) | None => {}
            Some(_) => user_set = Some(anchor.clone()),
        }
        let mut pass_set = None;
        match self.get("EMAIL_HOST_PASSWORD") {
            Some(Val::Str { text, span }) if !text.is_empty() => {
                pass_set = Some(span.clone());
                p.password = Some(Value::literal(Secret::new(text), self.py.loc(span)));
            }
            Some(Val::EnvText(r)) => {
                pass_set = Some(r.reference.clone());
                p.env_refs.push(text_ref(file, &r, Target::Password));
            }
            Some(Val::Str { .. }) | Some(Val::Null) | None => {}
            Some(_) => pass_set = Some(anchor.clone()),
        }
        match (&user_set, &pass_set) {
            // Both given (perhaps from the environment): Django will log in.
            (Some(_), Some(s)) => {
                p.auth = Some(Value::default(
                    AuthMethod::Password,
                    self.py.loc(s.clone()),
                    LOGIN,
                ))
            }
            (Some(s), None) | (None, Some(s)) => {
                p.auth = Some(Value::default(
                    AuthMethod::None,
                    self.py.loc(s.clone()),
                    NO_LOGIN,
                ));
                p.username = None;
                p.password = None;
            }
            (None, None) => {}
        }
    }

    fn froms(&mut self, p: &mut Profile) {
        for key in ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"] {
            match self.get(key) {
                Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                    p.from.push(Value::literal(text, self.py.loc(span)))
                }
                Some(Val::EnvText(r)) | Some(Val::EnvInText(r)) => {
                    p.env_refs.push(text_ref(self.py.file, &r, Target::From))
                }
                _ => {}
            }
        }
    }

    /// `EMAIL_USE_TLS` and `EMAIL_USE_SSL`, each written, absent or read from the environment.
    fn tls(
        &mut self,
        p: &mut Profile,
        tls: Option<BoolVal>,
        ssl: Option<BoolVal>,
        near: Range<usize>,
    ) {
        use BoolVal::{Env, Known};
        let known = |b: &Option<BoolVal>| match b {
            None => Some((false, None)),
            Some(Known(v, s)) => Some((*v, Some(s.clone()))),
            _ => None,
        };
        if let (Some((t, t_at)), Some((s, s_at))) = (known(&tls), known(&ssl)) {
            let loc = |span: Option<Range<usize>>| self.py.loc(span.unwrap_or(0..0));
            match flags_mean(t, s) {
                None => self.ex.findings.push(both_flags_on(loc(s_at), loc(t_at))),
                Some(sec) => {
                    let at = if s {
                        s_at
                    } else if t {
                        t_at
                    } else {
                        t_at.or(s_at)
                    };
                    p.security = Some(match at {
                        Some(span) => Value::literal(sec, self.py.loc(span)),
                        None => Value::default(sec, self.py.loc(near), DEFAULT_PLAIN),
                    });
                }
            }
            return;
        }
        if let (Some(Env(t, Pred::Truthy)), Some(Env(s, Pred::Truthy))) = (&tls, &ssl) {
            self.ex.findings.push(both_read_raw(
                self.py.loc(s.reference.clone()),
                self.py.loc(t.reference.clone()),
            ));
            return;
        }
        p.env_refs
            .extend(env_flags(self.py.file, &tls, &ssl, refused_next_to));
    }
}

/// Both flags read raw: any non-empty value turns each on. Which wins depends on the env file;
/// the combination itself is the mistake.
fn both_read_raw(ssl: Loc, tls: Loc) -> Finding {
    Finding::new(
        "conflicting-settings",
        Severity::Warning,
        "EMAIL_USE_TLS and EMAIL_USE_SSL are read as raw strings: any non-empty value, \
         \"False\" included, turns each on, and Django refuses both at once",
        Label::new(ssl, "a string, not a boolean"),
    )
    .with_label(Label::new(tls, "a string, not a boolean"))
    .with_help(
        "read them as booleans: `env.bool(\"EMAIL_USE_TLS\", default=False)` or \
         `os.getenv(\"EMAIL_USE_TLS\", \"False\") == \"True\"`",
    )
}
