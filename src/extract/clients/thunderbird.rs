//! What Thunderbird makes of its prefs (`prefs.js`, `user.js`): one [`Profile`] per outgoing
//! (SMTP) server `mail.smtpserver.<key>.*`, with `try_ssl`, `authMethod` and port defaults, the
//! From addresses of the identities that send through it, and the mistakes only Thunderbird's
//! reading shows (wrong types, retired values, keys it never reads, conflicting definitions).
//!
//! The prefs come from [`crate::extract::syntax::prefs_js`], which knows nothing about mail.
//! `docs/formats/thunderbird.md` describes the prefs and their meaning.

use std::collections::HashMap;
use std::ops::Range;

use crate::extract::syntax::prefs_js::{self, Effective, Parsed, Pref, PrefValue};
use crate::extract::{is_secret_key, parse_port, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

const SERVER: &str = "mail.smtpserver.";
const SERVERS: &str = "mail.smtpservers";
const DEFAULT_SERVER: &str = "mail.smtp.defaultserver";
const IDENTITY: &str = "mail.identity.";

const TRY_SSL_HELP: &str = "0 = no TLS, 2 = STARTTLS, 3 = SSL/TLS";
const AUTH_HELP: &str = "1 = none, 3 = normal password, 4 = encrypted password, 10 = OAuth2";

/// Keys people write on an outgoing server that Thunderbird never reads, and the real key.
const WRONG_KEYS: &[(&str, &str)] = &[
    ("socketType", "try_ssl"),
    ("socket_type", "try_ssl"),
    ("ssl", "try_ssl"),
    ("tls", "try_ssl"),
    ("useSSL", "try_ssl"),
    ("security", "try_ssl"),
    ("auth_method", "authMethod"),
    ("auth", "authMethod"),
    ("userName", "username"),
    ("user", "username"),
    ("host", "hostname"),
    ("server", "hostname"),
];

/// The keys an outgoing server really has, for spotting wrong capitalisation.
const REAL_KEYS: &[&str] = &[
    "hostname",
    "port",
    "try_ssl",
    "authMethod",
    "username",
    "description",
    "type",
];

/// Split `mail.smtpserver.<key>.<attr>`.
fn server_key(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(SERVER)?;
    let (key, attr) = rest.split_once('.')?;
    (!key.is_empty() && !attr.is_empty()).then_some((key, attr))
}

/// Split `mail.identity.<id>.<attr>`.
fn identity_key(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(IDENTITY)?;
    let (id, attr) = rest.split_once('.')?;
    (!id.is_empty() && !attr.is_empty() && id != "default").then_some((id, attr))
}

struct Ctx<'a> {
    file: FileId,
    /// The definition of each pref that Thunderbird uses.
    eff: Effective<'a>,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn get(&self, name: &str) -> Option<&'a Pref> {
        self.eff.get(name)
    }

    /// A pref of an outgoing server, falling back to the `mail.smtpserver.default.` branch.
    fn server_pref(&self, key: &str, attr: &str) -> Option<&'a Pref> {
        self.get(&format!("{SERVER}{key}.{attr}"))
            .or_else(|| self.get(&format!("{SERVER}default.{attr}")))
    }

    /// Effective prefs in file order.
    fn effective(&self) -> Vec<&'a Pref> {
        self.eff.in_file_order()
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &str,
        span: Range<usize>,
        label: &str,
        message: String,
        help: String,
    ) {
        let f = Finding::new(code, severity, message, Label::new(self.loc(span), label))
            .with_help(help);
        self.findings.push(f);
    }

    /// `invalid-value` for a pref whose literal has the wrong type.
    fn wrong_type(&mut self, p: &Pref, expected: &str, severity: Severity, help: String) {
        self.push(
            severity,
            "invalid-value",
            p.value_span.clone(),
            &format!("{} here", p.value.type_name()),
            format!(
                "`{}` must be {expected}, so Thunderbird ignores this value",
                p.name
            ),
            help,
        );
    }
}

/// Span of a string value with its quotes (for empty strings, whose inner span is empty).
fn quoted(p: &Pref) -> Range<usize> {
    match p.value {
        PrefValue::Str(_) => p.value_span.start.saturating_sub(1)..p.value_span.end + 1,
        _ => p.value_span.clone(),
    }
}

