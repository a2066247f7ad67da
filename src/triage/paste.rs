//! What a paste says, read as a whole: which client printed it, the host, port and TLS mode it
//! talked to, every server reply (reply code, enhanced status code, text), the client's error
//! codes and OpenSSL reasons. Works on the masked paste (see `mask`), line by line with
//! linear-time regexes, so a hostile paste costs time linear in its length.

use std::sync::LazyLock;

use regex::Regex;

use super::symptoms::normalise;
use crate::model::TlsMode;

/// One server reply found in the paste.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerReply {
    pub code: u16,
    pub enhanced: Option<String>,
    pub text: String,
}

/// Everything the paste says, for matching and for the report.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facts {
    /// The program that printed the paste (`nodemailer`, `phpmailer`, `python`, `django`, ...).
    pub client: Option<&'static str>,
    pub host: Option<String>,
    /// Every host the paste names, with the port next to it, most reliable first.
    #[serde(skip)]
    pub hosts: Vec<(String, Option<u16>)>,
    /// The host as written, when it carries quotes, a comma or spaces.
    pub host_malformed: Option<String>,
    pub port: Option<u16>,
    pub tls: Option<TlsMode>,
    /// Server replies, in order.
    pub replies: Vec<ServerReply>,
    /// Enhanced status codes seen anywhere, even outside a reply line.
    pub enhanced: Vec<String>,
    /// Client error codes, Node-style (`ETIMEDOUT`), including those implied by the client's
    /// words ("Connection refused", `[Errno 111]`, "Name or service not known").
    pub errors: Vec<String>,
    /// OpenSSL reason strings the paste names (`wrong version number`).
    pub openssl: Vec<String>,
    /// How many secrets were masked.
    pub masked_secrets: usize,
}

