//! TOML configuration files (`config.toml`, `app.toml`, ...), read with `toml_edit`, which keeps
//! the byte span of every key and value.
//!
//! A table is an SMTP profile when its name says so (`[smtp]`, `[email]`, `[mail]`, `[mailer]`,
//! `[mail.smtp]`, `[smtp.<account>]`, `[[smtp]]`) and it holds a host or a port; any table with
//! flat `smtp_*` keys (`smtp_host = ...`) is one too. Field names are matched against the table
//! in docs/formats/toml.md; unknown shapes produce no guesses.

use std::ops::Range;

use toml_edit::{Document, Item, Value as TomlValue};

use super::{is_secret_key, parse_port, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

/// Table names that hold SMTP settings.
const PROFILE_TABLES: &[&str] = &[
    "smtp",
    "email",
    "mail",
    "mailer",
    "smtp_server",
    "smtp-server",
    "outgoing",
    "sendmail",
];
/// Parent tables whose children are named SMTP accounts (`[smtp.work]`).
const ACCOUNT_PARENTS: &[&str] = &["smtp", "mailer", "smtp_servers", "smtp-servers", "accounts"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Host,
    Port,
    Security,
    /// `true` means implicit TLS.
    ImplicitFlag,
    /// `true` means STARTTLS that must succeed.
    StarttlsFlag,
    /// `tls = true`: TLS of some kind; which one depends on the program.
    AmbiguousTlsFlag,
    Username,
    Password,
    /// `password_env`, `password_file`, `password_command`: a password kept elsewhere.
    PasswordRef,
    From,
    Auth,
    /// `false` switches verification off.
    Verify,
    /// `true` switches verification off.
    SkipVerify,
}

fn field(key: &str) -> Option<Field> {
    let k = key.to_ascii_lowercase().replace('-', "_");
    let prefixed = k.starts_with("smtp_");
    let k = k.strip_prefix("smtp_").unwrap_or(&k);
    // `address` is the host only as `smtp_address`; alone it is usually an e-mail address.
    if k == "address" && !prefixed {
        return None;
    }
    Some(match k {
        "host" | "hostname" | "server" | "address" | "relay" | "relayhost" | "smtp" => Field::Host,
        "port" => Field::Port,
        "security" | "encryption" | "tls_mode" | "transport_security" | "connection_security" => {
            Field::Security
        }
        "ssl" | "use_ssl" | "implicit_tls" | "secure" | "tls_wrapper" | "smtps" | "force_tls" => {
            Field::ImplicitFlag
        }
        "starttls" | "start_tls" | "use_starttls" | "enable_starttls" | "require_tls"
        | "require_starttls" | "use_tls" => Field::StarttlsFlag,
        "tls" => Field::AmbiguousTlsFlag,
        "username" | "user" | "login" | "user_name" => Field::Username,
        "password" | "pass" | "passwd" => Field::Password,
        "password_env" | "password_file" | "password_command" | "password_cmd"
        | "password_eval" => Field::PasswordRef,
        "from" | "from_address" | "from_email" | "sender" | "mail_from" | "default_from"
        | "from_addr" => Field::From,
        "auth" | "auth_method" | "authentication" | "mechanism" | "auth_mechanism" => Field::Auth,
        "verify_tls"
        | "tls_verify"
        | "verify_certificate"
        | "verify_certificates"
        | "verify_peer"
        | "verify_ssl"
        | "check_certificate"
        | "ssl_verify"
        | "verify" => Field::Verify,
        "skip_verify"
        | "insecure_skip_verify"
        | "accept_invalid_certs"
        | "danger_accept_invalid_certs"
        | "accept_invalid_certificates"
        | "tls_insecure"
        | "insecure"
        | "skip_tls_verify"
        | "allow_invalid_certificates" => Field::SkipVerify,
        _ => return None,
    })
}

pub fn extract(file: FileId, text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let doc = match Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let span = widen(text, span);
            let message = e.message().trim().to_owned();
            ex.findings.push(
                Finding::new(
                    "parse-error",
                    Severity::Error,
                    format!("not valid TOML: {message}"),
                    Label::new(Loc::new(file, span), "here"),
                )
                .with_help("fix the TOML syntax; no SMTP settings were read from this file"),
            );
            return ex;
        }
    };
    let mut w = Walker {
        file,
        text,
        ex: &mut ex,
    };
    w.table(doc.as_table(), &mut Vec::new());
    ex
}

