//! The provider YAML exactly as written: serde types with `deny_unknown_fields`, so unknown keys
//! and wrong types are errors with a location. `super::validate` turns these into typed rules.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::finding::Severity;
use crate::model::TlsMode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProvider {
    pub id: Spanned<String>,
    pub name: String,
    /// Source key -> URL. Facts name a key (or give a URL directly).
    pub sources: BTreeMap<String, Spanned<String>>,
    pub recognise: RawRecognise,
    #[serde(default)]
    pub incoming: Vec<RawIncoming>,
    pub submission: Vec<RawEndpoint>,
    #[serde(default)]
    pub not_offered: Vec<RawNotOffered>,
    pub auth: RawAuth,
    #[serde(default)]
    pub from: Option<RawFrom>,
    #[serde(default)]
    pub limits: Option<RawLimits>,
    #[serde(default)]
    pub replies: Vec<RawReply>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRecognise {
    pub smtp_hosts: Vec<Spanned<String>>,
    #[serde(default)]
    pub domains: Vec<Spanned<String>>,
    #[serde(default)]
    pub mx: Vec<Spanned<String>>,
    #[serde(default)]
    pub wrong_hosts: Vec<RawWrongHost>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWrongHost {
    pub host: Spanned<String>,
    pub reason: String,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawIncoming {
    pub host: Spanned<String>,
    pub port: u16,
    pub protocol: Protocol,
    pub source: Spanned<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    Imap,
    Pop3,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEndpoint {
    pub port: Spanned<u16>,
    pub tls: TlsMode,
    #[serde(default = "yes")]
    pub documented: bool,
    #[serde(default)]
    pub note: Option<String>,
    pub source: Spanned<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawNotOffered {
    pub port: Spanned<u16>,
    pub symptom: String,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAuth {
    pub required: bool,
    pub mechanisms: Vec<Spanned<String>>,
    pub username: UsernameForm,
    /// The one user name the provider accepts (SendGrid: `apikey`).
    #[serde(default)]
    pub username_literal: Option<Spanned<String>>,
    /// A regular expression the user name must match (SES SMTP credentials: `^AKIA...`).
    #[serde(default)]
    pub username_pattern: Option<Spanned<String>>,
    /// What the right user name looks like, for messages (with `username-pattern`).
    #[serde(default)]
    pub username_describe: Option<String>,
    /// A sample user name that matches `username-pattern`, for `smtp-doctor settings`.
    #[serde(default)]
    pub username_example: Option<Spanned<String>>,
    pub password: RawPassword,
    pub source: Spanned<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsernameForm {
    /// `name@domain`
    FullAddress,
    /// only the part before `@`
    LocalPart,
    /// whatever the provider issued (API users, tokens)
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordKind {
    /// The account's own password works.
    Account,
    /// Only an app-specific password works (the account password is refused).
    AppSpecific,
    /// An API key or SMTP token issued by the provider.
    ApiKey,
    /// Only OAuth2 works; any password is refused.
    Oauth2Only,
    /// Passwords still work but are being retired in favour of OAuth2.
    Oauth2Preferred,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPassword {
    pub kind: PasswordKind,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// What the right password looks like, for messages.
    pub describe: String,
    /// How to get one, for help texts.
    pub how: String,
    pub source: Spanned<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FromPolicy {
    /// MAIL FROM / From must be an address of the account; others are refused.
    OwnAddresses,
    /// A foreign From is not refused but replaced by the account's address.
    Rewritten,
    /// Any address or domain verified with the provider.
    VerifiedIdentities,
    /// No restriction.
    Any,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFrom {
    pub policy: FromPolicy,
    #[serde(default)]
    pub alias_domains: Vec<Spanned<String>>,
    /// Severity when From is another address in the provider's own domains.
    pub other_address: Severity,
    /// Severity when From is in a domain no known provider owns (maybe a custom domain).
    pub custom_domain: Severity,
    /// Severity when From is in a domain another known provider owns.
    pub foreign_domain: Severity,
    pub explain: String,
    #[serde(default)]
    pub reply: Option<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLimits {
    #[serde(default)]
    pub messages_per_day: Option<u32>,
    #[serde(default)]
    pub messages_per_minute: Option<u32>,
    #[serde(default)]
    pub recipients_per_day: Option<u32>,
    #[serde(default)]
    pub recipients_per_message: Option<u32>,
    #[serde(default)]
    pub message_size_mb: Option<u32>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReply {
    /// Text that identifies the reply (a status code like `5.7.9` or a stable phrase).
    #[serde(rename = "match")]
    pub matches: String,
    pub cause: String,
    pub fix: String,
    /// The rule code whose page explains the mistake behind the reply.
    #[serde(default)]
    pub code: Option<Spanned<String>>,
    pub source: Spanned<String>,
}
