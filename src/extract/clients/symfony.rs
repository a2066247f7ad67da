//! Symfony Mailer: what it makes of a mailer, whichever file described it (Laravel's mailers
//! and `MAIL_URL` are read by [`super::laravel`] and handed to Symfony Mailer too), and
//! Symfony's own `MAILER_DSN` variable in a `.env` file ([`from_env_file`]).
//!
//! `EsmtpTransportFactory` builds the transport: the `smtps` scheme is implicit TLS; for `smtp`,
//! `auto_tls` (default on) leaves the choice to `EsmtpTransport`, which uses implicit TLS on
//! port 465, and also when no port is given and the host is not `localhost` (port 465 then),
//! else a plain start upgraded with STARTTLS when the server offers it (port 25 when none is
//! given). `auto_tls=false` on `smtp` switches TLS off entirely, `require_tls=true` makes
//! STARTTLS mandatory, and `verify_peer` other than true switches certificate checks off.

use std::ops::Range;

use super::env_url::{report_broken_userinfo, DsnAt};
use super::spelling::{suggest, KeySet};
use crate::extract::syntax::dotenv::Ctx;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::PhpVal;
use crate::model::{AuthMethod, Client, Profile, Security, Value};
use crate::source::Loc;

/// PHP `filter_var($v, FILTER_VALIDATE_BOOL)`: true only for 1/true/on/yes.
pub(super) fn php_bool(v: &str) -> bool {
    PhpVal::Str(v.to_owned()).filter_bool()
}

pub(super) fn php_bool_strict(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" | "" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// What Symfony Mailer makes of a mailer, whichever file described it
// ---------------------------------------------------------------------------------------------

pub(super) const PORT_NOTE: &str = "Laravel and Symfony Mailer use implicit TLS on port 465";
pub(super) const SMTP_NOTE: &str =
    "Laravel uses the smtp scheme for every port but 465: STARTTLS only when \
                         the server offers it";
const LOGIN_NOTE: &str =
    "Symfony Mailer logs in with the username and password when a username is set";
const NO_LOGIN_NOTE: &str = "Symfony Mailer logs in only when a username is set";
pub(super) const NO_PORT_NOTE: &str =
    "Symfony Mailer uses port 465 with implicit TLS when the mailer has no port";

/// Symfony Mailer's choice before DSN options: `smtps` (the scheme) is implicit TLS, so is port
/// 465; anything else is STARTTLS when the server offers it. `None` when the port is unknown
/// and the scheme does not decide.
pub(super) fn transport_security(
    smtps: Option<Loc>,
    port: Option<&Value<u16>>,
    explicit_smtp: Option<Loc>,
    smtp_at: Loc,
) -> Option<Value<Security>> {
    if let Some(loc) = smtps {
        return Some(Value::literal(Security::ImplicitTls, loc));
    }
    if let Some(p) = port.filter(|p| p.value == 465) {
        return Some(Value::default(
            Security::ImplicitTls,
            p.loc.clone(),
            PORT_NOTE,
        ));
    }
    let opp = Security::StartTls { required: false };
    Some(match explicit_smtp {
        Some(loc) => Value::literal(opp, loc),
        None => Value::default(opp, smtp_at, SMTP_NOTE),
    })
}

/// The `require_tls` and `auto_tls` DSN options (a mailer's array keys, or MAIL_URL's query),
/// as their text and span.
#[derive(Default)]
pub(super) struct DsnOptions {
    pub(super) require_tls: Option<(String, Loc)>,
    pub(super) auto_tls: Option<(String, Loc)>,
}

impl DsnOptions {
    /// What the options make of a connection that would be opportunistic STARTTLS: required
    /// STARTTLS, or none at all. Both at once is a contradiction (reported; no security).
    pub(super) fn apply(
        &self,
        sec: Value<Security>,
        findings: &mut Vec<Finding>,
    ) -> Option<Value<Security>> {
        if sec.value != (Security::StartTls { required: false }) {
            return Some(sec);
        }
        // Symfony Mailer reads both with FILTER_VALIDATE_BOOL; an empty `auto_tls` keeps the
        // default (on).
        let auto_off = self
            .auto_tls
            .as_ref()
            .filter(|(v, _)| !v.is_empty() && !php_bool(v));
        let required = self.require_tls.as_ref().filter(|(v, _)| php_bool(v));
        match (auto_off, required) {
            (Some((_, off)), Some((_, req))) => {
                findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Error,
                        "the mailer requires TLS but also switches STARTTLS off",
                        Label::new(req.clone(), "TLS required"),
                    )
                    .with_label(Label::new(off.clone(), "STARTTLS off"))
                    .with_help("remove `auto_tls` and keep `require_tls=true`"),
                );
                None
            }
            (Some((_, off)), None) => Some(Value::literal(Security::None, off.clone())),
            (None, Some((_, req))) => Some(Value::literal(
                Security::StartTls { required: true },
                req.clone(),
            )),
            (None, None) => Some(sec),
        }
    }
}

