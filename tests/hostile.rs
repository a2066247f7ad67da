//! Hostile input (issue #9): repositories anyone can write to must not be able to hang the
//! tool, send control sequences to the terminal, or hide what was not read.

use std::process::Output;

use assert_cmd::Command;

const FORMATS: &[&str] = &["full", "concise", "json", "json-lines", "github", "sarif"];

fn cmd() -> Command {
    let mut c = Command::cargo_bin("smtp-doctor").unwrap();
    c.env_remove("CLICOLOR_FORCE")
        .env_remove("SMTP_DOCTOR_OUTPUT_FORMAT")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(20));
    c
}

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// No byte that starts a terminal control sequence: ESC, BEL, and C1 CSI/OSC (U+009B, U+009D),
/// nor a bare carriage return.
fn assert_no_control(what: &str, out: &[u8]) {
    let s = text(out);
    for c in s.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}';
        assert!(!bad, "{what}: raw control character {c:?} in\n{s}");
    }
}

const BAD_ENV: &str = "EMAIL_HOST=smtp.gmail.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=True\nEMAIL_HOST_USER=jane.doe@gmail.com\nDEFAULT_FROM_EMAIL=jane.doe@gmail.com\n";

#[test]
fn control_characters_in_a_file_name_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\u{1b}]0;owned\u{7}\u{9b}2J\nforged.env:1:1: error[forged] fake.env";
    let path = dir.path().join(name);
    std::fs::write(&path, BAD_ENV).unwrap();
    for format in FORMATS {
        let o = run(&["check", "--format", format, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", text(&o.stderr));
        assert_no_control(format, &o.stdout);
        assert_no_control(format, &o.stderr);
    }
    // concise: one line per finding, and the newline in the name cannot start another.
    let o = run(&["check", "--format", "concise", path.to_str().unwrap()]);
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    let (summary, findings) = lines.split_last().unwrap();
    assert!(summary.starts_with("Found "), "{out}");
    assert!(!findings.is_empty());
    for l in findings {
        assert!(
            l.starts_with(dir.path().to_str().unwrap()),
            "forged line: {l}"
        );
        assert!(
            l.contains("\\x1b]0;owned\\x07\\u{9b}2J\\nforged.env"),
            "{l}"
        );
    }
    // JSON keeps the exact name, as escapes.
    let o = run(&["check", "--format", "json", path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["diagnostics"][0]["file"].as_str().unwrap(),
        path.to_str().unwrap()
    );
}

#[test]
fn control_characters_in_a_decoded_value_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailer.js");
    std::fs::write(
        &path,
        "const nodemailer = require(\"nodemailer\");\n\
         const t = nodemailer.createTransport({ host: \"smtp.gmail.com\", port: \"\\u001b[31m\\u009b587\u{1b}[0m\" });\n",
    )
    .unwrap();
    for format in FORMATS {
        let o = run(&["check", "--format", format, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert_no_control(format, &o.stdout);
    }
    let o = run(&["check", "--format", "concise", path.to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("`\\x1b[31m\\u{9b}587\\x1b[0m`"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn control_characters_in_rule_strings_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string("fixtures/custom-relay/rules/acme-relay.yaml").unwrap();
    std::fs::write(
        dir.path().join("acme-relay.yaml"),
        yaml.replace("name: ACME mail relay", "name: \"ACME\\e[31m\\x9b relay\""),
    )
    .unwrap();
    let rules = dir.path().to_str().unwrap();
    for format in FORMATS {
        let o = run(&[
            "check",
            "--format",
            format,
            "--rules",
            rules,
            "fixtures/custom-relay/acme.bad.toml",
        ]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", text(&o.stderr));
        assert_no_control(format, &o.stdout);
        assert!(text(&o.stdout).contains("ACME"), "{format}");
    }
    // A broken rule file: its text, with an ESC in it, is shown in a snippet on stderr.
    std::fs::write(
        dir.path().join("acme-relay.yaml"),
        yaml.replace("tls: starttls", "tls: \"start\u{1b}[2Jtls\""),
    )
    .unwrap();
    let o = run(&["rules", "--rules", rules]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_control("rule error", &o.stderr);
    assert!(text(&o.stderr).contains("invalid provider rules"));
}

#[test]
fn input_errors_escape_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone\u{1b}[2J\n.env");
    let o = run(&["check", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_control("stderr", &o.stderr);
    assert!(text(&o.stderr).contains("gone\\x1b[2J\\n.env"));
}
