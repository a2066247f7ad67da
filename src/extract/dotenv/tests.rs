use super::*;
use crate::finding::Severity;
use crate::model::{AuthMethod, Client, Origin, Profile, Security};

const F: FileId = FileId(0);

fn ex(text: &str) -> Extraction {
    extract(F, text)
}

fn at<'a>(text: &'a str, loc: &Loc) -> &'a str {
    &text[loc.span.clone()]
}

fn env<'a>(x: &'a Extraction, name: &str) -> &'a EnvDef {
    x.env
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn codes(x: &Extraction) -> Vec<(&str, Severity)> {
    x.findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect()
}

fn profile(x: &Extraction, client: Client) -> &Profile {
    x.profiles
        .iter()
        .find(|p| p.client == client)
        .unwrap_or_else(|| panic!("no {client:?} profile in {:?}", x.profiles))
}

fn sec(p: &Profile) -> Option<Security> {
    p.security.as_ref().map(|s| s.value)
}

// ---- parser ----

#[test]
fn quoting_forms_and_exact_spans() {
    let t = "A=plain value\nB='lit \\n $X'\nC=\"esc \\\"q\\\" \\\\ \\$X \\n end\"\nD=`tick`\n\
             E = spaced \nexport F=exported\nG=\nH=\"\"\n";
    let x = ex(t);
    let a = env(&x, "A");
    assert_eq!(
        (a.value.as_str(), at(t, &a.loc)),
        ("plain value", "plain value")
    );
    let b = env(&x, "B");
    assert_eq!(b.value, "lit \\n $X");
    assert_eq!(at(t, &b.loc), "lit \\n $X");
    let c = env(&x, "C");
    assert_eq!(c.value, "esc \"q\" \\ $X \n end");
    assert_eq!(at(t, &c.loc), "esc \\\"q\\\" \\\\ \\$X \\n end");
    assert_eq!(at(t, &env(&x, "D").loc), "tick");
    let e = env(&x, "E");
    assert_eq!((e.value.as_str(), at(t, &e.loc)), ("spaced", "spaced"));
    assert_eq!(env(&x, "F").value, "exported");
    let g = env(&x, "G");
    assert_eq!((g.value.as_str(), g.loc.span.len()), ("", 0));
    assert_eq!(env(&x, "H").value, "");
    assert!(x.findings.is_empty(), "{:?}", x.findings);
}

#[test]
fn crlf_and_bom() {
    let t = "\u{feff}MAIL_HOST=smtp.mail.me.com\r\nMAIL_PORT=587\r\n# c\r\nX=\"a\r\nb\"\r\n";
    let x = ex(t);
    let h = env(&x, "MAIL_HOST");
    assert_eq!(at(t, &h.loc), "smtp.mail.me.com");
    assert_eq!(h.loc.span.start, 3 + "MAIL_HOST=".len());
    assert_eq!(at(t, &env(&x, "MAIL_PORT").loc), "587");
    assert_eq!(env(&x, "X").value, "a\nb");
    assert!(x.findings.is_empty(), "{:?}", x.findings);
}

#[test]
fn multiline_double_quotes() {
    let t = "K=\"line1\nline2\"\nNEXT=1\n";
    let x = ex(t);
    assert_eq!(env(&x, "K").value, "line1\nline2");
    assert_eq!(at(t, &env(&x, "K").loc), "line1\nline2");
    assert_eq!(env(&x, "NEXT").value, "1");
}

#[test]
fn unquoted_hash_cuts_and_warns_without_leaking() {
    let t = "MAIL_PASSWORD=abc#123\nOK=fine # a comment\nE=#x\n";
    let x = ex(t);
    let p = env(&x, "MAIL_PASSWORD");
    assert_eq!(p.value, "abc");
    assert_eq!(at(t, &p.loc), "abc");
    assert_eq!(env(&x, "OK").value, "fine");
    assert_eq!(env(&x, "E").value, "");
    let warns: Vec<_> = x
        .findings
        .iter()
        .filter(|f| f.code == "invalid-value")
        .collect();
    assert_eq!(warns.len(), 2);
    assert_eq!(warns[0].severity, Severity::Warning);
    assert_eq!(at(t, warns[0].primary()), "abc");
    assert_eq!(at(t, warns[1].primary()), "#");
    for f in &x.findings {
        let all = format!("{} {:?} {:?}", f.message, f.help, f.labels);
        assert!(!all.contains("123"), "secret leaked: {all}");
    }
    // The cut-off part is masked with the rest.
    assert!(x.secrets.iter().any(|r| &t[r.clone()] == "abc#123"));
}

#[test]
fn duplicate_keys_later_wins() {
    let t = "MAIL_HOST=first.example\nMAIL_HOST=second.example\nMAIL_MAILER=smtp\n";
    let x = ex(t);
    let hosts: Vec<_> = x.env.iter().filter(|d| d.name == "MAIL_HOST").collect();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].value, "second.example");
    assert_eq!(hosts[0].loc.span.start, t.find("second").unwrap());
    let p = profile(&x, Client::Laravel);
    assert_eq!(at(t, &p.host.as_ref().unwrap().loc), "second.example");
}

