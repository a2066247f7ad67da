use super::*;
use crate::model::Origin;

const F: FileId = FileId(0);

fn codes(ex: &Extraction) -> Vec<(&str, Severity)> {
    ex.findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect()
}

fn at<'t>(text: &'t str, loc: &Loc) -> &'t str {
    &text[loc.span.clone()]
}

fn primary<'t>(text: &'t str, f: &Finding) -> &'t str {
    at(text, f.primary())
}

fn only(ex: &Extraction) -> &Profile {
    assert_eq!(ex.profiles.len(), 1, "{:#?}", ex.profiles);
    &ex.profiles[0]
}

#[test]
fn parse_errors_become_findings_with_help() {
    let t = "user_pref(\"a\", \"x\\qy\");\nuser_pref(\"b\", tru);\n";
    let ex = extract(F, t);
    assert_eq!(codes(&ex), vec![("parse-error", Severity::Error); 2]);
    assert_eq!(primary(t, &ex.findings[0]), "\\q");
    assert!(ex.findings[0].help.as_deref().unwrap().contains("\\xNN"));
    assert_eq!(primary(t, &ex.findings[1]), "tru");
    assert!(ex.findings[1]
        .help
        .as_deref()
        .unwrap()
        .contains("user_pref"));
}

#[test]
fn broken_secret_statements_are_still_masked() {
    let t = concat!(
        "user_pref(\"mail.smtpserver.smtp1.password\", \"s3cr\\qet\");\n",
        "user_pref(\"mail.server.server1.password\", hunter2);\n",
        "user_pref(\"x.password\" \"nocomma\");\n",
        "user_pref(\"y.password\", \"unterminated\n",
        "user_pref(\"mail.smtpserver.smtp1.hostname\", broken);\n",
    );
    let ex = extract(F, t);
    let masked: Vec<&str> = ex.secrets.iter().map(|s| &t[s.clone()]).collect();
    assert_eq!(
        masked,
        vec!["s3cr\\qet", "hunter2)", "nocomma", "unterminated"]
    );
    for f in &ex.findings {
        assert!(!f.message.contains("s3cr") && !f.message.contains("hunter2"));
    }
}

// ----- semantics -----

const ICLOUD: &str = r#"// Mozilla User Preferences
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.useremail", "jane@icloud.com");
user_pref("mail.smtp.defaultserver", "smtp1");
user_pref("mail.smtpserver.smtp1.authMethod", 3);
user_pref("mail.smtpserver.smtp1.hostname", "smtp.mail.me.com");
user_pref("mail.smtpserver.smtp1.port", 587);
user_pref("mail.smtpserver.smtp1.try_ssl", 2);
user_pref("mail.smtpserver.smtp1.username", "jane@icloud.com");
user_pref("mail.smtpservers", "smtp1");
"#;

#[test]
fn one_profile_per_server_with_value_spans() {
    let ex = extract(F, ICLOUD);
    assert!(ex.findings.is_empty(), "{:#?}", ex.findings);
    let p = only(&ex);
    assert_eq!(p.client, Client::Thunderbird);
    assert_eq!(p.label, "smtp1");
    assert_eq!(at(ICLOUD, &p.anchor), "smtp.mail.me.com");
    let host = p.host.as_ref().unwrap();
    assert_eq!(host.value, "smtp.mail.me.com");
    assert_eq!(at(ICLOUD, &host.loc), "smtp.mail.me.com");
    let port = p.port.as_ref().unwrap();
    assert_eq!((port.value, at(ICLOUD, &port.loc)), (587, "587"));
    assert_eq!(port.origin, Origin::Literal);
    let sec = p.security.as_ref().unwrap();
    assert_eq!(sec.value, Security::StartTls { required: true });
    assert_eq!(at(ICLOUD, &sec.loc), "2");
    let auth = p.auth.as_ref().unwrap();
    assert_eq!(auth.value, AuthMethod::Password);
    assert_eq!(at(ICLOUD, &auth.loc), "3");
    let user = p.username.as_ref().unwrap();
    assert_eq!(at(ICLOUD, &user.loc), "jane@icloud.com");
    assert_eq!(p.from.len(), 1);
    assert_eq!(p.from[0].value, "jane@icloud.com");
    // The useremail line, not the username line.
    assert!(ICLOUD[..p.from[0].loc.span.start].ends_with("useremail\", \""));
    assert!(p.password.is_none());
    assert!(ex.secrets.is_empty());
}

