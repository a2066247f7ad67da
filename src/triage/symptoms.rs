//! Generic symptoms (`rules/symptoms.yaml`, and `symptoms.yaml` / `*.symptoms.yaml` files in a
//! `--rules` folder): what a client error or server reply means whatever the provider. Read
//! with `deny_unknown_fields` like the provider files, and validated: every entry needs at least
//! one signal, a `fix.any`, a known rule code and an http(s) source.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::model::TlsMode;
use crate::providers::RuleError;

/// The built-in symptoms file.
const BUILTIN: &str = include_str!("../../rules/symptoms.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    symptoms: Vec<RawSymptom>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSymptom {
    id: Spanned<String>,
    #[serde(default)]
    errors: Vec<String>,
    #[serde(default)]
    replies: Vec<Spanned<String>>,
    #[serde(default)]
    text: Vec<String>,
    #[serde(default)]
    openssl: Vec<String>,
    #[serde(default)]
    ports: Vec<u16>,
    #[serde(default)]
    tls: Option<TlsMode>,
    #[serde(default)]
    host: Option<HostKind>,
    #[serde(default)]
    with_text: Vec<String>,
    #[serde(default)]
    unless_text: Vec<String>,
    #[serde(default = "default_weight")]
    weight: u32,
    cause: String,
    fix: BTreeMap<String, String>,
    #[serde(default)]
    code: Option<Spanned<String>>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    source: Spanned<String>,
}

fn default_weight() -> u32 {
    50
}

/// What the host named in the paste must look like for a symptom to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    /// `localhost`, `127.0.0.1`, `::1`.
    Loopback,
    /// The host carries quotes, a comma, spaces or a scheme the client does not strip.
    Malformed,
    /// The host is a provider's known wrong guess or near miss (see identify).
    Wrong,
}

/// The client names a `fix` may be given for, besides `any`.
pub const CLIENTS: &[&str] = &[
    "nodemailer",
    "phpmailer",
    "python",
    "django",
    "laravel",
    "symfony",
    "thunderbird",
    "outlook",
    "msmtp",
    "swaks",
    "java",
    "dotnet",
    "curl",
];

/// A reply signal: a reply code (`535`, `5xx` with `x` for any digit), an enhanced status
/// code (`5.7.8`), or both (`535 5.7.8`, meaning one reply carries both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplySignal {
    pub code: Option<String>,
    pub enhanced: Option<String>,
}

impl ReplySignal {
    pub fn parse(s: &str) -> Option<ReplySignal> {
        let mut parts = s.split_whitespace();
        let first = parts.next()?;
        let second = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let is_code = |t: &str| {
            t.len() == 3
                && t.starts_with(['2', '3', '4', '5'])
                && t.bytes().all(|b| b.is_ascii_digit() || b == b'x')
        };
        let is_enhanced = |t: &str| {
            let p: Vec<&str> = t.split('.').collect();
            p.len() == 3
                && matches!(p[0], "2" | "4" | "5")
                && p[1..]
                    .iter()
                    .all(|x| (1..=3).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit()))
        };
        match second {
            None if is_code(first) => Some(ReplySignal {
                code: Some(first.into()),
                enhanced: None,
            }),
            None if is_enhanced(first) => Some(ReplySignal {
                code: None,
                enhanced: Some(first.into()),
            }),
            Some(e) if is_code(first) && is_enhanced(e) => Some(ReplySignal {
                code: Some(first.into()),
                enhanced: Some(e.into()),
            }),
            _ => None,
        }
    }

    /// Does a reply with this code and enhanced code carry the signal?
    pub fn matches(&self, code: Option<u16>, enhanced: Option<&str>) -> bool {
        let code_ok = match (&self.code, code) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(p), Some(c)) => {
                let c = c.to_string();
                p.bytes().zip(c.bytes()).all(|(a, b)| a == b'x' || a == b)
            }
        };
        let enh_ok = match (&self.enhanced, enhanced) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(p), Some(e)) => p == e,
        };
        code_ok && enh_ok
    }
}

