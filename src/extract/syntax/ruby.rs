//! Ruby, read with the tree-sitter Ruby grammar (error-tolerant, so a pasted snippet works):
//! local variables and constants and what they are bound to, assignments to attributes
//! (`config.action_mailer.smtp_settings = {...}`) and to their elements (`x[:address] = ...`),
//! hash literals as keys with their kind (symbol or String) and spans, and the evaluation of
//! expressions into [`Val`]s, environment reads included (`ENV['X']`, `ENV.fetch('X', d)`,
//! `ENV.fetch('X') { d }`, `.presence`, `Integer(...)`, `.to_i`, `== 'true'`), each read the
//! way Ruby does (every String is true, `"false"` and `""` included). Nothing here knows about
//! mail: ActionMailer's `smtp_settings` are `extract::clients::rails`.

use std::ops::Range;

use tree_sitter::{Node, Tree};

mod eval;

use super::tree::{fields, literal_pieces, nodes_of_kinds_in, reads_code, squash, Code, Found};
use super::url::password_span;
use super::value::{unescape, Bindings, MAX_DEPTH};
use crate::extract::is_secret_key;
use crate::extract::syntax::ids::{FieldOf, Kinds, TsField};
use crate::source::FileId;

/// Parse Ruby text, within the time and memory limits of every tree-sitter parse.
pub fn parse(text: &str) -> Option<Tree> {
    super::tree::parse_in(&tree_sitter_ruby::LANGUAGE.into(), text)
}

/// An assignment to something other than a plain name: `a.b.c = v` (`key` is `None`) or
/// `a.b[:k] = v` (`key` is the element's key).
pub struct Assign<'t> {
    /// The assigned attribute, or the object whose element is set, without whitespace
    /// (`config.action_mailer.smtp_settings`).
    pub target: String,
    /// The last name of the target (`smtp_settings`), for findings about the whole setting.
    pub name: Range<usize>,
    pub key: Option<Key>,
    pub value: Node<'t>,
    pub pos: usize,
}

/// How a hash key is written: Ruby keeps `:address` and `"address"` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `address:`, `:address =>`, `"address":`, `:"address" =>`.
    Symbol,
    /// `"address" =>`.
    String,
}

/// A hash key (or element index) with a literal name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub kind: KeyKind,
    /// The span of the whole key as written (`:address`, `"address"`, `address`).
    pub span: Range<usize>,
}

/// One `key => value` of a hash literal.
pub struct Entry<'t> {
    pub key: Key,
    pub value: Node<'t>,
}

/// A method call: `receiver.method(args) { block }`.
pub struct Call<'t> {
    /// The receiver's text without whitespace (`ActionMailer::Base`), empty for none.
    pub receiver: String,
    pub method: String,
    pub node: Node<'t>,
}

/// The nodes the first pass reads.
const FIRST_PASS: &[&str] = &[
    "assignment",
    "operator_assignment",
    "call",
    "pair",
    "string",
];

/// One Ruby file: what its first pass collected, and the evaluator.
pub struct RbFile<'t> {
    code: Code<'t>,
    /// Local variables, constants and instance variables -> assignments in file order.
    pub bindings: Bindings<Node<'t>>,
    /// Assignments to attributes and elements, in file order.
    pub assigns: Vec<Assign<'t>>,
    /// Method calls, in file order.
    pub calls: Vec<Call<'t>>,
    /// Spans of secret-looking string literals (by their key or name, or passwords in URLs).
    pub secrets: Vec<Range<usize>>,
}

reads_code!(RbFile);

impl<'t> RbFile<'t> {
    /// Read a file whose tree [`parse`] built from `src`.
    pub fn read(file: FileId, src: &'t str, root: Node<'t>) -> Self {
        let mut rb = RbFile {
            code: Code::new(file, src),
            bindings: Bindings::default(),
            assigns: Vec::new(),
            calls: Vec::new(),
            secrets: Vec::new(),
        };
        let kinds = Kinds::of(root);
        for Found { node: n, .. } in nodes_of_kinds_in(root, FIRST_PASS, &[]) {
            match kinds.kind(n) {
                "assignment" | "operator_assignment" => rb.assignment(n),
                "call" => rb.call(n),
                "pair" => {
                    let key = n.field(TsField::Key).and_then(|k| rb.pair_key(n, k));
                    if let (Some(k), Some(v)) = (key, n.field(TsField::Value)) {
                        rb.secret_value(&k.name, v);
                    }
                }
                _ => rb.secret_url(n),
            }
        }
        rb
    }

