//! The values the code readers (JavaScript/TypeScript, Python) evaluate expressions into: string,
//! number and boolean literals with their spans, and reads of environment variables with the
//! reading (`=== 'true'`, `Number()`, `env.bool`) as a [`Pred`] or [`NumKind`]. Nothing here
//! knows about mail; the client programs in `extract::clients` give these values a meaning.

use std::ops::Range;

pub use crate::model::conversion::{port_of, NumKind, Pred};

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

/// A number literal: `_` separators, `0x`/`0o`/`0b` radixes, and the language's suffixes
/// (`n` for JavaScript big integers, `l`/`j` for Python) ignored.
pub fn parse_number(t: &str, suffixes: &[char]) -> Option<f64> {
    let t = t.replace('_', "").to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = t.strip_prefix(prefix) {
            return u64::from_str_radix(d, radix).ok().map(|v| v as f64);
        }
    }
    t.trim_end_matches(suffixes).parse::<f64>().ok()
}

/// A number literal's value ([`parse_number`]), or `Unknown`.
pub fn number(t: &str, suffixes: &[char], span: Range<usize>) -> Val {
    match parse_number(t, suffixes) {
        Some(value) => Val::Num { value, span },
        None => Val::Unknown,
    }
}

pub fn format_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `a || b` and `a ?? b` in JavaScript, `a or b` in Python: the right side replaces a falsy left
/// side (only a missing one when `nullish`); on an env read it becomes the read's default.
pub fn either(left: Val, nullish: bool, right: impl FnOnce() -> Val) -> Val {
    if left.env_read().is_some() {
        let right = right();
        // `process.env.X === 'true' || false` keeps the comparison.
        if matches!(right, Val::Bool { value: false, .. }) && matches!(left, Val::EnvBool(..)) {
            return left;
        }
        return left.with_default(&right, !nullish);
    }
    let falls = match &left {
        Val::Null => true,
        _ if nullish => false,
        Val::Str { text, .. } => text.is_empty(),
        Val::Bool { value, .. } => !value,
        Val::Num { value, .. } => *value == 0.0,
        _ => false,
    };
    if falls {
        right()
    } else {
        left
    }
}

/// `Boolean(x)` / `!!x` / `bool(x)`: the truthiness of a value; `num` is how the language tests
/// a number read from the environment.
pub fn truthiness(v: Val, num: Pred) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvBool(r, Pred::Truthy),
        Val::EnvNum(r, _) => Val::EnvBool(r, num),
        Val::EnvBool(..) => v,
        other => match other.as_bool() {
            BoolVal::Known(value, span) => Val::Bool { value, span },
            _ => Val::Unknown,
        },
    }
}

/// `x.lower()` / `x.toLowerCase()`.
pub fn lowered(v: Val) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvLower(r),
        Val::Str { text, span } => Val::Str {
            text: text.to_lowercase(),
            span,
        },
        _ => Val::Unknown,
    }
}

/// A comparison of an env read with a string literal (`== 'true'`, `!== "false"`), either way
/// round.
pub fn compared(a: &Val, b: &Val, negate: bool) -> Val {
    let env = |v: &Val| match v {
        Val::EnvText(r) => Some((r.clone(), false)),
        Val::EnvLower(r) => Some((r.clone(), true)),
        _ => None,
    };
    match (env(a), b, env(b), a) {
        (Some((r, fold)), Val::Str { text, .. }, _, _)
        | (_, _, Some((r, fold)), Val::Str { text, .. }) => {
            Val::EnvBool(r, Pred::equals(text, negate, fold))
        }
        _ => Val::Unknown,
    }
}

/// Names bound in a file, each with the places it is assigned, in file order.
pub struct Bindings<T> {
    map: std::collections::HashMap<String, Vec<(usize, T)>>,
}

impl<T> Default for Bindings<T> {
    fn default() -> Self {
        Bindings {
            map: Default::default(),
        }
    }
}

impl<T> Bindings<T> {
    pub fn bind(&mut self, name: &str, pos: usize, value: T) {
        self.map
            .entry(name.to_owned())
            .or_default()
            .push((pos, value));
    }

    /// The binding in force at `pos`: the last one before it, else the first (a name used in a
    /// function defined above its assignment).
    pub fn lookup(&self, name: &str, pos: usize) -> Option<&T> {
        let list = self.map.get(name)?;
        list.iter()
            .rev()
            .find(|(p, _)| *p < pos)
            .or_else(|| list.first())
            .map(|(_, b)| b)
    }

    /// Every name bound, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Every binding of a name, in file order.
    pub fn all(&self, name: &str) -> &[(usize, T)] {
        self.map.get(name).map_or(&[], Vec::as_slice)
    }
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

#[cfg(test)]
mod tests;
