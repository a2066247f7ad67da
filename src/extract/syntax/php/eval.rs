//! Expressions: what a PHP expression's value is, as far as a reading without running the code
//! can tell.

use std::ops::Range;

use tree_sitter::Node;

use super::stmt::member_parts;
use super::value::{self, Arr, Cast, Entry, EnvKind, EnvRead, Expr, PhpVal, Str, MAX_PIECES};
use super::{node_text, Walker, MAX_DEPTH};
use crate::extract::syntax::ids::{FieldOf, TsField};

impl Walker<'_> {
    pub(super) fn eval(&self, node: Node, depth: u8) -> Expr {
        let span = node.byte_range();
        let unknown = || Expr::unknown(span.clone());
        if depth > MAX_DEPTH {
            return unknown();
        }
        match self.kind(node) {
            "string" | "encapsed_string" | "heredoc" | "nowdoc" => {
                self.string_lit(node, Some(depth)).unwrap_or_else(unknown)
            }
            "integer" => match value::parse_int(self.t(node)) {
                Some(value) => Expr::Int { value, span },
                None => unknown(),
            },
            "boolean" => Expr::Bool {
                value: self.t(node).eq_ignore_ascii_case("true"),
                span,
            },
            "null" => Expr::Null { span },
            "unary_op_expression" => self.unary(node, depth).unwrap_or_else(unknown),
            "parenthesized_expression" => match node.named_child(0) {
                Some(c) => self.eval(c, depth + 1),
                None => unknown(),
            },
            "class_constant_access_expression" => self.class_constant(node).unwrap_or_else(unknown),
            "name" | "qualified_name" => {
                let name = self.t(node).rsplit('\\').next().unwrap_or("");
                self.consts.get(name).cloned().unwrap_or_else(unknown)
            }
            "variable_name" => {
                let name = self.t(node).trim_start_matches('$');
                self.vars
                    .get(&(self.fn_scope(), name.to_owned()))
                    .cloned()
                    .unwrap_or_else(unknown)
            }
            "member_access_expression" | "nullsafe_member_access_expression" => {
                self.property(node).unwrap_or_else(unknown)
            }
            "subscript_expression" => self.subscript(node, depth).unwrap_or_else(unknown),
            "function_call_expression" => self.call(node, depth).unwrap_or_else(unknown),
            "cast_expression" => self.cast(node, depth).unwrap_or_else(unknown),
            "conditional_expression" => self.conditional(node, depth).unwrap_or_else(unknown),
            "binary_expression" => self.binary(node, depth).unwrap_or_else(unknown),
            "array_creation_expression" => Expr::Array(self.array(node, depth)),
            _ => unknown(),
        }
    }

    /// `-587`, `+587`.
    fn unary(&self, node: Node, depth: u8) -> Option<Expr> {
        let op = node.child(0).map(|c| self.t(c)).unwrap_or("");
        let span = node.byte_range();
        match (op, self.eval(node.named_child(0)?, depth + 1)) {
            ("-", Expr::Int { value, .. }) => Some(Expr::Int {
                value: -value,
                span,
            }),
            ("+", Expr::Int { value, .. }) => Some(Expr::Int { value, span }),
            _ => None,
        }
    }

    /// `$mail->Username`, read back from what this file set on the object.
    fn property(&self, node: Node) -> Option<Expr> {
        let (object, name) = member_parts(node)?;
        let key = self.receiver_key(object)?;
        self.objects.lookup(&key, self.t(name))
    }

    /// `(int) ...`, `(bool) ...`, `(string) ...`.
    fn cast(&self, node: Node, depth: u8) -> Option<Expr> {
        let ty = node
            .field(TsField::Type)
            .map(|t| self.t(t).to_ascii_lowercase())
            .unwrap_or_default();
        let inner = self.eval(node.field(TsField::Value)?, depth + 1);
        let cast = match ty.as_str() {
            "int" | "integer" => Cast::Int,
            "bool" | "boolean" => Cast::Bool,
            "string" => return Some(inner),
            _ => return None,
        };
        Some(apply_cast(inner, cast, node.byte_range()))
    }

    /// `getenv('X') ?: 'd'`, or `isset($_ENV['X']) ? $_ENV['X'] : 'd'`.
    fn conditional(&self, node: Node, depth: u8) -> Option<Expr> {
        let cond = node.field(TsField::Condition)?;
        let alt = node.field(TsField::Alternative)?;
        let (main, if_empty) = match node.field(TsField::Body) {
            // `?:` tests truthiness: an empty value takes the default too.
            None => (self.eval(cond, depth + 1), true),
            Some(body) => (self.eval(body, depth + 1), false),
        };
        Some(with_default(
            main,
            self.eval(alt, depth + 1),
            node.byte_range(),
            if_empty,
        ))
    }

    /// `??`, `=== 'true'`, and `.` (whose result is unknown, but made of known pieces).
    fn binary(&self, node: Node, depth: u8) -> Option<Expr> {
        let l = node.field(TsField::Left)?;
        let r = node.field(TsField::Right)?;
        let op = node.field(TsField::Operator)?;
        let span = node.byte_range();
        let (le, re) = (self.eval(l, depth + 1), self.eval(r, depth + 1));
        match self.t(op) {
            "??" => Some(with_default(le, re, span, false)),
            "===" | "==" => {
                let is_true = |e: &Expr| matches!(e, Expr::Str(s) if s.text == "true");
                match (le, re) {
                    (Expr::Env(e), ref other) | (ref other, Expr::Env(e)) if is_true(other) => {
                        Some(apply_cast(Expr::Env(e), Cast::EqTrue, span))
                    }
                    _ => None,
                }
            }
            "." => {
                let mut pieces = le.into_pieces();
                pieces.extend(re.into_pieces());
                pieces.truncate(MAX_PIECES);
                Some(Expr::Unknown { span, pieces })
            }
            _ => None,
        }
    }

    fn array(&self, node: Node, depth: u8) -> Arr {
        let mut entries = Vec::new();
        let mut c = node.walk();
        for el in node.named_children(&mut c) {
            if self.kind(el) != "array_element_initializer" {
                continue;
            }
            let Some((k, v)) = self.element_parts(el) else {
                continue;
            };
            let (key, key_span) = match k.map(|k| self.eval(k, depth + 1)) {
                Some(Expr::Str(s)) => (Some(s.text), s.span),
                Some(Expr::Int { value, span }) => (Some(value.to_string()), span),
                Some(other) => (None, other.span()),
                None => (None, v.byte_range()),
            };
            entries.push(Entry {
                key,
                key_span,
                value: self.eval(v, depth + 1),
            });
        }
        Arr {
            span: node.byte_range(),
            entries,
        }
    }

    /// Class constants the client named (any spelling of the class, or `self::`/`static::`/
    /// `parent::` in a subclass), and class constants this file defines.
    fn class_constant(&self, node: Node) -> Option<Expr> {
        let count = node.named_child_count();
        let class = node.named_child(0)?;
        let name = node.named_child(u32::try_from(count.checked_sub(1)?).ok()?)?;
        let class_text = self.t(class).rsplit('\\').next().unwrap_or("");
        let const_name = self.t(name);
        let relative = ["self", "static", "parent"]
            .iter()
            .any(|s| class_text.eq_ignore_ascii_case(s));
        let known =
            self.interest.class_consts.iter().find(|(c, n, _)| {
                *n == const_name && (relative || class_text.eq_ignore_ascii_case(c))
            });
        let Some((_, _, text)) = known else {
            return self.consts.get(const_name).cloned();
        };
        Some(Expr::Str(Str {
            text: (*text).into(),
            span: node.byte_range(),
            verbatim: false,
        }))
    }

    fn subscript(&self, node: Node, depth: u8) -> Option<Expr> {
        let base = node.named_child(0)?;
        let index = node.named_child(1)?;
        let key = match self.eval(index, depth + 1) {
            Expr::Str(s) => s.text,
            Expr::Int { value, .. } => value.to_string(),
            _ => return None,
        };
        let base_text = self.t(base);
        if self.kind(base) == "variable_name" && matches!(base_text, "$_ENV" | "$_SERVER") {
            return Some(Expr::Env(EnvRead {
                var: key,
                kind: EnvKind::Raw,
                cast: Cast::None,
                reference: node.byte_range(),
                default: None,
                default_if_empty: false,
            }));
        }
        match self.eval(base, depth + 1) {
            Expr::Array(a) => a.get(&key).map(|e| e.value.clone()),
            _ => None,
        }
    }

    fn call(&self, node: Node, depth: u8) -> Option<Expr> {
        let func = node.field(TsField::Function)?;
        let name = self.t(func).trim_start_matches('\\').to_ascii_lowercase();
        let args = self.args(node);
        let span = node.byte_range();
        let arg = |i: usize| args.get(i).map(|&a| self.eval(a, depth + 1));
        match name.as_str() {
            "getenv" | "env" => {
                let Some(Expr::Str(var)) = arg(0) else {
                    return None;
                };
                let kind = if name == "env" {
                    EnvKind::Laravel
                } else {
                    EnvKind::Raw
                };
                let default = if kind == EnvKind::Laravel {
                    arg(1).and_then(|d| literal_default(kind, &d))
                } else {
                    None
                };
                Some(Expr::Env(EnvRead {
                    var: var.text,
                    kind,
                    cast: Cast::None,
                    reference: span,
                    default,
                    // `env('X', 'd')` (Laravel) and `getenv` keep an empty value.
                    default_if_empty: false,
                }))
            }
            "intval" => Some(apply_cast(arg(0)?, Cast::Int, span)),
            "boolval" => Some(apply_cast(arg(0)?, Cast::Bool, span)),
            "filter_var" => {
                let flag = args.get(1).map(|&a| self.t(a)).unwrap_or("");
                if flag.contains("FILTER_VALIDATE_BOOL") {
                    Some(apply_cast(arg(0)?, Cast::FilterBool, span))
                } else {
                    None
                }
            }
            "trim" | "strval" => match arg(0)? {
                Expr::Env(mut e) => {
                    e.reference = span;
                    Some(Expr::Env(e))
                }
                Expr::Str(s) if name == "strval" => Some(Expr::Str(s)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value expressions of a call's positional arguments.
    pub(super) fn args<'t>(&self, call: Node<'t>) -> Vec<Node<'t>> {
        let Some(list) = call.field(TsField::Arguments) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut c = list.walk();
        for arg in list.named_children(&mut c) {
            if self.kind(arg) != "argument" {
                continue;
            }
            let n = arg.named_child_count();
            if let Some(v) = n
                .checked_sub(1)
                .and_then(|i| arg.named_child(u32::try_from(i).ok()?))
            {
                out.push(v);
            }
        }
        out
    }

    /// Key and value of an array element (`'k' => v` or `v`).
    pub(super) fn element_parts<'t>(&self, node: Node<'t>) -> Option<(Option<Node<'t>>, Node<'t>)> {
        // One pass over the children (asking for the n-th named child walks them again).
        let mut has_arrow = false;
        let mut named = [None, None];
        let mut count = 0;
        let mut c = node.walk();
        for ch in node.children(&mut c) {
            has_arrow = has_arrow || self.kind(ch) == "=>";
            if ch.is_named() {
                if let Some(slot) = named.get_mut(count) {
                    *slot = Some(ch);
                }
                count += 1;
            }
        }
        if has_arrow {
            Some((named[0], named[1]?))
        } else {
            Some((None, named[0]?))
        }
    }

    /// Decode a string literal: `Some(Expr::Str)`, or `Some(Expr::Unknown)` for an interpolated
    /// string, heredoc or nowdoc, with its literal pieces when `pieces_at` gives the evaluation
    /// depth to read them at; `None` when `node` is not a string.
    pub(super) fn string_lit(&self, node: Node, pieces_at: Option<u8>) -> Option<Expr> {
        let double = match self.kind(node) {
            "string" => false,
            "encapsed_string" => true,
            "heredoc" | "nowdoc" => {
                let span = node.byte_range();
                return Some(Expr::Unknown {
                    span: span.clone(),
                    pieces: vec![span],
                });
            }
            _ => return None,
        };
        let Some((start, end)) = self.string_bounds(node) else {
            return Some(Expr::unknown(node.byte_range()));
        };
        let text = self.text;
        let mut out = String::new();
        let mut pos = start;
        let mut verbatim = true;
        let mut c = node.walk();
        for ch in node.children(&mut c) {
            if ch.start_byte() < start || ch.end_byte() > end {
                continue;
            }
            match self.kind(ch) {
                "string_content" | "string_value" => {}
                "escape_sequence" => {
                    out.push_str(&text[pos..ch.start_byte()]);
                    out.push_str(&unescape(node_text(text, ch), double));
                    pos = ch.end_byte();
                    verbatim = false;
                }
                _ if ch.is_named() => {
                    return Some(match pieces_at {
                        Some(depth) => self.interpolated(node, start..end, depth),
                        None => Expr::unknown(start..end),
                    })
                }
                _ => {}
            }
        }
        out.push_str(&text[pos..end]);
        Some(Expr::Str(Str {
            text: out,
            span: start..end,
            verbatim,
        }))
    }

    /// The text between the quotes of a string literal (`b'...'` and friends included).
    fn string_bounds(&self, node: Node) -> Option<(usize, usize)> {
        let count = node.child_count();
        let first = node.child(0)?;
        let last = node.child(u32::try_from(count.checked_sub(1)?).ok()?)?;
        let is_quote = |n: Node| matches!(self.kind(n), "'" | "\"") && !n.is_missing();
        let start = if is_quote(first) {
            first.end_byte()
        } else {
            // `b'...'` and friends: skip to the quote.
            node.start_byte()
                + self
                    .text
                    .get(node.byte_range())
                    .and_then(|t| t.find(['\'', '"']).map(|i| i + 1))
                    .unwrap_or(0)
        };
        let end = if count > 1 && is_quote(last) {
            last.start_byte()
        } else {
            node.end_byte()
        };
        (start <= end && end <= self.text.len()).then_some((start, end))
    }

    /// `"pre{$x}post"`: unknown, made of the literal text between the interpolations and of
    /// what the interpolated values were given.
    fn interpolated(&self, node: Node, inner: Range<usize>, depth: u8) -> Expr {
        let mut pieces: Vec<Range<usize>> = Vec::new();
        let mut c = node.walk();
        for ch in node.children(&mut c) {
            let r = ch.byte_range();
            if r.start < inner.start || r.end > inner.end || r.is_empty() {
                continue;
            }
            match self.kind(ch) {
                "string_content" | "string_value" | "escape_sequence" => match pieces.last_mut() {
                    Some(last) if last.end == r.start => last.end = r.end,
                    _ => pieces.push(r),
                },
                _ if ch.is_named() && pieces.len() < MAX_PIECES => {
                    pieces.extend(self.eval(ch, depth + 1).into_pieces())
                }
                _ => {}
            }
        }
        pieces.truncate(MAX_PIECES);
        Expr::Unknown {
            span: inner,
            pieces,
        }
    }
}

