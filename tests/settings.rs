//! `smtp-doctor settings`: every provider in every format is a configuration the check engine
//! finds nothing wrong with, and the README's sample is real output.

mod common;

use std::path::Path;

use common::{smtp_doctor, stdout};

const FORMATS: &[(&str, &str)] = &[
    ("nodemailer", "mailer.js"),
    ("phpmailer", "mailer.php"),
    ("smtplib", "send.py"),
    ("django", "settings.py"),
    ("laravel", ".env"),
    ("toml", "config.toml"),
    ("thunderbird", "user.js"),
    ("gitea", "app.ini"),
    ("grafana", "grafana.ini"),
    ("git-sendemail", ".gitconfig"),
    ("msmtp", ".msmtprc"),
    ("spring-boot", "application.properties"),
    ("symfony", ".env"),
    ("dotnet", "appsettings.json"),
    ("mastodon", ".env.production"),
    ("vaultwarden", ".env"),
    ("rails", "production.rb"),
];

/// Formats that can sign in with OAuth2 (the others refuse a provider that wants it).
const OAUTH2: &[&str] = &[
    "nodemailer",
    "phpmailer",
    "smtplib",
    "toml",
    "thunderbird",
    "msmtp",
    "rails",
];

fn providers() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir("rules")
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            // rules/symptoms.yaml holds triage's symptoms, not a provider.
            (p.extension()? == "yaml" && !smtp_doctor::triage::symptoms::is_symptoms_file(&p))
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_snippet_of_every_provider_passes_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let ids = providers();
    assert!(ids.len() >= 15, "{ids:?}");
    let mut problems = Vec::new();
    let mut checked = 0;
    for id in &ids {
        for (format, file) in FORMATS {
            let o = smtp_doctor()
                .args(["settings", id, "--for", format])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr).into_owned();
            if o.status.code() == Some(2) {
                // Only formats that cannot sign in with OAuth2, for providers that want it,
                // and .NET's SmtpClient (no implicit TLS) for a provider without STARTTLS.
                let oauth2 = err.contains("OAuth2") && !OAUTH2.contains(format);
                let dotnet = *format == "dotnet" && err.contains("documents no STARTTLS port");
                // Apps that need a sender address, for a login that is not one.
                let from = matches!(*format, "gitea" | "vaultwarden")
                    && err.contains("needs a sender address");
                if !(oauth2 || dotnet || from) {
                    problems.push(format!("{id} {format}: refused: {err}"));
                }
                continue;
            }
            let text = stdout(&o);
            if !text.contains("Password (") || !text.contains("Source: http") {
                problems.push(format!(
                    "{id} {format}: no password kind or source:\n{text}"
                ));
            }
            let dir = tmp.path().join(format!("{id}-{format}"));
            std::fs::create_dir(&dir).unwrap();
            let path = dir.join(file);
            std::fs::write(&path, &text).unwrap();
            let check = smtp_doctor()
                .args(["check", "--isolated", "--format", "json"])
                .arg(&path)
                .output()
                .unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
            // The file was read as the format, and one SMTP profile came out of it.
            assert_eq!(doc["files_checked"], 1, "{id} {format}");
            let bad: Vec<String> = doc["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] != "info")
                .map(|d| format!("{} {}", d["code"], d["message"]))
                .collect();
            // Gitea cannot require STARTTLS: for a provider that offers nothing else, the
            // snippet says so, and the check's warning about it is the one finding.
            let gitea_starttls = *format == "gitea" && text.contains("PROTOCOL = smtp+starttls");
            if gitea_starttls {
                let only = bad.len() == 1 && bad[0].starts_with("\"insecure-transport\"");
                if !only || !text.contains("Gitea cannot require STARTTLS") {
                    problems.push(format!("{id} {format}: {bad:?}\n{text}"));
                }
            } else if !bad.is_empty() {
                problems.push(format!("{id} {format}: {bad:?}\n{text}"));
            }
            // The provider is recognised from the snippet (its host), so its facts were
            // checked: the same snippet on a port the provider does not offer is reported.
            // The port the header names (`..., port 587 with STARTTLS`), everywhere it is written.
            let at = text.find(", port ").unwrap() + ", port ".len();
            let port: String = text[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let body = text.lines().filter(|l| !l.starts_with(['#', '/']));
            let body: String = body.map(|l| format!("{l}\n")).collect();
            assert!(
                body.contains(&port),
                "{id} {format}: port {port} not in\n{text}"
            );
            std::fs::write(&path, text.replace(&port, "1")).unwrap();
            let wrong = smtp_doctor()
                .args(["check", "--isolated", "--format", "concise"])
                .arg(&path)
                .output()
                .unwrap();
            if !stdout(&wrong).contains("port-not-offered") {
                problems.push(format!(
                    "{id} {format}: provider not recognised: {}",
                    stdout(&wrong)
                ));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(checked >= ids.len() * (FORMATS.len() - 4), "{checked}");
}

#[test]
fn the_login_follows_the_provider_and_bad_addresses_are_refused() {
    let o = smtp_doctor()
        .args(["settings", "webde", "--for", "toml", "--user", "kim@web.de"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("username = \"kim\"\n"),
        "{}",
        stdout(&o)
    );
    let o = smtp_doctor()
        .args([
            "settings",
            "gmail",
            "--for",
            "django",
            "--user",
            "sam@gmail.com",
        ])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(
        text.contains(
            "EMAIL_PORT = 465\nEMAIL_USE_SSL = True\nEMAIL_HOST_USER = \"sam@gmail.com\"\n"
        ),
        "{text}"
    );
    assert!(text.contains("myaccount.google.com/apppasswords"), "{text}");
    for bad in ["sam", "a\"b@gmail.com", "a b@gmail.com", "${X}@gmail.com"] {
        smtp_doctor()
            .args(["settings", "gmail", "--user", bad])
            .assert()
            .code(2);
    }
    smtp_doctor().args(["settings", "nope"]).assert().code(2);
}

#[test]
fn without_for_every_format_is_printed() {
    let o = smtp_doctor()
        .args(["settings", "outlook"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for (_, file) in FORMATS {
        assert!(text.contains(&format!("({file}) <==")), "{file}\n{text}");
    }
    // Outlook.com takes only OAuth2: formats that cannot do it say so instead of a password.
    assert!(
        text.contains("# Django settings.py cannot sign in with OAuth2"),
        "{text}"
    );
    assert!(text.contains("type: \"OAuth2\""), "{text}");
}

/// The block after `marker` in the README, between its ``` fences.
pub fn readme_block(marker: &str) -> String {
    let readme = std::fs::read_to_string(Path::new("README.md")).unwrap();
    let at = readme
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in README"));
    let rest = &readme[at..];
    let start = rest.find("```").unwrap();
    let body = &rest[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_owned()
}

#[test]
fn the_readme_sample_is_real_output() {
    let o = smtp_doctor()
        .args([
            "settings",
            "icloud",
            "--for",
            "nodemailer",
            "--user",
            "jane@icloud.com",
        ])
        .output()
        .unwrap();
    assert_eq!(
        readme_block(
            "<!-- sample: smtp-doctor settings icloud --for nodemailer --user jane@icloud.com -->"
        ),
        format!(
            "$ smtp-doctor settings icloud --for nodemailer --user jane@icloud.com\n{}",
            stdout(&o)
        )
    );
}

fn settings(args: &[&str]) -> (Option<i32>, String, String) {
    let o = smtp_doctor().arg("settings").args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o.status.code(), stdout(&o), err)
}

#[test]
fn app_formats_use_each_apps_words() {
    let (_, gitea, _) = settings(&["gmail", "--for", "gitea", "--user", "sam@gmail.com"]);
    assert!(
        gitea.contains("PROTOCOL = smtps\nSMTP_ADDR = smtp.gmail.com\nSMTP_PORT = 465\nUSER = sam@gmail.com\nFROM = sam@gmail.com\n"),
        "{gitea}"
    );
    assert!(gitea.contains("GITEA__mailer__PASSWD") && !gitea.contains("PASSWD ="));
    // Gitea's smtp+starttls is opportunistic, and the snippet says so.
    let (_, gitea, _) = settings(&["icloud", "--for", "gitea"]);
    assert!(gitea.contains("PROTOCOL = smtp+starttls\n"), "{gitea}");
    assert!(gitea.contains("Gitea cannot require STARTTLS"), "{gitea}");
    // The local-part login still has a sender address at the provider's domain.
    let (_, gitea, _) = settings(&["webde", "--for", "gitea", "--user", "kim@web.de"]);
    assert!(gitea.contains("USER = kim\nFROM = kim@web.de\n"), "{gitea}");
    // An issued user name is no sender address: Gitea and Vaultwarden need one.
    for app in ["gitea", "vaultwarden"] {
        let (code, _, err) = settings(&["sendgrid", "--for", app]);
        assert_eq!(code, Some(2), "{app}");
        assert!(err.contains("--user ADDRESS"), "{err}");
    }
    let (_, grafana, _) = settings(&["icloud", "--for", "grafana"]);
    assert!(
        grafana.contains("host = smtp.mail.me.com:587\nstartTLS_policy = MandatoryStartTLS\n"),
        "{grafana}"
    );
    assert!(grafana.contains("GF_SMTP_PASSWORD") && !grafana.contains("\npassword"));
    let (_, git, _) = settings(&["gmail", "--for", "git-sendemail"]);
    assert!(
        git.contains("\tsmtpEncryption = ssl\n") && !git.contains("smtpPass ="),
        "{git}"
    );
    // msmtp signs in with OAuth2 (a token from passwordeval) where the provider wants it.
    let (_, msmtp, _) = settings(&["outlook", "--for", "msmtp"]);
    assert!(msmtp.contains("tls_starttls on\nauth xoauth2\n"), "{msmtp}");
    assert!(
        msmtp.contains("passwordeval \"printenv SMTP_OAUTH2_TOKEN\"\n"),
        "{msmtp}"
    );
    let (code, _, err) = settings(&["outlook", "--for", "spring-boot"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("OAuth2"), "{err}");
    let (_, spring, _) = settings(&["gmail", "--for", "spring-boot"]);
    assert!(
        spring.contains("spring.mail.password=${SMTP_PASSWORD}\n"),
        "{spring}"
    );
    assert!(spring.contains("mail.smtp.ssl.enable=true\n"), "{spring}");
    // The DSN's user part is percent-encoded, and the password is left out.
    let (_, dsn, _) = settings(&["gmail", "--for", "symfony", "--user", "sam+x@gmail.com"]);
    assert!(
        dsn.contains("MAILER_DSN=smtps://sam+x%40gmail.com@smtp.gmail.com:465\n"),
        "{dsn}"
    );
    let (_, dsn, _) = settings(&["icloud", "--for", "symfony"]);
    assert!(
        dsn.contains("@smtp.mail.me.com:587?require_tls=true\n"),
        "{dsn}"
    );
    // SmtpClient cannot do implicit TLS: Gmail's STARTTLS port instead of 465.
    let (_, dotnet, _) = settings(&["gmail", "--for", "dotnet"]);
    assert!(dotnet.contains("port 587 with STARTTLS"), "{dotnet}");
    assert!(
        dotnet.contains("\"Port\": 587,\n    \"EnableSsl\": true,"),
        "{dotnet}"
    );
    let (_, mastodon, _) = settings(&["icloud", "--for", "mastodon"]);
    assert!(
        mastodon.contains("SMTP_ENABLE_STARTTLS=always\n"),
        "{mastodon}"
    );
    let (_, vw, _) = settings(&["gmail", "--for", "vaultwarden"]);
    assert!(vw.contains("SMTP_SECURITY=force_tls\n"), "{vw}");
}
