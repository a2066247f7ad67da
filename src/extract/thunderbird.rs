//! Thunderbird `prefs.js` / `user.js`: the Mozilla preferences grammar, read with byte spans, and
//! the outgoing-server prefs (`mail.smtpserver.<key>.*`) turned into one [`Profile`] per server.
//!
//! Two layers:
//! 1. [`parse`]: a hand-written, span-keeping parser of `user_pref("name", value);` statements
//!    (also `pref(`, `sticky_pref(`, `lockPref(`). A malformed statement becomes a `parse-error`
//!    at the bad bytes; parsing resumes after the next `;` or line end.
//! 2. [`extract`]: the meaning Thunderbird gives those prefs: server keys, `try_ssl`,
//!    `authMethod`, port defaults, identities (From), and the mistakes the format itself shows
//!    (wrong types, retired values, keys Thunderbird never reads).
//!
//! The format and its semantics are described in `docs/formats/thunderbird.md`.

use std::collections::HashMap;
use std::ops::Range;

use super::{is_secret_key, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

// ---------------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------------

/// A pref value, typed by its literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefValue {
    Str(String),
    Int(i32),
    Bool(bool),
}

impl PrefValue {
    fn type_name(&self) -> &'static str {
        match self {
            PrefValue::Str(_) => "a string",
            PrefValue::Int(_) => "an integer",
            PrefValue::Bool(_) => "a boolean",
        }
    }
}

/// Which statement defined a pref. When one name is defined at several levels the highest level
/// wins (a locked pref beats a user value, a user value beats a default); within one level the
/// later definition wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `pref(` / `sticky_pref(`: a default value.
    Default,
    /// `user_pref(`.
    User,
    /// `lockPref(` (autoconfig).
    Locked,
}

/// One `user_pref(NAME, VALUE);` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pref {
    pub level: Level,
    pub name: String,
    /// Inside the quotes.
    pub name_span: Range<usize>,
    pub value: PrefValue,
    /// The value token; for strings the bytes inside the quotes (escapes as written).
    pub value_span: Range<usize>,
    /// From the keyword to the `;`.
    pub stmt_span: Range<usize>,
}

/// A syntax error. Messages never quote the file's text (it may hold a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: &'static str,
}

/// The statements of a prefs file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub prefs: Vec<Pref>,
    pub errors: Vec<SyntaxError>,
    /// Values of secret-looking prefs inside statements that failed to parse.
    pub partial_secrets: Vec<Range<usize>>,
    /// Offset of the first NUL byte: Thunderbird stops reading the file there.
    pub nul: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// `[A-Za-z_]+`
    Word,
    /// A string literal: its value, or the first error inside it.
    Str(Result<String, SyntaxError>),
    /// Unsigned digits; `None` when they overflow `u32`.
    Int(Option<u32>),
    /// One of `( ) , ; + -`.
    Punct(u8),
    /// Bytes that cannot start a token (the message says why).
    Bad(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    span: Range<usize>,
    /// Strings: the bytes between the quotes (to the line end when unterminated).
    inner: Range<usize>,
    /// Where the lexer stands after this token.
    next: usize,
    /// Strings: the first line break inside the literal, if any.
    eol: Option<usize>,
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    nul: Option<usize>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_eol(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str, start: usize) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: start,
            nul: None,
        }
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes[from.min(self.len())..]
            .iter()
            .position(|&b| is_eol(b))
            .map_or(self.len(), |i| from + i)
    }

    /// Length in bytes of the character starting at `at` (1 if `at` is not a boundary).
    fn char_len(&self, at: usize) -> usize {
        self.text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn token(&self, tok: Tok, span: Range<usize>) -> Token {
        Token {
            tok,
            inner: span.clone(),
            next: span.end,
            eol: None,
            span,
        }
    }

    fn next_token(&mut self) -> Token {
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                let end = self.len();
                return self.token(Tok::Eof, end..end);
            };
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                0 => {
                    self.nul.get_or_insert(start);
                    self.pos += 1;
                }
                b'#' => self.pos = self.line_end(start),
                b'/' => match self.bytes.get(start + 1) {
                    Some(b'/') => self.pos = self.line_end(start),
                    Some(b'*') => {
                        let body = &self.bytes[start + 2..];
                        match body.windows(2).position(|w| w == b"*/") {
                            Some(i) => self.pos = start + 2 + i + 2,
                            None => {
                                self.pos = self.len();
                                let mut t = self
                                    .token(Tok::Bad("unterminated `/*` comment"), start..start + 2);
                                t.next = self.len();
                                return t;
                            }
                        }
                    }
                    _ => {
                        self.pos = start + 1;
                        return self.token(
                            Tok::Bad("stray `/`: comments start with `//` or `/*`"),
                            start..start + 1,
                        );
                    }
                },
                b'"' | b'\'' => return self.string(start),
                b'0'..=b'9' => {
                    let mut end = start;
                    let mut value: Option<u32> = Some(0);
                    while let Some(&d) = self.bytes.get(end).filter(|d| d.is_ascii_digit()) {
                        value = value
                            .and_then(|v| v.checked_mul(10))
                            .and_then(|v| v.checked_add(u32::from(d - b'0')));
                        end += 1;
                    }
                    if self.bytes.get(end).copied().is_some_and(is_word_byte) {
                        while self.bytes.get(end).copied().is_some_and(is_word_byte) {
                            end += 1;
                        }
                        self.pos = end;
                        return self.token(Tok::Bad("letters inside a number"), start..end);
                    }
                    self.pos = end;
                    return self.token(Tok::Int(value), start..end);
                }
                b'(' | b')' | b',' | b';' | b'+' | b'-' => {
                    self.pos = start + 1;
                    return self.token(Tok::Punct(b), start..start + 1);
                }
                _ if is_word_byte(b) => {
                    let mut end = start;
                    while self.bytes.get(end).copied().is_some_and(is_word_byte) {
                        end += 1;
                    }
                    self.pos = end;
                    return self.token(Tok::Word, start..end);
                }
                _ => {
                    let end = start + self.char_len(start);
                    self.pos = end;
                    return self.token(Tok::Bad("unexpected character"), start..end);
                }
            }
        }
    }

    /// Hex digits at `at`: the value, or `None`, and how many digits matched.
    fn hex(&self, at: usize, n: usize) -> (Option<u32>, usize) {
        let mut v = 0u32;
        for k in 0..n {
            match self
                .bytes
                .get(at + k)
                .and_then(|&b| (b as char).to_digit(16))
            {
                Some(d) => v = v * 16 + d,
                None => return (None, k),
            }
        }
        (Some(v), n)
    }

    fn string(&mut self, start: usize) -> Token {
        let quote = self.bytes[start];
        let mut i = start + 1;
        let mut out = String::new();
        let mut err: Option<SyntaxError> = None;
        let mut fail = |span: Range<usize>, message: &'static str| {
            err.get_or_insert(SyntaxError { span, message });
        };
        loop {
            let Some(&b) = self.bytes.get(i) else {
                // Unterminated: blame the opening line and resume at its end.
                let end = self.line_end(start + 1);
                self.pos = end;
                return Token {
                    tok: Tok::Str(Err(SyntaxError {
                        span: start..end,
                        message: "unterminated string",
                    })),
                    span: start..end,
                    inner: start + 1..end,
                    next: end,
                    eol: None,
                };
            };
            if b == quote {
                i += 1;
                break;
            }
            if b != b'\\' {
                let n = self.char_len(i);
                out.push_str(self.text.get(i..i + n).unwrap_or("\u{fffd}"));
                i += n;
                continue;
            }
            let esc = i;
            match self.bytes.get(i + 1) {
                None => i += 1,
                Some(b'"') | Some(b'\'') | Some(b'\\') => {
                    out.push(self.bytes[i + 1] as char);
                    i += 2;
                }
                Some(b'n') => {
                    out.push('\n');
                    i += 2;
                }
                Some(b'r') => {
                    out.push('\r');
                    i += 2;
                }
                Some(b'x') => {
                    let (v, n) = self.hex(i + 2, 2);
                    i += 2 + n;
                    match v {
                        Some(0) => fail(esc..i, "`\\x00` is not allowed in a string"),
                        // A raw byte; read as Latin-1.
                        Some(v) => out.push(char::from(v as u8)),
                        None => fail(esc..i, "`\\x` needs two hex digits"),
                    }
                }
                Some(b'u') => {
                    let (v, n) = self.hex(i + 2, 4);
                    i += 2 + n;
                    match v {
                        None => fail(esc..i, "`\\u` needs four hex digits"),
                        Some(0) => fail(esc..i, "`\\u0000` is not allowed in a string"),
                        Some(hi @ 0xd800..=0xdbff) => {
                            let lo = if self.bytes.get(i..i + 2) == Some(b"\\u") {
                                self.hex(i + 2, 4)
                                    .0
                                    .filter(|lo| (0xdc00..=0xdfff).contains(lo))
                            } else {
                                None
                            };
                            match lo {
                                Some(lo) => {
                                    i += 6;
                                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                                    out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                }
                                None => fail(esc..i, "high surrogate without a low surrogate"),
                            }
                        }
                        Some(0xdc00..=0xdfff) => {
                            fail(esc..i, "low surrogate without a high surrogate")
                        }
                        Some(v) => out.push(char::from_u32(v).unwrap_or('\u{fffd}')),
                    }
                }
                Some(_) => {
                    i += 1 + self.char_len(i + 1);
                    fail(esc..i, "unknown escape sequence in string");
                }
            }
        }
        self.pos = i;
        let eol = self.bytes[start + 1..i - 1]
            .iter()
            .position(|&b| is_eol(b))
            .map(|k| start + 1 + k);
        Token {
            tok: Tok::Str(match err {
                Some(e) => Err(e),
                None => Ok(out),
            }),
            span: start..i,
            inner: start + 1..i - 1,
            next: i,
            eol,
        }
    }
}

