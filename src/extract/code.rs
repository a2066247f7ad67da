//! Pieces the tree-sitter code extractors (`extract::nodemailer`, `extract::python`) share: values read
//! from code, environment reads and the conversions that turn an env variable's text into a
//! profile field the way the program does (JavaScript and Python truthiness, `=== 'true'`,
//! `env.bool`, `Number()`, `int()`), plus small tree-sitter helpers.
//!
//! [`EnvRef::convert`] is a plain `fn(&str)`, so it cannot capture how the code reads the
//! variable. Every supported reading is therefore its own function: a generic function over
//! `const` parameters (the outcome for true, the outcome for false, the predicate), chosen at run
//! time from a table the macros below spell out.

use std::ops::Range;

use tree_sitter::Node;

use crate::model::{EnvRef, FieldValue, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

/// Conversion of an env variable's text into a field value.
pub type ConvFn = fn(&str) -> Option<FieldValue>;

/// How deep expression evaluation may recurse (parentheses, identifiers bound to identifiers).
pub const MAX_DEPTH: usize = 48;

/// How many expression evaluations one file may take in all. Names bound to expressions that
/// use other names twice (`x2 = x1 + x1`) would otherwise take exponential time.
pub const EVAL_BUDGET: usize = 200_000;

/// Take one step of the evaluation budget; `false` once it is spent.
pub fn spend(budget: &std::cell::Cell<usize>) -> bool {
    let left = budget.get();
    if left == 0 {
        return false;
    }
    budget.set(left - 1);
    true
}

/// Code that reads one environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub var: String,
    /// The reading expression (`process.env.SMTP_PORT`, `os.getenv("EMAIL_PORT", 587)`).
    pub reference: Range<usize>,
    /// A default written in code, as the text the conversion understands, and its span.
    pub default: Option<(String, Range<usize>)>,
    /// The default also applies to an empty value (`||`, Python `or`), not only a missing one.
    pub default_if_empty: bool,
}

/// How code turns an env variable's text into a boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pred {
    /// Used raw: any non-empty string is true (JavaScript and Python alike), `"false"` included.
    Truthy,
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
    /// `x === LIT` (or `!==` when `negate`), on the lower-cased text when `fold`.
    Cmp { lit: u8, negate: bool, fold: bool },
    /// Python `x in ('true', '1', ...)`: a set of [`IN_WORDS`] given as a bit mask.
    In { mask: u8, fold: bool },
}

/// Literals a comparison may test against (case matters unless the code lower-cases first).
pub const CMP_LITS: [&str; 10] = [
    "true", "1", "yes", "on", "false", "0", "no", "off", "True", "False",
];
/// Words a membership test may list.
pub const IN_WORDS: [&str; 5] = ["true", "1", "yes", "t", "y"];

impl Pred {
    /// A comparison with a string literal, if the literal is one this module supports.
    pub fn cmp(lit: &str, negate: bool, fold: bool) -> Option<Pred> {
        let i = CMP_LITS.iter().position(|l| *l == lit)?;
        Some(Pred::Cmp {
            lit: i as u8,
            negate,
            fold,
        })
    }