impl Facts {
    /// The last 4xx/5xx reply (or the last reply).
    pub fn last_error(&self) -> Option<&ServerReply> {
        self.replies
            .iter()
            .rev()
            .find(|r| r.code >= 400)
            .or(self.replies.last())
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

/// Marker -> client, most specific first (a Laravel trace also shows Symfony's classes, a Django
/// trace smtplib's).
const CLIENT_MARKERS: &[(&str, &[&str])] = &[
    (
        "laravel",
        &["illuminate\\", "laravel", "mail_mailer", "mail_host"],
    ),
    ("django", &["django", "email_use_", "email_host"]),
    (
        "symfony",
        &[
            "symfony\\component\\mailer",
            "swift_transportexception",
            "symfony",
        ],
    ),
    (
        "phpmailer",
        &[
            "server -> client",
            "client -> server",
            "smtp error:",
            "phpmailer",
            "smtp connect() failed",
            "connection: opening to",
            "smtpsecure",
        ],
    ),
    (
        "python",
        &[
            "traceback (most recent call last)",
            "smtplib",
            "ssl.sslerror",
            "socket.gaierror",
            "ssl.sslcertverificationerror",
            "connectionrefusederror",
        ],
    ),
    (
        "nodemailer",
        &[
            "nodemailer",
            "code: 'e",
            "code: \"e",
            "responsecode",
            "smtpconnection",
            "smtp-connection",
            "secure: ",
            "err_tls_",
            "getaddrinfo enotfound",
            "connect etimedout",
            "connect econnrefused",
        ],
    ),
    (
        "java",
        &[
            "javax.mail",
            "jakarta.mail",
            "com.sun.mail",
            "messagingexception",
            "org.springframework.mail",
        ],
    ),
    (
        "dotnet",
        &[
            "system.net.mail",
            "smtpexception",
            "mailkit",
            "system.net.sockets",
        ],
    ),
    (
        "thunderbird",
        &[
            "outgoing server (smtp)",
            "sending of the message failed",
            "thunderbird",
        ],
    ),
    (
        "outlook",
        &[
            "0x800ccc",
            "outlook",
            "send/receive",
            "your outgoing (smtp) e-mail server",
        ],
    ),
    ("msmtp", &["msmtp:"]),
    ("swaks", &["=== trying", "<** ", "swaks", " ~> "]),
    ("curl", &["curl:", "* connected to", "curl "]),
];

static HOST_PORT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let name =
        r"([a-z0-9][a-z0-9.-]*\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-f:.]+\])";
    vec![
        // ssl://host:465, smtps://host:465, tcp://host:25
        re(&format!(
            r"(?i)\b(?:ssl|tls|tcp|smtps?)://(?:[^\s@/]*@)?{name}(?::(\d{{1,5}}))?"
        )),
        // smtplib.SMTP("host", 587), SMTP_SSL('host', 465), new SmtpClient("host", 465)
        re(&format!(
            r#"(?i)\(\s*(?:host\s*=\s*)?['"]{name}['"]\s*(?:,\s*(?:port\s*=\s*)?(\d{{1,5}}))?"#
        )),
        // JavaMail: Couldn't connect to host, port: smtp.x, 465
        re(&format!(r"(?i)host, port:\s*{name},\s*(\d{{1,5}})")),
        // Nodemailer's logger: Resolved smtp.x as 1.2.3.4
        re(&format!(r"(?i)\bresolved\s+{name}\s+as\b")),
        // connect ETIMEDOUT 1.2.3.4:587
        re(&format!(r"(?i)\bconnect\s+E[A-Z]+\s+{name}:(\d{{1,5}})")),
        // getaddrinfo ENOTFOUND host
        re(&format!(r"(?i)\b(?:ENOTFOUND|EAI_AGAIN)\s+{name}")),
        // connecting to host:587 / opening to host, 587 / cannot connect to host, port 587
        re(&format!(
            r#"(?i)\b(?:connect(?:ing|ed)?\s+to|trying|opening\s+to|connection\s+to|could\s+not\s+connect\s+to\s+(?:smtp\s+)?host:?|with\s+host|outgoing\s+(?:mail\s+)?server\s+\(smtp\):?|smtp\s+server|server:?)\s+['"]?{name}['"]?(?:(?::|,\s*port:?|\s+port)\s*(\d{{1,5}}))?"#
        )),
        // host: 'smtp.x', EMAIL_HOST = 'smtp.x', $mail->Host = "smtp.x", MAIL_HOST=smtp.x
        re(&format!(
            r#"(?i)(?:\b|_)(?:host|hostname|server)['"]?\s*(?:=>|=|:)\s*['"]?{name}"#
        )),
        // host:port anywhere
        re(&format!(r"(?i){name}:(\d{{2,5}})\b")),
    ]
});
static PORT: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)(?:\b|_)port['"]?\s*(?:=>|=|:)?\s*['"]?(\d{1,5})\b"#));
static RAW_HOST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:ENOTFOUND|EAI_AGAIN|resolve host|getaddrinfo for)\s+(?:\(|')?((?:['"`][^\s]*|[^\s'"`]*['"`,])[^\s]*)"#,
    )
});
static REPLY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[^\w.:/-])([2-5][0-5]\d)(?:([ -])([245]\.\d{1,3}\.\d{1,3})\b)?(?:[ -]|$)")
});
static PY_REPLY: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"\(\s*([2-5][0-5]\d)\s*,\s*b?['"](?:([245]\.\d{1,3}\.\d{1,3})\s)?([^'"]*)"#)
});
static RESPONSE_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)responseCode['"]?\s*[:=]\s*([2-5][0-5]\d)"#));
static ENHANCED: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^\w.])([45]\.\d{1,3}\.\d{1,3})(?:[^\w.]|$)"));
static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(E[A-Z]{3,}(?:_[A-Z]+)?|ERR_[A-Z0-9_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED|CERT_UNTRUSTED)\b",
    )
});
static OPENSSL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\[SSL:\s*([A-Z0-9_]+)\]|SSL routines:[^:\n]*:([a-z0-9 _]+)"));

/// Node's error codes, the ones clients and the issue threads show.
const NODE_CODES: &[&str] = &[
    "ESOCKET",
    "EAUTH",
    "ETIMEOUT",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "ENOTFOUND",
    "ECONNRESET",
    "ECONNECTION",
    "ETLS",
    "EENVELOPE",
    "EMESSAGE",
    "EPROTOCOL",
    "EDNS",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EPIPE",
    "ECONNABORTED",
    "ESTREAM",
    "EADDRNOTAVAIL",
    "EACCES",
];

/// The words other clients use for Node's error codes.
const IMPLIED: &[(&str, &[&str])] = &[
    (
        "ECONNREFUSED",
        &[
            "connection refused",
            "errno 111]",
            "errno 10061]",
            "actively refused",
            "(111)",
            "(10061)",
            "connectexception: connection refused",
        ],
    ),
    (
        "ETIMEDOUT",
        &[
            "timed out",
            "errno 110]",
            "errno 10060]",
            "(110)",
            "(10060)",
            "connection timeout",
            "sockettimeoutexception",
            "operation timed out",
            "timeout expired",
            "connect timeout",
        ],
    ),
    (
        "ENOTFOUND",
        &[
            "name or service not known",
            "getaddrinfo failed",
            "nodename nor servname",
            "no address associated",
            "temporary failure in name resolution",
            "unknownhostexception",
            "no such host",
            "could not resolve host",
            "php_network_getaddresses",
            "errno -2]",
            "errno -3]",
            "errno 11001]",
            "errno 8]",
            "cannot locate host",
            "host not found",
            "the server could not be found",
        ],
    ),
    (
        "ECONNRESET",
        &[
            "connection reset",
            "errno 104]",
            "errno 10054]",
            "forcibly closed",
        ],
    ),
    (
        "ENETUNREACH",
        &["network is unreachable", "errno 101]", "(101)"],
    ),
    ("EHOSTUNREACH", &["no route to host", "errno 113]", "(113)"]),
];

