//! YAML (Spring Boot's `application.yml`, Home Assistant's `configuration.yaml`), span-keeping,
//! read from the events of `granit-parser` (the YAML parser under serde-saphyr), in the shape
//! of [`super::json`]: one table per mapping, path from the root, holding every scalar below it
//! under a dotted relative key (`mail.host`; a key written in brackets, `[mail.smtp.auth]`, is
//! joined without the dot, as Spring's relaxed binding writes map keys). A mapping that is an
//! element of a sequence is a table of its own named `key[i]`, as TOML names the elements of an
//! array of tables; its keys do not reach the tables above it.
//!
//! Plain scalars are typed as YAML 1.1 resolvers (SnakeYAML, PyYAML) type them: `true`, `yes`,
//! `on` (and their `False`/`NO`/`Off` forms) are booleans, decimal integers are integers, `~`
//! and `null` are null. A scalar with an application tag (`!secret smtp_password`) is a string
//! of its source text from the tag on, so a client can treat the tag as a reference. The span
//! of a quoted scalar is inside its quotes.
//!
//! Aliases are read as the YAML loaders of these programs read them: `key: *name` is the
//! anchored scalar (or the anchored mapping's keys under `key`), and a merge key `<<: *name`
//! (or `<<: [*a, *b]`) gives the mapping the anchored mapping's keys, those written beside it
//! winning, the first alias of a list before the later ones. Each copied entry keeps the span
//! where its anchor wrote it. Each document of a stream (`---`) is read in turn, its root a table
//! with an empty path; [`parse_documents`] also gives where each document starts.
//!
//! Bounded: mappings nest at most [`MAX_DEPTH`] deep, and the keys and values copied into the
//! tables above a scalar or through an alias are limited to a multiple of the text's length;
//! the first syntax error ends the reading.

use std::collections::HashMap;
use std::ops::Range;

use granit_parser::{Event, Options, Parser, ScalarStyle, Span, Tag};

use super::ini::{Document, ParseError};
use super::toml::{Entry, Scalar, Table};

pub const MAX_DEPTH: usize = 32;

struct W<'a> {
    text: &'a str,
    events: Parser<'a, granit_parser::StrInput<'a>>,
    tables: Vec<Table>,
    errors: Vec<ParseError>,
    /// Bytes of keys and values that copying into ancestor tables may still spend.
    budget: usize,
    /// Anchored mappings (their entries, keys relative to them) and scalars, by anchor id.
    anchors: HashMap<usize, Vec<Entry>>,
    scalars: HashMap<usize, (Scalar, Range<usize>)>,
    /// Where each document starts.
    doc_starts: Vec<usize>,
}

/// Why reading stopped (the error is recorded already).
struct Stop;

type R<T> = Result<T, Stop>;

pub fn parse(text: &str) -> Document {
    parse_documents(text).0
}

/// The tables, and the byte offset where each document of the stream starts.
pub fn parse_documents(text: &str) -> (Document, Vec<usize>) {
    let mut options = Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = MAX_DEPTH * 2;
    options.block_nesting_limit = MAX_DEPTH * 2;
    let mut w = W {
        text,
        events: Parser::new_from_str_with_options(text, options),
        tables: Vec::new(),
        errors: Vec::new(),
        budget: text.len().saturating_mul(8).saturating_add(1 << 16),
        anchors: HashMap::new(),
        scalars: HashMap::new(),
        doc_starts: Vec::new(),
    };
    let _ = w.stream();
    let mut tables = w.tables;
    // Parents before children, as the other readers give them.
    tables.sort_by_key(|t| t.path.len());
    let doc = Document {
        tables,
        errors: w.errors,
    };
    (doc, w.doc_starts)
}

