//! Nodemailer in JavaScript and TypeScript (CommonJS or ESM): every `createTransport(...)` call
//! becomes one [`Profile`], read with a tree-sitter grammar (error-tolerant, so a pasted fragment
//! works) the way Nodemailer itself reads its options:
//!
//! - the options: an object literal, a variable bound to one (also `{...base}`, `Object.assign`,
//!   later `opts.secure = ...` assignments, TypeScript `as SMTPTransport.Options`), or a
//!   connection URL (`smtp://user:pass@host:587`, `smtps://...`, also inside template literals
//!   and under the `url` key);
//! - `service` presets from Nodemailer's own list, which override host, port and secure;
//! - the defaults of `SMTPConnection` (port `secure ? 465 : 587`, implicit TLS on 465 when
//!   `secure` is unset, opportunistic STARTTLS otherwise);
//! - values read from the environment (`process.env.X`, `process.env.X || 'd'`, `Number(...)`,
//!   `=== 'true'`, destructured `const { X } = process.env`), pushed as [`EnvRef`]s with the
//!   conversion JavaScript applies (a raw `"false"` is truthy);
//! - the `from` of `sendMail({...})` calls on the transport and of the `defaults` argument.
//!
//! `docs/formats/nodemailer.md` lists every rule implemented here.
//!
//! [`EnvRef`]: crate::model::EnvRef

pub mod services;

