//! One definition over the entries of one section: fields, removed keys, combiners, defaults.

use std::ops::Range;

use super::*;
use crate::extract::{is_secret_key, parse_port};
use crate::model::{Client, Profile, Secret, Value};
use crate::source::Loc;

/// Spans of the secrets among `entries`: password fields, and keys the definition does not
/// map whose name says secret (`passwordeval` is mapped, as a reference: not a secret).
pub(super) fn secrets(def: &Definition, entries: &[Entry], out: &mut Vec<Range<usize>>) {
    for e in entries {
        let field = def.key(&e.key).map(|k| k.field);
        // A key the definition maps is a secret only as a password (`Credentials.UserName` is
        // a login); another key by its name's last part (`spring.datasource.password`).
        let secret = match field {
            Some(f) => f == Field::Password,
            None => is_secret_key(e.key.rsplit('.').next().unwrap_or(&e.key)),
        };
        if secret
            && e.value
                .as_str()
                .is_some_and(|s| !s.is_empty() && !def.is_reference(s))
        {
            out.push(e.value_span.clone());
        }
    }
}

struct Builder<'a> {
    def: &'static Definition,
    file: FileId,
    ex: &'a mut Extraction,
    p: Profile,
    tls: Option<Value<bool>>,
    variant: Option<Value<bool>>,
    /// Implicit, required-STARTTLS and STARTTLS switches (combiner `switch-precedence`).
    switches: [Option<Value<bool>>; 3],
    not_smtp: bool,
    /// Fields whose value the program refuses: it stops there, so no default stands in.
    refused: Vec<Field>,
}

/// Build the profile of one section, if it is one (mail switched on, a required field set,
/// SMTP rather than a local program). Env overrides (`from_env`) that leave the switch out are
/// read as on: they set mail up, and the switch may be in the file they override.
pub(super) fn profile(
    def: &'static Definition,
    file: FileId,
    label: String,
    anchor: Range<usize>,
    entries: &[&Entry],
    from_env: bool,
    ex: &mut Extraction,
) {
    let mut b = Builder {
        def,
        file,
        p: Profile::new(
            Client::Defined(def.id.as_str()),
            label,
            Loc::new(file, anchor),
        ),
        ex,
        tls: None,
        variant: None,
        switches: [None, None, None],
        not_smtp: false,
        refused: Vec::new(),
    };
    if let Some((key, default)) = &def.enabled {
        let on = entries
            .iter()
            .rev()
            .find(|e| def.same_key(&e.key, key))
            .map(|e| match &def.enabled_word {
                Some(w) => e.value.as_str().is_some_and(|v| v.trim() == w),
                None => b.boolean(e).unwrap_or(false),
            })
            .unwrap_or(*default || from_env);
        if !on {
            return;
        }
    }
    // Whether the newer key of each removed key is written (one pass per removed key).
    let newer: Vec<bool> = def
        .removed
        .iter()
        .map(|r| {
            r.unless
                .as_deref()
                .is_some_and(|k| entries.iter().any(|e| def.same_key(&e.key, k)))
        })
        .collect();
    for e in entries {
        if let Some(k) = def.key(&e.key) {
            b.apply(e, k.field, k);
        } else if let Some(i) = def
            .removed
            .iter()
            .position(|r| def.same_key(&r.key, &e.key))
        {
            b.removed(e, &def.removed[i], newer[i]);
        }
    }
    if b.not_smtp || !def.requires_any.iter().any(|f| b.has(*f)) {
        return;
    }
    for c in &def.combine {
        match c {
            Combiner::TlsVariant => b.tls_variant(),
            Combiner::SwitchPrecedence => b.switch_precedence(),
        }
    }
    b.defaults();
    let p = b.p;
    ex.profiles.push(p);
}

