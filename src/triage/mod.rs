//! Triage: what a pasted log, traceback, transcript or error dialog means. The paste is masked
//! (`mask`: no AUTH payload or password survives), read as a whole (`paste`: client, host, port,
//! TLS mode, server replies, error codes, OpenSSL reasons), and matched on that structure
//! against two kinds of knowledge, both data with sources: the providers' `replies` facts and
//! the generic symptoms of `rules/symptoms.yaml` (`symptoms`). The host in the paste names the
//! provider, so another provider's explanation of a bare `535` never comes first. Causes are
//! ranked; with `--config`, the check findings a cause relates to come first.

pub mod mask;
pub mod paste;
pub mod symptoms;

use std::collections::HashSet;

use crate::identify::{identify, Match};
use crate::model::{FieldValue, Origin, Profile, TlsMode};
use crate::providers::{Provider, Providers, Reply};
use crate::source::{FileId, Loc};
use paste::Facts;
use symptoms::{normalise, HostKind, ReplySignal, Symptom};

/// One ranked explanation of the paste.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// A symptom id, `provider/match` for a provider's reply fact, `provider/port-N` for a port
    /// fact, or `config/CODE` for a finding of the checked configuration.
    pub id: String,
    /// Provider id, or `None` for symptoms any server causes.
    pub provider: Option<String>,
    pub provider_name: Option<String>,
    /// The signal in the paste that matched (a reply, an error code, a phrase).
    pub matched: String,
    pub cause: String,
    /// The fix, in the client's own terms when the paste shows the client.
    pub fix: String,
    pub source: String,
    /// The rule code whose page explains the underlying mistake, if there is one.
    pub code: Option<&'static str>,
    /// Where in the checked configuration (with `--config`), `path:line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip)]
    pub related: Vec<&'static str>,
    #[serde(skip)]
    pub score: u32,
}

/// A finding of the checked configuration, as triage uses it.
#[derive(Debug, Clone)]
pub struct ConfigFinding {
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    pub location: String,
}

/// What a checked configuration adds (see `smtp-doctor triage --config`).
#[derive(Debug, Clone, Default)]
pub struct ConfigFacts {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tls: Option<TlsMode>,
    pub provider: Option<String>,
    /// The client the configuration is for, in the names of `symptoms::CLIENTS`.
    pub client: Option<&'static str>,
    pub findings: Vec<ConfigFinding>,
}

/// Triage options.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// Only this provider's replies (`--provider`); it also counts as the identified provider.
    pub only: Option<&'a str>,
    pub config: Option<ConfigFacts>,
}

/// The result: what the paste says and the ranked explanations.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub facts: Facts,
    /// The provider the host (or `--provider`, or the configuration) names.
    pub provider: Option<String>,
    pub explanations: Vec<Explanation>,
}

/// The longest paste read; more is cut (a log is read from its end: the error is there).
pub const MAX_PASTE: usize = 1 << 20;

/// Every explanation of `text` with the built-in symptoms, best first (the library entry point
/// for a one-off question).
pub fn explain(text: &str, providers: &Providers, only: Option<&str>) -> Vec<Explanation> {
    static BUILTIN: std::sync::LazyLock<Vec<Symptom>> =
        std::sync::LazyLock::new(|| symptoms::builtin().unwrap_or_default());
    let opts = Options { only, config: None };
    triage(text, providers, &BUILTIN, &opts).explanations
}

