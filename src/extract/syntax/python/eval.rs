//! Evaluation of Python expressions into [`Val`]s: literals, names, env reads and the env
//! libraries (django-environ, environs, python-decouple), comparisons, `or`.

use tree_sitter::Node;

use super::{unwrap, PyFile};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::tree::{call_parts, fields, squash};
use crate::extract::syntax::value::{
    compared, either, lowered, number, truthiness, BoolVal, EnvRead, NumKind, Pred, Val,
};

impl<'t> PyFile<'t> {
    pub fn eval(&self, n: Node<'t>, depth: usize) -> Val {
        let Some(d) = self.step(depth) else {
            return Val::Unknown;
        };
        match n.kind() {
            "parenthesized_expression" => match n.named_child(0) {
                Some(c) => self.eval(c, d),
                None => Val::Unknown,
            },
            "string" => match self.plain_string(n) {
                Some((span, text)) => Val::Str { text, span },
                None => self.fstring(n, d),
            },
            "concatenated_string" => {
                let mut c = n.walk();
                let parts: Vec<Node> = n.named_children(&mut c).collect();
                let mut text = String::new();
                let mut read = None;
                for p in parts {
                    match self.eval(p, d) {
                        Val::Str { text: t, .. } => text.push_str(&t),
                        Val::EnvInText(r) if read.is_none() => read = Some(r),
                        _ => return Val::Unknown,
                    }
                }
                match read {
                    Some(r) => Val::EnvInText(r),
                    None => Val::Str {
                        text,
                        span: n.byte_range(),
                    },
                }
            }
            "integer" | "float" => number(self.t(n), &['l', 'j'], n.byte_range()),
            "true" | "false" => Val::Bool {
                value: n.kind() == "true",
                span: n.byte_range(),
            },
            "none" => Val::Null,
            "identifier" | "attribute" => {
                let name = squash(self.t(n));
                match self.lookup(&name, n.start_byte()) {
                    Some(v) if !v.byte_range().contains(&n.start_byte()) => self.eval(v, d),
                    _ => Val::Unknown,
                }
            }
            "subscript" => {
                let Some([obj, key]) = fields(n, [TsField::Value, TsField::Subscript]) else {
                    return Val::Unknown;
                };
                if !is_environ(self.t(obj)) {
                    return Val::Unknown;
                }
                match self.plain_string(key) {
                    Some((_, var)) => Val::EnvText(EnvRead {
                        var,
                        reference: n.byte_range(),
                        default: None,
                        default_if_empty: false,
                    }),
                    None => Val::Unknown,
                }
            }
            "call" => self.call_value(n, d),
            "comparison_operator" => self.comparison(n, d),
            "boolean_operator" => {
                let Some([l, r, op]) =
                    fields(n, [TsField::Left, TsField::Right, TsField::Operator])
                else {
                    return Val::Unknown;
                };
                if self.t(op) != "or" {
                    return Val::Unknown;
                }
                either(self.eval(l, d), false, || self.eval(r, d))
            }
            _ => Val::Unknown,
        }
    }

    /// An f-string around exactly one env read (`f"Shop <{os.environ['FROM']}>"`).
    fn fstring(&self, n: Node<'t>, d: usize) -> Val {
        let mut c = n.walk();
        let mut read = None;
        for k in n.named_children(&mut c) {
            if k.kind() != "interpolation" {
                continue;
            }
            let Some(e) = k.field(TsField::Expression).or_else(|| k.named_child(0)) else {
                return Val::Unknown;
            };
            match self.eval(e, d) {
                Val::EnvText(r) if read.is_none() => read = Some(r),
                Val::Str { .. } | Val::Num { .. } => {}
                _ => return Val::Unknown,
            }
        }
        match read {
            Some(r) => Val::EnvInText(r),
            None => Val::Unknown,
        }
    }