    /// A membership test `x in (...)`, if every listed word is one of [`IN_WORDS`].
    pub fn member_of<'s>(words: impl IntoIterator<Item = &'s str>, fold: bool) -> Option<Pred> {
        let mut mask = 0u8;
        for w in words {
            let i = IN_WORDS.iter().position(|x| *x == w)?;
            mask |= 1 << i;
        }
        Some(Pred::In { mask, fold })
    }

    fn code(self) -> u8 {
        match self {
            Pred::Truthy => 0,
            Pred::JsonParse => 1,
            Pred::Lenient => 2,
            Pred::Strict => 3,
            Pred::Int => 4,
            Pred::Number => 5,
            Pred::Cmp { lit, negate, fold } => 8 + lit * 4 + (negate as u8) * 2 + fold as u8,
            Pred::In { mask, fold } => 64 + (fold as u8) * 32 + (mask & 31),
        }
    }

    fn from_code(c: u8) -> Option<Pred> {
        Some(match c {
            0 => Pred::Truthy,
            1 => Pred::JsonParse,
            2 => Pred::Lenient,
            3 => Pred::Strict,
            4 => Pred::Int,
            5 => Pred::Number,
            8..=47 => {
                let k = c - 8;
                Pred::Cmp {
                    lit: k / 4,
                    negate: k & 2 != 0,
                    fold: k & 1 != 0,
                }
            }
            64..=127 => Pred::In {
                mask: (c - 64) & 31,
                fold: c - 64 >= 32,
            },
            _ => return None,
        })
    }

    /// The boolean the code gets from this text, or `None` when the code would throw.
    pub fn eval(self, s: &str) -> Option<bool> {
        match self {
            Pred::Truthy => Some(!s.is_empty()),
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
                if t.is_empty() {
                    Some(false)
                } else {
                    Some(
                        t.parse::<f64>()
                            .map(|n| n != 0.0 && !n.is_nan())
                            .unwrap_or(false),
                    )
                }
            }
            Pred::Cmp { lit, negate, fold } => {
                let lit = CMP_LITS.get(lit as usize)?;
                let eq = if fold {
                    s.to_lowercase() == *lit
                } else {
                    s == *lit
                };
                Some(eq != negate)
            }
            Pred::In { mask, fold } => {
                let t = if fold { s.to_lowercase() } else { s.to_owned() };
                Some(
                    IN_WORDS
                        .iter()
                        .enumerate()
                        .any(|(i, w)| mask & (1 << i) != 0 && *w == t),
                )
            }
        }
    }

    /// What the `invalid-value` finding says the code expects, when [`Pred::eval`] can fail.
    pub fn expects(self) -> &'static str {
        match self {
            Pred::JsonParse => "`true` or `false` (the code reads it with JSON.parse)",
            Pred::Strict => "a boolean such as True or False",
            Pred::Int => "an integer (the code reads it with int())",
            _ => "a boolean",
        }
    }
}

/// What a boolean turns into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Out {
    Implicit = 0,
    StartReq = 1,
    StartOpp = 2,
    NoTls = 3,
    /// The program refuses this value (Django with both TLS flags on).
    Invalid = 4,
    Port465 = 5,
    Port587 = 6,
    VerifyOn = 7,
    VerifyOff = 8,
}

fn out_value(o: u8) -> Option<FieldValue> {
    Some(match o {
        0 => FieldValue::Security(Security::ImplicitTls),
        1 => FieldValue::Security(Security::StartTls { required: true }),
        2 => FieldValue::Security(Security::StartTls { required: false }),
        3 => FieldValue::Security(Security::None),
        5 => FieldValue::Port(465),
        6 => FieldValue::Port(587),
        7 => FieldValue::TlsVerify(true),
        8 => FieldValue::TlsVerify(false),
        _ => return None,
    })
}

#[inline(never)]
fn eval_code(p: u8, s: &str) -> Option<bool> {
    Pred::from_code(p)?.eval(s)
}

fn conv_bool<const T: u8, const F: u8, const P: u8>(s: &str) -> Option<FieldValue> {
    out_value(if eval_code(P, s)? { T } else { F })
}

fn never(_: &str) -> Option<FieldValue> {
    None
}

macro_rules! by_pred {
    ($t:ident, $f:ident, $code:expr; $($n:literal)*) => {
        match $code {
            $($n => conv_bool::<$t, $f, $n> as ConvFn,)*
            _ => never as ConvFn,
        }
    };
}

fn pick<const T: u8, const F: u8>(code: u8) -> ConvFn {
    // Pred codes: 0-5 fixed readings, 8-47 comparisons, 64-127 membership tests.
    by_pred!(T, F, code;
        0 1 2 3 4 5
        8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27
        28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
        64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95
        96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119
        120 121 122 123 124 125 126 127)
}

/// The conversion for a boolean read with `pred` whose true and false outcomes are given;
/// `None` for a pair no extractor needs.
pub fn bool_conv(on_true: Out, on_false: Out, pred: Pred) -> Option<ConvFn> {
    use Out::*;
    let c = pred.code();
    Some(match (on_true, on_false) {
        (Implicit, StartReq) => pick::<0, 1>(c),
        (Implicit, StartOpp) => pick::<0, 2>(c),
        (Implicit, NoTls) => pick::<0, 3>(c),
        (Port465, Port587) => pick::<5, 6>(c),
        (VerifyOn, VerifyOff) => pick::<7, 8>(c),
        (StartReq, StartOpp) => pick::<1, 2>(c),
        (NoTls, StartOpp) => pick::<3, 2>(c),
        (StartReq, NoTls) => pick::<1, 3>(c),
        (Invalid, StartReq) => pick::<4, 1>(c),
        (Invalid, Implicit) => pick::<4, 0>(c),
        _ => return None,
    })
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
    let t = match kind {
        NumKind::Whole => t.strip_prefix('+').unwrap_or(t).replace('_', ""),
        NumKind::LeadingDigits => {
            let t = t.strip_prefix('+').unwrap_or(t);
            t[..t.bytes().take_while(u8::is_ascii_digit).count()].to_owned()
        }
    };
    super::parse_port(&t)
}

