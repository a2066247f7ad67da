//! Rails ActionMailer's SMTP settings, as Ruby code sets them: `config.action_mailer.smtp_settings
//! = { ... }` (config/environments/*.rb, config/application.rb, initializers),
//! `ActionMailer::Base.smtp_settings = { ... }`, elements set one by one (`smtp_settings[:port] =
//! 587`) or merged in (`.merge!(...)`), one profile per assignment of the whole hash; a
//! `delivery_method` other than `:smtp` in the same file means no SMTP profile.
//!
//! What the settings mean is the Mail gem's (2.9) `Mail::SMTP` (lib/mail/network/delivery_methods/
//! smtp.rb) on Ruby's Net::SMTP (lib/net/smtp.rb); docs/formats/rails.md cites the lines:
//! - Rails replaces its own default hash (railtie.rb `self.smtp_settings =`), so what is not
//!   written takes Mail's `DEFAULTS`: address `localhost`, port 25, no login;
//! - keys are read as symbols (`settings[:address]`): a String key (`"address" =>`) is never
//!   read, unless the hash is made indifferent (`with_indifferent_access`, `symbolize_keys`);
//! - `ssl`/`tls` true is implicit TLS; `enable_starttls` true (or `:always`) is required
//!   STARTTLS, `:auto` opportunistic; else `enable_starttls_auto` true is opportunistic and
//!   false is no TLS; with none of them Mail uses STARTTLS when offered (`:auto`); implicit
//!   TLS together with a true STARTTLS flag raises `ArgumentError`;
//! - `openssl_verify_mode` `'none'` or `OpenSSL::SSL::VERIFY_NONE` switches verification off;
//!   a String names a constant (`VERIFY_#{upcase}`), a symbol is not looked up;
//! - Net::SMTP logs in when `user_name` is set, with `authentication` (`:plain` when unset), and
//!   raises when the user name or the password is missing next to any of the three.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::reads::{env_ref, invalid_port, port_conv, push_froms, text_ref};
use super::spelling::{self, KeySet};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::ruby::{self, Entry, Key, KeyKind, RbFile};
use crate::extract::syntax::value::{port_of, BoolVal, EnvRead, NumKind, Pred, Val};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{Conversion, Outcome, Target};
use crate::model::{AuthMethod, Client, FieldValue, Profile, Secret, Security, Value};
use crate::source::FileId;

mod tls;

const ADDRESS: &str = "Mail's SMTP delivery connects to localhost unless :address is set";
const PORT: &str = "Mail's SMTP delivery uses port 25 unless :port is set";
const LOGIN: &str = "Net::SMTP logs in when :user_name is set";
const NO_LOGIN: &str = "Net::SMTP logs in only when :user_name is set";

/// Every key `Mail::SMTP` reads: another key one or two edits away is a misspelling.
pub const SETTINGS: KeySet = KeySet {
    program: "Mail (ActionMailer's smtp_settings)",
    prefix: "",
    known: &[
        "address",
        "port",
        "domain",
        "user_name",
        "password",
        "authentication",
        "enable_starttls",
        "enable_starttls_auto",
        "openssl_verify_mode",
        "ssl",
        "tls",
        "open_timeout",
        "read_timeout",
        "ca_path",
        "ca_file",
        "return_response",
    ],
    renamed: &[
        ("host", "address"),
        ("hostname", "address"),
        ("server", "address"),
        ("username", "user_name"),
        ("user", "user_name"),
        ("login", "user_name"),
        ("starttls", "enable_starttls"),
        ("starttls_auto", "enable_starttls_auto"),
        ("verify_mode", "openssl_verify_mode"),
        ("auth", "authentication"),
    ],
};
const IGNORED: &str = "Mail uses its default for that setting";

/// Read a Ruby file: the ActionMailer SMTP settings it sets, and the secrets it holds.
pub fn extract(file: FileId, text: &str) -> Extraction {
    let Some(tree) = ruby::parse(text) else {
        return Extraction::default();
    };
    let rb = RbFile::read(file, text, tree.root_node());
    let mut ex = Extraction {
        secrets: rb.secrets.clone(),
        ..Extraction::default()
    };
    read(&rb, &mut ex);
    ex
}

