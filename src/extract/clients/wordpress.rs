//! WP Mail SMTP's constants in a WordPress `wp-config.php`: `define('WPMS_SMTP_HOST', ...)` and
//! friends, read the way the plugin hands them to PHPMailer (`docs/formats/wordpress.md` has the
//! sources).
//!
//! - The constants count only when `WPMS_ON` is the boolean `true` (`WPMS_ON === true`).
//! - `WPMS_MAILER` other than `smtp` sends through an API or `mail()`: no SMTP profile.
//! - `WPMS_SSL` becomes PHPMailer's `SMTPSecure`: `ssl` implicit TLS, `tls` STARTTLS that must
//!   succeed, `''` none; then PHPMailer's `SMTPAutoTLS` (on unless `WPMS_SMTP_AUTOTLS` is false)
//!   tries STARTTLS when the server offers it.
//! - `WPMS_SMTP_AUTH` (cast to bool) makes PHPMailer log in with `WPMS_SMTP_USER`/`_PASS`.
//!
//! A constant that is not defined is taken from the plugin's settings in the database, which
//! smtp-doctor cannot see: its field stays unknown.

use std::collections::HashMap;

use super::spelling::{unknown_setting, KeySet};
use crate::extract::php::value::{phpmailer_hosts, Expr, Field, PhpVal, Str};
use crate::extract::php::Src;
use crate::extract::syntax::php::Binding;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{Client, Origin, Profile, Security, Value};

/// The `WPMS_SMTP_*` constants the plugin reads (its whole family).
const SMTP_NAMES: KeySet = KeySet {
    program: "WP Mail SMTP",
    prefix: "WPMS_SMTP_",
    known: &[
        "WPMS_SMTP_HOST",
        "WPMS_SMTP_PORT",
        "WPMS_SMTP_AUTH",
        "WPMS_SMTP_USER",
        "WPMS_SMTP_PASS",
        "WPMS_SMTP_AUTOTLS",
    ],
    renamed: &[
        ("WPMS_SMTP_SSL", "WPMS_SSL"),
        ("WPMS_SMTP_SECURE", "WPMS_SSL"),
        ("WPMS_SMTP_ENCRYPTION", "WPMS_SSL"),
        ("WPMS_SMTP_PASSWORD", "WPMS_SMTP_PASS"),
        ("WPMS_SMTP_USERNAME", "WPMS_SMTP_USER"),
    ],
};

const AUTO: &str = "WP Mail SMTP leaves PHPMailer's SMTPAutoTLS on: STARTTLS only when the \
                    server offers it, unless WPMS_SSL is 'tls'";
const LOCALHOST: &str = "PHPMailer never tries STARTTLS when the host is 'localhost'";

/// The first `define` of each name (PHP refuses to define a constant twice).
fn first_defines(defines: &[Binding]) -> HashMap<&str, &Binding> {
    let mut out: HashMap<&str, &Binding> = HashMap::new();
    for d in defines {
        out.entry(d.name.as_str()).or_insert(d);
    }
    out
}