/// Split a comma list held in a string pref, with the span of each entry when the literal has
/// no escapes (otherwise every entry gets the span of the whole value).
fn list_entries(text: &str, p: &Pref, list: &str) -> Vec<(String, Range<usize>)> {
    let raw = text.get(p.value_span.clone()).unwrap_or("");
    let exact = raw == list;
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let entry = part.trim();
        if !entry.is_empty() {
            let span = if exact {
                let s = p.value_span.start + offset + lead;
                s..s + entry.len()
            } else {
                p.value_span.clone()
            };
            out.push((entry.to_owned(), span));
        }
        offset += part.len() + 1;
    }
    out
}

fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

struct Server {
    key: String,
    /// The entry in `mail.smtpservers`, when listed there.
    list_span: Option<Range<usize>>,
    profile: Option<Profile>,
}

/// The outgoing servers of a file: those listed in `mail.smtpservers` first, then every other key
/// that has prefs.
#[derive(Default)]
struct Servers {
    list: Vec<Server>,
    /// Key -> position in `list`.
    index: HashMap<String, usize>,
    /// `mail.smtpservers` is a string, so the list of keys is known.
    list_known: bool,
}

impl Servers {
    fn add(&mut self, key: &str, list_span: Option<Range<usize>>) {
        if key != "default" && !self.index.contains_key(key) {
            self.index.insert(key.to_owned(), self.list.len());
            self.list.push(Server {
                key: key.to_owned(),
                list_span,
                profile: None,
            });
        }
    }

