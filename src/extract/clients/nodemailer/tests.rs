use super::*;
use crate::extract::syntax::testing::{self, at, check_spans, codes, only};
use crate::model::{AuthMethod, Secret, Security};
use crate::model::{EnvRef, FieldValue, Origin};

const F: FileId = FileId(0);

fn ex(src: &str) -> Extraction {
    let e = extract(F, src, false);
    check_spans(src, &e);
    e
}

fn ts(src: &str) -> Extraction {
    let e = extract(F, src, true);
    check_spans(src, &e);
    e
}

fn one(src: &str) -> Profile {
    only(ex(src))
}

fn env<'p>(p: &'p Profile, var: &str, n: usize) -> &'p EnvRef {
    p.env_refs
        .iter()
        .filter(|r| r.var == var)
        .nth(n)
        .unwrap_or_else(|| panic!("no env ref {var} #{n}: {:#?}", p.env_refs))
}

const SEED: &str = r#"
const nodemailer = require("nodemailer");
const transporter = nodemailer.createTransport({
  host: "smtp.mail.me.com",
  port: 587,
  secure: false,
  auth: { user: "jane@icloud.com", pass: "xxxx-xxxx-xxxx-xxxx" },
});
await transporter.sendMail({ from: '"Jane" <jane@icloud.com>', to: "bob@example.com" });
"#;

#[test]
fn options_object_with_literal_values() {
    let p = one(SEED);
    assert_eq!(p.client, Client::Nodemailer);
    assert_eq!(p.label, "transporter");
    assert_eq!(&SEED[p.anchor.span.clone()], "nodemailer.createTransport");
    assert_eq!(at(SEED, &p.host), "smtp.mail.me.com");
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(at(SEED, &p.port), "587");
    let sec = p.security.as_ref().unwrap();
    assert_eq!(sec.value, Security::StartTls { required: false });
    assert_eq!(sec.origin, Origin::Literal);
    assert_eq!(at(SEED, &p.security), "false");
    assert_eq!(at(SEED, &p.username), "jane@icloud.com");
    let pw = p.password.as_ref().unwrap();
    assert_eq!(pw.value.expose(), "xxxx-xxxx-xxxx-xxxx");
    assert_eq!(at(SEED, &p.password), "xxxx-xxxx-xxxx-xxxx");
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
    assert_eq!(p.from.len(), 1);
    assert_eq!(
        &SEED[p.from[0].loc.span.clone()],
        "\"Jane\" <jane@icloud.com>"
    );
    let e = ex(SEED);
    assert!(e
        .secrets
        .iter()
        .any(|s| &SEED[s.clone()] == "xxxx-xxxx-xxxx-xxxx"));
    assert!(e.findings.is_empty());
}

#[test]
fn secure_and_port_defaults_follow_smtp_connection() {
    // secure unset, port 465: implicit TLS, implied by the port.
    let src = "createTransport({ host: 'h.example', port: 465 })";
    let p = one(src);
    let sec = p.security.as_ref().unwrap();
    assert_eq!(sec.value, Security::ImplicitTls);
    assert!(sec.is_default());
    assert_eq!(at(src, &p.security), "465");

    // Nothing set: port 587, opportunistic STARTTLS, both implied by the call.
    let src = "nodemailer.createTransport({ host: 'h.example' })";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert!(p.port.as_ref().unwrap().is_default());
    assert_eq!(at(src, &p.port), "nodemailer.createTransport");
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: false }
    );
    assert_eq!(at(src, &p.security), "nodemailer.createTransport");

    // secure: true without a port: 465, implied by secure.
    let src = "createTransport({ host: 'h.example', secure: true })";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(at(src, &p.port), "true");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);

    // secure: true on 587 stays what it says (the core reports the mismatch).
    let src = "createTransport({ host: 'h.example', port: 587, secure: true })";
    let p = one(src);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.security), "true");

    // requireTLS and ignoreTLS.
    let src = "createTransport({ host: 'h', port: 587, secure: false, requireTLS: true })";
    let p = one(src);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(&src[p.security.as_ref().unwrap().loc.span.clone()], "true");
    let src = "createTransport({ host: 'h', port: 25, ignoreTLS: true })";
    let p = one(src);
    assert_eq!(p.security.as_ref().unwrap().value, Security::None);
    let e = ex("createTransport({ host: 'h', requireTLS: true, ignoreTLS: true })");
    assert_eq!(codes(&e), ["conflicting-settings"]);
    assert!(e.profiles[0].security.is_none());

    // A string "false" is truthy.
    let src = "createTransport({ host: 'h', port: 587, secure: 'false' })";
    assert_eq!(one(src).security.unwrap().value, Security::ImplicitTls);
}

