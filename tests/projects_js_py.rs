//! Project folders checked as a whole: a Node app and a Django app, each with a `.env` file that
//! the code reads. Values read from the environment are resolved against the `.env` of the same
//! project, so each mistake is reported once, in the file that holds it, with a second label on
//! the code that reads it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use smtp_doctor::engine::{self, Outcome};
use smtp_doctor::finding::Finding;
use smtp_doctor::model::Client;
use smtp_doctor::providers::Providers;

fn check(dir: &str) -> Outcome {
    let providers = Providers::builtin().unwrap();
    let outcome = engine::check_paths(&[PathBuf::from(dir)], &providers);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    outcome
}

/// A path relative to the project folder, with `/` separators.
fn rel(outcome: &Outcome, dir: &str, file: smtp_doctor::source::FileId) -> String {
    let p = outcome.sources.path(file);
    p.strip_prefix(Path::new(dir))
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn line(outcome: &Outcome, loc: &smtp_doctor::source::Loc) -> usize {
    outcome.sources.get(loc.file).line_col(loc.span.start).0
}

/// `(file, line, code)` of every finding's primary label.
fn found(outcome: &Outcome, dir: &str) -> BTreeSet<(String, usize, String)> {
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                rel(outcome, dir, f.primary().file),
                line(outcome, f.primary()),
                f.code.clone(),
            )
        })
        .collect()
}

fn set(items: &[(&str, usize, &str)]) -> BTreeSet<(String, usize, String)> {
    items
        .iter()
        .map(|(f, l, c)| (f.to_string(), *l, c.to_string()))
        .collect()
}

fn finding<'o>(outcome: &'o Outcome, code: &str) -> &'o Finding {
    outcome
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

/// `(file, line)` of every label of a finding.
fn labels(outcome: &Outcome, dir: &str, f: &Finding) -> BTreeSet<(String, usize)> {
    f.labels
        .iter()
        .map(|l| (rel(outcome, dir, l.loc.file), line(outcome, &l.loc)))
        .collect()
}

fn labelled(items: &[(&str, usize)]) -> BTreeSet<(String, usize)> {
    items.iter().map(|(f, l)| (f.to_string(), *l)).collect()
}

#[test]
fn node_app_reports_each_mistake_once_in_the_right_file() {
    let dir = "fixtures/nodemailer/node-app";
    let o = check(dir);
    assert_eq!(
        found(&o, dir),
        set(&[
            (".env", 4, "username-not-full-address"),
            (".env", 5, "from-mismatch"),
            ("src/mailer.js", 6, "tls-mode-mismatch"),
        ])
    );
    // SMTP_SECURE=false is the raw string "false": truthy, so implicit TLS on 587. The port is
    // the primary label, the .env definition and the code reading it are the others.
    let mismatch = finding(&o, "tls-mode-mismatch");
    assert_eq!(
        labels(&o, dir, mismatch),
        labelled(&[("src/mailer.js", 6), (".env", 3), ("src/mailer.js", 7)])
    );
    assert_eq!(
        labels(&o, dir, finding(&o, "username-not-full-address")),
        labelled(&[(".env", 4), ("src/mailer.js", 9)])
    );
    // The From read inside a template literal; the login is labelled too.
    assert_eq!(
        labels(&o, dir, finding(&o, "from-mismatch")),
        labelled(&[(".env", 5), ("src/mailer.js", 16), (".env", 4)])
    );
    // The .env file's own guess at a profile (SMTP_SECURE) is dropped: the code decides.
    assert!(o.profiles.iter().all(|p| p.client == Client::Nodemailer));
    assert_eq!(o.profiles.len(), 2);
}

#[test]
fn node_app_done_right_is_clean() {
    let dir = "fixtures/nodemailer/node-app-good";
    let o = check(dir);
    assert_eq!(found(&o, dir), set(&[]), "{:#?}", o.findings);
    // The env values did reach the profile.
    let p = &o.profiles[0];
    assert_eq!(
        p.username.as_ref().map(|u| u.value.as_str()),
        Some("jane.appleseed@icloud.com")
    );
    assert_eq!(
        p.security.as_ref().map(|s| s.value),
        Some(smtp_doctor::model::Security::StartTls { required: true })
    );
}