    fn assignment(&mut self, n: Node<'t>) {
        let Some([left, right]) = fields(n, [TsField::Left, TsField::Right]) else {
            return;
        };
        match left.kind() {
            "identifier" | "constant" | "instance_variable" | "global_variable" => {
                let name = self.t(left).to_owned();
                self.secret_value(&name, right);
                self.bindings.bind(&name, n.start_byte(), right);
            }
            "call" => {
                let Some(method) = left.field(TsField::Method) else {
                    return;
                };
                self.secret_value(self.t(method), right);
                self.assigns.push(Assign {
                    target: squash(self.t(left)),
                    name: method.byte_range(),
                    key: None,
                    value: right,
                    pos: n.start_byte(),
                });
            }
            "element_reference" => {
                let Some(object) = left.field(TsField::Object) else {
                    return;
                };
                let mut c = left.walk();
                let index: Vec<Node> = left
                    .named_children(&mut c)
                    .filter(|k| k.id() != object.id())
                    .collect();
                let key = match index.as_slice() {
                    [k] => self.literal_key(*k),
                    _ => None,
                };
                let Some(key) = key else { return };
                self.secret_value(&key.name, right);
                let name = match object.field(TsField::Method) {
                    Some(m) => m.byte_range(),
                    None => object.byte_range(),
                };
                self.assigns.push(Assign {
                    target: squash(self.t(object)),
                    name,
                    key: Some(key),
                    value: right,
                    pos: n.start_byte(),
                });
            }
            _ => {}
        }
    }

    fn call(&mut self, n: Node<'t>) {
        let Some(method) = n.field(TsField::Method) else {
            return;
        };
        let receiver = n
            .field(TsField::Receiver)
            .map(|r| squash(self.t(r)))
            .unwrap_or_default();
        self.calls.push(Call {
            receiver,
            method: self.t(method).to_owned(),
            node: n,
        });
    }

    /// The value of a secret-named key or variable: the spans of the string literals it is
    /// built from (`'a' + 'b'`, `ENV['X'] || 'default'`, the default of `ENV.fetch`).
    fn secret_value(&mut self, key: &str, v: Node<'t>) {
        if is_secret_key(key) {
            let pieces = self.secret_pieces(v);
            self.secrets.extend(pieces);
        }
    }

    /// The spans of the string literals a value is built from, for masking a password.
    pub fn secret_pieces(&self, v: Node<'t>) -> Vec<Range<usize>> {
        let joins = ["binary", "parenthesized_statements", "block_body", "block"];
        literal_pieces(v, &joins, &|n| match n.kind() {
            "string" => Some(self.string_pieces(n)),
            // `ENV.fetch('X', 'default')` and `ENV.fetch('X') { 'default' }`: the default.
            "call" if self.env_fetch(n).is_some() => {
                let mut out = Vec::new();
                if let Some(d) = self.fetch_default(n) {
                    out.extend(self.secret_pieces(d));
                }
                Some(out)
            }
            _ => None,
        })
    }

    /// The spans of a string literal's text around its interpolations.
    fn string_pieces(&self, n: Node<'t>) -> Vec<Range<usize>> {
        let mut c = n.walk();
        let spans = n
            .named_children(&mut c)
            .filter(|k| matches!(k.kind(), "string_content" | "escape_sequence"))
            .map(|k| k.byte_range())
            .collect();
        spans
    }

    /// Passwords inside URLs (`smtp://user:pass@host`).
    fn secret_url(&mut self, n: Node<'t>) {
        if let Some((span, text)) = self.plain_string(n) {
            if let Some(p) = password_span(&text) {
                // Only when the literal holds the text verbatim (no escapes).
                if self.src.get(span.clone()) == Some(text.as_str()) {
                    self.secrets.push(span.start + p.start..span.start + p.end);
                }
            }
        }
    }

    /// The key of a hash pair; `"address": v` is a symbol, `"address" => v` a String.
    fn pair_key(&self, pair: Node<'t>, k: Node<'t>) -> Option<Key> {
        let mut key = self.literal_key(k)?;
        if k.kind() == "string" {
            let arrow = (0..pair.child_count())
                .filter_map(|i| pair.child(u32::try_from(i).ok()?))
                .any(|c| !c.is_named() && c.kind() == "=>");
            if !arrow {
                key.kind = KeyKind::Symbol;
            }
        }
        Some(key)
    }

    /// A key written as a literal: a symbol, a hash-key symbol or a plain string.
    pub fn literal_key(&self, k: Node<'t>) -> Option<Key> {
        let span = k.byte_range();
        match k.kind() {
            "hash_key_symbol" => Some(Key {
                name: self.t(k).to_owned(),
                kind: KeyKind::Symbol,
                span,
            }),
            "simple_symbol" | "delimited_symbol" => Some(Key {
                name: self.symbol(k)?.1,
                kind: KeyKind::Symbol,
                span,
            }),
            "string" => Some(Key {
                name: self.plain_string(k)?.1,
                kind: KeyKind::String,
                span,
            }),
            _ => None,
        }
    }

