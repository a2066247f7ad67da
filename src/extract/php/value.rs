//! The profile fields an environment read in PHP can fill (PHPMailer's and Laravel's), and how PHP
//! (and Laravel's `env()`) turn the variable's text into the value the client reads.
//!
//! The values themselves are the PHP syntax reader's ([`crate::extract::syntax::php::value`]),
//! re-exported here for the clients.

use std::ops::Range;

use crate::model::conversion::{auth_switch, Conversion, Outcome, Read, Target, UrlPart};
use crate::model::{AuthMethod, EnvRef, FieldValue, Security};
use crate::source::Loc;

pub use crate::extract::syntax::php::value::{Arr, Cast, EnvKind, EnvRead, Expr, Str};
pub use crate::model::conversion::{phpmailer_hosts, PhpVal};

impl EnvRead {
    /// The conversion the client applies to this read's text to set `field`.
    pub fn conversion(&self, field: Field) -> Conversion {
        // Laravel compares the port as an integer: `(int)` whatever the config wrote.
        let cast = match (&field, self.cast) {
            (Field::LvPortSecurity, Cast::None) => Cast::Int,
            (_, cast) => cast,
        };
        let read = Read::Php {
            laravel: self.kind == EnvKind::Laravel,
            cast,
        };
        Conversion::new(read, field.target())
    }

    /// The model's [`EnvRef`] for this read, with spans made into locations by `loc`.
    pub fn env_ref(&self, loc: impl Fn(Range<usize>) -> Loc, field: Field) -> EnvRef {
        EnvRef {
            var: self.var.clone(),
            reference: loc(self.reference.clone()),
            default: self
                .default
                .as_ref()
                .map(|(t, s)| (t.clone(), loc(s.clone()))),
            default_if_empty: self.default_if_empty,
            conversion: self.conversion(field),
        }
    }
}

/// The profile fields (and their variants) an environment variable can fill in PHP clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// PHPMailer `Host`: the first `;` entry, without `ssl://`/`tls://` and `:port`.
    PmHost,
    /// A host name as it is (Laravel).
    Host,
    Port,
    /// PHPMailer `SMTPSecure`; with `SMTPAutoTLS` on, an empty value means opportunistic
    /// STARTTLS.
    PmSecure {
        auto_tls: bool,
    },
    /// PHPMailer `SMTPAutoTLS` when `SMTPSecure` is empty.
    PmAutoTls,
    /// PHPMailer `SMTPAuth`, logging in with this method when true.
    PmAuth(AuthMethod),
    Username,
    Password,
    From,
    /// `verify_peer` / `verify_peer_name` in a PHP stream context: false switches checks off.
    Verify,
    /// `allow_self_signed`: true switches checks off.
    SelfSigned,
    /// Laravel: the port decides the TLS mode (465 implicit, else opportunistic STARTTLS).
    LvPortSecurity,
    /// Laravel `scheme` when the port is 465 (always implicit TLS).
    LvScheme465,
    /// Laravel `scheme`: `smtps` is implicit TLS, anything else leaves the port's mode.
    LvScheme,
    /// Laravel: a username makes Symfony Mailer log in.
    LvUserAuth,
    /// Laravel `verify_peer` DSN option.
    LvVerify,
    /// Laravel `url`: a part of the mailer URL, overriding the mailer's own setting.
    LvUrl(UrlPart),
}

const OPPORTUNISTIC: Security = Security::StartTls { required: false };

