//! The dotenv syntax: a span-keeping parser for `.env` files, and [`Ctx`], the view of a parsed
//! file that the client programs read (`clients::laravel`, `clients::django`,
//! `clients::env_generic`).
//!
//! The parser follows phpdotenv and Node dotenv where they agree (an unquoted `#` starts a comment
//! even with no space before it; `'…'` is literal; `"…"` knows escapes and may span lines; the
//! last definition of a name wins) and reports where they would read something else than the
//! author meant. `docs/formats/dotenv.md` describes every rule implemented here.

use std::collections::HashMap;
use std::ops::Range;

use crate::extract::{is_secret_key, parse_bool, parse_port};
use crate::finding::{Finding, Label, Severity};
use crate::model::{Secret, Value};
use crate::source::{FileId, Loc};

/// Longest value `${VAR}` expansion may build; longer results count as unknown.
const MAX_EXPANDED: usize = 4096;
/// Total bytes all expansions of one file may build (guards against `A=${B}${B}` chains).
const EXPANSION_BUDGET: usize = 1 << 20;

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quote {
    Single,
    Double,
    Backtick,
}

/// A piece of a value: literal text, or a `${NAME}` reference (expanded by phpdotenv,
/// python-dotenv and dotenv-expand in unquoted and double-quoted values).
#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Lit(String),
    Ref(String),
}

/// One `KEY=value` line (or several lines, for a multi-line quoted value).
#[derive(Clone, Debug)]
pub(crate) struct Def {
    /// Position among all definitions of the file.
    pub(crate) idx: usize,
    pub(crate) name: String,
    pub(crate) name_span: Range<usize>,
    /// The value with quotes removed and escapes applied; references kept as `${NAME}`.
    pub(crate) value: String,
    /// Byte range of the value in the file, inside the quotes.
    pub(crate) span: Range<usize>,
    /// `value` is byte-for-byte `text[span]`, so offsets inside the value map to the file.
    pub(crate) verbatim: bool,
    pub(crate) segs: Vec<Seg>,
    /// The value after `${NAME}` expansion; `None` when a reference is not defined above.
    pub(crate) expanded: Option<String>,
    /// What to mask when the key is secret-like (the value, plus what a `#` cut off).
    pub(crate) secret_span: Range<usize>,
}

impl Def {
    pub(crate) fn has_refs(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Ref(_)))
    }
}

/// Problems only phpdotenv (Laravel) has; reported when the file is a Laravel one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PhpIssue {
    UnquotedSpace,
    Escape,
    /// A line break inside single quotes or backticks (phpdotenv only joins lines for `"`).
    Multiline,
}

pub(crate) struct Parsed {
    pub(crate) defs: Vec<Def>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) secrets: Vec<Range<usize>>,
    pub(crate) php_only: Vec<(Range<usize>, PhpIssue)>,
}

