//! PHPMailer objects: what the code sets on each one, and the [`Profile`] PHPMailer will act on.
//!
//! An object is a receiver (`$mail`, `$this->mailer`) in a scope: a function for variables, a
//! class for `$this->...`. `$x = new PHPMailer(...)` starts a new object; settings on a receiver
//! that was never created in this file start one too. Settings are read in source order and the
//! last one wins, as when PHPMailer reads them at `send()`.

use std::collections::HashMap;
use std::ops::Range;

use super::value::{phpmailer_hosts, Arr, EnvRead, Expr, Field, PhpVal};
use super::Src;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, EnvRef, Profile, Secret, Security, Value};

/// PHPMailer properties smtp-doctor reads. PHP property names are case-sensitive: `$mail->host`
/// is a new property PHPMailer never looks at.
const PROPS: &[&str] = &[
    "Host",
    "Port",
    "SMTPSecure",
    "SMTPAutoTLS",
    "SMTPAuth",
    "AuthType",
    "Username",
    "Password",
    "SMTPOptions",
    "From",
    "Sender",
    "Mailer",
];

/// Members only a PHPMailer object has: a receiver that never met `new PHPMailer` in this file
/// counts as one only when it shows one of these.
const STRONG_PROPS: &[&str] = &[
    "SMTPSecure",
    "SMTPAutoTLS",
    "SMTPAuth",
    "AuthType",
    "SMTPOptions",
    "Mailer",
];

/// Settings that only matter for SMTP.
const SMTP_PROPS: &[&str] = &[
    "Host",
    "Port",
    "SMTPSecure",
    "SMTPAutoTLS",
    "SMTPAuth",
    "AuthType",
    "Username",
    "Password",
    "SMTPOptions",
];

type Key = (usize, String);
/// The branches (`if`/`elseif`/`else` arms, `switch` cases) a statement sits in, as
/// (owner, arm) node ids.
pub(super) type Branches = Vec<(usize, usize)>;
/// Keys of a nested array assignment, with their spans.
type KeyPath = Vec<(String, Range<usize>)>;

#[derive(Debug)]
enum Ev {
    Prop {
        name: String,
        value: Expr,
        branches: Branches,
    },
    SetFrom {
        addr: Expr,
        auto: Option<Expr>,
        branches: Branches,
    },
    /// `$mail->SMTPOptions['ssl']['verify_peer'] = false;`
    OptionPath { path: KeyPath, value: Expr },
}

#[derive(Debug)]
pub(super) struct Instance {
    receiver: String,
    /// `new PHPMailer(...)`.
    created: Option<Range<usize>>,
    /// The first statement seen on the object.
    first: Range<usize>,
    /// Every `isSMTP()` / `Mailer = 'smtp'` (true) and `isMail()`/`isSendmail()`/`isQmail()`
    /// (false), in order.
    mailers: Vec<(bool, Range<usize>, Branches)>,
    strong: bool,
    events: Vec<Ev>,
    /// Property names written with the wrong case: (written, meant, span of the name).
    miscased: Vec<(String, &'static str, Range<usize>)>,
}

#[derive(Debug, Default)]
pub(super) struct Instances {
    list: Vec<Instance>,
    current: HashMap<Key, usize>,
}

impl Instances {
    pub fn create(&mut self, key: Key, span: Range<usize>) {
        self.list.push(Instance {
            receiver: key.1.clone(),
            created: Some(span.clone()),
            first: span,
            mailers: Vec::new(),
            strong: true,
            events: Vec::new(),
            miscased: Vec::new(),
        });
        self.current.insert(key, self.list.len() - 1);
    }

