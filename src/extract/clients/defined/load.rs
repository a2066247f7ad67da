//! From [`super::raw`] to [`super::Definition`]: every word checked, every fact's source
//! named in `sources` (or a URL), errors with the span of the offending value.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_saphyr::Spanned;

use super::raw::{RawDefault, RawDefinition, RawWords};
use super::*;

/// Why a definition does not load: a message and, for YAML text, where.
#[derive(Debug)]
pub struct DefinitionError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// Parse and validate a definition written in YAML.
pub fn parse_yaml(text: &str) -> Result<Definition, DefinitionError> {
    let raw: RawDefinition = serde_saphyr::from_str(text).map_err(|e| {
        let (span, message) = crate::providers::yaml_error(text, &e);
        DefinitionError { span, message }
    })?;
    Check { text }.definition(raw)
}

/// A built-in definition, converted to JSON by build.rs (no spans: the YAML was checked by
/// the tests through [`parse_yaml`]).
pub(super) fn from_json(json: &str) -> Result<Definition, DefinitionError> {
    let raw: RawDefinition = serde_json::from_str(json).map_err(|e| DefinitionError {
        span: None,
        message: e.to_string(),
    })?;
    Check { text: "" }.definition(raw)
}

/// Every field a key can set, by the name definitions use (docs/schema/client.schema.json
/// lists the same names; tests/client_schema.rs compares them).
pub const FIELDS: &[(&str, Field)] = &[
    ("host", Field::Host),
    ("port", Field::Port),
    ("host-port", Field::HostPort),
    ("security", Field::Security),
    ("tls-switch", Field::TlsSwitch),
    ("starttls-variant", Field::StarttlsVariant),
    ("username", Field::Username),
    ("password", Field::Password),
    ("password-ref", Field::PasswordRef),
    ("from", Field::From),
    ("auth", Field::Auth),
    ("skip-verify", Field::SkipVerify),
    ("verify", Field::Verify),
    ("ca-path", Field::CaPath),
    ("implicit-switch", Field::ImplicitSwitch),
    ("starttls-switch", Field::StarttlsSwitch),
    ("starttls-required-switch", Field::StarttlsRequiredSwitch),
    ("trust-hosts", Field::TrustHosts),
];
/// The syntaxes, TLS words, auth words and combiners a definition may name.
pub const SYNTAXES: &[&str] = &[
    "go-ini",
    "git-config",
    "msmtprc",
    "java-properties",
    "json",
    "yaml",
];
pub const SECURITY_WORDS: &[&str] = &[
    "implicit",
    "starttls",
    "starttls-opportunistic",
    "none",
    "not-smtp",
];
pub const AUTH_WORDS: &[&str] = &["password", "encrypted-password", "oauth2", "none", "other"];
pub const COMBINERS: &[&str] = &["tls-variant", "switch-precedence"];
pub const ENV_NAMES: &[&str] = &["section-key", "upper-snake"];

struct Check<'a> {
    text: &'a str,
}

type R<T> = Result<T, DefinitionError>;