impl Builder<'_> {
    fn loc(&self, span: &Range<usize>) -> Loc {
        Loc::new(self.file, span.clone())
    }

    fn has(&self, f: Field) -> bool {
        match f {
            Field::Host | Field::HostPort => self.p.host.is_some(),
            Field::Port => self.p.port.is_some(),
            Field::Username => self.p.username.is_some(),
            Field::Password => self.p.password.is_some(),
            Field::From => !self.p.from.is_empty(),
            _ => false,
        }
    }

    fn invalid(&mut self, severity: Severity, span: &Range<usize>, message: String, help: String) {
        let mut f = Finding::new(
            "invalid-value",
            severity,
            message,
            Label::bare(self.loc(span)),
        );
        if !help.is_empty() {
            f = f.with_help(help);
        }
        self.ex.findings.push(f);
    }

    fn text<'e>(&mut self, e: &'e Entry) -> Option<&'e str> {
        match e.value.as_str() {
            Some(s) => Some(s.trim()),
            None => {
                self.invalid(
                    Severity::Error,
                    &e.value_span,
                    format!("`{}` needs a value", e.key),
                    String::new(),
                );
                None
            }
        }
    }

    fn boolean(&mut self, e: &Entry) -> Option<bool> {
        let s = match &e.value {
            crate::extract::syntax::toml::Scalar::Bool(b) => return Some(*b),
            v => v.as_str().unwrap_or("").trim(),
        };
        let def: &'static Definition = self.def;
        if let Some(b) = def.booleans.get(s) {
            return Some(b);
        }
        let name = &def.name;
        if def.booleans.unknown_false {
            self.invalid(
                Severity::Warning,
                &e.value_span,
                format!("{name} reads `{s}` as false: it is not one of its true words"),
                format!("write one of: {}", def.booleans.yes.join(", ")),
            );
            Some(false)
        } else {
            self.invalid(
                Severity::Error,
                &e.value_span,
                format!("{name} refuses `{s}` for `{}`: it is not a boolean", e.key),
                format!("write {} or {}", def.booleans.yes[0], def.booleans.no[0]),
            );
            None
        }
    }

    fn apply(&mut self, e: &Entry, field: Field, k: &KeyDef) {
        let loc = self.loc(&e.value_span);
        if e.value == super::env::REFERENCE
            || e.value.as_str().is_some_and(|s| self.def.is_reference(s))
        {
            // Filled in elsewhere: the value is not known here. A password kept elsewhere
            // is still a login.
            if field == Field::Password {
                self.p.password = None;
            }
            return;
        }
        match field {
            Field::Host => {
                let Some(s) = self.text(e) else { return };
                if s.is_empty() {
                    return;
                }
                if k.not_smtp_prefix
                    .as_deref()
                    .is_some_and(|p| s.starts_with(p))
                {
                    self.not_smtp = true;
                }
                self.p.host = Some(Value::literal(s.to_owned(), loc));
            }
            Field::Port => self.port(e, k.service_names),
            Field::HostPort => self.host_port(e, k.port_required),
            Field::Security => self.security(e),
            Field::TlsSwitch => {
                self.tls = self.switch(e, loc);
            }
            Field::StarttlsVariant => {
                self.variant = self.switch(e, loc);
            }
            Field::Username => {
                if let Some(s) = self.text(e).filter(|s| !s.is_empty()) {
                    self.p.username = Some(Value::literal(s.to_owned(), loc));
                }
            }
            // A number is a password too (JSON `"Password": 12345678`): its digits are a
            // secret span like any string's.
            Field::Password => match &e.value {
                crate::extract::syntax::toml::Scalar::Int(n) => {
                    self.p.password = Some(Value::literal(Secret::new(n.to_string()), loc));
                }
                v => match v.as_str() {
                    Some(s) if !s.is_empty() => {
                        self.p.password = Some(Value::literal(Secret::new(s), loc));
                    }
                    _ => self.p.password = None,
                },
            },
            // The program logs in with a password it fetches: no literal secret here.
            Field::PasswordRef => self.p.password = None,
            Field::From => {
                if let Some(s) = self.text(e).filter(|s| !s.is_empty()) {
                    self.p.from = vec![Value::literal(s.to_owned(), loc)];
                }
            }
            Field::Auth => self.auth(e),
            Field::SkipVerify | Field::Verify => {
                if let Some(b) = self.boolean(e) {
                    let verify = if field == Field::Verify { b } else { !b };
                    self.p.tls_verify = Some(Value::literal(verify, loc));
                }
            }
            Field::ImplicitSwitch | Field::StarttlsRequiredSwitch | Field::StarttlsSwitch => {
                let i = match field {
                    Field::ImplicitSwitch => 0,
                    Field::StarttlsRequiredSwitch => 1,
                    _ => 2,
                };
                self.switches[i] = self.switch(e, loc);
            }
            Field::TrustHosts => {
                let all = e
                    .value
                    .as_str()
                    .is_some_and(|s| s.split_whitespace().any(|h| h == "*"));
                self.p.tls_verify = all.then(|| Value::literal(false, loc));
            }
            Field::CaPath => {
                let empty = e.value.as_str().is_some_and(|s| s.trim().is_empty());
                self.p.tls_verify = empty.then(|| Value::literal(false, loc));
            }
        }
    }

    /// A TLS switch; a word the program refuses leaves the TLS mode unknown (no default).
    fn switch(&mut self, e: &Entry, loc: Loc) -> Option<Value<bool>> {
        let b = self.boolean(e);
        if b.is_none() {
            self.refused.push(Field::Security);
        }
        b.map(|b| Value::literal(b, loc))
    }

    fn port(&mut self, e: &Entry, service_names: bool) {
        if let crate::extract::syntax::toml::Scalar::Int(n) = e.value {
            match u16::try_from(n).ok().filter(|&p| p != 0) {
                Some(p) => self.p.port = Some(Value::literal(p, self.loc(&e.value_span))),
                None => self.invalid(
                    Severity::Error,
                    &e.value_span,
                    format!("`{n}` is not a port number (1-65535)"),
                    String::new(),
                ),
            }
            return;
        }
        let Some(s) = self.text(e) else { return };
        if s.is_empty() {
            return;
        }
        let named = match s {
            "smtp" => Some(25),
            "submission" => Some(587),
            "smtps" | "submissions" | "ssmtp" => Some(465),
            _ => None,
        };
        match parse_port(s).or(named.filter(|_| service_names)) {
            Some(n) => self.p.port = Some(Value::literal(n, self.loc(&e.value_span))),
            None => self.invalid(
                Severity::Error,
                &e.value_span,
                format!("`{s}` is not a port number (1-65535)"),
                "use the submission port: 587 (STARTTLS) or 465 (implicit TLS)".into(),
            ),
        }
    }

    fn host_port(&mut self, e: &Entry, port_required: bool) {
        let Some(s) = self.text(e) else { return };
        if s.is_empty() {
            return;
        }
        let start = e.value_span.start
            + e.value
                .as_str()
                .map_or(0, |v| v.len() - v.trim_start().len());
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p)),
            _ => (s, None),
        };
        let host_span = start..start + host.len();
        self.p.host = Some(Value::literal(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            self.loc(&host_span),
        ));
        match port {
            Some(p) => {
                let span = start + host.len() + 1..start + s.len();
                match parse_port(p) {
                    Some(n) => self.p.port = Some(Value::literal(n, self.loc(&span))),
                    None => self.invalid(
                        Severity::Error,
                        &span,
                        format!("`{p}` is not a port number (1-65535)"),
                        String::new(),
                    ),
                }
            }
            None if port_required => {
                self.invalid(
                    Severity::Error,
                    &e.value_span,
                    format!(
                        "{} needs `host:port` in `{}`; without a port it cannot connect",
                        self.def.name, e.key
                    ),
                    format!("write `{host}:587` (STARTTLS) or `{host}:465` (implicit TLS)"),
                );
                // It fails before any TLS is chosen: no default stands in.
                self.refused.extend([Field::Port, Field::Security]);
            }
            None => {}
        }
    }

    fn security(&mut self, e: &Entry) {
        let def: &'static Definition = self.def;
        let Some(words) = &def.security else { return };
        let Some(s) = self.text(e) else { return };
        let loc = self.loc(&e.value_span);
        let word = match words.get(s) {
            Some(w) => w,
            None => {
                let name = &def.name;
                match &words.unknown {
                    Unknown::Error => {
                        let m =
                            format!("{name} does not know `{s}` for `{}` and refuses it", e.key);
                        self.invalid(
                            Severity::Error,
                            &e.value_span,
                            m,
                            format!("write one of: {}", words.known()),
                        );
                        self.refused.push(Field::Security);
                        return;
                    }
                    Unknown::FallsBack(w) => {
                        let what = match w {
                            SecurityWord::Mode(m) => m.to_string(),
                            SecurityWord::NotSmtp => "no SMTP".into(),
                        };
                        let m = format!(
                            "{name} does not know `{s}` for `{}` and silently uses {what}",
                            e.key
                        );
                        self.invalid(
                            Severity::Warning,
                            &e.value_span,
                            m,
                            format!("write one of: {}", words.known()),
                        );
                        w.clone()
                    }
                }
            }
        };
        match word {
            SecurityWord::Mode(m) => self.p.security = Some(Value::literal(m, loc)),
            SecurityWord::NotSmtp => self.not_smtp = true,
        }
    }

    fn auth(&mut self, e: &Entry) {
        let def: &'static Definition = self.def;
        let Some(words) = &def.auth else { return };
        let s = match &e.value {
            crate::extract::syntax::toml::Scalar::Bool(true) => "",
            v => v.as_str().unwrap_or("").trim(),
        };
        let loc = self.loc(&e.value_span);
        let method = match words.get(s) {
            Some(AuthMethod::Other(_)) => AuthMethod::Other(s.to_owned()),
            Some(m) => m,
            None => match &words.unknown {
                Unknown::Error => {
                    let m = format!(
                        "{} does not know the auth method `{s}` and refuses it",
                        def.name
                    );
                    self.invalid(
                        Severity::Error,
                        &e.value_span,
                        m,
                        format!("write one of: {}", words.known()),
                    );
                    self.refused.push(Field::Auth);
                    return;
                }
                Unknown::FallsBack(m) => m.clone(),
            },
        };
        self.p.auth = Some(Value::literal(method, loc));
    }

    fn removed(&mut self, e: &Entry, r: &Removed, newer_present: bool) {
        let mut f = Finding::new(
            "invalid-value",
            r.severity,
            format!("`{}`: {}", e.key, r.message),
            Label::bare(self.loc(&e.key_span)),
        );
        if !r.help.is_empty() {
            f = f.with_help(r.help.clone());
        }
        self.ex.findings.push(f);
        if let (Some(field), false) = (r.read_as, newer_present) {
            let k = KeyDef {
                key: e.key.clone(),
                field,
                port_required: false,
                service_names: false,
                not_smtp_prefix: None,
            };
            self.apply(e, field, &k);
        }
    }

    /// Combiner `tls-variant`.
    fn tls_variant(&mut self) {
        let anchor = self.p.anchor.clone();
        let sec = match (&self.tls, &self.variant) {
            (Some(t), Some(v)) if t.value && !v.value => {
                Value::literal(Security::ImplicitTls, v.loc.clone())
            }
            (Some(t), _) if t.value => {
                Value::literal(Security::StartTls { required: true }, t.loc.clone())
            }
            (Some(t), _) => Value::literal(Security::None, t.loc.clone()),
            (None, _) => Value::default(Security::None, anchor, "TLS is off unless switched on"),
        };
        self.p.security = Some(sec);
    }

    /// Combiner `switch-precedence`.
    fn switch_precedence(&mut self) {
        if self
            .p
            .security
            .as_ref()
            .is_some_and(|s| s.value == Security::ImplicitTls)
        {
            return;
        }
        let modes = [
            Security::ImplicitTls,
            Security::StartTls { required: true },
            Security::StartTls { required: false },
        ];
        for (switch, mode) in self.switches.iter().zip(modes) {
            if let Some(v) = switch.as_ref().filter(|v| v.value) {
                self.p.security = Some(Value::literal(mode, v.loc.clone()));
                return;
            }
        }
        // Every switch written is off: the TLS mode without them (none, or STARTTLS when
        // offered) is said there (`EnableSsl: false`, `secure: false`), where it is fixed.
        let Some(v) = self.switches.iter().flatten().next() else {
            return;
        };
        let mode = match &self.p.security {
            None => Security::None,
            Some(s)
                if matches!(
                    s.value,
                    Security::None | Security::StartTls { required: false }
                ) =>
            {
                s.value
            }
            Some(_) => return,
        };
        self.p.security = Some(Value::literal(mode, v.loc.clone()));
    }

    fn holds(&self, c: &Condition) -> Option<Loc> {
        match c {
            Condition::Security(m) => self
                .p
                .security
                .as_ref()
                .filter(|s| s.value == *m)
                .map(|s| s.loc.clone()),
            Condition::Port(n) => self
                .p
                .port
                .as_ref()
                .filter(|p| p.value == *n)
                .map(|p| p.loc.clone()),
            Condition::PortAny => self.p.port.as_ref().map(|p| p.loc.clone()),
        }
    }

    /// The first default of each field whose condition holds fills the field when it is
    /// empty, or replaces it when the default overrides.
    fn defaults(&mut self) {
        let def: &'static Definition = self.def;
        let mut done: Vec<Field> = Vec::new();
        for d in &def.defaults {
            if done.contains(&d.field) || self.refused.contains(&d.field) {
                continue;
            }
            let set = match d.field {
                Field::Host => self.p.host.is_some(),
                Field::Port => self.p.port.is_some(),
                Field::Security => self.p.security.is_some(),
                Field::Auth => self.p.auth.is_some(),
                Field::From => !self.p.from.is_empty(),
                _ => true,
            };
            if set && !d.overrides {
                continue;
            }
            let loc = match &d.when {
                Some(c) => match self.holds(c) {
                    Some(l) => l,
                    None => continue,
                },
                None => self.p.anchor.clone(),
            };
            done.push(d.field);
            let msg: &'static str = d.message.as_str();
            match &d.value {
                DefaultValue::Host(h) => self.p.host = Some(Value::default(h.clone(), loc, msg)),
                DefaultValue::Port(n) => self.p.port = Some(Value::default(*n, loc, msg)),
                DefaultValue::Security(m) => self.p.security = Some(Value::default(*m, loc, msg)),
                DefaultValue::Auth(a) => self.p.auth = Some(Value::default(a.clone(), loc, msg)),
                DefaultValue::Copy(Field::Username) => {
                    if let Some(u) = &self.p.username {
                        self.p.from = vec![Value::default(u.value.clone(), u.loc.clone(), msg)];
                    }
                }
                DefaultValue::Copy(_) => {}
            }
        }
    }
}