#[test]
fn secure_read_raw_from_env_is_a_tls_mismatch() {
    let dir = "fixtures/nodemailer/secure-string-bad";
    let o = check(dir);
    assert_eq!(
        found(&o, dir),
        set(&[("mailer.js", 8, "tls-mode-mismatch")])
    );
    assert_eq!(
        labels(&o, dir, finding(&o, "tls-mode-mismatch")),
        labelled(&[("mailer.js", 8), (".env", 3), ("mailer.js", 9)])
    );

    let dir = "fixtures/nodemailer/secure-string-good";
    let o = check(dir);
    assert_eq!(found(&o, dir), set(&[]), "{:#?}", o.findings);
}

#[test]
fn django_app_reports_env_mistakes_with_the_settings_that_read_them() {
    let dir = "fixtures/python/django-app";
    let o = check(dir);
    assert_eq!(
        found(&o, dir),
        set(&[
            (".env", 4, "invalid-value"),
            (".env", 5, "username-not-full-address"),
            (".env", 6, "app-password-required"),
            ("scripts/weekly_report.py", 12, "insecure-transport"),
        ])
    );
    // EMAIL_USE_SSL = os.getenv(...) next to EMAIL_USE_TLS = True: "False" is truthy and Django
    // refuses both flags.
    assert_eq!(
        labels(&o, dir, finding(&o, "invalid-value")),
        labelled(&[(".env", 4), ("shop/settings.py", 13)])
    );
    for code in ["username-not-full-address", "app-password-required"] {
        let files: BTreeSet<String> = labels(&o, dir, finding(&o, code))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert!(
            files.contains(".env") && files.len() == 2,
            "{code}: {files:?}"
        );
    }
    // The password taken from .env is masked in that file.
    let env = o
        .sources
        .iter()
        .find(|(_, f)| f.path.ends_with(".env"))
        .map(|(_, f)| f)
        .unwrap();
    let start = env.text.find("Summer2024!").unwrap();
    assert!(env
        .secrets()
        .any(|s| s.start <= start && s.end >= start + "Summer2024!".len()));
    assert!(o
        .profiles
        .iter()
        .any(|p| p.client == Client::DjangoSettings));
}

#[test]
fn django_app_done_right_is_clean() {
    let dir = "fixtures/python/django-app-good";
    let o = check(dir);
    assert_eq!(found(&o, dir), set(&[]), "{:#?}", o.findings);
    let p = o
        .profiles
        .iter()
        .find(|p| p.client == Client::DjangoSettings)
        .unwrap();
    assert_eq!(
        p.host.as_ref().map(|h| h.value.as_str()),
        Some("smtp.mail.me.com")
    );
    assert_eq!(
        p.security.as_ref().map(|s| s.value),
        Some(smtp_doctor::model::Security::StartTls { required: true })
    );
}

#[test]
fn flask_flags_both_read_from_env_are_judged_in_the_env_file() {
    // MAIL_USE_TLS and MAIL_USE_SSL both come from .env: TLS true, SSL false, port 465.
    let dir = "fixtures/python/flask-env-app";
    let o = check(dir);
    assert_eq!(
        found(&o, dir),
        set(&[(".env", 2, "tls-mode-mismatch")]),
        "{:#?}",
        o.findings
    );
    assert_eq!(
        labels(&o, dir, finding(&o, "tls-mode-mismatch")),
        labelled(&[(".env", 2), (".env", 3), ("config.py", 6), ("config.py", 7)])
    );
}

#[test]
fn decouple_flags_both_read_from_env_are_judged_in_the_env_file() {
    // `config(..., cast=bool)` for both flags: TLS False, SSL True on port 587.
    let dir = "fixtures/python/django-decouple-app";
    let o = check(dir);
    assert_eq!(
        found(&o, dir),
        set(&[(".env", 2, "tls-mode-mismatch")]),
        "{:#?}",
        o.findings
    );
    assert_eq!(
        labels(&o, dir, finding(&o, "tls-mode-mismatch")),
        labelled(&[
            (".env", 2),
            (".env", 4),
            ("settings.py", 5),
            ("settings.py", 7)
        ])
    );
}
