//! PHP: PHPMailer objects configured in code, and Laravel's `config/mail.php`.
//!
//! The file is parsed with tree-sitter-php, which is error-tolerant and keeps byte spans. A
//! snippet without `<?php` is parsed with the grammar for bare PHP. One walk over the tree, in
//! source order, records
//! - what PHPMailer objects are told: `$mail = new PHPMailer(...)`, `$mail->Host = ...`,
//!   `$mail->isSMTP()`, `$mail->setFrom(...)`, also on receivers like `$this->mailer`
//!   ([`phpmailer`]),
//! - the array a top-level `return [...]` hands to Laravel
//!   ([`crate::extract::clients::laravel`]),
//! - every secret-looking value, so renderers can mask it.
//!
//! Values are read without running the code: literals, `PHPMailer::ENCRYPTION_*` constants,
//! `define()`d constants, variables assigned earlier in the same function, and environment reads
//! (`getenv('X')`, `$_ENV['X']`, `$_SERVER['X']`, Laravel's `env('X', default)`, with casts and
//! `?:` / `??` defaults). Environment reads become [`crate::model::EnvRef`]s that the resolve
//! step fills from the project's `.env` files. `docs/formats/phpmailer.md` has the details.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, Tree};

use super::{is_secret_key, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::source::{FileId, Loc};

mod phpmailer;
pub(crate) mod value;

use value::{Arr, Cast, Entry, EnvKind, EnvRead, Expr, PhpVal, Str};

/// How deep expression evaluation goes (nested casts, arrays, parentheses).
const MAX_DEPTH: u8 = 24;
/// Receivers longer than this are not tracked (`$a->b()->c(...)->Host = ...` chains).
const MAX_RECEIVER: usize = 160;

pub fn extract(file: FileId, text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let Some(tree) = parse(text) else {
        return ex;
    };
    let mut w = Walker::new(file, text);
    w.walk(tree.root_node());
    let Walker {
        instances,
        returns,
        mut secrets,
        ..
    } = w;
    let src = Src { file };
    phpmailer::build(&src, &instances, &mut ex);
    crate::extract::clients::laravel::from_config(file, &returns, &mut ex);
    secrets.append(&mut ex.secrets);
    secrets.retain(|r| r.start < r.end && r.end <= text.len());
    secrets.sort_by_key(|r| (r.start, r.end));
    secrets.dedup();
    ex.secrets = secrets;
    ex.profiles.sort_by_key(|p| p.anchor.span.start);
    // A syntax error matters here only in a file about mail settings: many PHP files mention
    // "smtp" in passing (a settings form, a template) and are not ours to lint.
    let about_mail = !ex.profiles.is_empty()
        || ["phpmailer", "issmtp", "'mailers'", "\"mailers\""]
            .iter()
            .any(|n| contains_ignore_case(text, n));
    if about_mail {
        if let Some(f) = syntax_error(&tree, file, text) {
            ex.findings.insert(0, f);
        }
    }
    ex
}

/// The file being read, for spans and text.
pub(super) struct Src {
    pub file: FileId,
}

impl Src {
    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }
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
    // Markup (a template) is parsed with the full grammar too: there it is text.
    let tagged = text.trim_start().starts_with('<') || contains_ignore_case(text, "<?php");
    let language = if tagged {
        tree_sitter_php::LANGUAGE_PHP
    } else {
        tree_sitter_php::LANGUAGE_PHP_ONLY
    };
    let mut parser = Parser::new();
    parser.set_language(&language.into()).ok()?;
    parser.parse(text, None)
}

fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The first syntax error, as a warning: the rest of the file was still read.
fn syntax_error(tree: &Tree, file: FileId, text: &str) -> Option<Finding> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let bad = loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            break node;
        }
        // Descend into the first child that holds an error.
        if !cursor.goto_first_child() {
            return None;
        }
        while !cursor.node().has_error() {
            if !cursor.goto_next_sibling() {
                return None;
            }
        }
    };
    let (message, span) = if bad.is_missing() {
        let what = bad.kind();
        let what = if what.len() <= 12 && what.is_ascii() {
            format!("`{what}`")
        } else {
            "something".into()
        };
        (
            format!("PHP syntax error: {what} is missing here"),
            widen(text, bad.start_byte()),
        )
    } else {
        let start = bad.start_byte().min(text.len());
        let end = bad.end_byte().min(text.len());
        let line_end = text[start..end]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(end);
        let span = if line_end > start {
            start..line_end
        } else {
            widen(text, start)
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

/// A one-character span at `at` (or an empty one at the end of the text).
fn widen(text: &str, at: usize) -> Range<usize> {
    let at = at.min(text.len());
    let mut end = at;
    if end < text.len() {
        end += 1;
        while !text.is_char_boundary(end) {
            end += 1;
        }
    }
    at..end
}

/// The `if`/`elseif`/`else` arms and `switch` cases a statement sits in, up to its function.
fn branches(node: Node) -> phpmailer::Branches {
    let mut out = Vec::new();
    let mut cur = node;
    for _ in 0..512 {
        let Some(parent) = cur.parent() else { break };
        match parent.kind() {
            "if_statement" | "else_if_clause" => {
                let condition = parent.child_by_field_name("condition").map(|c| c.id());
                if condition != Some(cur.id()) {
                    // For an `elseif`/`else` clause the owner is the `if` it belongs to.
                    let (owner, arm) = if parent.kind() == "else_if_clause" {
                        (parent.parent().map_or(parent.id(), |p| p.id()), parent.id())
                    } else {
                        (parent.id(), cur.id())
                    };
                    if !out.contains(&(owner, arm)) {
                        out.push((owner, arm));
                    }
                }
            }
            "else_clause" => {
                if let Some(owner) = parent.parent() {
                    out.push((owner.id(), parent.id()));
                }
            }
            "switch_block" => {
                if matches!(cur.kind(), "case_statement" | "default_statement") {
                    out.push((parent.id(), cur.id()));
                }
            }
            _ => {}
        }
        if is_function(parent.kind()) {
            break;
        }
        cur = parent;
    }
    out
}

/// The text of a node, or "" when its range is not valid in `text`.
pub(super) fn node_text<'t>(text: &'t str, n: Node) -> &'t str {
    text.get(n.byte_range()).unwrap_or("")
}

/// One walk over the tree, in source order.
struct Walker<'a> {
    text: &'a str,
    /// Variables: (function scope, name without `$`) -> last value assigned.
    vars: HashMap<(usize, String), Expr>,
    /// `define('NAME', ...)` and `const NAME = ...`.
    consts: HashMap<String, Expr>,
    instances: phpmailer::Instances,
    /// Arrays returned at the top level of the file (a Laravel config file returns one).
    returns: Vec<(Arr, Range<usize>)>,
    secrets: Vec<Range<usize>>,
    fn_scopes: Vec<usize>,
    class_scopes: Vec<usize>,
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

impl<'a> Walker<'a> {
    fn new(_file: FileId, text: &'a str) -> Self {
        Walker {
            text,
            vars: HashMap::new(),
            consts: HashMap::new(),
            instances: phpmailer::Instances::default(),
            returns: Vec::new(),
            secrets: Vec::new(),
            fn_scopes: Vec::new(),
            class_scopes: Vec::new(),
        }
    }

