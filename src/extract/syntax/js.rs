//! JavaScript and TypeScript (CommonJS or ESM), read with tree-sitter grammars (error-tolerant,
//! so a pasted fragment works): names and what they are bound to (also destructured
//! `const { X } = process.env`), later `obj.prop = value` assignments, renamed imports, calls,
//! and the spans of secret-looking literals. `eval` (in `js/eval.rs`) turns expressions into
//! [`Val`]s, env reads included (`process.env.X`, `|| 'd'`, `Number(...)`, `=== 'true'`), each
//! read the way JavaScript does (a raw `"false"` is truthy); `flatten` reads an options object.
//! Nothing here knows about mail: Nodemailer is `extract::clients::nodemailer`.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::tree::reads_code;
use super::tree::{
    child_spans, count_errors, fields, literal_pieces, nodes_of_kinds, squash, text, Code,
};
use super::url::password_span;
use super::value::{unescape, Bindings, EnvRead, MAX_DEPTH};
use crate::extract::is_secret_key;
use crate::extract::syntax::ids::{FieldOf, Kinds, TsField};
use crate::source::FileId;

mod eval;

pub use eval::{last, Entry};

/// Expressions a string built from pieces is searched through: `+` and the wrappers that do
/// not change a value.
const JOINS: &[&str] = &[
    "binary_expression",
    "parenthesized_expression",
    "as_expression",
    "satisfies_expression",
    "non_null_expression",
    "type_assertion",
    "await_expression",
];

/// Parse with the grammar the extension names; when that leaves errors, try the other dialect
/// (TypeScript annotations pasted into a `.js` file, JSX in `.ts`) and keep the cleaner tree.
pub fn parse(text: &str, typescript: bool) -> Option<Tree> {
    let js: tree_sitter::Language = tree_sitter_javascript::LANGUAGE.into();
    let ts: tree_sitter::Language = tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into();
    let tsx: tree_sitter::Language = tree_sitter_typescript::LANGUAGE_TSX.into();
    let order = if typescript {
        [ts, tsx, js]
    } else {
        [js, ts, tsx]
    };
    let mut best: Option<(usize, Tree)> = None;
    for lang in order {
        let Some(tree) = super::tree::parse_in(&lang, text) else {
            continue;
        };
        if !tree.root_node().has_error() {
            return Some(tree);
        }
        let errors = count_errors(tree.root_node());
        if best.as_ref().is_none_or(|(e, _)| errors < *e) {
            best = Some((errors, tree));
        }
    }
    best.map(|(_, t)| t)
}

/// What a name is bound to.
#[derive(Clone)]
pub enum Bind<'t> {
    Node(Node<'t>),
    /// `const { SMTP_HOST } = process.env`.
    Env(EnvRead),
}

/// `x.prop = value` somewhere in the file.
pub struct MemberSet<'t> {
    pub object: String,
    pub prop: String,
    pub key_span: Range<usize>,
    pub value: Node<'t>,
    pub pos: usize,
}

/// `import { a as b }` (no module) or `const { a: b } = require('m')`.
pub struct Rename {
    pub module: Option<String>,
    pub name: String,
    pub alias: String,
}

/// The nodes the first pass reads: bindings, imports, calls and the places secrets are written.
const FIRST_PASS: &[&str] = &[
    "variable_declarator",
    "assignment_expression",
    "import_specifier",
    "call_expression",
    "pair",
    "string",
    "template_string",
    "public_field_definition",
];

/// One JavaScript file: what its first pass collected, and the evaluator.
pub struct JsFile<'t> {
    code: Code<'t>,
    bindings: Bindings<Bind<'t>>,
    pub member_sets: Vec<MemberSet<'t>>,
    pub renames: Vec<Rename>,
    /// Every call, in file order.
    pub calls: Vec<Node<'t>>,
    /// Spans of secret-looking string literals (by their key, or passwords inside URLs).
    pub secrets: Vec<Range<usize>>,
}

reads_code!(JsFile);

impl<'t> JsFile<'t> {
    /// Read a file whose tree [`parse`] built from `src`.
    pub fn read(file: FileId, src: &'t str, root: Node<'t>) -> Self {
        let mut js = JsFile {
            code: Code::new(file, src),
            bindings: Bindings::default(),
            member_sets: Vec::new(),
            renames: Vec::new(),
            calls: Vec::new(),
            secrets: Vec::new(),
        };
        js.collect(root);
        js
    }

