//! How a program turns an environment variable's text into a profile field.
//!
//! A [`Conversion`] is data, not a function: how the code reads the text ([`Read`]: as it is,
//! through a boolean test, as a number, or through PHP's `getenv`/Laravel's `env()` and a cast)
//! and what the result sets ([`Target`]). Being data, a conversion can be compared, printed and
//! asserted in tests, and its vocabulary (the words a comparison tests for) is whatever the code
//! wrote, not a fixed table.

use super::{AuthMethod, FieldValue, Secret, Security};

mod url_part;
use url_part::url_part;

/// What an env variable's text becomes, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub read: Read,
    pub target: Target,
}

/// How the code gets a value out of the variable's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// The text as it is (`process.env.X`, `os.environ["X"]`).
    Text,
    /// A boolean the code computes from the text.
    Bool(Pred),
    /// A number the code parses from the text.
    Number(NumKind),
    /// PHP: the text from `getenv()`/`$_ENV` (or Laravel's `env()` when `laravel`), then a cast.
    Php { laravel: bool, cast: PhpCast },
}

/// How code turns an env variable's text into a boolean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pred {
    /// Used raw: any non-empty string is true (JavaScript and Python alike), `"false"` included.
    Truthy,
    /// Used raw in Ruby: every String is true, the empty one and `"false"` included (only
    /// `nil`, an unset variable, is false).
    RubyText,
    /// `JSON.parse`: `true` / `false`, anything else throws.
    JsonParse,
    /// django-environ `env.bool`: true, on, ok, y, yes, 1 (any case) are true, the rest false.
    Lenient,
    /// python-decouple `cast=bool`, `strtobool`: known words only, anything else raises.
    Strict,
    /// Python `bool(int(x))`: an integer, non-zero is true; anything else raises.
    Int,
    /// JavaScript `Number(x)` / `+x` truthiness: NaN and 0 are false.
    Number,
    /// `x === word` (`!==` when `negate`), on the lower-cased text when `fold`.
    Equals {
        word: String,
        negate: bool,
        fold: bool,
    },
    /// Python `x in ('true', '1', ...)`, on the lower-cased text when `fold`.
    OneOf { words: Vec<String>, fold: bool },
    /// Python `os.environ.get('X') is not None` (`is None` when `negate`): whether the variable
    /// is set at all, so any text, empty included, is true.
    Defined { negate: bool },
}

impl Pred {
    /// `x === word` (or `!==` when `negate`), on the lower-cased text when `fold`.
    pub fn equals(word: &str, negate: bool, fold: bool) -> Pred {
        Pred::Equals {
            word: word.to_owned(),
            negate,
            fold,
        }
    }

    /// `x in (words...)`, on the lower-cased text when `fold`.
    pub fn one_of<S: Into<String>>(words: impl IntoIterator<Item = S>, fold: bool) -> Pred {
        Pred::OneOf {
            words: words.into_iter().map(Into::into).collect(),
            fold,
        }
    }

    /// The boolean the code gets from this text, or `None` when the code would throw.
    pub fn eval(&self, s: &str) -> Option<bool> {
        match self {
            Pred::Truthy => Some(!s.is_empty()),
            Pred::RubyText => Some(true),
            Pred::JsonParse => match s.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            Pred::Lenient => Some(matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "true" | "on" | "ok" | "y" | "yes" | "1"
            )),
            Pred::Strict => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "y" | "on" | "t" => Some(true),
                "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
                _ => None,
            },
            Pred::Int => s
                .trim()
                .replace('_', "")
                .parse::<i64>()
                .ok()
                .map(|n| n != 0),
            Pred::Number => {
                let t = s.trim();
                Some(
                    !t.is_empty()
                        && t.parse::<f64>()
                            .map(|n| n != 0.0 && !n.is_nan())
                            .unwrap_or(false),
                )
            }
            Pred::Equals { word, negate, fold } => {
                let eq = if *fold {
                    s.to_lowercase() == *word
                } else {
                    s == word
                };
                Some(eq != *negate)
            }
            Pred::Defined { negate } => Some(!negate),
            Pred::OneOf { words, fold } => {
                let t = if *fold {
                    s.to_lowercase()
                } else {
                    s.to_owned()
                };
                Some(words.contains(&t))
            }
        }
    }

    /// What the `invalid-value` finding says the code expects, when [`Pred::eval`] can fail.
    pub fn expects(&self) -> &'static str {
        match self {
            Pred::JsonParse => "`true` or `false` (the code reads it with JSON.parse)",
            Pred::Strict => "a boolean such as True or False",
            Pred::Int => "an integer (the code reads it with int())",
            _ => "a boolean",
        }
    }
}

