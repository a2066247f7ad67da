//! Python's `smtplib`: `smtplib.SMTP(host, port)` / `SMTP_SSL(...)` (also `from smtplib import
//! SMTP`, `with ... as s:`, `s.connect(host, port)`) gives one [`Profile`] per connection object
//! ([`Client::PythonSmtplib`]), with what is later called on that object: `starttls()`,
//! `login(user, password)`, `sendmail(from, ...)`, `send_message(msg, from_addr=...)`, plus
//! `msg['From'] = ...`. smtplib defaults apply: port 25 (465 for `SMTP_SSL`), no TLS until
//! `starttls()`, and no certificate check unless an `ssl` context is passed.
//!
//! `docs/formats/python.md` lists every rule implemented here.

use std::ops::Range;

use std::collections::HashMap;

use tree_sitter::Node;

use super::reads::{env_ref, invalid_port, port_conv, push_froms, text_ref};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::python::{unwrap, PyFile};
use crate::extract::syntax::tree::squash;
use crate::extract::syntax::value::{port_of, NumKind, Val, MAX_DEPTH};
use crate::extract::Extraction;
use crate::model::conversion::Target;
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};

const SMTP_PORT_DEFAULT: &str = "smtplib's default port: 25 for SMTP, 465 for SMTP_SSL";
const SMTP_PLAIN: &str = "smtplib.SMTP sends in plaintext unless starttls() is called";
const SMTP_NO_VERIFY: &str =
    "without an ssl context smtplib uses ssl._create_stdlib_context(), which checks no certificate";

/// The smtplib connections of a Python file, as profiles in `ex`.
pub fn read(py: &PyFile, ex: &mut Extraction) {
    let mut r = Smtplib { py, ex };
    r.login_secrets();
    r.connections();
}

/// Does the file create an smtplib connection anywhere?
pub fn connects(py: &PyFile) -> bool {
    py.calls.iter().any(|c| smtp_class(py, *c).is_some())
}

/// `SMTP` / `SMTP_SSL` if this call creates a connection object.
fn smtp_class(py: &PyFile, call: Node) -> Option<&'static str> {
    let class = |name: &str| match name {
        "SMTP" => Some("SMTP"),
        "SMTP_SSL" => Some("SMTP_SSL"),
        _ => None,
    };
    let f = call.field(TsField::Function)?;
    match f.kind() {
        "identifier" => {
            let name = py.t(f);
            let imported = py
                .imports
                .iter()
                .filter(|i| i.module == "smtplib" && i.alias == name)
                .find_map(|i| class(i.name.as_deref()?));
            imported.or_else(|| class(name))
        }
        "attribute" => {
            let obj = squash(py.t(f.field(TsField::Object)?));
            let attr = py.t(f.field(TsField::Attribute)?);
            let known = obj == "smtplib"
                || py
                    .imports
                    .iter()
                    .any(|i| i.module == "smtplib" && i.name.is_none() && i.alias == obj);
            if known {
                class(attr)
            } else {
                None
            }
        }
        _ => None,
    }
}

struct Smtplib<'a, 't> {
    py: &'a PyFile<'t>,
    ex: &'a mut Extraction,
}

