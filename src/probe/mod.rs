//! Live probes: what the server actually does, as opposed to what a configuration probably does.
//!
//! A probe of one [`Endpoint`] resolves the host (and the MX / RFC 6186 SRV records of the login
//! or From domain), connects, reads the banner, sends EHLO, upgrades with STARTTLS (or starts with
//! TLS on implicit-TLS ports), verifies the certificate, sends EHLO again and, only when asked and
//! only over TLS whose certificate verified, tries AUTH. It never sends a message and always ends
//! with QUIT. Every network step is bounded by [`ProbeOptions::timeout`].
//!
//! The result is a [`ProbeReport`]: observations plus [`ProbeFinding`]s with their own stable codes
//! (the probe codes of [`crate::codes`]). This module never prints.

mod dns;
mod smtp;
mod tls;

use crate::codes;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::finding::Severity;
use crate::model::{AuthMethod, Profile, Secret, Security, TlsMode};
use Severity::Error;

pub use dns::{lookup_mx, mx_provider, mx_rules, MxProvider, MxRule};

/// How many endpoints are probed at the same time by default: enough that a project's few
/// servers are probed at once, few enough that a file naming hundreds of hosts cannot open
/// hundreds of connections (each probe holds one socket and, with TLS, a handshake).
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How probes run.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Bound on every single step: connect, TLS handshake, each server reply, each DNS lookup.
    pub timeout: Duration,
    /// Ask this DNS server instead of the system resolver (`--dns IP[:PORT]`, port 53 by default).
    pub dns: Option<SocketAddr>,
    /// Extra trust anchors (PEM), e.g. a private CA, on top of the webpki roots (`--ca-file`).
    pub ca_file: Option<PathBuf>,
    /// Aim connections elsewhere while SNI and the name check stay the configured host's.
    pub connect_to: Vec<ConnectTo>,
    /// Try AUTH with the configured credentials (only over verified TLS).
    pub auth: bool,
    /// Record a transcript of the dialogue (secrets masked) in [`ProbeReport::transcript`].
    pub transcript: bool,
    /// At most this many probes at the same time ([`DEFAULT_CONCURRENCY`] by default).
    pub concurrency: usize,
    /// How to recognise providers by MX host: the `recognise.mx` facts of the provider rules
    /// (the built-in ones by default; the engine and `smtp-doctor probe` pass the run's, user
    /// folders included).
    pub mx_rules: std::sync::Arc<Vec<MxRule>>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(5),
            dns: None,
            ca_file: None,
            connect_to: Vec::new(),
            auth: false,
            transcript: false,
            concurrency: DEFAULT_CONCURRENCY,
            mx_rules: std::sync::Arc::new(
                crate::providers::Providers::builtin()
                    .map(|p| mx_rules(&p))
                    .unwrap_or_default(),
            ),
        }
    }
}

impl ProbeOptions {
    /// Checks what can be checked before any network traffic: that the CA file reads as PEM
    /// certificates. The CLI should call this and report a usage error.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(path) = &self.ca_file {
            tls::load_ca_file(path)?;
        }
        if self.concurrency == 0 {
            return Err("concurrency must be at least 1".into());
        }
        Ok(())
    }
}

/// Parses `--dns IP[:PORT]` (`[v6]:port` for IPv6 with a port).
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    let bare = s.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("`{s}` is not IP[:PORT]"))
}

/// `--connect-to HOST:PORT:ADDR:PORT`, as in curl: connections to HOST:PORT go to ADDR:PORT.
/// An empty HOST or PORT matches any; an empty target PORT keeps the port.
/// IPv6 addresses go in brackets: `smtp.example.com:587:[::1]:2587`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub target_host: String,
    pub target_port: Option<u16>,
}

