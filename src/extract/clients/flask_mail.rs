//! Flask-Mail's settings written in Python: module-level `MAIL_*` names (a flat `config.py`),
//! the attributes of config classes (`class ProductionConfig(Config): MAIL_SERVER = ...`), one
//! profile per module or class, a class inheriting what its bases in the same file set, and
//! writes to a Flask config object (`app.config['MAIL_SERVER'] = ...`,
//! `app.config.update(MAIL_SERVER=...)` or `.update({...})`, `.from_mapping(...)`), one
//! profile per object, a later write winning.
//!
//! Flask-Mail (`flask_mail.py`): `MAIL_SERVER` defaults to `localhost`, `MAIL_PORT` to 25;
//! `MAIL_USE_SSL` connects with `smtplib.SMTP_SSL` (implicit TLS), `MAIL_USE_TLS` calls
//! `starttls()` (STARTTLS that must succeed); both at once runs STARTTLS inside TLS, which
//! fails; it logs in when `MAIL_USERNAME` and `MAIL_PASSWORD` are both set.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::django::{env_flags, flags_mean, flask_flags_on, string_flag, SMTPLIB_HOST};
use super::host_field::host_value;
use super::reads::{env_ref, port_conv, text_ref};
use super::spelling::{unknown_setting, KeySet};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::python::PyFile;
use crate::extract::syntax::value::{port_of, BoolVal, NumKind, Val};
use crate::extract::Extraction;
use crate::model::conversion::Target;
use crate::model::{AuthMethod, Client, Profile, Secret, Value};

const NAMES: &[&str] = &[
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
];
/// Every `MAIL_*` setting Flask-Mail (`flask_mail.py`, `Mail.init_app`) or Flask-Mailman
/// (`flask_mailman/__init__.py`, `Mail.init_app`) reads: another name one or two edits away
/// is a misspelling.
const KEYS: KeySet = KeySet {
    program: "Flask-Mail",
    prefix: "MAIL_",
    known: &[
        "MAIL_SERVER",
        "MAIL_PORT",
        "MAIL_USE_TLS",
        "MAIL_USE_SSL",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "MAIL_DEBUG",
        "MAIL_MAX_EMAILS",
        "MAIL_SUPPRESS_SEND",
        "MAIL_ASCII_ATTACHMENTS",
        "MAIL_BACKEND",
        "MAIL_TIMEOUT",
        "MAIL_SSL_KEYFILE",
        "MAIL_SSL_CERTFILE",
        "MAIL_USE_LOCALTIME",
        "MAIL_FILE_PATH",
        "MAIL_DEFAULT_CHARSET",
        "MAIL_SEND_OPTIONS",
    ],
    renamed: &[],
};
const IGNORED: &str = "Flask-Mail uses its default for that setting";
const PORT: &str = "Flask-Mail's MAIL_PORT defaults to 25";
const PLAIN: &str = "Flask-Mail sends without TLS unless MAIL_USE_TLS or MAIL_USE_SSL is true";
const LOGIN: &str = "Flask-Mail logs in when MAIL_USERNAME and MAIL_PASSWORD are both set";

