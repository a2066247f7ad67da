//! `.env` files: a span-keeping dotenv parser, then the meaning that three families of variables
//! have for the programs that read them:
//!
//! - Laravel `MAIL_*` ([`Client::Laravel`], Symfony Mailer underneath, `MAIL_URL` DSNs included),
//! - Django `EMAIL_*` ([`Client::Django`]),
//! - generic `SMTP_*` ([`Client::DotenvGeneric`]: Nodemailer-style apps, Mastodon, Vaultwarden).
//!
//! The parser follows phpdotenv and Node dotenv where they agree (an unquoted `#` starts a comment
//! even with no space before it; `'…'` is literal; `"…"` knows escapes and may span lines; the
//! last definition of a name wins) and reports where they would read something else than the
//! author meant. `docs/formats/dotenv.md` describes every rule implemented here.

use std::collections::HashMap;
use std::ops::Range;

use super::{is_secret_key, parse_bool, parse_port, EnvDef, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

/// Longest value `${VAR}` expansion may build; longer results count as unknown.
const MAX_EXPANDED: usize = 4096;
/// Total bytes all expansions of one file may build (guards against `A=${B}${B}` chains).
const EXPANSION_BUDGET: usize = 1 << 20;

pub fn extract(file: FileId, text: &str) -> Extraction {
    let parsed = Parser::new(file, text).run();
    let mut ctx = Ctx::new(file, &parsed.defs);
    ctx.findings = parsed.findings;
    ctx.secrets = parsed.secrets;

    let mut profiles = Vec::new();
    let laravel_present = laravel_recognised(&ctx);
    if laravel_present {
        report_phpdotenv_only(&mut ctx, &parsed.php_only);
        if let Some(p) = laravel(&mut ctx) {
            profiles.push(p);
        }
    }
    if let Some(p) = django(&mut ctx) {
        profiles.push(p);
    }
    if let Some(p) = generic(&mut ctx) {
        profiles.push(p);
    }
    profiles.sort_by_key(|p| p.anchor.span.start);
    secrets_in_urls(&mut ctx);

    // Only the effective definition of each name, in file order.
    let mut effective: Vec<&Def> = ctx.last.values().map(|&i| &parsed.defs[i]).collect();
    effective.sort_by_key(|d| d.idx);
    let env = effective
        .into_iter()
        .map(|d| EnvDef {
            name: d.name.clone(),
            value: d.value.clone(),
            loc: Loc::new(file, d.span.clone()),
        })
        .collect();

    let mut secrets = ctx.secrets;
    secrets.retain(|r| r.start < r.end && r.end <= text.len());
    secrets.sort_by_key(|r| (r.start, r.end));
    secrets.dedup();
    Extraction {
        profiles,
        findings: ctx.findings,
        secrets,
        env,
    }
}

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    Single,
    Double,
    Backtick,
}

/// A piece of a value: literal text, or a `${NAME}` reference (expanded by phpdotenv,
/// python-dotenv and dotenv-expand in unquoted and double-quoted values).
#[derive(Clone, Debug)]
enum Seg {
    Lit(String),
    Ref(String),
}

/// One `KEY=value` line (or several lines, for a multi-line quoted value).
#[derive(Clone, Debug)]
struct Def {
    /// Position among all definitions of the file.
    idx: usize,
    name: String,
    name_span: Range<usize>,
    /// The value with quotes removed and escapes applied; references kept as `${NAME}`.
    value: String,
    /// Byte range of the value in the file, inside the quotes.
    span: Range<usize>,
    /// `value` is byte-for-byte `text[span]`, so offsets inside the value map to the file.
    verbatim: bool,
    segs: Vec<Seg>,
    /// The value after `${NAME}` expansion; `None` when a reference is not defined above.
    expanded: Option<String>,
    /// What to mask when the key is secret-like (the value, plus what a `#` cut off).
    secret_span: Range<usize>,
}

impl Def {
    fn has_refs(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Ref(_)))
    }
}

/// Problems only phpdotenv (Laravel) has; reported when the file is a Laravel one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PhpIssue {
    UnquotedSpace,
    Escape,
    /// A line break inside single quotes or backticks (phpdotenv only joins lines for `"`).
    Multiline,
}

struct Parsed {
    defs: Vec<Def>,
    findings: Vec<Finding>,
    secrets: Vec<Range<usize>>,
    php_only: Vec<(Range<usize>, PhpIssue)>,
}

