//! The PHP syntax reader: tree-sitter-php text into values, knowing nothing about mail.
//!
//! The file is parsed with tree-sitter-php, which is error-tolerant and keeps byte spans. A
//! snippet without `<?php` is parsed with the grammar for bare PHP. One walk over the tree, in
//! source order (`syntax::tree::walk_tree`, the shared walker), records
//! - what objects are told ([`objects`]): `$x = new Class(...)`, `$x->Prop = ...`,
//!   `$x->Prop['a']['b'] = ...` and the calls a client asked about, also on receivers like
//!   `$this->mailer`,
//! - the arrays a top-level `return [...]` hands to a framework,
//! - the constants `define('NAME', value)` creates and the values top-level `$name = ...`
//!   assignments give (a `wp-config.php`, Nextcloud's `$CONFIG = [...]`),
//! - every secret-looking value (by the name it is given to, and passwords in URLs).
//!
//! Values are read without running the code (`eval.rs`): literals, class constants the client
//! names, `define()`d constants, variables assigned earlier in the same function, properties set
//! earlier on the same object, and environment reads (`getenv('X')`, `$_ENV['X']`,
//! `$_SERVER['X']`, Laravel's `env('X', default)`, with casts and `?:` / `??` defaults).

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::extract::syntax::ids::{FieldOf, Kinds, TsField};
use crate::extract::syntax::tree::{first_error, walk_tree, walk_tree_depth, widen};
use crate::finding::{Finding, Label, Severity};
use crate::source::{FileId, Loc};

mod eval;
pub mod objects;
mod stmt;
pub mod value;

use objects::{Branches, Objects};
use value::{Arr, Expr};

/// How deep expression evaluation goes (nested casts, arrays, parentheses).
const MAX_DEPTH: u8 = 24;
/// Receivers longer than this are not tracked (`$a->b()->c(...)->Host = ...` chains).
const MAX_RECEIVER: usize = 160;

/// What a client asks the reader to look at.
pub struct Interest {
    /// Class constants a library defines: (class, constant, value). `self::`, `static::` and
    /// `parent::` name them too (in a subclass).
    pub class_consts: &'static [(&'static str, &'static str, &'static str)],
    /// The methods whose calls are recorded on objects, in lower case.
    pub methods: &'static [&'static str],
}

/// What the reader found in one file.
pub struct PhpFile {
    pub objects: Objects,
    /// Arrays returned at the top level of the file (a Laravel config file returns one).
    pub returns: Vec<(Arr, Range<usize>)>,
    /// `define('NAME', value)` calls, in file order.
    pub defines: Vec<Binding>,
    /// `$name = value` at the top level of the file (outside functions), in file order.
    pub globals: Vec<Binding>,
    /// Secret-looking values: given to a secret-looking name, or the password of a URL.
    pub secrets: Vec<Range<usize>>,
    tree: Tree,
}

/// A name given a value: a constant by `define()`, or a variable assigned at the top level.
#[derive(Clone, Debug)]
pub struct Binding {
    /// The constant's name, or the variable's without `$`.
    pub name: String,
    /// The name as written (inside the quotes for a constant, `$` included for a variable).
    pub name_span: Range<usize>,
    pub value: Expr,
    /// The whole call or assignment.
    pub stmt: Range<usize>,
    /// Inside an `if`/`else` arm or a `switch` case: it may not run.
    pub conditional: bool,
    /// For a write into an array variable (`$CONFIG['mail_smtphost'] = ...`), the keys written
    /// (each with its span); `value` is then the value written there. Empty for `$name = ...`.
    pub path: Vec<(String, Range<usize>)>,
}

/// Read a PHP file; `None` only when the parser cannot be set up.
pub fn read(text: &str, interest: &Interest) -> Option<PhpFile> {
    let tree = parse(text)?;
    let mut w = Walker::new(text, interest, Kinds::of(tree.root_node()));
    walk_tree_depth(tree.root_node(), |n, depth| w.enter(n, depth));
    Some(PhpFile {
        objects: w.objects,
        returns: w.returns,
        defines: w.defines,
        globals: w.globals,
        secrets: w.secrets,
        tree,
    })
}

