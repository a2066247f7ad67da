//! JSON (`appsettings.json`, Ghost's `config.production.json`), span-keeping: one table per
//! object, path from the root (`["mail", "options"]`), holding every scalar below it with its
//! key relative to the object (`host`, `auth.user`), so a client can read a section and its
//! sub-objects together. Strings are unescaped; the span of a string is inside its quotes.
//! Arrays are not entered (their elements have no key). Objects nested deeper than
//! [`MAX_DEPTH`] are refused, and the bytes copied for the relative keys are capped at eight
//! times the text (a file of long keys nested deep would otherwise copy each key into every
//! table above it).
//! A `//` or `/* */` comment is accepted, as .NET's configuration reader accepts them.

use std::ops::Range;

use super::ini::{Document, ParseError};
use super::toml::{Entry, Scalar, Table};

pub const MAX_DEPTH: usize = 32;

struct P<'a> {
    t: &'a str,
    b: &'a [u8],
    i: usize,
    tables: Vec<Table>,
    /// Bytes that may still be copied into the tables above a value.
    budget: usize,
}

type R<T> = Result<T, ParseError>;

pub fn parse(text: &str) -> Document {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        i: start,
        tables: Vec::new(),
        budget: text.len().saturating_mul(8).saturating_add(1 << 16),
    };
    let result = p.ws().and_then(|_| match p.b.get(p.i) {
        Some(b'{') => p.object(&mut Vec::new()).map(drop),
        _ => Err(p.err("expected `{` at the start of the file")),
    });
    let errors = match result.and_then(|_| p.ws()) {
        Ok(()) if p.i >= p.b.len() => Vec::new(),
        Ok(()) => vec![p.err("text after the end of the object")],
        Err(e) => vec![e],
    };
    let mut tables = p.tables;
    // Parents before children, as the other readers give them.
    tables.sort_by_key(|t| t.path.len());
    Document { tables, errors }
}