#[test]
fn try_ssl_table() {
    type Case = (
        &'static str,
        Option<Security>,
        &'static [(&'static str, Severity)],
    );
    let cases: &[Case] = &[
        ("0", Some(Security::None), &[]),
        (
            "1",
            Some(Security::StartTls { required: true }),
            &[("invalid-value", Severity::Info)],
        ),
        ("2", Some(Security::StartTls { required: true }), &[]),
        ("3", Some(Security::ImplicitTls), &[]),
        ("7", None, &[("invalid-value", Severity::Error)]),
        (
            "\"3\"",
            Some(Security::None),
            &[("invalid-value", Severity::Error)],
        ),
    ];
    for (v, want, findings) in cases {
        let t = format!(
            "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", {v});\n"
        );
        let ex = extract(F, &t);
        let p = only(&ex);
        assert_eq!(p.security.as_ref().map(|s| s.value), *want, "try_ssl {v}");
        assert_eq!(codes(&ex), *findings, "try_ssl {v}");
        if let Some(s) = &p.security {
            assert_eq!(at(&t, &s.loc), v.trim_matches('"'));
        }
        if let Some(f) = ex.findings.first() {
            assert_eq!(primary(&t, f), v.trim_matches('"'));
        }
    }
}

#[test]
fn absent_try_ssl_and_auth_default_on_the_hostname() {
    let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.gmail.com\");\n";
    let ex = extract(F, t);
    let p = only(&ex);
    let sec = p.security.as_ref().unwrap();
    assert_eq!(sec.value, Security::None);
    assert!(sec.is_default());
    assert_eq!(at(t, &sec.loc), "smtp.gmail.com");
    let auth = p.auth.as_ref().unwrap();
    assert_eq!(auth.value, AuthMethod::Password);
    assert!(auth.is_default());
    let port = p.port.as_ref().unwrap();
    assert_eq!(port.value, 587);
    assert!(port.is_default());
    assert_eq!(at(t, &port.loc), "smtp.gmail.com");
    assert!(p.sends_credentials());
}

#[test]
fn port_defaults_and_errors() {
    let run = |port: &str, try_ssl: &str| {
        let t = format!(
            "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", {try_ssl});\nuser_pref(\"mail.smtpserver.s.port\", {port});\n"
        );
        let ex = extract(F, &t);
        let p = only(&ex).clone();
        let f: Vec<(String, Severity, String)> = ex
            .findings
            .iter()
            .map(|f| (f.code.clone(), f.severity, primary(&t, f).to_owned()))
            .collect();
        (
            p.port
                .map(|v| (v.value, at(&t, &v.loc).to_owned(), v.is_default())),
            f,
        )
    };
    assert_eq!(run("0", "2"), (Some((587, "0".into(), true)), vec![]));
    assert_eq!(run("0", "3"), (Some((465, "0".into(), true)), vec![]));
    assert_eq!(run("465", "3"), (Some((465, "465".into(), false)), vec![]));
    assert_eq!(
        run("99999", "2"),
        (
            None,
            vec![("invalid-value".into(), Severity::Error, "99999".into())]
        )
    );
    assert_eq!(
        run("-1", "2").1,
        vec![("invalid-value".into(), Severity::Error, "-1".into())]
    );
    // A string port is ignored: the default applies.
    assert_eq!(
        run("\"587\"", "2"),
        (
            Some((587, "587".into(), true)),
            vec![("invalid-value".into(), Severity::Warning, "587".into())]
        )
    );
    assert_eq!(
        run("\"587\"", "3"),
        (
            Some((465, "587".into(), true)),
            vec![("invalid-value".into(), Severity::Error, "587".into())]
        )
    );
    // Absent port with try_ssl 3.
    let t = "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", 3);\n";
    let ex = extract(F, t);
    let port = only(&ex).port.clone().unwrap();
    assert_eq!((port.value, at(t, &port.loc)), (465, "h"));
}