    fn get_or_start(&mut self, key: Key, span: Range<usize>) -> &mut Instance {
        let idx = match self.current.get(&key) {
            Some(&i) => i,
            None => {
                self.list.push(Instance {
                    receiver: key.1.clone(),
                    created: None,
                    first: span,
                    mailers: Vec::new(),
                    strong: false,
                    events: Vec::new(),
                    miscased: Vec::new(),
                });
                self.current.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        &mut self.list[idx]
    }

    #[allow(clippy::too_many_arguments)]
    pub fn prop(
        &mut self,
        key: Key,
        stmt: Range<usize>,
        name: String,
        name_span: Range<usize>,
        value: Expr,
        branches: Branches,
    ) {
        if let Some(&exact) = PROPS.iter().find(|p| **p == name) {
            let inst = self.get_or_start(key, stmt);
            if exact == "Mailer" {
                if let Some(PhpVal::Str(m)) = value.literal() {
                    inst.mailers
                        .push((m == "smtp", value.span(), branches.clone()));
                }
            }
            inst.strong |= STRONG_PROPS.contains(&exact);
            inst.events.push(Ev::Prop {
                name,
                value,
                branches,
            });
        } else if let Some(&meant) = PROPS.iter().find(|p| p.eq_ignore_ascii_case(&name)) {
            // Only on objects already known to be PHPMailer's.
            if let Some(&i) = self.current.get(&key) {
                self.list[i].miscased.push((name, meant, name_span));
            }
        }
    }

    pub fn option_path(&mut self, key: Key, stmt: Range<usize>, path: KeyPath, value: Expr) {
        let inst = self.get_or_start(key, stmt);
        inst.strong = true;
        inst.events.push(Ev::OptionPath { path, value });
    }

    pub fn mailer(&mut self, key: Key, call: Range<usize>, smtp: bool, branches: Branches) {
        let inst = self.get_or_start(key, call.clone());
        inst.strong = true;
        inst.mailers.push((smtp, call, branches));
    }

    pub fn set_from(
        &mut self,
        key: Key,
        stmt: Range<usize>,
        addr: Expr,
        auto: Option<Expr>,
        branches: Branches,
    ) {
        let inst = self.get_or_start(key, stmt);
        inst.events.push(Ev::SetFrom {
            addr,
            auto,
            branches,
        });
    }

    pub fn strong(&mut self, key: &Key) {
        if let Some(&i) = self.current.get(key) {
            self.list[i].strong = true;
        }
    }

    /// The last value this file gave a property of the object (`$mail->Username`).
    pub fn lookup(&self, key: &Key, name: &str) -> Option<Expr> {
        let inst = &self.list[*self.current.get(key)?];
        inst.events.iter().rev().find_map(|e| match e {
            Ev::Prop { name: n, value, .. } if n == name => Some(value.clone()),
            _ => None,
        })
    }
}

/// Is every branch of `inner` also a branch of `outer`? Then a statement at `inner` runs
/// whenever one at `outer` does.
fn within(inner: &Branches, outer: &Branches) -> bool {
    inner.iter().all(|b| outer.contains(b))
}

/// The same value, as far as smtp-doctor can tell.
fn same_value(a: &Expr, b: &Expr) -> bool {
    match (a.literal(), b.literal()) {
        (Some(x), Some(y)) => x == y,
        _ => matches!((a, b), (Expr::Env(x), Expr::Env(y)) if x.var == y.var),
    }
}

/// The value a setting ends with: the last assignment, unless it sits in a branch an earlier,
/// different assignment is not in (`if (...) { Port = 465 } else { Port = 587 }`, or a
/// conditional override). Then the value depends on the run and is unknown.
fn settle(history: &[(Expr, &Branches)]) -> Option<Expr> {
    let (last, last_br) = history.last()?;
    let ambiguous = history[..history.len() - 1]
        .iter()
        .any(|(e, br)| !within(last_br, br) && !same_value(e, last));
    Some(if ambiguous {
        Expr::Unknown { span: last.span() }
    } else {
        last.clone()
    })
}

/// The settings of one object after every statement: the last value of each.
#[derive(Default)]
struct State {
    props: HashMap<&'static str, Expr>,
    from: Option<Expr>,
    sender: Option<Expr>,
    options: Vec<(KeyPath, Expr)>,
}

impl State {
    fn of(inst: &Instance) -> State {
        let mut history: HashMap<&'static str, Vec<(Expr, &Branches)>> = HashMap::new();
        let mut options = Vec::new();
        for ev in &inst.events {
            match ev {
                Ev::Prop {
                    name,
                    value,
                    branches,
                } => {
                    let Some(&p) = PROPS.iter().find(|p| *p == name) else {
                        continue;
                    };
                    if p == "SMTPOptions" {
                        options.clear();
                    }
                    history
                        .entry(p)
                        .or_default()
                        .push((value.clone(), branches));
                }
                Ev::SetFrom {
                    addr,
                    auto,
                    branches,
                } => {
                    history
                        .entry("From")
                        .or_default()
                        .push((addr.clone(), branches));
                    let auto = auto
                        .as_ref()
                        .map(|a| a.literal().is_none_or(|v| v.truthy()))
                        .unwrap_or(true);
                    if auto {
                        history
                            .entry("Sender")
                            .or_default()
                            .push((addr.clone(), branches));
                    }
                }
                Ev::OptionPath { path, value } => options.push((path.clone(), value.clone())),
            }
        }
        let mut s = State {
            options,
            ..State::default()
        };
        for (p, h) in history {
            let Some(v) = settle(&h) else { continue };
            match p {
                "From" => s.from = Some(v),
                "Sender" => s.sender = Some(v),
                _ => {
                    s.props.insert(p, v);
                }
            }
        }
        s
    }

    fn get(&self, p: &str) -> Option<&Expr> {
        self.props.get(p)
    }
}

/// Whether the object sends with SMTP: the last transport choice, or an earlier `isSMTP()`
/// the last choice may not override (it sits in a branch the earlier one is not in).
fn smtp_choice(inst: &Instance) -> Option<(bool, Range<usize>)> {
    let (last, span, br) = inst.mailers.last()?;
    if !last {
        if let Some((_, s, _)) = inst
            .mailers
            .iter()
            .rev()
            .skip(1)
            .find(|(smtp, _, b)| *smtp && !within(br, b))
        {
            return Some((true, s.clone()));
        }
    }
    Some((*last, span.clone()))
}

/// Turn every PHPMailer object of the file into a profile (or an info finding).
pub(super) fn build(src: &Src, instances: &Instances, ex: &mut Extraction) {
    for inst in &instances.list {
        for (written, meant, span) in &inst.miscased {
            ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!(
                        "PHPMailer has no property `{written}`: property names are case-sensitive, so this setting is ignored"
                    ),
                    Label::new(src.loc(span.clone()), format!("not `{meant}`")),
                )
                .with_help(format!("write `{meant}`")),
            );
        }
        let state = State::of(inst);
        let has_smtp_settings = SMTP_PROPS.iter().any(|p| state.get(p).is_some());
        let smtp = smtp_choice(inst);
        match &smtp {
            Some((true, _)) => {}
            Some((false, _)) => continue, // mail(), sendmail or qmail, chosen on purpose
            None => {
                if let Some(created) = &inst.created {
                    if has_smtp_settings {
                        ex.findings.push(
                            Finding::new(
                                "conflicting-settings",
                                Severity::Info,
                                "SMTP settings are set, but isSMTP() is never called here: PHPMailer sends with PHP's mail() and ignores them",
                                Label::new(src.loc(created.clone()), "created here"),
                            )
                            .with_help(format!(
                                "call {}->isSMTP() before sending (unless another part of the code does)",
                                inst.receiver
                            )),
                        );
                    }
                    continue;
                }
                // An object from elsewhere: whoever created it may have called isSMTP().
                if !(inst.strong && has_smtp_settings) {
                    continue;
                }
            }
        }
        let p = profile(src, inst, smtp, &state, ex);
        ex.profiles.push(p);
    }
}

const OPPORTUNISTIC: Security = Security::StartTls { required: false };

fn profile(
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
    let mut p = Profile::new(Client::PhpMailer, inst.receiver.clone(), src.loc(anchor));
    let mut refs: Vec<EnvRef> = Vec::new();
    let mut push_ref = |e: &EnvRead, f: Field| refs.push(e.env_ref(|r| src.loc(r), f));

    // Host, and what its first entry overrides.
    let mut host_port: Option<Value<u16>> = None;
    let mut prefix: Option<Value<Security>> = None;
    let mut host_is_localhost = false;
    match st.get("Host") {
        Some(Expr::Str(s)) => {
            let entries = phpmailer_hosts(&s.text);
            host_is_localhost = s.text == "localhost";
            match entries.first() {
                None => ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Error,
                        "Host holds no host name PHPMailer can use",
                        Label::new(src.loc(s.span.clone()), "no host here"),
                    )
                    .with_help("write the SMTP server's name, e.g. `smtp.example.com`"),
                ),
                Some(first) => {
                    if entries.len() > 1 {
                        p.label = format!(
                            "{} (first of {} hosts in Host)",
                            inst.receiver,
                            entries.len()
                        );
                    }
                    p.host = Some(Value::literal(
                        s.text[first.host.clone()].to_owned(),
                        src.loc(s.sub(first.host.clone())),
                    ));
                    if let Some(r) = &first.prefix {
                        let sec = if &s.text[r.clone()] == "ssl" {
                            Security::ImplicitTls
                        } else {
                            Security::StartTls { required: true }
                        };
                        prefix = Some(Value::literal(sec, src.loc(s.sub(r.clone()))));
                    }
                    if let Some(r) = &first.port {
                        let digits = &s.text[r.clone()];
                        match digits.parse::<u32>().ok().filter(|n| (1..65536).contains(n)) {
                            Some(n) => {
                                host_port =
                                    Some(Value::literal(n as u16, src.loc(s.sub(r.clone()))))
                            }
                            None => ex.findings.push(
                                Finding::new(
                                    "invalid-value",
                                    Severity::Warning,
                                    format!("port {} in Host is not a port number; PHPMailer ignores it and uses Port", short(digits)),
                                    Label::new(src.loc(s.sub(r.clone())), "not 1-65535"),
                                )
                                .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                            ),
                        }
                    }
                }
            }
        }
        Some(Expr::Env(e)) => push_ref(e, Field::PmHost),
        Some(_) => {}
        None => {
            if let Some(d) = &defaults_at {
                p.host = Some(Value::default(
                    "localhost".to_owned(),
                    src.loc(d.clone()),
                    "PHPMailer connects to localhost when Host is not set",
                ));
                host_is_localhost = true;
            }
        }
    }

    // Port.
    let port_expr = st.get("Port");
    let mut explicit_port: Option<Value<u16>> = None;
    match port_expr {
        Some(Expr::Env(e)) if host_port.is_none() => push_ref(e, Field::Port),
        Some(e) => {
            if let Some(v) = e.literal() {
                let n = match &v {
                    PhpVal::Int(i) => Some(*i),
                    PhpVal::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                        s.parse::<i64>().ok()
                    }
                    _ => None,
                };
                match n.and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0) {
                    Some(n) => explicit_port = Some(Value::literal(n, src.loc(e.span()))),
                    None => ex.findings.push(
                        Finding::new(
                            "invalid-value",
                            Severity::Error,
                            "Port is not a port number (1-65535)",
                            Label::new(src.loc(e.span()), "not a port"),
                        )
                        .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
                    ),
                }
            }
        }
        None => {}
    }
    match (&host_port, &explicit_port) {
        (Some(hp), Some(ep)) => {
            if hp.value != ep.value {
                ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Warning,
                        format!(
                            "Port {} is ignored: the :{} in Host overrides it",
                            ep.value, hp.value
                        ),
                        Label::new(ep.loc.clone(), "ignored"),
                    )
                    .with_label(Label::new(hp.loc.clone(), "this port is used"))
                    .with_help("keep the port in one place: remove it from Host or remove Port"),
                );
            }
            p.port = host_port.clone();
        }
        (Some(hp), None) => p.port = Some(hp.clone()),
        (None, Some(ep)) => p.port = Some(ep.clone()),
        (None, None) => {
            if port_expr.is_none() {
                if let Some(d) = &defaults_at {
                    p.port = Some(Value::default(
                        25,
                        src.loc(d.clone()),
                        "PHPMailer uses port 25 when Port is not set",
                    ));
                }
            }
        }
    }

    // Security: a Host prefix, else SMTPSecure, else SMTPAutoTLS.
    let secure = st.get("SMTPSecure");
    let autotls = st.get("SMTPAutoTLS");
    let mut explicit_mode: Option<Value<Security>> = None;
    // Where an implicit choice (no valid SMTPSecure) came from.
    let mut fallback_at: Option<Range<usize>> = None;
    let mut secure_from_env = false;
    match secure {
        Some(Expr::Str(s)) if s.text == "ssl" => {
            explicit_mode = Some(Value::literal(
                Security::ImplicitTls,
                src.loc(s.span.clone()),
            ))
        }
        Some(Expr::Str(s)) if s.text == "tls" => {
            explicit_mode = Some(Value::literal(
                Security::StartTls { required: true },
                src.loc(s.span.clone()),
            ))
        }
        Some(Expr::Env(e)) => {
            secure_from_env = true;
            if prefix.is_none() {
                let f = match autotls.and_then(Expr::literal) {
                    Some(v) if !v.truthy() => Field::PmSecure { auto_tls: false },
                    _ => Field::PmSecure { auto_tls: true },
                };
                push_ref(e, f);
            }
        }
        Some(e) => {
            if let Some(v) = e.literal() {
                let empty = matches!(&v, PhpVal::Null | PhpVal::Bool(false))
                    || v.text().is_some_and(str::is_empty);
                if !empty {
                    invalid_secure(src, e, &v, ex);
                }
                fallback_at = Some(e.span());
            }
        }
        None => fallback_at = defaults_at.clone(),
    }
    if let Some(pre) = prefix {
        if let Some(m) = &explicit_mode {
            if m.value != pre.value {
                ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Warning,
                        format!(
                            "SMTPSecure asks for {}, but the prefix in Host overrides it with {}",
                            m.value, pre.value
                        ),
                        Label::new(m.loc.clone(), "ignored"),
                    )
                    .with_label(Label::new(pre.loc.clone(), "this prefix wins"))
                    .with_help("set the TLS mode in one place: drop the ssl:// or tls:// prefix, or SMTPSecure"),
                );
            }
        }
        p.security = Some(pre);
    } else if let Some(m) = explicit_mode {
        p.security = Some(m);
    } else if !secure_from_env {
        if let Some(at) = fallback_at {
            const AUTO: &str = "PHPMailer uses STARTTLS only when the server offers it (SMTPAutoTLS), unless SMTPSecure is 'tls'";
            p.security = match autotls {
                Some(Expr::Env(e)) if !host_is_localhost => {
                    push_ref(e, Field::PmAutoTls);
                    Some(Value::default(OPPORTUNISTIC, src.loc(at), AUTO))
                }
                // PHPMailer compares the whole Host with 'localhost' before trying STARTTLS.
                _ if host_is_localhost => Some(Value::default(
                    Security::None,
                    src.loc(at),
                    "PHPMailer never tries STARTTLS when Host is 'localhost'",
                )),
                Some(e) => match e.literal() {
                    Some(v) if !v.truthy() => {
                        Some(Value::literal(Security::None, src.loc(e.span())))
                    }
                    Some(_) => Some(Value::default(OPPORTUNISTIC, src.loc(at), AUTO)),
                    None => None,
                },
                None => Some(Value::default(OPPORTUNISTIC, src.loc(at), AUTO)),
            };
        }
    }

    // Authentication.
    let auth_type = st.get("AuthType");
    let (method, method_at, method_field) = match auth_type {
        Some(Expr::Str(s)) => match s.text.as_str() {
            "" | "LOGIN" | "PLAIN" => (
                AuthMethod::Password,
                None,
                Field::PmAuth(AuthMethod::Password),
            ),
            "CRAM-MD5" => (
                AuthMethod::EncryptedPassword,
                Some(s.span.clone()),
                Field::PmAuth(AuthMethod::EncryptedPassword),
            ),
            "XOAUTH2" => (
                AuthMethod::OAuth2,
                Some(s.span.clone()),
                Field::PmAuth(AuthMethod::OAuth2),
            ),
            other => {
                ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Error,
                        format!(
                            "AuthType `{}` is not a mechanism PHPMailer knows; login fails with \"The requested authentication method is not supported by the server\"",
                            short(other)
                        ),
                        Label::new(src.loc(s.span.clone()), "unknown auth type"),
                    )
                    .with_help("use CRAM-MD5, LOGIN, PLAIN or XOAUTH2 (upper case), or leave AuthType empty"),
                );
                (
                    AuthMethod::Password,
                    None,
                    Field::PmAuth(AuthMethod::Password),
                )
            }
        },
        _ => (
            AuthMethod::Password,
            None,
            Field::PmAuth(AuthMethod::Password),
        ),
    };
    match st.get("SMTPAuth") {
        Some(Expr::Env(e)) => push_ref(e, method_field),
        Some(e) => {
            if let Some(v) = e.literal() {
                p.auth = Some(if v.truthy() {
                    Value::literal(method, src.loc(method_at.unwrap_or_else(|| e.span())))
                } else {
                    Value::literal(AuthMethod::None, src.loc(e.span()))
                });
            }
        }
        None => {
            if let Some(d) = &defaults_at {
                p.auth = Some(Value::default(
                    AuthMethod::None,
                    src.loc(d.clone()),
                    "PHPMailer logs in only when SMTPAuth is true; Username and Password are ignored without it",
                ));
            }
        }
    }

    // Username, password, From.
    match st.get("Username") {
        Some(Expr::Str(s)) => {
            p.username = Some(Value::literal(s.text.clone(), src.loc(s.span.clone())))
        }
        Some(Expr::Env(e)) => push_ref(e, Field::Username),
        _ => {}
    }
    match st.get("Password") {
        Some(Expr::Str(s)) => {
            ex.secrets.push(s.span.clone());
            p.password = Some(Value::literal(
                Secret::new(s.text.clone()),
                src.loc(s.span.clone()),
            ));
        }
        Some(Expr::Env(e)) => push_ref(e, Field::Password),
        _ => {}
    }
    let mut froms: Vec<&Expr> = Vec::new();
    for e in [&st.from, &st.sender].into_iter().flatten() {
        if !froms.iter().any(|f| f.span() == e.span()) {
            froms.push(e);
        }
    }
    for e in froms {
        match e {
            Expr::Str(s) if !s.text.trim().is_empty() => p
                .from
                .push(Value::literal(s.text.clone(), src.loc(s.span.clone()))),
            Expr::Env(r) => push_ref(r, Field::From),
            _ => {}
        }
    }

    // SMTPOptions: the stream context PHP opens the connection with.
    let mut verify: Option<Value<bool>> = None;
    let mut verify_refs: Vec<(EnvRead, Field)> = Vec::new();
    let mut consider = |name: &str, v: &Expr, verify: &mut Option<Value<bool>>| {
        let off_when_true = name == "allow_self_signed";
        if !(off_when_true || name == "verify_peer" || name == "verify_peer_name") {
            return;
        }
        match v {
            Expr::Env(e) => verify_refs.push((
                e.clone(),
                if off_when_true {
                    Field::SelfSigned
                } else {
                    Field::Verify
                },
            )),
            other => {
                if let Some(lit) = other.literal() {
                    if lit.truthy() == off_when_true && verify.is_none() {
                        *verify = Some(Value::literal(false, src.loc(other.span())));
                    }
                }
            }
        }
    };
    if let Some(Expr::Array(opts)) = st.get("SMTPOptions") {
        for group in &opts.entries {
            let Some(Expr::Array(inner)) = Some(&group.value) else {
                continue;
            };
            match group.key.as_deref() {
                Some("ssl") => {
                    for e in &inner.entries {
                        if let Some(k) = &e.key {
                            consider(k, &e.value, &mut verify);
                        }
                    }
                }
                Some(other) if has_ssl_options(inner) => {
                    misplaced_group(src, other, group.key_span.clone(), ex)
                }
                _ => {}
            }
        }
    }
    for (path, v) in &st.options {
        match path.as_slice() {
            [(group, _), (name, _)] if group == "ssl" => consider(name, v, &mut verify),
            [(group, span), (name, _)] if is_ssl_option(name) => {
                misplaced_group(src, group, span.clone(), ex)
            }
            [(group, _)] if group == "ssl" => {
                if let Expr::Array(inner) = v {
                    for e in &inner.entries {
                        if let Some(k) = &e.key {
                            consider(k, &e.value, &mut verify);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (e, f) in &verify_refs {
        push_ref(e, f.clone());
    }
    p.tls_verify = verify;
    p.env_refs = refs;
    p
}

/// An SMTPSecure value PHPMailer does not know: it compares with `===` against 'ssl' and 'tls'
/// and treats anything else like an empty value.
fn invalid_secure(src: &Src, e: &Expr, v: &PhpVal, ex: &mut Extraction) {
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
    ex.findings.push(
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
        ),
    );
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

fn misplaced_group(src: &Src, name: &str, span: Range<usize>, ex: &mut Extraction) {
    ex.findings.push(
        Finding::new(
            "invalid-value",
            Severity::Warning,
            format!(
                "PHP reads TLS options only under 'ssl': the options under `{}` are ignored",
                short(name)
            ),
            Label::new(src.loc(span), "not 'ssl'"),
        )
        .with_help("put TLS context options under the 'ssl' key"),
    );
}

/// A value to quote in a message, cut short.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('`', "'")
}
