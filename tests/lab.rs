//! Probes against real servers: the lab of tests/lab/ (Postfix playing providers on loopback
//! addresses, Cyrus SASL users, dnsmasq on 127.0.0.1:5353, a private CA).
//!
//! These tests are `#[ignore]`d, so a plain `cargo test` lists them as ignored. tests/run.sh
//! starts the lab and runs `SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored`. A lab test that
//! runs without SMTP_DOCTOR_LAB=1, or whose lab does not answer, FAILS with the install hint: it
//! never passes by skipping.
//!
//! By hand: `sudo tests/lab/install-deps.sh && sudo tests/lab/start.sh`, then
//! `SMTP_DOCTOR_LAB=1 cargo test --test lab -- --include-ignored`, then `sudo tests/lab/stop.sh`.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use smtp_doctor::finding::Severity;
use smtp_doctor::model::{AuthMethod, Secret, TlsMode};
use smtp_doctor::probe::{run_probes, Endpoint, ProbeOptions, ProbeReport};

const HINT: &str = "the server lab is needed: install its packages with `sudo tests/lab/install-deps.sh`, \
start it with `sudo tests/lab/start.sh`, then run `SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored` \
(tests/run.sh does all of this)";

const ALICE: &str = "alice@icloud.com";
const ALICE_PASS: &str = "abcd-efgh-ijkl-mnop";

struct Lab {
    ca: PathBuf,
    dns: SocketAddr,
}

/// The running lab, or a test failure that says how to get one.
fn lab() -> Lab {
    if std::env::var("SMTP_DOCTOR_LAB").as_deref() != Ok("1") {
        panic!("SMTP_DOCTOR_LAB=1 is not set. {HINT}");
    }
    let run = std::env::var_os("LAB_RUN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lab/run"));
    let env_file = run.join("lab.env");
    let text = std::fs::read_to_string(&env_file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}. {HINT}", env_file.display()));
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{} has no {key}. {HINT}", env_file.display()))
            .to_string()
    };
    let ca = PathBuf::from(get("LAB_CA"));
    let dns: SocketAddr = get("LAB_DNS").parse().expect("LAB_DNS");
    for addr in ["127.0.0.2:587", "127.0.0.3:465"] {
        TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("the lab does not answer on {addr}: {e}. {HINT}"));
    }
    Lab { ca, dns }
}

fn opts(lab: &Lab) -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_secs(5),
        dns: Some(lab.dns),
        ca_file: Some(lab.ca.clone()),
        transcript: true,
        ..Default::default()
    }
}

fn probe(ep: Endpoint, o: &ProbeOptions) -> ProbeReport {
    run_probes(vec![ep], o).remove(0)
}

fn codes(r: &ProbeReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code).collect()
}

/// Findings at warning or above.
fn problems(r: &ProbeReport) -> Vec<&'static str> {
    r.findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.code)
        .collect()
}

fn show(r: &ProbeReport) -> String {
    format!("{:#?}\n{}", r.findings, r.transcript.join("\n"))
}

