//! Nextcloud's `config/config.php`: the `mail_*` keys of the `$CONFIG = [...]` array, read the
//! way `OC\Mail\Mailer::getSmtpInstance` (Nextcloud 26+, Symfony Mailer) reads them
//! (`docs/formats/nextcloud.md` has the sources).
//!
//! - `mail_smtpmode`: `sendmail` sends through the local binary: no SMTP profile. Any other
//!   mode, `qmail` included, is sent through SMTP (`getInstance`'s `default` branch).
//! - `mail_smtphost` (default `127.0.0.1`), `mail_smtpport` (cast to int, default 25).
//! - `mail_smtpsecure` must be exactly `ssl` (implicit TLS); anything else leaves the choice to
//!   Symfony's `EsmtpTransport`: implicit TLS on port 465, else STARTTLS when the server offers
//!   it, which Nextcloud cannot make mandatory.
//! - `mail_smtpauth` (cast to bool, default false) logs in with `mail_smtpname` and
//!   `mail_smtppassword`.
//! - From: `mail_from_address` `@` `mail_domain`.
//! - `mail_smtpstreamoptions` `['ssl' => ['verify_peer' => false]]` switches certificate checks
//!   off.

use std::ops::Range;

use super::host_field::host_value;
use super::spelling::{unknown_setting, KeySet};
use crate::extract::php::value::{Arr, EnvRead, Expr, Field, PhpVal};
use crate::extract::php::Src;
use crate::extract::syntax::php::value::Entry;
use crate::extract::syntax::php::Binding;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Security, Value};

const KEYS: KeySet = KeySet {
    program: "Nextcloud",
    prefix: "mail_smtp",
    known: &[
        "mail_smtpmode",
        "mail_smtphost",
        "mail_smtpport",
        "mail_smtpsecure",
        "mail_smtpauth",
        "mail_smtpauthtype",
        "mail_smtpname",
        "mail_smtppassword",
        "mail_smtptimeout",
        "mail_smtpdebug",
        "mail_smtpstreamoptions",
    ],
    renamed: &[
        ("mail_smtpuser", "mail_smtpname"),
        ("mail_smtpusername", "mail_smtpname"),
        ("mail_smtppass", "mail_smtppassword"),
        ("mail_smtpssl", "mail_smtpsecure"),
        ("mail_smtptls", "mail_smtpsecure"),
    ],
};

const HOST: &str = "Nextcloud's mail_smtphost defaults to 127.0.0.1";
const HOST_HELP: &str = "write the name alone: the port goes in mail_smtpport, and implicit TLS \
                         is mail_smtpsecure 'ssl'";
const PORT: &str = "Nextcloud's mail_smtpport defaults to 25";
const PORT_465: &str = "Symfony Mailer (Nextcloud 26+) uses implicit TLS on port 465";
const OPPORTUNISTIC: &str = "Nextcloud leaves STARTTLS to Symfony Mailer, which uses it only \
                             when the server offers it; mail_smtpsecure 'ssl' is implicit TLS";
const NO_AUTH: &str = "Nextcloud logs in only when mail_smtpauth is true (default false)";

/// How many `$CONFIG['mail_...'] = ...` writes are merged (a hostile file must not make the
/// merge quadratic; a real config writes a dozen).
const MAX_WRITES: usize = 256;

/// The profile of a PHP file's `$CONFIG`: the last `$CONFIG = [...]` (PHP keeps the last
/// assignment) with the `$CONFIG['mail_...'] = ...` writes after it merged in, as Nextcloud
/// sees the variable once the file has run.
pub(crate) fn build(src: &Src, globals: &[Binding], ex: &mut Extraction) {
    let mut merged: Option<Arr> = None;
    let mut writes = 0;
    for g in globals.iter().filter(|g| g.name == "CONFIG") {
        if g.path.is_empty() {
            merged = match &g.value {
                Expr::Array(a) => Some(a.clone()),
                _ => None,
            };
        } else if g.path[0].0.starts_with("mail_") && writes < MAX_WRITES {
            writes += 1;
            let a = merged.get_or_insert_with(|| Arr {
                span: g.stmt.clone(),
                entries: Vec::new(),
            });
            set_path(a, &g.path, g.value.clone(), 0);
        }
    }
    if let Some(a) = merged {
        config(src, &a, ex);
    }
}

