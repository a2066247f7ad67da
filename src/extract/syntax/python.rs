//! Python, read with the tree-sitter Python grammar (error-tolerant, so a pasted snippet works):
//! names and their assignments, imports, calls and method calls, and the evaluation of
//! expressions into [`Val`]s, environment reads included (`os.environ['X']`, `os.getenv('X', d)`,
//! `os.environ.get`, django-environ `env(...)` / `env.bool(...)` with its `Env(X=(bool, d))`
//! schema, python-decouple `config(..., cast=bool)`, comparisons such as `== 'True'`), each read
//! the way Python does (a raw `"False"` is truthy). Nothing here knows about mail: smtplib and
//! Django settings are `extract::clients::{smtplib, django}`.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

mod eval;

use super::tree::reads_code;
use super::tree::{
    child_spans, fields, literal_pieces, nodes_of_kinds_in, squash, text, Code, Found,
};
use super::url::password_span;
use super::value::{unescape, Bindings, MAX_DEPTH};
use crate::extract::is_secret_key;
use crate::extract::syntax::ids::{FieldOf, Kinds, TsField};
use crate::source::FileId;

/// Parse Python text (comments blanked first, see [`blank_comments`]).
pub fn parse(text: &str) -> Option<Tree> {
    let blanked = blank_comments(text);
    let text = blanked.as_deref().unwrap_or(text);
    super::tree::parse_in(&tree_sitter_python::LANGUAGE.into(), text)
}

/// The text with every comment turned into spaces (same length, same offsets), or `None` when
/// it has no `#`. The grammar's scanner looks past every comment line that follows a line end
/// to find the next indentation, once per comment line, so runs of comment lines cost
/// quadratic time; blank lines it passes in one step. Nothing here reads comments.
fn blank_comments(text: &str) -> Option<String> {
    if !text.contains('#') {
        return None;
    }
    let mut b = text.as_bytes().to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    b[i] = b' ';
                    i += 1;
                }
            }
            q @ (b'\'' | b'"') => {
                let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'\n' if !triple => break,
                        c if c == q
                            && (!triple
                                || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) =>
                        {
                            i += if triple { 2 } else { 0 };
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, and only whole comments: still UTF-8.
    String::from_utf8(b).ok()
}

/// `import m as a` (name `None`) or `from m import name as a`.
pub struct Import {
    pub module: String,
    pub name: Option<String>,
    pub alias: String,
}

/// A method call on some object: `s.login(...)`.
pub struct MethodCall<'t> {
    /// The object's text without whitespace (`self.server`).
    pub object: String,
    pub object_node: Node<'t>,
    pub method: String,
    pub name_node: Node<'t>,
    pub args: Node<'t>,
    pub pos: usize,
}

/// `obj['Key'] = value`.
pub struct ItemSet<'t> {
    /// The object's text without whitespace (`app.config`).
    pub object: String,
    pub key: String,
    /// The key's span inside its quotes.
    pub key_span: Range<usize>,
    pub value: Node<'t>,
}

/// The nodes the first pass reads: assignments, imports, calls and the places secrets are written.
const FIRST_PASS: &[&str] = &[
    "assignment",
    "import_statement",
    "import_from_statement",
    "call",
    "keyword_argument",
    "pair",
    "string",
];

