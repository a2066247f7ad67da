//! The connection: a TCP stream that may become TLS, line reading with bounds, SMTP replies.

use super::*;

/// Longest reply line accepted (RFC 5321 allows 512; be generous) and most lines per reply.
const MAX_LINE: usize = 4096;
const MAX_LINES: usize = 200;

pub(super) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

/// An SMTP reply: code and the text of each line (without the `250-` prefix).
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) code: u16,
    pub(super) lines: Vec<String>,
}

impl Reply {
    pub(super) fn text(&self) -> String {
        self.lines.join(" ").trim().to_string()
    }

    /// `535 5.7.8 Error: authentication failed` as one line.
    pub(super) fn summary(&self) -> String {
        format!("{} {}", self.code, self.text())
    }

    pub(super) fn class(&self) -> u16 {
        self.code / 100
    }
}

#[derive(Debug)]
pub(super) enum ReplyError {
    Timeout,
    Closed,
    Malformed(String),
    Io(io::Error),
}

pub(super) struct Conn {
    pub(super) stream: Stream,
    pub(super) buf: Vec<u8>,
    pub(super) step: Duration,
    /// Set once the connection cannot be trusted to follow the protocol (timeout, garbage,
    /// closed): no QUIT is attempted then.
    pub(super) broken: bool,
}

impl Conn {
    pub(super) fn new(tcp: TcpStream, step: Duration) -> Self {
        Conn {
            stream: Stream::Plain(tcp),
            buf: Vec::new(),
            step,
            broken: false,
        }
    }

    pub(super) async fn read_some(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 2048];
        let n = match &mut self.stream {
            Stream::Plain(s) => s.read(&mut chunk).await?,
            Stream::Tls(s) => s.read(&mut chunk).await?,
            Stream::Gone => return Ok(0),
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    pub(super) async fn next_line(&mut self) -> Result<String, ReplyError> {
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

    pub(super) async fn read_reply_inner(
        &mut self,
        log: &mut Transcript,
    ) -> Result<Reply, ReplyError> {
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
    pub(super) async fn reply(&mut self, log: &mut Transcript) -> Result<Reply, ReplyError> {
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
    pub(super) async fn send(
        &mut self,
        line: &str,
        shown: &str,
        log: &mut Transcript,
    ) -> io::Result<()> {
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
    pub(super) async fn command(
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
    pub(super) async fn start_tls(
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

    pub(super) fn tls_info(&self) -> Option<(String, String)> {
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

    pub(super) async fn close(&mut self) {
        if let Stream::Tls(s) = &mut self.stream {
            let _ = timeout(Duration::from_millis(500), s.shutdown()).await;
        }
        self.stream = Stream::Gone;
    }
}