    fn known(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    fn profile_mut(&mut self, key: &str) -> Option<&mut Profile> {
        let &i = self.index.get(key)?;
        self.list[i].profile.as_mut()
    }
}

/// Read a Thunderbird prefs file into one profile per outgoing (SMTP) server.
pub fn extract(file: FileId, text: &str) -> Extraction {
    let parsed = prefs_js::parse(text);
    let mut ex = Extraction::default();
    syntax_findings(file, &parsed, &mut ex);
    ex.secrets = secrets(&parsed);

    let mut cx = Ctx {
        file,
        eff: parsed.effective(),
        findings: Vec::new(),
    };
    duplicates(&mut cx, &parsed);
    wrong_keys(&mut cx);

    let mut servers = server_keys(&mut cx, text);
    // The first pref of each server, in file order.
    let mut first: HashMap<&str, Range<usize>> = HashMap::new();
    for p in cx.effective() {
        if let Some((key, _)) = server_key(&p.name) {
            first.entry(key).or_insert_with(|| p.stmt_span.clone());
            servers.add(key, None);
        }
    }
    for s in &mut servers.list {
        let first = first.get(s.key.as_str()).cloned();
        s.profile = server_profile(&mut cx, &s.key, s.list_span.clone(), first);
    }
    identities(&mut cx, &mut servers);

    ex.profiles = servers.list.into_iter().filter_map(|s| s.profile).collect();
    ex.findings.append(&mut cx.findings);
    ex
}

/// `parse-error` for every syntax error, and for a NUL byte that hides the prefs after it.
fn syntax_findings(file: FileId, parsed: &Parsed, ex: &mut Extraction) {
    for e in &parsed.errors {
        ex.findings.push(
            Finding::new(
                "parse-error",
                Severity::Error,
                e.message,
                Label::new(Loc::new(file, e.span.clone()), "here"),
            )
            .with_help(e.help()),
        );
    }
    if let Some(nul) = parsed.nul.filter(|_| parsed.cut_by_nul()) {
        ex.findings.push(
            Finding::new(
                "parse-error",
                Severity::Error,
                "a NUL byte ends the file for Thunderbird, so the prefs after it are ignored",
                Label::new(Loc::new(file, nul..nul + 1), "NUL byte"),
            )
            .with_help("remove the NUL byte"),
        );
    }
}

/// Every value of a secret-looking pref, even overridden or broken ones.
fn secrets(parsed: &Parsed) -> Vec<Range<usize>> {
    let secret = |name: &str| is_secret_key(last_segment(name));
    let broken = parsed
        .broken_values
        .iter()
        .filter(|b| secret(&b.name))
        .map(|b| b.span.clone());
    let defined = parsed
        .prefs
        .iter()
        .filter(|p| secret(&p.name) && !p.value_span.is_empty())
        .map(|p| p.value_span.clone());
    broken.chain(defined).collect()
}

/// The servers listed in `mail.smtpservers`, with the span of each entry.
fn server_keys(cx: &mut Ctx, text: &str) -> Servers {
    let mut servers = Servers::default();
    let Some(p) = cx.get(SERVERS) else {
        return servers;
    };
    match &p.value {
        PrefValue::Str(s) => {
            servers.list_known = true;
            for (key, span) in list_entries(text, p, s) {
                servers.add(&key, Some(span));
            }
        }
        _ => cx.wrong_type(
            p,
            "a string",
            Severity::Error,
            "write the server keys as one quoted, comma-separated string, e.g. \"smtp1,smtp2\""
                .into(),
        ),
    }
    servers
}

/// The profile of one outgoing server; `first` is the span of its first pref, if it has any.
fn server_profile(
    cx: &mut Ctx,
    key: &str,
    list_span: Option<Range<usize>>,
    first: Option<Range<usize>>,
) -> Option<Profile> {
    // EWS outgoing servers are not SMTP.
    if let Some(PrefValue::Str(t)) = cx.get(&format!("{SERVER}{key}.type")).map(|p| &p.value) {
        if t.eq_ignore_ascii_case("ews") {
            return None;
        }
    }
    let host = hostname(cx, key, list_span);
    let first = first?;
    let host_span = host.as_ref().map(|h| h.loc.span.clone());
    let anchor = host_span.clone().unwrap_or(first);
    let mut profile = Profile::new(Client::Thunderbird, key, cx.loc(anchor));
    profile.host = host;
    // Defaults are implied by the hostname: a server without one is not set up.
    let implied = host_span.map(|h| cx.loc(h));
    let try_ssl = security(cx, key, &mut profile, implied.clone());
    port(cx, key, try_ssl, &mut profile, implied.clone());
    auth_method(cx, key, &mut profile, implied);
    username(cx, key, &mut profile);
    password(cx, key, &mut profile);
    Some(profile)
}

/// `hostname`, or why there is none.
fn hostname(cx: &mut Ctx, key: &str, list_span: Option<Range<usize>>) -> Option<Value<String>> {
    let Some(p) = cx.get(&format!("{SERVER}{key}.hostname")) else {
        if let Some(span) = list_span {
            cx.push(
                Severity::Error,
                "invalid-value",
                span,
                "no hostname",
                format!("outgoing server `{key}` is listed but has no hostname"),
                format!(
                    "add `user_pref(\"{SERVER}{key}.hostname\", \"smtp.example.com\");` or remove \
                     `{key}` from mail.smtpservers"
                ),
            );
        }
        return None;
    };
    match &p.value {
        PrefValue::Str(h) if !h.trim().is_empty() => {
            return Some(Value::literal(h.clone(), cx.loc(p.value_span.clone())));
        }
        PrefValue::Str(_) => cx.push(
            Severity::Error,
            "invalid-value",
            quoted(p),
            "empty",
            format!("outgoing server `{key}` has an empty hostname"),
            "set it to the SMTP host name of your provider".into(),
        ),
        _ => cx.wrong_type(
            p,
            "a string",
            Severity::Error,
            "write the host name in quotes".into(),
        ),
    }
    None
}

/// What Thunderbird uses when an integer pref is absent (at the hostname) or not an integer (at
/// the value), with the reasons shown for each, and the help listing the valid numbers.
struct Fallback<T> {
    value: T,
    absent: &'static str,
    ignored: &'static str,
    numbers: &'static str,
}

/// An integer pref of a server (`try_ssl`, `authMethod`): the pref and its integer, or the
/// fallback value Thunderbird uses instead (none when the server has no hostname).
fn int_pref<'a, T>(
    cx: &mut Ctx<'a>,
    key: &str,
    attr: &str,
    implied: Option<Loc>,
    fb: Fallback<T>,
) -> Result<(&'a Pref, i32), Option<Value<T>>> {
    let Some(p) = cx.server_pref(key, attr) else {
        return Err(implied.map(|loc| Value::default(fb.value, loc, fb.absent)));
    };
    if let PrefValue::Int(v) = p.value {
        return Ok((p, v));
    }
    cx.wrong_type(
        p,
        "an integer",
        Severity::Error,
        format!("write the number without quotes ({})", fb.numbers),
    );
    let loc = cx.loc(p.value_span.clone());
    Err(Some(Value::default(fb.value, loc, fb.ignored)))
}