#[test]
fn unterminated_quote_reports_and_continues() {
    let t = "A=ok\nMAIL_PASSWORD=\"abc\nB=also\n";
    let x = ex(t);
    // The double quote never closes: error at the opening quote, the next line is parsed.
    let f = x.findings.iter().find(|f| f.code == "parse-error").unwrap();
    assert_eq!(at(t, f.primary()), "\"");
    assert_eq!(f.primary().span.start, t.find('"').unwrap());
    assert!(x.env.iter().all(|d| d.name != "MAIL_PASSWORD"));
    assert_eq!(env(&x, "B").value, "also");
    assert!(x.secrets.iter().any(|r| &t[r.clone()] == "abc"));
}

#[test]
fn line_without_equals_and_bad_names() {
    let t = "GOOD=1\nthis is not an assignment # note\nBAD KEY=2\nSMTP_PASSWORD hunter2\nLAST=3\n";
    let x = ex(t);
    let errs: Vec<_> = x
        .findings
        .iter()
        .filter(|f| f.code == "parse-error")
        .map(|f| at(t, f.primary()))
        .collect();
    assert_eq!(
        errs,
        [
            "this is not an assignment",
            "BAD KEY",
            "SMTP_PASSWORD hunter2"
        ]
    );
    assert_eq!(env(&x, "LAST").value, "3");
    assert!(x.secrets.iter().any(|r| &t[r.clone()] == "hunter2"));
}

#[test]
fn junk_after_closing_quote() {
    let t = "A=\"x\"y\nB='z' # fine\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("parse-error", Severity::Error)]);
    assert_eq!(at(t, x.findings[0].primary()), "y");
    assert_eq!(env(&x, "A").value, "x");
    assert_eq!(env(&x, "B").value, "z");
}

#[test]
fn references_expand_from_above() {
    let t = "USER=me@icloud.com\nMAIL_MAILER=smtp\nMAIL_USERNAME=${USER}\n\
             MAIL_FROM_ADDRESS=\"${USER}\"\nMAIL_HOST=${UNDEFINED}\nMAIL_PASSWORD=${SECRET}\n";
    let x = ex(t);
    let p = profile(&x, Client::Laravel);
    let u = p.username.as_ref().unwrap();
    assert_eq!(u.value, "me@icloud.com");
    assert_eq!(at(t, &u.loc), "${USER}");
    assert_eq!(p.from[0].value, "me@icloud.com");
    assert!(p.host.is_none(), "unresolved reference must stay unknown");
    assert!(
        p.password.is_none(),
        "a reference is not a literal password"
    );
    assert_eq!(env(&x, "MAIL_USERNAME").value, "${USER}");
}

#[test]
fn expansion_cannot_blow_up() {
    let mut t = String::from("A0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    for i in 1..80 {
        t.push_str(&format!("A{i}=${{A{0}}}${{A{0}}}\n", i - 1));
    }
    let x = ex(&t);
    assert_eq!(x.env.len(), 80);
}

#[test]
fn secrets_cover_secret_keys_and_url_passwords() {
    let t = "APP_KEY=base64:abc\nDB_URL=postgres://u:dbpw@db/x\nSTRIPE_SECRET='sk'\nHOST=x\n";
    let x = ex(t);
    let masked: Vec<_> = x.secrets.iter().map(|r| &t[r.clone()]).collect();
    assert!(masked.contains(&"base64:abc"));
    assert!(masked.contains(&"dbpw"));
    assert!(masked.contains(&"sk"));
    assert!(!masked.contains(&"x"));
    // A URL anywhere in a value, not only at its start.
    let t = "BROKER=\"amqp fallback=amqps://guest:brokerpw@mq:5671\"\n";
    let x = ex(t);
    let masked: Vec<_> = x.secrets.iter().map(|r| &t[r.clone()]).collect();
    assert_eq!(masked, ["brokerpw"]);
}

// ---- Laravel ----

#[test]
fn laravel_587_is_opportunistic_by_default() {
    let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\n\
             MAIL_USERNAME=me@icloud.com\nMAIL_PASSWORD=abcd-efgh-ijkl-mnop\n\
             MAIL_ENCRYPTION=tls\nMAIL_FROM_ADDRESS=\"me@icloud.com\"\n";
    let x = ex(t);
    assert!(x.findings.is_empty(), "{:?}", x.findings);
    let p = profile(&x, Client::Laravel);
    assert_eq!(p.label, "MAIL_*");
    assert_eq!(at(t, &p.anchor), "MAIL_MAILER");
    assert_eq!(at(t, &p.host.as_ref().unwrap().loc), "smtp.mail.me.com");
    let port = p.port.as_ref().unwrap();
    assert_eq!((port.value, at(t, &port.loc)), (587, "587"));
    let s = p.security.as_ref().unwrap();
    assert_eq!(s.value, Security::StartTls { required: false });
    assert!(s.is_default());
    assert_eq!(at(t, &s.loc), "587");
    let pw = p.password.as_ref().unwrap();
    assert_eq!(pw.value.expose(), "abcd-efgh-ijkl-mnop");
    assert_eq!(pw.origin, Origin::Literal);
    assert_eq!(at(t, &pw.loc), "abcd-efgh-ijkl-mnop");
    assert_eq!(at(t, &p.from[0].loc), "me@icloud.com");
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
    assert!(x
        .secrets
        .iter()
        .any(|r| &t[r.clone()] == "abcd-efgh-ijkl-mnop"));
}

