use super::*;
use crate::finding::Severity;
use crate::model::{AuthMethod, Client, FieldValue, Origin, Profile, Security};

const F: FileId = FileId(0);
const OPP: Security = Security::StartTls { required: false };
const REQ: Security = Security::StartTls { required: true };

fn at<'t>(text: &'t str, loc: &Loc) -> &'t str {
    &text[loc.span.clone()]
}

fn one(text: &str) -> (Extraction, Profile) {
    let ex = extract(F, text);
    assert_eq!(ex.profiles.len(), 1, "profiles: {:#?}", ex.profiles);
    let p = ex.profiles[0].clone();
    (ex, p)
}

fn codes(ex: &Extraction) -> Vec<(&str, Severity)> {
    ex.findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect()
}

fn env_ref<'p>(p: &'p Profile, var: &str) -> Vec<&'p crate::model::EnvRef> {
    p.env_refs.iter().filter(|r| r.var == var).collect()
}

const GMAIL: &str = r#"<?php
use PHPMailer\PHPMailer\PHPMailer;

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host       = 'smtp.gmail.com';
$mail->SMTPAuth   = true;
$mail->Username   = 'bakery@gmail.com';
$mail->Password   = 'hunter2hunter2';
$mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
$mail->Port       = 465;
$mail->setFrom('bakery@gmail.com', 'Bakery');
$mail->SMTPOptions = ['ssl' => ['verify_peer' => false]];
"#;

#[test]
fn every_field_with_its_span() {
    let (ex, p) = one(GMAIL);
    assert_eq!(p.client, Client::PhpMailer);
    assert_eq!(p.label, "$mail");
    assert_eq!(at(GMAIL, &p.anchor), "new PHPMailer(true)");
    let host = p.host.unwrap();
    assert_eq!(
        (host.value.as_str(), at(GMAIL, &host.loc)),
        ("smtp.gmail.com", "smtp.gmail.com")
    );
    let port = p.port.unwrap();
    assert_eq!((port.value, at(GMAIL, &port.loc)), (465, "465"));
    let sec = p.security.unwrap();
    assert_eq!(sec.value, Security::ImplicitTls);
    assert_eq!(at(GMAIL, &sec.loc), "PHPMailer::ENCRYPTION_SMTPS");
    assert_eq!(sec.origin, Origin::Literal);
    let auth = p.auth.unwrap();
    assert_eq!(
        (auth.value, at(GMAIL, &auth.loc)),
        (AuthMethod::Password, "true")
    );
    assert_eq!(at(GMAIL, &p.username.unwrap().loc), "bakery@gmail.com");
    let pw = p.password.unwrap();
    assert_eq!(pw.value.expose(), "hunter2hunter2");
    assert_eq!(at(GMAIL, &pw.loc), "hunter2hunter2");
    assert_eq!(p.from.len(), 1, "setFrom sets From and Sender to one value");
    assert_eq!(at(GMAIL, &p.from[0].loc), "bakery@gmail.com");
    let v = p.tls_verify.unwrap();
    assert_eq!((v.value, at(GMAIL, &v.loc)), (false, "false"));
    assert!(p.env_refs.is_empty());
    assert!(ex.findings.is_empty());
    let secrets: Vec<&str> = ex.secrets.iter().map(|s| &GMAIL[s.clone()]).collect();
    assert_eq!(secrets, ["hunter2hunter2"]);
}

#[test]
fn client_defaults_point_at_is_smtp() {
    let text = "<?php\n$m = new PHPMailer();\n$m->isSMTP();\n$m->Host = 'mail.example.org';\n$m->Username = 'a@example.org';\n";
    let (_, p) = one(text);
    assert!(!p.sends_credentials());
    let port = p.port.unwrap();
    assert_eq!(port.value, 25);
    assert!(port.is_default());
    assert_eq!(at(text, &port.loc), "isSMTP()");
    let sec = p.security.unwrap();
    assert_eq!(sec.value, OPP);
    assert!(sec.is_default());
    let auth = p.auth.unwrap();
    assert_eq!(auth.value, AuthMethod::None);
    assert!(auth.is_default());
    // Host missing: localhost, and no STARTTLS attempt for it.
    let (_, p) = one("<?php $m = new PHPMailer; $m->isSMTP();");
    assert_eq!(p.host.unwrap().value, "localhost");
    assert_eq!(p.security.unwrap().value, Security::None);
}