impl<'a> W<'a> {
    fn next(&mut self) -> R<Option<(Event<'a>, Span)>> {
        match self.events.next() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => {
                let at = e.marker().byte_offset().unwrap_or(self.text.len());
                self.error(at, e.kind().to_string());
                Err(Stop)
            }
        }
    }

    fn error(&mut self, at: usize, message: String) {
        let mut start = at.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + 1).min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        self.errors.push(ParseError {
            span: start..end,
            message,
        });
    }

    /// Every document of the stream; each root is read with an empty path.
    fn stream(&mut self) -> R<()> {
        while let Some((event, span)) = self.next()? {
            match event {
                Event::DocumentStart(..) => {
                    let at = span.byte_range().map_or(self.text.len(), |r| r.start);
                    self.doc_starts.push(at);
                }
                Event::MappingStart(..) => drop(self.mapping(&mut Vec::new(), &span)?),
                Event::SequenceStart(..) => self.sequence(&mut Vec::new(), "")?,
                _ => {}
            }
        }
        Ok(())
    }

    /// A mapping whose start event was read; returns its scalars with keys relative to it.
    fn mapping(&mut self, path: &mut Vec<String>, start: &Span) -> R<Vec<Entry>> {
        if path.len() >= MAX_DEPTH {
            let at = start.byte_range().map_or(self.text.len(), |r| r.start);
            self.error(at, "mappings nest too deep".into());
            return Err(Stop);
        }
        let header = start.byte_range().filter(|r| !r.is_empty());
        let mut entries: Vec<Entry> = Vec::new();
        let mut merged: Vec<Entry> = Vec::new();
        while let Some((event, span)) = self.next()? {
            let (key, key_span) = match event {
                Event::MappingEnd => break,
                Event::Scalar(ref k, ..) => (k.to_string(), self.range(&span)),
                // A key that is a collection or an alias names nothing: skip it and its value.
                other => {
                    self.skip(&other)?;
                    let value = self.next()?;
                    if let Some((v, _)) = value {
                        self.skip(&v)?;
                    }
                    continue;
                }
            };
            let Some((value, span)) = self.next()? else {
                break;
            };
            match value {
                Event::MappingStart(_, anchor, _) => {
                    path.push(key.clone());
                    let inner = self.mapping(path, &span)?;
                    path.pop();
                    if anchor != 0 {
                        self.spend(inner.iter().map(|e| e.key.len() + value_len(e)).sum())?;
                        self.anchors.insert(anchor, inner.clone());
                    }
                    self.nest(&key, inner, &mut entries)?;
                }
                Event::SequenceStart(..) if key == "<<" => self.merge_list(&mut merged)?,
                Event::SequenceStart(..) => self.sequence(path, &key)?,
                Event::Alias(id) if key == "<<" => self.merge(id, &mut merged)?,
                Event::Alias(id) => {
                    if let Some(inner) = self.anchors.get(&id).cloned() {
                        self.nest(&key, inner, &mut entries)?;
                    } else if let Some((value, value_span)) = self.scalars.get(&id).cloned() {
                        self.spend(key.len() + value.as_str().map_or(8, str::len))?;
                        entries.push(Entry {
                            key,
                            key_span,
                            value,
                            value_span,
                        });
                    }
                }
                Event::Scalar(v, style, anchor, tag) => {
                    let (value, value_span) = self.scalar(&v, style, tag.as_deref(), &span);
                    if anchor != 0 {
                        self.scalars
                            .insert(anchor, (value.clone(), value_span.clone()));
                    }
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                        value_span,
                    });
                }
                _ => {}
            }
        }
        // Merged keys first: the keys written in the mapping win.
        if !merged.is_empty() {
            merged.extend(entries);
            entries = merged;
        }
        self.spend(entries.iter().map(|e| e.key.len() + value_len(e)).sum())?;
        self.tables.push(Table {
            path: path.clone(),
            header,
            entries: entries.clone(),
        });
        Ok(entries)
    }

    /// The entries of a mapping under `key`, with their keys joined to it.
    fn nest(&mut self, key: &str, inner: Vec<Entry>, entries: &mut Vec<Entry>) -> R<()> {
        for mut e in inner {
            self.spend(key.len() + e.key.len() + 1 + value_len(&e))?;
            e.key = join(key, &e.key);
            entries.push(e);
        }
        Ok(())
    }

    /// `<<: *name`: the anchored mapping's entries, before those merged so far (an earlier
    /// alias of a list wins over a later one).
    fn merge(&mut self, id: usize, merged: &mut Vec<Entry>) -> R<()> {
        let Some(inner) = self.anchors.get(&id).cloned() else {
            return Ok(());
        };
        self.spend(inner.iter().map(|e| e.key.len() + value_len(e)).sum())?;
        let later = std::mem::replace(merged, inner);
        merged.extend(later);
        Ok(())
    }

    /// `<<: [*a, *b]`.
    fn merge_list(&mut self, merged: &mut Vec<Entry>) -> R<()> {
        let mut list: Vec<usize> = Vec::new();
        loop {
            match self.next()? {
                None | Some((Event::SequenceEnd, _)) => break,
                Some((Event::Alias(id), _)) => list.push(id),
                Some((other, _)) => self.skip(&other)?,
            }
        }
        // The first alias wins: merge the last first, so each earlier one comes after it.
        for id in list.into_iter().rev() {
            let mut part = Vec::new();
            self.merge(id, &mut part)?;
            merged.extend(part);
        }
        Ok(())
    }

    /// A sequence whose start event was read: its mappings are tables `key[i]`.
    fn sequence(&mut self, path: &mut Vec<String>, key: &str) -> R<()> {
        let mut i = 0usize;
        // Its scalars make a table `key[]` of their own, keyed by their index (docker-compose's
        // `environment: [A=b]`); no reader of mappings looks there.
        let mut items: Vec<Entry> = Vec::new();
        while let Some((event, span)) = self.next()? {
            match event {
                Event::SequenceEnd => break,
                Event::MappingStart(..) => {
                    path.push(format!("{key}[{i}]"));
                    let r = self.mapping(path, &span);
                    path.pop();
                    r?;
                }
                Event::Scalar(v, style, _, tag) => {
                    let (value, value_span) = self.scalar(&v, style, tag.as_deref(), &span);
                    let key = i.to_string();
                    self.spend(key.len() + value.as_str().map_or(8, str::len))?;
                    items.push(Entry {
                        key,
                        key_span: value_span.clone(),
                        value,
                        value_span,
                    });
                }
                other => self.skip(&other)?,
            }
            i += 1;
        }
        if !items.is_empty() {
            let mut p = path.clone();
            p.push(format!("{key}[]"));
            self.tables.push(Table {
                path: p,
                header: None,
                entries: items,
            });
        }
        Ok(())
    }

    /// Skip the node that `first` starts (a whole collection).
    fn skip(&mut self, first: &Event) -> R<()> {
        let mut level: usize = match first {
            Event::MappingStart(..) | Event::SequenceStart(..) => 1,
            _ => return Ok(()),
        };
        while level > 0 {
            match self.next()? {
                None => return Ok(()),
                Some((Event::MappingStart(..) | Event::SequenceStart(..), _)) => level += 1,
                Some((Event::MappingEnd | Event::SequenceEnd, _)) => level -= 1,
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn spend(&mut self, bytes: usize) -> R<()> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => {
                self.error(0, "the nested keys are too many to read".into());
                Err(Stop)
            }
        }
    }

    /// A span's byte range inside the text (empty at the end when the parser gave none).
    fn range(&self, span: &Span) -> Range<usize> {
        match span.byte_range() {
            Some(r) if r.start <= r.end && self.text.get(r.clone()).is_some() => r,
            _ => self.text.len()..self.text.len(),
        }
    }

    fn scalar(
        &self,
        value: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: &Span,
    ) -> (Scalar, Range<usize>) {
        let mut r = self.range(span);
        if tag.is_some_and(|t| t.core_suffix().is_none()) {
            // `!secret name`: the source text from the tag on.
            let start = span
                .tag_start()
                .and_then(|m| m.byte_offset())
                .filter(|&s| s <= r.start && self.text.is_char_boundary(s));
            if let Some(start) = start {
                r.start = start;
            }
            return (Scalar::Str(self.text[r.clone()].to_owned()), r);
        }
        let src = &self.text[r.clone()];
        let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
        if quoted && src.len() >= 2 {
            r = r.start + 1..r.end - 1;
        }
        let core = tag.and_then(Tag::core_suffix);
        let value = match (style, core) {
            (_, Some("str")) => Scalar::Str(value.to_owned()),
            (ScalarStyle::Plain, _) | (_, Some("bool" | "int" | "null")) => plain(value),
            _ => Scalar::Str(value.to_owned()),
        };
        (value, r)
    }
}

