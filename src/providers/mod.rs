//! Provider rules: YAML facts about a mail provider, validated into typed [`Provider`]s.
//!
//! Built-in providers are compiled into the binary ([`builtin`]); `--rules DIR` adds a user's
//! own files (a company relay) through the same validation. A broken file is a [`RuleError`]
//! with the byte span of the problem in the YAML, never a panic.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::finding::Severity;
use crate::model::TlsMode;

pub mod builtin;
pub mod raw;
mod validate;

use validate::Validator;
pub use validate::{location_span, yaml_error};

pub use raw::{FromPolicy, PasswordKind, Protocol, UsernameForm};

/// A provider file that could not be loaded.
#[derive(Debug, Clone)]
pub struct RuleError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// A host, domain or MX name pattern: exact, or with `*` standing for one or more characters;
/// a trailing `.*` stands for a top-level domain (`outlook.*`: outlook.de, outlook.co.uk), not
/// for any name. Matched by hand: compiling a regex per pattern cost more than a whole check.
#[derive(Debug, Clone)]
pub struct NamePattern {
    pub text: String,
    wildcard: bool,
}

/// Longest name pattern a rule may hold: the longest DNS name (253 characters).
pub const MAX_PATTERN_LEN: usize = 253;

/// `*` = one or more characters, each `*` independently: classic wildcard matching with
/// non-empty stars. Greedy with one backtrack point (the last star), so a pattern such as
/// `a*a*a*a*b` costs at most O(pattern x name) steps, never an exponential search. Patterns
/// are ASCII (checked when loaded), so matching bytes is matching characters: a literal never
/// matches inside a multi-byte character.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), name.as_bytes());
    // Each star must take one character: it first takes exactly one, then grows.
    let (mut pi, mut si) = (0, 0);
    // (index of the last star in p, where its match ends in s)
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            // The star takes s[si] and nothing more, for now.
            star = Some((pi, si + 1));
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, end)) = star {
            // Let the last star take one more character and retry what followed it.
            if end >= s.len() {
                return false;
            }
            star = Some((sp, end + 1));
            pi = sp + 1;
            si = end + 1;
        } else {
            return false;
        }
    }
    pi == p.len()
}

/// `de`, `com`, `co.uk`: a top-level label of two or more letters, optionally after a two-letter
/// second level.
fn is_tld(s: &str) -> bool {
    let letters = |x: &str, min: usize| x.len() >= min && x.bytes().all(|b| b.is_ascii_lowercase());
    match s.split_once('.') {
        None => letters(s, 2),
        Some((a, b)) => letters(a, 2) && b.len() == 2 && letters(b, 2),
    }
}

impl NamePattern {
    fn new(text: &str) -> Result<Self, String> {
        let text = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if text.is_empty() {
            return Err("empty name".into());
        }
        if text.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "name pattern is {} characters long; at most {MAX_PATTERN_LEN} (the longest host name)",
                text.len()
            ));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.*_".contains(&b))
        {
            return Err(format!(
                "`{text}` is not a host name pattern (letters, digits, `-`, `.` and `*` only)"
            ));
        }
        let wildcard = text.contains('*');
        Ok(NamePattern { text, wildcard })
    }

    pub fn matches(&self, name: &str) -> bool {
        if !self.wildcard {
            return self.text == name;
        }
        match self.text.strip_suffix(".*") {
            Some(head) => {
                // Try the last label, then the last two, as the top-level domain.
                let dots: Vec<usize> = name.match_indices('.').map(|(i, _)| i).collect();
                dots.iter()
                    .rev()
                    .take(2)
                    .any(|&d| is_tld(&name[d + 1..]) && wildcard_match(head, &name[..d]))
            }
            None => wildcard_match(&self.text, name),
        }
    }

    pub fn is_exact(&self) -> bool {
        !self.wildcard
    }
}