/// One generic symptom, validated.
#[derive(Debug, Clone)]
pub struct Symptom {
    pub id: String,
    /// Client error codes (`ETIMEDOUT`), compared whole and case-sensitively.
    pub errors: Vec<String>,
    pub replies: Vec<ReplySignal>,
    /// Phrases, lower-cased; found anywhere in the paste (whitespace runs count as one space).
    pub text: Vec<String>,
    /// OpenSSL reason strings, lower-cased with `_` as space (`wrong version number`).
    pub openssl: Vec<String>,
    pub ports: Vec<u16>,
    pub tls: Option<TlsMode>,
    pub host: Option<HostKind>,
    pub with_text: Vec<String>,
    pub unless_text: Vec<String>,
    pub weight: u32,
    pub cause: String,
    /// Client name (or `any`) -> fix in that client's terms.
    pub fix: BTreeMap<String, String>,
    pub code: Option<&'static str>,
    pub related: Vec<&'static str>,
    pub source: String,
    /// Where it was loaded from (`None` for the built-in file).
    pub origin: Option<PathBuf>,
}

impl Symptom {
    /// The fix in the client's own terms, or the general one.
    pub fn fix_for(&self, client: Option<&str>) -> &str {
        client
            .and_then(|c| self.fix.get(c))
            .or_else(|| self.fix.get("any"))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The built-in symptoms.
pub fn builtin() -> Result<Vec<Symptom>, RuleError> {
    parse(Path::new("rules/symptoms.yaml"), BUILTIN, None)
}

/// Is this file of a rule folder a symptoms file rather than a provider file?
pub fn is_symptoms_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(name, "symptoms.yaml" | "symptoms.yml")
        || name.ends_with(".symptoms.yaml")
        || name.ends_with(".symptoms.yml")
}

/// The built-in symptoms plus those of every symptoms file in the folders; a user entry with a
/// built-in id replaces it.
pub fn load(dirs: &[PathBuf]) -> Result<Vec<Symptom>, RuleError> {
    let mut all = builtin()?;
    for dir in dirs {
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| !p.is_dir() && is_symptoms_file(p))
                .collect(),
            Err(e) => return Err(plain_err(dir, format!("cannot read rule folder: {e}"))),
        };
        paths.sort();
        for path in paths {
            let bytes = crate::input::read_file(&path, crate::input::MAX_SMALL_FILE_SIZE)
                .map_err(|m| plain_err(&path, format!("cannot read symptoms file: {m}")))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| plain_err(&path, "symptoms file is not UTF-8".into()))?;
            for s in parse(&path, &text, Some(path.clone()))? {
                all.retain(|b| b.id != s.id);
                all.push(s);
            }
        }
    }
    Ok(all)
}

fn plain_err(path: &Path, message: String) -> RuleError {
    RuleError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message,
    }
}

