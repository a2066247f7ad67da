use super::*;
use crate::extract::syntax::testing::{self, at, check_spans, codes, only};
use crate::finding::Severity;
use crate::model::{AuthMethod, Client, Profile, Security};
use crate::model::{EnvRef, FieldValue, Origin};

const F: FileId = FileId(0);

fn ex(src: &str) -> Extraction {
    let e = extract(F, src);
    check_spans(src, &e);
    e
}

fn one(src: &str) -> Profile {
    only(ex(src))
}

fn env<'p>(p: &'p Profile, var: &str) -> &'p EnvRef {
    p.env_refs
        .iter()
        .find(|r| r.var == var)
        .unwrap_or_else(|| panic!("no env ref {var}: {:#?}", p.env_refs))
}

const SEED: &str = r#"import smtplib
from email.mime.text import MIMEText

smtp_server = "smtp.mail.me.com"
port = 587
sender = "jane@icloud.com"
app_password = "abcdefghijklmnop"

msg = MIMEText("Hello.")
msg["From"] = sender
msg["To"] = "bob@example.com"

with smtplib.SMTP(smtp_server, port) as server:
    server.ehlo()
    server.starttls()
    server.login(sender, app_password)
    server.sendmail(sender, "bob@example.com", msg.as_string())
"#;

#[test]
fn smtplib_with_block_and_names() {
    let e = ex(SEED);
    assert_eq!(e.profiles.len(), 1);
    let p = &e.profiles[0];
    assert_eq!(p.client, Client::PythonSmtplib);
    assert_eq!(p.label, "server");
    assert_eq!(at(SEED, &p.host), "smtp.mail.me.com");
    assert_eq!(at(SEED, &p.port), "587");
    let sec = p.security.as_ref().unwrap();
    assert_eq!(sec.value, Security::StartTls { required: true });
    assert_eq!(at(SEED, &p.security), "starttls");
    // No context: smtplib checks no certificate.
    let v = p.tls_verify.as_ref().unwrap();
    assert!(!v.value && v.is_default());
    assert_eq!(at(SEED, &p.tls_verify), "starttls");
    assert_eq!(at(SEED, &p.username), "jane@icloud.com");
    assert_eq!(
        p.password.as_ref().unwrap().value.expose(),
        "abcdefghijklmnop"
    );
    assert_eq!(at(SEED, &p.password), "abcdefghijklmnop");
    assert_eq!(at(SEED, &p.auth), "login");
    // The envelope sender and the From header are the same literal: one entry.
    let froms: Vec<&str> = p.from.iter().map(|f| &SEED[f.loc.span.clone()]).collect();
    assert_eq!(froms, ["jane@icloud.com"]);
    assert!(e
        .secrets
        .iter()
        .any(|s| &SEED[s.clone()] == "abcdefghijklmnop"));
}

#[test]
fn ssl_plain_defaults_and_host_colon_port() {
    let src =
        "import smtplib\ns = smtplib.SMTP_SSL('smtp.gmail.com', 587)\ns.login('a@gmail.com', pw)";
    let p = one(src);
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.security), "smtplib.SMTP_SSL");
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(at(src, &p.tls_verify), "smtplib.SMTP_SSL");

    let src = "from smtplib import SMTP\nconn = SMTP('smtp.example.com')\nconn.login('u', 'p')";
    let p = one(src);
    let sec = p.security.as_ref().unwrap();
    assert_eq!((sec.value, sec.is_default()), (Security::None, true));
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    assert!(p.port.as_ref().unwrap().is_default());
    assert!(p.tls_verify.is_none());

    let src =
        "import smtplib\nsmtplib.SMTP_SSL('smtp.example.com').sendmail('a@example.com', 'b', m)";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(&src[p.from[0].loc.span.clone()], "a@example.com");

    let src = "import smtplib\ns = smtplib.SMTP('smtp.example.com:587')\ns.starttls()";
    let p = one(src);
    assert_eq!(at(src, &p.host), "smtp.example.com");
    assert_eq!(at(src, &p.port), "587");

    let src = "import smtplib as sl\ns = sl.SMTP()\ns.connect('smtp.example.com', 465)\ns.login('u', 'p')";
    let p = one(src);
    assert_eq!(at(src, &p.port), "465");
    assert_eq!(p.security.unwrap().value, Security::None);

    let e = ex("import smtplib\ns = smtplib.SMTP('h', 99999)");
    assert_eq!(codes(&e), ["invalid-value"]);
}