/// Why a statement failed, before recovery.
struct Failure {
    offending: Token,
    /// The last token of the statement that was fine.
    last_good: Option<Range<usize>>,
    message: &'static str,
    /// When the pref name looks secret: the first token after the name.
    secret_candidate: Option<Token>,
}

struct Parser<'t> {
    lx: Lexer<'t>,
    out: Parsed,
    /// The opening quote and first line end of a string that ran over a line end in the current
    /// statement. Legal, but when the statement then fails the likelier mistake is a missing
    /// closing quote, so the error is put there.
    multiline: Option<(usize, usize)>,
}

fn level_of(word: &str) -> Option<Level> {
    match word {
        "user_pref" => Some(Level::User),
        "pref" | "sticky_pref" => Some(Level::Default),
        "lockPref" => Some(Level::Locked),
        _ => None,
    }
}

fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl<'t> Parser<'t> {
    fn word(&self, t: &Token) -> &'t str {
        self.lx.text.get(t.span.clone()).unwrap_or("")
    }

    fn next(&mut self) -> Token {
        let t = self.lx.next_token();
        if let (Tok::Str(_), Some(eol)) = (&t.tok, t.eol) {
            self.multiline.get_or_insert((t.span.start, eol));
        }
        t
    }

    fn statement(&mut self, kw: Token, level: Level) -> Result<Pref, Box<Failure>> {
        let fail = |offending: Token, last: &Range<usize>, message, secret: Option<Token>| {
            Box::new(Failure {
                offending,
                last_good: Some(last.clone()),
                message,
                secret_candidate: secret,
            })
        };
        let t = self.next();
        if t.tok != Tok::Punct(b'(') {
            return Err(fail(t, &kw.span, "expected `(` after the keyword", None));
        }
        let last = t.span;
        let t = self.next();
        let (name, name_span) = match &t.tok {
            Tok::Str(Ok(name)) => (name.clone(), t.inner.clone()),
            _ => {
                return Err(fail(
                    t,
                    &last,
                    "expected a quoted pref name after `(`",
                    None,
                ))
            }
        };
        let secret = is_secret_key(last_segment(&name));
        let last = t.span;
        let t = self.next();
        if t.tok != Tok::Punct(b',') {
            let cand = secret.then(|| t.clone());
            return Err(fail(t, &last, "expected `,` after the pref name", cand));
        }
        let last = t.span;
        let t = self.next();
        let cand = secret.then(|| t.clone());
        let (value, value_span) = match &t.tok {
            Tok::Str(Ok(s)) => (PrefValue::Str(s.clone()), t.inner.clone()),
            Tok::Word if self.word(&t) == "true" => (PrefValue::Bool(true), t.span.clone()),
            Tok::Word if self.word(&t) == "false" => (PrefValue::Bool(false), t.span.clone()),
            Tok::Int(n) => match n.and_then(|n| i32::try_from(n).ok()) {
                Some(n) => (PrefValue::Int(n), t.span.clone()),
                None => return Err(fail(t, &last, "integer out of range", cand)),
            },
            Tok::Punct(sign @ (b'+' | b'-')) => {
                let negative = *sign == b'-';
                let sign_span = t.span.clone();
                let d = self.next();
                let Tok::Int(n) = d.tok else {
                    return Err(fail(d, &sign_span, "expected digits after the sign", cand));
                };
                let n = n.map(i64::from).map(|n| if negative { -n } else { n });
                match n.and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => (PrefValue::Int(n), sign_span.start..d.span.end),
                    None => return Err(fail(d, &sign_span, "integer out of range", cand)),
                }
            }
            _ => {
                return Err(fail(
                    t,
                    &last,
                    "expected a value (a string, an integer, true or false) after `,`",
                    cand,
                ))
            }
        };
        let mut last = value_span.clone();
        if let Tok::Str(_) = t.tok {
            last = t.span.clone();
        }
        let mut t = self.next();
        // `pref("name", value, sticky, locked)` in default pref files.
        while level == Level::Default && t.tok == Tok::Punct(b',') {
            let comma = t.span;
            let a = self.next();
            if a.tok != Tok::Word || !matches!(self.word(&a), "sticky" | "locked") {
                return Err(fail(
                    a,
                    &comma,
                    "expected `sticky` or `locked` after `,`",
                    cand,
                ));
            }
            last = a.span;
            t = self.next();
        }
        if t.tok != Tok::Punct(b')') {
            return Err(fail(t, &last, "expected `)` after the value", cand));
        }
        let last = t.span;
        let t = self.next();
        if t.tok != Tok::Punct(b';') {
            return Err(fail(t, &last, "expected `;` after `)`", cand));
        }
        Ok(Pref {
            level,
            name,
            name_span,
            value,
            value_span,
            stmt_span: kw.span.start..t.span.end,
        })
    }

    /// Report a failed statement and skip to just after the next `;` or line end.
    fn recover(&mut self, f: Failure) {
        let text = self.lx.text;
        let off = &f.offending;
        let same_line = off.tok != Tok::Eof
            && f.last_good.as_ref().is_none_or(|l| {
                !text
                    .as_bytes()
                    .get(l.end..off.span.start)
                    .is_some_and(|gap| gap.iter().any(|&b| is_eol(b)))
            });
        let multiline = self.multiline.take();
        let (span, message, resume, skip) = match multiline {
            Some((quote, line_end)) => (quote..line_end, "unterminated string", line_end, true),
            None => {
                let (span, message) = match (&off.tok, &f.last_good) {
                    (Tok::Str(Err(e)), _) if same_line => (e.span.clone(), e.message),
                    (Tok::Bad(m), _) if same_line => (off.span.clone(), *m),
                    (_, _) if same_line => (off.span.clone(), f.message),
                    (_, Some(last)) => (last.clone(), f.message),
                    (_, None) => (off.span.clone(), f.message),
                };
                let (resume, skip) = if same_line {
                    (off.next, off.tok != Tok::Punct(b';'))
                } else {
                    (f.last_good.as_ref().map_or(off.next, |l| l.end), true)
                };
                (span, message, resume, skip)
            }
        };
        let span = if span.is_empty() {
            // Only at the very end of the file: point at the last character.
            let end = text.len();
            let start = text
                .char_indices()
                .next_back()
                .map_or(end, |(i, _)| i.min(end));
            start..end
        } else {
            span
        };
        if !span.is_empty() {
            self.out.errors.push(SyntaxError { span, message });
        }

        // Resynchronise.
        let bytes = text.as_bytes();
        let stop = if skip {
            bytes
                .get(resume..)
                .and_then(|rest| rest.iter().position(|&b| b == b';' || is_eol(b)))
                .map_or(bytes.len(), |i| resume + i)
        } else {
            resume
        };
        self.lx.pos = if skip {
            (stop + 1).min(bytes.len())
        } else {
            resume
        };

        // Keep a secret-looking value masked even though its statement is broken.
        if let Some(c) = f.secret_candidate {
            let range = match c.tok {
                Tok::Str(_) => match multiline {
                    Some((quote, line_end)) if c.span.start == quote => quote + 1..line_end,
                    _ => c.inner,
                },
                Tok::Eof => 0..0,
                _ => {
                    let mut end = stop.max(c.span.end).min(bytes.len());
                    while end > c.span.start && bytes[end - 1].is_ascii_whitespace() {
                        end -= 1;
                    }
                    c.span.start..end
                }
            };
            if range.start < range.end && text.get(range.clone()).is_some() {
                self.out.partial_secrets.push(range);
            }
        }
    }
}

/// Parse the text of a prefs file. Never panics.
pub fn parse(text: &str) -> Parsed {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = Parser {
        lx: Lexer::new(text, start),
        out: Parsed::default(),
        multiline: None,
    };
    loop {
        p.multiline = None;
        let t = p.next();
        if t.tok == Tok::Eof {
            break;
        }
        let level = match t.tok {
            Tok::Word => level_of(p.word(&t)),
            _ => None,
        };
        let result = match level {
            Some(level) => p.statement(t, level),
            None => Err(Box::new(Failure {
                offending: t,
                last_good: None,
                message: "expected a statement like `user_pref(\"name\", value);`",
                secret_candidate: None,
            })),
        };
        match result {
            Ok(pref) => p.out.prefs.push(pref),
            Err(f) => p.recover(*f),
        }
    }
    p.out.nul = p.lx.nul;
    p.out
}