impl P<'_> {
    fn err(&self, message: &str) -> ParseError {
        let mut end = (self.i + 1).min(self.t.len());
        while !self.t.is_char_boundary(end) {
            end += 1;
        }
        ParseError {
            span: self.i.min(self.t.len())..end,
            message: message.to_owned(),
        }
    }

    /// Blanks and comments.
    fn ws(&mut self) -> R<()> {
        loop {
            match self.b.get(self.i) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.i += 1,
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                Some(b'/') if self.b.get(self.i + 1) == Some(&b'*') => {
                    match self.t[self.i + 2..].find("*/") {
                        Some(k) => self.i += 2 + k + 2,
                        None => return Err(self.err("a comment is not closed")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// An object at `self.i` (a `{`); returns its scalars with keys relative to it.
    fn object(&mut self, path: &mut Vec<String>) -> R<Vec<Entry>> {
        if path.len() >= MAX_DEPTH {
            return Err(self.err("objects nest too deep"));
        }
        let header = self.i..self.i + 1;
        self.i += 1;
        let mut entries: Vec<Entry> = Vec::new();
        self.ws()?;
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws()?;
                if self.b.get(self.i) != Some(&b'"') {
                    return Err(self.err("expected a key in double quotes"));
                }
                let (key, key_span) = self.string()?;
                self.ws()?;
                if self.b.get(self.i) != Some(&b':') {
                    return Err(self.err("expected `:`"));
                }
                self.i += 1;
                self.ws()?;
                match self.b.get(self.i) {
                    Some(b'{') => {
                        path.push(key.clone());
                        let inner = self.object(path)?;
                        path.pop();
                        let copied: usize = inner
                            .iter()
                            .map(|e| {
                                key.len() + 1 + e.key.len() + e.value.as_str().map_or(8, str::len)
                            })
                            .sum();
                        self.budget = self
                            .budget
                            .checked_sub(copied)
                            .ok_or_else(|| self.err("the nested keys are too many to read"))?;
                        entries.extend(inner.into_iter().map(|mut e| {
                            e.key = format!("{key}.{}", e.key);
                            e
                        }));
                    }
                    Some(b'[') => self.skip_array(path.len())?,
                    _ => {
                        let (value, value_span) = self.scalar()?;
                        entries.push(Entry {
                            key,
                            key_span,
                            value,
                            value_span,
                        });
                    }
                }
                self.ws()?;
                match self.b.get(self.i) {
                    Some(b',') => self.i += 1,
                    Some(b'}') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.err("expected `,` or `}`")),
                }
                // .NET accepts a trailing comma.
                self.ws()?;
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    break;
                }
            }
        }
        self.tables.push(Table {
            path: path.clone(),
            header: Some(header),
            entries: entries.clone(),
        });
        Ok(entries)
    }

    fn skip_array(&mut self, depth: usize) -> R<()> {
        let mut level = 0usize;
        loop {
            match self.b.get(self.i) {
                None => return Err(self.err("an array is not closed")),
                Some(b'[' | b'{') => {
                    level += 1;
                    if depth + level > MAX_DEPTH * 4 {
                        return Err(self.err("arrays nest too deep"));
                    }
                    self.i += 1;
                }
                Some(b']' | b'}') => {
                    level -= 1;
                    self.i += 1;
                    if level == 0 {
                        return Ok(());
                    }
                }
                Some(b'"') => drop(self.string()?),
                Some(_) => self.i += 1,
            }
        }
    }

    /// A string at `self.i`: its value and the span inside the quotes.
    fn string(&mut self) -> R<(String, Range<usize>)> {
        let start = self.i + 1;
        let mut out = String::new();
        let mut i = start;
        loop {
            let rest = &self.t[i..];
            let Some(k) = rest.find(['"', '\\']) else {
                self.i = self.t.len();
                return Err(self.err("a string is not closed"));
            };
            out.push_str(&rest[..k]);
            i += k;
            if self.b[i] == b'"' {
                self.i = i + 1;
                return Ok((out, start..i));
            }
            let e = self.b.get(i + 1).copied();
            i += 2;
            match e {
                Some(b'n') => out.push('\n'),
                Some(b't') => out.push('\t'),
                Some(b'r') => out.push('\r'),
                Some(b'b') => out.push('\u{8}'),
                Some(b'f') => out.push('\u{c}'),
                Some(b'u') => {
                    let hex = self.t.get(i..i + 4).unwrap_or("");
                    match u32::from_str_radix(hex, 16) {
                        Ok(n) if hex.len() == 4 => {
                            out.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                            i += 4;
                        }
                        _ => {
                            self.i = i.min(self.t.len());
                            return Err(self.err("a bad \\u escape"));
                        }
                    }
                }
                Some(c @ (b'"' | b'\\' | b'/')) => out.push(c as char),
                _ => {
                    self.i = (i - 1).min(self.t.len());
                    return Err(self.err("a bad escape"));
                }
            }
        }
    }

    fn scalar(&mut self) -> R<(Scalar, Range<usize>)> {
        if self.b.get(self.i) == Some(&b'"') {
            let (s, span) = self.string()?;
            return Ok((Scalar::Str(s), span));
        }
        let start = self.i;
        while self.i < self.b.len()
            && !matches!(
                self.b[self.i],
                b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b'/'
            )
        {
            self.i += 1;
        }
        while !self.t.is_char_boundary(self.i) {
            self.i += 1;
        }
        let word = &self.t[start..self.i];
        let value = match word {
            "true" => Scalar::Bool(true),
            "false" => Scalar::Bool(false),
            "null" => Scalar::Other("null"),
            w if w.parse::<i64>().is_ok() => Scalar::Int(w.parse().unwrap_or(0)),
            w if !w.is_empty() && w.parse::<f64>().is_ok() => Scalar::Other("float"),
            _ => {
                self.i = start;
                return Err(self.err("expected a value"));
            }
        };
        Ok((value, start..self.i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_nested_deep_are_refused_not_copied_into_every_table() {
        // 30 levels of 20 KB keys: every table above would copy each key below it.
        let key = "k".repeat(20_000);
        let mut text = String::new();
        for _ in 0..30 {
            text.push_str(&format!("{{\"{key}\": "));
        }
        text.push_str("\"v\"");
        text.push_str(&"}".repeat(30));
        let doc = parse(&text);
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
        assert!(
            doc.errors[0].message.contains("too many"),
            "{:?}",
            doc.errors
        );
        let copied: usize = doc
            .tables
            .iter()
            .flat_map(|t| &t.entries)
            .map(|e| e.key.len())
            .sum();
        assert!(copied <= 8 * text.len() + (1 << 16), "{copied}");
        // A normal file is far from the cap.
        let small = "{\"Smtp\": {\"Host\": \"h\", \"Credentials\": {\"UserName\": \"u\"}}}";
        assert!(parse(small).errors.is_empty());
    }

    #[test]
    fn objects_become_tables_with_relative_keys() {
        let t = "{\n  // comment\n  \"mail\": {\"from\": \"a@b\", \"options\": {\"host\": \"h\\u0041\", \"port\": 465, \"secure\": true, \"auth\": {\"user\": \"u\", \"pass\": \"p\\\"w\"}}, \"list\": [1, {\"x\": \"}\"}]},\n}";
        let d = parse(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let paths: Vec<String> = d.tables.iter().map(|t| t.path.join(".")).collect();
        assert_eq!(paths, ["", "mail", "mail.options", "mail.options.auth"]);
        let mail = &d.tables[1];
        let keys: Vec<&str> = mail.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "from",
                "options.host",
                "options.port",
                "options.secure",
                "options.auth.user",
                "options.auth.pass"
            ]
        );
        let pass = &mail.entries[5];
        assert_eq!(pass.value, Scalar::Str("p\"w".into()));
        assert_eq!(&t[pass.value_span.clone()], "p\\\"w");
        assert_eq!(&t[pass.key_span.clone()], "pass");
        assert_eq!(mail.entries[1].value, Scalar::Str("hA".into()));
        assert_eq!(mail.entries[2].value, Scalar::Int(465));
        assert_eq!(&t[mail.entries[2].value_span.clone()], "465");
    }

    #[test]
    fn broken_and_hostile_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "[1]",
            "{\"a\": }",
            "{\"a\": \"x",
            "{\"a\" 1}",
            "{\"a\": 1} x",
            "{/* x",
        ] {
            assert_eq!(parse(bad).errors.len(), 1, "{bad:?}");
        }
        let deep = format!("{}{}", "{\"a\":".repeat(100_000), "1");
        assert_eq!(parse(&deep).errors.len(), 1);
        let arrays = format!("{{\"a\": {}", "[".repeat(100_000));
        assert_eq!(parse(&arrays).errors.len(), 1);
        crate::extract::syntax::testing::inputs(
            0x15_0b7e,
            b"{}[]\":,\\u0 \n/*tfn1.e\xc3\xa9",
            &["{\"Smtp\": {\"Host\": \"h\", \"Port\": 587, \"EnableSsl\": true}}"],
            |t| {
                let d = parse(t);
                for e in d.tables.iter().flat_map(|t| &t.entries) {
                    for r in [&e.key_span, &e.value_span] {
                        assert!(r.start <= r.end && r.end <= t.len() && t.is_char_boundary(r.end));
                    }
                }
                for e in &d.errors {
                    assert!(e.span.end <= t.len() && t.is_char_boundary(e.span.start));
                }
            },
        );
    }
}