/// Whether Symfony Mailer logs in: when a username is set. The auth is a default at the
/// password (or the username), else at `none_at`.
pub(super) fn login(
    username: Option<Loc>,
    password: Option<Loc>,
    none_at: Loc,
) -> Value<AuthMethod> {
    match username {
        Some(u) => Value::default(AuthMethod::Password, password.unwrap_or(u), LOGIN_NOTE),
        None => Value::default(AuthMethod::None, password.unwrap_or(none_at), NO_LOGIN_NOTE),
    }
}

/// A scheme other than `smtp`/`smtps`.
pub(super) fn bad_scheme(loc: Loc) -> Finding {
    Finding::new(
        "invalid-value",
        Severity::Error,
        "the mailer scheme must be `smtp` or `smtps`; Symfony Mailer refuses any other",
        Label::new(loc, "unknown scheme"),
    )
    .with_help(
        "use `smtps` for implicit TLS (port 465), `smtp` otherwise, or leave it empty to let \
         the port decide",
    )
}

// ---------------------------------------------------------------------------------------------
// MAILER_DSN
// ---------------------------------------------------------------------------------------------

const DSN_NO_PORT: &str = "Symfony Mailer uses port 465 with implicit TLS when the DSN names no \
                           port (port 25 without TLS for localhost)";
const DSN_SMTP: &str = "Symfony Mailer's smtp scheme starts in plaintext and uses STARTTLS only \
                        when the server offers it";
const AUTO_TLS_OFF: &str = "`auto_tls=false` switches TLS off for the smtp scheme";

/// Schemes a misspelt `smtp` scheme may be near (Symfony fails with "The \"…\" scheme is not
/// supported").
const SCHEMES: KeySet = KeySet {
    program: "Symfony Mailer",
    prefix: "",
    known: &["smtp", "smtps"],
    renamed: &[],
};

/// The `MAILER_DSN` of a Symfony app's `.env` file: a profile for each `smtp://` and `smtps://`
/// transport (several in `failover(...)` and `roundrobin(...)`); `null://`, `sendmail://`,
/// `native://` and the provider bridges (`gmail+smtp://`, `ses+api://`, ...) send some other
/// way and give none.
pub(crate) fn from_env_file(ctx: &mut Ctx) -> Vec<Profile> {
    let Some(def) = ctx.get("MAILER_DSN") else {
        return Vec::new();
    };
    let Some(text) = ctx.text(def) else {
        return Vec::new();
    };
    if text.trim().is_empty() {
        return Vec::new();
    }
    let parts = match transports(&text) {
        Ok(parts) => parts,
        Err((r, message)) => {
            let at = ctx.sub_loc(def, &r);
            ctx.invalid(
                Severity::Error,
                at,
                format!("Symfony Mailer refuses MAILER_DSN: {message}"),
                "here",
                "write one DSN, or `failover(dsn1 dsn2)` / `roundrobin(dsn1 dsn2)` with the \
                 DSNs separated by a space",
            );
            return Vec::new();
        }
    };
    let n = parts.len();
    let mut out = Vec::new();
    for (i, (range, keyword)) in parts.into_iter().enumerate() {
        let Some(dsn) = DsnAt::read_part(ctx, def, "MAILER_DSN", "Symfony Mailer", &text, range)
        else {
            continue;
        };
        let label = match keyword {
            Some(k) => format!("MAILER_DSN ({k} {} of {n})", i + 1),
            None => "MAILER_DSN".to_owned(),
        };
        out.extend(one_transport(ctx, &dsn, label));
    }
    out
}