#[test]
fn auth_method_table() {
    let cases: &[(&str, Option<AuthMethod>, usize)] = &[
        ("1", Some(AuthMethod::None), 0),
        ("3", Some(AuthMethod::Password), 0),
        ("4", Some(AuthMethod::EncryptedPassword), 0),
        ("5", Some(AuthMethod::Other("GSSAPI".into())), 0),
        ("6", Some(AuthMethod::Other("NTLM".into())), 0),
        (
            "7",
            Some(AuthMethod::Other("TLS client certificate".into())),
            0,
        ),
        ("9", Some(AuthMethod::Other("any".into())), 0),
        ("10", Some(AuthMethod::OAuth2), 0),
        ("0", None, 1),
        ("2", None, 1),
        ("8", None, 1),
        ("11", None, 1),
        ("\"10\"", Some(AuthMethod::Password), 1),
    ];
    for (v, want, n) in cases {
        let t = format!(
            "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", 2);\nuser_pref(\"mail.smtpserver.s.authMethod\", {v});\n"
        );
        let ex = extract(F, &t);
        let p = only(&ex);
        assert_eq!(
            p.auth.as_ref().map(|a| a.value.clone()),
            *want,
            "authMethod {v}"
        );
        assert_eq!(ex.findings.len(), *n, "authMethod {v}");
        for f in &ex.findings {
            assert_eq!(f.code, "invalid-value");
            assert_eq!(primary(&t, f), v.trim_matches('"'));
        }
        if let Some(a) = &p.auth {
            assert_eq!(at(&t, &a.loc), v.trim_matches('"'));
        }
    }
}

#[test]
fn password_pref_is_a_literal_secret() {
    let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.gmail.com\");\nuser_pref(\"mail.smtpserver.smtp1.password\", \"abcd efgh ijkl mnop\");\nuser_pref(\"mail.server.server1.password\", \"imap-secret\");\n";
    let ex = extract(F, t);
    let p = only(&ex);
    let pw = p.password.as_ref().unwrap();
    assert_eq!(pw.origin, Origin::Literal);
    assert_eq!(pw.value.expose(), "abcd efgh ijkl mnop");
    assert_eq!(at(t, &pw.loc), "abcd efgh ijkl mnop");
    let masked: Vec<&str> = ex.secrets.iter().map(|s| &t[s.clone()]).collect();
    assert_eq!(masked, vec!["abcd efgh ijkl mnop", "imap-secret"]);
    for f in &ex.findings {
        assert!(
            !f.message.contains("abcd") && !f.help.clone().unwrap_or_default().contains("abcd")
        );
    }
}

#[test]
fn keys_from_list_and_prefs_default_is_not_a_server() {
    let t = concat!(
        "user_pref(\"mail.smtpservers\", \"smtp_abc123, smtp2,smtp3\");\n",
        "user_pref(\"mail.smtpserver.smtp_abc123.hostname\", \"a.example\");\n",
        "user_pref(\"mail.smtpserver.smtp2.hostname\", \"b.example\");\n",
        "user_pref(\"mail.smtpserver.default.try_ssl\", 2);\n",
        "user_pref(\"mail.smtpserver.unlisted.hostname\", \"c.example\");\n",
    );
    let ex = extract(F, t);
    let labels: Vec<&str> = ex.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, vec!["smtp_abc123", "smtp2", "unlisted"]);
    // smtp3 is listed without a hostname.
    assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
    assert_eq!(primary(t, &ex.findings[0]), "smtp3");
    // The default branch supplies try_ssl, as a literal at its own line.
    let sec = ex.profiles[0].security.as_ref().unwrap();
    assert_eq!(sec.value, Security::StartTls { required: true });
    assert_eq!(sec.origin, Origin::Literal);
    assert_eq!(at(t, &sec.loc), "2");
}