/// `try_ssl` into the profile's security; returns the integer read, if any.
fn security(cx: &mut Ctx, key: &str, profile: &mut Profile, implied: Option<Loc>) -> Option<i32> {
    let fallback = Fallback {
        value: Security::None,
        absent: "Thunderbird's default try_ssl is 0 (no TLS)",
        ignored: "Thunderbird ignores a try_ssl that is not an integer and uses 0 (no TLS)",
        numbers: TRY_SSL_HELP,
    };
    let (p, v) = match int_pref(cx, key, "try_ssl", implied, fallback) {
        Ok(read) => read,
        Err(fallback) => {
            profile.security = fallback;
            return None;
        }
    };
    let loc = cx.loc(p.value_span.clone());
    profile.security = match v {
        0 => Some(Value::literal(Security::None, loc)),
        1 => {
            cx.push(
                Severity::Info,
                "invalid-value",
                p.value_span.clone(),
                "retired value",
                "try_ssl 1 is the retired \"STARTTLS if available\" value".into(),
                format!(
                    "Thunderbird rewrites it to 2 (STARTTLS, required); write 2, or 3 for SSL/TLS \
                     ({TRY_SSL_HELP})"
                ),
            );
            Some(Value::literal(Security::StartTls { required: true }, loc))
        }
        2 => Some(Value::literal(Security::StartTls { required: true }, loc)),
        3 => Some(Value::literal(Security::ImplicitTls, loc)),
        _ => {
            cx.push(
                Severity::Error,
                "invalid-value",
                p.value_span.clone(),
                "unknown value",
                format!("try_ssl {v} is not a connection security Thunderbird knows"),
                format!("use one of {TRY_SSL_HELP}"),
            );
            None
        }
    };
    Some(v)
}

/// `port`, with 0, a wrong type or no port meaning 587 (465 for `try_ssl` 3).
fn port(
    cx: &mut Ctx,
    key: &str,
    try_ssl: Option<i32>,
    profile: &mut Profile,
    implied: Option<Loc>,
) {
    let (default_port, why_default, why_ignored): (u16, &'static str, &'static str) =
        if try_ssl == Some(3) {
            (
                465,
                "Thunderbird uses port 465 for SSL/TLS (try_ssl 3) when port is 0 or unset",
                "Thunderbird ignores a port that is not an integer and uses 465 for SSL/TLS",
            )
        } else {
            (
                587,
                "Thunderbird uses port 587 when port is 0 or unset",
                "Thunderbird ignores a port that is not an integer and uses 587",
            )
        };
    let Some(p) = cx.server_pref(key, "port") else {
        profile.port = implied.map(|loc| Value::default(default_port, loc, why_default));
        return;
    };
    let loc = cx.loc(p.value_span.clone());
    match &p.value {
        PrefValue::Int(0) => profile.port = Some(Value::default(default_port, loc, why_default)),
        PrefValue::Int(v) => match u16::try_from(*v) {
            Ok(port) => profile.port = Some(Value::literal(port, loc)),
            Err(_) => cx.push(
                Severity::Error,
                "invalid-value",
                p.value_span.clone(),
                "not a port",
                format!("port {v} is out of range"),
                "use a port between 1 and 65535: 587 for STARTTLS, 465 for SSL/TLS".into(),
            ),
        },
        other => {
            // A string port that spells the port Thunderbird uses anyway only misleads.
            let same = matches!(other, PrefValue::Str(s) if parse_port(s) == Some(default_port));
            let severity = if same {
                Severity::Warning
            } else {
                Severity::Error
            };
            cx.wrong_type(
                p,
                "an integer",
                severity,
                format!("write the port without quotes, e.g. {default_port}"),
            );
            profile.port = Some(Value::default(default_port, loc, why_ignored));
        }
    }
}

