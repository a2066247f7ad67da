//! What client programs do with values read from code: the [`Conversion`]s that turn an env
//! variable's text into a profile field the way the program does (JavaScript and Python
//! truthiness, `=== 'true'`, `env.bool`, `Number()`, `int()`), and the [`EnvRef`]s that carry them.
//!
//! The conversions themselves are data ([`crate::model::Conversion`]); this module only builds
//! them from what the syntax readers saw.

use std::ops::Range;

use crate::extract::syntax::value::{EnvRead, NumKind, Pred, Val};
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{Conversion, Outcome, Read, Target};
use crate::model::{EnvRef, FieldValue, Profile, Security, Value};
use crate::source::{FileId, Loc};

/// What a boolean turns into, in the readers' vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    Implicit,
    StartReq,
    StartOpp,
    NoTls,
    Port465,
    Port587,
    VerifyOn,
    VerifyOff,
}

impl Out {
    pub fn outcome(self) -> Outcome {
        Outcome::Set(match self {
            Out::Implicit => FieldValue::Security(Security::ImplicitTls),
            Out::StartReq => FieldValue::Security(Security::StartTls { required: true }),
            Out::StartOpp => FieldValue::Security(Security::StartTls { required: false }),
            Out::NoTls => FieldValue::Security(Security::None),
            Out::Port465 => FieldValue::Port(465),
            Out::Port587 => FieldValue::Port(587),
            Out::VerifyOn => FieldValue::TlsVerify(true),
            Out::VerifyOff => FieldValue::TlsVerify(false),
        })
    }

    /// The TLS mode this outcome stands for, if it is one.
    pub fn security(self) -> Option<Security> {
        match self.outcome() {
            Outcome::Set(FieldValue::Security(s)) => Some(s),
            _ => None,
        }
    }
}

/// The conversion for a boolean read with `pred` whose true and false outcomes are given.
pub fn bool_conv(on_true: Out, on_false: Out, pred: Pred) -> Conversion {
    Conversion::choice(pred, on_true.outcome(), on_false.outcome())
}

/// A port read the way the code reads numbers.
pub fn port_conv(kind: NumKind) -> Conversion {
    Conversion::new(Read::Number(kind), Target::Port)
}

/// Nodemailer with `secure` unset: implicit TLS when the port read from the env is 465,
/// `otherwise` for any other port.
pub fn port_security_conv(kind: NumKind, otherwise: Out) -> Option<Conversion> {
    Some(Conversion::new(
        Read::Number(kind),
        Target::PortSecurity {
            otherwise: otherwise.security()?,
        },
    ))
}

/// An [`EnvRef`] for a text field (host, login, password, From): an empty default in code
/// (`os.getenv("EMAIL_HOST_USER", "")`) means no value, not an empty one.
pub fn text_ref(file: FileId, read: &EnvRead, target: Target) -> EnvRef {
    let mut r = env_ref(file, read, Conversion::text(target));
    if r.default.as_ref().is_some_and(|(t, _)| t.trim().is_empty()) {
        r.default = None;
    }
    r
}

/// Add From addresses to a profile: literals as values, env reads as references; each place once.
pub fn push_froms(file: FileId, p: &mut Profile, froms: Vec<Val>) {
    let mut seen: Vec<Range<usize>> = Vec::new();
    for f in froms {
        let place = match &f {
            Val::Str { text, span } if !text.trim().is_empty() => span.clone(),
            Val::EnvText(r) | Val::EnvInText(r) => r.reference.clone(),
            _ => continue,
        };
        if seen.contains(&place) {
            continue;
        }
        seen.push(place);
        match f {
            Val::Str { text, span } => p.from.push(Value::literal(text, Loc::new(file, span))),
            Val::EnvText(r) | Val::EnvInText(r) => {
                p.env_refs.push(text_ref(file, &r, Target::From))
            }
            _ => {}
        }
    }
}

/// Build the model's [`EnvRef`] from a read.
pub fn env_ref(file: FileId, read: &EnvRead, conversion: Conversion) -> EnvRef {
    EnvRef {
        var: read.var.clone(),
        reference: Loc::new(file, read.reference.clone()),
        default: read
            .default
            .as_ref()
            .map(|(t, s)| (t.clone(), Loc::new(file, s.clone()))),
        default_if_empty: read.default_if_empty,
        conversion,
    }
}

/// The `invalid-value` error for a port written in code that is not a port number.
pub fn invalid_port(loc: Loc, message: String) -> Finding {
    Finding::new(
        "invalid-value",
        Severity::Error,
        message,
        Label::new(loc, "invalid"),
    )
    .with_help("use 587 (STARTTLS) or 465 (implicit TLS)")
}

#[cfg(test)]
mod tests;