#[test]
fn laravel_465_is_implicit_and_tls_encryption_warns() {
    let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.gmail.com\nMAIL_PORT=465\nMAIL_ENCRYPTION=tls\n";
    let x = ex(t);
    let p = profile(&x, Client::Laravel);
    assert_eq!(sec(p), Some(Security::ImplicitTls));
    assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(t, x.findings[0].primary()), "tls");
    assert!(x.findings[0].message.contains("implicit TLS"));
}

#[test]
fn laravel_ssl_encryption_on_587_warns() {
    let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.gmail.com\nMAIL_PORT=587\nMAIL_ENCRYPTION=ssl\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(t, x.findings[0].primary()), "ssl");
    assert!(x.findings[0].message.contains("opportunistic STARTTLS"));
    assert_eq!(
        sec(profile(&x, Client::Laravel)),
        Some(Security::StartTls { required: false })
    );
}

#[test]
fn laravel_scheme() {
    let base = "MAIL_MAILER=smtp\nMAIL_HOST=h\nMAIL_PORT=587\n";
    let t = format!("{base}MAIL_SCHEME=smtps\n");
    let x = ex(&t);
    let s = profile(&x, Client::Laravel).security.clone().unwrap();
    assert_eq!(s.value, Security::ImplicitTls);
    assert_eq!(at(&t, &s.loc), "smtps");
    assert!(!s.is_default());

    let t = format!("{base}MAIL_SCHEME=smtp\n");
    let x = ex(&t);
    let s = profile(&x, Client::Laravel).security.clone().unwrap();
    assert_eq!(s.value, Security::StartTls { required: false });
    assert_eq!(at(&t, &s.loc), "smtp");

    let t = "MAIL_MAILER=smtp\nMAIL_PORT=465\nMAIL_SCHEME=smtp\n";
    let x = ex(t);
    assert_eq!(
        sec(profile(&x, Client::Laravel)),
        Some(Security::ImplicitTls)
    );

    let t = format!("{base}MAIL_SCHEME=null\n");
    let x = ex(&t);
    assert_eq!(
        sec(profile(&x, Client::Laravel)),
        Some(Security::StartTls { required: false })
    );

    let t = format!("{base}MAIL_SCHEME=tls\n");
    let x = ex(&t);
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    assert_eq!(at(&t, x.findings[0].primary()), "tls");
    assert_eq!(sec(profile(&x, Client::Laravel)), None);
}

#[test]
fn laravel_mailer_other_than_smtp_means_no_profile() {
    let x = ex("MAIL_MAILER=log\nMAIL_HOST=127.0.0.1\nMAIL_PORT=2525\n");
    assert!(x.profiles.is_empty());
    assert!(x.findings.is_empty());
    let t = "MAIL_MAILER=SMTP\nMAIL_HOST=h\n";
    let x = ex(t);
    assert!(x.profiles.is_empty());
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    assert_eq!(at(t, x.findings[0].primary()), "SMTP");
}

#[test]
fn laravel_null_strings() {
    let t = "MAIL_MAILER=smtp\nMAIL_HOST=mailpit\nMAIL_PORT=1025\nMAIL_USERNAME=null\n\
             MAIL_PASSWORD=(null)\nMAIL_ENCRYPTION=null\n";
    let x = ex(t);
    let p = profile(&x, Client::Laravel);
    assert!(p.username.is_none() && p.password.is_none());
    let a = p.auth.as_ref().unwrap();
    assert_eq!(a.value, AuthMethod::None);
    assert!(!p.sends_credentials());
    assert!(x.findings.is_empty());
}