/// How code turns an env variable's text into a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumKind {
    /// The whole text, trimmed (`Number()`, `+x`, Python `int()`, a raw string port).
    Whole,
    /// JavaScript `parseInt`: the leading digits.
    LeadingDigits,
}

/// A port as the code reads it.
pub fn port_of(s: &str, kind: NumKind) -> Option<u16> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let t = match kind {
        NumKind::Whole => t.replace('_', ""),
        NumKind::LeadingDigits => t[..t.bytes().take_while(u8::is_ascii_digit).count()].to_owned(),
    };
    parse_port(&t)
}

/// Parse a port the way most clients do: a decimal integer 1..=65535.
pub fn parse_port(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|&p| p != 0)
}

/// A cast PHP code applies to what it read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhpCast {
    None,
    /// `(int)` / `intval()`.
    Int,
    /// `(bool)` / `boolval()`.
    Bool,
    /// `filter_var(..., FILTER_VALIDATE_BOOLEAN)`.
    FilterBool,
    /// `... === 'true'`.
    EqTrue,
}

/// What the value the code read sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The SMTP host, trimmed; an empty one is refused.
    Host,
    /// PHPMailer's `Host` list: the first `;` entry, without `ssl://`/`tls://` and `:port`.
    PhpMailerHost,
    Username,
    Password,
    From,
    Port,
    /// The port decides the TLS mode: 465 is implicit TLS, any other port `otherwise`.
    PortSecurity {
        otherwise: Security,
    },
    /// A boolean picks one of two outcomes.
    Choice {
        on_true: Outcome,
        on_false: Outcome,
    },
    /// A word picks the outcome (PHPMailer `SMTPSecure`, Laravel `scheme`): the first matching
    /// entry, `empty` for an empty or false value, `other` for anything else.
    Words {
        words: Vec<(String, Security)>,
        fold: bool,
        empty: Outcome,
        other: Outcome,
    },
    /// Any text at all picks `on_text`, an empty value `on_empty` (Laravel logs in when a
    /// username is set).
    NonEmpty {
        on_text: Outcome,
        on_empty: Outcome,
    },
    /// Always this value, whatever the text (Laravel's `scheme` on port 465).
    Const(FieldValue),
    /// Laravel's `verify_peer` DSN option: unset or empty keeps checks on, otherwise a
    /// `FILTER_VALIDATE_BOOLEAN` reading.
    VerifyUnlessFalse,
    /// A part of a mailer URL (Laravel's `url` => `env('MAIL_URL')`), which overrides the
    /// mailer's own setting when the URL has it and leaves the setting alone when it has not.
    Url(UrlPart),
}

/// The parts of a mailer URL a [`Target::Url`] can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlPart {
    Host,
    Port,
    Username,
    Password,
    /// The URL's port decides the TLS mode: 465 is implicit TLS, any other port opportunistic
    /// STARTTLS (Laravel's `smtp` transport), which the `require_tls` and `auto_tls` options of
    /// the query then make required or switch off.
    PortSecurity,
    /// The `verify_peer` option of the query: anything but true switches certificate checks off.
    Verify,
}

/// What one branch of a conversion does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Set(FieldValue),
    /// The field stays as the rest of the configuration set it (a `null` scheme).
    Keep,
    /// The program refuses this value; the text says what it expects instead.
    Refused(&'static str),
}

/// What a conversion does with one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    Set(FieldValue),
    /// The field is left as it is.
    Keep,
    /// The program refuses the text.
    Refused,
}

impl Outcome {
    pub fn security(s: Security) -> Outcome {
        Outcome::Set(FieldValue::Security(s))
    }
}

pub const EXPECTS_PORT: &str = "a port number (1-65535)";
pub const EXPECTS_HOST: &str = "a host name";
pub const EXPECTS_TEXT: &str = "text";

