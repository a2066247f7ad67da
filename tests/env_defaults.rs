//! A default written in code next to an env read: `||` (JavaScript), `or` (Python) and `?:`
//! (PHP) also replace a variable that is set but empty; `??`, `os.getenv(X, d)` and Laravel's
//! `env(X, d)` replace only a missing one.

use smtp_doctor::engine::check_paths;
use smtp_doctor::providers::Providers;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn ports(dir: &tempfile::TempDir) -> (Vec<u16>, Vec<String>) {
    let o = check_paths(&[dir.path().to_path_buf()], &Providers::builtin().unwrap());
    let ports = o
        .profiles
        .iter()
        .filter_map(|p| p.port.as_ref().map(|v| v.value))
        .collect();
    let codes = o.findings.iter().map(|f| f.code.clone()).collect();
    (ports, codes)
}

const ENV: &str = "SMTP_PORT=\nSMTP_HOST=smtp.gmail.com\n";

#[test]
fn or_in_javascript_takes_the_default_for_an_empty_value() {
    let dir = project(&[
        (".env", ENV),
        ("mail.js", "const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: process.env.SMTP_HOST, port: process.env.SMTP_PORT || 465, secure: true });\n"),
    ]);
    let (ports, codes) = ports(&dir);
    assert_eq!(ports, [465], "{codes:?}");
    assert!(!codes.iter().any(|c| c == "invalid-value"), "{codes:?}");
}

#[test]
fn nullish_in_javascript_keeps_the_empty_value() {
    let dir = project(&[
        (".env", ENV),
        ("mail.js", "const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: process.env.SMTP_HOST, port: process.env.SMTP_PORT ?? 465, secure: true });\n"),
    ]);
    let (ports, codes) = ports(&dir);
    assert!(!ports.contains(&465), "{ports:?}");
    assert!(
        codes.iter().any(|c| c == "invalid-value"),
        "an empty port is not a port: {codes:?}"
    );
}

#[test]
fn or_in_python_takes_the_default_for_an_empty_value() {
    let dir = project(&[
        (".env", ENV),
        ("send.py", "import os, smtplib, ssl\ns = smtplib.SMTP_SSL(os.environ['SMTP_HOST'], int(os.getenv('SMTP_PORT') or 465), context=ssl.create_default_context())\n"),
    ]);
    let (ports, codes) = ports(&dir);
    assert_eq!(ports, [465], "{codes:?}");
}