#[test]
fn laravel_url_with_spans() {
    let t = "MAIL_MAILER=smtp\nMAIL_URL=\"smtp://me%40icloud.com:abcd-efgh-ijkl-mnop@smtp.mail.me.com:587?require_tls=true&verify_peer=0\"\nMAIL_HOST=ignored.example\n";
    let x = ex(t);
    assert!(x.findings.is_empty(), "{:?}", x.findings);
    let p = profile(&x, Client::Laravel);
    let u = p.username.as_ref().unwrap();
    assert_eq!(u.value, "me@icloud.com");
    assert_eq!(at(t, &u.loc), "me%40icloud.com");
    let pw = p.password.as_ref().unwrap();
    assert_eq!(at(t, &pw.loc), "abcd-efgh-ijkl-mnop");
    assert_eq!(pw.value.expose(), "abcd-efgh-ijkl-mnop");
    let h = p.host.as_ref().unwrap();
    assert_eq!(
        (h.value.as_str(), at(t, &h.loc)),
        ("smtp.mail.me.com", "smtp.mail.me.com")
    );
    assert_eq!(at(t, &p.port.as_ref().unwrap().loc), "587");
    let s = p.security.as_ref().unwrap();
    assert_eq!(s.value, Security::StartTls { required: true });
    assert_eq!(at(t, &s.loc), "true");
    assert!(t[s.loc.span.start - "require_tls=".len()..].starts_with("require_tls=true"));
    let v = p.tls_verify.as_ref().unwrap();
    assert_eq!((v.value, at(t, &v.loc)), (false, "0"));
    assert!(x
        .secrets
        .iter()
        .any(|r| &t[r.clone()] == "abcd-efgh-ijkl-mnop"));
}

#[test]
fn laravel_url_port_falls_back_and_smtps_fails() {
    let t = "MAIL_MAILER=smtp\nMAIL_PORT=465\nMAIL_URL=smtp://u:p@smtp.example.com\n";
    let x = ex(t);
    let p = profile(&x, Client::Laravel);
    assert_eq!(at(t, &p.port.as_ref().unwrap().loc), "465");
    assert_eq!(sec(p), Some(Security::ImplicitTls));

    let t = "MAIL_URL=smtps://u:p@smtp.example.com:465\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    assert_eq!(at(t, x.findings[0].primary()), "smtps");
    let p = profile(&x, Client::Laravel);
    assert_eq!(sec(p), Some(Security::ImplicitTls));

    // `scheme=smtps` in the query is the working spelling.
    let t = "MAIL_URL=smtp://u:p@smtp.example.com:465?scheme=smtps\n";
    let x = ex(t);
    assert!(x.findings.is_empty());
    assert_eq!(
        at(
            t,
            &profile(&x, Client::Laravel).security.as_ref().unwrap().loc
        ),
        "smtps"
    );
}

#[test]
fn laravel_url_unencoded_password() {
    let t = "MAIL_URL=\"smtp://me:pa#ss@smtp.example.com:587\"\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    let p = profile(&x, Client::Laravel);
    assert_eq!(at(t, &p.password.as_ref().unwrap().loc), "pa#ss");
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.example.com");
    assert!(!x.findings[0].message.contains("pa#ss"));
}

#[test]
fn laravel_auto_tls_off_and_conflict() {
    let t = "MAIL_URL=smtp://h:25?auto_tls=false\n";
    let x = ex(t);
    assert_eq!(sec(profile(&x, Client::Laravel)), Some(Security::None));
    let t = "MAIL_URL=smtp://h:587?auto_tls=false&require_tls=true\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
    assert_eq!(x.findings[0].labels.len(), 2);
}

#[test]
fn laravel_phpdotenv_whitespace_and_escapes() {
    let t = "MAIL_MAILER=smtp\nMAIL_FROM_NAME=My App\nX=\"a\\qb\"\n";
    let x = ex(t);
    let errs: Vec<_> = x
        .findings
        .iter()
        .map(|f| (f.code.as_str(), at(t, f.primary())))
        .collect();
    assert_eq!(errs, [("parse-error", "My App"), ("parse-error", "\\q")]);
    let t = "MAIL_MAILER=smtp\nK='a\nb'\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("parse-error", Severity::Error)]);
    assert_eq!(x.findings[0].primary().span.start, t.find('\'').unwrap());
    // Not a Laravel file: Node and Python read these fine.
    assert!(ex("SMTP_HOST=h\nNAME=My App\n").findings.is_empty());
}

#[test]
fn flask_mail_is_not_laravel() {
    // Flask-Mail's own family: one profile, with Flask-Mail's meaning, none for Laravel.
    let x = ex("MAIL_SERVER=smtp.gmail.com\nMAIL_PORT=587\nMAIL_USE_TLS=True\n");
    assert_eq!(x.profiles.len(), 1);
    let p = &x.profiles[0];
    assert_eq!(
        (p.client, p.label.as_str()),
        (Client::DotenvGeneric, "MAIL_* (Flask-Mail)")
    );
    assert_eq!(sec(p), Some(Security::StartTls { required: true }));
}

// ---- Django ----