/// `config.action_mailer.X`, `Rails.application.config.action_mailer.X`,
/// `ActionMailer::Base.X`.
fn is_option(target: &str, name: &str) -> bool {
    let Some(head) = target.strip_suffix(name) else {
        return false;
    };
    head.ends_with("action_mailer.") || head.trim_start_matches("::") == "ActionMailer::Base."
}

/// One assignment of the whole settings hash, with the elements set on it afterwards.
struct Settings<'t> {
    label: String,
    /// The setting's name (`smtp_settings`), for findings about the whole hash.
    anchor: Range<usize>,
    entries: Vec<Entry<'t>>,
    /// Made indifferent (`with_indifferent_access`, `symbolize_keys`): String keys count.
    indifferent: bool,
}

/// The options ActionMailer takes (`config.action_mailer.X =`, `ActionMailer::Base.X =`):
/// the railtie sends each as `X=` to `ActionMailer::Base`, so an unknown one raises
/// `NoMethodError` when the app boots.
const OPTIONS: KeySet = KeySet {
    program: "ActionMailer",
    prefix: "",
    known: &[
        "smtp_settings",
        "sendmail_settings",
        "file_settings",
        "delivery_method",
        "delivery_methods",
        "default_options",
        "default_url_options",
        "raise_delivery_errors",
        "perform_deliveries",
        "perform_caching",
        "asset_host",
        "assets_dir",
        "javascripts_dir",
        "stylesheets_dir",
        "relative_url_root",
        "cache_store",
        "logger",
        "preview_path",
        "preview_paths",
        "show_previews",
        "preview_interceptors",
        "interceptors",
        "observers",
        "delivery_job",
        "deliver_later_queue_name",
        "smtp_timeout",
    ],
    renamed: &[
        ("smtp_options", "smtp_settings"),
        ("smtp_config", "smtp_settings"),
    ],
};

/// A misspelt option that would have carried the SMTP settings (`smtp_setting`,
/// `delivery_methd`, `default_option`): only these are reported, so an option a gem adds is not
/// taken for a typo.
fn misspelt_options(rb: &RbFile, ex: &mut Extraction) {
    for a in rb.assigns.iter().filter(|a| a.key.is_none()) {
        let Some((head, name)) = a.target.rsplit_once('.') else {
            continue;
        };
        let head = format!("{head}.");
        if !is_option(&format!("{head}{name}"), name) {
            continue;
        }
        let wanted = ["smtp_settings", "delivery_method", "default_options"];
        if spelling::suggest(&OPTIONS, name).is_some_and(|s| wanted.contains(&s)) {
            let effect = "Rails raises NoMethodError for it when the app boots";
            ex.findings.extend(spelling::unknown_setting(
                &OPTIONS,
                name,
                rb.loc(a.name.clone()),
                effect,
            ));
        }
    }
}

/// The ActionMailer SMTP profiles of a Ruby file.
pub fn read(rb: &RbFile, ex: &mut Extraction) {
    misspelt_options(rb, ex);
    let delivery = rb
        .assigns
        .iter()
        .rfind(|a| a.key.is_none() && is_option(&a.target, "delivery_method"));
    if let Some(d) = delivery {
        if let Val::Str { text, .. } = rb.eval(d.value, 0) {
            if text != "smtp" {
                return; // :sendmail, :test, :file, a service's API: no SMTP server
            }
        }
    }
    let mut all: Vec<(String, usize, Settings)> = Vec::new();
    for a in &rb.assigns {
        if !is_option(&a.target, "smtp_settings") {
            continue;
        }
        match &a.key {
            None => {
                let Some((entries, indifferent)) = hash_of(rb, a.value, 0) else {
                    continue;
                };
                let s = Settings {
                    label: a.target.clone(),
                    anchor: a.name.clone(),
                    entries,
                    indifferent,
                };
                all.push((a.target.clone(), a.pos, s));
            }
            Some(key) => {
                let entry = Entry {
                    key: key.clone(),
                    value: a.value,
                };
                add_entries(&mut all, &a.target, a.pos, &a.name, vec![entry]);
            }
        }
    }
    for c in &rb.calls {
        if matches!(c.method.as_str(), "merge!" | "update")
            && is_option(&c.receiver, "smtp_settings")
        {
            let entries = merged(rb, c.node, 0);
            let name = c.node.field(TsField::Receiver).map_or(0..0, |r| {
                r.field(TsField::Method)
                    .map_or(r.byte_range(), |m| m.byte_range())
            });
            add_entries(&mut all, &c.receiver, c.node.start_byte(), &name, entries);
        }
    }
    all.sort_by_key(|(_, pos, _)| *pos);
    let froms = default_from(rb);
    for (_, _, s) in all {
        let mut p = profile(rb, &s, ex);
        push_froms(rb.file, &mut p, froms.clone());
        ex.profiles.push(p);
    }
}