#[test]
fn server_without_hostname_has_no_defaults() {
    let t = "user_pref(\"mail.smtpserver.smtp1.username\", \"jane\");\n";
    let ex = extract(F, t);
    let p = only(&ex);
    assert!(p.host.is_none() && p.security.is_none() && p.port.is_none());
    assert!(p.auth.is_none());
    assert_eq!(at(t, &p.anchor), t.trim_end());
    assert!(ex.findings.is_empty());
}

#[test]
fn wrong_keys_have_no_effect() {
    let t = concat!(
        "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
        "user_pref(\"mail.smtpserver.smtp1.socketType\", 3);\n",
        "user_pref(\"mail.smtpserver.smtp1.auth_method\", 10);\n",
        "user_pref(\"mail.smtpserver.smtp1.userName\", \"u\");\n",
        "user_pref(\"mail.smtpserver.smtp1.Port\", 465);\n",
        "user_pref(\"mail.smtpserver.smtp1.description\", \"fine\");\n",
    );
    let ex = extract(F, t);
    let hits: Vec<(&str, Severity, &str)> = ex
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity, primary(t, f)))
        .collect();
    assert_eq!(
        hits,
        vec![
            (
                "invalid-value",
                Severity::Warning,
                "mail.smtpserver.smtp1.socketType"
            ),
            (
                "invalid-value",
                Severity::Warning,
                "mail.smtpserver.smtp1.auth_method"
            ),
            (
                "invalid-value",
                Severity::Warning,
                "mail.smtpserver.smtp1.userName"
            ),
            (
                "invalid-value",
                Severity::Warning,
                "mail.smtpserver.smtp1.Port"
            ),
        ]
    );
    assert!(ex.findings[0].message.contains("unknown key, no effect"));
    assert!(ex.findings[0].help.as_deref().unwrap().contains("try_ssl"));
    assert!(ex.findings[1]
        .help
        .as_deref()
        .unwrap()
        .contains("authMethod"));
    // They change nothing.
    let p = only(&ex);
    assert_eq!(p.security.as_ref().unwrap().value, Security::None);
    assert!(p.security.as_ref().unwrap().is_default());
    assert!(p.username.is_none());
}

#[test]
fn identities_link_from_addresses() {
    let t = concat!(
        "user_pref(\"mail.identity.id1.useremail\", \"a@example.com\");\n",
        "user_pref(\"mail.identity.id1.smtpServer\", \"smtp2\");\n",
        "user_pref(\"mail.identity.id2.useremail\", \"b@example.com\");\n",
        "user_pref(\"mail.identity.id2.smtpServer\", \"\");\n",
        "user_pref(\"mail.identity.id3.useremail\", \"c@example.com\");\n",
        "user_pref(\"mail.identity.id4.useremail\", \"d@example.com\");\n",
        "user_pref(\"mail.identity.id4.smtpServer\", \"smtp9\");\n",
        "user_pref(\"mail.smtp.defaultserver\", \"smtp1\");\n",
        "user_pref(\"mail.smtpserver.smtp1.hostname\", \"one.example\");\n",
        "user_pref(\"mail.smtpserver.smtp2.hostname\", \"two.example\");\n",
        "user_pref(\"mail.smtpservers\", \"smtp1,smtp2\");\n",
    );
    let ex = extract(F, t);
    let from =
        |i: usize| -> Vec<&str> { ex.profiles[i].from.iter().map(|v| at(t, &v.loc)).collect() };
    assert_eq!(from(0), vec!["b@example.com", "c@example.com"]);
    assert_eq!(from(1), vec!["a@example.com"]);
    assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
    assert_eq!(primary(t, &ex.findings[0]), "smtp9");
}

#[test]
fn missing_default_server_and_first_listed_fallback() {
    let t = concat!(
        "user_pref(\"mail.identity.id1.useremail\", \"a@example.com\");\n",
        "user_pref(\"mail.smtpserver.smtp1.hostname\", \"one.example\");\n",
        "user_pref(\"mail.smtpservers\", \"smtp1\");\n",
    );
    let ex = extract(F, t);
    assert_eq!(only(&ex).from.len(), 1);
    let t2 = format!("{t}user_pref(\"mail.smtp.defaultserver\", \"smtp7\");\n");
    let ex = extract(F, &t2);
    assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
    assert_eq!(primary(&t2, &ex.findings[0]), "smtp7");
    assert!(only(&ex).from.is_empty());
    // Without mail.smtpservers (a user.js fragment) an unknown key is not an error.
    let t3 = "user_pref(\"mail.identity.id1.smtpServer\", \"smtp5\");\nuser_pref(\"mail.identity.id1.useremail\", \"a@b.c\");\n";
    assert!(extract(F, t3).findings.is_empty());
}

