//! The Mozilla preferences syntax (`prefs.js`, `user.js`, default pref files): a hand-written,
//! span-keeping parser of `user_pref("name", value);` statements (also `pref(`, `sticky_pref(`,
//! `lockPref(`), and [`Effective`], the view of which definition of each name takes effect.
//!
//! A malformed statement becomes a [`SyntaxError`] at the bad bytes; parsing resumes after the
//! next `;` or line end. Nothing here knows about mail: `extract::clients::thunderbird` gives the
//! prefs their meaning. The grammar follows Mozilla's libpref parser
//! (`modules/libpref/parser/src/lib.rs`); `docs/formats/thunderbird.md` describes it.

use std::collections::HashMap;
use std::ops::Range;

use lexer::{is_eol, Lexer, Tok, Token};

mod lexer;

/// A pref value, typed by its literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefValue {
    Str(String),
    Int(i32),
    Bool(bool),
}

impl PrefValue {
    pub fn type_name(&self) -> &'static str {
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

impl SyntaxError {
    /// How to fix the error, by its message.
    pub fn help(&self) -> &'static str {
        let message = self.message;
        if message.contains("escape") || message.contains("surrogate") || message.contains('\\') {
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
}

/// A statement that broke after its name: the name, and the bytes its value would have had (a
/// string's inside, or up to the `;` or line end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenValue {
    pub name: String,
    pub span: Range<usize>,
}

/// The statements of a prefs file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub prefs: Vec<Pref>,
    pub errors: Vec<SyntaxError>,
    /// Statements that failed after their name: where their value would be, so that a reader
    /// can still mask a secret.
    pub broken_values: Vec<BrokenValue>,
    /// Offset of the first NUL byte: Thunderbird stops reading the file there.
    pub nul: Option<usize>,
}

/// What of the token after a pref name a broken statement keeps, to mask it if need be.
#[derive(Clone, Debug)]
struct Candidate {
    /// A string literal (`inner` is between its quotes), the end of the file, or anything else.
    kind: CandKind,
    span: Range<usize>,
    inner: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CandKind {
    Str,
    Eof,
    Other,
}

impl Candidate {
    fn of(t: &Token) -> Candidate {
        let kind = match t.tok {
            Tok::Str(_) => CandKind::Str,
            Tok::Eof => CandKind::Eof,
            _ => CandKind::Other,
        };
        Candidate {
            kind,
            span: t.span.clone(),
            inner: t.inner.clone(),
        }
    }
}

/// Why a statement failed, before recovery.
struct Failure {
    offending: Token,
    /// The last token of the statement that was fine.
    last_good: Option<Range<usize>>,
    message: &'static str,
    /// Once the name is read: the name and the first token after it.
    candidate: Option<(String, Candidate)>,
}

fn fail(offending: Token, last: &Range<usize>, message: &'static str) -> Box<Failure> {
    Box::new(Failure {
        offending,
        last_good: Some(last.clone()),
        message,
        candidate: None,
    })
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

/// A statement after its name: the value, its span, and the span of the closing `;`.
type Rest = (PrefValue, Range<usize>, Range<usize>);

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
        let t = self.next();
        if t.tok != Tok::Punct(b'(') {
            return Err(fail(t, &kw.span, "expected `(` after the keyword"));
        }
        let last = t.span;
        let t = self.next();
        let (name, name_span) = match &t.tok {
            Tok::Str(Ok(name)) => (name.clone(), t.inner.clone()),
            _ => return Err(fail(t, &last, "expected a quoted pref name after `(`")),
        };
        match self.after_name(level, t.span) {
            Ok((value, value_span, semicolon)) => Ok(Pref {
                level,
                name,
                name_span,
                value,
                value_span,
                stmt_span: kw.span.start..semicolon.end,
            }),
            Err(mut f) => {
                f.candidate = f.candidate.map(|(_, c)| (name, c));
                Err(f)
            }
        }
    }

    /// `, VALUE ) ;` after the name (`last` is the name's span). Every failure carries the first
    /// token after the name as its candidate.
    fn after_name(&mut self, level: Level, last: Range<usize>) -> Result<Rest, Box<Failure>> {
        let with = |mut f: Box<Failure>, c: &Candidate| {
            f.candidate = Some((String::new(), c.clone()));
            f
        };
        let t = self.next();
        if t.tok != Tok::Punct(b',') {
            let cand = Candidate::of(&t);
            return Err(with(
                fail(t, &last, "expected `,` after the pref name"),
                &cand,
            ));
        }
        let comma = t.span;
        let t = self.next();
        let cand = Candidate::of(&t);
        let (value, value_span, mut last) = self.value(t, &comma).map_err(|f| with(f, &cand))?;
        let mut t = self.next();
        // `pref("name", value, sticky, locked)` in default pref files.
        while level == Level::Default && t.tok == Tok::Punct(b',') {
            let comma = t.span;
            let a = self.next();
            if a.tok != Tok::Word || !matches!(self.word(&a), "sticky" | "locked") {
                let f = fail(a, &comma, "expected `sticky` or `locked` after `,`");
                return Err(with(f, &cand));
            }
            last = a.span;
            t = self.next();
        }
        if t.tok != Tok::Punct(b')') {
            return Err(with(fail(t, &last, "expected `)` after the value"), &cand));
        }
        let last = t.span;
        let t = self.next();
        if t.tok != Tok::Punct(b';') {
            return Err(with(fail(t, &last, "expected `;` after `)`"), &cand));
        }
        Ok((value, value_span, t.span))
    }