/// The `authMethod` numbers Thunderbird knows for an outgoing server.
fn auth_of(v: i32) -> Result<AuthMethod, String> {
    Ok(match v {
        1 => AuthMethod::None,
        3 => AuthMethod::Password,
        4 => AuthMethod::EncryptedPassword,
        5 => AuthMethod::Other("GSSAPI".into()),
        6 => AuthMethod::Other("NTLM".into()),
        7 => AuthMethod::Other("TLS client certificate".into()),
        9 => AuthMethod::Other("any".into()),
        10 => AuthMethod::OAuth2,
        2 => return Err("authMethod 2 (\"old\") is not valid for an outgoing server".into()),
        8 => return Err("authMethod 8 (\"secure\") is retired".into()),
        _ => {
            return Err(format!(
                "authMethod {v} is not an authentication method Thunderbird knows"
            ))
        }
    })
}

/// `authMethod`, 3 (normal password) when absent or not an integer.
fn auth_method(cx: &mut Ctx, key: &str, profile: &mut Profile, implied: Option<Loc>) {
    let fallback = Fallback {
        value: AuthMethod::Password,
        absent: "Thunderbird's default authMethod is 3 (normal password)",
        ignored:
            "Thunderbird ignores an authMethod that is not an integer and uses 3 (normal password)",
        numbers: AUTH_HELP,
    };
    let (p, v) = match int_pref(cx, key, "authMethod", implied, fallback) {
        Ok(read) => read,
        Err(fallback) => {
            profile.auth = fallback;
            return;
        }
    };
    let loc = cx.loc(p.value_span.clone());
    match auth_of(v) {
        Ok(m) => profile.auth = Some(Value::literal(m, loc)),
        Err(message) => cx.push(
            Severity::Error,
            "invalid-value",
            p.value_span.clone(),
            "unknown value",
            message,
            format!("use one of {AUTH_HELP}"),
        ),
    }
}

fn username(cx: &mut Ctx, key: &str, profile: &mut Profile) {
    let Some(p) = cx.server_pref(key, "username") else {
        return;
    };
    match &p.value {
        PrefValue::Str(u) if !u.is_empty() => {
            profile.username = Some(Value::literal(u.clone(), cx.loc(p.value_span.clone())));
        }
        PrefValue::Str(_) => {}
        _ => cx.wrong_type(
            p,
            "a string",
            Severity::Error,
            "write the login name in quotes".into(),
        ),
    }
}

/// A password pref: Thunderbird never reads it (passwords live in the login manager), but the
/// secret sits in the file.
fn password(cx: &mut Ctx, key: &str, profile: &mut Profile) {
    if let Some(p) = cx.get(&format!("{SERVER}{key}.password")) {
        if let PrefValue::Str(pw) = &p.value {
            if !pw.is_empty() {
                profile.password = Some(Value::literal(
                    Secret::new(pw.clone()),
                    cx.loc(p.value_span.clone()),
                ));
            }
        }
    }
}

/// Keys on an outgoing server that Thunderbird never reads.
fn wrong_keys(cx: &mut Ctx) {
    for p in cx.effective() {
        let Some((key, attr)) = server_key(&p.name) else {
            continue;
        };
        let real = WRONG_KEYS
            .iter()
            .find(|(w, _)| *w == attr)
            .map(|(_, r)| *r)
            .or_else(|| {
                REAL_KEYS
                    .iter()
                    .copied()
                    .find(|r| r.eq_ignore_ascii_case(attr) && *r != attr)
            });
        let Some(real) = real else { continue };
        let hint = match real {
            "try_ssl" => format!(" ({TRY_SSL_HELP})"),
            "authMethod" => format!(" ({AUTH_HELP})"),
            _ => String::new(),
        };
        cx.push(
            Severity::Warning,
            "invalid-value",
            p.name_span.clone(),
            "not read by Thunderbird",
            format!("`{attr}` is not an outgoing-server pref: unknown key, no effect"),
            format!("Thunderbird reads `{SERVER}{key}.{real}`{hint}"),
        );
    }
}