/// `$a['k1']['k2'] = v`: the entry is added last, so that [`Arr::get`] finds it.
fn set_path(a: &mut Arr, path: &[(String, Range<usize>)], value: Expr, depth: usize) {
    let Some(((key, span), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() || depth > 8 {
        a.entries.push(Entry {
            key: Some(key.clone()),
            key_span: span.clone(),
            value,
        });
        return;
    }
    let at = a
        .entries
        .iter()
        .rposition(|e| e.key.as_deref() == Some(key) && matches!(e.value, Expr::Array(_)));
    let i = at.unwrap_or_else(|| {
        a.entries.push(Entry {
            key: Some(key.clone()),
            key_span: span.clone(),
            value: Expr::Array(Arr {
                span: span.clone(),
                entries: Vec::new(),
            }),
        });
        a.entries.len() - 1
    });
    if let Expr::Array(inner) = &mut a.entries[i].value {
        set_path(inner, rest, value, depth + 1);
    }
}

fn config(src: &Src, a: &Arr, ex: &mut Extraction) {
    let mut first: Option<&Entry> = None;
    for e in &a.entries {
        let Some(k) = e.key.as_deref() else { continue };
        if !k.starts_with("mail_smtp") {
            continue;
        }
        first = first.or(Some(e));
        let loc = src.loc(e.key_span.clone());
        let effect = "Nextcloud's default applies instead";
        if let Some(f) = unknown_setting(&KEYS, k, loc, effect) {
            ex.findings.push(f);
        }
    }
    let Some(first) = first else { return };
    let get = |k: &str| a.get(k);
    if let Some(m) = get("mail_smtpmode") {
        if !smtp_mode(src, m, ex) {
            return;
        }
    }
    let anchor = get("mail_smtpmode").unwrap_or(first).key_span.clone();
    let mut p = Profile::new(
        Client::Nextcloud,
        "$CONFIG mail_smtp* (Nextcloud)",
        src.loc(anchor),
    );
    match get("mail_smtphost").map(|e| &e.value) {
        Some(Expr::Str(s)) => {
            p.host = Some(host_value(
                &s.text,
                s.span.clone(),
                &|r| src.loc(r),
                ("Symfony Mailer (Nextcloud 26+)", "mail_smtphost", HOST_HELP),
                &mut ex.findings,
            ));
        }
        Some(Expr::Env(e)) => src.env(&mut p, e, Field::Host),
        Some(_) => {}
        None => p.host = Some(Value::default("127.0.0.1".into(), p.anchor.clone(), HOST)),
    }
    match get("mail_smtpport").map(|e| &e.value) {
        Some(Expr::Env(e)) => src.env(&mut p, e, Field::Port),
        Some(v) => {
            if let Some(lit) = v.literal() {
                match u16::try_from(lit.intval()).ok().filter(|n| *n > 0) {
                    Some(n) => p.port = Some(Value::literal(n, src.loc(v.span()))),
                    None => ex.findings.push(
                        Finding::new(
                            "invalid-value",
                            Severity::Error,
                            "mail_smtpport is not a port number",
                            Label::new(src.loc(v.span()), "not a port"),
                        )
                        .with_help("use 465 with mail_smtpsecure 'ssl', or 587"),
                    ),
                }
            }
        }
        None => p.port = Some(Value::default(25, p.anchor.clone(), PORT)),
    }
    let port_env = match get("mail_smtpport").map(|e| &e.value) {
        Some(Expr::Env(e)) => Some(e),
        _ => None,
    };
    security(src, get("mail_smtpsecure"), port_env, &mut p, ex);
    login(src, a, &mut p, ex);
    if let (Some(Expr::Str(user)), Some(Expr::Str(domain))) = (
        get("mail_from_address").map(|e| &e.value),
        get("mail_domain").map(|e| &e.value),
    ) {
        if !user.text.is_empty() && !domain.text.is_empty() {
            let from = format!("{}@{}", user.text.trim(), domain.text.trim());
            p.from
                .push(Value::literal(from, src.loc(domain.span.clone())));
        }
    }
    if let Some(e) = get("mail_smtpstreamoptions") {
        p.tls_verify = verify_off(&e.value).map(|span| Value::literal(false, src.loc(span)));
    }
    ex.profiles.push(p);
}

/// Whether `mail_smtpmode` sends through SMTP; reports a mode Nextcloud does not know.
fn smtp_mode(src: &Src, m: &Entry, ex: &mut Extraction) -> bool {
    let Some(PhpVal::Str(mode)) = m.value.literal() else {
        return true;
    };
    let message = match mode.as_str() {
        "smtp" => return true,
        "sendmail" => return false,
        // `getInstance` sends only 'sendmail' to a binary; the 'qmail' branch of
        // `getSendMailInstance` is never reached.
        "qmail" => {
            "mail_smtpmode 'qmail' is sent through SMTP: Nextcloud's Mailer hands only \
             'sendmail' to a local binary and treats every other mode as 'smtp'"
        }
        _ => {
            "mail_smtpmode must be 'smtp' or 'sendmail'; Nextcloud sends through SMTP for any \
             other value"
        }
    };
    ex.findings.push(
        Finding::new(
            "invalid-value",
            Severity::Warning,
            message,
            Label::new(src.loc(m.value.span()), "read as 'smtp'"),
        )
        .with_help("write 'smtp', or 'sendmail' to hand mail to the local sendmail binary (qmail provides one)"),
    );
    true
}

/// `mail_smtpsecure`: only `'ssl'` means something (implicit TLS); otherwise the port decides.
fn security(
    src: &Src,
    secure: Option<&Entry>,
    port_env: Option<&EnvRead>,
    p: &mut Profile,
    ex: &mut Extraction,
) {
    let value = secure.map(|e| &e.value);
    if let Some(Expr::Str(s)) = value {
        if s.text == "ssl" {
            p.security = Some(Value::literal(
                Security::ImplicitTls,
                src.loc(s.span.clone()),
            ));
            return;
        }
        if !s.text.is_empty() {
            let hint = if s.text.eq_ignore_ascii_case("tls") || s.text.contains("starttls") {
                "; STARTTLS cannot be made mandatory in Nextcloud 26 and later"
            } else {
                ""
            };
            ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!(
                        "mail_smtpsecure is read only when it is 'ssl' (implicit TLS): this value \
                         is ignored and the port decides{hint}"
                    ),
                    Label::new(src.loc(s.span.clone()), "not 'ssl' or ''"),
                )
                .with_help("write 'ssl' for port 465, or '' to let Symfony Mailer use STARTTLS"),
            );
        }
    } else if value.is_some_and(|v| !matches!(v.literal(), Some(PhpVal::Null))) {
        // Read at run time (an environment variable, a constant): unknown.
        return;
    }
    let at = value.map_or(p.anchor.clone(), |v| src.loc(v.span()));
    p.security = Some(match &p.port {
        Some(port) if port.value == 465 => {
            Value::default(Security::ImplicitTls, port.loc.clone(), PORT_465)
        }
        Some(_) => Value::default(Security::StartTls { required: false }, at, OPPORTUNISTIC),
        None => {
            // The port is read at run time: it decides, as for Laravel (465 implicit TLS, any
            // other port STARTTLS when offered).
            if let Some(e) = port_env {
                src.env(p, e, Field::LvPortSecurity);
            }
            return;
        }
    });
}

