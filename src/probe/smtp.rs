//! The SMTP dialogue: connect, banner, EHLO, STARTTLS or implicit TLS, EHLO again, optional AUTH
//! (and From check), QUIT. Every read and write is bounded by the step timeout.

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

use super::dns::{self, LookupFailure};
use super::tls::{self, Recorder};
use super::{
    AuthOutcome, Capabilities, Endpoint, ProbeOptions, ProbeReport, Shared, TlsReport, Transcript,
    EXPIRY_WARNING_DAYS,
};
use crate::finding::Severity::{Error, Info, Warning};
use crate::model::{AuthMethod, TlsMode};

/// Longest reply line accepted (RFC 5321 allows 512; be generous) and most lines per reply.
const MAX_LINE: usize = 4096;
const MAX_LINES: usize = 200;
/// At most this many addresses are tried per probe.
const MAX_ADDRESSES: usize = 4;

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

/// An SMTP reply: code and the text of each line (without the `250-` prefix).
#[derive(Debug)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        self.lines.join(" ").trim().to_string()
    }

    /// `535 5.7.8 Error: authentication failed` as one line.
    fn summary(&self) -> String {
        format!("{} {}", self.code, self.text())
    }

    fn class(&self) -> u16 {
        self.code / 100
    }
}

#[derive(Debug)]
enum ReplyError {
    Timeout,
    Closed,
    Malformed(String),
    Io(io::Error),
}

struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    step: Duration,
    /// Set once the connection cannot be trusted to follow the protocol (timeout, garbage,
    /// closed): no QUIT is attempted then.
    broken: bool,
}

impl Conn {
    fn new(tcp: TcpStream, step: Duration) -> Self {
        Conn {
            stream: Stream::Plain(tcp),
            buf: Vec::new(),
            step,
            broken: false,
        }
    }