struct Parser<'t> {
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
    fn new(file: FileId, text: &'t str) -> Self {
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

    fn run(mut self) -> Parsed {
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
        // Whatever follows the closing quote on its line must be blank or a comment.
        let (end2, next2) = self.line_bounds(c + 1);
        let j = self.skip_ws(c + 1, end2);
        if j < end2 && self.b[j] != b'#' {
            let stop = self.rtrim(j, end2);
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

struct Ctx<'a> {
    file: FileId,
    defs: &'a [Def],
    /// Name -> index of its effective (last) definition.
    last: HashMap<&'a str, usize>,
    findings: Vec<Finding>,
    secrets: Vec<Range<usize>>,
}

impl<'a> Ctx<'a> {
    fn new(file: FileId, defs: &'a [Def]) -> Self {
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

    fn get(&self, name: &str) -> Option<&'a Def> {
        self.last.get(name).map(|&i| &self.defs[i])
    }

    fn first_of(&self, names: &[&str]) -> Option<&'a Def> {
        names.iter().find_map(|n| self.get(n))
    }

    fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.last.contains_key(n))
    }

    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn vloc(&self, d: &Def) -> Loc {
        self.loc(d.span.clone())
    }

    /// A range inside a definition's value, as a file location when offsets map 1:1.
    fn sub_loc(&self, d: &Def, r: &Range<usize>) -> Loc {
        if d.verbatim && !d.has_refs() && r.start <= r.end && r.end <= d.span.len() {
            self.loc(d.span.start + r.start..d.span.start + r.end)
        } else {
            self.vloc(d)
        }
    }

    /// The key span of the earliest effective definition among `names`.
    fn anchor(&self, names: &[&str]) -> Option<Loc> {
        names
            .iter()
            .filter_map(|n| self.get(n))
            .min_by_key(|d| d.name_span.start)
            .map(|d| self.loc(d.name_span.clone()))
    }

    /// The expanded value, or `None` when a reference could not be resolved.
    fn text(&self, d: &Def) -> Option<String> {
        d.expanded.clone()
    }

    /// A plain string field: non-empty (after trimming) expanded value at the value's span.
    fn string(&self, d: &Def) -> Option<Value<String>> {
        let t = self.text(d)?;
        (!t.trim().is_empty()).then(|| Value::literal(t, self.vloc(d)))
    }

    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn invalid(&mut self, sev: Severity, loc: Loc, msg: String, label: &str, help: &str) {
        self.push(Finding::new("invalid-value", sev, msg, Label::new(loc, label)).with_help(help));
    }

    /// Validate a port written as `raw` at `loc`.
    fn port(&mut self, key: &str, raw: &str, loc: Loc) -> Option<Value<u16>> {
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

    fn port_of(&mut self, key: &str, d: &Def) -> Option<Value<u16>> {
        let t = self.text(d)?;
        if t.trim().is_empty() {
            return None;
        }
        self.port(key, &t, self.vloc(d))
    }

    /// A literal password, unless the value is empty or built from `${VAR}` references (then
    /// the referenced definitions are masked and the password is left unknown).
    fn password(&mut self, d: &Def) -> Option<Value<Secret>> {
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
fn flag(ctx: &mut Ctx, key: &str, d: &Def) -> Option<bool> {
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

// ---------------------------------------------------------------------------------------------
// Laravel `MAIL_*` (Symfony Mailer)
// ---------------------------------------------------------------------------------------------

const LARAVEL_STRONG: &[&str] = &[
    "MAIL_MAILER",
    "MAIL_DRIVER",
    "MAIL_HOST",
    "MAIL_URL",
    "MAIL_SCHEME",
    "MAIL_ENCRYPTION",
];
const LARAVEL_WEAK: &[&str] = &["MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD"];
/// Flask-Mail uses `MAIL_SERVER`/`MAIL_USE_TLS`: such files are not Laravel's.
const FLASK_MAIL: &[&str] = &["MAIL_SERVER", "MAIL_USE_TLS", "MAIL_USE_SSL"];
const LARAVEL_ALL: &[&str] = &[
    "MAIL_MAILER",
    "MAIL_DRIVER",
    "MAIL_URL",
    "MAIL_SCHEME",
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_ENCRYPTION",
    "MAIL_FROM_ADDRESS",
];

fn laravel_recognised(ctx: &Ctx) -> bool {
    ctx.has_any(LARAVEL_STRONG) || (ctx.has_any(LARAVEL_WEAK) && !ctx.has_any(FLASK_MAIL))
}

/// What Laravel's `env()` makes of a string: `true`/`false`/`null`/`empty`, also in
/// parentheses, become real types.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Lv {
    Null,
    Bool(bool),
    Str(String),
}

fn laravel_env(s: &str) -> Lv {
    match s.to_ascii_lowercase().as_str() {
        "true" | "(true)" => Lv::Bool(true),
        "false" | "(false)" => Lv::Bool(false),
        "null" | "(null)" => Lv::Null,
        "empty" | "(empty)" => Lv::Str(String::new()),
        _ => Lv::Str(s.to_string()),
    }
}

/// A non-empty string as Laravel's `env()` returns it.
fn lv_string(ctx: &Ctx, d: &Def) -> Option<Value<String>> {
    let v = ctx.string(d)?;
    match laravel_env(&v.value) {
        Lv::Str(s) if !s.trim().is_empty() => Some(Value::literal(s, v.loc)),
        _ => None,
    }
}

fn report_phpdotenv_only(ctx: &mut Ctx, issues: &[(Range<usize>, PhpIssue)]) {
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

fn laravel(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(LARAVEL_ALL)?;

    // Which mailer? Only `smtp` reads the SMTP settings.
    if let Some(d) = ctx.first_of(&["MAIL_MAILER", "MAIL_DRIVER"]) {
        let key = d.name.clone();
        let raw = ctx.text(d).unwrap_or_else(|| "smtp".to_string());
        let name = match laravel_env(raw.trim()) {
            Lv::Null => String::new(),
            Lv::Str(s) => s.trim().to_string(),
            Lv::Bool(_) => return None,
        };
        if name != "smtp" {
            if name.is_empty() || name.eq_ignore_ascii_case("smtp") {
                let msg = if name.is_empty() {
                    format!("the value of {key} is empty, so Laravel has no mailer to send with")
                } else {
                    format!("mailer `{name}` does not exist in Laravel: mailer names are case-sensitive")
                };
                ctx.invalid(
                    Severity::Error,
                    ctx.vloc(d),
                    msg,
                    "Laravel fails with \"Mailer is not defined\"",
                    &format!("write `{key}=smtp` to send through the SMTP settings"),
                );
            }
            // log, array, sendmail, ses, postmark, failover ...: the SMTP settings are unused.
            return None;
        }
    }

    let mut profile = Profile::new(Client::Laravel, "MAIL_*", anchor.clone());

    // MAIL_URL overrides host, port, username and password; its query sets transport options.
    let mut url: Option<(&Def, Dsn)> = None;
    if let Some(d) = ctx.get("MAIL_URL") {
        if let Some(t) = ctx.text(d) {
            if let Lv::Str(s) = laravel_env(t.trim()) {
                if !s.trim().is_empty() {
                    match parse_dsn(&t) {
                        Some(dsn) => url = Some((d, dsn)),
                        None => ctx.invalid(
                            Severity::Error,
                            ctx.vloc(d),
                            "the value of MAIL_URL is not a mailer URL".to_string(),
                            "expected scheme://user:password@host:port",
                            "write it as `smtp://user:password@host:587?require_tls=true`, with \
                             special characters in the user and password percent-encoded",
                        ),
                    }
                }
            }
        }
    }

    let mut url_smtps: Option<Loc> = None;
    if let Some((d, dsn)) = &url {
        let scheme = dsn.scheme.0.to_ascii_lowercase();
        let sloc = ctx.sub_loc(d, &dsn.scheme.1);
        match scheme.as_str() {
            "smtp" => {}
            "smtps" => {
                ctx.invalid(
                    Severity::Error,
                    sloc.clone(),
                    "the MAIL_URL scheme is read as the mail transport, and Laravel has no \
                     `smtps` transport"
                        .to_string(),
                    "Laravel fails with \"Unsupported mail transport [smtps]\"",
                    "write `smtp://…:465` (port 465 gets implicit TLS), or add `scheme=smtps` \
                     to the query",
                );
                url_smtps = Some(sloc);
            }
            s if s.starts_with("smtp") => {
                ctx.invalid(
                    Severity::Error,
                    sloc,
                    "the MAIL_URL scheme is not a Laravel mail transport".to_string(),
                    "Laravel fails with \"Unsupported mail transport\"",
                    "start MAIL_URL with `smtp://`",
                );
                return None;
            }
            // log://, sendmail://, ...: not an SMTP transport.
            _ => return None,
        }
        if dsn.unencoded_userinfo {
            ctx.invalid(
                Severity::Error,
                ctx.vloc(d),
                "the user or password in MAIL_URL holds a character that ends that part of a URL"
                    .to_string(),
                "`#`, `/` or `?` before the `@`",
                "percent-encode it: `#` as `%23`, `/` as `%2F`, `?` as `%3F`, `@` as `%40`, \
                 `:` as `%3A`",
            );
        }
    }
    let query = |key: &str| -> Option<(String, Loc)> {
        let (d, dsn) = url.as_ref()?;
        let (_, val, r) = dsn.query.iter().rev().find(|(k, _, _)| k == key)?;
        Some((val.clone(), ctx.sub_loc(d, r)))
    };
    let require_tls = query("require_tls");
    let verify_peer = query("verify_peer");
    let auto_tls = query("auto_tls");
    let query_scheme = query("scheme");

    // Host.
    profile.host = match &url {
        Some((d, dsn)) if dsn.host.as_ref().is_some_and(|h| !h.0.is_empty()) => {
            let (h, r) = dsn.host.clone().unwrap_or_default();
            Some(Value::literal(h, ctx.sub_loc(d, &r)))
        }
        _ => ctx.get("MAIL_HOST").and_then(|d| lv_string(ctx, d)),
    };
    // Port.
    let url_port = url.as_ref().and_then(|(d, dsn)| {
        dsn.port
            .as_ref()
            .map(|(p, r)| (p.clone(), ctx.sub_loc(d, r)))
    });
    profile.port = match url_port {
        Some((p, loc)) => ctx.port("MAIL_URL", &p, loc),
        None => match ctx.get("MAIL_PORT") {
            Some(d) => match ctx.text(d).map(|t| laravel_env(t.trim())) {
                Some(Lv::Str(_)) => ctx.port_of("MAIL_PORT", d),
                _ => None,
            },
            None => None,
        },
    };
    // Username and password.
    profile.username = match &url {
        Some((d, dsn)) if dsn.user.as_ref().is_some_and(|u| !u.0.is_empty()) => {
            let (u, r) = dsn.user.clone().unwrap_or_default();
            Some(Value::literal(u, ctx.sub_loc(d, &r)))
        }
        _ => ctx.get("MAIL_USERNAME").and_then(|d| lv_string(ctx, d)),
    };
    profile.password = match &url {
        Some((d, dsn)) if dsn.pass.as_ref().is_some_and(|p| !p.0.is_empty()) => {
            if d.has_refs() {
                let d = *d;
                ctx.password(d)
            } else {
                let (p, r) = dsn.pass.clone().unwrap_or_default();
                Some(Value::literal(Secret::new(p), ctx.sub_loc(d, &r)))
            }
        }
        _ => match ctx.get("MAIL_PASSWORD") {
            Some(d) => match laravel_env(&d.value) {
                Lv::Str(_) => ctx.password(d),
                _ => None,
            },
            None => None,
        },
    };
    // Symfony Mailer logs in only when a username is set.
    profile.auth = Some(match (&profile.username, &profile.password) {
        (Some(u), p) => Value::default(
            AuthMethod::Password,
            p.as_ref().map_or(u.loc.clone(), |p| p.loc.clone()),
            "Symfony Mailer logs in with the username and password when a username is set",
        ),
        (None, p) => Value::default(
            AuthMethod::None,
            p.as_ref().map_or(anchor.clone(), |p| p.loc.clone()),
            "Symfony Mailer logs in only when a username is set",
        ),
    });
    // From.
    if let Some(f) = ctx.get("MAIL_FROM_ADDRESS").and_then(|d| lv_string(ctx, d)) {
        profile.from.push(f);
    }

    // Security: MAIL_SCHEME (or `scheme=` in the URL query), else the port decides.
    let port = profile.port.as_ref().map(|p| p.value);
    let port_loc = profile.port.as_ref().map(|p| p.loc.clone());
    let scheme: Option<(String, Loc)> = match query_scheme {
        Some(s) => Some(s),
        None => ctx.get("MAIL_SCHEME").and_then(|d| {
            let t = ctx.text(d)?;
            match laravel_env(t.trim()) {
                Lv::Str(s) => Some((s.trim().to_string(), ctx.vloc(d))),
                _ => None,
            }
        }),
    };
    let scheme = scheme.filter(|(s, _)| !s.is_empty());
    let auto = |explicit: Option<Loc>, ctx: &mut Ctx| -> Option<Value<Security>> {
        if port == Some(465) {
            return Some(Value::default(
                Security::ImplicitTls,
                port_loc.clone().unwrap_or(anchor.clone()),
                "Laravel and Symfony Mailer use implicit TLS on port 465",
            ));
        }
        let auto_off = auto_tls
            .as_ref()
            .filter(|(v, _)| !v.is_empty() && !php_bool(v));
        let required = require_tls.as_ref().filter(|(v, _)| php_bool(v));
        if let (Some((_, off)), Some((_, req))) = (auto_off, required) {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "the MAIL_URL requires TLS but also switches STARTTLS off",
                    Label::new(req.clone(), "TLS required"),
                )
                .with_label(Label::new(off.clone(), "STARTTLS off"))
                .with_help("remove `auto_tls` and keep `require_tls=true`"),
            );
            return None;
        }
        if let Some((_, off)) = auto_off {
            return Some(Value::literal(Security::None, off.clone()));
        }
        if let Some((_, req)) = required {
            return Some(Value::literal(
                Security::StartTls { required: true },
                req.clone(),
            ));
        }
        let opp = Security::StartTls { required: false };
        Some(match explicit {
            Some(loc) => Value::literal(opp, loc),
            None => Value::default(
                opp,
                url.as_ref()
                    .map(|(d, dsn)| ctx.sub_loc(d, &dsn.scheme.1))
                    .or(port_loc.clone())
                    .unwrap_or(anchor.clone()),
                "Laravel uses the smtp scheme for every port but 465: STARTTLS only when the \
                 server offers it",
            ),
        })
    };
    profile.security = match scheme {
        Some((s, loc)) if s.eq_ignore_ascii_case("smtps") => {
            Some(Value::literal(Security::ImplicitTls, loc))
        }
        Some((s, loc)) if s.eq_ignore_ascii_case("smtp") => auto(Some(loc), ctx),
        Some((_, loc)) => {
            ctx.invalid(
                Severity::Error,
                loc,
                "the mailer scheme must be `smtp` or `smtps`".to_string(),
                "Symfony Mailer refuses this scheme",
                "use `smtps` for implicit TLS (port 465), `smtp` otherwise, or leave it empty \
                 to let the port decide",
            );
            None
        }
        None => match url_smtps {
            Some(loc) => Some(Value::literal(Security::ImplicitTls, loc)),
            None => auto(None, ctx),
        },
    };

    // MAIL_ENCRYPTION: ignored since Laravel 11, but people still believe in it.
    if let (Some(d), Some(sec)) = (ctx.get("MAIL_ENCRYPTION"), profile.security.clone()) {
        if let Some(Lv::Str(e)) = ctx.text(d).map(|t| laravel_env(t.trim())) {
            let e = e.to_ascii_lowercase();
            let on_port = port.map_or(String::new(), |p| format!(" on port {p}"));
            let implicit = sec.value == Security::ImplicitTls;
            let wrong = match e.as_str() {
                "ssl" | "smtps" if !implicit => Some("SSL"),
                "tls" | "starttls" if implicit => Some("STARTTLS"),
                _ => None,
            };
            if let Some(wanted) = wrong {
                let help = if implicit {
                    "remove MAIL_ENCRYPTION; implicit TLS on 465 is right, and for STARTTLS use \
                     port 587 instead"
                } else {
                    "remove MAIL_ENCRYPTION; for implicit TLS use port 465 (or MAIL_SCHEME=smtps) \
                     if your provider offers it"
                };
                ctx.invalid(
                    Severity::Warning,
                    ctx.vloc(d),
                    format!(
                        "the connection{on_port} gets {}, not {wanted}: Laravel ignores MAIL_ENCRYPTION",
                        sec.value
                    ),
                    "ignored since Laravel 11; the port decides",
                    help,
                );
            }
        }
    }

    // verify_peer: anything but a true value switches certificate checks off.
    if let Some((v, loc)) = verify_peer {
        if !v.is_empty() {
            profile.tls_verify = Some(Value::literal(php_bool(&v), loc));
        }
    }
    for (key, val) in [("require_tls", &require_tls), ("auto_tls", &auto_tls)] {
        if let Some((v, loc)) = val {
            if php_bool_strict(v).is_none() {
                ctx.invalid(
                    Severity::Warning,
                    loc.clone(),
                    format!("the `{key}` option in MAIL_URL is not a boolean"),
                    "read as false",
                    &format!("write `{key}=true` or `{key}=false`"),
                );
            }
        }
    }
    Some(profile)
}

/// PHP `filter_var($v, FILTER_VALIDATE_BOOL)`: true only for 1/true/on/yes.
fn php_bool(v: &str) -> bool {
    php_bool_strict(v) == Some(true)
}

fn php_bool_strict(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" | "" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// DSN / URL parsing (`scheme://user:pass@host:port/path?query`), keeping ranges
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
struct Dsn {
    scheme: (String, Range<usize>),
    /// Decoded user and its raw range.
    user: Option<(String, Range<usize>)>,
    pass: Option<(String, Range<usize>)>,
    host: Option<(String, Range<usize>)>,
    /// Raw port text and its range.
    port: Option<(String, Range<usize>)>,
    /// Key, decoded value, range of the raw value.
    query: Vec<(String, String, Range<usize>)>,
    /// The user or password holds a raw `#`, `/` or `?` (it must be percent-encoded).
    unencoded_userinfo: bool,
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            let hex = |x: u8| (x as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_dsn(s: &str) -> Option<Dsn> {
    let sep = s.find("://")?;
    let scheme = &s[..sep];
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let mut dsn = Dsn {
        scheme: (scheme.to_string(), 0..sep),
        ..Dsn::default()
    };
    let base = sep + 3;
    let rest = &s[base..];
    let stop = |from: usize| {
        rest[from..]
            .find(['/', '?', '#'])
            .map_or(rest.len(), |i| from + i)
    };
    let strict_end = stop(0);
    // Userinfo ends at the last `@` of the authority (as PHP's parse_url has it).
    let (userinfo, hostport_start, auth_end) = match rest[..strict_end].rfind('@') {
        Some(at) => (Some(0..at), at + 1, strict_end),
        None => {
            // `smtp://user:p#ss@host`: a raw `#`, `/` or `?` in the password.
            let later = rest[strict_end..].find('@').map(|i| strict_end + i);
            match later {
                Some(at)
                    if rest[..strict_end].contains(':')
                        && !rest[strict_end..at].contains(['=', '&']) =>
                {
                    dsn.unencoded_userinfo = true;
                    (Some(0..at), at + 1, stop(at + 1))
                }
                _ => (None, 0, strict_end),
            }
        }
    };
    if let Some(ui) = userinfo {
        let text = &rest[ui.clone()];
        match text.find(':') {
            Some(c) => {
                dsn.user = Some((percent_decode(&text[..c], false), base..base + c));
                dsn.pass = Some((
                    percent_decode(&text[c + 1..], false),
                    base + c + 1..base + ui.end,
                ));
            }
            None => dsn.user = Some((percent_decode(text, false), base..base + ui.end)),
        }
    }
    let hp = &rest[hostport_start..auth_end];
    let hp_base = base + hostport_start;
    let (host, port) = if hp.starts_with('[') {
        match hp.find(']') {
            Some(close) => {
                let port = hp[close + 1..].strip_prefix(':').map(|p| (p, close + 2));
                ((&hp[..close + 1], 0), port)
            }
            None => ((hp, 0), None),
        }
    } else {
        match hp.rfind(':') {
            Some(c) => ((&hp[..c], 0), Some((&hp[c + 1..], c + 1))),
            None => ((hp, 0), None),
        }
    };
    dsn.host = Some((
        percent_decode(host.0, false),
        hp_base + host.1..hp_base + host.1 + host.0.len(),
    ));
    if let Some((p, off)) = port {
        if !p.is_empty() {
            dsn.port = Some((p.to_string(), hp_base + off..hp_base + off + p.len()));
        }
    }
    // Query.
    let tail = &rest[auth_end..];
    if let Some(q) = tail.find('?') {
        let qstart = base + auth_end + q + 1;
        let qtext = &s[qstart..];
        let qtext = &qtext[..qtext.find('#').unwrap_or(qtext.len())];
        let mut off = qstart;
        for pair in qtext.split('&') {
            let (k, v, voff) = match pair.find('=') {
                Some(e) => (&pair[..e], &pair[e + 1..], off + e + 1),
                None => (pair, "", off + pair.len()),
            };
            if !k.is_empty() {
                dsn.query.push((
                    percent_decode(k, true),
                    percent_decode(v, true),
                    voff..voff + v.len(),
                ));
            }
            off += pair.len() + 1;
        }
    }
    Some(dsn)
}

/// Mask the password of every `scheme://user:password@host` URL in the file (DATABASE_URL,
/// REDIS_URL, MAIL_URL ...), whatever its key is called.
fn secrets_in_urls(ctx: &mut Ctx) {
    for d in ctx.defs {
        if !d.value.contains("://") || !d.value.contains('@') {
            continue;
        }
        if let Some(Dsn {
            pass: Some((p, r)), ..
        }) = parse_dsn(&d.value)
        {
            if !p.is_empty() {
                let loc = ctx.sub_loc(d, &r);
                ctx.secrets.push(loc.span);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Django `EMAIL_*`
// ---------------------------------------------------------------------------------------------

const DJANGO_KEYS: &[&str] = &[
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
];
const DJANGO_NON_SMTP_BACKENDS: &[&str] = &["console", "filebased", "locmem", "dummy"];

/// A boolean as django-environ (`env.bool`) and python-decouple (`cast=bool`) read it.
fn django_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" | "ok" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" | "" => Some(false),
        _ => None,
    }
}

struct DjangoFlag<'a> {
    key: &'static str,
    def: &'a Def,
    value: Option<bool>,
    /// A non-empty string that means false, but is truthy when read raw with `os.getenv`.
    falsy_text: bool,
}

fn django_flag<'a>(ctx: &mut Ctx<'a>, key: &'static str) -> Option<DjangoFlag<'a>> {
    let def = ctx.get(key)?;
    let t = ctx.text(def)?;
    let value = django_bool(&t);
    if value.is_none() {
        ctx.invalid(
            Severity::Warning,
            ctx.vloc(def),
            format!("the value of {key} is not a boolean"),
            "expected True or False",
            "write `True` or `False`",
        );
    }
    Some(DjangoFlag {
        key,
        def,
        value,
        falsy_text: value == Some(false) && !t.trim().is_empty(),
    })
}

fn django(ctx: &mut Ctx) -> Option<Profile> {
    let anchor = ctx.anchor(DJANGO_KEYS)?;
    if let Some(b) = ctx.get("EMAIL_BACKEND").and_then(|d| ctx.text(d)) {
        let b = b.trim();
        let non_smtp = DJANGO_NON_SMTP_BACKENDS
            .iter()
            .any(|n| b == format!("django.core.mail.backends.{n}.EmailBackend"));
        if non_smtp {
            return None;
        }
    }
    let mut profile = Profile::new(Client::Django, "EMAIL_*", anchor.clone());
    profile.host = ctx.get("EMAIL_HOST").and_then(|d| ctx.string(d));
    let near = profile
        .host
        .as_ref()
        .map_or(anchor.clone(), |h| h.loc.clone());
    profile.port = match ctx.get("EMAIL_PORT") {
        Some(d) => ctx.port_of("EMAIL_PORT", d),
        None => Some(Value::default(
            25,
            near.clone(),
            "Django's EMAIL_PORT defaults to 25",
        )),
    };
    profile.username = ctx.get("EMAIL_HOST_USER").and_then(|d| ctx.string(d));
    let pass_def = ctx.get("EMAIL_HOST_PASSWORD");
    profile.password = pass_def.and_then(|d| ctx.password(d));
    let pass_given = pass_def.is_some_and(|d| !d.value.is_empty());
    profile.auth = Some(if profile.username.is_some() && pass_given {
        Value::default(
            AuthMethod::Password,
            pass_def.map_or(anchor.clone(), |d| ctx.vloc(d)),
            "Django logs in when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set",
        )
    } else {
        let loc = profile
            .username
            .as_ref()
            .map(|u| u.loc.clone())
            .or(pass_def.map(|d| ctx.vloc(d)))
            .unwrap_or(anchor.clone());
        Value::default(
            AuthMethod::None,
            loc,
            "Django logs in only when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set",
        )
    });
    for key in ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"] {
        if let Some(f) = ctx.get(key).and_then(|d| ctx.string(d)) {
            profile.from.push(f);
        }
    }

    let tls = django_flag(ctx, "EMAIL_USE_TLS");
    let ssl = django_flag(ctx, "EMAIL_USE_SSL");
    let on = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value == Some(true));
    let unknown = |f: &Option<DjangoFlag>| f.as_ref().is_some_and(|f| f.value.is_none());
    profile.security = match (&tls, &ssl) {
        (Some(t), Some(s)) if on(&tls) && on(&ssl) => {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "both EMAIL_USE_TLS and EMAIL_USE_SSL are true, and Django refuses to send \
                     with both (they are mutually exclusive)",
                    Label::new(ctx.vloc(s.def), "implicit TLS"),
                )
                .with_label(Label::new(ctx.vloc(t.def), "STARTTLS"))
                .with_help(
                    "keep EMAIL_USE_SSL=True for port 465 or EMAIL_USE_TLS=True for port 587, \
                     and set the other to False",
                ),
            );
            None
        }
        _ if on(&ssl) || on(&tls) => {
            let (yes, other, sec) = if on(&ssl) {
                (ssl.as_ref(), tls.as_ref(), Security::ImplicitTls)
            } else {
                (
                    tls.as_ref(),
                    ssl.as_ref(),
                    Security::StartTls { required: true },
                )
            };
            let yes = yes?;
            if let Some(o) = other.filter(|o| o.falsy_text) {
                let raw = o.def.value.trim().to_string();
                ctx.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Warning,
                        format!(
                            "settings.py code that reads {} with os.getenv gets the truthy \
                             string \"{raw}\", and Django then refuses both TLS flags",
                            o.key
                        ),
                        Label::new(ctx.vloc(o.def), "a non-empty string is true in Python"),
                    )
                    .with_label(Label::new(ctx.vloc(yes.def), "this flag is on"))
                    .with_help(format!(
                        "read the flag as a boolean (`os.getenv(\"{0}\") == \"True\"` or \
                         django-environ `env.bool(\"{0}\")`), or delete the line",
                        o.key
                    )),
                );
            }
            Some(Value::literal(sec, ctx.vloc(yes.def)))
        }
        _ if unknown(&tls) || unknown(&ssl) => None,
        _ => Some(match tls.as_ref().or(ssl.as_ref()) {
            Some(f) => Value::literal(Security::None, ctx.vloc(f.def)),
            None => Value::default(
                Security::None,
                near,
                "Django sends without TLS unless EMAIL_USE_TLS or EMAIL_USE_SSL is true",
            ),
        }),
    };
    Some(profile)
}

