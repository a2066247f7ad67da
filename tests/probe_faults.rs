//! Faults a real server will not produce on demand, from a small scripted SMTP server on
//! 127.0.0.1 (ephemeral ports). Each test checks that the right finding appears and that the
//! probe returns (it is bounded by its 1 s step timeout; a watchdog fails the test if it hangs).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use smtp_doctor::model::{Secret, TlsMode};
use smtp_doctor::probe::{run_probes, ConnectTo, Endpoint, ProbeOptions, ProbeReport};

const NAME: &str = "fault.smtp-doctor.test";
const STEP: Duration = Duration::from_secs(1);
/// Generous: a probe bounded by 1 s steps returns long before this.
const WATCHDOG: Duration = Duration::from_secs(30);

/// What the scripted server does with each connection.
#[derive(Clone)]
enum Script {
    /// Accept, then say nothing.
    Silence,
    /// A first line that is not SMTP.
    Garbage,
    /// `421` at connect, then close.
    Busy,
    /// Offers STARTTLS, then answers it with 454.
    StartTls454,
    /// Implicit TLS port whose TLS layer answers every ClientHello with a handshake_failure alert.
    HandshakeAlert,
    /// A well-behaved STARTTLS server presenting this certificate chain.
    StartTls(Arc<rustls::ServerConfig>),
    /// Implicit TLS with this certificate chain.
    Implicit(Arc<rustls::ServerConfig>),
    /// A normal banner, then the EHLO reply one byte per second.
    DripEhlo,
    /// The banner itself, one byte per second.
    DripBanner,
    /// Implicit TLS that answers AUTH with a 535 echoing what the client sent (raw, decoded and
    /// cut short), as a careless or hostile server might.
    EchoAuth(Arc<rustls::ServerConfig>),
    /// Plain SMTP whose greeting and EHLO reply carry terminal control sequences.
    Escapes,
}

/// Starts the scripted server; returns its address. Each connection gets its own thread; every
/// socket has a read timeout, so no thread outlives the test binary for long.
fn serve(script: Script) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let script = script.clone();
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
                let _ = run_script(stream, script);
            });
        }
    });
    addr
}

fn run_script(mut s: TcpStream, script: Script) -> std::io::Result<()> {
    match script {
        Script::Silence => {
            // Hold the connection until the client gives up.
            let mut buf = [0u8; 256];
            while s.read(&mut buf)? > 0 {}
        }
        Script::Garbage => {
            s.write_all(b"SSH-2.0-OpenSSH_9.6 fault-server\r\n")?;
            let mut buf = [0u8; 256];
            while s.read(&mut buf)? > 0 {}
        }
        Script::Busy => {
            s.write_all(
                b"421 4.3.2 fault.test Service not available, closing transmission channel\r\n",
            )?;
        }
        Script::StartTls454 => {
            s.write_all(b"220 fault.test ESMTP\r\n")?;
            let mut r = BufReader::new(s.try_clone()?);
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 {
                    break;
                }
                let cmd = line.trim().to_ascii_uppercase();
                if cmd.starts_with("EHLO") {
                    s.write_all(b"250-fault.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")?;
                } else if cmd == "STARTTLS" {
                    s.write_all(b"454 4.7.0 TLS not available due to temporary reason\r\n")?;
                } else if cmd == "QUIT" {
                    s.write_all(b"221 2.0.0 Bye\r\n")?;
                    break;
                } else {
                    s.write_all(b"502 5.5.2 command not recognized\r\n")?;
                }
            }
        }
        Script::HandshakeAlert => {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf)?; // the ClientHello
                                       // TLS record: alert (21), TLS 1.2, length 2, level fatal (2), handshake_failure (40).
            s.write_all(&[21, 3, 3, 0, 2, 2, 40])?;
        }
        Script::StartTls(cfg) => {
            s.write_all(b"220 fault.test ESMTP\r\n")?;
            let mut r = BufReader::new(s.try_clone()?);
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                let cmd = line.trim().to_ascii_uppercase();
                if cmd.starts_with("EHLO") {
                    s.write_all(b"250-fault.test\r\n250 STARTTLS\r\n")?;
                } else if cmd == "STARTTLS" {
                    s.write_all(b"220 2.0.0 Ready to start TLS\r\n")?;
                    break;
                } else {
                    s.write_all(b"502 5.5.2 command not recognized\r\n")?;
                }
            }
            tls_session(s, cfg, false)?;
        }
        Script::Implicit(cfg) => tls_session(s, cfg, true)?,
        Script::EchoAuth(cfg) => tls_session_echo(s, cfg)?,
        Script::Escapes => {
            s.write_all(b"220 fault\x1b]0;owned\x07.test ESMTP \xc2\x9b2J\r\n")?;
            let mut r = BufReader::new(s.try_clone()?);
            let mut line = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 {
                    break;
                }
                let cmd = line.trim().to_ascii_uppercase();
                if cmd.starts_with("EHLO") {
                    s.write_all(
                        b"250-fault.test\r\n250-X-\x1b[31mRED\r\n250 AUTH PLAIN \x1b[0m\r\n",
                    )?;
                } else if cmd == "QUIT" {
                    s.write_all(b"221 2.0.0 Bye\r\n")?;
                    break;
                } else {
                    s.write_all(b"502 5.5.2 \x1b[2J\r\n")?;
                }
            }
        }
        Script::DripEhlo => {
            s.write_all(b"220 fault.test ESMTP\r\n")?;
            let mut r = BufReader::new(s.try_clone()?);
            let mut line = String::new();
            r.read_line(&mut line)?;
            for b in b"250-fault.test says hello slowly\r\n250 PIPELINING\r\n" {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                thread::sleep(Duration::from_secs(1));
            }
        }
        Script::DripBanner => {
            for b in b"220 fault.test ESMTP, one byte at a time\r\n" {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                thread::sleep(Duration::from_secs(1));
            }
        }
    }
    Ok(())
}