/// One escape sequence of a string literal, decoded.
fn unescape(esc: &str, double: bool) -> String {
    if double {
        return value::decode_double_escape(esc);
    }
    match esc {
        "\\\\" => "\\",
        "\\'" => "'",
        other => other,
    }
    .to_owned()
}

/// A literal default next to an environment read, as the text its conversion expects.
fn literal_default(kind: EnvKind, d: &Expr) -> Option<(String, Range<usize>)> {
    let v = d.literal()?;
    Some((EnvRead::default_text(kind, &v)?, d.span()))
}

/// `main ?: alt` / `main ?? alt`: an environment read with a literal fallback.
fn with_default(main: Expr, alt: Expr, span: Range<usize>, if_empty: bool) -> Expr {
    match main {
        Expr::Env(mut e) if e.default.is_none() && e.cast == Cast::None => {
            e.default = literal_default(e.kind, &alt);
            e.default_if_empty = if_empty;
            e.reference = span;
            Expr::Env(e)
        }
        _ => Expr::unknown(span),
    }
}

/// A cast applied to a value: literals are converted, environment reads remember the cast.
fn apply_cast(inner: Expr, cast: Cast, span: Range<usize>) -> Expr {
    match inner {
        Expr::Env(mut e) if e.cast == Cast::None => {
            e.cast = cast;
            e.reference = span;
            Expr::Env(e)
        }
        other => match other.literal() {
            Some(v) => {
                let span = other.span();
                match cast {
                    Cast::Int => Expr::Int {
                        value: v.intval(),
                        span,
                    },
                    Cast::Bool => Expr::Bool {
                        value: v.truthy(),
                        span,
                    },
                    Cast::FilterBool => Expr::Bool {
                        value: v.filter_bool(),
                        span,
                    },
                    Cast::EqTrue => Expr::Bool {
                        value: v == PhpVal::Str("true".into()),
                        span,
                    },
                    Cast::None => other,
                }
            }
            None => Expr::unknown(span),
        },
    }
}