/// Make an empty error span one character wide so a label can point at it.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if span.start < span.end || span.start >= text.len() {
        return span.start.min(text.len())..span.end.min(text.len());
    }
    let mut end = span.start + 1;
    while !text.is_char_boundary(end) {
        end += 1;
    }
    span.start..end
}

struct Walker<'a> {
    file: FileId,
    text: &'a str,
    ex: &'a mut Extraction,
}

/// One scalar entry of a table: key, value, spans.
struct Entry<'t> {
    key: String,
    key_span: Range<usize>,
    value: &'t TomlValue,
}

impl Walker<'_> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    /// The span of a value's content (inside the quotes of a string).
    fn value_span(&self, v: &TomlValue) -> Range<usize> {
        let span = v.span().unwrap_or(0..0);
        if v.is_str() {
            let raw = &self.text[span.clone()];
            let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                3
            } else {
                1
            };
            if raw.len() >= 2 * q {
                return span.start + q..span.end - q;
            }
        }
        span
    }

    fn table(&mut self, table: &toml_edit::Table, path: &mut Vec<String>) {
        let entries = self.entries(table);
        self.collect_secrets(&entries);
        self.consider(&entries, path, table.span());
        for (key, item) in table.iter() {
            match item {
                Item::Table(t) => {
                    path.push(key.to_owned());
                    self.table(t, path);
                    path.pop();
                }
                Item::ArrayOfTables(arr) => {
                    for (i, t) in arr.iter().enumerate() {
                        path.push(format!("{key}[{i}]"));
                        self.table(t, path);
                        path.pop();
                    }
                }
                Item::Value(TomlValue::InlineTable(t)) => {
                    path.push(key.to_owned());
                    let entries: Vec<Entry> = t
                        .iter()
                        .filter(|(_, v)| !v.is_inline_table())
                        .map(|(k, v)| Entry {
                            key: k.to_owned(),
                            key_span: t.key(k).and_then(|k| k.span()).unwrap_or(0..0),
                            value: v,
                        })
                        .collect();
                    self.collect_secrets(&entries);
                    self.consider(&entries, path, t.span());
                    path.pop();
                }
                _ => {}
            }
        }
    }

    fn entries<'t>(&self, table: &'t toml_edit::Table) -> Vec<Entry<'t>> {
        table
            .iter()
            .filter_map(|(k, item)| match item {
                Item::Value(v) if !v.is_inline_table() => Some(Entry {
                    key: k.to_owned(),
                    key_span: table.key(k).and_then(|k| k.span()).unwrap_or(0..0),
                    value: v,
                }),
                _ => None,
            })
            .collect()
    }

    fn collect_secrets(&mut self, entries: &[Entry]) {
        for e in entries {
            // `password_env = "NAME"` names where the secret is; it is not one.
            if is_secret_key(&e.key)
                && e.value.is_str()
                && field(&e.key) != Some(Field::PasswordRef)
            {
                let span = self.value_span(e.value);
                self.ex.secrets.push(span);
            }
        }
    }

    /// Build a profile from a table if its name or its keys say it holds SMTP settings.
    fn consider(&mut self, entries: &[Entry], path: &[String], span: Option<Range<usize>>) {
        let name = path.last().map(|s| base_name(s).to_ascii_lowercase());
        let parent = path
            .len()
            .checked_sub(2)
            .map(|i| base_name(&path[i]).to_ascii_lowercase());
        let named = name.as_deref().is_some_and(|n| PROFILE_TABLES.contains(&n))
            || parent
                .as_deref()
                .is_some_and(|p| ACCOUNT_PARENTS.contains(&p));
        let selected: Vec<(&Entry, Field)> = entries
            .iter()
            .filter(|e| {
                let k = e.key.to_ascii_lowercase();
                named || k.starts_with("smtp_") || k.starts_with("smtp-")
            })
            .filter_map(|e| field(&e.key).map(|f| (e, f)))
            .collect();
        if !selected
            .iter()
            .any(|(_, f)| matches!(f, Field::Host | Field::Port))
        {
            return;
        }
        let label = if path.is_empty() {
            "smtp_* keys".to_owned()
        } else if named {
            format!("[{}]", path.join("."))
        } else {
            format!("[{}] smtp_* keys", path.join("."))
        };
        let anchor = match span {
            Some(s) if self.text[s.clone()].starts_with('[') => {
                let header_end = self.text[s.clone()]
                    .find('\n')
                    .map(|i| s.start + i)
                    .unwrap_or(s.end);
                s.start..header_end
            }
            _ => selected
                .first()
                .map(|(e, _)| e.key_span.clone())
                .unwrap_or(0..0),
        };
        let mut p = Profile::new(Client::Toml, label, self.loc(anchor));
        let mut implicit: Option<Value<bool>> = None;
        let mut starttls: Option<Value<bool>> = None;
        // A password kept elsewhere (`${VAR}`, `password_env`): the client logs in all the same.
        let mut password_elsewhere: Option<Loc> = None;
        for (e, f) in &selected {
            let vspan = self.value_span(e.value);
            let loc = self.loc(vspan.clone());
            match f {
                Field::Host => {
                    if let Some(s) = self.string(e) {
                        p.host = Some(Value::literal(s.to_owned(), loc));
                    }
                }
                Field::Port => {
                    let port = match e.value {
                        TomlValue::Integer(i) => u16::try_from(*i.value()).ok().filter(|&p| p != 0),
                        TomlValue::String(s) => parse_port(s.value()),
                        _ => None,
                    };
                    match port {
                        Some(n) => p.port = Some(Value::literal(n, loc)),
                        None => self.invalid(
                            vspan,
                            format!("`{}` is not a port number (1-65535)", e.key),
                            "use the submission port: 587 (STARTTLS) or 465 (implicit TLS)",
                        ),
                    }
                }
                Field::Security => {
                    if let Some(s) = self.string(e) {
                        match parse_security(s) {
                            Some(Some(sec)) => p.security = Some(Value::literal(sec, loc)),
                            Some(None) => self.ambiguous_tls(vspan, &e.key),
                            None => self.invalid(
                                vspan,
                                format!("unknown TLS mode `{s}`"),
                                "write one of: implicit (or ssl), starttls, opportunistic, none",
                            ),
                        }
                    }
                }
                Field::ImplicitFlag | Field::StarttlsFlag | Field::AmbiguousTlsFlag => {
                    let Some(b) = self.boolean(e) else { continue };
                    match f {
                        Field::ImplicitFlag => implicit = Some(Value::literal(b, loc)),
                        Field::StarttlsFlag => starttls = Some(Value::literal(b, loc)),
                        _ if b => self.ambiguous_tls(vspan, &e.key),
                        _ => {}
                    }
                }
                Field::Username => {
                    if let Some(s) = self.string(e) {
                        p.username = Some(Value::literal(s.to_owned(), loc));
                    }
                }
                Field::Password => {
                    if let Some(s) = e.value.as_str() {
                        if is_reference(s) {
                            password_elsewhere.get_or_insert(loc);
                        } else {
                            p.password = Some(Value::literal(Secret::new(s), loc));
                        }
                    } else {
                        self.wrong_type(e, "a string");
                    }
                }
                Field::PasswordRef => {
                    password_elsewhere.get_or_insert(loc);
                }
                Field::From => {
                    if let Some(s) = self.string(e) {
                        p.from.push(Value::literal(s.to_owned(), loc));
                    }
                }
                Field::Auth => match e.value {
                    TomlValue::Boolean(b) if !*b.value() => {
                        p.auth = Some(Value::literal(AuthMethod::None, loc))
                    }
                    TomlValue::Boolean(_) => {}
                    TomlValue::String(s) => match parse_auth(s.value()) {
                        Some(a) => p.auth = Some(Value::literal(a, loc)),
                        None => self.invalid(
                            vspan,
                            format!("unknown auth method `{}`", s.value()),
                            "write one of: plain, login, cram-md5, oauth2, none",
                        ),
                    },
                    _ => self.wrong_type(e, "a string"),
                },
                Field::Verify | Field::SkipVerify => {
                    if let Some(b) = self.boolean(e) {
                        let verify = if *f == Field::Verify { b } else { !b };
                        p.tls_verify = Some(Value::literal(verify, loc));
                    }
                }
            }
        }
        // A TLS word and a TLS switch that say different things.
        if let Some(sec) = &p.security {
            let flag = match (&implicit, &starttls) {
                (Some(i), _) if i.value => Some((Security::ImplicitTls, i.loc.clone())),
                (_, Some(s)) if s.value => {
                    Some((Security::StartTls { required: true }, s.loc.clone()))
                }
                _ => None,
            };
            if let Some((mode, loc)) = flag {
                if mode.tls_mode() != sec.value.tls_mode() {
                    self.ex.findings.push(
                        Finding::new(
                            "conflicting-settings",
                            Severity::Error,
                            format!(
                                "the TLS mode says {} but a switch turns on {mode}",
                                sec.value
                            ),
                            Label::new(loc, format!("{mode}")),
                        )
                        .with_label(Label::new(sec.loc.clone(), format!("{}", sec.value)))
                        .with_help(
                            "keep one setting: which one the program obeys depends on the program",
                        ),
                    );
                    p.security = None;
                    implicit = None;
                    starttls = None;
                }
            }
        }
        match (implicit, starttls) {
            (Some(i), Some(s)) if i.value && s.value => {
                self.ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Error,
                        "implicit TLS and STARTTLS are both switched on; a connection uses one or the other",
                        Label::new(i.loc.clone(), "implicit TLS"),
                    )
                    .with_label(Label::new(s.loc.clone(), "STARTTLS"))
                    .with_help("keep implicit TLS for port 465, or STARTTLS for port 587"),
                );
            }
            (Some(i), _) if i.value => {
                p.security = Some(Value::literal(Security::ImplicitTls, i.loc))
            }
            (_, Some(s)) if s.value => {
                p.security = Some(Value::literal(Security::StartTls { required: true }, s.loc))
            }
            // `ssl = false` alone says nothing about STARTTLS; `starttls = false` (and no
            // implicit TLS) means no TLS at all.
            (_, Some(s)) if p.security.is_none() => {
                p.security = Some(Value::literal(Security::None, s.loc));
            }
            _ => {}
        }
        if let (Some(loc), None, None) = (password_elsewhere, &p.auth, &p.password) {
            p.auth = Some(Value::default(
                AuthMethod::Password,
                loc,
                "a password is configured",
            ));
        }
        self.ex.profiles.push(p);
    }

    /// A string value written in the file; `None` for references (`${VAR}`), whose value is
    /// not known here, and for other types (reported).
    fn string<'e>(&mut self, e: &'e Entry) -> Option<&'e str> {
        match e.value.as_str() {
            Some(s) if is_reference(s) => None,
            Some(s) => Some(s),
            None => {
                self.wrong_type(e, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, e: &Entry) -> Option<bool> {
        match e.value {
            TomlValue::Boolean(b) => Some(*b.value()),
            TomlValue::String(s) => match super::parse_bool(s.value()) {
                Some(b) => Some(b),
                None => {
                    self.wrong_type(e, "true or false");
                    None
                }
            },
            _ => {
                self.wrong_type(e, "true or false");
                None
            }
        }
    }

    fn wrong_type(&mut self, e: &Entry, expected: &str) {
        let span = self.value_span(e.value);
        self.invalid(
            span,
            format!(
                "`{}` should be {expected}, not {}",
                e.key,
                e.value.type_name()
            ),
            "",
        );
    }

    fn invalid(&mut self, span: Range<usize>, message: String, help: &str) {
        let mut f = Finding::new(
            "invalid-value",
            Severity::Error,
            message,
            Label::bare(self.loc(span)),
        );
        if !help.is_empty() {
            f = f.with_help(help);
        }
        self.ex.findings.push(f);
    }

    fn ambiguous_tls(&mut self, span: Range<usize>, key: &str) {
        self.ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Info,
                format!("`{key}` says TLS but not which kind: some programs read it as STARTTLS, others as implicit TLS"),
                Label::bare(self.loc(span)),
            )
            .with_help("say which one: `security = \"starttls\"` (port 587) or `security = \"implicit\"` (port 465)"),
        );
    }
}