#[test]
fn certificate_contexts() {
    let src = "import smtplib, ssl\nctx = ssl.create_default_context()\ns = smtplib.SMTP_SSL('h', 465, context=ctx)";
    assert!(one(src).tls_verify.is_none());
    let src = "import smtplib, ssl\ns = smtplib.SMTP('h', 587)\ns.starttls(context=ssl._create_unverified_context())";
    let p = one(src);
    assert_eq!(at(src, &p.tls_verify), "ssl._create_unverified_context()");
    assert_eq!(p.tls_verify.unwrap().origin, Origin::Literal);
    let src = "import smtplib, ssl\ncontext = ssl.create_default_context()\ncontext.check_hostname = False\ncontext.verify_mode = ssl.CERT_NONE\nwith smtplib.SMTP_SSL('h', 465, context=context) as s:\n    pass";
    let p = one(src);
    assert_eq!(at(src, &p.tls_verify), "ssl.CERT_NONE");
    let src = "import smtplib, ssl\ns = smtplib.SMTP_SSL('h', context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))";
    assert!(one(src).tls_verify.is_none());
}

#[test]
fn send_message_and_headers() {
    let src = r#"import smtplib
from email.message import EmailMessage
from email.utils import formataddr
msg = EmailMessage()
msg["From"] = formataddr(("Shop", "shop@example.com"))
other = EmailMessage()
other["From"] = "not-sent@example.com"
with smtplib.SMTP("h", 587) as s:
    s.starttls()
    s.send_message(msg)
with smtplib.SMTP("h2", 587) as s:
    s.starttls()
    s.send_message(other, from_addr="bounce@example.com")
"#;
    let e = ex(src);
    let froms = testing::froms(src, &e);
    assert_eq!(
        froms,
        [vec!["shop@example.com"], vec!["bounce@example.com"]]
    );
}

#[test]
fn smtplib_environment_reads() {
    let src = r#"import os, smtplib
server = smtplib.SMTP(os.environ["SMTP_HOST"], int(os.getenv("SMTP_PORT", "587")))
server.starttls()
server.login(os.environ.get("SMTP_USER"), os.environ["SMTP_PASSWORD"])
server.sendmail(f"Shop <{os.getenv('MAIL_FROM')}>", to, body)
"#;
    let p = one(src);
    assert_eq!(
        &src[env(&p, "SMTP_HOST").reference.span.clone()],
        "os.environ[\"SMTP_HOST\"]"
    );
    let port = env(&p, "SMTP_PORT");
    assert_eq!(port.default.as_ref().unwrap().0, "587");
    assert_eq!(&src[port.default.as_ref().unwrap().1.span.clone()], "587");
    assert_eq!(port.apply(" 465 "), Some(FieldValue::Port(465)));
    assert_eq!(port.apply("x"), None);
    assert!(p.env_refs.iter().any(|r| r.var == "SMTP_USER"));
    assert!(p.env_refs.iter().any(|r| r.var == "SMTP_PASSWORD"));
    assert_eq!(
        env(&p, "MAIL_FROM").apply("a@b.c"),
        Some(FieldValue::From("a@b.c".into()))
    );
    assert!(p.password.is_none());
}

const DJANGO: &str = r#"
from pathlib import Path
DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.gmail.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "me@gmail.com"
EMAIL_HOST_PASSWORD = "abcd efgh ijkl mnop"
DEFAULT_FROM_EMAIL = "Me <me@gmail.com>"
"#;