/// The WP Mail SMTP profile of a PHP file's `define()` calls, if it has one.
pub(crate) fn build(src: &Src, defines: &[Binding], ex: &mut Extraction) {
    let mut smtp_defs: Vec<&Binding> = Vec::new();
    for d in defines {
        let family = d.name.starts_with("WPMS_SMTP_") || d.name == "WPMS_SSL";
        if family && !smtp_defs.iter().any(|s| s.name == d.name) {
            smtp_defs.push(d);
        }
        if d.name.starts_with("WPMS_") {
            let loc = src.loc(d.name_span.clone());
            let effect = "the plugin's own setting applies instead";
            if let Some(f) = unknown_setting(&SMTP_NAMES, &d.name, loc, effect) {
                ex.findings.push(f);
            }
        }
    }
    let Some(first) = smtp_defs.first() else {
        return;
    };
    let defs = first_defines(defines);
    if !constants_on(src, &defs, first, ex) {
        return;
    }
    if let Some(m) = defs.get("WPMS_MAILER") {
        match m.value.literal() {
            Some(PhpVal::Str(s)) if s == "smtp" => {}
            Some(PhpVal::Str(s)) if s.is_empty() => {}
            // Another mailer (an API, `mail()`) or a value read at run time.
            _ => return,
        }
    }
    let anchor = defs
        .get("WPMS_ON")
        .map_or(first.stmt.clone(), |d| d.stmt.clone());
    let mut p = Profile::new(Client::WordPress, "WPMS_* (WP Mail SMTP)", src.loc(anchor));
    let get = |n: &str| defs.get(n).map(|d| &d.value);
    let mut localhost = false;
    let mut hosts: Option<&Str> = None;
    match get("WPMS_SMTP_HOST") {
        Some(Expr::Str(s)) if s.text.trim().is_empty() => return,
        Some(Expr::Str(s)) => {
            localhost = s.text == "localhost";
            hosts = Some(s);
        }
        Some(Expr::Env(e)) => src.env(&mut p, e, Field::PmHost),
        _ => {}
    }
    port(src, get("WPMS_SMTP_PORT"), &mut p, ex);
    security(src, &defs, localhost, &mut p, ex);
    login(src, &defs, &mut p, ex);
    match get("WPMS_MAIL_FROM") {
        Some(Expr::Str(s)) if !s.text.trim().is_empty() => p.from.push(Value::literal(
            s.text.trim().to_owned(),
            src.loc(s.span.clone()),
        )),
        Some(Expr::Env(e)) => src.env(&mut p, e, Field::From),
        _ => {}
    }
    // Where the TLS mode and the port are read from the environment, if they are: a Host
    // entry's own prefix or port replaces those reads.
    let read_at = |names: &[&str]| -> Vec<std::ops::Range<usize>> {
        names
            .iter()
            .filter_map(|n| match get(n) {
                Some(Expr::Env(e)) => Some(e.reference.clone()),
                _ => None,
            })
            .collect()
    };
    let reads = [
        read_at(&["WPMS_SSL", "WPMS_SMTP_AUTOTLS"]),
        read_at(&["WPMS_SMTP_PORT"]),
    ];
    match hosts {
        Some(s) => {
            let hosts = per_host(src, s, &p, &reads, ex);
            ex.profiles.extend(hosts);
        }
        None => ex.profiles.push(p),
    }
}

/// One profile per `;` entry of the Host PHPMailer is given: it tries them in order, so each
/// may be the one that sends. An entry's `ssl://` (implicit TLS) or `tls://` (STARTTLS that
/// must succeed) prefix wins over `WPMS_SSL`, and its `:port` over `WPMS_SMTP_PORT`
/// (`PHPMailer::smtpConnect`).
fn per_host(
    src: &Src,
    s: &Str,
    base: &Profile,
    [tls_reads, port_reads]: &[Vec<std::ops::Range<usize>>; 2],
    ex: &mut Extraction,
) -> Vec<Profile> {
    let entries = phpmailer_hosts(&s.text);
    if entries.is_empty() {
        let mut p = base.clone();
        p.host = Some(Value::literal(
            s.text.trim().to_owned(),
            src.loc(s.span.clone()),
        ));
        return vec![p];
    }
    let n = entries.len();
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut p = base.clone();
            if n > 1 {
                p.label = format!("{} (host {} of {n} in WPMS_SMTP_HOST)", p.label, i + 1);
            }
            p.host = Some(Value::literal(
                s.text[e.host.clone()].to_owned(),
                src.loc(s.sub(e.host.clone())),
            ));
            if let Some(r) = e.prefix {
                let sec = if &s.text[r.clone()] == "ssl" {
                    Security::ImplicitTls
                } else {
                    Security::StartTls { required: true }
                };
                let pre = Value::literal(sec, src.loc(s.sub(r)));
                ex.findings
                    .extend(overridden(&p.security, &pre, "WPMS_SSL", "prefix"));
                p.security = Some(pre);
                p.env_refs
                    .retain(|r| !tls_reads.contains(&r.reference.span));
            }
            let port = e.port.and_then(|r| {
                let n = s.text[r.clone()].parse::<u16>().ok().filter(|n| *n > 0)?;
                Some(Value::literal(n, src.loc(s.sub(r))))
            });
            if let Some(hp) = &port {
                ex.findings
                    .extend(overridden(&p.port, hp, "WPMS_SMTP_PORT", "port"));
                p.port = port;
                p.env_refs
                    .retain(|r| !port_reads.contains(&r.reference.span));
            }
            p
        })
        .collect()
}