fn conv_port_whole(s: &str) -> Option<FieldValue> {
    port_of(s, NumKind::Whole).map(FieldValue::Port)
}

fn conv_port_leading(s: &str) -> Option<FieldValue> {
    port_of(s, NumKind::LeadingDigits).map(FieldValue::Port)
}

pub fn port_conv(kind: NumKind) -> ConvFn {
    match kind {
        NumKind::Whole => conv_port_whole,
        NumKind::LeadingDigits => conv_port_leading,
    }
}

fn conv_port_sec<const K: u8, const F: u8>(s: &str) -> Option<FieldValue> {
    let kind = if K == 0 {
        NumKind::Whole
    } else {
        NumKind::LeadingDigits
    };
    let p = port_of(s, kind)?;
    out_value(if p == 465 { Out::Implicit as u8 } else { F })
}

/// Nodemailer with `secure` unset: implicit TLS when the port read from the env is 465,
/// `otherwise` for any other port.
pub fn port_security_conv(kind: NumKind, otherwise: Out) -> Option<ConvFn> {
    Some(match (kind, otherwise) {
        (NumKind::Whole, Out::StartReq) => conv_port_sec::<0, 1>,
        (NumKind::Whole, Out::StartOpp) => conv_port_sec::<0, 2>,
        (NumKind::Whole, Out::NoTls) => conv_port_sec::<0, 3>,
        (NumKind::LeadingDigits, Out::StartReq) => conv_port_sec::<1, 1>,
        (NumKind::LeadingDigits, Out::StartOpp) => conv_port_sec::<1, 2>,
        (NumKind::LeadingDigits, Out::NoTls) => conv_port_sec::<1, 3>,
        _ => return None,
    })
}

pub fn conv_host(s: &str) -> Option<FieldValue> {
    let t = s.trim();
    (!t.is_empty()).then(|| FieldValue::Host(t.to_owned()))
}

pub fn conv_username(s: &str) -> Option<FieldValue> {
    Some(FieldValue::Username(s.to_owned()))
}

pub fn conv_password(s: &str) -> Option<FieldValue> {
    Some(FieldValue::Password(Secret::new(s)))
}

pub fn conv_from(s: &str) -> Option<FieldValue> {
    Some(FieldValue::From(s.to_owned()))
}

pub const EXPECTS_PORT: &str = "a port number (1-65535)";
pub const EXPECTS_TEXT: &str = "text";

/// An [`EnvRef`] for a text field (host, login, password, From): an empty default in code
/// (`os.getenv("EMAIL_HOST_USER", "")`) means no value, not an empty one.
pub fn text_ref(file: FileId, read: &EnvRead, convert: ConvFn) -> EnvRef {
    let mut r = env_ref(file, read, convert, EXPECTS_TEXT);
    if r.default.as_ref().is_some_and(|(t, _)| t.trim().is_empty()) {
        r.default = None;
    }
    r
}

/// Add From addresses to a profile: literals as values, env reads as references; each place once.
pub fn push_froms(file: FileId, p: &mut Profile, froms: Vec<Val>) {
    let mut seen: Vec<Range<usize>> = Vec::new();
    for f in froms {
        let place = match &f {
            Val::Str { text, span } if !text.trim().is_empty() => span.clone(),
            Val::EnvText(r) | Val::EnvInText(r) => r.reference.clone(),
            _ => continue,
        };
        if seen.contains(&place) {
            continue;
        }
        seen.push(place);
        match f {
            Val::Str { text, span } => p.from.push(Value::literal(text, Loc::new(file, span))),
            Val::EnvText(r) | Val::EnvInText(r) => p.env_refs.push(text_ref(file, &r, conv_from)),
            _ => {}
        }
    }
}