/// One scope's settings: name -> (span of the name, value).
type Settings<'t> = HashMap<&'static str, (Range<usize>, Node<'t>)>;

/// The profiles of the Flask-Mail settings of a Python file; `smtplib` says whether the file
/// opens smtplib connections of its own (then its `MAIL_*` constants are theirs, unless the
/// file mentions Flask).
pub fn read(py: &PyFile, ex: &mut Extraction, smtplib: bool) {
    if !py.src.contains("MAIL_SERVER") && !py.src.contains("MAIL_USE_") {
        return;
    }
    if smtplib && !py.src.to_ascii_lowercase().contains("flask") {
        return;
    }
    app_config(py, ex);
    misspelt(py, ex);
    // Scope (class name, or "" for the module) -> its own settings; class -> its bases.
    let mut scopes: HashMap<String, Settings> = HashMap::new();
    let mut bases: HashMap<String, Vec<String>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for &name in NAMES {
        for (pos, value) in py.bindings.all(name) {
            let Some(scope) = scope_of(py, *value, &mut bases) else {
                continue;
            };
            if !order.contains(&scope) {
                order.push(scope.clone());
            }
            let span = *pos..*pos + name.len();
            scopes
                .entry(scope)
                .or_default()
                .insert(name, (span, *value));
        }
    }
    for scope in order {
        let mut s: Settings = HashMap::new();
        collect(&scope, &scopes, &bases, &mut s, 0);
        if !(s.contains_key("MAIL_SERVER")
            || s.contains_key("MAIL_USE_TLS")
            || s.contains_key("MAIL_USE_SSL"))
        {
            continue;
        }
        let label = match scope.as_str() {
            "" => "MAIL_* (Flask-Mail)".to_string(),
            c => format!("{c} (Flask-Mail)"),
        };
        let p = profile(py, &s, label, ex);
        ex.profiles.push(p);
    }
}

/// `MAIL_*` names a config module or class (or a Flask config object) sets that are near
/// misses of Flask-Mail's.
fn misspelt(py: &PyFile, ex: &mut Extraction) {
    let mut places: Vec<(String, Range<usize>)> = Vec::new();
    for name in py.bindings.names().filter(|n| n.starts_with("MAIL_")) {
        for (pos, value) in py.bindings.all(name) {
            if scope_of(py, *value, &mut HashMap::new()).is_some() {
                places.push((name.to_owned(), *pos..*pos + name.len()));
            }
        }
    }
    for i in py.item_sets.iter().filter(|i| is_config(&i.object)) {
        places.push((i.key.clone(), i.key_span.clone()));
    }
    places.sort_by_key(|(_, s)| s.start);
    places.dedup();
    for (name, span) in places {
        ex.findings
            .extend(unknown_setting(&KEYS, &name, py.loc(span), IGNORED));
    }
}

/// A write of a Flask-Mail setting to a config object: (object, position, name, name span,
/// value).
type Write<'t> = (String, usize, &'static str, Range<usize>, Node<'t>);

/// `config`, `app.config`, `self.app.config`, `current_app.config`.
fn is_config(object: &str) -> bool {
    object == "config" || object.ends_with(".config")
}

fn known(key: &str) -> Option<&'static str> {
    NAMES.iter().copied().find(|n| *n == key)
}

/// The settings Flask config objects are given, one profile per object.
fn app_config(py: &PyFile, ex: &mut Extraction) {
    let mut writes: Vec<Write> = Vec::new();
    for i in py.item_sets.iter().filter(|i| is_config(&i.object)) {
        if let Some(n) = known(&i.key) {
            let w = (
                i.object.clone(),
                i.key_span.start,
                n,
                i.key_span.clone(),
                i.value,
            );
            writes.push(w);
        }
    }
    for m in &py.methods {
        if matches!(m.method.as_str(), "update" | "from_mapping") && is_config(&m.object) {
            mapping_args(py, &m.object, m.args, &mut writes, 0);
        }
    }
    writes.sort_by_key(|w| w.1);
    let mut objects: Vec<(String, Settings)> = Vec::new();
    for (object, _, name, span, value) in writes {
        let at = match objects.iter().position(|(o, _)| *o == object) {
            Some(i) => i,
            None => {
                objects.push((object, HashMap::new()));
                objects.len() - 1
            }
        };
        objects[at].1.insert(name, (span, value));
    }
    for (object, s) in objects {
        if ["MAIL_SERVER", "MAIL_USE_TLS", "MAIL_USE_SSL"]
            .iter()
            .any(|k| s.contains_key(k))
        {
            let p = profile(py, &s, format!("{object} (Flask-Mail)"), ex);
            ex.profiles.push(p);
        }
    }
}