// ---------------------------------------------------------------------------------------------
// Generic `SMTP_*` (Nodemailer-style apps, Mastodon, Vaultwarden)
// ---------------------------------------------------------------------------------------------

const G_HOST: &[&str] = &["SMTP_HOST", "SMTP_SERVER", "SMTP_ADDRESS"];
const G_PORT: &[&str] = &["SMTP_PORT"];
const G_USER: &[&str] = &["SMTP_USER", "SMTP_USERNAME", "SMTP_LOGIN"];
const G_PASS: &[&str] = &["SMTP_PASS", "SMTP_PASSWORD"];
const G_FROM: &[&str] = &[
    "SMTP_FROM",
    "SMTP_FROM_ADDRESS",
    "SMTP_FROM_EMAIL",
    "MAIL_FROM",
    "EMAIL_FROM",
];
const G_SECURITY: &[&str] = &[
    "SMTP_SECURE",
    "SMTP_SSL",
    "SMTP_STARTTLS",
    "SMTP_TLS",
    "SMTP_SECURITY",
    "SMTP_ENABLE_STARTTLS",
    "SMTP_ENABLE_STARTTLS_AUTO",
];
/// Keys only Mastodon uses: with one of them, `SMTP_TLS=true` means implicit TLS.
const MASTODON_MARKERS: &[&str] = &[
    "SMTP_ENABLE_STARTTLS",
    "SMTP_ENABLE_STARTTLS_AUTO",
    "SMTP_OPENSSL_VERIFY_MODE",
    "SMTP_DELIVERY_METHOD",
];
const G_AUTH: &[&str] = &["SMTP_AUTH_METHOD", "SMTP_AUTH_MECHANISM", "SMTP_AUTH_TYPE"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Claim {
    Implicit,
    StartReq,
    StartOpp,
    Plain,
}

fn generic(ctx: &mut Ctx) -> Option<Profile> {
    let core: Vec<&str> = [G_HOST, G_PORT, G_USER, G_PASS, G_SECURITY].concat();
    let anchor = ctx.anchor(&core)?;
    let mut profile = Profile::new(Client::DotenvGeneric, "SMTP_*", anchor.clone());
    profile.host = ctx.first_of(G_HOST).and_then(|d| ctx.string(d));
    if let Some(d) = ctx.first_of(G_PORT) {
        let key = d.name.clone();
        profile.port = ctx.port_of(&key, d);
    }
    profile.username = ctx.first_of(G_USER).and_then(|d| ctx.string(d));
    let pass_def = ctx.first_of(G_PASS);
    profile.password = pass_def.and_then(|d| ctx.password(d));
    if let Some(f) = ctx.first_of(G_FROM).and_then(|d| ctx.string(d)) {
        profile.from.push(f);
    }

    // Security claims, each with where it was made.
    let mastodon = ctx.has_any(MASTODON_MARKERS);
    let mut claims: Vec<(Claim, Loc, &str)> = Vec::new();
    if let Some(d) = ctx.get("SMTP_SECURE") {
        // Nodemailer `secure`: true = implicit TLS; false = plain start, STARTTLS if offered.
        match flag(ctx, "SMTP_SECURE", d) {
            Some(true) => claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SECURE")),
            Some(false) => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_SECURE")),
            None => {}
        }
    }
    if let Some(d) = ctx.get("SMTP_SSL") {
        let on = if mastodon {
            ctx.text(d).is_some_and(|t| t.trim() == "true")
        } else {
            flag(ctx, "SMTP_SSL", d) == Some(true)
        };
        if on {
            claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SSL"));
        }
    }
    if mastodon {
        if let Some(d) = ctx.get("SMTP_TLS") {
            if ctx.text(d).is_some_and(|t| t.trim() == "true") {
                claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_TLS"));
            }
        }
    }
    if let Some(d) = ctx.get("SMTP_STARTTLS") {
        if flag(ctx, "SMTP_STARTTLS", d) == Some(true) {
            claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_STARTTLS"));
        }
    }
    if let Some(d) = ctx.get("SMTP_SECURITY") {
        // Vaultwarden.
        if let Some(t) = ctx.text(d) {
            match t.trim().to_ascii_lowercase().as_str() {
                "force_tls" => claims.push((Claim::Implicit, ctx.vloc(d), "SMTP_SECURITY")),
                "starttls" => claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_SECURITY")),
                "off" => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_SECURITY")),
                _ => ctx.invalid(
                    Severity::Error,
                    ctx.vloc(d),
                    "the value of SMTP_SECURITY must be starttls, force_tls or off".to_string(),
                    "unknown mode",
                    "use `force_tls` for port 465 (implicit TLS) or `starttls` for port 587",
                ),
            }
        }
    }
    if let Some(d) = ctx.get("SMTP_ENABLE_STARTTLS") {
        // Mastodon 4+.
        if let Some(t) = ctx.text(d) {
            match t.trim() {
                "always" => claims.push((Claim::StartReq, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                "auto" => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                "never" => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_ENABLE_STARTTLS")),
                _ => ctx.invalid(
                    Severity::Warning,
                    ctx.vloc(d),
                    "the value of SMTP_ENABLE_STARTTLS must be auto, always or never".to_string(),
                    "unknown mode",
                    "use `always` to require STARTTLS",
                ),
            }
        }
    } else if let Some(d) = ctx.get("SMTP_ENABLE_STARTTLS_AUTO") {
        match flag(ctx, "SMTP_ENABLE_STARTTLS_AUTO", d) {
            Some(true) => claims.push((Claim::StartOpp, ctx.vloc(d), "SMTP_ENABLE_STARTTLS_AUTO")),
            Some(false) => claims.push((Claim::Plain, ctx.vloc(d), "SMTP_ENABLE_STARTTLS_AUTO")),
            None => {}
        }
    }
    let first = |c: Claim| claims.iter().find(|(k, _, _)| *k == c).cloned();
    profile.security = match (first(Claim::Implicit), first(Claim::StartReq)) {
        (Some((_, iloc, ikey)), Some((_, sloc, skey))) => {
            ctx.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    format!("implicit TLS ({ikey}) and STARTTLS ({skey}) are both switched on"),
                    Label::new(iloc, "implicit TLS"),
                )
                .with_label(Label::new(sloc, "STARTTLS"))
                .with_help(
                    "keep one: implicit TLS for port 465, STARTTLS for port 587 (and switch the \
                     other off)",
                ),
            );
            None
        }
        (Some((_, loc, _)), None) => Some(Value::literal(Security::ImplicitTls, loc)),
        (None, Some((_, loc, _))) => {
            Some(Value::literal(Security::StartTls { required: true }, loc))
        }
        (None, None) => first(Claim::Plain)
            .map(|(_, loc, _)| Value::literal(Security::None, loc))
            .or_else(|| {
                first(Claim::StartOpp)
                    .map(|(_, loc, _)| Value::literal(Security::StartTls { required: false }, loc))
            }),
    };

    // Certificate verification.
    profile.tls_verify = generic_verify(ctx);

    // Authentication.
    let method = ctx.first_of(G_AUTH).and_then(|d| {
        let t = ctx.text(d)?;
        let m = match t.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "" => return None,
            "plain" | "login" => AuthMethod::Password,
            "cram_md5" => AuthMethod::EncryptedPassword,
            "xoauth2" | "oauth2" | "oauth" | "oauthbearer" => AuthMethod::OAuth2,
            "none" => AuthMethod::None,
            other => AuthMethod::Other(other.to_string()),
        };
        Some(Value::literal(m, ctx.vloc(d)))
    });
    let auth_off = match ctx.get("SMTP_AUTH") {
        Some(d) => match flag(ctx, "SMTP_AUTH", d) {
            Some(false) => Some(Value::literal(AuthMethod::None, ctx.vloc(d))),
            _ => None,
        },
        None => None,
    };
    profile.auth = method.or(auth_off).or_else(|| {
        pass_def.filter(|d| !d.value.is_empty()).map(|d| {
            Value::default(
                AuthMethod::Password,
                ctx.vloc(d),
                "a password is set, so the app logs in with it (PLAIN or LOGIN)",
            )
        })
    });
    Some(profile)
}

