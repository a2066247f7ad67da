//! Connection URLs (`smtps://user:pass@host:465?...`), parsed by `syntax::url` and read the
//! way Nodemailer's `parseConnectionUrl` reads them.

use std::ops::Range;

use tree_sitter::Node;

use super::{Nodemailer, Opts, Setting};
use crate::extract::syntax::js::{inner, unwrap, Bind};
use crate::extract::syntax::url::{parse_dsn, percent_decode};
use crate::extract::syntax::value::{Val, MAX_DEPTH};
use crate::finding::{Finding, Label, Severity};

impl<'t> Nodemailer<'_, 't> {
    /// Parse a connection URL given as a string or template literal (or a name bound to one).
    /// Returns the parts and whether it is a `direct:` URL (no SMTP server).
    pub(super) fn url_of(&mut self, n: Node<'t>) -> Option<(UrlParts, bool)> {
        let n = self.resolve_string_node(unwrap(n), 0)?;
        let (span, raw) = inner(self.js.src, n);
        // Substitutions become runs of 0x01 bytes of the same length, so offsets stay put.
        let mut masked = raw.as_bytes().to_vec();
        let mut subs: Vec<(Range<usize>, Val)> = Vec::new();
        if n.kind() == "template_string" {
            let mut c = n.walk();
            for s in n.named_children(&mut c) {
                if s.kind() == "template_substitution" {
                    let r = s.start_byte() - span.start..s.end_byte() - span.start;
                    for b in &mut masked[r.clone()] {
                        *b = 1;
                    }
                    let v = s
                        .named_child(0)
                        .map(|e| self.js.eval(e, 0))
                        .unwrap_or(Val::Unknown);
                    subs.push((r, v));
                }
            }
        }
        let masked = String::from_utf8_lossy(&masked).into_owned();
        if masked.len() != raw.len() || (n.kind() == "string" && raw.contains('\\')) {
            return None; // escapes inside a URL literal: too unusual to map spans
        }
        let base = span.start;
        let Some(u) = raw_url(&masked) else {
            self.ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    "this is not a connection URL: without `smtp://` or `smtps://` Nodemailer \
                     reads no host from it and connects to localhost",
                    Label::new(self.js.loc(span), "no scheme"),
                )
                .with_help("write `smtps://user:pass@host:465` or `smtp://user:pass@host:587`, or pass an options object"),
            );
            return None;
        };
        let piece = |r: &Range<usize>| -> Val {
            if let Some((_, v)) = subs.iter().find(|(s, _)| s == r) {
                return v.clone();
            }
            let t = &masked[r.clone()];
            if t.contains('\u{1}') {
                return Val::Unknown;
            }
            Val::Str {
                text: t.to_owned(),
                span: base + r.start..base + r.end,
            }
        };
        let direct = u.scheme.1 == "direct";
        let mut parts = UrlParts {
            scheme: (base + u.scheme.0.start..base + u.scheme.0.end, u.scheme.1),
            host: u.host.as_ref().map(&piece),
            port: u.port.as_ref().map(&piece),
            user: u.user.as_ref().map(|r| decoded(piece(r))),
            pass: u.pass.as_ref().map(|r| decoded(piece(r))),
            query: Vec::new(),
        };
        for (k, kr, v) in &u.query {
            let value = match v {
                Some(r) => match piece(r) {
                    Val::Str { text, span } => query_value(&percent_decode(&text, true), span),
                    other => other,
                },
                None => Val::Str {
                    text: String::new(),
                    span: base + kr.end..base + kr.end,
                },
            };
            parts.query.push((
                percent_decode(k, false),
                base + kr.start..base + kr.end,
                value,
            ));
        }
        Some((parts, direct))
    }

    fn resolve_string_node(&self, n: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match n.kind() {
            "string" | "template_string" => Some(n),
            "identifier" => match self.js.lookup(self.js.t(n), n.start_byte()) {
                Some(Bind::Node(v)) if !v.byte_range().contains(&n.start_byte()) => {
                    self.resolve_string_node(unwrap(*v), depth + 1)
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn apply_url(&mut self, u: UrlParts, o: &mut Opts) {
        let (scheme_span, scheme) = u.scheme;
        let set = |val: Val, span: Range<usize>| Setting {
            key_span: span.clone(),
            expr_span: span,
            val,
            preset: false,
        };
        let mut url_has = Vec::new();
        match scheme.as_str() {
            "smtp" | "smtps" => {
                o.secure = Some(set(
                    Val::Bool {
                        value: scheme == "smtps",
                        span: scheme_span.clone(),
                    },
                    scheme_span,
                ));
                url_has.push("secure");
            }
            "direct" => {}
            other => {
                self.ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Warning,
                        format!("Nodemailer does not know the URL scheme `{other}:`, so it sets no TLS mode from it"),
                        Label::new(self.js.loc(scheme_span), "unknown scheme"),
                    )
                    .with_help("use `smtps:` for implicit TLS (port 465) or `smtp:` for STARTTLS (port 587)"),
                );
            }
        }
        let span_of = |v: &Val| match v {
            Val::Str { span, .. } => span.clone(),
            other => other
                .env_read()
                .map(|r| r.reference.clone())
                .unwrap_or(0..0),
        };
        if let Some(p) = u.port {
            let s = span_of(&p);
            let p = match p {
                Val::Str { text, span } => match text.parse::<f64>() {
                    Ok(v) => Val::Num { value: v, span },
                    Err(_) => Val::Str { text, span },
                },
                other => other,
            };
            o.port = Some(set(p, s));
            url_has.push("port");
        }
        if let Some(h) = u.host {
            let s = span_of(&h);
            o.host = Some(set(h, s));
            url_has.push("host");
        }
        if u.user.is_some() || u.pass.is_some() {
            let s = u
                .user
                .as_ref()
                .or(u.pass.as_ref())
                .map(span_of)
                .unwrap_or(0..0);
            o.auth = Some(set(Val::Unknown, s));
            if let Some(user) = u.user {
                let s = span_of(&user);
                o.user = Some(set(user, s));
            }
            if let Some(pass) = u.pass {
                let s = span_of(&pass);
                o.pass = Some(set(pass, s));
            }
        }
        for (key, kspan, val) in u.query {
            let mut s = set(val, kspan.clone());
            s.expr_span = match &s.val {
                Val::Str { span, .. } | Val::Num { span, .. } | Val::Bool { span, .. } => {
                    span.clone()
                }
                _ => kspan,
            };
            // Query options never replace what the URL itself set.
            if url_has.contains(&key.as_str()) {
                continue;
            }
            match key.as_str() {
                "secure" => o.secure = Some(s),
                "requireTLS" => o.require_tls = Some(s),
                "ignoreTLS" => o.ignore_tls = Some(s),
                "service" if o.service.is_none() => o.service = Some(s),
                "authMethod" => o.auth_method = Some(s),
                "tls.rejectUnauthorized" => o.reject_unauthorized = Some(s),
                _ => {}
            }
        }
    }
}

/// Parts of a connection URL, values already evaluated (template substitutions included).
pub(super) struct UrlParts {
    scheme: (Range<usize>, String),
    host: Option<Val>,
    port: Option<Val>,
    user: Option<Val>,
    pass: Option<Val>,
    query: Vec<(String, Range<usize>, Val)>,
}

/// Byte ranges of the parts of `scheme://user:pass@host:port/path?query` (the scheme
/// lower-cased), split by [`parse_dsn`] the way Node's legacy `url.parse` splits them: the last
/// `@` of the authority ends the credentials, and a raw `/`, `?` or `#` ends the authority.
struct RawUrl {
    scheme: (Range<usize>, String),
    user: Option<Range<usize>>,
    pass: Option<Range<usize>>,
    host: Option<Range<usize>>,
    port: Option<Range<usize>>,
    /// Raw key, its range, and the range of the raw value (`None` without `=`).
    query: Vec<(String, Range<usize>, Option<Range<usize>>)>,
}

fn raw_url(s: &str) -> Option<RawUrl> {
    let lead = s.len() - s.trim_start().len();
    let t = &s[lead..];
    let mut dsn = parse_dsn(t)?;
    if dsn.unencoded_userinfo {
        // `smtp://user:p#ss@host`: for Node the authority ends at the raw character.
        let sep = t.find("://")? + 3;
        let cut = t[sep..].find(['/', '?', '#']).map_or(t.len(), |i| sep + i);
        let query = if t[cut..].starts_with('#') {
            Vec::new()
        } else {
            dsn.query
        };
        dsn = parse_dsn(&t[..cut])?;
        dsn.query = query;
    }
    let at = |r: &Range<usize>| lead + r.start..lead + r.end;
    let host = dsn.host.as_ref().map(|(h, r)| {
        // An IPv6 literal without its brackets.
        match h.starts_with('[') && h.ends_with(']') && h.len() >= 2 {
            true => r.start + 1..r.end - 1,
            false => r.clone(),
        }
    });
    let query = dsn
        .query
        .iter()
        .map(|(_, _, v)| {
            let has_value = t[..v.start].ends_with('=');
            let key_end = if has_value { v.start - 1 } else { v.start };
            let key_start = t[..key_end].rfind(['&', '?']).map_or(0, |i| i + 1);
            (
                t[key_start..key_end].to_owned(),
                at(&(key_start..key_end)),
                has_value.then(|| at(v)),
            )
        })
        .collect();
    Some(RawUrl {
        scheme: (at(&dsn.scheme.1), dsn.scheme.0.to_ascii_lowercase()),
        user: dsn.user.as_ref().map(|(_, r)| at(r)),
        pass: dsn.pass.as_ref().map(|(_, r)| at(r)),
        host: host.filter(|h| h.start < h.end).map(|h| at(&h)),
        port: dsn.port.as_ref().map(|(_, r)| at(r)),
        query,
    })
}

/// A query value the way `parseConnectionUrl` converts it: numbers, then `true` / `false`.
fn query_value(text: &str, span: Range<usize>) -> Val {
    if let Ok(n) = text.trim().parse::<f64>() {
        if !text.trim().is_empty() {
            return Val::Num { value: n, span };
        }
    }
    match text {
        "true" => Val::Bool { value: true, span },
        "false" => Val::Bool { value: false, span },
        _ => Val::Str {
            text: text.to_owned(),
            span,
        },
    }
}

fn decoded(v: Val) -> Val {
    match v {
        Val::Str { text, span } => Val::Str {
            text: percent_decode(&text, false),
            span,
        },
        other => other,
    }
}
