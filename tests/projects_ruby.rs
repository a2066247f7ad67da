//! Rails projects checked as folders: `config/environments/production.rb` reads its SMTP settings
//! from the project's `.env` (dotenv-rails), and a mistake in `.env` is reported once, at the
//! `.env` line, with a second label on the Ruby code that reads it.

use smtp_doctor::model::{AuthMethod, Client, Origin, Security};

use std::collections::BTreeSet;

mod common;
use common::projects::{check, findings, place};

const PROD: &str = "config/environments/production.rb";

#[test]
fn env_values_read_by_production_rb_are_judged_as_mail_reads_them() {
    let (root, o) = check("fixtures/rails/env-app");
    assert_eq!(o.files_checked, 2);
    let expected = BTreeSet::from([
        (
            "tls-mode-mismatch".to_owned(),
            vec![
                place(".env", 3, "expects implicit TLS"),
                place(PROD, 7, "read here"),
                place(PROD, 11, "STARTTLS (required) set here"),
            ],
        ),
        (
            "tls-verify-disabled".to_owned(),
            vec![
                place(".env", 6, "verification off"),
                place(PROD, 12, "read here"),
            ],
        ),
    ]);
    assert_eq!(findings(&root, &o), expected);
    // One profile: the .env file's own SMTP_* reading gives way to the code that reads it.
    assert_eq!(o.profiles.len(), 1);
    let p = &o.profiles[0];
    assert_eq!(p.client, Client::Rails);
    assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
    assert!(matches!(
        p.host.as_ref().unwrap().origin,
        Origin::Env { .. }
    ));
    assert_eq!(p.port.as_ref().unwrap().value, 465);
    assert_eq!(
        p.username.as_ref().unwrap().value,
        "corner.bakery.orders@gmail.com"
    );
    assert_eq!(
        p.password.as_ref().unwrap().value.expose(),
        "qwertzuiopasdfgh"
    );
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
    assert_eq!(p.from[0].value, "corner.bakery.orders@gmail.com");
}

#[test]
fn the_same_project_done_right_is_clean() {
    let (root, o) = check("fixtures/rails/env-app-good");
    assert_eq!(findings(&root, &o), BTreeSet::new());
    let p = &o.profiles[0];
    assert_eq!(p.port.as_ref().unwrap().value, 587);
    assert_eq!(
        p.security.as_ref().unwrap().value,
        Security::StartTls { required: true }
    );
}

#[test]
fn the_rails_fixtures_side_by_side_do_not_mix() {
    // Each production.rb resolves against its own project's .env only; the stand-alone files
    // report what their markers say and the stock template nothing.
    let (root, o) = check("fixtures/rails");
    let stock = o
        .findings
        .iter()
        .map(|f| o.sources.get(f.primary().file).path.clone())
        .filter(|p| {
            p.starts_with(root.join("stock-good")) || p.starts_with(root.join("env-app-good"))
        })
        .count();
    assert_eq!(stock, 0);
    let ports: BTreeSet<u16> = o
        .profiles
        .iter()
        .filter(|p| o.sources.get(p.file()).path.ends_with(PROD))
        .filter_map(|p| p.port.as_ref().map(|v| v.value))
        .collect();
    assert_eq!(ports, BTreeSet::from([465, 587]));
}