/// What the code holds after reading the text.
enum Got {
    Text(String),
    Bool(bool),
    Port(u16),
    Php(PhpVal),
}

impl Conversion {
    pub fn new(read: Read, target: Target) -> Self {
        Conversion { read, target }
    }

    /// A text field read as it is.
    pub fn text(target: Target) -> Self {
        Conversion::new(Read::Text, target)
    }

    /// A boolean read with `pred` whose two outcomes set a field.
    pub fn choice(pred: Pred, on_true: Outcome, on_false: Outcome) -> Self {
        Conversion::new(Read::Bool(pred), Target::Choice { on_true, on_false })
    }

    /// The field value the program gets from this text, or `None` when it refuses the text or
    /// leaves the field as it is.
    pub fn apply(&self, s: &str) -> Option<FieldValue> {
        match self.applied(s) {
            Applied::Set(v) => Some(v),
            Applied::Keep | Applied::Refused => None,
        }
    }

    /// Where inside `text` the value this conversion takes was written (a part of a URL), when
    /// it is not the whole text.
    pub fn span_in(&self, text: &str) -> Option<std::ops::Range<usize>> {
        match &self.target {
            Target::Url(part) => url_part(text, *part).map(|(_, r)| r),
            _ => None,
        }
    }

    /// What the program does with this text: set the field, leave it, or refuse the text.
    pub fn applied(&self, s: &str) -> Applied {
        let got = match &self.read {
            Read::Text => Some(Got::Text(s.to_owned())),
            Read::Bool(p) => p.eval(s).map(Got::Bool),
            Read::Number(k) => port_of(s, *k).map(Got::Port),
            Read::Php { laravel, cast } => Some(Got::Php(php_read(s, *laravel, *cast))),
        };
        match got {
            Some(got) => self.target.set(got),
            None => Applied::Refused,
        }
    }

    /// What the `invalid-value` finding says the code expects when [`Conversion::apply`] refuses.
    pub fn expects(&self) -> &'static str {
        let refused = |o: &Outcome| match o {
            Outcome::Refused(e) => Some(*e),
            Outcome::Set(_) | Outcome::Keep => None,
        };
        let from_target = match &self.target {
            Target::Choice { on_true, on_false } => refused(on_true).or(refused(on_false)),
            Target::Words { other, empty, .. } => refused(other).or(refused(empty)),
            Target::NonEmpty { on_text, on_empty } => refused(on_text).or(refused(on_empty)),
            Target::Port | Target::PortSecurity { .. } => Some(EXPECTS_PORT),
            Target::Host | Target::PhpMailerHost => Some(EXPECTS_HOST),
            _ => None,
        };
        from_target.unwrap_or(match &self.read {
            Read::Bool(p) => p.expects(),
            Read::Number(_) => EXPECTS_PORT,
            Read::Php { .. } => "a value of the right type",
            Read::Text => EXPECTS_TEXT,
        })
    }
}

impl Target {
    fn set(&self, got: Got) -> Applied {
        let pick = |o: &Outcome| match o {
            Outcome::Set(v) => Applied::Set(v.clone()),
            Outcome::Keep => Applied::Keep,
            Outcome::Refused(_) => Applied::Refused,
        };
        match self {
            Target::Choice { on_true, on_false } => {
                pick(if got.truthy() { on_true } else { on_false })
            }
            Target::Words {
                words,
                fold,
                empty,
                other,
            } => match got.word() {
                Some(w) if w.is_empty() => pick(empty),
                Some(w) => {
                    let hit = words.iter().find(|(k, _)| {
                        if *fold {
                            k.eq_ignore_ascii_case(&w)
                        } else {
                            *k == w
                        }
                    });
                    match hit {
                        Some((_, s)) => Applied::Set(FieldValue::Security(*s)),
                        None => pick(other),
                    }
                }
                None => pick(other),
            },
            Target::NonEmpty { on_text, on_empty } => pick(if got.text().is_empty() {
                on_empty
            } else {
                on_text
            }),
            // A URL without the part (or no URL at all) leaves the mailer's own setting.
            Target::Url(part) => match url_part(&got.text(), *part) {
                Some((v, _)) => Applied::Set(v),
                None => Applied::Keep,
            },
            _ => match self.value(got) {
                Some(v) => Applied::Set(v),
                None => Applied::Refused,
            },
        }
    }