/// `mail_smtpauth`, `mail_smtpname`, `mail_smtppassword`.
fn login(src: &Src, a: &Arr, p: &mut Profile, ex: &mut Extraction) {
    let get = |n: &str| a.get(n).map(|e| &e.value);
    match get("mail_smtpauth") {
        Some(v) => src.auth_switch("mail_smtpauth", v, p, ex),
        None => p.auth = Some(Value::default(AuthMethod::None, p.anchor.clone(), NO_AUTH)),
    }
    src.login(get("mail_smtpname"), get("mail_smtppassword"), p, ex);
}

/// The span of the first `ssl` stream option that switches certificate checks off.
fn verify_off(options: &Expr) -> Option<std::ops::Range<usize>> {
    let Expr::Array(groups) = options else {
        return None;
    };
    let Expr::Array(ssl) = &groups.get("ssl")?.value else {
        return None;
    };
    ssl.entries.iter().find_map(|e| {
        let lit = e.value.literal()?;
        let off = match e.key.as_deref()? {
            "verify_peer" | "verify_peer_name" => !lit.truthy(),
            "allow_self_signed" => lit.truthy(),
            _ => false,
        };
        off.then(|| e.value.span())
    })
}

#[cfg(test)]
mod tests {
    use crate::extract::php::extract;
    use crate::model::Security;
    use crate::source::FileId;

