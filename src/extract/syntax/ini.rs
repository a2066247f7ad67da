//! INI files, span-keeping, in two dialects that differ where it matters for secrets and
//! spans:
//!
//! - [`Dialect::GoIni`]: `gopkg.in/ini.v1` as Gitea (`app.ini`) and Grafana (`grafana.ini`) load
//!   it: `key = value` or `key: value`, `#`/`;` comment lines, a `#` or `;` anywhere in an
//!   unquoted value starts a comment (so `PASSWD = a#b` is `a`), values wrapped in backticks or
//!   `"""` are taken verbatim (and may span lines), `'...'`/`"..."` around a whole value are
//!   removed after the comment is cut, names are case-sensitive, no continuation lines.
//! - [`Dialect::GitConfig`]: git's config syntax (`.gitconfig`, `.git/config`): section and key
//!   names are case-insensitive (lower-cased here), `[section "subsection"]` keeps its case,
//!   the old `[section.subsection]` form is lower-cased, double quotes may open and close
//!   anywhere in a value, `\\ \" \n \t \b` escapes, a `\` at the end of a line continues the
//!   value, `#`/`;` outside quotes start a comment, and a key with no `=` is boolean true.
//!
//! The result is the shape of [`super::toml`]: tables of entries with key and value spans. A line
//! the program would refuse is an error with its span; reading goes on with the next line.
//! Every step moves forward through the text, so time is linear in its length.

use std::ops::Range;

pub use super::toml::{Entry, Scalar, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    GoIni,
    GitConfig,
}

/// A line the program would refuse to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Range<usize>,
    pub message: String,
}

/// Every section in document order (keys before the first header are in a table with an
/// empty path), and the lines that could not be read.
#[derive(Debug, Default)]
pub struct Document {
    pub tables: Vec<Table>,
    pub errors: Vec<ParseError>,
}

/// The lines of a text with their byte offsets (without the line break; a `\r` before `\n` is
/// dropped).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, used) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += used;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

pub fn parse(text: &str, dialect: Dialect) -> Document {
    let mut doc = Document::default();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = Lines { text, pos: start };
    doc.tables.push(Table {
        path: Vec::new(),
        header: None,
        entries: Vec::new(),
    });
    while let Some((at, line)) = lines.next_line() {
        let lead = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let at = at + lead;
        if body.is_empty() || body.starts_with('#') || body.starts_with(';') {
            continue;
        }
        let result = if body.starts_with('[') {
            let r = match dialect {
                Dialect::GoIni => go_section(body, at),
                Dialect::GitConfig => git_section(text, body, at),
            };
            r.map(|(path, rest)| {
                doc.tables.push(Table {
                    path,
                    header: Some(at..at + rest),
                    entries: Vec::new(),
                });
            })
        } else {
            let r = match dialect {
                Dialect::GoIni => go_entry(text, body, at, &mut lines),
                Dialect::GitConfig => git_entry(text, body, at, &mut lines),
            };
            r.map(|e| doc.tables.last_mut().expect("root table").entries.push(e))
        };
        if let Err(message) = result {
            doc.errors.push(ParseError {
                span: at..at + body.trim_end().len().max(1).min(text.len() - at),
                message,
            });
        }
    }
    doc
}

// ---------------------------------------------------------------------------------------------
// go-ini

/// `[name]`: the name and the length of the header.
fn go_section(body: &str, _at: usize) -> Result<(Vec<String>, usize), String> {
    let close = body.rfind(']').ok_or("unclosed section header: no `]`")?;
    let name = body[1..close].trim();
    if name.is_empty() {
        return Err("empty section name".into());
    }
    Ok((vec![name.to_owned()], close + 1))
}