/// A constant written in the file that a Host entry's prefix or port overrides with another
/// value: a `conflicting-settings` warning at the constant, labelled at the winner.
fn overridden<T: PartialEq + std::fmt::Display>(
    written: &Option<Value<T>>,
    wins: &Value<T>,
    constant: &str,
    what: &str,
) -> Option<Finding> {
    let w = written.as_ref().filter(|w| w.origin == Origin::Literal)?;
    if w.value == wins.value {
        return None;
    }
    Some(
        Finding::new(
            "conflicting-settings",
            Severity::Warning,
            format!(
                "{constant} ({}) is ignored for this host: the {what} written in \
                 WPMS_SMTP_HOST ({}) overrides it",
                w.value, wins.value
            ),
            Label::new(w.loc.clone(), "ignored"),
        )
        .with_label(Label::new(wins.loc.clone(), "this wins"))
        .with_help(format!(
            "set it in one place: drop the {what} from WPMS_SMTP_HOST, or {constant}"
        )),
    )
}

/// Whether `WPMS_ON` switches the constants on; reports a value that is not the boolean `true`
/// where one was clearly meant, and constants written without `WPMS_ON` at all.
fn constants_on(
    src: &Src,
    defs: &HashMap<&str, &Binding>,
    first: &Binding,
    ex: &mut Extraction,
) -> bool {
    let Some(on) = defs.get("WPMS_ON") else {
        ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Warning,
                format!(
                    "`{}` is ignored: WP Mail SMTP reads its WPMS_* constants only when WPMS_ON \
                     is defined as true",
                    first.name
                ),
                Label::new(src.loc(first.name_span.clone()), "ignored without WPMS_ON"),
            )
            .with_help("add `define( 'WPMS_ON', true );` above the WPMS_* constants"),
        );
        return false;
    };
    match on.value.literal() {
        Some(PhpVal::Bool(b)) => b,
        Some(v) if v.truthy() => {
            let shown = match &v {
                PhpVal::Str(s) => format!("the string '{}'", short(s)),
                PhpVal::Int(i) => i.to_string(),
                _ => "this value".into(),
            };
            ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    format!(
                        "WPMS_ON is {shown}, not the boolean true: WP Mail SMTP compares it with \
                         `=== true` and ignores every WPMS_* constant"
                    ),
                    Label::new(src.loc(on.value.span()), "not the boolean true"),
                )
                .with_help("write `define( 'WPMS_ON', true );` without quotes"),
            );
            false
        }
        _ => false,
    }
}

