//! The profile of one transport: host, port, TLS mode, certificate checks and login, with
//! Nodemailer's defaults.

use std::ops::Range;

use super::{Nodemailer, Opts, Setting, DEFAULT_465, DEFAULT_OPP, DEFAULT_PORT, PRESET};

const HOST_HELP: &str = "write the name alone in `host`: the port goes in `port` and implicit \
                         TLS is `secure: true` (or pass the whole URL to createTransport)";
use crate::extract::clients::host_field::host_value;
use crate::extract::clients::reads::{
    bool_conv, env_ref, invalid_port, port_conv, port_security_conv, text_ref, Out,
};
use crate::extract::syntax::value::{format_num, port_of, BoolVal, EnvRead, NumKind, Pred, Val};
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::Target;
use crate::model::{AuthMethod, Profile, Secret, Security, Value};

/// The port as the options give it.
enum Port {
    Absent,
    Known(u16, Range<usize>),
    Env(EnvRead, NumKind),
    Unknown,
}

/// What happens when implicit TLS is not used.
enum Fallback {
    Plain(Out, Option<(Range<usize>, bool)>),
    Env(EnvRead, Pred, Out, Out),
    Unknown,
}

/// A TLS switch as set (`None` when absent or `null`), with its setting.
type Flag = Option<(BoolVal, Setting)>;

fn flag(s: &Option<Setting>) -> Flag {
    let s = s.as_ref()?;
    match &s.val {
        Val::Null => None,
        v => Some((v.as_bool(), s.clone())),
    }
}

/// Absent or written false.
fn off(f: &Flag) -> bool {
    f.is_none() || matches!(f, Some((BoolVal::Known(false, _), _)))
}

fn sec_value(o: Out) -> Security {
    match o {
        Out::StartReq => Security::StartTls { required: true },
        Out::NoTls => Security::None,
        _ => Security::StartTls { required: false },
    }
}

impl Nodemailer<'_, '_> {
    fn value<T>(&self, v: T, s: &Setting, span: Range<usize>) -> Value<T> {
        if s.preset {
            Value::default(v, self.js.loc(span), PRESET)
        } else {
            Value::literal(v, self.js.loc(span))
        }
    }

    fn invalid(&mut self, span: Range<usize>, message: String) {
        self.ex
            .findings
            .push(invalid_port(self.js.loc(span), message));
    }

    pub(super) fn fill(
        &mut self,
        o: &Opts,
        p: &mut Profile,
        anchor: Range<usize>,
        service_unknown: bool,
    ) {
        let file = self.js.file;
        // Host.
        if let Some(h) = &o.host {
            match &h.val {
                Val::Str { text, span } if !text.trim().is_empty() && !h.preset => {
                    let js = self.js;
                    p.host = Some(host_value(
                        text,
                        span.clone(),
                        &|r| js.loc(r),
                        ("Nodemailer", "host", HOST_HELP),
                        &mut self.ex.findings,
                    ));
                }
                Val::Str { text, span } if !text.trim().is_empty() => {
                    p.host = Some(self.value(text.trim().to_owned(), h, span.clone()))
                }
                Val::EnvText(r) => p.env_refs.push(text_ref(file, r, Target::Host)),
                _ => {}
            }
        }
        let port = self.port(o, p);
        self.tls(o, p, &port, &anchor, service_unknown);
        // Certificate verification.
        if let Some(s) = &o.reject_unauthorized {
            match s.val.as_bool() {
                BoolVal::Known(b, span) => p.tls_verify = Some(self.value(b, s, span)),
                BoolVal::Env(r, pr) => {
                    let conv = bool_conv(Out::VerifyOn, Out::VerifyOff, pr);
                    p.env_refs.push(env_ref(file, &r, conv));
                }
                BoolVal::Unknown => {}
            }
        }
        self.auth(o, p);
    }