fn go_entry(text: &str, body: &str, at: usize, lines: &mut Lines) -> Result<Entry, String> {
    let delim = body
        .find(['=', ':'])
        .ok_or("no `=` or `:` on this line: the program refuses the file")?;
    let key_raw = &body[..delim];
    let key = key_raw.trim_end();
    if key.is_empty() {
        return Err("a value without a key".into());
    }
    let key_span = at..at + key.len();
    let after = &body[delim + 1..];
    let vstart = at + delim + 1 + (after.len() - after.trim_start().len());
    let v = after.trim();
    let (value, span) = go_value(text, v, vstart, lines);
    Ok(Entry {
        key: key.to_owned(),
        key_span,
        value: Scalar::Str(value),
        value_span: span,
    })
}

/// The value as go-ini reads it, and the span of its content.
fn go_value(text: &str, v: &str, at: usize, lines: &mut Lines) -> (String, Range<usize>) {
    for quote in ["\"\"\"", "`"] {
        if v.len() > quote.len() && v.starts_with(quote) {
            let inner = &v[quote.len()..];
            if let Some(end) = inner.rfind(quote) {
                let s = at + quote.len();
                return (inner[..end].to_owned(), s..s + end);
            }
            // Runs on until a line that holds the closing quote (go-ini's multi-line value).
            let s = at + quote.len();
            let mut end = at + v.len();
            let mut value = inner.to_owned();
            while let Some((lat, line)) = lines.next_line() {
                if let Some(i) = line.find(quote) {
                    value.push('\n');
                    value.push_str(&line[..i]);
                    end = lat + i;
                    break;
                }
                value.push('\n');
                value.push_str(line);
                end = lat + line.len();
            }
            let _ = text;
            return (value, s..end.max(s));
        }
    }
    let cut = v.find(['#', ';']).unwrap_or(v.len());
    let v = v[..cut].trim_end();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) && !v[1..v.len() - 1].contains(q) {
            return (v[1..v.len() - 1].to_owned(), at + 1..at + v.len() - 1);
        }
    }
    (v.to_owned(), at..at + v.len())
}

// ---------------------------------------------------------------------------------------------
// git config

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `[section]`, `[section "sub"]`, `[section.sub]`.
fn git_section(text: &str, body: &str, _at: usize) -> Result<(Vec<String>, usize), String> {
    let _ = text;
    let inner = &body[1..];
    let name_len = inner
        .find(|c: char| !(is_name_char(c) || c == '.'))
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    if name.is_empty() {
        return Err("bad section header: git refuses this file".into());
    }
    let rest = &inner[name_len..];
    if let Some(r) = rest.strip_prefix(']') {
        let _ = r;
        let mut path: Vec<String> = Vec::new();
        let (sec, sub) = match name.split_once('.') {
            Some((s, sub)) => (s, Some(sub)),
            None => (name, None),
        };
        path.push(sec.to_ascii_lowercase());
        if let Some(sub) = sub {
            path.push(sub.to_ascii_lowercase());
        }
        return Ok((path, 1 + name_len + 1));
    }
    let ws = rest.len() - rest.trim_start().len();
    let quoted = rest.trim_start();
    if ws == 0 || !quoted.starts_with('"') || name.contains('.') {
        return Err("bad section header: git refuses this file".into());
    }
    let mut sub = String::new();
    let mut chars = quoted[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let after = &quoted[1 + i + 1..];
                if !after.starts_with(']') {
                    return Err("bad section header: git refuses this file".into());
                }
                let len = 1 + name_len + ws + 1 + i + 1 + 1;
                return Ok((vec![name.to_ascii_lowercase(), sub], len));
            }
            '\\' => match chars.next() {
                Some((_, e)) => sub.push(e),
                None => break,
            },
            c => sub.push(c),
        }
    }
    Err("bad section header: git refuses this file".into())
}

fn git_entry(text: &str, body: &str, at: usize, lines: &mut Lines) -> Result<Entry, String> {
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("bad config line: git refuses this file".into());
    }
    let key_len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
    let key = body[..key_len].to_ascii_lowercase();
    let key_span = at..at + key_len;
    let rest = &body[key_len..];
    let trimmed = rest.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
        return Ok(Entry {
            key,
            value: Scalar::Bool(true),
            value_span: key_span.clone(),
            key_span,
        });
    }
    let Some(v) = trimmed.strip_prefix('=') else {
        return Err("bad config line: git refuses this file".into());
    };
    let vat = at + key_len + (rest.len() - trimmed.len()) + 1;
    let (value, span) = git_value(text, v, vat, lines)?;
    Ok(Entry {
        key,
        key_span,
        value: Scalar::Str(value),
        value_span: span,
    })
}