/// `Transport::parseDsn`: the DSNs of `failover(a b)` and `roundrobin(a b)` (nested too), each
/// ending at a space or `)`, with the keyword that holds it; a single DSN is the whole text.
/// An unknown `word(`, an unbalanced keyword or text after the end is refused, as Symfony
/// refuses it.
pub(crate) fn transports(text: &str) -> Result<Parts, (Range<usize>, String)> {
    let mut out = Vec::new();
    let end = transport_at(text, 0, None, &mut out, 0)?;
    if end != text.len() {
        return Err((
            end..text.len(),
            "the DSN has some garbage at the end".into(),
        ));
    }
    Ok(out)
}

/// Each DSN's range, and the keyword that holds it.
pub(crate) type Parts = Vec<(Range<usize>, Option<&'static str>)>;

fn transport_at(
    text: &str,
    mut at: usize,
    within: Option<&'static str>,
    out: &mut Parts,
    depth: usize,
) -> Result<usize, (Range<usize>, String)> {
    let b = text.as_bytes();
    for keyword in ["failover", "roundrobin"] {
        let open = at + keyword.len();
        if !text[at..].starts_with(keyword) || b.get(open) != Some(&b'(') {
            continue;
        }
        if depth > 16 || !balanced(&b[open..]) {
            continue;
        }
        at = open + 1;
        loop {
            at = transport_at(text, at, Some(keyword), out, depth + 1)?;
            if at == b.len() {
                break;
            }
            at += 1;
            if b[at - 1] == b')' {
                break;
            }
        }
        return Ok(at);
    }
    let word = b[at..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if word > 0 && b.get(at + word) == Some(&b'(') {
        let w = &text[at..at + word];
        let message = if matches!(w, "failover" | "roundrobin") {
            format!("`{w}(` has no matching `)`")
        } else {
            format!("`{w}` is not a keyword (failover and roundrobin are)")
        };
        return Err((at..at + word, message));
    }
    let len = b[at..]
        .iter()
        .take_while(|c| **c != b' ' && **c != b')')
        .count();
    let end = if len > 0 { at + len } else { b.len() };
    out.push((at..end, within));
    Ok(end)
}

/// Does `b` start with a balanced `( ... )` (PCRE's `\(([^()]|(?R))*\)`)?
fn balanced(b: &[u8]) -> bool {
    let mut depth = 0usize;
    for &c in b {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The profile of one `smtp://` or `smtps://` DSN.
fn one_transport(ctx: &mut Ctx, dsn: &DsnAt, label: String) -> Option<Profile> {
    let scheme = dsn.dsn.scheme.0.to_ascii_lowercase();
    let scheme_at = dsn.loc(ctx, &dsn.dsn.scheme.1);
    if scheme != "smtp" && scheme != "smtps" {
        if !scheme.contains('+') && suggest(&SCHEMES, &scheme).is_some() {
            ctx.invalid(
                Severity::Error,
                scheme_at,
                format!("`{scheme}` is not a Symfony Mailer transport scheme"),
                "unknown scheme",
                "write `smtp://` (port 587 or 25) or `smtps://` (implicit TLS, port 465)",
            );
        }
        return None;
    }
    report_broken_userinfo(ctx, dsn, "MAILER_DSN");
    let anchor = ctx.loc(dsn.def.name_span.clone());
    let mut p = Profile::new(Client::DotenvGeneric, label, anchor.clone());
    p.host = dsn.part(ctx, &dsn.dsn.host);
    p.port = dsn.port(ctx, "MAILER_DSN");
    p.username = dsn.part(ctx, &dsn.dsn.user);
    p.password = dsn.password(ctx);
    p.auth = Some(login(
        p.username.as_ref().map(|u| u.loc.clone()),
        p.password.as_ref().map(|u| u.loc.clone()),
        anchor,
    ));
    let opts = DsnOptions {
        require_tls: dsn.query(ctx, "require_tls"),
        auto_tls: dsn.query(ctx, "auto_tls"),
    };
    for (key, val) in [
        ("require_tls", &opts.require_tls),
        ("auto_tls", &opts.auto_tls),
    ] {
        if let Some((v, loc)) = val.as_ref().filter(|(v, _)| php_bool_strict(v).is_none()) {
            ctx.invalid(
                Severity::Warning,
                loc.clone(),
                format!("the `{key}` option in MAILER_DSN is `{v}`, not a boolean"),
                "read as false",
                &format!("write `{key}=true` or `{key}=false`"),
            );
        }
    }
    p.security = dsn_security(ctx, &mut p, scheme == "smtps", scheme_at, &opts);
    if let Some((v, loc)) = dsn.query(ctx, "verify_peer") {
        if !v.is_empty() {
            p.tls_verify = Some(Value::literal(php_bool(&v), loc));
        }
    }
    Some(p)
}

/// `EsmtpTransportFactory` and `EsmtpTransport`'s choice of TLS (and of the port when the DSN
/// names none).
fn dsn_security(
    ctx: &mut Ctx,
    p: &mut Profile,
    smtps: bool,
    scheme_at: Loc,
    opts: &DsnOptions,
) -> Option<Value<Security>> {
    if smtps {
        if p.port.is_none() {
            p.port = Some(Value::default(465, scheme_at.clone(), DSN_NO_PORT));
        }
        return Some(Value::literal(Security::ImplicitTls, scheme_at));
    }
    let auto_off = opts
        .auto_tls
        .as_ref()
        .filter(|(v, _)| !v.is_empty() && !php_bool(v));
    if let Some((_, off)) = auto_off {
        if p.port.is_none() {
            p.port = Some(Value::default(25, off.clone(), AUTO_TLS_OFF));
        }
        return opts.apply(
            Value::default(
                Security::StartTls { required: false },
                off.clone(),
                AUTO_TLS_OFF,
            ),
            &mut ctx.findings,
        );
    }
    if p.port.is_none() {
        let localhost = p.host.as_ref().is_some_and(|h| h.value == "localhost");
        let (port, sec) = if localhost {
            (25, Security::StartTls { required: false })
        } else {
            (465, Security::ImplicitTls)
        };
        p.port = Some(Value::default(port, scheme_at.clone(), DSN_NO_PORT));
        return opts.apply(
            Value::default(sec, scheme_at, DSN_NO_PORT),
            &mut ctx.findings,
        );
    }
    let port = p.port.as_ref().filter(|v| v.value == 465);
    let sec = match port {
        Some(v) => Value::default(Security::ImplicitTls, v.loc.clone(), PORT_NOTE),
        None => Value::default(Security::StartTls { required: false }, scheme_at, DSN_SMTP),
    };
    opts.apply(sec, &mut ctx.findings)
}

#[cfg(test)]
mod tests {
    use super::transports;

    #[test]
    fn failover_and_roundrobin_split_as_parse_dsn_does() {
        let t = "failover(smtp://a:b@h1:587 smtps://c:d@h2)";
        let parts = transports(t).unwrap();
        let texts: Vec<(&str, Option<&str>)> =
            parts.iter().map(|(r, k)| (&t[r.clone()], *k)).collect();
        assert_eq!(
            texts,
            [
                ("smtp://a:b@h1:587", Some("failover")),
                ("smtps://c:d@h2", Some("failover"))
            ]
        );
        // Nested keywords; a single DSN is the whole text.
        let t = "roundrobin(failover(smtp://h1 smtp://h2) smtp://h3)";
        let ks: Vec<_> = transports(t)
            .unwrap()
            .into_iter()
            .map(|(r, k)| (&t[r], k))
            .collect();
        assert_eq!(ks.len(), 3);
        assert_eq!(ks[2], ("smtp://h3", Some("roundrobin")));
        assert_eq!(transports("smtp://h:25").unwrap(), [(0..11, None)]);
        // Refused: another word, an unclosed keyword, text after the end.
        assert!(transports("fallback(smtp://h1 smtp://h2)").is_err());
        assert!(transports("failover(smtp://h1 smtp://h2").is_err());
        let (r, _) = transports("failover(smtp://h1) x").unwrap_err();
        assert_eq!(r, 19..21);
        // Never panics on odd input.
        for t in [
            "failover(",
            "failover()",
            "(",
            ")",
            "failover(()",
            " ",
            "a(",
        ] {
            let _ = transports(t);
        }
    }
}