impl<'t> Smtplib<'_, 't> {
    /// The password of `s.login(user, "...")` is a secret even when nothing else is.
    fn login_secrets(&mut self) {
        for m in self.py.methods.iter().filter(|m| m.method == "login") {
            if let Some(pw) = self.py.arg(m.args, 1, "password") {
                self.ex.secrets.extend(self.py.secret_pieces(pw));
            }
        }
    }

    fn connections(&mut self) {
        let conns: Vec<(Node<'t>, &'static str, Option<String>)> = self
            .py
            .calls
            .iter()
            .filter_map(|c| smtp_class(self.py, *c).map(|k| (*c, k, self.py.assigned_to(*c))))
            .collect();
        let single = conns.len() == 1;
        // Methods by the object they are called on (its node, or the name it is kept under),
        // so that finding each connection's methods does not scan every method of the file.
        let mut by_node: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (j, m) in self.py.methods.iter().enumerate() {
            by_node
                .entry(unwrap(m.object_node).id())
                .or_default()
                .push(j);
            by_name.entry(m.object.as_str()).or_default().push(j);
        }
        // The next connection kept under the same name ends this one's methods.
        let mut ends = vec![usize::MAX; conns.len()];
        let mut later: HashMap<&str, usize> = HashMap::new();
        for (i, (call, _, target)) in conns.iter().enumerate().rev() {
            if let Some(t) = target.as_deref() {
                if let Some(&next) = later.get(t) {
                    ends[i] = next;
                }
                later.insert(t, call.start_byte());
            }
        }
        for (i, (call, class, target)) in conns.iter().enumerate() {
            // Methods on this object: same name, after it, before the next object of that name.
            let (start, end) = (call.start_byte(), ends[i]);
            let mut methods: Vec<usize> = by_node.get(&call.id()).cloned().unwrap_or_default();
            if let Some(named) = target.as_deref().and_then(|t| by_name.get(t)) {
                let methods_of = &self.py.methods;
                let first = named.partition_point(|&j| methods_of[j].pos <= start);
                methods.extend(
                    named[first..]
                        .iter()
                        .take_while(|&&j| methods_of[j].pos < end)
                        .copied(),
                );
            }
            methods.sort_unstable();
            methods.dedup();
            if let Some(p) = self.connection(*call, class, target.as_deref(), &methods, single) {
                self.ex.profiles.push(p);
            }
        }
    }

    fn connection(
        &mut self,
        call: Node<'t>,
        class: &'static str,
        target: Option<&str>,
        methods: &[usize],
        single: bool,
    ) -> Option<Profile> {
        let callee = call.field(TsField::Function)?;
        let args = call.field(TsField::Arguments)?;
        let ssl = class == "SMTP_SSL";
        let anchor = callee.byte_range();
        let label = target.unwrap_or(class).to_owned();
        let mut p = Profile::new(Client::PythonSmtplib, label, self.py.loc(anchor.clone()));

        // Host and port: from the constructor, or from a later `connect(host, port)`.
        let mut host = self.py.arg(args, 0, "host");
        let mut port = self.py.arg(args, 1, "port");
        let connect = methods
            .iter()
            .map(|&j| &self.py.methods[j])
            .find(|m| m.method == "connect");
        if host.is_none() {
            if let Some(m) = connect {
                host = self.py.arg(m.args, 0, "host");
                port = self.py.arg(m.args, 1, "port");
            }
        }
        let logins = self.calls_of(methods, "login");
        if host.is_none() && logins.is_empty() {
            return None; // SMTP() without a server: nothing to judge
        }
        let host_val = host.map(|h| self.py.eval(h, 0));
        let port_val = port.map(|x| self.py.eval(x, 0));
        let port_known = self.port(&mut p, port_val);
        let port_known = self.host(&mut p, host_val, port_known);
        if !port_known {
            p.port = Some(Value::default(
                if ssl { 465 } else { 25 },
                self.py.loc(anchor.clone()),
                SMTP_PORT_DEFAULT,
            ));
        }
        self.tls(&mut p, args, methods, ssl, anchor);
        self.login(&mut p, methods, &logins);
        let froms = self.froms(methods, single);
        push_froms(self.py.file, &mut p, froms);
        Some(p)
    }

    /// The port argument; `true` when it is given (known or not).
    fn port(&mut self, p: &mut Profile, port_val: Option<Val>) -> bool {
        let mut port_known = false;
        match port_val {
            Some(Val::Num { value, span }) if value != 0.0 => {
                if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
                    p.port = Some(Value::literal(value as u16, self.py.loc(span)));
                    port_known = true;
                } else {
                    self.invalid(
                        span,
                        format!("port {} is not a port number (1-65535)", value),
                    );
                    port_known = true;
                }
            }
            Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                match port_of(&text, NumKind::Whole) {
                    Some(n) => p.port = Some(Value::literal(n, self.py.loc(span))),
                    None => {
                        self.invalid(span, format!("port `{}` is not a port number", text.trim()))
                    }
                }
                port_known = true;
            }
            Some(Val::EnvText(r)) | Some(Val::EnvNum(r, _)) => {
                p.env_refs
                    .push(env_ref(self.py.file, &r, port_conv(NumKind::Whole)));
                port_known = true;
            }
            Some(Val::Num { .. }) | Some(Val::Null) | None => {}
            Some(_) => port_known = true,
        }
        port_known
    }

    /// The host argument; `true` when it also gave the port (`SMTP("host:587")`).
    fn host(&mut self, p: &mut Profile, host_val: Option<Val>, port_known: bool) -> bool {
        let mut port_known = port_known;
        match host_val {
            Some(Val::Str { text, span }) => {
                // `SMTP("host:587")`: smtplib splits a single colon when no port is given.
                let raw_matches = self.py.src.get(span.clone()) == Some(text.as_str());
                match text.find(':') {
                    Some(i) if !port_known && text.rfind(':') == Some(i) && raw_matches => {
                        let h = span.start..span.start + i;
                        let pr = span.start + i + 1..span.end;
                        p.host = Some(Value::literal(text[..i].to_owned(), self.py.loc(h)));
                        match port_of(&text[i + 1..], NumKind::Whole) {
                            Some(n) => p.port = Some(Value::literal(n, self.py.loc(pr))),
                            None => self.invalid(
                                pr,
                                "smtplib refuses this port after the colon (nonnumeric port)"
                                    .to_owned(),
                            ),
                        }
                        port_known = true;
                    }
                    _ if !text.trim().is_empty() => {
                        p.host = Some(Value::literal(text.trim().to_owned(), self.py.loc(span)))
                    }
                    _ => {}
                }
            }
            Some(Val::EnvText(r)) => p.env_refs.push(text_ref(self.py.file, &r, Target::Host)),
            _ => {}
        }
        port_known
    }

    /// TLS mode and certificate checks.
    fn tls(
        &self,
        p: &mut Profile,
        args: Node<'t>,
        methods: &[usize],
        ssl: bool,
        anchor: Range<usize>,
    ) {
        let starttls = self.calls_of(methods, "starttls");
        if ssl {
            p.security = Some(Value::literal(
                Security::ImplicitTls,
                self.py.loc(anchor.clone()),
            ));
            let ctx = self.py.kw(args, "context");
            p.tls_verify = self.verify(ctx, anchor.clone());
        } else if let Some(&j) = starttls.first() {
            let m = &self.py.methods[j];
            let name = m.name_node.byte_range();
            let ctx = self
                .py
                .kw(m.args, "context")
                .or_else(|| m.args.named_child(2));
            p.security = Some(Value::literal(
                Security::StartTls { required: true },
                self.py.loc(name.clone()),
            ));
            p.tls_verify = self.verify(ctx, name);
        } else {
            p.security = Some(Value::default(
                Security::None,
                self.py.loc(anchor.clone()),
                SMTP_PLAIN,
            ));
        }
    }

    fn login(&mut self, p: &mut Profile, methods: &[usize], logins: &[usize]) {
        if let Some(&j) = logins.first() {
            let (margs, name) = (
                self.py.methods[j].args,
                self.py.methods[j].name_node.byte_range(),
            );
            p.auth = Some(Value::literal(AuthMethod::Password, self.py.loc(name)));
            if let Some(u) = self.py.arg(margs, 0, "user") {
                match self.py.eval(u, 0) {
                    Val::Str { text, span } => {
                        p.username = Some(Value::literal(text, self.py.loc(span)))
                    }
                    Val::EnvText(r) => {
                        p.env_refs
                            .push(text_ref(self.py.file, &r, Target::Username))
                    }
                    _ => {}
                }
            }
            if let Some(pw) = self.py.arg(margs, 1, "password") {
                match self.py.eval(pw, 0) {
                    Val::Str { text, span } => {
                        if span.start < span.end {
                            self.ex.secrets.push(span.clone());
                        }
                        p.password = Some(Value::literal(Secret::new(text), self.py.loc(span)));
                    }
                    Val::EnvText(r) => {
                        p.env_refs
                            .push(text_ref(self.py.file, &r, Target::Password))
                    }
                    _ => {}
                }
            }
        }
        for j in self.calls_of(methods, "auth") {
            let m = &self.py.methods[j];
            if let Some(Val::Str { text, span }) = self
                .py
                .arg(m.args, 0, "mechanism")
                .map(|a| self.py.eval(a, 0))
            {
                let method = match text.to_ascii_uppercase().as_str() {
                    "XOAUTH2" | "OAUTHBEARER" => AuthMethod::OAuth2,
                    "PLAIN" | "LOGIN" => AuthMethod::Password,
                    "CRAM-MD5" => AuthMethod::EncryptedPassword,
                    other => AuthMethod::Other(other.to_owned()),
                };
                p.auth = Some(Value::literal(method, self.py.loc(span)));
            }
        }
    }

    /// From: envelope senders and From headers of the messages sent.
    fn froms(&self, methods: &[usize], single: bool) -> Vec<Val> {
        let mut froms: Vec<Val> = Vec::new();
        let mut msgs: Vec<String> = Vec::new();
        for j in self.calls_of(methods, "sendmail") {
            let m = &self.py.methods[j];
            if let Some(f) = self.py.arg(m.args, 0, "from_addr") {
                froms.push(self.py.eval(f, 0));
            }
            if let Some(msg) = self.py.arg(m.args, 2, "msg") {
                msgs.push(message_name(msg, self.py.src));
            }
        }
        for j in self.calls_of(methods, "send_message") {
            let m = &self.py.methods[j];
            match self.py.arg(m.args, 1, "from_addr") {
                Some(f) => froms.push(self.py.eval(f, 0)),
                None => {
                    if let Some(msg) = self.py.arg(m.args, 0, "msg") {
                        msgs.push(message_name(msg, self.py.src));
                    }
                }
            }
        }
        let headers: Vec<Node<'t>> = self
            .py
            .item_sets
            .iter()
            .filter(|i| {
                (i.key.eq_ignore_ascii_case("from") || i.key.eq_ignore_ascii_case("sender"))
                    && (single || msgs.contains(&i.object))
            })
            .map(|i| i.value)
            .collect();
        for v in headers {
            froms.push(self.header_address(v));
        }
        froms
    }

    fn calls_of(&self, methods: &[usize], name: &str) -> Vec<usize> {
        methods
            .iter()
            .copied()
            .filter(|&j| self.py.methods[j].method == name)
            .collect()
    }

    /// `formataddr(("Name", "a@b"))` gives its address; anything else is evaluated.
    fn header_address(&self, v: Node<'t>) -> Val {
        let v = unwrap(v);
        if v.kind() == "call" {
            let f = v.field(TsField::Function).map(|f| squash(self.py.t(f)));
            if matches!(
                f.as_deref(),
                Some("formataddr" | "email.utils.formataddr" | "utils.formataddr")
            ) {
                let pair = v
                    .field(TsField::Arguments)
                    .and_then(|a| a.named_child(0))
                    .map(unwrap);
                if let Some(addr) = pair
                    .filter(|t| matches!(t.kind(), "tuple" | "list"))
                    .and_then(|t| t.named_child(1))
                {
                    return self.py.eval(addr, 0);
                }
                return Val::Unknown;
            }
        }
        self.py.eval(v, 0)
    }

    /// Whether an `ssl` context verifies certificates: `None` when it cannot be told.
    fn verify(&self, ctx: Option<Node<'t>>, implied: Range<usize>) -> Option<Value<bool>> {
        let unverified_default = || {
            Some(Value::default(
                false,
                self.py.loc(implied.clone()),
                SMTP_NO_VERIFY,
            ))
        };
        let Some(ctx) = ctx else {
            return unverified_default();
        };
        let mut n = unwrap(ctx);
        let mut name: Option<String> = None;
        for _ in 0..MAX_DEPTH {
            match n.kind() {
                "none" => return unverified_default(),
                "identifier" | "attribute" => {
                    let nm = squash(self.py.t(n));
                    match self.py.lookup(&nm, n.start_byte()) {
                        Some(v) if !v.byte_range().contains(&n.start_byte()) => {
                            name.get_or_insert(nm);
                            n = unwrap(v);
                        }
                        _ => return None,
                    }
                }
                "call" => {
                    let f = n
                        .field(TsField::Function)
                        .map(|f| squash(self.py.t(f)))
                        .unwrap_or_default();
                    let base = f.rsplit('.').next().unwrap_or(&f);
                    let verifies = match base {
                        "_create_unverified_context" | "_create_stdlib_context" => false,
                        "create_default_context" => true,
                        "SSLContext" => {
                            let proto = n
                                .field(TsField::Arguments)
                                .and_then(|a| a.named_child(0))
                                .map(|a| self.py.t(a))
                                .unwrap_or("");
                            if proto.ends_with("PROTOCOL_TLS_CLIENT") {
                                true
                            } else {
                                return None;
                            }
                        }
                        _ => return None,
                    };
                    if !verifies {
                        return Some(Value::literal(false, self.py.loc(n.byte_range())));
                    }
                    // A verifying context switched off later: `ctx.verify_mode = ssl.CERT_NONE`.
                    if let Some(nm) = &name {
                        let off = ["check_hostname", "verify_mode"]
                            .into_iter()
                            .flat_map(|attr| {
                                let all = self.py.bindings.all(&format!("{nm}.{attr}"));
                                all.iter().map(move |(pos, v)| (*pos, attr, *v))
                            })
                            .filter(|(_, attr, v)| match *attr {
                                "check_hostname" => self.py.t(*v) == "False",
                                _ => self.py.t(*v).ends_with("CERT_NONE"),
                            })
                            .max_by_key(|(pos, _, _)| *pos);
                        if let Some((_, _, v)) = off {
                            return Some(Value::literal(false, self.py.loc(v.byte_range())));
                        }
                    }
                    return None;
                }
                _ => return None,
            }
        }
        None
    }

    fn invalid(&mut self, span: Range<usize>, message: String) {
        self.ex
            .findings
            .push(invalid_port(self.py.loc(span), message));
    }
}

/// The message object a send call uses: `msg` for `msg`, `msg.as_string()`, `str(msg)`.
fn message_name(n: Node, src: &str) -> String {
    let mut n = unwrap(n);
    for _ in 0..4 {
        match n.kind() {
            "call" => {
                let f = n.field(TsField::Function);
                match f {
                    Some(f) if f.kind() == "attribute" => match f.field(TsField::Object) {
                        Some(o) => n = o,
                        None => break,
                    },
                    Some(_) => match n.field(TsField::Arguments).and_then(|a| a.named_child(0)) {
                        Some(a) => n = a,
                        None => break,
                    },
                    None => break,
                }
            }
            _ => break,
        }
    }
    squash(crate::extract::syntax::tree::text(n, src))
}