/// One pref of the mail setup defined twice with different values: only one takes effect.
fn duplicates(cx: &mut Ctx, parsed: &Parsed) {
    let relevant = |name: &str| {
        name.starts_with(SERVER)
            || name == SERVERS
            || name == DEFAULT_SERVER
            || identity_key(name).is_some_and(|(_, a)| a == "smtpServer" || a == "useremail")
    };
    let mut by_name: HashMap<&str, Vec<&Pref>> = HashMap::new();
    for p in parsed.read() {
        if relevant(&p.name) {
            by_name.entry(p.name.as_str()).or_default().push(p);
        }
    }
    for winner in cx.effective() {
        let Some(all) = by_name.get(winner.name.as_str()) else {
            continue;
        };
        let others: Vec<&&Pref> = all
            .iter()
            .filter(|p| p.value != winner.value && p.value_span != winner.value_span)
            .collect();
        if others.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            "conflicting-settings",
            Severity::Warning,
            format!(
                "`{}` is set more than once with different values; only this one takes effect",
                winner.name
            ),
            Label::new(cx.loc(winner.value_span.clone()), "takes effect"),
        )
        .with_help("keep one definition of the pref");
        for o in others {
            f = f.with_label(Label::new(cx.loc(o.value_span.clone()), "ignored"));
        }
        cx.findings.push(f);
    }
}

/// The server key a pref names (`mail.smtp.defaultserver`, an identity's `smtpServer`), if it
/// names one. A key missing from a known `mail.smtpservers` is reported with `unknown`'s
/// message and help.
fn server_ref(
    cx: &mut Ctx,
    p: &Pref,
    servers: &Servers,
    unknown: impl FnOnce(&str) -> (String, &'static str),
) -> Option<String> {
    match &p.value {
        PrefValue::Str(k) if !k.is_empty() => {
            if servers.list_known && !servers.known(k) {
                let (message, help) = unknown(k);
                cx.push(
                    Severity::Error,
                    "invalid-value",
                    p.value_span.clone(),
                    "no such server",
                    message,
                    help.into(),
                );
            }
            Some(k.clone())
        }
        PrefValue::Str(_) => None,
        _ => {
            cx.wrong_type(
                p,
                "a string",
                Severity::Error,
                "write the server key in quotes".into(),
            );
            None
        }
    }
}

/// The default outgoing server: `mail.smtp.defaultserver`, else the first listed server.
fn default_server(cx: &mut Ctx, servers: &Servers) -> Option<String> {
    let named = cx.get(DEFAULT_SERVER).and_then(|p| {
        server_ref(cx, p, servers, |k| {
            (
                format!("the default outgoing server `{k}` is not defined"),
                "set mail.smtp.defaultserver to one of the keys in mail.smtpservers",
            )
        })
    });
    named.or_else(|| {
        servers
            .list
            .iter()
            .find(|s| s.list_span.is_some())
            .map(|s| s.key.clone())
    })
}

/// The server identity `id` names in its `smtpServer` pref, if it names one.
fn identity_server(cx: &mut Ctx, id: &str, servers: &Servers) -> Option<String> {
    let p = cx.get(&format!("{IDENTITY}{id}.smtpServer"))?;
    server_ref(cx, p, servers, |k| {
        (
            format!("identity `{id}` sends through outgoing server `{k}`, which is not defined"),
            "set it to one of the keys in mail.smtpservers",
        )
    })
}

/// From addresses: each identity's `useremail` goes to the server its `smtpServer` names (or the
/// default server).
fn identities(cx: &mut Ctx, servers: &mut Servers) {
    let default_key = default_server(cx, servers);
    for p in cx.effective() {
        let Some((id, "useremail")) = identity_key(&p.name) else {
            continue;
        };
        let email = match &p.value {
            PrefValue::Str(e) if !e.trim().is_empty() => e.clone(),
            PrefValue::Str(_) => continue,
            _ => {
                cx.wrong_type(
                    p,
                    "a string",
                    Severity::Error,
                    "write the address in quotes".into(),
                );
                continue;
            }
        };
        let target = identity_server(cx, id, servers);
        let Some(target) = target.or_else(|| default_key.clone()) else {
            continue;
        };
        let loc = cx.loc(p.value_span.clone());
        if let Some(profile) = servers.profile_mut(&target) {
            profile.from.push(Value::literal(email, loc));
        }
    }
}

#[cfg(test)]
mod tests;
