//! ISPDB `clientConfig` XML -> a provider rule file (YAML). The ISPDB files are flat and
//! regular (one `emailProvider`, leaf elements with text, no CDATA), so a small element reader
//! is enough here; this code runs only over the committed files in `data/ispdb/`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use regex::Regex;

/// The upstream commit the files in `data/ispdb/` were copied from (see data/ispdb/SOURCE.md).
pub const COMMIT: &str = "c6ad79659b5fc321d1593ec4c277815b83e5dec5";

fn unescape(s: &str) -> String {
    s.trim()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every `<tag ...>body</tag>` in `text`: (attributes, body).
fn elements<'a>(text: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let re = Regex::new(&format!(r"(?s)<{tag}(\s[^>]*)?>(.*?)</{tag}>")).unwrap();
    re.captures_iter(text)
        .map(|c| {
            (
                c.get(1).map_or("", |m| m.as_str()),
                c.get(2).unwrap().as_str(),
            )
        })
        .collect()
}

fn child(text: &str, tag: &str) -> Option<String> {
    elements(text, tag).first().map(|(_, b)| unescape(b))
}

fn children(text: &str, tag: &str) -> Vec<String> {
    elements(text, tag)
        .into_iter()
        .map(|(_, b)| unescape(b))
        .collect()
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"{name}\s*=\s*"([^"]*)""#)).unwrap();
    re.captures(attrs).map(|c| unescape(&c[1]))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A server's host names: `%EMAILDOMAIN%` stands for each of the provider's domains.
fn hosts(host: &str, domains: &[String]) -> Vec<String> {
    let host = host.to_ascii_lowercase();
    if host.contains("%emaildomain%") {
        domains
            .iter()
            .map(|d| host.replace("%emaildomain%", d))
            .filter(|h| is_name(h))
            .collect()
    } else if is_name(&host) {
        vec![host]
    } else {
        Vec::new()
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

struct Out {
    port: u16,
    tls: &'static str,
    plain: bool,
}

/// `(file name under rules/ispdb/, YAML)` for one ISPDB file, or `None` when it names no usable
/// SMTP server.
pub fn generate(file: &str, xml: &str) -> Option<(String, String)> {
    let stem = file.strip_suffix(".xml")?;
    let comments = Regex::new(r"(?s)<!--.*?-->").unwrap();
    let xml = comments.replace_all(xml, "");
    let (_, provider) = *elements(&xml, "emailProvider").first()?;
    let mut domains: Vec<String> = Vec::new();
    for d in children(provider, "domain") {
        let d = d.to_ascii_lowercase();
        if is_name(&d) && !domains.contains(&d) {
            domains.push(d);
        }
    }
    let name = child(provider, "displayName").unwrap_or_else(|| stem.to_owned());
    let url = format!("https://github.com/thunderbird/autoconfig/blob/{COMMIT}/ispdb/{file}");

    let mut smtp_hosts: Vec<String> = Vec::new();
    let mut ports: Vec<Out> = Vec::new();
    let mut users = BTreeSet::new();
    let mut auths = BTreeSet::new();
    for (attrs, body) in elements(provider, "outgoingServer") {
        if attr(attrs, "type").as_deref() != Some("smtp") {
            continue;
        }
        let Some(host) = child(body, "hostname") else {
            continue;
        };
        let Some(port) = child(body, "port").and_then(|p| p.parse::<u16>().ok()) else {
            continue;
        };
        let hs = hosts(&host, &domains);
        if hs.is_empty() || port == 0 {
            continue;
        }
        for h in hs {
            if !smtp_hosts.contains(&h) {
                smtp_hosts.push(h);
            }
        }
        let (tls, plain) = match child(body, "socketType").as_deref() {
            Some("SSL") => ("implicit", false),
            Some("STARTTLS") => ("starttls", false),
            _ => ("starttls", true),
        };
        if !ports.iter().any(|o| o.port == port) {
            ports.push(Out { port, tls, plain });
        }
        users.insert(child(body, "username").unwrap_or_default());
        for a in children(body, "authentication") {
            auths.insert(a);
        }
    }
    if smtp_hosts.is_empty() {
        return None;
    }

    let mut incoming = Vec::new();
    for (attrs, body) in elements(provider, "incomingServer") {
        let protocol = match attr(attrs, "type").as_deref() {
            Some("imap") => "imap",
            Some("pop3") => "pop3",
            _ => continue,
        };
        let (Some(host), Some(port)) = (
            child(body, "hostname"),
            child(body, "port").and_then(|p| p.parse::<u16>().ok()),
        ) else {
            continue;
        };
        for h in hosts(&host, &domains) {
            if smtp_hosts.contains(&h) {
                continue; // one name for both: it is the SMTP host
            }
            let row = (h, port, protocol);
            if !incoming.contains(&row) {
                incoming.push(row);
            }
        }
    }

    let username = match users.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["%EMAILADDRESS%"] => "full-address",
        ["%EMAILLOCALPART%"] => "local-part",
        _ => "any",
    };
    let password = auths.contains("password-cleartext") || auths.contains("password-encrypted");
    let mut mechanisms = Vec::new();
    // `password-encrypted` is the mechanism Thunderbird picks (CRAM-MD5 or DIGEST-MD5), not a
    // statement that PLAIN and LOGIN are refused, so a password login counts as offered.
    if password {
        mechanisms.extend(["plain", "login"]);
    }
    if auths.contains("password-encrypted") {
        mechanisms.extend(["cram-md5", "digest-md5"]);
    }
    if auths.contains("OAuth2") {
        mechanisms.extend(["xoauth2", "oauthbearer"]);
    }
    let required = !mechanisms.is_empty();
    if mechanisms.is_empty() {
        mechanisms.extend(["plain", "login"]);
    }
    let kind = if password || !auths.contains("OAuth2") {
        "account"
    } else {
        "oauth2-only"
    };

    let id = stem.to_ascii_lowercase().replace(['.', '_'], "-");
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# yaml-language-server: $schema=../../docs/schema/provider.schema.json"
    );
    let _ = writeln!(
        y,
        "# Generated from data/ispdb/{file}, a file of Thunderbird's ISPDB (Mozilla Public"
    );
    let _ = writeln!(
        y,
        "# License 2.0: data/ispdb/LICENSE-MPL-2.0.txt). Do not edit: curated rules in rules/"
    );
    let _ = writeln!(
        y,
        "# override it; regenerate with SMTP_DOCTOR_REGENERATE=1 cargo test --test ispdb."
    );
    let _ = writeln!(y, "id: {id}");
    let _ = writeln!(y, "name: {}", q(&name));
    let _ = writeln!(y, "sources:\n  ispdb: {url}");
    let _ = writeln!(y, "recognise:\n  smtp-hosts: [{}]", smtp_hosts.join(", "));
    let _ = writeln!(y, "  domains: [{}]", domains.join(", "));
    let _ = writeln!(y, "  source: ispdb");
    if !incoming.is_empty() {
        let _ = writeln!(y, "incoming:");
        for (h, port, protocol) in &incoming {
            let _ = writeln!(
                y,
                "  - {{ host: {h}, port: {port}, protocol: {protocol}, source: ispdb }}"
            );
        }
    }
    let _ = writeln!(y, "submission:");
    for o in &ports {
        if o.plain {
            let _ = writeln!(
                y,
                "  - {{ port: {}, tls: {}, note: \"the ISPDB lists this port without TLS; STARTTLS may or may not be offered\", source: ispdb }}",
                o.port, o.tls
            );
        } else {
            let _ = writeln!(
                y,
                "  - {{ port: {}, tls: {}, source: ispdb }}",
                o.port, o.tls
            );
        }
    }
    let _ = writeln!(y, "auth:\n  required: {required}");
    let _ = writeln!(y, "  mechanisms: [{}]", mechanisms.join(", "));
    let _ = writeln!(y, "  username: {username}");
    let _ = writeln!(y, "  password:\n    kind: {kind}");
    let (describe, how) = if kind == "account" {
        ("the account's password", "use the password of the mail account (some providers also offer or require an app password; see their help pages)")
    } else {
        (
            "an OAuth2 token",
            "sign in with OAuth2; this provider's ISPDB entry offers no password login",
        )
    };
    let _ = writeln!(
        y,
        "    describe: {}\n    how: {}\n    source: ispdb",
        q(describe),
        q(how)
    );
    let _ = writeln!(y, "  source: ispdb");
    Some((format!("{stem}.yaml"), y))
}