#[test]
fn bad_ports_are_invalid_values() {
    let e = ex("createTransport({ host: 'h', port: 99999 })");
    assert_eq!(codes(&e), ["invalid-value"]);
    assert!(e.profiles[0].port.is_none());
    let e = ex("createTransport({ host: 'h', port: 'smtp' })");
    assert_eq!(codes(&e), ["invalid-value"]);
    let p = one("createTransport({ host: 'h', port: '465' })");
    assert_eq!(p.port.unwrap().value, 465);
    assert_eq!(p.security.unwrap().value, Security::ImplicitTls);
}

#[test]
fn connection_urls() {
    let src = "const t = nodemailer.createTransport('smtps://jane%40icloud.com:s3cr%3At@smtp.mail.me.com:465/?pool=true');";
    let e = ex(src);
    let p = &e.profiles[0];
    assert_eq!(at(src, &p.host), "smtp.mail.me.com");
    assert_eq!(at(src, &p.port), "465");
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.security), "smtps");
    assert_eq!(p.username.as_ref().unwrap().value, "jane@icloud.com");
    assert_eq!(at(src, &p.username), "jane%40icloud.com");
    assert_eq!(p.password.as_ref().unwrap().value.expose(), "s3cr:t");
    assert_eq!(at(src, &p.password), "s3cr%3At");
    assert!(e.secrets.iter().any(|s| &src[s.clone()] == "s3cr%3At"));

    // smtp: forces secure false, even on 465; a query cannot turn it back on.
    let src = "createTransport(`smtp://u:p@smtp.example.com:465?secure=true`)";
    let p = one(src);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: false }
    );
    assert_eq!(at(src, &p.security), "smtp");
    assert_eq!(p.port.as_ref().unwrap().value, 465);

    // Query options and the service key.
    let src = "createTransport('smtp://smtp.example.com:587?requireTLS=true&tls.rejectUnauthorized=false')";
    let p = one(src);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(src, &p.security), "true");
    assert!(!p.tls_verify.as_ref().unwrap().value);
    assert_eq!(at(src, &p.tls_verify), "false");

    // A URL under `url`, overriding the object.
    let src = "createTransport({ url: 'smtps://smtp.example.com', port: 587 })";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);

    // Template literal with env substitutions for credentials.
    let src = "createTransport(`smtp://${process.env.SMTP_USER}:${process.env.SMTP_PASS}@smtp.gmail.com:587`)";
    let p = one(src);
    assert_eq!(at(src, &p.host), "smtp.gmail.com");
    assert_eq!(
        &src[env(&p, "SMTP_USER", 0).reference.span.clone()],
        "process.env.SMTP_USER"
    );
    assert_eq!(
        env(&p, "SMTP_PASS", 0).apply("pw"),
        Some(FieldValue::Password(Secret::new("pw")))
    );

    // No scheme: not a URL at all.
    let e = ex("createTransport('smtp.gmail.com')");
    assert_eq!(codes(&e), ["invalid-value"]);
    assert!(e.profiles.is_empty());
    // A named URL.
    let src = "const URL = 'smtps://smtp.example.com:465'; const t = createTransport(URL);";
    assert_eq!(one(src).port.unwrap().value, 465);
}