#[test]
fn django_defaults_and_tls() {
    let t = "EMAIL_HOST=smtp.gmail.com\nEMAIL_HOST_USER=me@gmail.com\n\
             EMAIL_HOST_PASSWORD=\"abcd efgh ijkl mnop\"\nDEFAULT_FROM_EMAIL=me@gmail.com\n";
    let x = ex(t);
    let p = profile(&x, Client::Django);
    assert_eq!(at(t, &p.anchor), "EMAIL_HOST");
    let port = p.port.as_ref().unwrap();
    assert_eq!(port.value, 25);
    assert!(port.is_default());
    assert_eq!(at(t, &port.loc), "smtp.gmail.com");
    let s = p.security.as_ref().unwrap();
    assert_eq!(s.value, Security::None);
    assert!(s.is_default());
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
    assert_eq!(
        at(t, &p.password.as_ref().unwrap().loc),
        "abcd efgh ijkl mnop"
    );

    let t = "EMAIL_HOST=smtp.gmail.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\n";
    let x = ex(t);
    let s = profile(&x, Client::Django).security.clone().unwrap();
    assert_eq!(s.value, Security::StartTls { required: true });
    assert_eq!(at(t, &s.loc), "True");
    let t = "EMAIL_PORT=465\nEMAIL_USE_SSL=yes\nEMAIL_USE_TLS=\n";
    let x = ex(t);
    assert!(x.findings.is_empty());
    assert_eq!(
        sec(profile(&x, Client::Django)),
        Some(Security::ImplicitTls)
    );
}

#[test]
fn django_both_true_is_an_error_on_both() {
    let t = "EMAIL_HOST=h\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=True\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
    let labels: Vec<_> = x.findings[0]
        .labels
        .iter()
        .map(|l| l.loc.span.start)
        .collect();
    assert_eq!(labels, [t.rfind("True").unwrap(), t.find("True").unwrap()]);
    assert_eq!(sec(profile(&x, Client::Django)), None);
}

#[test]
fn django_false_string_is_silent_without_the_code_that_reads_it() {
    // django-environ and decouple read `False` as false; only settings.py code reading it raw
    // would not, and that code is judged where it reads it (fixtures/python/django).
    let t = "EMAIL_HOST=h\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=False\n";
    let x = ex(t);
    assert_eq!(codes(&x), []);
    assert_eq!(
        sec(profile(&x, Client::Django)),
        Some(Security::StartTls { required: true })
    );
}

#[test]
fn django_non_smtp_backend() {
    let x = ex("EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend\nEMAIL_HOST=h\n");
    assert!(x.profiles.is_empty());
}

// ---- generic ----

#[test]
fn generic_nodemailer_flags() {
    let t = "SMTP_HOST=smtp-mail.outlook.com\nSMTP_PORT=587\nSMTP_SECURE=true\n\
             SMTP_USER=me@outlook.com\nSMTP_PASS=hunter2hunter2\nSMTP_FROM=me@outlook.com\n";
    let x = ex(t);
    assert!(x.findings.is_empty());
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.label, "SMTP_*");
    let s = p.security.as_ref().unwrap();
    assert_eq!((s.value, at(t, &s.loc)), (Security::ImplicitTls, "true"));
    let a = p.auth.as_ref().unwrap();
    assert_eq!(a.value, AuthMethod::Password);
    assert_eq!(at(t, &a.loc), "hunter2hunter2");
    assert_eq!(p.from[0].value, "me@outlook.com");

    let x = ex("SMTP_SERVER=h\nSMTP_SECURE=false\n");
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::StartTls { required: false })
    );
    let x = ex("SMTP_HOST=h\nSMTP_SECURE=false\nSMTP_STARTTLS=true\n");
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::StartTls { required: true })
    );
    let x = ex("SMTP_HOST=h\nSMTP_TLS=true\n");
    assert_eq!(sec(profile(&x, Client::DotenvGeneric)), None);
    let x = ex("SMTP_HOST=h\nSMTP_TLS=true\nSMTP_ENABLE_STARTTLS=never\n");
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::ImplicitTls)
    );
}

#[test]
fn generic_conflict_and_vaultwarden() {
    let t = "SMTP_HOST=h\nSMTP_SSL=true\nSMTP_STARTTLS=true\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
    assert_eq!(x.findings[0].labels.len(), 2);
    assert_eq!(sec(profile(&x, Client::DotenvGeneric)), None);

    let x = ex("SMTP_HOST=h\nSMTP_SECURITY=force_tls\nSMTP_ACCEPT_INVALID_CERTS=true\n");
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(sec(p), Some(Security::ImplicitTls));
    assert!(!p.tls_verify.as_ref().unwrap().value);
    assert_eq!(p.label, "Vaultwarden SMTP_*");
    // Other apps use SMTP_SECURITY with their own words; only Vaultwarden refuses them.
    let x = ex("SMTP_HOST=h\nSMTP_SECURITY=ssl\n");
    assert!(x.findings.is_empty());
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::ImplicitTls)
    );
    let x = ex("SMTP_HOST=h\nSMTP_SECURITY=ssl\nSMTP_ACCEPT_INVALID_HOSTNAMES=false\n");
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
}

