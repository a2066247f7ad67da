//! A generic TOML application config (`config.toml`, `app.toml`, ...): which tables hold SMTP
//! settings and what their keys mean.
//!
//! A table is an SMTP profile when its name says so (`[smtp]`, `[email]`, `[mail]`, `[mailer]`,
//! `[mail.smtp]`, `[smtp.<account>]`, `[[smtp]]`) and it holds a host or a port; any table with
//! flat `smtp_*` keys (`smtp_host = ...`) is one too. Field names are matched against the table
//! in docs/formats/toml.md; unknown shapes produce no guesses. The tables come from
//! [`crate::extract::syntax::toml`].

use std::ops::Range;

use super::spelling::{suggest_within, KeySet};
use crate::extract::syntax::toml::{self as syntax, Entry, Scalar, Table};
use crate::extract::{is_secret_key, parse_bool, parse_port, Extraction};
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

/// The main key names [`field`] knows, for keys that miss one by a single edit.
const WORDS: KeySet = KeySet {
    program: "",
    prefix: "",
    known: &[
        "host",
        "hostname",
        "server",
        "relay",
        "port",
        "security",
        "encryption",
        "ssl",
        "use_ssl",
        "implicit_tls",
        "secure",
        "starttls",
        "use_starttls",
        "require_tls",
        "use_tls",
        "tls",
        "username",
        "user",
        "login",
        "password",
        "pass",
        "from",
        "from_address",
        "sender",
        "auth",
        "auth_method",
        "authentication",
        "verify_tls",
        "tls_verify",
        "verify_peer",
        "skip_verify",
        "insecure_skip_verify",
        "accept_invalid_certs",
    ],
    renamed: &[],
};

/// Read a TOML file's SMTP tables into profiles.
pub fn extract(file: FileId, text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let tables = match syntax::parse(text) {
        Ok(tables) => tables,
        Err(e) => {
            ex.findings.push(
                Finding::new(
                    "parse-error",
                    Severity::Error,
                    format!("not valid TOML: {}", e.message),
                    Label::new(Loc::new(file, e.span), "here"),
                )
                .with_help("fix the TOML syntax; no SMTP settings were read from this file"),
            );
            return ex;
        }
    };
    let mut w = Walker { file, ex: &mut ex };
    for table in &tables {
        w.collect_secrets(&table.entries);
        w.consider(table);
    }
    ex
}

struct Walker<'a> {
    file: FileId,
    ex: &'a mut Extraction,
}

/// What the TLS switches and password keys of one table say, before they are combined.
struct Switches {
    implicit: Option<Value<bool>>,
    starttls: Option<Value<bool>>,
    /// A password kept elsewhere (`${VAR}`, `password_env`): the client logs in all the same.
    password_elsewhere: Option<Loc>,
}

/// The entries of a table that name SMTP fields, when the table holds SMTP settings: its name
/// says so, or its keys start with `smtp_`; and it has a host or a port.
fn selection(table: &Table) -> Option<(bool, Vec<(&Entry, Field)>)> {
    let path = &table.path;
    let name = path.last().map(|s| base_name(s).to_ascii_lowercase());
    let parent = path
        .len()
        .checked_sub(2)
        .map(|i| base_name(&path[i]).to_ascii_lowercase());
    let named = name.as_deref().is_some_and(|n| PROFILE_TABLES.contains(&n))
        || parent
            .as_deref()
            .is_some_and(|p| ACCOUNT_PARENTS.contains(&p));
    let selected: Vec<(&Entry, Field)> = table
        .entries
        .iter()
        .filter(|e| {
            let k = e.key.to_ascii_lowercase();
            named || k.starts_with("smtp_") || k.starts_with("smtp-")
        })
        .filter_map(|e| field(&e.key).map(|f| (e, f)))
        .collect();
    selected
        .iter()
        .any(|(_, f)| matches!(f, Field::Host | Field::Port))
        .then_some((named, selected))
}

fn label(path: &[String], named: bool) -> String {
    if path.is_empty() {
        "smtp_* keys".to_owned()
    } else if named {
        format!("[{}]", path.join("."))
    } else {
        format!("[{}] smtp_* keys", path.join("."))
    }
}