#[derive(Debug, Clone)]
pub struct WrongHost {
    pub host: NamePattern,
    pub reason: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Incoming {
    pub host: NamePattern,
    pub port: u16,
    pub protocol: Protocol,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub port: u16,
    pub tls: TlsMode,
    pub documented: bool,
    pub note: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct NotOffered {
    pub port: u16,
    pub symptom: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Password {
    pub kind: PasswordKind,
    pub pattern: Option<LazyRegex>,
    pub describe: String,
    pub how: String,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Auth {
    pub required: bool,
    pub mechanisms: Vec<String>,
    pub username: UsernameForm,
    /// The exact user name required, or a pattern it must match (`username-literal`,
    /// `username-pattern`); checked by `username-mismatch`.
    pub username_rule: Option<UsernameRule>,
    pub password: Password,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct From {
    pub policy: FromPolicy,
    pub alias_domains: Vec<NamePattern>,
    pub other_address: Severity,
    pub custom_domain: Severity,
    pub foreign_domain: Severity,
    pub explain: String,
    pub reply: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub messages_per_day: Option<u32>,
    pub messages_per_minute: Option<u32>,
    pub recipients_per_day: Option<u32>,
    pub recipients_per_message: Option<u32>,
    pub message_size_mb: Option<u32>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub matches: String,
    pub cause: String,
    pub fix: String,
    /// The rule code of the mistake behind the reply, if one fits.
    pub code: Option<String>,
    pub source: String,
}

/// Where a provider's rules came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleOrigin {
    Builtin,
    User(PathBuf),
}

/// A regular expression compiled on first use.
#[derive(Clone)]
pub struct LazyRegex {
    source: String,
    cell: std::sync::OnceLock<Option<Regex>>,
}

impl LazyRegex {
    fn new(source: &str) -> Self {
        LazyRegex {
            source: source.to_owned(),
            cell: std::sync::OnceLock::new(),
        }
    }

    fn compiled(re: Regex) -> Self {
        let cell = std::sync::OnceLock::new();
        let source = re.as_str().to_owned();
        let _ = cell.set(Some(re));
        LazyRegex { source, cell }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled expression; `None` if it does not compile (only possible for built-in
    /// rules, which a test compiles).
    pub fn get(&self) -> Option<&Regex> {
        self.cell
            .get_or_init(|| Regex::new(&self.source).ok())
            .as_ref()
    }

    /// Does the text match? An expression that does not compile matches everything, so a
    /// broken pattern never produces a finding.
    pub fn is_match(&self, text: &str) -> bool {
        self.get().is_none_or(|re| re.is_match(text))
    }
}

impl std::fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LazyRegex({:?})", self.source)
    }
}

/// A user name the provider prescribes beyond its form.
#[derive(Debug, Clone)]
pub enum UsernameRule {
    /// Exactly this name (SendGrid's `apikey`).
    Literal(String),
    /// A name matching this expression, how to describe it, and a sample of one.
    Pattern {
        regex: LazyRegex,
        describe: String,
        example: Option<String>,
    },
}

/// A validated provider.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub origin: RuleOrigin,
    /// Generated from Thunderbird's ISPDB (`rules/ispdb/`) rather than written by hand; a
    /// curated or user provider with the same SMTP host replaces it.
    pub generated: bool,
    pub sources: BTreeMap<String, String>,
    pub smtp_hosts: Vec<NamePattern>,
    pub domains: Vec<NamePattern>,
    pub mx: Vec<NamePattern>,
    pub wrong_hosts: Vec<WrongHost>,
    pub recognise_source: String,
    pub incoming: Vec<Incoming>,
    pub submission: Vec<Endpoint>,
    pub not_offered: Vec<NotOffered>,
    pub auth: Auth,
    pub from: Option<From>,
    pub limits: Option<Limits>,
    pub replies: Vec<Reply>,
}

impl Provider {
    pub fn endpoint(&self, port: u16) -> Option<&Endpoint> {
        self.submission.iter().find(|e| e.port == port)
    }

    /// The documented endpoints, e.g. "587 with STARTTLS or 465 with implicit TLS".
    pub fn documented_endpoints(&self) -> String {
        let documented = self.submission.iter().any(|e| e.documented);
        let parts: Vec<String> = self
            .submission
            .iter()
            .filter(|e| e.documented || !documented)
            .map(|e| format!("{} with {}", e.port, e.tls))
            .collect();
        join_or(&parts)
    }

    /// The first SMTP host named exactly (not by a pattern), if there is one.
    pub fn exact_host(&self) -> Option<&str> {
        self.smtp_hosts
            .iter()
            .find(|h| h.is_exact())
            .map(|h| h.text.as_str())
    }

    pub fn primary_host(&self) -> &str {
        self.smtp_hosts
            .iter()
            .find(|h| h.is_exact())
            .map(|h| h.text.as_str())
            .unwrap_or("the provider's SMTP host")
    }

    pub fn owns_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.matches(domain))
    }

    pub fn is_smtp_host(&self, host: &str) -> bool {
        self.smtp_hosts.iter().any(|h| h.matches(host))
    }

    /// The URL a source key stands for (a URL given directly is returned as is).
    pub fn source_url<'a>(&'a self, key: &'a str) -> &'a str {
        self.sources.get(key).map(String::as_str).unwrap_or(key)
    }
}

/// "a", "a or b", "a, b or c".
pub fn join_or(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// All providers of a run.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    pub list: Vec<Provider>,
    /// Custom domains whose MX records name a provider (mail domain -> provider id), learned
    /// by the probe step's DNS lookups (`--probe`): such a domain counts as that provider's.
    pub mx_domains: BTreeMap<String, String>,
}

impl Providers {
    /// The built-in providers (compiled into the binary).
    pub fn builtin() -> Result<Self, RuleError> {
        let mut list = Vec::new();
        for (name, json) in builtin::FILES {
            let mut provider = builtin_file(name, json)?;
            provider.generated = name.starts_with("ispdb/");
            list.push(provider);
        }
        let mut providers = Providers {
            list,
            mx_domains: BTreeMap::new(),
        };
        providers.prefer_curated();
        Ok(providers)
    }

