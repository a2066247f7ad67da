//! What PHPMailer makes of an object's settings: `Host` (with its `;` list, `ssl://` prefix and
//! `:port`), `Port`, `SMTPSecure`, `SMTPAutoTLS`, `SMTPAuth`, `AuthType`, the login, the sender
//! and the TLS options of `SMTPOptions`, with PHPMailer's defaults for what the code leaves
//! unset.

use std::ops::Range;

use super::{Instance, State};
use crate::extract::php::value::{phpmailer_hosts, Arr, EnvRead, Expr, Field, PhpVal, Str};
use crate::extract::php::Src;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, EnvRef, Profile, Secret, Security, Value};
use crate::source::Loc;

const OPPORTUNISTIC: Security = Security::StartTls { required: false };

/// The profile being built for one object.
struct Build<'a> {
    src: &'a Src,
    st: &'a State,
    ex: &'a mut Extraction,
    p: Profile,
    refs: Vec<EnvRef>,
    /// Where PHPMailer's defaults come from, when the object's whole life is in view.
    defaults_at: Option<Range<usize>>,
}

/// What the first entry of `Host` overrides.
#[derive(Default)]
struct HostParts {
    port: Option<Value<u16>>,
    prefix: Option<Value<Security>>,
    localhost: bool,
}

pub(super) fn profile(
    src: &Src,
    inst: &Instance,
    smtp: Option<(bool, Range<usize>)>,
    st: &State,
    ex: &mut Extraction,
) -> Profile {
    // Client defaults apply only when the object's whole life is in view: created here or
    // switched to SMTP here.
    let defaults_at: Option<Range<usize>> = match (&smtp, &inst.created) {
        (Some((true, call)), _) => Some(call.clone()),
        (_, Some(created)) => Some(created.clone()),
        _ => None,
    };
    let anchor = inst
        .created
        .clone()
        .or_else(|| defaults_at.clone())
        .unwrap_or_else(|| inst.first.clone());
    let p = Profile::new(Client::PhpMailer, inst.receiver.to_owned(), src.loc(anchor));
    let mut b = Build {
        src,
        st,
        ex,
        p,
        refs: Vec::new(),
        defaults_at,
    };
    let host = b.host(inst.receiver);
    b.port(host.port);
    b.security(host.prefix, host.localhost);
    b.auth();
    b.login_and_sender();
    b.tls_options();
    let mut p = b.p;
    p.env_refs = b.refs;
    p
}