/// Read, match and rank.
pub fn triage(text: &str, providers: &Providers, symptoms: &[Symptom], opts: &Options) -> Report {
    let text = tail(text, MAX_PASTE);
    let (masked, count) = mask::mask(text);
    let mut facts = paste::read(&masked);
    facts.masked_secrets = count;
    if let Some(c) = &opts.config {
        facts.host = facts.host.take().or(c.host.clone());
        facts.port = facts.port.or(c.port);
        facts.tls = facts.tls.or(c.tls);
        facts.client = facts.client.or(c.client);
    }
    let hay = normalise(&masked).replace("\\n", " ");
    let found = Phrases::find(&hay, providers, symptoms);
    let mut ident = facts
        .host
        .as_deref()
        .and_then(|h| identify_host(h, providers));
    if ident.is_none() {
        // Another host the paste names may be the provider's ("Resolved smtp.x as 1.2.3.4").
        for (h, port) in facts.hosts.clone() {
            if let Some(i) = identify_host(&h, providers) {
                facts.host = Some(h);
                facts.port = facts.port.or(port);
                ident = Some(i);
                break;
            }
        }
    }
    let mut provider: Option<&Provider> = opts
        .only
        .and_then(|id| providers.get(id))
        .or(ident.as_ref().map(|i| i.provider))
        .or_else(|| {
            let id = opts.config.as_ref()?.provider.as_ref()?;
            providers.get(id)
        });
    if provider.is_none() {
        // A provider's own phrase in the reply names it ("... - gsmtp" carries no host).
        provider = providers.list.iter().find(|p| {
            p.replies
                .iter()
                .any(|r| matches!(reply_pattern(r), Pattern { signal: None, phrase: Some(ph) } if found.has(&ph)))
        });
        provider = provider.filter(|_| opts.only.is_none());
    }
    let identified = opts.only.is_some() || ident.is_some() || provider.is_some();
    let mut out = Vec::new();
    for p in &providers.list {
        if opts.only.is_some_and(|id| id != p.id)
            || (identified && provider.is_some_and(|q| q.id != p.id))
        {
            continue;
        }
        provider_replies(p, identified, &facts, &found, &mut out);
    }
    if let (Some(p), Some(i)) = (provider, &ident) {
        provider_facts(p, &i.how, &facts, &mut out);
    }
    let wrong = ident
        .as_ref()
        .is_some_and(|i| !matches!(i.how, Match::Host));
    for s in symptoms {
        if let Some(e) = symptom(s, &facts, &found, wrong) {
            out.push(e);
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.score));
    if let Some(c) = &opts.config {
        out = with_config(out, c);
    }
    // One explanation per cause, and one generic symptom per rule code (the best ranked).
    let mut seen = HashSet::new();
    let mut codes = HashSet::new();
    out.retain(|e| {
        let generic_again = e.provider.is_none()
            && e.location.is_none()
            && e.code.is_some_and(|c| !codes.insert(c));
        seen.insert(e.cause.clone()) && !generic_again
    });
    Report {
        facts,
        provider: provider.map(|p| p.id.clone()),
        explanations: out,
    }
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut at = text.len() - max;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    &text[at..]
}

/// The identify step on a profile that holds only the paste's host.
fn identify_host<'a>(
    host: &str,
    providers: &'a Providers,
) -> Option<crate::identify::Identified<'a>> {
    let loc = Loc::new(FileId(0), 0..0);
    let mut profile = Profile::new(crate::model::Client::Toml, "paste", loc.clone());
    profile.set(FieldValue::Host(host.to_owned()), loc, Origin::Literal);
    identify(&profile, providers)
}

/// Every phrase the rules look for, found in one pass over the paste.
struct Phrases {
    found: HashSet<String>,
}

impl Phrases {
    fn find(hay: &str, providers: &Providers, symptoms: &[Symptom]) -> Phrases {
        let mut all: Vec<String> = Vec::new();
        for s in symptoms {
            for v in [&s.text, &s.openssl, &s.with_text, &s.unless_text] {
                all.extend(v.iter().cloned());
            }
        }
        for p in &providers.list {
            all.extend(p.replies.iter().filter_map(|r| reply_pattern(r).phrase));
        }
        all.sort();
        all.dedup();
        all.retain(|p| !p.is_empty());
        let mut found = HashSet::new();
        if let Ok(ac) = aho_corasick::AhoCorasick::new(&all) {
            for m in ac.find_overlapping_iter(hay) {
                found.insert(all[m.pattern().as_usize()].clone());
            }
        }
        Phrases { found }
    }

    fn has(&self, phrase: &str) -> bool {
        self.found.contains(phrase)
    }

    fn first<'a>(&self, list: &'a [String]) -> Option<&'a String> {
        list.iter().find(|p| self.has(p))
    }
}

