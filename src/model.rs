//! The normalised model: one [`Profile`] per SMTP client configuration found in a file.
//!
//! Every field is a [`Value`]: what the client will use, where it came from (a byte span) and how
//! it got there ([`Origin`]: written literally, implied by a client default, or read from an
//! environment variable defined in another file).

use std::fmt;

use crate::source::{FileId, Loc};

pub mod conversion;

pub use conversion::Conversion;

/// How a value came to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in the file at the value's span.
    Literal,
    /// Not written: the client's documented default, implied by the construct at the span.
    Default { client_default: &'static str },
    /// Read from an environment variable: the value's span is the definition (e.g. a `.env`
    /// line), `reference` is the code that reads it.
    Env { var: String, reference: Loc },
}

/// A field value with its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value<T> {
    pub value: T,
    pub loc: Loc,
    pub origin: Origin,
}

impl<T> Value<T> {
    pub fn literal(value: T, loc: Loc) -> Self {
        Value {
            value,
            loc,
            origin: Origin::Literal,
        }
    }

    pub fn default(value: T, loc: Loc, client_default: &'static str) -> Self {
        Value {
            value,
            loc,
            origin: Origin::Default { client_default },
        }
    }

    pub fn is_default(&self) -> bool {
        matches!(self.origin, Origin::Default { .. })
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        Value {
            value: f(self.value),
            loc: self.loc,
            origin: self.origin,
        }
    }

    /// Every place a finding about this value should point at: the value itself and, for
    /// values read from the environment, the code that reads it.
    pub fn locs(&self) -> Vec<Loc> {
        match &self.origin {
            Origin::Env { reference, .. } => vec![self.loc.clone(), reference.clone()],
            _ => vec![self.loc.clone()],
        }
    }
}

/// Transport security as the client will actually do it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Security {
    /// TLS from the first byte (RFC 8314, usually port 465).
    ImplicitTls,
    /// Plain connect, then STARTTLS. `required: false` means the client carries on in plaintext
    /// when the server does not offer STARTTLS (opportunistic, open to downgrade).
    StartTls { required: bool },
    /// No TLS at all.
    None,
}

impl Security {
    pub fn tls_mode(self) -> TlsMode {
        match self {
            Security::ImplicitTls => TlsMode::Implicit,
            Security::StartTls { .. } => TlsMode::Starttls,
            Security::None => TlsMode::None,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Security::ImplicitTls => "implicit TLS",
            Security::StartTls { required: true } => "STARTTLS (required)",
            Security::StartTls { required: false } => "opportunistic STARTTLS",
            Security::None => "no TLS",
        })
    }
}

/// The TLS mode of a submission endpoint, as provider rules state it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    Implicit,
    Starttls,
    None,
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsMode::Implicit => "implicit TLS",
            TlsMode::Starttls => "STARTTLS",
            TlsMode::None => "no TLS",
        })
    }
}

/// How the client authenticates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// No AUTH at all.
    None,
    /// A password sent with PLAIN or LOGIN (or whatever the client picks among them).
    Password,
    /// A password sent with a challenge-response mechanism (CRAM-MD5, DIGEST-MD5).
    EncryptedPassword,
    /// OAuth2 bearer token (XOAUTH2 / OAUTHBEARER).
    OAuth2,
    /// Kerberos, NTLM, client certificates and other mechanisms smtp-doctor does not judge.
    Other(String),
}

impl AuthMethod {
    /// The SASL mechanism names this method may use, in the vocabulary of provider rules.
    pub fn mechanisms(&self) -> &'static [&'static str] {
        match self {
            AuthMethod::None => &[],
            AuthMethod::Password => &["plain", "login"],
            AuthMethod::EncryptedPassword => &["cram-md5", "digest-md5"],
            AuthMethod::OAuth2 => &["xoauth2", "oauthbearer"],
            AuthMethod::Other(_) => &[],
        }
    }

    /// Does this method send the account's password (basic auth, as providers call it)?
    pub fn is_password(&self) -> bool {
        matches!(self, AuthMethod::Password | AuthMethod::EncryptedPassword)
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthMethod::None => f.write_str("no authentication"),
            AuthMethod::Password => f.write_str("password (PLAIN/LOGIN)"),
            AuthMethod::EncryptedPassword => f.write_str("encrypted password (CRAM-MD5)"),
            AuthMethod::OAuth2 => f.write_str("OAuth2"),
            AuthMethod::Other(name) => f.write_str(name),
        }
    }
}