impl Build<'_> {
    fn env(&mut self, e: &EnvRead, f: Field) {
        let src = self.src;
        self.refs.push(e.env_ref(|r| src.loc(r), f));
    }

    fn finding(&mut self, f: Finding) {
        self.ex.findings.push(f);
    }

    /// A setting the first entry of Host overrides: (ignored, winner, winner's label).
    fn host_overrides(
        &mut self,
        message: String,
        (ignored, wins, label): (&Loc, &Loc, &str),
        help: &str,
    ) {
        self.finding(
            Finding::new(
                "conflicting-settings",
                Severity::Warning,
                message,
                Label::new(ignored.clone(), "ignored"),
            )
            .with_label(Label::new(wins.clone(), label))
            .with_help(help),
        );
    }

    /// `Host`: the first `;` entry is used, its `ssl://`/`tls://` prefix and `:port` win.
    fn host(&mut self, receiver: &str) -> HostParts {
        match self.st.get("Host") {
            Some(Expr::Str(s)) => self.host_entries(s, receiver),
            Some(Expr::Env(e)) => {
                self.env(e, Field::PmHost);
                HostParts::default()
            }
            Some(_) => HostParts::default(),
            None => {
                let Some(d) = self.defaults_at.clone() else {
                    return HostParts::default();
                };
                self.p.host = Some(Value::default(
                    "localhost".to_owned(),
                    self.src.loc(d),
                    "PHPMailer connects to localhost when Host is not set",
                ));
                HostParts {
                    localhost: true,
                    ..HostParts::default()
                }
            }
        }
    }

    fn host_entries(&mut self, s: &Str, receiver: &str) -> HostParts {
        let src = self.src;
        let entries = phpmailer_hosts(&s.text);
        let mut out = HostParts {
            localhost: s.text == "localhost",
            ..HostParts::default()
        };
        let Some(first) = entries.first() else {
            self.finding(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    "Host holds no host name PHPMailer can use",
                    Label::new(src.loc(s.span.clone()), "no host here"),
                )
                .with_help("write the SMTP server's name, e.g. `smtp.example.com`"),
            );
            return out;
        };
        if entries.len() > 1 {
            self.p.label = format!("{receiver} (first of {} hosts in Host)", entries.len());
        }
        self.p.host = Some(Value::literal(
            s.text[first.host.clone()].to_owned(),
            src.loc(s.sub(first.host.clone())),
        ));
        if let Some(r) = &first.prefix {
            let sec = if &s.text[r.clone()] == "ssl" {
                Security::ImplicitTls
            } else {
                Security::StartTls { required: true }
            };
            out.prefix = Some(Value::literal(sec, src.loc(s.sub(r.clone()))));
        }
        if let Some(r) = &first.port {
            let digits = &s.text[r.clone()];
            let at = src.loc(s.sub(r.clone()));
            match digits.parse::<u32>().ok().filter(|n| (1..65536).contains(n)) {
                Some(n) => out.port = Some(Value::literal(n as u16, at)),
                None => self.finding(
                    Finding::new(
                        "invalid-value",
                        Severity::Warning,
                        format!(
                            "port {} in Host is not a port number; PHPMailer ignores it and uses Port",
                            short(digits)
                        ),
                        Label::new(at, "not 1-65535"),
                    )
                    .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                ),
            }
        }
        out
    }

    /// `Port`, unless the `:port` of Host overrides it.
    fn port(&mut self, host_port: Option<Value<u16>>) {
        let port_expr = self.st.get("Port");
        let explicit = match port_expr {
            Some(Expr::Env(e)) => {
                if host_port.is_none() {
                    self.env(e, Field::Port);
                }
                None
            }
            Some(e) => self.literal_port(e),
            None => None,
        };
        self.p.port = match (host_port, explicit) {
            (Some(hp), Some(ep)) => {
                if hp.value != ep.value {
                    self.host_overrides(
                        format!(
                            "Port {} is ignored: the :{} in Host overrides it",
                            ep.value, hp.value
                        ),
                        (&ep.loc, &hp.loc, "this port is used"),
                        "keep the port in one place: remove it from Host or remove Port",
                    );
                }
                Some(hp)
            }
            (Some(hp), None) => Some(hp),
            (None, Some(ep)) => Some(ep),
            (None, None) => match (&self.defaults_at, port_expr) {
                (Some(d), None) => Some(Value::default(
                    25,
                    self.src.loc(d.clone()),
                    "PHPMailer uses port 25 when Port is not set",
                )),
                _ => None,
            },
        };
    }

    /// A port written in code: an integer, or a string of digits.
    fn literal_port(&mut self, e: &Expr) -> Option<Value<u16>> {
        let v = e.literal()?;
        let n = match &v {
            PhpVal::Int(i) => Some(*i),
            PhpVal::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<i64>().ok()
            }
            _ => None,
        };
        let at = self.src.loc(e.span());
        match n.and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0) {
            Some(n) => Some(Value::literal(n, at)),
            None => {
                self.finding(
                    Finding::new(
                        "invalid-value",
                        Severity::Error,
                        "Port is not a port number (1-65535)",
                        Label::new(at, "not a port"),
                    )
                    .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                );
                None
            }
        }
    }

    /// Security: a Host prefix, else SMTPSecure, else SMTPAutoTLS.
    fn security(&mut self, prefix: Option<Value<Security>>, host_is_localhost: bool) {
        let src = self.src;
        let autotls = self.st.get("SMTPAutoTLS");
        let mut explicit: Option<Value<Security>> = None;
        // Where an implicit choice (no valid SMTPSecure) came from.
        let mut fallback_at: Option<Range<usize>> = None;
        let mut from_env = false;
        match self.st.get("SMTPSecure") {
            Some(Expr::Str(s)) if s.text == "ssl" => {
                explicit = Some(Value::literal(
                    Security::ImplicitTls,
                    src.loc(s.span.clone()),
                ))
            }
            Some(Expr::Str(s)) if s.text == "tls" => {
                explicit = Some(Value::literal(
                    Security::StartTls { required: true },
                    src.loc(s.span.clone()),
                ))
            }
            Some(Expr::Env(e)) => {
                from_env = true;
                if prefix.is_none() {
                    let auto_tls = autotls.and_then(Expr::literal).is_none_or(|v| v.truthy());
                    self.env(e, Field::PmSecure { auto_tls });
                }
            }
            Some(e) => {
                if let Some(v) = e.literal() {
                    let empty = matches!(&v, PhpVal::Null | PhpVal::Bool(false))
                        || v.text().is_some_and(str::is_empty);
                    if !empty {
                        self.finding(invalid_secure(src, e, &v));
                    }
                    fallback_at = Some(e.span());
                }
            }
            None => fallback_at = self.defaults_at.clone(),
        }
        if let Some(pre) = prefix {
            if let Some(m) = explicit.filter(|m| m.value != pre.value) {
                self.host_overrides(
                    format!(
                        "SMTPSecure asks for {}, but the prefix in Host overrides it with {}",
                        m.value, pre.value
                    ),
                    (&m.loc, &pre.loc, "this prefix wins"),
                    "set the TLS mode in one place: drop the ssl:// or tls:// prefix, or SMTPSecure",
                );
            }
            self.p.security = Some(pre);
        } else if explicit.is_some() {
            self.p.security = explicit;
        } else if !from_env {
            if let Some(at) = fallback_at {
                self.p.security = self.auto_tls(autotls, at, host_is_localhost);
            }
        }
    }

    /// No valid SMTPSecure: PHPMailer tries STARTTLS when the server offers it, unless
    /// SMTPAutoTLS is off or Host is 'localhost'.
    fn auto_tls(
        &mut self,
        autotls: Option<&Expr>,
        at: Range<usize>,
        host_is_localhost: bool,
    ) -> Option<Value<Security>> {
        const AUTO: &str = "PHPMailer uses STARTTLS only when the server offers it (SMTPAutoTLS), unless SMTPSecure is 'tls'";
        let at = self.src.loc(at);
        match autotls {
            Some(Expr::Env(e)) if !host_is_localhost => {
                self.env(e, Field::PmAutoTls);
                Some(Value::default(OPPORTUNISTIC, at, AUTO))
            }
            // PHPMailer compares the whole Host with 'localhost' before trying STARTTLS.
            _ if host_is_localhost => Some(Value::default(
                Security::None,
                at,
                "PHPMailer never tries STARTTLS when Host is 'localhost'",
            )),
            Some(e) => match e.literal() {
                Some(v) if !v.truthy() => {
                    Some(Value::literal(Security::None, self.src.loc(e.span())))
                }
                Some(_) => Some(Value::default(OPPORTUNISTIC, at, AUTO)),
                None => None,
            },
            None => Some(Value::default(OPPORTUNISTIC, at, AUTO)),
        }
    }

    /// `SMTPAuth`, logging in with the mechanism `AuthType` names.
    fn auth(&mut self) {
        let src = self.src;
        let (method, method_at) = self.auth_type();
        match self.st.get("SMTPAuth") {
            Some(Expr::Env(e)) => self.env(e, Field::PmAuth(method)),
            Some(e) => {
                if let Some(v) = e.literal() {
                    self.p.auth = Some(if v.truthy() {
                        Value::literal(method, src.loc(method_at.unwrap_or_else(|| e.span())))
                    } else {
                        Value::literal(AuthMethod::None, src.loc(e.span()))
                    });
                }
            }
            None => {
                if let Some(d) = &self.defaults_at {
                    self.p.auth = Some(Value::default(
                        AuthMethod::None,
                        src.loc(d.clone()),
                        "PHPMailer logs in only when SMTPAuth is true; Username and Password are ignored without it",
                    ));
                }
            }
        }
    }

    /// The mechanism `AuthType` asks for, and its span when it is more than a password login.
    fn auth_type(&mut self) -> (AuthMethod, Option<Range<usize>>) {
        let Some(Expr::Str(s)) = self.st.get("AuthType") else {
            return (AuthMethod::Password, None);
        };
        match s.text.as_str() {
            "" | "LOGIN" | "PLAIN" => (AuthMethod::Password, None),
            "CRAM-MD5" => (AuthMethod::EncryptedPassword, Some(s.span.clone())),
            "XOAUTH2" => (AuthMethod::OAuth2, Some(s.span.clone())),
            other => {
                let f = Finding::new(
                    "invalid-value",
                    Severity::Error,
                    format!(
                        "AuthType `{}` is not a mechanism PHPMailer knows; login fails with \"The requested authentication method is not supported by the server\"",
                        short(other)
                    ),
                    Label::new(self.src.loc(s.span.clone()), "unknown auth type"),
                )
                .with_help("use CRAM-MD5, LOGIN, PLAIN or XOAUTH2 (upper case), or leave AuthType empty");
                self.finding(f);
                (AuthMethod::Password, None)
            }
        }
    }

    /// Username, Password, and the From and Sender addresses.
    fn login_and_sender(&mut self) {
        let src = self.src;
        match self.st.get("Username") {
            Some(Expr::Str(s)) => {
                self.p.username = Some(Value::literal(s.text.clone(), src.loc(s.span.clone())))
            }
            Some(Expr::Env(e)) => self.env(e, Field::Username),
            _ => {}
        }
        match self.st.get("Password") {
            Some(Expr::Str(s)) => {
                self.ex.secrets.push(s.span.clone());
                self.p.password = Some(Value::literal(
                    Secret::new(s.text.clone()),
                    src.loc(s.span.clone()),
                ));
            }
            Some(Expr::Env(e)) => {
                self.ex
                    .secrets
                    .extend(e.default.iter().map(|(_, s)| s.clone()));
                self.env(e, Field::Password);
            }
            // Built from pieces (`'a' . $b`, `"{$x}"`): every literal piece is part of it.
            Some(other) => self.ex.secrets.extend(other.pieces()),
            None => {}
        }
        let st = self.st;
        let mut froms: Vec<&Expr> = Vec::new();
        for e in [&st.from, &st.sender].into_iter().flatten() {
            if !froms.iter().any(|f| f.span() == e.span()) {
                froms.push(e);
            }
        }
        for e in froms {
            match e {
                Expr::Str(s) if !s.text.trim().is_empty() => self
                    .p
                    .from
                    .push(Value::literal(s.text.clone(), src.loc(s.span.clone()))),
                Expr::Env(r) => self.env(r, Field::From),
                _ => {}
            }
        }
    }

    /// SMTPOptions: the stream context PHP opens the connection with.
    fn tls_options(&mut self) {
        let st = self.st;
        let mut verify = Verify::default();
        if let Some(Expr::Array(opts)) = st.get("SMTPOptions") {
            for group in &opts.entries {
                let Expr::Array(inner) = &group.value else {
                    continue;
                };
                match group.key.as_deref() {
                    Some("ssl") => verify.all(self.src, inner),
                    Some(other) if has_ssl_options(inner) => {
                        self.misplaced_group(other, group.key_span.clone())
                    }
                    _ => {}
                }
            }
        }
        for (path, v) in &st.options {
            match path.as_slice() {
                [(group, _), (name, _)] if group == "ssl" => verify.consider(self.src, name, v),
                [(group, span), (name, _)] if is_ssl_option(name) => {
                    self.misplaced_group(group, span.clone())
                }
                [(group, _)] if group == "ssl" => {
                    if let Expr::Array(inner) = v {
                        verify.all(self.src, inner);
                    }
                }
                _ => {}
            }
        }
        for (e, f) in verify.refs {
            self.env(&e, f);
        }
        self.p.tls_verify = verify.value;
    }

    fn misplaced_group(&mut self, name: &str, span: Range<usize>) {
        let f = Finding::new(
            "invalid-value",
            Severity::Warning,
            format!(
                "PHP reads TLS options only under 'ssl': the options under `{}` are ignored",
                short(name)
            ),
            Label::new(self.src.loc(span), "not 'ssl'"),
        )
        .with_help("put TLS context options under the 'ssl' key");
        self.finding(f);
    }
}

