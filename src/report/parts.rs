//! Writing a JSON document whose one big array arrives part by part (`json`'s `diagnostics`,
//! SARIF's `results`), with the same bytes `serde_json::to_string_pretty` gives for the whole
//! document: the document is pretty-printed with the array empty and cut there.

use serde_json::Value;

/// One array of a document, written item by item.
pub struct ArrayWriter {
    key: &'static str,
    items: usize,
    /// Spaces before the array's key.
    indent: usize,
}

impl ArrayWriter {
    pub fn new(key: &'static str) -> Self {
        ArrayWriter {
            key,
            items: 0,
            indent: 0,
        }
    }

    /// The pretty-printed document around the (empty) array: before `[`, and after `]`.
    fn split(&mut self, doc: &Value) -> (String, String) {
        let text = serde_json::to_string_pretty(doc).unwrap_or_default();
        let needle = format!("\"{}\": []", self.key);
        // The key at the start of a line (a string value cannot hold an unescaped quote).
        let at = text
            .match_indices(&needle)
            .map(|(i, _)| i)
            .find(|&i| text[..i].ends_with(' ') || text[..i].ends_with('\n'))
            .unwrap_or(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        self.indent = at - line_start;
        let open = (at + needle.len() - 1).min(text.len());
        let close = (open + 1).min(text.len());
        (text[..open].to_owned(), text[close..].to_owned())
    }

    /// The document up to and with the array's `[`.
    pub fn begin(&mut self, doc: &Value) -> String {
        let (head, _) = self.split(doc);
        super::escape::json(head)
    }

    /// The items, each pretty-printed at the array's depth, with the commas between them.
    pub fn items(&mut self, items: &[Value]) -> String {
        let pad = " ".repeat(self.indent + 2);
        let mut s = String::new();
        for v in items {
            if self.items > 0 {
                s.push(',');
            }
            self.items += 1;
            s.push('\n');
            let text = serde_json::to_string_pretty(v).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                s.push_str(&pad);
                s.push_str(line);
            }
        }
        super::escape::json(s)
    }

    /// The array's `]` and the rest of the document (`doc` with the array empty).
    pub fn end(&mut self, doc: &Value) -> String {
        let indent = self.indent;
        let (_, tail) = self.split(doc);
        let mut s = String::new();
        if self.items > 0 {
            s.push('\n');
            s.push_str(&" ".repeat(indent));
        }
        s.push(']');
        s.push_str(&tail);
        s.push('\n');
        super::escape::json(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_give_the_bytes_of_the_whole_document() {
        let items = vec![
            json!({"a": 1, "b": [1, 2]}),
            json!({"c": "x: []"}),
            json!(3),
        ];
        for cut in 0..=items.len() {
            let whole = json!({"v": 1, "list": items, "z": {"k": []}});
            let mut w = ArrayWriter::new("list");
            let empty = json!({"v": 1, "list": [], "z": {"k": []}});
            let mut s = w.begin(&empty);
            s.push_str(&w.items(&items[..cut]));
            s.push_str(&w.items(&items[cut..]));
            s.push_str(&w.end(&empty));
            let mut expected = serde_json::to_string_pretty(&whole).unwrap();
            expected.push('\n');
            assert_eq!(s, expected, "cut at {cut}");
        }
        let mut w = ArrayWriter::new("list");
        let empty = json!({"list": [], "n": 0});
        let s = w.begin(&empty) + &w.end(&empty);
        assert_eq!(s, serde_json::to_string_pretty(&empty).unwrap() + "\n");
    }

    #[test]
    fn a_nested_array_is_indented_at_its_depth() {
        let items = vec![json!({"x": 1})];
        let whole = json!({"runs": [{"results": items, "tool": "t"}]});
        let empty = json!({"runs": [{"results": [], "tool": "t"}]});
        let mut w = ArrayWriter::new("results");
        let s = w.begin(&empty) + &w.items(&items) + &w.end(&empty);
        assert_eq!(s, serde_json::to_string_pretty(&whole).unwrap() + "\n");
    }
}