    async fn read_some(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 2048];
        let n = match &mut self.stream {
            Stream::Plain(s) => s.read(&mut chunk).await?,
            Stream::Tls(s) => s.read(&mut chunk).await?,
            Stream::Gone => return Ok(0),
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    async fn next_line(&mut self) -> Result<String, ReplyError> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let raw: Vec<u8> = self.buf.drain(..=pos).collect();
                let line = String::from_utf8_lossy(&raw);
                return Ok(line.trim_end_matches(['\r', '\n']).to_string());
            }
            if self.buf.len() > MAX_LINE {
                let head = String::from_utf8_lossy(&self.buf[..80]).into_owned();
                return Err(ReplyError::Malformed(head));
            }
            match self.read_some().await {
                Ok(0) => return Err(ReplyError::Closed),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(ReplyError::Closed)
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    return Err(ReplyError::Closed)
                }
                Err(e) => return Err(ReplyError::Io(e)),
            }
        }
    }

    async fn read_reply_inner(&mut self, log: &mut Transcript) -> Result<Reply, ReplyError> {
        let mut lines = Vec::new();
        let mut code = 0u16;
        loop {
            // The server may echo what it was sent: mask the secret before its text goes
            // anywhere (transcript, findings, reports).
            let line = log.mask(&self.next_line().await?);
            log.push(format!("S: {line}"));
            let b = line.as_bytes();
            let well_formed = b.len() >= 3
                && b[..3].iter().all(u8::is_ascii_digit)
                && (b.len() == 3 || b[3] == b' ' || b[3] == b'-');
            if !well_formed {
                return Err(ReplyError::Malformed(line));
            }
            let this: u16 = line[..3].parse().unwrap_or(0);
            if lines.is_empty() {
                code = this;
            }
            lines.push(line.get(4..).unwrap_or("").to_string());
            let last = b.len() == 3 || b[3] == b' ';
            if last {
                return Ok(Reply { code, lines });
            }
            if lines.len() >= MAX_LINES {
                return Err(ReplyError::Malformed(format!(
                    "more than {MAX_LINES} reply lines"
                )));
            }
        }
    }

    /// One complete reply within the step timeout.
    async fn reply(&mut self, log: &mut Transcript) -> Result<Reply, ReplyError> {
        let res = match timeout(self.step, self.read_reply_inner(log)).await {
            Ok(Err(ReplyError::Malformed(head))) => Err(ReplyError::Malformed(log.mask(&head))),
            Ok(r) => r,
            Err(_) => {
                if !self.buf.is_empty() {
                    log.push(format!(
                        "S: {} (incomplete)",
                        String::from_utf8_lossy(&self.buf).trim_end()
                    ));
                }
                Err(ReplyError::Timeout)
            }
        };
        if res.is_err() {
            self.broken = true;
        }
        res
    }

    /// Sends one command line; `shown` is what the transcript gets (secrets masked).
    async fn send(&mut self, line: &str, shown: &str, log: &mut Transcript) -> io::Result<()> {
        log.push(format!("C: {shown}"));
        let data = format!("{line}\r\n");
        let write = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    s.write_all(data.as_bytes()).await?;
                    s.flush().await
                }
                Stream::Tls(s) => {
                    s.write_all(data.as_bytes()).await?;
                    s.flush().await
                }
                Stream::Gone => Err(io::Error::new(io::ErrorKind::NotConnected, "closed")),
            }
        };
        let res = match timeout(self.step, write).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "write timed out")),
        };
        if res.is_err() {
            self.broken = true;
        }
        res
    }

    /// Sends a command and reads its reply.
    async fn command(
        &mut self,
        line: &str,
        shown: &str,
        log: &mut Transcript,
    ) -> Result<Reply, ReplyError> {
        match self.send(line, shown, log).await {
            Ok(()) => self.reply(log).await,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Err(ReplyError::Timeout),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::NotConnected
                ) =>
            {
                Err(ReplyError::Closed)
            }
            Err(e) => Err(ReplyError::Io(e)),
        }
    }

    /// The TLS handshake over the current plain stream.
    async fn start_tls(
        &mut self,
        shared: &Shared,
        server_name: &str,
    ) -> Result<Arc<Recorder>, (io::Error, Option<Arc<Recorder>>)> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return Err((io::Error::other("not a plain connection"), None));
        };
        let (config, recorder) = shared
            .tls
            .client_config()
            .map_err(|e| (io::Error::other(e), None))?;
        let name = ServerName::try_from(server_name.trim_end_matches('.').to_string())
            .map_err(|e| (io::Error::other(format!("bad server name: {e}")), None))?;
        let connector = TlsConnector::from(config);
        match timeout(self.step, connector.connect(name, tcp)).await {
            Ok(Ok(tls)) => {
                self.stream = Stream::Tls(Box::new(tls));
                Ok(recorder)
            }
            Ok(Err(e)) => {
                self.broken = true;
                Err((e, Some(recorder)))
            }
            Err(_) => {
                self.broken = true;
                Err((
                    io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"),
                    Some(recorder),
                ))
            }
        }
    }

    fn tls_info(&self) -> Option<(String, String)> {
        let Stream::Tls(s) = &self.stream else {
            return None;
        };
        let c = s.get_ref().1;
        let version = c
            .protocol_version()
            .map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
                rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
                other => format!("{other:?}"),
            })
            .unwrap_or_default();
        let suite = c
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default();
        Some((version, suite))
    }

    async fn close(&mut self) {
        if let Stream::Tls(s) = &mut self.stream {
            let _ = timeout(Duration::from_millis(500), s.shutdown()).await;
        }
        self.stream = Stream::Gone;
    }
}

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
                "dns-no-address",
                Error,
                format!("{target_host} has no address: {why}"),
                Some("check the host name for typos; the provider's documented SMTP host is the one to use".into()),
            );
            return;
        }
        Err(LookupFailure::Error(why)) => {
            log.push(format!("* resolve {target_host}: {why}"));
            report.add(
                "dns-error",
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
            "connect-refused",
            Error,
            format!("{host}:{port} refused the connection: nothing accepts mail submission there"),
            Some(match other_port {
                Some(p) => format!("this server does not offer port {}; its submission port may be {p}", ep.port),
                None => "check the port: submission is 587 (STARTTLS) or 465 (implicit TLS)".into(),
            }),
        ),
        ConnectFailure::Timeout => report.add(
            "connect-timeout",
            Error,
            format!("no TCP connection to {host}:{port} within {step:?}"),
            Some("packets are dropped on the way: a firewall, a network that blocks outgoing mail ports, or a wrong address".into()),
        ),
        ConnectFailure::Other(e) => report.add(
            "connect-failed",
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
            "reply-timeout",
            Error,
            format!("no complete reply to {after} within {step:?}"),
            Some(
                "the server stalls or trickles its replies; clients will time out the same way"
                    .into(),
            ),
        ),
        ReplyError::Closed => report.add(
            "connection-closed",
            Error,
            format!("the server closed the connection after {after}"),
            None,
        ),
        ReplyError::Malformed(line) => report.add(
            "protocol-error",
            Error,
            format!("the reply to {after} is not valid SMTP: `{}`", clip(&line)),
            None,
        ),
        ReplyError::Io(e) => report.add(
            "connection-closed",
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

    // Banner.
    match conn.reply(log).await {
        Ok(r) if r.code == 220 => report.banner = Some(r.text()),
        Ok(r) if r.class() == 4 || r.class() == 5 => {
            report.banner = Some(r.text());
            report.add(
                "banner-rejected",
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
            return;
        }
        Ok(r) => {
            report.add(
                "banner-invalid",
                Error,
                format!("unexpected greeting: {}", r.summary()),
                None,
            );
            return;
        }
        Err(ReplyError::Timeout) => {
            let help = if ep.mode != TlsMode::Implicit && ep.port == 465 {
                "port 465 expects TLS from the first byte: use implicit TLS (\"SSL/TLS\") on 465"
                    .to_string()
            } else {
                "a server that waits in silence usually expects TLS first (implicit TLS), or is not an SMTP server".to_string()
            };
            report.add(
                "banner-timeout",
                Error,
                format!("the server sent no greeting within {step:?}"),
                Some(help),
            );
            return;
        }
        Err(ReplyError::Malformed(line)) => {
            report.add(
                "banner-invalid",
                Error,
                format!("the server's first line is not an SMTP greeting: `{}`", clip(&line)),
                Some("this port runs another service (HTTP, SSH, IMAP?) or expects TLS; check host and port".into()),
            );
            return;
        }
        Err(ReplyError::Closed) => {
            report.add(
                "connection-closed",
                Error,
                "the server closed the connection before greeting",
                None,
            );
            return;
        }
        Err(e) => {
            reply_failure(report, e, "connect", step);
            return;
        }
    }

    let helo_name = match local_ip {
        Some(IpAddr::V4(ip)) => format!("[{ip}]"),
        Some(IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
        None => "[127.0.0.1]".to_string(),
    };

    let Some(caps) = ehlo(conn, &helo_name, report, log, step).await else {
        return;
    };
    let in_tls = ep.mode == TlsMode::Implicit;
    if in_tls {
        report.capabilities_tls = Some(caps);
    } else {
        if !caps.auth.is_empty() {
            report.add(
                "auth-before-tls",
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
        match ep.mode {
            TlsMode::None => {
                if starttls {
                    report.add(
                        "starttls-available",
                        Info,
                        "the server offers STARTTLS but the configuration does not use it",
                        Some(
                            "switch the client to STARTTLS (required), so the session is encrypted"
                                .into(),
                        ),
                    );
                }
            }
            TlsMode::Starttls => {
                if !starttls {
                    report.add(
                        "starttls-not-offered",
                        Error,
                        "the server does not offer STARTTLS: a client that requires it fails, one that does not sends everything in clear",
                        Some(if ep.port == 465 {
                            "port 465 usually means implicit TLS, not STARTTLS".to_string()
                        } else {
                            "use the provider's TLS endpoint (587 STARTTLS or 465 implicit TLS); a server without STARTTLS is not safe for passwords".to_string()
                        }),
                    );
                    return;
                }
                match conn.command("STARTTLS", "STARTTLS", log).await {
                    Ok(r) if r.code == 220 => {}
                    Ok(r) => {
                        report.add(
                            "starttls-refused",
                            Error,
                            format!("the server refused STARTTLS: {}", r.summary()),
                            Some(if r.code == 454 {
                                "454 means TLS is not available now on the server side (often a broken certificate or key there)".into()
                            } else {
                                "the server advertised STARTTLS but does not perform it".into()
                            }),
                        );
                        return;
                    }
                    Err(e) => {
                        reply_failure(report, e, "STARTTLS", step);
                        return;
                    }
                }
                if !conn.buf.is_empty() {
                    report.add(
                        "protocol-error",
                        Error,
                        "the server sent data after its STARTTLS reply, before the handshake (a sign of a broken or tampered connection)",
                        None,
                    );
                    conn.broken = true;
                    return;
                }
                match handshake(conn, ep, shared, report, log).await {
                    Some(v) => verified = v,
                    None => return,
                }
                let Some(caps) = ehlo(conn, &helo_name, report, log, step).await else {
                    return;
                };
                report.capabilities_tls = Some(caps);
            }
            TlsMode::Implicit => unreachable!(),
        }
    }

    let tls_up = matches!(conn.stream, Stream::Tls(_));
    authenticate(conn, ep, opts, report, log, tls_up, verified).await;
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
                "ehlo-rejected",
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
                    "tls-handshake-failed",
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
            "certificate-invalid",
            Error,
            format!("{why} (subject {})", t.subject),
            Some(help),
        );
    } else if t.days_left < EXPIRY_WARNING_DAYS {
        report.add(
            "certificate-expiring",
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
    report.tls = Some(t);
    Some(verified)
}

/// The SASL mechanisms a client with this method would use, in its order of preference.
/// `Other(name)` is taken as a mechanism name (`LOGIN`, `NTLM`, `GSSAPI`).
fn client_mechanisms(method: &AuthMethod) -> Vec<String> {
    match method {
        AuthMethod::Other(name) => vec![name.trim().to_ascii_uppercase()],
        m => m
            .mechanisms()
            .iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
    }
}

/// The mechanism the client would use among those offered.
fn choose_mechanism(method: &AuthMethod, offered: &[String]) -> Option<String> {
    client_mechanisms(method)
        .into_iter()
        .find(|m| offered.contains(m))
}

async fn authenticate(
    conn: &mut Conn,
    ep: &Endpoint,
    opts: &ProbeOptions,
    report: &mut ProbeReport,
    log: &mut Transcript,
    tls_up: bool,
    verified: bool,
) {
    let step = opts.timeout;
    let method = ep.auth_method.clone().or_else(|| {
        (ep.username.is_some() || ep.password.is_some()).then_some(AuthMethod::Password)
    });
    let Some(caps) = report.capabilities().cloned() else {
        return;
    };
    let logs_in = method.as_ref().is_some_and(|m| *m != AuthMethod::None);
    let mut chosen = None;
    if let Some(m) = method.as_ref().filter(|_| logs_in) {
        if caps.auth.is_empty() {
            report.add(
                "auth-not-offered",
                Error,
                format!(
                    "the configuration logs in, but the server offers no AUTH{}",
                    if tls_up { " (even after TLS)" } else { "" }
                ),
                Some(if tls_up {
                    "this host or port does not take logins (a relay or an inbound MX?); use the provider's submission host".into()
                } else {
                    "many servers offer AUTH only after STARTTLS; use TLS".into()
                }),
            );
        } else if !client_mechanisms(m).is_empty() {
            chosen = choose_mechanism(m, &caps.auth);
            if chosen.is_none() {
                report.add(
                    "auth-mechanism-unsupported",
                    Error,
                    format!(
                        "the client logs in with {m}, but the server offers AUTH {}",
                        caps.auth.join(" ")
                    ),
                    Some(
                        "change the client's authentication method to one the server offers".into(),
                    ),
                );
            }
        }
    }
    if !opts.auth {
        return;
    }
    let skip = |report: &mut ProbeReport, why: String| {
        report.add("auth-skipped", Info, format!("AUTH not tried: {why}"), None);
    };
    let (Some(user), Some(secret)) = (ep.username.as_deref(), ep.password.as_ref()) else {
        skip(
            report,
            "the configuration has no username and password".into(),
        );
        return;
    };
    if !tls_up {
        skip(report, "never over an unencrypted connection".into());
        return;
    }
    if !verified {
        skip(report, "the server's certificate did not verify".into());
        return;
    }
    let Some(mech) = chosen else {
        if !report.has("auth-mechanism-unsupported") && !report.has("auth-not-offered") {
            skip(report, "no AUTH mechanism to try".into());
        }
        return;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let result = match mech.as_str() {
        "PLAIN" => {
            let mut raw = Vec::new();
            raw.push(0u8);
            raw.extend_from_slice(user.as_bytes());
            raw.push(0u8);
            raw.extend_from_slice(secret.expose().as_bytes());
            let payload = b64.encode(&raw);
            match conn
                .command(&format!("AUTH PLAIN {payload}"), "AUTH PLAIN ****", log)
                .await
            {
                Ok(r) if r.code == 334 => conn.command(&payload, "****", log).await,
                other => other,
            }
        }
        "LOGIN" => {
            let first = conn.command("AUTH LOGIN", "AUTH LOGIN", log).await;
            match first {
                Ok(r) if r.code == 334 => {
                    let u = b64.encode(user.as_bytes());
                    match conn.command(&u, &format!("{u} ({user})"), log).await {
                        Ok(r) if r.code == 334 => {
                            conn.command(&b64.encode(secret.expose().as_bytes()), "****", log)
                                .await
                        }
                        other => other,
                    }
                }
                other => other,
            }
        }
        _ => {
            skip(
                report,
                format!("{mech} is not probed (only PLAIN and LOGIN)"),
            );
            return;
        }
    };
    let reply = match result {
        Ok(r) => r,
        Err(e) => {
            reply_failure(report, e, "AUTH", step);
            return;
        }
    };
    let accepted = reply.code == 235;
    report.auth = Some(AuthOutcome {
        mechanism: mech.clone(),
        accepted,
        reply: reply.summary(),
    });
    if accepted {
        report.add(
            "auth-succeeded",
            Info,
            format!("the server accepted the login of {user} with AUTH {mech}"),
            None,
        );
        if let Some(from) = ep.from.as_deref() {
            check_from(conn, from, user, report, log, step).await;
        }
    } else if reply.code == 504 {
        report.add(
            "auth-mechanism-unsupported",
            Error,
            format!("the server refused AUTH {mech}: {}", reply.summary()),
            None,
        );
    } else {
        let severity = if reply.class() == 4 { Warning } else { Error };
        report.add(
            "auth-rejected",
            severity,
            format!(
                "the server refused the login of {user}: {}",
                reply.summary()
            ),
            Some(auth_cause(&reply).to_string()),
        );
    }
}

/// The likely cause of an AUTH failure, from the reply (RFC 4954 codes and providers' texts).
fn auth_cause(r: &Reply) -> &'static str {
    let text = r.text().to_ascii_lowercase();
    match r.code {
        534 if text.contains("5.7.9") && text.contains("application-specific") => {
            "the account has 2-step verification: create an app password and use it instead of the account password"
        }
        534 if text.contains("5.7.14") => {
            "the provider blocked this sign-in as suspicious: sign in through the web once, or use OAuth2"
        }
        534 => "the server finds this mechanism too weak for this account",
        535 if text.contains("5.7.139") => {
            "SMTP AUTH (basic authentication) is switched off for this account or tenant: enable it or use OAuth2"
        }
        535 | 536 => {
            "wrong login or password: check that the login is the full address and that the password is the app-specific one where the provider requires it"
        }
        538 => "the server wants an encrypted connection for this mechanism",
        530 => "the server wants STARTTLS (or another step) before AUTH",
        550 if text.contains("5.7.30") => {
            "basic authentication is not supported any more: use OAuth2"
        }
        454 if text.contains("too many") => "too many login attempts: wait before trying again",
        454 => "a temporary failure on the server side: try again later",
        432 => "the password must be changed (transition needed)",
        _ => "the server refused the credentials",
    }
}

/// After a successful login: would the server take this From address? MAIL FROM and RCPT TO the
/// same address, then RSET. No DATA, so nothing is ever sent.
async fn check_from(
    conn: &mut Conn,
    from: &str,
    user: &str,
    report: &mut ProbeReport,
    log: &mut Transcript,
    step: Duration,
) {
    let addr = crate::model::bare_address(from).to_string();
    let mail = format!("MAIL FROM:<{addr}>");
    let refused = |report: &mut ProbeReport, r: &Reply| {
        report.add(
            "from-rejected",
            Error,
            format!("logged in as {user}, the server refuses the sender {addr}: {}", r.summary()),
            Some("send from the account's own address or an alias or custom domain verified for this account".into()),
        );
    };
    match conn.command(&mail, &mail, log).await {
        Ok(r) if r.class() == 2 => {}
        Ok(r) => {
            if r.class() == 5 {
                refused(report, &r);
            }
            let _ = conn.command("RSET", "RSET", log).await;
            return;
        }
        Err(e) => {
            reply_failure(report, e, "MAIL FROM", step);
            return;
        }
    }
    let rcpt = format!("RCPT TO:<{addr}>");
    match conn.command(&rcpt, &rcpt, log).await {
        Ok(r) if r.class() == 5 && r.text().to_ascii_lowercase().contains("sender") => {
            refused(report, &r);
        }
        Ok(_) => {}
        Err(e) => {
            reply_failure(report, e, "RCPT TO", step);
            return;
        }
    }
    let _ = conn.command("RSET", "RSET", log).await;
}

#[cfg(test)]
mod tests {
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
