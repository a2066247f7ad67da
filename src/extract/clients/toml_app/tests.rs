use super::*;

fn run(text: &str) -> Extraction {
    extract(FileId(0), text)
}

#[test]
fn smtp_table_with_exact_spans() {
    let t = "[smtp]\nhost = \"smtp.mail.me.com\"\nport = 465\nsecurity = \"ssl\"\nusername = \"alice\"\npassword = \"hunter2\"\nfrom = \"alice@icloud.com\"\n";
    let ex = run(t);
    assert!(ex.findings.is_empty(), "{:?}", ex.findings);
    let p = &ex.profiles[0];
    assert_eq!(p.label, "[smtp]");
    assert_eq!(&t[p.anchor.span.clone()], "[smtp]");
    assert_eq!(
        &t[p.host.as_ref().unwrap().loc.span.clone()],
        "smtp.mail.me.com"
    );
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(&t[p.port.as_ref().unwrap().loc.span.clone()], "465");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(&t[p.password.as_ref().unwrap().loc.span.clone()], "hunter2");
    assert_eq!(ex.secrets.len(), 1);
    assert_eq!(&t[ex.secrets[0].clone()], "hunter2");
}

#[test]
fn shapes_nested_flat_inline_and_arrays() {
    let t = "[mail.smtp]\nserver = 'a.example'\nport = \"587\"\nstarttls = true\n\n[app]\nsmtp_host = \"b.example\"\nsmtp_port = 25\nname = \"x\"\n\n[other]\nhost = \"c.example\"\n\n[[mailer]]\nhost = \"d.example\"\n[[mailer]]\nhost = \"e.example\"\n\n[x]\nsmtp = { host = \"f.example\", port = 2525 }\n";
    let ex = run(t);
    let hosts: Vec<_> = ex
        .profiles
        .iter()
        .map(|p| p.host.as_ref().unwrap().value.clone())
        .collect();
    assert_eq!(
        hosts,
        [
            "a.example",
            "b.example",
            "d.example",
            "e.example",
            "f.example"
        ]
    );
    assert_eq!(
        ex.profiles[0].security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(ex.profiles[1].label, "[app] smtp_* keys");
    assert_eq!(ex.profiles[4].port.as_ref().unwrap().value, 2525);
}

#[test]
fn references_are_not_literal_passwords() {
    let ex = run("[smtp]\nhost = \"h\"\npassword = \"${SMTP_PASSWORD}\"\n");
    assert!(ex.profiles[0].password.is_none());
}

#[test]
fn bad_values_and_conflicts() {
    let t = "[smtp]\nhost = \"h\"\nport = 99999\nsecurity = \"tsl\"\nssl = true\nstarttls = true\nverify_certificates = false\n";
    let ex = run(t);
    let codes: Vec<_> = ex
        .findings
        .iter()
        .map(|f| (f.code.as_str(), &t[f.primary().span.clone()]))
        .collect();
    assert_eq!(
        codes,
        [
            ("invalid-value", "99999"),
            ("invalid-value", "tsl"),
            ("conflicting-settings", "true")
        ]
    );
    assert!(!ex.profiles[0].tls_verify.as_ref().unwrap().value);
}

#[test]
fn syntax_error_has_a_span_and_no_profile() {
    let t = "[smtp]\nhost = \"unterminated\nport = 1\n";
    let ex = run(t);
    assert!(ex.profiles.is_empty());
    assert_eq!(ex.findings[0].code, "parse-error");
    assert!(ex.findings[0].primary().span.start >= 7);
}

#[test]
fn never_panics_on_garbage() {
    let seeds = [
        "[smtp]\nhost=\"x\"\nport=1",
        "a = [1,",
        "[[",
        "\u{feff}x=1",
        "x = \"\\u{zz}\"",
        "= =",
        "[smtp]\nport = -1\nhost = 5",
    ];
    for s in seeds {
        for cut in 0..=s.len() {
            if s.is_char_boundary(cut) {
                let _ = run(&s[..cut]);
            }
        }
    }
}

#[test]
fn unknown_shapes_produce_nothing() {
    let ex = run("[database]\nhost = \"db\"\nport = 5432\n");
    assert!(ex.profiles.is_empty());
}