// ---------------------------------------------------------------------------------------------
// Semantics
// ---------------------------------------------------------------------------------------------

const SERVER: &str = "mail.smtpserver.";
const SERVERS: &str = "mail.smtpservers";
const DEFAULT_SERVER: &str = "mail.smtp.defaultserver";
const IDENTITY: &str = "mail.identity.";

const TRY_SSL_HELP: &str = "0 = no TLS, 2 = STARTTLS, 3 = SSL/TLS";
const AUTH_HELP: &str = "1 = none, 3 = normal password, 4 = encrypted password, 10 = OAuth2";

/// Keys people write on an outgoing server that Thunderbird never reads, and the real key.
const WRONG_KEYS: &[(&str, &str)] = &[
    ("socketType", "try_ssl"),
    ("socket_type", "try_ssl"),
    ("ssl", "try_ssl"),
    ("tls", "try_ssl"),
    ("useSSL", "try_ssl"),
    ("security", "try_ssl"),
    ("auth_method", "authMethod"),
    ("auth", "authMethod"),
    ("userName", "username"),
    ("user", "username"),
    ("host", "hostname"),
    ("server", "hostname"),
];

/// The keys an outgoing server really has, for spotting wrong capitalisation.
const REAL_KEYS: &[&str] = &[
    "hostname",
    "port",
    "try_ssl",
    "authMethod",
    "username",
    "description",
    "type",
];

/// Split `mail.smtpserver.<key>.<attr>`.
fn server_key(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(SERVER)?;
    let (key, attr) = rest.split_once('.')?;
    (!key.is_empty() && !attr.is_empty()).then_some((key, attr))
}

/// Split `mail.identity.<id>.<attr>`.
fn identity_key(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(IDENTITY)?;
    let (id, attr) = rest.split_once('.')?;
    (!id.is_empty() && !attr.is_empty() && id != "default").then_some((id, attr))
}

struct Ctx<'a> {
    file: FileId,
    prefs: &'a [Pref],
    /// Pref name -> index of the definition Thunderbird uses.
    eff: HashMap<&'a str, usize>,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn get(&self, name: &str) -> Option<&'a Pref> {
        self.eff.get(name).map(|&i| &self.prefs[i])
    }

    /// A pref of an outgoing server, falling back to the `mail.smtpserver.default.` branch.
    fn server_pref(&self, key: &str, attr: &str) -> Option<&'a Pref> {
        self.get(&format!("{SERVER}{key}.{attr}"))
            .or_else(|| self.get(&format!("{SERVER}default.{attr}")))
    }

    /// Effective prefs in file order.
    fn effective(&self) -> Vec<&'a Pref> {
        let mut idx: Vec<usize> = self.eff.values().copied().collect();
        idx.sort_unstable();
        idx.into_iter().map(|i| &self.prefs[i]).collect()
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &str,
        span: Range<usize>,
        label: &str,
        message: String,
        help: String,
    ) {
        let f = Finding::new(code, severity, message, Label::new(self.loc(span), label))
            .with_help(help);
        self.findings.push(f);
    }

    /// `invalid-value` for a pref whose literal has the wrong type.
    fn wrong_type(&mut self, p: &Pref, expected: &str, severity: Severity, help: String) {
        self.push(
            severity,
            "invalid-value",
            p.value_span.clone(),
            &format!("{} here", p.value.type_name()),
            format!(
                "`{}` must be {expected}, so Thunderbird ignores this value",
                p.name
            ),
            help,
        );
    }
}

/// Span of a string value with its quotes (for empty strings, whose inner span is empty).
fn quoted(p: &Pref) -> Range<usize> {
    match p.value {
        PrefValue::Str(_) => p.value_span.start.saturating_sub(1)..p.value_span.end + 1,
        _ => p.value_span.clone(),
    }
}

/// Split a comma list held in a string pref, with the span of each entry when the literal has
/// no escapes (otherwise every entry gets the span of the whole value).
fn list_entries(text: &str, p: &Pref, list: &str) -> Vec<(String, Range<usize>)> {
    let raw = text.get(p.value_span.clone()).unwrap_or("");
    let exact = raw == list;
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let entry = part.trim();
        if !entry.is_empty() {
            let span = if exact {
                let s = p.value_span.start + offset + lead;
                s..s + entry.len()
            } else {
                p.value_span.clone()
            };
            out.push((entry.to_owned(), span));
        }
        offset += part.len() + 1;
    }
    out
}

/// How to fix a syntax error, by its message.
fn syntax_help(message: &str) -> &'static str {
    if message.contains("escape") || message.contains("surrogate") || message.contains("\\") {
        "inside a string only \\\" \\' \\\\ \\n \\r \\xNN and \\uNNNN escapes are allowed; write \\\\ for a backslash"
    } else if message == "unterminated string" {
        "close the string with the quote it starts with"
    } else if message.contains("comment") {
        "comments are `// ...`, `# ...` or `/* ... */`"
    } else if message.contains("integer out of range") {
        "integer prefs hold numbers from -2147483648 to 2147483647"
    } else {
        "every statement must look like `user_pref(\"name\", value);` where value is a quoted \
         string, an integer, true or false"
    }
}

struct Server {
    key: String,
    /// The entry in `mail.smtpservers`, when listed there.
    list_span: Option<Range<usize>>,
    profile: Option<Profile>,
}

/// Read a Thunderbird prefs file into one profile per outgoing (SMTP) server.
pub fn extract(file: FileId, text: &str) -> Extraction {
    let parsed = parse(text);
    let mut ex = Extraction::default();

    for e in &parsed.errors {
        ex.findings.push(
            Finding::new(
                "parse-error",
                Severity::Error,
                e.message,
                Label::new(Loc::new(file, e.span.clone()), "here"),
            )
            .with_help(syntax_help(e.message)),
        );
    }

    // Secrets: every definition of a secret-looking pref, even overridden ones.
    ex.secrets.extend(parsed.partial_secrets.iter().cloned());
    for p in &parsed.prefs {
        if is_secret_key(last_segment(&p.name)) && !p.value_span.is_empty() {
            ex.secrets.push(p.value_span.clone());
        }
    }

    // Thunderbird stops at a NUL byte.
    let cut = parsed.nul.unwrap_or(usize::MAX);
    if let Some(nul) = parsed.nul {
        if parsed.prefs.iter().any(|p| p.stmt_span.start > nul) {
            ex.findings.push(
                Finding::new(
                    "parse-error",
                    Severity::Error,
                    "a NUL byte ends the file for Thunderbird, so the prefs after it are ignored",
                    Label::new(Loc::new(file, nul..nul + 1), "NUL byte"),
                )
                .with_help("remove the NUL byte"),
            );
        }
    }

    let mut eff: HashMap<&str, usize> = HashMap::new();
    for (i, p) in parsed.prefs.iter().enumerate() {
        if p.stmt_span.start > cut {
            continue;
        }
        match eff.get(p.name.as_str()) {
            Some(&j) if parsed.prefs[j].level > p.level => {}
            _ => {
                eff.insert(p.name.as_str(), i);
            }
        }
    }
    let mut cx = Ctx {
        file,
        prefs: &parsed.prefs,
        eff,
        findings: Vec::new(),
    };

    duplicates(&mut cx, cut);
    wrong_keys(&mut cx);

    // Server keys: the list first, then every key that has prefs.
    let mut servers: Vec<Server> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let list = cx.get(SERVERS);
    if let Some(p) = list {
        match &p.value {
            PrefValue::Str(s) => {
                for (key, span) in list_entries(text, p, s) {
                    if key != "default" && !index.contains_key(&key) {
                        index.insert(key.clone(), servers.len());
                        servers.push(Server {
                            key,
                            list_span: Some(span),
                            profile: None,
                        });
                    }
                }
            }
            _ => cx.wrong_type(
                p,
                "a string",
                Severity::Error,
                "write the server keys as one quoted, comma-separated string, e.g. \"smtp1,smtp2\""
                    .into(),
            ),
        }
    }
    let list_known = matches!(
        list,
        Some(Pref {
            value: PrefValue::Str(_),
            ..
        })
    );
    // The first pref of each server, in file order.
    let mut first: HashMap<&str, Range<usize>> = HashMap::new();
    for p in cx.effective() {
        if let Some((key, _)) = server_key(&p.name) {
            first.entry(key).or_insert_with(|| p.stmt_span.clone());
            if key != "default" && !index.contains_key(key) {
                index.insert(key.to_owned(), servers.len());
                servers.push(Server {
                    key: key.to_owned(),
                    list_span: None,
                    profile: None,
                });
            }
        }
    }

    for s in &mut servers {
        let first = first.get(s.key.as_str()).cloned();
        s.profile = server_profile(&mut cx, &s.key, s.list_span.clone(), first);
    }

    identities(&mut cx, &mut servers, &index, list_known);

    ex.profiles = servers.into_iter().filter_map(|s| s.profile).collect();
    ex.findings.append(&mut cx.findings);
    ex
}