fn port(src: &Src, v: Option<&Expr>, p: &mut Profile, ex: &mut Extraction) {
    let Some(v) = v else { return };
    if let Expr::Env(e) = v {
        src.env(p, e, Field::Port);
        return;
    }
    let Some(lit) = v.literal() else { return };
    // The plugin takes the constant only when it is truthy; PHPMailer then uses it as a number.
    if !lit.truthy() {
        return;
    }
    let n = match &lit {
        PhpVal::Int(i) => u16::try_from(*i).ok().filter(|n| *n > 0),
        PhpVal::Str(s) => s.trim().parse::<u16>().ok().filter(|n| *n > 0),
        _ => None,
    };
    match n {
        Some(n) => p.port = Some(Value::literal(n, src.loc(v.span()))),
        None => ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Error,
                "WPMS_SMTP_PORT is not a port number",
                Label::new(src.loc(v.span()), "not a port"),
            )
            .with_help("use 465 with WPMS_SSL 'ssl', or 587 with 'tls'"),
        ),
    }
}

/// `WPMS_SSL` and `WPMS_SMTP_AUTOTLS`, as PHPMailer's `SMTPSecure` and `SMTPAutoTLS`.
fn security(
    src: &Src,
    defs: &HashMap<&str, &Binding>,
    localhost: bool,
    p: &mut Profile,
    ex: &mut Extraction,
) {
    let autotls = defs.get("WPMS_SMTP_AUTOTLS").map(|d| &d.value);
    let auto_on = autotls.and_then(Expr::literal).is_none_or(|v| v.truthy());
    let Some(ssl) = defs.get("WPMS_SSL").map(|d| &d.value) else {
        return;
    };
    let at = src.loc(ssl.span());
    match ssl {
        Expr::Env(e) => return src.env(p, e, Field::PmSecure { auto_tls: auto_on }),
        Expr::Str(s) if s.text == "ssl" => {
            p.security = Some(Value::literal(Security::ImplicitTls, at));
            return;
        }
        Expr::Str(s) if s.text == "tls" => {
            p.security = Some(Value::literal(Security::StartTls { required: true }, at));
            return;
        }
        Expr::Str(s) if s.text.is_empty() => {}
        other => match other.literal() {
            Some(v) => ex.findings.push(invalid_ssl(src, other, &v)),
            None => return,
        },
    }
    // No valid encryption: PHPMailer's automatic STARTTLS decides.
    p.security = Some(match autotls {
        _ if localhost => Value::default(Security::None, at, LOCALHOST),
        Some(Expr::Env(e)) => {
            src.env(p, e, Field::PmAutoTls);
            Value::default(Security::StartTls { required: false }, at, AUTO)
        }
        Some(v) if !auto_on => Value::literal(Security::None, src.loc(v.span())),
        _ => Value::default(Security::StartTls { required: false }, at, AUTO),
    });
}

fn invalid_ssl(src: &Src, e: &Expr, v: &PhpVal) -> Finding {
    let hint = match v.text().map(str::to_ascii_lowercase).as_deref() {
        Some("tls" | "ssl") => " (it is case-sensitive: write it in lower case)",
        Some("starttls" | "start_tls" | "tsl") => " (did you mean 'tls'?)",
        Some("smtps" | "sll" | "implicit") => " (did you mean 'ssl'?)",
        _ => "",
    };
    Finding::new(
        "invalid-value",
        Severity::Error,
        format!(
            "WPMS_SSL must be '', 'ssl' or 'tls'; PHPMailer ignores any other value and uses \
             STARTTLS only when the server offers it{hint}"
        ),
        Label::new(src.loc(e.span()), "not an encryption WP Mail SMTP knows"),
    )
    .with_help("use 'tls' (STARTTLS) on port 587 or 'ssl' (implicit TLS) on port 465")
}

/// `WPMS_SMTP_AUTH`, `WPMS_SMTP_USER` and `WPMS_SMTP_PASS`.
fn login(src: &Src, defs: &HashMap<&str, &Binding>, p: &mut Profile, ex: &mut Extraction) {
    let get = |n: &str| defs.get(n).map(|d| &d.value);
    if let Some(v) = get("WPMS_SMTP_AUTH") {
        src.auth_switch("WPMS_SMTP_AUTH", v, p, ex);
    }
    src.login(get("WPMS_SMTP_USER"), get("WPMS_SMTP_PASS"), p, ex);
}

