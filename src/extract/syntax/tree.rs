//! Tree-sitter helpers the code readers share: node text, one non-recursive walker, the first
//! syntax error under a node, and widening an empty span so a label can show it.

use std::ops::Range;

use tree_sitter::Node;

use super::value::{spend, EVAL_BUDGET, MAX_DEPTH};
use crate::source::{FileId, Loc};

/// A code file as its reader holds it: the text, the file it is, and the evaluation budget.
/// The readers deref to it, so `js.src`, `py.loc(span)` and `js.t(node)` read the same.
pub struct Code<'t> {
    pub file: FileId,
    pub src: &'t str,
    pub budget: std::cell::Cell<usize>,
}

impl<'t> Code<'t> {
    pub fn new(file: FileId, src: &'t str) -> Self {
        Code {
            file,
            src,
            budget: std::cell::Cell::new(EVAL_BUDGET),
        }
    }

    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    /// The text of a node.
    pub fn t(&self, n: Node) -> &'t str {
        text(n, self.src)
    }

    /// One more level of evaluation: the next depth, or `None` past the depth limit or once
    /// the file's budget is spent.
    pub fn step(&self, depth: usize) -> Option<usize> {
        (depth <= MAX_DEPTH && spend(&self.budget)).then_some(depth + 1)
    }
}

/// A reader struct with a `code: Code` field reads as that `Code` (`js.src`, `py.loc(..)`).
macro_rules! reads_code {
    ($reader:ident) => {
        impl<'t> std::ops::Deref for $reader<'t> {
            type Target = $crate::extract::syntax::tree::Code<'t>;

            fn deref(&self) -> &Self::Target {
                &self.code
            }
        }
    };
}
pub(crate) use reads_code;

/// The text of a node (empty if its range is not valid for `src`).
pub fn text<'s>(n: Node, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

/// Text without whitespace, for comparing dotted names and member chains (`this . transporter`).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How long tree-sitter may take over one file. Well-formed code of any size parses in
/// milliseconds; its error recovery on some megabyte-long garbage lines takes minutes, and is
/// cut off here (the file then gets a `parse-error` instead of findings).
pub const PARSE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

thread_local! {
    static CUT_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a parse on this thread was cut off since the last call (and forget it).
pub fn take_cut_off() -> bool {
    CUT_OFF.with(|c| c.replace(false))
}

/// Parse, giving up after [`PARSE_TIME_LIMIT`]; `None` when the parser gave up or was stopped
/// (then [`take_cut_off`] says so).
pub fn parse_bounded(parser: &mut tree_sitter::Parser, text: &str) -> Option<tree_sitter::Tree> {
    let bytes = text.as_bytes();
    let started = std::time::Instant::now();
    let mut progress = |_: &tree_sitter::ParseState| {
        if started.elapsed() > PARSE_TIME_LIMIT {
            CUT_OFF.with(|c| c.set(true));
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or_default(),
        None,
        Some(options),
    )
}

/// Visit every node of a tree in document order without recursion (deeply nested input must
/// not overflow the stack).
pub fn walk_tree<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    walk_tree_depth(root, |n, _| f(n));
}

/// [`walk_tree`], also telling each node's depth below `root` (0 for `root`), so a reader can keep
/// the path to the node without asking tree-sitter for parents (`Node::parent` searches from
/// the root: asking it for every statement of a long block is quadratic).
pub fn walk_tree_depth<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, usize)) {
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        f(cursor.node(), depth);
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
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

/// Every node of one of `kinds`, in document order.
pub fn nodes_of_kinds<'t>(root: Node<'t>, kinds: &[&str]) -> Vec<Node<'t>> {
    let mut nodes = Vec::new();
    walk_tree(root, |n| {
        if kinds.contains(&n.kind()) {
            nodes.push(n);
        }
    });
    nodes
}

/// A node found by [`nodes_of_kinds_in`]: its parent, and whether it sits inside one of the
/// scope kinds asked for.
pub struct Found<'t> {
    pub node: Node<'t>,
    pub parent: Option<Node<'t>>,
    pub scoped: bool,
}

/// [`nodes_of_kinds`], with each node's parent and whether an ancestor is of one of `scopes`
/// (a function, a class), known from the walk itself: asking tree-sitter for parents searches
/// from the root each time, which is quadratic over a long module.
pub fn nodes_of_kinds_in<'t>(root: Node<'t>, kinds: &[&str], scopes: &[&str]) -> Vec<Found<'t>> {
    let mut nodes = Vec::new();
    let mut path: Vec<(Node<'t>, bool)> = Vec::new();
    walk_tree_depth(root, |n, depth| {
        path.truncate(depth);
        let (parent, scoped) = match path.last() {
            Some(&(p, s)) => (Some(p), s || scopes.contains(&p.kind())),
            None => (None, false),
        };
        if kinds.contains(&n.kind()) {
            nodes.push(Found {
                node: n,
                parent,
                scoped,
            });
        }
        path.push((n, scoped));
    });
    nodes
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

/// The spans of the string literals an expression is built from (`'a' + 'b'`, `'a' 'b'`, the
/// text around a template's or f-string's substitutions), for masking a password written in
/// pieces. `literal` gives the content spans of a literal node (`None`: not a literal); nodes
/// of the kinds in `joins` are searched through their named children. Empty spans are left out.
pub fn literal_pieces<'t>(
    n: Node<'t>,
    joins: &[&str],
    literal: &dyn Fn(Node<'t>) -> Option<Vec<Range<usize>>>,
) -> Vec<Range<usize>> {
    fn go<'t>(
        n: Node<'t>,
        joins: &[&str],
        literal: &dyn Fn(Node<'t>) -> Option<Vec<Range<usize>>>,
        out: &mut Vec<Range<usize>>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(spans) = literal(n) {
            out.extend(spans.into_iter().filter(|s| s.start < s.end));
        } else if joins.contains(&n.kind()) {
            let mut c = n.walk();
            let kids: Vec<Node<'t>> = n.named_children(&mut c).collect();
            for k in kids {
                go(k, joins, literal, out, depth + 1);
            }
        }
    }
    let mut out = Vec::new();
    go(n, joins, literal, &mut out, 0);
    out
}

/// The spans of the named children of one kind (`string_fragment`, `string_content`).
pub fn child_spans(n: Node, kind: &str) -> Vec<Range<usize>> {
    let mut c = n.walk();
    let spans = n
        .named_children(&mut c)
        .filter(|k| k.kind() == kind)
        .map(|k| k.byte_range())
        .collect();
    spans
}

/// Fields of a node, when it has them all.
pub fn fields<'t, const N: usize>(n: Node<'t>, names: [&str; N]) -> Option<[Node<'t>; N]> {
    let mut out = [n; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = n.child_by_field_name(name)?;
    }
    Some(out)
}

/// A call's callee and argument list.
pub fn call_parts(n: Node) -> Option<(Node, Node)> {
    let [f, args] = fields(n, ["function", "arguments"])?;
    Some((f, args))
}