/// Build the model's [`EnvRef`] from a read.
pub fn env_ref(file: FileId, read: &EnvRead, convert: ConvFn, expects: &'static str) -> EnvRef {
    EnvRef {
        var: read.var.clone(),
        reference: Loc::new(file, read.reference.clone()),
        default: read
            .default
            .as_ref()
            .map(|(t, s)| (t.clone(), Loc::new(file, s.clone()))),
        default_if_empty: read.default_if_empty,
        convert,
        expects,
    }
}

// ---------------------------------------------------------------------------------------------
// Values read from code
// ---------------------------------------------------------------------------------------------

/// What an expression in code evaluates to, as far as a static reading can tell.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// A string literal: its decoded text and the span of its content (inside the quotes).
    Str {
        text: String,
        span: Range<usize>,
    },
    Num {
        value: f64,
        span: Range<usize>,
    },
    Bool {
        value: bool,
        span: Range<usize>,
    },
    /// `null`, `undefined`, `None`.
    Null,
    /// An env variable's raw text.
    EnvText(EnvRead),
    /// An env variable's text, lower-cased by the code.
    EnvLower(EnvRead),
    /// A boolean computed from an env variable.
    EnvBool(EnvRead, Pred),
    /// A number computed from an env variable.
    EnvNum(EnvRead, NumKind),
    /// A string built from parts (template literal, `+`, f-string) around exactly one env read,
    /// e.g. `` `"Shop" <${process.env.SMTP_FROM}>` ``: good for addresses.
    EnvInText(EnvRead),
    Unknown,
}

impl Val {
    /// The text a default value gives a conversion, chosen so that the conversion treats it
    /// as the code does (`false` becomes the empty string, which every reading calls false).
    pub fn default_text(&self) -> Option<(String, Range<usize>)> {
        match self {
            Val::Str { text, span } => Some((text.clone(), span.clone())),
            Val::Num { value, span } => Some((format_num(*value), span.clone())),
            Val::Bool { value, span } => {
                Some((if *value { "true" } else { "" }.to_owned(), span.clone()))
            }
            _ => None,
        }
    }

    pub fn env_read(&self) -> Option<&EnvRead> {
        match self {
            Val::EnvText(r)
            | Val::EnvLower(r)
            | Val::EnvBool(r, _)
            | Val::EnvNum(r, _)
            | Val::EnvInText(r) => Some(r),
            _ => None,
        }
    }

    /// Attach a code default to an env read that has none.
    /// Attach a default written in code; `if_empty` when it also replaces an empty value.
    pub fn with_default(self, d: &Val, if_empty: bool) -> Val {
        let Some(dt) = d.default_text() else {
            return self;
        };
        let set = |mut r: EnvRead| {
            if r.default.is_none() {
                r.default = Some(dt.clone());
                r.default_if_empty = if_empty;
            }
            r
        };
        match self {
            Val::EnvText(r) => Val::EnvText(set(r)),
            Val::EnvLower(r) => Val::EnvLower(set(r)),
            Val::EnvBool(r, p) => Val::EnvBool(set(r), p),
            Val::EnvNum(r, k) => Val::EnvNum(set(r), k),
            other => other,
        }
    }

    /// The boolean reading of this value, for a field the program tests for truthiness.
    pub fn as_bool(&self) -> BoolVal {
        match self {
            Val::Bool { value, span } => BoolVal::Known(*value, span.clone()),
            Val::Str { text, span } => BoolVal::Known(!text.is_empty(), span.clone()),
            Val::Num { value, span } => BoolVal::Known(*value != 0.0, span.clone()),
            Val::Null => BoolVal::Unknown,
            Val::EnvText(r) | Val::EnvLower(r) => BoolVal::Env(r.clone(), Pred::Truthy),
            Val::EnvBool(r, p) => BoolVal::Env(r.clone(), *p),
            Val::EnvNum(r, NumKind::Whole) => BoolVal::Env(r.clone(), Pred::Number),
            _ => BoolVal::Unknown,
        }
    }
}

/// A boolean option as code sets it.
#[derive(Clone, Debug, PartialEq)]
pub enum BoolVal {
    Known(bool, Range<usize>),
    Env(EnvRead, Pred),
    Unknown,
}

pub fn format_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------

/// The text of a node (empty if its range is not valid for `src`).
pub fn text<'s>(n: Node, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

