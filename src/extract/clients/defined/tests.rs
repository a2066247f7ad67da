use super::*;
use crate::extract::syntax::testing::{at, check_spans, only, texts};
use crate::model::Origin;

fn ex(id: &str, text: &str) -> Extraction {
    let e = extract(id, FileId(0), text);
    check_spans(text, &e);
    e
}

fn codes(e: &Extraction) -> Vec<(&str, Severity)> {
    e.findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect()
}

#[test]
fn every_yaml_file_loads_and_says_what_the_built_in_json_says() {
    let mut on_disk: Vec<String> = std::fs::read_dir("clients")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let table: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(table, on_disk);
    for name in &on_disk {
        let yaml = std::fs::read_to_string(format!("clients/{name}")).unwrap();
        let d = parse_yaml(&yaml).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(format!("{d:?}"), format!("{:?}", get(&d.id)), "{name}");
        assert_eq!(
            format!("{}.yaml", d.id),
            *name,
            "the file is named after its id"
        );
    }
}

#[test]
fn every_definition_is_read_by_a_format_row() {
    for (id, format) in [
        ("gitea", "gitea-ini"),
        ("grafana", "grafana-ini"),
        ("git-sendemail", "gitconfig"),
        ("msmtp", "msmtprc"),
        ("spring-boot", "spring-properties"),
        ("dotnet", "dotnet-appsettings"),
        ("ghost", "ghost-config"),
        ("home-assistant", "home-assistant"),
    ] {
        let f = crate::extract::Format::from_name(format).unwrap();
        let text = "";
        let _ = (f.def().read)(FileId(0), text);
        assert!(builtin().iter().any(|d| d.id == id));
    }
    assert_eq!(
        builtin().len(),
        8,
        "a new definition needs a row here and in formats.rs"
    );
}

fn load_err(yaml: &str) -> (Option<String>, String) {
    let e = parse_yaml(yaml).unwrap_err();
    (e.span.map(|s| yaml[s].to_owned()), e.message)
}

const MINIMAL: &str = "id: x\nname: X\nsources: { doc: https://example.org }\nsyntax: go-ini\nprofiles: { sections: [s], requires-any: [host] }\nkey-case: sensitive\nkeys:\n  h: { field: host, source: doc }\nbooleans: { \"true\": [\"1\"], \"false\": [\"0\"], unknown: error, source: doc }\n";

#[test]
fn definition_errors_point_at_the_offending_text() {
    assert!(parse_yaml(MINIMAL).is_ok());
    let (span, msg) = load_err(&MINIMAL.replace("key-case", "colour: red\nkey-case"));
    assert!(msg.contains("colour"), "{msg}");
    assert!(span.is_some());
    let (span, msg) = load_err(&MINIMAL.replace("field: host", "field: hots"));
    assert_eq!(span.as_deref(), Some("hots"), "{msg}");
    let (span, msg) = load_err(&MINIMAL.replace("source: doc }\nbool", "source: nowhere }\nbool"));
    assert_eq!(span.as_deref(), Some("nowhere"), "{msg}");
    let (span, _) = load_err(&MINIMAL.replace("syntax: go-ini", "syntax: xml"));
    assert_eq!(span.as_deref(), Some("xml"));
    let bad_default = format!(
        "{MINIMAL}defaults:\n  - {{ field: port, value: \"99999\", message: m, source: doc }}\n"
    );
    let (span, _) = load_err(&bad_default);
    assert_eq!(span.as_deref(), Some("\"99999\""));
    assert!(parse_yaml("id: [").is_err());
}

#[test]
fn gitea_infers_port_and_protocol_from_each_other() {
    let t = "[mailer]\nENABLED = true\nSMTP_ADDR = mail.example.org\nSMTP_PORT = 2525\nUSER = gitea@example.org\n";
    let p = only(ex("gitea", t));
    let sec = p.security.as_ref().unwrap();
    assert_eq!(
        sec.value,
        Security::ImplicitTls,
        "an unknown port is taken as smtps"
    );
    assert!(sec.is_default());
    assert_eq!(&t[sec.loc.span.clone()], "2525");
    // FROM defaults to USER.
    assert_eq!(p.from[0].value, "gitea@example.org");
    assert!(p.from[0].is_default());

    let t = "[mailer]\nENABLED = true\nPROTOCOL = smtp+starttls\nSMTP_ADDR = h.example.org\n";
    let p = only(ex("gitea", t));
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(at(t, &p.port), "smtp+starttls");
    assert_eq!(
        p.security.unwrap().value,
        Security::StartTls { required: false }
    );
}