/// The profile of one outgoing server; `first` is the span of its first pref, if it has any.
fn server_profile(
    cx: &mut Ctx,
    key: &str,
    list_span: Option<Range<usize>>,
    first: Option<Range<usize>>,
) -> Option<Profile> {
    let prefix = format!("{SERVER}{key}.");

    // EWS outgoing servers are not SMTP.
    if let Some(PrefValue::Str(t)) = cx.get(&format!("{prefix}type")).map(|p| &p.value) {
        if t.eq_ignore_ascii_case("ews") {
            return None;
        }
    }

    let host_pref = cx.get(&format!("{prefix}hostname"));
    let mut host: Option<Value<String>> = None;
    match host_pref {
        Some(p) => match &p.value {
            PrefValue::Str(h) if !h.trim().is_empty() => {
                host = Some(Value::literal(h.clone(), cx.loc(p.value_span.clone())));
            }
            PrefValue::Str(_) => cx.push(
                Severity::Error,
                "invalid-value",
                quoted(p),
                "empty",
                format!("outgoing server `{key}` has an empty hostname"),
                "set it to the SMTP host name of your provider".into(),
            ),
            _ => cx.wrong_type(
                p,
                "a string",
                Severity::Error,
                "write the host name in quotes".into(),
            ),
        },
        None => {
            if let Some(span) = &list_span {
                cx.push(
                    Severity::Error,
                    "invalid-value",
                    span.clone(),
                    "no hostname",
                    format!("outgoing server `{key}` is listed but has no hostname"),
                    format!(
                        "add `user_pref(\"{prefix}hostname\", \"smtp.example.com\");` or remove \
                         `{key}` from mail.smtpservers"
                    ),
                );
            }
        }
    }
    let first = first?;
    let host_span = host.as_ref().map(|h| h.loc.span.clone());
    let anchor = host_span.clone().unwrap_or(first);
    let mut profile = Profile::new(Client::Thunderbird, key, cx.loc(anchor));
    profile.host = host;

    // try_ssl
    let mut try_ssl: Option<i32> = None;
    if let Some(p) = cx.server_pref(key, "try_ssl") {
        let loc = cx.loc(p.value_span.clone());
        match p.value {
            PrefValue::Int(v) => {
                try_ssl = Some(v);
                profile.security = match v {
                    0 => Some(Value::literal(Security::None, loc)),
                    1 => {
                        cx.push(
                            Severity::Info,
                            "invalid-value",
                            p.value_span.clone(),
                            "retired value",
                            "try_ssl 1 is the retired \"STARTTLS if available\" value".into(),
                            format!(
                                "Thunderbird rewrites it to 2 (STARTTLS, required); write 2, \
                                 or 3 for SSL/TLS ({TRY_SSL_HELP})"
                            ),
                        );
                        Some(Value::literal(Security::StartTls { required: true }, loc))
                    }
                    2 => Some(Value::literal(Security::StartTls { required: true }, loc)),
                    3 => Some(Value::literal(Security::ImplicitTls, loc)),
                    _ => {
                        cx.push(
                            Severity::Error,
                            "invalid-value",
                            p.value_span.clone(),
                            "unknown value",
                            format!("try_ssl {v} is not a connection security Thunderbird knows"),
                            format!("use one of {TRY_SSL_HELP}"),
                        );
                        None
                    }
                };
            }
            _ => {
                cx.wrong_type(
                    p,
                    "an integer",
                    Severity::Error,
                    format!("write the number without quotes ({TRY_SSL_HELP})"),
                );
                profile.security = Some(Value::default(
                    Security::None,
                    loc,
                    "Thunderbird ignores a try_ssl that is not an integer and uses 0 (no TLS)",
                ));
            }
        }
    } else if let Some(h) = &host_span {
        profile.security = Some(Value::default(
            Security::None,
            cx.loc(h.clone()),
            "Thunderbird's default try_ssl is 0 (no TLS)",
        ));
    }

    // port
    let (default_port, why_default, why_ignored): (u16, &'static str, &'static str) =
        if try_ssl == Some(3) {
            (
                465,
                "Thunderbird uses port 465 for SSL/TLS (try_ssl 3) when port is 0 or unset",
                "Thunderbird ignores a port that is not an integer and uses 465 for SSL/TLS",
            )
        } else {
            (
                587,
                "Thunderbird uses port 587 when port is 0 or unset",
                "Thunderbird ignores a port that is not an integer and uses 587",
            )
        };
    if let Some(p) = cx.server_pref(key, "port") {
        let loc = cx.loc(p.value_span.clone());
        match &p.value {
            PrefValue::Int(0) => {
                profile.port = Some(Value::default(default_port, loc, why_default))
            }
            PrefValue::Int(v) => match u16::try_from(*v) {
                Ok(port) => profile.port = Some(Value::literal(port, loc)),
                Err(_) => cx.push(
                    Severity::Error,
                    "invalid-value",
                    p.value_span.clone(),
                    "not a port",
                    format!("port {v} is out of range"),
                    "use a port between 1 and 65535: 587 for STARTTLS, 465 for SSL/TLS".into(),
                ),
            },
            other => {
                // A string port that spells the port Thunderbird uses anyway only misleads.
                let same = matches!(other, PrefValue::Str(s) if super::parse_port(s) == Some(default_port));
                let severity = if same {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                cx.wrong_type(
                    p,
                    "an integer",
                    severity,
                    format!("write the port without quotes, e.g. {default_port}"),
                );
                profile.port = Some(Value::default(default_port, loc, why_ignored));
            }
        }
    } else if let Some(h) = &host_span {
        profile.port = Some(Value::default(default_port, cx.loc(h.clone()), why_default));
    }

    // authMethod
    if let Some(p) = cx.server_pref(key, "authMethod") {
        let loc = cx.loc(p.value_span.clone());
        match p.value {
            PrefValue::Int(v) => {
                let method = match v {
                    1 => Some(AuthMethod::None),
                    3 => Some(AuthMethod::Password),
                    4 => Some(AuthMethod::EncryptedPassword),
                    5 => Some(AuthMethod::Other("GSSAPI".into())),
                    6 => Some(AuthMethod::Other("NTLM".into())),
                    7 => Some(AuthMethod::Other("TLS client certificate".into())),
                    9 => Some(AuthMethod::Other("any".into())),
                    10 => Some(AuthMethod::OAuth2),
                    _ => None,
                };
                match method {
                    Some(m) => profile.auth = Some(Value::literal(m, loc)),
                    None => {
                        let message = match v {
                            2 => {
                                "authMethod 2 (\"old\") is not valid for an outgoing server".into()
                            }
                            8 => "authMethod 8 (\"secure\") is retired".into(),
                            _ => format!(
                                "authMethod {v} is not an authentication method Thunderbird knows"
                            ),
                        };
                        cx.push(
                            Severity::Error,
                            "invalid-value",
                            p.value_span.clone(),
                            "unknown value",
                            message,
                            format!("use one of {AUTH_HELP}"),
                        );
                    }
                }
            }
            _ => {
                cx.wrong_type(
                    p,
                    "an integer",
                    Severity::Error,
                    format!("write the number without quotes ({AUTH_HELP})"),
                );
                profile.auth = Some(Value::default(
                    AuthMethod::Password,
                    loc,
                    "Thunderbird ignores an authMethod that is not an integer and uses 3 (normal password)",
                ));
            }
        }
    } else if let Some(h) = &host_span {
        profile.auth = Some(Value::default(
            AuthMethod::Password,
            cx.loc(h.clone()),
            "Thunderbird's default authMethod is 3 (normal password)",
        ));
    }

    // username
    if let Some(p) = cx.server_pref(key, "username") {
        match &p.value {
            PrefValue::Str(u) if !u.is_empty() => {
                profile.username = Some(Value::literal(u.clone(), cx.loc(p.value_span.clone())));
            }
            PrefValue::Str(_) => {}
            _ => cx.wrong_type(
                p,
                "a string",
                Severity::Error,
                "write the login name in quotes".into(),
            ),
        }
    }

    // A password pref: Thunderbird never reads it (passwords live in the login manager), but the
    // secret sits in the file.
    if let Some(p) = cx.get(&format!("{prefix}password")) {
        if let PrefValue::Str(pw) = &p.value {
            if !pw.is_empty() {
                profile.password = Some(Value::literal(
                    Secret::new(pw.clone()),
                    cx.loc(p.value_span.clone()),
                ));
            }
        }
    }

    Some(profile)
}

/// Keys on an outgoing server that Thunderbird never reads.
fn wrong_keys(cx: &mut Ctx) {
    for p in cx.effective() {
        let Some((key, attr)) = server_key(&p.name) else {
            continue;
        };
        let real = WRONG_KEYS
            .iter()
            .find(|(w, _)| *w == attr)
            .map(|(_, r)| *r)
            .or_else(|| {
                REAL_KEYS
                    .iter()
                    .copied()
                    .find(|r| r.eq_ignore_ascii_case(attr) && *r != attr)
            });
        let Some(real) = real else { continue };
        let hint = match real {
            "try_ssl" => format!(" ({TRY_SSL_HELP})"),
            "authMethod" => format!(" ({AUTH_HELP})"),
            _ => String::new(),
        };
        cx.push(
            Severity::Warning,
            "invalid-value",
            p.name_span.clone(),
            "not read by Thunderbird",
            format!("`{attr}` is not an outgoing-server pref: unknown key, no effect"),
            format!("Thunderbird reads `{SERVER}{key}.{real}`{hint}"),
        );
    }
}

/// One pref of the mail setup defined twice with different values: only one takes effect.
fn duplicates(cx: &mut Ctx, cut: usize) {
    let relevant = |name: &str| {
        name.starts_with(SERVER)
            || name == SERVERS
            || name == DEFAULT_SERVER
            || identity_key(name).is_some_and(|(_, a)| a == "smtpServer" || a == "useremail")
    };
    let mut by_name: HashMap<&str, Vec<&Pref>> = HashMap::new();
    for p in cx.prefs.iter().filter(|p| p.stmt_span.start <= cut) {
        if relevant(&p.name) {
            by_name.entry(p.name.as_str()).or_default().push(p);
        }
    }
    for winner in cx.effective() {
        let Some(all) = by_name.get(winner.name.as_str()) else {
            continue;
        };
        let others: Vec<&&Pref> = all
            .iter()
            .filter(|p| p.value != winner.value && p.value_span != winner.value_span)
            .collect();
        if others.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            "conflicting-settings",
            Severity::Warning,
            format!(
                "`{}` is set more than once with different values; only this one takes effect",
                winner.name
            ),
            Label::new(cx.loc(winner.value_span.clone()), "takes effect"),
        )
        .with_help("keep one definition of the pref");
        for o in others {
            f = f.with_label(Label::new(cx.loc(o.value_span.clone()), "ignored"));
        }
        cx.findings.push(f);
    }
}