/// The shared pieces under their new homes (until this file is split).
mod code {
    pub use crate::extract::clients::reads::*;
    pub use crate::extract::syntax::tree::*;
    pub use crate::extract::syntax::value::*;
    pub fn percent_decode(s: &str) -> String {
        crate::extract::syntax::url::percent_decode(s, false)
    }
}

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use super::{is_secret_key, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::Target;
use crate::model::{address_domain, AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};
use code::{
    bool_conv, env_ref, first_error, percent_decode, port_conv, port_security_conv, push_froms,
    text, text_ref, unescape, walk_tree, BoolVal, EnvRead, NumKind, Out, Pred, Val, MAX_DEPTH,
};

const PRESET: &str = "set by the Nodemailer `service` preset, which overrides the options";
const DEFAULT_PORT: &str = "Nodemailer's default port: 465 when `secure` is true, otherwise 587";
const DEFAULT_OPP: &str =
    "`secure` is not set: Nodemailer starts in plaintext and uses STARTTLS only if the server offers it";
const DEFAULT_465: &str =
    "`secure` is not set and the port is 465, so Nodemailer uses implicit TLS";

pub fn extract(file: FileId, text: &str, typescript: bool) -> Extraction {
    let Some(tree) = parse(text, typescript) else {
        return Extraction::default();
    };
    let mut js = Js::new(file, text);
    js.collect(tree.root_node());
    js.run();
    js.ex
}

/// Parse with the grammar the extension names; when that leaves errors, try the other dialect
/// (TypeScript annotations pasted into a `.js` file, JSX in `.ts`) and keep the cleaner tree.
fn parse(text: &str, typescript: bool) -> Option<Tree> {
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
        let mut parser = Parser::new();
        if parser.set_language(&lang).is_err() {
            continue;
        }
        let Some(tree) = parser.parse(text, None) else {
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

fn count_errors(root: Node) -> usize {
    let mut n = 0;
    walk_tree(root, |c| {
        if c.is_error() || c.is_missing() {
            n += 1;
        }
    });
    n
}

/// What a name is bound to.
#[derive(Clone)]
enum Bind<'t> {
    Node(Node<'t>),
    /// `const { SMTP_HOST } = process.env`.
    Env(EnvRead),
}

/// `x.prop = value` somewhere in the file.
struct MemberSet<'t> {
    object: String,
    prop: String,
    key_span: Range<usize>,
    value: Node<'t>,
    pos: usize,
}

/// One option of the flattened options object; `path` is `["port"]` or `["auth", "user"]`.
#[derive(Clone)]
struct Entry<'t> {
    path: Vec<String>,
    key_span: Range<usize>,
    value: Node<'t>,
}

struct Js<'t> {
    file: FileId,
    src: &'t str,
    bindings: HashMap<String, Vec<(usize, Bind<'t>)>>,
    member_sets: Vec<MemberSet<'t>>,
    create_aliases: Vec<String>,
    calls: Vec<Node<'t>>,
    budget: std::cell::Cell<usize>,
    ex: Extraction,
}

/// An option value after object, URL and preset are merged.
#[derive(Clone, Debug)]
struct Setting {
    val: Val,
    /// The key (or URL part) that set it, for `conflicting-settings`.
    key_span: Range<usize>,
    /// The whole value expression, for labels when the value has no literal span.
    expr_span: Range<usize>,
    /// Set by a `service` preset: a default whose span is the service value.
    preset: bool,
}

#[derive(Default, Debug)]
struct Opts {
    host: Option<Setting>,
    port: Option<Setting>,
    secure: Option<Setting>,
    require_tls: Option<Setting>,
    ignore_tls: Option<Setting>,
    service: Option<Setting>,
    auth_method: Option<Setting>,
    /// The `auth` option itself (span of its value), when present.
    auth: Option<Setting>,
    auth_type: Option<Setting>,
    user: Option<Setting>,
    pass: Option<Setting>,
    reject_unauthorized: Option<Setting>,
}

impl<'t> Js<'t> {
    fn new(file: FileId, src: &'t str) -> Self {
        Js {
            file,
            src,
            bindings: HashMap::new(),
            member_sets: Vec::new(),
            create_aliases: Vec::new(),
            calls: Vec::new(),
            budget: std::cell::Cell::new(code::EVAL_BUDGET),
            ex: Extraction::default(),
        }
    }

    fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    fn t(&self, n: Node) -> &'t str {
        text(n, self.src)
    }

    // -----------------------------------------------------------------------------------------
    // First pass: names, imports, calls, secrets
    // -----------------------------------------------------------------------------------------

    fn collect(&mut self, root: Node<'t>) {
        let mut nodes = Vec::new();
        walk_tree(root, |n| {
            if matches!(
                n.kind(),
                "variable_declarator"
                    | "assignment_expression"
                    | "import_specifier"
                    | "call_expression"
                    | "pair"
                    | "string"
                    | "template_string"
                    | "public_field_definition"
            ) {
                nodes.push(n);
            }
        });
        for n in nodes {
            match n.kind() {
                "variable_declarator" => self.declarator(n),
                "assignment_expression" => self.assignment(n),
                "import_specifier" => {
                    let name = n.child_by_field_name("name").map(|x| self.t(x));
                    let alias = n.child_by_field_name("alias").map(|x| self.t(x));
                    if let (Some("createTransport"), Some(a)) = (name, alias) {
                        self.create_aliases.push(a.to_owned());
                    }
                }
                "call_expression" => self.calls.push(n),
                "pair" => self.secret_pair(n),
                "public_field_definition" => {
                    if let (Some(name), Some(value)) = (
                        n.child_by_field_name("name")
                            .or_else(|| n.child_by_field_name("property")),
                        n.child_by_field_name("value"),
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
        self.bindings
            .entry(name.to_owned())
            .or_default()
            .push((pos, b));
    }

    fn declarator(&mut self, n: Node<'t>) {
        let (Some(name), value) = (
            n.child_by_field_name("name"),
            n.child_by_field_name("value"),
        ) else {
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
                } else if is_require_of_nodemailer(v, self.src) {
                    let mut c = name.walk();
                    for p in name.named_children(&mut c) {
                        if p.kind() == "pair_pattern" {
                            let key = p.child_by_field_name("key").map(|k| self.t(k));
                            let val = p.child_by_field_name("value");
                            if let (Some("createTransport"), Some(v)) = (key, val) {
                                if v.kind() == "identifier" {
                                    self.create_aliases.push(self.t(v).to_owned());
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
                    let Some(l) = p.child_by_field_name("left") else {
                        continue;
                    };
                    (l, l, p.child_by_field_name("right"))
                }
                "pair_pattern" => {
                    let (Some(k), Some(v)) =
                        (p.child_by_field_name("key"), p.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    match v.kind() {
                        "identifier" => (k, v, None),
                        "assignment_pattern" => match v.child_by_field_name("left") {
                            Some(l) => (k, l, v.child_by_field_name("right")),
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
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return;
        };
        match left.kind() {
            "identifier" => {
                let nm = self.t(left).to_owned();
                self.secret_string(&nm, right);
                self.bind(&nm, n.start_byte(), Bind::Node(right));
            }
            "member_expression" => {
                let (Some(obj), Some(prop)) = (
                    left.child_by_field_name("object"),
                    left.child_by_field_name("property"),
                ) else {
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

    fn lookup(&self, name: &str, pos: usize) -> Option<&Bind<'t>> {
        let list = self.bindings.get(name)?;
        list.iter()
            .rev()
            .find(|(p, _)| *p < pos)
            .or_else(|| list.first())
            .map(|(_, b)| b)
    }

    // Secrets: every secret-looking literal in the file, SMTP or not.

    fn secret_pair(&mut self, n: Node<'t>) {
        let (Some(k), Some(v)) = (n.child_by_field_name("key"), n.child_by_field_name("value"))
        else {
            return;
        };
        let key = match k.kind() {
            "string" => inner(self.src, k).1.to_owned(),
            _ => self.t(k).to_owned(),
        };
        self.secret_string(&key, v);
    }

    fn secret_string(&mut self, key: &str, v: Node<'t>) {
        if !is_secret_key(key) {
            return;
        }
        let v = unwrap(v);
        if v.kind() == "string" || (v.kind() == "template_string" && !has_substitution(v)) {
            let span = inner(self.src, v).0;
            if span.start < span.end {
                self.ex.secrets.push(span);
            }
        }
    }

    /// Passwords inside connection URLs (`smtps://user:pass@host`).
    fn secret_url(&mut self, n: Node<'t>) {
        let (span, raw) = inner(self.src, n);
        let Some(scheme_end) = raw.find("://") else {
            return;
        };
        let rest_start = scheme_end + 3;
        let rest = &raw[rest_start..];
        let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let Some(at) = rest[..auth_end].rfind('@') else {
            return;
        };
        if let Some(colon) = rest[..at].find(':') {
            let s = span.start + rest_start + colon + 1;
            let e = span.start + rest_start + at;
            if s < e {
                self.ex.secrets.push(s..e);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Evaluation of expressions
    // -----------------------------------------------------------------------------------------

    fn eval(&self, n: Node<'t>, depth: usize) -> Val {
        if depth > MAX_DEPTH || !code::spend(&self.budget) {
            return Val::Unknown;
        }
        let d = depth + 1;
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
            "number" => match parse_js_number(self.t(n)) {
                Some(value) => Val::Num {
                    value,
                    span: n.byte_range(),
                },
                None => Val::Unknown,
            },
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
                let op = n.child_by_field_name("operator").map(|o| self.t(o));
                let Some(arg) = n.child_by_field_name("argument") else {
                    return Val::Unknown;
                };
                match op {
                    Some("!") => {
                        // `!!x` is the truthiness of x; a single `!` is not tracked.
                        let a = unwrap(arg);
                        if a.kind() == "unary_expression"
                            && a.child_by_field_name("operator").map(|o| self.t(o)) == Some("!")
                        {
                            match a.child_by_field_name("argument") {
                                Some(x) => truthiness(self.eval(x, d)),
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
                let (Some(c), Some(a), Some(b)) = (
                    n.child_by_field_name("condition"),
                    n.child_by_field_name("consequence"),
                    n.child_by_field_name("alternative"),
                ) else {
                    return Val::Unknown;
                };
                match (self.eval(a, d), self.eval(b, d)) {
                    (Val::Bool { value: true, .. }, Val::Bool { value: false, .. }) => {
                        truthiness(self.eval(c, d))
                    }
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// `process.env.X`, `process.env['X']`, `import.meta.env.X`: the variable name.
    fn env_member(&self, n: Node<'t>) -> Option<String> {
        let obj = n.child_by_field_name("object")?;
        if !is_env_object(self.t(obj)) {
            return None;
        }
        match n.kind() {
            "member_expression" => {
                let p = n.child_by_field_name("property")?;
                Some(self.t(p).to_owned())
            }
            _ => {
                let idx = unwrap(n.child_by_field_name("index")?);
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
        let (Some(l), Some(r), Some(op)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
            n.child_by_field_name("operator"),
        ) else {
            return Val::Unknown;
        };
        let op = self.t(op);
        match op {
            "||" | "??" => {
                let left = self.eval(l, d);
                if left.env_read().is_some() {
                    let right = self.eval(r, d);
                    // `process.env.X === 'true' || false` keeps the comparison.
                    if matches!(right, Val::Bool { value: false, .. })
                        && matches!(left, Val::EnvBool(..))
                    {
                        return left;
                    }
                    // `||` also replaces an empty string; `??` only a missing variable.
                    return left.with_default(&right, op == "||");
                }
                match (&left, op) {
                    (Val::Null, _) => self.eval(r, d),
                    (Val::Str { text, .. }, "||") if text.is_empty() => self.eval(r, d),
                    (Val::Bool { value: false, .. }, "||") => self.eval(r, d),
                    (Val::Num { value, .. }, "||") if *value == 0.0 => self.eval(r, d),
                    (Val::Unknown, _) => Val::Unknown,
                    _ => left,
                }
            }
            "===" | "==" | "!==" | "!=" => {
                let negate = op.starts_with('!');
                let (a, b) = (self.eval(l, d), self.eval(r, d));
                let (env, lit) = match (&a, &b) {
                    (_, Val::Str { text, .. }) if a.env_read().is_some() => (a.clone(), text),
                    (Val::Str { text, .. }, _) if b.env_read().is_some() => (b.clone(), text),
                    _ => return Val::Unknown,
                };
                let (read, fold) = match env {
                    Val::EnvText(r) => (r, false),
                    Val::EnvLower(r) => (r, true),
                    _ => return Val::Unknown,
                };
                Val::EnvBool(read, Pred::equals(lit, negate, fold))
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
        let (Some(f), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
            return Val::Unknown;
        };
        let first = args.named_child(0);
        let arg = |this: &Self| first.map(|a| this.eval(a, d)).unwrap_or(Val::Unknown);
        match f.kind() {
            "identifier" => match self.t(f) {
                "Number" | "parseFloat" => to_number(arg(self), NumKind::Whole, n),
                "parseInt" => to_number(arg(self), NumKind::LeadingDigits, n),
                "Boolean" => truthiness(arg(self)),
                "String" => arg(self),
                _ => Val::Unknown,
            },
            "member_expression" => {
                let (Some(obj), Some(prop)) = (
                    f.child_by_field_name("object"),
                    f.child_by_field_name("property"),
                ) else {
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
                    (_, "toLowerCase" | "toLocaleLowerCase") => match self.eval(obj, d) {
                        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvLower(r),
                        Val::Str { text, span } => Val::Str {
                            text: text.to_lowercase(),
                            span,
                        },
                        _ => Val::Unknown,
                    },
                    (_, "trim" | "toString" | "valueOf") => self.eval(obj, d),
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// Flatten an options object (following names, spreads, `Object.assign` and later member
    /// assignments) into entries; `false` when the node is not an object we can read.
    fn flatten(
        &self,
        n: Node<'t>,
        prefix: &[String],
        out: &mut Vec<Entry<'t>>,
        depth: usize,
    ) -> bool {
        if depth > MAX_DEPTH || !code::spend(&self.budget) {
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
                            let (Some(k), Some(v)) = (
                                ch.child_by_field_name("key"),
                                ch.child_by_field_name("value"),
                            ) else {
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
                let f = n.child_by_field_name("function").map(|f| squash(self.t(f)));
                if f.as_deref() != Some("Object.assign") {
                    return false;
                }
                let Some(args) = n.child_by_field_name("arguments") else {
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

    // -----------------------------------------------------------------------------------------
    // Transports
    // -----------------------------------------------------------------------------------------

    fn is_create_transport(&self, call: Node<'t>) -> bool {
        let Some(f) = call.child_by_field_name("function") else {
            return false;
        };
        match f.kind() {
            "identifier" => {
                let name = self.t(f);
                name == "createTransport" || self.create_aliases.iter().any(|a| a == name)
            }
            "member_expression" => f
                .child_by_field_name("property")
                .is_some_and(|p| self.t(p) == "createTransport"),
            _ => false,
        }
    }

    fn run(&mut self) {
        let transports: Vec<Node<'t>> = self
            .calls
            .iter()
            .copied()
            .filter(|c| self.is_create_transport(*c))
            .collect();
        let send_calls: Vec<Node<'t>> = self
            .calls
            .iter()
            .copied()
            .filter(|c| {
                c.child_by_field_name("function")
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.child_by_field_name("property"))
                    .is_some_and(|p| self.t(p) == "sendMail")
            })
            .collect();
        let single = transports.len() == 1;
        for call in &transports {
            let name = transport_name(*call, self.src);
            let sends: Vec<Node<'t>> = send_calls
                .iter()
                .copied()
                .filter(|s| single || self.sends_through(*s, *call, name.as_deref()))
                .collect();
            if let Some(p) = self.transport(*call, name.as_deref(), &sends) {
                self.ex.profiles.push(p);
            }
        }
    }

    fn sends_through(&self, send: Node<'t>, call: Node<'t>, name: Option<&str>) -> bool {
        let Some(recv) = send
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("object"))
        else {
            return false;
        };
        let recv = unwrap(recv);
        if recv.id() == call.id() {
            return true;
        }
        let text = squash(self.t(recv));
        let last = text.rsplit('.').next().unwrap_or(&text);
        name.is_some_and(|n| n == last)
    }

    fn transport(
        &mut self,
        call: Node<'t>,
        name: Option<&str>,
        sends: &[Node<'t>],
    ) -> Option<Profile> {
        let callee = call.child_by_field_name("function")?;
        let args = call.child_by_field_name("arguments")?;
        let mut c = args.walk();
        let arglist: Vec<Node> = args
            .named_children(&mut c)
            .filter(|a| a.kind() != "comment")
            .collect();
        let first = *arglist.first()?;
        let anchor = callee.byte_range();

        let mut opts = Opts::default();
        let mut entries = Vec::new();
        let mut url: Option<(UrlParts, bool)> = None;
        if self.flatten(first, &[], &mut entries, 0) {
            if self.not_smtp(&entries) {
                return None;
            }
            self.wrong_keys(&entries);
            self.read_entries(&entries, &mut opts);
            if let Some(e) = last(&entries, &["url"]) {
                url = self.url_of(e.value);
            }
        } else {
            // Not an object: a URL, or a plugin transport / options we cannot see.
            url = Some(self.url_of(first)?);
        }
        if let Some(span) = first_error(args) {
            let span = code::widen(self.src, span);
            self.ex.findings.push(
                Finding::new(
                    "parse-error",
                    Severity::Error,
                    "this createTransport call has a syntax error; the options after it may be missed",
                    Label::new(self.loc(span), "cannot parse this"),
                )
                .with_help("fix the JavaScript syntax so the whole options object can be read"),
            );
        }
        if let Some((u, direct)) = url {
            if direct {
                return None;
            }
            self.apply_url(u, &mut opts);
        }

        let label = name.unwrap_or("createTransport").to_owned();
        let mut p = Profile::new(Client::Nodemailer, label, self.loc(anchor.clone()));
        let service_unknown = self.apply_service(&mut opts);
        self.fill(&opts, &mut p, anchor, service_unknown);

        // From: the `defaults` argument, then every sendMail on this transport.
        let mut froms: Vec<Val> = Vec::new();
        if let Some(defaults) = arglist.get(1) {
            let mut e = Vec::new();
            if self.flatten(*defaults, &[], &mut e, 0) {
                froms.extend(self.froms_of(&e));
            }
        }
        for s in sends {
            let Some(a) = s
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
            else {
                continue;
            };
            let mut e = Vec::new();
            if self.flatten(a, &[], &mut e, 0) {
                froms.extend(self.froms_of(&e));
            }
        }
        push_froms(self.file, &mut p, froms);
        Some(p)
    }

    /// The `from` of a message (or of the defaults), and the envelope sender if set.
    fn froms_of(&self, e: &[Entry<'t>]) -> Vec<Val> {
        let mut out = Vec::new();
        if let Some(f) = last(e, &["from"]) {
            out.push(self.address(f.value));
        }
        if let Some(env) = last(e, &["envelope"]) {
            let mut sub = Vec::new();
            if self.flatten(env.value, &[], &mut sub, 0) {
                if let Some(f) = last(&sub, &["from"]) {
                    out.push(self.address(f.value));
                }
            }
        }
        out
    }

    /// A From value: a string, an env read, or `{ name, address }`.
    fn address(&self, n: Node<'t>) -> Val {
        let mut sub = Vec::new();
        if self.flatten(n, &[], &mut sub, 0) {
            return match last(&sub, &["address"]) {
                Some(a) => self.eval(a.value, 0),
                None => Val::Unknown,
            };
        }
        self.eval(n, 0)
    }

    /// `createTransport({ sendmail: true })` and other non-SMTP transports.
    fn not_smtp(&self, entries: &[Entry<'t>]) -> bool {
        entries.iter().any(|e| {
            e.path.len() == 1
                && match e.path[0].as_str() {
                    "sendmail" | "streamTransport" | "jsonTransport" => {
                        matches!(self.eval(e.value, 0).as_bool(), BoolVal::Known(true, _))
                    }
                    "SES" | "transport" => true,
                    _ => false,
                }
        })
    }

    /// Option names Nodemailer does not read, which people write expecting an effect.
    fn wrong_keys(&mut self, entries: &[Entry<'t>]) {
        for e in entries {
            let hint = match e.path.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["secureConnection"] => {
                    "Nodemailer ignores `secureConnection` (an old name); use `secure`"
                }
                ["ssl"] | ["useSSL"] | ["use_ssl"] => {
                    "Nodemailer has no `ssl` option; `secure: true` selects implicit TLS"
                }
                ["tls" | "useTLS" | "starttls" | "startTLS" | "requireSSL"]
                    if !matches!(unwrap(e.value).kind(), "object" | "identifier") =>
                {
                    "this is not a Nodemailer switch; `requireTLS: true` makes STARTTLS mandatory"
                }
                ["requireTls"] | ["requiretls"] | ["RequireTLS"] => {
                    "Nodemailer ignores this spelling; the option is `requireTLS`"
                }
                ["ignoreTls"] | ["ignoretls"] => {
                    "Nodemailer ignores this spelling; the option is `ignoreTLS`"
                }
                ["rejectUnauthorized"] => {
                    "Nodemailer ignores `rejectUnauthorized` here; it belongs under `tls`"
                }
                ["user"] | ["pass"] | ["password"] | ["username"] => {
                    "Nodemailer ignores this key at the top level; credentials go under `auth`"
                }
                ["auth", "password"] | ["auth", "username"] => {
                    "Nodemailer reads `auth.user` and `auth.pass`; this key is ignored"
                }
                _ => continue,
            };
            let key = e.path.join(".");
            self.ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!("`{key}` is not an option Nodemailer reads, so it has no effect"),
                    Label::new(self.loc(e.key_span.clone()), "ignored"),
                )
                .with_help(hint),
            );
        }
    }

    fn setting(&self, e: &Entry<'t>) -> Setting {
        let val = self.eval(e.value, 0);
        Setting {
            val,
            key_span: e.key_span.clone(),
            expr_span: unwrap(e.value).byte_range(),
            preset: false,
        }
    }

    fn read_entries(&self, entries: &[Entry<'t>], o: &mut Opts) {
        let get = |path: &[&str]| last(entries, path).map(|e| self.setting(e));
        o.host = get(&["host"]);
        o.port = get(&["port"]);
        o.secure = get(&["secure"]);
        o.require_tls = get(&["requireTLS"]);
        o.ignore_tls = get(&["ignoreTLS"]);
        o.service = get(&["service"]);
        o.auth_method = get(&["authMethod"]);
        o.auth = get(&["auth"]);
        o.auth_type = get(&["auth", "type"]);
        o.user = get(&["auth", "user"]);
        o.pass = get(&["auth", "pass"]);
        o.reject_unauthorized = get(&["tls", "rejectUnauthorized"]);
    }

    // -----------------------------------------------------------------------------------------
    // Connection URLs
    // -----------------------------------------------------------------------------------------

    /// Parse a connection URL given as a string or template literal (or a name bound to one).
    /// Returns the parts and whether it is a `direct:` URL (no SMTP server).
    fn url_of(&mut self, n: Node<'t>) -> Option<(UrlParts, bool)> {
        let n = self.resolve_string_node(unwrap(n), 0)?;
        let (span, raw) = inner(self.src, n);
        // Substitutions become runs of 0x01 bytes of the same length, so offsets stay put.
        let mut masked = raw.as_bytes().to_vec();
        let mut subs: Vec<(Range<usize>, Val)> = Vec::new();
        if n.kind() == "template_string" {
            let mut c = n.walk();
            for s in n.named_children(&mut c) {
                if s.kind() == "template_substitution" {
                    let r = s.start_byte() - span.start..s.end_byte() - span.start;
                    for b in &mut masked[r.clone()] {
                        *b = 1;
                    }
                    let v = s
                        .named_child(0)
                        .map(|e| self.eval(e, 0))
                        .unwrap_or(Val::Unknown);
                    subs.push((r, v));
                }
            }
        }
        let masked = String::from_utf8_lossy(&masked).into_owned();
        if masked.len() != raw.len() || (n.kind() == "string" && raw.contains('\\')) {
            return None; // escapes inside a URL literal: too unusual to map spans
        }
        let base = span.start;
        let Some(u) = parse_url(&masked) else {
            self.ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    "this is not a connection URL: without `smtp://` or `smtps://` Nodemailer \
                     reads no host from it and connects to localhost",
                    Label::new(self.loc(span), "no scheme"),
                )
                .with_help("write `smtps://user:pass@host:465` or `smtp://user:pass@host:587`, or pass an options object"),
            );
            return None;
        };
        let piece = |r: &Range<usize>| -> Val {
            if let Some((_, v)) = subs.iter().find(|(s, _)| s == r) {
                return v.clone();
            }
            let t = &masked[r.clone()];
            if t.contains('\u{1}') {
                return Val::Unknown;
            }
            Val::Str {
                text: t.to_owned(),
                span: base + r.start..base + r.end,
            }
        };
        let direct = u.scheme.1 == "direct";
        let mut parts = UrlParts {
            scheme: (base + u.scheme.0.start..base + u.scheme.0.end, u.scheme.1),
            host: u.host.as_ref().map(&piece),
            port: u.port.as_ref().map(&piece),
            user: u.user.as_ref().map(|r| decoded(piece(r))),
            pass: u.pass.as_ref().map(|r| decoded(piece(r))),
            query: Vec::new(),
        };
        for (k, kr, v) in &u.query {
            let value = match v {
                Some(r) => match piece(r) {
                    Val::Str { text, span } => {
                        query_value(&percent_decode(&text.replace('+', " ")), span)
                    }
                    other => other,
                },
                None => Val::Str {
                    text: String::new(),
                    span: base + kr.end..base + kr.end,
                },
            };
            parts
                .query
                .push((percent_decode(k), base + kr.start..base + kr.end, value));
        }
        Some((parts, direct))
    }

    fn resolve_string_node(&self, n: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match n.kind() {
            "string" | "template_string" => Some(n),
            "identifier" => match self.lookup(self.t(n), n.start_byte()) {
                Some(Bind::Node(v)) if !v.byte_range().contains(&n.start_byte()) => {
                    self.resolve_string_node(unwrap(*v), depth + 1)
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn apply_url(&mut self, u: UrlParts, o: &mut Opts) {
        let (scheme_span, scheme) = u.scheme;
        let set = |val: Val, span: Range<usize>| Setting {
            key_span: span.clone(),
            expr_span: span,
            val,
            preset: false,
        };
        let mut url_has = Vec::new();
        match scheme.as_str() {
            "smtp" | "smtps" => {
                o.secure = Some(set(
                    Val::Bool {
                        value: scheme == "smtps",
                        span: scheme_span.clone(),
                    },
                    scheme_span,
                ));
                url_has.push("secure");
            }
            "direct" => {}
            other => {
                self.ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Warning,
                        format!("Nodemailer does not know the URL scheme `{other}:`, so it sets no TLS mode from it"),
                        Label::new(self.loc(scheme_span), "unknown scheme"),
                    )
                    .with_help("use `smtps:` for implicit TLS (port 465) or `smtp:` for STARTTLS (port 587)"),
                );
            }
        }
        let span_of = |v: &Val| match v {
            Val::Str { span, .. } => span.clone(),
            other => other
                .env_read()
                .map(|r| r.reference.clone())
                .unwrap_or(0..0),
        };
        if let Some(p) = u.port {
            let s = span_of(&p);
            let p = match p {
                Val::Str { text, span } => match text.parse::<f64>() {
                    Ok(v) => Val::Num { value: v, span },
                    Err(_) => Val::Str { text, span },
                },
                other => other,
            };
            o.port = Some(set(p, s));
            url_has.push("port");
        }
        if let Some(h) = u.host {
            let s = span_of(&h);
            o.host = Some(set(h, s));
            url_has.push("host");
        }
        if u.user.is_some() || u.pass.is_some() {
            let s = u
                .user
                .as_ref()
                .or(u.pass.as_ref())
                .map(span_of)
                .unwrap_or(0..0);
            o.auth = Some(set(Val::Unknown, s));
            if let Some(user) = u.user {
                let s = span_of(&user);
                o.user = Some(set(user, s));
            }
            if let Some(pass) = u.pass {
                let s = span_of(&pass);
                o.pass = Some(set(pass, s));
            }
        }
        for (key, kspan, val) in u.query {
            let mut s = set(val, kspan.clone());
            s.expr_span = match &s.val {
                Val::Str { span, .. } | Val::Num { span, .. } | Val::Bool { span, .. } => {
                    span.clone()
                }
                _ => kspan,
            };
            // Query options never replace what the URL itself set.
            if url_has.contains(&key.as_str()) {
                continue;
            }
            match key.as_str() {
                "secure" => o.secure = Some(s),
                "requireTLS" => o.require_tls = Some(s),
                "ignoreTLS" => o.ignore_tls = Some(s),
                "service" if o.service.is_none() => o.service = Some(s),
                "authMethod" => o.auth_method = Some(s),
                "tls.rejectUnauthorized" => o.reject_unauthorized = Some(s),
                _ => {}
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Service presets
    // -----------------------------------------------------------------------------------------

    /// Apply a `service` preset; returns true when a service is set but cannot be read (an env
    /// variable), so the transport's host, port and TLS mode are unknown.
    fn apply_service(&mut self, o: &mut Opts) -> bool {
        let Some(svc) = o.service.clone() else {
            return false;
        };
        let (name, span) = match &svc.val {
            Val::Str { text, span } if !text.trim().is_empty() => (text.clone(), span.clone()),
            Val::Str { .. } | Val::Null | Val::Bool { value: false, .. } => return false,
            _ => return true,
        };
        let Some(preset) = services::lookup(&name) else {
            let key = services::lookup_key(&name);
            let help = if key == "icloud.com" {
                "Nodemailer's iCloud preset lists only me.com and mac.com; write `service: 'iCloud'`, \
                 or `host: 'smtp.mail.me.com', port: 587, requireTLS: true`"
                    .to_owned()
            } else {
                "use a name from Nodemailer's well-known services list, or set `host` and `port` instead"
                    .to_owned()
            };
            self.ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Error,
                    format!(
                        "Nodemailer has no well-known service `{name}`: the preset is skipped and, \
                         without a host, it connects to localhost"
                    ),
                    Label::new(self.loc(span), "unknown service"),
                )
                .with_help(help),
            );
            return false;
        };
        let preset_setting = |val: Val| Setting {
            val,
            key_span: svc.key_span.clone(),
            expr_span: span.clone(),
            preset: true,
        };
        let sname = preset.name.clone();
        let mut overrides: Vec<(&'static str, Option<Setting>, Val, String)> = Vec::new();
        if let Some(h) = &preset.host {
            overrides.push((
                "host",
                o.host.take(),
                Val::Str {
                    text: h.clone(),
                    span: span.clone(),
                },
                h.clone(),
            ));
        }
        if let Some(v) = preset.port {
            overrides.push((
                "port",
                o.port.take(),
                Val::Num {
                    value: v as f64,
                    span: span.clone(),
                },
                v.to_string(),
            ));
        }
        for (key, flag) in [
            ("secure", preset.secure),
            ("requireTLS", preset.require_tls),
            ("ignoreTLS", preset.ignore_tls),
        ] {
            if let Some(b) = flag {
                let old = match key {
                    "secure" => o.secure.take(),
                    "requireTLS" => o.require_tls.take(),
                    _ => o.ignore_tls.take(),
                };
                overrides.push((
                    key,
                    old,
                    Val::Bool {
                        value: b,
                        span: span.clone(),
                    },
                    b.to_string(),
                ));
            }
        }
        if let Some(m) = &preset.auth_method {
            overrides.push((
                "authMethod",
                o.auth_method.take(),
                Val::Str {
                    text: m.clone(),
                    span: span.clone(),
                },
                m.clone(),
            ));
        }
        for (key, old, new, shown) in overrides {
            let mut kept = None;
            if let Some(old) = old {
                if same_value(&old.val, &new) {
                    kept = Some(old);
                } else {
                    self.ex.findings.push(
                        Finding::new(
                            "conflicting-settings",
                            Severity::Warning,
                            format!(
                                "`{key}` is ignored: the `{sname}` service preset sets {key} {shown} \
                                 and overrides it"
                            ),
                            Label::new(self.loc(old.expr_span.clone()), "ignored"),
                        )
                        .with_label(Label::new(self.loc(span.clone()), "the preset wins"))
                        .with_help(format!(
                            "remove `{key}`, or drop `service` and set host, port and secure yourself"
                        )),
                    );
                }
            }
            let s = kept.unwrap_or_else(|| preset_setting(new));
            match key {
                "host" => o.host = Some(s),
                "port" => o.port = Some(s),
                "secure" => o.secure = Some(s),
                "requireTLS" => o.require_tls = Some(s),
                "ignoreTLS" => o.ignore_tls = Some(s),
                _ => o.auth_method = Some(s),
            }
        }
        self.preset_caveats(preset, &name, o, span);
        false
    }

    /// Known errors of Nodemailer's preset list (research/providers.md §6).
    fn preset_caveats(
        &mut self,
        preset: &services::Service,
        value: &str,
        o: &Opts,
        span: Range<usize>,
    ) {
        let key = services::lookup_key(value);
        let user_domain = match o.user.as_ref().map(|u| &u.val) {
            Some(Val::Str { text, .. }) => address_domain(text),
            _ => None,
        };
        let domain_is = |ds: &[&str]| {
            ds.contains(&key.as_str()) || user_domain.as_deref().is_some_and(|d| ds.contains(&d))
        };
        let (message, help) = match preset.name.as_str() {
            "Proton" if domain_is(&["proton.me", "protonmail.com", "pm.me", "protonmail.ch"]) => (
                "Nodemailer's Proton preset sends through smtp.protonmail.ch, which takes only \
                 custom-domain addresses with an SMTP token, not proton.me/pm.me addresses",
                "send through Proton Mail Bridge on 127.0.0.1, or use an SMTP token for a custom-domain address",
            ),
            "GMX" if domain_is(&["gmx.net", "gmx.de", "gmx.at", "gmx.ch"]) => (
                "Nodemailer's GMX preset sends through mail.gmx.com, but gmx.net and gmx.de \
                 accounts use mail.gmx.net",
                "write `host: 'mail.gmx.net', port: 587, requireTLS: true` instead of `service`",
            ),
            "Mailjet" => (
                "Nodemailer's Mailjet preset uses the legacy host in.mailjet.com; Mailjet's current \
                 host is in-v3.mailjet.com",
                "write `host: 'in-v3.mailjet.com', port: 587, requireTLS: true` instead of `service`",
            ),
            "Zoho"
                if user_domain
                    .as_deref()
                    .is_some_and(|d| !matches!(d, "zoho.com" | "zohomail.com")) =>
            (
                "Nodemailer's Zoho preset sends through smtp.zoho.com (US data centre, personal \
                 accounts); other data centres and organisation accounts use smtp.zoho.<dc> or \
                 smtppro.zoho.<dc>",
                "set `host` to the Zoho server of your account's data centre instead of `service`",
            ),
            _ => return,
        };
        self.ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Warning,
                message,
                Label::new(self.loc(span), "preset"),
            )
            .with_help(help),
        );
    }

    // -----------------------------------------------------------------------------------------
    // The profile
    // -----------------------------------------------------------------------------------------

    fn value<T>(&self, v: T, s: &Setting, span: Range<usize>) -> Value<T> {
        if s.preset {
            Value::default(v, self.loc(span), PRESET)
        } else {
            Value::literal(v, self.loc(span))
        }
    }

    fn invalid(&mut self, span: Range<usize>, message: String, help: &str) {
        self.ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Error,
                message,
                Label::new(self.loc(span), "invalid"),
            )
            .with_help(help.to_owned()),
        );
    }

    fn fill(&mut self, o: &Opts, p: &mut Profile, anchor: Range<usize>, service_unknown: bool) {
        let file = self.file;
        // Host.
        if let Some(h) = &o.host {
            match &h.val {
                Val::Str { text, span } if !text.trim().is_empty() => {
                    p.host = Some(self.value(text.trim().to_owned(), h, span.clone()))
                }
                Val::EnvText(r) => p.env_refs.push(text_ref(file, r, Target::Host)),
                _ => {}
            }
        }

        // Port.
        enum Port {
            Absent,
            Known(u16, Range<usize>),
            Env(EnvRead, NumKind),
            Unknown,
        }
        let port = match &o.port {
            None => Port::Absent,
            Some(s) => match &s.val {
                Val::Num { value, span } => {
                    if *value == 0.0 {
                        Port::Absent
                    } else if value.fract() == 0.0 && *value >= 1.0 && *value <= 65535.0 {
                        Port::Known(*value as u16, span.clone())
                    } else {
                        self.invalid(
                            span.clone(),
                            format!(
                                "port {} is not a port number (1-65535)",
                                code::format_num(*value)
                            ),
                            "use 587 (STARTTLS) or 465 (implicit TLS)",
                        );
                        Port::Unknown
                    }
                }
                Val::Str { text, span } => {
                    let t = text.trim();
                    if t.is_empty() {
                        Port::Absent
                    } else {
                        match code::port_of(t, NumKind::Whole) {
                            Some(n) => Port::Known(n, span.clone()),
                            None => {
                                self.invalid(
                                    span.clone(),
                                    format!("port `{t}` is not a port number; Nodemailer falls back to its default port"),
                                    "use 587 (STARTTLS) or 465 (implicit TLS)",
                                );
                                Port::Unknown
                            }
                        }
                    }
                }
                Val::EnvText(r) => Port::Env(r.clone(), NumKind::Whole),
                Val::EnvNum(r, k) => Port::Env(r.clone(), *k),
                Val::Null => Port::Absent,
                _ => Port::Unknown,
            },
        };
        match &port {
            Port::Known(n, span) => {
                if let Some(s) = &o.port {
                    p.port = Some(self.value(*n, s, span.clone()));
                }
            }
            Port::Env(r, k) => p.env_refs.push(env_ref(file, r, port_conv(*k))),
            _ => {}
        }

        // TLS mode.
        let flag = |s: &Option<Setting>| -> Option<(BoolVal, Setting)> {
            let s = s.as_ref()?;
            match &s.val {
                Val::Null => None,
                v => Some((v.as_bool(), s.clone())),
            }
        };
        let secure = flag(&o.secure);
        let require = flag(&o.require_tls);
        let ignore = flag(&o.ignore_tls);
        let off = |f: &Option<(BoolVal, Setting)>| {
            f.is_none() || matches!(f, Some((BoolVal::Known(false, _), _)))
        };
        /// What happens when implicit TLS is not used.
        enum Fallback {
            Plain(Out, Option<(Range<usize>, bool)>),
            Env(EnvRead, Pred, Out, Out),
            Unknown,
        }
        let fallback = if let (
            Some((BoolVal::Known(true, rs), _)),
            Some((BoolVal::Known(true, is), _)),
        ) = (&require, &ignore)
        {
            self.ex.findings.push(
                Finding::new(
                    "conflicting-settings",
                    Severity::Error,
                    "`requireTLS` and `ignoreTLS` are both true: one demands STARTTLS, the other forbids it",
                    Label::new(self.loc(is.clone()), "ignoreTLS"),
                )
                .with_label(Label::new(self.loc(rs.clone()), "requireTLS"))
                .with_help("keep `requireTLS: true` and remove `ignoreTLS`"),
            );
            Fallback::Unknown
        } else if let Some((BoolVal::Known(true, span), s)) = &require {
            Fallback::Plain(Out::StartReq, Some((span.clone(), s.preset)))
        } else if let Some((BoolVal::Known(true, span), s)) = &ignore {
            Fallback::Plain(Out::NoTls, Some((span.clone(), s.preset)))
        } else if let (Some((BoolVal::Env(r, pr), _)), true) = (&require, off(&ignore)) {
            Fallback::Env(r.clone(), pr.clone(), Out::StartReq, Out::StartOpp)
        } else if let (Some((BoolVal::Env(r, pr), _)), true) = (&ignore, off(&require)) {
            Fallback::Env(r.clone(), pr.clone(), Out::NoTls, Out::StartOpp)
        } else if off(&require) && off(&ignore) {
            Fallback::Plain(Out::StartOpp, None)
        } else {
            Fallback::Unknown
        };
        let sec_value = |o: Out| match o {
            Out::StartReq => Security::StartTls { required: true },
            Out::NoTls => Security::None,
            _ => Security::StartTls { required: false },
        };
        // Apply the fallback, with `opp_loc` the span of an opportunistic default.
        let apply_fallback =
            |p: &mut Profile, opp: Option<(Range<usize>, bool)>, this: &Self| match &fallback {
                Fallback::Plain(out, Some((span, preset))) => {
                    let v = sec_value(*out);
                    p.security = Some(if *preset {
                        Value::default(v, this.loc(span.clone()), PRESET)
                    } else {
                        Value::literal(v, this.loc(span.clone()))
                    });
                }
                Fallback::Plain(out, None) => {
                    let v = sec_value(*out);
                    p.security = Some(match opp {
                        Some((span, false)) => Value::literal(v, this.loc(span)),
                        Some((span, true)) => Value::default(v, this.loc(span), PRESET),
                        None => Value::default(v, this.loc(anchor.clone()), DEFAULT_OPP),
                    });
                }
                Fallback::Env(r, pr, t, f) => {
                    p.env_refs
                        .push(env_ref(file, r, bool_conv(*t, *f, pr.clone())));
                }
                Fallback::Unknown => {}
            };
        let plain_out = match &fallback {
            Fallback::Plain(o, _) => Some(*o),
            _ => None,
        };
        if service_unknown {
            // host, port and TLS come from a preset named at run time.
        } else {
            match &secure {
                Some((BoolVal::Known(true, span), s)) => {
                    p.security = Some(self.value(Security::ImplicitTls, s, span.clone()));
                    if matches!(port, Port::Absent) {
                        p.port = Some(Value::default(465, self.loc(span.clone()), DEFAULT_PORT));
                    }
                }
                Some((BoolVal::Known(false, span), s)) => {
                    apply_fallback(p, Some((span.clone(), s.preset)), self);
                    if matches!(port, Port::Absent) {
                        p.port = Some(Value::default(587, self.loc(span.clone()), DEFAULT_PORT));
                    }
                }
                None => {
                    match &port {
                        Port::Known(465, span) => {
                            p.security = Some(Value::default(
                                Security::ImplicitTls,
                                self.loc(span.clone()),
                                DEFAULT_465,
                            ));
                        }
                        Port::Known(..) | Port::Absent => apply_fallback(p, None, self),
                        Port::Env(r, k) => {
                            if let Some(conv) = plain_out.and_then(|o| port_security_conv(*k, o)) {
                                p.env_refs.push(env_ref(file, r, conv));
                            }
                        }
                        Port::Unknown => {}
                    }
                    if matches!(port, Port::Absent) {
                        p.port = Some(Value::default(587, self.loc(anchor.clone()), DEFAULT_PORT));
                    }
                }
                Some((BoolVal::Env(r, pr), _)) => {
                    if let Some(o) = plain_out {
                        let conv = bool_conv(Out::Implicit, o, pr.clone());
                        p.env_refs.push(env_ref(file, r, conv));
                    }
                    if matches!(port, Port::Absent) {
                        let conv = bool_conv(Out::Port465, Out::Port587, pr.clone());
                        p.env_refs.push(env_ref(file, r, conv));
                    }
                }
                Some((BoolVal::Unknown, _)) => {}
            }
        }

        // Certificate verification.
        if let Some(s) = &o.reject_unauthorized {
            match s.val.as_bool() {
                BoolVal::Known(b, span) => p.tls_verify = Some(self.value(b, s, span)),
                BoolVal::Env(r, pr) => {
                    let conv = bool_conv(Out::VerifyOn, Out::VerifyOff, pr);
                    p.env_refs.push(env_ref(file, &r, conv));
                }
                BoolVal::Unknown => {}
            }
        }

        // Authentication.
        let auth_given = match &o.auth {
            None => false,
            Some(a) => !matches!(
                a.val,
                Val::Null | Val::Bool { value: false, .. } | Val::Num { value: 0.0, .. }
            ),
        };
        if !auth_given {
            return;
        }
        if let Some(u) = &o.user {
            match &u.val {
                Val::Str { text, span } => {
                    p.username = Some(self.value(text.clone(), u, span.clone()))
                }
                Val::EnvText(r) | Val::EnvInText(r) => {
                    p.env_refs.push(text_ref(file, r, Target::Username))
                }
                _ => {}
            }
        }
        let oauth = o.auth_type.as_ref().is_some_and(
            |t| matches!(&t.val, Val::Str { text, .. } if text.eq_ignore_ascii_case("oauth2")),
        );
        if let Some(pw) = &o.pass {
            match &pw.val {
                Val::Str { text, span } if !oauth => {
                    if span.start < span.end {
                        self.ex.secrets.push(span.clone());
                    }
                    p.password = Some(self.value(Secret::new(text.clone()), pw, span.clone()));
                }
                Val::EnvText(r) if !oauth => p.env_refs.push(text_ref(file, r, Target::Password)),
                _ => {}
            }
        }
        let method = if oauth {
            o.auth_type
                .as_ref()
                .map(|t| (AuthMethod::OAuth2, t.clone()))
        } else if let Some(m) = &o.auth_method {
            match &m.val {
                Val::Str { text, .. } => Some((
                    match text.to_ascii_uppercase().as_str() {
                        "PLAIN" | "LOGIN" => AuthMethod::Password,
                        "CRAM-MD5" => AuthMethod::EncryptedPassword,
                        "XOAUTH2" => AuthMethod::OAuth2,
                        other => AuthMethod::Other(other.to_owned()),
                    },
                    m.clone(),
                )),
                _ => None,
            }
        } else {
            None
        };
        match method {
            Some((m, s)) => {
                let span = match &s.val {
                    Val::Str { span, .. } => span.clone(),
                    _ => s.expr_span.clone(),
                };
                p.auth = Some(self.value(m, &s, span));
            }
            None => {
                // `auth: { user, pass }`: Nodemailer logs in with a password (PLAIN or LOGIN).
                if let Some(s) = o.pass.as_ref().or(o.auth.as_ref()) {
                    let span = match &s.val {
                        Val::Str { span, .. } => span.clone(),
                        _ => s.expr_span.clone(),
                    };
                    p.auth = Some(Value::literal(AuthMethod::Password, self.loc(span)));
                }
            }
        }
    }
}

/// Parts of a connection URL, values already evaluated (template substitutions included).
struct UrlParts {
    scheme: (Range<usize>, String),
    host: Option<Val>,
    port: Option<Val>,
    user: Option<Val>,
    pass: Option<Val>,
    query: Vec<(String, Range<usize>, Val)>,
}

/// Byte ranges of the parts of `scheme://user:pass@host:port/path?query`, the way Node's legacy
/// `url.parse` splits them (the last `@` ends the credentials).
struct RawUrl {
    scheme: (Range<usize>, String),
    user: Option<Range<usize>>,
    pass: Option<Range<usize>>,
    host: Option<Range<usize>>,
    port: Option<Range<usize>>,
    query: Vec<(String, Range<usize>, Option<Range<usize>>)>,
}

fn parse_url(s: &str) -> Option<RawUrl> {
    let lead = s.len() - s.trim_start().len();
    let t = &s[lead..];
    let colon = t.find(':')?;
    let scheme = &t[..colon];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let scheme_span = lead..lead + colon;
    let mut i = lead + colon + 1;
    let mut url = RawUrl {
        scheme: (scheme_span, scheme.to_ascii_lowercase()),
        user: None,
        pass: None,
        host: None,
        port: None,
        query: Vec::new(),
    };
    if s[i..].starts_with("//") {
        i += 2;
        let rest = &s[i..];
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let mut host_start = 0;
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            match userinfo.find(':') {
                Some(c) => {
                    url.user = Some(i..i + c);
                    url.pass = Some(i + c + 1..i + at);
                }
                None => url.user = Some(i..i + at),
            }
            host_start = at + 1;
        }
        let hostport = &authority[host_start..];
        let (h, p) = if hostport.starts_with('[') {
            match hostport.find(']') {
                Some(close) => {
                    let after = &hostport[close + 1..];
                    (
                        1..close,
                        after.strip_prefix(':').map(|_| close + 2..hostport.len()),
                    )
                }
                None => (0..hostport.len(), None),
            }
        } else {
            match hostport.rfind(':') {
                Some(c) => (0..c, Some(c + 1..hostport.len())),
                None => (0..hostport.len(), None),
            }
        };
        let base = i + host_start;
        if h.start < h.end {
            url.host = Some(base + h.start..base + h.end);
        }
        if let Some(p) = p.filter(|p| p.start < p.end) {
            url.port = Some(base + p.start..base + p.end);
        }
        i += end;
    } else {
        return None;
    }
    if let Some(q) = s[i..].find('?') {
        let qs = i + q + 1;
        let qe = s[qs..].find('#').map(|h| qs + h).unwrap_or(s.len());
        let mut pos = qs;
        for part in s[qs..qe].split('&') {
            let ps = pos;
            pos += part.len() + 1;
            if part.is_empty() {
                continue;
            }
            match part.find('=') {
                Some(eq) => url.query.push((
                    part[..eq].to_owned(),
                    ps..ps + eq,
                    Some(ps + eq + 1..ps + part.len()),
                )),
                None => url.query.push((part.to_owned(), ps..ps + part.len(), None)),
            }
        }
    }
    Some(url)
}

/// A query value the way `parseConnectionUrl` converts it: numbers, then `true` / `false`.
fn query_value(text: &str, span: Range<usize>) -> Val {
    if let Ok(n) = text.trim().parse::<f64>() {
        if !text.trim().is_empty() {
            return Val::Num { value: n, span };
        }
    }
    match text {
        "true" => Val::Bool { value: true, span },
        "false" => Val::Bool { value: false, span },
        _ => Val::Str {
            text: text.to_owned(),
            span,
        },
    }
}

fn decoded(v: Val) -> Val {
    match v {
        Val::Str { text, span } => Val::Str {
            text: percent_decode(&text),
            span,
        },
        other => other,
    }
}

fn same_value(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Str { text: x, .. }, Val::Str { text: y, .. }) => x.eq_ignore_ascii_case(y),
        (Val::Num { value: x, .. }, Val::Num { value: y, .. }) => x == y,
        (Val::Str { text, .. }, Val::Num { value, .. }) => text.trim().parse::<f64>() == Ok(*value),
        (Val::Bool { value: x, .. }, Val::Bool { value: y, .. }) => x == y,
        _ => false,
    }
}

fn truthiness(v: Val) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvBool(r, Pred::Truthy),
        Val::EnvNum(r, NumKind::Whole) => Val::EnvBool(r, Pred::Number),
        Val::EnvBool(..) => v,
        other => match other.as_bool() {
            BoolVal::Known(value, span) => Val::Bool { value, span },
            _ => Val::Unknown,
        },
    }
}

fn to_number(v: Val, kind: NumKind, n: Node) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvNum(r, kind),
        Val::Num { .. } => v,
        Val::Str { text, span } => match code::port_of(&text, kind) {
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

fn parse_js_number(t: &str) -> Option<f64> {
    let t = t.replace('_', "");
    let lower = t.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = lower.strip_prefix(prefix) {
            return u64::from_str_radix(d, radix).ok().map(|v| v as f64);
        }
    }
    lower.trim_end_matches('n').parse::<f64>().ok()
}

/// The last entry at a path (later keys win, as in JavaScript).
fn last<'a, 't>(entries: &'a [Entry<'t>], path: &[&str]) -> Option<&'a Entry<'t>> {
    entries
        .iter()
        .rev()
        .find(|e| e.path.len() == path.len() && e.path.iter().zip(path).all(|(a, b)| a == b))
}

/// Strip wrappers that do not change a value: parentheses, TypeScript casts, `await`.
fn unwrap(n: Node) -> Node {
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
fn inner<'s>(src: &'s str, n: Node) -> (Range<usize>, &'s str) {
    let r = n.byte_range();
    if r.end >= r.start + 2 && r.end <= src.len() {
        let span = r.start + 1..r.end - 1;
        if let Some(t) = src.get(span.clone()) {
            return (span, t);
        }
    }
    (r.clone(), src.get(r).unwrap_or(""))
}

fn has_substitution(n: Node) -> bool {
    let mut c = n.walk();
    let found = n
        .named_children(&mut c)
        .any(|k| k.kind() == "template_substitution");
    found
}

/// Text without whitespace, for comparing member chains (`this . transporter`).
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn is_env_object(t: &str) -> bool {
    matches!(
        squash(t).as_str(),
        "process.env"
            | "import.meta.env"
            | "Bun.env"
            | "globalThis.process.env"
            | "global.process.env"
    )
}

fn is_require_of_nodemailer(n: Node, src: &str) -> bool {
    n.kind() == "call_expression"
        && n.child_by_field_name("function")
            .is_some_and(|f| text(f, src) == "require")
        && n.child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .is_some_and(|s| inner(src, s).1 == "nodemailer")
}

/// The name the transport is kept under (`transporter`, `this.mailer` -> `mailer`).
fn transport_name(call: Node, src: &str) -> Option<String> {
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
                let name = parent.child_by_field_name("name")?;
                return (name.kind() == "identifier").then(|| text(name, src).to_owned());
            }
            "assignment_expression" => {
                let left = squash(text(parent.child_by_field_name("left")?, src));
                return left.rsplit('.').next().map(str::to_owned);
            }
            "pair" => {
                return parent
                    .child_by_field_name("key")
                    .map(|k| text(k, src).to_owned())
            }
            "public_field_definition" => {
                return parent
                    .child_by_field_name("name")
                    .or_else(|| parent.child_by_field_name("property"))
                    .map(|k| text(k, src).to_owned())
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests;