#[test]
fn django_literal_settings() {
    let e = ex(DJANGO);
    assert_eq!(e.profiles.len(), 1);
    let p = &e.profiles[0];
    assert_eq!(p.client, Client::DjangoSettings);
    assert_eq!(&DJANGO[p.anchor.span.clone()], "EMAIL_BACKEND");
    assert_eq!(at(DJANGO, &p.host), "smtp.gmail.com");
    assert_eq!(at(DJANGO, &p.port), "587");
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    assert_eq!(at(DJANGO, &p.security), "True");
    assert_eq!(at(DJANGO, &p.username), "me@gmail.com");
    assert_eq!(at(DJANGO, &p.password), "abcd efgh ijkl mnop");
    assert_eq!(&DJANGO[p.from[0].loc.span.clone()], "Me <me@gmail.com>");
    assert!(e.findings.is_empty());
    assert!(e
        .secrets
        .iter()
        .any(|s| &DJANGO[s.clone()] == "abcd efgh ijkl mnop"));
}

#[test]
fn django_defaults_conflicts_and_backends() {
    let src = "EMAIL_HOST = 'smtp.example.com'\n";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    assert_eq!(at(src, &p.port), "smtp.example.com");
    assert_eq!(p.security.as_ref().unwrap().value, Security::None);
    assert!(p.security.as_ref().unwrap().is_default());

    let src = "EMAIL_HOST = 'h'\nEMAIL_PORT = 465\nEMAIL_USE_TLS = True\nEMAIL_USE_SSL = True\n";
    let e = ex(src);
    assert_eq!(codes(&e), ["conflicting-settings"]);
    assert_eq!(&src[e.findings[0].labels[0].loc.span.clone()], "True");
    assert!(e.profiles[0].security.is_none());

    assert!(ex(
        "EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'\nEMAIL_HOST = 'h'"
    )
    .profiles
    .is_empty());
    let src =
        "EMAIL_BACKEND = 'django_smtp_ssl.SSLEmailBackend'\nEMAIL_HOST = 'h'\nEMAIL_PORT = 465";
    assert_eq!(one(src).security.unwrap().value, Security::ImplicitTls);

    // A user without a password: Django does not log in.
    let p = one("EMAIL_HOST = 'h'\nEMAIL_HOST_USER = 'me'\nEMAIL_HOST_PASSWORD = ''\n");
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::None);
    assert!(p.username.is_none());

    // A base file that only picks the backend: the server is set elsewhere.
    assert!(
        ex("EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n")
            .profiles
            .is_empty()
    );
    // Settings inside a function are not module settings.
    assert!(ex("def f():\n    EMAIL_HOST = 'h'\n").profiles.is_empty());
    // A string "False" is truthy in Python.
    let p = one("EMAIL_HOST = 'h'\nEMAIL_PORT = 587\nEMAIL_USE_SSL = 'False'\n");
    assert_eq!(p.security.unwrap().value, Security::ImplicitTls);
}

