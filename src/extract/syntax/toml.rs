//! TOML, read with `toml_edit`: every table of a document (header tables, the elements of arrays
//! of tables, inline tables) in document order, each with its scalar entries and the byte spans
//! of their keys and values. Nothing here knows about mail; `extract::clients::toml_app` decides
//! which tables hold SMTP settings.

use std::ops::Range;

use toml_edit::{Document, Item, Value as TomlValue};

/// A value as a client reads it; anything but a string, an integer or a boolean only by the
/// name of its type (`float`, `datetime`, `array`).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
    Other(&'static str),
}

impl Scalar {
    fn of(v: &TomlValue) -> Scalar {
        match v {
            TomlValue::String(s) => Scalar::Str(s.value().clone()),
            TomlValue::Integer(i) => Scalar::Int(*i.value()),
            TomlValue::Boolean(b) => Scalar::Bool(*b.value()),
            other => Scalar::Other(other.type_name()),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The TOML name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "string",
            Scalar::Int(_) => "integer",
            Scalar::Bool(_) => "boolean",
            Scalar::Other(name) => name,
        }
    }
}

/// One `key = value` of a table (values that are inline tables are tables of their own).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as TOML reads it (quotes removed).
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Scalar,
    /// The value's content: inside the quotes of a string.
    pub value_span: Range<usize>,
}

/// A table and its own entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Keys from the root; an element of an array of tables is `name[i]`. Empty for the root.
    pub path: Vec<String>,
    /// The `[header]` line of a table that has one.
    pub header: Option<Range<usize>>,
    pub entries: Vec<Entry>,
}

/// Why a text is not TOML. The message is `toml_edit`'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// At least one character wide when the text has one.
    pub span: Range<usize>,
    pub message: String,
}

/// Every table of a TOML document, parents before children, in document order.
pub fn parse(text: &str) -> Result<Vec<Table>, ParseError> {
    let doc = Document::parse(text).map_err(|e| ParseError {
        span: widen(text, e.span().unwrap_or(0..0)),
        message: e.message().trim().to_owned(),
    })?;
    let mut tables = Vec::new();
    walk(text, doc.as_table(), &mut Vec::new(), &mut tables);
    Ok(tables)
}

/// Make an empty error span one character wide so a label can point at it.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    if span.start < span.end || span.start >= text.len() {
        return span.start.min(text.len())..span.end.min(text.len());
    }
    let mut end = span.start + 1;
    while !text.is_char_boundary(end) {
        end += 1;
    }
    span.start..end
}

fn walk(text: &str, table: &toml_edit::Table, path: &mut Vec<String>, out: &mut Vec<Table>) {
    let entries = table
        .iter()
        .filter_map(|(k, item)| match item {
            Item::Value(v) if !v.is_inline_table() => {
                Some(entry(text, k, table.key(k).and_then(|k| k.span()), v))
            }
            _ => None,
        })
        .collect();
    out.push(Table {
        path: path.clone(),
        header: header(text, table.span()),
        entries,
    });
    for (key, item) in table.iter() {
        match item {
            Item::Table(t) => {
                path.push(key.to_owned());
                walk(text, t, path, out);
                path.pop();
            }
            Item::ArrayOfTables(arr) => {
                for (i, t) in arr.iter().enumerate() {
                    path.push(format!("{key}[{i}]"));
                    walk(text, t, path, out);
                    path.pop();
                }
            }
            Item::Value(TomlValue::InlineTable(t)) => {
                path.push(key.to_owned());
                out.push(inline(text, t, path));
                path.pop();
            }
            _ => {}
        }
    }
}

/// An inline table `{ k = v, ... }`; inline tables nested in it are not read.
fn inline(text: &str, t: &toml_edit::InlineTable, path: &[String]) -> Table {
    let entries = t
        .iter()
        .filter(|(_, v)| !v.is_inline_table())
        .map(|(k, v)| entry(text, k, t.key(k).and_then(|k| k.span()), v))
        .collect();
    Table {
        path: path.to_vec(),
        header: header(text, t.span()),
        entries,
    }
}

fn entry(text: &str, key: &str, key_span: Option<Range<usize>>, v: &TomlValue) -> Entry {
    Entry {
        key: key.to_owned(),
        key_span: key_span.unwrap_or(0..0),
        value: Scalar::of(v),
        value_span: value_span(text, v),
    }
}

/// The span of a value's content (inside the quotes of a string).
fn value_span(text: &str, v: &TomlValue) -> Range<usize> {
    let span = v.span().unwrap_or(0..0);
    if v.is_str() {
        let raw = &text[span.clone()];
        let q = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        if raw.len() >= 2 * q {
            return span.start + q..span.end - q;
        }
    }
    span
}

/// The header line of a table whose span starts with `[`.
fn header(text: &str, span: Option<Range<usize>>) -> Option<Range<usize>> {
    let s = span?;
    let raw = &text[s.clone()];
    if !raw.starts_with('[') {
        return None;
    }
    Some(s.start..raw.find('\n').map(|i| s.start + i).unwrap_or(s.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_in_document_order_with_spans() {
        let t = "top = 1\n[a]\nk = \"v\"\nx = { y = 2, z = { w = 3 } }\n[[b]]\ns = '''m'''\n[[b]]\nf = 1.5\n[a.c]\nd = true\n";
        let tables = parse(t).unwrap();
        let paths: Vec<String> = tables.iter().map(|t| t.path.join(".")).collect();
        assert_eq!(paths, ["", "a", "a.x", "a.c", "b[0]", "b[1]"]);
        let a = &tables[1];
        assert_eq!(&t[a.header.clone().unwrap()], "[a]");
        assert_eq!(a.entries.len(), 1);
        assert_eq!(&t[a.entries[0].key_span.clone()], "k");
        assert_eq!(&t[a.entries[0].value_span.clone()], "v");
        assert_eq!(a.entries[0].value, Scalar::Str("v".into()));
        let x = &tables[2];
        assert!(x.header.is_none());
        assert_eq!(x.entries.len(), 1, "nested inline tables are not entries");
        assert_eq!(x.entries[0].value, Scalar::Int(2));
        assert_eq!(&t[tables[4].entries[0].value_span.clone()], "m");
        assert_eq!(tables[5].entries[0].value.type_name(), "float");
        assert_eq!(tables[3].entries[0].value, Scalar::Bool(true));
        assert!(tables[0].header.is_none());
    }

    #[test]
    fn errors_are_at_least_one_character_wide() {
        let e = parse("a = \"x\nb = 1\n").unwrap_err();
        assert!(!e.span.is_empty());
        assert!(!e.message.is_empty());
    }
}
