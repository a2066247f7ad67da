//! Validation of provider rules as written (`raw`) into typed [`Provider`]s: every fact must
//! name a source, every pattern and port must make sense, and a mistake is reported with the
//! span of the YAML value that holds it.

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use serde_saphyr::Spanned;

use super::*;

/// A YAML syntax or shape error of any rule, symptom or client-definition file: the span it
/// points at and its message without the " at line N column M" serde-saphyr appends (a label
/// shows the place already).
pub fn yaml_error(text: &str, e: &serde_saphyr::Error) -> (Option<Range<usize>>, String) {
    let span = e.location().and_then(|l| location_span(text, l));
    let message = e.without_snippet().to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    (span, message)
}

pub fn location_span(text: &str, loc: serde_saphyr::Location) -> Option<Range<usize>> {
    let start = match loc.span().byte_offset() {
        Some(b) => b as usize,
        None => {
            // Fall back to line/column.
            let line = loc.line() as usize;
            let col = loc.column() as usize;
            let line_start = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum::<usize>();
            line_start + col.saturating_sub(1)
        }
    };
    let len = loc.span().byte_len().unwrap_or(0) as usize;
    let start = start.min(text.len());
    let mut end = (start + len.max(1)).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Some(start..end)
}

pub(super) struct Validator<'a, E: Fn(Option<Range<usize>>, String) -> RuleError> {
    pub(super) text: &'a str,
    pub(super) err: &'a E,
}