/// SMTP inside TLS: EHLO with AUTH, then QUIT.
fn tls_session(s: TcpStream, cfg: Arc<rustls::ServerConfig>, greet: bool) -> std::io::Result<()> {
    let conn = rustls::ServerConnection::new(cfg).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, s);
    if greet {
        tls.write_all(b"220 fault.test ESMTP\r\n")?;
    }
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        line.clear();
        loop {
            if tls.read(&mut byte)? == 0 {
                return Ok(());
            }
            line.push(byte[0]);
            if byte[0] == b'\n' {
                break;
            }
        }
        let cmd = String::from_utf8_lossy(&line).trim().to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            tls.write_all(b"250-fault.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")?;
        } else if cmd == "QUIT" {
            tls.write_all(b"221 2.0.0 Bye\r\n")?;
            tls.conn.send_close_notify();
            let _ = tls.flush();
            return Ok(());
        } else {
            tls.write_all(b"502 5.5.2 command not recognized\r\n")?;
        }
    }
}

/// Implicit TLS: EHLO offers AUTH PLAIN LOGIN; every AUTH step is answered by echoing it back.
fn tls_session_echo(s: TcpStream, cfg: Arc<rustls::ServerConfig>) -> std::io::Result<()> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let conn = rustls::ServerConnection::new(cfg).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, s);
    tls.write_all(b"220 fault.test ESMTP\r\n")?;
    let mut r = BufReader::new(tls);
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let sent = line.trim_end().to_string();
        let cmd = sent.to_ascii_uppercase();
        let tls = r.get_mut();
        if cmd.starts_with("EHLO") {
            tls.write_all(b"250-fault.test\r\n250 AUTH PLAIN LOGIN\r\n")?;
        } else if cmd == "QUIT" {
            tls.write_all(b"221 2.0.0 Bye\r\n")?;
            tls.conn.send_close_notify();
            let _ = tls.flush();
            return Ok(());
        } else if cmd.starts_with("AUTH") {
            let payload = sent.rsplit(' ').next().unwrap_or("");
            let decoded = b64.decode(payload).unwrap_or_default();
            let decoded = String::from_utf8_lossy(&decoded).replace('\0', " ");
            let cut: String = payload.chars().take(payload.len() * 2 / 3).collect();
            let reply = format!(
                "535-5.7.8 you sent {sent}\r\n535-5.7.8 that is {decoded}\r\n535 5.7.8 rejected {cut}\r\n"
            );
            tls.write_all(reply.as_bytes())?;
        } else {
            tls.write_all(b"502 5.5.2 command not recognized\r\n")?;
        }
    }
}