#[test]
fn gitea_off_or_without_smtp_has_no_profile_but_its_secrets_are_masked() {
    let t = "[database]\nPASSWD = `s3cret-db`\n[mailer]\nENABLED = false\nSMTP_ADDR = h\nPASSWD = mailpass1\n";
    let e = ex("gitea", t);
    assert!(e.profiles.is_empty());
    assert_eq!(texts(t, &e.secrets), ["s3cret-db", "mailpass1"]);
    for proto in ["sendmail", "dummy", "smtp+unix"] {
        let t = format!("[mailer]\nENABLED = true\nPROTOCOL = {proto}\nSMTP_ADDR = h\n");
        assert!(ex("gitea", &t).profiles.is_empty(), "{proto}");
    }
    // go-ini reads an unknown boolean word as false, and says so here.
    let e = ex("gitea", "[mailer]\nENABLED = sure\nSMTP_ADDR = h\n");
    assert!(e.profiles.is_empty());
    assert_eq!(codes(&e), [("invalid-value", Severity::Warning)]);
}

#[test]
fn grafana_port_465_is_implicit_whatever_the_policy_says() {
    let t = "[smtp]\nenabled = true\nhost = smtp.example.org:465\nstartTLS_policy = MandatoryStartTLS\n";
    let p = only(ex("grafana", t));
    let sec = p.security.unwrap();
    assert_eq!(sec.value, Security::ImplicitTls);
    assert!(matches!(sec.origin, Origin::Default { .. }));
    assert_eq!(&t[sec.loc.span.clone()], "465");
    let t = "[smtp]\nenabled = true\nhost = [::1]:25\n";
    let p = only(ex("grafana", t));
    assert_eq!(p.host.as_ref().unwrap().value, "::1");
    assert_eq!(at(t, &p.port), "25");
    assert_eq!(
        p.security.unwrap().value,
        Security::StartTls { required: false }
    );
}

#[test]
fn grafana_keys_are_case_sensitive_as_go_ini_reads_them() {
    let t = "[smtp]\nenabled = true\nhost = h.example.org:587\nStartTLS_Policy = NoStartTLS\n";
    let p = only(ex("grafana", t));
    assert_eq!(
        p.security.unwrap().value,
        Security::StartTls { required: false }
    );
}

#[test]
fn git_identities_override_the_section_and_sendmail_paths_are_not_smtp() {
    let t = "[sendemail]\n\tsmtpserver = a.example.org\n\tsmtpUser = me\n[sendemail \"work\"]\n\tsmtpServer = b.example.org\n\tsmtpServerPort = submission\n\tsmtpEncryption = TLS\n";
    let e = ex("git-sendemail", t);
    assert_eq!(e.profiles.len(), 2);
    let work = &e.profiles[1];
    assert_eq!(work.label, "[sendemail \"work\"]");
    assert_eq!(work.host.as_ref().unwrap().value, "b.example.org");
    assert_eq!(work.username.as_ref().unwrap().value, "me");
    assert_eq!(work.port.as_ref().unwrap().value, 587);
    // Values are case-sensitive: `TLS` is not `tls`, so plain SMTP, with a warning.
    assert_eq!(work.security.as_ref().unwrap().value, Security::None);
    assert_eq!(codes(&e), [("invalid-value", Severity::Warning)]);
    let e = ex(
        "git-sendemail",
        "[sendemail]\n\tsmtpServer = /usr/bin/msmtp\n",
    );
    assert!(e.profiles.is_empty());
}

