//! A client definition exactly as written in `clients/<id>.yaml`: serde types with
//! `deny_unknown_fields`, so an unknown key or a wrong type is an error with a location.
//! `super::load` checks what serde cannot (sources named, words known, ports in range) and
//! turns these into [`super::Definition`]s.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDefinition {
    pub id: Spanned<String>,
    pub name: String,
    /// Source key -> URL; every fact below names a key (or gives a URL).
    pub sources: BTreeMap<String, Spanned<String>>,
    pub syntax: Spanned<String>,
    pub profiles: RawProfiles,
    /// `sensitive` (go-ini) or `insensitive` (git): how keys of the file are matched.
    pub key_case: Spanned<String>,
    pub keys: BTreeMap<String, RawKey>,
    #[serde(default)]
    pub removed: Vec<RawRemoved>,
    pub booleans: RawBooleans,
    #[serde(default)]
    pub words: BTreeMap<String, RawWords>,
    #[serde(default)]
    pub defaults: Vec<RawDefault>,
    #[serde(default)]
    pub combine: Vec<Spanned<String>>,
    /// Value prefixes that mean "filled in elsewhere" (`${MAIL_PASSWORD}`): such a value is not
    /// read, and is not a secret.
    #[serde(default)]
    pub references: Vec<String>,
    /// Environment variables that override the file's keys (`GITEA__mailer__SMTP_ADDR`,
    /// `GF_SMTP_HOST`), read from `.env` files.
    #[serde(default)]
    pub env: Option<RawEnv>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEnv {
    /// Every variable of the family starts with it.
    pub prefix: String,
    /// How a variable's name gives section and key: `section-key` (`SECTION__KEY`, `_0X2E_`
    /// escapes, section lower-cased: Gitea) or `upper-snake` (section and key upper-cased,
    /// `.` and `-` as `_`, joined by `_`: Grafana).
    pub names: Spanned<String>,
    /// A name ending with this holds the path of a file with the value (a reference).
    #[serde(default)]
    pub file_suffix: Option<String>,
    /// An empty variable leaves the file's value as it is (Grafana).
    #[serde(default)]
    pub skip_empty: bool,
    /// The profile's name.
    pub label: String,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProfiles {
    /// Sections (the first part of a table's path) that hold a profile.
    pub sections: Vec<String>,
    /// The profile's name for keys outside any section (section `""`).
    #[serde(default)]
    pub label: Option<String>,
    /// What `[section "sub"]` tables are: `none` (ignored), `inherit` (a profile that reads the
    /// section's keys and overrides them, git's `sendemail.<identity>.*`) or `alone` (a profile
    /// of its own, msmtp's accounts).
    #[serde(default = "none")]
    pub subsections: Spanned<String>,
    /// Fields without which a table is not a profile.
    pub requires_any: Vec<Spanned<String>>,
    /// A switch that turns the program's mail off; a profile that is off is not checked.
    #[serde(default)]
    pub enabled: Option<RawEnabled>,
    /// Keys that make a document of a multi-document file (YAML `---`) apply only under a
    /// named profile, over the documents without them (Spring's
    /// `spring.config.activate.on-profile`): each such document is a profile of its own.
    #[serde(default)]
    pub activation: Option<RawActivation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawActivation {
    pub keys: Vec<String>,
    pub source: Spanned<String>,
}

fn none() -> Spanned<String> {
    Spanned {
        value: "none".to_owned(),
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEnabled {
    pub key: String,
    pub default: bool,
    #[serde(default)]
    pub equals: Option<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawKey {
    pub field: Spanned<String>,
    pub source: Spanned<String>,
    /// For `host-port`: the program refuses a value without a port.
    #[serde(default)]
    pub port_required: bool,
    /// For `port`: service names (`submission`, `smtps`) are accepted as the program does.
    #[serde(default)]
    pub service_names: bool,
    /// For `host`: a value starting with this is a local program, not an SMTP server.
    #[serde(default)]
    pub not_smtp_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRemoved {
    pub key: Spanned<String>,
    /// What the program says or does about the key (shown in the finding).
    pub message: String,
    pub help: String,
    /// `error`: the program refuses to start; `warning`: it reads the key with a complaint.
    pub severity: Spanned<String>,
    /// The field older versions read it as, so the other checks still see the value.
    #[serde(default)]
    pub read_as: Option<Spanned<String>>,
    /// Read only when this (newer) key is absent.
    #[serde(default)]
    pub unless: Option<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBooleans {
    #[serde(rename = "true")]
    pub yes: Vec<String>,
    #[serde(rename = "false")]
    pub no: Vec<String>,
    #[serde(default)]
    pub ignore_case: bool,
    /// `error` (the program refuses the value) or `false` (it silently reads false).
    pub unknown: Spanned<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawWords {
    #[serde(default)]
    pub ignore_case: bool,
    /// Word -> value (`implicit`, `starttls`, `starttls-opportunistic`, `none`, `not-smtp` for
    /// `security`; `password`, `encrypted-password`, `oauth2`, `none`, `other` for `auth`).
    pub map: BTreeMap<String, Spanned<String>>,
    /// `error`, or a value the program silently uses instead (reported as a warning).
    pub unknown: Spanned<String>,
    pub source: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDefault {
    pub field: Spanned<String>,
    /// The value used (a port number, or a word of the field's values).
    #[serde(default)]
    pub value: Option<Spanned<String>>,
    /// Or the value of another field (`from` defaults to `username`).
    #[serde(default)]
    pub copy: Option<Spanned<String>>,
    /// One condition: `{ security: implicit }`, `{ port: "465" }`, `{ port: any }`.
    #[serde(default)]
    pub when: BTreeMap<String, Spanned<String>>,
    /// Applies even when the field was written (Grafana: port 465 is implicit TLS whatever the
    /// policy says).
    #[serde(default)]
    pub overrides: bool,
    /// Shown where the default is used.
    pub message: String,
    pub source: Spanned<String>,
}
