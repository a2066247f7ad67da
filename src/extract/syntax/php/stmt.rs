//! Statements: assignments to variables, constants and object properties, method calls, and the
//! secret-looking values they hand out.

use std::ops::Range;

use tree_sitter::Node;

use super::objects::{Event, Key};
use super::value::Expr;
use super::{branches, Binding, Walker, MAX_DEPTH, MAX_RECEIVER};
use crate::extract::is_secret_key;
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::url::password_span;

fn is_member_access(kind: &str) -> bool {
    matches!(
        kind,
        "member_access_expression" | "nullsafe_member_access_expression"
    )
}

/// The object and the member name of `$x->name` or `$x->name(...)`.
pub(super) fn member_parts(node: Node) -> Option<(Node, Node)> {
    Some((node.field(TsField::Object)?, node.field(TsField::Name)?))
}

impl Walker<'_> {
    pub(super) fn assignment(&mut self, node: Node<'_>) {
        let (Some(left), Some(right)) = (node.field(TsField::Left), node.field(TsField::Right))
        else {
            return;
        };
        match self.kind(left) {
            "variable_name" => {
                self.assign_variable(left, right);
                if self.fn_scopes.is_empty() {
                    let name = self.t(left).trim_start_matches('$').to_owned();
                    let value = self.vars.get(&(0, name.clone())).cloned();
                    self.globals.push(Binding {
                        name,
                        name_span: left.byte_range(),
                        value: value.unwrap_or_else(|| Expr::unknown(right.byte_range())),
                        stmt: node.byte_range(),
                        conditional: !branches(&self.path).is_empty(),
                        path: Vec::new(),
                    });
                }
            }
            k if is_member_access(k) => self.assign_property(node, left, right),
            "subscript_expression" => self.assign_subscript(node, left, right),
            _ => {}
        }
    }

    /// `$x = ...`, `$x = new Class(...)`.
    fn assign_variable(&mut self, left: Node<'_>, right: Node<'_>) {
        let name = self.t(left).trim_start_matches('$').to_owned();
        if is_secret_key(&name) {
            self.secret_value(right);
        }
        if let Some((class, span)) = self.creation(right) {
            if let Some(key) = self.receiver_key(left) {
                self.objects.create(key, class, span);
            }
        }
        if name != "this" {
            let value = self.eval(right, 0);
            self.vars.insert((self.fn_scope(), name), value);
        }
    }

    /// `$x->Prop = ...`, `$this->mailer = new Class(...)`.
    fn assign_property(&mut self, node: Node<'_>, left: Node<'_>, right: Node<'_>) {
        let Some((object, name)) = member_parts(left) else {
            return;
        };
        let prop = self.t(name).to_owned();
        if is_secret_key(&prop) {
            self.secret_value(right);
        }
        if let Some((class, span)) = self.creation(right) {
            if let Some(key) = self.receiver_key(left) {
                self.objects.create(key, class, span);
            }
            return;
        }
        let Some(key) = self.receiver_key(object) else {
            return;
        };
        let event = Event::Prop {
            stmt: node.byte_range(),
            name: prop,
            name_span: name.byte_range(),
            value: self.eval(right, 0),
            branches: branches(&self.path),
        };
        self.objects.push(key, event);
    }

    /// `$x['a']['b'] = ...` (recorded at the top level of the file), and on a property:
    /// `$mail->SMTPOptions['ssl']['verify_peer'] = ...`.
    fn assign_subscript(&mut self, node: Node<'_>, left: Node<'_>, right: Node<'_>) {
        let mut path = Vec::new();
        let mut cur = left;
        while self.kind(cur) == "subscript_expression" {
            let (Some(base), Some(index)) = (cur.named_child(0), cur.named_child(1)) else {
                return;
            };
            match self.eval(index, 0) {
                Expr::Str(s) => path.push((s.text, s.span)),
                Expr::Int { value, span } => path.push((value.to_string(), span)),
                _ => return,
            }
            cur = base;
        }
        path.reverse();
        if path.last().is_some_and(|(last, _)| is_secret_key(last)) {
            self.secret_value(right);
        }
        if self.kind(cur) == "variable_name" && self.fn_scopes.is_empty() {
            // `$CONFIG['mail_smtphost'] = ...` at the top level of the file.
            self.globals.push(Binding {
                name: self.t(cur).trim_start_matches('$').to_owned(),
                name_span: cur.byte_range(),
                value: self.eval(right, 0),
                stmt: node.byte_range(),
                conditional: !branches(&self.path).is_empty(),
                path,
            });
            return;
        }
        if !is_member_access(self.kind(cur)) {
            return;
        }
        let Some((object, name)) = member_parts(cur) else {
            return;
        };
        let Some(key) = self.receiver_key(object) else {
            return;
        };
        let event = Event::PropPath {
            stmt: node.byte_range(),
            name: self.t(name).to_owned(),
            path,
            value: self.eval(right, 0),
        };
        self.objects.push(key, event);
    }

    /// The class (last segment of its name) and span of `new Class(...)`, if `node` is one.
    fn creation(&self, node: Node) -> Option<(String, Range<usize>)> {
        if self.kind(node) != "object_creation_expression" {
            return None;
        }
        let class = node.named_child(0)?;
        if !matches!(self.kind(class), "name" | "qualified_name") {
            return None;
        }
        let last = self.t(class).rsplit('\\').next().unwrap_or("");
        Some((last.to_owned(), node.byte_range()))
    }

    /// The key of a receiver: its text without spaces, scoped to the function (variables) or
    /// the class (`$this->...`, `self::`, `static::`).
    pub(super) fn receiver_key(&self, node: Node) -> Option<Key> {
        let raw = self.t(node);
        if raw.is_empty() || raw.len() > MAX_RECEIVER {
            return None;
        }
        let norm: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .replace("?->", "->");
        let class_level = ["$this", "self::", "static::"]
            .iter()
            .any(|p| norm.starts_with(p));
        let scope = if class_level {
            self.class_scope()
        } else {
            self.fn_scope()
        };
        Some((scope, norm))
    }

    pub(super) fn method_call(&mut self, node: Node<'_>) {
        let Some((object, name)) = member_parts(node) else {
            return;
        };
        let method = self.t(name).to_ascii_lowercase();
        if !self.interest.methods.contains(&method.as_str()) {
            return;
        }
        let Some(key) = self.receiver_key(object) else {
            return;
        };
        let args = self.args(node).iter().map(|&a| self.eval(a, 0)).collect();
        let event = Event::Call {
            call: name.start_byte()..node.end_byte(),
            stmt: node.byte_range(),
            method,
            args,
            branches: branches(&self.path),
        };
        self.objects.push(key, event);
    }

    pub(super) fn function_call(&mut self, node: Node<'_>) {
        let Some(func) = node.field(TsField::Function) else {
            return;
        };
        let name = self.t(func).trim_start_matches('\\').to_ascii_lowercase();
        let args = self.args(node);
        match name.as_str() {
            "define" => {
                let (Some(&n), Some(&v)) = (args.first(), args.get(1)) else {
                    return;
                };
                if let Expr::Str(s) = self.eval(n, 0) {
                    if is_secret_key(&s.text) {
                        self.secret_value(v);
                    }
                    let value = self.eval(v, 0);
                    self.defines.push(Binding {
                        name: s.text.clone(),
                        name_span: s.span.clone(),
                        value: value.clone(),
                        stmt: node.byte_range(),
                        conditional: !self.fn_scopes.is_empty() || !branches(&self.path).is_empty(),
                        path: Vec::new(),
                    });
                    // PHP keeps the first definition: a second `define` of the name fails.
                    self.consts.entry(s.text).or_insert(value);
                }
            }
            "env" => {
                // A default written in code for a secret variable is a secret too.
                if let (Some(&n), Some(&d)) = (args.first(), args.get(1)) {
                    if let Expr::Str(s) = self.eval(n, 0) {
                        if is_secret_key(&s.text) {
                            self.secret_value(d);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn const_element(&mut self, node: Node<'_>) {
        let (Some(name), Some(value)) = (node.named_child(0), node.named_child(1)) else {
            return;
        };
        let name = self.t(name).to_owned();
        if is_secret_key(&name) {
            self.secret_value(value);
        }
        let v = self.eval(value, 0);
        self.consts.insert(name, v);
    }

    pub(super) fn property_element(&mut self, node: Node<'_>) {
        // `private $password = '...';`
        let Some(var) = node.named_child(0) else {
            return;
        };
        if is_secret_key(self.t(var).trim_start_matches('$')) {
            if let Some(v) = node
                .field(TsField::DefaultValue)
                .or_else(|| node.named_child(1))
            {
                self.secret_value(v);
            }
        }
    }

    pub(super) fn array_element_secret(&mut self, node: Node<'_>) {
        let Some((Some(k), v)) = self.element_parts(node) else {
            return;
        };
        if let Expr::Str(s) = self.eval(k, 0) {
            if is_secret_key(&s.text) {
                self.secret_value(v);
            }
        }
    }

    /// `scheme://user:password@host` in any string: the password part is a secret.
    pub(super) fn url_secret(&mut self, node: Node<'_>) {
        // Most strings are no URL: without `://` or an escape that could spell it, the decoded
        // text has none either, and decoding it (for every string of the file) is skipped.
        let raw = self.t(node);
        if !raw.contains("://") && !raw.contains('\\') {
            return;
        }
        let Some(Expr::Str(s)) = self.string_lit(node, None) else {
            return;
        };
        if !s.verbatim {
            return;
        }
        if let Some(r) = password_span(&s.text) {
            self.secrets.push(s.sub(r));
        }
    }

    /// Record the spans of the literal text a secret-looking name is given: the string itself,
    /// the pieces it is built from, or a default written next to an environment read.
    fn secret_value(&mut self, node: Node) {
        let mut stack = vec![(node, 0u8)];
        while let Some((n, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            match self.kind(n) {
                "string" | "encapsed_string" | "heredoc" | "nowdoc" => {
                    match self.string_lit(n, Some(0)) {
                        Some(e) => self.secrets.extend(e.into_pieces()),
                        None => self.secrets.push(n.byte_range()),
                    }
                }
                "conditional_expression" => {
                    for f in [TsField::Body, TsField::Alternative] {
                        if let Some(c) = n.field(f) {
                            stack.push((c, depth + 1));
                        }
                    }
                }
                "binary_expression" => {
                    for f in [TsField::Right, TsField::Left] {
                        if let Some(c) = n.field(f) {
                            stack.push((c, depth + 1));
                        }
                    }
                }
                "parenthesized_expression" | "cast_expression" => {
                    if let Some(c) = n.field(TsField::Value).or_else(|| n.named_child(0)) {
                        stack.push((c, depth + 1));
                    }
                }
                "function_call_expression" => {
                    // The default of env('X', 'default'), getenv(...) ?: ..., trim('...').
                    let name = n
                        .field(TsField::Function)
                        .map(|f| self.t(f).trim_start_matches('\\').to_ascii_lowercase())
                        .unwrap_or_default();
                    let skip = usize::from(matches!(name.as_str(), "env" | "getenv"));
                    for &a in self.args(n).iter().skip(skip) {
                        stack.push((a, depth + 1));
                    }
                }
                // A variable or constant: the literal text it was given.
                "variable_name" | "name" | "qualified_name" => {
                    let pieces = self.eval(n, 0).into_pieces();
                    self.secrets.extend(pieces);
                }
                _ => {}
            }
        }
    }
}