    fn collect(&mut self, root: Node<'t>) {
        let kinds = Kinds::of(root);
        for n in nodes_of_kinds(root, FIRST_PASS) {
            match kinds.kind(n) {
                "variable_declarator" => self.declarator(n),
                "assignment_expression" => self.assignment(n),
                "import_specifier" => {
                    let name = n.field(TsField::Name).map(|x| self.t(x));
                    let alias = n.field(TsField::Alias).map(|x| self.t(x));
                    if let (Some(name), Some(alias)) = (name, alias) {
                        self.renames.push(Rename {
                            module: None,
                            name: name.to_owned(),
                            alias: alias.to_owned(),
                        });
                    }
                }
                "call_expression" => self.calls.push(n),
                "pair" => self.secret_pair(n),
                "public_field_definition" => {
                    if let (Some(name), Some(value)) = (
                        n.field(TsField::Name)
                            .or_else(|| n.field(TsField::Property)),
                        n.field(TsField::Value),
                    ) {
                        let name = self.t(name).to_owned();
                        self.secret_string(&name, value);
                    }
                }
                _ => self.secret_url(n),
            }
        }
    }

    fn bind(&mut self, name: &str, pos: usize, b: Bind<'t>) {
        self.bindings.bind(name, pos, b);
    }

    fn declarator(&mut self, n: Node<'t>) {
        let (Some(name), value) = (n.field(TsField::Name), n.field(TsField::Value)) else {
            return;
        };
        let pos = n.start_byte();
        match name.kind() {
            "identifier" => {
                if let Some(v) = value {
                    let nm = self.t(name).to_owned();
                    self.secret_string(&nm, v);
                    self.bind(&nm, pos, Bind::Node(v));
                }
            }
            "object_pattern" => {
                let Some(v) = value else { return };
                let v = unwrap(v);
                if is_env_object(self.t(v)) {
                    self.env_pattern(name, pos);
                } else if let Some(module) = required_module(v, self.src) {
                    let mut c = name.walk();
                    for p in name.named_children(&mut c) {
                        if p.kind() == "pair_pattern" {
                            let key = p.field(TsField::Key).map(|k| self.t(k));
                            let val = p.field(TsField::Value);
                            if let (Some(key), Some(v)) = (key, val) {
                                if v.kind() == "identifier" {
                                    self.renames.push(Rename {
                                        module: Some(module.clone()),
                                        name: key.to_owned(),
                                        alias: self.t(v).to_owned(),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// `const { SMTP_HOST, SMTP_PORT: port = '587' } = process.env`.
    fn env_pattern(&mut self, pattern: Node<'t>, pos: usize) {
        let mut c = pattern.walk();
        let children: Vec<Node> = pattern.named_children(&mut c).collect();
        for p in children {
            let (var, local, default) = match p.kind() {
                "shorthand_property_identifier_pattern" => (p, p, None),
                "object_assignment_pattern" => {
                    let Some(l) = p.field(TsField::Left) else {
                        continue;
                    };
                    (l, l, p.field(TsField::Right))
                }
                "pair_pattern" => {
                    let Some([k, v]) = fields(p, [TsField::Key, TsField::Value]) else {
                        continue;
                    };
                    match v.kind() {
                        "identifier" => (k, v, None),
                        "assignment_pattern" => match v.field(TsField::Left) {
                            Some(l) => (k, l, v.field(TsField::Right)),
                            None => continue,
                        },
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let var_name = match var.kind() {
                "string" => unescape(inner(self.src, var).1),
                _ => self.t(var).to_owned(),
            };
            let read = EnvRead {
                var: var_name,
                reference: p.byte_range(),
                default: default.and_then(|d| self.eval(d, 1).default_text()),
                // A destructuring default applies only to a missing variable.
                default_if_empty: false,
            };
            let local = self.t(local).to_owned();
            self.bind(&local, pos, Bind::Env(read));
        }
    }

    fn assignment(&mut self, n: Node<'t>) {
        let Some([left, right]) = fields(n, [TsField::Left, TsField::Right]) else {
            return;
        };
        match left.kind() {
            "identifier" => {
                let nm = self.t(left).to_owned();
                self.secret_string(&nm, right);
                self.bind(&nm, n.start_byte(), Bind::Node(right));
            }
            "member_expression" => {
                let Some([obj, prop]) = fields(left, [TsField::Object, TsField::Property]) else {
                    return;
                };
                let prop_name = self.t(prop).to_owned();
                self.secret_string(&prop_name, right);
                self.member_sets.push(MemberSet {
                    object: squash(self.t(obj)),
                    prop: prop_name,
                    key_span: prop.byte_range(),
                    value: right,
                    pos: n.start_byte(),
                });
            }
            _ => {}
        }
    }

    pub fn lookup(&self, name: &str, pos: usize) -> Option<&Bind<'t>> {
        self.bindings.lookup(name, pos)
    }

    // Secrets: every secret-looking literal in the file, SMTP or not.

    fn secret_pair(&mut self, n: Node<'t>) {
        let Some([k, v]) = fields(n, [TsField::Key, TsField::Value]) else {
            return;
        };
        let key = match k.kind() {
            "string" => inner(self.src, k).1.to_owned(),
            _ => self.t(k).to_owned(),
        };
        self.secret_string(&key, v);
    }

    fn secret_string(&mut self, key: &str, v: Node<'t>) {
        if is_secret_key(key) {
            self.secrets.extend(self.secret_pieces(v));
        }
    }

    /// The value of a password option: the spans of every string literal it is built from
    /// (`'a' + 'b'`, the text of a template literal), so that a password written in pieces is
    /// masked.
    pub fn secret_pieces(&self, v: Node<'t>) -> Vec<Range<usize>> {
        literal_pieces(v, JOINS, &|n| match n.kind() {
            "template_string" if has_substitution(n) => Some(child_spans(n, "string_fragment")),
            "string" | "template_string" => Some(vec![inner(self.src, n).0]),
            _ => None,
        })
    }

    /// Passwords inside connection URLs (`smtps://user:pass@host`).
    fn secret_url(&mut self, n: Node<'t>) {
        let (span, raw) = inner(self.src, n);
        if let Some(p) = password_span(raw) {
            self.secrets.push(span.start + p.start..span.start + p.end);
        }
    }
}

/// Strip wrappers that do not change a value: parentheses, TypeScript casts, `await`.
pub fn unwrap(n: Node) -> Node {
    let mut n = n;
    for _ in 0..MAX_DEPTH {
        match n.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion"
            | "await_expression" => match expr_child(n) {
                Some(c) => n = c,
                None => return n,
            },
            _ => return n,
        }
    }
    n
}

/// The expression inside a wrapper (the cast's operand, not its type).
fn expr_child(n: Node) -> Option<Node> {
    let mut c = n.walk();
    let kids: Vec<Node> = n
        .named_children(&mut c)
        .filter(|k| k.kind() != "comment")
        .collect();
    match n.kind() {
        "type_assertion" => kids.last().copied(),
        _ => kids.first().copied(),
    }
}

/// The content span and raw text of a string or template literal (inside the quotes).
pub fn inner<'s>(src: &'s str, n: Node) -> (Range<usize>, &'s str) {
    let r = n.byte_range();
    if r.end >= r.start + 2 && r.end <= src.len() {
        let span = r.start + 1..r.end - 1;
        if let Some(t) = src.get(span.clone()) {
            return (span, t);
        }
    }
    (r.clone(), src.get(r).unwrap_or(""))
}

pub fn has_substitution(n: Node) -> bool {
    let mut c = n.walk();
    let found = n
        .named_children(&mut c)
        .any(|k| k.kind() == "template_substitution");
    found
}

pub fn is_env_object(t: &str) -> bool {
    matches!(
        squash(t).as_str(),
        "process.env"
            | "import.meta.env"
            | "Bun.env"
            | "globalThis.process.env"
            | "global.process.env"
    )
}

/// `require('m')`: the module name.
fn required_module(n: Node, src: &str) -> Option<String> {
    if n.kind() != "call_expression"
        || n.field(TsField::Function).map(|f| text(f, src)) != Some("require")
    {
        return None;
    }
    let s = n.field(TsField::Arguments)?.named_child(0)?;
    Some(inner(src, s).1.to_owned())
}

/// The name a call's result is kept under (`transporter`, `this.mailer` -> `mailer`).
pub fn assigned_name(call: Node, src: &str) -> Option<String> {
    let mut n = call;
    for _ in 0..8 {
        let parent = n.parent()?;
        match parent.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => n = parent,
            "variable_declarator" => {
                let name = parent.field(TsField::Name)?;
                return (name.kind() == "identifier").then(|| text(name, src).to_owned());
            }
            "assignment_expression" => {
                let left = squash(text(parent.field(TsField::Left)?, src));
                return left.rsplit('.').next().map(str::to_owned);
            }
            "pair" => return parent.field(TsField::Key).map(|k| text(k, src).to_owned()),
            "public_field_definition" => {
                return parent
                    .field(TsField::Name)
                    .or_else(|| parent.field(TsField::Property))
                    .map(|k| text(k, src).to_owned())
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests;
