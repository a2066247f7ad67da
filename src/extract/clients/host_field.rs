//! A host setting that holds more than a host name (`smtp.example.com:587`,
//! `ssl://smtp.example.com`) for a program that takes the port and the TLS mode from settings of
//! their own: Django and Flask-Mail hand the text to `smtplib.SMTP(host, port)`, which splits a
//! `:port` off only when no port is given; Nodemailer and Symfony Mailer (Nextcloud) look the
//! whole text up as a name. The connection fails before any mail is sent.

use std::ops::Range;

use crate::finding::{Finding, Label, Severity};
use crate::model::Value;
use crate::source::Loc;

/// What a host value holds besides the name, as ranges into the text.
#[derive(Debug, PartialEq, Eq)]
pub struct Extras {
    pub name: Range<usize>,
    /// `ssl://`, `smtp://` ... (the whole prefix).
    pub scheme: Option<Range<usize>>,
    /// The digits after the last `:`.
    pub port: Option<Range<usize>>,
}

/// The parts of `text` when it holds a scheme or a `:port` next to the name; `None` for a plain
/// name (an IPv6 address, with its several colons, is one).
pub fn extras(text: &str) -> Option<Extras> {
    let lead = text.len() - text.trim_start().len();
    let body = text.trim();
    let mut start = lead;
    let mut scheme = None;
    if let Some(i) = body.find("://") {
        let word = &body[..i];
        if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'+') {
            scheme = Some(lead..lead + i + 3);
            start = lead + i + 3;
        }
    }
    let end = lead + body.len();
    let rest = &text[start..end];
    let mut port = None;
    let mut name_end = end;
    if let Some(i) = rest.rfind(':') {
        let digits = &rest[i + 1..];
        let before = &rest[..i];
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !before.is_empty()
            && !before.contains(':')
        {
            port = Some(start + i + 1..end);
            name_end = start + i;
        }
    }
    let name = start..name_end;
    if (scheme.is_none() && port.is_none()) || name.is_empty() {
        return None;
    }
    Some(Extras { name, scheme, port })
}

/// The host of a value written at `span` (`text` being the value as read): the name alone when
/// the value also holds a scheme or a port, with an `invalid-value` error in `out` saying that
/// `program` connects to the whole text. `key` names the setting; `help` says where the port
/// and the TLS mode go instead.
pub fn host_value(
    text: &str,
    span: Range<usize>,
    loc: &dyn Fn(Range<usize>) -> Loc,
    (program, key, help): (&str, &str, &str),
    out: &mut Vec<Finding>,
) -> Value<String> {
    let whole = || Value::literal(text.trim().to_owned(), loc(span.clone()));
    let Some(x) = extras(text) else {
        return whole();
    };
    let verbatim = span.len() == text.len();
    let at = |r: &Range<usize>| {
        if verbatim {
            loc(span.start + r.start..span.start + r.end)
        } else {
            loc(span.clone())
        }
    };
    let what = match (&x.scheme, &x.port) {
        (Some(s), Some(p)) => format!(
            "a scheme (`{}`) and a port (`:{}`)",
            &text[s.clone()],
            &text[p.clone()]
        ),
        (Some(s), None) => format!("a scheme (`{}`)", &text[s.clone()]),
        (None, Some(p)) => format!("a port (`:{}`)", &text[p.clone()]),
        (None, None) => return whole(),
    };
    let mut f = Finding::new(
        "invalid-value",
        Severity::Error,
        format!(
            "{key} holds {what} besides the host name: {program} looks up the whole text as a \
             name, so the connection fails"
        ),
        Label::new(loc(span.clone()), "not a host name"),
    )
    .with_help(help.to_owned());
    for extra in [&x.scheme, &x.port].into_iter().flatten() {
        if verbatim {
            f = f.with_label(Label::new(at(extra), "does not belong here"));
        }
    }
    out.push(f);
    Value::literal(text[x.name.clone()].to_owned(), at(&x.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scheme_and_port_but_not_plain_names_or_ipv6() {
        let e = extras("smtp.gmail.com:587").unwrap();
        assert_eq!((e.name, e.scheme, e.port), (0..14, None, Some(15..18)));
        let e = extras(" ssl://smtp.gmail.com ").unwrap();
        assert_eq!((e.name, e.scheme, e.port), (7..21, Some(1..7), None));
        let e = extras("smtps://h.example:465").unwrap();
        assert_eq!(
            (e.name, e.scheme, e.port),
            (8..17, Some(0..8), Some(18..21))
        );
        for plain in [
            "smtp.gmail.com",
            "::1",
            "fe80::1:25",
            "h:",
            ":25",
            "ssl://",
            "",
        ] {
            assert_eq!(extras(plain), None, "{plain}");
        }
    }
}