/// What copying an entry's value costs.
fn value_len(e: &Entry) -> usize {
    e.value.as_str().map_or(8, str::len)
}

fn join(key: &str, sub: &str) -> String {
    if sub.starts_with('[') {
        format!("{key}{sub}")
    } else {
        format!("{key}.{sub}")
    }
}

/// A plain scalar typed as the YAML 1.1 resolver types it.
fn plain(v: &str) -> Scalar {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Other("null"),
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Scalar::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        _ => {
            let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
            let decimal = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            match v.parse::<i64>() {
                Ok(n) if decimal => Scalar::Int(n),
                _ if v.contains('.') && v.parse::<f64>().is_ok() => Scalar::Other("float"),
                _ => Scalar::Str(v.to_owned()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries<'d>(d: &'d Document, path: &str) -> Vec<(&'d str, &'d Scalar)> {
        let t = d
            .tables
            .iter()
            .find(|t| t.path.join("/") == path)
            .expect(path);
        t.entries
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect()
    }

    #[test]
    fn nested_mappings_become_dotted_keys_with_spans() {
        let t = "spring:\n  mail:\n    host: smtp.example.com\n    port: 587\n    password: 'p''w'\n    properties:\n      mail.smtp.starttls.enable: yes\n      \"[mail.smtp.ssl.trust]\": \"*\"\n      empty:\nother: [1, {a: b}]\n";
        let d = parse(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let root = entries(&d, "");
        assert_eq!(
            root,
            [
                ("spring.mail.host", &Scalar::Str("smtp.example.com".into())),
                ("spring.mail.port", &Scalar::Int(587)),
                ("spring.mail.password", &Scalar::Str("p'w".into())),
                (
                    "spring.mail.properties.mail.smtp.starttls.enable",
                    &Scalar::Bool(true)
                ),
                (
                    "spring.mail.properties[mail.smtp.ssl.trust]",
                    &Scalar::Str("*".into())
                ),
                ("spring.mail.properties.empty", &Scalar::Other("null")),
            ]
        );
        let root = &d.tables[0];
        assert_eq!(&t[root.entries[0].key_span.clone()], "host");
        assert_eq!(&t[root.entries[0].value_span.clone()], "smtp.example.com");
        assert_eq!(&t[root.entries[2].value_span.clone()], "p''w");
        assert_eq!(&t[root.entries[4].value_span.clone()], "*");
        assert_eq!(entries(&d, "spring/mail")[1].0, "port");
    }

    #[test]
    fn sequence_elements_tags_and_aliases() {
        let t = "notify:\n  - name: a\n    platform: smtp\n    password: !secret smtp_pw\n    port: &p 25\n    other: *p\n  - plain\n  - platform: x\n---\nsecond: 0587\n";
        let d = parse(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let first = entries(&d, "notify[0]");
        assert_eq!(
            first[2],
            ("password", &Scalar::Str("!secret smtp_pw".into()))
        );
        assert_eq!(first[3], ("port", &Scalar::Int(25)));
        // An alias is the anchored value, at the anchor's span.
        assert_eq!(first[4], ("other", &Scalar::Int(25)));
        let t0 = d.tables.iter().find(|t| t.path == ["notify[0]"]).unwrap();
        assert_eq!(&t[t0.entries[4].value_span.clone()], "25");
        assert_eq!(
            entries(&d, "notify[2]"),
            [("platform", &Scalar::Str("x".into()))]
        );
        let pw = &d
            .tables
            .iter()
            .find(|t| t.path == ["notify[0]"])
            .unwrap()
            .entries[2];
        assert_eq!(&t[pw.value_span.clone()], "!secret smtp_pw");
        let second = d.tables.iter().rfind(|t| t.path.is_empty()).unwrap();
        assert_eq!(second.entries[0].value, Scalar::Str("0587".into()));
    }

    #[test]
    fn merge_keys_and_documents() {
        let t = "base: &m\n  host: a\n  port: 25\nother: &o {port: 2525, user: u}\nmail:\n  port: 587\n  <<: [*m, *o]\nplain: *m\n---\nx: 1\n";
        let (d, starts) = parse_documents(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let root = d.tables.iter().find(|t| t.path.is_empty()).unwrap();
        let got: Vec<(&str, String)> = root
            .entries
            .iter()
            .map(|e| (e.key.as_str(), t[e.value_span.clone()].to_owned()))
            .collect();
        // `*o` first (the later alias loses), then `*m`, then the keys written: the last of a
        // key wins for the readers, so 587 stands, and `host` comes from `*m`.
        let mail: Vec<_> = got.iter().filter(|(k, _)| k.starts_with("mail.")).collect();
        assert_eq!(
            mail,
            [
                &("mail.port", "2525".to_owned()),
                &("mail.user", "u".to_owned()),
                &("mail.host", "a".to_owned()),
                &("mail.port", "25".to_owned()),
                &("mail.port", "587".to_owned()),
            ]
        );
        assert!(got.contains(&("plain.host", "a".to_owned())));
        assert_eq!(starts.len(), 2);
        assert_eq!(&t[starts[1]..starts[1] + 3], "---");
        // An alias to an unknown or later anchor is no value, and no panic.
        assert!(parse("a: {<<: *nope}\n").errors.len() <= 1);
    }

    #[test]
    fn hostile_input_is_bounded_and_never_panics() {
        let e = |t: &str| parse(t).errors.len();
        assert_eq!(e("a: [\n"), 1);
        assert_eq!(e("a: 'x\n"), 1);
        assert_eq!(e("a:\n  b: c\n d: e\n"), 1);
        let deep: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(e(&deep), 1);
        assert_eq!(e(&format!("a: {}", "[".repeat(100_000))), 1);
        assert_eq!(e(&format!("a: {}", "{a: ".repeat(100_000))), 1);
        // A billion laughs: each alias is read once, never expanded.
        let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let refs = vec![format!("*{}", (b'a' + i - 1) as char); 9].join(", ");
            laughs.push_str(&format!("{0}: &{0} [{refs}]\n", (b'a' + i) as char));
        }
        let start = std::time::Instant::now();
        assert!(parse(&laughs).errors.is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        // The same with mappings, whose aliases are copied: the copy budget stops it.
        let mut laughs = String::from("a: &a {x: lol, y: lol, z: lol}\n");
        for i in 1..12 {
            let p = (b'a' + i - 1) as char;
            let q = (b'a' + i) as char;
            laughs.push_str(&format!(
                "{q}: &{q} {{x: *{p}, y: *{p}, z: *{p}, <<: *{p}}}\n"
            ));
        }
        let start = std::time::Instant::now();
        let d = parse(&laughs);
        assert_eq!(d.errors.len(), 1);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        crate::extract::syntax::testing::inputs(
            0x9a_3100,
            b"ab:- \n[]{}&*!'\"#|>?,\t\xc3\xa9",
            &["spring:\n  mail:\n    host: h\n    port: 587\n"],
            |t| {
                let d = parse(t);
                for e in d.tables.iter().flat_map(|t| &t.entries) {
                    for r in [&e.key_span, &e.value_span] {
                        assert!(r.start <= r.end && r.end <= t.len());
                        assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
                    }
                }
                for e in &d.errors {
                    assert!(e.span.end <= t.len() && t.is_char_boundary(e.span.start));
                }
            },
        );
    }
}