/// A provider reply's `match`, read structurally: a reply signal (`535`, `5.7.9`,
/// `535 5.7.8`), a reply code followed by a phrase (`535 Authentication Failed`), or a phrase.
struct Pattern {
    signal: Option<ReplySignal>,
    phrase: Option<String>,
}

fn reply_pattern(r: &Reply) -> Pattern {
    let m = r.matches.trim();
    if let Some(signal) = ReplySignal::parse(m) {
        return Pattern {
            signal: Some(signal),
            phrase: None,
        };
    }
    if let Some((head, rest)) = m.split_once(' ') {
        if let Some(signal) = ReplySignal::parse(head) {
            let rest = rest.trim();
            let (signal, phrase) = match rest.split_once(' ') {
                Some((e, r)) if ReplySignal::parse(&format!("{head} {e}")).is_some() => {
                    (ReplySignal::parse(&format!("{head} {e}")).unwrap(), r)
                }
                _ => (signal, rest),
            };
            return Pattern {
                signal: Some(signal),
                phrase: Some(normalise(phrase)).filter(|p| !p.is_empty()),
            };
        }
    }
    Pattern {
        signal: None,
        phrase: Some(normalise(m)),
    }
}

/// Does a reply signal match the paste? `Some(true)` when it matched the last error reply.
fn reply_hit(s: &ReplySignal, facts: &Facts) -> Option<bool> {
    let last = facts.last_error();
    for r in facts.replies.iter().rev() {
        if s.matches(Some(r.code), r.enhanced.as_deref()) {
            return Some(last == Some(r));
        }
    }
    // An enhanced code alone may stand outside a reply line (a dialog quoting "5.7.139").
    if s.code.is_none() {
        if let Some(e) = &s.enhanced {
            if facts.enhanced.contains(e) {
                return Some(false);
            }
        }
    }
    None
}

fn provider_replies(
    p: &Provider,
    identified: bool,
    facts: &Facts,
    found: &Phrases,
    out: &mut Vec<Explanation>,
) {
    for r in &p.replies {
        let pat = reply_pattern(r);
        let signal_hit = pat.signal.as_ref().map(|s| reply_hit(s, facts));
        let phrase_hit = pat.phrase.as_ref().map(|ph| found.has(ph));
        if signal_hit == Some(None) || phrase_hit == Some(false) {
            continue;
        }
        let bare =
            pat.phrase.is_none() && pat.signal.as_ref().is_some_and(|s| s.enhanced.is_none());
        // A reply code (even with a phrase: "535 Authentication failed" is every server's
        // wording) says nothing about a provider that the paste does not name.
        if !identified && pat.signal.as_ref().is_some_and(|s| s.code.is_some()) {
            continue;
        }
        let score = match (identified, pat.phrase.is_some()) {
            (true, true) => 120,
            (true, false) => 100 + if bare { 0 } else { 5 },
            (false, true) => 80 + (r.matches.len() as u32 / 4).min(15),
            // An enhanced code alone (5.7.8) is shared by every server; under the generic symptoms.
            (false, false) => 30,
        } + if signal_hit == Some(Some(true)) { 3 } else { 0 };
        out.push(Explanation {
            id: format!("{}/{}", p.id, r.matches),
            provider: Some(p.id.clone()),
            provider_name: Some(p.name.clone()),
            matched: r.matches.clone(),
            cause: r.cause.clone(),
            fix: r.fix.clone(),
            source: p.source_url(&r.source).to_owned(),
            code: r
                .code
                .as_deref()
                .and_then(crate::codes::lookup)
                .map(|c| c.code),
            related: Vec::new(),
            location: None,
            score,
        });
    }
}