/// One Python file: what its first pass collected, and the evaluator.
pub struct PyFile<'t> {
    code: Code<'t>,
    /// Name (or dotted attribute) -> assignments in file order.
    pub bindings: Bindings<Node<'t>>,
    /// Module-level assignments to plain names: (name, target span, value), in file order.
    pub module: Vec<(String, Range<usize>, Node<'t>)>,
    pub imports: Vec<Import>,
    pub calls: Vec<Node<'t>>,
    /// The parent of each call (by node id), known from the walk.
    parents: HashMap<usize, Node<'t>>,
    /// Method calls (`x.m(...)`), in file order.
    pub methods: Vec<MethodCall<'t>>,
    /// `obj['Key'] = value`, in file order.
    pub item_sets: Vec<ItemSet<'t>>,
    /// Spans of secret-looking string literals (by their key, or passwords inside URLs).
    pub secrets: Vec<Range<usize>>,
    /// Names of django-environ / environs `Env` instances.
    env_objects: Vec<String>,
    /// `config` from python-decouple.
    decouple: Vec<String>,
    /// django-environ schema given to `Env(VAR=(bool, default))`: var -> (type, default).
    env_schema: HashMap<String, (String, Option<Node<'t>>)>,
}

reads_code!(PyFile);

impl<'t> PyFile<'t> {
    /// Read a file whose tree [`parse`] built from `src`.
    pub fn read(file: FileId, src: &'t str, root: Node<'t>) -> Self {
        let mut py = PyFile {
            code: Code::new(file, src),
            bindings: Bindings::default(),
            module: Vec::new(),
            parents: HashMap::new(),
            imports: Vec::new(),
            calls: Vec::new(),
            methods: Vec::new(),
            item_sets: Vec::new(),
            secrets: Vec::new(),
            env_objects: Vec::new(),
            decouple: Vec::new(),
            env_schema: HashMap::new(),
        };
        py.collect(root);
        py
    }

    /// The name a call's result is kept under: `s = SMTP(...)`, `with SMTP(...) as s`,
    /// `self.server = SMTP(...)`.
    pub fn assigned_to(&self, call: Node<'t>) -> Option<String> {
        assigned_to(*self.parents.get(&call.id())?, self.src)
    }

    // -----------------------------------------------------------------------------------------
    // First pass
    // -----------------------------------------------------------------------------------------

    fn collect(&mut self, root: Node<'t>) {
        let scopes = ["function_definition", "class_definition", "lambda"];
        let kinds = Kinds::of(root);
        for Found {
            node: n,
            parent,
            scoped,
        } in nodes_of_kinds_in(root, FIRST_PASS, &scopes)
        {
            match kinds.kind(n) {
                "assignment" => self.assignment(n, !scoped),
                "import_statement" => self.import(n, None),
                "import_from_statement" => {
                    let module = n.field(TsField::ModuleName).map(|m| self.t(m));
                    self.import(n, Some(module.unwrap_or_default().to_owned()))
                }
                "call" => {
                    self.calls.push(n);
                    if let Some(p) = parent {
                        self.parents.insert(n.id(), p);
                    }
                    self.method_call(n);
                }
                "keyword_argument" => {
                    if let Some([k, v]) = fields(n, [TsField::Name, TsField::Value]) {
                        let key = self.t(k).to_owned();
                        self.secret_string(&key, v);
                    }
                }
                "pair" => {
                    if let Some([k, v]) = fields(n, [TsField::Key, TsField::Value]) {
                        if let Some((_, key)) = self.plain_string(k) {
                            self.secret_string(&key, v);
                        }
                    }
                }
                _ => self.secret_url(n),
            }
        }
        self.env_libraries();
    }

    /// django-environ schema: `env = environ.Env(EMAIL_USE_TLS=(bool, False))`.
    fn env_libraries(&mut self) {
        for i in &self.imports {
            if i.module == "decouple" && i.name.as_deref() == Some("config") {
                self.decouple.push(i.alias.clone());
            }
        }
        let envs: Vec<Node<'t>> = self
            .calls
            .iter()
            .copied()
            .filter(|c| {
                c.field(TsField::Function)
                    .is_some_and(|f| matches!(squash(self.t(f)).as_str(), "environ.Env" | "Env"))
            })
            .collect();
        for c in envs {
            if let Some(target) = self.assigned_to(c) {
                self.env_objects.push(target);
            }
            let Some(args) = c.field(TsField::Arguments) else {
                continue;
            };
            let mut cur = args.walk();
            for kw in args.named_children(&mut cur) {
                if kw.kind() != "keyword_argument" {
                    continue;
                }
                let Some([k, v]) = fields(kw, [TsField::Name, TsField::Value]) else {
                    continue;
                };
                if v.kind() == "tuple" {
                    let ty = v
                        .named_child(0)
                        .map(|t| self.t(t).to_owned())
                        .unwrap_or_default();
                    let default = v.named_child(1);
                    self.env_schema.insert(self.t(k).to_owned(), (ty, default));
                }
            }
        }
    }

    fn assignment(&mut self, n: Node<'t>, module_level: bool) {
        let Some([left, right]) = fields(n, [TsField::Left, TsField::Right]) else {
            return;
        };
        match left.kind() {
            "identifier" | "attribute" => {
                let name = squash(self.t(left));
                let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
                self.secret_string(&last, right);
                self.bindings.bind(&name, n.start_byte(), right);
                if left.kind() == "identifier" && module_level {
                    self.module.push((name, left.byte_range(), right));
                }
            }
            "subscript" => {
                let Some([obj, key]) = fields(left, [TsField::Value, TsField::Subscript]) else {
                    return;
                };
                if let Some((key_span, k)) = self.plain_string(key) {
                    self.secret_string(&k, right);
                    self.item_sets.push(ItemSet {
                        object: squash(self.t(obj)),
                        key: k,
                        key_span,
                        value: right,
                    });
                }
            }
            _ => {}
        }
    }

    /// `import a.b as c, d` (from `None`) and `from m import x as y, z` (from `Some(m)`).
    fn import(&mut self, n: Node<'t>, from: Option<String>) {
        let mut c = n.walk();
        let names: Vec<Node<'t>> = n.children_by_field_name("name", &mut c).collect();
        for name in names {
            let (orig, alias) = match name.kind() {
                "aliased_import" => (
                    name.field(TsField::Name).map(|x| self.t(x)),
                    name.field(TsField::Alias).map(|x| self.t(x)),
                ),
                _ => (Some(self.t(name)), Some(self.t(name))),
            };
            let (Some(orig), Some(alias)) = (orig, alias) else {
                continue;
            };
            let (module, name) = match &from {
                Some(m) => (m.clone(), Some(orig.to_owned())),
                None => (orig.to_owned(), None),
            };
            let alias = alias.to_owned();
            self.imports.push(Import {
                module,
                name,
                alias,
            });
        }
    }

    fn method_call(&mut self, n: Node<'t>) {
        let Some([f, args]) = fields(n, [TsField::Function, TsField::Arguments]) else {
            return;
        };
        if f.kind() != "attribute" {
            return;
        }
        let Some([obj, attr]) = fields(f, [TsField::Object, TsField::Attribute]) else {
            return;
        };
        self.methods.push(MethodCall {
            object: squash(self.t(obj)),
            object_node: obj,
            method: self.t(attr).to_owned(),
            name_node: attr,
            args,
            pos: n.start_byte(),
        });
    }

    /// The value of a password option: the spans of every string literal it is built from
    /// (`'a' + 'b'`, `'a' 'b'`, an f-string's text), so that a password written in pieces is
    /// masked.
    pub fn secret_pieces(&self, v: Node<'t>) -> Vec<Range<usize>> {
        let joins = [
            "concatenated_string",
            "binary_operator",
            "parenthesized_expression",
        ];
        literal_pieces(v, &joins, &|n| {
            (n.kind() == "string").then(|| match self.plain_string(n) {
                Some((span, _)) => vec![span],
                None => child_spans(n, "string_content"),
            })
        })
    }

    fn secret_string(&mut self, key: &str, v: Node<'t>) {
        if is_secret_key(key) {
            self.secrets.extend(self.secret_pieces(v));
        }
    }

    /// Passwords inside URLs (`smtp://user:pass@host`).
    fn secret_url(&mut self, n: Node<'t>) {
        if let Some((span, raw)) = content(n, self.src) {
            if let Some(p) = password_span(raw) {
                self.secrets.push(span.start + p.start..span.start + p.end);
            }
        }
    }

    /// A string literal without interpolation: its content span and decoded text.
    pub fn plain_string(&self, n: Node<'t>) -> Option<(Range<usize>, String)> {
        if n.kind() != "string" {
            return None;
        }
        let mut c = n.walk();
        if n.named_children(&mut c)
            .any(|k| k.kind() == "interpolation")
        {
            return None;
        }
        let (span, raw) = content(n, self.src)?;
        let prefix = n
            .child(0)
            .map(|s| self.t(s).to_ascii_lowercase())
            .unwrap_or_default();
        let text = if prefix.contains('r') {
            raw.to_owned()
        } else {
            unescape(raw)
        };
        Some((span, text))
    }

    pub fn lookup(&self, name: &str, pos: usize) -> Option<Node<'t>> {
        self.bindings.lookup(name, pos).copied()
    }

    /// The call's positional argument `i`, or its keyword argument `name`.
    pub fn arg(&self, args: Node<'t>, i: usize, name: &str) -> Option<Node<'t>> {
        if !name.is_empty() {
            if let Some(v) = self.kw(args, name) {
                return Some(v);
            }
        }
        let mut c = args.walk();
        let positional: Vec<Node> = args
            .named_children(&mut c)
            .filter(|a| {
                !matches!(
                    a.kind(),
                    "keyword_argument" | "comment" | "list_splat" | "dictionary_splat"
                )
            })
            .collect();
        positional.get(i).copied()
    }

    pub fn kw(&self, args: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut c = args.walk();
        let found = args
            .named_children(&mut c)
            .filter(|a| a.kind() == "keyword_argument")
            .find(|a| a.field(TsField::Name).is_some_and(|n| self.t(n) == name))
            .and_then(|a| a.field(TsField::Value));
        found
    }

    fn has_kw(&self, args: Node<'t>, name: &str) -> bool {
        self.kw(args, name).is_some()
    }
}

/// Strip parentheses.
pub fn unwrap(n: Node) -> Node {
    let mut n = n;
    for _ in 0..MAX_DEPTH {
        if n.kind() == "parenthesized_expression" {
            match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            }
        } else {
            return n;
        }
    }
    n
}

/// Content span and raw text of a Python string literal (between its quotes).
pub fn content<'s>(n: Node, src: &'s str) -> Option<(Range<usize>, &'s str)> {
    if n.kind() != "string" {
        return None;
    }
    let count = n.child_count();
    let start = n.child(0).filter(|c| c.kind() == "string_start")?;
    let end = n
        .child(u32::try_from(count.checked_sub(1)?).ok()?)
        .filter(|c| c.kind() == "string_end")?;
    let span = start.end_byte()..end.start_byte();
    if span.start > span.end {
        return None;
    }
    Some((span.clone(), src.get(span)?))
}

/// The name under which `parent` keeps the value of its child call.
fn assigned_to(parent: Node, src: &str) -> Option<String> {
    match parent.kind() {
        "assignment" => parent
            .field(TsField::Left)
            .filter(|l| matches!(l.kind(), "identifier" | "attribute"))
            .map(|l| squash(text(l, src))),
        "as_pattern" => parent.field(TsField::Alias).map(|a| squash(text(a, src))),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