impl PhpFile {
    /// The first syntax error, as a warning: the rest of the file was still read.
    pub fn syntax_error(&self, file: FileId, text: &str) -> Option<Finding> {
        let root = self.tree.root_node();
        if !root.has_error() {
            return None;
        }
        // Only the first top-level statement holding an error is searched.
        let mut c = root.walk();
        let first = root.children(&mut c).find(|n| n.has_error());
        let scope = first.filter(|_| !root.is_error()).unwrap_or(root);
        let span = first_error(scope)?;
        let (message, span) = if span.is_empty() {
            let what = match missing_kind(scope, span.start) {
                Some(k) if k.len() <= 12 && k.is_ascii() => format!("`{k}`"),
                _ => "something".into(),
            };
            (
                format!("PHP syntax error: {what} is missing here"),
                widen(text, span),
            )
        } else {
            let start = span.start.min(text.len());
            let end = span.end.min(text.len());
            let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
            let span = if line_end > start {
                start..line_end
            } else {
                widen(text, start..start)
            };
            (
                "PHP syntax error: this code does not parse".to_owned(),
                span,
            )
        };
        Some(
            Finding::new(
                "parse-error",
                Severity::Warning,
                message,
                Label::new(Loc::new(file, span), "here"),
            )
            .with_help(
                "fix the PHP syntax (a missing `;`, `)` or quote is the usual cause); \
                 settings near the error may have been missed",
            ),
        )
    }
}

/// The kind of the MISSING node at `at` inside `scope`.
fn missing_kind(scope: Node, at: usize) -> Option<&'static str> {
    let mut kind = None;
    walk_tree(scope, |n| {
        if kind.is_none() && n.is_missing() && n.start_byte() == at {
            kind = Some(n.kind());
        }
    });
    kind
}

/// Parse with the full grammar when the text has a PHP open tag or starts with markup, else as
/// bare PHP (a snippet).
fn parse(text: &str) -> Option<Tree> {
    // A byte order mark becomes spaces, so that offsets stay the same.
    let owned;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            owned = format!("   {rest}");
            owned.as_str()
        }
        None => text,
    };
    let language = if all_php(text) {
        tree_sitter_php::LANGUAGE_PHP_ONLY
    } else {
        tree_sitter_php::LANGUAGE_PHP
    };
    crate::extract::syntax::tree::parse_in(&language.into(), text)
}

/// Whether the text is PHP throughout, so that the grammar without markup reads it: a snippet
/// with no open tag, or a file that opens with `<?php` and never closes the tag (most
/// configuration files). That grammar gives the same tree and parses about a fifth faster.
/// Markup (a template, text before the tag, a `?>`) needs the full grammar: there it is text.
fn all_php(text: &str) -> bool {
    if text
        .get(..5)
        .is_some_and(|t| t.eq_ignore_ascii_case("<?php"))
    {
        return !text.contains("?>");
    }
    !(text.trim_start().starts_with('<') || contains_ignore_case(text, "<?php"))
}

pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The `if`/`elseif`/`else` arms and `switch` cases a statement sits in, up to its function.
/// One node on the path from the root to the node being read: what [`branches`] needs of it.
#[derive(Clone, Copy)]
pub(super) struct Step {
    id: usize,
    kind: &'static str,
    /// For `if`/`elseif`: the id of the condition.
    condition: Option<usize>,
}

impl Step {
    fn of(node: Node, kind: &'static str) -> Step {
        let condition = matches!(kind, "if_statement" | "else_if_clause")
            .then(|| node.field(TsField::Condition).map(|c| c.id()))
            .flatten();
        Step {
            id: node.id(),
            kind,
            condition,
        }
    }
}

/// The branches the last node of `path` sits in, innermost first, up to its function.
fn branches(path: &[Step]) -> Branches {
    let mut out = Vec::new();
    for i in (1..path.len()).rev().take(512) {
        let (cur, parent) = (path[i], path[i - 1]);
        let grandparent = i.checked_sub(2).map(|g| path[g]);
        match parent.kind {
            "if_statement" | "else_if_clause" if parent.condition != Some(cur.id) => {
                // For an `elseif`/`else` clause the owner is the `if` it belongs to.
                let (owner, arm) = if parent.kind == "else_if_clause" {
                    (grandparent.map_or(parent.id, |g| g.id), parent.id)
                } else {
                    (parent.id, cur.id)
                };
                if !out.contains(&(owner, arm)) {
                    out.push((owner, arm));
                }
            }
            "else_clause" => {
                if let Some(owner) = grandparent {
                    out.push((owner.id, parent.id));
                }
            }
            "switch_block" if matches!(cur.kind, "case_statement" | "default_statement") => {
                out.push((parent.id, cur.id));
            }
            _ => {}
        }
        if is_function(parent.kind) {
            break;
        }
    }
    out
}

