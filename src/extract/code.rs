//! Pieces the tree-sitter code extractors (`extract::nodemailer`, `extract::python`) share: values read
//! from code, environment reads and the conversions that turn an env variable's text into a
//! profile field the way the program does (JavaScript and Python truthiness, `=== 'true'`,
//! `env.bool`, `Number()`, `int()`), plus small tree-sitter helpers.
//!
//! The conversions themselves are data ([`crate::model::Conversion`]); this module only builds
//! them from what the readers saw.

use std::ops::Range;

use tree_sitter::Node;

pub use crate::model::conversion::{port_of, NumKind, Pred};
use crate::model::conversion::{Conversion, Outcome, Read, Target};
use crate::model::{EnvRef, FieldValue, Profile, Security, Value};
use crate::source::{FileId, Loc};

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

/// What a boolean turns into, in the readers' vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Out {
    Implicit,
    StartReq,
    StartOpp,
    NoTls,
    Port465,
    Port587,
    VerifyOn,
    VerifyOff,
}

impl Out {
    pub fn outcome(self) -> Outcome {
        Outcome::Set(match self {
            Out::Implicit => FieldValue::Security(Security::ImplicitTls),
            Out::StartReq => FieldValue::Security(Security::StartTls { required: true }),
            Out::StartOpp => FieldValue::Security(Security::StartTls { required: false }),
            Out::NoTls => FieldValue::Security(Security::None),
            Out::Port465 => FieldValue::Port(465),
            Out::Port587 => FieldValue::Port(587),
            Out::VerifyOn => FieldValue::TlsVerify(true),
            Out::VerifyOff => FieldValue::TlsVerify(false),
        })
    }

    /// The TLS mode this outcome stands for, if it is one.
    pub fn security(self) -> Option<Security> {
        match self.outcome() {
            Outcome::Set(FieldValue::Security(s)) => Some(s),
            _ => None,
        }
    }
}

/// The conversion for a boolean read with `pred` whose true and false outcomes are given.
pub fn bool_conv(on_true: Out, on_false: Out, pred: Pred) -> Conversion {
    Conversion::choice(pred, on_true.outcome(), on_false.outcome())
}

/// A port read the way the code reads numbers.
pub fn port_conv(kind: NumKind) -> Conversion {
    Conversion::new(Read::Number(kind), Target::Port)
}

/// Nodemailer with `secure` unset: implicit TLS when the port read from the env is 465,
/// `otherwise` for any other port.
pub fn port_security_conv(kind: NumKind, otherwise: Out) -> Option<Conversion> {
    Some(Conversion::new(
        Read::Number(kind),
        Target::PortSecurity {
            otherwise: otherwise.security()?,
        },
    ))
}

/// An [`EnvRef`] for a text field (host, login, password, From): an empty default in code
/// (`os.getenv("EMAIL_HOST_USER", "")`) means no value, not an empty one.
pub fn text_ref(file: FileId, read: &EnvRead, target: Target) -> EnvRef {
    let mut r = env_ref(file, read, Conversion::text(target));
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
            Val::EnvText(r) | Val::EnvInText(r) => {
                p.env_refs.push(text_ref(file, &r, Target::From))
            }
            _ => {}
        }
    }
}

/// Build the model's [`EnvRef`] from a read.
pub fn env_ref(file: FileId, read: &EnvRead, conversion: Conversion) -> EnvRef {
    EnvRef {
        var: read.var.clone(),
        reference: Loc::new(file, read.reference.clone()),
        default: read
            .default
            .as_ref()
            .map(|(t, s)| (t.clone(), Loc::new(file, s.clone()))),
        default_if_empty: read.default_if_empty,
        conversion,
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
            Val::EnvBool(r, p) => BoolVal::Env(r.clone(), p.clone()),
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
        let eq_true = Pred::equals("true", false, false);
        assert_eq!(eq_true.eval("true"), Some(true));
        assert_eq!(eq_true.eval("True"), Some(false));
        let ne_false_fold = Pred::equals("false", true, true);
        assert_eq!(ne_false_fold.eval("FALSE"), Some(false));
        let member = Pred::one_of(["true", "1"], true);
        assert_eq!(member.eval("TRUE"), Some(true));
        assert_eq!(member.eval("yes"), Some(false));
    }

    #[test]
    fn conversions_are_chosen_by_reading() {
        let f = bool_conv(Out::Implicit, Out::StartOpp, Pred::Truthy);
        assert_eq!(
            f.apply("false"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
        let f = bool_conv(
            Out::Implicit,
            Out::StartReq,
            Pred::equals("true", false, true),
        );
        assert_eq!(
            f.apply("FALSE"),
            Some(FieldValue::Security(Security::StartTls { required: true }))
        );
        assert_eq!(
            f,
            Conversion::new(
                Read::Bool(Pred::equals("true", false, true)),
                Target::Choice {
                    on_true: Outcome::Set(FieldValue::Security(Security::ImplicitTls)),
                    on_false: Outcome::Set(FieldValue::Security(Security::StartTls {
                        required: true
                    })),
                }
            )
        );
        let f = port_security_conv(NumKind::Whole, Out::StartOpp).unwrap();
        assert_eq!(
            f.apply(" 465"),
            Some(FieldValue::Security(Security::ImplicitTls))
        );
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