pub(crate) struct Parser<'t> {
    file: FileId,
    text: &'t str,
    b: &'t [u8],
    out: Parsed,
    /// Per quote kind: an earlier value opened with it never closed, so no later one can.
    unterminated: [bool; 3],
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Length of the UTF-8 sequence that starts with byte `c`.
fn utf8_len(c: u8) -> usize {
    match c {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

impl<'t> Parser<'t> {
    pub(crate) fn new(file: FileId, text: &'t str) -> Self {
        Parser {
            file,
            text,
            b: text.as_bytes(),
            out: Parsed {
                defs: Vec::new(),
                findings: Vec::new(),
                secrets: Vec::new(),
                php_only: Vec::new(),
            },
            unterminated: [false; 3],
        }
    }

    pub(crate) fn run(mut self) -> Parsed {
        let mut pos = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        while pos < self.b.len() {
            let next = self.line(pos);
            debug_assert!(next > pos);
            pos = next.max(pos + 1);
        }
        self.expand();
        self.out
    }

    /// End of the line's content (before `\r\n` / `\n`) and the start of the next line.
    fn line_bounds(&self, pos: usize) -> (usize, usize) {
        let nl = self.b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |i| pos + i);
        let end = if nl > pos && self.b[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        (end, (nl + 1).min(self.b.len()))
    }

    fn skip_ws(&self, mut i: usize, end: usize) -> usize {
        while i < end && is_ws(self.b[i]) {
            i += 1;
        }
        i
    }

    fn rtrim(&self, start: usize, mut end: usize) -> usize {
        while end > start && is_ws(self.b[end - 1]) {
            end -= 1;
        }
        end
    }

    fn find(&self, c: u8, from: usize, end: usize) -> Option<usize> {
        self.b[from..end]
            .iter()
            .position(|&x| x == c)
            .map(|i| from + i)
    }

    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn error(&mut self, span: Range<usize>, message: &str, label: &str, help: &str) {
        let f = Finding::new(
            "parse-error",
            Severity::Error,
            message,
            Label::new(self.loc(span), label),
        )
        .with_help(help);
        self.out.findings.push(f);
    }

    /// Parse the entry that starts on the line at `pos`; returns where the next entry starts.
    fn line(&mut self, pos: usize) -> usize {
        let (end, next) = self.line_bounds(pos);
        let start = self.skip_ws(pos, end);
        if start == end || self.b[start] == b'#' {
            return next;
        }
        let mut k = start;
        if self.b[k..end].starts_with(b"export") && k + 6 < end && is_ws(self.b[k + 6]) {
            k = self.skip_ws(k + 6, end);
        }
        let Some(eq) = self.find(b'=', k, end) else {
            // The span stops before a trailing ` # comment`.
            let comment = (start + 1..end).find(|&i| self.b[i] == b'#' && is_ws(self.b[i - 1]));
            let stop = self.rtrim(start, comment.unwrap_or(end));
            let k = k.min(stop);
            // `PASSWORD hunter2`: keep the would-be value out of any rendered snippet.
            let word_end = (k..stop)
                .find(|&i| is_ws(self.b[i]) || self.b[i] == b':')
                .unwrap_or(stop);
            if is_secret_key(&self.text[k..word_end]) {
                let v = self.skip_ws(word_end + usize::from(word_end < stop), stop);
                self.out.secrets.push(v..stop);
            }
            self.error(
                start..stop,
                "this line is not a `KEY=value` assignment",
                "no `=` on this line",
                "write it as `KEY=value`, or start the line with `#` to make it a comment",
            );
            return next;
        };
        let key_end = self.rtrim(k, eq);
        let text = self.text;
        let key = &text[k..key_end];
        let key_ok = !key.is_empty()
            && key
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
        if !key_ok {
            let span = if key.is_empty() {
                eq..eq + 1
            } else {
                k..key_end
            };
            self.error(
                span,
                "invalid variable name",
                "not a variable name",
                "names may use only letters, digits, `_`, `.` and `-`, as in `MAIL_HOST=…`",
            );
        }
        let v = self.skip_ws(eq + 1, end);
        let (value, next) = if v < end && matches!(self.b[v], b'"' | b'\'' | b'`') {
            self.quoted(key, v, end, next)
        } else {
            (Some(self.unquoted(key, v, end)), next)
        };
        if let Some(mut def) = value {
            if is_secret_key(key) {
                self.out.secrets.push(def.secret_span.clone());
            }
            if key_ok {
                def.idx = self.out.defs.len();
                def.name = key.to_string();
                def.name_span = k..key_end;
                self.out.defs.push(def);
            }
        }
        next
    }

    /// `${NAME}` at `i` (which holds `$`): the name and the index after `}`.
    fn reference(&self, i: usize, end: usize) -> Option<(String, usize)> {
        if self.b.get(i + 1) != Some(&b'{') {
            return None;
        }
        let mut j = i + 2;
        while j < end && (self.b[j].is_ascii_alphanumeric() || matches!(self.b[j], b'_' | b'.')) {
            j += 1;
        }
        (j > i + 2 && j < end && self.b[j] == b'}')
            .then(|| (self.text[i + 2..j].to_string(), j + 1))
    }

    fn unquoted(&mut self, key: &str, v: usize, end: usize) -> Def {
        let hash = self.find(b'#', v, end);
        let raw_end = hash.unwrap_or(end);
        let vend = self.rtrim(v, raw_end);
        let mut secret_span = v..vend;
        if let Some(h) = hash {
            let glued_before = !is_ws(self.b[h - 1]); // `=` or a value byte right before `#`
            let glued_after = h + 1 < end && !is_ws(self.b[h + 1]);
            if glued_before && glued_after {
                // The part after `#` most likely belongs to the value: mask it too, up to a
                // comment that is clearly one (` #`).
                let mut tail = end;
                let mut i = h + 1;
                while i + 1 < end {
                    if is_ws(self.b[i]) && self.b[i + 1] == b'#' {
                        tail = i;
                        break;
                    }
                    i += 1;
                }
                secret_span = v..self.rtrim(v, tail);
                let label = if vend > v { v..vend } else { h..h + 1 };
                let f = Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!(
                        "the value of {key} is cut at the unquoted `#`: phpdotenv and Node dotenv \
                         read only the part before it"
                    ),
                    Label::new(self.loc(label), "the value ends here"),
                )
                .with_help(format!(
                    "wrap the whole value in single quotes (`{key}='…'`) so the `#` is kept"
                ));
                self.out.findings.push(f);
            }
        }
        if self.b[v..vend].iter().any(|&c| is_ws(c)) {
            self.out.php_only.push((v..vend, PhpIssue::UnquotedSpace));
        }
        // References.
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut i = v;
        let mut run = v;
        while i < vend {
            if self.b[i] == b'$' {
                if let Some((name, after)) = self.reference(i, vend) {
                    lit.push_str(&self.text[run..i]);
                    if !lit.is_empty() {
                        segs.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    segs.push(Seg::Ref(name));
                    i = after;
                    run = after;
                    continue;
                }
            }
            i += 1;
        }
        lit.push_str(&self.text[run..vend]);
        if !lit.is_empty() || segs.is_empty() {
            segs.push(Seg::Lit(lit));
        }
        Def {
            idx: 0,
            name: String::new(),
            name_span: 0..0,
            value: self.text[v..vend].to_string(),
            span: v..vend,
            verbatim: true,
            segs,
            expanded: None,
            secret_span,
        }
    }

    fn quoted(&mut self, key: &str, v: usize, end: usize, next: usize) -> (Option<Def>, usize) {
        let q = self.b[v];
        let (quote, slot) = match q {
            b'"' => (Quote::Double, 0),
            b'\'' => (Quote::Single, 1),
            _ => (Quote::Backtick, 2),
        };
        let mut close = None;
        let mut out: Vec<u8> = Vec::new();
        let mut segs = Vec::new();
        let mut verbatim = true;
        if !self.unterminated[slot] {
            let len = self.b.len();
            let mut i = v + 1;
            while i < len {
                let c = self.b[i];
                if c == q {
                    close = Some(i);
                    break;
                }
                if c == b'\r' && self.b.get(i + 1) == Some(&b'\n') {
                    verbatim = false;
                    i += 1;
                    continue;
                }
                if quote == Quote::Double && c == b'\\' {
                    let Some(&e) = self.b.get(i + 1) else {
                        break;
                    };
                    verbatim = false;
                    let known = match e {
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'f' => Some(0x0c),
                        b'v' => Some(0x0b),
                        b'"' | b'\\' | b'$' => Some(e),
                        _ => None,
                    };
                    match known {
                        Some(byte) => {
                            out.push(byte);
                            i += 2;
                        }
                        None => {
                            let span = i..(i + 1 + utf8_len(e)).min(len);
                            self.out.php_only.push((span, PhpIssue::Escape));
                            out.push(b'\\');
                            i += 1;
                        }
                    }
                    continue;
                }
                if quote == Quote::Double && c == b'$' {
                    if let Some((name, after)) = self.reference(i, len) {
                        if !out.is_empty() {
                            segs.push(Seg::Lit(
                                String::from_utf8_lossy(&std::mem::take(&mut out)).into_owned(),
                            ));
                        }
                        segs.push(Seg::Ref(name));
                        i = after;
                        continue;
                    }
                }
                out.push(c);
                i += 1;
            }
        }
        let Some(c) = close else {
            self.unterminated[slot] = true;
            if is_secret_key(key) {
                self.out.secrets.push(v + 1..self.rtrim(v + 1, end));
            }
            let shown = char::from(q);
            self.error(
                v..v + 1,
                &format!("the quoted value of {key} is never closed"),
                "this quote has no closing partner",
                &format!("add the closing {shown} (a value may span lines only inside quotes)"),
            );
            return (None, next);
        };
        if !out.is_empty() || segs.is_empty() {
            segs.push(Seg::Lit(String::from_utf8_lossy(&out).into_owned()));
        }
        let value: String = segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.clone(),
                Seg::Ref(n) => format!("${{{n}}}"),
            })
            .collect();
        let span = v + 1..c;
        let verbatim = verbatim && value.as_bytes() == &self.b[span.clone()];
        if quote != Quote::Double && self.b[span.clone()].contains(&b'\n') {
            self.out.php_only.push((v..v + 1, PhpIssue::Multiline));
        }
        let next2 = self.after_closing_quote(key, c);
        let def = Def {
            idx: 0,
            name: String::new(),
            name_span: 0..0,
            value,
            span: span.clone(),
            verbatim,
            segs,
            expanded: None,
            secret_span: span,
        };
        (Some(def), next2)
    }

    /// Whatever follows a closing quote (at `c`) on its line must be blank or a comment; the
    /// start of the next line.
    fn after_closing_quote(&mut self, key: &str, c: usize) -> usize {
        let (end, next) = self.line_bounds(c + 1);
        let j = self.skip_ws(c + 1, end);
        if j < end && self.b[j] != b'#' {
            let stop = self.rtrim(j, end);
            if is_secret_key(key) {
                self.out.secrets.push(j..stop);
            }
            self.error(
                j..stop,
                &format!("unexpected text after the closing quote of {key}"),
                "not part of the value",
                "put the whole value inside the quotes, or start a comment with ` #`",
            );
        }
        next
    }

    /// Expand `${NAME}` references with the definitions above each one.
    fn expand(&mut self) {
        let mut seen: HashMap<String, Option<String>> = HashMap::new();
        let mut budget = EXPANSION_BUDGET;
        for def in &mut self.out.defs {
            let expanded = if def.has_refs() {
                let mut s = String::new();
                let mut ok = true;
                for seg in &def.segs {
                    let piece = match seg {
                        Seg::Lit(l) => Some(l.as_str()),
                        Seg::Ref(n) => seen.get(n).and_then(|v| v.as_deref()),
                    };
                    match piece {
                        Some(p) if s.len() + p.len() <= MAX_EXPANDED && p.len() <= budget => {
                            budget -= p.len();
                            s.push_str(p);
                        }
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                ok.then_some(s)
            } else {
                Some(def.value.clone())
            };
            let kept = expanded
                .as_ref()
                .filter(|e| e.len() <= MAX_EXPANDED)
                .cloned();
            seen.insert(def.name.clone(), kept);
            def.expanded = expanded;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers for the families
// ---------------------------------------------------------------------------------------------

pub(crate) struct Ctx<'a> {
    pub(crate) file: FileId,
    pub(crate) defs: &'a [Def],
    /// Name -> index of its effective (last) definition.
    pub(crate) last: HashMap<&'a str, usize>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) secrets: Vec<Range<usize>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(file: FileId, defs: &'a [Def]) -> Self {
        let mut last = HashMap::new();
        for d in defs {
            last.insert(d.name.as_str(), d.idx);
        }
        Ctx {
            file,
            defs,
            last,
            findings: Vec::new(),
            secrets: Vec::new(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a Def> {
        self.last.get(name).map(|&i| &self.defs[i])
    }

    pub(crate) fn first_of(&self, names: &[&str]) -> Option<&'a Def> {
        names.iter().find_map(|n| self.get(n))
    }

    pub(crate) fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.last.contains_key(n))
    }

    pub(crate) fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    pub(crate) fn vloc(&self, d: &Def) -> Loc {
        self.loc(d.span.clone())
    }

    /// A range inside a definition's value, as a file location when offsets map 1:1.
    pub(crate) fn sub_loc(&self, d: &Def, r: &Range<usize>) -> Loc {
        if d.verbatim && !d.has_refs() && r.start <= r.end && r.end <= d.span.len() {
            self.loc(d.span.start + r.start..d.span.start + r.end)
        } else {
            self.vloc(d)
        }
    }

    /// The key span of the earliest effective definition among `names`.
    pub(crate) fn anchor(&self, names: &[&str]) -> Option<Loc> {
        names
            .iter()
            .filter_map(|n| self.get(n))
            .min_by_key(|d| d.name_span.start)
            .map(|d| self.loc(d.name_span.clone()))
    }

    /// The expanded value, or `None` when a reference could not be resolved.
    pub(crate) fn text(&self, d: &Def) -> Option<String> {
        d.expanded.clone()
    }

    /// A plain string field: non-empty (after trimming) expanded value at the value's span.
    pub(crate) fn string(&self, d: &Def) -> Option<Value<String>> {
        let t = self.text(d)?;
        (!t.trim().is_empty()).then(|| Value::literal(t, self.vloc(d)))
    }

    pub(crate) fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    pub(crate) fn invalid(
        &mut self,
        sev: Severity,
        loc: Loc,
        msg: String,
        label: &str,
        help: &str,
    ) {
        self.push(Finding::new("invalid-value", sev, msg, Label::new(loc, label)).with_help(help));
    }

    /// Validate a port written as `raw` at `loc`.
    pub(crate) fn port(&mut self, key: &str, raw: &str, loc: Loc) -> Option<Value<u16>> {
        match parse_port(raw) {
            Some(p) => Some(Value::literal(p, loc)),
            None => {
                self.invalid(
                    Severity::Error,
                    loc,
                    format!("the port in {key} is not a number from 1 to 65535"),
                    "not a valid port",
                    "use the submission port your provider documents: usually 587 (STARTTLS) \
                     or 465 (implicit TLS)",
                );
                None
            }
        }
    }

    pub(crate) fn port_of(&mut self, key: &str, d: &Def) -> Option<Value<u16>> {
        let t = self.text(d)?;
        if t.trim().is_empty() {
            return None;
        }
        self.port(key, &t, self.vloc(d))
    }

    /// A literal password, unless the value is empty or built from `${VAR}` references (then
    /// the referenced definitions are masked and the password is left unknown).
    pub(crate) fn password(&mut self, d: &Def) -> Option<Value<Secret>> {
        if d.has_refs() {
            for seg in &d.segs {
                if let Seg::Ref(name) = seg {
                    let target = self.defs[..d.idx].iter().rev().find(|t| &t.name == name);
                    if let Some(t) = target {
                        self.secrets.push(t.span.clone());
                    }
                }
            }
            return None;
        }
        (!d.value.is_empty()).then(|| Value::literal(Secret::new(d.value.clone()), self.vloc(d)))
    }
}

/// Boolean of a generic flag; an unreadable value is reported once and yields `None`.
pub(crate) fn flag(ctx: &mut Ctx, key: &str, d: &Def) -> Option<bool> {
    let t = ctx.text(d)?;
    let b = parse_bool(&t);
    if b.is_none() {
        ctx.invalid(
            Severity::Warning,
            ctx.vloc(d),
            format!("the value of {key} is not a boolean"),
            "expected true or false",
            "write `true` or `false`",
        );
    }
    b
}

/// Report what only phpdotenv (Laravel's reader) refuses in the file.
pub(crate) fn report_phpdotenv_only(ctx: &mut Ctx, issues: &[(Range<usize>, PhpIssue)]) {
    for (span, issue) in issues {
        let loc = ctx.loc(span.clone());
        let f = match issue {
            PhpIssue::UnquotedSpace => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) refuses an unquoted value that contains spaces",
                Label::new(loc, "unquoted value with a space"),
            )
            .with_help("put the value in double quotes: `KEY=\"two words\"`"),
            PhpIssue::Multiline => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) lets a value span lines only inside double quotes",
                Label::new(loc, "this value spans lines"),
            )
            .with_help("use double quotes for a value with line breaks"),
            PhpIssue::Escape => Finding::new(
                "parse-error",
                Severity::Error,
                "phpdotenv (Laravel) refuses this escape sequence in a double-quoted value",
                Label::new(loc, "unknown escape"),
            )
            .with_help(
                "inside double quotes write a backslash as `\\\\`, or use single quotes, \
                 which keep every character as it is",
            ),
        };
        ctx.push(f);
    }
}