#[test]
fn django_environment_reads() {
    let src = r#"import os
EMAIL_HOST = os.getenv("EMAIL_HOST", "smtp.mail.me.com")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", 587))
EMAIL_USE_SSL = os.getenv("EMAIL_USE_SSL")
EMAIL_HOST_USER = os.environ["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
"#;
    let p = one(src);
    let host = env(&p, "EMAIL_HOST");
    assert_eq!(host.default.as_ref().unwrap().0, "smtp.mail.me.com");
    let ssl = env(&p, "EMAIL_USE_SSL");
    assert_eq!(
        ssl.apply("False"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    assert_eq!(ssl.apply(""), Some(FieldValue::Security(Security::None)));

    // TLS written as True, SSL read raw: "False" makes Django refuse both.
    let src = "import os\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = True\nEMAIL_USE_SSL = os.getenv('EMAIL_USE_SSL', 'False')\n";
    let p = one(src);
    let ssl = env(&p, "EMAIL_USE_SSL");
    assert_eq!(ssl.apply("False"), None);
    assert_eq!(ssl.default.as_ref().unwrap().0, "False");
    assert!(ssl.expects().contains("raw string"));

    // Proper boolean readings.
    for (code, text, want) in [
        ("env.bool('T', default=False)", "False", false),
        ("env.bool('T', default=False)", "yes", true),
        ("env('T', cast=bool)", "on", true),
        ("config('T', default=False, cast=bool)", "True", true),
        ("os.getenv('T', 'False') == 'True'", "true", false),
        ("os.getenv('T', 'False').lower() == 'true'", "TRUE", true),
        (
            "os.getenv('T', 'false').lower() in ('true', '1', 't')",
            "1",
            true,
        ),
        // Any words, not only a fixed vocabulary.
        (
            "os.getenv('T', '').lower() in ('true', 'on', 'enabled')",
            "Enabled",
            true,
        ),
        ("os.getenv('T', '') in ('on', 'enabled')", "ON", false),
        ("os.getenv('T') == 'enabled'", "enabled", true),
        ("bool(int(os.getenv('T', '0')))", "0", false),
        ("strtobool(os.getenv('T', 'no'))", "y", true),
    ] {
        let src = format!(
            "import environ\nfrom decouple import config\nenv = environ.Env()\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = {code}\n"
        );
        let p = one(&src);
        let got = env(&p, "T").apply(text);
        let want = FieldValue::Security(if want {
            Security::StartTls { required: true }
        } else {
            Security::None
        });
        assert_eq!(got, Some(want), "{code} with {text}");
    }
    // django-environ schema casts.
    let src = "import environ\nenv = environ.Env(EMAIL_USE_TLS=(bool, True))\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = env('EMAIL_USE_TLS')\n";
    let p = one(src);
    let tls = env(&p, "EMAIL_USE_TLS");
    assert_eq!(tls.default.as_ref().unwrap().0, "true");
    assert_eq!(tls.apply("off"), Some(FieldValue::Security(Security::None)));

    // Both flags read raw: the combination itself is the mistake.
    let src = "import os\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = os.getenv('EMAIL_USE_TLS')\nEMAIL_USE_SSL = os.getenv('EMAIL_USE_SSL')\n";
    let e = ex(src);
    assert_eq!(codes(&e), ["conflicting-settings"]);
    assert_eq!(e.findings[0].severity, Severity::Warning);
    assert_eq!(
        &src[e.findings[0].labels[0].loc.span.clone()],
        "os.getenv('EMAIL_USE_SSL')"
    );
}

#[test]
fn scripts_with_their_own_constants_are_not_django() {
    let src = "import smtplib\nEMAIL_HOST = 'smtp.example.com'\nEMAIL_PORT = 587\ns = smtplib.SMTP(EMAIL_HOST, EMAIL_PORT)\ns.starttls()\n";
    let e = ex(src);
    assert_eq!(e.profiles.len(), 1);
    assert_eq!(e.profiles[0].client, Client::PythonSmtplib);
    assert_eq!(at(src, &e.profiles[0].host), "smtp.example.com");
}

#[test]
fn nasty_input_does_not_panic() {
    let deep = format!(
        "EMAIL_PORT = {}1{}\nEMAIL_HOST='h'",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    let long = "x".repeat(100_000);
    let inputs = [
        "",
        "\u{feff}EMAIL_HOST = 'h'",
        "import smtplib\nsmtplib.SMTP(",
        "EMAIL_HOST = '",
        "EMAIL_HOST = \"\"\"h",
        "import smtplib\ns = smtplib.SMTP(':')",
        "import smtplib\ns = smtplib.SMTP('h:x:y')",
        "import smtplib\ns = smtplib.SMTP('h', 1e400)",
        "a = b\nb = a\nEMAIL_HOST = a",
        "EMAIL_HOST = EMAIL_HOST",
        "EMAIL_PORT = int(EMAIL_PORT)\nEMAIL_HOST='h'",
        "\0\r\nEMAIL_HOST\r\n=\r\n'h'",
        deep.as_str(),
        long.as_str(),
        "EMAIL_HOST = f'{os.environ[\"A\"]}{os.environ[\"B\"]}'",
        "EMAIL_USE_TLS = os.getenv('X') in ('true', 'nope')\nEMAIL_HOST = 'h'",
    ];
    inputs.into_iter().for_each(|src| drop(ex(src)));
}

#[test]
fn fuzz_random_bytes_and_fixture_mutations() {
    let alphabet: &[u8] =
        b"smtplib.SMTP_SSL()[]'\"=:,\n\r\t @os.getenv EMAIL_HOST_USE_TLS 0123456789";
    let fixtures = [SEED, DJANGO];
    testing::inputs(0x2545_f491_4f6c_dd1d, alphabet, &fixtures, |t| drop(ex(t)));
}

#[test]
fn doubling_chains_finish_quickly() {
    let mut src = String::from("import os\nx0 = os.getenv('A')\n");
    for i in 1..60 {
        src.push_str(&format!("x{i} = x{} or x{}\n", i - 1, i - 1));
    }
    src.push_str("EMAIL_HOST = x59\nEMAIL_PORT = x59\nEMAIL_USE_TLS = x59 == 'True'\n");
    testing::finishes_quickly(&src, ex);
}

#[test]
fn long_comment_runs_stay_linear() {
    // The grammar's scanner looks past every following comment line at each line end:
    // 100k comment lines took over a minute before comments were blanked for the parser.
    let mut src = String::from("import os\n");
    for i in 0..100_000 {
        src.push_str(if i % 2 == 0 {
            "# a comment\n"
        } else {
            "    # indented é\n"
        });
    }
    src.push_str("EMAIL_HOST = \"smtp.example.com\"  # trailing '\nEMAIL_PORT = 587\n");
    let p = one(&src);
    assert_eq!(at(&src, &p.host), "smtp.example.com");
    assert_eq!(p.port.as_ref().map(|v| v.value), Some(587));
}

#[test]
fn login_password_in_pieces_is_masked() {
    let src = "import smtplib\ns = smtplib.SMTP('smtp.example.com', 587)\ns.starttls()\n\
               s.login('me@example.com', 'hunter' + f'2{x}hunter2')\n";
    let e = ex(src);
    let masked: Vec<&str> = e.secrets.iter().map(|s| &src[s.clone()]).collect();
    assert!(
        masked.contains(&"hunter") && masked.contains(&"2"),
        "{masked:?}"
    );
    assert!(masked.contains(&"hunter2"), "{masked:?}");
}

#[test]
fn a_flag_read_next_to_the_other_written_true_must_be_false() {
    let src = "import os\nEMAIL_HOST = 'h'\nEMAIL_USE_TLS = True\nEMAIL_USE_SSL = os.getenv('S')\n";
    let p = one(src);
    let start = Security::StartTls { required: true };
    assert_eq!(env(&p, "S").apply(""), Some(FieldValue::Security(start)));
    assert_ne!(
        env(&p, "S").apply("False"),
        Some(FieldValue::Security(start))
    );
    let src = "import os\nEMAIL_HOST = 'h'\nEMAIL_USE_SSL = True\nEMAIL_USE_TLS = os.getenv('T') == 'True'\n";
    let p = one(src);
    let implicit = FieldValue::Security(Security::ImplicitTls);
    assert_eq!(env(&p, "T").apply("False"), Some(implicit.clone()));
    assert_ne!(env(&p, "T").apply("True"), Some(implicit));
}

#[test]
fn flask_mail_config_classes_inherit_their_bases() {
    let src = "class Config:\n    MAIL_SERVER = 'smtp.example.org'\n    MAIL_PORT = 465\n    \
               MAIL_USE_TLS = True\n\nclass Prod(Config):\n    MAIL_USE_TLS = False\n    \
               MAIL_USE_SSL = True\n\ndef f():\n    MAIL_SERVER = 'ignored'\n";
    let x = extract(FileId(0), src);
    let labels: Vec<&str> = x.profiles.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["Config (Flask-Mail)", "Prod (Flask-Mail)"]);
    let sec = |i: usize| x.profiles[i].security.as_ref().unwrap().value;
    assert_eq!(sec(0), crate::model::Security::StartTls { required: true });
    assert_eq!(sec(1), crate::model::Security::ImplicitTls);
    assert_eq!(
        x.profiles[1].host.as_ref().unwrap().value,
        "smtp.example.org"
    );
    assert_eq!(x.profiles[1].port.as_ref().unwrap().value, 465);
    // Both flags on in one scope; and smtplib scripts keep their MAIL_* constants.
    let x = extract(
        FileId(0),
        "MAIL_SERVER = 'h'\nMAIL_USE_TLS = True\nMAIL_USE_SSL = True\n",
    );
    assert_eq!(x.findings[0].code, "conflicting-settings");
    let src =
        "import smtplib\nMAIL_SERVER = 'smtp.example.org'\ns = smtplib.SMTP(MAIL_SERVER, 587)\n";
    let x = extract(FileId(0), src);
    assert!(x
        .profiles
        .iter()
        .all(|p| p.client != crate::model::Client::FlaskMail));
}

#[test]
fn flask_app_config_writes_in_file_order_one_profile_per_object() {
    let src = r#"from flask import Flask
app = Flask(__name__)
app.config['MAIL_SERVER'] = 'a.example'
app.config['MAIL_USE_TLS'] = True
app.config.update(dict(MAIL_SERVER='b.example', MAIL_PORT=587))
other.config.from_mapping({'MAIL_SERVER': 'c.example', 'MAIL_USE_SSL': True})
"#;
    let e = ex(src);
    assert_eq!(e.profiles.len(), 2, "{:#?}", e.profiles);
    let app = &e.profiles[0];
    assert_eq!(app.client, Client::FlaskMail);
    assert_eq!(app.label, "app.config (Flask-Mail)");
    // The later update() wins over the item write.
    assert_eq!(at(src, &app.host), "b.example");
    assert_eq!(app.port.as_ref().unwrap().value, 587);
    assert_eq!(
        app.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    let other = &e.profiles[1];
    assert_eq!(other.host.as_ref().unwrap().value, "c.example");
    assert_eq!(
        other.security.as_ref().unwrap().value,
        Security::ImplicitTls
    );
}

#[test]
fn flags_both_read_from_env_and_is_not_none() {
    // Both flags from the environment: TLS decides, then SSL true overrides it.
    let src = "import os\nclass Config:\n    MAIL_SERVER = 'h.example'\n    \
               MAIL_USE_TLS = os.environ.get('T', 'true').lower() == 'true'\n    \
               MAIL_USE_SSL = os.environ.get('S') is not None\n";
    let p = one(src);
    let start = FieldValue::Security(Security::StartTls { required: true });
    assert_eq!(env(&p, "T").apply("TRUE"), Some(start));
    assert_eq!(
        env(&p, "T").apply("no"),
        Some(FieldValue::Security(Security::None))
    );
    // `is not None`: set at all, even empty, is true; never "refused".
    let implicit = FieldValue::Security(Security::ImplicitTls);
    assert_eq!(env(&p, "S").apply(""), Some(implicit.clone()));
    assert_eq!(env(&p, "S").apply("False"), Some(implicit));
    // Django with decouple's cast=bool on both.
    let src = "from decouple import config\nEMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n\
               EMAIL_HOST = 'h.example'\nEMAIL_USE_TLS = config('T', cast=bool)\n\
               EMAIL_USE_SSL = config('S', default=False, cast=bool)\n";
    let p = one(src);
    assert_eq!(p.env_refs.len(), 2);
    assert_eq!(env(&p, "S").apply("off"), None); // false keeps what TLS set
    assert_eq!(
        env(&p, "S").apply("on"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
}

#[test]
fn strings_that_say_false_hosts_with_ports_and_misspelt_flask_names() {
    let src = "MAIL_SERVER = 'smtp.example.org:587'\nMAIL_PORT = 587\nMAIL_USE_TLS = 'False'\n\
               MAIL_USE_TSL = True\n";
    let e = ex(src);
    let p = &e.profiles[0];
    assert_eq!(at(src, &p.host), "smtp.example.org");
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
    let mut found: Vec<(&str, &str)> = e
        .findings
        .iter()
        .map(|f| (f.code.as_str(), &src[f.primary().span.clone()]))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("invalid-value", "False"),
            ("invalid-value", "smtp.example.org:587"),
            ("unknown-setting", "MAIL_USE_TSL"),
        ]
    );
}
