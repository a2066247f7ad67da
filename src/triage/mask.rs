//! Secrets in a paste: AUTH payloads (`AUTH PLAIN <base64>`, the answers to `334` prompts),
//! passwords written as `key = value` / `key: 'value'` / `--password value`, and URL passwords.
//! Each is overwritten with `*` before anything else reads the paste, and so is every other
//! copy of it (a decoded AUTH PLAIN password quoted elsewhere too). Nothing after this step
//! sees the secret, so no output format can print it.

use std::ops::Range;
use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;

static AUTH_CMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bAUTH\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5|NTLM)[ \t]+(\S{4,})")
        .unwrap()
});
/// A `334` prompt (an AUTH challenge): the client's next line is an answer.
static PROMPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d.])334(?:[ -]|$)").unwrap());
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)[\w$>.\[\]'"-]*(?:pass(?:word|wd)?|pwd|secret|api[_-]?key|token)[\w\]'"-]*[ \t]*(?:=>|=|:)[ \t]*"#,
    )
    .unwrap()
});
static FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)(?:--auth-password|--password|--pass|(?:^|\s)-ap|^[ \t]*password)[ \t=]+(\S+)",
    )
    .unwrap()
});
static URL_PASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]*:([^\s@/]+)@").unwrap());
static BASE64_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z0-9+/]{4,}={0,2})\s*$").unwrap());

/// The paste with every secret byte replaced by `*`, and how many secrets were masked.
pub fn mask(text: &str) -> (String, usize) {
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut hunted: Vec<String> = Vec::new();
    for c in AUTH_CMD.captures_iter(text) {
        let m = c.get(1).unwrap();
        // `250 AUTH PLAIN LOGIN XOAUTH2` is the server's list of mechanisms, not a payload.
        if m.as_str().len() <= 12
            && m.as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            continue;
        }
        spans.push(m.range());
        hunted.extend(decoded_secrets(m.as_str()));
    }
    auth_answers(text, &mut spans, &mut hunted);
    for m in KEY_VALUE.find_iter(text) {
        if let Some(r) = value_after(text, m.end()) {
            spans.push(r);
        }
    }
    for re in [&*FLAG, &*URL_PASS] {
        for c in re.captures_iter(text) {
            spans.push(c.get(1).unwrap().range());
        }
    }
    // Placeholders a client printed itself are not secrets to hunt for.
    spans.retain(|r| {
        let v = text[r.clone()].trim_matches(|c| matches!(c, '*' | '\'' | '"'));
        !v.is_empty() && !v.contains("secret */") && !v.starts_with("<credentials")
    });
    for r in &spans {
        let v = text[r.clone()].trim();
        if v.len() >= 4 && !v.bytes().all(|b| b == b'*') {
            hunted.push(v.to_owned());
        }
    }
    hunted.sort();
    hunted.dedup();
    hunted.retain(|h| h.len() >= 4 && h.len() <= 1024);
    if !hunted.is_empty() {
        if let Ok(ac) = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&hunted)
        {
            spans.extend(ac.find_overlapping_iter(text).map(|m| m.range()));
        }
    }
    // The readers' net for quoted literals after a secret word or in `login(user, "...")`
    // (a Gmail app password has spaces): masked where they stand, not hunted elsewhere, since
    // on a log line the literal may be a piece of a server reply.
    spans.extend(
        crate::redact::literal_secrets(text)
            .into_iter()
            .filter(|r| !text[r.clone()].contains("5.7.")),
    );
    let count = spans.len();
    let mut bytes = text.as_bytes().to_vec();
    for r in spans {
        for b in &mut bytes[r.start.min(text.len())..r.end.min(text.len())] {
            *b = b'*';
        }
    }
    let masked = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (masked, count)
}