    /// The entries of a hash literal whose keys are literals, in order.
    pub fn hash_entries(&self, h: Node<'t>) -> Vec<Entry<'t>> {
        let mut c = h.walk();
        let pairs: Vec<Node<'t>> = h
            .named_children(&mut c)
            .filter(|p| p.kind() == "pair")
            .collect();
        pairs
            .into_iter()
            .filter_map(|p| {
                let [k, value] = fields(p, [TsField::Key, TsField::Value])?;
                Some(Entry {
                    key: self.pair_key(p, k)?,
                    value,
                })
            })
            .collect()
    }

    /// A symbol's name and its span (`:plain` -> `plain`, `:"cram_md5"` -> `cram_md5`).
    pub fn symbol(&self, n: Node<'t>) -> Option<(Range<usize>, String)> {
        match n.kind() {
            "simple_symbol" => {
                let r = n.byte_range();
                let t = self.t(n);
                let name = t.strip_prefix(':')?;
                Some((r.start + 1..r.end, name.to_owned()))
            }
            "delimited_symbol" => {
                let (span, text) = self.string_text(n)?;
                Some((span, text))
            }
            _ => None,
        }
    }

    /// A string literal without interpolation: its content span and decoded text.
    pub fn plain_string(&self, n: Node<'t>) -> Option<(Range<usize>, String)> {
        if n.kind() != "string" {
            return None;
        }
        self.string_text(n)
    }

    /// The content span and decoded text of a string or delimited symbol without
    /// interpolation.
    fn string_text(&self, n: Node<'t>) -> Option<(Range<usize>, String)> {
        let mut c = n.walk();
        let kids: Vec<Node<'t>> = n.named_children(&mut c).collect();
        if kids
            .iter()
            .any(|k| !matches!(k.kind(), "string_content" | "escape_sequence"))
        {
            return None;
        }
        let span = match (kids.first(), kids.last()) {
            (Some(a), Some(b)) => a.start_byte()..b.end_byte(),
            // An empty literal: the place before its closing delimiter.
            _ => {
                let end = n.end_byte().checked_sub(1)?;
                end..end
            }
        };
        let single = {
            let t = self.t(n);
            t.starts_with('\'') || t.starts_with("%q") || t.starts_with(":'")
        };
        let mut text = String::new();
        for k in kids {
            let raw = self.t(k);
            match (k.kind(), single) {
                (_, true) => text.push_str(&raw.replace("\\\\", "\\").replace("\\'", "'")),
                ("escape_sequence", false) => text.push_str(&unescape(raw)),
                _ => text.push_str(raw),
            }
        }
        Some((span, text))
    }

    pub fn lookup(&self, name: &str, pos: usize) -> Option<Node<'t>> {
        self.bindings.lookup(name, pos).copied()
    }

    /// The arguments of a call, positional ones first, without block arguments and splats.
    pub fn args(&self, call: Node<'t>) -> Vec<Node<'t>> {
        let Some(args) = call.field(TsField::Arguments) else {
            return Vec::new();
        };
        let mut c = args.walk();
        let list = args
            .named_children(&mut c)
            .filter(|a| {
                !matches!(
                    a.kind(),
                    "block_argument" | "splat_argument" | "hash_splat_argument" | "comment"
                )
            })
            .collect();
        list
    }

    /// `ENV.fetch(...)`: the call itself, when it is one.
    fn env_fetch(&self, n: Node<'t>) -> Option<Node<'t>> {
        let [recv, method] = fields(n, [TsField::Receiver, TsField::Method])?;
        (is_env(self.t(recv)) && self.t(method) == "fetch").then_some(n)
    }

    /// The default of `ENV.fetch('X', default)` or `ENV.fetch('X') { default }`.
    pub fn fetch_default(&self, n: Node<'t>) -> Option<Node<'t>> {
        if let Some(d) = self.args(n).get(1) {
            return Some(*d);
        }
        let block = n.field(TsField::Block)?;
        let body = block.field(TsField::Body)?;
        let mut c = body.walk();
        let last = body.named_children(&mut c).last();
        last
    }
}

/// `ENV` or `::ENV`.
pub fn is_env(t: &str) -> bool {
    matches!(squash(t).as_str(), "ENV" | "::ENV")
}

/// Strip parentheses (`(x)` is a `parenthesized_statements` holding `x`).
pub fn unwrap(n: Node) -> Node {
    let mut n = n;
    for _ in 0..MAX_DEPTH {
        if n.kind() == "parenthesized_statements" && n.named_child_count() == 1 {
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

#[cfg(test)]
mod tests;