    /// The value of a target that sets its field or refuses the text.
    fn value(&self, got: Got) -> Option<FieldValue> {
        Some(match self {
            Target::Host => {
                let h = got.text();
                let h = h.trim();
                (!h.is_empty()).then(|| FieldValue::Host(h.to_owned()))?
            }
            Target::PhpMailerHost => {
                let text = got.text();
                let first = phpmailer_hosts(&text).into_iter().next()?;
                FieldValue::Host(text[first.host].to_owned())
            }
            Target::Username => FieldValue::Username(got.text()),
            Target::Password => FieldValue::Password(Secret::new(got.text())),
            Target::From => FieldValue::From(got.text()),
            Target::Port => FieldValue::Port(got.port()?),
            Target::PortSecurity { otherwise } => FieldValue::Security(match got.port()? {
                465 => Security::ImplicitTls,
                _ => *otherwise,
            }),
            Target::Const(v) => v.clone(),
            Target::VerifyUnlessFalse => FieldValue::TlsVerify(match got {
                Got::Php(PhpVal::Null) => true,
                Got::Php(PhpVal::Str(s)) if s.is_empty() => true,
                Got::Php(v) => v.filter_bool(),
                Got::Text(s) => s.is_empty() || PhpVal::Str(s).filter_bool(),
                Got::Bool(b) => b,
                Got::Port(_) => false,
            }),
            Target::Choice { .. }
            | Target::Words { .. }
            | Target::NonEmpty { .. }
            | Target::Url(_) => return None,
        })
    }
}

impl Got {
    /// The value as text (PHP's string conversion for PHP values).
    fn text(&self) -> String {
        match self {
            Got::Text(s) => s.clone(),
            Got::Bool(b) => b.to_string(),
            Got::Port(p) => p.to_string(),
            Got::Php(v) => v.to_text(),
        }
    }

    fn port(&self) -> Option<u16> {
        match self {
            Got::Port(p) => Some(*p),
            Got::Text(s) => parse_port(s),
            Got::Php(PhpVal::Int(i)) => u16::try_from(*i).ok().filter(|&p| p != 0),
            Got::Php(PhpVal::Str(s)) => parse_port(s),
            Got::Php(_) | Got::Bool(_) => None,
        }
    }

    /// The truth value in the reading language (PHP's rules for PHP values).
    fn truthy(&self) -> bool {
        match self {
            Got::Bool(b) => *b,
            Got::Text(s) => !s.is_empty(),
            Got::Port(_) => true,
            Got::Php(v) => v.truthy(),
        }
    }