/// From addresses: each identity's `useremail` goes to the server its `smtpServer` names (or the
/// default server).
fn identities(
    cx: &mut Ctx,
    servers: &mut [Server],
    index: &HashMap<String, usize>,
    list_known: bool,
) {
    let known = |key: &str| index.contains_key(key);

    // The default server: mail.smtp.defaultserver, else the first listed server.
    let mut default_key: Option<String> = servers
        .iter()
        .find(|s| s.list_span.is_some())
        .map(|s| s.key.clone());
    if let Some(p) = cx.get(DEFAULT_SERVER) {
        match &p.value {
            PrefValue::Str(k) if !k.is_empty() => {
                if list_known && !known(k) {
                    cx.push(
                        Severity::Error,
                        "invalid-value",
                        p.value_span.clone(),
                        "no such server",
                        format!("the default outgoing server `{k}` is not defined"),
                        "set mail.smtp.defaultserver to one of the keys in mail.smtpservers".into(),
                    );
                }
                default_key = Some(k.clone());
            }
            PrefValue::Str(_) => {}
            _ => cx.wrong_type(
                p,
                "a string",
                Severity::Error,
                "write the server key in quotes".into(),
            ),
        }
    }

    for p in cx.effective() {
        let Some((id, "useremail")) = identity_key(&p.name) else {
            continue;
        };
        let email = match &p.value {
            PrefValue::Str(e) if !e.trim().is_empty() => e.clone(),
            PrefValue::Str(_) => continue,
            _ => {
                cx.wrong_type(
                    p,
                    "a string",
                    Severity::Error,
                    "write the address in quotes".into(),
                );
                continue;
            }
        };
        let mut target: Option<String> = None;
        if let Some(sp) = cx.get(&format!("{IDENTITY}{id}.smtpServer")) {
            match &sp.value {
                PrefValue::Str(k) if !k.is_empty() => {
                    if list_known && !known(k) {
                        cx.push(
                            Severity::Error,
                            "invalid-value",
                            sp.value_span.clone(),
                            "no such server",
                            format!("identity `{id}` sends through outgoing server `{k}`, which is not defined"),
                            "set it to one of the keys in mail.smtpservers".into(),
                        );
                    }
                    target = Some(k.clone());
                }
                PrefValue::Str(_) => {}
                _ => cx.wrong_type(
                    sp,
                    "a string",
                    Severity::Error,
                    "write the server key in quotes".into(),
                ),
            }
        }
        let Some(target) = target.or_else(|| default_key.clone()) else {
            continue;
        };
        let loc = cx.loc(p.value_span.clone());
        if let Some(profile) = index
            .get(&target)
            .and_then(|&i| servers[i].profile.as_mut())
        {
            profile.from.push(Value::literal(email, loc));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    const F: FileId = FileId(0);

    fn codes(ex: &Extraction) -> Vec<(&str, Severity)> {
        ex.findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect()
    }

    fn at<'t>(text: &'t str, loc: &Loc) -> &'t str {
        &text[loc.span.clone()]
    }

    fn primary<'t>(text: &'t str, f: &Finding) -> &'t str {
        at(text, f.primary())
    }

    fn only(ex: &Extraction) -> &Profile {
        assert_eq!(ex.profiles.len(), 1, "{:#?}", ex.profiles);
        &ex.profiles[0]
    }

    // ----- grammar -----

    #[test]
    fn parses_statements_with_exact_spans() {
        let t = "user_pref(\"a.b\", \"x y\");\npref('n', -42);\nsticky_pref(\"b\", true);\nlockPref(\"c\", +7);";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.prefs.len(), 4);
        let a = &p.prefs[0];
        assert_eq!(a.level, Level::User);
        assert_eq!(&t[a.name_span.clone()], "a.b");
        assert_eq!(a.value, PrefValue::Str("x y".into()));
        assert_eq!(&t[a.value_span.clone()], "x y");
        assert_eq!(&t[a.stmt_span.clone()], "user_pref(\"a.b\", \"x y\");");
        assert_eq!(p.prefs[1].value, PrefValue::Int(-42));
        assert_eq!(&t[p.prefs[1].value_span.clone()], "-42");
        assert_eq!(p.prefs[1].level, Level::Default);
        assert_eq!(p.prefs[2].value, PrefValue::Bool(true));
        assert_eq!(&t[p.prefs[2].value_span.clone()], "true");
        assert_eq!(p.prefs[3].value, PrefValue::Int(7));
        assert_eq!(p.prefs[3].level, Level::Locked);
        assert_eq!(&t[p.prefs[3].value_span.clone()], "+7");
    }

    #[test]
    fn escapes_comments_whitespace_bom_crlf() {
        let t = "\u{feff}# hash\r\n// slash\r\n/* block\r\n */ user_pref ( \"k\" /*c*/ ,\r\n  \"q\\\"\\'\\\\\\n\\r\\x41\\u00e9\\ud83d\\ude00\" ) ;\r\n";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.prefs.len(), 1);
        assert_eq!(
            p.prefs[0].value,
            PrefValue::Str("q\"'\\\n\rAé\u{1F600}".into())
        );
        assert_eq!(
            &t[p.prefs[0].value_span.clone()],
            "q\\\"\\'\\\\\\n\\r\\x41\\u00e9\\ud83d\\ude00"
        );
        // Single quotes may hold double quotes.
        let p = parse("user_pref('a', 'say \"hi\"');");
        assert_eq!(p.prefs[0].value, PrefValue::Str("say \"hi\"".into()));
    }

    #[test]
    fn int_limits() {
        let p = parse("pref(\"a\", 2147483647);pref(\"b\", -2147483648);");
        assert_eq!(p.prefs[0].value, PrefValue::Int(i32::MAX));
        assert_eq!(p.prefs[1].value, PrefValue::Int(i32::MIN));
        let t = "user_pref(\"a\", 2147483648);\nuser_pref(\"b\", 1);";
        let p = parse(t);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&t[p.errors[0].span.clone()], "2147483648");
        assert_eq!(p.prefs.len(), 1);
        assert_eq!(p.prefs[0].name, "b");
    }

    #[test]
    fn errors_point_at_bad_bytes_and_recover() {
        let t = concat!(
            "user_pref(\"a\", tru);\n",             // bad value
            "user_pref(\"b\", \"x\\qy\");\n",       // bad escape
            "user_pref(\"c\", 1)\n",                // missing ;
            "user_pref(\"d\", 58 7);\n",            // junk after value
            "user_pref(\"e\", \"open);\n",          // unterminated string
            "garbage here; user_pref(\"f\", 2);\n", // junk statement, same-line recovery
            "user_pref(\"g\", 12ab);\n",            // letters in number
            "user_pref(\"h\", \"\\ud800\");\n",     // lone surrogate
            "user_pref(\"i\", \"\\x00\");\n",       // NUL escape
            "user_pref(\"ok\", 3);\n",
        );
        let p = parse(t);
        let bad: Vec<&str> = p.errors.iter().map(|e| &t[e.span.clone()]).collect();
        assert_eq!(
            bad,
            vec!["tru", "\\q", ")", "7", "\"open);", "garbage", "12ab", "\\ud800", "\\x00"]
        );
        let names: Vec<&str> = p.prefs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["f", "ok"]);
    }

    #[test]
    fn multi_line_strings_are_legal_but_blamed_when_the_statement_breaks() {
        let t = "user_pref(\"a\", \"one\ntwo\");\n";
        let p = parse(t);
        assert!(p.errors.is_empty());
        assert_eq!(p.prefs[0].value, PrefValue::Str("one\ntwo".into()));
        let t = "user_pref(\"x.password\", \"open);\nuser_pref(\"b\", 1);\n";
        let p = parse(t);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&t[p.errors[0].span.clone()], "\"open);");
        assert_eq!(p.errors[0].message, "unterminated string");
        assert_eq!(&t[p.partial_secrets[0].clone()], "open);");
        assert_eq!(p.prefs.len(), 1);
        assert_eq!(p.prefs[0].name, "b");
    }

    #[test]
    fn parse_errors_become_findings_with_help() {
        let t = "user_pref(\"a\", \"x\\qy\");\nuser_pref(\"b\", tru);\n";
        let ex = extract(F, t);
        assert_eq!(codes(&ex), vec![("parse-error", Severity::Error); 2]);
        assert_eq!(primary(t, &ex.findings[0]), "\\q");
        assert!(ex.findings[0].help.as_deref().unwrap().contains("\\xNN"));
        assert_eq!(primary(t, &ex.findings[1]), "tru");
        assert!(ex.findings[1]
            .help
            .as_deref()
            .unwrap()
            .contains("user_pref"));
    }

    #[test]
    fn error_at_end_of_file_and_unterminated_comment() {
        let t = "user_pref(\"a\", 1";
        let p = parse(t);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&t[p.errors[0].span.clone()], "1");
        let t = "user_pref(\"a\", 1);\n/* never closed\nuser_pref(\"b\", 2);";
        let p = parse(t);
        assert_eq!(p.prefs.len(), 1);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&t[p.errors[0].span.clone()], "/*");
        let p = parse("user_pref(\"a\", 1); / user_pref(\"b\", 2);");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.prefs.len(), 1);
    }

    #[test]
    fn attributes_only_in_default_prefs() {
        let p = parse("pref(\"a\", 1, sticky, locked);");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let t = "user_pref(\"a\", 1, locked);";
        let p = parse(t);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(&t[p.errors[0].span.clone()], ",");
    }

    #[test]
    fn broken_secret_statements_are_still_masked() {
        let t = concat!(
            "user_pref(\"mail.smtpserver.smtp1.password\", \"s3cr\\qet\");\n",
            "user_pref(\"mail.server.server1.password\", hunter2);\n",
            "user_pref(\"x.password\" \"nocomma\");\n",
            "user_pref(\"y.password\", \"unterminated\n",
        );
        let p = parse(t);
        let masked: Vec<&str> = p.partial_secrets.iter().map(|s| &t[s.clone()]).collect();
        assert_eq!(
            masked,
            vec!["s3cr\\qet", "hunter2)", "nocomma", "unterminated"]
        );
        for e in &p.errors {
            assert!(!e.message.contains("s3cr") && !e.message.contains("hunter2"));
        }
    }

    // ----- semantics -----

    const ICLOUD: &str = r#"// Mozilla User Preferences
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.useremail", "jane@icloud.com");
user_pref("mail.smtp.defaultserver", "smtp1");
user_pref("mail.smtpserver.smtp1.authMethod", 3);
user_pref("mail.smtpserver.smtp1.hostname", "smtp.mail.me.com");
user_pref("mail.smtpserver.smtp1.port", 587);
user_pref("mail.smtpserver.smtp1.try_ssl", 2);
user_pref("mail.smtpserver.smtp1.username", "jane@icloud.com");
user_pref("mail.smtpservers", "smtp1");
"#;

    #[test]
    fn one_profile_per_server_with_value_spans() {
        let ex = extract(F, ICLOUD);
        assert!(ex.findings.is_empty(), "{:#?}", ex.findings);
        let p = only(&ex);
        assert_eq!(p.client, Client::Thunderbird);
        assert_eq!(p.label, "smtp1");
        assert_eq!(at(ICLOUD, &p.anchor), "smtp.mail.me.com");
        let host = p.host.as_ref().unwrap();
        assert_eq!(host.value, "smtp.mail.me.com");
        assert_eq!(at(ICLOUD, &host.loc), "smtp.mail.me.com");
        let port = p.port.as_ref().unwrap();
        assert_eq!((port.value, at(ICLOUD, &port.loc)), (587, "587"));
        assert_eq!(port.origin, Origin::Literal);
        let sec = p.security.as_ref().unwrap();
        assert_eq!(sec.value, Security::StartTls { required: true });
        assert_eq!(at(ICLOUD, &sec.loc), "2");
        let auth = p.auth.as_ref().unwrap();
        assert_eq!(auth.value, AuthMethod::Password);
        assert_eq!(at(ICLOUD, &auth.loc), "3");
        let user = p.username.as_ref().unwrap();
        assert_eq!(at(ICLOUD, &user.loc), "jane@icloud.com");
        assert_eq!(p.from.len(), 1);
        assert_eq!(p.from[0].value, "jane@icloud.com");
        // The useremail line, not the username line.
        assert!(ICLOUD[..p.from[0].loc.span.start].ends_with("useremail\", \""));
        assert!(p.password.is_none());
        assert!(ex.secrets.is_empty());
    }

    #[test]
    fn try_ssl_table() {
        type Case = (
            &'static str,
            Option<Security>,
            &'static [(&'static str, Severity)],
        );
        let cases: &[Case] = &[
            ("0", Some(Security::None), &[]),
            (
                "1",
                Some(Security::StartTls { required: true }),
                &[("invalid-value", Severity::Info)],
            ),
            ("2", Some(Security::StartTls { required: true }), &[]),
            ("3", Some(Security::ImplicitTls), &[]),
            ("7", None, &[("invalid-value", Severity::Error)]),
            (
                "\"3\"",
                Some(Security::None),
                &[("invalid-value", Severity::Error)],
            ),
        ];
        for (v, want, findings) in cases {
            let t = format!(
                "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", {v});\n"
            );
            let ex = extract(F, &t);
            let p = only(&ex);
            assert_eq!(p.security.as_ref().map(|s| s.value), *want, "try_ssl {v}");
            assert_eq!(codes(&ex), *findings, "try_ssl {v}");
            if let Some(s) = &p.security {
                assert_eq!(at(&t, &s.loc), v.trim_matches('"'));
            }
            if let Some(f) = ex.findings.first() {
                assert_eq!(primary(&t, f), v.trim_matches('"'));
            }
        }
    }

    #[test]
    fn absent_try_ssl_and_auth_default_on_the_hostname() {
        let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.gmail.com\");\n";
        let ex = extract(F, t);
        let p = only(&ex);
        let sec = p.security.as_ref().unwrap();
        assert_eq!(sec.value, Security::None);
        assert!(sec.is_default());
        assert_eq!(at(t, &sec.loc), "smtp.gmail.com");
        let auth = p.auth.as_ref().unwrap();
        assert_eq!(auth.value, AuthMethod::Password);
        assert!(auth.is_default());
        let port = p.port.as_ref().unwrap();
        assert_eq!(port.value, 587);
        assert!(port.is_default());
        assert_eq!(at(t, &port.loc), "smtp.gmail.com");
        assert!(p.sends_credentials());
    }

    #[test]
    fn port_defaults_and_errors() {
        let run = |port: &str, try_ssl: &str| {
            let t = format!(
                "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", {try_ssl});\nuser_pref(\"mail.smtpserver.s.port\", {port});\n"
            );
            let ex = extract(F, &t);
            let p = only(&ex).clone();
            let f: Vec<(String, Severity, String)> = ex
                .findings
                .iter()
                .map(|f| (f.code.clone(), f.severity, primary(&t, f).to_owned()))
                .collect();
            (
                p.port
                    .map(|v| (v.value, at(&t, &v.loc).to_owned(), v.is_default())),
                f,
            )
        };
        assert_eq!(run("0", "2"), (Some((587, "0".into(), true)), vec![]));
        assert_eq!(run("0", "3"), (Some((465, "0".into(), true)), vec![]));
        assert_eq!(run("465", "3"), (Some((465, "465".into(), false)), vec![]));
        assert_eq!(
            run("99999", "2"),
            (
                None,
                vec![("invalid-value".into(), Severity::Error, "99999".into())]
            )
        );
        assert_eq!(
            run("-1", "2").1,
            vec![("invalid-value".into(), Severity::Error, "-1".into())]
        );
        // A string port is ignored: the default applies.
        assert_eq!(
            run("\"587\"", "2"),
            (
                Some((587, "587".into(), true)),
                vec![("invalid-value".into(), Severity::Warning, "587".into())]
            )
        );
        assert_eq!(
            run("\"587\"", "3"),
            (
                Some((465, "587".into(), true)),
                vec![("invalid-value".into(), Severity::Error, "587".into())]
            )
        );
        // Absent port with try_ssl 3.
        let t = "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", 3);\n";
        let ex = extract(F, t);
        let port = only(&ex).port.clone().unwrap();
        assert_eq!((port.value, at(t, &port.loc)), (465, "h"));
    }

    #[test]
    fn auth_method_table() {
        let cases: &[(&str, Option<AuthMethod>, usize)] = &[
            ("1", Some(AuthMethod::None), 0),
            ("3", Some(AuthMethod::Password), 0),
            ("4", Some(AuthMethod::EncryptedPassword), 0),
            ("5", Some(AuthMethod::Other("GSSAPI".into())), 0),
            ("6", Some(AuthMethod::Other("NTLM".into())), 0),
            (
                "7",
                Some(AuthMethod::Other("TLS client certificate".into())),
                0,
            ),
            ("9", Some(AuthMethod::Other("any".into())), 0),
            ("10", Some(AuthMethod::OAuth2), 0),
            ("0", None, 1),
            ("2", None, 1),
            ("8", None, 1),
            ("11", None, 1),
            ("\"10\"", Some(AuthMethod::Password), 1),
        ];
        for (v, want, n) in cases {
            let t = format!(
                "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\nuser_pref(\"mail.smtpserver.s.try_ssl\", 2);\nuser_pref(\"mail.smtpserver.s.authMethod\", {v});\n"
            );
            let ex = extract(F, &t);
            let p = only(&ex);
            assert_eq!(
                p.auth.as_ref().map(|a| a.value.clone()),
                *want,
                "authMethod {v}"
            );
            assert_eq!(ex.findings.len(), *n, "authMethod {v}");
            for f in &ex.findings {
                assert_eq!(f.code, "invalid-value");
                assert_eq!(primary(&t, f), v.trim_matches('"'));
            }
            if let Some(a) = &p.auth {
                assert_eq!(at(&t, &a.loc), v.trim_matches('"'));
            }
        }
    }

    #[test]
    fn password_pref_is_a_literal_secret() {
        let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.gmail.com\");\nuser_pref(\"mail.smtpserver.smtp1.password\", \"abcd efgh ijkl mnop\");\nuser_pref(\"mail.server.server1.password\", \"imap-secret\");\n";
        let ex = extract(F, t);
        let p = only(&ex);
        let pw = p.password.as_ref().unwrap();
        assert_eq!(pw.origin, Origin::Literal);
        assert_eq!(pw.value.expose(), "abcd efgh ijkl mnop");
        assert_eq!(at(t, &pw.loc), "abcd efgh ijkl mnop");
        let masked: Vec<&str> = ex.secrets.iter().map(|s| &t[s.clone()]).collect();
        assert_eq!(masked, vec!["abcd efgh ijkl mnop", "imap-secret"]);
        for f in &ex.findings {
            assert!(
                !f.message.contains("abcd") && !f.help.clone().unwrap_or_default().contains("abcd")
            );
        }
    }

    #[test]
    fn keys_from_list_and_prefs_default_is_not_a_server() {
        let t = concat!(
            "user_pref(\"mail.smtpservers\", \"smtp_abc123, smtp2,smtp3\");\n",
            "user_pref(\"mail.smtpserver.smtp_abc123.hostname\", \"a.example\");\n",
            "user_pref(\"mail.smtpserver.smtp2.hostname\", \"b.example\");\n",
            "user_pref(\"mail.smtpserver.default.try_ssl\", 2);\n",
            "user_pref(\"mail.smtpserver.unlisted.hostname\", \"c.example\");\n",
        );
        let ex = extract(F, t);
        let labels: Vec<&str> = ex.profiles.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, vec!["smtp_abc123", "smtp2", "unlisted"]);
        // smtp3 is listed without a hostname.
        assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
        assert_eq!(primary(t, &ex.findings[0]), "smtp3");
        // The default branch supplies try_ssl, as a literal at its own line.
        let sec = ex.profiles[0].security.as_ref().unwrap();
        assert_eq!(sec.value, Security::StartTls { required: true });
        assert_eq!(sec.origin, Origin::Literal);
        assert_eq!(at(t, &sec.loc), "2");
    }

    #[test]
    fn server_without_hostname_has_no_defaults() {
        let t = "user_pref(\"mail.smtpserver.smtp1.username\", \"jane\");\n";
        let ex = extract(F, t);
        let p = only(&ex);
        assert!(p.host.is_none() && p.security.is_none() && p.port.is_none());
        assert!(p.auth.is_none());
        assert_eq!(at(t, &p.anchor), t.trim_end());
        assert!(ex.findings.is_empty());
    }

    #[test]
    fn wrong_keys_have_no_effect() {
        let t = concat!(
            "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
            "user_pref(\"mail.smtpserver.smtp1.socketType\", 3);\n",
            "user_pref(\"mail.smtpserver.smtp1.auth_method\", 10);\n",
            "user_pref(\"mail.smtpserver.smtp1.userName\", \"u\");\n",
            "user_pref(\"mail.smtpserver.smtp1.Port\", 465);\n",
            "user_pref(\"mail.smtpserver.smtp1.description\", \"fine\");\n",
        );
        let ex = extract(F, t);
        let hits: Vec<(&str, Severity, &str)> = ex
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity, primary(t, f)))
            .collect();
        assert_eq!(
            hits,
            vec![
                (
                    "invalid-value",
                    Severity::Warning,
                    "mail.smtpserver.smtp1.socketType"
                ),
                (
                    "invalid-value",
                    Severity::Warning,
                    "mail.smtpserver.smtp1.auth_method"
                ),
                (
                    "invalid-value",
                    Severity::Warning,
                    "mail.smtpserver.smtp1.userName"
                ),
                (
                    "invalid-value",
                    Severity::Warning,
                    "mail.smtpserver.smtp1.Port"
                ),
            ]
        );
        assert!(ex.findings[0].message.contains("unknown key, no effect"));
        assert!(ex.findings[0].help.as_deref().unwrap().contains("try_ssl"));
        assert!(ex.findings[1]
            .help
            .as_deref()
            .unwrap()
            .contains("authMethod"));
        // They change nothing.
        let p = only(&ex);
        assert_eq!(p.security.as_ref().unwrap().value, Security::None);
        assert!(p.security.as_ref().unwrap().is_default());
        assert!(p.username.is_none());
    }

    #[test]
    fn identities_link_from_addresses() {
        let t = concat!(
            "user_pref(\"mail.identity.id1.useremail\", \"a@example.com\");\n",
            "user_pref(\"mail.identity.id1.smtpServer\", \"smtp2\");\n",
            "user_pref(\"mail.identity.id2.useremail\", \"b@example.com\");\n",
            "user_pref(\"mail.identity.id2.smtpServer\", \"\");\n",
            "user_pref(\"mail.identity.id3.useremail\", \"c@example.com\");\n",
            "user_pref(\"mail.identity.id4.useremail\", \"d@example.com\");\n",
            "user_pref(\"mail.identity.id4.smtpServer\", \"smtp9\");\n",
            "user_pref(\"mail.smtp.defaultserver\", \"smtp1\");\n",
            "user_pref(\"mail.smtpserver.smtp1.hostname\", \"one.example\");\n",
            "user_pref(\"mail.smtpserver.smtp2.hostname\", \"two.example\");\n",
            "user_pref(\"mail.smtpservers\", \"smtp1,smtp2\");\n",
        );
        let ex = extract(F, t);
        let from =
            |i: usize| -> Vec<&str> { ex.profiles[i].from.iter().map(|v| at(t, &v.loc)).collect() };
        assert_eq!(from(0), vec!["b@example.com", "c@example.com"]);
        assert_eq!(from(1), vec!["a@example.com"]);
        assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
        assert_eq!(primary(t, &ex.findings[0]), "smtp9");
    }

    #[test]
    fn missing_default_server_and_first_listed_fallback() {
        let t = concat!(
            "user_pref(\"mail.identity.id1.useremail\", \"a@example.com\");\n",
            "user_pref(\"mail.smtpserver.smtp1.hostname\", \"one.example\");\n",
            "user_pref(\"mail.smtpservers\", \"smtp1\");\n",
        );
        let ex = extract(F, t);
        assert_eq!(only(&ex).from.len(), 1);
        let t2 = format!("{t}user_pref(\"mail.smtp.defaultserver\", \"smtp7\");\n");
        let ex = extract(F, &t2);
        assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
        assert_eq!(primary(&t2, &ex.findings[0]), "smtp7");
        assert!(only(&ex).from.is_empty());
        // Without mail.smtpservers (a user.js fragment) an unknown key is not an error.
        let t3 = "user_pref(\"mail.identity.id1.smtpServer\", \"smtp5\");\nuser_pref(\"mail.identity.id1.useremail\", \"a@b.c\");\n";
        assert!(extract(F, t3).findings.is_empty());
    }

    #[test]
    fn ews_servers_are_not_smtp() {
        let t = concat!(
            "user_pref(\"mail.smtpservers\", \"smtp1,ews1\");\n",
            "user_pref(\"mail.smtpserver.ews1.type\", \"ews\");\n",
            "user_pref(\"mail.outgoingserver.ews1.auth_method\", 10);\n",
            "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
        );
        let ex = extract(F, t);
        assert_eq!(only(&ex).label, "smtp1");
        assert!(ex.findings.is_empty(), "{:#?}", ex.findings);
    }

    #[test]
    fn later_definitions_win_and_duplicates_are_reported() {
        let t = concat!(
            "user_pref(\"mail.smtpserver.smtp1.hostname\", \"h\");\n",
            "user_pref(\"mail.smtpserver.smtp1.port\", 25);\n",
            "user_pref(\"mail.smtpserver.smtp1.port\", 587);\n",
            "pref(\"mail.smtpserver.smtp1.try_ssl\", 0);\n",
            "user_pref(\"mail.smtpserver.smtp1.try_ssl\", 2);\n",
            "pref(\"mail.smtpserver.smtp1.try_ssl\", 0);\n",
        );
        let ex = extract(F, t);
        let p = only(&ex);
        assert_eq!(p.port.as_ref().unwrap().value, 587);
        assert_eq!(
            p.security.as_ref().unwrap().value,
            Security::StartTls { required: true }
        );
        let c: Vec<(&str, &str)> = ex
            .findings
            .iter()
            .map(|f| (f.code.as_str(), primary(t, f)))
            .collect();
        assert_eq!(
            c,
            vec![
                ("conflicting-settings", "587"),
                ("conflicting-settings", "2")
            ]
        );
        assert_eq!(ex.findings[1].labels.len(), 3);
    }

    #[test]
    fn empty_and_wrong_type_hostname() {
        let t = "user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"\");\n";
        let ex = extract(F, t);
        assert_eq!(codes(&ex), vec![("invalid-value", Severity::Error)]);
        assert_eq!(primary(t, &ex.findings[0]), "\"\"");
        assert!(only(&ex).host.is_none());
        let t = "user_pref(\"mail.smtpserver.smtp1.hostname\", 42);\n";
        let ex = extract(F, t);
        assert_eq!(primary(t, &ex.findings[0]), "42");
    }

    #[test]
    fn nul_byte_ends_the_file() {
        let t = "user_pref(\"mail.smtpserver.s.hostname\", \"h\");\0\nuser_pref(\"mail.smtpserver.s.try_ssl\", 3);\n";
        let ex = extract(F, t);
        assert_eq!(codes(&ex), vec![("parse-error", Severity::Error)]);
        assert_eq!(primary(t, &ex.findings[0]), "\0");
        assert!(only(&ex).security.as_ref().unwrap().is_default());
    }

    #[test]
    fn list_spans_with_escapes_fall_back_to_the_whole_value() {
        let t = "user_pref(\"mail.smtpservers\", \"smtp1,sm\\x74p2\");\n";
        let ex = extract(F, t);
        assert_eq!(ex.findings.len(), 2);
        for f in &ex.findings {
            assert_eq!(primary(t, f), "smtp1,sm\\x74p2");
        }
    }

    // ----- robustness -----

    fn check_spans(text: &str, ex: &Extraction) {
        let ok = |s: &Range<usize>| {
            assert!(s.start <= s.end && text.get(s.clone()).is_some(), "{s:?}");
        };
        for f in &ex.findings {
            assert!(!f.labels.is_empty());
            for l in &f.labels {
                ok(&l.loc.span);
            }
        }
        for s in &ex.secrets {
            ok(s);
        }
        for p in &ex.profiles {
            ok(&p.anchor.span);
            let locs = [
                p.host.as_ref().map(|v| &v.loc),
                p.port.as_ref().map(|v| &v.loc),
                p.security.as_ref().map(|v| &v.loc),
                p.auth.as_ref().map(|v| &v.loc),
                p.username.as_ref().map(|v| &v.loc),
                p.password.as_ref().map(|v| &v.loc),
            ];
            for l in locs.into_iter().flatten() {
                ok(&l.span);
            }
            for f in &p.from {
                ok(&f.loc.span);
            }
        }
    }

    const NASTY: &[&str] = &[
        "",
        "\u{feff}",
        "\u{feff}user_pref(",
        "user_pref",
        "user_pref(\"",
        "user_pref('a\\",
        "user_pref(\"a\", \"\\u",
        "user_pref(\"a\", \"\\ud83d\\u",
        "user_pref(\"a\", \"\\xZ",
        "user_pref(\"a\", -",
        "user_pref(\"a\", +x);",
        "user_pref(\"a\", 99999999999999999999);",
        "/*",
        "/",
        "#",
        "\0\0\0",
        "user_pref(\"mail.smtpserver..hostname\", \"x\");",
        "user_pref(\"mail.smtpserver.x.\", \"x\");",
        "user_pref(\"mail.smtpservers\", \",,, ,\");",
        "user_pref(\"mail.identity..useremail\", \"x\");",
        "user_pref(\"a\", \"é\\é\");",
        "ééé;éé\nuser_pref(\"a\"é, 1);",
        "user_pref(\"mail.smtpserver.s.password\", é);",
        "\r\r\r user_pref(\"a\",\r1)\r;",
        ");;;((((,,,,",
    ];

    #[test]
    fn nasty_input_never_panics() {
        for t in NASTY {
            let ex = extract(F, t);
            check_spans(t, &ex);
        }
        let long = format!("user_pref(\"a\", \"{}\");", "x".repeat(200_000));
        check_spans(&long, &extract(F, &long));
        let deep = "user_pref(".repeat(10_000);
        check_spans(&deep, &extract(F, &deep));
    }

    #[test]
    fn many_servers_stay_fast() {
        let mut t = String::from("user_pref(\"mail.smtpservers\", \"");
        for i in 0..20_000 {
            t.push_str(&format!("smtp{i},"));
        }
        t.push_str("\");\n");
        for i in 0..20_000 {
            t.push_str(&format!(
                "user_pref(\"mail.smtpserver.smtp{i}.hostname\", \"h{i}\");\nuser_pref(\"mail.identity.id{i}.useremail\", \"u{i}@x\");\nuser_pref(\"mail.identity.id{i}.smtpServer\", \"smtp{i}\");\n"
            ));
        }
        let start = std::time::Instant::now();
        let ex = extract(F, &t);
        assert_eq!(ex.profiles.len(), 20_000);
        assert!(ex.profiles.iter().all(|p| p.from.len() == 1));
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    /// A tiny deterministic generator (xorshift64*), so the fuzz loop needs no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    const FIXTURES: &[&str] = &[
        include_str!("../../fixtures/thunderbird/icloud-good/prefs.js"),
        include_str!("../../fixtures/thunderbird/icloud-bad/prefs.js"),
        include_str!("../../fixtures/thunderbird/gmail-good/prefs.js"),
        include_str!("../../fixtures/thunderbird/gmail-bad/prefs.js"),
        include_str!("../../fixtures/thunderbird/outlook-good/prefs.js"),
        include_str!("../../fixtures/thunderbird/outlook-bad/prefs.js"),
        include_str!("../../fixtures/thunderbird/multi-server/user.js"),
        include_str!("../../fixtures/thunderbird/parse-error/prefs.js"),
        include_str!("../../fixtures/thunderbird/wrong-keys/prefs.js"),
    ];

    #[test]
    fn fuzz_random_bytes_and_fixture_mutations() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let alphabet: &[u8] = b"user_pref(\"'\\,;)+-0123456789xuU/*#\n\r\t \0mail.smtpserver.";
        for _ in 0..3000 {
            // Random bytes, biased towards the grammar's own characters.
            let n = rng.below(80);
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.next() as u8
                    } else {
                        alphabet[rng.below(alphabet.len())]
                    }
                })
                .collect();
            let t = String::from_utf8_lossy(&bytes);
            check_spans(&t, &extract(F, &t));

            // A substring of a fixture, cut at character boundaries.
            let fx = FIXTURES[rng.below(FIXTURES.len())];
            let mut a = rng.below(fx.len());
            let mut b = a + rng.below(fx.len() - a + 1);
            while !fx.is_char_boundary(a) {
                a -= 1;
            }
            while !fx.is_char_boundary(b) {
                b -= 1;
            }
            let sub = &fx[a..b.max(a)];
            check_spans(sub, &extract(F, sub));

            // A fixture with a few bytes replaced.
            let mut m = fx.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                m[i] = alphabet[rng.below(alphabet.len())];
            }
            let t = String::from_utf8_lossy(&m);
            check_spans(&t, &extract(F, &t));
        }
    }

    #[test]
    fn fixtures_parse_with_expected_parse_errors_only() {
        for fx in FIXTURES {
            let ex = extract(F, fx);
            check_spans(fx, &ex);
            for f in &ex.findings {
                let line_start = fx[..f.primary().span.start]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let line_end = fx[f.primary().span.start..]
                    .find('\n')
                    .map_or(fx.len(), |i| f.primary().span.start + i);
                let line = &fx[line_start..line_end];
                assert!(
                    line.contains("expect:") && line.contains(f.code.as_str()),
                    "unexpected {} on line {line:?}",
                    f.code
                );
            }
        }
    }
}