/// A private CA and a server config presenting a leaf for `names`, valid in the given window.
struct Pki {
    ca_pem: String,
}

fn pki_and_server(
    names: &[&str],
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> (Pki, Arc<rustls::ServerConfig>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "smtp-doctor fault CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    leaf.not_before = not_before;
    leaf.not_after = not_after;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(leaf_cert.der().to_vec()),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    (
        Pki {
            ca_pem: ca_cert.pem(),
        },
        Arc::new(cfg),
    )
}

fn valid_window() -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = time::OffsetDateTime::now_utc();
    (
        now - time::Duration::days(30),
        now + time::Duration::days(300),
    )
}

fn opts() -> ProbeOptions {
    ProbeOptions {
        timeout: STEP,
        transcript: true,
        // Nothing here needs DNS; should anything ask, it asks loopback, never the network.
        dns: Some("127.0.0.1:9".parse().unwrap()),
        ..Default::default()
    }
}

/// Probes `NAME:port` aimed at `addr` with --connect-to, so SNI and the name check use NAME.
fn probe_named(addr: SocketAddr, mode: TlsMode, mut o: ProbeOptions) -> ProbeReport {
    o.connect_to.push(
        format!("{NAME}:{}:127.0.0.1:{}", addr.port(), addr.port())
            .parse::<ConnectTo>()
            .unwrap(),
    );
    run_with_watchdog(Endpoint::new(NAME, addr.port(), mode), o)
}

/// Serve `script`, trust only the test CA of `pki`, and probe it under the test name.
fn probe_trusting(pki: &Pki, script: Script, mode: TlsMode) -> ProbeReport {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let addr = serve(script);
    let mut o = opts();
    o.ca_file = Some(ca);
    probe_named(addr, mode, o)
}

fn run_with_watchdog(ep: Endpoint, o: ProbeOptions) -> ProbeReport {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reports = run_probes(vec![ep], &o);
        let _ = tx.send(reports.remove(0));
    });
    rx.recv_timeout(WATCHDOG)
        .expect("the probe did not return: some step is not bounded by the timeout")
}

fn codes(r: &ProbeReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code).collect()
}

fn assert_code(r: &ProbeReport, code: &str) {
    assert!(
        r.has(code),
        "expected {code}, got {:?}\ntranscript:\n{}",
        r.findings,
        r.transcript.join("\n")
    );
}

#[test]
fn refused() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nothing listens there now
    let r = run_with_watchdog(Endpoint::new("127.0.0.1", port, TlsMode::Starttls), opts());
    assert_code(&r, "connect-refused");
    assert_eq!(codes(&r), vec!["connect-refused"]);
}

#[test]
fn silence_after_connect() {
    let addr = serve(Script::Silence);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "banner-timeout");
}

#[test]
fn garbage_banner() {
    let addr = serve(Script::Garbage);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "banner-invalid");
    assert!(
        r.findings[0].message.contains("SSH-2.0"),
        "{:?}",
        r.findings
    );
}

#[test]
fn busy_421_at_connect() {
    let addr = serve(Script::Busy);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "banner-rejected");
    assert!(r.findings[0].message.contains("421"));
}

#[test]
fn starttls_refused_454() {
    let addr = serve(Script::StartTls454);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "starttls-refused");
    assert!(r.capabilities_plain.as_ref().unwrap().starttls);
    // The dialogue still ends politely.
    assert!(
        r.transcript.iter().any(|l| l == "C: QUIT"),
        "{:?}",
        r.transcript
    );
}

#[test]
fn tls_handshake_failure() {
    let addr = serve(Script::HandshakeAlert);
    let r = probe_named(addr, TlsMode::Implicit, opts());
    assert_code(&r, "tls-handshake-failed");
}

#[test]
fn implicit_tls_against_plain_smtp() {
    // SSL/TLS configured, but the port speaks plain SMTP (the classic "wrong version number").
    let addr = serve(Script::StartTls454);
    let r = probe_named(addr, TlsMode::Implicit, opts());
    assert_code(&r, "tls-handshake-failed");
    assert!(
        r.findings[0].message.contains("plain SMTP"),
        "{:?}",
        r.findings
    );
}

