//! `insecure-transport` and `tls-verify-disabled`: what travels in clear, and TLS that does not
//! check who is on the other end.

use super::{value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Finding, Label, Severity};
use crate::model::{is_loopback_host, Security};

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    let local = p.host_name().is_some_and(|h| is_loopback_host(&h));
    if let Some(sec) = &p.security {
        let creds = p.sends_credentials();
        let finding = match sec.value {
            _ if local => None,
            Security::None if creds => Some((
                Severity::Error,
                "no TLS: the password is sent in clear text".to_owned(),
                "no TLS",
            )),
            Security::None => Some((
                Severity::Warning,
                "no TLS: mail travels unencrypted to the server".to_owned(),
                "no TLS",
            )),
            Security::StartTls { required: false } if creds => Some((
                Severity::Warning,
                "STARTTLS is only opportunistic: anyone on the path can strip it and read the password".to_owned(),
                "STARTTLS not required",
            )),
            _ => None,
        };
        if let Some((severity, message, what)) = finding {
            let mut labels = value_label(sec, what).into_iter();
            let mut f = ctx
                .finding(codes::INSECURE_TRANSPORT, severity, message, labels.next().expect("label"))
                .with_help(
                    "require TLS: STARTTLS that must succeed on port 587, or implicit TLS on port 465",
                );
            if let Some(fix) = super::fixes::require_tls(ctx, sec) {
                f = f.with_fix(fix);
            }
            out.push(with_labels(f, labels.collect()));
        }
    }
    if let Some(v) = &p.tls_verify {
        if !v.value {
            let (severity, extra) = if local {
                (
                    Severity::Warning,
                    " (a local bridge may need its own certificate trusted instead)",
                )
            } else {
                (Severity::Error, "")
            };
            let mut labels = value_label(v, "verification off").into_iter();
            let f = ctx
                .finding(
                    codes::TLS_VERIFY_DISABLED,
                    severity,
                    format!("certificate verification is switched off: anyone on the path can pose as the server and take the password{extra}"),
                    labels.next().unwrap_or_else(|| Label::bare(v.loc.clone())),
                )
                .with_help(if v.is_default() {
                    // Nothing was switched off: the client checks nothing unless told to.
                    "this client does not verify certificates unless it is told to: pass it a verifying TLS context (e.g. Python's ssl.create_default_context())"
                } else {
                    "remove the override; if the server uses a private CA, trust that CA instead of turning verification off"
                });
            let f = match super::fixes::verify_on(ctx, v) {
                Some(fix) => f.with_fix(fix),
                None => f,
            };
            out.push(with_labels(f, labels.collect()));
        }
    }
}