/// A password or token. It cannot be printed: `Debug` and `Display` show a mask.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself, for checks that test its shape and for the AUTH probe. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// The program or library that reads the configuration; it decides what the settings mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// A TOML configuration file of some application.
    Toml,
    /// Thunderbird `prefs.js` / `user.js`.
    Thunderbird,
    /// Laravel `.env` (`MAIL_*`).
    Laravel,
    /// Django settings from `.env` (`EMAIL_*`).
    Django,
    /// Generic `SMTP_*` variables in a `.env` file.
    DotenvGeneric,
    PhpMailer,
    Nodemailer,
    PythonSmtplib,
    /// Laravel `config/mail.php`.
    LaravelConfig,
    /// Django `settings.py` (`EMAIL_*`).
    DjangoSettings,
    /// Flask-Mail settings in Python (`MAIL_*` in a module or config class).
    FlaskMail,
    /// WP Mail SMTP's `WPMS_*` constants in a WordPress `wp-config.php`.
    WordPress,
    /// Nextcloud's `config/config.php` (`mail_smtp*` in `$CONFIG`).
    Nextcloud,
    /// Rails ActionMailer's `smtp_settings` in Ruby code (the Mail gem's SMTP delivery).
    Rails,
    /// A client defined as data under `clients/` (its id: `gitea`, `msmtp`, ...).
    Defined(&'static str),
}

impl Client {
    pub fn name(self) -> &'static str {
        match self {
            Client::Toml => "toml",
            Client::Thunderbird => "thunderbird",
            Client::Laravel => "laravel",
            Client::Django => "django",
            Client::DotenvGeneric => "dotenv",
            Client::PhpMailer => "phpmailer",
            Client::Nodemailer => "nodemailer",
            Client::PythonSmtplib => "smtplib",
            Client::LaravelConfig => "laravel-config",
            Client::DjangoSettings => "django-settings",
            Client::FlaskMail => "flask-mail",
            Client::WordPress => "wp-mail-smtp",
            Client::Nextcloud => "nextcloud",
            Client::Rails => "rails",
            Client::Defined(id) => id,
        }
    }
}

/// A resolved value for one profile field, produced by an [`EnvRef`]'s conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Host(String),
    Port(u16),
    Security(Security),
    Auth(AuthMethod),
    Username(String),
    Password(Secret),
    From(String),
    TlsVerify(bool),
}

/// A field that code reads from the environment (`process.env.SMTP_PORT`, `env('MAIL_HOST',
/// 'localhost')`, `os.getenv("EMAIL_PORT")`). The resolve step fills it from the `.env` files of
/// the same project, or from the default written in code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRef {
    pub var: String,
    /// The code that reads the variable.
    pub reference: Loc,
    /// A default written in code, with its span.
    pub default: Option<(String, Loc)>,
    /// The default also applies when the variable is set but empty (`process.env.X || 'd'`,
    /// Python `os.getenv('X') or 'd'`, PHP `getenv('X') ?: 'd'`), not only when it is unset.
    pub default_if_empty: bool,
    /// How the client turns the variable's text into the field (e.g. JavaScript truthiness for
    /// Nodemailer's `secure`).
    pub conversion: Conversion,
}

impl EnvRef {
    /// The field value the client gets from this text; `None` when it refuses it or leaves
    /// the field as it is.
    pub fn apply(&self, text: &str) -> Option<FieldValue> {
        self.conversion.apply(text)
    }

    /// What the client does with this text: set the field, leave it, or refuse the text.
    pub fn applied(&self, text: &str) -> conversion::Applied {
        self.conversion.applied(text)
    }

    /// Shown in the `invalid-value` finding when the conversion refuses the text.
    pub fn expects(&self) -> &'static str {
        self.conversion.expects()
    }
}

/// One SMTP client configuration found in a file.
#[derive(Clone, Debug)]
pub struct Profile {
    pub client: Client,
    /// What the file calls this configuration: `smtp2`, `[mail.smtp]`, `MAIL_*`.
    pub label: String,
    /// The construct that holds the whole profile (a table header, the first key), used for
    /// findings about something missing.
    pub anchor: Loc,
    pub host: Option<Value<String>>,
    pub port: Option<Value<u16>>,
    pub security: Option<Value<Security>>,
    pub auth: Option<Value<AuthMethod>>,
    pub username: Option<Value<String>>,
    pub password: Option<Value<Secret>>,
    /// From (and envelope sender) addresses the client will use.
    pub from: Vec<Value<String>>,
    /// `Some(false)` when certificate verification is switched off.
    pub tls_verify: Option<Value<bool>>,
    /// Fields read from environment variables, filled by the resolve step.
    pub env_refs: Vec<EnvRef>,
}