fn assert_clean_transcript(r: &ProbeReport, secret: &str) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forms = [
        secret.to_string(),
        b64.encode(secret),
        // The AUTH PLAIN blob without its first bytes still contains the tail of the secret.
        b64.encode(format!("\0{ALICE}\0{secret}")),
    ];
    let dump = format!(
        "{}\n{:?}\n{:?}",
        r.transcript.join("\n"),
        r.findings,
        r.auth
    );
    for f in &forms {
        assert!(!dump.contains(f.as_str()), "secret leaked:\n{dump}");
    }
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn icloud_587_starttls_offers_auth_only_after_tls() {
    let lab = lab();
    let ep = Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
        .with_credentials(ALICE, Secret::new(ALICE_PASS));
    let r = probe(ep, &opts(&lab));
    assert!(problems(&r).is_empty(), "{}", show(&r));
    assert_eq!(
        r.addresses,
        vec!["127.0.0.2".parse::<std::net::IpAddr>().unwrap()]
    );
    assert!(r.banner.as_deref().unwrap().starts_with("smtp.mail.me.com"));
    let plain = r.capabilities_plain.as_ref().unwrap();
    assert!(plain.starttls);
    assert!(plain.auth.is_empty(), "AUTH before TLS: {:?}", plain.auth);
    let tls_caps = r.capabilities_tls.as_ref().unwrap();
    assert_eq!(tls_caps.auth, vec!["PLAIN", "LOGIN"]);
    assert!(tls_caps.pipelining && tls_caps.eightbitmime && tls_caps.size.is_some());
    let tls = r.tls.as_ref().unwrap();
    assert!(tls.verified, "{}", show(&r));
    assert_eq!(tls.version, "TLSv1.3");
    assert!(tls.san.contains(&"smtp.mail.me.com".to_string()));
    assert!(tls.days_left > 700);
    assert!(r.transcript.iter().any(|l| l == "C: QUIT"));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn icloud_465_is_refused() {
    let lab = lab();
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 465, TlsMode::Implicit),
        &opts(&lab),
    );
    assert_eq!(codes(&r), vec!["connect-refused"], "{}", show(&r));
    assert!(r.findings[0].help.as_deref().unwrap().contains("587"));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn gmail_465_implicit_tls() {
    let lab = lab();
    let r = probe(
        Endpoint::new("smtp.gmail.com", 465, TlsMode::Implicit),
        &opts(&lab),
    );
    assert!(problems(&r).is_empty(), "{}", show(&r));
    assert!(r.capabilities_plain.is_none());
    assert_eq!(
        r.capabilities_tls.as_ref().unwrap().auth,
        vec!["PLAIN", "LOGIN"]
    );
    assert!(r.tls.as_ref().unwrap().verified);
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn starttls_on_an_implicit_port_and_implicit_on_587() {
    let lab = lab();
    let mut o = opts(&lab);
    o.timeout = Duration::from_secs(1); // the first case waits for a banner that never comes
    let r = probe(Endpoint::new("smtp.gmail.com", 465, TlsMode::Starttls), &o);
    assert_eq!(codes(&r), vec!["banner-timeout"], "{}", show(&r));
    assert!(r.findings[0]
        .help
        .as_deref()
        .unwrap()
        .contains("implicit TLS"));
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Implicit),
        &o,
    );
    assert_eq!(codes(&r), vec!["tls-handshake-failed"], "{}", show(&r));
    assert!(r.findings[0].message.contains("plain SMTP"));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn legacy_587_has_no_starttls() {
    let lab = lab();
    let r = probe(
        Endpoint::new("mail.legacy.example", 587, TlsMode::Starttls)
            .with_credentials("dave@legacy.example", Secret::new("legacy-pass")),
        &opts(&lab),
    );
    let c = codes(&r);
    assert!(c.contains(&"starttls-not-offered"), "{}", show(&r));
    assert!(c.contains(&"auth-before-tls"), "{}", show(&r));
    assert!(r.tls.is_none());
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn legacy_465_certificate_for_another_name() {
    let lab = lab();
    let mut o = opts(&lab);
    o.auth = true;
    let r = probe(
        Endpoint::new("mail.legacy.example", 465, TlsMode::Implicit)
            .with_credentials("dave@legacy.example", Secret::new("legacy-pass")),
        &o,
    );
    assert!(r.has("certificate-invalid"), "{}", show(&r));
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "certificate-invalid")
        .unwrap();
    assert!(
        f.message
            .contains("not valid for the name mail.legacy.example"),
        "{f:?}"
    );
    assert!(f
        .help
        .as_deref()
        .unwrap()
        .contains("lab.smtp-doctor.invalid"));
    // Never log in over a session whose certificate did not verify.
    assert!(r.has("auth-skipped"), "{}", show(&r));
    assert!(!r.transcript.iter().any(|l| l.starts_with("C: AUTH")));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn legacy_old_tls_only() {
    let lab = lab();
    let r = probe(
        Endpoint::new("mail.legacy.example", 10465, TlsMode::Implicit),
        &opts(&lab),
    );
    assert_eq!(codes(&r), vec!["tls-version-obsolete"], "{}", show(&r));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn private_ca_without_ca_file_is_untrusted() {
    let lab = lab();
    let mut o = opts(&lab);
    o.ca_file = None;
    o.auth = true;
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
            .with_credentials(ALICE, Secret::new(ALICE_PASS)),
        &o,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "certificate-invalid")
        .unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(f.message.contains("unknown issuer"));
    assert!(r.has("auth-skipped"));
    assert!(r.auth.is_none());
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn dns_mx_srv_and_missing_host() {
    let lab = lab();
    let o = opts(&lab);
    // A custom domain hosted at iCloud: MX names iCloud, SRV names smtp.mail.me.com:587.
    let ep = Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
        .with_credentials(ALICE, Secret::new(ALICE_PASS))
        .with_from("alice@example.com");
    let r = probe(ep, &o);
    assert_eq!(r.domains.len(), 2, "{}", show(&r));
    let icloud = &r.domains[0];
    assert_eq!(icloud.domain, "icloud.com");
    assert_eq!(icloud.provider.as_ref().unwrap().id, "icloud");
    let example = &r.domains[1];
    assert_eq!(example.domain, "example.com");
    assert_eq!(example.mx[0].exchange, "mx01.mail.icloud.com");
    assert_eq!(
        example.provider.as_ref().unwrap().smtp_hosts,
        vec!["smtp.mail.me.com"]
    );
    assert_eq!(example.srv.len(), 1);
    assert_eq!(
        (
            example.srv[0].name.as_str(),
            example.srv[0].target.as_str(),
            example.srv[0].port
        ),
        ("_submission._tcp.example.com", "smtp.mail.me.com", 587)
    );
    let mx: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == "mx-provider")
        .collect();
    assert_eq!(mx.len(), 2);
    assert!(
        mx.iter().all(|f| f.help.is_none()),
        "host matches: no advice"
    );
    assert!(!r.has("srv-differs"));

    // Gmail for a domain whose SRV and MX say Google: SRV agrees on 465 only.
    let ep = Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls).with_from("bob@example.net");
    let r = probe(ep, &o);
    let mx = r
        .findings
        .iter()
        .find(|f| f.code == "mx-provider")
        .unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(mx.message.contains("Google Workspace"));
    assert!(mx.help.as_deref().unwrap().contains("smtp.gmail.com"));
    assert!(r.has("srv-differs"));
    assert_eq!(r.domains[0].srv.len(), 2);

    // A typo in the host.
    let r = probe(
        Endpoint::new("smtp.mail.me.con", 587, TlsMode::Starttls),
        &o,
    );
    assert_eq!(codes(&r), vec!["dns-no-address"], "{}", show(&r));
    assert!(r.findings[0].message.contains("NXDOMAIN"));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn auth_succeeds_with_the_app_password() {
    let lab = lab();
    let mut o = opts(&lab);
    o.auth = true;
    let ep = Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
        .with_credentials(ALICE, Secret::new(ALICE_PASS))
        .with_from("alice@example.com");
    let r = probe(ep, &o);
    assert_eq!(
        codes(&r),
        vec!["auth-succeeded", "mx-provider", "mx-provider"],
        "{}",
        show(&r)
    );
    let auth = r.auth.as_ref().unwrap();
    assert!(auth.accepted);
    assert_eq!(auth.mechanism, "PLAIN");
    assert!(r.transcript.iter().any(|l| l == "C: AUTH PLAIN ****"));
    assert!(r
        .transcript
        .iter()
        .any(|l| l.starts_with("C: MAIL FROM:<alice@example.com>")));
    assert!(!r.transcript.iter().any(|l| l.starts_with("C: DATA")));
    assert_clean_transcript(&r, ALICE_PASS);
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn auth_login_mechanism_masks_the_password() {
    let lab = lab();
    let mut o = opts(&lab);
    o.auth = true;
    // Outlook-like, a client that only does LOGIN.
    let ep = Endpoint::new("smtp-mail.outlook.com", 587, TlsMode::Starttls)
        .with_credentials("carol@outlook.com", Secret::new("Outl00k-App-Pass"))
        .with_auth_method(AuthMethod::Other("LOGIN".into()));
    let r = probe(ep, &o);
    let auth = r.auth.as_ref().unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(auth.accepted, "{}", show(&r));
    assert_eq!(auth.mechanism, "LOGIN");
    assert!(r.transcript.iter().any(|l| l == "C: ****"), "{}", show(&r));
    if std::env::var_os("SHOW_TRANSCRIPT").is_some() {
        eprintln!("{}", r.transcript.join("\n"));
    }
    assert_clean_transcript(&r, "Outl00k-App-Pass");
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn auth_rejected_with_a_wrong_password_or_short_login() {
    let lab = lab();
    let mut o = opts(&lab);
    o.auth = true;
    let wrong = "wrong-pass-1234";
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
            .with_credentials(ALICE, Secret::new(wrong)),
        &o,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "auth-rejected")
        .unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(f.message.contains("535"), "{f:?}");
    assert!(f.help.as_deref().unwrap().contains("full address"));
    assert!(!r.auth.as_ref().unwrap().accepted);
    assert_clean_transcript(&r, wrong);

    // The right password with a login that lacks its domain fails the same way.
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
            .with_credentials("alice", Secret::new(ALICE_PASS)),
        &o,
    );
    assert!(r.has("auth-rejected"), "{}", show(&r));
    assert_clean_transcript(&r, ALICE_PASS);
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn from_address_not_owned_by_the_login() {
    let lab = lab();
    let mut o = opts(&lab);
    o.auth = true;
    o.dns = Some(lab.dns);
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls)
            .with_credentials(ALICE, Secret::new(ALICE_PASS))
            .with_from("Mallory <mallory@example.org>"),
        &o,
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "from-rejected")
        .unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(
        f.message.contains("not owned by user alice@icloud.com"),
        "{f:?}"
    );
    assert!(r.has("auth-succeeded"));
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn oauth_client_against_password_only_server() {
    let lab = lab();
    let r = probe(
        Endpoint::new("smtp-mail.outlook.com", 587, TlsMode::Starttls)
            .with_auth_method(AuthMethod::OAuth2),
        &opts(&lab),
    );
    assert_eq!(
        codes(&r),
        vec!["auth-mechanism-unsupported"],
        "{}",
        show(&r)
    );
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn connect_to_keeps_the_configured_name() {
    let lab = lab();
    // Aimed at the iCloud-like server, a probe of smtp.gmail.com checks the name smtp.gmail.com.
    let mut o = opts(&lab);
    o.connect_to = vec!["smtp.gmail.com:587:127.0.0.2:587".parse().unwrap()];
    let r = probe(Endpoint::new("smtp.gmail.com", 587, TlsMode::Starttls), &o);
    assert_eq!(r.connected, Some("127.0.0.2:587".parse().unwrap()));
    assert_eq!(r.tls.as_ref().unwrap().server_name, "smtp.gmail.com");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "certificate-invalid")
        .unwrap_or_else(|| panic!("{}", show(&r)));
    assert!(f.help.as_deref().unwrap().contains("smtp.mail.me.com"));

    // With the system resolver, which knows none of the lab names, --connect-to alone reaches it.
    let mut o = opts(&lab);
    o.dns = None;
    o.connect_to = vec!["smtp.mail.me.com:587:127.0.0.2:".parse().unwrap()];
    let r = probe(
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls),
        &o,
    );
    assert!(problems(&r).is_empty(), "{}", show(&r));
    assert!(r.tls.as_ref().unwrap().verified);
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn many_endpoints_at_once() {
    let lab = lab();
    let eps = vec![
        Endpoint::new("smtp.mail.me.com", 587, TlsMode::Starttls),
        Endpoint::new("smtp.mail.me.com", 465, TlsMode::Implicit),
        Endpoint::new("smtp.gmail.com", 587, TlsMode::Starttls),
        Endpoint::new("smtp.gmail.com", 465, TlsMode::Implicit),
        Endpoint::new("smtp.office365.com", 587, TlsMode::Starttls),
        Endpoint::new("mail.legacy.example", 587, TlsMode::Starttls),
        Endpoint::new("mail.legacy.example", 465, TlsMode::Implicit),
    ];
    let mut o = opts(&lab);
    o.concurrency = 4;
    let reports = run_probes(eps.clone(), &o);
    assert_eq!(reports.len(), eps.len());
    for (r, ep) in reports.iter().zip(&eps) {
        assert_eq!(
            (r.endpoint.host.as_str(), r.endpoint.port),
            (ep.host.as_str(), ep.port)
        );
    }
    let expected = [
        None,
        Some("connect-refused"),
        None,
        None,
        None,
        Some("starttls-not-offered"),
        Some("certificate-invalid"),
    ];
    for (r, want) in reports.iter().zip(expected) {
        match want {
            None => assert!(problems(r).is_empty(), "{}", show(r)),
            Some(code) => assert!(problems(r).contains(&code), "{}", show(r)),
        }
    }
}

/// Not a check of its own: tests/lab/bench.sh times this process. It probes `LAB_PROBE`
/// (default `smtp.mail.me.com:587`) `LAB_PROBE_COPIES` times (default 1), at most
/// `LAB_PROBE_CONCURRENCY` at once (default 8), through the lab's DNS and CA, and asserts that
/// every probe is clean. With `LAB_PROBE_REPORT` set it prints the in-process times.
#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn bench_driver() {
    let lab = lab();
    let target = std::env::var("LAB_PROBE").unwrap_or_else(|_| "smtp.mail.me.com:587".into());
    let num = |key: &str, default: usize| {
        std::env::var(key)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let ep = Endpoint::parse(&target).unwrap();
    let eps = vec![ep; num("LAB_PROBE_COPIES", 1)];
    let mut o = opts(&lab);
    o.transcript = false;
    o.concurrency = num("LAB_PROBE_CONCURRENCY", 8);
    let t0 = std::time::Instant::now();
    let reports = run_probes(eps, &o);
    if std::env::var_os("LAB_PROBE_REPORT").is_some() {
        // In-process wall time, for bench.sh: the whole run, then each probe.
        let each: Vec<String> = reports
            .iter()
            .map(|r| format!("{:.3}", r.elapsed.as_secs_f64() * 1000.0))
            .collect();
        eprintln!(
            "bench-ms run={:.3} probes={}",
            t0.elapsed().as_secs_f64() * 1000.0,
            each.join(",")
        );
    }
    for r in reports {
        assert!(problems(&r).is_empty(), "{}", show(&r));
    }
}

// ---- The command line against the lab: `check --probe` on the provider fixtures. ----

fn cli(lab: &Lab, args: &[&str]) -> (i32, String) {
    let dns = lab.dns.to_string();
    let ca = lab.ca.display().to_string();
    let mut all = vec![
        "check",
        "--probe",
        "--format",
        "concise",
        "--timeout",
        "3",
        "--dns",
        &dns,
        "--ca-file",
        &ca,
    ];
    all.extend_from_slice(args);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_smtp-doctor"))
        .args(&all)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), out)
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn cli_good_fixtures_probe_clean() {
    let lab = lab();
    for f in [
        "fixtures/toml/icloud.good.toml",
        "fixtures/toml/gmail.good.toml",
    ] {
        let (code, out) = cli(&lab, &[f]);
        assert_eq!(code, 0, "{f}: {out}");
        assert!(
            !out.contains("warning[") && !out.contains("error["),
            "{f}: {out}"
        );
    }
    // The Outlook-like lab server is Postfix with Cyrus SASL, which has no XOAUTH2: the probe
    // reports exactly that, and nothing else, for the (correct) OAuth2 configuration.
    let (code, out) = cli(&lab, &["fixtures/toml/outlook.good.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("outlook.good.toml:5:13: error[auth-mechanism-unsupported] the client logs in with OAuth2, but the server offers AUTH PLAIN LOGIN"), "{out}");
    assert_eq!(
        out.matches("error[").count() + out.matches("warning[").count(),
        1,
        "{out}"
    );
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn cli_icloud_465_is_observed_closed() {
    let lab = lab();
    let (code, out) = cli(&lab, &["examples/config.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("examples/config.toml:9:8: error[connect-refused]"),
        "{out}"
    );
    assert!(out.contains("does not document port 465 (observed: the probe found the port closed (connection refused))"), "{out}");
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn cli_bad_gmail_hosts_do_not_resolve() {
    let lab = lab();
    let (code, out) = cli(&lab, &["fixtures/toml/gmail.bad.toml"]);
    assert_eq!(code, 1, "{out}");
    // The typo host has no address in the lab's DNS (as on the real internet).
    assert!(
        out.contains("gmail.bad.toml:9:14: error[dns-no-address]"),
        "{out}"
    );
    // 587 with implicit TLS against the Gmail-like STARTTLS port: the handshake fails.
    assert!(
        out.contains("gmail.bad.toml:15:8: error[tls-handshake-failed]")
            || out.contains("gmail.bad.toml:15:8: error[connection-closed]"),
        "{out}"
    );
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn cli_auth_with_the_right_and_the_wrong_app_password() {
    let lab = lab();
    let dir = tempfile::tempdir().unwrap();
    let cfg = |pw: &str| {
        format!("[smtp]\nhost = \"smtp.mail.me.com\"\nport = 587\nsecurity = \"starttls\"\nusername = \"{ALICE}\"\npassword = \"{pw}\"\nfrom = \"{ALICE}\"\n")
    };
    let good = dir.path().join("good.toml");
    std::fs::write(&good, cfg(ALICE_PASS)).unwrap();
    let (code, out) = cli(&lab, &["--auth", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("info[auth-succeeded]"), "{out}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, cfg("wxyz-wxyz-wxyz-wxyz")).unwrap();
    let (code, out) = cli(&lab, &["--auth", "--verbose", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[auth-rejected]"), "{out}");
    // Neither password reaches the output, the transcript included.
    assert!(
        !out.contains("wxyz-wxyz") && !out.contains(ALICE_PASS),
        "password in output"
    );
    assert!(
        out.contains("AUTH"),
        "the verbose transcript shows the dialogue: {out}"
    );
}

#[test]
#[ignore = "server lab: run tests/run.sh (SMTP_DOCTOR_LAB=1 cargo test -- --include-ignored)"]
fn custom_domain_mx_identifies_the_provider_for_the_checks() {
    use smtp_doctor::engine::{check_text, RunOptions};
    use smtp_doctor::providers::Providers;
    let lab = lab();
    let providers = Providers::builtin().unwrap();
    let run = |toml: &str, probe: bool| {
        let opts = RunOptions {
            probe: probe.then(|| opts(&lab)),
            ..Default::default()
        };
        let path = std::path::Path::new("mail.toml");
        let format = smtp_doctor::extract::detect(path, toml).unwrap();
        check_text(path, toml, format, &providers, &opts)
            .findings
            .into_iter()
            .filter(|f| f.code == "from-mismatch")
            .map(|f| (f.severity, f.message))
            .collect::<Vec<_>>()
    };
    // example.net's MX is Google's: another example.net address on smtp.gmail.com is the same
    // Workspace domain as the login, not an unknown (here: reserved) domain.
    let gmail = "[smtp]\nhost = \"smtp.gmail.com\"\nport = 465\nsecurity = \"implicit\"\n\
                 username = \"bob@example.net\"\npassword_env = \"P\"\nfrom = \"sales@example.net\"\n";
    let without = run(gmail, false);
    assert!(
        without[0].1.contains("reserved for examples"),
        "{without:?}"
    );
    let with = run(gmail, true);
    assert_eq!(with.len(), 1, "{with:?}");
    assert!(with[0].1.contains("is a different Gmail"), "{with:?}");

    // example.com's MX is iCloud's: alice@example.com is an iCloud+ custom-domain address of the
    // same account, which iCloud accepts.
    let icloud = format!(
        "[smtp]\nhost = \"smtp.mail.me.com\"\nport = 587\nsecurity = \"starttls\"\n\
         username = \"{ALICE}\"\npassword_env = \"P\"\nfrom = \"alice@example.com\"\n"
    );
    assert_eq!(run(&icloud, false).len(), 1);
    assert_eq!(
        run(&icloud, true),
        vec![],
        "the custom domain is the account's"
    );

    // example.org's MX is Microsoft 365's: on iCloud it is another provider's domain.
    let foreign = icloud.replace("alice@example.com", "alice@example.org");
    let with = run(&foreign, true);
    assert_eq!(with[0].0, Severity::Error, "{with:?}");
    assert!(with[0].1.contains("Microsoft 365"), "{with:?}");
}
