//! URLs and DSNs (`scheme://user:password@host:port/path?query`), parsed with the byte range of
//! every part so that findings point inside the URL and the password can be masked.

use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// DSN / URL parsing (`scheme://user:pass@host:port/path?query`), keeping ranges
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct Dsn {
    pub scheme: (String, Range<usize>),
    /// Decoded user and its raw range.
    pub user: Option<(String, Range<usize>)>,
    pub pass: Option<(String, Range<usize>)>,
    pub host: Option<(String, Range<usize>)>,
    /// Raw port text and its range.
    pub port: Option<(String, Range<usize>)>,
    /// Key, decoded value, range of the raw value.
    pub query: Vec<(String, String, Range<usize>)>,
    /// The user or password holds a raw `#`, `/` or `?` (it must be percent-encoded).
    pub unencoded_userinfo: bool,
    /// Where the first such character is, and the character.
    pub unencoded_at: Option<(Range<usize>, char)>,
}

impl Dsn {
    /// The same URL read at `by` bytes into a longer text (one DSN of Symfony's
    /// `failover(...)`): every range moves by `by`.
    pub fn shifted(mut self, by: usize) -> Dsn {
        let mv = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
        mv(&mut self.scheme.1);
        for (_, r) in [
            &mut self.user,
            &mut self.pass,
            &mut self.host,
            &mut self.port,
        ]
        .into_iter()
        .flatten()
        {
            mv(r);
        }
        for (_, _, r) in &mut self.query {
            mv(r);
        }
        if let Some((r, _)) = &mut self.unencoded_at {
            mv(r);
        }
        self
    }

    /// The percent-encoded form of a character that ends the userinfo of a URL.
    pub fn encoded(c: char) -> &'static str {
        match c {
            '#' => "%23",
            '/' => "%2F",
            '?' => "%3F",
            '@' => "%40",
            ':' => "%3A",
            _ => "%25",
        }
    }
}

pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            let hex = |x: u8| (x as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_dsn(s: &str) -> Option<Dsn> {
    let sep = s.find("://")?;
    let scheme = &s[..sep];
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let mut dsn = Dsn {
        scheme: (scheme.to_string(), 0..sep),
        ..Dsn::default()
    };
    let base = sep + 3;
    let rest = &s[base..];
    let stop = |from: usize| {
        rest[from..]
            .find(['/', '?', '#'])
            .map_or(rest.len(), |i| from + i)
    };
    let strict_end = stop(0);
    // Userinfo ends at the last `@` of the authority (as PHP's parse_url has it).
    let (userinfo, hostport_start, auth_end) = match rest[..strict_end].rfind('@') {
        Some(at) => (Some(0..at), at + 1, strict_end),
        None => {
            // `smtp://user:p#ss@host`: a raw `#`, `/` or `?` in the password.
            let later = rest[strict_end..].find('@').map(|i| strict_end + i);
            match later {
                Some(at)
                    if rest[..strict_end].contains(':')
                        && !rest[strict_end..at].contains(['=', '&']) =>
                {
                    dsn.unencoded_userinfo = true;
                    let c = rest[strict_end..].chars().next().unwrap_or('#');
                    dsn.unencoded_at = Some((base + strict_end..base + strict_end + 1, c));
                    (Some(0..at), at + 1, stop(at + 1))
                }
                _ => (None, 0, strict_end),
            }
        }
    };
    if let Some(ui) = userinfo {
        let text = &rest[ui.clone()];
        match text.find(':') {
            Some(c) => {
                dsn.user = Some((percent_decode(&text[..c], false), base..base + c));
                dsn.pass = Some((
                    percent_decode(&text[c + 1..], false),
                    base + c + 1..base + ui.end,
                ));
            }
            None => dsn.user = Some((percent_decode(text, false), base..base + ui.end)),
        }
    }
    let hp = &rest[hostport_start..auth_end];
    let hp_base = base + hostport_start;
    let (host, port) = if hp.starts_with('[') {
        match hp.find(']') {
            Some(close) => {
                let port = hp[close + 1..].strip_prefix(':').map(|p| (p, close + 2));
                ((&hp[..close + 1], 0), port)
            }
            None => ((hp, 0), None),
        }
    } else {
        match hp.rfind(':') {
            Some(c) => ((&hp[..c], 0), Some((&hp[c + 1..], c + 1))),
            None => ((hp, 0), None),
        }
    };
    dsn.host = Some((
        percent_decode(host.0, false),
        hp_base + host.1..hp_base + host.1 + host.0.len(),
    ));
    if let Some((p, off)) = port {
        if !p.is_empty() {
            dsn.port = Some((p.to_string(), hp_base + off..hp_base + off + p.len()));
        }
    }
    // Query.
    let tail = &rest[auth_end..];
    if let Some(q) = tail.find('?') {
        let qstart = base + auth_end + q + 1;
        let qtext = &s[qstart..];
        let qtext = &qtext[..qtext.find('#').unwrap_or(qtext.len())];
        let mut off = qstart;
        for pair in qtext.split('&') {
            let (k, v, voff) = match pair.find('=') {
                Some(e) => (&pair[..e], &pair[e + 1..], off + e + 1),
                None => (pair, "", off + pair.len()),
            };
            if !k.is_empty() {
                dsn.query.push((
                    percent_decode(k, true),
                    percent_decode(v, true),
                    voff..voff + v.len(),
                ));
            }
            off += pair.len() + 1;
        }
    }
    Some(dsn)
}

/// The password of a URL written somewhere inside `text` (`... smtps://user:pass@host ...`), as
/// [`parse_dsn`] reads it (a raw `#`, `/` or `?` in the password included), for masking. Every
/// code reader finds its secrets in URLs with this one scanner.
pub fn password_span(text: &str) -> Option<Range<usize>> {
    let sep = text.find("://")?;
    // Just after the last character that cannot be in a scheme (it may be several bytes long).
    let start = text[..sep]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (_, pass) = parse_dsn(&text[start..])?.pass?;
    (pass.start < pass.end).then(|| start + pass.start..start + pass.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multibyte_character_before_the_scheme_is_stepped_over() {
        let s = "MAIL=«smtp://u:secret@h»";
        let r = password_span(s).unwrap();
        assert_eq!(&s[r], "secret");
        // No scheme at all after the character: no URL, and no panic.
        assert_eq!(password_span("é://u:pw@h"), None);
    }

    #[test]
    fn a_raw_hash_in_the_password_is_located() {
        let s = "smtp://app:pa#ss@relay.example.org:587?verify_peer=0";
        let d = parse_dsn(s).unwrap();
        let (r, c) = d.unencoded_at.clone().unwrap();
        assert_eq!((&s[r], c), ("#", '#'));
        assert_eq!(d.pass.as_ref().unwrap().0, "pa#ss");
        assert_eq!(&s[d.host.unwrap().1], "relay.example.org");
        assert_eq!(d.query[0].0, "verify_peer");
        assert_eq!(Dsn::encoded(c), "%23");
    }

    #[test]
    fn an_encoded_password_is_not_reported() {
        let d = parse_dsn("smtp://app:pa%23ss@relay.example.org").unwrap();
        assert!(d.unencoded_at.is_none());
        assert_eq!(d.pass.unwrap().0, "pa#ss");
        // The last `@` ends the userinfo, as PHP's parse_url and Python's urlsplit read it.
        let d = parse_dsn("smtp://a@b:p@ss@relay.example.org").unwrap();
        assert_eq!(d.user.unwrap().0, "a@b");
        assert_eq!(d.pass.unwrap().0, "p@ss");
        assert!(d.unencoded_at.is_none());
    }
}