/// Decode the backslash escapes JavaScript and Python share in string literals.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'x' | 'u' => {
                let mut hex = String::new();
                if e == 'u' && it.peek() == Some(&'{') {
                    it.next();
                    while let Some(&h) = it.peek() {
                        it.next();
                        if h == '}' {
                            break;
                        }
                        hex.push(h);
                    }
                } else {
                    let n = if e == 'x' { 2 } else { 4 };
                    for _ in 0..n {
                        match it.peek() {
                            Some(h) if h.is_ascii_hexdigit() => {
                                hex.push(*h);
                                it.next();
                            }
                            _ => break,
                        }
                    }
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('\\');
                        out.push(e);
                        out.push_str(&hex);
                    }
                }
            }
            '\n' => {}
            '\r' => {
                if it.peek() == Some(&'\n') {
                    it.next();
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Percent-decoding as `decodeURIComponent` does it (invalid sequences stay as they are).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = h {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Visit every node of a tree in document order without recursion (deeply nested input must
/// not overflow the stack).
pub fn walk_tree<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The first ERROR or MISSING node inside `n`, for a `parse-error` about a construct whose
/// meaning depends on it.
pub fn first_error(n: Node) -> Option<Range<usize>> {
    if !n.has_error() {
        return None;
    }
    let mut found = None;
    walk_tree(n, |c| {
        if found.is_none() && (c.is_error() || c.is_missing()) {
            found = Some(c.byte_range());
        }
    });
    found
}

/// Widen an empty span to one character so a label can show it.
pub fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len()).max(start);
    if start < end || start >= text.len() {
        return start..end;
    }
    let mut e = start + 1;
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    start..e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_read_like_the_languages() {
        assert_eq!(Pred::Truthy.eval("false"), Some(true));
        assert_eq!(Pred::Truthy.eval(""), Some(false));
        assert_eq!(Pred::JsonParse.eval("False"), None);
        assert_eq!(Pred::Lenient.eval("Yes"), Some(true));
        assert_eq!(Pred::Lenient.eval("nope"), Some(false));
        assert_eq!(Pred::Strict.eval("maybe"), None);
        assert_eq!(Pred::Int.eval("0"), Some(false));
        assert_eq!(Pred::Int.eval("x"), None);
        assert_eq!(Pred::Number.eval("abc"), Some(false));
        let eq_true = Pred::cmp("true", false, false).unwrap();
        assert_eq!(eq_true.eval("true"), Some(true));
        assert_eq!(eq_true.eval("True"), Some(false));
        let ne_false_fold = Pred::cmp("false", true, true).unwrap();
        assert_eq!(ne_false_fold.eval("FALSE"), Some(false));
        let member = Pred::member_of(["true", "1"], true).unwrap();
        assert_eq!(member.eval("TRUE"), Some(true));
        assert_eq!(member.eval("yes"), Some(false));
        for c in 0..=255u8 {
            if let Some(p) = Pred::from_code(c) {
                assert_eq!(p.code(), c, "{p:?}");
            }
        }
    }

    #[test]
    fn conversions_are_chosen_by_reading() {
        let f = bool_conv(Out::Implicit, Out::StartOpp, Pred::Truthy).unwrap();
        assert_eq!(
            f("false"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        let f = bool_conv(
            Out::Implicit,
            Out::StartReq,
            Pred::cmp("true", false, true).unwrap(),
        )
        .unwrap();
        assert_eq!(
            f("FALSE"),
            Some(FieldValue::Security(Security::StartTls { required: true }))
        );
        let f = bool_conv(Out::Invalid, Out::Implicit, Pred::Lenient).unwrap();
        assert_eq!(f("yes"), None);
        let f = port_security_conv(NumKind::Whole, Out::StartOpp).unwrap();
        assert_eq!(f(" 465"), Some(FieldValue::Security(Security::ImplicitTls)));
        assert_eq!(port_of("587abc", NumKind::LeadingDigits), Some(587));
        assert_eq!(port_of("587abc", NumKind::Whole), None);
    }

    #[test]
    fn escapes_and_percent() {
        assert_eq!(unescape(r"a\x41\u0042\u{43}\n\\"), "aABC\n\\");
        assert_eq!(unescape("\\"), "\\");
        assert_eq!(percent_decode("me%40icloud.com%2"), "me@icloud.com%2");
        assert_eq!(percent_decode("%"), "%");
    }
}