#[test]
fn app_families_and_their_defaults() {
    // Vaultwarden: starttls and port 587 when unset.
    let t = "SMTP_HOST=smtp.example.org\nSMTP_FROM=vw@example.org\nSMTP_FROM_NAME=Vault\n";
    let x = ex(t);
    assert_eq!(x.profiles.len(), 1);
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(sec(p), Some(Security::StartTls { required: true }));
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    // Mastodon: SMTP_SERVER with SMTP_LOGIN; no TLS key means opportunistic STARTTLS, port 25.
    let t = "LOCAL_DOMAIN=example.org\nSMTP_SERVER=smtp.example.org\nSMTP_LOGIN=m\n\
             SMTP_PASSWORD=pw-pw-pw-pw\nSMTP_HOST=ignored\n";
    let x = ex(t);
    assert_eq!(x.profiles.len(), 1);
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.label, "Mastodon SMTP_*");
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.example.org");
    assert_eq!(sec(p), Some(Security::StartTls { required: false }));
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    // SMTP_TLS is implicit TLS for Mastodon, and only for the exact string `true`.
    let x = ex("SMTP_SERVER=h\nSMTP_LOGIN=m\nSMTP_TLS=True\n");
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::StartTls { required: false })
    );
    // Paperless-ngx: Django's flags, read with its own words (`on` is false).
    let t = "PAPERLESS_EMAIL_HOST=smtp.example.org\nPAPERLESS_EMAIL_USE_TLS=on\n";
    let x = ex(t);
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.label, "PAPERLESS_EMAIL_*");
    assert_eq!(sec(p), Some(Security::None));
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
    // authentik: both flags on is refused.
    let t =
        "AUTHENTIK_EMAIL__HOST=h\nAUTHENTIK_EMAIL__USE_TLS=true\nAUTHENTIK_EMAIL__USE_SSL=true\n";
    let x = ex(t);
    assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
    // A prefixed generic family beside the plain one.
    let t = "SMTP_HOST=a\nSMTP_SECURE=true\nNOTIFY_SMTP_HOST=b\nNOTIFY_SMTP_PORT=587\n";
    let x = ex(t);
    let labels: Vec<_> = x.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["SMTP_*", "NOTIFY_SMTP_*"]);
    // Grafana's GF_SMTP_HOST is not a generic family: it is Grafana's own override.
    let x = ex("GF_SMTP_HOST=h:587\n");
    let labels: Vec<_> = x.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["GF_SMTP_*"]);
    assert_eq!(x.profiles[0].client, Client::Defined("grafana"));
    // Grafana skips an empty override; GF_SMTP_ENABLED=false switches the variables off.
    assert!(ex("GF_SMTP_HOST=\n").profiles.is_empty());
    assert!(ex("GF_SMTP_ENABLED=false\nGF_SMTP_HOST=h:587\n")
        .profiles
        .is_empty());
    // Mastodon's bulk mailer is a second Mastodon profile, not a generic BULK_SMTP_* one.
    let t = "SMTP_SERVER=a\nSMTP_LOGIN=m\nSMTP_FROM_ADDRESS=n@a\nBULK_SMTP_SERVER=b\nBULK_SMTP_TLS=true\n";
    let x = ex(t);
    let labels: Vec<_> = x.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["Mastodon SMTP_*", "Mastodon BULK_SMTP_*"]);
    let bulk = &x.profiles[1];
    assert_eq!(sec(bulk), Some(Security::ImplicitTls));
    assert_eq!(bulk.port.as_ref().unwrap().value, 25);
    assert_eq!(bulk.from[0].value, "n@a");
    // Without BULK_SMTP_SERVER the bulk keys are unused (Mastodon falls back to the main mailer).
    let x = ex("SMTP_SERVER=a\nSMTP_LOGIN=m\nBULK_SMTP_PORT=465\n");
    assert_eq!(x.profiles.len(), 1);
    // SMTP_ENABLE_STARTTLS=false is `never`; an unknown word falls back to the _AUTO key.
    let x = ex("SMTP_SERVER=a\nSMTP_LOGIN=m\nSMTP_ENABLE_STARTTLS=false\n");
    assert_eq!(sec(&x.profiles[0]), Some(Security::None));
    let t =
        "SMTP_SERVER=a\nSMTP_LOGIN=m\nSMTP_ENABLE_STARTTLS=yes\nSMTP_ENABLE_STARTTLS_AUTO=false\n";
    let x = ex(t);
    assert_eq!(sec(&x.profiles[0]), Some(Security::None));
    assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
    // Another delivery method: no SMTP profile.
    assert!(
        ex("SMTP_DELIVERY_METHOD=sendmail\nSMTP_SERVER=a\nSMTP_LOGIN=m\n")
            .profiles
            .is_empty()
    );
    // Generic SMTP_SECURE mode words: understood, and `tls` (ambiguous) is not a wrong boolean.
    let x = ex("SMTP_HOST=h\nSMTP_SECURE=ssl\n");
    assert_eq!(sec(&x.profiles[0]), Some(Security::ImplicitTls));
    let x = ex("SMTP_HOST=h\nSMTP_SECURE=starttls\n");
    assert_eq!(
        sec(&x.profiles[0]),
        Some(Security::StartTls { required: true })
    );
    let x = ex("SMTP_HOST=h\nSMTP_SECURE=tls\n");
    assert_eq!(sec(&x.profiles[0]), None);
    assert!(x.findings.is_empty());
    let x = ex("SMTP_HOST=h\nSMTP_SECURE=maybe\n");
    assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
}