#[test]
fn service_presets_override_host_port_and_secure() {
    let src = r#"createTransport({
  service: "Gmail",
  port: 587,
  secure: false,
  auth: { user: "me@gmail.com", pass: process.env.GMAIL_APP_PASSWORD },
})"#;
    let e = ex(src);
    let p = &e.profiles[0];
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
    assert!(p.host.as_ref().unwrap().is_default());
    assert_eq!(at(src, &p.host), "Gmail");
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(codes(&e), ["conflicting-settings", "conflicting-settings"]);
    let spans: Vec<&str> = e
        .findings
        .iter()
        .map(|f| &src[f.labels[0].loc.span.clone()])
        .collect();
    assert_eq!(spans, ["587", "false"]);
    assert_eq!(e.findings[0].severity, Severity::Warning);

    // Same values as the preset: nothing to report.
    let e = ex(
        "createTransport({ service: 'gmail', host: 'smtp.gmail.com', port: 465, secure: true })",
    );
    assert!(e.findings.is_empty());

    // The iCloud preset has no `secure`, so an explicit one stays.
    let src = "createTransport({ service: 'iCloud', secure: true })";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.security), "true");

    // icloud.com is not in Nodemailer's list.
    let src =
        "createTransport({ service: 'icloud.com', auth: { user: 'jane@icloud.com', pass: 'x' } })";
    let e = ex(src);
    assert_eq!(codes(&e), ["invalid-value"]);
    assert_eq!(&src[e.findings[0].labels[0].loc.span.clone()], "icloud.com");
    assert!(e.findings[0].help.as_deref().unwrap().contains("iCloud"));
    assert!(e.profiles[0].host.is_none());

    // Known errors of the list.
    // Mailjet's outdated preset host is the provider rule's `host-typo`, reported once by the
    // checks (tests/cli.rs), not here.
    let e = ex("createTransport({ service: 'Mailjet', auth: { user: 'k', pass: 's' } })");
    assert!(e.findings.is_empty());
    assert_eq!(
        e.profiles[0].host.as_ref().map(|h| h.value.as_str()),
        Some("in.mailjet.com")
    );
    let e = ex("createTransport({ service: 'gmx.net' })");
    assert_eq!(codes(&e), ["invalid-value"]);
    let e = ex("createTransport({ service: 'GMX', auth: { user: 'a@gmx.com', pass: 'x' } })");
    assert!(e.findings.is_empty());
    let e = ex("createTransport({ service: 'proton.me' })");
    assert_eq!(codes(&e), ["invalid-value"]);

    // A service named at run time: host, port and TLS are unknown.
    let p = one(
        "createTransport({ service: process.env.SMTP_SERVICE, auth: { user: 'u', pass: 'p' } })",
    );
    assert!(p.port.is_none() && p.security.is_none() && p.host.is_none());
}

