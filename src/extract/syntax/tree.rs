//! Tree-sitter helpers the code readers share: node text, one non-recursive walker, the first
//! syntax error under a node, and widening an empty span so a label can show it.

use std::ops::Range;

use tree_sitter::Node;

use super::ids::{Grammar, Kinds, TsField};
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
///
/// Names are short; a longer text (the object of a method call in a chain that broken brackets
/// made as long as the file) keeps its first [`MAX_NAME`] bytes and its length, so that every
/// call in a long chain does not copy the whole chain (quadratic memory).
pub fn squash(s: &str) -> String {
    if s.len() <= MAX_NAME {
        return s.chars().filter(|c| !c.is_whitespace()).collect();
    }
    let mut cut = MAX_NAME;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut name: String = s[..cut].chars().filter(|c| !c.is_whitespace()).collect();
    name.push_str(&format!("\0{}", s.len()));
    name
}

/// The longest text [`squash`] copies whole.
pub const MAX_NAME: usize = 1024;

/// How long tree-sitter may take over one file. Well-formed code of any size parses in
/// milliseconds; its error recovery on some megabyte-long garbage lines takes minutes, and is
/// cut off here (the file then gets a `parse-error` instead of findings).
pub const PARSE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// How much memory tree-sitter may hold for one parse. A well-formed 1 MB source file needs
/// tens of megabytes; error recovery on some garbage keeps thousands of parse stacks alive
/// and would take gigabytes before the time limit.
pub const PARSE_MEMORY_LIMIT: usize = 128 << 20;

/// Why a parse was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutOff {
    Time,
    Memory,
}

impl CutOff {
    /// "after 2 s" / "at 128 MiB of memory", for the finding that says the file was not read.
    pub fn describe(self) -> String {
        match self {
            CutOff::Time => format!("after {} s", PARSE_TIME_LIMIT.as_secs()),
            CutOff::Memory => format!("at {} MiB of memory", PARSE_MEMORY_LIMIT >> 20),
        }
    }
}

thread_local! {
    static CUT_OFF: std::cell::Cell<Option<CutOff>> = const { std::cell::Cell::new(None) };
}

/// Whether a parse on this thread was cut off since the last call, and why (and forget it).
pub fn take_cut_off() -> Option<CutOff> {
    CUT_OFF.with(|c| c.take())
}