/// How a key switches certificate verification: off when the value is `off_when`.
const VERIFY_KEYS: &[(&str, VerifySense)] = &[
    ("SMTP_TLS_REJECT_UNAUTHORIZED", VerifySense::OffWhenFalse),
    ("SMTP_REJECT_UNAUTHORIZED", VerifySense::OffWhenFalse),
    ("SMTP_TLS_VERIFY", VerifySense::OffWhenFalse),
    ("SMTP_VERIFY_PEER", VerifySense::OffWhenFalse),
    ("SMTP_ACCEPT_INVALID_CERTS", VerifySense::OffWhenTrue),
    ("SMTP_ACCEPT_INVALID_HOSTNAMES", VerifySense::OffWhenTrue),
    ("SMTP_SKIP_VERIFY", VerifySense::OffWhenTrue),
    ("SMTP_INSECURE_SKIP_VERIFY", VerifySense::OffWhenTrue),
    ("SMTP_TLS_INSECURE", VerifySense::OffWhenTrue),
    ("SMTP_OPENSSL_VERIFY_MODE", VerifySense::Mastodon),
    ("NODE_TLS_REJECT_UNAUTHORIZED", VerifySense::Node),
];

#[derive(Clone, Copy)]
enum VerifySense {
    OffWhenFalse,
    OffWhenTrue,
    /// `none` switches it off, `peer` keeps it.
    Mastodon,
    /// Node switches every TLS check of the process off for the string `0`.
    Node,
}