    fn port(&mut self, o: &Opts, p: &mut Profile) -> Port {
        let file = self.js.file;
        let port = match &o.port {
            None => Port::Absent,
            Some(s) => match &s.val {
                Val::Num { value, span } => {
                    if *value == 0.0 {
                        Port::Absent
                    } else if value.fract() == 0.0 && *value >= 1.0 && *value <= 65535.0 {
                        Port::Known(*value as u16, span.clone())
                    } else {
                        self.invalid(
                            span.clone(),
                            format!("port {} is not a port number (1-65535)", format_num(*value)),
                        );
                        Port::Unknown
                    }
                }
                Val::Str { text, span } => {
                    let t = text.trim();
                    if t.is_empty() {
                        Port::Absent
                    } else {
                        match port_of(t, NumKind::Whole) {
                            Some(n) => Port::Known(n, span.clone()),
                            None => {
                                self.invalid(
                                    span.clone(),
                                    format!("port `{t}` is not a port number; Nodemailer falls back to its default port"),
                                );
                                Port::Unknown
                            }
                        }
                    }
                }
                Val::EnvText(r) => Port::Env(r.clone(), NumKind::Whole),
                Val::EnvNum(r, k) => Port::Env(r.clone(), *k),
                Val::Null => Port::Absent,
                _ => Port::Unknown,
            },
        };
        match &port {
            Port::Known(n, span) => {
                if let Some(s) = &o.port {
                    p.port = Some(self.value(*n, s, span.clone()));
                }
            }
            Port::Env(r, k) => p.env_refs.push(env_ref(file, r, port_conv(*k))),
            _ => {}
        }

        port
    }