    /// Curated (and user) rules override generated ones: a generated provider that shares an
    /// exact SMTP host with a curated one is dropped, and a mail domain a curated provider owns
    /// is taken out of the generated ones (the first generated file keeps a domain two share).
    fn prefer_curated(&mut self) {
        if !self.list.iter().any(|p| p.generated) {
            return;
        }
        let curated: Vec<&Provider> = self.list.iter().filter(|p| !p.generated).collect();
        // Exact names in sets; only the few wildcard patterns are matched one by one.
        let exact = |pats: &mut dyn Iterator<Item = &NamePattern>| {
            let (mut set, mut wild) = (std::collections::HashSet::new(), Vec::new());
            for p in pats {
                if p.is_exact() {
                    set.insert(p.text.clone());
                } else {
                    wild.push(p.clone());
                }
            }
            (set, wild)
        };
        let (hosts, wild_hosts) = exact(&mut curated.iter().flat_map(|c| &c.smtp_hosts));
        let (mut owned, wild_domains) = exact(&mut curated.iter().flat_map(|c| &c.domains));
        let curated_host = |h: &str| hosts.contains(h) || wild_hosts.iter().any(|w| w.matches(h));
        let drop: Vec<bool> = self
            .list
            .iter()
            .map(|p| {
                p.generated
                    && p.smtp_hosts
                        .iter()
                        .any(|h| h.is_exact() && curated_host(&h.text))
            })
            .collect();
        for (p, dropped) in self.list.iter_mut().zip(&drop) {
            if !p.generated || *dropped {
                continue;
            }
            p.domains.retain(|d| {
                !owned.contains(&d.text) && !wild_domains.iter().any(|w| w.matches(&d.text))
            });
            owned.extend(p.domains.iter().map(|d| d.text.clone()));
        }
        let mut keep = drop.iter().map(|d| !d);
        self.list.retain(|_| keep.next().unwrap_or(true));
    }