#[test]
fn environment_reads_convert_like_javascript() {
    let src = r#"
const t = nodemailer.createTransport({
  host: process.env.SMTP_HOST,
  port: Number(process.env.SMTP_PORT) || 587,
  secure: process.env.SMTP_SECURE,
  auth: { user: process.env.SMTP_USER, pass: process.env["SMTP_PASS"] },
  tls: { rejectUnauthorized: process.env.SMTP_VERIFY !== 'false' },
});
"#;
    let p = one(src);
    assert!(p.host.is_none() && p.port.is_none() && p.security.is_none());
    let host = env(&p, "SMTP_HOST", 0);
    assert_eq!(&src[host.reference.span.clone()], "process.env.SMTP_HOST");
    let port = env(&p, "SMTP_PORT", 0);
    assert_eq!(port.apply("465"), Some(FieldValue::Port(465)));
    let (d, dl) = port.default.as_ref().unwrap();
    assert_eq!((d.as_str(), &src[dl.span.clone()]), ("587", "587"));
    // The raw string "false" is truthy: implicit TLS.
    let sec = env(&p, "SMTP_SECURE", 0);
    assert_eq!(
        sec.apply("false"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    assert_eq!(
        sec.apply(""),
        Some(FieldValue::Security(Security::StartTls { required: false }))
    );
    assert_eq!(
        env(&p, "SMTP_PASS", 0).apply("abcd-efgh-ijkl-mnop"),
        Some(FieldValue::Password(Secret::new("abcd-efgh-ijkl-mnop")))
    );
    let verify = env(&p, "SMTP_VERIFY", 0);
    assert_eq!(verify.apply("false"), Some(FieldValue::TlsVerify(false)));
    assert_eq!(verify.apply("true"), Some(FieldValue::TlsVerify(true)));
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);

    // A comparison reads the text properly.
    let src =
        "createTransport({ host: 'h', port: 587, secure: process.env.SMTP_SECURE === 'true' })";
    let p = one(src);
    let sec = env(&p, "SMTP_SECURE", 0);
    assert_eq!(
        sec.apply("false"),
        Some(FieldValue::Security(Security::StartTls { required: false }))
    );
    assert_eq!(
        sec.apply("true"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    // Lower-cased first, with a default.
    let src = "createTransport({ host: 'h', requireTLS: true, secure: (process.env.S ?? 'false').toLowerCase() === 'true' })";
    let p = one(src);
    let sec = env(&p, "S", 0);
    assert_eq!(
        sec.apply("TRUE"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    assert_eq!(
        sec.apply("no"),
        Some(FieldValue::Security(Security::StartTls { required: true }))
    );
    assert_eq!(sec.default.as_ref().unwrap().0, "false");
    // Without a port, the port follows secure.
    let port = env(&p, "S", 1);
    assert_eq!(port.apply("true"), Some(FieldValue::Port(465)));
    assert_eq!(port.apply("x"), Some(FieldValue::Port(587)));

    // secure unset and the port from the env: 465 means implicit TLS.
    let src = "createTransport({ host: 'h', port: parseInt(process.env.SMTP_PORT, 10) })";
    let p = one(src);
    let sec = p
        .env_refs
        .iter()
        .find(|r| r.apply("465") == Some(FieldValue::Security(Security::ImplicitTls)));
    assert!(sec.is_some(), "{:#?}", p.env_refs);
    assert_eq!(
        env(&p, "SMTP_PORT", 0).apply("587abc"),
        Some(FieldValue::Port(587))
    );

    // JSON.parse, Boolean(), !! and ternaries.
    for (code, text, want) in [
        ("JSON.parse(process.env.S)", "false", Some(false)),
        ("JSON.parse(process.env.S)", "False", None),
        ("Boolean(process.env.S)", "false", Some(true)),
        ("!!process.env.S", "0", Some(true)),
        (
            "process.env.S === 'true' ? true : false",
            "true",
            Some(true),
        ),
        ("process.env.S == '1'", "1", Some(true)),
    ] {
        let src = format!("createTransport({{ host: 'h', port: 587, secure: {code} }})");
        let p = one(&src);
        let got = env(&p, "S", 0).apply(text);
        let want = want.map(|b| {
            FieldValue::Security(if b {
                Security::ImplicitTls
            } else {
                Security::StartTls { required: false }
            })
        });
        assert_eq!(got, want, "{code} with {text}");
    }
}

#[test]
fn destructured_env_and_names() {
    let src = r#"
const { SMTP_HOST, SMTP_PORT: port = "587", SMTP_PASS } = process.env;
const user = "jane@icloud.com";
const opts = { host: SMTP_HOST, port: Number(port), auth: { user, pass: SMTP_PASS } };
opts.requireTLS = true;
export const mailer = createTransport(opts);
"#;
    let p = one(src);
    assert_eq!(p.label, "mailer");
    assert_eq!(
        &src[env(&p, "SMTP_HOST", 0).reference.span.clone()],
        "SMTP_HOST"
    );
    let port = env(&p, "SMTP_PORT", 0);
    assert_eq!(port.default.as_ref().unwrap().0, "587");
    assert_eq!(at(src, &p.username), "jane@icloud.com");
    assert!(p.env_refs.iter().any(|r| r.var == "SMTP_PASS"));
    // requireTLS set after the object: STARTTLS required whatever the port's TLS fallback.
    let sec = p
        .env_refs
        .iter()
        .filter(|r| r.var == "SMTP_PORT")
        .find_map(|r| match r.apply("587") {
            Some(FieldValue::Security(s)) => Some(s),
            _ => None,
        });
    assert_eq!(sec, Some(Security::StartTls { required: true }));
}

#[test]
fn typescript_casts_spreads_and_aliases() {
    let src = r#"
import nodemailer from "nodemailer";
import { createTransport as makeTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
const base: SMTPTransport.Options = { host: "smtp.example.com", port: 587 };
const transport = makeTransport({ ...base, secure: true } as SMTPTransport.Options);
const other = nodemailer.createTransport(<SMTPTransport.Options>{ host: "b.example", port: 465 });
transport.sendMail({ from: "a@example.com" });
other.sendMail({ from: { name: "B", address: "b@example.com" } });
"#;
    let e = ts(src);
    assert_eq!(e.profiles.len(), 2);
    let a = &e.profiles[0];
    assert_eq!(a.label, "transport");
    assert_eq!(at(src, &a.host), "smtp.example.com");
    assert_eq!(a.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(a.from.len(), 1);
    assert_eq!(&src[a.from[0].loc.span.clone()], "a@example.com");
    let b = &e.profiles[1];
    assert_eq!(b.port.as_ref().unwrap().value, 465);
    assert_eq!(&src[b.from[0].loc.span.clone()], "b@example.com");
    // The same code parses as JavaScript too (the TS grammar is tried when JS fails).
    assert_eq!(ex(src).profiles.len(), 2);
}

#[test]
fn from_addresses_of_messages_and_defaults() {
    let src = r#"
const t = createTransport({ host: "smtp.mail.me.com", port: 587 }, { from: "jane@icloud.com" });
const mail = { from: `"Shop" <${process.env.MAIL_FROM}>`, to: "x@example.com" };
await t.sendMail(mail);
await t.sendMail({ from: "Jane <jane@icloud.com>", envelope: { from: "bounce@example.com" } });
"#;
    let p = one(src);
    let froms: Vec<&str> = p.from.iter().map(|f| &src[f.loc.span.clone()]).collect();
    assert_eq!(
        froms,
        [
            "jane@icloud.com",
            "Jane <jane@icloud.com>",
            "bounce@example.com"
        ]
    );
    let f = env(&p, "MAIL_FROM", 0);
    assert_eq!(
        f.apply("shop@example.com"),
        Some(FieldValue::From("shop@example.com".into()))
    );
}

#[test]
fn verification_auth_types_and_ignored_keys() {
    let src = "createTransport({ host: 'h', port: 465, tls: { rejectUnauthorized: false } })";
    let p = one(src);
    assert!(!p.tls_verify.as_ref().unwrap().value);
    assert_eq!(at(src, &p.tls_verify), "false");

    let src = "createTransport({ host: 'smtp.office365.com', port: 587, auth: { type: 'OAuth2', user: 'a@b.com', clientSecret: 'zzz', refreshToken: 'rrr' } })";
    let e = ex(src);
    let p = &e.profiles[0];
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::OAuth2);
    assert_eq!(at(src, &p.auth), "OAuth2");
    assert!(p.password.is_none());
    assert_eq!(e.secrets.len(), 2);

    let src = "createTransport({ host: 'h', port: 465, secureConnection: true, user: 'u' })";
    let e = ex(src);
    assert_eq!(codes(&e), ["unknown-setting", "unknown-setting"]);
    assert_eq!(
        &src[e.findings[0].labels[0].loc.span.clone()],
        "secureConnection"
    );

    let p = one(
        "createTransport({ host: 'h', authMethod: 'CRAM-MD5', auth: { user: 'u', pass: 'p' } })",
    );
    assert_eq!(p.auth.unwrap().value, AuthMethod::EncryptedPassword);
    // auth: false means no login.
    let p = one("createTransport({ host: 'h', auth: false })");
    assert!(p.auth.is_none());
}

#[test]
fn non_smtp_transports_and_unrelated_calls() {
    assert!(
        ex("nodemailer.createTransport({ sendmail: true, path: '/usr/sbin/sendmail' })")
            .profiles
            .is_empty()
    );
    assert!(ex("nodemailer.createTransport({ jsonTransport: true })")
        .profiles
        .is_empty());
    assert!(
        ex("nodemailer.createTransport(sgTransport({ auth: { api_key: 'x' } }))")
            .profiles
            .is_empty()
    );
    assert!(ex("nodemailer.createTransport()").profiles.is_empty());
    assert!(ex("const x = require('nodemailer');").profiles.is_empty());
}

#[test]
fn two_transports_keep_their_own_messages() {
    let src = r#"
const a = createTransport({ host: "a.example", port: 587 });
const b = createTransport({ host: "b.example", port: 465 });
a.sendMail({ from: "one@example.com" });
this.b.sendMail({ from: "two@example.com" });
"#;
    let e = ex(src);
    let froms = testing::froms(src, &e);
    assert_eq!(froms, [vec!["one@example.com"], vec!["two@example.com"]]);
}

#[test]
fn fragments_and_syntax_errors() {
    // A pasted fragment without imports.
    let src = "transporter = nodemailer.createTransport({host: 'smtp.gmail.com', port: 465, auth: {user: 'me@gmail.com', pass: 'hunter2'}})";
    let p = one(src);
    assert_eq!(p.port.unwrap().value, 465);
    // A syntax error inside the options is reported, the rest still read.
    let src = "createTransport({ host: 'h.example', port: 587 secure: true })";
    let e = ex(src);
    assert!(codes(&e).contains(&"parse-error"), "{:?}", e.findings);
    assert_eq!(e.profiles.len(), 1);
}

#[test]
fn nasty_input_does_not_panic() {
    let long = "a".repeat(100_000);
    let deep = format!(
        "createTransport({}{{ host: 'h' }}{})",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let inputs = [
        "",
        "\u{feff}createTransport({ host: 'h' })",
        "createTransport(",
        "createTransport({ host: '",
        "createTransport(`smtp://${",
        "createTransport('smtp://@:')",
        "createTransport('smtp://[::1')",
        "createTransport('smtps://u:p@h:0')",
        "createTransport({ port: 1e400 })",
        "createTransport({ port: -1 })",
        "const a = b; const b = a; createTransport(a)",
        "const o = o; createTransport(o)",
        "createTransport({ ...o, ...o })",
        "\0\0\0createTransport\r\n({host:\r\n'h'})",
        long.as_str(),
        deep.as_str(),
        "createTransport({ service: '\u{1F600}' })",
        "createTransport({ host: 'h', port: process.env[`${x}`] })",
    ];
    for src in inputs {
        let _ = ex(src);
        let _ = ts(src);
    }
}

#[test]
fn fuzz_random_bytes_and_fixture_mutations() {
    let alphabet: &[u8] = b"createTransport({}:,'\"`$ .\n\r\t@/?=&%0123456789process.env hostport";
    let fixtures = [
        SEED,
        "createTransport(`smtps://${process.env.U}:p%40ss@smtp.x.com:465/?service=gmail`)",
        "const { A = 'x' } = process.env; createTransport({ service: A, secure: A === 'true' })",
    ];
    testing::inputs(0x9e37_79b9_7f4a_7c15, alphabet, &fixtures, |t| drop(ex(t)));
}

#[test]
fn doubling_chains_finish_quickly() {
    let mut src = String::from("const x0 = process.env.A;\n");
    for i in 1..60 {
        src.push_str(&format!(
            "const x{i} = x{} + x{} || x{};\n",
            i - 1,
            i - 1,
            i - 1
        ));
    }
    src.push_str("const base = { host: x59 };\n");
    for i in 1..40 {
        src.push_str(&format!(
            "const o{i} = {{ ...o{}, ...o{} }};\n",
            i - 1,
            i - 1
        ));
    }
    src.push_str("const o0 = base;\ncreateTransport({ ...o39, port: x59 });\n");
    testing::finishes_quickly(&src, ex);
}

#[test]
fn pass_in_pieces_is_masked() {
    let src = "const nodemailer = require('nodemailer');\n\
               const t = nodemailer.createTransport({ host: 'smtp.example.com', port: 587,\n\
               auth: { user: 'me@example.com', pass: 'hunter' + `2${x}hunter2` + process.env.P } });\n";
    let e = ex(src);
    let masked: Vec<&str> = e.secrets.iter().map(|s| &src[s.clone()]).collect();
    assert_eq!(masked, ["hunter", "2", "hunter2"]);
}

#[test]
fn raw_hash_in_url_password_ends_the_authority_as_in_node() {
    // Node's legacy url.parse ends the authority at the raw `#`: no credentials, host `u`.
    let src = "createTransport('smtp://u:p#ss@smtp.example.com:587')";
    let e = ex(src);
    let p = &e.profiles[0];
    assert_eq!(at(src, &p.host), "u");
    assert!(p.username.is_none() && p.password.is_none());
    assert_eq!(testing::texts(src, &e.secrets), ["p#ss"]);
}

#[test]
fn url_parts_keep_node_semantics() {
    let src =
        "createTransport('SMTPS://me%40x.com:pw@[::1]:465/?requireTLS=true&authMethod=LOGIN&flag')";
    let p = one(src);
    assert_eq!(at(src, &p.host), "::1");
    assert_eq!(p.username.as_ref().unwrap().value, "me@x.com");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.port), "465");
}

#[test]
fn options_recognised_by_shape_outside_create_transport() {
    let src = "const smtpConfig = { host: 'smtp.example.org', port: 465, secure: true,\n\
               auth: { user: 'a@example.org', pass: process.env.SMTP_PASS } };\n\
               module.exports = { smtpConfig, db: { host: 'db', port: 5432, user: 'u' } };\n";
    let p = one(src);
    assert_eq!(p.label, "smtpConfig");
    assert_eq!(&src[p.anchor.span.clone()], "host");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(env(&p, "SMTP_PASS", 0).var, "SMTP_PASS");
    // Nested under a key, and named by its path.
    let src = "module.exports = { mail: { host: 'relay.internal', port: 587, auth: { user: 'u', pass: 'p' } } };";
    assert_eq!(one(src).label, "module.exports.mail");
    // A cache or database object has no sign of mail.
    assert!(ex("export default { host: 'cache', port: 6379 };")
        .profiles
        .is_empty());
    assert!(
        ex("const db = { host: 'db.internal', port: 5432, auth: {} };")
            .profiles
            .is_empty()
    );
    // With a createTransport call in the file, only the call gives a profile.
    let src = "const o = { host: 'smtp.example.org', port: 587, secure: false };\n\
               const t = nodemailer.createTransport(o);\nexport const backup = { ...o, port: 465 };";
    let x = ex(src);
    assert_eq!(x.profiles.len(), 1);
    assert_eq!(x.profiles[0].label, "t");
}

#[test]
fn option_names_one_edit_away_are_unknown_settings() {
    let src = "createTransport({ host: 'h', port: 587, secrue: true, requireTSL: true,\n\
               auth: { usr: 'u', pas: 'p', user: 'a', pass: 'b' }, poool: 2 })";
    let e = ex(src);
    let keys: Vec<&str> = e
        .findings
        .iter()
        .map(|f| &src[f.labels[0].loc.span.clone()])
        .collect();
    assert_eq!(keys, ["secrue", "requireTSL", "poool"]);
    assert!(e.findings.iter().all(|f| f.code == "unknown-setting"));
    assert!(e.findings[0].help.as_deref().unwrap().contains("`secure`"));
    // Options Nodemailer reads, and keys too short to judge, are left alone.
    let e =
        ex("createTransport({ host: 'h', port: 587, pool: true, maxConnections: 2, name: 'x' })");
    assert!(e.findings.is_empty());
}