impl Walker<'_> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn collect_secrets(&mut self, entries: &[Entry]) {
        for e in entries {
            // `password_env = "NAME"` names where the secret is; it is not one.
            if is_secret_key(&e.key)
                && e.value.as_str().is_some()
                && field(&e.key) != Some(Field::PasswordRef)
            {
                self.ex.secrets.push(e.value_span.clone());
            }
        }
    }

    /// Keys of an SMTP table that are one edit away from a name the table is read by
    /// (`pasword`, `usernmae`): the app most likely ignores them (`unknown-setting`).
    fn near_misses(&mut self, table: &Table, named: bool) {
        for e in &table.entries {
            let k = e.key.to_ascii_lowercase().replace('-', "_");
            let (prefixed, bare) = match k.strip_prefix("smtp_") {
                Some(b) => (true, b.to_owned()),
                None => (false, k.clone()),
            };
            if field(&e.key).is_some() || !(named || prefixed) || bare.len() < 4 {
                continue;
            }
            let Some(right) = suggest_within(&WORDS, &bare, Some(1)) else {
                continue;
            };
            let right = if prefixed {
                format!("smtp_{right}")
            } else {
                right.to_owned()
            };
            self.ex.findings.push(
                Finding::new(
                    "unknown-setting",
                    Severity::Warning,
                    format!(
                        "`{}` is one letter away from `{right}`, a key SMTP settings use: \
                         as written the app most likely ignores it",
                        e.key
                    ),
                    Label::new(
                        self.loc(e.key_span.clone()),
                        format!("did you mean `{right}`?"),
                    ),
                )
                .with_help(format!("rename it to `{right}` if that is what you meant")),
            );
        }
    }

    /// Build a profile from a table if its name or its keys say it holds SMTP settings.
    fn consider(&mut self, table: &Table) {
        let Some((named, selected)) = selection(table) else {
            return;
        };
        let anchor = match &table.header {
            Some(h) => h.clone(),
            None => selected
                .first()
                .map(|(e, _)| e.key_span.clone())
                .unwrap_or(0..0),
        };
        let mut p = Profile::new(Client::Toml, label(&table.path, named), self.loc(anchor));
        let mut sw = Switches {
            implicit: None,
            starttls: None,
            password_elsewhere: None,
        };
        for (e, f) in &selected {
            self.apply(&mut p, &mut sw, e, *f);
        }
        self.near_misses(table, named);
        self.combine_tls(&mut p, sw.implicit, sw.starttls);
        if let (Some(loc), None, None) = (sw.password_elsewhere, &p.auth, &p.password) {
            p.auth = Some(Value::default(
                AuthMethod::Password,
                loc,
                "a password is configured",
            ));
        }
        self.ex.profiles.push(p);
    }

    /// Read one entry into the profile (or into the switches, combined later).
    fn apply(&mut self, p: &mut Profile, sw: &mut Switches, e: &Entry, f: Field) {
        let loc = self.loc(e.value_span.clone());
        match f {
            Field::Host => {
                if let Some(s) = self.string(e) {
                    p.host = Some(Value::literal(s.to_owned(), loc));
                }
            }
            Field::Port => self.port(p, e),
            Field::Security => self.security(p, e),
            Field::ImplicitFlag | Field::StarttlsFlag | Field::AmbiguousTlsFlag => {
                let Some(b) = self.boolean(e) else { return };
                match f {
                    Field::ImplicitFlag => sw.implicit = Some(Value::literal(b, loc)),
                    Field::StarttlsFlag => sw.starttls = Some(Value::literal(b, loc)),
                    _ if b => self.ambiguous_tls(e.value_span.clone(), &e.key),
                    _ => {}
                }
            }
            Field::Username => {
                if let Some(s) = self.string(e) {
                    p.username = Some(Value::literal(s.to_owned(), loc));
                }
            }
            Field::Password => match e.value.as_str() {
                Some(s) if is_reference(s) => {
                    sw.password_elsewhere.get_or_insert(loc);
                }
                Some(s) => p.password = Some(Value::literal(Secret::new(s), loc)),
                None => self.wrong_type(e, "a string"),
            },
            Field::PasswordRef => {
                sw.password_elsewhere.get_or_insert(loc);
            }
            Field::From => {
                if let Some(s) = self.string(e) {
                    p.from.push(Value::literal(s.to_owned(), loc));
                }
            }
            Field::Auth => self.auth(p, e),
            Field::Verify | Field::SkipVerify => {
                if let Some(b) = self.boolean(e) {
                    let verify = if f == Field::Verify { b } else { !b };
                    p.tls_verify = Some(Value::literal(verify, loc));
                }
            }
        }
    }

    fn port(&mut self, p: &mut Profile, e: &Entry) {
        let port = match &e.value {
            Scalar::Int(i) => u16::try_from(*i).ok().filter(|&p| p != 0),
            Scalar::Str(s) => parse_port(s),
            _ => None,
        };
        match port {
            Some(n) => p.port = Some(Value::literal(n, self.loc(e.value_span.clone()))),
            None => self.invalid(
                e.value_span.clone(),
                format!("`{}` is not a port number (1-65535)", e.key),
                "use the submission port: 587 (STARTTLS) or 465 (implicit TLS)",
            ),
        }
    }

    fn security(&mut self, p: &mut Profile, e: &Entry) {
        let Some(s) = self.string(e) else { return };
        let vspan = e.value_span.clone();
        match parse_security(s) {
            Some(Some(sec)) => p.security = Some(Value::literal(sec, self.loc(vspan))),
            Some(None) => self.ambiguous_tls(vspan, &e.key),
            None => self.invalid(
                vspan,
                format!("unknown TLS mode `{s}`"),
                "write one of: implicit (or ssl), starttls, opportunistic, none",
            ),
        }
    }

    fn auth(&mut self, p: &mut Profile, e: &Entry) {
        let loc = self.loc(e.value_span.clone());
        match &e.value {
            Scalar::Bool(false) => p.auth = Some(Value::literal(AuthMethod::None, loc)),
            Scalar::Bool(true) => {}
            Scalar::Str(s) => match parse_auth(s) {
                Some(a) => p.auth = Some(Value::literal(a, loc)),
                None => self.invalid(
                    e.value_span.clone(),
                    format!("unknown auth method `{s}`"),
                    "write one of: plain, login, cram-md5, oauth2, none",
                ),
            },
            _ => self.wrong_type(e, "a string"),
        }
    }

    /// The TLS word (`security = ...`) and the TLS switches (`ssl`, `starttls`) together.
    fn combine_tls(
        &mut self,
        p: &mut Profile,
        mut implicit: Option<Value<bool>>,
        mut starttls: Option<Value<bool>>,
    ) {
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
        match &e.value {
            Scalar::Bool(b) => Some(*b),
            Scalar::Str(s) => match parse_bool(s) {
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
        self.invalid(
            e.value_span.clone(),
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
mod tests;