#[test]
fn host_entries_prefixes_and_ports() {
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = ' ssl://smtp.gmail.com:587 ; tls://backup.example.org:25'; $m->Port = 2525; $m->SMTPSecure = 'tls';";
    let (ex, p) = one(text);
    assert_eq!(p.label, "$m (first of 2 hosts in Host)");
    assert_eq!(at(text, &p.host.unwrap().loc), "smtp.gmail.com");
    let port = p.port.unwrap();
    assert_eq!((port.value, at(text, &port.loc)), (587, "587"));
    let sec = p.security.unwrap();
    assert_eq!(
        (sec.value, at(text, &sec.loc)),
        (Security::ImplicitTls, "ssl")
    );
    // The prefix beats SMTPSecure and the host's port beats Port: both reported.
    let conflicts: Vec<String> = ex
        .findings
        .iter()
        .filter(|f| f.code == "conflicting-settings")
        .map(|f| at(text, f.primary()).to_owned())
        .collect();
    assert_eq!(conflicts, ["2525", "'tls'".trim_matches('\'')]);

    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'tls://smtp.mail.me.com'; $m->Port = 587;";
    let (_, p) = one(text);
    let sec = p.security.unwrap();
    assert_eq!((sec.value, at(text, &sec.loc)), (REQ, "tls"));

    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'smtp.example.org:99999'; $m->Port = 587;";
    let (ex, p) = one(text);
    assert_eq!(p.port.unwrap().value, 587);
    assert_eq!(codes(&ex), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(text, ex.findings[0].primary()), "99999");

    let (ex, p) = one("<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = ' ; ';");
    assert!(p.host.is_none());
    assert_eq!(codes(&ex), [("invalid-value", Severity::Error)]);
}

#[test]
fn smtp_secure_values() {
    let case = |v: &str| {
        let text = format!(
            "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'h.example'; $m->SMTPSecure = {v};"
        );
        let ex = extract(F, &text);
        let p = &ex.profiles[0];
        let sec = p
            .security
            .clone()
            .map(|s| (s.value, at(&text, &s.loc).to_owned(), s.is_default()));
        let c: Vec<(String, Severity)> = ex
            .findings
            .iter()
            .map(|f| (f.code.clone(), f.severity))
            .collect();
        (sec, c)
    };
    assert_eq!(
        case("'ssl'").0,
        Some((Security::ImplicitTls, "ssl".into(), false))
    );
    assert_eq!(case("\"tls\"").0, Some((REQ, "tls".into(), false)));
    assert_eq!(
        case("\\PHPMailer\\PHPMailer\\PHPMailer::ENCRYPTION_STARTTLS").0,
        Some((
            REQ,
            "\\PHPMailer\\PHPMailer\\PHPMailer::ENCRYPTION_STARTTLS".into(),
            false
        ))
    );
    assert_eq!(
        case("self::ENCRYPTION_SMTPS").0.unwrap().0,
        Security::ImplicitTls
    );
    // Empty values: opportunistic STARTTLS, a default pointing at the value.
    assert_eq!(case("''").0, Some((OPP, "".into(), true)));
    assert_eq!(case("false").0, Some((OPP, "false".into(), true)));
    assert!(case("null").1.is_empty());
    // Unknown ones: invalid-value, and PHPMailer's fallback.
    for bad in ["'tsl'", "'TLS'", "'starttls'", "true"] {
        let (sec, c) = case(bad);
        assert_eq!(sec.map(|s| s.0), Some(OPP), "{bad}");
        assert_eq!(c, [("invalid-value".to_owned(), Severity::Error)], "{bad}");
    }
    // An unknown constant is simply unknown.
    let (sec, c) = case("Foo::BAR");
    assert!(sec.is_none() && c.is_empty());
}

#[test]
fn autotls_and_auth() {
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'h.example'; $m->SMTPAutoTLS = false; $m->SMTPAuth = 1; $m->AuthType = 'XOAUTH2';";
    let (_, p) = one(text);
    let sec = p.security.unwrap();
    assert_eq!((sec.value, at(text, &sec.loc)), (Security::None, "false"));
    let auth = p.auth.unwrap();
    assert_eq!(
        (auth.value, at(text, &auth.loc)),
        (AuthMethod::OAuth2, "XOAUTH2")
    );

    let (_, p) = one(
        "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPAuth = true; $m->AuthType = 'CRAM-MD5';",
    );
    assert_eq!(p.auth.unwrap().value, AuthMethod::EncryptedPassword);
    let (_, p) = one(
        "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPAuth = false; $m->Username = 'x@y.z';",
    );
    let auth = p.auth.unwrap();
    assert_eq!(auth.value, AuthMethod::None);
    assert_eq!(auth.origin, Origin::Literal);
    let (ex, _) =
        one("<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPAuth = true; $m->AuthType = 'login';");
    assert_eq!(codes(&ex), [("invalid-value", Severity::Error)]);
}

#[test]
fn snippet_without_open_tag() {
    let text = "$mail->isSMTP();\n$mail->Host = 'smtp.mail.me.com';\n$mail->Port = 587;\n$mail->SMTPSecure = 'tls';";
    let (ex, p) = one(text);
    assert!(ex.findings.is_empty(), "{:?}", ex.findings);
    assert_eq!(at(text, &p.host.unwrap().loc), "smtp.mail.me.com");
    assert_eq!(p.port.unwrap().value, 587);
    assert_eq!(at(text, &p.anchor), "isSMTP()");
    // A BOM and CRLF line ends change nothing.
    let text =
        "\u{feff}<?php\r\n$m = new PHPMailer;\r\n$m->isSMTP();\r\n$m->Host = 'smtp.gmail.com';\r\n";
    let (_, p) = one(text);
    assert_eq!(at(text, &p.host.unwrap().loc), "smtp.gmail.com");
}

