//! Evaluation of Ruby expressions into [`Val`]s: literals, symbols, names, `ENV` reads and
//! what code does with them (`fetch` defaults, `||`, `.presence`, `Integer()`, `.to_i`,
//! `== 'true'`, `%w[...].include?`), and OpenSSL's verify-mode constants.
//!
//! Ruby's truth: only `nil` and `false` are false; every String is true, the empty one too.

use tree_sitter::Node;

use super::{is_env, unwrap, RbFile};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::tree::{fields, squash};
use crate::extract::syntax::value::{
    compared, either, lowered, number, BoolVal, EnvRead, NumKind, Pred, Val,
};

/// Calls that give back the text they are called on, as far as a setting can tell.
const SAME_TEXT: &[&str] = &[
    "to_s", "to_str", "to_sym", "strip", "chomp", "freeze", "dup", "itself",
];

impl<'t> RbFile<'t> {
    pub fn eval(&self, n: Node<'t>, depth: usize) -> Val {
        let Some(d) = self.step(depth) else {
            return Val::Unknown;
        };
        match n.kind() {
            "parenthesized_statements" => {
                let mut c = n.walk();
                let last = n.named_children(&mut c).last();
                last.map_or(Val::Unknown, |l| self.eval(l, d))
            }
            "string" => match self.plain_string(n) {
                Some((span, text)) => Val::Str { text, span },
                None => self.interpolated(n, d),
            },
            "simple_symbol" | "delimited_symbol" => match self.symbol(n) {
                Some((span, text)) => Val::Str { text, span },
                None => Val::Unknown,
            },
            "integer" | "float" => number(self.t(n), &[], n.byte_range()),
            "true" | "false" => Val::Bool {
                value: n.kind() == "true",
                span: n.byte_range(),
            },
            "nil" => Val::Null,
            "identifier" | "constant" | "instance_variable" => {
                // A name assigned more than once before this point is set in branches
                // (`case ENV['X'] when 'always' then v = true ...`): its value is not known.
                let name = self.t(n);
                let before = self.bindings.all(name);
                if before.iter().filter(|(p, _)| *p < n.start_byte()).count() > 1 {
                    return Val::Unknown;
                }
                match self.lookup(name, n.start_byte()) {
                    Some(v) if !v.byte_range().contains(&n.start_byte()) => self.eval(v, d),
                    _ => Val::Unknown,
                }
            }
            "scope_resolution" => match squash(self.t(n)).trim_start_matches("::") {
                // OpenSSL::SSL::VERIFY_NONE is 0, VERIFY_PEER 1 (openssl/ssl.h).
                "OpenSSL::SSL::VERIFY_NONE" => Val::Num {
                    value: 0.0,
                    span: n.byte_range(),
                },
                "OpenSSL::SSL::VERIFY_PEER" => Val::Num {
                    value: 1.0,
                    span: n.byte_range(),
                },
                _ => Val::Unknown,
            },
            "element_reference" => self.env_index(n).map_or(Val::Unknown, Val::EnvText),
            "call" => self.call_value(n, d),
            "binary" => self.binary(n, d),
            _ => Val::Unknown,
        }
    }

    /// A string with interpolations around exactly one env read (`"Shop <#{ENV['FROM']}>"`).
    fn interpolated(&self, n: Node<'t>, d: usize) -> Val {
        let mut c = n.walk();
        let mut read = None;
        for k in n.named_children(&mut c) {
            if k.kind() != "interpolation" {
                continue;
            }
            let mut kc = k.walk();
            let inner: Vec<Node<'t>> = k.named_children(&mut kc).collect();
            let [e] = inner.as_slice() else {
                return Val::Unknown;
            };
            match self.eval(*e, d) {
                Val::EnvText(r) if read.is_none() => read = Some(r),
                Val::Str { .. } | Val::Num { .. } => {}
                _ => return Val::Unknown,
            }
        }
        read.map_or(Val::Unknown, Val::EnvInText)
    }

    /// `ENV['X']`.
    fn env_index(&self, n: Node<'t>) -> Option<EnvRead> {
        let object = n.field(TsField::Object)?;
        if !is_env(self.t(object)) {
            return None;
        }
        let mut c = n.walk();
        let index: Vec<Node<'t>> = n
            .named_children(&mut c)
            .filter(|k| k.id() != object.id())
            .collect();
        let [k] = index.as_slice() else {
            return None;
        };
        let (_, var) = self.plain_string(unwrap(*k))?;
        Some(EnvRead {
            var,
            reference: n.byte_range(),
            default: None,
            default_if_empty: false,
        })
    }

