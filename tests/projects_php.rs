//! PHP projects checked as folders: settings read from `.env` by PHPMailer code or by Laravel's
//! `config/mail.php` are resolved against the project's `.env`, and a mistake in `.env` is
//! reported once, at the `.env` line, with a second label on the code that reads it.

use smtp_doctor::model::{AuthMethod, Client, Origin};

use std::collections::BTreeSet;

mod common;
use common::projects::{check, findings, place};

#[test]
fn laravel_username_without_domain_is_reported_in_env_and_labelled_in_config() {
    let (root, o) = check("fixtures/laravel-config/gmail-login-bad");
    assert_eq!(o.files_checked, 2);
    let expected = BTreeSet::from([(
        "username-not-full-address".to_owned(),
        vec![
            place(".env", 4, "no domain"),
            place("config/mail.php", 19, "read here"),
        ],
    )]);
    assert_eq!(findings(&root, &o), expected);

    // One profile: the config's, whose fields came from .env; the .env file's own Laravel
    // profile over the same lines is dropped, so nothing is reported twice.
    assert_eq!(o.profiles.len(), 1);
    let p = &o.profiles[0];
    assert_eq!(p.client, Client::LaravelConfig);
    assert_eq!(p.label, "mailers.smtp");
    let user = p.username.as_ref().unwrap();
    assert_eq!(user.value, "alice.smith");
    assert!(matches!(&user.origin, Origin::Env { var, .. } if var == "MAIL_USERNAME"));
    // The host is written in the config, the port comes from .env and decides the TLS mode.
    assert!(matches!(p.host.as_ref().unwrap().origin, Origin::Literal));
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        smtp_doctor::model::Security::ImplicitTls
    );
    assert!(
        matches!(&p.security.as_ref().unwrap().origin, Origin::Env { var, .. } if var == "MAIL_PORT")
    );
    // The From address falls back to the default written in the config.
    assert_eq!(p.from[0].value, "alice.smith@gmail.com");
}

#[test]
fn laravel_full_address_login_is_clean() {
    let (root, o) = check("fixtures/laravel-config/gmail-login-good");
    assert_eq!(findings(&root, &o), BTreeSet::new());
    assert_eq!(o.profiles.len(), 1);
    assert_eq!(
        o.profiles[0].username.as_ref().unwrap().value,
        "alice.smith@gmail.com"
    );
}

#[test]
fn phpmailer_starttls_with_port_465_from_env_is_reported_in_env() {
    let (root, o) = check("fixtures/phpmailer/env-port-bad");
    assert_eq!(o.files_checked, 2);
    let expected = BTreeSet::from([(
        "tls-mode-mismatch".to_owned(),
        vec![
            place(".env", 3, "expects implicit TLS"),
            place("mailer.php", 11, "read here"),
            place("mailer.php", 12, "STARTTLS (required) set here"),
        ],
    )]);
    assert_eq!(findings(&root, &o), expected);
    assert_eq!(o.profiles.len(), 1);
    let p = &o.profiles[0];
    assert_eq!(p.client, Client::PhpMailer);
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
    assert_eq!(
        p.username.as_ref().unwrap().value,
        "corner.bakery.orders@gmail.com"
    );
    // setFrom(getenv('SMTP_USER')) resolves too.
    assert_eq!(p.from[0].value, "corner.bakery.orders@gmail.com");
}

#[test]
fn phpmailer_starttls_with_port_587_from_env_is_clean() {
    let (root, o) = check("fixtures/phpmailer/env-port-good");
    assert_eq!(findings(&root, &o), BTreeSet::new());
    assert_eq!(o.profiles[0].port.as_ref().unwrap().value, 587);
}