impl Check<'_> {
    fn fail<T, U>(&self, at: &Spanned<T>, message: String) -> R<U> {
        let span = (!self.text.is_empty() && at.referenced != serde_saphyr::Location::UNKNOWN)
            .then_some(())
            .and_then(|()| crate::providers::location_span(self.text, at.referenced));
        Err(DefinitionError { span, message })
    }

    fn source(&self, sources: &BTreeMap<String, String>, s: &Spanned<String>) -> R<()> {
        let v = s.value.trim();
        if v.starts_with("https://") || sources.contains_key(v) {
            return Ok(());
        }
        self.fail(
            s,
            format!("source `{v}` is neither a key of `sources` nor an https URL"),
        )
    }

    fn field(&self, s: &Spanned<String>) -> R<Field> {
        match FIELDS.iter().find(|(w, _)| *w == s.value) {
            Some((_, f)) => Ok(*f),
            None => self.fail(s, format!("unknown field `{}`", s.value)),
        }
    }

    fn security(&self, s: &Spanned<String>) -> R<SecurityWord> {
        Ok(SecurityWord::Mode(match s.value.as_str() {
            "implicit" => Security::ImplicitTls,
            "starttls" => Security::StartTls { required: true },
            "starttls-opportunistic" => Security::StartTls { required: false },
            "none" => Security::None,
            "not-smtp" => return Ok(SecurityWord::NotSmtp),
            other => return self.fail(s, format!("unknown TLS mode `{other}`")),
        }))
    }

    fn auth(&self, s: &Spanned<String>) -> R<AuthMethod> {
        Ok(match s.value.as_str() {
            "password" => AuthMethod::Password,
            "encrypted-password" => AuthMethod::EncryptedPassword,
            "oauth2" => AuthMethod::OAuth2,
            "none" => AuthMethod::None,
            "other" => AuthMethod::Other("other".into()),
            other => return self.fail(s, format!("unknown auth method `{other}`")),
        })
    }

    fn words<T: Clone>(
        &self,
        sources: &BTreeMap<String, String>,
        raw: &RawWords,
        one: impl Fn(&Spanned<String>) -> R<T>,
    ) -> R<Words<T>> {
        self.source(sources, &raw.source)?;
        let map = raw
            .map
            .iter()
            .map(|(w, v)| Ok((w.clone(), one(v)?)))
            .collect::<R<Vec<_>>>()?;
        let unknown = match raw.unknown.value.as_str() {
            "error" => Unknown::Error,
            _ => Unknown::FallsBack(one(&raw.unknown)?),
        };
        Ok(Words {
            ignore_case: raw.ignore_case,
            map,
            unknown,
        })
    }

    fn syntax(&self, name: &Spanned<String>) -> R<Syntax> {
        Ok(match name.value.as_str() {
            "go-ini" => Syntax::GoIni,
            "git-config" => Syntax::GitConfig,
            "msmtprc" => Syntax::Msmtprc,
            "java-properties" => Syntax::JavaProperties,
            "json" => Syntax::Json,
            "yaml" => Syntax::Yaml,
            other => return self.fail(name, format!("unknown syntax `{other}`")),
        })
    }

    fn definition(&self, raw: RawDefinition) -> R<Definition> {
        let id = raw.id.value.clone();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return self.fail(
                &raw.id,
                "an id is lower-case letters, digits and `-`".into(),
            );
        }
        let mut sources = BTreeMap::new();
        for (k, v) in &raw.sources {
            if !v.value.starts_with("https://") {
                return self.fail(v, format!("source `{k}` is not an https URL"));
            }
            sources.insert(k.clone(), v.value.clone());
        }
        let syntax = self.syntax(&raw.syntax)?;
        let p = &raw.profiles;
        let subsections = match p.subsections.value.as_str() {
            "none" => Subsections::None,
            "inherit" => Subsections::Inherit,
            "alone" => Subsections::Alone,
            other => return self.fail(&p.subsections, format!("unknown subsections `{other}`")),
        };
        let requires_any = p
            .requires_any
            .iter()
            .map(|f| self.field(f))
            .collect::<R<_>>()?;
        let enabled = match &p.enabled {
            Some(e) => {
                self.source(&sources, &e.source)?;
                Some((e.key.clone(), e.default))
            }
            None => None,
        };
        let enabled_word = p.enabled.as_ref().and_then(|e| e.equals.clone());
        let activation = self.activation(&sources, p)?;
        let keys_ignore_case = match raw.key_case.value.as_str() {
            "sensitive" => false,
            "insensitive" => true,
            other => {
                return self.fail(
                    &raw.key_case,
                    format!("key-case is sensitive or insensitive, not `{other}`"),
                )
            }
        };
        let mut keys = Vec::new();
        for (key, k) in &raw.keys {
            self.source(&sources, &k.source)?;
            keys.push(KeyDef {
                key: key.clone(),
                field: self.field(&k.field)?,
                port_required: k.port_required,
                service_names: k.service_names,
                not_smtp_prefix: k.not_smtp_prefix.clone(),
            });
        }
        let removed = self.removed(&sources, &raw)?;
        let booleans = self.booleans(&sources, &raw)?;
        let mut security = None;
        let mut auth = None;
        for (field, w) in &raw.words {
            match field.as_str() {
                "security" => security = Some(self.words(&sources, w, |s| self.security(s))?),
                "auth" => auth = Some(self.words(&sources, w, |s| self.auth(s))?),
                other => {
                    return self.fail(
                        &w.source,
                        format!("words are for security or auth, not `{other}`"),
                    )
                }
            }
        }
        let defaults = raw
            .defaults
            .iter()
            .map(|d| self.default(&sources, d))
            .collect::<R<_>>()?;
        let combine = raw
            .combine
            .iter()
            .map(|c| match c.value.as_str() {
                "tls-variant" => Ok(Combiner::TlsVariant),
                "switch-precedence" => Ok(Combiner::SwitchPrecedence),
                other => self.fail(c, format!("unknown combiner `{other}`")),
            })
            .collect::<R<_>>()?;
        let env = self.env(&sources, &raw)?;
        Ok(Definition {
            id,
            name: raw.name,
            sources,
            syntax,
            sections: p.sections.clone(),
            label: p.label.clone(),
            subsections,
            requires_any,
            enabled,
            enabled_word,
            activation,
            keys_ignore_case,
            keys,
            removed,
            booleans,
            security,
            auth,
            defaults,
            combine,
            references: raw.references.clone(),
            env,
        })
    }

    fn removed(&self, sources: &BTreeMap<String, String>, raw: &RawDefinition) -> R<Vec<Removed>> {
        let mut removed = Vec::new();
        for r in &raw.removed {
            self.source(sources, &r.source)?;
            removed.push(Removed {
                key: r.key.value.clone(),
                message: r.message.clone(),
                help: r.help.clone(),
                severity: match r.severity.value.as_str() {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    other => {
                        return self.fail(
                            &r.severity,
                            format!("severity is error or warning, not `{other}`"),
                        )
                    }
                },
                read_as: r.read_as.as_ref().map(|f| self.field(f)).transpose()?,
                unless: r.unless.clone(),
            });
        }
        Ok(removed)
    }

    fn activation(
        &self,
        sources: &BTreeMap<String, String>,
        p: &super::raw::RawProfiles,
    ) -> R<Vec<String>> {
        match &p.activation {
            Some(a) => {
                self.source(sources, &a.source)?;
                Ok(a.keys.clone())
            }
            None => Ok(Vec::new()),
        }
    }

    fn env(
        &self,
        sources: &BTreeMap<String, String>,
        raw: &RawDefinition,
    ) -> R<Option<EnvOverrides>> {
        let Some(e) = &raw.env else { return Ok(None) };
        self.source(sources, &e.source)?;
        let names = match e.names.value.as_str() {
            "section-key" => EnvNames::SectionKey,
            "upper-snake" => EnvNames::UpperSnake,
            other => {
                return self.fail(
                    &e.names,
                    format!("env names are section-key or upper-snake, not `{other}`"),
                )
            }
        };
        if e.prefix.is_empty() {
            return self.fail(&e.names, "an env family needs a prefix".into());
        }
        Ok(Some(EnvOverrides {
            prefix: e.prefix.clone(),
            names,
            file_suffix: e.file_suffix.clone().filter(|s| !s.is_empty()),
            skip_empty: e.skip_empty,
            label: e.label.clone(),
        }))
    }

    fn booleans(&self, sources: &BTreeMap<String, String>, raw: &RawDefinition) -> R<Booleans> {
        let b = &raw.booleans;
        self.source(sources, &b.source)?;
        Ok(Booleans {
            yes: b.yes.clone(),
            no: b.no.clone(),
            ignore_case: b.ignore_case,
            unknown_false: match b.unknown.value.as_str() {
                "error" => false,
                "false" => true,
                other => {
                    return self.fail(
                        &b.unknown,
                        format!("unknown is error or false, not `{other}`"),
                    )
                }
            },
        })
    }

    fn default(&self, sources: &BTreeMap<String, String>, d: &RawDefault) -> R<Default> {
        self.source(sources, &d.source)?;
        let field = self.field(&d.field)?;
        let value =
            match (&d.value, &d.copy, field) {
                (Some(v), None, Field::Host) if !v.value.trim().is_empty() => {
                    DefaultValue::Host(v.value.trim().to_owned())
                }
                (Some(v), None, Field::Port) => match v.value.parse::<u16>() {
                    Ok(p) if p > 0 => DefaultValue::Port(p),
                    _ => return self.fail(v, format!("`{}` is not a port", v.value)),
                },
                (Some(v), None, Field::Security) => match self.security(v)? {
                    SecurityWord::Mode(m) => DefaultValue::Security(m),
                    SecurityWord::NotSmtp => {
                        return self.fail(v, "a default TLS mode is a mode".into())
                    }
                },
                (Some(v), None, Field::Auth) => DefaultValue::Auth(self.auth(v)?),
                (None, Some(c), Field::From) => DefaultValue::Copy(self.field(c)?),
                _ => return self.fail(
                    &d.field,
                    "a default is a `value` of host, port, security or auth, or a `copy` for from"
                        .into(),
                ),
            };
        if d.when.len() > 1 {
            return self.fail(&d.field, "`when` holds one condition".into());
        }
        let when = match d.when.iter().next() {
            None => None,
            Some((k, v)) => Some(match (k.as_str(), v.value.as_str()) {
                ("port", "any") => Condition::PortAny,
                ("port", p) => match p.parse::<u16>() {
                    Ok(n) => Condition::Port(n),
                    Err(_) => return self.fail(v, format!("`{p}` is not a port")),
                },
                ("security", _) => match self.security(v)? {
                    SecurityWord::Mode(m) => Condition::Security(m),
                    SecurityWord::NotSmtp => return self.fail(v, "not-smtp has no profile".into()),
                },
                (other, _) => {
                    return self.fail(v, format!("`when` is on port or security, not `{other}`"))
                }
            }),
        };
        Ok(Default {
            field,
            value,
            when,
            overrides: d.overrides,
            message: d.message.clone(),
        })
    }
}