/// What the provider rules say about the paste's host and port themselves: a known wrong
/// host, an incoming host, a port the provider does not offer, a TLS mode that does not fit.
fn provider_facts(p: &Provider, how: &Match, facts: &Facts, out: &mut Vec<Explanation>) {
    let failed = !facts.errors.is_empty()
        || !facts.openssl.is_empty()
        || facts.replies.iter().any(|r| r.code >= 400);
    // Below the generic symptom of the same mistake, whose fix speaks the client's terms.
    let base = if failed { 75 } else { 40 };
    let host = facts.host.clone().unwrap_or_default();
    let mut push = |id: String,
                    matched: String,
                    cause: String,
                    fix: String,
                    source: &str,
                    code: &'static str,
                    score: u32| {
        out.push(Explanation {
            id,
            provider: Some(p.id.clone()),
            provider_name: Some(p.name.clone()),
            matched,
            cause,
            fix,
            source: p.source_url(source).to_owned(),
            code: Some(code),
            related: Vec::new(),
            location: None,
            score,
        })
    };
    match how {
        Match::WrongHost(w) => push(
            format!("{}/wrong-host", p.id),
            host.clone(),
            format!("{host} is not {}'s SMTP server: {}", p.name, w.reason),
            format!("use {}", p.documented_endpoints()),
            &w.source,
            crate::codes::HOST_TYPO,
            90,
        ),
        Match::Typo { intended } => push(
            format!("{}/host-typo", p.id),
            host.clone(),
            format!("{host} is a misspelling of {intended}"),
            format!("use {intended}"),
            &p.recognise_source,
            crate::codes::HOST_TYPO,
            90,
        ),
        Match::Incoming(i) => push(
            format!("{}/incoming-host", p.id),
            host.clone(),
            format!(
                "{host} is {}'s incoming ({:?}) server, not its SMTP server",
                p.name, i.protocol
            ),
            format!("use {}", p.documented_endpoints()),
            &i.source,
            crate::codes::INCOMING_HOST_AS_SMTP,
            90,
        ),
        _ => {}
    }
    let Some(port) = facts.port else { return };
    if p.endpoint(port).is_none() && !p.not_offered.iter().any(|n| n.port == port) {
        push(
            format!("{}/port-{port}", p.id),
            format!("port {port}"),
            format!("port {port} is not one of {}'s submission ports", p.name),
            format!("use {}", p.documented_endpoints()),
            &p.recognise_source,
            crate::codes::PORT_NOT_OFFERED,
            base,
        );
    } else if let Some(n) = p.not_offered.iter().find(|n| n.port == port) {
        push(
            format!("{}/port-{port}", p.id),
            format!("port {port}"),
            format!(
                "{} does not accept submission on port {port}: {}",
                p.name, n.symptom
            ),
            format!("use {}", p.documented_endpoints()),
            &n.source,
            crate::codes::PORT_NOT_OFFERED,
            base + 5,
        );
    } else if let (Some(e), Some(tls)) = (p.endpoint(port), facts.tls) {
        if e.tls != tls && tls != TlsMode::None {
            push(
                format!("{}/tls-{port}", p.id),
                format!("port {port} with {tls}"),
                format!(
                    "{} speaks {} on port {port}, and the client used {tls}",
                    p.name, e.tls
                ),
                format!("use {} on port {port}", e.tls),
                &e.source,
                crate::codes::TLS_MODE_MISMATCH,
                base,
            );
        }
    }
}