#[test]
fn ews_servers_are_not_smtp() {
    let t = concat!(
        "user_pref(\"mail.smtpservers\", \"smtp1,ews1\");\n",
        "user_pref(\"mail.smtpserver.ews1.type\", \"ews\");\n",
        "user_pref(\"mail.outgoingserver.ews1.auth_method\", 10);\n",
        "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
    );
    let ex = extract(F, t);
    assert_eq!(only(&ex).label, "smtp1");
    assert!(ex.findings.is_empty(), "{:#?}", ex.findings);
}

#[test]
fn later_definitions_win_and_duplicates_are_reported() {
    let t = concat!(
        "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
        "user_pref(\"mail.smtpserver.smtp1.port\", 25);\n",
        "user_pref(\"mail.smtpserver.smtp1.port\", 587);\n",
        "pref(\"mail.smtpserver.smtp1.try_ssl\", 0);\n",
        "user_pref(\"mail.smtpserver.smtp1.try_ssl\", 2);\n",
        "pref(\"mail.smtpserver.smtp1.try_ssl\", 0);\n",
    );
    let ex = extract(F, t);
    let p = only(&ex);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    let c: Vec<(&str, &str)> = ex
        .findings
        .iter()
        .map(|f| (f.code.as_str(), primary(t, f)))
        .collect();
    assert_eq!(
        c,
        vec![
            ("conflicting-settings", "587"),
            ("conflicting-settings", "2")
        ]
    );
    assert_eq!(ex.findings[1].labels.len(), 3);
}

#[test]
fn empty_and_wrong_type_hostname() {
    let t = "user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"\");\n";
    let ex = extract(F, t);
    assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
    assert_eq!(primary(t, &ex.findings[0]), "\"\"");
    assert!(only(&ex).host.is_none());
    let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", 42);\n";
    let ex = extract(F, t);
    assert_eq!(primary(t, &ex.findings[0]), "42");
}

#[test]
fn nul_byte_ends_the_file() {
    let t = "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\0\nuser_pref(\"mail.smtpserver.s.try_ssl\", 3);\n";
    let ex = extract(F, t);
    assert_eq!(codes(&ex), vec![("parse-error", Severity::Error)]);
    assert_eq!(primary(t, &ex.findings[0]), "\0");
    assert!(only(&ex).security.as_ref().unwrap().is_default());
}

#[test]
fn list_spans_with_escapes_fall_back_to_the_whole_value() {
    let t = "user_pref(\"mail.smtpservers\", \"smtp1,sm\\x74p2\");\n";
    let ex = extract(F, t);
    assert_eq!(ex.findings.len(), 2);
    for f in &ex.findings {
        assert_eq!(primary(t, f), "smtp1,sm\\x74p2");
    }
}

// ----- robustness -----

fn check_spans(text: &str, ex: &Extraction) {
    let ok = |s: &Range<usize>| {
        assert!(s.start <= s.end && text.get(s.clone()).is_some(), "{s:?}");
    };
    for f in &ex.findings {
        assert!(!f.labels.is_empty());
        for l in &f.labels {
            ok(&l.loc.span);
        }
    }
    for s in &ex.secrets {
        ok(s);
    }
    for p in &ex.profiles {
        ok(&p.anchor.span);
        let locs = [
            p.host.as_ref().map(|v| &v.loc),
            p.port.as_ref().map(|v| &v.loc),
            p.security.as_ref().map(|v| &v.loc),
            p.auth.as_ref().map(|v| &v.loc),
            p.username.as_ref().map(|v| &v.loc),
            p.password.as_ref().map(|v| &v.loc),
        ];
        for l in locs.into_iter().flatten() {
            ok(&l.span);
        }
        for f in &p.from {
            ok(&f.loc.span);
        }
    }
}