/// `[[smtp]]` elements are named `smtp[0]`; their base name is `smtp`.
fn base_name(s: &str) -> &str {
    s.split('[').next().unwrap_or(s)
}

/// `${VAR}`, `$VAR`, `env:VAR`, `{{ secret }}`: a value kept elsewhere.
fn is_reference(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("${")
        || (s.starts_with('$') && s.len() > 1)
        || s.starts_with("env:")
        || s.starts_with("{{")
}

/// `Some(Some(mode))`: known; `Some(None)`: says TLS without saying which; `None`: unknown word.
fn parse_security(s: &str) -> Option<Option<Security>> {
    let v = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    Some(Some(match v.as_str() {
        "ssl" | "smtps" | "implicit" | "implicit-tls" | "tls-wrapper" | "wrapper" | "force-tls"
        | "ssl/tls" => Security::ImplicitTls,
        "starttls" | "start-tls" | "smtp+starttls" | "required-starttls" | "starttls-required"
        | "explicit" | "explicit-tls" | "mandatory-starttls" => {
            Security::StartTls { required: true }
        }
        "opportunistic" | "auto" | "may" | "starttls-auto" | "opportunistic-starttls" => {
            Security::StartTls { required: false }
        }
        "none" | "off" | "plain" | "plaintext" | "false" | "no" | "insecure" => Security::None,
        "tls" | "true" | "yes" | "on" => return Some(None),
        _ => return None,
    }))
}

