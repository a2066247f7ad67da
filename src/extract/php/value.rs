//! What smtp-doctor knows about the value of a PHP expression without running the code, and how
//! PHP (and Laravel's `env()`) turn an environment variable's text into the value a mail client
//! reads.

use std::ops::Range;

use crate::model::conversion::{auth_switch, Conversion, Outcome, Read, Target, UrlPart};
use crate::model::{AuthMethod, EnvRef, FieldValue, Security};
use crate::source::Loc;

/// A PHP expression, as far as its value is known.
#[derive(Clone, Debug)]
pub enum Expr {
    Str(Str),
    Int {
        value: i64,
        span: Range<usize>,
    },
    Bool {
        value: bool,
        span: Range<usize>,
    },
    Null {
        span: Range<usize>,
    },
    /// Read from the environment when the code runs.
    Env(EnvRead),
    Array(Arr),
    /// Anything else: a call, a concatenation, an interpolated string ...
    Unknown {
        span: Range<usize>,
    },
}

impl Expr {
    /// The span of the value (inside the quotes of a string).
    pub fn span(&self) -> Range<usize> {
        match self {
            Expr::Str(s) => s.span.clone(),
            Expr::Int { span, .. }
            | Expr::Bool { span, .. }
            | Expr::Null { span }
            | Expr::Unknown { span } => span.clone(),
            Expr::Env(e) => e.reference.clone(),
            Expr::Array(a) => a.span.clone(),
        }
    }

    /// The value as PHP holds it, when it is a literal.
    pub fn literal(&self) -> Option<PhpVal> {
        Some(match self {
            Expr::Str(s) => PhpVal::Str(s.text.clone()),
            Expr::Int { value, .. } => PhpVal::Int(*value),
            Expr::Bool { value, .. } => PhpVal::Bool(*value),
            Expr::Null { .. } => PhpVal::Null,
            _ => return None,
        })
    }
}

/// A string literal with its decoded text.
#[derive(Clone, Debug)]
pub struct Str {
    pub text: String,
    /// Inside the quotes (or the whole constant expression for a class constant).
    pub span: Range<usize>,
    /// `text` is byte for byte the source at `span`, so offsets inside it map to the file.
    pub verbatim: bool,
}

impl Str {
    /// The file span of `text[range]`, or the whole string's span when the text is not verbatim.
    pub fn sub(&self, range: Range<usize>) -> Range<usize> {
        if self.verbatim && range.end <= self.text.len() {
            self.span.start + range.start..self.span.start + range.end
        } else {
            self.span.clone()
        }
    }
}

/// An array literal: `[...]` or `array(...)`.
#[derive(Clone, Debug)]
pub struct Arr {
    pub span: Range<usize>,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// A string or integer key, as text.
    pub key: Option<String>,
    pub key_span: Range<usize>,
    pub value: Expr,
}

impl Arr {
    /// The last entry with this key (PHP keeps the last one).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key.as_deref() == Some(key))
    }
}

/// Who reads the variable: plain PHP (`getenv`, `$_ENV`, `$_SERVER`) or Laravel's `env()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvKind {
    Raw,
    Laravel,
}

/// What the code does with the text before the client sees it.
pub use crate::model::conversion::PhpCast as Cast;
pub use crate::model::conversion::{phpmailer_hosts, PhpVal};

/// `getenv('X')`, `$_ENV['X']`, `env('X', default)` and friends.
#[derive(Clone, Debug)]
pub struct EnvRead {
    pub var: String,
    pub kind: EnvKind,
    pub cast: Cast,
    /// The whole reading expression, casts and defaults included.
    pub reference: Range<usize>,
    /// The default written in code, as the text the conversion expects, and its span.
    pub default: Option<(String, Range<usize>)>,
    /// The default also replaces an empty value (`getenv('X') ?: 'd'`), not only a missing one.
    pub default_if_empty: bool,
}

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

    /// The text a literal default stands for, as the conversion of this read expects it.
    pub fn default_text(kind: EnvKind, v: &PhpVal) -> Option<String> {
        Some(match (v, kind) {
            (PhpVal::Str(s), _) => s.clone(),
            (PhpVal::Int(i), _) => i.to_string(),
            (PhpVal::Bool(b), EnvKind::Laravel) => b.to_string(),
            (PhpVal::Bool(true), EnvKind::Raw) => "1".into(),
            (PhpVal::Bool(false), EnvKind::Raw) => String::new(),
            (PhpVal::Null, _) => return None,
        })
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

// ---------------------------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------------------------

/// Parse a PHP integer literal (`587`, `0x24B`, `0o1113`, `01113`, `0b1001001011`, `1_000`).
pub fn parse_int(raw: &str) -> Option<i64> {
    let s: String = raw.chars().filter(|&c| c != '_').collect();
    let lower = s.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse().ok()
    }
}

/// Decode one escape sequence of a double-quoted string; unknown ones stay as written.
pub fn decode_double_escape(esc: &str) -> String {
    let body = &esc[1.min(esc.len())..];
    let simple = match body {
        "n" => Some('\n'),
        "t" => Some('\t'),
        "r" => Some('\r'),
        "v" => Some('\x0b'),
        "e" => Some('\x1b'),
        "f" => Some('\x0c'),
        "\\" => Some('\\'),
        "$" => Some('$'),
        "\"" => Some('"'),
        _ => None,
    };
    if let Some(c) = simple {
        return c.to_string();
    }
    if let Some(hex) = body.strip_prefix('x').or_else(|| body.strip_prefix('X')) {
        if let Ok(b) = u8::from_str_radix(hex, 16) {
            return char::from(b).to_string();
        }
    }
    if let Some(u) = body.strip_prefix("u{").and_then(|u| u.strip_suffix('}')) {
        if let Some(c) = u32::from_str_radix(u, 16).ok().and_then(char::from_u32) {
            return c.to_string();
        }
    }
    if !body.is_empty() && body.len() <= 3 && body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        if let Ok(n) = u32::from_str_radix(body, 8) {
            return char::from((n & 0xff) as u8).to_string();
        }
    }
    esc.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conversion::laravel_env;

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

    #[test]
    fn php_conversions() {
        assert!(!PhpVal::Str("0".into()).truthy());
        assert!(PhpVal::Str("false".into()).truthy());
        assert_eq!(PhpVal::Str(" 587abc".into()).intval(), 587);
        assert_eq!(PhpVal::Str("abc".into()).intval(), 0);
        assert!(PhpVal::Str(" Yes ".into()).filter_bool());
        assert_eq!(laravel_env("(NULL)"), PhpVal::Null);
        assert_eq!(laravel_env("\"x y\""), PhpVal::Str("x y".into()));
        assert_eq!(parse_int("0x24B"), Some(587));
        assert_eq!(parse_int("01113"), Some(587));
        assert_eq!(parse_int("1_000"), Some(1000));
        assert_eq!(decode_double_escape("\\x41"), "A");
        assert_eq!(decode_double_escape("\\q"), "\\q");
        assert_eq!(decode_double_escape("\\u{e9}"), "é");
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