impl Profile {
    pub fn new(client: Client, label: impl Into<String>, anchor: Loc) -> Self {
        Profile {
            client,
            label: label.into(),
            anchor,
            host: None,
            port: None,
            security: None,
            auth: None,
            username: None,
            password: None,
            from: Vec::new(),
            tls_verify: None,
            env_refs: Vec::new(),
        }
    }

    /// Set a field from a resolved value.
    pub fn set(&mut self, value: FieldValue, loc: Loc, origin: Origin) {
        fn v<T>(value: T, loc: &Loc, origin: &Origin) -> Value<T> {
            Value {
                value,
                loc: loc.clone(),
                origin: origin.clone(),
            }
        }
        let (l, o) = (&loc, &origin);
        match value {
            FieldValue::Host(x) => self.host = Some(v(x, l, o)),
            FieldValue::Port(x) => self.port = Some(v(x, l, o)),
            FieldValue::Security(x) => self.security = Some(v(x, l, o)),
            FieldValue::Auth(x) => self.auth = Some(v(x, l, o)),
            FieldValue::Username(x) => self.username = Some(v(x, l, o)),
            FieldValue::Password(x) => self.password = Some(v(x, l, o)),
            FieldValue::From(x) => self.from.push(v(x, l, o)),
            FieldValue::TlsVerify(x) => self.tls_verify = Some(v(x, l, o)),
        }
    }

    /// Every span a field of this profile came from.
    pub fn field_locs(&self) -> Vec<&Loc> {
        let mut out = Vec::new();
        out.extend(self.host.as_ref().map(|v| &v.loc));
        out.extend(self.port.as_ref().map(|v| &v.loc));
        out.extend(self.security.as_ref().map(|v| &v.loc));
        out.extend(self.auth.as_ref().map(|v| &v.loc));
        out.extend(self.username.as_ref().map(|v| &v.loc));
        out.extend(self.password.as_ref().map(|v| &v.loc));
        out.extend(self.from.iter().map(|v| &v.loc));
        out.extend(self.tls_verify.as_ref().map(|v| &v.loc));
        out
    }

    pub fn file(&self) -> FileId {
        self.anchor.file
    }

    /// Whether credentials will be sent: an explicit auth method other than none, or a username
    /// or password when the client does not say.
    pub fn sends_credentials(&self) -> bool {
        match &self.auth {
            Some(a) => a.value != AuthMethod::None,
            None => self.username.is_some() || self.password.is_some(),
        }
    }

    /// The host, lower-cased, without a trailing dot.
    pub fn host_name(&self) -> Option<String> {
        self.host
            .as_ref()
            .map(|h| h.value.trim().trim_end_matches('.').to_ascii_lowercase())
    }
}

/// Is this host a loopback address or name (a local relay, Proton Bridge, a test catcher)?
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The domain of an e-mail address, lower-cased, if it has one.
pub fn address_domain(addr: &str) -> Option<String> {
    let addr = bare_address(addr);
    let (_, domain) = addr.rsplit_once('@')?;
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// The local part of an e-mail address, lower-cased.
pub fn address_local(addr: &str) -> Option<String> {
    let addr = bare_address(addr);
    let (local, _) = addr.rsplit_once('@')?;
    Some(local.to_ascii_lowercase())
}

/// `"Name" <a@b>` → `a@b`.
pub fn bare_address(addr: &str) -> &str {
    let addr = addr.trim();
    match (addr.rfind('<'), addr.rfind('>')) {
        (Some(l), Some(r)) if l < r => addr[l + 1..r].trim(),
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "**** Secret(****)");
    }

    #[test]
    fn addresses() {
        assert_eq!(bare_address("\"Al\" <al@Me.com>"), "al@Me.com");
        assert_eq!(
            address_domain("\"Al\" <al@Me.com>").as_deref(),
            Some("me.com")
        );
        assert_eq!(address_local("al@me.com").as_deref(), Some("al"));
        assert_eq!(address_domain("al"), None);
        assert!(is_loopback_host("127.0.0.1") && is_loopback_host("[::1]"));
        assert!(!is_loopback_host("smtp.example.com"));
    }
}