#[test]
fn good_certificate_verifies() {
    let (nb, na) = valid_window();
    let (pki, cfg) = pki_and_server(&[NAME], nb, na);
    let r = probe_trusting(&pki, Script::StartTls(cfg), TlsMode::Starttls);
    assert_eq!(
        r.worst(),
        None,
        "{:?}\n{}",
        r.findings,
        r.transcript.join("\n")
    );
    let tls = r.tls.as_ref().unwrap();
    assert!(tls.verified);
    assert_eq!(tls.version, "TLSv1.3");
    assert_eq!(tls.san, vec![NAME.to_string()]);
    assert!(tls.days_left >= 299);
    assert_eq!(
        r.capabilities_tls.as_ref().unwrap().auth,
        vec!["PLAIN", "LOGIN"]
    );
}

#[test]
fn untrusted_ca_is_invalid_and_blocks_auth() {
    let (nb, na) = valid_window();
    let (_pki, cfg) = pki_and_server(&[NAME], nb, na);
    let addr = serve(Script::Implicit(cfg));
    let mut o = opts();
    o.auth = true;
    let ep_secret = Secret::new("s3cret-pass");
    o.connect_to.push(
        format!("{NAME}:{}:127.0.0.1:", addr.port())
            .parse::<ConnectTo>()
            .unwrap(),
    );
    let ep =
        Endpoint::new(NAME, addr.port(), TlsMode::Implicit).with_credentials("user", ep_secret);
    let r = run_with_watchdog(ep, o);
    assert_code(&r, "certificate-invalid");
    assert_code(&r, "auth-skipped");
    assert!(r
        .findings
        .iter()
        .any(|f| f.message.contains("unknown issuer")));
    assert!(!r
        .transcript
        .iter()
        .any(|l| l.starts_with("C: AUTH") || l.contains("s3cret")));
}

#[test]
fn expired_certificate() {
    let now = time::OffsetDateTime::now_utc();
    let (pki, cfg) = pki_and_server(
        &[NAME],
        now - time::Duration::days(400),
        now - time::Duration::days(3),
    );
    let r = probe_trusting(&pki, Script::StartTls(cfg), TlsMode::Starttls);
    assert_code(&r, "certificate-invalid");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "certificate-invalid")
        .unwrap();
    assert!(f.message.contains("expired"), "{f:?}");
    assert!(r.tls.as_ref().unwrap().days_left < 0);
}

#[test]
fn wrong_name_certificate() {
    let (nb, na) = valid_window();
    let (pki, cfg) = pki_and_server(&["other.smtp-doctor.test"], nb, na);
    let r = probe_trusting(&pki, Script::Implicit(cfg), TlsMode::Implicit);
    assert_code(&r, "certificate-invalid");
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "certificate-invalid")
        .unwrap();
    assert!(f.message.contains("not valid for the name"), "{f:?}");
    assert!(f
        .help
        .as_deref()
        .unwrap()
        .contains("other.smtp-doctor.test"));
}

#[test]
fn expiring_certificate_warns() {
    let now = time::OffsetDateTime::now_utc();
    let (pki, cfg) = pki_and_server(
        &[NAME],
        now - time::Duration::days(80),
        now + time::Duration::days(5) + time::Duration::hours(1),
    );
    let r = probe_trusting(&pki, Script::Implicit(cfg), TlsMode::Implicit);
    assert_eq!(
        codes(&r),
        vec!["certificate-expiring"],
        "{}",
        r.transcript.join("\n")
    );
    assert_eq!(r.tls.as_ref().unwrap().days_left, 5);
}

#[test]
fn dripping_reply_times_out() {
    let addr = serve(Script::DripEhlo);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "reply-timeout");
    assert!(r.banner.is_some());
}

#[test]
fn dripping_banner_times_out() {
    let addr = serve(Script::DripBanner);
    let r = run_with_watchdog(
        Endpoint::new("127.0.0.1", addr.port(), TlsMode::Starttls),
        opts(),
    );
    assert_code(&r, "banner-timeout");
}

