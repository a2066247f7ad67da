//! The SMTP dialogue: connect, banner, EHLO, STARTTLS or implicit TLS, EHLO again, optional AUTH
//! (and From check), QUIT. Every read and write is bounded by the step timeout.

use crate::codes;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

mod auth;
mod conn;

use auth::authenticate;
use conn::{Conn, Reply, ReplyError, Stream};

use super::dns::{self, LookupFailure};
use super::tls::{self, Recorder};
use super::{
    AuthOutcome, Capabilities, Endpoint, ProbeOptions, ProbeReport, Shared, TlsReport, Transcript,
    EXPIRY_WARNING_DAYS,
};
use crate::finding::Severity::{Error, Info, Warning};
use crate::model::{AuthMethod, Secret, TlsMode};

/// At most this many addresses are tried per probe.
const MAX_ADDRESSES: usize = 4;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the dialogue, filling `report`.
pub(crate) async fn run(
    ep: &Endpoint,
    opts: &ProbeOptions,
    shared: &Shared,
    report: &mut ProbeReport,
    log: &mut Transcript,
) {
    let step = opts.timeout;
    // Where to connect: the configured host, or a --connect-to target.
    let rule = opts
        .connect_to
        .iter()
        .find_map(|c| c.apply(&ep.host, ep.port).map(|t| (c, t)));
    let (target_host, target_port) = match rule {
        Some((c, t)) => {
            report.connect_to = Some(c.to_string());
            log.push(format!(
                "* connect-to {c}: {}:{} -> {}:{}",
                ep.host, ep.port, t.0, t.1
            ));
            t
        }
        None => (ep.host.clone(), ep.port),
    };

    let t0 = Instant::now();
    let ips = match dns::addresses(&target_host, shared).await {
        Ok(ips) => ips,
        Err(LookupFailure::NoAddress(why)) => {
            log.push(format!("* resolve {target_host}: {why}"));
            report.add(
                codes::DNS_NO_ADDRESS,
                Error,
                format!("{target_host} has no address: {why}"),
                Some("check the host name for typos; the provider's documented SMTP host is the one to use".into()),
            );
            return;
        }
        Err(LookupFailure::Error(why)) => {
            log.push(format!("* resolve {target_host}: {why}"));
            report.add(
                codes::DNS_ERROR,
                Warning,
                format!("could not resolve {target_host}: {why}"),
                Some("the DNS server did not answer; try again or name another with --dns".into()),
            );
            return;
        }
    };
    log.push(format!(
        "* resolve {target_host}: {} ({})",
        ips.iter()
            .map(IpAddr::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ms(t0.elapsed())
    ));
    report.addresses = ips.clone();

    let tcp = match connect(&ips, target_port, step, log).await {
        Ok((tcp, addr)) => {
            report.connected = Some(addr);
            tcp
        }
        Err(failure) => {
            report_connect_failure(ep, &target_host, target_port, failure, step, report);
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    let mut conn = Conn::new(tcp, step);
    let local_ip = conn_local_ip(&conn);

    dialogue(&mut conn, ep, opts, shared, report, log, local_ip).await;

    if !conn.broken && conn.send("QUIT", "QUIT", log).await.is_ok() {
        let _ = conn.reply(log).await;
    }
    conn.close().await;
}

fn conn_local_ip(conn: &Conn) -> Option<IpAddr> {
    match &conn.stream {
        Stream::Plain(s) => s.local_addr().ok().map(|a| a.ip()),
        _ => None,
    }
}

enum ConnectFailure {
    Refused,
    Timeout,
    Other(String),
}

async fn connect(
    ips: &[IpAddr],
    port: u16,
    step: Duration,
    log: &mut Transcript,
) -> Result<(TcpStream, SocketAddr), ConnectFailure> {
    let mut refused = false;
    let mut timed_out = false;
    let mut other = None;
    for ip in ips.iter().take(MAX_ADDRESSES) {
        let addr = SocketAddr::new(*ip, port);
        let t0 = Instant::now();
        match timeout(step, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => {
                log.push(format!("* connected to {addr} ({})", ms(t0.elapsed())));
                return Ok((s, addr));
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                log.push(format!("* connect {addr}: refused"));
                refused = true;
            }
            Ok(Err(e)) => {
                log.push(format!("* connect {addr}: {e}"));
                other = Some(format!("{addr}: {e}"));
            }
            Err(_) => {
                log.push(format!("* connect {addr}: no answer within {step:?}"));
                timed_out = true;
            }
        }
    }
    Err(if refused {
        ConnectFailure::Refused
    } else if timed_out {
        ConnectFailure::Timeout
    } else {
        ConnectFailure::Other(other.unwrap_or_else(|| "no address to try".into()))
    })
}

fn report_connect_failure(
    ep: &Endpoint,
    host: &str,
    port: u16,
    failure: ConnectFailure,
    step: Duration,
    report: &mut ProbeReport,
) {
    let other_port = match (ep.port, ep.mode) {
        (465, _) => Some("587 with STARTTLS"),
        (587, _) => Some("465 with implicit TLS"),
        (25, _) => {
            Some("587 with STARTTLS (port 25 is for server-to-server mail and often blocked)")
        }
        _ => None,
    };
    match failure {
        ConnectFailure::Refused => report.add(
            codes::CONNECT_REFUSED,
            Error,
            format!("{host}:{port} refused the connection: nothing accepts mail submission there"),
            Some(match other_port {
                Some(p) => format!("this server does not offer port {}; its submission port may be {p}", ep.port),
                None => "check the port: submission is 587 (STARTTLS) or 465 (implicit TLS)".into(),
            }),
        ),
        ConnectFailure::Timeout => report.add(
            codes::CONNECT_TIMEOUT,
            Error,
            format!("no TCP connection to {host}:{port} within {step:?}"),
            Some("packets are dropped on the way: a firewall, a network that blocks outgoing mail ports, or a wrong address".into()),
        ),
        ConnectFailure::Other(e) => report.add(
            codes::CONNECT_FAILED,
            Error,
            format!("cannot connect to {host}:{port}: {e}"),
            Some("the network has no route to this address (IPv6 without IPv6 connectivity, VPN, offline)".into()),
        ),
    }
}

/// Maps a failed reply mid-dialogue to a finding.
fn reply_failure(report: &mut ProbeReport, err: ReplyError, after: &str, step: Duration) {
    match err {
        ReplyError::Timeout => report.add(
            codes::REPLY_TIMEOUT,
            Error,
            format!("no complete reply to {after} within {step:?}"),
            Some(
                "the server stalls or trickles its replies; clients will time out the same way"
                    .into(),
            ),
        ),
        ReplyError::Closed => report.add(
            codes::CONNECTION_CLOSED,
            Error,
            format!("the server closed the connection after {after}"),
            None,
        ),
        ReplyError::Malformed(line) => report.add(
            codes::PROTOCOL_ERROR,
            Error,
            format!("the reply to {after} is not valid SMTP: `{}`", clip(&line)),
            None,
        ),
        ReplyError::Io(e) => report.add(
            codes::CONNECTION_CLOSED,
            Error,
            format!("the connection failed after {after}: {e}"),
            None,
        ),
    }
}

fn clip(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_control()).take(80).collect();
    s
}

#[allow(clippy::too_many_arguments)]
async fn dialogue(
    conn: &mut Conn,
    ep: &Endpoint,
    opts: &ProbeOptions,
    shared: &Shared,
    report: &mut ProbeReport,
    log: &mut Transcript,
    local_ip: Option<IpAddr>,
) {
    let step = opts.timeout;
    let mut verified = false;

    // Implicit TLS: the handshake comes first.
    if ep.mode == TlsMode::Implicit {
        match handshake(conn, ep, shared, report, log).await {
            Some(v) => verified = v,
            None => return,
        }
    }
    if !banner(conn, ep, report, log, step).await {
        return;
    }
    let helo_name = match local_ip {
        Some(IpAddr::V4(ip)) => format!("[{ip}]"),
        Some(IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        None => "[127.0.0.1]".to_string(),
    };
    let Some(caps) = ehlo(conn, &helo_name, report, log, step).await else {
        return;
    };
    if ep.mode == TlsMode::Implicit {
        report.capabilities_tls = Some(caps);
    } else {
        let starttls = caps.starttls;
        plain_capabilities(ep, caps, report);
        if ep.mode == TlsMode::Starttls {
            let session = Session {
                ep,
                shared,
                helo_name: &helo_name,
                step,
            };
            match upgrade(conn, &session, starttls, report, log).await {
                Some(v) => verified = v,
                None => return,
            }
        }
    }

    let tls_up = matches!(conn.stream, Stream::Tls(_));
    authenticate(conn, ep, opts, report, log, tls_up, verified).await;
}

/// The greeting; `false` when the dialogue cannot go on.
async fn banner(
    conn: &mut Conn,
    ep: &Endpoint,
    report: &mut ProbeReport,
    log: &mut Transcript,
    step: Duration,
) -> bool {
    match conn.reply(log).await {
        Ok(r) if r.code == 220 => report.banner = Some(r.text()),
        Ok(r) if r.class() == 4 || r.class() == 5 => {
            report.banner = Some(r.text());
            report.add(
                codes::BANNER_REJECTED,
                Error,
                format!("the server refused the session at connect: {}", r.summary()),
                Some(if r.code == 421 {
                    "421 means the service is not available now (overloaded, rate-limited, or your address is blocked); try later or from another network".into()
                } else {
                    "the server does not accept mail from this client address".into()
                }),
            );
            // After 421 the server closes; after 554 it waits for QUIT (RFC 5321 3.1).
            conn.broken = r.code == 421;
            return false;
        }
        Ok(r) => {
            report.add(
                codes::BANNER_INVALID,
                Error,
                format!("unexpected greeting: {}", r.summary()),
                None,
            );
            return false;
        }
        Err(ReplyError::Timeout) => {
            let help = if ep.mode != TlsMode::Implicit && ep.port == 465 {
                "port 465 expects TLS from the first byte: use implicit TLS (\"SSL/TLS\") on 465"
                    .to_string()
            } else {
                "a server that waits in silence usually expects TLS first (implicit TLS), or is not an SMTP server".to_string()
            };
            report.add(
                codes::BANNER_TIMEOUT,
                Error,
                format!("the server sent no greeting within {step:?}"),
                Some(help),
            );
            return false;
        }
        Err(ReplyError::Malformed(line)) => {
            report.add(
                codes::BANNER_INVALID,
                Error,
                format!("the server's first line is not an SMTP greeting: `{}`", clip(&line)),
                Some("this port runs another service (HTTP, SSH, IMAP?) or expects TLS; check host and port".into()),
            );
            return false;
        }
        Err(ReplyError::Closed) => {
            report.add(
                codes::CONNECTION_CLOSED,
                Error,
                "the server closed the connection before greeting",
                None,
            );
            return false;
        }
        Err(e) => {
            reply_failure(report, e, "connect", step);
            return false;
        }
    }
    true
}

/// What the EHLO reply before TLS says: AUTH offered in clear, STARTTLS unused.
fn plain_capabilities(ep: &Endpoint, caps: Capabilities, report: &mut ProbeReport) {
    if !caps.auth.is_empty() {
        report.add(
            codes::AUTH_BEFORE_TLS,
            Warning,
            format!(
                "the server offers AUTH {} before TLS: a client without TLS would send the password in clear",
                caps.auth.join(" ")
            ),
            Some("servers should offer AUTH only after STARTTLS; make sure the client requires TLS".into()),
        );
    }
    let starttls = caps.starttls;
    report.capabilities_plain = Some(caps);
    if ep.mode == TlsMode::None && starttls {
        report.add(
            codes::STARTTLS_AVAILABLE,
            Info,
            "the server offers STARTTLS but the configuration does not use it",
            Some("switch the client to STARTTLS (required), so the session is encrypted".into()),
        );
    }
}

/// What the STARTTLS upgrade needs besides the connection.
struct Session<'a> {
    ep: &'a Endpoint,
    shared: &'a Shared,
    helo_name: &'a str,
    step: Duration,
}

/// STARTTLS, the handshake and EHLO again. `Some(verified)` when the session is up in TLS.
async fn upgrade(
    conn: &mut Conn,
    s: &Session<'_>,
    starttls: bool,
    report: &mut ProbeReport,
    log: &mut Transcript,
) -> Option<bool> {
    let (ep, step) = (s.ep, s.step);
    if !starttls {
        report.add(
                codes::STARTTLS_NOT_OFFERED,
                Error,
                "the server does not offer STARTTLS: a client that requires it fails, one that does not sends everything in clear",
                Some(if ep.port == 465 {
                    "port 465 usually means implicit TLS, not STARTTLS".to_string()
                } else {
                    "use the provider's TLS endpoint (587 STARTTLS or 465 implicit TLS); a server without STARTTLS is not safe for passwords".to_string()
                }),
            );
        return None;
    }
    match conn.command("STARTTLS", "STARTTLS", log).await {
        Ok(r) if r.code == 220 => {}
        Ok(r) => {
            report.add(
                    codes::STARTTLS_REFUSED,
                    Error,
                    format!("the server refused STARTTLS: {}", r.summary()),
                    Some(if r.code == 454 {
                        "454 means TLS is not available now on the server side (often a broken certificate or key there)".into()
                    } else {
                        "the server advertised STARTTLS but does not perform it".into()
                    }),
                );
            return None;
        }
        Err(e) => {
            reply_failure(report, e, "STARTTLS", step);
            return None;
        }
    }
    if !conn.buf.is_empty() {
        report.add(
                codes::PROTOCOL_ERROR,
                Error,
                "the server sent data after its STARTTLS reply, before the handshake (a sign of a broken or tampered connection)",
                None,
            );
        conn.broken = true;
        return None;
    }
    let verified = handshake(conn, ep, s.shared, report, log).await?;
    let caps = ehlo(conn, s.helo_name, report, log, step).await?;
    report.capabilities_tls = Some(caps);
    Some(verified)
}

/// EHLO (falling back to HELO); `None` when the dialogue cannot go on.
async fn ehlo(
    conn: &mut Conn,
    name: &str,
    report: &mut ProbeReport,
    log: &mut Transcript,
    step: Duration,
) -> Option<Capabilities> {
    let cmd = format!("EHLO {name}");
    match conn.command(&cmd, &cmd, log).await {
        Ok(r) if r.code == 250 => Some(parse_capabilities(&r)),
        Ok(r) => {
            report.add(
                codes::EHLO_REJECTED,
                Warning,
                format!("the server refused EHLO: {}", r.summary()),
                Some("without EHLO there is no STARTTLS and no AUTH".into()),
            );
            let helo = format!("HELO {name}");
            match conn.command(&helo, &helo, log).await {
                Ok(r) if r.code == 250 => Some(Capabilities {
                    server_name: r.lines.first().cloned().unwrap_or_default(),
                    ..Default::default()
                }),
                Ok(_) => None,
                Err(e) => {
                    reply_failure(report, e, "HELO", step);
                    None
                }
            }
        }
        Err(e) => {
            reply_failure(report, e, "EHLO", step);
            None
        }
    }
}

fn parse_capabilities(r: &Reply) -> Capabilities {
    let mut caps = Capabilities {
        server_name: r
            .lines
            .first()
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("")
            .to_string(),
        ..Default::default()
    };
    for line in r.lines.iter().skip(1) {
        caps.raw.push(line.clone());
        let mut words = line.split_whitespace();
        let Some(kw) = words.next() else { continue };
        let kw_up = kw.to_ascii_uppercase();
        match kw_up.as_str() {
            "STARTTLS" => caps.starttls = true,
            "PIPELINING" => caps.pipelining = true,
            "8BITMIME" => caps.eightbitmime = true,
            "SMTPUTF8" => caps.smtputf8 = true,
            "ENHANCEDSTATUSCODES" => caps.enhanced_status_codes = true,
            "SIZE" => caps.size = words.next().and_then(|n| n.parse().ok()),
            _ if kw_up == "AUTH" || kw_up.starts_with("AUTH=") => {
                let first = kw_up.strip_prefix("AUTH=").map(str::to_string);
                for m in first.into_iter().chain(words.map(str::to_ascii_uppercase)) {
                    if !m.is_empty() && !caps.auth.contains(&m) {
                        caps.auth.push(m);
                    }
                }
            }
            _ => {}
        }
    }
    caps
}

/// TLS handshake and certificate checks. `Some(verified)` when the session is up.
async fn handshake(
    conn: &mut Conn,
    ep: &Endpoint,
    shared: &Shared,
    report: &mut ProbeReport,
    log: &mut Transcript,
) -> Option<bool> {
    let implicit = ep.mode == TlsMode::Implicit;
    let t0 = Instant::now();
    let name = ep.host.trim_end_matches('.');
    let recorder = match conn.start_tls(shared, name).await {
        Ok(r) => r,
        Err((e, recorder)) => {
            log.push(format!("* TLS handshake failed: {e}"));
            // A certificate seen before the failure still says something.
            if let Some(der) = recorder.as_ref().and_then(|r| r.end_entity()) {
                let mut t = TlsReport {
                    server_name: name.to_string(),
                    ..Default::default()
                };
                tls::describe_certificate(&der, &mut t);
                report.tls = Some(t);
            }
            let (code, message, help) = if e.kind() == io::ErrorKind::TimedOut {
                (
                    codes::TLS_HANDSHAKE_FAILED,
                    format!("the TLS handshake did not finish within {:?}", conn.step),
                    Some(if implicit {
                        "the server may expect plain SMTP first (STARTTLS, usually port 587)"
                            .to_string()
                    } else {
                        "the server accepted STARTTLS but did not complete the handshake"
                            .to_string()
                    }),
                )
            } else {
                tls::classify_handshake_error(&e, implicit, ep.port)
            };
            report.add(code, Error, message, help);
            return None;
        }
    };
    let (version, suite) = conn.tls_info().unwrap_or_default();
    let mut t = TlsReport {
        server_name: name.to_string(),
        version,
        cipher_suite: suite,
        ..Default::default()
    };
    if let Some(der) = recorder.end_entity() {
        tls::describe_certificate(&der, &mut t);
    }
    let verified = match recorder.result() {
        Some(Ok(())) => true,
        Some(Err(e)) => {
            let why = tls::explain_cert_error(&e, name);
            t.verify_error = Some(why);
            false
        }
        None => {
            t.verify_error = Some("no certificate was verified".into());
            false
        }
    };
    t.verified = verified;
    log.push(format!(
        "* TLS {} {} ({})",
        t.version,
        t.cipher_suite,
        ms(t0.elapsed())
    ));
    log.push(format!("* certificate {} (issuer {})", t.subject, t.issuer));
    log.push(format!(
        "* SAN [{}], expires {} ({} days); {}",
        t.san.join(", "),
        t.not_after,
        t.days_left,
        match &t.verify_error {
            None => "verified".to_string(),
            Some(e) => format!("NOT verified: {e}"),
        }
    ));
    judge_certificate(&t, &recorder, report);
    report.tls = Some(t);
    Some(verified)
}

/// `certificate-invalid` (with the likely fix) or `certificate-expiring`.
fn judge_certificate(t: &TlsReport, recorder: &Recorder, report: &mut ProbeReport) {
    if let Some(why) = &t.verify_error {
        let err = recorder.result().and_then(Result::err);
        let help = match &err {
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) => format!(
                "the certificate names {}; use one of those as the SMTP host (not an alias or an IP)",
                if t.san.is_empty() { t.subject.clone() } else { t.san.join(", ") }
            ),
            Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
                "a private or self-signed CA: pass it with --ca-file (clients need it too), or use the provider's public host".to_string()
            }
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. },
            )) => format!(
                "it expired on {} ({} days ago); the server's operator must renew it",
                t.not_after, -t.days_left
            ),
            _ => "clients that verify certificates (as they should) will refuse this server".to_string(),
        };
        report.add(
            codes::CERTIFICATE_INVALID,
            Error,
            format!("{why} (subject {})", t.subject),
            Some(help),
        );
    } else if t.days_left < EXPIRY_WARNING_DAYS {
        report.add(
            codes::CERTIFICATE_EXPIRING,
            Warning,
            format!(
                "the certificate expires in {} day{} ({})",
                t.days_left,
                if t.days_left == 1 { "" } else { "s" },
                t.not_after
            ),
            Some(
                "the server's operator should renew it now; clients will fail once it expires"
                    .into(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::auth::{auth_cause, choose_mechanism};
    use super::*;

    #[test]
    fn capabilities_parse() {
        let r = Reply {
            code: 250,
            lines: vec![
                "smtp.example.com Hello".into(),
                "PIPELINING".into(),
                "SIZE 10240000".into(),
                "AUTH PLAIN LOGIN".into(),
                "AUTH=LOGIN".into(),
                "STARTTLS".into(),
                "8BITMIME".into(),
                "SMTPUTF8".into(),
            ],
        };
        let c = parse_capabilities(&r);
        assert_eq!(c.server_name, "smtp.example.com");
        assert!(c.starttls && c.pipelining && c.eightbitmime && c.smtputf8);
        assert_eq!(c.size, Some(10_240_000));
        assert_eq!(c.auth, vec!["PLAIN", "LOGIN"]);
        assert_eq!(
            choose_mechanism(&AuthMethod::Password, &c.auth).as_deref(),
            Some("PLAIN")
        );
        assert_eq!(choose_mechanism(&AuthMethod::OAuth2, &c.auth), None);
    }

    #[test]
    fn auth_causes() {
        let r = |code, t: &str| Reply {
            code,
            lines: vec![t.into()],
        };
        assert!(
            auth_cause(&r(534, "5.7.9 Application-specific password required"))
                .contains("app password")
        );
        assert!(auth_cause(&r(535, "5.7.8 Error: authentication failed")).contains("full address"));
        assert!(auth_cause(&r(
            535,
            "5.7.139 Authentication unsuccessful, basic authentication is disabled"
        ))
        .contains("OAuth2"));
    }
}