    /// A value token `t` after the comma at `comma` (reading the digits after a sign): the
    /// value, its span, and the span of its last token.
    fn value(&mut self, t: Token, comma: &Range<usize>) -> Result<Rest, Box<Failure>> {
        let span = t.span.clone();
        let whole = |v: PrefValue| Ok((v, span.clone(), span.clone()));
        match &t.tok {
            Tok::Str(Ok(s)) => Ok((PrefValue::Str(s.clone()), t.inner.clone(), t.span.clone())),
            Tok::Word if self.word(&t) == "true" => whole(PrefValue::Bool(true)),
            Tok::Word if self.word(&t) == "false" => whole(PrefValue::Bool(false)),
            Tok::Int(n) => match n.and_then(|n| i32::try_from(n).ok()) {
                Some(n) => whole(PrefValue::Int(n)),
                None => Err(fail(t, comma, "integer out of range")),
            },
            Tok::Punct(sign @ (b'+' | b'-')) => {
                let negative = *sign == b'-';
                let d = self.next();
                let Tok::Int(n) = d.tok else {
                    return Err(fail(d, &span, "expected digits after the sign"));
                };
                let n = n.map(i64::from).map(|n| if negative { -n } else { n });
                match n.and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => {
                        let signed = span.start..d.span.end;
                        Ok((PrefValue::Int(n), signed.clone(), signed))
                    }
                    None => Err(fail(d, &span, "integer out of range")),
                }
            }
            _ => Err(fail(
                t,
                comma,
                "expected a value (a string, an integer, true or false) after `,`",
            )),
        }
    }

    /// Report a failed statement and skip to just after the next `;` or line end.
    fn recover(&mut self, f: Failure) {
        let multiline = self.multiline.take();
        let (span, message, resume, skip) = match multiline {
            Some((quote, line_end)) => (quote..line_end, "unterminated string", line_end, true),
            None => self.blame(&f),
        };
        let span = if span.is_empty() {
            // Only at the very end of the file: point at the last character.
            let end = self.lx.text.len();
            let start = self
                .lx
                .text
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
        let stop = self.resynchronise(resume, skip);
        if let Some((name, c)) = f.candidate {
            self.keep_broken_value(name, c, multiline, stop);
        }
    }

    /// Where a failed statement's error goes when no string ran over a line end: its span and
    /// message, where to resume, and whether to skip to the next `;` or line end from there.
    fn blame(&self, f: &Failure) -> (Range<usize>, &'static str, usize, bool) {
        let off = &f.offending;
        let same_line = off.tok != Tok::Eof
            && f.last_good.as_ref().is_none_or(|l| {
                !self
                    .lx
                    .bytes
                    .get(l.end..off.span.start)
                    .is_some_and(|gap| gap.iter().any(|&b| is_eol(b)))
            });
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

    /// Move the lexer to `resume`, or when `skip`, just past the next `;` or line end after it.
    /// Returns where the skipped stretch stops.
    fn resynchronise(&mut self, resume: usize, skip: bool) -> usize {
        let bytes = self.lx.bytes;
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
        stop
    }

    /// Record where the value of a broken statement would be, so that a secret stays masked.
    fn keep_broken_value(
        &mut self,
        name: String,
        c: Candidate,
        multiline: Option<(usize, usize)>,
        stop: usize,
    ) {
        let (text, bytes) = (self.lx.text, self.lx.bytes);
        let range = match c.kind {
            CandKind::Str => match multiline {
                Some((quote, line_end)) if c.span.start == quote => quote + 1..line_end,
                _ => c.inner,
            },
            CandKind::Eof => 0..0,
            CandKind::Other => {
                let mut end = stop.max(c.span.end).min(bytes.len());
                while end > c.span.start && bytes[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                c.span.start..end
            }
        };
        if range.start < range.end && text.get(range.clone()).is_some() {
            self.out
                .broken_values
                .push(BrokenValue { name, span: range });
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
                candidate: None,
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
// Which definitions take effect
// ---------------------------------------------------------------------------------------------

impl Parsed {
    /// The definitions Mozilla reads: those before the first NUL byte, in file order.
    pub fn read(&self) -> impl Iterator<Item = &Pref> {
        let cut = self.nul.unwrap_or(usize::MAX);
        self.prefs.iter().filter(move |p| p.stmt_span.start <= cut)
    }

    /// Does a NUL byte hide definitions that follow it?
    pub fn cut_by_nul(&self) -> bool {
        self.nul
            .is_some_and(|nul| self.prefs.iter().any(|p| p.stmt_span.start > nul))
    }

    /// The definition of each name that takes effect.
    pub fn effective(&self) -> Effective<'_> {
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        let cut = self.nul.unwrap_or(usize::MAX);
        for (i, p) in self.prefs.iter().enumerate() {
            if p.stmt_span.start > cut {
                continue;
            }
            match by_name.get(p.name.as_str()) {
                Some(&j) if self.prefs[j].level > p.level => {}
                _ => {
                    by_name.insert(p.name.as_str(), i);
                }
            }
        }
        Effective {
            prefs: &self.prefs,
            by_name,
        }
    }
}

/// For each pref name, the definition that takes effect: the highest [`Level`], and within a
/// level the last one read.
pub struct Effective<'p> {
    prefs: &'p [Pref],
    /// Pref name -> index of the definition that takes effect.
    by_name: HashMap<&'p str, usize>,
}

impl<'p> Effective<'p> {
    pub fn get(&self, name: &str) -> Option<&'p Pref> {
        self.by_name.get(name).map(|&i| &self.prefs[i])
    }

    /// The definitions that take effect, in file order.
    pub fn in_file_order(&self) -> Vec<&'p Pref> {
        let mut idx: Vec<usize> = self.by_name.values().copied().collect();
        idx.sort_unstable();
        idx.into_iter().map(|i| &self.prefs[i]).collect()
    }
}

#[cfg(test)]
mod tests;