#[test]
fn probes_run_concurrently_and_keep_order() {
    // Three silent servers: concurrently the run takes about one timeout, not three.
    let addrs: Vec<SocketAddr> = (0..3).map(|_| serve(Script::Silence)).collect();
    let busy = serve(Script::Busy);
    let mut eps: Vec<Endpoint> = addrs
        .iter()
        .map(|a| Endpoint::new("127.0.0.1", a.port(), TlsMode::Starttls))
        .collect();
    eps.push(Endpoint::new("127.0.0.1", busy.port(), TlsMode::Starttls));
    let o = opts();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(run_probes(eps, &o));
    });
    let reports = rx
        .recv_timeout(WATCHDOG)
        .expect("run_probes did not return");
    assert_eq!(reports.len(), 4);
    for (r, a) in reports.iter().zip(&addrs) {
        assert_eq!(r.endpoint.port, a.port());
        assert_code(r, "banner-timeout");
    }
    assert_code(&reports[3], "banner-rejected");
}

fn cli(args: &[String], password: &str) -> std::process::Output {
    assert_cmd::Command::cargo_bin("smtp-doctor")
        .unwrap()
        .args(args)
        .env("SMTP_DOCTOR_PASSWORD", password)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .timeout(WATCHDOG)
        .output()
        .unwrap()
}

const FORMATS: &[&str] = &["full", "concise", "json", "json-lines", "github", "sarif"];

#[test]
fn a_server_echoing_auth_never_gets_the_password_into_any_output() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let (nb, na) = valid_window();
    let (pki, cfg) = pki_and_server(&[NAME], nb, na);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let addr = serve(Script::EchoAuth(cfg));
    let password = "correct-horse-battery";
    let user = "jane";
    let forbidden = [
        password.to_string(),
        b64.encode(password),
        b64.encode(format!("\0{user}\0{password}")),
        // What the server echoed cut short: still most of the password.
        password[..10].to_string(),
    ];
    for format in FORMATS {
        let args: Vec<String> = [
            "probe",
            &format!("{NAME}:{}", addr.port()),
            "--tls",
            "implicit",
            "--connect-to",
            &format!("{NAME}:{}:127.0.0.1:{}", addr.port(), addr.port()),
            "--ca-file",
            ca.to_str().unwrap(),
            "--dns",
            "127.0.0.1:9",
            "--timeout",
            "2",
            "--auth",
            "--user",
            user,
            "--verbose",
            "--format",
            format,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = cli(&args, password);
        let out = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(out.contains("auth-rejected"), "{format}: {out}\n{err}");
        assert!(
            err.contains("S: 535"),
            "{format}: the transcript shows the reply: {err}"
        );
        for secret in &forbidden {
            assert!(
                !out.contains(secret.as_str()),
                "{format}: {secret} in stdout:\n{out}"
            );
            assert!(
                !err.contains(secret.as_str()),
                "{format}: {secret} in --verbose:\n{err}"
            );
        }
        // The echoed user name is not a secret and stays readable.
        assert!(err.contains("that is  jane ****"), "{format}: {err}");
    }
}

#[test]
fn control_sequences_from_a_server_are_escaped() {
    let addr = serve(Script::Escapes);
    for format in FORMATS {
        let args: Vec<String> = [
            "probe",
            &format!("127.0.0.1:{}", addr.port()),
            "--tls",
            "none",
            "--dns",
            "127.0.0.1:9",
            "--timeout",
            "2",
            "--verbose",
            "--format",
            format,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = cli(&args, "");
        let out = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("\\x1b]0;owned\\x07"), "{format}: {err}");
        for (name, s) in [("stdout", &out), ("stderr", &err)] {
            assert!(
                !s.chars()
                    .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{9b}'),
                "{format}: raw control character in {name}:\n{s}"
            );
        }
    }
}

#[test]
fn many_probes_run_a_few_at_a_time_and_keep_order() {
    // More endpoints than slots: every one is probed once, in input order.
    let addrs: Vec<SocketAddr> = (0..20).map(|_| serve(Script::Busy)).collect();
    let eps: Vec<Endpoint> = addrs
        .iter()
        .map(|a| Endpoint::new("127.0.0.1", a.port(), TlsMode::Starttls))
        .collect();
    let mut o = opts();
    o.concurrency = 3;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(run_probes(eps, &o));
    });
    let reports = rx
        .recv_timeout(WATCHDOG)
        .expect("run_probes did not return");
    assert_eq!(reports.len(), 20);
    for (r, a) in reports.iter().zip(&addrs) {
        assert_eq!(r.endpoint.port, a.port());
        assert_code(r, "banner-rejected");
    }
    assert_eq!(
        smtp_doctor::probe::DEFAULT_CONCURRENCY,
        ProbeOptions::default().concurrency
    );
}
