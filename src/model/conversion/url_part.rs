//! What a mailer URL read from the environment gives one field (Laravel's `url` =>
//! `env('MAIL_URL')`), and where in the URL that part is written.

use std::ops::Range;

use super::{parse_port, PhpVal, UrlPart};
use crate::model::{FieldValue, Secret, Security};

/// The value a mailer URL gives one part, and the part's range in `text`, if the text is a URL
/// that has it.
pub(super) fn url_part(text: &str, part: UrlPart) -> Option<(FieldValue, Range<usize>)> {
    let lead = text.len() - text.trim_start().len();
    let dsn = crate::extract::syntax::url::parse_dsn(text.trim())?;
    let at = |r: &Range<usize>| lead + r.start..lead + r.end;
    let text_of = |p: &Option<(String, Range<usize>)>| {
        p.as_ref()
            .filter(|(t, _)| !t.is_empty())
            .map(|(t, r)| (t.clone(), at(r)))
    };
    let port = || {
        let (p, r) = dsn.port.as_ref()?;
        Some((parse_port(p)?, at(r)))
    };
    // A query option's value as PHP's FILTER_VALIDATE_BOOL reads it (`None`: not set or empty).
    let option = |key: &str| {
        let (_, v, r) = dsn.query.iter().rev().find(|(k, _, _)| k == key)?;
        (!v.is_empty()).then(|| (PhpVal::Str(v.clone()).filter_bool(), at(r)))
    };
    Some(match part {
        UrlPart::Host => text_of(&dsn.host).map(|(h, r)| (FieldValue::Host(h), r))?,
        UrlPart::Username => text_of(&dsn.user).map(|(u, r)| (FieldValue::Username(u), r))?,
        UrlPart::Password => {
            text_of(&dsn.pass).map(|(p, r)| (FieldValue::Password(Secret::new(p)), r))?
        }
        UrlPart::Port => port().map(|(p, r)| (FieldValue::Port(p), r))?,
        UrlPart::PortSecurity => {
            let (p, r) = port()?;
            let sec = |s: Security, r: Range<usize>| (FieldValue::Security(s), r);
            if p == 465 {
                return Some(sec(Security::ImplicitTls, r));
            }
            let auto_off = option("auto_tls").filter(|(on, _)| !on);
            let required = option("require_tls").filter(|(on, _)| *on);
            match (auto_off, required) {
                // Both at once contradict each other: the mailer's setting stays.
                (Some(_), Some(_)) => return None,
                (Some((_, r)), None) => sec(Security::None, r),
                (None, Some((_, r))) => sec(Security::StartTls { required: true }, r),
                (None, None) => sec(Security::StartTls { required: false }, r),
            }
        }
        UrlPart::Verify => {
            let (on, r) = option("verify_peer")?;
            (FieldValue::TlsVerify(on), r)
        }
    })
}