/// What the `ssl` options say about certificate checks.
#[derive(Default)]
struct Verify {
    /// The first literal that switches checks off.
    value: Option<Value<bool>>,
    refs: Vec<(EnvRead, Field)>,
}

impl Verify {
    fn all(&mut self, src: &Src, options: &Arr) {
        for e in &options.entries {
            if let Some(k) = &e.key {
                self.consider(src, k, &e.value);
            }
        }
    }

    fn consider(&mut self, src: &Src, name: &str, v: &Expr) {
        let off_when_true = name == "allow_self_signed";
        if !(off_when_true || name == "verify_peer" || name == "verify_peer_name") {
            return;
        }
        match v {
            Expr::Env(e) => {
                let f = if off_when_true {
                    Field::SelfSigned
                } else {
                    Field::Verify
                };
                self.refs.push((e.clone(), f));
            }
            other => {
                if let Some(lit) = other.literal() {
                    if lit.truthy() == off_when_true && self.value.is_none() {
                        self.value = Some(Value::literal(false, src.loc(other.span())));
                    }
                }
            }
        }
    }
}

/// An SMTPSecure value PHPMailer does not know: it compares with `===` against 'ssl' and 'tls'
/// and treats anything else like an empty value.
fn invalid_secure(src: &Src, e: &Expr, v: &PhpVal) -> Finding {
    let shown = match v {
        PhpVal::Str(s) => format!("`{}`", short(s)),
        PhpVal::Int(i) => i.to_string(),
        PhpVal::Bool(b) => b.to_string(),
        PhpVal::Null => "null".into(),
    };
    let hint = match v {
        PhpVal::Str(s) => match s.to_ascii_lowercase().as_str() {
            "tls" | "ssl" => " (the value is case-sensitive: write it in lower case)",
            "tsl" | "starttls" | "start_tls" | "stls" => " (did you mean 'tls'?)",
            "sll" | "smtps" | "implicit" => " (did you mean 'ssl'?)",
            _ => "",
        },
        _ => "",
    };
    Finding::new(
        "invalid-value",
        Severity::Error,
        format!(
            "SMTPSecure {shown} is not 'ssl' or 'tls': PHPMailer ignores this value and falls back to opportunistic STARTTLS{hint}"
        ),
        Label::new(src.loc(e.span()), "not a PHPMailer encryption mode"),
    )
    .with_help(
        "use PHPMailer::ENCRYPTION_STARTTLS ('tls') on port 587 or PHPMailer::ENCRYPTION_SMTPS ('ssl') on port 465",
    )
}

const SSL_OPTIONS: &[&str] = &[
    "verify_peer",
    "verify_peer_name",
    "allow_self_signed",
    "cafile",
    "capath",
    "peer_name",
    "ciphers",
    "crypto_method",
    "local_cert",
    "local_pk",
    "SNI_enabled",
    "security_level",
    "peer_fingerprint",
    "verify_depth",
];

fn is_ssl_option(k: &str) -> bool {
    SSL_OPTIONS.contains(&k)
}

fn has_ssl_options(a: &Arr) -> bool {
    a.entries
        .iter()
        .any(|e| e.key.as_deref().is_some_and(is_ssl_option))
}

/// A value to quote in a message, cut short.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('`', "'")
}
