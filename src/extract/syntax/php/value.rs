//! What smtp-doctor knows about the value of a PHP expression without running the code: literals,
//! arrays, environment reads, and the literal pieces of what it cannot compute.

use std::ops::Range;

/// What the code does with the text before the client sees it.
pub use crate::model::conversion::PhpCast as Cast;
pub use crate::model::conversion::PhpVal;

/// How many literal pieces an unknown value keeps (a hostile `$x = $x . 'a';` repeated must not
/// grow without end; no password is made of more).
pub const MAX_PIECES: usize = 64;

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
        /// The literal text written into it (the parts of a concatenation or of an interpolated
        /// string, also through variables), so that a secret built from pieces can be masked.
        pieces: Vec<Range<usize>>,
    },
}

impl Expr {
    /// A value nothing is known about.
    pub fn unknown(span: Range<usize>) -> Expr {
        Expr::Unknown {
            span,
            pieces: Vec::new(),
        }
    }

    /// The span of the value (inside the quotes of a string).
    pub fn span(&self) -> Range<usize> {
        match self {
            Expr::Str(s) => s.span.clone(),
            Expr::Int { span, .. }
            | Expr::Bool { span, .. }
            | Expr::Null { span }
            | Expr::Unknown { span, .. } => span.clone(),
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

    /// The spans of the literal text that goes into this value: a string or number, the
    /// default next to an environment read, the pieces of a concatenation.
    pub fn pieces(&self) -> Vec<Range<usize>> {
        match self {
            Expr::Unknown { pieces, .. } => pieces.clone(),
            other => other.clone().into_pieces(),
        }
    }

    /// [`Expr::pieces`], taking the value.
    pub fn into_pieces(self) -> Vec<Range<usize>> {
        match self {
            Expr::Str(s) => vec![s.span],
            Expr::Int { span, .. } => vec![span],
            Expr::Env(e) => e.default.into_iter().map(|(_, s)| s).collect(),
            Expr::Unknown { pieces, .. } => pieces,
            Expr::Bool { .. } | Expr::Null { .. } | Expr::Array(_) => Vec::new(),
        }
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
}