    fn call_value(&self, n: Node<'t>, d: usize) -> Val {
        let Some((f, args)) = call_parts(n) else {
            return Val::Unknown;
        };
        let fname = squash(self.t(f));
        let first = self.arg(args, 0, "");
        let a0 = || first.map(|a| self.eval(a, d)).unwrap_or(Val::Unknown);
        let var_of = |a: Option<Node<'t>>| a.and_then(|a| self.plain_string(unwrap(a)));
        let read = |default: Option<Node<'t>>| -> Option<EnvRead> {
            let (_, var) = var_of(first)?;
            let default = default
                .map(|x| self.eval(x, d))
                .and_then(|v| v.default_text());
            Some(EnvRead {
                var,
                reference: n.byte_range(),
                default,
                // `os.getenv('X', 'd')` returns '' for `X=`; only a missing X gets the default.
                default_if_empty: false,
            })
        };
        match fname.as_str() {
            "os.getenv" | "getenv" | "os.environ.get" | "environ.get" => {
                match read(self.arg(args, 1, "default")) {
                    Some(r) => Val::EnvText(r),
                    None => Val::Unknown,
                }
            }
            "int" | "float" => match a0() {
                v @ Val::Num { .. } => v,
                Val::Str { text, span } => match text.trim().parse::<f64>() {
                    Ok(value) => Val::Num { value, span },
                    Err(_) => Val::Unknown,
                },
                Val::EnvText(r) | Val::EnvLower(r) => Val::EnvNum(r, NumKind::Whole),
                _ => Val::Unknown,
            },
            "str" => a0(),
            "bool" => truthiness(a0(), Pred::Int),
            "strtobool" | "distutils.util.strtobool" | "str2bool" => match a0() {
                Val::EnvText(r) | Val::EnvLower(r) => Val::EnvBool(r, Pred::Strict),
                _ => Val::Unknown,
            },
            "json.loads" => match a0() {
                Val::EnvText(r) => Val::EnvBool(r, Pred::JsonParse),
                _ => Val::Unknown,
            },
            _ => {
                // Methods on strings: `.lower()`, `.strip()`.
                if f.kind() == "attribute" {
                    if let Some([obj, attr]) = fields(f, [TsField::Object, TsField::Attribute]) {
                        let method = self.t(attr);
                        let objname = squash(self.t(obj));
                        match method {
                            "lower" | "casefold" => return lowered(self.eval(obj, d)),
                            "strip" => return self.eval(obj, d),
                            _ => {}
                        }
                        if self.env_objects.contains(&objname) || objname == "env" {
                            return self.env_lib(method, &read, args);
                        }
                    }
                }
                if self.env_objects.contains(&fname)
                    || (fname == "env" && first.is_some_and(|a| a.kind() == "string"))
                {
                    return self.env_call(&read, args);
                }
                if self.decouple.contains(&fname)
                    || (fname == "config" && self.has_kw(args, "cast"))
                {
                    let r = match read(self.kw(args, "default")) {
                        Some(r) => r,
                        None => return Val::Unknown,
                    };
                    return match self.kw(args, "cast").map(|c| squash(self.t(c))).as_deref() {
                        Some("bool") => Val::EnvBool(r, Pred::Strict),
                        Some("int") => Val::EnvNum(r, NumKind::Whole),
                        Some("str") | None => Val::EnvText(r),
                        _ => Val::Unknown,
                    };
                }
                Val::Unknown
            }
        }
    }

    /// `env("X", default=...)` of django-environ / environs, with the schema's cast if any.
    fn env_call(&self, read: &dyn Fn(Option<Node<'t>>) -> Option<EnvRead>, args: Node<'t>) -> Val {
        let Some(mut r) = read(
            self.kw(args, "default")
                .or_else(|| self.arg(args, 1, "default")),
        ) else {
            return Val::Unknown;
        };
        let cast = self.kw(args, "cast").map(|c| squash(self.t(c)));
        let schema = self.env_schema.get(&r.var);
        let ty = cast.or_else(|| schema.map(|s| s.0.clone()));
        if r.default.is_none() {
            if let Some((_, Some(d))) = schema {
                r.default = self.eval(*d, 1).default_text();
            }
        }
        match ty.as_deref() {
            Some("bool") => Val::EnvBool(r, Pred::Lenient),
            Some("int") => Val::EnvNum(r, NumKind::Whole),
            Some("str") | None => Val::EnvText(r),
            _ => Val::Unknown,
        }
    }

    fn env_lib(
        &self,
        method: &str,
        read: &dyn Fn(Option<Node<'t>>) -> Option<EnvRead>,
        args: Node<'t>,
    ) -> Val {
        let Some(r) = read(
            self.kw(args, "default")
                .or_else(|| self.arg(args, 1, "default")),
        ) else {
            return Val::Unknown;
        };
        match method {
            "bool" => Val::EnvBool(r, Pred::Lenient),
            "int" => Val::EnvNum(r, NumKind::Whole),
            "str" => Val::EnvText(r),
            _ => Val::Unknown,
        }
    }

    fn comparison(&self, n: Node<'t>, d: usize) -> Val {
        let mut c = n.walk();
        let operands: Vec<Node> = n.named_children(&mut c).collect();
        let ops: Vec<&str> = {
            let mut c = n.walk();
            n.children_by_field_name("operators", &mut c)
                .map(|o| self.t(o))
                .collect()
        };
        if operands.len() != 2 || ops.len() != 1 {
            return Val::Unknown;
        }
        let (a, b) = (self.eval(operands[0], d), self.eval(operands[1], d));
        let op = ops[0].split_whitespace().collect::<Vec<_>>().join(" ");
        match op.as_str() {
            "==" | "!=" => compared(&a, &b, op == "!="),
            // `os.environ.get('X') is not None`: set at all (even empty), not what it says.
            "is" | "is not" => match (a, b) {
                (Val::EnvText(r), Val::Null) if r.default.is_none() => {
                    Val::EnvBool(r, Pred::Defined { negate: op == "is" })
                }
                _ => Val::Unknown,
            },
            "in" => {
                let (read, fold) = match a {
                    Val::EnvText(r) => (r, false),
                    Val::EnvLower(r) => (r, true),
                    _ => return Val::Unknown,
                };
                let coll = unwrap(operands[1]);
                if !matches!(coll.kind(), "tuple" | "list" | "set") {
                    return Val::Unknown;
                }
                let mut words = Vec::new();
                let mut cur = coll.walk();
                for w in coll.named_children(&mut cur) {
                    match self.plain_string(w) {
                        Some((_, t)) => words.push(t),
                        None => return Val::Unknown,
                    }
                }
                Val::EnvBool(read, Pred::one_of(words, fold))
            }
            _ => Val::Unknown,
        }
    }

    /// The boolean a setting gets (Python truthiness; `bool(int(x))` raises on non-integers).
    pub fn flag(&self, n: Node<'t>) -> BoolVal {
        match self.eval(n, 0) {
            Val::EnvNum(r, _) => BoolVal::Env(r, Pred::Int),
            v => v.as_bool(),
        }
    }
}

fn is_environ(t: &str) -> bool {
    matches!(squash(t).as_str(), "os.environ" | "environ")
}