/// Read the (already masked) paste.
pub fn read(text: &str) -> Facts {
    let hay = normalise(text);
    let mut f = Facts {
        client: CLIENT_MARKERS
            .iter()
            .find(|(_, ms)| ms.iter().any(|m| hay.contains(m)))
            .map(|(c, _)| *c),
        ..Facts::default()
    };
    host_and_port(text, &mut f);
    f.tls = tls_mode(text, &hay);
    replies(text, &mut f);
    for c in ERROR_CODE.captures_iter(text) {
        let code = c[1].to_owned();
        let known = NODE_CODES.contains(&code.as_str())
            || !code.starts_with('E')
            || code.starts_with("ERR_");
        if known && !f.errors.contains(&code) {
            f.errors.push(code);
        }
    }
    for (code, words) in IMPLIED {
        if words.iter().any(|w| hay.contains(w)) && !f.errors.iter().any(|e| e == code) {
            f.errors.push((*code).to_owned());
        }
    }
    for c in OPENSSL.captures_iter(text) {
        let r = normalise(c.get(1).or(c.get(2)).map_or("", |m| m.as_str()));
        if !r.is_empty() && !f.openssl.contains(&r) {
            f.openssl.push(r);
        }
    }
    f
}

fn host_and_port(text: &str, f: &mut Facts) {
    let skip = |h: &str| {
        let h = h.to_ascii_lowercase();
        const FILES: &[&str] = &[
            ".py", ".php", ".js", ".ts", ".rb", ".java", ".log", ".exe", ".dll", ".json", ".html",
            ".mjs", ".cjs",
        ];
        FILES.iter().any(|e| h.ends_with(e))
            || h.starts_with("support.")
            || h.starts_with("aka.ms")
            || h.starts_with("learn.")
            || h.contains("nodemailer.com")
    };
    for re in HOST_PORT.iter() {
        for c in re.captures_iter(text) {
            let Some(h) = c.get(1) else { continue };
            let at = h.start();
            // Not inside a documentation link (https://support.google.com/...).
            let before = &text[text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1)..at];
            if before.contains("http") || skip(h.as_str()) {
                continue;
            }
            let host = h.as_str().trim_end_matches('.').to_ascii_lowercase();
            let port = c.get(2).and_then(|p| p.as_str().parse().ok());
            if !f.hosts.iter().any(|(h, _)| *h == host) && f.hosts.len() < 32 {
                f.hosts.push((host, port));
            }
        }
    }
    if let Some((h, p)) = f.hosts.first() {
        f.host = Some(h.clone());
        // "Resolved smtp.x as 1.2.3.4" then "connect ECONNREFUSED 1.2.3.4:2525": one server.
        f.port = p.or_else(|| f.hosts.iter().find_map(|(_, p)| *p));
    }
    if f.port.is_none() {
        f.port = PORT
            .captures(text)
            .and_then(|c| c[1].parse().ok())
            .filter(|p| *p > 0);
    }
    if let Some(c) = RAW_HOST.captures(text) {
        f.host_malformed = Some(c[1].to_owned());
    }
}

fn tls_mode(text: &str, hay: &str) -> Option<TlsMode> {
    static IMPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?i)\b(?:ssl|tls|smtps)://|secure['"]?\s*:\s*true|smtpsecure\s*=\s*['"]?ssl|encryption_smtps|email_use_ssl\s*=\s*['"]?true|smtp_ssl\s*\(|mail_encryption\s*=\s*['"]?ssl|mail_scheme\s*=\s*['"]?smtps|--tlsc|--tls-on-connect|tls_starttls\s+off|use_ssl\s*[:=]\s*true"#,
        )
    });
    static STARTTLS: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?i)secure['"]?\s*:\s*false|smtpsecure\s*=\s*['"]?tls|encryption_starttls|email_use_tls\s*=\s*['"]?true|\.starttls\s*\(|mail_encryption\s*=\s*['"]?tls|(?:client -> server:|->|\bc:)\s*starttls|tls_starttls\s+on|requiretls\s*:\s*true"#,
        )
    });
    if IMPLICIT.is_match(text) {
        Some(TlsMode::Implicit)
    } else if STARTTLS.is_match(text)
        || hay.contains("starttls") && hay.contains("220 2.0.0 ready to start tls")
    {
        Some(TlsMode::Starttls)
    } else if text.contains("tcp://") {
        // Symfony/SwiftMailer write tcp:// for a connection without TLS at first.
        Some(TlsMode::None)
    } else {
        None
    }
}

