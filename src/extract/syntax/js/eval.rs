//! Evaluation of JavaScript expressions into [`Val`]s, and the flattening of options objects.

use std::ops::Range;

use tree_sitter::Node;

use super::{expr_child, has_substitution, inner, is_env_object, unwrap, Bind, JsFile};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::tree::{call_parts, fields, squash};
use crate::extract::syntax::value::{
    compared, either, lowered, number, port_of, truthiness, unescape, EnvRead, NumKind, Pred, Val,
};

/// One option of a flattened options object; `path` is `["port"]` or `["auth", "user"]`.
#[derive(Clone)]
pub struct Entry<'t> {
    pub path: Vec<String>,
    pub key_span: Range<usize>,
    pub value: Node<'t>,
}

impl<'t> JsFile<'t> {
    pub fn eval(&self, n: Node<'t>, depth: usize) -> Val {
        let Some(d) = self.step(depth) else {
            return Val::Unknown;
        };
        match n.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => match expr_child(n) {
                Some(c) => self.eval(c, d),
                None => Val::Unknown,
            },
            "string" => {
                let (span, raw) = inner(self.src, n);
                Val::Str {
                    text: unescape(raw),
                    span,
                }
            }
            "template_string" => self.template(n, d),
            "number" => number(self.t(n), &['n'], n.byte_range()),
            "true" | "false" => Val::Bool {
                value: n.kind() == "true",
                span: n.byte_range(),
            },
            "null" | "undefined" => Val::Null,
            "identifier" | "shorthand_property_identifier" => {
                let name = self.t(n);
                if name == "undefined" {
                    return Val::Null;
                }
                match self.lookup(name, n.start_byte()) {
                    Some(Bind::Env(r)) => Val::EnvText(r.clone()),
                    Some(Bind::Node(v)) => {
                        let v = *v;
                        // `const port = port` and similar loops end at the depth limit.
                        if v.byte_range().contains(&n.start_byte()) {
                            return Val::Unknown;
                        }
                        self.eval(v, d)
                    }
                    None => Val::Unknown,
                }
            }
            "member_expression" | "subscript_expression" => match self.env_member(n) {
                Some(var) => Val::EnvText(EnvRead {
                    var,
                    reference: n.byte_range(),
                    default: None,
                    default_if_empty: false,
                }),
                None => Val::Unknown,
            },
            "binary_expression" => self.binary(n, d),
            "unary_expression" => {
                let op = n.field(TsField::Operator).map(|o| self.t(o));
                let Some(arg) = n.field(TsField::Argument) else {
                    return Val::Unknown;
                };
                match op {
                    Some("!") => {
                        // `!!x` is the truthiness of x; a single `!` is not tracked.
                        let a = unwrap(arg);
                        if a.kind() == "unary_expression"
                            && a.field(TsField::Operator).map(|o| self.t(o)) == Some("!")
                        {
                            match a.field(TsField::Argument) {
                                Some(x) => js_truthiness(self.eval(x, d)),
                                None => Val::Unknown,
                            }
                        } else {
                            match self.eval(arg, d) {
                                Val::Bool { value, span } => Val::Bool {
                                    value: !value,
                                    span,
                                },
                                _ => Val::Unknown,
                            }
                        }
                    }
                    Some("+") => to_number(self.eval(arg, d), NumKind::Whole, n),
                    Some("-") => match self.eval(arg, d) {
                        Val::Num { value, .. } => Val::Num {
                            value: -value,
                            span: n.byte_range(),
                        },
                        _ => Val::Unknown,
                    },
                    _ => Val::Unknown,
                }
            }
            "call_expression" => self.call_value(n, d),
            "ternary_expression" => {
                let Some([c, a, b]) = fields(
                    n,
                    [
                        TsField::Condition,
                        TsField::Consequence,
                        TsField::Alternative,
                    ],
                ) else {
                    return Val::Unknown;
                };
                match (self.eval(a, d), self.eval(b, d)) {
                    (Val::Bool { value: true, .. }, Val::Bool { value: false, .. }) => {
                        js_truthiness(self.eval(c, d))
                    }
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// `process.env.X`, `process.env['X']`, `import.meta.env.X`: the variable name.
    fn env_member(&self, n: Node<'t>) -> Option<String> {
        let obj = n.field(TsField::Object)?;
        if !is_env_object(self.t(obj)) {
            return None;
        }
        match n.kind() {
            "member_expression" => {
                let p = n.field(TsField::Property)?;
                Some(self.t(p).to_owned())
            }
            _ => {
                let idx = unwrap(n.field(TsField::Index)?);
                match idx.kind() {
                    "string" => Some(unescape(inner(self.src, idx).1)),
                    "template_string" if !has_substitution(idx) => {
                        Some(unescape(inner(self.src, idx).1))
                    }
                    _ => None,
                }
            }
        }
    }

    fn template(&self, n: Node<'t>, depth: usize) -> Val {
        let (span, raw) = inner(self.src, n);
        if !has_substitution(n) {
            return Val::Str {
                text: unescape(raw),
                span,
            };
        }
        let mut reads = Vec::new();
        let mut c = n.walk();
        for s in n.named_children(&mut c) {
            if s.kind() == "template_substitution" {
                match s.named_child(0).map(|e| self.eval(e, depth)) {
                    Some(Val::EnvText(r)) => reads.push(r),
                    Some(Val::Str { .. }) | Some(Val::Num { .. }) => {}
                    _ => return Val::Unknown,
                }
            }
        }
        match reads.len() {
            1 => Val::EnvInText(reads.remove(0)),
            _ => Val::Unknown,
        }
    }

    fn binary(&self, n: Node<'t>, d: usize) -> Val {
        let Some([l, r, op]) = fields(n, [TsField::Left, TsField::Right, TsField::Operator]) else {
            return Val::Unknown;
        };
        let op = self.t(op);
        match op {
            "||" | "??" => either(self.eval(l, d), op == "??", || self.eval(r, d)),
            "===" | "==" | "!==" | "!=" => {
                compared(&self.eval(l, d), &self.eval(r, d), op.starts_with('!'))
            }
            "+" => {
                // String concatenation around one env read (`'"Shop" <' + process.env.FROM + '>'`).
                let (a, b) = (self.eval(l, d), self.eval(r, d));
                let reads: Vec<&EnvRead> = [&a, &b].iter().filter_map(|v| v.env_read()).collect();
                let literal = |v: &Val| matches!(v, Val::Str { .. } | Val::Num { .. });
                match (reads.len(), literal(&a) || literal(&b)) {
                    (1, true) => Val::EnvInText(reads[0].clone()),
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    fn call_value(&self, n: Node<'t>, d: usize) -> Val {
        let Some((f, args)) = call_parts(n) else {
            return Val::Unknown;
        };
        let first = args.named_child(0);
        let arg = |this: &Self| first.map(|a| this.eval(a, d)).unwrap_or(Val::Unknown);
        match f.kind() {
            "identifier" => match self.t(f) {
                "Number" | "parseFloat" => to_number(arg(self), NumKind::Whole, n),
                "parseInt" => to_number(arg(self), NumKind::LeadingDigits, n),
                "Boolean" => js_truthiness(arg(self)),
                "String" => arg(self),
                _ => Val::Unknown,
            },
            "member_expression" => {
                let Some([obj, prop]) = fields(f, [TsField::Object, TsField::Property]) else {
                    return Val::Unknown;
                };
                match (squash(self.t(obj)).as_str(), self.t(prop)) {
                    ("JSON", "parse") => match arg(self) {
                        Val::EnvText(r) => Val::EnvBool(r, Pred::JsonParse),
                        Val::Str { text, span } => match text.trim() {
                            "true" | "false" => Val::Bool {
                                value: text.trim() == "true",
                                span,
                            },
                            _ => Val::Unknown,
                        },
                        other => other,
                    },
                    ("Number", "parseInt") => to_number(arg(self), NumKind::LeadingDigits, n),
                    ("Number", "parseFloat") => to_number(arg(self), NumKind::Whole, n),
                    (_, "toLowerCase" | "toLocaleLowerCase") => lowered(self.eval(obj, d)),
                    (_, "trim" | "toString" | "valueOf") => self.eval(obj, d),
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// Flatten an options object (following names, spreads, `Object.assign` and later member
    /// assignments) into entries; `false` when the node is not an object we can read.
    pub fn flatten(
        &self,
        n: Node<'t>,
        prefix: &[String],
        out: &mut Vec<Entry<'t>>,
        depth: usize,
    ) -> bool {
        if self.step(depth).is_none() {
            return false;
        }
        let n = unwrap(n);
        match n.kind() {
            "object" => {
                let mut c = n.walk();
                let children: Vec<Node> = n.named_children(&mut c).collect();
                for ch in children {
                    match ch.kind() {
                        "pair" => {
                            let Some([k, v]) = fields(ch, [TsField::Key, TsField::Value]) else {
                                continue;
                            };
                            let key = match k.kind() {
                                "property_identifier" | "number" => self.t(k).to_owned(),
                                "string" => unescape(inner(self.src, k).1),
                                _ => continue,
                            };
                            self.push_entry(prefix, key, k.byte_range(), v, out, depth);
                        }
                        "shorthand_property_identifier" => {
                            let key = self.t(ch).to_owned();
                            self.push_entry(prefix, key, ch.byte_range(), ch, out, depth);
                        }
                        "spread_element" => {
                            if let Some(e) = ch.named_child(0) {
                                self.flatten(e, prefix, out, depth + 1);
                            }
                        }
                        _ => {}
                    }
                }
                true
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = self.t(n);
                let Some(Bind::Node(v)) = self.lookup(name, n.start_byte()).cloned() else {
                    return false;
                };
                if v.byte_range().contains(&n.start_byte()) {
                    return false;
                }
                if !self.flatten(v, prefix, out, depth + 1) {
                    return false;
                }
                // Later `opts.secure = ...` / `opts.auth.user = ...` assignments.
                for m in &self.member_sets {
                    if m.pos < v.start_byte() {
                        continue;
                    }
                    let mut path = prefix.to_vec();
                    if m.object != name {
                        match m
                            .object
                            .strip_prefix(name)
                            .and_then(|s| s.strip_prefix('.'))
                            .filter(|s| matches!(*s, "auth" | "tls"))
                        {
                            Some(sub) => path.push(sub.to_owned()),
                            None => continue,
                        }
                    }
                    self.push_entry(
                        &path,
                        m.prop.clone(),
                        m.key_span.clone(),
                        m.value,
                        out,
                        depth,
                    );
                }
                true
            }
            "call_expression" => {
                let f = n.field(TsField::Function).map(|f| squash(self.t(f)));
                if f.as_deref() != Some("Object.assign") {
                    return false;
                }
                let Some(args) = n.field(TsField::Arguments) else {
                    return false;
                };
                let mut c = args.walk();
                let list: Vec<Node> = args.named_children(&mut c).collect();
                for a in list {
                    self.flatten(a, prefix, out, depth + 1);
                }
                true
            }
            _ => false,
        }
    }

    fn push_entry(
        &self,
        prefix: &[String],
        key: String,
        key_span: Range<usize>,
        v: Node<'t>,
        out: &mut Vec<Entry<'t>>,
        depth: usize,
    ) {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        out.push(Entry {
            path: path.clone(),
            key_span,
            value: v,
        });
        if prefix.is_empty() && (key == "auth" || key == "tls") {
            self.flatten(v, &path, out, depth + 1);
        }
    }
}

/// The last entry at a path (later keys win, as in JavaScript).
pub fn last<'a, 't>(entries: &'a [Entry<'t>], path: &[&str]) -> Option<&'a Entry<'t>> {
    entries
        .iter()
        .rev()
        .find(|e| e.path.len() == path.len() && e.path.iter().zip(path).all(|(a, b)| a == b))
}

/// `Boolean(x)`, `!!x`: a number read with `parseInt` is not followed.
fn js_truthiness(v: Val) -> Val {
    match v {
        Val::EnvNum(_, NumKind::LeadingDigits) => Val::Unknown,
        v => truthiness(v, Pred::Number),
    }
}

fn to_number(v: Val, kind: NumKind, n: Node) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvNum(r, kind),
        Val::Num { .. } => v,
        Val::Str { text, span } => match port_of(&text, kind) {
            Some(p) => Val::Num {
                value: p as f64,
                span,
            },
            None => match text.trim().parse::<f64>() {
                Ok(value) => Val::Num {
                    value,
                    span: n.byte_range(),
                },
                Err(_) => Val::Unknown,
            },
        },
        _ => Val::Unknown,
    }
}