/// The client's answers to `334` challenges: the base64 token that ends the next line.
fn auth_answers(text: &str, spans: &mut Vec<Range<usize>>, hunted: &mut Vec<String>) {
    let mut start = 0;
    let mut after_prompt = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        if after_prompt && !body.trim().is_empty() {
            after_prompt = false;
            let server_side =
                body.contains("SERVER -> CLIENT") || body.trim_start().starts_with('<');
            if !server_side {
                if let Some(m) = BASE64_TOKEN.captures(body).and_then(|c| c.get(1)) {
                    spans.push(start + m.start()..start + m.end());
                    hunted.extend(decoded_secrets(m.as_str()));
                }
            }
        }
        if PROMPT.is_match(body) && !body.contains("CLIENT -> SERVER") {
            after_prompt = true;
        }
        start += line.len();
    }
}

/// The parts of a base64 AUTH payload worth hunting for elsewhere in the paste: the decoded
/// text (AUTH LOGIN) or its NUL-separated fields after the first (AUTH PLAIN's password).
fn decoded_secrets(b64: &str) -> Vec<String> {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return Vec::new();
    };
    let Ok(s) = String::from_utf8(bytes) else {
        return Vec::new();
    };
    let parts: Vec<&str> = s.split('\0').collect();
    let picked: Vec<&str> = if parts.len() >= 3 {
        parts[2..].to_vec()
    } else {
        parts
    };
    picked
        .into_iter()
        .filter(|p| p.len() >= 4 && !p.contains('@') && !p.contains("user="))
        .map(str::to_owned)
        .collect()
}

/// The value after a `key =` / `key:` separator: a quoted literal's content (to the closing
/// quote or the end of the line), or an unquoted word.
fn value_after(text: &str, at: usize) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let q = *b.get(at)?;
    if matches!(q, b'\'' | b'"' | b'`') {
        let mut j = at + 1;
        while j < b.len() && b[j] != q && b[j] != b'\n' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(b.len());
        return (end > at + 1).then_some(at + 1..end);
    }
    // Python's bytes literal: b'...'.
    if q == b'b' && matches!(b.get(at + 1), Some(b'\'' | b'"')) {
        return value_after(text, at + 1);
    }
    let mut j = at;
    while j < b.len()
        && !b[j].is_ascii_whitespace()
        && !matches!(b[j], b',' | b';' | b')' | b'}' | b']' | b'\'' | b'"')
    {
        j += 1;
    }
    (j > at).then_some(at..j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_payloads_and_passwords_are_masked_everywhere() {
        // "\0user@example.com\0Sup3rS3cret!"
        let b64 =
            base64::engine::general_purpose::STANDARD.encode("\0user@example.com\0Sup3rS3cret!");
        let paste = format!(
            "CLIENT -> SERVER: AUTH PLAIN {b64}\nSERVER -> CLIENT: 535 5.7.8 bad\npassword tried: Sup3rS3cret!\n"
        );
        let (m, n) = mask(&paste);
        assert!(n >= 2);
        assert!(!m.contains(&b64) && !m.contains("Sup3rS3cret"), "{m}");
        assert!(m.contains("535 5.7.8 bad"));
        let (m, _) = mask("S: 334 VXNlcm5hbWU6\nC: dXNlckBleGFtcGxlLmNvbQ==\nS: 334 UGFzc3dvcmQ6\nC: aHVudGVyMjI=\n");
        assert!(!m.contains("aHVudGVyMjI="), "{m}");
        let (m, _) = mask("auth: { user: 'a@b.c', pass: 'hunter22' }\nEMAIL_HOST_PASSWORD = \"pw2pw2pw\"\nMAIL_PASSWORD=abc123xyz\nsmtps://me:topsecret@smtp.x.com\n");
        for s in ["hunter22", "pw2pw2pw", "abc123xyz", "topsecret"] {
            assert!(!m.contains(s), "{s} in {m}");
        }
        let (m, _) = mask("    server.login('me@gmail.com', 'abcd efgh ijkl mnop')\n");
        assert!(!m.contains("efgh"), "{m}");
        let (m, _) = mask("250-AUTH PLAIN LOGIN XOAUTH2\nC: AUTH LOGIN\n");
        assert_eq!(m, "250-AUTH PLAIN LOGIN XOAUTH2\nC: AUTH LOGIN\n");
        let (m, _) = mask("535-5.7.8 Username and Password not accepted. For more information");
        assert_eq!(
            m,
            "535-5.7.8 Username and Password not accepted. For more information"
        );
    }
}