fn generic_verify(ctx: &mut Ctx) -> Option<Value<bool>> {
    let mut found: Option<Value<bool>> = None;
    for &(key, sense) in VERIFY_KEYS {
        let Some(d) = ctx.get(key) else { continue };
        let Some(t) = ctx.text(d) else { continue };
        let t = t.trim().to_ascii_lowercase();
        let verify = match sense {
            VerifySense::OffWhenFalse => parse_bool(&t).filter(|_| !t.is_empty()),
            VerifySense::OffWhenTrue => parse_bool(&t).filter(|_| !t.is_empty()).map(|b| !b),
            VerifySense::Mastodon => match t.as_str() {
                "none" => Some(false),
                "peer" => Some(true),
                _ => None,
            },
            VerifySense::Node => Some(t != "0"),
        };
        match verify {
            Some(false) => return Some(Value::literal(false, ctx.vloc(d))),
            Some(true) if found.is_none() => found = Some(Value::literal(true, ctx.vloc(d))),
            _ => {}
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    const F: FileId = FileId(0);

    fn ex(text: &str) -> Extraction {
        extract(F, text)
    }

    fn at<'a>(text: &'a str, loc: &Loc) -> &'a str {
        &text[loc.span.clone()]
    }

    fn env<'a>(x: &'a Extraction, name: &str) -> &'a EnvDef {
        x.env
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn codes(x: &Extraction) -> Vec<(&str, Severity)> {
        x.findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect()
    }

    fn profile(x: &Extraction, client: Client) -> &Profile {
        x.profiles
            .iter()
            .find(|p| p.client == client)
            .unwrap_or_else(|| panic!("no {client:?} profile in {:?}", x.profiles))
    }

    fn sec(p: &Profile) -> Option<Security> {
        p.security.as_ref().map(|s| s.value)
    }

    // ---- parser ----

    #[test]
    fn quoting_forms_and_exact_spans() {
        let t = "A=plain value\nB='lit \\n $X'\nC=\"esc \\\"q\\\" \\\\ \\$X \\n end\"\nD=`tick`\n\
                 E = spaced \nexport F=exported\nG=\nH=\"\"\n";
        let x = ex(t);
        let a = env(&x, "A");
        assert_eq!(
            (a.value.as_str(), at(t, &a.loc)),
            ("plain value", "plain value")
        );
        let b = env(&x, "B");
        assert_eq!(b.value, "lit \\n $X");
        assert_eq!(at(t, &b.loc), "lit \\n $X");
        let c = env(&x, "C");
        assert_eq!(c.value, "esc \"q\" \\ $X \n end");
        assert_eq!(at(t, &c.loc), "esc \\\"q\\\" \\\\ \\$X \\n end");
        assert_eq!(at(t, &env(&x, "D").loc), "tick");
        let e = env(&x, "E");
        assert_eq!((e.value.as_str(), at(t, &e.loc)), ("spaced", "spaced"));
        assert_eq!(env(&x, "F").value, "exported");
        let g = env(&x, "G");
        assert_eq!((g.value.as_str(), g.loc.span.len()), ("", 0));
        assert_eq!(env(&x, "H").value, "");
        assert!(x.findings.is_empty(), "{:?}", x.findings);
    }

    #[test]
    fn crlf_and_bom() {
        let t = "\u{feff}MAIL_HOST=smtp.mail.me.com\r\nMAIL_PORT=587\r\n# c\r\nX=\"a\r\nb\"\r\n";
        let x = ex(t);
        let h = env(&x, "MAIL_HOST");
        assert_eq!(at(t, &h.loc), "smtp.mail.me.com");
        assert_eq!(h.loc.span.start, 3 + "MAIL_HOST=".len());
        assert_eq!(at(t, &env(&x, "MAIL_PORT").loc), "587");
        assert_eq!(env(&x, "X").value, "a\nb");
        assert!(x.findings.is_empty(), "{:?}", x.findings);
    }

    #[test]
    fn multiline_double_quotes() {
        let t = "K=\"line1\nline2\"\nNEXT=1\n";
        let x = ex(t);
        assert_eq!(env(&x, "K").value, "line1\nline2");
        assert_eq!(at(t, &env(&x, "K").loc), "line1\nline2");
        assert_eq!(env(&x, "NEXT").value, "1");
    }

    #[test]
    fn unquoted_hash_cuts_and_warns_without_leaking() {
        let t = "MAIL_PASSWORD=abc#123\nOK=fine # a comment\nE=#x\n";
        let x = ex(t);
        let p = env(&x, "MAIL_PASSWORD");
        assert_eq!(p.value, "abc");
        assert_eq!(at(t, &p.loc), "abc");
        assert_eq!(env(&x, "OK").value, "fine");
        assert_eq!(env(&x, "E").value, "");
        let warns: Vec<_> = x
            .findings
            .iter()
            .filter(|f| f.code == "invalid-value")
            .collect();
        assert_eq!(warns.len(), 2);
        assert_eq!(warns[0].severity, Severity::Warning);
        assert_eq!(at(t, warns[0].primary()), "abc");
        assert_eq!(at(t, warns[1].primary()), "#");
        for f in &x.findings {
            let all = format!("{} {:?} {:?}", f.message, f.help, f.labels);
            assert!(!all.contains("123"), "secret leaked: {all}");
        }
        // The cut-off part is masked with the rest.
        assert!(x.secrets.iter().any(|r| &t[r.clone()] == "abc#123"));
    }

    #[test]
    fn duplicate_keys_later_wins() {
        let t = "MAIL_HOST=first.example\nMAIL_HOST=second.example\nMAIL_MAILER=smtp\n";
        let x = ex(t);
        let hosts: Vec<_> = x.env.iter().filter(|d| d.name == "MAIL_HOST").collect();
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].value, "second.example");
        assert_eq!(hosts[0].loc.span.start, t.find("second").unwrap());
        let p = profile(&x, Client::Laravel);
        assert_eq!(at(t, &p.host.as_ref().unwrap().loc), "second.example");
    }

    #[test]
    fn unterminated_quote_reports_and_continues() {
        let t = "A=ok\nMAIL_PASSWORD=\"abc\nB=also\n";
        let x = ex(t);
        // The double quote never closes: error at the opening quote, the next line is parsed.
        let f = x.findings.iter().find(|f| f.code == "parse-error").unwrap();
        assert_eq!(at(t, f.primary()), "\"");
        assert_eq!(f.primary().span.start, t.find('"').unwrap());
        assert!(x.env.iter().all(|d| d.name != "MAIL_PASSWORD"));
        assert_eq!(env(&x, "B").value, "also");
        assert!(x.secrets.iter().any(|r| &t[r.clone()] == "abc"));
    }

    #[test]
    fn line_without_equals_and_bad_names() {
        let t =
            "GOOD=1\nthis is not an assignment # note\nBAD KEY=2\nSMTP_PASSWORD hunter2\nLAST=3\n";
        let x = ex(t);
        let errs: Vec<_> = x
            .findings
            .iter()
            .filter(|f| f.code == "parse-error")
            .map(|f| at(t, f.primary()))
            .collect();
        assert_eq!(
            errs,
            [
                "this is not an assignment",
                "BAD KEY",
                "SMTP_PASSWORD hunter2"
            ]
        );
        assert_eq!(env(&x, "LAST").value, "3");
        assert!(x.secrets.iter().any(|r| &t[r.clone()] == "hunter2"));
    }

    #[test]
    fn junk_after_closing_quote() {
        let t = "A=\"x\"y\nB='z' # fine\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("parse-error", Severity::Error)]);
        assert_eq!(at(t, x.findings[0].primary()), "y");
        assert_eq!(env(&x, "A").value, "x");
        assert_eq!(env(&x, "B").value, "z");
    }

    #[test]
    fn references_expand_from_above() {
        let t = "USER=me@icloud.com\nMAIL_MAILER=smtp\nMAIL_USERNAME=${USER}\n\
                 MAIL_FROM_ADDRESS=\"${USER}\"\nMAIL_HOST=${UNDEFINED}\nMAIL_PASSWORD=${SECRET}\n";
        let x = ex(t);
        let p = profile(&x, Client::Laravel);
        let u = p.username.as_ref().unwrap();
        assert_eq!(u.value, "me@icloud.com");
        assert_eq!(at(t, &u.loc), "${USER}");
        assert_eq!(p.from[0].value, "me@icloud.com");
        assert!(p.host.is_none(), "unresolved reference must stay unknown");
        assert!(
            p.password.is_none(),
            "a reference is not a literal password"
        );
        assert_eq!(env(&x, "MAIL_USERNAME").value, "${USER}");
    }

    #[test]
    fn expansion_cannot_blow_up() {
        let mut t = String::from("A0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
        for i in 1..80 {
            t.push_str(&format!("A{i}=${{A{0}}}${{A{0}}}\n", i - 1));
        }
        let x = ex(&t);
        assert_eq!(x.env.len(), 80);
    }

    #[test]
    fn secrets_cover_secret_keys_and_url_passwords() {
        let t = "APP_KEY=base64:abc\nDB_URL=postgres://u:dbpw@db/x\nSTRIPE_SECRET='sk'\nHOST=x\n";
        let x = ex(t);
        let masked: Vec<_> = x.secrets.iter().map(|r| &t[r.clone()]).collect();
        assert!(masked.contains(&"base64:abc"));
        assert!(masked.contains(&"dbpw"));
        assert!(masked.contains(&"sk"));
        assert!(!masked.contains(&"x"));
    }

    // ---- Laravel ----

    #[test]
    fn laravel_587_is_opportunistic_by_default() {
        let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\n\
                 MAIL_USERNAME=me@icloud.com\nMAIL_PASSWORD=abcd-efgh-ijkl-mnop\n\
                 MAIL_ENCRYPTION=tls\nMAIL_FROM_ADDRESS=\"me@icloud.com\"\n";
        let x = ex(t);
        assert!(x.findings.is_empty(), "{:?}", x.findings);
        let p = profile(&x, Client::Laravel);
        assert_eq!(p.label, "MAIL_*");
        assert_eq!(at(t, &p.anchor), "MAIL_MAILER");
        assert_eq!(at(t, &p.host.as_ref().unwrap().loc), "smtp.mail.me.com");
        let port = p.port.as_ref().unwrap();
        assert_eq!((port.value, at(t, &port.loc)), (587, "587"));
        let s = p.security.as_ref().unwrap();
        assert_eq!(s.value, Security::StartTls { required: false });
        assert!(s.is_default());
        assert_eq!(at(t, &s.loc), "587");
        let pw = p.password.as_ref().unwrap();
        assert_eq!(pw.value.expose(), "abcd-efgh-ijkl-mnop");
        assert_eq!(pw.origin, Origin::Literal);
        assert_eq!(at(t, &pw.loc), "abcd-efgh-ijkl-mnop");
        assert_eq!(at(t, &p.from[0].loc), "me@icloud.com");
        assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
        assert!(x
            .secrets
            .iter()
            .any(|r| &t[r.clone()] == "abcd-efgh-ijkl-mnop"));
    }

    #[test]
    fn laravel_465_is_implicit_and_tls_encryption_warns() {
        let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.gmail.com\nMAIL_PORT=465\nMAIL_ENCRYPTION=tls\n";
        let x = ex(t);
        let p = profile(&x, Client::Laravel);
        assert_eq!(sec(p), Some(Security::ImplicitTls));
        assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
        assert_eq!(at(t, x.findings[0].primary()), "tls");
        assert!(x.findings[0].message.contains("implicit TLS"));
    }

    #[test]
    fn laravel_ssl_encryption_on_587_warns() {
        let t = "MAIL_MAILER=smtp\nMAIL_HOST=smtp.gmail.com\nMAIL_PORT=587\nMAIL_ENCRYPTION=ssl\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("invalid-value", Severity::Warning)]);
        assert_eq!(at(t, x.findings[0].primary()), "ssl");
        assert!(x.findings[0].message.contains("opportunistic STARTTLS"));
        assert_eq!(
            sec(profile(&x, Client::Laravel)),
            Some(Security::StartTls { required: false })
        );
    }

    #[test]
    fn laravel_scheme() {
        let base = "MAIL_MAILER=smtp\nMAIL_HOST=h\nMAIL_PORT=587\n";
        let t = format!("{base}MAIL_SCHEME=smtps\n");
        let x = ex(&t);
        let s = profile(&x, Client::Laravel).security.clone().unwrap();
        assert_eq!(s.value, Security::ImplicitTls);
        assert_eq!(at(&t, &s.loc), "smtps");
        assert!(!s.is_default());

        let t = format!("{base}MAIL_SCHEME=smtp\n");
        let x = ex(&t);
        let s = profile(&x, Client::Laravel).security.clone().unwrap();
        assert_eq!(s.value, Security::StartTls { required: false });
        assert_eq!(at(&t, &s.loc), "smtp");

        let t = "MAIL_MAILER=smtp\nMAIL_PORT=465\nMAIL_SCHEME=smtp\n";
        let x = ex(t);
        assert_eq!(
            sec(profile(&x, Client::Laravel)),
            Some(Security::ImplicitTls)
        );

        let t = format!("{base}MAIL_SCHEME=null\n");
        let x = ex(&t);
        assert_eq!(
            sec(profile(&x, Client::Laravel)),
            Some(Security::StartTls { required: false })
        );

        let t = format!("{base}MAIL_SCHEME=tls\n");
        let x = ex(&t);
        assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
        assert_eq!(at(&t, x.findings[0].primary()), "tls");
        assert_eq!(sec(profile(&x, Client::Laravel)), None);
    }

    #[test]
    fn laravel_mailer_other_than_smtp_means_no_profile() {
        let x = ex("MAIL_MAILER=log\nMAIL_HOST=127.0.0.1\nMAIL_PORT=2525\n");
        assert!(x.profiles.is_empty());
        assert!(x.findings.is_empty());
        let t = "MAIL_MAILER=SMTP\nMAIL_HOST=h\n";
        let x = ex(t);
        assert!(x.profiles.is_empty());
        assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
        assert_eq!(at(t, x.findings[0].primary()), "SMTP");
    }

    #[test]
    fn laravel_null_strings() {
        let t = "MAIL_MAILER=smtp\nMAIL_HOST=mailpit\nMAIL_PORT=1025\nMAIL_USERNAME=null\n\
                 MAIL_PASSWORD=(null)\nMAIL_ENCRYPTION=null\n";
        let x = ex(t);
        let p = profile(&x, Client::Laravel);
        assert!(p.username.is_none() && p.password.is_none());
        let a = p.auth.as_ref().unwrap();
        assert_eq!(a.value, AuthMethod::None);
        assert!(!p.sends_credentials());
        assert!(x.findings.is_empty());
    }

    #[test]
    fn laravel_url_with_spans() {
        let t = "MAIL_MAILER=smtp\nMAIL_URL=\"smtp://me%40icloud.com:abcd-efgh-ijkl-mnop@smtp.mail.me.com:587?require_tls=true&verify_peer=0\"\nMAIL_HOST=ignored.example\n";
        let x = ex(t);
        assert!(x.findings.is_empty(), "{:?}", x.findings);
        let p = profile(&x, Client::Laravel);
        let u = p.username.as_ref().unwrap();
        assert_eq!(u.value, "me@icloud.com");
        assert_eq!(at(t, &u.loc), "me%40icloud.com");
        let pw = p.password.as_ref().unwrap();
        assert_eq!(at(t, &pw.loc), "abcd-efgh-ijkl-mnop");
        assert_eq!(pw.value.expose(), "abcd-efgh-ijkl-mnop");
        let h = p.host.as_ref().unwrap();
        assert_eq!(
            (h.value.as_str(), at(t, &h.loc)),
            ("smtp.mail.me.com", "smtp.mail.me.com")
        );
        assert_eq!(at(t, &p.port.as_ref().unwrap().loc), "587");
        let s = p.security.as_ref().unwrap();
        assert_eq!(s.value, Security::StartTls { required: true });
        assert_eq!(at(t, &s.loc), "true");
        assert!(t[s.loc.span.start - "require_tls=".len()..].starts_with("require_tls=true"));
        let v = p.tls_verify.as_ref().unwrap();
        assert_eq!((v.value, at(t, &v.loc)), (false, "0"));
        assert!(x
            .secrets
            .iter()
            .any(|r| &t[r.clone()] == "abcd-efgh-ijkl-mnop"));
    }

    #[test]
    fn laravel_url_port_falls_back_and_smtps_fails() {
        let t = "MAIL_MAILER=smtp\nMAIL_PORT=465\nMAIL_URL=smtp://u:p@smtp.example.com\n";
        let x = ex(t);
        let p = profile(&x, Client::Laravel);
        assert_eq!(at(t, &p.port.as_ref().unwrap().loc), "465");
        assert_eq!(sec(p), Some(Security::ImplicitTls));

        let t = "MAIL_URL=smtps://u:p@smtp.example.com:465\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
        assert_eq!(at(t, x.findings[0].primary()), "smtps");
        let p = profile(&x, Client::Laravel);
        assert_eq!(sec(p), Some(Security::ImplicitTls));

        // `scheme=smtps` in the query is the working spelling.
        let t = "MAIL_URL=smtp://u:p@smtp.example.com:465?scheme=smtps\n";
        let x = ex(t);
        assert!(x.findings.is_empty());
        assert_eq!(
            at(
                t,
                &profile(&x, Client::Laravel).security.as_ref().unwrap().loc
            ),
            "smtps"
        );
    }

    #[test]
    fn laravel_url_unencoded_password() {
        let t = "MAIL_URL=\"smtp://me:pa#ss@smtp.example.com:587\"\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
        let p = profile(&x, Client::Laravel);
        assert_eq!(at(t, &p.password.as_ref().unwrap().loc), "pa#ss");
        assert_eq!(p.host.as_ref().unwrap().value, "smtp.example.com");
        assert!(!x.findings[0].message.contains("pa#ss"));
    }

    #[test]
    fn laravel_auto_tls_off_and_conflict() {
        let t = "MAIL_URL=smtp://h:25?auto_tls=false\n";
        let x = ex(t);
        assert_eq!(sec(profile(&x, Client::Laravel)), Some(Security::None));
        let t = "MAIL_URL=smtp://h:587?auto_tls=false&require_tls=true\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
        assert_eq!(x.findings[0].labels.len(), 2);
    }

    #[test]
    fn laravel_phpdotenv_whitespace_and_escapes() {
        let t = "MAIL_MAILER=smtp\nMAIL_FROM_NAME=My App\nX=\"a\\qb\"\n";
        let x = ex(t);
        let errs: Vec<_> = x
            .findings
            .iter()
            .map(|f| (f.code.as_str(), at(t, f.primary())))
            .collect();
        assert_eq!(errs, [("parse-error", "My App"), ("parse-error", "\\q")]);
        let t = "MAIL_MAILER=smtp\nK='a\nb'\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("parse-error", Severity::Error)]);
        assert_eq!(x.findings[0].primary().span.start, t.find('\'').unwrap());
        // Not a Laravel file: Node and Python read these fine.
        assert!(ex("SMTP_HOST=h\nNAME=My App\n").findings.is_empty());
    }

    #[test]
    fn flask_mail_is_not_laravel() {
        let x = ex("MAIL_SERVER=smtp.gmail.com\nMAIL_PORT=587\nMAIL_USE_TLS=True\n");
        assert!(x.profiles.is_empty());
    }

    // ---- Django ----

    #[test]
    fn django_defaults_and_tls() {
        let t = "EMAIL_HOST=smtp.gmail.com\nEMAIL_HOST_USER=me@gmail.com\n\
                 EMAIL_HOST_PASSWORD=\"abcd efgh ijkl mnop\"\nDEFAULT_FROM_EMAIL=me@gmail.com\n";
        let x = ex(t);
        let p = profile(&x, Client::Django);
        assert_eq!(at(t, &p.anchor), "EMAIL_HOST");
        let port = p.port.as_ref().unwrap();
        assert_eq!(port.value, 25);
        assert!(port.is_default());
        assert_eq!(at(t, &port.loc), "smtp.gmail.com");
        let s = p.security.as_ref().unwrap();
        assert_eq!(s.value, Security::None);
        assert!(s.is_default());
        assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
        assert_eq!(
            at(t, &p.password.as_ref().unwrap().loc),
            "abcd efgh ijkl mnop"
        );

        let t = "EMAIL_HOST=smtp.gmail.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\n";
        let x = ex(t);
        let s = profile(&x, Client::Django).security.clone().unwrap();
        assert_eq!(s.value, Security::StartTls { required: true });
        assert_eq!(at(t, &s.loc), "True");
        let t = "EMAIL_PORT=465\nEMAIL_USE_SSL=yes\nEMAIL_USE_TLS=\n";
        let x = ex(t);
        assert!(x.findings.is_empty());
        assert_eq!(
            sec(profile(&x, Client::Django)),
            Some(Security::ImplicitTls)
        );
    }

    #[test]
    fn django_both_true_is_an_error_on_both() {
        let t = "EMAIL_HOST=h\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=True\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
        let labels: Vec<_> = x.findings[0]
            .labels
            .iter()
            .map(|l| l.loc.span.start)
            .collect();
        assert_eq!(labels, [t.rfind("True").unwrap(), t.find("True").unwrap()]);
        assert_eq!(sec(profile(&x, Client::Django)), None);
    }

    #[test]
    fn django_false_string_warns() {
        let t = "EMAIL_HOST=h\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=False\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("conflicting-settings", Severity::Warning)]);
        assert_eq!(at(t, x.findings[0].primary()), "False");
        assert_eq!(
            sec(profile(&x, Client::Django)),
            Some(Security::StartTls { required: true })
        );
    }

    #[test]
    fn django_non_smtp_backend() {
        let x = ex("EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend\nEMAIL_HOST=h\n");
        assert!(x.profiles.is_empty());
    }

    // ---- generic ----

    #[test]
    fn generic_nodemailer_flags() {
        let t = "SMTP_HOST=smtp-mail.outlook.com\nSMTP_PORT=587\nSMTP_SECURE=true\n\
                 SMTP_USER=me@outlook.com\nSMTP_PASS=hunter2hunter2\nSMTP_FROM=me@outlook.com\n";
        let x = ex(t);
        assert!(x.findings.is_empty());
        let p = profile(&x, Client::DotenvGeneric);
        assert_eq!(p.label, "SMTP_*");
        let s = p.security.as_ref().unwrap();
        assert_eq!((s.value, at(t, &s.loc)), (Security::ImplicitTls, "true"));
        let a = p.auth.as_ref().unwrap();
        assert_eq!(a.value, AuthMethod::Password);
        assert_eq!(at(t, &a.loc), "hunter2hunter2");
        assert_eq!(p.from[0].value, "me@outlook.com");

        let x = ex("SMTP_SERVER=h\nSMTP_SECURE=false\n");
        assert_eq!(
            sec(profile(&x, Client::DotenvGeneric)),
            Some(Security::StartTls { required: false })
        );
        let x = ex("SMTP_HOST=h\nSMTP_SECURE=false\nSMTP_STARTTLS=true\n");
        assert_eq!(
            sec(profile(&x, Client::DotenvGeneric)),
            Some(Security::StartTls { required: true })
        );
        let x = ex("SMTP_HOST=h\nSMTP_TLS=true\n");
        assert_eq!(sec(profile(&x, Client::DotenvGeneric)), None);
        let x = ex("SMTP_HOST=h\nSMTP_TLS=true\nSMTP_ENABLE_STARTTLS=never\n");
        assert_eq!(
            sec(profile(&x, Client::DotenvGeneric)),
            Some(Security::ImplicitTls)
        );
    }

    #[test]
    fn generic_conflict_and_vaultwarden() {
        let t = "SMTP_HOST=h\nSMTP_SSL=true\nSMTP_STARTTLS=true\n";
        let x = ex(t);
        assert_eq!(codes(&x), [("conflicting-settings", Severity::Error)]);
        assert_eq!(x.findings[0].labels.len(), 2);
        assert_eq!(sec(profile(&x, Client::DotenvGeneric)), None);

        let x = ex("SMTP_HOST=h\nSMTP_SECURITY=force_tls\nSMTP_ACCEPT_INVALID_CERTS=true\n");
        let p = profile(&x, Client::DotenvGeneric);
        assert_eq!(sec(p), Some(Security::ImplicitTls));
        assert!(!p.tls_verify.as_ref().unwrap().value);
        let x = ex("SMTP_HOST=h\nSMTP_SECURITY=ssl\n");
        assert_eq!(codes(&x), [("invalid-value", Severity::Error)]);
    }

    #[test]
    fn invalid_ports() {
        for (t, bad) in [
            ("SMTP_HOST=h\nSMTP_PORT=99999\n", "99999"),
            ("SMTP_HOST=h\nSMTP_PORT=0\n", "0"),
            ("EMAIL_HOST=h\nEMAIL_PORT=abc\n", "abc"),
            ("MAIL_MAILER=smtp\nMAIL_PORT=58 7\n", "58 7"),
        ] {
            let x = ex(t);
            let f = x
                .findings
                .iter()
                .find(|f| f.code == "invalid-value")
                .unwrap_or_else(|| panic!("{t}"));
            assert_eq!(at(t, f.primary()), bad);
            assert!(x.profiles[0].port.is_none());
        }
    }

    #[test]
    fn families_side_by_side() {
        let t = "SMTP_HOST=a\nMAIL_MAILER=smtp\nMAIL_HOST=b\nEMAIL_HOST=c\n";
        let x = ex(t);
        let clients: Vec<_> = x.profiles.iter().map(|p| p.client).collect();
        assert_eq!(
            clients,
            [Client::DotenvGeneric, Client::Laravel, Client::Django]
        );
    }

    // ---- fixtures: the findings this extractor owns must match the `expect:` markers ----

    fn fixtures() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dotenv");
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                out.push((name, text));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn fixtures_match_extractor_expectations() {
        const OWN: &[&str] = &["parse-error", "invalid-value", "conflicting-settings"];
        let all = fixtures();
        assert!(all.len() >= 7, "fixtures/dotenv is missing files");
        for (name, text) in &all {
            let mut expected: Vec<(usize, String)> = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if let Some((_, codes)) = line.split_once("expect:") {
                    for c in codes.split(',').map(str::trim) {
                        if OWN.contains(&c) {
                            expected.push((i + 1, c.to_string()));
                        }
                    }
                }
            }
            let x = ex(text);
            let mut got: Vec<(usize, String)> = x
                .findings
                .iter()
                .map(|f| {
                    let line = text[..f.primary().span.start].matches('\n').count() + 1;
                    (line, f.code.clone())
                })
                .collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{name}");
            if name.contains(".good.") {
                assert!(x.findings.is_empty(), "{name}");
            }
            assert!(!x.profiles.is_empty(), "{name} yields no profile");
        }
    }

    #[test]
    fn crlf_fixture_reads_as_meant() {
        let (_, t) = fixtures()
            .into_iter()
            .find(|(n, _)| n == "quoting-crlf.good.env")
            .unwrap();
        assert!(t.starts_with('\u{feff}') && t.contains("\r\n"));
        let x = ex(&t);
        let p = profile(&x, Client::Laravel);
        assert_eq!(p.host.as_ref().unwrap().value, "smtp.gmail.com");
        assert_eq!(at(&t, &p.port.as_ref().unwrap().loc), "465");
        assert_eq!(sec(p), Some(Security::ImplicitTls));
        assert_eq!(p.username.as_ref().unwrap().value, "jane.doe@gmail.com");
        assert_eq!(p.from[0].value, "jane.doe@gmail.com");
        assert_eq!(env(&x, "APP_NAME").value, "Jane's Bakery");
        assert_eq!(
            env(&x, "APP_KEY").value,
            "base64:Zm9vYmFyIzEyMw==#not-a-comment"
        );
        assert_eq!(
            env(&x, "MAIL_SIGNATURE").value,
            "Kind regards,\nJane \"the baker\" Doe"
        );
        let pw = p.password.as_ref().unwrap();
        assert_eq!(at(&t, &pw.loc), "abcd efgh ijkl mnop");
    }

    // ---- robustness ----

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn check_spans(text: &str, x: &Extraction) {
        for f in &x.findings {
            for l in &f.labels {
                assert!(text.get(l.loc.span.clone()).is_some(), "{f:?}");
            }
        }
        for r in &x.secrets {
            assert!(text.get(r.clone()).is_some());
        }
        for d in &x.env {
            assert!(text.get(d.loc.span.clone()).is_some());
        }
    }

    #[test]
    fn nasty_input_never_panics() {
        let nasty = [
            "",
            "\u{feff}",
            "=",
            "==\n=",
            "\"",
            "A=\"",
            "A='",
            "A=`",
            "A=\"\\",
            "A=\"\\\u{e9}\"",
            "A=\"\\\u{1F600}",
            "A=${",
            "A=${}",
            "A=\"${B\"",
            "export",
            "export ",
            "export A",
            "#\n#=\n",
            "A=#",
            "A=a#",
            "\r\r\r\n\r",
            "MAIL_URL=://",
            "MAIL_URL=smtp://",
            "MAIL_URL=smtp://@",
            "MAIL_URL=smtp://[::1",
            "MAIL_URL=smtp://u:p@[::1]:",
            "MAIL_URL=smtp://h?&&=&a==b#",
            "MAIL_URL=smtp://a:b/c@d?e=%zz%4",
            "MAIL_URL=smtp://a:%",
            "SMTP_PASSWORD=\u{0}\u{1}",
            "K=\u{e9}#\u{e9}",
            "MAIL_MAILER=smtp\nMAIL_PORT=\u{660}",
        ];
        for t in nasty {
            let x = ex(t);
            check_spans(t, &x);
        }
        let long = format!("A={}\nB=\"{}", "x".repeat(200_000), "\\\"\n".repeat(50_000));
        check_spans(&long, &ex(&long));
    }

    #[test]
    fn fuzz_random_bytes_and_fixture_slices() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = b"AZ_=#\"'`\\${}\n\r \t:/@?&%.0169smtpMAIL_EMAIL_SMTP_\xc3\xa9";
        for _ in 0..3000 {
            let len = (rng(&mut seed) % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng(&mut seed) % alphabet.len() as u64) as usize])
                .collect();
            let t = String::from_utf8_lossy(&bytes);
            check_spans(&t, &ex(&t));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dotenv");
        let mut texts = Vec::new();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                if let Ok(s) = std::fs::read_to_string(e.path()) {
                    texts.push(s);
                }
            }
        }
        for t in &texts {
            check_spans(t, &ex(t));
            for _ in 0..300 {
                let a = (rng(&mut seed) as usize) % (t.len() + 1);
                let b = (rng(&mut seed) as usize) % (t.len() + 1);
                let (a, b) = (a.min(b), a.max(b));
                if let Some(s) = t.get(a..b) {
                    check_spans(s, &ex(s));
                }
            }
        }
    }
}