/// Checking all Laravel fixtures at once: each config resolves against its own project's .env
/// only, and the stand-alone configs report what their `expect:` markers say.
#[test]
fn projects_side_by_side_do_not_mix() {
    let (root, o) = check("fixtures/laravel-config");
    let got: BTreeSet<(String, usize, String)> = findings(&root, &o)
        .into_iter()
        .map(|(code, labels)| (labels[0].0.clone(), labels[0].1, code))
        .collect();
    let want: BTreeSet<(String, usize, String)> = [
        ("cached-literals-bad/config/mail.php", 12, "invalid-value"),
        (
            "cached-literals-bad/config/mail.php",
            14,
            "app-password-required",
        ),
        (
            "cached-literals-bad/config/mail.php",
            14,
            "plaintext-secret",
        ),
        (
            "cached-literals-bad/config/mail.php",
            15,
            "tls-verify-disabled",
        ),
        ("gmail-login-bad/.env", 4, "username-not-full-address"),
        (
            "legacy-driver-bad/config/mail.php",
            10,
            "insecure-transport",
        ),
        // Laravel's stock placeholder From, hello@example.com, on Mailgun.
        ("legacy-driver-bad/config/mail.php", 12, "from-mismatch"),
        ("mail-url-bad/.env", 4, "username-not-full-address"),
        ("mail-url-options-bad/.env", 4, "insecure-transport"),
        ("mail-url-options-bad/.env", 4, "tls-verify-disabled"),
        ("smtps-on-587-bad/config/mail.php", 13, "tls-mode-mismatch"),
    ]
    .into_iter()
    .map(|(f, l, c)| (f.to_owned(), l, c.to_owned()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn laravel_mail_url_is_read_through_the_config_as_one_mailer() {
    // `.env` sets MAIL_URL; the stock config/mail.php reads it as `'url' => env('MAIL_URL')`.
    // Laravel merges the URL's parts over host, port and login: one mailer, one profile, and
    // its mistake reported once, at the URL, with the config's `url` line as a second label.
    let (root, o) = check("fixtures/laravel-config/mail-url-bad");
    assert_eq!(o.profiles.len(), 1, "{:#?}", o.profiles);
    let p = &o.profiles[0];
    assert_eq!(p.client, Client::LaravelConfig);
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        smtp_doctor::model::Security::ImplicitTls
    );
    assert!(
        matches!(&p.username.as_ref().unwrap().origin, Origin::Env { var, .. } if var == "MAIL_URL")
    );
    let expected = BTreeSet::from([(
        "username-not-full-address".to_owned(),
        vec![
            place(".env", 4, "no domain"),
            place("config/mail.php", 13, "read here"),
        ],
    )]);
    assert_eq!(findings(&root, &o), expected);
}

#[test]
fn laravel_mail_url_parts_and_options_have_their_own_spans() {
    // Through config/mail.php, each part of MAIL_URL is the value of its own field, at its own
    // bytes, and the query's verify_peer / require_tls are read as Symfony Mailer reads them.
    let (root, o) = check("fixtures/laravel-config/mail-url-options-bad");
    assert_eq!(o.profiles.len(), 1, "{:#?}", o.profiles);
    let p = &o.profiles[0];
    let env = std::fs::read_to_string(root.join(".env")).unwrap();
    let at = |l: &smtp_doctor::source::Loc| &env[l.span.clone()];
    assert_eq!(at(&p.host.as_ref().unwrap().loc), "smtp.example.org");
    assert_eq!(at(&p.port.as_ref().unwrap().loc), "587");
    assert_eq!(at(&p.username.as_ref().unwrap().loc), "shop%40example.org");
    assert_eq!(p.username.as_ref().unwrap().value, "shop@example.org");
    let verify = p.tls_verify.as_ref().unwrap();
    assert!(!verify.value);
    assert_eq!(at(&verify.loc), "0");
    assert_eq!(
        &env[verify.loc.span.start - 12..verify.loc.span.start],
        "verify_peer="
    );

    let (root, o) = check("fixtures/laravel-config/mail-url-require-good");
    let p = &o.profiles[0];
    let env = std::fs::read_to_string(root.join(".env")).unwrap();
    let sec = p.security.as_ref().unwrap();
    assert_eq!(
        sec.value,
        smtp_doctor::model::Security::StartTls { required: true }
    );
    assert_eq!(&env[sec.loc.span.clone()], "true");
}

#[test]
fn nextcloud_port_from_env_decides_the_tls_mode() {
    let (root, o) = check("fixtures/nextcloud/env-port-bad");
    assert_eq!(o.files_checked, 2);
    let found = findings(&root, &o);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["insecure-transport"], "{found:?}");
    let places = &found.iter().next().unwrap().1;
    assert!(
        places.iter().any(|p| p.0 == ".env" && p.1 == 3),
        "{places:?}"
    );
    assert_eq!(o.profiles.len(), 1);
    let p = &o.profiles[0];
    assert_eq!(p.client, Client::Nextcloud);
    assert_eq!(p.host.as_ref().unwrap().value, "mail.cornerbakery.example");
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(
        p.username.as_ref().unwrap().value,
        "cloud@cornerbakery.example"
    );
    assert_eq!(p.from[0].value, "cloud@cornerbakery.example");
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
}