const NASTY: &[&str] = &[
    "",
    "\u{feff}",
    "\u{feff}user_pref(",
    "user_pref",
    "user_pref(\"",
    "user_pref('a\\",
    "user_pref(\"a\", \"\\u",
    "user_pref(\"a\", \"\\ud83d\\u",
    "user_pref(\"a\", \"\\xZ",
    "user_pref(\"a\", -",
    "user_pref(\"a\", +x);",
    "user_pref(\"a\", 99999999999999999999);",
    "/*",
    "/",
    "#",
    "\0\0\0",
    "user_pref(\"mail.smtpserver..hostname\", \"x\");",
    "user_pref(\"mail.smtpserver.x.\", \"x\");",
    "user_pref(\"mail.smtpservers\", \",,, ,\");",
    "user_pref(\"mail.identity..useremail\", \"x\");",
    "user_pref(\"a\", \"é\\é\");",
    "ééé;éé\nuser_pref(\"a\"é, 1);",
    "user_pref(\"mail.smtpserver.s.password\", é);",
    "\r\r\r user_pref(\"a\",\r1)\r;",
    ");;;((((,,,,",
];

#[test]
fn nasty_input_never_panics() {
    for t in NASTY {
        let ex = extract(F, t);
        check_spans(t, &ex);
    }
    let long = format!("user_pref(\"a\", \"{}\");", "x".repeat(200_000));
    check_spans(&long, &extract(F, &long));
    let deep = "user_pref(".repeat(10_000);
    check_spans(&deep, &extract(F, &deep));
}

#[test]
fn many_servers_stay_fast() {
    let mut t = String::from("user_pref(\"mail.smtpservers\", \"");
    for i in 0..20_000 {
        t.push_str(&format!("smtp{i},"));
    }
    t.push_str("\");\n");
    for i in 0..20_000 {
        t.push_str(&format!(
            "user_pref(\"mail.smtpserver.smtp{i}.hostname\", \"h{i}\");\nuser_pref(\"mail.identity.id{i}.useremail\", \"u{i}@x\");\nuser_pref(\"mail.identity.id{i}.smtpServer\", \"smtp{i}\");\n"
        ));
    }
    let start = std::time::Instant::now();
    let ex = extract(F, &t);
    assert_eq!(ex.profiles.len(), 20_000);
    assert!(ex.profiles.iter().all(|p| p.from.len() == 1));
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

const FIXTURES: &[&str] = &[
    include_str!("../../../../fixtures/thunderbird/icloud-good/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/icloud-bad/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/gmail-good/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/gmail-bad/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/outlook-good/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/outlook-bad/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/multi-server/user.js"),
    include_str!("../../../../fixtures/thunderbird/parse-error/prefs.js"),
    include_str!("../../../../fixtures/thunderbird/wrong-keys/prefs.js"),
];

#[test]
fn fuzz_random_bytes_and_fixture_mutations() {
    let alphabet: &[u8] = b"user_pref(\"'\\,;)+-0123456789xuU/*#\n\r\t \0mail.smtpserver.";
    // Four sequences of the shared generator's 800 rounds: random bytes biased towards the
    // grammar's characters, substrings of fixtures, fixtures with bytes replaced.
    for seed in [0x9e37_79b9_7f4a_7c15, 1, 2, 3] {
        crate::extract::syntax::testing::inputs(seed, alphabet, FIXTURES, |t| {
            check_spans(t, &extract(F, t))
        });
    }
}

#[test]
fn fixtures_parse_with_expected_parse_errors_only() {
    for fx in FIXTURES {
        let ex = extract(F, fx);
        check_spans(fx, &ex);
        for f in &ex.findings {
            let line_start = fx[..f.primary().span.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line_end = fx[f.primary().span.start..]
                .find('\n')
                .map_or(fx.len(), |i| f.primary().span.start + i);
            let line = &fx[line_start..line_end];
            assert!(
                line.contains("expect:") && line.contains(f.code.as_str()),
                "unexpected {} on line {line:?}",
                f.code
            );
        }
    }
}