#[test]
fn msmtp_tls_variants_ports_and_password_commands() {
    let t = "account a\nhost h.example.org\ntls on\ntls_starttls off\nauth on\nuser u\npasswordeval \"pass show x\"\n";
    let e = ex("msmtp", t);
    assert!(e.secrets.is_empty(), "a command is not a secret");
    let p = only(e);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(t, &p.security), "off");
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert!(p.password.is_none());
    assert_eq!(p.auth.unwrap().value, AuthMethod::Password);

    let t = "account a\nhost h.example.org\nuser u\npassword pw123456\n";
    let e = ex("msmtp", t);
    assert_eq!(texts(t, &e.secrets), ["pw123456"]);
    let p = only(e);
    assert_eq!(p.security.as_ref().unwrap().value, Security::None);
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    assert_eq!(
        p.auth.as_ref().unwrap().value,
        AuthMethod::None,
        "auth is off by default"
    );
}

#[test]
fn many_sections_and_repeated_keys_stay_linear() {
    use crate::extract::syntax::testing::finishes_quickly;
    let mut git = String::from("[sendemail]\n");
    git.push_str(&"\tsmtpServer = h.example.org\n\tx = 1\n".repeat(20_000));
    for i in 0..20_000 {
        git.push_str(&format!("[sendemail \"i{i}\"]\n\tsmtpUser = u\n"));
    }
    finishes_quickly(&git, |t| extract("git-sendemail", FileId(0), t));
    let gitea = format!(
        "[mailer]\nENABLED = true\n{}",
        "HOST = h:25\nSKIP_VERIFY = 1\n".repeat(50_000)
    );
    finishes_quickly(&gitea, |t| extract("gitea", FileId(0), t));
    let msmtp = String::from("account a\nhost h\n");
    let many: String = (0..20_000)
        .map(|i| format!("account a{i} : a\nport {}\n", i % 60_000 + 1))
        .collect();
    finishes_quickly(&(msmtp + &many), |t| extract("msmtp", FileId(0), t));
}

#[test]
fn spring_switches_by_precedence_placeholders_and_trust() {
    let t = "spring.mail.host=h.example.org\nspring.mail.password=${PW}\nspring.mail.username=u\nspring.mail.properties.mail.smtp.starttls.enable=true\nspring.mail.properties[mail.smtp.starttls.required]=TRUE\nspring.mail.properties.mail.smtp.ssl.trust=a.example.org\n";
    let e = ex("spring-boot", t);
    assert!(e.secrets.is_empty(), "a placeholder is not a secret");
    let p = only(e);
    assert!(p.password.is_none());
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(t, &p.security), "TRUE");
    assert_eq!(p.port.as_ref().unwrap().value, 25, "25 with STARTTLS too");
    assert!(
        p.tls_verify.is_none(),
        "trusting one named host keeps checks for others"
    );
    let t = "spring.mail.host=h\nspring.mail.protocol=smtps\nspring.mail.properties.mail.smtp.starttls.enable=true\n";
    let p = only(ex("spring-boot", t));
    assert_eq!(
        p.security.unwrap().value,
        Security::ImplicitTls,
        "smtps stays implicit"
    );
    assert_eq!(p.port.unwrap().value, 465);
    assert!(ex("spring-boot", "server.port=8080\n").profiles.is_empty());
}

#[test]
fn json_sections_match_without_case_for_dotnet_and_nodemailer_defaults_for_ghost() {
    let t = "{\"emailsettings\": {\"HOST\": \"h.example.org\", \"port\": \"465\", \"enableSSL\": true, \"Credentials\": {\"Password\": \"pw123456\"}}}";
    let e = ex("dotnet", t);
    assert_eq!(texts(t, &e.secrets), ["pw123456"]);
    let p = only(e);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(t, &p.port), "465");
    let t = "{\"mail\": {\"options\": {\"host\": \"h\", \"secure\": true}}}";
    let p = only(ex("ghost", t));
    assert_eq!(p.security.unwrap().value, Security::ImplicitTls);
    assert_eq!(p.port.unwrap().value, 465);
    let t = "{\"mail\": {\"transport\": \"Direct\", \"options\": {\"host\": \"h\"}}}";
    assert!(ex("ghost", t).profiles.is_empty());
}