#[test]
fn invalid_ports() {
    for (t, bad) in [
        ("SMTP_HOST=h\nSMTP_PORT=99999\n", "99999"),
        ("SMTP_HOST=h\nSMTP_PORT=0\n", "0"),
        ("EMAIL_HOST=h\nEMAIL_PORT=abc\n", "abc"),
        ("MAIL_MAILER=smtp\nMAIL_PORT=58 7\n", "58 7"),
    ] {
        let x = ex(t);
        let f = x
            .findings
            .iter()
            .find(|f| f.code == "invalid-value")
            .unwrap_or_else(|| panic!("{t}"));
        assert_eq!(at(t, f.primary()), bad);
        assert!(x.profiles[0].port.is_none());
    }
}

#[test]
fn families_side_by_side() {
    let t = "SMTP_HOST=a\nMAIL_MAILER=smtp\nMAIL_HOST=b\nEMAIL_HOST=c\n";
    let x = ex(t);
    let clients: Vec<_> = x.profiles.iter().map(|p| p.client).collect();
    assert_eq!(
        clients,
        [Client::DotenvGeneric, Client::Laravel, Client::Django]
    );
}

// ---- fixtures: the findings this extractor owns must match the `expect:` markers ----

fn fixtures() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dotenv");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            out.push((name, text));
        }
    }
    out.sort();
    out
}

#[test]
fn fixtures_match_extractor_expectations() {
    const OWN: &[&str] = &["parse-error", "invalid-value", "conflicting-settings"];
    let all = fixtures();
    assert!(all.len() >= 7, "fixtures/dotenv is missing files");
    for (name, text) in &all {
        let mut expected: Vec<(usize, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if let Some((_, codes)) = line.split_once("expect:") {
                for c in codes.split(',').map(str::trim) {
                    if OWN.contains(&c) {
                        expected.push((i + 1, c.to_string()));
                    }
                }
            }
        }
        let x = ex(text);
        let mut got: Vec<(usize, String)> = x
            .findings
            .iter()
            .map(|f| {
                let line = text[..f.primary().span.start].matches('\n').count() + 1;
                (line, f.code.clone())
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{name}");
        if name.contains(".good.") {
            assert!(x.findings.is_empty(), "{name}");
        }
        assert!(!x.profiles.is_empty(), "{name} yields no profile");
    }
}

#[test]
fn crlf_fixture_reads_as_meant() {
    let (_, t) = fixtures()
        .into_iter()
        .find(|(n, _)| n == "quoting-crlf.good.env")
        .unwrap();
    assert!(t.starts_with('\u{feff}') && t.contains("\r\n"));
    let x = ex(&t);
    let p = profile(&x, Client::Laravel);
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
    assert_eq!(at(&t, &p.port.as_ref().unwrap().loc), "465");
    assert_eq!(sec(p), Some(Security::ImplicitTls));
    assert_eq!(p.username.as_ref().unwrap().value, "jane.doe@gmail.com");
    assert_eq!(p.from[0].value, "jane.doe@gmail.com");
    assert_eq!(env(&x, "APP_NAME").value, "Jane's Bakery");
    assert_eq!(
        env(&x, "APP_KEY").value,
        "base64:Zm9vYmFyIzEyMw==#not-a-comment"
    );
    assert_eq!(
        env(&x, "MAIL_SIGNATURE").value,
        "Kind regards,\nJane \"the baker\" Doe"
    );
    let pw = p.password.as_ref().unwrap();
    assert_eq!(at(&t, &pw.loc), "abcd efgh ijkl mnop");
}

// ---- robustness ----

fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn check_spans(text: &str, x: &Extraction) {
    for f in &x.findings {
        for l in &f.labels {
            assert!(text.get(l.loc.span.clone()).is_some(), "{f:?}");
        }
    }
    for r in &x.secrets {
        assert!(text.get(r.clone()).is_some());
    }
    for d in &x.env {
        assert!(text.get(d.loc.span.clone()).is_some());
    }
}

#[test]
fn nasty_input_never_panics() {
    let nasty = [
        "",
        "\u{feff}",
        "=",
        "==\n=",
        "\"",
        "A=\"",
        "A='",
        "A=`",
        "A=\"\\",
        "A=\"\\\u{e9}\"",
        "A=\"\\\u{1F600}",
        "A=${",
        "A=${}",
        "A=\"${B\"",
        "export",
        "export ",
        "export A",
        "#\n#=\n",
        "A=#",
        "A=a#",
        "\r\r\r\n\r",
        "MAIL_URL=://",
        "MAIL_URL=smtp://",
        "MAIL_URL=smtp://@",
        "MAIL_URL=smtp://[::1",
        "MAIL_URL=smtp://u:p@[::1]:",
        "MAIL_URL=smtp://h?&&=&a==b#",
        "MAIL_URL=smtp://a:b/c@d?e=%zz%4",
        "MAIL_URL=smtp://a:%",
        "SMTP_PASSWORD=\u{0}\u{1}",
        "K=\u{e9}#\u{e9}",
        "MAIL_MAILER=smtp\nMAIL_PORT=\u{660}",
    ];
    for t in nasty {
        let x = ex(t);
        check_spans(t, &x);
    }
    let long = format!("A={}\nB=\"{}", "x".repeat(200_000), "\\\"\n".repeat(50_000));
    check_spans(&long, &ex(&long));
}

#[test]
fn fuzz_random_bytes_and_fixture_slices() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let alphabet = b"AZ_=#\"'`\\${}\n\r \t:/@?&%.0169smtpMAIL_EMAIL_SMTP_\xc3\xa9";
    for _ in 0..3000 {
        let len = (rng(&mut seed) % 64) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng(&mut seed) % alphabet.len() as u64) as usize])
            .collect();
        let t = String::from_utf8_lossy(&bytes);
        check_spans(&t, &ex(&t));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dotenv");
    let mut texts = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if let Ok(s) = std::fs::read_to_string(e.path()) {
                texts.push(s);
            }
        }
    }
    for t in &texts {
        check_spans(t, &ex(t));
        for _ in 0..300 {
            let a = (rng(&mut seed) as usize) % (t.len() + 1);
            let b = (rng(&mut seed) as usize) % (t.len() + 1);
            let (a, b) = (a.min(b), a.max(b));
            if let Some(s) = t.get(a..b) {
                check_spans(s, &ex(s));
            }
        }
    }
}