/// Add elements to the last settings of the same target set before `pos`, or start new ones.
fn add_entries<'t>(
    all: &mut Vec<(String, usize, Settings<'t>)>,
    target: &str,
    pos: usize,
    name: &Range<usize>,
    entries: Vec<Entry<'t>>,
) {
    let last = all
        .iter_mut()
        .filter(|(t, p, _)| t == target && *p < pos)
        .max_by_key(|(_, p, _)| *p);
    match last {
        Some((_, _, s)) => s.entries.extend(entries),
        None => all.push((
            target.to_owned(),
            pos,
            Settings {
                label: target.to_owned(),
                anchor: name.clone(),
                entries,
                indifferent: false,
            },
        )),
    }
}

/// The entries of the hash an expression builds, and whether String keys count: a literal, a
/// name bound to one, `**splat`s, `.merge(...)`, `.with_indifferent_access`.
fn hash_of<'t>(rb: &RbFile<'t>, n: Node<'t>, depth: usize) -> Option<(Vec<Entry<'t>>, bool)> {
    if depth > 8 {
        return None;
    }
    let n = ruby::unwrap(n);
    match n.kind() {
        "hash" => Some((splats_then_pairs(rb, n, depth), false)),
        "identifier" | "constant" => {
            let v = rb.lookup(rb.t(n), n.start_byte())?;
            if v.byte_range().contains(&n.start_byte()) {
                return None;
            }
            hash_of(rb, v, depth + 1)
        }
        "call" => {
            let recv = n.field(TsField::Receiver)?;
            let method = rb.t(n.field(TsField::Method)?);
            let (mut entries, indifferent) = hash_of(rb, recv, depth + 1)?;
            match method {
                "with_indifferent_access"
                | "symbolize_keys"
                | "deep_symbolize_keys"
                | "to_options" => Some((entries, true)),
                "compact" | "freeze" | "dup" | "to_h" => Some((entries, indifferent)),
                "merge" => {
                    entries.extend(merged(rb, n, depth + 1));
                    Some((entries, indifferent))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A hash literal's entries: those of its `**splat`s, then its own pairs.
fn splats_then_pairs<'t>(rb: &RbFile<'t>, h: Node<'t>, depth: usize) -> Vec<Entry<'t>> {
    let mut out = Vec::new();
    let mut c = h.walk();
    for s in h.named_children(&mut c) {
        if s.kind() == "hash_splat_argument" {
            if let Some((e, _)) = s.named_child(0).and_then(|x| hash_of(rb, x, depth + 1)) {
                out.extend(e);
            }
        }
    }
    out.extend(rb.hash_entries(h));
    out
}

/// The entries a `merge`/`merge!`/`update` call adds: a hash argument or keyword pairs.
fn merged<'t>(rb: &RbFile<'t>, call: Node<'t>, depth: usize) -> Vec<Entry<'t>> {
    let mut out = Vec::new();
    for a in rb.args(call) {
        if let Some((e, _)) = hash_of(rb, a, depth + 1) {
            out.extend(e);
        }
    }
    if let Some(args) = call.field(TsField::Arguments) {
        out.extend(rb.hash_entries(args));
    }
    out
}

/// The default From: `default_options = { from: ... }`, `default_options[:from] = ...`,
/// `ActionMailer::Base.default from: ...`.
fn default_from(rb: &RbFile) -> Vec<Val> {
    let mut out = Vec::new();
    for a in &rb.assigns {
        if !is_option(&a.target, "default_options") {
            continue;
        }
        match &a.key {
            Some(k) if k.name == "from" && k.kind == KeyKind::Symbol => {
                out.push(rb.eval(a.value, 0))
            }
            Some(_) => {}
            None => {
                let entries = hash_of(rb, a.value, 0).map(|(e, _)| e).unwrap_or_default();
                out.extend(from_entries(rb, &entries));
            }
        }
    }
    for c in &rb.calls {
        if c.method == "default" && c.receiver.trim_start_matches("::") == "ActionMailer::Base" {
            if let Some(args) = c.node.field(TsField::Arguments) {
                out.extend(from_entries(rb, &rb.hash_entries(args)));
            }
        }
    }
    out
}

fn from_entries(rb: &RbFile, entries: &[Entry]) -> Vec<Val> {
    entries
        .iter()
        .filter(|e| e.key.name == "from" && e.key.kind == KeyKind::Symbol)
        .map(|e| rb.eval(e.value, 0))
        .collect()
}

/// The settings as Mail reads them: the last value of each symbol key; String keys are
/// reported (Mail never reads them) unless the hash is indifferent.
fn effective<'a, 't>(
    rb: &RbFile<'t>,
    s: &'a Settings<'t>,
    ex: &mut Extraction,
) -> HashMap<&'a str, &'a Entry<'t>> {
    let mut out: HashMap<&str, &Entry> = HashMap::new();
    for e in &s.entries {
        if e.key.kind == KeyKind::String && !s.indifferent {
            if SETTINGS.known.contains(&e.key.name.as_str()) {
                ex.findings.push(string_key(rb, &e.key));
            } else {
                let at = rb.loc(e.key.span.clone());
                ex.findings.extend(spelling::unknown_setting(
                    &SETTINGS,
                    &e.key.name,
                    at,
                    IGNORED,
                ));
            }
            continue;
        }
        out.insert(e.key.name.as_str(), e);
    }
    let mut unknown: Vec<&Entry> = out.values().copied().collect();
    unknown.sort_by_key(|e| e.key.span.start);
    for e in unknown {
        let f =
            spelling::unknown_setting(&SETTINGS, &e.key.name, rb.loc(e.key.span.clone()), IGNORED);
        ex.findings.extend(f);
    }
    out
}

/// The `unknown-setting` warning for `"address" => ...`: a String key Mail never reads.
fn string_key(rb: &RbFile, key: &Key) -> Finding {
    Finding::new(
        "unknown-setting",
        Severity::Warning,
        format!(
            "Mail reads its settings by symbol (`settings[:{0}]`), so the String key \"{0}\" is \
             never read: {IGNORED}",
            key.name
        ),
        Label::new(
            rb.loc(key.span.clone()),
            format!("did you mean `{}:`?", key.name),
        ),
    )
    .with_help(format!(
        "write the key as a symbol: `{0}: ...` or `:{0} => ...`",
        key.name
    ))
}

fn profile(rb: &RbFile, s: &Settings, ex: &mut Extraction) -> Profile {
    let map = effective(rb, s, ex);
    let get = |k: &str| map.get(k).map(|e| (e.value, rb.eval(e.value, 0)));
    let mut p = Profile::new(Client::Rails, s.label.clone(), rb.loc(s.anchor.clone()));
    let file = rb.file;
    let mut near = s.anchor.clone();
    match get("address") {
        None | Some((_, Val::Null)) => {
            p.host = Some(Value::default(
                "localhost".into(),
                rb.loc(near.clone()),
                ADDRESS,
            ));
        }
        Some((_, Val::Str { text, span })) if !text.trim().is_empty() => {
            near = span.clone();
            p.host = Some(Value::literal(text.trim().to_owned(), rb.loc(span)));
        }
        Some((_, Val::EnvText(r))) => p.env_refs.push(text_ref(file, &r, Target::Host)),
        Some(_) => {}
    }
    match get("port") {
        None | Some((_, Val::Null)) => {
            p.port = Some(Value::default(25, rb.loc(near.clone()), PORT));
        }
        Some((_, Val::Num { value, span })) => {
            if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
                p.port = Some(Value::literal(value as u16, rb.loc(span)));
            } else {
                let m = format!(":port {value} is not a port number (1-65535)");
                ex.findings.push(invalid_port(rb.loc(span), m));
            }
        }
        Some((_, Val::Str { text, span })) => match port_of(&text, NumKind::Whole) {
            Some(n) => p.port = Some(Value::literal(n, rb.loc(span))),
            None => {
                let m = format!(":port `{}` is not a port number", text.trim());
                ex.findings.push(invalid_port(rb.loc(span), m));
            }
        },
        Some((_, Val::EnvText(r))) => p
            .env_refs
            .push(env_ref(file, &r, port_conv(NumKind::Whole))),
        Some((_, Val::EnvNum(r, kind))) => p.env_refs.push(env_ref(file, &r, port_conv(kind))),
        Some(_) => {}
    }
    login(rb, &map, &mut p, &s.anchor, ex);
    tls::security(rb, &map, &mut p, near, ex);
    if let Some(e) = map.get("openssl_verify_mode") {
        tls::verify_mode(rb, e.value, &mut p, ex);
    }
    p
}

/// Whether a login setting is there: absent or nil is not.
enum Given {
    No,
    Yes(Range<usize>),
}

/// `user_name`, `password` and `authentication`, as Net::SMTP uses them.
fn login(
    rb: &RbFile,
    map: &HashMap<&str, &Entry>,
    p: &mut Profile,
    anchor: &Range<usize>,
    ex: &mut Extraction,
) {
    let file = rb.file;
    let given = |key: &str, target: Target, p: &mut Profile| -> Given {
        let Some(e) = map.get(key) else {
            return Given::No;
        };
        let at = Given::Yes(e.value.byte_range());
        match rb.eval(e.value, 0) {
            Val::Null => Given::No,
            // `''` is a String, so true: Net::SMTP logs in with it; there is no value to judge.
            Val::Str { text, .. } if text.is_empty() => at,
            Val::Str { text, span } => {
                match target {
                    Target::Password => {
                        p.password = Some(Value::literal(Secret::new(text), rb.loc(span)))
                    }
                    _ => p.username = Some(Value::literal(text, rb.loc(span))),
                }
                at
            }
            Val::EnvText(r) | Val::EnvInText(r) => {
                p.env_refs.push(text_ref(file, &r, target));
                at
            }
            // Credentials (`Rails.application.credentials.dig(:smtp, :password)`), a method:
            // set, but not written here.
            _ => at,
        }
    };
    let user = given("user_name", Target::Username, p);
    let pass = given("password", Target::Password, p);
    let auth = map
        .get("authentication")
        .map(|e| (e.value, rb.eval(e.value, 0)));
    let method = match &auth {
        None | Some((_, Val::Null)) => None,
        Some((_, Val::Str { text, span })) => match auth_method(text) {
            Some(m) => Some((m, span.clone())),
            None => {
                ex.findings.push(unknown_auth(rb, text, span.clone()));
                return;
            }
        },
        Some((n, _)) => Some((AuthMethod::Password, n.byte_range())),
    };
    match (&user, &pass) {
        (Given::Yes(_), Given::Yes(ps)) => {
            let (m, at) = method.unwrap_or((AuthMethod::Password, ps.clone()));
            p.auth = Some(match auth {
                Some((_, Val::Str { .. })) => Value::literal(m, rb.loc(at)),
                _ => Value::default(m, rb.loc(at), LOGIN),
            });
        }
        (Given::No, Given::No) if method.is_none() => {
            p.auth = Some(Value::default(
                AuthMethod::None,
                rb.loc(anchor.clone()),
                NO_LOGIN,
            ));
        }
        _ => {
            let at = match (&user, &pass, &method) {
                (Given::Yes(u), _, _) => u.clone(),
                (_, Given::Yes(pw), _) => pw.clone(),
                (_, _, Some((_, a))) => a.clone(),
                _ => anchor.clone(),
            };
            let missing = if matches!(user, Given::No) {
                "user_name"
            } else {
                "password"
            };
            ex.findings.push(half_login(rb, at, missing));
            p.username = None;
            p.password = None;
        }
    }
}

/// Net::SMTP's authenticators: `plain`, `login`, `cram_md5`, `xoauth2` (any case, `-` or `_`).
fn auth_method(t: &str) -> Option<AuthMethod> {
    match t.to_ascii_lowercase().replace('-', "_").as_str() {
        "plain" | "login" => Some(AuthMethod::Password),
        "cram_md5" => Some(AuthMethod::EncryptedPassword),
        "xoauth2" => Some(AuthMethod::OAuth2),
        _ => None,
    }
}

fn unknown_auth(rb: &RbFile, text: &str, span: Range<usize>) -> Finding {
    Finding::new(
        "invalid-value",
        Severity::Error,
        format!(
            "Net::SMTP has no authenticator `{text}`: sending raises ArgumentError (\"wrong \
             authentication type\")"
        ),
        Label::new(
            rb.loc(crate::extract::syntax::tree::widen(rb.src, span)),
            "unknown",
        ),
    )
    .with_help("use :plain or :login (or :cram_md5, :xoauth2); leave it out for :plain")
}

/// A login half given: Net::SMTP raises before connecting.
fn half_login(rb: &RbFile, at: Range<usize>, missing: &str) -> Finding {
    Finding::new(
        "conflicting-settings",
        Severity::Error,
        format!(
            "a login is asked for but :{missing} is not set: Net::SMTP raises ArgumentError \
             (\"SMTP-AUTH requested but missing ...\") before it connects"
        ),
        Label::new(rb.loc(at), format!("no :{missing} beside it")),
    )
    .with_help("set both :user_name and :password, or neither (and no :authentication)")
}

/// How one of the TLS flags is set.
#[derive(Clone, Debug)]
pub(crate) enum Flag {
    /// Absent or nil.
    Unset,
    Off(Range<usize>),
    On(Range<usize>),
    /// `enable_starttls: :auto`.
    Auto(Range<usize>),
    Env(EnvRead, Pred),
    Unknown,
}

/// A flag as Mail reads it (`enable_starttls` also knows the symbols `:auto` and `:always`).
fn flag(rb: &RbFile, n: Node, starttls: bool) -> Flag {
    let v = rb.eval(n, 0);
    if matches!(v, Val::Null) {
        return Flag::Unset;
    }
    if let (true, Some((span, name))) = (starttls, rb.symbol(ruby::unwrap(n))) {
        return if name == "auto" {
            Flag::Auto(span)
        } else {
            Flag::On(span)
        };
    }
    match rb.flag(n) {
        BoolVal::Known(true, s) => Flag::On(s),
        BoolVal::Known(false, s) => Flag::Off(s),
        BoolVal::Env(r, pr) => Flag::Env(r, pr),
        BoolVal::Unknown => Flag::Unknown,
    }
}

/// A conversion whose two outcomes set a field, or refuse the value.
fn choice(
    pred: Pred,
    on_true: Result<FieldValue, &'static str>,
    on_false: Result<FieldValue, &'static str>,
) -> Conversion {
    let out = |r: Result<FieldValue, &'static str>| match r {
        Ok(v) => Outcome::Set(v),
        Err(why) => Outcome::Refused(why),
    };
    Conversion::choice(pred, out(on_true), out(on_false))
}

/// `Security` as a field value.
fn sec(s: Security) -> FieldValue {
    FieldValue::Security(s)
}

#[cfg(test)]
mod tests;