    /// What `requireTLS` and `ignoreTLS` make of a connection without implicit TLS.
    fn fallback(&mut self, require: &Flag, ignore: &Flag) -> Fallback {
        if let (Some((BoolVal::Known(true, rs), _)), Some((BoolVal::Known(true, is), _))) =
            (require, ignore)
        {
            self.ex.findings.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "`requireTLS` and `ignoreTLS` are both true: one demands STARTTLS, the other forbids it",
                    Label::new(self.js.loc(is.clone()), "ignoreTLS"),
                )
                .with_label(Label::new(self.js.loc(rs.clone()), "requireTLS"))
                .with_help("keep `requireTLS: true` and remove `ignoreTLS`"),
            );
            Fallback::Unknown
        } else if let Some((BoolVal::Known(true, span), s)) = require {
            Fallback::Plain(Out::StartReq, Some((span.clone(), s.preset)))
        } else if let Some((BoolVal::Known(true, span), s)) = ignore {
            Fallback::Plain(Out::NoTls, Some((span.clone(), s.preset)))
        } else if let (Some((BoolVal::Env(r, pr), _)), true) = (require, off(ignore)) {
            Fallback::Env(r.clone(), pr.clone(), Out::StartReq, Out::StartOpp)
        } else if let (Some((BoolVal::Env(r, pr), _)), true) = (ignore, off(require)) {
            Fallback::Env(r.clone(), pr.clone(), Out::NoTls, Out::StartOpp)
        } else if off(require) && off(ignore) {
            Fallback::Plain(Out::StartOpp, None)
        } else {
            Fallback::Unknown
        }
    }

    /// Apply the fallback, with `opp` the span of an opportunistic default (and whether a
    /// preset set it).
    fn apply_fallback(
        &self,
        fallback: &Fallback,
        p: &mut Profile,
        opp: Option<(Range<usize>, bool)>,
        anchor: &Range<usize>,
    ) {
        match fallback {
            Fallback::Plain(out, Some((span, preset))) => {
                let v = sec_value(*out);
                p.security = Some(if *preset {
                    Value::default(v, self.js.loc(span.clone()), PRESET)
                } else {
                    Value::literal(v, self.js.loc(span.clone()))
                });
            }
            Fallback::Plain(out, None) => {
                let v = sec_value(*out);
                p.security = Some(match opp {
                    Some((span, false)) => Value::literal(v, self.js.loc(span)),
                    Some((span, true)) => Value::default(v, self.js.loc(span), PRESET),
                    None => Value::default(v, self.js.loc(anchor.clone()), DEFAULT_OPP),
                });
            }
            Fallback::Env(r, pr, t, f) => {
                let conv = bool_conv(*t, *f, pr.clone());
                p.env_refs.push(env_ref(self.js.file, r, conv));
            }
            Fallback::Unknown => {}
        }
    }

    /// The TLS mode: `secure`, else the port, then the fallback; unknown when a preset named
    /// at run time sets host, port and TLS.
    fn tls(
        &mut self,
        o: &Opts,
        p: &mut Profile,
        port: &Port,
        anchor: &Range<usize>,
        service_unknown: bool,
    ) {
        let fallback = self.fallback(&flag(&o.require_tls), &flag(&o.ignore_tls));
        if service_unknown {
            return;
        }
        let file = self.js.file;
        let plain_out = match &fallback {
            Fallback::Plain(o, _) => Some(*o),
            _ => None,
        };
        let absent = matches!(port, Port::Absent);
        match &flag(&o.secure) {
            Some((BoolVal::Known(true, span), s)) => {
                p.security = Some(self.value(Security::ImplicitTls, s, span.clone()));
                if absent {
                    p.port = Some(Value::default(465, self.js.loc(span.clone()), DEFAULT_PORT));
                }
            }
            Some((BoolVal::Known(false, span), s)) => {
                self.apply_fallback(&fallback, p, Some((span.clone(), s.preset)), anchor);
                if absent {
                    p.port = Some(Value::default(587, self.js.loc(span.clone()), DEFAULT_PORT));
                }
            }
            None => {
                match port {
                    Port::Known(465, span) => {
                        p.security = Some(Value::default(
                            Security::ImplicitTls,
                            self.js.loc(span.clone()),
                            DEFAULT_465,
                        ));
                    }
                    Port::Known(..) | Port::Absent => {
                        self.apply_fallback(&fallback, p, None, anchor)
                    }
                    Port::Env(r, k) => {
                        if let Some(conv) = plain_out.and_then(|o| port_security_conv(*k, o)) {
                            p.env_refs.push(env_ref(file, r, conv));
                        }
                    }
                    Port::Unknown => {}
                }
                if absent {
                    p.port = Some(Value::default(
                        587,
                        self.js.loc(anchor.clone()),
                        DEFAULT_PORT,
                    ));
                }
            }
            Some((BoolVal::Env(r, pr), _)) => {
                if let Some(o) = plain_out {
                    let conv = bool_conv(Out::Implicit, o, pr.clone());
                    p.env_refs.push(env_ref(file, r, conv));
                }
                if absent {
                    let conv = bool_conv(Out::Port465, Out::Port587, pr.clone());
                    p.env_refs.push(env_ref(file, r, conv));
                }
            }
            Some((BoolVal::Unknown, _)) => {}
        }
    }

    fn auth(&mut self, o: &Opts, p: &mut Profile) {
        let file = self.js.file;
        let auth_given = match &o.auth {
            None => false,
            Some(a) => !matches!(
                a.val,
                Val::Null | Val::Bool { value: false, .. } | Val::Num { value: 0.0, .. }
            ),
        };
        if !auth_given {
            return;
        }
        if let Some(u) = &o.user {
            match &u.val {
                Val::Str { text, span } => {
                    p.username = Some(self.value(text.clone(), u, span.clone()))
                }
                Val::EnvText(r) | Val::EnvInText(r) => {
                    p.env_refs.push(text_ref(file, r, Target::Username))
                }
                _ => {}
            }
        }
        let oauth = o.auth_type.as_ref().is_some_and(
            |t| matches!(&t.val, Val::Str { text, .. } if text.eq_ignore_ascii_case("oauth2")),
        );
        if let Some(pw) = &o.pass {
            match &pw.val {
                Val::Str { text, span } if !oauth => {
                    if span.start < span.end {
                        self.ex.secrets.push(span.clone());
                    }
                    p.password = Some(self.value(Secret::new(text.clone()), pw, span.clone()));
                }
                Val::EnvText(r) if !oauth => p.env_refs.push(text_ref(file, r, Target::Password)),
                _ => {}
            }
        }
        let method = if oauth {
            o.auth_type
                .as_ref()
                .map(|t| (AuthMethod::OAuth2, t.clone()))
        } else if let Some(m) = &o.auth_method {
            match &m.val {
                Val::Str { text, .. } => Some((
                    match text.to_ascii_uppercase().as_str() {
                        "PLAIN" | "LOGIN" => AuthMethod::Password,
                        "CRAM-MD5" => AuthMethod::EncryptedPassword,
                        "XOAUTH2" => AuthMethod::OAuth2,
                        other => AuthMethod::Other(other.to_owned()),
                    },
                    m.clone(),
                )),
                _ => None,
            }
        } else {
            None
        };
        match method {
            Some((m, s)) => {
                let span = match &s.val {
                    Val::Str { span, .. } => span.clone(),
                    _ => s.expr_span.clone(),
                };
                p.auth = Some(self.value(m, &s, span));
            }
            None => {
                // `auth: { user, pass }`: Nodemailer logs in with a password (PLAIN or LOGIN).
                if let Some(s) = o.pass.as_ref().or(o.auth.as_ref()) {
                    let span = match &s.val {
                        Val::Str { span, .. } => span.clone(),
                        _ => s.expr_span.clone(),
                    };
                    p.auth = Some(Value::literal(AuthMethod::Password, self.js.loc(span)));
                }
            }
        }
    }
}