#[test]
fn receivers_and_scopes() {
    let text = r#"<?php
class Mailer {
    private $mailer;
    public function __construct() { $this->mailer = new PHPMailer(true); $this->mailer->isSMTP(); }
    public function configure() { $this->mailer->Host = 'smtp.gmail.com'; $this->mailer?->Port = 465; }
}
function a() { $mail = new PHPMailer; $mail->isSMTP(); $mail->Host = 'one.example'; }
function b() { $mail = new PHPMailer; $mail->isSMTP(); $mail->Host = 'two.example'; }
$mail = new PHPMailer; $mail->isSMTP(); $mail->Host = 'three.example';
$mail = new PHPMailer; $mail->isSMTP(); $mail->Host = 'four.example';
"#;
    let ex = extract(F, text);
    let got: Vec<(String, String, u16)> = ex
        .profiles
        .iter()
        .map(|p| {
            (
                p.label.clone(),
                p.host.as_ref().unwrap().value.clone(),
                p.port.as_ref().unwrap().value,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("$this->mailer".to_owned(), "smtp.gmail.com".to_owned(), 465),
            ("$mail".into(), "one.example".into(), 25),
            ("$mail".into(), "two.example".into(), 25),
            ("$mail".into(), "three.example".into(), 25),
            ("$mail".into(), "four.example".into(), 25),
        ]
    );
}

#[test]
fn is_smtp_decides() {
    // Created here without isSMTP(): mail() is used; an info finding, no profile.
    let text = "<?php $m = new PHPMailer; $m->Host = 'smtp.gmail.com'; $m->Port = 587;";
    let ex = extract(F, text);
    assert!(ex.profiles.is_empty());
    assert_eq!(codes(&ex), [("conflicting-settings", Severity::Info)]);
    assert_eq!(at(text, ex.findings[0].primary()), "new PHPMailer");
    // Switched away from SMTP after isSMTP().
    let ex = extract(
        F,
        "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'x.example'; $m->isSendmail();",
    );
    assert!(ex.profiles.is_empty() && ex.findings.is_empty());
    // Mailer = 'smtp' is isSMTP().
    let (_, p) = one("<?php $m = new PHPMailer; $m->Mailer = 'smtp'; $m->Host = 'x.example';");
    assert_eq!(p.port.unwrap().value, 25);
    // An object from elsewhere: explicit settings only, no defaults.
    let text = "<?php function setup(PHPMailer $m) { $m->Host = 'smtp.gmail.com'; $m->SMTPSecure = 'ssl'; }";
    let (_, p) = one(text);
    assert!(p.port.is_none() && p.auth.is_none());
    assert_eq!(p.security.unwrap().value, Security::ImplicitTls);
    assert_eq!(at(text, &p.anchor), "$m->Host = 'smtp.gmail.com'");
    // ... but generic property names alone do not make an object a PHPMailer.
    let ex = extract(
        F,
        "<?php $db->Host = 'db.example'; $db->Port = 5432; $db->Password = 'x';",
    );
    assert!(ex.profiles.is_empty());
}

#[test]
fn values_through_variables_constants_and_the_object() {
    let text = r#"<?php
define('SMTP_HOST', 'smtp.gmail.com');
const SMTP_PORT = 465;
$cfg = ['user' => 'bakery@gmail.com', 'secure' => 'ssl'];
$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = SMTP_HOST;
$mail->Port = \SMTP_PORT;
$mail->Username = $cfg['user'];
$mail->SMTPSecure = $cfg['secure'];
$mail->setFrom($mail->Username);
"#;
    let (_, p) = one(text);
    let host = p.host.unwrap();
    assert_eq!(host.value, "smtp.gmail.com");
    assert_eq!(
        text[..host.loc.span.start].matches('\n').count(),
        1,
        "span at the define"
    );
    assert_eq!(p.port.unwrap().value, 465);
    assert_eq!(p.security.unwrap().value, Security::ImplicitTls);
    let user = p.username.clone().unwrap();
    assert_eq!(at(text, &user.loc), "bakery@gmail.com");
    assert_eq!(p.from[0].loc, user.loc);
}

#[test]
fn environment_reads() {
    let text = r#"<?php
$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = getenv('SMTP_HOST');
$mail->Port = (int) ($_ENV['SMTP_PORT'] ?? 587);
$mail->SMTPSecure = $_SERVER['SMTP_SECURE'];
$mail->SMTPAuth = filter_var(getenv('SMTP_AUTH'), FILTER_VALIDATE_BOOLEAN);
$mail->Username = env('SMTP_USER', 'bakery@gmail.com');
$mail->Password = getenv('SMTP_PASS') ?: 'fallback-secret';
$mail->setFrom(getenv('SMTP_FROM'));
"#;
    let (ex, p) = one(text);
    assert!(p.host.is_none() && p.port.is_none() && p.security.is_none());
    assert!(p.username.is_none() && p.password.is_none() && p.from.is_empty());
    let vars: Vec<&str> = p.env_refs.iter().map(|r| r.var.as_str()).collect();
    assert_eq!(
        vars,
        [
            "SMTP_HOST",
            "SMTP_PORT",
            "SMTP_SECURE",
            "SMTP_AUTH",
            "SMTP_USER",
            "SMTP_PASS",
            "SMTP_FROM"
        ]
    );
    let r = env_ref(&p, "SMTP_HOST")[0];
    assert_eq!(at(text, &r.reference), "getenv('SMTP_HOST')");
    assert_eq!(
        r.apply("ssl://smtp.gmail.com:465"),
        Some(FieldValue::Host("smtp.gmail.com".into()))
    );
    let r = env_ref(&p, "SMTP_PORT")[0];
    assert_eq!(at(text, &r.reference), "(int) ($_ENV['SMTP_PORT'] ?? 587)");
    let (d, dloc) = r.default.clone().unwrap();
    assert_eq!((d.as_str(), at(text, &dloc)), ("587", "587"));
    assert_eq!(r.apply("2525abc"), Some(FieldValue::Port(2525)));
    let r = env_ref(&p, "SMTP_SECURE")[0];
    assert_eq!(r.apply("tls"), Some(FieldValue::Security(REQ)));
    assert_eq!(r.apply(""), Some(FieldValue::Security(OPP)));
    assert_eq!(
        r.apply("tsl"),
        None,
        "an invalid value in .env is reported by resolve"
    );
    let r = env_ref(&p, "SMTP_AUTH")[0];
    assert_eq!(r.apply("off"), Some(FieldValue::Auth(AuthMethod::None)));
    assert_eq!(r.apply("yes"), Some(FieldValue::Auth(AuthMethod::Password)));
    let r = env_ref(&p, "SMTP_USER")[0];
    assert_eq!(
        at(text, &r.reference),
        "env('SMTP_USER', 'bakery@gmail.com')"
    );
    assert_eq!(r.default.as_ref().unwrap().0, "bakery@gmail.com");
    let r = env_ref(&p, "SMTP_PASS")[0];
    assert_eq!(
        at(text, &r.reference),
        "getenv('SMTP_PASS') ?: 'fallback-secret'"
    );
    let secrets: Vec<&str> = ex.secrets.iter().map(|s| &text[s.clone()]).collect();
    assert_eq!(secrets, ["fallback-secret"]);

    // SMTPAutoTLS off changes what an empty SMTP_SECURE means; raw getenv() keeps "false" truthy.
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPAutoTLS = false; $m->SMTPSecure = getenv('S'); $m->SMTPAuth = getenv('A');";
    let (_, p) = one(text);
    assert_eq!(
        env_ref(&p, "S")[0].apply(""),
        Some(FieldValue::Security(Security::None))
    );
    assert_eq!(
        env_ref(&p, "A")[0].apply("false"),
        Some(FieldValue::Auth(AuthMethod::Password))
    );
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = 'h.example'; $m->SMTPAutoTLS = getenv('T');";
    let (_, p) = one(text);
    assert_eq!(p.security.clone().unwrap().value, OPP);
    assert_eq!(
        env_ref(&p, "T")[0].apply("0"),
        Some(FieldValue::Security(Security::None))
    );
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPAuth = getenv('A') === 'true';";
    let (_, p) = one(text);
    assert_eq!(
        env_ref(&p, "A")[0].apply("True"),
        Some(FieldValue::Auth(AuthMethod::None))
    );
}

#[test]
fn smtp_options() {
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPOptions = array('ssl' => array('verify_peer' => true, 'allow_self_signed' => true));";
    let (_, p) = one(text);
    let v = p.tls_verify.unwrap();
    assert_eq!(at(text, &v.loc), "true");
    assert!(text[..v.loc.span.start].ends_with("'allow_self_signed' => "));
    let text =
        "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPOptions['ssl']['verify_peer_name'] = 0;";
    let (_, p) = one(text);
    assert_eq!(at(text, &p.tls_verify.unwrap().loc), "0");
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPOptions = ['tls' => ['verify_peer' => false], 'socket' => ['bindto' => '0:0']];";
    let (ex, p) = one(text);
    assert!(p.tls_verify.is_none());
    assert_eq!(codes(&ex), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(text, ex.findings[0].primary()), "tls");
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->SMTPOptions = ['ssl' => ['verify_peer' => getenv('VERIFY')]];";
    let (_, p) = one(text);
    assert_eq!(
        env_ref(&p, "VERIFY")[0].apply("0"),
        Some(FieldValue::TlsVerify(false))
    );
}

#[test]
fn miscased_property() {
    let text = "<?php $m = new PHPMailer; $m->isSMTP(); $m->host = 'smtp.gmail.com';";
    let (ex, p) = one(text);
    assert_eq!(p.host.unwrap().value, "localhost");
    assert_eq!(codes(&ex), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(text, ex.findings[0].primary()), "host");
}

#[test]
fn secrets_everywhere() {
    let text = r#"<?php
define('SMTP_PASSWORD', 'define-secret');
const API_TOKEN = 'const-secret';
$smtpPassword = "var-secret";
$config = ['password' => 'array-secret', 'host' => 'not-secret'];
$dsn = 'smtp://user:url-secret@mail.example.org:587';
class A { private $password = 'prop-secret'; }
$x = env('MAIL_PASSWORD', 'env-default-secret');
$obj->Password = 'any-object-secret';
"#;
    let ex = extract(F, text);
    let secrets: Vec<&str> = ex.secrets.iter().map(|s| &text[s.clone()]).collect();
    assert_eq!(
        secrets,
        [
            "define-secret",
            "const-secret",
            "var-secret",
            "array-secret",
            "url-secret",
            "prop-secret",
            "env-default-secret",
            "any-object-secret"
        ]
    );
}

#[test]
fn string_decoding() {
    let text = r#"<?php $m = new PHPMailer; $m->isSMTP(); $m->Username = 'o\'brien\\x'; $m->Password = "a\tb\x41\$"; $m->Host = "h{$x}";"#;
    let (_, p) = one(text);
    let u = p.username.unwrap();
    assert_eq!(u.value, "o'brien\\x");
    assert_eq!(at(text, &u.loc), r"o\'brien\\x");
    assert_eq!(p.password.unwrap().value.expose(), "a\tbA$");
    assert!(
        p.host.is_none(),
        "an interpolated string is not a known value"
    );
}

#[test]
fn syntax_errors_are_reported_once_and_reading_goes_on() {
    let text =
        "<?php\n$m = new PHPMailer;\n$m->isSMTP()\n$m->Host = 'smtp.gmail.com';\n$m->Port = ;\n";
    let ex = extract(F, text);
    assert_eq!(codes(&ex), [("parse-error", Severity::Warning)]);
    let span = ex.findings[0].primary().span.clone();
    assert!(span.start < span.end && span.end <= text.len());
    assert_eq!(ex.profiles.len(), 1);
    assert_eq!(
        ex.profiles[0].host.as_ref().unwrap().value,
        "smtp.gmail.com"
    );
}

// ---------------------------------------------------------------------------------------------
// Laravel
// ---------------------------------------------------------------------------------------------

const LARAVEL: &str = r#"<?php
return [
    'default' => env('MAIL_MAILER', 'smtp'),
    'mailers' => [
        'smtp' => [
            'transport' => 'smtp',
            'scheme' => env('MAIL_SCHEME'),
            'host' => env('MAIL_HOST', '127.0.0.1'),
            'port' => env('MAIL_PORT', 2525),
            'username' => env('MAIL_USERNAME'),
            'password' => env('MAIL_PASSWORD'),
            'verify_peer' => env('MAIL_VERIFY_PEER', true),
        ],
        'log' => ['transport' => 'log'],
        'backup' => ['transport' => 'smtp', 'host' => 'relay.example.org', 'port' => 465, 'username' => null],
    ],
    'from' => ['address' => env('MAIL_FROM_ADDRESS', 'hello@example.com'), 'name' => 'X'],
];
"#;

#[test]
fn laravel_mailers() {
    let ex = extract(F, LARAVEL);
    assert!(ex.findings.is_empty(), "{:?}", ex.findings);
    assert_eq!(ex.profiles.len(), 2);
    let p = &ex.profiles[0];
    assert_eq!(p.client, Client::LaravelConfig);
    assert_eq!(p.label, "mailers.smtp");
    assert_eq!(at(LARAVEL, &p.anchor), "smtp");
    // The port's mode is converted before the scheme, which only overrides it for `smtps`
    // (a `465` scheme leaves it).
    let order: Vec<(&str, Option<FieldValue>)> = p
        .env_refs
        .iter()
        .map(|r| (r.var.as_str(), r.apply("465")))
        .collect();
    assert_eq!(
        order,
        [
            ("MAIL_HOST", Some(FieldValue::Host("465".into()))),
            ("MAIL_PORT", Some(FieldValue::Port(465))),
            (
                "MAIL_PORT",
                Some(FieldValue::Security(Security::ImplicitTls))
            ),
            ("MAIL_SCHEME", None),
            ("MAIL_USERNAME", Some(FieldValue::Username("465".into()))),
            (
                "MAIL_USERNAME",
                Some(FieldValue::Auth(AuthMethod::Password))
            ),
            (
                "MAIL_PASSWORD",
                Some(FieldValue::Password(crate::model::Secret::new("465")))
            ),
            // filter_var('465', FILTER_VALIDATE_BOOL) is false: verification off.
            ("MAIL_VERIFY_PEER", Some(FieldValue::TlsVerify(false))),
            ("MAIL_FROM_ADDRESS", Some(FieldValue::From("465".into()))),
        ]
    );
    let port = env_ref(p, "MAIL_PORT")[0];
    assert_eq!(at(LARAVEL, &port.reference), "env('MAIL_PORT', 2525)");
    let (d, dloc) = port.default.clone().unwrap();
    assert_eq!((d.as_str(), at(LARAVEL, &dloc)), ("2525", "2525"));
    let user = env_ref(p, "MAIL_USERNAME");
    assert_eq!(
        user[1].apply("null"),
        Some(FieldValue::Auth(AuthMethod::None))
    );
    assert_eq!(
        env_ref(p, "MAIL_VERIFY_PEER")[0].apply("false"),
        Some(FieldValue::TlsVerify(false))
    );
    let auth = p.auth.clone().unwrap();
    assert!(auth.is_default());
    assert_eq!(at(LARAVEL, &auth.loc), "env('MAIL_USERNAME')");

    let b = &ex.profiles[1];
    assert_eq!(b.label, "mailers.backup");
    let port = b.port.clone().unwrap();
    assert_eq!((port.value, at(LARAVEL, &port.loc)), (465, "465"));
    let sec = b.security.clone().unwrap();
    assert_eq!(
        (sec.value, sec.is_default(), at(LARAVEL, &sec.loc)),
        (Security::ImplicitTls, true, "465")
    );
    assert_eq!(b.auth.clone().unwrap().value, AuthMethod::None);
    assert_eq!(env_ref(b, "MAIL_FROM_ADDRESS").len(), 1);
}

#[test]
fn laravel_literals_and_options() {
    let text = r#"<?php return ['mailers' => ['smtp' => [
        'transport' => 'smtp', 'scheme' => 'smtps', 'host' => 'smtp.gmail.com', 'port' => '587',
        'username' => 'a@gmail.com', 'password' => 'secret-pass', 'verify_peer' => 'off',
    ]], 'from' => ['address' => 'a@gmail.com']];"#;
    let (ex, p) = one(text);
    let sec = p.security.unwrap();
    assert_eq!(
        (sec.value, at(text, &sec.loc)),
        (Security::ImplicitTls, "smtps")
    );
    assert_eq!(p.port.unwrap().value, 587);
    assert_eq!(at(text, &p.password.unwrap().loc), "secret-pass");
    assert_eq!(at(text, &p.tls_verify.unwrap().loc), "off");
    assert_eq!(at(text, &p.from[0].loc), "a@gmail.com");
    assert!(ex.secrets.iter().any(|s| &text[s.clone()] == "secret-pass"));

    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'mx.example', 'port' => 587, 'require_tls' => true]]];";
    let (_, p) = one(text);
    let sec = p.security.unwrap();
    assert_eq!((sec.value, at(text, &sec.loc)), (REQ, "true"));
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'mx.example', 'port' => 25, 'auto_tls' => false]]];";
    let (_, p) = one(text);
    assert_eq!(p.security.unwrap().value, Security::None);
    // Both at once contradict each other, as in a MAIL_URL: reported, no TLS mode claimed.
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'mx.example', 'port' => 587, 'require_tls' => true, 'auto_tls' => 'off']]];";
    let (ex, p) = one(text);
    assert_eq!(codes(&ex), [("conflicting-settings", Severity::Error)]);
    assert_eq!(at(text, ex.findings[0].primary()), "true");
    assert!(p.security.is_none());
    // An empty or null `auto_tls` keeps the default (on).
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'mx.example', 'port' => 587, 'auto_tls' => null]]];";
    let (_, p) = one(text);
    assert_eq!(
        p.security.unwrap().value,
        Security::StartTls { required: false }
    );
    // No port: Symfony Mailer picks 465 with implicit TLS.
    let text =
        "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'mx.example']]];";
    let (_, p) = one(text);
    assert_eq!(
        (p.port.unwrap().value, p.security.unwrap().value),
        (465, Security::ImplicitTls)
    );
    // A scheme from the environment with a literal port.
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'scheme' => env('MAIL_SCHEME'), 'port' => 587]]];";
    let (_, p) = one(text);
    assert_eq!(p.security.clone().unwrap().value, OPP);
    let r = env_ref(&p, "MAIL_SCHEME")[0];
    assert_eq!(
        r.apply("smtps"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    // `null` or `smtp` leave the mode the port gave (opportunistic STARTTLS on 587).
    assert_eq!(r.applied("null"), crate::model::conversion::Applied::Keep);
    assert_eq!(r.applied("smtp"), crate::model::conversion::Applied::Keep);
    // Both from the environment: MAIL_SCHEME=smtps on a port other than 465 is implicit TLS.
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'scheme' => env('MAIL_SCHEME'), 'port' => env('MAIL_PORT')]]];";
    let (_, p) = one(text);
    let mut q = p.clone();
    // (in the order the resolve step applies them)
    for r in &p.env_refs {
        let text = if r.var == "MAIL_PORT" {
            "2525"
        } else {
            "smtps"
        };
        if let Some(v) = r.apply(text) {
            q.set(v, r.reference.clone(), crate::model::Origin::Literal);
        }
    }
    assert_eq!(q.security.unwrap().value, Security::ImplicitTls);
    // Invalid values.
    let text = "<?php return ['mailers' => ['smtp' => ['transport' => 'smtp', 'scheme' => 'tls', 'port' => 99999]]];";
    let ex = extract(F, text);
    assert_eq!(
        codes(&ex),
        [
            ("invalid-value", Severity::Error),
            ("invalid-value", Severity::Error)
        ]
    );
}