impl Field {
    /// What a value read for this field sets.
    pub fn target(&self) -> Target {
        let verify = |on_true: bool| Target::Choice {
            on_true: Outcome::Set(FieldValue::TlsVerify(on_true)),
            on_false: Outcome::Set(FieldValue::TlsVerify(!on_true)),
        };
        match self {
            Field::PmHost => Target::PhpMailerHost,
            Field::Host => Target::Host,
            Field::Port => Target::Port,
            Field::PmSecure { auto_tls } => Target::Words {
                words: vec![
                    ("ssl".into(), Security::ImplicitTls),
                    ("tls".into(), Security::StartTls { required: true }),
                ],
                fold: false,
                empty: Outcome::security(if *auto_tls {
                    OPPORTUNISTIC
                } else {
                    Security::None
                }),
                other: Outcome::Refused("`ssl`, `tls` or an empty value"),
            },
            Field::PmAutoTls => Target::Choice {
                on_true: Outcome::security(OPPORTUNISTIC),
                on_false: Outcome::security(Security::None),
            },
            Field::PmAuth(method) => auth_switch(method.clone()),
            Field::Username => Target::Username,
            Field::Password => Target::Password,
            Field::From => Target::From,
            Field::Verify => verify(true),
            Field::SelfSigned => verify(false),
            Field::LvPortSecurity => Target::PortSecurity {
                otherwise: OPPORTUNISTIC,
            },
            Field::LvScheme465 => Target::Const(FieldValue::Security(Security::ImplicitTls)),
            // `smtps` is implicit TLS whatever the port; `smtp`, empty or null leave the mode the
            // port gave.
            Field::LvScheme => Target::Words {
                words: vec![("smtps".into(), Security::ImplicitTls)],
                fold: true,
                empty: Outcome::Keep,
                other: Outcome::Keep,
            },
            Field::LvUserAuth => Target::NonEmpty {
                on_text: Outcome::Set(FieldValue::Auth(AuthMethod::Password)),
                on_empty: Outcome::Set(FieldValue::Auth(AuthMethod::None)),
            },
            Field::LvVerify => Target::VerifyUnlessFalse,
            Field::LvUrl(part) => Target::Url(*part),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_grammar() {
        let t = "ssl://smtp.gmail.com:465;tls://backup.example.org:587";
        let e = phpmailer_hosts(t);
        assert_eq!(e.len(), 2);
        assert_eq!(&t[e[0].prefix.clone().unwrap()], "ssl");
        assert_eq!(&t[e[0].host.clone()], "smtp.gmail.com");
        assert_eq!(&t[e[0].port.clone().unwrap()], "465");
        assert_eq!(&t[e[1].prefix.clone().unwrap()], "tls");
        assert_eq!(&t[e[1].host.clone()], "backup.example.org");
        let t = " ; smtp1.example.com ;; [::1]:25; host: ";
        let e = phpmailer_hosts(t);
        let hosts: Vec<&str> = e.iter().map(|e| &t[e.host.clone()]).collect();
        assert_eq!(hosts, ["smtp1.example.com", "[::1]", "host:"]);
        assert_eq!(&t[e[1].port.clone().unwrap()], "25");
        // A prefix alone is a host name to PHPMailer's regex.
        assert_eq!(phpmailer_hosts("ssl://")[0].prefix, None);
        assert_eq!(phpmailer_hosts("SSL://x")[0].prefix, None);
    }

    fn read(laravel: bool, cast: Cast) -> EnvRead {
        EnvRead {
            var: "X".into(),
            kind: if laravel {
                EnvKind::Laravel
            } else {
                EnvKind::Raw
            },
            cast,
            reference: 0..1,
            default: None,
            default_if_empty: false,
        }
    }

    #[test]
    fn env_conversions() {
        let raw = read(false, Cast::None);
        let lv = read(true, Cast::None);
        let c = raw.conversion(Field::PmSecure { auto_tls: true });
        assert_eq!(
            c.apply("ssl"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(c.apply(""), Some(FieldValue::Security(OPPORTUNISTIC)));
        assert_eq!(c.apply("tsl"), None);
        assert_eq!(c.expects(), "`ssl`, `tls` or an empty value");
        let c = lv.conversion(Field::PmSecure { auto_tls: false });
        assert_eq!(c.apply("null"), Some(FieldValue::Security(Security::None)));
        // PHP truthiness: the string "false" switches SMTPAuth on.
        let c = raw.conversion(Field::PmAuth(AuthMethod::Password));
        assert_eq!(
            c.apply("false"),
            Some(FieldValue::Auth(AuthMethod::Password))
        );
        assert_eq!(c.apply("0"), Some(FieldValue::Auth(AuthMethod::None)));
        // ... but Laravel's env() maps it to false.
        let c = lv.conversion(Field::PmAuth(AuthMethod::OAuth2));
        assert_eq!(c.apply("false"), Some(FieldValue::Auth(AuthMethod::None)));
        assert_eq!(c.apply("true"), Some(FieldValue::Auth(AuthMethod::OAuth2)));
        let c = read(false, Cast::FilterBool).conversion(Field::Verify);
        assert_eq!(c.apply("off"), Some(FieldValue::TlsVerify(false)));
        let c = lv.conversion(Field::LvPortSecurity);
        assert_eq!(
            c.apply("465"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(
            c.apply(" 465 "),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(c.apply("587"), Some(FieldValue::Security(OPPORTUNISTIC)));
        assert_eq!(c.apply("x"), None);
        let c = read(false, Cast::Int).conversion(Field::Port);
        assert_eq!(c.apply("587 "), Some(FieldValue::Port(587)));
        let c = raw.conversion(Field::PmHost);
        assert_eq!(
            c.apply("tls://smtp.example.com:587;b"),
            Some(FieldValue::Host("smtp.example.com".into()))
        );
        let c = lv.conversion(Field::LvVerify);
        assert_eq!(c.apply("false"), Some(FieldValue::TlsVerify(false)));
        assert_eq!(c.apply("null"), Some(FieldValue::TlsVerify(true)));
        let c = lv.conversion(Field::LvUserAuth);
        assert_eq!(c.apply("null"), Some(FieldValue::Auth(AuthMethod::None)));
        // A conversion is data: what a read means can be asserted whole.
        assert_eq!(
            lv.conversion(Field::LvScheme465),
            Conversion::new(
                Read::Php {
                    laravel: true,
                    cast: Cast::None
                },
                Target::Const(FieldValue::Security(Security::ImplicitTls))
            )
        );
    }
}