    fn call_value(&self, n: Node<'t>, d: usize) -> Val {
        let Some(method) = n.field(TsField::Method) else {
            return Val::Unknown;
        };
        let method = self.t(method);
        let receiver = n.field(TsField::Receiver);
        let args = self.args(n);
        let Some(recv) = receiver else {
            // `Integer(x)`, `String(x)`, `Float(x)`.
            let a0 = || args.first().map_or(Val::Unknown, |a| self.eval(*a, d));
            return match method {
                "Integer" => whole(a0()),
                "String" => a0(),
                _ => Val::Unknown,
            };
        };
        if is_env(self.t(recv)) && method == "fetch" {
            return self.fetch(n, &args, d);
        }
        match method {
            m if SAME_TEXT.contains(&m) || m == "presence" => self.eval(recv, d),
            "downcase" => lowered(self.eval(recv, d)),
            "to_i" => match self.eval(recv, d) {
                Val::EnvText(r) | Val::EnvLower(r) => Val::EnvNum(r, NumKind::LeadingDigits),
                v @ Val::Num { .. } => v,
                Val::Str { text, span } => {
                    let digits: String = text
                        .trim_start()
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    number(if digits.is_empty() { "0" } else { &digits }, &[], span)
                }
                _ => Val::Unknown,
            },
            // `present?`: not nil, not empty, not only spaces.
            "present?" => match self.eval(recv, d) {
                Val::EnvText(r) | Val::EnvLower(r) => Val::EnvBool(r, Pred::Truthy),
                _ => Val::Unknown,
            },
            // `%w[true 1].include?(ENV['X'])`.
            "include?" if recv.kind() == "string_array" => {
                let Some(a) = args.first() else {
                    return Val::Unknown;
                };
                let (r, fold) = match self.eval(*a, d) {
                    Val::EnvText(r) => (r, false),
                    Val::EnvLower(r) => (r, true),
                    _ => return Val::Unknown,
                };
                let mut c = recv.walk();
                let words: Vec<String> = recv
                    .named_children(&mut c)
                    .map(|w| self.t(w).to_owned())
                    .collect();
                Val::EnvBool(r, Pred::one_of(words, fold))
            }
            _ => Val::Unknown,
        }
    }

    /// `ENV.fetch('X')`, `ENV.fetch('X', default)`, `ENV.fetch('X') { default }`: the default
    /// is used only when X is not set (an empty X is kept).
    fn fetch(&self, n: Node<'t>, args: &[Node<'t>], d: usize) -> Val {
        let Some((_, var)) = args.first().and_then(|a| self.plain_string(unwrap(*a))) else {
            return Val::Unknown;
        };
        let default = self
            .fetch_default(n)
            .map(|x| self.eval(x, d))
            .and_then(|v| v.default_text());
        Val::EnvText(EnvRead {
            var,
            reference: n.byte_range(),
            default,
            default_if_empty: false,
        })
    }

    fn binary(&self, n: Node<'t>, d: usize) -> Val {
        let Some([l, r, op]) = fields(n, [TsField::Left, TsField::Right, TsField::Operator]) else {
            return Val::Unknown;
        };
        match self.t(op) {
            "||" | "or" => {
                let left = self.eval(l, d);
                if left.env_read().is_some() {
                    // `.presence` turns an empty value into nil, so the default replaces it.
                    let presence = unwrap(l).kind() == "call"
                        && l.field(TsField::Method)
                            .is_some_and(|m| self.t(m) == "presence");
                    return either(left, !presence, || self.eval(r, d));
                }
                match left {
                    Val::Null | Val::Bool { value: false, .. } => self.eval(r, d),
                    Val::Unknown => Val::Unknown,
                    other => other,
                }
            }
            "==" | "!=" => compared(&self.eval(l, d), &self.eval(r, d), self.t(op) == "!="),
            // `ENV['X'].presence && ENV['X'] == 'true'`: the comparison, when it reads the
            // same variable (a word it tests for is never empty).
            "&&" | "and" => {
                let (a, b) = (self.eval(l, d), self.eval(r, d));
                match (a.env_read(), &b) {
                    (
                        Some(ra),
                        Val::EnvBool(
                            rb,
                            Pred::Equals {
                                word,
                                negate: false,
                                ..
                            },
                        ),
                    ) if ra.var == rb.var && !word.is_empty() => b,
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// The boolean a setting gets, in Ruby's truth: nil and false are false, any String
    /// (empty or `"false"`) and any number (0 too) is true.
    pub fn flag(&self, n: Node<'t>) -> BoolVal {
        match self.eval(n, 0) {
            Val::Bool { value, span } => BoolVal::Known(value, span),
            Val::Str { span, .. } | Val::Num { span, .. } => BoolVal::Known(true, span),
            Val::EnvText(r) | Val::EnvLower(r) | Val::EnvInText(r) => {
                BoolVal::Env(r, Pred::RubyText)
            }
            Val::EnvNum(r, _) => BoolVal::Env(r, Pred::RubyText),
            Val::EnvBool(r, p) => BoolVal::Env(r, p),
            Val::Null | Val::Unknown => BoolVal::Unknown,
        }
    }
}

/// `Integer(x)`: the whole text as a number (Ruby raises on anything else).
fn whole(v: Val) -> Val {
    match v {
        v @ Val::Num { .. } => v,
        Val::Str { text, span } => match text.trim().replace('_', "").parse::<f64>() {
            Ok(value) if value.fract() == 0.0 => Val::Num { value, span },
            _ => Val::Unknown,
        },
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvNum(r, NumKind::Whole),
        _ => Val::Unknown,
    }
}
