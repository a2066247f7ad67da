//! The TLS settings of `smtp_settings`, read as `Mail::SMTP#smtp_tls?`, `#smtp_starttls` and
//! `#ssl_context` read them, and `openssl_verify_mode`.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::{choice, flag, sec, Flag};
use crate::extract::clients::reads::env_ref;
use crate::extract::syntax::ruby::{Entry, RbFile};
use crate::extract::syntax::value::{Pred, Val};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{Conversion, Outcome};
use crate::model::{FieldValue, Profile, Security, Value};

const DEFAULT: &str = "Mail uses STARTTLS when the server offers it (enable_starttls :auto) \
                       unless ssl/tls or a STARTTLS flag is set";
const EXCLUSIVE: &str = "false: Mail (2.9 and later) raises ArgumentError when implicit TLS \
                         (ssl/tls) and a STARTTLS flag are both true";

/// The four flags, in Mail's order of reading.
const KEYS: [&str; 4] = ["tls", "ssl", "enable_starttls", "enable_starttls_auto"];

/// What Mail does with the flags: the TLS mode and the flag that decided it (`None`: the
/// default), or `Err` with the two flags that make it raise.
type Decision = Result<(Security, Option<usize>), (usize, usize)>;

fn on(f: &Flag) -> bool {
    matches!(f, Flag::On(_) | Flag::Auto(_))
}

fn set(f: &Flag) -> bool {
    !matches!(f, Flag::Unset)
}

/// `Mail::SMTP#build_smtp_session` over known flags (indices into [`KEYS`]).
fn decide(f: &[Flag; 4]) -> Decision {
    let implicit = [0, 1].into_iter().find(|&i| on(&f[i]));
    let starttls = [2, 3].into_iter().find(|&i| on(&f[i]));
    match (implicit, starttls) {
        (Some(i), Some(s)) => Err((i, s)),
        (Some(i), None) => Ok((Security::ImplicitTls, Some(i))),
        _ if on(&f[2]) => Ok((
            Security::StartTls {
                required: !matches!(f[2], Flag::Auto(_)),
            },
            Some(2),
        )),
        _ if set(&f[3]) => {
            let s = if on(&f[3]) {
                Security::StartTls { required: false }
            } else {
                Security::None
            };
            Ok((s, Some(3)))
        }
        _ if set(&f[2]) => Ok((Security::None, Some(2))),
        _ => Ok((Security::StartTls { required: false }, None)),
    }
}

fn span(f: &Flag) -> Option<Range<usize>> {
    match f {
        Flag::Off(s) | Flag::On(s) | Flag::Auto(s) => Some(s.clone()),
        _ => None,
    }
}

/// Set the profile's TLS mode from the flags; one flag read from the environment becomes a
/// conversion whose two outcomes are Mail's decisions for a true and a false value.
pub(super) fn security(
    rb: &RbFile,
    map: &HashMap<&str, &Entry>,
    p: &mut Profile,
    near: Range<usize>,
    ex: &mut Extraction,
) {
    let flags: [Flag; 4] = KEYS.map(|k| match map.get(k) {
        Some(e) => flag(rb, e.value, k == "enable_starttls"),
        None => Flag::Unset,
    });
    if flags.iter().any(|f| matches!(f, Flag::Unknown)) {
        return;
    }
    let env: Vec<usize> = (0..4)
        .filter(|&i| matches!(flags[i], Flag::Env(..)))
        .collect();
    match env.as_slice() {
        [] => match decide(&flags) {
            Ok((s, Some(i))) => {
                let at = span(&flags[i]).unwrap_or(near);
                p.security = Some(Value::literal(s, rb.loc(at)));
            }
            Ok((s, None)) => p.security = Some(Value::default(s, rb.loc(near), DEFAULT)),
            Err((i, s)) => ex.findings.push(exclusive(rb, &flags, (i, s))),
        },
        [i] => {
            let Flag::Env(r, pred) = flags[*i].clone() else {
                return;
            };
            let with = |v: Flag| {
                let mut f = flags.clone();
                f[*i] = v;
                decide(&f).map(|(s, _)| sec(s)).map_err(|_| EXCLUSIVE)
            };
            // A value from the environment is a String: `enable_starttls` is then `:always`.
            let c = choice(pred, with(Flag::On(0..0)), with(Flag::Off(0..0)));
            p.env_refs.push(env_ref(rb.file, &r, c));
        }
        _ => {} // several flags from the environment: not judged
    }
}

fn exclusive(rb: &RbFile, flags: &[Flag; 4], (i, s): (usize, usize)) -> Finding {
    let at = |k: usize| rb.loc(span(&flags[k]).unwrap_or(0..0));
    Finding::new(
        "conflicting-settings",
        Severity::Error,
        format!(
            "{} and {} are both true: Mail (2.9 and later) raises ArgumentError (implicit TLS \
             and STARTTLS are mutually exclusive) and sends nothing",
            KEYS[i], KEYS[s]
        ),
        Label::new(at(i), "implicit TLS"),
    )
    .with_label(Label::new(at(s), "STARTTLS"))
    .with_help(format!(
        "keep {} true for port 465 and remove {} (or set it to false)",
        KEYS[i], KEYS[s]
    ))
}

/// `openssl_verify_mode`: a String names an OpenSSL constant (`VERIFY_#{upcase}`), or the
/// constant itself; anything else is not looked up.
pub(super) fn verify_mode(rb: &RbFile, n: Node, p: &mut Profile, ex: &mut Extraction) {
    let symbol = rb.symbol(crate::extract::syntax::ruby::unwrap(n)).is_some();
    match rb.eval(n, 0) {
        Val::Str { text, span } if symbol => ex.findings.push(invalid(
            rb,
            span,
            format!(
                "Mail looks up only a String or an OpenSSL constant here: the symbol :{text} \
                 fails when the connection starts (TypeError)"
            ),
            format!(
                "write '{text}' (a String) or OpenSSL::SSL::VERIFY_{}",
                text.to_uppercase()
            ),
        )),
        Val::Str { text, span } => match text.to_ascii_uppercase().as_str() {
            "NONE" => p.tls_verify = Some(Value::literal(false, rb.loc(span))),
            "PEER" | "FAIL_IF_NO_PEER_CERT" => {
                p.tls_verify = Some(Value::literal(true, rb.loc(span)))
            }
            "CLIENT_ONCE" => {}
            _ => ex.findings.push(invalid(
                rb,
                span,
                format!(
                    "OpenSSL has no VERIFY_{} constant: Mail raises NameError when it sends",
                    text.to_uppercase()
                ),
                "write 'peer' (the default) or leave the setting out".to_owned(),
            )),
        },
        Val::Num { value, span } => {
            p.tls_verify = Some(Value::literal(value != 0.0, rb.loc(span)));
        }
        Val::EnvText(r) | Val::EnvLower(r) => {
            let c = Conversion::choice(
                Pred::equals("none", false, true),
                Outcome::Set(FieldValue::TlsVerify(false)),
                Outcome::Keep,
            );
            p.env_refs.push(env_ref(rb.file, &r, c));
        }
        _ => {}
    }
}

fn invalid(rb: &RbFile, span: Range<usize>, message: String, help: String) -> Finding {
    let span = crate::extract::syntax::tree::widen(rb.src, span);
    Finding::new(
        "invalid-value",
        Severity::Error,
        message,
        Label::new(rb.loc(span), "invalid"),
    )
    .with_help(help)
}