fn parse_auth(s: &str) -> Option<AuthMethod> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "plain" | "login" | "password" | "basic" | "normal" => AuthMethod::Password,
        "cram-md5" | "cram_md5" | "digest-md5" | "digest_md5" => AuthMethod::EncryptedPassword,
        "oauth2" | "xoauth2" | "oauth" | "oauthbearer" => AuthMethod::OAuth2,
        "none" | "off" | "false" => AuthMethod::None,
        "ntlm" | "gssapi" | "kerberos" => AuthMethod::Other(s.trim().to_owned()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Extraction {
        extract(FileId(0), text)
    }

    #[test]
    fn smtp_table_with_exact_spans() {
        let t = "[smtp]\nhost = \"smtp.mail.me.com\"\nport = 465\nsecurity = \"ssl\"\nusername = \"alice\"\npassword = \"hunter2\"\nfrom = \"alice@icloud.com\"\n";
        let ex = run(t);
        assert!(ex.findings.is_empty(), "{:?}", ex.findings);
        let p = &ex.profiles[0];
        assert_eq!(p.label, "[smtp]");
        assert_eq!(&t[p.anchor.span.clone()], "[smtp]");
        assert_eq!(
            &t[p.host.as_ref().unwrap().loc.span.clone()],
            "smtp.mail.me.com"
        );
        assert_eq!(p.port.as_ref().unwrap().value, 465);
        assert_eq!(&t[p.port.as_ref().unwrap().loc.span.clone()], "465");
        assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
        assert_eq!(&t[p.password.as_ref().unwrap().loc.span.clone()], "hunter2");
        assert_eq!(ex.secrets.len(), 1);
        assert_eq!(&t[ex.secrets[0].clone()], "hunter2");
    }

    #[test]
    fn shapes_nested_flat_inline_and_arrays() {
        let t = "[mail.smtp]\nserver = 'a.example'\nport = \"587\"\nstarttls = true\n\n[app]\nsmtp_host = \"b.example\"\nsmtp_port = 25\nname = \"x\"\n\n[other]\nhost = \"c.example\"\n\n[[mailer]]\nhost = \"d.example\"\n[[mailer]]\nhost = \"e.example\"\n\n[x]\nsmtp = { host = \"f.example\", port = 2525 }\n";
        let ex = run(t);
        let hosts: Vec<_> = ex
            .profiles
            .iter()
            .map(|p| p.host.as_ref().unwrap().value.clone())
            .collect();
        assert_eq!(
            hosts,
            [
                "a.example",
                "b.example",
                "d.example",
                "e.example",
                "f.example"
            ]
        );
        assert_eq!(
            ex.profiles[0].security.as_ref().unwrap().value,
            Security::StartTls { required: true }
        );
        assert_eq!(ex.profiles[1].label, "[app] smtp_* keys");
        assert_eq!(ex.profiles[4].port.as_ref().unwrap().value, 2525);
    }

    #[test]
    fn references_are_not_literal_passwords() {
        let ex = run("[smtp]\nhost = \"h\"\npassword = \"${SMTP_PASSWORD}\"\n");
        assert!(ex.profiles[0].password.is_none());
    }

    #[test]
    fn bad_values_and_conflicts() {
        let t = "[smtp]\nhost = \"h\"\nport = 99999\nsecurity = \"tsl\"\nssl = true\nstarttls = true\nverify_certificates = false\n";
        let ex = run(t);
        let codes: Vec<_> = ex
            .findings
            .iter()
            .map(|f| (f.code.as_str(), &t[f.primary().span.clone()]))
            .collect();
        assert_eq!(
            codes,
            [
                ("invalid-value", "99999"),
                ("invalid-value", "tsl"),
                ("conflicting-settings", "true")
            ]
        );
        assert!(!ex.profiles[0].tls_verify.as_ref().unwrap().value);
    }

    #[test]
    fn syntax_error_has_a_span_and_no_profile() {
        let t = "[smtp]\nhost = \"unterminated\nport = 1\n";
        let ex = run(t);
        assert!(ex.profiles.is_empty());
        assert_eq!(ex.findings[0].code, "parse-error");
        assert!(ex.findings[0].primary().span.start >= 7);
    }

    #[test]
    fn never_panics_on_garbage() {
        let seeds = [
            "[smtp]\nhost=\"x\"\nport=1",
            "a = [1,",
            "[[",
            "\u{feff}x=1",
            "x = \"\\u{zz}\"",
            "= =",
            "[smtp]\nport = -1\nhost = 5",
        ];
        for s in seeds {
            for cut in 0..=s.len() {
                if s.is_char_boundary(cut) {
                    let _ = run(&s[..cut]);
                }
            }
        }
    }

    #[test]
    fn unknown_shapes_produce_nothing() {
        let ex = run("[database]\nhost = \"db\"\nport = 5432\n");
        assert!(ex.profiles.is_empty());
    }
}
