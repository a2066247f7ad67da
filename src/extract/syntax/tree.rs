//! Tree-sitter helpers the code readers share: node text, one non-recursive walker, the first
//! syntax error under a node, and widening an empty span so a label can show it.

use std::ops::Range;

use tree_sitter::Node;

/// The text of a node (empty if its range is not valid for `src`).
pub fn text<'s>(n: Node, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

/// Text without whitespace, for comparing dotted names and member chains (`this . transporter`).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Visit every node of a tree in document order without recursion (deeply nested input must
/// not overflow the stack).
pub fn walk_tree<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The first ERROR or MISSING node inside `n`, for a `parse-error` about a construct whose
/// meaning depends on it.
pub fn first_error(n: Node) -> Option<Range<usize>> {
    if !n.has_error() {
        return None;
    }
    let mut found = None;
    walk_tree(n, |c| {
        if found.is_none() && (c.is_error() || c.is_missing()) {
            found = Some(c.byte_range());
        }
    });
    found
}

/// Widen an empty span to one character so a label can show it.
pub fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len()).max(start);
    if start < end || start >= text.len() {
        return start..end;
    }
    let mut e = start + 1;
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    start..e
}

/// How many ERROR and MISSING nodes a tree holds.
pub fn count_errors(root: Node) -> usize {
    let mut n = 0;
    walk_tree(root, |c| {
        if c.is_error() || c.is_missing() {
            n += 1;
        }
    });
    n
}