#[test]
fn home_assistant_reads_only_smtp_platforms_and_secret_tags_are_references() {
    let t = "notify:\n  - platform: pushover\n    api_key: abcdefgh12345\n  - name: mail\n    platform: smtp\n    server: smtp.example.org\n    encryption: tls\n    username: u\n    password: !secret smtp_password\n    sender: a@example.org\n    verify_ssl: 'off'\n  - platform: smtp\n    server: b.example.org\n    password: 12345678\n";
    let e = ex("home-assistant", t);
    assert_eq!(e.profiles.len(), 2, "the pushover entry is not SMTP");
    assert_eq!(texts(t, &e.secrets), ["abcdefgh12345", "12345678"]);
    let p = &e.profiles[0];
    assert!(p.password.is_none(), "`!secret` is a reference");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    // 587 whatever the encryption: Home Assistant's one default port.
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(at(t, &p.tls_verify), "off");
    assert!(!p.tls_verify.as_ref().unwrap().value);
    let q = &e.profiles[1];
    assert_eq!(
        q.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(t, &q.password), "12345678");
}

#[test]
fn spring_boot_yaml_reads_as_its_properties() {
    let yml = "spring:\n  mail:\n    host: smtp.example.org\n    port: 465\n    password: 123456\n    properties:\n      \"[mail.smtp.ssl.enable]\": yes\n";
    let e = extract_as("spring-boot", Syntax::Yaml, FileId(0), yml);
    check_spans(yml, &e);
    assert_eq!(texts(yml, &e.secrets), ["123456"]);
    let p = only(e);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(yml, &p.security), "yes");
    assert_eq!(p.port.as_ref().unwrap().value, 465);
}

#[test]
fn a_numeric_password_is_a_secret_like_a_string() {
    let text = "{\"Smtp\": {\"Host\": \"mail.example.org\", \"Port\": 587, \"EnableSsl\": true,\n  \"UserName\": \"shop@example.org\", \"Password\": 73519046}}\n";
    let e = ex("dotnet", text);
    assert_eq!(e.profiles.len(), 1);
    let pw = e.profiles[0]
        .password
        .as_ref()
        .expect("the number is the password");
    assert_eq!(&text[pw.loc.span.clone()], "73519046");
}

#[test]
fn home_assistant_without_server_connects_to_localhost() {
    let t = "notify:\n  - name: mail\n    platform: smtp\n    sender: a@example.org\n    recipient: b@example.org\n";
    let p = only(ex("home-assistant", t));
    let host = p.host.as_ref().unwrap();
    assert_eq!(host.value, "localhost");
    assert!(matches!(host.origin, Origin::Default { .. }));
    assert_eq!(p.port.as_ref().unwrap().value, 587);
}

#[test]
fn spring_yaml_documents_are_profiles_over_the_default_one() {
    let yml = "base: &m\n  host: smtp.example.org\nspring:\n  mail:\n    <<: *m\n    port: 587\n    properties.mail.smtp.starttls.required: true\n---\nspring:\n  config:\n    activate:\n      on-profile: prod\n  mail:\n    port: 465\n---\nspring:\n  profiles: dev\n  mail:\n    host: localhost\n---\nother: 1\n---\nspring.config.activate.on-profile: test\nspring.datasource.url: x\n";
    let e = extract_as("spring-boot", Syntax::Yaml, FileId(0), yml);
    check_spans(yml, &e);
    let labels: Vec<&str> = e.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "spring.mail.*",
            "spring.mail.* (profile prod)",
            "spring.mail.* (profile dev)"
        ]
    );
    // The default document's host (through the merge key) and TLS reach the profiles.
    let prod = &e.profiles[1];
    assert_eq!(at(yml, &prod.host), "smtp.example.org");
    assert_eq!(at(yml, &prod.port), "465");
    assert_eq!(
        prod.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(yml, &e.profiles[2].host), "localhost");
    assert_eq!(at(yml, &e.profiles[0].port), "587");
    // One document: as before, one profile.
    let one = "spring:\n  mail:\n    host: h\n";
    let e = extract_as("spring-boot", Syntax::Yaml, FileId(0), one);
    assert_eq!(e.profiles.len(), 1);
}