/// A git config value from `v` (the rest of the line after `=`, at byte `at`), following
/// continuation lines. The span covers the value as written, without the quotes of a value
/// that is one quoted string.
fn git_value(
    text: &str,
    v: &str,
    at: usize,
    lines: &mut Lines,
) -> Result<(String, Range<usize>), String> {
    let mut out = String::new();
    let mut quoted = false;
    // Length of `out` that is followed only by unquoted spaces (trimmed at the end).
    let mut keep = 0usize;
    let mut started = false;
    let (mut first, mut last) = (None::<usize>, at);
    let (mut line, mut lat) = (v, at);
    let mut quote_count = 0usize;
    'lines: loop {
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let pos = lat + i;
            if !quoted && (c == '#' || c == ';') {
                break 'lines;
            }
            if !quoted && c.is_whitespace() {
                if started {
                    out.push(c);
                }
                continue;
            }
            first.get_or_insert(pos);
            started = true;
            match c {
                '"' => {
                    quoted = !quoted;
                    quote_count += 1;
                }
                '\\' => match chars.next() {
                    None => {
                        // Continuation: the value goes on with the next line.
                        match lines.next_line() {
                            Some((nat, next)) => {
                                line = next;
                                lat = nat;
                                last = last.max(pos + 1);
                                continue 'lines;
                            }
                            None => break 'lines,
                        }
                    }
                    Some((_, e)) => {
                        out.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'b' => '\u{8}',
                            '\\' | '"' => e,
                            _ => return Err(format!("bad escape `\\{e}`: git refuses this file")),
                        });
                    }
                },
                c => out.push(c),
            }
            keep = out.len();
            last = pos + c.len_utf8();
            if c == '\\' {
                last += 1;
            }
        }
        break;
    }
    if quoted {
        return Err("a quote is not closed: git refuses this file".into());
    }
    out.truncate(keep);
    let start = first.unwrap_or(at);
    let mut span = start..last.max(start).min(text.len());
    let raw = &text[span.clone()];
    if quote_count == 2 && raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        span = span.start + 1..span.end - 1;
    }
    Ok((out, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(t: &str) -> Document {
        parse(t, Dialect::GoIni)
    }

    fn git(t: &str) -> Document {
        parse(t, Dialect::GitConfig)
    }

    fn value(d: &Document, key: &str) -> String {
        let e = d
            .tables
            .iter()
            .flat_map(|t| &t.entries)
            .rfind(|e| e.key == key)
            .unwrap_or_else(|| panic!("no {key}"));
        match &e.value {
            Scalar::Str(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn go_ini_sections_comments_and_quotes() {
        let t = "APP_NAME = x\n; a comment\n[mailer]\nENABLED = true\nPASSWD = `p#ss;w`\nUSER: u ; comment\nFROM = \"Gitea\" <g@example.com>\nQ = 'single'\nH = a#b\n[smtp.static_headers]\nX=1\n";
        let d = go(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let paths: Vec<String> = d.tables.iter().map(|t| t.path.join("/")).collect();
        assert_eq!(paths, ["", "mailer", "smtp.static_headers"]);
        assert_eq!(value(&d, "PASSWD"), "p#ss;w");
        assert_eq!(value(&d, "USER"), "u");
        assert_eq!(value(&d, "Q"), "single");
        assert_eq!(value(&d, "H"), "a");
        // Quotes that do not wrap the whole value stay.
        assert_eq!(value(&d, "FROM"), "\"Gitea\" <g@example.com>");
        let m = &d.tables[1];
        assert_eq!(&t[m.header.clone().unwrap()], "[mailer]");
        let pw = &m.entries[1];
        assert_eq!(&t[pw.key_span.clone()], "PASSWD");
        assert_eq!(&t[pw.value_span.clone()], "p#ss;w");
        assert_eq!(&t[m.entries[2].value_span.clone()], "u");
        assert_eq!(&t[m.entries[4].value_span.clone()], "single");
    }

    #[test]
    fn go_ini_triple_quotes_span_lines_and_bad_lines_are_errors() {
        let t = "[smtp]\npassword = \"\"\"a;b\nc\"\"\"\nnonsense line\n[broken\nhost = h:25\n";
        let d = go(t);
        assert_eq!(value(&d, "password"), "a;b\nc");
        let pw = &d.tables[1].entries[0];
        assert_eq!(&t[pw.value_span.clone()], "a;b\nc");
        assert_eq!(d.errors.len(), 2);
        assert_eq!(&t[d.errors[0].span.clone()], "nonsense line");
        assert_eq!(&t[d.errors[1].span.clone()], "[broken");
        // Reading goes on after the errors.
        assert_eq!(value(&d, "host"), "h:25");
    }

    #[test]
    fn git_config_subsections_case_escapes_and_continuation() {
        let t = "[SendEmail]\n\tsmtpServer = smtp.example.com ; comment\n\tSMTPPass = \"a;b\\\"c\"\n[sendemail \"Work\"]\n\tsmtpuser = me # x\n\tsmtpEncryption\n[sendemail.Old]\n\tfrom = a \\\n b\n";
        let d = git(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let paths: Vec<String> = d.tables.iter().map(|t| t.path.join("/")).collect();
        assert_eq!(paths, ["", "sendemail", "sendemail/Work", "sendemail/old"]);
        assert_eq!(value(&d, "smtpserver"), "smtp.example.com");
        assert_eq!(value(&d, "smtppass"), "a;b\"c");
        assert_eq!(value(&d, "smtpuser"), "me");
        assert_eq!(value(&d, "from"), "a  b");
        let pw = &d.tables[1].entries[1];
        assert_eq!(&t[pw.value_span.clone()], "a;b\\\"c");
        assert_eq!(
            &t[d.tables[1].entries[0].value_span.clone()],
            "smtp.example.com"
        );
        let flag = &d.tables[2].entries[1];
        assert_eq!(flag.value, Scalar::Bool(true));
        assert_eq!(&t[flag.value_span.clone()], "smtpEncryption");
    }

    #[test]
    fn git_config_refuses_what_git_refuses() {
        let d = git("[a]\n  k = \"open\n  = v\n  x = \\q\n[b \"c]\n");
        assert_eq!(d.errors.len(), 4, "{:?}", d.errors);
    }

    #[test]
    fn any_bytes_read_without_panic_and_spans_inside() {
        let alphabet = b"[]\"'`\\=:;# \n\r\tabcKEY.\xc3\xa9";
        for dialect in [Dialect::GoIni, Dialect::GitConfig] {
            crate::extract::syntax::testing::inputs(
                0x1d1_0c0f,
                alphabet,
                &[
                    "[mailer]\nPASSWD = `x`\n",
                    "[sendemail \"a\"]\n x = \"y\\\n\"\n",
                ],
                |t| {
                    let d = parse(t, dialect);
                    for e in d.tables.iter().flat_map(|t| &t.entries) {
                        for r in [&e.key_span, &e.value_span] {
                            assert!(r.start <= r.end && r.end <= t.len(), "{r:?} in {t:?}");
                            assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
                        }
                    }
                    for e in &d.errors {
                        assert!(e.span.end <= t.len() && t.is_char_boundary(e.span.end));
                    }
                },
            );
        }
    }

    #[test]
    fn long_inputs_stay_linear() {
        let t = "[s]\nk = ".to_owned() + &"\"a\\".repeat(200_000);
        let started = std::time::Instant::now();
        let _ = parse(&t, Dialect::GitConfig);
        let _ = parse(&"`".repeat(400_000), Dialect::GoIni);
        let _ = parse(&"k = \"\"\"\n".repeat(100_000), Dialect::GoIni);
        assert!(started.elapsed().as_secs() < 3);
    }
}