/// Parse and validate one symptoms file.
pub fn parse(path: &Path, text: &str, origin: Option<PathBuf>) -> Result<Vec<Symptom>, RuleError> {
    let err = |span: Option<Range<usize>>, message: String| RuleError {
        path: path.to_path_buf(),
        text: text.to_owned(),
        span,
        message,
    };
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
        let (span, message) = crate::providers::yaml_error(text, &e);
        err(span, message)
    })?;
    let at = |s: &Spanned<String>| crate::providers::location_span(text, s.referenced);
    let mut out: Vec<Symptom> = Vec::new();
    for r in raw.symptoms {
        let id = r.id.value.trim().to_owned();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err(at(&r.id), "symptom id must be kebab-case".into()));
        }
        if out.iter().any(|s| s.id == id) {
            return Err(err(at(&r.id), format!("symptom id `{id}` is used twice")));
        }
        let mut replies = Vec::new();
        for s in &r.replies {
            replies.push(ReplySignal::parse(&s.value).ok_or_else(|| {
                err(
                    at(s),
                    format!("`{}` is not a reply code (535, 5xx), an enhanced status code (5.7.8) or both (535 5.7.8)", s.value),
                )
            })?);
        }
        let lower = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|t| normalise(t))
                .filter(|t| !t.is_empty())
                .collect()
        };
        let (text_sig, openssl) = (lower(&r.text), lower(&r.openssl));
        if r.errors.is_empty() && replies.is_empty() && text_sig.is_empty() && openssl.is_empty() {
            return Err(err(
                at(&r.id),
                format!("symptom `{id}` needs at least one of errors, replies, text, openssl"),
            ));
        }
        if !r.fix.contains_key("any") {
            return Err(err(
                at(&r.id),
                format!("symptom `{id}`: fix needs an `any` entry"),
            ));
        }
        if let Some(k) = r
            .fix
            .keys()
            .find(|k| *k != "any" && !CLIENTS.contains(&k.as_str()))
        {
            return Err(err(
                at(&r.id),
                format!(
                    "symptom `{id}`: unknown client `{k}` in fix; known: any, {}",
                    CLIENTS.join(", ")
                ),
            ));
        }
        let code_of = |s: &Spanned<String>| {
            crate::codes::lookup(s.value.trim())
                .map(|c| c.code)
                .ok_or_else(|| {
                    err(
                        at(s),
                        format!("unknown rule code `{}` (see `smtp-doctor rules`)", s.value),
                    )
                })
        };
        let code = r.code.as_ref().map(code_of).transpose()?;
        let related = r
            .related
            .iter()
            .map(code_of)
            .collect::<Result<Vec<_>, _>>()?;
        let src = r.source.value.trim();
        if !(src.starts_with("https://") || src.starts_with("http://")) {
            return Err(err(at(&r.source), "source must be an http(s) URL".into()));
        }
        out.push(Symptom {
            id,
            errors: r.errors.iter().map(|e| e.trim().to_owned()).collect(),
            replies,
            text: text_sig,
            openssl,
            ports: r.ports,
            tls: r.tls,
            host: r.host,
            with_text: lower(&r.with_text),
            unless_text: lower(&r.unless_text),
            weight: r.weight.min(1000),
            cause: r.cause,
            fix: r.fix,
            code,
            related,
            source: src.to_owned(),
            origin: origin.clone(),
        });
    }
    Ok(out)
}

/// Lower case, `_` as space, whitespace runs as one space: the form phrases are compared in.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        let c = if c == '_' { ' ' } else { c };
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.extend(c.to_lowercase());
            space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_symptoms_load() {
        let s = builtin().expect("rules/symptoms.yaml is valid");
        assert!(s.len() >= 30, "{}", s.len());
        assert!(s.iter().all(|s| s.source.starts_with("https://")));
    }

    #[test]
    fn reply_signals() {
        let s = ReplySignal::parse("535 5.7.8").unwrap();
        assert!(s.matches(Some(535), Some("5.7.8")));
        assert!(!s.matches(Some(535), Some("5.7.3")));
        assert!(ReplySignal::parse("4xx").unwrap().matches(Some(451), None));
        assert!(!ReplySignal::parse("4xx").unwrap().matches(Some(551), None));
        assert!(ReplySignal::parse("5.7.139")
            .unwrap()
            .matches(Some(535), Some("5.7.139")));
        assert!(ReplySignal::parse("hello").is_none());
        assert!(ReplySignal::parse("5.7").is_none());
    }

    #[test]
    fn bad_files_are_errors_at_the_value() {
        let e = parse(
            Path::new("x.yaml"),
            "symptoms:\n  - id: a\n    cause: c\n    fix: {any: f}\n    source: https://x\n",
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("at least one"), "{}", e.message);
        let e = parse(Path::new("x.yaml"), "symptoms:\n  - id: a\n    replies: [\"53\"]\n    cause: c\n    fix: {any: f}\n    source: https://x\n", None).unwrap_err();
        assert!(e.message.contains("not a reply code"), "{}", e.message);
        let e = parse(Path::new("x.yaml"), "symptoms:\n  - id: a\n    text: [x]\n    cause: c\n    fix: {any: f}\n    code: nope\n    source: https://x\n", None).unwrap_err();
        assert!(e.message.contains("unknown rule code"), "{}", e.message);
        let e = parse(
            Path::new("x.yaml"),
            "symptoms:\n  - id: a\n    text: [x]\n    colour: red\n",
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("colour"), "{}", e.message);
    }
}