thread_local! {
    /// This thread's parser for each grammar it has parsed with, kept from file to file:
    /// making and freeing a parser for every file cost more than resetting one.
    static PARSERS: std::cell::RefCell<Vec<tree_sitter::Parser>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// [`parse_bounded`] with this thread's parser for `language`; `None` also when the grammar
/// cannot be used.
pub fn parse_in(language: &tree_sitter::Language, text: &str) -> Option<tree_sitter::Tree> {
    parse_in_limited(language, text, PARSE_TIME_LIMIT, PARSE_MEMORY_LIMIT)
}

/// [`parse_in`] with other limits (tests use small ones).
fn parse_in_limited(
    language: &tree_sitter::Language,
    text: &str,
    time_limit: std::time::Duration,
    memory_limit: usize,
) -> Option<tree_sitter::Tree> {
    super::ts_memory::install();
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let known = parsers
            .iter()
            .position(|p| p.language().is_some_and(|l| *l == *language));
        let i = match known {
            Some(i) => i,
            None => {
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(language).ok()?;
                parsers.push(parser);
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[i];
        // A stopped parse stays in the parser to be resumed: each file starts afresh, and a
        // stopped one gives its memory back at once.
        parser.reset();
        let tree = parse_limited(parser, text, time_limit, memory_limit);
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Parse, giving up after [`PARSE_TIME_LIMIT`] or past [`PARSE_MEMORY_LIMIT`]; `None` when the
/// parser gave up or was stopped (then [`take_cut_off`] says why).
pub fn parse_bounded(parser: &mut tree_sitter::Parser, text: &str) -> Option<tree_sitter::Tree> {
    parse_limited(parser, text, PARSE_TIME_LIMIT, PARSE_MEMORY_LIMIT)
}

/// [`parse_bounded`] with other limits (tests use small ones).
pub fn parse_limited(
    parser: &mut tree_sitter::Parser,
    text: &str,
    time_limit: std::time::Duration,
    memory_limit: usize,
) -> Option<tree_sitter::Tree> {
    super::ts_memory::install();
    let bytes = text.as_bytes();
    let started = std::time::Instant::now();
    let memory_at_start = super::ts_memory::live();
    let mut progress = |_: &tree_sitter::ParseState| {
        let used = super::ts_memory::live().saturating_sub(memory_at_start);
        let why = if usize::try_from(used).is_ok_and(|used| used > memory_limit) {
            Some(CutOff::Memory)
        } else if started.elapsed() > time_limit {
            Some(CutOff::Time)
        } else {
            None
        };
        match why {
            Some(why) => {
                CUT_OFF.with(|c| c.set(Some(why)));
                std::ops::ControlFlow::Break(())
            }
            None => std::ops::ControlFlow::Continue(()),
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let t = parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or_default(),
        None,
        Some(options),
    );
    t
}

/// Visit every node of a tree in document order without recursion (deeply nested input must
/// not overflow the stack).
pub fn walk_tree<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>)) {
    walk_tree_depth(root, |n, _| f(n));
}

/// [`walk_tree`], also telling each node's depth below `root` (0 for `root`), so a reader can keep
/// the path to the node without asking tree-sitter for parents (`Node::parent` searches from
/// the root: asking it for every statement of a long block is quadratic).
///
/// The walk knows from each node's child count how many siblings are still to come at every
/// depth, so it never asks the cursor for a first child of a leaf or for a sibling after the last
/// one: both answers cost the cursor more than the count (it searches through the grammar's
/// hidden nodes for them), and every node of a file would pay one of them.
pub fn walk_tree_depth<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, usize)) {
    let mut cursor = root.walk();
    // For each depth below `root` on the way to the current node: siblings still to come.
    let mut left: Vec<usize> = Vec::new();
    loop {
        let node = cursor.node();
        f(node, left.len());
        let count = node.child_count();
        if count > 0 && cursor.goto_first_child() {
            left.push(count - 1);
            continue;
        }
        loop {
            let Some(n) = left.last_mut() else {
                return;
            };
            if *n > 0 {
                *n -= 1;
                if cursor.goto_next_sibling() {
                    break;
                }
            }
            left.pop();
            cursor.goto_parent();
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
    let kind = Kinds::of(root);
    let mut nodes = Vec::new();
    walk_tree(root, |n| {
        if kinds.contains(&kind.kind(n)) {
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
    let kind = Kinds::of(root);
    let mut nodes = Vec::new();
    // Each node on the path to the current one, and whether what is under it is scoped (it or
    // an ancestor is of one of `scopes`).
    let mut path: Vec<(Node<'t>, bool)> = Vec::new();
    walk_tree_depth(root, |n, depth| {
        path.truncate(depth);
        let (parent, scoped) = match path.last() {
            Some(&(p, s)) => (Some(p), s),
            None => (None, false),
        };
        let k = kind.kind(n);
        if kinds.contains(&k) {
            nodes.push(Found {
                node: n,
                parent,
                scoped,
            });
        }
        path.push((n, scoped || scopes.contains(&k)));
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
pub fn fields<'t, const N: usize>(n: Node<'t>, names: [TsField; N]) -> Option<[Node<'t>; N]> {
    let grammar = Grammar::of(n);
    let mut out = [n; N];
    for (slot, f) in out.iter_mut().zip(names) {
        *slot = match grammar {
            Some(g) => g.field(n, f),
            None => n.child_by_field_name(f.name()),
        }?;
    }
    Some(out)
}

/// A call's callee and argument list.
pub fn call_parts(n: Node) -> Option<(Node, Node)> {
    let [f, args] = fields(n, [TsField::Function, TsField::Arguments])?;
    Some((f, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python() -> tree_sitter::Parser {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        parser
    }

    /// Garbage that keeps many parse stacks alive (the shape the fuzzer found).
    fn garbage(len: usize) -> String {
        let words = ["lambda ", ":", ",", "(", ")", "x", " ", "=", "*"];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut out = String::from("import smtplib\n");
        while out.len() < len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.push_str(words[(state % words.len() as u64) as usize]);
        }
        out
    }

    #[test]
    #[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
    fn a_parse_past_its_memory_limit_is_stopped_and_says_why() {
        take_cut_off();
        let text = garbage(200_000);
        let long = std::time::Duration::from_secs(60);
        let tree = parse_limited(&mut python(), &text, long, 1 << 20);
        assert!(tree.is_none());
        assert_eq!(take_cut_off(), Some(CutOff::Memory));
        assert_eq!(take_cut_off(), None, "taking the reason forgets it");
    }

    #[test]
    fn a_parse_past_its_time_limit_is_stopped_and_says_why() {
        take_cut_off();
        let text = garbage(200_000);
        let tree = parse_limited(&mut python(), &text, std::time::Duration::ZERO, usize::MAX);
        assert!(tree.is_none());
        assert_eq!(take_cut_off(), Some(CutOff::Time));
    }

    /// The parser a thread keeps for a grammar starts every file afresh, also after a parse
    /// that was stopped half-way (tree-sitter would otherwise resume it on the next text).
    #[test]
    fn a_kept_parser_starts_afresh_after_a_stopped_parse() {
        let language: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        let text = "import smtplib\ns = smtplib.SMTP('mail.example.com', 587)\n";
        let fresh = python().parse(text, None).unwrap().root_node().to_sexp();
        let garbage = garbage(200_000);
        let stopped = parse_in_limited(&language, &garbage, std::time::Duration::ZERO, usize::MAX);
        assert!(stopped.is_none());
        assert_eq!(take_cut_off(), Some(CutOff::Time));
        for _ in 0..2 {
            let tree = parse_in(&language, text).unwrap();
            assert_eq!(tree.root_node().to_sexp(), fresh);
        }
        PARSERS.with(|p| {
            let kept = p.borrow();
            let python = kept
                .iter()
                .filter(|p| p.language().is_some_and(|l| *l == language));
            assert_eq!(python.count(), 1, "one parser per grammar");
        });
    }

    #[test]
    fn well_formed_code_parses_within_the_limits() {
        take_cut_off();
        let text = "x = [1, 2, 3]\n".repeat(20_000);
        assert!(parse_bounded(&mut python(), &text).is_some());
        assert_eq!(take_cut_off(), None);
    }

    #[test]
    fn squash_keeps_names_whole_and_bounds_long_text() {
        assert_eq!(squash("this . transporter"), "this.transporter");
        let chain = "server\n  .sendmail(a)".repeat(10_000);
        let name = squash(&chain);
        assert!(name.len() < MAX_NAME + 16, "{}", name.len());
        assert_ne!(name, squash(&chain[..chain.len() - 1]), "lengths differ");
        let wide = "é".repeat(MAX_NAME);
        assert!(squash(&wide).starts_with('é'), "cut on a char boundary");
    }
}