impl ConnectTo {
    /// The target (host, port) for a connection to `host:port`, if this rule applies.
    pub fn apply(&self, host: &str, port: u16) -> Option<(String, u16)> {
        let host_ok = self.host.as_deref().is_none_or(|h| {
            h.trim_end_matches('.')
                .eq_ignore_ascii_case(host.trim_end_matches('.'))
        });
        let port_ok = self.port.is_none_or(|p| p == port);
        (host_ok && port_ok).then(|| {
            let target = if self.target_host.is_empty() {
                host.to_string()
            } else {
                self.target_host.clone()
            };
            (target, self.target_port.unwrap_or(port))
        })
    }
}

impl FromStr for ConnectTo {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not HOST:PORT:ADDR:PORT");
        // Split into 4 fields, keeping bracketed IPv6 addresses whole.
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut in_brackets = false;
        for ch in s.chars() {
            match ch {
                '[' if !in_brackets => in_brackets = true,
                ']' if in_brackets => in_brackets = false,
                ':' if !in_brackets => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 4 || in_brackets {
            return Err(bad());
        }
        let port = |f: &str| -> Result<Option<u16>, String> {
            if f.is_empty() {
                Ok(None)
            } else {
                f.parse::<u16>().map(Some).map_err(|_| bad())
            }
        };
        Ok(ConnectTo {
            host: (!fields[0].is_empty()).then(|| fields[0].clone()),
            port: port(&fields[1])?,
            target_host: fields[2].clone(),
            target_port: port(&fields[3])?,
        })
    }
}

impl fmt::Display for ConnectTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = |h: &str| {
            if h.contains(':') {
                format!("[{h}]")
            } else {
                h.to_string()
            }
        };
        let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
        write!(
            f,
            "{}:{}:{}:{}",
            host(self.host.as_deref().unwrap_or("")),
            port(self.port),
            host(&self.target_host),
            port(self.target_port)
        )
    }
}

/// One submission endpoint to probe, with what the client would send.
#[derive(Clone, Debug, Serialize)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub mode: TlsMode,
    /// How the client authenticates; `None` when the configuration does not say.
    #[serde(serialize_with = "ser_display_opt")]
    pub auth_method: Option<AuthMethod>,
    pub username: Option<String>,
    #[serde(skip)]
    pub password: Option<Secret>,
    /// The From / envelope sender the client would use.
    pub from: Option<String>,
}

impl Endpoint {
    pub fn new(host: impl Into<String>, port: u16, mode: TlsMode) -> Self {
        Endpoint {
            host: host.into(),
            port,
            mode,
            auth_method: None,
            username: None,
            password: None,
            from: None,
        }
    }