#[test]
fn laravel_legacy_layout_and_non_configs() {
    let text = "<?php return ['driver' => env('MAIL_DRIVER', 'smtp'), 'host' => 'smtp.mail.me.com', 'port' => 587, 'encryption' => 'ssl', 'username' => 'a@icloud.com'];";
    let (ex, p) = one(text);
    assert_eq!(p.label, "mail (driver smtp)");
    assert_eq!(p.security.unwrap().value, OPP);
    assert_eq!(codes(&ex), [("invalid-value", Severity::Warning)]);
    assert_eq!(at(text, ex.findings[0].primary()), "ssl");
    // Other mailers, other config files, arrays returned from functions: nothing.
    for text in [
        "<?php return ['driver' => 'sendmail', 'host' => 'x'];",
        "<?php return ['mailers' => ['smtp' => ['transport' => 'log']]];",
        "<?php return ['connections' => ['mysql' => ['host' => 'db', 'port' => 3306]]];",
        "<?php function f() { return ['mailers' => ['smtp' => ['transport' => 'smtp', 'host' => 'x']]]; }",
    ] {
        assert!(extract(F, text).profiles.is_empty(), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

/// Every span an extraction hands out lies inside the text, on character boundaries.
fn assert_spans_valid(text: &str, ex: &Extraction) {
    let ok = |r: &Range<usize>| {
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    for p in &ex.profiles {
        assert!(ok(&p.anchor.span));
        for l in p.field_locs() {
            assert!(ok(&l.span), "{:?}", l);
        }
        for r in &p.env_refs {
            assert!(ok(&r.reference.span));
            if let Some((_, l)) = &r.default {
                assert!(ok(&l.span));
            }
        }
    }
    for f in &ex.findings {
        for l in &f.labels {
            assert!(ok(&l.loc.span), "{:?}", f);
        }
    }
    for s in &ex.secrets {
        assert!(ok(s));
    }
}

#[test]
fn nasty_input_never_panics() {
    let deep_parens = format!(
        "<?php $m->Port = {}1{};",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let deep_arrays = format!(
        "<?php return [{}];",
        "['a' => ".repeat(3000) + &"1]".repeat(3000)
    );
    let long_line = format!("<?php $m->Host = '{}';", "a".repeat(200_000));
    let many = "$m->isSMTP(); $m->Host = 'x'; ".repeat(5000);
    // Values that grow with every statement stay small (pieces are capped).
    let growing = format!(
        "<?php $m = new PHPMailer; $m->isSMTP(); $x = 'a'; {} $m->Password = $x;",
        "$x = $x . 'a' . \"{$x}\"; $m->Username = $m->Username . $x; ".repeat(5000)
    );
    let inputs: Vec<String> = vec![
        String::new(),
        "<?php".into(),
        "<?".into(),
        "\u{feff}".into(),
        "\0\0\0<?php \0 $m->Host = '\0';".into(),
        "<?php $m->Host = 'unterminated".into(),
        "<?php $m->Host = \"unterminated {$x".into(),
        "$m->Password = 'ünïcødé-🔑'; $m->isSMTP(); $m->Host = 'smtp.é.example:465';".into(),
        "<?php $m = new PHPMailer; $m->isSMTP(); $m->Host = ';;;:::;ssl://;tls://:;[::1]:'; $m->Port = -0x7fffffffffffffff;".into(),
        "<?php return [ 'mailers' => [ 'smtp' => [ 'transport' => 'smtp', 'port' => 1e3, 'host' => ['x'] ] ] ];".into(),
        "<?php $a = $a; $b = $b['x']['y']; $m->Host = $b; $m->isSMTP();".into(),
        "\r\r\n\r<?php\r$m->isSMTP();\r$m->Host='a';\r".into(),
        "<?php <<<EOT\n$m->Host\nEOT;".into(),
        "?><?php ?><?= $x ?><?php".into(),
        deep_parens,
        deep_arrays,
        long_line,
        many,
        growing,
        "\u{80}\u{7ff}\u{fffd}".repeat(100),
    ];
    for text in &inputs {
        let ex = extract(F, text);
        assert_spans_valid(text, &ex);
    }
}

/// A small fuzz loop without extra crates: random bytes made of PHP-ish tokens, and random cuts
/// of the fixtures.
#[test]
fn fuzz_random_tokens_and_fixture_cuts() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const TOKENS: &[&str] = &[
        "<?php ",
        "$mail",
        "->",
        "Host",
        "Port",
        "SMTPSecure",
        "isSMTP()",
        " = ",
        "'",
        "\"",
        ";",
        "\n",
        "ssl://",
        "smtp.gmail.com",
        ":465",
        "587",
        "[",
        "]",
        "(",
        ")",
        "=>",
        "env(",
        "getenv(",
        "'MAIL_PORT'",
        ",",
        "new PHPMailer",
        "return ",
        "'mailers'",
        "'smtp'",
        "\\",
        "{$",
        "}",
        "PHPMailer::ENCRYPTION_SMTPS",
        "(int)",
        "?:",
        "??",
        "é",
        "\0",
        "\r",
        "/*",
        "*/",
        "//",
    ];
    for _ in 0..400 {
        let n = (next() % 60) as usize;
        let text: String = (0..n)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        let ex = extract(F, &text);
        assert_spans_valid(&text, &ex);
    }
    let fixtures: Vec<String> = [
        include_str!("../../../fixtures/phpmailer/verify-peer-off.bad.php"),
        include_str!("../../../fixtures/phpmailer/several-hosts.bad.php"),
        include_str!("../../../fixtures/phpmailer/class-property.bad.php"),
        include_str!("../../../fixtures/laravel-config/cached-literals-bad/config/mail.php"),
        include_str!("../../../fixtures/laravel-config/stock-good/config/mail.php"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for f in &fixtures {
        for _ in 0..150 {
            let mut a = (next() as usize) % (f.len() + 1);
            let mut b = (next() as usize) % (f.len() + 1);
            if a > b {
                std::mem::swap(&mut a, &mut b);
            }
            while !f.is_char_boundary(a) {
                a -= 1;
            }
            while !f.is_char_boundary(b) {
                b += 1;
            }
            let cut = &f[a..b];
            let ex = extract(F, cut);
            assert_spans_valid(cut, &ex);
            // Also with a byte dropped in the middle.
            let mid = (a + b) / 2;
            if f.is_char_boundary(mid) && mid < b && f.is_char_boundary(mid + 1) {
                let spliced = format!("{}{}", &f[a..mid], &f[mid + 1..b]);
                let ex = extract(F, &spliced);
                assert_spans_valid(&spliced, &ex);
            }
        }
    }
}

#[test]
fn templates_and_forms_are_not_linted_for_syntax() {
    // A settings form mentions "smtp" but is no mail configuration.
    for text in [
        "<select name=\"driver\"><option value=\"smtp\">SMTP</option></select>\n@if($x) {{ $y }} @endif",
        "@extends('layout')\n@section('content')\n<p>Mailer: {{ 'smtp' }}</p>\n@endsection",
    ] {
        let ex = extract(F, text);
        assert!(ex.findings.is_empty() && ex.profiles.is_empty(), "{text}: {:?}", ex.findings);
    }
    // A broken PHPMailer snippet does get its parse-error.
    let ex = extract(
        F,
        "use PHPMailer\\PHPMailer\\PHPMailer;\n$mail->Host = ('x';",
    );
    assert_eq!(codes(&ex), [("parse-error", Severity::Warning)]);
}

#[test]
fn branches_make_values_unknown_unless_they_agree() {
    let text = r#"<?php
$m = new PHPMailer(true);
$m->isSMTP();
$m->Host = 'smtp.gmail.com';
if ($production) {
    $m->SMTPSecure = 'ssl';
    $m->Port = 465;
    $m->SMTPAuth = true;
} elseif ($staging) {
    $m->SMTPSecure = 'tls';
    $m->Port = 587;
    $m->SMTPAuth = true;
} else {
    $m->Port = 1025;
}
$m->Username = 'a@gmail.com';
if ($debug) { $m->Username = 'b@gmail.com'; }
"#;
    let (_, p) = one(text);
    assert!(p.port.is_none(), "port differs between branches");
    assert!(p.security.is_none());
    assert!(p.username.is_none(), "a conditional override");
    // Both arms agree: the value is known.
    assert_eq!(p.auth.unwrap().value, AuthMethod::Password);

    // Everything inside one branch is as good as unconditional.
    let text =
        "<?php if ($_POST) { $m = new PHPMailer; $m->isSMTP(); $m->Port = 25; $m->Port = 587; }";
    let (_, p) = one(text);
    assert_eq!(p.port.unwrap().value, 587);

    // isSMTP() in one arm, isMail() in the other: the SMTP settings may be used.
    let text = "<?php $m = new PHPMailer; if ($smtp) { $m->isSMTP(); } else { $m->isMail(); } $m->Host = 'x.example';";
    let (_, p) = one(text);
    assert_eq!(p.host.unwrap().value, "x.example");
    let text = "<?php $m = new PHPMailer; switch ($t) { case 1: $m->Port = 465; break; default: $m->Port = 587; } $m->isSMTP();";
    let (_, p) = one(text);
    assert!(p.port.is_none());
}

#[test]
fn passwords_built_from_pieces_are_masked() {
    let text = r#"<?php
$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = 'smtp.example.org';
$prefix = 'Pieces-';
$tail = "tail-2024";
$joined = $prefix . 'middle-' . $tail;
$mail->Password = "{$joined}!";
$mail->Username = 'me@example.org';
"#;
    let (ex, p) = one(text);
    assert!(
        p.password.is_none(),
        "a built password is not a known value"
    );
    let secrets: Vec<&str> = ex.secrets.iter().map(|s| &text[s.clone()]).collect();
    assert_eq!(secrets, ["Pieces-", "tail-2024", "middle-", "!"]);

    for (value, expected) in [
        ("'abc' . 'def'", &["abc", "def"][..]),
        ("getenv('SMTP_PASS') . 'x-suffix'", &["x-suffix"][..]),
        ("\"pre{$nothing}post\"", &["pre", "post"][..]),
        ("$nothing . 'alone'", &["alone"][..]),
    ] {
        let text =
            format!("<?php $m = new PHPMailer; $m->isSMTP(); $pw = {value}; $m->Password = $pw;");
        let (ex, _) = one(&text);
        let secrets: Vec<&str> = ex.secrets.iter().map(|s| &text[s.clone()]).collect();
        assert_eq!(secrets, expected, "{value}");
    }
}