    fn t(&self, n: Node) -> &'a str {
        node_text(self.text, n)
    }

    fn walk(&mut self, root: Node) {
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            self.enter(node);
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                self.leave(cursor.node());
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn leave(&mut self, node: Node) {
        let kind = node.kind();
        if is_function(kind) {
            self.fn_scopes.pop();
        } else if is_class(kind) {
            self.class_scopes.pop();
        }
    }

    fn fn_scope(&self) -> usize {
        self.fn_scopes.last().copied().unwrap_or(0)
    }

    fn enter(&mut self, node: Node) {
        let kind = node.kind();
        if is_function(kind) {
            self.fn_scopes.push(node.id());
            return;
        }
        if is_class(kind) {
            self.class_scopes.push(node.id());
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

    // -----------------------------------------------------------------------------------------
    // Statements
    // -----------------------------------------------------------------------------------------

    fn assignment(&mut self, node: Node) {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        let created = self.phpmailer_creation(right);
        match left.kind() {
            "variable_name" => {
                let name = self.t(left).trim_start_matches('$').to_owned();
                if is_secret_key(&name) {
                    self.secret_value(right);
                }
                if let Some(key) = self.receiver_key(left) {
                    if let Some(span) = created.clone() {
                        self.instances.create(key, span);
                    }
                }
                if name != "this" {
                    let value = self.eval(right, 0);
                    self.vars.insert((self.fn_scope(), name), value);
                }
            }
            "member_access_expression" | "nullsafe_member_access_expression" => {
                let (Some(object), Some(name)) = (
                    left.child_by_field_name("object"),
                    left.child_by_field_name("name"),
                ) else {
                    return;
                };
                let prop = self.t(name).to_owned();
                if is_secret_key(&prop) {
                    self.secret_value(right);
                }
                if let Some(span) = created {
                    if let Some(key) = self.receiver_key(left) {
                        self.instances.create(key, span);
                    }
                    return;
                }
                let Some(key) = self.receiver_key(object) else {
                    return;
                };
                let value = self.eval(right, 0);
                self.instances.prop(
                    key,
                    node.byte_range(),
                    prop,
                    name.byte_range(),
                    value,
                    branches(node),
                );
            }
            "subscript_expression" => {
                // `$mail->SMTPOptions['ssl']['verify_peer'] = false;`
                let mut path = Vec::new();
                let mut cur = left;
                while cur.kind() == "subscript_expression" {
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
                if let Some((last, _)) = path.last() {
                    if is_secret_key(last) {
                        self.secret_value(right);
                    }
                }
                if !matches!(
                    cur.kind(),
                    "member_access_expression" | "nullsafe_member_access_expression"
                ) {
                    return;
                }
                let (Some(object), Some(name)) = (
                    cur.child_by_field_name("object"),
                    cur.child_by_field_name("name"),
                ) else {
                    return;
                };
                if self.t(name) != "SMTPOptions" {
                    return;
                }
                let Some(key) = self.receiver_key(object) else {
                    return;
                };
                let value = self.eval(right, 0);
                self.instances
                    .option_path(key, node.byte_range(), path, value);
            }
            _ => {}
        }
    }

    /// The span of `new PHPMailer(...)` (any namespace spelling), if `node` is one.
    fn phpmailer_creation(&self, node: Node) -> Option<Range<usize>> {
        if node.kind() != "object_creation_expression" {
            return None;
        }
        let class = node.named_child(0)?;
        if !matches!(class.kind(), "name" | "qualified_name") {
            return None;
        }
        let last = self.t(class).rsplit('\\').next().unwrap_or("");
        last.eq_ignore_ascii_case("PHPMailer")
            .then(|| node.byte_range())
    }

    /// The key of a receiver: its text without spaces, scoped to the function (variables) or
    /// the class (`$this->...`, `self::`, `static::`).
    fn receiver_key(&self, node: Node) -> Option<(usize, String)> {
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
            self.class_scopes.last().copied().unwrap_or(0)
        } else {
            self.fn_scope()
        };
        Some((scope, norm))
    }

    fn method_call(&mut self, node: Node) {
        let (Some(object), Some(name)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("name"),
        ) else {
            return;
        };
        let Some(key) = self.receiver_key(object) else {
            return;
        };
        let method = self.t(name).to_ascii_lowercase();
        let call_span = name.start_byte()..node.end_byte();
        let args = self.args(node);
        match method.as_str() {
            "issmtp" => self.instances.mailer(key, call_span, true, branches(node)),
            "ismail" | "issendmail" | "isqmail" => {
                self.instances.mailer(key, call_span, false, branches(node))
            }
            "setfrom" => {
                let addr = args.first().map(|&a| self.eval(a, 0));
                let auto = args.get(2).map(|&a| self.eval(a, 0));
                if let Some(addr) = addr {
                    self.instances
                        .set_from(key, node.byte_range(), addr, auto, branches(node));
                }
            }
            "addaddress"
            | "addcc"
            | "addbcc"
            | "addreplyto"
            | "msghtml"
            | "ishtml"
            | "addattachment"
            | "addembeddedimage"
            | "addstringattachment"
            | "smtpconnect" => self.instances.strong(&key),
            _ => {}
        }
    }

    fn function_call(&mut self, node: Node) {
        let Some(func) = node.child_by_field_name("function") else {
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
                    self.consts.insert(s.text, value);
                }
            }
            "env" | "getenv" => {
                // A default written in code for a secret variable is a secret too.
                if let (Some(&n), Some(&d)) = (args.first(), args.get(1)) {
                    if let Expr::Str(s) = self.eval(n, 0) {
                        if name == "env" && is_secret_key(&s.text) {
                            self.secret_value(d);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn const_element(&mut self, node: Node) {
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

    fn property_element(&mut self, node: Node) {
        // `private $password = '...';`
        let Some(var) = node.named_child(0) else {
            return;
        };
        if is_secret_key(self.t(var).trim_start_matches('$')) {
            if let Some(v) = node
                .child_by_field_name("default_value")
                .or_else(|| node.named_child(1))
            {
                self.secret_value(v);
            }
        }
    }

    fn array_element_secret(&mut self, node: Node) {
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
    fn url_secret(&mut self, node: Node) {
        let Some(Expr::Str(s)) = self.string_lit(node) else {
            return;
        };
        if !s.verbatim {
            return;
        }
        let Some(scheme_end) = s.text.find("://") else {
            return;
        };
        let rest_at = scheme_end + 3;
        let rest = &s.text[rest_at..];
        let Some(at) = rest.rfind('@') else { return };
        let userinfo = &rest[..at];
        if let Some(colon) = userinfo.find(':') {
            let start = rest_at + colon + 1;
            let end = rest_at + at;
            if start < end {
                self.secrets.push(s.sub(start..end));
            }
        }
    }

    /// Record the spans of the literal text a secret-looking key is given: the string itself,
    /// or a default written next to an environment read.
    fn secret_value(&mut self, node: Node) {
        let mut stack = vec![(node, 0u8)];
        while let Some((n, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                continue;
            }
            match n.kind() {
                "string" | "encapsed_string" | "heredoc" | "nowdoc" => {
                    let span = match self.string_lit(n) {
                        Some(Expr::Str(s)) => s.span,
                        Some(e) => e.span(),
                        None => n.byte_range(),
                    };
                    self.secrets.push(span);
                }
                "conditional_expression" => {
                    for f in ["body", "alternative"] {
                        if let Some(c) = n.child_by_field_name(f) {
                            stack.push((c, depth + 1));
                        }
                    }
                }
                "binary_expression" => {
                    if let Some(c) = n.child_by_field_name("right") {
                        stack.push((c, depth + 1));
                    }
                    if let Some(c) = n.child_by_field_name("left") {
                        stack.push((c, depth + 1));
                    }
                }
                "parenthesized_expression" | "cast_expression" => {
                    if let Some(c) = n.child_by_field_name("value").or_else(|| n.named_child(0)) {
                        stack.push((c, depth + 1));
                    }
                }
                "function_call_expression" => {
                    // The default of env('X', 'default'), getenv(...) ?: ..., trim('...').
                    let name = n
                        .child_by_field_name("function")
                        .map(|f| self.t(f).trim_start_matches('\\').to_ascii_lowercase())
                        .unwrap_or_default();
                    let args = self.args(n);
                    let skip = usize::from(matches!(name.as_str(), "env" | "getenv"));
                    for &a in args.iter().skip(skip) {
                        stack.push((a, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Expressions
    // -----------------------------------------------------------------------------------------

    /// The value expressions of a call's positional arguments.
    fn args(&self, call: Node<'a>) -> Vec<Node<'a>> {
        let Some(list) = call.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut c = list.walk();
        for arg in list.named_children(&mut c) {
            if arg.kind() != "argument" {
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
    fn element_parts(&self, node: Node<'a>) -> Option<(Option<Node<'a>>, Node<'a>)> {
        let mut c = node.walk();
        let has_arrow = node.children(&mut c).any(|ch| ch.kind() == "=>");
        if has_arrow {
            Some((node.named_child(0), node.named_child(1)?))
        } else {
            Some((None, node.named_child(0)?))
        }
    }

    /// Decode a string literal: `Some(Expr::Str)`, or `Some(Expr::Unknown)` for an interpolated
    /// string, heredoc or nowdoc; `None` when `node` is not a string.
    fn string_lit(&self, node: Node) -> Option<Expr> {
        let double = match node.kind() {
            "string" => false,
            "encapsed_string" => true,
            "heredoc" | "nowdoc" => {
                return Some(Expr::Unknown {
                    span: node.byte_range(),
                })
            }
            _ => return None,
        };
        let text = self.text;
        let count = node.child_count();
        let (Some(first), Some(last)) = (
            node.child(0),
            count
                .checked_sub(1)
                .and_then(|i| node.child(u32::try_from(i).ok()?)),
        ) else {
            return Some(Expr::Unknown {
                span: node.byte_range(),
            });
        };
        let is_quote = |n: Node| matches!(n.kind(), "'" | "\"") && !n.is_missing();
        let start = if is_quote(first) {
            first.end_byte()
        } else {
            // `b'...'` and friends: skip to the quote.
            node.start_byte()
                + text
                    .get(node.byte_range())
                    .and_then(|t| t.find(['\'', '"']).map(|i| i + 1))
                    .unwrap_or(0)
        };
        let end = if count > 1 && is_quote(last) {
            last.start_byte()
        } else {
            node.end_byte()
        };
        if start > end || end > text.len() {
            return Some(Expr::Unknown {
                span: node.byte_range(),
            });
        }
        let mut out = String::new();
        let mut pos = start;
        let mut verbatim = true;
        let mut c = node.walk();
        for ch in node.children(&mut c) {
            if ch.start_byte() < start || ch.end_byte() > end {
                continue;
            }
            match ch.kind() {
                "string_content" | "string_value" => {}
                "escape_sequence" => {
                    out.push_str(&text[pos..ch.start_byte()]);
                    let esc = node_text(text, ch);
                    if double {
                        out.push_str(&value::decode_double_escape(esc));
                    } else {
                        out.push_str(match esc {
                            "\\\\" => "\\",
                            "\\'" => "'",
                            other => other,
                        });
                    }
                    pos = ch.end_byte();
                    verbatim = false;
                }
                _ if ch.is_named() => {
                    return Some(Expr::Unknown { span: start..end });
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

    fn eval(&self, node: Node, depth: u8) -> Expr {
        let span = node.byte_range();
        let unknown = || Expr::Unknown { span: span.clone() };
        if depth > MAX_DEPTH {
            return unknown();
        }
        match node.kind() {
            "string" | "encapsed_string" | "heredoc" | "nowdoc" => {
                self.string_lit(node).unwrap_or_else(unknown)
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
            "unary_op_expression" => {
                let op = node.child(0).map(|c| self.t(c)).unwrap_or("");
                match (op, node.named_child(0).map(|c| self.eval(c, depth + 1))) {
                    ("-", Some(Expr::Int { value, .. })) => Expr::Int {
                        value: -value,
                        span,
                    },
                    ("+", Some(Expr::Int { value, .. })) => Expr::Int { value, span },
                    _ => unknown(),
                }
            }
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
                // `$mail->Username`, read back from what this file set on the object.
                let (Some(object), Some(name)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("name"),
                ) else {
                    return unknown();
                };
                self.receiver_key(object)
                    .and_then(|key| self.instances.lookup(&key, self.t(name)))
                    .unwrap_or_else(unknown)
            }
            "subscript_expression" => self.subscript(node, depth).unwrap_or_else(unknown),
            "function_call_expression" => self.call(node, depth).unwrap_or_else(unknown),
            "cast_expression" => {
                let ty = node
                    .child_by_field_name("type")
                    .map(|t| self.t(t).to_ascii_lowercase())
                    .unwrap_or_default();
                let Some(v) = node.child_by_field_name("value") else {
                    return unknown();
                };
                let inner = self.eval(v, depth + 1);
                let cast = match ty.as_str() {
                    "int" | "integer" => Cast::Int,
                    "bool" | "boolean" => Cast::Bool,
                    "string" => return inner,
                    _ => return unknown(),
                };
                apply_cast(inner, cast, span)
            }
            "conditional_expression" => {
                let (Some(cond), Some(alt)) = (
                    node.child_by_field_name("condition"),
                    node.child_by_field_name("alternative"),
                ) else {
                    return unknown();
                };
                // `getenv('X') ?: 'd'`, or `isset($_ENV['X']) ? $_ENV['X'] : 'd'`.
                let (main, if_empty) = match node.child_by_field_name("body") {
                    // `?:` tests truthiness: an empty value takes the default too.
                    None => (self.eval(cond, depth + 1), true),
                    Some(body) => (self.eval(body, depth + 1), false),
                };
                with_default(main, self.eval(alt, depth + 1), span, if_empty)
            }
            "binary_expression" => {
                let (Some(l), Some(r), Some(op)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                    node.child_by_field_name("operator"),
                ) else {
                    return unknown();
                };
                let (le, re) = (self.eval(l, depth + 1), self.eval(r, depth + 1));
                match self.t(op) {
                    "??" => with_default(le, re, span, false),
                    "===" | "==" => {
                        let is_true = |e: &Expr| matches!(e, Expr::Str(s) if s.text == "true");
                        match (le, re) {
                            (Expr::Env(e), ref other) | (ref other, Expr::Env(e))
                                if is_true(other) =>
                            {
                                apply_cast(Expr::Env(e), Cast::EqTrue, span)
                            }
                            _ => unknown(),
                        }
                    }
                    _ => unknown(),
                }
            }
            "array_creation_expression" => {
                let mut entries = Vec::new();
                let mut c = node.walk();
                for el in node.named_children(&mut c) {
                    if el.kind() != "array_element_initializer" {
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
                Expr::Array(Arr { span, entries })
            }
            _ => unknown(),
        }
    }

    /// `PHPMailer::ENCRYPTION_SMTPS` / `ENCRYPTION_STARTTLS` (any spelling of the class, or
    /// `self::`/`static::` in a subclass), and class constants this file defines.
    fn class_constant(&self, node: Node) -> Option<Expr> {
        let count = node.named_child_count();
        let class = node.named_child(0)?;
        let name = node.named_child(u32::try_from(count.checked_sub(1)?).ok()?)?;
        let class_text = self.t(class).rsplit('\\').next().unwrap_or("");
        let const_name = self.t(name);
        let phpmailer = class_text.eq_ignore_ascii_case("PHPMailer")
            || ["self", "static", "parent"]
                .iter()
                .any(|s| class_text.eq_ignore_ascii_case(s));
        let text = match const_name {
            "ENCRYPTION_SMTPS" if phpmailer => "ssl",
            "ENCRYPTION_STARTTLS" if phpmailer => "tls",
            _ => return self.consts.get(const_name).cloned(),
        };
        Some(Expr::Str(Str {
            text: text.into(),
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
        if base.kind() == "variable_name" && matches!(base_text, "$_ENV" | "$_SERVER") {
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
        let func = node.child_by_field_name("function")?;
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
        _ => Expr::Unknown { span },
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
            Some(v) => match cast {
                Cast::Int => Expr::Int {
                    value: v.intval(),
                    span: other.span(),
                },
                Cast::Bool => Expr::Bool {
                    value: v.truthy(),
                    span: other.span(),
                },
                Cast::FilterBool => Expr::Bool {
                    value: v.filter_bool(),
                    span: other.span(),
                },
                Cast::EqTrue => Expr::Bool {
                    value: v == PhpVal::Str("true".into()),
                    span: other.span(),
                },
                Cast::None => other,
            },
            None => Expr::Unknown { span },
        },
    }
}

#[cfg(test)]
mod tests;