    /// Add every `*.yaml` / `*.yml` file of a folder. A user file whose id matches a built-in
    /// provider replaces it.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), RuleError> {
        let io_err = |path: &Path, e: std::io::Error| RuleError {
            path: path.to_path_buf(),
            text: String::new(),
            span: None,
            message: format!("cannot read rule folder: {e}"),
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io_err(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            // Anything but a folder named *.yaml is read, so that a FIFO or a device is an
            // error rather than skipped in silence.
            // Symptoms files (`symptoms.yaml`, `*.symptoms.yaml`) are read by triage.
            .filter(|p| {
                !p.is_dir()
                    && !crate::triage::symptoms::is_symptoms_file(p)
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("yaml") | Some("yml")
                    )
            })
            .collect();
        paths.sort();
        let mut seen: Vec<String> = Vec::new();
        for path in paths {
            // Regular files only, and never more than 1 MiB read (src/input.rs).
            let bytes =
                crate::input::read_file(&path, crate::input::MAX_SMALL_FILE_SIZE).map_err(|m| {
                    RuleError {
                        path: path.clone(),
                        text: String::new(),
                        span: None,
                        message: if m.starts_with("file is larger") {
                            "rule file is larger than 1 MiB".into()
                        } else {
                            format!("cannot read rule file: {m}")
                        },
                    }
                })?;
            let text = String::from_utf8(bytes).map_err(|e| RuleError {
                path: path.clone(),
                text: String::new(),
                span: None,
                message: format!(
                    "rule file is not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            })?;
            let provider = parse(path.clone(), &text, RuleOrigin::User(path.clone()))?;
            if seen.contains(&provider.id) {
                return Err(RuleError {
                    path,
                    text,
                    span: None,
                    message: format!(
                        "provider id `{}` is already defined by another file in {}",
                        provider.id,
                        dir.display()
                    ),
                });
            }
            seen.push(provider.id.clone());
            self.list.retain(|p| p.id != provider.id);
            self.list.push(provider);
        }
        self.prefer_curated();
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.id == id)
    }

    /// The provider whose SMTP host this is.
    pub fn by_smtp_host(&self, host: &str) -> Option<&Provider> {
        // Exact names win over patterns.
        self.list
            .iter()
            .find(|p| p.smtp_hosts.iter().any(|h| h.is_exact() && h.matches(host)))
            .or_else(|| self.list.iter().find(|p| p.is_smtp_host(host)))
    }

    /// The provider that owns a mail domain: by its rules, else by the domain's MX records
    /// when the run looked them up (a custom domain at Google Workspace, Microsoft 365, ...).
    pub fn by_domain(&self, domain: &str) -> Option<&Provider> {
        self.list
            .iter()
            .find(|p| p.owns_domain(domain))
            .or_else(|| self.by_mx_domain(domain))
    }

    /// The provider a custom domain's MX records named, if the run looked them up.
    pub fn by_mx_domain(&self, domain: &str) -> Option<&Provider> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        self.mx_domains.get(&domain).and_then(|id| self.get(id))
    }

    /// Does `provider` own `domain`, by its rules or by the domain's MX records?
    pub fn owns(&self, provider: &Provider, domain: &str) -> bool {
        provider.owns_domain(domain)
            || self
                .by_mx_domain(domain)
                .is_some_and(|p| p.id == provider.id)
    }
}

/// One built-in file, from the JSON build.rs made of it.
fn builtin_file(name: &str, json: &str) -> Result<Provider, RuleError> {
    let path = Path::new("rules").join(name);
    let raw: raw::RawProvider = serde_json::from_str(json).map_err(|e| RuleError {
        path: path.clone(),
        text: String::new(),
        span: None,
        message: e.to_string(),
    })?;
    let err = |_span: Option<Range<usize>>, message: String| RuleError {
        path: path.clone(),
        text: String::new(),
        span: None,
        message,
    };
    Validator {
        text: "",
        err: &err,
    }
    .provider(raw, RuleOrigin::Builtin)
}

/// Parse and validate one provider file.
pub fn parse(path: PathBuf, text: &str, origin: RuleOrigin) -> Result<Provider, RuleError> {
    let err = |span: Option<Range<usize>>, message: String| RuleError {
        path: path.clone(),
        text: text.to_owned(),
        span,
        message,
    };
    let raw: raw::RawProvider = serde_saphyr::from_str(text).map_err(|e| {
        let (span, message) = yaml_error(text, &e);
        err(span, message)
    })?;
    Validator { text, err: &err }.provider(raw, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_providers_load() {
        let p = Providers::builtin().expect("built-in rules are valid");
        assert!(p.get("icloud").is_some() && p.get("gmail").is_some());
        assert_eq!(p.by_smtp_host("smtp.mail.me.com").unwrap().id, "icloud");
        assert_eq!(p.by_domain("hotmail.co.uk").unwrap().id, "outlook");
        assert_eq!(
            p.by_domain("contoso.onmicrosoft.com").unwrap().id,
            "microsoft365"
        );
    }

    #[test]
    fn builtin_table_is_every_rule_file_and_matches_the_yaml() {
        let mut on_disk: Vec<String> = std::fs::read_dir("rules")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") && n != "symptoms.yaml")
            .collect();
        on_disk.sort();
        let mut generated: Vec<String> = std::fs::read_dir("rules/ispdb")
            .unwrap()
            .map(|e| format!("ispdb/{}", e.unwrap().file_name().to_string_lossy()))
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        generated.sort();
        on_disk.extend(generated);
        let table: Vec<String> = builtin::FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(table, on_disk);
        for (name, json) in builtin::FILES {
            let yaml = std::fs::read_to_string(Path::new("rules").join(name)).unwrap();
            let from_yaml =
                parse(name.into(), &yaml, RuleOrigin::Builtin).expect("valid YAML rules");
            let from_json = builtin_file(name, json).unwrap();
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "{name}");
        }
    }

    #[test]
    fn every_builtin_password_pattern_compiles() {
        for p in Providers::builtin().unwrap().list {
            if let Some(re) = &p.auth.password.pattern {
                assert!(re.get().is_some(), "{}: {}", p.id, re.as_str());
            }
            if let Some(UsernameRule::Pattern { regex, example, .. }) = &p.auth.username_rule {
                assert!(regex.get().is_some(), "{}: {}", p.id, regex.as_str());
                if let Some(e) = example {
                    assert!(regex.is_match(e), "{}: {e}", p.id);
                }
            }
        }
    }

    #[test]
    fn username_literal_and_pattern() {
        let lit = MIN.replace("username: any,", "username: any, username-literal: apikey,");
        let p = parse("t.yaml".into(), &lit, RuleOrigin::Builtin).unwrap();
        assert!(matches!(&p.auth.username_rule, Some(UsernameRule::Literal(n)) if n == "apikey"));
        let pat = MIN.replace(
            "username: any,",
            "username: any, username-pattern: '^AKIA[0-9A-Z]{16}$', username-describe: an access key id,",
        );
        let p = parse("t.yaml".into(), &pat, RuleOrigin::Builtin).unwrap();
        let Some(UsernameRule::Pattern {
            regex, describe, ..
        }) = &p.auth.username_rule
        else {
            panic!("{:?}", p.auth.username_rule)
        };
        assert!(regex.is_match("AKIAIOSFODNN7EXAMPLE") && !regex.is_match("jane@example.com"));
        assert_eq!(describe, "an access key id");
        let both = MIN.replace(
            "username: any,",
            "username: any, username-literal: apikey, username-pattern: x,",
        );
        let e = load_err(&both);
        assert!(e.message.contains("not both"), "{}", e.message);
        let bad = MIN.replace("username: any,", "username: any, username-pattern: '[a-',");
        let e = load_err(&bad);
        assert!(
            e.message.contains("invalid username pattern"),
            "{}",
            e.message
        );
        assert_eq!(&bad[e.span.unwrap()], "'[a-'");
    }

    #[test]
    fn patterns() {
        let p = NamePattern::new("*.mail.protection.outlook.com").unwrap();
        assert!(p.matches("contoso-com.mail.protection.outlook.com"));
        assert!(!p.matches("mail.protection.outlook.com"));
        assert!(NamePattern::new("bad host").is_err());
        let tld = NamePattern::new("outlook.*").unwrap();
        assert!(tld.matches("outlook.de") && tld.matches("outlook.co.uk"));
        assert!(!tld.matches("outlook.acme.com"));
        let ses = NamePattern::new("email-smtp.*.amazonaws.com").unwrap();
        assert!(ses.matches("email-smtp.eu-west-1.amazonaws.com"));
        assert!(
            !ses.matches("email-smtp..amazonaws.com") && !ses.matches("email-smtp.amazonaws.com")
        );
        let two = NamePattern::new("mx*.zoho.*").unwrap();
        assert!(two.matches("mx2.zoho.eu") && two.matches("mx3.zoho.com.au"));
        assert!(!two.matches("mx.zoho.eu"));
    }

    #[test]
    fn wildcards_take_one_or_more_characters() {
        assert!(wildcard_match("a*c", "abc") && wildcard_match("a*c", "abbbc"));
        assert!(!wildcard_match("a*c", "ac") && !wildcard_match("a*", "a"));
        assert!(wildcard_match("*.b.c", "x.y.b.c") && !wildcard_match("*.b.c", ".b.c"));
        assert!(wildcard_match("*a*b", "xaab") && !wildcard_match("*a*b", "aab"));
        assert!(wildcard_match("*", "é") && wildcard_match("x*y", "xéy"));
        assert!(!wildcard_match("x*y", "xy") && !wildcard_match("", "x"));
    }

    #[test]
    fn pathological_pattern_is_not_exponential() {
        // Recursive matching took exponential time on this (issue #9); now it returns at once.
        let pattern = format!("{}b", "a*".repeat(60));
        let name = "a".repeat(5000);
        assert!(!wildcard_match(&pattern, &name));
        assert!(wildcard_match(&pattern, &format!("{name}xb")));
        let p = NamePattern::new(&pattern).unwrap();
        assert!(!p.matches(&name));
    }

    #[test]
    fn over_long_pattern_is_a_rule_error_at_the_value() {
        let long = format!("{}b", "a*".repeat(200));
        let yaml = MIN.replace(
            "smtp-hosts: [smtp.example.com]",
            &format!("smtp-hosts: [{long}]"),
        );
        let e = load_err(&yaml);
        assert!(e.message.contains("at most 253"), "{}", e.message);
        assert_eq!(&yaml[e.span.unwrap()], long);
    }

    fn load_err(yaml: &str) -> RuleError {
        parse("t.yaml".into(), yaml, RuleOrigin::User("t.yaml".into())).unwrap_err()
    }

    const MIN: &str = "id: relay\nname: Relay\nsources: {doc: https://example.com}\nrecognise: {smtp-hosts: [smtp.example.com], source: doc}\nsubmission: [{port: 587, tls: starttls, source: doc}]\nauth: {required: true, mechanisms: [plain], username: any, password: {kind: account, describe: x, how: y, source: doc}, source: doc}\n";

    #[test]
    fn minimal_file_loads() {
        parse("t.yaml".into(), MIN, RuleOrigin::Builtin).unwrap();
    }

    #[test]
    fn unknown_key_points_at_it() {
        let yaml = format!("{MIN}colour: blue\n");
        let e = load_err(&yaml);
        assert!(e.message.contains("colour"), "{}", e.message);
        let span = e.span.expect("span");
        assert_eq!(&yaml[span.start..span.start + 6], "colour");
    }

    #[test]
    fn unknown_source_and_bad_regex_point_at_the_value() {
        let yaml = MIN.replace(
            "tls: starttls, source: doc",
            "tls: starttls, source: nowhere",
        );
        let e = load_err(&yaml);
        assert!(
            e.message.contains("unknown source `nowhere`"),
            "{}",
            e.message
        );
        assert_eq!(&yaml[e.span.unwrap()], "nowhere");

        let yaml = MIN.replace("kind: account,", "kind: account, pattern: '[a-',");
        let e = load_err(&yaml);
        assert!(
            e.message.contains("invalid password pattern"),
            "{}",
            e.message
        );
    }

    #[test]
    fn wrong_type_is_an_error_not_a_panic() {
        let e = load_err(&MIN.replace("port: 587", "port: lots"));
        assert!(e.span.is_some(), "{e:?}");
        let e = load_err("- just\n- a list\n");
        assert!(!e.message.is_empty());
        let e = load_err("a: [unclosed\n");
        assert!(!e.message.is_empty());
    }
}