fn replies(text: &str, f: &mut Facts) {
    let push = |f: &mut Facts, code: u16, enhanced: Option<&str>, t: &str| {
        let r = ServerReply {
            code,
            enhanced: enhanced.map(str::to_owned),
            text: t
                .trim()
                .trim_end_matches(['\'', '"', ')', ','])
                .chars()
                .take(300)
                .collect(),
        };
        if f.replies.last() != Some(&r) {
            f.replies.push(r);
        }
    };
    for line in text.lines() {
        if line.len() > 64 * 1024 {
            continue;
        }
        if let Some(c) = PY_REPLY.captures(line) {
            let code = c[1].parse().unwrap_or(0);
            push(
                f,
                code,
                c.get(2).map(|m| m.as_str()),
                c.get(3).map_or("", |m| m.as_str()),
            );
            continue;
        }
        for c in REPLY.captures_iter(line) {
            let m = c.get(1).unwrap();
            let before = line[..m.start()].trim_end();
            let enhanced = c.get(3).map(|m| m.as_str());
            let context_ok = before.is_empty()
                || before.ends_with([':', '\'', '"', '(', '>', '[', '`'])
                || before.ends_with("<-")
                || before.ends_with("<~")
                || before.ends_with("<**")
                || before.to_ascii_lowercase().ends_with("error");
            if enhanced.is_none() && !context_ok {
                continue;
            }
            let end = c.get(0).unwrap().end();
            let rest = &line[end.min(line.len())..];
            push(f, m.as_str().parse().unwrap_or(0), enhanced, rest);
            break;
        }
    }
    if f.replies.iter().all(|r| r.code < 400) {
        if let Some(c) = RESPONSE_CODE.captures(text) {
            push(f, c[1].parse().unwrap_or(0), None, "");
        }
    }
    for c in ENHANCED.captures_iter(text) {
        let e = c[1].to_owned();
        if !f.enhanced.contains(&e) {
            f.enhanced.push(e);
        }
    }
    for r in &f.replies {
        if let Some(e) = &r.enhanced {
            if !f.enhanced.contains(e) {
                f.enhanced.push(e.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phpmailer_transcript() {
        let f = read("2024-01-01 10:00:00 Connection: opening to ssl://smtp.gmail.com:587, timeout=300, options=array()\n2024-01-01 10:00:01 SERVER -> CLIENT: 220 smtp.gmail.com ESMTP\nSMTP ERROR: Password command failed: 535-5.7.8 Username and Password not accepted.\n");
        assert_eq!(f.client, Some("phpmailer"));
        assert_eq!(f.host.as_deref(), Some("smtp.gmail.com"));
        assert_eq!(f.port, Some(587));
        assert_eq!(f.tls, Some(TlsMode::Implicit));
        let last = f.last_error().unwrap();
        assert_eq!((last.code, last.enhanced.as_deref()), (535, Some("5.7.8")));
    }

    #[test]
    fn nodemailer_error_and_python_traceback() {
        let f = read("Error: connect ETIMEDOUT 74.125.140.108:465\n    at TCPConnectWrap.afterConnect [as oncomplete] {\n  errno: -110,\n  code: 'ESOCKET',\n  syscall: 'connect',\n  address: '74.125.140.108',\n  port: 465,\n  command: 'CONN'\n}");
        assert_eq!(f.client, Some("nodemailer"));
        assert_eq!(f.port, Some(465));
        assert!(
            f.errors.contains(&"ETIMEDOUT".to_owned()) && f.errors.contains(&"ESOCKET".to_owned())
        );
        let f = read("Traceback (most recent call last):\n  File \"send.py\", line 9, in <module>\n    server.login(user, pw)\n  File \"/usr/lib/python3.11/smtplib.py\", line 750, in login\n    raise last_exception\nsmtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. For more information, go to\\n5.7.8  https://support.google.com/mail/?p=BadCredentials')\n");
        assert_eq!(f.client, Some("python"));
        assert_eq!(f.host, None);
        assert_eq!(f.replies[0].code, 535);
        assert_eq!(f.replies[0].enhanced.as_deref(), Some("5.7.8"));
        let f =
            read("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1002)");
        assert_eq!(f.openssl, ["wrong version number"]);
    }

    #[test]
    fn line_numbers_and_ports_are_not_replies() {
        let f = read("File \"x.py\", line 250, in send\nport 587 closed\n");
        assert!(f.replies.is_empty(), "{:?}", f.replies);
    }
}