    /// The value as a word, if it is text; a PHP `false` or `null` is the empty word.
    fn word(&self) -> Option<String> {
        match self {
            Got::Text(s) | Got::Php(PhpVal::Str(s)) => Some(s.clone()),
            Got::Php(PhpVal::Bool(false) | PhpVal::Null) => Some(String::new()),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PHP values
// ---------------------------------------------------------------------------------------------

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

    /// PHP's string conversion: `true` is "1", `false` and `null` are "".
    pub fn to_text(&self) -> String {
        match self {
            PhpVal::Str(s) => s.clone(),
            PhpVal::Int(i) => i.to_string(),
            PhpVal::Bool(true) => "1".into(),
            PhpVal::Bool(false) | PhpVal::Null => String::new(),
        }
    }

    /// Apply a cast.
    pub fn cast(self, cast: PhpCast) -> PhpVal {
        match cast {
            PhpCast::None => self,
            PhpCast::Int => PhpVal::Int(self.intval()),
            PhpCast::Bool => PhpVal::Bool(self.truthy()),
            PhpCast::FilterBool => PhpVal::Bool(self.filter_bool()),
            PhpCast::EqTrue => PhpVal::Bool(self == PhpVal::Str("true".into())),
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

/// The value PHP code holds after reading the text (raw or with Laravel's `env()`) and a cast.
pub fn php_read(s: &str, laravel: bool, cast: PhpCast) -> PhpVal {
    let v = if laravel {
        laravel_env(s)
    } else {
        PhpVal::Str(s.to_owned())
    };
    v.cast(cast)
}

// ---------------------------------------------------------------------------------------------
// PHPMailer's Host grammar
// ---------------------------------------------------------------------------------------------

/// One `;`-separated entry of PHPMailer's `Host`, as byte ranges into the Host text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostEntry {
    /// `ssl` or `tls` (without `://`).
    pub prefix: Option<std::ops::Range<usize>>,
    pub host: std::ops::Range<usize>,
    /// The digits after the last `:`.
    pub port: Option<std::ops::Range<usize>>,
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

/// A login method picked by a boolean (PHPMailer `SMTPAuth` with its `AuthType`).
pub fn auth_switch(method: AuthMethod) -> Target {
    Target::Choice {
        on_true: Outcome::Set(FieldValue::Auth(method)),
        on_false: Outcome::Set(FieldValue::Auth(AuthMethod::None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPP: Security = Security::StartTls { required: false };

    #[test]
    fn conversions_are_data_and_apply_as_the_program_reads() {
        // Nodemailer `secure: process.env.SMTP_SECURE === 'true'`.
        let c = Conversion::choice(
            Pred::Equals {
                word: "true".into(),
                negate: false,
                fold: false,
            },
            Outcome::security(Security::ImplicitTls),
            Outcome::security(OPP),
        );
        assert_eq!(
            c.apply("true"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(c.apply("True"), Some(FieldValue::Security(OPP)));
        assert_eq!(c.clone(), c);
        // Python `x in ('true', 'on')`: any words, not a fixed vocabulary.
        let p = Pred::OneOf {
            words: vec!["true".into(), "on".into(), "enabled".into()],
            fold: true,
        };
        assert_eq!(p.eval("Enabled"), Some(true));
        assert_eq!(p.eval("off"), Some(false));
    }

    #[test]
    fn refused_values_say_what_is_expected() {
        let c = Conversion::choice(
            Pred::Truthy,
            Outcome::Refused("an empty value"),
            Outcome::security(Security::StartTls { required: true }),
        );
        assert_eq!(c.apply("False"), None);
        assert_eq!(c.expects(), "an empty value");
        let port = Conversion::new(Read::Number(NumKind::LeadingDigits), Target::Port);
        assert_eq!(port.apply("587abc"), Some(FieldValue::Port(587)));
        assert_eq!(port.apply("99999"), None);
        assert_eq!(port.expects(), EXPECTS_PORT);
    }

    #[test]
    fn php_reads_and_targets() {
        let secure = Conversion::new(
            Read::Php {
                laravel: true,
                cast: PhpCast::None,
            },
            Target::Words {
                words: vec![
                    ("ssl".into(), Security::ImplicitTls),
                    ("tls".into(), Security::StartTls { required: true }),
                ],
                fold: false,
                empty: Outcome::security(Security::None),
                other: Outcome::Refused("`ssl`, `tls` or an empty value"),
            },
        );
        assert_eq!(
            secure.apply("'ssl'"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(
            secure.apply("false"),
            Some(FieldValue::Security(Security::None))
        );
        assert_eq!(secure.apply("true"), None);
        assert_eq!(secure.expects(), "`ssl`, `tls` or an empty value");
        let port_sec = Conversion::new(
            Read::Php {
                laravel: true,
                cast: PhpCast::Int,
            },
            Target::PortSecurity { otherwise: OPP },
        );
        assert_eq!(
            port_sec.apply(" 465x"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        assert_eq!(port_sec.apply("587"), Some(FieldValue::Security(OPP)));
        let verify = Conversion::new(
            Read::Php {
                laravel: true,
                cast: PhpCast::None,
            },
            Target::VerifyUnlessFalse,
        );
        assert_eq!(verify.apply("null"), Some(FieldValue::TlsVerify(true)));
        assert_eq!(verify.apply("false"), Some(FieldValue::TlsVerify(false)));
        let host = Conversion::new(
            Read::Php {
                laravel: false,
                cast: PhpCast::None,
            },
            Target::PhpMailerHost,
        );
        assert_eq!(
            host.apply("ssl://smtp.a.com:465;b"),
            Some(FieldValue::Host("smtp.a.com".into()))
        );
    }
}