impl<E: Fn(Option<Range<usize>>, String) -> RuleError> Validator<'_, E> {
    fn span<T>(&self, s: &Spanned<T>) -> Option<Range<usize>> {
        location_span(self.text, s.referenced)
    }

    fn fail<T>(&self, s: &Spanned<T>, message: String) -> RuleError {
        (self.err)(self.span(s), message)
    }

    fn source(
        &self,
        sources: &BTreeMap<String, String>,
        s: &Spanned<String>,
    ) -> Result<String, RuleError> {
        let v = s.value.trim();
        if v.starts_with("https://") || v.starts_with("http://") {
            return Ok(v.to_owned());
        }
        if sources.contains_key(v) {
            return Ok(v.to_owned());
        }
        Err(self.fail(
            s,
            format!(
                "unknown source `{v}`: name a key of `sources` ({}) or give a URL",
                sources.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    fn pattern(&self, s: &Spanned<String>) -> Result<NamePattern, RuleError> {
        NamePattern::new(&s.value).map_err(|m| self.fail(s, m))
    }

    fn patterns(&self, list: &[Spanned<String>]) -> Result<Vec<NamePattern>, RuleError> {
        list.iter().map(|s| self.pattern(s)).collect()
    }

    pub(super) fn provider(
        &self,
        raw: raw::RawProvider,
        origin: RuleOrigin,
    ) -> Result<Provider, RuleError> {
        let id = self.id(&raw.id)?;
        let sources = self.sources(&raw)?;
        if raw.recognise.smtp_hosts.is_empty() {
            return Err((self.err)(
                None,
                "recognise.smtp-hosts must name at least one host".into(),
            ));
        }
        let (submission, not_offered) = self.endpoints(&raw, &sources)?;
        let auth = self.auth(&raw.auth, &sources, &origin)?;
        let from = match &raw.from {
            Some(f) => Some(From {
                policy: f.policy,
                alias_domains: self.patterns(&f.alias_domains)?,
                other_address: f.other_address,
                custom_domain: f.custom_domain,
                foreign_domain: f.foreign_domain,
                explain: f.explain.clone(),
                reply: f.reply.clone(),
                source: self.source(&sources, &f.source)?,
            }),
            None => None,
        };
        let limits = match &raw.limits {
            Some(l) => Some(Limits {
                messages_per_day: l.messages_per_day,
                messages_per_minute: l.messages_per_minute,
                recipients_per_day: l.recipients_per_day,
                recipients_per_message: l.recipients_per_message,
                message_size_mb: l.message_size_mb,
                source: self.source(&sources, &l.source)?,
            }),
            None => None,
        };
        let (wrong_hosts, incoming, replies) = self.recognition(&raw, &sources)?;
        Ok(Provider {
            id,
            name: raw.name.clone(),
            origin,
            generated: false,
            smtp_hosts: self.patterns(&raw.recognise.smtp_hosts)?,
            domains: self.patterns(&raw.recognise.domains)?,
            mx: self.patterns(&raw.recognise.mx)?,
            wrong_hosts,
            recognise_source: self.source(&sources, &raw.recognise.source)?,
            incoming,
            submission,
            not_offered,
            auth,
            from,
            limits,
            replies,
            sources,
        })
    }

    fn id(&self, raw: &Spanned<String>) -> Result<String, RuleError> {
        let id = raw.value.trim().to_owned();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(self.fail(
                raw,
                "provider id must be kebab-case: lowercase letters, digits and `-`".into(),
            ));
        }
        Ok(id)
    }

    fn sources(&self, raw: &raw::RawProvider) -> Result<BTreeMap<String, String>, RuleError> {
        let mut sources = BTreeMap::new();
        for (key, url) in &raw.sources {
            let u = url.value.trim();
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(self.fail(url, format!("source `{key}` must be an http(s) URL")));
            }
            sources.insert(key.clone(), u.to_owned());
        }
        Ok(sources)
    }

    /// The submission ports offered and those documented as not offered.
    fn endpoints(
        &self,
        raw: &raw::RawProvider,
        sources: &BTreeMap<String, String>,
    ) -> Result<(Vec<Endpoint>, Vec<NotOffered>), RuleError> {
        if raw.submission.is_empty() {
            return Err((self.err)(
                None,
                "submission must list at least one port the provider offers".into(),
            ));
        }
        let mut submission = Vec::new();
        for e in &raw.submission {
            if e.port.value == 0 {
                return Err(self.fail(&e.port, "port 0 is not a port".into()));
            }
            if submission.iter().any(|s: &Endpoint| s.port == e.port.value) {
                return Err(self.fail(&e.port, format!("port {} is listed twice", e.port.value)));
            }
            submission.push(Endpoint {
                port: e.port.value,
                tls: e.tls,
                documented: e.documented,
                note: e.note.clone(),
                source: self.source(sources, &e.source)?,
            });
        }
        let mut not_offered = Vec::new();
        for n in &raw.not_offered {
            if submission.iter().any(|s| s.port == n.port.value) {
                return Err(self.fail(
                    &n.port,
                    format!(
                        "port {} is listed both as offered and as not offered",
                        n.port.value
                    ),
                ));
            }
            not_offered.push(NotOffered {
                port: n.port.value,
                symptom: n.symptom.clone(),
                source: self.source(sources, &n.source)?,
            });
        }
        Ok((submission, not_offered))
    }

    fn auth(
        &self,
        raw: &raw::RawAuth,
        sources: &BTreeMap<String, String>,
        origin: &RuleOrigin,
    ) -> Result<Auth, RuleError> {
        const MECHS: &[&str] = &[
            "plain",
            "login",
            "cram-md5",
            "digest-md5",
            "xoauth2",
            "oauthbearer",
            "ntlm",
            "gssapi",
        ];
        if raw.mechanisms.is_empty() {
            return Err((self.err)(
                None,
                "auth.mechanisms must list at least one mechanism".into(),
            ));
        }
        let mut mechanisms = Vec::new();
        for m in &raw.mechanisms {
            let v = m.value.trim().to_ascii_lowercase();
            if !MECHS.contains(&v.as_str()) {
                return Err(self.fail(
                    m,
                    format!("unknown auth mechanism `{v}`; known: {}", MECHS.join(", ")),
                ));
            }
            mechanisms.push(v);
        }
        let pw = &raw.password;
        let pattern = match &pw.pattern {
            Some(p) => Some(self.regex(p, origin, "password pattern")?),
            None => None,
        };
        Ok(Auth {
            required: raw.required,
            mechanisms,
            username: raw.username,
            username_rule: self.username_rule(raw, origin)?,
            password: Password {
                kind: pw.kind,
                pattern,
                describe: pw.describe.clone(),
                how: pw.how.clone(),
                source: self.source(sources, &pw.source)?,
            },
            source: self.source(sources, &raw.source)?,
        })
    }

    /// `username-literal` or `username-pattern` (not both).
    fn username_rule(
        &self,
        raw: &raw::RawAuth,
        origin: &RuleOrigin,
    ) -> Result<Option<UsernameRule>, RuleError> {
        match (&raw.username_literal, &raw.username_pattern) {
            (Some(_), Some(p)) => Err(self.fail(
                p,
                "give `username-literal` or `username-pattern`, not both".into(),
            )),
            (Some(l), None) => {
                let v = l.value.trim();
                if v.is_empty() {
                    return Err(self.fail(l, "`username-literal` is empty".into()));
                }
                Ok(Some(UsernameRule::Literal(v.to_owned())))
            }
            (None, Some(p)) => {
                let regex = self.regex(p, origin, "username pattern")?;
                let describe = raw
                    .username_describe
                    .clone()
                    .unwrap_or_else(|| format!("a user name matching `{}`", p.value));
                let example = match &raw.username_example {
                    Some(e) if !regex.is_match(&e.value) => {
                        return Err(self.fail(
                            e,
                            "`username-example` does not match `username-pattern`".into(),
                        ))
                    }
                    e => e.as_ref().map(|e| e.value.clone()),
                };
                Ok(Some(UsernameRule::Pattern {
                    regex,
                    describe,
                    example,
                }))
            }
            (None, None) => Ok(None),
        }
    }

    /// A pattern of the rules: built-in ones are compiled when first used (a unit test
    /// compiles them all); a user's is compiled now, so a mistake is reported with its span.
    fn regex(
        &self,
        p: &Spanned<String>,
        origin: &RuleOrigin,
        what: &str,
    ) -> Result<LazyRegex, RuleError> {
        if *origin == RuleOrigin::Builtin {
            return Ok(LazyRegex::new(&p.value));
        }
        Regex::new(&p.value)
            .map(LazyRegex::compiled)
            .map_err(|e| self.fail(p, format!("invalid {what}: {e}")))
    }

    /// Known wrong hosts, incoming hosts and server replies.
    #[allow(clippy::type_complexity)]
    fn recognition(
        &self,
        raw: &raw::RawProvider,
        sources: &BTreeMap<String, String>,
    ) -> Result<(Vec<WrongHost>, Vec<Incoming>, Vec<Reply>), RuleError> {
        let mut wrong_hosts = Vec::new();
        for w in &raw.recognise.wrong_hosts {
            wrong_hosts.push(WrongHost {
                host: self.pattern(&w.host)?,
                reason: w.reason.clone(),
                source: self.source(sources, &w.source)?,
            });
        }
        let mut incoming = Vec::new();
        for i in &raw.incoming {
            incoming.push(Incoming {
                host: self.pattern(&i.host)?,
                port: i.port,
                protocol: i.protocol,
                source: self.source(sources, &i.source)?,
            });
        }
        let mut replies = Vec::new();
        for r in &raw.replies {
            let code = match &r.code {
                Some(c) => Some(
                    crate::codes::lookup(c.value.trim())
                        .ok_or_else(|| self.fail(c, format!("unknown rule code `{}`", c.value)))?
                        .code
                        .to_owned(),
                ),
                None => None,
            };
            replies.push(Reply {
                matches: r.matches.clone(),
                cause: r.cause.clone(),
                fix: r.fix.clone(),
                code,
                source: self.source(sources, &r.source)?,
            });
        }
        Ok((wrong_hosts, incoming, replies))
    }
}