/// A generic symptom against the paste: `None` when a condition fails or no signal matched.
fn symptom(s: &Symptom, facts: &Facts, found: &Phrases, wrong_host: bool) -> Option<Explanation> {
    if found.first(&s.unless_text).is_some()
        || (!s.with_text.is_empty() && found.first(&s.with_text).is_none())
    {
        return None;
    }
    if !s.ports.is_empty() && !facts.port.is_some_and(|p| s.ports.contains(&p)) {
        return None;
    }
    if s.tls.is_some() && facts.tls != s.tls {
        return None;
    }
    let host_ok = match s.host {
        None => true,
        Some(HostKind::Loopback) => facts
            .host
            .as_deref()
            .is_some_and(crate::model::is_loopback_host),
        Some(HostKind::Malformed) => facts.host_malformed.is_some(),
        Some(HostKind::Wrong) => wrong_host,
    };
    if !host_ok {
        return None;
    }
    let mut matched: Vec<String> = Vec::new();
    let mut last = false;
    if let Some(e) = s.errors.iter().find(|e| facts.errors.contains(e)) {
        matched.push(e.clone());
    }
    for r in &s.replies {
        if let Some(is_last) = reply_hit(r, facts) {
            last = is_last;
            let m = [r.code.as_deref(), r.enhanced.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            matched.push(m);
            break;
        }
    }
    for list in [&s.text, &s.openssl] {
        if let Some(t) = found.first(list) {
            matched.push(format!("\"{t}\""));
        }
    }
    if matched.is_empty() {
        return None;
    }
    let conditions = [!s.ports.is_empty(), s.tls.is_some(), s.host.is_some()]
        .iter()
        .filter(|b| **b)
        .count() as u32;
    Some(Explanation {
        id: s.id.clone(),
        provider: None,
        provider_name: None,
        matched: matched.join(", "),
        cause: s.cause.clone(),
        fix: s.fix_for(facts.client).to_owned(),
        source: s.source.clone(),
        code: s.code,
        related: s.related.clone(),
        location: None,
        score: s.weight + 2 * matched.len() as u32 + 10 * conditions + if last { 3 } else { 0 },
    })
}

/// The configuration's findings that a matched cause points at come first, in the order of the
/// causes that named them.
fn with_config(out: Vec<Explanation>, c: &ConfigFacts) -> Vec<Explanation> {
    let mut first = Vec::new();
    let mut used = HashSet::new();
    for e in &out {
        let codes = e.code.into_iter().chain(e.related.iter().copied());
        for code in codes {
            for (i, f) in c.findings.iter().enumerate() {
                if f.code == code && used.insert(i) {
                    first.push(Explanation {
                        id: format!("config/{code}"),
                        provider: e.provider.clone(),
                        provider_name: e.provider_name.clone(),
                        matched: e.matched.clone(),
                        cause: f.message.clone(),
                        fix: f.help.clone().unwrap_or_else(|| e.fix.clone()),
                        source: e.source.clone(),
                        code: crate::codes::lookup(code).map(|c| c.code),
                        related: Vec::new(),
                        location: Some(f.location.clone()),
                        score: 1000,
                    });
                }
            }
        }
    }
    first.extend(out);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_replies_and_generic_symptoms() {
        let ps = Providers::builtin().unwrap();
        let e = explain(
            "550 5.7.0 From address is not one of your addresses",
            &ps,
            None,
        );
        assert_eq!(e[0].provider.as_deref(), Some("icloud"));
        let e = explain(
            "534-5.7.9 Application-specific password required",
            &ps,
            Some("gmail"),
        );
        assert!(e[0].cause.contains("app password"), "{e:?}");
        let e = explain(
            "Error: 1408F10B:SSL routines:ssl3_get_record:wrong version number",
            &ps,
            None,
        );
        assert_eq!(e[0].code, Some("tls-mode-mismatch"));
        assert!(explain("250 OK", &ps, None).is_empty());
    }

    #[test]
    fn a_bare_code_needs_the_provider_named() {
        let ps = Providers::builtin().unwrap();
        let e = explain("535 Authentication failed", &ps, None);
        assert!(e.iter().all(|e| e.provider.is_none()), "{e:?}");
        let e = explain(
            "Connecting to smtp.mail.me.com:587\n535 5.7.8 Authentication failed",
            &ps,
            None,
        );
        assert_eq!(e[0].provider.as_deref(), Some("icloud"), "{e:?}");
        let e = explain(
            "Connecting to smtp.gmail.com:587\n535 5.7.8 Authentication failed",
            &ps,
            None,
        );
        assert!(
            e.iter().all(|e| e.provider.as_deref() != Some("icloud")),
            "{e:?}"
        );
    }

    #[test]
    fn a_long_paste_is_read_from_its_end() {
        let text = format!("{}\n535 5.7.8 x", "a".repeat(MAX_PASTE));
        assert_eq!(tail(&text, MAX_PASTE).len(), MAX_PASTE);
        assert!(tail(&text, MAX_PASTE).ends_with("5.7.8 x"));
    }
}