/// A value to quote in a message, cut short.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use crate::extract::php::extract;
    use crate::model::Security;
    use crate::source::FileId;

    fn profiles(text: &str) -> Vec<crate::model::Profile> {
        extract(FileId(0), text).profiles
    }

    #[test]
    fn first_define_wins_and_only_the_smtp_mailer_counts() {
        let on = "<?php define('WPMS_ON', true);\n";
        let text = format!(
            "{on}define('WPMS_SMTP_HOST', 'a.example');\ndefine('WPMS_SMTP_HOST', 'b.example');\n\
             define('WPMS_SSL', 'tls');"
        );
        let p = profiles(&text);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].host.as_ref().unwrap().value, "a.example");
        assert_eq!(
            p[0].security.as_ref().unwrap().value,
            Security::StartTls { required: true }
        );
        let text = format!("{on}define('WPMS_MAILER', 'mail');\ndefine('WPMS_SMTP_HOST', 'h');");
        assert!(profiles(&text).is_empty());
        // An empty host: the plugin does not configure SMTP at all.
        let text = format!("{on}define('WPMS_SMTP_HOST', '');\ndefine('WPMS_SSL', '');");
        assert!(profiles(&text).is_empty());
    }

    #[test]
    fn empty_ssl_falls_back_to_auto_tls_except_on_localhost() {
        let on = "<?php define('WPMS_ON', true);\n";
        let sec = |host: &str, extra: &str| {
            let text =
                format!("{on}define('WPMS_SMTP_HOST', '{host}');\ndefine('WPMS_SSL', '');{extra}");
            profiles(&text)[0].security.clone().unwrap().value
        };
        assert_eq!(sec("h.example", ""), Security::StartTls { required: false });
        assert_eq!(sec("localhost", ""), Security::None);
        let off = "\ndefine('WPMS_SMTP_AUTOTLS', false);";
        assert_eq!(sec("h.example", off), Security::None);
        // Read from the environment: left to the resolve step.
        let text = format!("{on}define('WPMS_SMTP_HOST', 'h');\ndefine('WPMS_SSL', getenv('S'));");
        let p = &profiles(&text)[0];
        assert!(p.security.is_none());
        assert_eq!(p.env_refs.len(), 1);
        assert_eq!(p.env_refs[0].var, "S");
    }

    #[test]
    fn host_entries_give_one_profile_each_with_their_prefix_and_port() {
        let on = "<?php define('WPMS_ON', true);\n";
        let text = format!(
            "{on}define('WPMS_SMTP_HOST', 'a.example;ssl://b.example:465; tls://c.example');\n\
             define('WPMS_SMTP_PORT', 587);\ndefine('WPMS_SSL', '');"
        );
        let ex = extract(FileId(0), &text);
        let p = &ex.profiles;
        assert_eq!(p.len(), 3);
        let host = |i: usize| p[i].host.clone().unwrap();
        assert_eq!(host(1).value, "b.example");
        assert_eq!(&text[host(1).loc.span.clone()], "b.example");
        assert_eq!(
            p[0].security.clone().unwrap().value,
            Security::StartTls { required: false }
        );
        assert_eq!(p[1].security.clone().unwrap().value, Security::ImplicitTls);
        assert_eq!(&text[p[1].security.clone().unwrap().loc.span], "ssl");
        assert_eq!(p[1].port.clone().unwrap().value, 465);
        assert_eq!(p[2].port.clone().unwrap().value, 587);
        assert_eq!(
            p[2].security.clone().unwrap().value,
            Security::StartTls { required: true }
        );
        // The port constant is overridden for b.example only; WPMS_SSL '' is no choice.
        let conflicts: Vec<_> = ex
            .findings
            .iter()
            .filter(|f| f.code == "conflicting-settings")
            .collect();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(&text[conflicts[0].primary().span.clone()], "587");
    }
}