/// The settings in the arguments of `update(...)`: keyword arguments, a dict literal, or
/// `dict(...)` with keyword arguments.
fn mapping_args<'t>(
    py: &PyFile<'t>,
    object: &str,
    args: Node<'t>,
    out: &mut Vec<Write<'t>>,
    depth: usize,
) {
    let mut c = args.walk();
    for a in args.named_children(&mut c) {
        match a.kind() {
            "keyword_argument" => {
                let (Some(k), Some(v)) = (a.field(TsField::Name), a.field(TsField::Value)) else {
                    continue;
                };
                if let Some(n) = known(&py.src[k.byte_range()]) {
                    out.push((object.to_owned(), k.start_byte(), n, k.byte_range(), v));
                }
            }
            "dictionary" => {
                let mut pc = a.walk();
                for pair in a.named_children(&mut pc).filter(|p| p.kind() == "pair") {
                    let (Some(k), Some(v)) = (pair.field(TsField::Key), pair.field(TsField::Value))
                    else {
                        continue;
                    };
                    if let Some((span, text)) = py.plain_string(k) {
                        if let Some(n) = known(&text) {
                            out.push((object.to_owned(), span.start, n, span, v));
                        }
                    }
                }
            }
            "call" if depth == 0 => {
                let is_dict = a
                    .field(TsField::Function)
                    .is_some_and(|f| &py.src[f.byte_range()] == "dict");
                if let (true, Some(inner)) = (is_dict, a.field(TsField::Arguments)) {
                    mapping_args(py, object, inner, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The settings of a scope with those of its bases under them (the class's own win).
fn collect<'t>(
    scope: &str,
    scopes: &HashMap<String, Settings<'t>>,
    bases: &HashMap<String, Vec<String>>,
    out: &mut Settings<'t>,
    depth: usize,
) {
    if let Some(own) = scopes.get(scope) {
        for (k, v) in own {
            out.entry(k).or_insert_with(|| v.clone());
        }
    }
    if depth < 8 {
        for b in bases.get(scope).into_iter().flatten() {
            collect(b, scopes, bases, out, depth + 1);
        }
    }
}

/// The class whose body assigns `value` ("" at module level); `None` inside a function.
fn scope_of(py: &PyFile, value: Node, bases: &mut HashMap<String, Vec<String>>) -> Option<String> {
    let mut n = value.parent()?;
    loop {
        match n.kind() {
            "module" => return Some(String::new()),
            "function_definition" | "lambda" => return None,
            "class_definition" => {
                let name = py.src[n.field(TsField::Name)?.byte_range()].to_string();
                if let Some(args) = n.field(TsField::Superclasses) {
                    let mut c = args.walk();
                    let list = args
                        .named_children(&mut c)
                        .filter(|a| a.kind() == "identifier")
                        .map(|a| py.src[a.byte_range()].to_string())
                        .collect();
                    bases.insert(name.clone(), list);
                }
                return Some(name);
            }
            _ => n = n.parent()?,
        }
    }
}

fn profile(py: &PyFile, s: &Settings, label: String, ex: &mut Extraction) -> Profile {
    let file = py.file;
    let get = |k: &str| s.get(k).map(|(span, v)| (span.clone(), py.eval(*v, 0)));
    let anchor = s
        .values()
        .map(|(span, _)| span.clone())
        .min_by_key(|r| r.start);
    let anchor = anchor.unwrap_or(0..0);
    let mut p = Profile::new(Client::FlaskMail, label, py.loc(anchor.clone()));
    let mut near = anchor.clone();
    match get("MAIL_SERVER") {
        Some((_, Val::Str { text, span })) if !text.trim().is_empty() => {
            near = span.clone();
            p.host = Some(host_value(
                &text,
                span,
                &|r| py.loc(r),
                ("Flask-Mail", "MAIL_SERVER", SMTPLIB_HOST),
                &mut ex.findings,
            ));
        }
        Some((_, Val::EnvText(r))) => p.env_refs.push(text_ref(file, &r, Target::Host)),
        _ => {}
    }
    match get("MAIL_PORT") {
        None | Some((_, Val::Null)) => {
            p.port = Some(Value::default(25, py.loc(near.clone()), PORT));
        }
        Some((_, Val::Num { value, span })) => {
            let ok = value.fract() == 0.0 && (1.0..=65535.0).contains(&value);
            if ok {
                p.port = Some(Value::literal(value as u16, py.loc(span)));
            }
        }
        Some((_, Val::Str { text, span })) => {
            if let Some(n) = port_of(&text, NumKind::Whole) {
                p.port = Some(Value::literal(n, py.loc(span)));
            }
        }
        Some((_, Val::EnvText(r))) | Some((_, Val::EnvNum(r, _))) => {
            p.env_refs
                .push(env_ref(file, &r, port_conv(NumKind::Whole)));
        }
        Some(_) => {}
    }
    login(py, s, &mut p, &anchor);
    // A `(name, address)` pair is a sender too (Flask-Mail's `Message` and Flask-Mailman's
    // `sanitize_address` take the address from the second item).
    let sender = s.get("MAIL_DEFAULT_SENDER").map(|(span, v)| {
        let pair = (v.kind() == "tuple" || v.kind() == "list")
            .then(|| {
                let mut c = v.walk();
                let items: Vec<Node> = v.named_children(&mut c).collect();
                (items.len() == 2).then(|| items[1])
            })
            .flatten();
        (span.clone(), py.eval(pair.unwrap_or(*v), 0))
    });
    match sender {
        Some((_, Val::Str { text, span })) if text.contains('@') => {
            p.from.push(Value::literal(text, py.loc(span)))
        }
        Some((_, Val::EnvText(r))) => p.env_refs.push(text_ref(file, &r, Target::From)),
        _ => {}
    }
    for key in ["MAIL_USE_TLS", "MAIL_USE_SSL"] {
        if let Some((_, v)) = s.get(key) {
            ex.findings.extend(string_flag(py, "Flask-Mail", key, *v));
        }
    }
    tls(py, s, &mut p, near, ex);
    p
}

fn login(py: &PyFile, s: &Settings, p: &mut Profile, anchor: &Range<usize>) {
    let file = py.file;
    let mut given = [false, false];
    for (i, key) in ["MAIL_USERNAME", "MAIL_PASSWORD"].into_iter().enumerate() {
        let Some((_, v)) = s.get(key) else { continue };
        match py.eval(*v, 0) {
            Val::Str { text, span } if !text.is_empty() => {
                given[i] = true;
                if i == 0 {
                    p.username = Some(Value::literal(text, py.loc(span)));
                } else {
                    p.password = Some(Value::literal(Secret::new(text), py.loc(span)));
                }
            }
            Val::EnvText(r) => {
                given[i] = true;
                let target = if i == 0 {
                    Target::Username
                } else {
                    Target::Password
                };
                p.env_refs.push(text_ref(file, &r, target));
            }
            Val::Str { .. } | Val::Null => {}
            _ => given[i] = true,
        }
    }
    let at = p
        .password
        .as_ref()
        .map_or(py.loc(anchor.clone()), |pw| pw.loc.clone());
    p.auth = Some(match given {
        [true, true] => Value::default(AuthMethod::Password, at, LOGIN),
        _ => Value::default(AuthMethod::None, at, LOGIN),
    });
}

/// `MAIL_USE_TLS` and `MAIL_USE_SSL`: written (literal) or read from the environment.
fn tls(py: &PyFile, s: &Settings, p: &mut Profile, near: Range<usize>, ex: &mut Extraction) {
    use BoolVal::Known;
    let flag = |k: &str| s.get(k).map(|(_, v)| py.flag(*v));
    let (t, l) = (flag("MAIL_USE_TLS"), flag("MAIL_USE_SSL"));
    let known = |b: &Option<BoolVal>| match b {
        None => Some((false, None)),
        Some(Known(v, span)) => Some((*v, Some(span.clone()))),
        _ => None,
    };
    match (known(&t), known(&l)) {
        (Some((tv, ta)), Some((sv, sa))) => match flags_mean(tv, sv) {
            None => ex.findings.push(flask_flags_on(
                ["MAIL_USE_TLS", "MAIL_USE_SSL"],
                py.loc(sa.unwrap_or(0..0)),
                py.loc(ta.unwrap_or(0..0)),
            )),
            Some(sec) => {
                let at = if sv {
                    sa
                } else if tv {
                    ta
                } else {
                    ta.or(sa)
                };
                p.security = Some(match at {
                    Some(span) => Value::literal(sec, py.loc(span)),
                    None => Value::default(sec, py.loc(near), PLAIN),
                });
            }
        },
        _ => p
            .env_refs
            .extend(env_flags(py.file, &t, &l, refused_next_to)),
    }
}

/// What `MAIL_USE_SSL` (`ssl`) or `MAIL_USE_TLS` read from the environment must be when the
/// other flag is written as true; `raw` when the code reads it as a plain string.
fn refused_next_to(ssl: bool, raw: bool) -> &'static str {
    match (ssl, raw) {
        (true, true) => {
            "an empty value: the code reads MAIL_USE_SSL as a raw string, so even \"False\" \
             turns it on, and Flask-Mail then sends STARTTLS inside TLS next to MAIL_USE_TLS"
        }
        (false, true) => {
            "an empty value: the code reads MAIL_USE_TLS as a raw string, so even \"False\" \
             turns it on, and Flask-Mail then sends STARTTLS inside TLS next to MAIL_USE_SSL"
        }
        (true, false) => "false, because MAIL_USE_TLS is True and both at once fail",
        (false, false) => "false, because MAIL_USE_SSL is True and both at once fail",
    }
}
