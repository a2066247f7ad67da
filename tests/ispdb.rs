//! The generated provider rules under `rules/ispdb/`: made from Thunderbird's ISPDB files kept in
//! `data/ispdb/` (MPL-2.0, see data/ispdb/SOURCE.md), so this test needs no network.
//!
//! - `generated_rules_match_the_ispdb` regenerates every file and fails when one differs from
//!   what is committed; `SMTP_DOCTOR_REGENERATE=1 cargo test --test ispdb` rewrites them.
//! - `documented_settings_are_silent` renders each provider's documented settings in every
//!   supported format and checks that none of them draws a warning or an error.

#[path = "ispdb_gen/mod.rs"]
mod ispdb_gen;

use std::path::{Path, PathBuf};

use smtp_doctor::engine::{self, RunOptions};
use smtp_doctor::extract::detect;
use smtp_doctor::finding::Severity;
use smtp_doctor::model::TlsMode;
use smtp_doctor::providers::{Provider, Providers, UsernameForm};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_rules_match_the_ispdb() {
    let data = root().join("data/ispdb");
    let out = root().join("rules/ispdb");
    let mut xml: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    xml.sort();
    assert!(xml.len() >= 150, "{} ISPDB files", xml.len());
    let regenerate = std::env::var_os("SMTP_DOCTOR_REGENERATE").is_some();
    let mut expected = Vec::new();
    let mut stale = Vec::new();
    for path in &xml {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some((file, yaml)) = ispdb_gen::generate(&name, &text) else {
            continue;
        };
        let target = out.join(&file);
        expected.push(file.clone());
        if std::fs::read_to_string(&target).ok().as_deref() != Some(yaml.as_str()) {
            if regenerate {
                std::fs::write(&target, &yaml).unwrap();
            } else {
                stale.push(file);
            }
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    expected.sort();
    if regenerate {
        for extra in on_disk.iter().filter(|n| !expected.contains(n)) {
            std::fs::remove_file(out.join(extra)).unwrap();
        }
    } else {
        assert_eq!(
            on_disk, expected,
            "rules/ispdb differs from data/ispdb: SMTP_DOCTOR_REGENERATE=1 cargo test --test ispdb"
        );
    }
    assert!(
        stale.is_empty(),
        "stale generated rules (SMTP_DOCTOR_REGENERATE=1 cargo test --test ispdb): {stale:?}"
    );
}

#[test]
fn at_least_150_providers_and_curated_ones_win() {
    let ps = Providers::builtin().unwrap();
    assert!(ps.list.len() >= 150, "{} providers", ps.list.len());
    // Curated rules replace the ISPDB file that describes the same host.
    assert_eq!(ps.by_smtp_host("smtp.gmail.com").unwrap().id, "gmail");
    assert!(!ps.by_smtp_host("smtp.gmail.com").unwrap().generated);
    assert!(ps.get("googlemail-com").is_none());
    let free = ps.by_smtp_host("smtp.free.fr").unwrap();
    assert!(free.generated && free.id == "free-fr", "{}", free.id);
    assert_eq!(ps.by_domain("free.fr").unwrap().id, "free-fr");
    // No domain is claimed by two providers.
    let mut seen = std::collections::HashMap::new();
    for p in &ps.list {
        for d in p.domains.iter().filter(|d| d.is_exact()) {
            if let Some(other) = seen.insert(d.text.clone(), p.id.clone()) {
                panic!("{} claimed by {other} and {}", d.text, p.id);
            }
        }
    }
}

/// One documented setting: host, port and TLS mode, with a login of the provider's form.
struct Setting {
    host: String,
    port: u16,
    tls: TlsMode,
    user: String,
    from: String,
}

fn settings(p: &Provider) -> Vec<Setting> {
    let Some(domain) = p.domains.iter().find(|d| d.is_exact()) else {
        return Vec::new();
    };
    let address = format!("jane.doe@{}", domain.text);
    let user = match p.auth.username {
        UsernameForm::LocalPart => "jane.doe".to_owned(),
        _ => address.clone(),
    };
    let hosts: Vec<&str> = p
        .smtp_hosts
        .iter()
        .filter(|h| h.is_exact())
        .map(|h| h.text.as_str())
        .collect();
    let mut out = Vec::new();
    for host in hosts {
        for e in p.submission.iter().filter(|e| e.documented) {
            out.push(Setting {
                host: host.to_owned(),
                port: e.port,
                tls: e.tls,
                user: user.clone(),
                from: address.clone(),
            });
        }
    }
    out
}

/// The setting written in each supported format: (file name, text).
fn renderings(s: &Setting) -> Vec<(&'static str, String)> {
    let Setting {
        host,
        port,
        tls,
        user,
        from,
    } = s;
    let implicit = *tls == TlsMode::Implicit;
    let mut out = Vec::new();
    let security = if implicit { "implicit" } else { "starttls" };
    out.push((
        "mail.toml",
        format!("[email]\nhost = \"{host}\"\nport = {port}\nsecurity = \"{security}\"\nusername = \"{user}\"\npassword = \"$MAIL_PASSWORD\"\nfrom = \"{from}\"\n"),
    ));
    let query = if implicit {
        "?scheme=smtps"
    } else {
        "?require_tls=true"
    };
    out.push((
        ".env",
        format!("MAIL_MAILER=smtp\nMAIL_URL=\"smtp://{}:secret-pass@{host}:{port}{query}\"\nMAIL_FROM_ADDRESS=\"{from}\"\n", user.replace('@', "%40")),
    ));
    let (use_tls, use_ssl) = if implicit {
        ("False", "True")
    } else {
        ("True", "False")
    };
    out.push((
        ".env",
        format!("EMAIL_HOST={host}\nEMAIL_PORT={port}\nEMAIL_USE_TLS={use_tls}\nEMAIL_USE_SSL={use_ssl}\nEMAIL_HOST_USER={user}\nEMAIL_HOST_PASSWORD=secret-pass\nDEFAULT_FROM_EMAIL={from}\n"),
    ));
    out.push((
        ".env",
        format!("SMTP_HOST={host}\nSMTP_PORT={port}\nSMTP_SECURITY={}\nSMTP_USERNAME={user}\nSMTP_PASSWORD=secret-pass\nSMTP_FROM={from}\n", if implicit { "force_tls" } else { "starttls" }),
    ));
    out.push((
        "mailer.js",
        format!("const nodemailer = require(\"nodemailer\");\nmodule.exports = nodemailer.createTransport({{\n  host: \"{host}\",\n  port: {port},\n  secure: {implicit},\n  requireTLS: {},\n  auth: {{ user: \"{user}\", pass: process.env.MAIL_PASSWORD }},\n}});\n", !implicit),
    ));
    let secure = if implicit {
        "PHPMailer::ENCRYPTION_SMTPS"
    } else {
        "PHPMailer::ENCRYPTION_STARTTLS"
    };
    out.push((
        "mail.php",
        format!("<?php\nuse PHPMailer\\PHPMailer\\PHPMailer;\n$mail = new PHPMailer(true);\n$mail->isSMTP();\n$mail->Host = '{host}';\n$mail->Port = {port};\n$mail->SMTPSecure = {secure};\n$mail->SMTPAuth = true;\n$mail->Username = '{user}';\n$mail->Password = getenv('MAIL_PASSWORD');\n$mail->setFrom('{from}');\n$mail->send();\n"),
    ));
    let py = if implicit {
        format!("import os\nimport smtplib\nimport ssl\n\nwith smtplib.SMTP_SSL(\"{host}\", {port}, context=ssl.create_default_context()) as server:\n    server.login(\"{user}\", os.environ[\"MAIL_PASSWORD\"])\n    server.sendmail(\"{from}\", [\"a@b.org\"], \"hi\")\n")
    } else {
        format!("import os\nimport smtplib\nimport ssl\n\nserver = smtplib.SMTP(\"{host}\", {port})\nserver.starttls(context=ssl.create_default_context())\nserver.login(\"{user}\", os.environ[\"MAIL_PASSWORD\"])\nserver.sendmail(\"{from}\", [\"a@b.org\"], \"hi\")\n")
    };
    out.push(("send.py", py));
    out.push((
        "prefs.js",
        format!("user_pref(\"mail.identity.id1.smtpServer\", \"smtp1\");\nuser_pref(\"mail.identity.id1.useremail\", \"{from}\");\nuser_pref(\"mail.smtpserver.smtp1.authMethod\", 3);\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"{host}\");\nuser_pref(\"mail.smtpserver.smtp1.port\", {port});\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", {});\nuser_pref(\"mail.smtpserver.smtp1.username\", \"{user}\");\nuser_pref(\"mail.smtpservers\", \"smtp1\");\n", if implicit { 3 } else { 2 }),
    ));
    out
}

#[test]
fn documented_settings_are_silent() {
    let ps = Providers::builtin().unwrap();
    let opts = RunOptions::default();
    let mut checked = 0;
    let mut failures = Vec::new();
    for p in ps.list.iter().filter(|p| p.generated) {
        for s in settings(p) {
            for (name, text) in renderings(&s) {
                let path = Path::new(name);
                let format = detect(path, &text).unwrap_or_else(|| panic!("{name}"));
                let out = engine::check_text(path, &text, format, &ps, &opts);
                checked += 1;
                let loud: Vec<String> = out
                    .findings
                    .iter()
                    .filter(|f| f.severity >= Severity::Warning)
                    // `.env` files hold the password itself; that is the format, not a mistake.
                    .filter(|f| !(name == ".env" && f.code == "plaintext-secret"))
                    .map(|f| format!("{}: {}", f.code, f.message))
                    .collect();
                if !loud.is_empty() {
                    failures.push(format!("{} {name}: {loud:?}", p.id));
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} renderings");
    assert!(
        failures.is_empty(),
        "{} of {checked} renderings not silent:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every Nodemailer preset (`service: NAME`) resolves, and where a provider knows its host, the
/// preset's port and TLS mode either agree with the provider's facts or are reported.
#[test]
fn nodemailer_presets_resolve_and_disagreements_are_reported() {
    let ps = Providers::builtin().unwrap();
    let text = std::fs::read_to_string(root().join("src/extract/clients/nodemailer/services.json"))
        .unwrap();
    let presets: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(presets.len(), 88);
    let opts = RunOptions::default();
    let (mut known, mut disagree) = (0, 0);
    for (name, preset) in &presets {
        let js = format!(
            "const nodemailer = require(\"nodemailer\");\nmodule.exports = nodemailer.createTransport({{\n  service: {name:?},\n  auth: {{ user: \"apikey\", pass: process.env.MAIL_PASSWORD }},\n}});\n"
        );
        let path = Path::new("mailer.js");
        let out = engine::check_text(path, &js, detect(path, &js).unwrap(), &ps, &opts);
        let codes: Vec<&str> = out.findings.iter().map(|f| f.code.as_str()).collect();
        assert!(
            !codes.contains(&"invalid-value")
                || out
                    .findings
                    .iter()
                    .all(|f| !f.message.contains("no well-known service")),
            "{name}: {codes:?}"
        );
        assert_eq!(out.profiles.len(), 1, "{name}");
        let Some(host) = preset["host"].as_str().map(str::to_ascii_lowercase) else {
            continue; // a preset that only sets options (no host): nothing to compare
        };
        let profile_host = out.profiles[0].host.as_ref().map(|h| h.value.clone());
        assert_eq!(profile_host.as_deref(), Some(host.as_str()), "{name}");
        let Some(prov) = ps.by_smtp_host(&host) else {
            continue;
        };
        known += 1;
        // The preset's port (a number, or in one entry a string Nodemailer turns into one),
        // else Nodemailer's default.
        let port = out.profiles[0].port.as_ref().unwrap().value;
        if let Some(p) = preset.get("port") {
            assert_eq!(p.to_string().trim_matches('"'), port.to_string(), "{name}");
        }
        // What Nodemailer makes of the preset (port 465 without `secure` is implicit TLS too).
        let mode = out.profiles[0]
            .security
            .as_ref()
            .map(|s| s.value.tls_mode());
        let implicit = mode == Some(TlsMode::Implicit);
        assert_eq!(
            implicit,
            preset["secure"].as_bool() == Some(true) || port == 465,
            "{name}"
        );
        let agrees = prov
            .endpoint(port)
            .is_some_and(|e| (e.tls == TlsMode::Implicit) == implicit);
        let reported = codes
            .iter()
            .any(|c| ["port-not-offered", "port-undocumented", "tls-mode-mismatch"].contains(c));
        assert_eq!(
            !agrees, reported,
            "{name} ({host}:{port}, {}): {codes:?}",
            prov.id
        );
        disagree += usize::from(!agrees);
        if !agrees {
            eprintln!(
                "{name}: {host}:{port} disagrees with {}: {codes:?}",
                prov.id
            );
        }
    }
    assert!(
        known >= 40,
        "only {known} presets name a known provider host"
    );
    assert!(
        disagree >= 1,
        "no disagreement found: the test proves little"
    );
}