/// The text of a node, or "" when its range is not valid in `text`.
fn node_text<'t>(text: &'t str, n: Node) -> &'t str {
    text.get(n.byte_range()).unwrap_or("")
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "method_declaration"
            | "anonymous_function"
            | "anonymous_function_creation_expression"
            | "arrow_function"
    )
}

fn is_class(kind: &str) -> bool {
    matches!(
        kind,
        "class_declaration" | "trait_declaration" | "enum_declaration" | "interface_declaration"
    )
}

/// A scope the walk is in: its node id and where it ends.
#[derive(Clone, Copy)]
struct Scope {
    id: usize,
    end: usize,
}

/// One walk over the tree, in source order.
struct Walker<'a> {
    text: &'a str,
    interest: &'a Interest,
    kinds: Kinds,
    /// Variables: (function scope, name without `$`) -> last value assigned.
    vars: HashMap<(usize, String), Expr>,
    /// `define('NAME', ...)` and `const NAME = ...`.
    consts: HashMap<String, Expr>,
    objects: Objects,
    returns: Vec<(Arr, Range<usize>)>,
    defines: Vec<Binding>,
    globals: Vec<Binding>,
    secrets: Vec<Range<usize>>,
    fn_scopes: Vec<Scope>,
    class_scopes: Vec<Scope>,
    /// The path from the root to the node being read.
    path: Vec<Step>,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str, interest: &'a Interest, kinds: Kinds) -> Self {
        Walker {
            text,
            interest,
            kinds,
            vars: HashMap::new(),
            consts: HashMap::new(),
            objects: Objects::default(),
            returns: Vec::new(),
            defines: Vec::new(),
            globals: Vec::new(),
            secrets: Vec::new(),
            fn_scopes: Vec::new(),
            class_scopes: Vec::new(),
            path: Vec::new(),
        }
    }

    fn t(&self, n: Node) -> &'a str {
        node_text(self.text, n)
    }

    /// The kind of a node (what `n.kind()` gives, looked up by kind id).
    fn kind(&self, n: Node) -> &'static str {
        self.kinds.kind(n)
    }

    fn fn_scope(&self) -> usize {
        self.fn_scopes.last().map_or(0, |s| s.id)
    }

    fn class_scope(&self) -> usize {
        self.class_scopes.last().map_or(0, |s| s.id)
    }

    fn enter(&mut self, node: Node, depth: usize) {
        let kind = self.kind(node);
        self.path.truncate(depth);
        self.path.push(Step::of(node, kind));
        // Nodes come in document order: a scope is over once a node ends after it.
        let end = node.end_byte();
        for scopes in [&mut self.fn_scopes, &mut self.class_scopes] {
            while scopes.last().is_some_and(|s| end > s.end) {
                scopes.pop();
            }
        }
        let scope = Scope { id: node.id(), end };
        if is_function(kind) {
            self.fn_scopes.push(scope);
            return;
        }
        if is_class(kind) {
            self.class_scopes.push(scope);
            return;
        }
        match kind {
            "assignment_expression" => self.assignment(node),
            "member_call_expression" | "nullsafe_member_call_expression" => self.method_call(node),
            "function_call_expression" => self.function_call(node),
            "const_element" => self.const_element(node),
            "array_element_initializer" => self.array_element_secret(node),
            "property_element" => self.property_element(node),
            "return_statement" if self.fn_scopes.is_empty() => {
                if let Some(e) = node.named_child(0) {
                    if let Expr::Array(a) = self.eval(e, 0) {
                        self.returns.push((a, node.byte_range()));
                    }
                }
            }
            "string" | "encapsed_string" => self.url_secret(node),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