    #[test]
    fn writes_after_the_array_are_merged_and_a_later_array_replaces_it() {
        let text = "<?php\n$CONFIG = ['mail_smtphost' => 'a.example', 'mail_smtpport' => 25];\n\
                    $CONFIG['mail_smtpport'] = 465;\n\
                    $CONFIG['mail_smtpstreamoptions']['ssl']['verify_peer'] = false;\n\
                    $CONFIG['dbhost'] = 'db';\n";
        let ex = extract(FileId(0), text);
        assert_eq!(ex.profiles.len(), 1);
        let p = &ex.profiles[0];
        assert_eq!(p.host.as_ref().unwrap().value, "a.example");
        let port = p.port.as_ref().unwrap();
        assert_eq!(port.value, 465);
        assert_eq!(&text[port.loc.span.clone()], "465");
        assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
        let verify = p.tls_verify.as_ref().unwrap();
        assert!(!verify.value);
        assert_eq!(&text[verify.loc.span.clone()], "false");
        // PHP keeps the last assignment: the first array is gone.
        let text = "<?php\n$CONFIG = ['mail_smtphost' => 'a.example'];\n\
                    $CONFIG = ['mail_smtphost' => 'b.example'];\n";
        let ex = extract(FileId(0), text);
        assert_eq!(ex.profiles.len(), 1);
        assert_eq!(ex.profiles[0].host.as_ref().unwrap().value, "b.example");
        // Writes alone make a profile; writes inside a function are not the file's.
        let text = "<?php\n$CONFIG['mail_smtphost'] = 'c.example';\n\
                    function f() { $CONFIG['mail_smtphost'] = 'd.example'; }\n";
        let ex = extract(FileId(0), text);
        assert_eq!(ex.profiles[0].host.as_ref().unwrap().value, "c.example");
    }

    #[test]
    fn a_scheme_or_port_in_the_host_is_refused_and_the_name_kept() {
        let text = "<?php\n$CONFIG = ['mail_smtphost' => 'ssl://smtp.example.org:465'];\n";
        let ex = extract(FileId(0), text);
        let host = ex.profiles[0].host.as_ref().unwrap();
        assert_eq!(host.value, "smtp.example.org");
        assert_eq!(&text[host.loc.span.clone()], "smtp.example.org");
        let f = ex
            .findings
            .iter()
            .find(|f| f.code == "invalid-value")
            .unwrap();
        assert_eq!(
            &text[f.primary().span.clone()],
            "ssl://smtp.example.org:465"
        );
        assert_eq!(f.labels.len(), 3);
    }
}
