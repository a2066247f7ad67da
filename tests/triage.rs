//! Triage against the pasted texts of fixtures/triage/: each file's first line names the cause
//! that must come first (`# expect: ID`, an explanation id: a symptom id of
//! rules/symptoms.yaml, `provider/match` for a provider's reply fact, `provider/wrong-host`...).
//! The test prints the hit rate and fails on any miss. Then: secrets in a paste never reach any
//! output, hostile pastes end quickly with escaped output, and `--config` puts the findings the
//! error points at first.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use smtp_doctor::providers::Providers;
use smtp_doctor::triage::{self, symptoms, Options};

fn fixtures() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("fixtures/triage")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let (first, rest) = text.split_once('\n').unwrap();
        let expect = first
            .strip_prefix("# expect: ")
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: ID`", p.display()));
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, expect.trim().to_owned(), rest.to_owned()));
    }
    out
}

#[test]
fn every_fixture_paste_gets_its_cause_first() {
    let providers = Providers::builtin().unwrap();
    let symptoms = symptoms::builtin().unwrap();
    let all = fixtures();
    assert!(all.len() >= 80, "only {} fixtures", all.len());
    let mut misses = Vec::new();
    for (name, expect, text) in &all {
        let r = triage::triage(text, &providers, &symptoms, &Options::default());
        let got = r
            .explanations
            .first()
            .map(|e| e.id.as_str())
            .unwrap_or("(nothing)");
        if got != expect {
            let rest: Vec<&str> = r
                .explanations
                .iter()
                .skip(1)
                .take(3)
                .map(|e| e.id.as_str())
                .collect();
            misses.push(format!(
                "{name}: expected {expect}, got {got} (then {rest:?})"
            ));
        }
    }
    let hits = all.len() - misses.len();
    eprintln!(
        "triage fixtures: {hits}/{} explained with the right cause first ({:.1} %)",
        all.len(),
        100.0 * hits as f64 / all.len() as f64
    );
    assert!(misses.is_empty(), "misses:\n{}", misses.join("\n"));
}

#[test]
fn every_symptom_is_some_fixture_s_first_cause_or_has_a_reason() {
    // A symptom no paste ever puts first is either shadowed by another or untested.
    let expected: Vec<String> = fixtures().into_iter().map(|(_, e, _)| e).collect();
    let untested: Vec<String> = symptoms::builtin()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .filter(|id| !expected.contains(id))
        .collect();
    assert!(
        untested.len() <= 3,
        "symptoms without a fixture: {untested:?}"
    );
}

fn run(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let o = Command::cargo_bin("smtp-doctor")
        .unwrap()
        .args(args)
        .write_stdin(stdin.to_vec())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let mut out = String::from_utf8_lossy(&o.stdout).into_owned();
    out.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.code(), out, started.elapsed())
}

#[test]
fn pasted_passwords_and_auth_payloads_are_never_printed() {
    // "\0user@example.org\0Tr0ub4dor&3" and an AUTH LOGIN answer "hunter2hunter2".
    let paste = "CLIENT -> SERVER: AUTH PLAIN AHVzZXJAZXhhbXBsZS5vcmcAVHIwdWI0ZG9yJjM=\n\
                 SERVER -> CLIENT: 535 5.7.8 Authentication failed for Tr0ub4dor&3\n\
                 S: 334 UGFzc3dvcmQ6\nC: aHVudGVyMmh1bnRlcjI=\n\
                 auth: { user: 'user@example.org', pass: 'Tr0ub4dor&3' }\n\
                 EMAIL_HOST_PASSWORD = 'django-secret-99'\n\
                 MAIL_PASSWORD=laravel-secret-77\n\
                 MAILER_DSN=smtp://user:dsn-secret-55@smtp.example.org:587\n";
    for format in ["text", "json"] {
        let (code, out, _) = run(&["triage", "--format", format], paste.as_bytes());
        assert_eq!(code, Some(0), "{out}");
        for secret in [
            "AHVzZXJAZXhhbXBsZS5vcmcAVHIwdWI0ZG9yJjM=",
            "Tr0ub4dor",
            "aHVudGVyMmh1bnRlcjI=",
            "django-secret-99",
            "laravel-secret-77",
            "dsn-secret-55",
        ] {
            assert!(
                !out.contains(secret),
                "{format} output shows {secret}:\n{out}"
            );
        }
    }
}

#[test]
fn hostile_pastes_end_quickly_with_escaped_output() {
    let mut cases: Vec<Vec<u8>> = vec![
        // one 1 MB line
        format!("535 5.7.8 {}", "A".repeat(1_000_000)).into_bytes(),
        // many reply-looking lines
        "SERVER -> CLIENT: 535 5.7.8 x smtp.a.b:587 ETIMEDOUT\n"
            .repeat(18_000)
            .into_bytes(),
        // binary
        (0..600_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect(),
        // control characters and bidi overrides in the reply text
        b"550 5.7.1 \x1b[2J\x1b]0;pwned\x07 sender address rejected \xe2\x80\xae evil\r\n".to_vec(),
        // a secret word on every line
        "password: x\npass = 'y'\n".repeat(40_000).into_bytes(),
    ];
    cases.push(b"535 \xff\xfe 5.7.8 not utf-8".to_vec());
    for (i, c) in cases.iter().enumerate() {
        let (code, out, took) = run(&["triage"], c);
        assert!(took < Duration::from_secs(20), "case {i} took {took:?}");
        assert!(
            matches!(code, Some(0 | 1)),
            "case {i}: {code:?} {}",
            &out[..out.len().min(300)]
        );
        assert!(
            !out.contains('\x1b') && !out.contains('\u{202e}') && !out.contains('\x07'),
            "case {i} not escaped"
        );
        let (_, out, _) = run(&["triage", "--format", "json"], c);
        assert!(
            !out.contains('\x1b') && !out.contains('\u{202e}'),
            "case {i} json not escaped"
        );
    }
}

#[test]
fn config_findings_the_error_points_at_come_first() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(
        &env,
        "MAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\nMAIL_USERNAME=jane\nMAIL_PASSWORD=abcd-efgh-ijkl-mnop\nMAIL_FROM_ADDRESS=jane@icloud.com\n",
    )
    .unwrap();
    let paste = "Expected response code \"235\" but got code \"535\", with message \"535 5.7.8 Error: authentication failed\".";
    let (code, out, _) = run(
        &[
            "triage",
            "--config",
            env.to_str().unwrap(),
            "--format",
            "json",
        ],
        paste.as_bytes(),
    );
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v["explanations"][0];
    assert_eq!(first["id"], "config/username-not-full-address", "{out}");
    assert_eq!(first["code"], "username-not-full-address");
    assert!(
        first["location"].as_str().unwrap().ends_with(".env:3"),
        "{out}"
    );
    assert_eq!(v["provider"], "icloud");
    assert!(!out.contains("abcd-efgh-ijkl-mnop"));
    // Without the configuration the same paste names no provider.
    let (_, out, _) = run(&["triage", "--format", "json"], paste.as_bytes());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["explanations"][0]["id"], "auth-failed", "{out}");
    // A missing configuration is an error.
    let (code, _, _) = run(&["triage", "--config", "/does/not/exist", "x"], b"");
    assert_eq!(code, Some(2));
}

#[test]
fn rules_folder_adds_symptoms() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("desk.symptoms.yaml"),
        "symptoms:\n  - id: desk-proxy\n    text: [blocked by corporate proxy]\n    weight: 99\n    cause: the office proxy blocks SMTP\n    fix: {any: use the mail relay relay.corp.example}\n    source: https://intranet.example/mail\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, _) = run(
        &[
            "triage",
            "--rules",
            d,
            "Connection blocked by corporate proxy",
        ],
        b"",
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("the office proxy blocks SMTP"), "{out}");
    std::fs::write(
        dir.path().join("symptoms.yaml"),
        "symptoms:\n  - id: Bad Id\n",
    )
    .unwrap();
    let (code, out, _) = run(&["triage", "--rules", d, "x"], b"");
    assert_eq!(code, Some(2), "{out}");
    // `check --rules` skips symptoms files.
    assert!(Path::new("examples").exists());
}

#[test]
fn symptoms_schema_agrees_with_the_loader() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("docs/schema/symptoms.schema.json").unwrap())
            .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string("rules/symptoms.yaml").unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let errs: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errs.is_empty(), "{errs:?}");
    // The fix keys of the schema are the loader's clients.
    let keys: Vec<&str> = schema["properties"]["symptoms"]["items"]["properties"]["fix"]
        ["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "any")
        .collect();
    let mut clients = symptoms::CLIENTS.to_vec();
    clients.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, clients);
    // A broken entry is refused by both.
    let bad = "symptoms:\n  - id: x\n    replies: [\"53\"]\n    cause: c\n    fix: {any: f}\n    source: https://x.example\n";
    let doc: serde_json::Value = serde_saphyr::from_str(bad).unwrap();
    assert!(!v.is_valid(&doc));
    assert!(symptoms::parse(Path::new("x.yaml"), bad, None).is_err());
}

#[test]
fn docs_triage_sample_is_real_output() {
    let doc = std::fs::read_to_string("docs/triage.md").unwrap();
    let cmd = "$ smtp-doctor triage < nodemailer-error.txt\n";
    let start = doc.find(cmd).expect("docs/triage.md sample") + cmd.len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let fixture =
        std::fs::read_to_string("fixtures/triage/nodemailer-secure-true-587.txt").unwrap();
    let paste = fixture.split_once('\n').unwrap().1;
    // The paste shown is the fixture's.
    assert!(
        doc.contains(paste.trim_end()),
        "docs/triage.md shows another paste"
    );
    let (code, out, _) = run(&["triage"], paste.as_bytes());
    assert_eq!(code, Some(0));
    assert_eq!(out.trim_end(), block.trim_end());
}
