//! What smtp-doctor knows about the value of a PHP expression without running the code, and how
//! PHP (and Laravel's `env()`) turn an environment variable's text into the value a mail client
//! reads.

use std::ops::Range;

use crate::model::{AuthMethod, FieldValue, Secret, Security};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cast {
    None,
    /// `(int)`, `intval()`.
    Int,
    /// `(bool)`, `boolval()`: PHP truthiness.
    Bool,
    /// `filter_var(..., FILTER_VALIDATE_BOOLEAN)`.
    FilterBool,
    /// `... === 'true'`.
    EqTrue,
}

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
    /// The code that the `convert` function of an [`crate::model::EnvRef`] must follow.
    pub fn read_code(&self) -> u8 {
        let kind = match self.kind {
            EnvKind::Raw => 0,
            EnvKind::Laravel => LARAVEL,
        };
        kind | match self.cast {
            Cast::None => 0,
            Cast::Int => 1,
            Cast::Bool => 2,
            Cast::FilterBool => 3,
            Cast::EqTrue => 4,
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

/// A PHP scalar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhpVal {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
}

impl PhpVal {
    /// PHP's truthiness: `""`, `"0"`, `0`, `false` and `null` are false.
    pub fn truthy(&self) -> bool {
        match self {
            PhpVal::Str(s) => !(s.is_empty() || s == "0"),
            PhpVal::Int(i) => *i != 0,
            PhpVal::Bool(b) => *b,
            PhpVal::Null => false,
        }
    }

    /// `(int)`: leading whitespace, a sign and digits; anything else is 0.
    pub fn intval(&self) -> i64 {
        match self {
            PhpVal::Str(s) => {
                let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
                let (neg, digits) = match t.as_bytes().first() {
                    Some(b'-') => (true, &t[1..]),
                    Some(b'+') => (false, &t[1..]),
                    _ => (false, t),
                };
                let end = digits
                    .bytes()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap_or(digits.len());
                let n = digits[..end]
                    .parse::<i64>()
                    .unwrap_or(if end > 0 { i64::MAX } else { 0 });
                if neg {
                    -n
                } else {
                    n
                }
            }
            PhpVal::Int(i) => *i,
            PhpVal::Bool(b) => i64::from(*b),
            PhpVal::Null => 0,
        }
    }

    /// `filter_var($v, FILTER_VALIDATE_BOOLEAN)`: "1", "true", "on", "yes" are true, all else false.
    pub fn filter_bool(&self) -> bool {
        match self {
            PhpVal::Str(s) => matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "on" | "yes"
            ),
            PhpVal::Int(i) => *i == 1,
            PhpVal::Bool(b) => *b,
            PhpVal::Null => false,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            PhpVal::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Laravel's `env()`: `true`, `false`, `null` and `empty` (also in parentheses, any case) become
/// real values, and one pair of surrounding quotes is removed.
pub fn laravel_env(s: &str) -> PhpVal {
    match s.to_ascii_lowercase().as_str() {
        "true" | "(true)" => return PhpVal::Bool(true),
        "false" | "(false)" => return PhpVal::Bool(false),
        "null" | "(null)" => return PhpVal::Null,
        "empty" | "(empty)" => return PhpVal::Str(String::new()),
        _ => {}
    }
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        return PhpVal::Str(s[1..s.len() - 1].to_owned());
    }
    PhpVal::Str(s.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Conversions for environment references. `convert` is a plain `fn`, so the reading code (kind
// and cast) and the field are const parameters of one generic function.
// ---------------------------------------------------------------------------------------------

/// Read code bit: the variable is read with Laravel's `env()`.
pub const LARAVEL: u8 = 8;

/// The fields (and their variants) an environment variable can fill.
pub mod field {
    /// PHPMailer `Host`: the first `;` entry, without `ssl://`/`tls://` and `:port`.
    pub const PM_HOST: u8 = 0;
    /// A host name as it is (Laravel).
    pub const HOST: u8 = 1;
    pub const PORT: u8 = 2;
    /// PHPMailer `SMTPSecure` with `SMTPAutoTLS` on.
    pub const PM_SECURE_AUTO: u8 = 3;
    /// PHPMailer `SMTPSecure` with `SMTPAutoTLS` off.
    pub const PM_SECURE_NOAUTO: u8 = 4;
    /// PHPMailer `SMTPAutoTLS` when `SMTPSecure` is empty.
    pub const PM_AUTOTLS: u8 = 5;
    /// PHPMailer `SMTPAuth`, with `AuthType` empty/LOGIN/PLAIN, CRAM-MD5 or XOAUTH2.
    pub const PM_AUTH_PASSWORD: u8 = 6;
    pub const PM_AUTH_CRAM: u8 = 7;
    pub const PM_AUTH_OAUTH2: u8 = 8;
    pub const USERNAME: u8 = 9;
    pub const PASSWORD: u8 = 10;
    pub const FROM: u8 = 11;
    /// `verify_peer` / `verify_peer_name` in a PHP stream context: false switches checks off.
    pub const VERIFY: u8 = 12;
    /// `allow_self_signed`: true switches checks off.
    pub const SELF_SIGNED: u8 = 13;
    /// Laravel: the port decides the TLS mode (465 implicit, else opportunistic STARTTLS).
    pub const LV_PORT_SECURITY: u8 = 14;
    /// Laravel `scheme` when the port is 465 (always implicit TLS).
    pub const LV_SCHEME_465: u8 = 15;
    /// Laravel `scheme` on any other port.
    pub const LV_SCHEME: u8 = 16;
    /// Laravel: a username makes Symfony Mailer log in.
    pub const LV_USER_AUTH: u8 = 17;
    /// Laravel `verify_peer` DSN option.
    pub const LV_VERIFY: u8 = 18;
}

/// What the `invalid-value` finding says the code expects.
pub fn expects(field: u8) -> &'static str {
    match field {
        field::PM_HOST | field::HOST => "a host name",
        field::PORT | field::LV_PORT_SECURITY => "a port number (1-65535)",
        field::PM_SECURE_AUTO | field::PM_SECURE_NOAUTO => "`ssl`, `tls` or an empty value",
        _ => "a value of the right type",
    }
}

/// The value after the reading code and its cast.
fn read<const R: u8>(s: &str) -> PhpVal {
    let v = if R & LARAVEL != 0 {
        laravel_env(s)
    } else {
        PhpVal::Str(s.to_owned())
    };
    match R & 7 {
        1 => PhpVal::Int(v.intval()),
        2 => PhpVal::Bool(v.truthy()),
        3 => PhpVal::Bool(v.filter_bool()),
        4 => PhpVal::Bool(v == PhpVal::Str("true".into())),
        _ => v,
    }
}

fn port_of(v: &PhpVal) -> Option<u16> {
    match v {
        PhpVal::Int(i) => u16::try_from(*i).ok().filter(|&p| p != 0),
        PhpVal::Str(s) => crate::extract::parse_port(s),
        _ => None,
    }
}

fn string_of(v: &PhpVal) -> String {
    match v {
        PhpVal::Str(s) => s.clone(),
        PhpVal::Int(i) => i.to_string(),
        PhpVal::Bool(true) => "1".into(),
        PhpVal::Bool(false) | PhpVal::Null => String::new(),
    }
}

const OPPORTUNISTIC: Security = Security::StartTls { required: false };

/// Convert an environment variable's text into a field value the way the client does.
pub fn conv<const R: u8, const F: u8>(s: &str) -> Option<FieldValue> {
    let v = read::<R>(s);
    Some(match F {
        field::PM_HOST => {
            let text = string_of(&v);
            let first = phpmailer_hosts(&text).into_iter().next()?;
            FieldValue::Host(text[first.host].to_owned())
        }
        field::HOST => {
            let h = string_of(&v).trim().to_owned();
            if h.is_empty() {
                return None;
            }
            FieldValue::Host(h)
        }
        field::PORT => FieldValue::Port(port_of(&v)?),
        field::PM_SECURE_AUTO | field::PM_SECURE_NOAUTO => FieldValue::Security(match v {
            PhpVal::Str(s) if s == "ssl" => Security::ImplicitTls,
            PhpVal::Str(s) if s == "tls" => Security::StartTls { required: true },
            PhpVal::Str(s) if !s.is_empty() => return None,
            PhpVal::Int(_) | PhpVal::Bool(true) => return None,
            _ if F == field::PM_SECURE_AUTO => OPPORTUNISTIC,
            _ => Security::None,
        }),
        field::PM_AUTOTLS => FieldValue::Security(if v.truthy() {
            OPPORTUNISTIC
        } else {
            Security::None
        }),
        field::PM_AUTH_PASSWORD | field::PM_AUTH_CRAM | field::PM_AUTH_OAUTH2 => {
            FieldValue::Auth(if !v.truthy() {
                AuthMethod::None
            } else if F == field::PM_AUTH_CRAM {
                AuthMethod::EncryptedPassword
            } else if F == field::PM_AUTH_OAUTH2 {
                AuthMethod::OAuth2
            } else {
                AuthMethod::Password
            })
        }
        field::USERNAME => FieldValue::Username(string_of(&v)),
        field::PASSWORD => FieldValue::Password(Secret::new(string_of(&v))),
        field::FROM => FieldValue::From(string_of(&v)),
        field::VERIFY => FieldValue::TlsVerify(v.truthy()),
        field::SELF_SIGNED => FieldValue::TlsVerify(!v.truthy()),
        field::LV_PORT_SECURITY => {
            let port = port_of(&PhpVal::Int(v.intval()))?;
            FieldValue::Security(if port == 465 {
                Security::ImplicitTls
            } else {
                OPPORTUNISTIC
            })
        }
        field::LV_SCHEME_465 => FieldValue::Security(Security::ImplicitTls),
        field::LV_SCHEME => FieldValue::Security(match v {
            PhpVal::Str(s) if s.eq_ignore_ascii_case("smtps") => Security::ImplicitTls,
            _ => OPPORTUNISTIC,
        }),
        field::LV_USER_AUTH => FieldValue::Auth(if string_of(&v).is_empty() {
            AuthMethod::None
        } else {
            AuthMethod::Password
        }),
        field::LV_VERIFY => FieldValue::TlsVerify(match &v {
            PhpVal::Null => true,
            PhpVal::Str(s) if s.is_empty() => true,
            other => other.filter_bool(),
        }),
        _ => return None,
    })
}

/// The conversion function for a read code and a field.
pub fn converter(read: u8, field: u8) -> fn(&str) -> Option<FieldValue> {
    macro_rules! by_field {
        ($r:literal) => {
            match field {
                field::PM_HOST => conv::<$r, { field::PM_HOST }>,
                field::HOST => conv::<$r, { field::HOST }>,
                field::PORT => conv::<$r, { field::PORT }>,
                field::PM_SECURE_AUTO => conv::<$r, { field::PM_SECURE_AUTO }>,
                field::PM_SECURE_NOAUTO => conv::<$r, { field::PM_SECURE_NOAUTO }>,
                field::PM_AUTOTLS => conv::<$r, { field::PM_AUTOTLS }>,
                field::PM_AUTH_PASSWORD => conv::<$r, { field::PM_AUTH_PASSWORD }>,
                field::PM_AUTH_CRAM => conv::<$r, { field::PM_AUTH_CRAM }>,
                field::PM_AUTH_OAUTH2 => conv::<$r, { field::PM_AUTH_OAUTH2 }>,
                field::USERNAME => conv::<$r, { field::USERNAME }>,
                field::PASSWORD => conv::<$r, { field::PASSWORD }>,
                field::FROM => conv::<$r, { field::FROM }>,
                field::VERIFY => conv::<$r, { field::VERIFY }>,
                field::SELF_SIGNED => conv::<$r, { field::SELF_SIGNED }>,
                field::LV_PORT_SECURITY => conv::<$r, { field::LV_PORT_SECURITY }>,
                field::LV_SCHEME_465 => conv::<$r, { field::LV_SCHEME_465 }>,
                field::LV_SCHEME => conv::<$r, { field::LV_SCHEME }>,
                field::LV_USER_AUTH => conv::<$r, { field::LV_USER_AUTH }>,
                _ => conv::<$r, { field::LV_VERIFY }>,
            }
        };
    }
    match read {
        0 => by_field!(0),
        1 => by_field!(1),
        2 => by_field!(2),
        3 => by_field!(3),
        4 => by_field!(4),
        8 => by_field!(8),
        9 => by_field!(9),
        10 => by_field!(10),
        11 => by_field!(11),
        _ => by_field!(12),
    }
}

// ---------------------------------------------------------------------------------------------
// PHPMailer's Host grammar
// ---------------------------------------------------------------------------------------------

/// One `;`-separated entry of PHPMailer's `Host`, as byte ranges into the Host text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostEntry {
    /// `ssl` or `tls` (without `://`).
    pub prefix: Option<Range<usize>>,
    pub host: Range<usize>,
    /// The digits after the last `:`.
    pub port: Option<Range<usize>>,
}

/// Split a Host value the way `PHPMailer::smtpConnect` does: each `;` entry is trimmed and
/// matched against `^(?:(ssl|tls)://)?(.+?)(?::(\d+))?$`; entries that do not match (empty
/// ones) are skipped.
pub fn phpmailer_hosts(text: &str) -> Vec<HostEntry> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split(';') {
        let piece_start = start;
        start += piece.len() + 1;
        let trimmed_left = piece.trim_start_matches(php_trim_char);
        let lead = piece.len() - trimmed_left.len();
        let entry = trimmed_left.trim_end_matches(php_trim_char);
        let base = piece_start + lead;
        if entry.is_empty() {
            continue;
        }
        let mut rest_at = 0;
        let mut prefix = None;
        for p in ["ssl://", "tls://"] {
            if entry.len() > p.len() && entry.starts_with(p) {
                prefix = Some(base..base + 3);
                rest_at = p.len();
            }
        }
        let rest = &entry[rest_at..];
        let (host_len, port) = match rest.rfind(':') {
            Some(i)
                if i > 0
                    && i + 1 < rest.len()
                    && rest[i + 1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                (i, Some(base + rest_at + i + 1..base + entry.len()))
            }
            _ => (rest.len(), None),
        };
        out.push(HostEntry {
            prefix,
            host: base + rest_at..base + rest_at + host_len,
            port,
        });
    }
    out
}

/// The characters PHP's `trim()` removes.
fn php_trim_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0b')
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

    #[test]
    fn env_conversions() {
        let c = converter(0, field::PM_SECURE_AUTO);
        assert_eq!(c("ssl"), Some(FieldValue::Security(Security::ImplicitTls)));
        assert_eq!(c(""), Some(FieldValue::Security(OPPORTUNISTIC)));
        assert_eq!(c("tsl"), None);
        let c = converter(LARAVEL, field::PM_SECURE_NOAUTO);
        assert_eq!(c("null"), Some(FieldValue::Security(Security::None)));
        // PHP truthiness: the string "false" switches SMTPAuth on.
        let c = converter(0, field::PM_AUTH_PASSWORD);
        assert_eq!(c("false"), Some(FieldValue::Auth(AuthMethod::Password)));
        assert_eq!(c("0"), Some(FieldValue::Auth(AuthMethod::None)));
        // ... but Laravel's env() maps it to false.
        let c = converter(LARAVEL, field::PM_AUTH_OAUTH2);
        assert_eq!(c("false"), Some(FieldValue::Auth(AuthMethod::None)));
        assert_eq!(c("true"), Some(FieldValue::Auth(AuthMethod::OAuth2)));
        let c = converter(3, field::VERIFY);
        assert_eq!(c("off"), Some(FieldValue::TlsVerify(false)));
        let c = converter(LARAVEL, field::LV_PORT_SECURITY);
        assert_eq!(c("465"), Some(FieldValue::Security(Security::ImplicitTls)));
        assert_eq!(c("587"), Some(FieldValue::Security(OPPORTUNISTIC)));
        assert_eq!(c("x"), None);
        let c = converter(1, field::PORT);
        assert_eq!(c("587 "), Some(FieldValue::Port(587)));
        let c = converter(0, field::PM_HOST);
        assert_eq!(
            c("tls://smtp.example.com:587;b"),
            Some(FieldValue::Host("smtp.example.com".into()))
        );
        let c = converter(LARAVEL, field::LV_VERIFY);
        assert_eq!(c("false"), Some(FieldValue::TlsVerify(false)));
        assert_eq!(c("null"), Some(FieldValue::TlsVerify(true)));
        let c = converter(LARAVEL, field::LV_USER_AUTH);
        assert_eq!(c("null"), Some(FieldValue::Auth(AuthMethod::None)));
    }
}
