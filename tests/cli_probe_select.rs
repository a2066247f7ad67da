//! `check --probe` findings go through the same selection as the static ones: `--select`,
//! `--ignore`, inline suppressions, `[severity]`. The probes only talk to loopback: the
//! configurations name 127.0.0.1 on a port that was just closed, or a provider host redirected
//! there with `--connect-to`, and DNS questions (if any) go to a closed loopback port.

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

mod common;
use common::{smtp_doctor, stdout};

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `smtp-doctor check` in `dir`, concise unless `args` name a format.
fn check(dir: &Path, args: &[&str]) -> Output {
    let format: &[&str] = if args.contains(&"--format") {
        &[]
    } else {
        &["--format", "concise"]
    };
    smtp_doctor()
        .current_dir(dir)
        .arg("check")
        .args(format)
        .args(["--timeout", "3", "--dns", "127.0.0.1:9"])
        .args(args)
        .output()
        .unwrap()
}

/// A TOML configuration for 127.0.0.1:`port` with STARTTLS; `comment` ends the port line.
fn config(dir: &Path, port: u16, comment: &str) {
    std::fs::write(
        dir.join("smtp.toml"),
        format!("[smtp]\nhost = \"127.0.0.1\"\nport = {port}{comment}\nsecurity = \"starttls\"\n"),
    )
    .unwrap();
}

#[test]
fn a_closed_port_is_reported_at_the_port() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), closed_port(), "");
    let o = check(dir.path(), &["--isolated", "--probe", "smtp.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("smtp.toml:3:8: error[connect-refused]"),
        "{out}"
    );
    // Without --probe nothing talks to the network.
    let o = check(dir.path(), &["--isolated", "smtp.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("[connect-refused]"));
}

#[test]
fn ignore_and_select_apply_to_probe_findings() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), closed_port(), "");
    let o = check(
        dir.path(),
        &[
            "--isolated",
            "--probe",
            "--ignore",
            "connect-refused",
            "smtp.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("[connect-refused]"), "{}", stdout(&o));
    let o = check(
        dir.path(),
        &[
            "--isolated",
            "--probe",
            "--select",
            "tls-mode-mismatch",
            "smtp.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("[connect-refused]"), "{}", stdout(&o));
}

#[test]
fn an_inline_suppression_applies_to_probe_findings() {
    let dir = tempfile::tempdir().unwrap();
    config(
        dir.path(),
        closed_port(),
        "  # smtp-doctor: ignore[connect-refused]",
    );
    let o = check(dir.path(), &["--isolated", "--probe", "smtp.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("[connect-refused]"), "{out}");
    // It was used: no unused-suppression either.
    assert!(!out.contains("unused-suppression"), "{out}");
}

#[test]
fn a_suppressed_probe_code_is_judged_only_when_probing() {
    // A port that accepts connections and closes them: no `connect-refused` to suppress.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            drop(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), port, "  # smtp-doctor: ignore[connect-refused]");
    let args = ["--isolated", "--extend-select", "unused-suppression"];
    // Without --probe nothing could report a probe code: the suppression is not judged.
    let o = check(dir.path(), &[&args[..], &["smtp.toml"]].concat());
    assert!(!stdout(&o).contains("unused-suppression"), "{}", stdout(&o));
    // With --probe the port answered, so the suppression suppressed nothing.
    let o = check(dir.path(), &[&args[..], &["--probe", "smtp.toml"]].concat());
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with("smtp.toml:3:")
            && l.contains("warning[unused-suppression] `connect-refused` is suppressed here")),
        "{out}"
    );
    assert!(!out.contains("[connect-refused]"), "{out}");
}

#[test]
fn a_severity_override_applies_to_probe_findings() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path(), closed_port(), "");
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "[severity]\nconnect-refused = \"warning\"\n").unwrap();
    let o = check(
        dir.path(),
        &["--config", "settings.toml", "--probe", "smtp.toml"],
    );
    let out = stdout(&o);
    // A warning does not fail the run at the default fail-on (error).
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("smtp.toml:3:8: warning[connect-refused]"),
        "{out}"
    );
    std::fs::write(&settings, "[severity]\nconnect-refused = \"off\"\n").unwrap();
    let o = check(
        dir.path(),
        &["--config", "settings.toml", "--probe", "smtp.toml"],
    );
    assert!(!stdout(&o).contains("[connect-refused]"), "{}", stdout(&o));
}

/// The provider of a probe finding is the one identify found for the profile, even when no
/// static finding about the profile is reported.
#[test]
fn probe_findings_carry_the_identified_provider() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("smtp.toml"),
        "[smtp]\nhost = \"smtp.mail.me.com\"\nport = 587\nsecurity = \"starttls\"\n",
    )
    .unwrap();
    let redirect = format!("smtp.mail.me.com:587:127.0.0.1:{}", closed_port());
    let base = [
        "--isolated",
        "--probe",
        "--connect-to",
        &redirect,
        "--ignore",
        "auth-missing",
    ];
    let o = check(
        dir.path(),
        &[&base[..], &["--format", "json-lines", "smtp.toml"]].concat(),
    );
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let refused: Vec<_> = lines
        .iter()
        .filter(|d| d["code"] == "connect-refused")
        .collect();
    assert_eq!(
        refused.len(),
        1,
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(refused[0]["provider"], "icloud");
    // So selecting by provider selects probe findings too.
    let o = check(
        dir.path(),
        &[&base[..], &["--ignore", "icloud", "smtp.toml"]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("[connect-refused]"), "{}", stdout(&o));
}