    /// Login with a password (PLAIN or LOGIN, as most clients do).
    pub fn with_credentials(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.username = Some(username.into());
        self.password = Some(password);
        if self.auth_method.is_none() {
            self.auth_method = Some(AuthMethod::Password);
        }
        self
    }

    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    pub fn with_from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Parses `HOST[:PORT]` (`[v6]:PORT` for IPv6). Without a port, 587 with STARTTLS; port 465
    /// means implicit TLS, any other port STARTTLS.
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let s = s.trim();
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{s}`: missing `]`"))?;
            match after.strip_prefix(':') {
                Some(p) => (h.to_string(), Some(p)),
                None if after.is_empty() => (h.to_string(), None),
                None => return Err(format!("`{s}` is not HOST[:PORT]")),
            }
        } else if s.matches(':').count() > 1 {
            (s.to_string(), None) // a bare IPv6 address
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (s.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(format!("`{s}`: empty host"));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| format!("`{p}` is not a port"))?,
            None => 587,
        };
        let mode = if port == 465 {
            TlsMode::Implicit
        } else {
            TlsMode::Starttls
        };
        Ok(Endpoint::new(host, port, mode))
    }

    /// The endpoint a profile describes, with the defaults clients apply: no port means 465 for
    /// implicit TLS and 587 otherwise; no security means implicit TLS on 465 and STARTTLS
    /// elsewhere. `None` without a host.
    pub fn from_profile(profile: &Profile) -> Option<Endpoint> {
        let host = profile.host.as_ref()?.value.trim().to_string();
        if host.is_empty() {
            return None;
        }
        let security = profile.security.as_ref().map(|s| s.value);
        let port = profile
            .port
            .as_ref()
            .map(|p| p.value)
            .unwrap_or(match security {
                Some(Security::ImplicitTls) => 465,
                _ => 587,
            });
        let mode = match security {
            Some(s) => s.tls_mode(),
            None if port == 465 => TlsMode::Implicit,
            None => TlsMode::Starttls,
        };
        let mut ep = Endpoint::new(host, port, mode);
        ep.auth_method = profile.auth.as_ref().map(|a| a.value.clone());
        ep.username = profile.username.as_ref().map(|u| u.value.clone());
        ep.password = profile.password.as_ref().map(|p| p.value.clone());
        if ep.auth_method.is_none() && (ep.username.is_some() || ep.password.is_some()) {
            ep.auth_method = Some(AuthMethod::Password);
        }
        ep.from = profile.from.first().map(|f| f.value.clone());
        Some(ep)
    }

    /// The domains whose MX and SRV records say something about this endpoint: the login's and
    /// the From address's (deduplicated).
    pub fn mail_domains(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for addr in [self.username.as_deref(), self.from.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Some(d) = crate::model::address_domain(addr) {
                let d = d.trim_end_matches('.').to_string();
                if !d.is_empty() && !out.contains(&d) {
                    out.push(d);
                }
            }
        }
        out
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{} ({})", self.host, self.port, self.mode)
        } else {
            write!(f, "{}:{} ({})", self.host, self.port, self.mode)
        }
    }
}

/// One problem (or notable fact) a probe found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeFinding {
    /// Stable kebab-case code, a probe code of [`crate::codes`].
    pub code: &'static str,
    #[serde(serialize_with = "ser_severity")]
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

/// A resolved MX record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MxRecord {
    pub preference: u16,
    pub exchange: String,
}

/// A resolved RFC 6186 / RFC 8314 SRV record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SrvRecord {
    /// `_submission._tcp.example.com` or `_submissions._tcp.example.com`.
    pub name: String,
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// `.` means "not offered".
    pub target: String,
}

/// What DNS said about one mail domain (the login's or the From address's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DomainReport {
    pub domain: String,
    pub mx: Vec<MxRecord>,
    /// The provider recognised from the MX hosts, if any.
    pub provider: Option<MxProvider>,
    pub srv: Vec<SrvRecord>,
}

/// The EHLO keywords a probe cares about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Capabilities {
    /// The server's name from the first EHLO line.
    pub server_name: String,
    pub starttls: bool,
    /// SASL mechanisms, upper-case, as advertised.
    pub auth: Vec<String>,
    pub size: Option<u64>,
    pub pipelining: bool,
    pub eightbitmime: bool,
    pub smtputf8: bool,
    pub enhanced_status_codes: bool,
    /// Every keyword line as sent (after the first line).
    pub raw: Vec<String>,
}

/// What the TLS layer showed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// The name sent as SNI and checked against the certificate.
    pub server_name: String,
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: String,
    pub cipher_suite: String,
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses in subjectAltName.
    pub san: Vec<String>,
    /// notAfter, RFC 3339 (UTC).
    pub not_after: String,
    /// Whole days until notAfter; negative once expired.
    pub days_left: i64,
    /// Whether the chain verified against the trust anchors and the name matched.
    pub verified: bool,
    /// Why it did not, when it did not.
    pub verify_error: Option<String>,
}

/// The outcome of the opt-in AUTH probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthOutcome {
    pub mechanism: String,
    pub accepted: bool,
    /// The server's final reply (never contains the secret).
    pub reply: String,
}

/// Everything one probe observed.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    pub endpoint: Endpoint,
    /// The `--connect-to` rule that redirected the connection, if any.
    pub connect_to: Option<String>,
    /// Addresses the host (or the connect-to target) resolved to.
    pub addresses: Vec<IpAddr>,
    /// The address the dialogue ran on.
    pub connected: Option<SocketAddr>,
    pub domains: Vec<DomainReport>,
    pub banner: Option<String>,
    /// EHLO before TLS (STARTTLS and no-TLS modes).
    pub capabilities_plain: Option<Capabilities>,
    /// EHLO inside TLS.
    pub capabilities_tls: Option<Capabilities>,
    pub tls: Option<TlsReport>,
    pub auth: Option<AuthOutcome>,
    /// The dialogue, one line per command or reply line, secrets masked. Empty unless
    /// [`ProbeOptions::transcript`].
    pub transcript: Vec<String>,
    pub findings: Vec<ProbeFinding>,
    /// Wall time of the whole probe.
    #[serde(serialize_with = "ser_ms")]
    pub elapsed: Duration,
}

impl ProbeReport {
    fn new(endpoint: Endpoint) -> Self {
        ProbeReport {
            endpoint,
            connect_to: None,
            addresses: Vec::new(),
            connected: None,
            domains: Vec::new(),
            banner: None,
            capabilities_plain: None,
            capabilities_tls: None,
            tls: None,
            auth: None,
            transcript: Vec::new(),
            findings: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    /// Does any finding carry this code?
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The highest severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// The capabilities the client would act on: after TLS when there was TLS.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities_tls
            .as_ref()
            .or(self.capabilities_plain.as_ref())
    }

    pub(crate) fn add(
        &mut self,
        code: &'static str,
        severity: Severity,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        debug_assert!(
            crate::codes::is_probe_code(code),
            "{code} is not a probe code of crate::codes"
        );
        self.findings.push(ProbeFinding {
            code,
            severity,
            message: message.into(),
            help,
        });
    }
}

/// Days before expiry under which `certificate-expiring` is reported.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Probes one endpoint. Never blocks longer than a few multiples of `opts.timeout`.
pub async fn probe(endpoint: Endpoint, opts: &ProbeOptions) -> ProbeReport {
    let shared = Shared::new(opts);
    probe_with(endpoint, opts, &shared).await
}

/// Probes every endpoint concurrently (at most `opts.concurrency` at once) on a small
/// current-thread runtime built for the purpose. Reports come back in input order.
///
/// Must not be called from inside a Tokio runtime; use [`probe`] there.
pub fn run_probes(endpoints: Vec<Endpoint>, opts: &ProbeOptions) -> Vec<ProbeReport> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the probe runtime");
    rt.block_on(probe_all(endpoints, opts))
}

/// The async core of [`run_probes`], for callers that already run Tokio.
pub async fn probe_all(endpoints: Vec<Endpoint>, opts: &ProbeOptions) -> Vec<ProbeReport> {
    let shared = Arc::new(Shared::new(opts));
    let opts = Arc::new(opts.clone());
    let limit = opts.concurrency.max(1);
    let n = endpoints.len();
    let mut pending = endpoints.into_iter().enumerate();
    // Only `limit` tasks exist at any time: the next endpoint starts when one finishes, so
    // sockets, tasks and memory stay bounded however many endpoints a run has.
    let mut set = tokio::task::JoinSet::new();
    let spawn = |set: &mut tokio::task::JoinSet<_>, (i, ep): (usize, Endpoint)| {
        let (shared, opts) = (shared.clone(), opts.clone());
        set.spawn(async move { (i, probe_with(ep, &opts, &shared).await) });
    };
    for item in pending.by_ref().take(limit) {
        spawn(&mut set, item);
    }
    let mut out: Vec<Option<ProbeReport>> = (0..n).map(|_| None).collect();
    while let Some(res) = set.join_next().await {
        if let Ok((i, report)) = res {
            out[i] = Some(report);
        }
        if let Some(item) = pending.next() {
            spawn(&mut set, item);
        }
    }
    out.into_iter().flatten().collect()
}

/// What all probes of a run share: the resolver and the TLS configuration.
pub(crate) struct Shared {
    pub(crate) resolver: Result<dns::Resolver, String>,
    pub(crate) tls: tls::TlsSetup,
}

impl Shared {
    fn new(opts: &ProbeOptions) -> Self {
        Shared {
            resolver: dns::Resolver::new(opts),
            tls: tls::TlsSetup::new(opts.ca_file.as_deref()),
        }
    }
}

async fn probe_with(endpoint: Endpoint, opts: &ProbeOptions, shared: &Shared) -> ProbeReport {
    let start = Instant::now();
    let mut report = ProbeReport::new(endpoint.clone());
    let mut log = Transcript::new(opts.transcript, endpoint.password.as_ref());

    if let Err(e) = &shared.tls.ca_error {
        report.add(
            codes::CA_FILE_INVALID,
            Error,
            e.clone(),
            Some("pass a PEM file with one or more `-----BEGIN CERTIFICATE-----` blocks".into()),
        );
    }

    // The mail domains' MX/SRV lookups run alongside the connection.
    let domains = endpoint.mail_domains();
    let domain_part = dns::inspect_domains(&domains, &endpoint, opts, shared);
    let smtp_part = smtp::run(&endpoint, opts, shared, &mut report, &mut log);
    let ((domain_reports, domain_findings, domain_log), ()) = tokio::join!(domain_part, smtp_part);

    report.domains = domain_reports;
    report.findings.extend(domain_findings);
    let mut lines = domain_log;
    lines.append(&mut log.lines);
    report.transcript = lines;
    report.elapsed = start.elapsed();
    report
}

/// The forms a password takes on the wire: as typed, base64 on its own (AUTH LOGIN), and
/// inside a longer base64 payload (AUTH PLAIN's `\0user\0password`), where it starts at any of
/// the three byte offsets of a base64 group. For each offset, the characters that encode only
/// password bits are the same whatever surrounds the password; those are what is masked.
fn secret_forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let pw = secret.as_bytes();
    let mut forms = vec![secret.to_string(), b64.encode(pw)];
    for pad in 0..3usize {
        let mut raw = vec![0u8; pad];
        raw.extend_from_slice(pw);
        let enc = b64.encode(&raw);
        let start = (pad * 8).div_ceil(6);
        let end = (raw.len() * 8) / 6;
        if end >= start + 4 {
            forms.push(enc[start..end].to_string());
        }
    }
    // Longest first, so that a whole form is masked before a part of it.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// Masks every form of the secret in text that may contain it (server replies echo what they
/// were sent).
#[derive(Clone, Debug, Default)]
pub(crate) struct Masker {
    forms: Vec<String>,
}

impl Masker {
    pub(crate) fn new(secret: Option<&Secret>) -> Self {
        Masker {
            forms: secret
                .filter(|s| s.expose().len() >= 3)
                .map(|s| secret_forms(s.expose()))
                .unwrap_or_default(),
        }
    }

    pub(crate) fn mask(&self, text: &str) -> String {
        let mut s = text.to_string();
        for f in &self.forms {
            if s.contains(f.as_str()) {
                s = s.replace(f.as_str(), "****");
            }
        }
        // A line cut short (a server that truncates what it echoes) ends with part of a form.
        for f in &self.forms {
            for k in (6..f.len()).rev() {
                if f.is_char_boundary(k) && s.ends_with(&f[..k]) {
                    s.truncate(s.len() - k);
                    s.push_str("****");
                    break;
                }
            }
        }
        s
    }
}

/// The dialogue as text, with every form of the secret masked.
pub(crate) struct Transcript {
    enabled: bool,
    pub(crate) masker: Masker,
    pub(crate) lines: Vec<String>,
}

impl Transcript {
    pub(crate) fn new(enabled: bool, secret: Option<&Secret>) -> Self {
        Transcript {
            enabled,
            masker: Masker::new(secret),
            lines: Vec::new(),
        }
    }

    /// Server text with the secret masked, for findings and reports (whether or not the
    /// transcript is recorded).
    pub(crate) fn mask(&self, text: &str) -> String {
        self.masker.mask(text)
    }

    pub(crate) fn push(&mut self, line: impl AsRef<str>) {
        if !self.enabled {
            return;
        }
        const MAX: usize = 200;
        let mut s = self.masker.mask(line.as_ref());
        if s.len() > MAX {
            let mut cut = MAX;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push('…');
        }
        self.lines.push(s);
    }
}

fn ser_severity<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

fn ser_ms<S: serde::Serializer>(d: &Duration, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_f64(d.as_secs_f64() * 1000.0)
}

fn ser_display_opt<S: serde::Serializer, T: fmt::Display>(
    v: &Option<T>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ser.serialize_str(&v.to_string()),
        None => ser.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_to_parses_like_curl() {
        let c: ConnectTo = "smtp.mail.me.com:587:127.0.0.2:587".parse().unwrap();
        assert_eq!(
            c.apply("smtp.mail.me.com", 587),
            Some(("127.0.0.2".into(), 587))
        );
        assert_eq!(c.apply("smtp.mail.me.com", 465), None);
        let any: ConnectTo = "::[::1]:".parse().unwrap();
        assert_eq!(any.apply("x", 25), Some(("::1".into(), 25)));
        assert_eq!(any.to_string(), "::[::1]:");
        assert!("a:b:c".parse::<ConnectTo>().is_err());
        assert!("a:99999:c:1".parse::<ConnectTo>().is_err());
    }

    #[test]
    fn endpoints_parse() {
        let e = Endpoint::parse("smtp.gmail.com:465").unwrap();
        assert_eq!((e.port, e.mode), (465, TlsMode::Implicit));
        let e = Endpoint::parse("smtp.gmail.com").unwrap();
        assert_eq!((e.port, e.mode), (587, TlsMode::Starttls));
        let e = Endpoint::parse("[::1]:2525").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 2525));
        assert!(Endpoint::parse("host:x").is_err());
        assert_eq!(parse_dns_server("127.0.0.1:5353").unwrap().port(), 5353);
        assert_eq!(parse_dns_server("::1").unwrap().port(), 53);
    }

    #[test]
    fn transcript_masks_secrets() {
        let mut t = Transcript::new(true, Some(&Secret::new("hunter22")));
        t.push("C: hunter22");
        t.push("C: aHVudGVyMjI=");
        assert_eq!(t.lines, vec!["C: ****", "C: ****"]);
    }

    #[test]
    fn masks_the_password_inside_any_base64_payload() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let pw = "correct horse battery";
        let m = Masker::new(Some(&Secret::new(pw)));
        // AUTH PLAIN payloads, with users of every length modulo 3.
        for user in ["a", "ab", "abc", "jane@example.com"] {
            let payload = b64.encode(format!("\0{user}\0{pw}"));
            let masked = m.mask(&format!("535 5.7.8 bad credentials {payload} rejected"));
            assert!(!masked.contains(&payload), "{masked}");
            // No long run of the password's encoding survives.
            let core = &b64.encode(pw)[..8];
            assert!(!masked.contains(core), "{masked}");
            assert!(masked.contains("****"), "{masked}");
            // Decoding what is left cannot give the password back.
            for word in masked.split([' ', '*']) {
                if let Ok(bytes) = b64.decode(word) {
                    assert!(
                        !String::from_utf8_lossy(&bytes).contains("horse"),
                        "{masked}"
                    );
                }
            }
        }
        // A reply cut short after part of the password.
        let cut = &pw[..12];
        assert_eq!(m.mask(&format!("535 you sent {cut}")), "535 you sent ****");
        assert_eq!(m.mask("535 no secret here"), "535 no secret here");
    }
}