#[test]
fn url_variables_and_their_spans() {
    // MAILER_DSN: each part at its own span, the password masked, a raw `#` reported at itself.
    let t = "MAILER_DSN=\"smtp://app:pa#ss@relay.example.org:587?verify_peer=0\"\n";
    let x = ex(t);
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.label, "MAILER_DSN");
    assert_eq!(at(t, &p.host.as_ref().unwrap().loc), "relay.example.org");
    assert_eq!(at(t, &p.port.as_ref().unwrap().loc), "587");
    assert_eq!(at(t, &p.tls_verify.as_ref().unwrap().loc), "0");
    assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    assert_eq!(at(t, x.findings[0].primary()), "#");
    assert!(!x.findings[0].message.contains("pa#ss"));
    assert!(x.secrets.iter().any(|r| &t[r.clone()] == "pa#ss"));
    // smtp:// without a port: Symfony Mailer picks implicit TLS on 465 (not for localhost).
    let x = ex("MAILER_DSN=smtp://relay.example.org\n");
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(
        (p.port.as_ref().unwrap().value, sec(p)),
        (465, Some(Security::ImplicitTls))
    );
    let x = ex("MAILER_DSN=smtp://localhost\n");
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    // auto_tls=false switches TLS off even on 465.
    let x = ex("MAILER_DSN=smtp://relay.example.org:465?auto_tls=false\n");
    assert_eq!(
        sec(profile(&x, Client::DotenvGeneric)),
        Some(Security::None)
    );
    // null:// gives no profile.
    assert!(ex("MAILER_DSN=null://null\n").profiles.is_empty());

    // EMAIL_URL replaces the EMAIL_* profile; smtp+ssl is implicit TLS on 465 by default.
    let x = ex("EMAIL_URL=smtp+ssl://u:p@relay.example.org\nEMAIL_HOST=other\n");
    assert_eq!(x.profiles.len(), 1);
    let p = profile(&x, Client::Django);
    assert_eq!(p.label, "EMAIL_URL");
    assert_eq!(
        (p.port.as_ref().unwrap().value, sec(p)),
        (465, Some(Security::ImplicitTls))
    );
    let x = ex("EMAIL_URL=submission://u:p@relay.example.org\n");
    let p = profile(&x, Client::Django);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(sec(p), Some(Security::StartTls { required: true }));
    let x = ex("EMAIL_URL=smtp://u:p@relay.example.org:465?ssl=True\n");
    assert_eq!(
        sec(profile(&x, Client::Django)),
        Some(Security::ImplicitTls)
    );

    // A generic URL only when the value is one; a bare host in EMAIL_SERVER is not reported.
    let x = ex("EMAIL_SERVER=smtp.example.org\n");
    assert!(x.findings.is_empty() && x.profiles.is_empty());
    let x = ex("SMTP_URL=smtp://u:p@relay.example.org?requireTLS=true\nSMTP_HOST=other\n");
    assert_eq!(x.profiles.len(), 1);
    let p = profile(&x, Client::DotenvGeneric);
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(sec(p), Some(Security::StartTls { required: true }));
}
