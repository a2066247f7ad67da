//! Python: `smtplib` code and Django settings, read with the tree-sitter Python grammar
//! (error-tolerant, so a pasted snippet works).
//!
//! - `smtplib.SMTP(host, port)` / `SMTP_SSL(...)` (also `from smtplib import SMTP`, `with ... as
//!   s:`, `s.connect(host, port)`): one [`Profile`] per connection object ([`Client::PythonSmtplib`]),
//!   with what is later called on that object: `starttls()`, `login(user, password)`,
//!   `sendmail(from, ...)`, `send_message(msg, from_addr=...)`, plus `msg['From'] = ...`. smtplib
//!   defaults apply: port 25 (465 for `SMTP_SSL`), no TLS until `starttls()`, and no certificate
//!   check unless an `ssl` context is passed.
//! - Django settings (module-level `EMAIL_HOST`, `EMAIL_BACKEND` ...): one profile
//!   ([`Client::DjangoSettings`]) with Django's defaults (port 25, no TLS).
//!
//! Values may come from the environment (`os.environ['X']`, `os.getenv('X', d)`,
//! `os.environ.get`, django-environ `env(...)` / `env.bool(...)`, python-decouple
//! `config(..., cast=bool)`, comparisons such as `== 'True'`); each becomes an [`EnvRef`] whose
//! conversion reads the text as Python does (a raw `"False"` is truthy). `docs/formats/python.md`
//! lists every rule implemented here.
//!
//! [`EnvRef`]: crate::model::EnvRef

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser};

use super::code::{
    bool_conv, env_ref, port_conv, port_of, push_froms, spend, text, text_ref, unescape, walk_tree,
    BoolVal, EnvRead, NumKind, Out, Pred, Val, EVAL_BUDGET, MAX_DEPTH,
};
use super::{is_secret_key, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::{Conversion, Outcome, Target};
use crate::model::{AuthMethod, Client, Profile, Secret, Security, Value};
use crate::source::{FileId, Loc};

const SMTP_PORT_DEFAULT: &str = "smtplib's default port: 25 for SMTP, 465 for SMTP_SSL";
const SMTP_PLAIN: &str = "smtplib.SMTP sends in plaintext unless starttls() is called";
const SMTP_NO_VERIFY: &str =
    "without an ssl context smtplib uses ssl._create_stdlib_context(), which checks no certificate";
const DJANGO_PORT: &str = "Django's EMAIL_PORT defaults to 25";
const DJANGO_PLAIN: &str = "Django sends without TLS unless EMAIL_USE_TLS or EMAIL_USE_SSL is True";
const DJANGO_LOGIN: &str =
    "Django logs in with EMAIL_HOST_USER and EMAIL_HOST_PASSWORD when both are set";
const DJANGO_NO_LOGIN: &str =
    "Django logs in only when EMAIL_HOST_USER and EMAIL_HOST_PASSWORD are both set";

/// Django email backends that do not send through an SMTP server.
const NON_SMTP_BACKENDS: &[&str] = &[
    ".console.",
    ".filebased.",
    ".locmem.",
    ".dummy.",
    "anymail.",
    "django_ses",
    "sendgrid_backend",
    "postmarker",
    "django_mailgun",
];

pub fn extract(file: FileId, text: &str) -> Extraction {
    let mut parser = Parser::new();
    let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    if parser.set_language(&lang).is_err() {
        return Extraction::default();
    }
    let blanked = blank_comments(text);
    let Some(tree) = parser.parse(blanked.as_deref().unwrap_or(text), None) else {
        return Extraction::default();
    };
    let mut py = Py::new(file, text);
    py.collect(tree.root_node());
    py.smtplib();
    py.django();
    py.ex
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
                        c if c == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) => {
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

#[derive(Default)]
struct Imports {
    /// Names the `smtplib` module is known by.
    smtplib: Vec<String>,
    /// Local name -> `SMTP` / `SMTP_SSL`.
    classes: HashMap<String, &'static str>,
    /// Names of django-environ / environs `Env` instances.
    env_objects: Vec<String>,
    /// `config` from python-decouple.
    decouple: Vec<String>,
}

/// A method call on some object: `s.login(...)`.
struct MethodCall<'t> {
    object: String,
    object_node: Node<'t>,
    method: String,
    name_node: Node<'t>,
    args: Node<'t>,
    pos: usize,
}

struct Py<'t> {
    file: FileId,
    src: &'t str,
    /// Name (or dotted attribute) -> assignments in file order.
    bindings: HashMap<String, Vec<(usize, Node<'t>)>>,
    /// Module-level assignments: name -> (target span, value), last wins.
    module: Vec<(String, Range<usize>, Node<'t>)>,
    imports: Imports,
    calls: Vec<Node<'t>>,
    methods: Vec<MethodCall<'t>>,
    /// `msg['From'] = value`: (object, value).
    headers: Vec<(String, Node<'t>)>,
    /// `ctx.check_hostname = False` / `ctx.verify_mode = ssl.CERT_NONE`: (object, value).
    ctx_changes: Vec<(String, String, Node<'t>)>,
    /// django-environ schema given to `Env(VAR=(bool, default))`: var -> (type, default).
    env_schema: HashMap<String, (String, Option<Node<'t>>)>,
    budget: std::cell::Cell<usize>,
    ex: Extraction,
}

impl<'t> Py<'t> {
    fn new(file: FileId, src: &'t str) -> Self {
        Py {
            file,
            src,
            bindings: HashMap::new(),
            module: Vec::new(),
            imports: Imports::default(),
            calls: Vec::new(),
            methods: Vec::new(),
            headers: Vec::new(),
            ctx_changes: Vec::new(),
            env_schema: HashMap::new(),
            budget: std::cell::Cell::new(EVAL_BUDGET),
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
    // First pass
    // -----------------------------------------------------------------------------------------

    fn collect(&mut self, root: Node<'t>) {
        let mut nodes = Vec::new();
        walk_tree(root, |n| {
            if matches!(
                n.kind(),
                "assignment"
                    | "import_statement"
                    | "import_from_statement"
                    | "call"
                    | "keyword_argument"
                    | "pair"
                    | "string"
            ) {
                nodes.push(n);
            }
        });
        for n in nodes {
            match n.kind() {
                "assignment" => self.assignment(n),
                "import_statement" => self.import(n),
                "import_from_statement" => self.import_from(n),
                "call" => {
                    self.calls.push(n);
                    self.method_call(n);
                }
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        n.child_by_field_name("name"),
                        n.child_by_field_name("value"),
                    ) {
                        let key = self.t(k).to_owned();
                        self.secret_string(&key, v);
                    }
                }
                "pair" => {
                    if let (Some(k), Some(v)) =
                        (n.child_by_field_name("key"), n.child_by_field_name("value"))
                    {
                        if let Some((_, key)) = self.plain_string(k) {
                            self.secret_string(&key, v);
                        }
                    }
                }
                _ => self.secret_url(n),
            }
        }
        // django-environ schema: `env = environ.Env(EMAIL_USE_TLS=(bool, False))`.
        let envs: Vec<Node<'t>> = self
            .calls
            .iter()
            .copied()
            .filter(|c| {
                c.child_by_field_name("function")
                    .is_some_and(|f| matches!(squash(self.t(f)).as_str(), "environ.Env" | "Env"))
            })
            .collect();
        for c in envs {
            if let Some(target) = assigned_to(c, self.src) {
                self.imports.env_objects.push(target);
            }
            let Some(args) = c.child_by_field_name("arguments") else {
                continue;
            };
            let mut cur = args.walk();
            for kw in args.named_children(&mut cur) {
                if kw.kind() != "keyword_argument" {
                    continue;
                }
                let (Some(k), Some(v)) = (
                    kw.child_by_field_name("name"),
                    kw.child_by_field_name("value"),
                ) else {
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

    fn assignment(&mut self, n: Node<'t>) {
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return;
        };
        match left.kind() {
            "identifier" | "attribute" => {
                let name = squash(self.t(left));
                let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
                self.secret_string(&last, right);
                if left.kind() == "attribute" {
                    if let (Some(obj), Some(attr)) = (
                        left.child_by_field_name("object"),
                        left.child_by_field_name("attribute"),
                    ) {
                        let a = self.t(attr);
                        if matches!(a, "check_hostname" | "verify_mode") {
                            self.ctx_changes
                                .push((squash(self.t(obj)), a.to_owned(), right));
                        }
                    }
                }
                self.bindings
                    .entry(name.clone())
                    .or_default()
                    .push((n.start_byte(), right));
                if left.kind() == "identifier" && at_module_level(n) {
                    self.module.push((name, left.byte_range(), right));
                }
            }
            "subscript" => {
                let (Some(obj), Some(key)) = (
                    left.child_by_field_name("value"),
                    left.child_by_field_name("subscript"),
                ) else {
                    return;
                };
                if let Some((_, k)) = self.plain_string(key) {
                    if k.eq_ignore_ascii_case("from") || k.eq_ignore_ascii_case("sender") {
                        self.headers.push((squash(self.t(obj)), right));
                    }
                    self.secret_string(&k, right);
                }
            }
            _ => {}
        }
    }

    fn import(&mut self, n: Node<'t>) {
        let mut c = n.walk();
        for name in n.children_by_field_name("name", &mut c) {
            let (module, alias) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name").map(|x| self.t(x)),
                    name.child_by_field_name("alias").map(|x| self.t(x)),
                ),
                _ => (Some(self.t(name)), Some(self.t(name))),
            };
            if module == Some("smtplib") {
                if let Some(a) = alias {
                    self.imports.smtplib.push(a.to_owned());
                }
            }
        }
    }

    fn import_from(&mut self, n: Node<'t>) {
        let module = n
            .child_by_field_name("module_name")
            .map(|m| self.t(m).to_owned())
            .unwrap_or_default();
        let mut c = n.walk();
        for name in n.children_by_field_name("name", &mut c) {
            let (orig, alias) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name").map(|x| self.t(x)),
                    name.child_by_field_name("alias").map(|x| self.t(x)),
                ),
                _ => (Some(self.t(name)), Some(self.t(name))),
            };
            let (Some(orig), Some(alias)) = (orig, alias) else {
                continue;
            };
            match (module.as_str(), orig) {
                ("smtplib", "SMTP") => {
                    self.imports.classes.insert(alias.to_owned(), "SMTP");
                }
                ("smtplib", "SMTP_SSL") => {
                    self.imports.classes.insert(alias.to_owned(), "SMTP_SSL");
                }
                ("decouple", "config") => self.imports.decouple.push(alias.to_owned()),
                _ => {}
            }
        }
    }

    fn method_call(&mut self, n: Node<'t>) {
        let (Some(f), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
            return;
        };
        if f.kind() != "attribute" {
            return;
        }
        let (Some(obj), Some(attr)) = (
            f.child_by_field_name("object"),
            f.child_by_field_name("attribute"),
        ) else {
            return;
        };
        let method = self.t(attr);
        if !matches!(
            method,
            "starttls" | "login" | "sendmail" | "send_message" | "connect" | "auth"
        ) {
            return;
        }
        if method == "login" {
            // The password of `s.login(user, "...")` is a secret even when nothing else is.
            if let Some(pw) = self.arg(args, 1, "password") {
                let pw = unwrap(pw);
                if pw.kind() == "string" {
                    if let Some((span, _)) = self.plain_string(pw) {
                        self.ex.secrets.push(span);
                    }
                }
            }
        }
        self.methods.push(MethodCall {
            object: squash(self.t(obj)),
            object_node: obj,
            method: method.to_owned(),
            name_node: attr,
            args,
            pos: n.start_byte(),
        });
    }

    fn secret_string(&mut self, key: &str, v: Node<'t>) {
        if !is_secret_key(key) {
            return;
        }
        if let Some((span, _)) = self.plain_string(unwrap(v)) {
            if span.start < span.end {
                self.ex.secrets.push(span);
            }
        }
    }

    /// Passwords inside URLs (`smtp://user:pass@host`).
    fn secret_url(&mut self, n: Node<'t>) {
        let Some((span, raw)) = content(n, self.src) else {
            return;
        };
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

    /// A string literal without interpolation: its content span and decoded text.
    fn plain_string(&self, n: Node<'t>) -> Option<(Range<usize>, String)> {
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

    fn lookup(&self, name: &str, pos: usize) -> Option<Node<'t>> {
        let list = self.bindings.get(name)?;
        list.iter()
            .rev()
            .find(|(p, _)| *p < pos)
            .or_else(|| list.first())
            .map(|(_, n)| *n)
    }

    /// The call's positional argument `i`, or its keyword argument `name`.
    fn arg(&self, args: Node<'t>, i: usize, name: &str) -> Option<Node<'t>> {
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

    fn kw(&self, args: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut c = args.walk();
        let found = args
            .named_children(&mut c)
            .filter(|a| a.kind() == "keyword_argument")
            .find(|a| {
                a.child_by_field_name("name")
                    .is_some_and(|n| self.t(n) == name)
            })
            .and_then(|a| a.child_by_field_name("value"));
        found
    }

    fn has_kw(&self, args: Node<'t>, name: &str) -> bool {
        self.kw(args, name).is_some()
    }

    // -----------------------------------------------------------------------------------------
    // Evaluation
    // -----------------------------------------------------------------------------------------

    fn eval(&self, n: Node<'t>, depth: usize) -> Val {
        if depth > MAX_DEPTH || !spend(&self.budget) {
            return Val::Unknown;
        }
        let d = depth + 1;
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
            "integer" | "float" => match parse_py_number(self.t(n)) {
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
            "none" => Val::Null,
            "identifier" | "attribute" => {
                let name = squash(self.t(n));
                match self.lookup(&name, n.start_byte()) {
                    Some(v) if !v.byte_range().contains(&n.start_byte()) => self.eval(v, d),
                    _ => Val::Unknown,
                }
            }
            "subscript" => {
                let (Some(obj), Some(key)) = (
                    n.child_by_field_name("value"),
                    n.child_by_field_name("subscript"),
                ) else {
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
                let (Some(l), Some(r), Some(op)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                    n.child_by_field_name("operator"),
                ) else {
                    return Val::Unknown;
                };
                if self.t(op) != "or" {
                    return Val::Unknown;
                }
                let left = self.eval(l, d);
                if left.env_read().is_some() {
                    // `or` also replaces an empty string.
                    return left.with_default(&self.eval(r, d), true);
                }
                match &left {
                    Val::Null => self.eval(r, d),
                    Val::Str { text, .. } if text.is_empty() => self.eval(r, d),
                    Val::Bool { value: false, .. } => self.eval(r, d),
                    Val::Num { value, .. } if *value == 0.0 => self.eval(r, d),
                    _ => left,
                }
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
            let Some(e) = k
                .child_by_field_name("expression")
                .or_else(|| k.named_child(0))
            else {
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
        let (Some(f), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
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
            "bool" => truthiness(a0()),
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
                    if let (Some(obj), Some(attr)) = (
                        f.child_by_field_name("object"),
                        f.child_by_field_name("attribute"),
                    ) {
                        let method = self.t(attr);
                        let objname = squash(self.t(obj));
                        match method {
                            "lower" | "casefold" => {
                                return match self.eval(obj, d) {
                                    Val::EnvText(r) | Val::EnvLower(r) => Val::EnvLower(r),
                                    Val::Str { text, span } => Val::Str {
                                        text: text.to_lowercase(),
                                        span,
                                    },
                                    _ => Val::Unknown,
                                };
                            }
                            "strip" => return self.eval(obj, d),
                            _ => {}
                        }
                        if self.imports.env_objects.contains(&objname) || objname == "env" {
                            return self.env_lib(method, &read, args);
                        }
                    }
                }
                if self.imports.env_objects.contains(&fname)
                    || (fname == "env" && first.is_some_and(|a| a.kind() == "string"))
                {
                    return self.env_call(&read, args);
                }
                if self.imports.decouple.contains(&fname)
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
        let env = |v: &Val| match v {
            Val::EnvText(r) => Some((r.clone(), false)),
            Val::EnvLower(r) => Some((r.clone(), true)),
            _ => None,
        };
        match ops[0] {
            "==" | "!=" => {
                let negate = ops[0] == "!=";
                let (read, fold, lit) = match (env(&a), &b, env(&b), &a) {
                    (Some((r, f)), Val::Str { text, .. }, _, _)
                    | (_, _, Some((r, f)), Val::Str { text, .. }) => (r, f, text.clone()),
                    _ => return Val::Unknown,
                };
                Val::EnvBool(read, Pred::equals(&lit, negate, fold))
            }
            "in" => {
                let Some((read, fold)) = env(&a) else {
                    return Val::Unknown;
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
    fn flag(&self, n: Node<'t>) -> BoolVal {
        match self.eval(n, 0) {
            Val::EnvNum(r, _) => BoolVal::Env(r, Pred::Int),
            v => v.as_bool(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // smtplib
    // -----------------------------------------------------------------------------------------

    /// `SMTP` / `SMTP_SSL` if this call creates a connection object.
    fn smtp_class(&self, call: Node<'t>) -> Option<&'static str> {
        let f = call.child_by_field_name("function")?;
        match f.kind() {
            "identifier" => {
                let name = self.t(f);
                if let Some(c) = self.imports.classes.get(name) {
                    return Some(c);
                }
                match name {
                    "SMTP" => Some("SMTP"),
                    "SMTP_SSL" => Some("SMTP_SSL"),
                    _ => None,
                }
            }
            "attribute" => {
                let obj = squash(self.t(f.child_by_field_name("object")?));
                let attr = self.t(f.child_by_field_name("attribute")?);
                let known = obj == "smtplib" || self.imports.smtplib.contains(&obj);
                match (known, attr) {
                    (true, "SMTP") => Some("SMTP"),
                    (true, "SMTP_SSL") => Some("SMTP_SSL"),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn smtplib(&mut self) {
        let conns: Vec<(Node<'t>, &'static str, Option<String>)> = self
            .calls
            .iter()
            .filter_map(|c| {
                self.smtp_class(*c)
                    .map(|k| (*c, k, assigned_to(*c, self.src)))
            })
            .collect();
        let single = conns.len() == 1;
        for (i, (call, class, target)) in conns.iter().enumerate() {
            // Methods on this object: same name, after it, before the next object of that name.
            let start = call.start_byte();
            let end = conns
                .iter()
                .skip(i + 1)
                .find(|(_, _, t)| t.is_some() && t == target)
                .map(|(c, _, _)| c.start_byte())
                .unwrap_or(usize::MAX);
            let methods: Vec<usize> = self
                .methods
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    unwrap(m.object_node).id() == call.id()
                        || (target.as_deref() == Some(m.object.as_str())
                            && m.pos > start
                            && m.pos < end)
                })
                .map(|(j, _)| j)
                .collect();
            if let Some(p) = self.connection(*call, class, target.as_deref(), &methods, single) {
                self.ex.profiles.push(p);
            }
        }
    }

    fn connection(
        &mut self,
        call: Node<'t>,
        class: &'static str,
        target: Option<&str>,
        methods: &[usize],
        single: bool,
    ) -> Option<Profile> {
        let callee = call.child_by_field_name("function")?;
        let args = call.child_by_field_name("arguments")?;
        let ssl = class == "SMTP_SSL";
        let anchor = callee.byte_range();
        let label = target.unwrap_or(class).to_owned();
        let mut p = Profile::new(Client::PythonSmtplib, label, self.loc(anchor.clone()));

        // Host and port: from the constructor, or from a later `connect(host, port)`.
        let mut host = self.arg(args, 0, "host");
        let mut port = self.arg(args, 1, "port");
        let connect = methods
            .iter()
            .map(|&j| &self.methods[j])
            .find(|m| m.method == "connect");
        if host.is_none() {
            if let Some(m) = connect {
                host = self.arg(m.args, 0, "host");
                port = self.arg(m.args, 1, "port");
            }
        }
        let logins = self.calls_of(methods, "login");
        if host.is_none() && logins.is_empty() {
            return None; // SMTP() without a server: nothing to judge
        }
        let host_val = host.map(|h| self.eval(h, 0));
        let port_val = port.map(|x| self.eval(x, 0));
        let mut port_known = false;
        match port_val {
            Some(Val::Num { value, span }) if value != 0.0 => {
                if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
                    p.port = Some(Value::literal(value as u16, self.loc(span)));
                    port_known = true;
                } else {
                    self.invalid(
                        span,
                        format!("port {} is not a port number (1-65535)", value),
                    );
                    port_known = true;
                }
            }
            Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                match port_of(&text, NumKind::Whole) {
                    Some(n) => p.port = Some(Value::literal(n, self.loc(span))),
                    None => {
                        self.invalid(span, format!("port `{}` is not a port number", text.trim()))
                    }
                }
                port_known = true;
            }
            Some(Val::EnvText(r)) | Some(Val::EnvNum(r, _)) => {
                p.env_refs
                    .push(env_ref(self.file, &r, port_conv(NumKind::Whole)));
                port_known = true;
            }
            Some(Val::Num { .. }) | Some(Val::Null) | None => {}
            Some(_) => port_known = true,
        }
        match host_val {
            Some(Val::Str { text, span }) => {
                // `SMTP("host:587")`: smtplib splits a single colon when no port is given.
                let raw_matches = self.src.get(span.clone()) == Some(text.as_str());
                match text.find(':') {
                    Some(i) if !port_known && text.rfind(':') == Some(i) && raw_matches => {
                        let h = span.start..span.start + i;
                        let pr = span.start + i + 1..span.end;
                        p.host = Some(Value::literal(text[..i].to_owned(), self.loc(h)));
                        match port_of(&text[i + 1..], NumKind::Whole) {
                            Some(n) => p.port = Some(Value::literal(n, self.loc(pr))),
                            None => self.invalid(
                                pr,
                                "smtplib refuses this port after the colon (nonnumeric port)"
                                    .to_owned(),
                            ),
                        }
                        port_known = true;
                    }
                    _ if !text.trim().is_empty() => {
                        p.host = Some(Value::literal(text.trim().to_owned(), self.loc(span)))
                    }
                    _ => {}
                }
            }
            Some(Val::EnvText(r)) => p.env_refs.push(text_ref(self.file, &r, Target::Host)),
            _ => {}
        }
        if !port_known {
            p.port = Some(Value::default(
                if ssl { 465 } else { 25 },
                self.loc(anchor.clone()),
                SMTP_PORT_DEFAULT,
            ));
        }

        // TLS mode and certificate checks.
        let starttls = self.calls_of(methods, "starttls");
        if ssl {
            p.security = Some(Value::literal(
                Security::ImplicitTls,
                self.loc(anchor.clone()),
            ));
            let ctx = self.kw(args, "context");
            p.tls_verify = self.verify(ctx, anchor.clone());
        } else if let Some(&j) = starttls.first() {
            let m = &self.methods[j];
            let name = m.name_node.byte_range();
            let ctx = self.kw(m.args, "context").or_else(|| m.args.named_child(2));
            p.security = Some(Value::literal(
                Security::StartTls { required: true },
                self.loc(name.clone()),
            ));
            p.tls_verify = self.verify(ctx, name);
        } else {
            p.security = Some(Value::default(
                Security::None,
                self.loc(anchor.clone()),
                SMTP_PLAIN,
            ));
        }

        // Login.
        if let Some(&j) = logins.first() {
            let (margs, name) = (self.methods[j].args, self.methods[j].name_node.byte_range());
            p.auth = Some(Value::literal(AuthMethod::Password, self.loc(name)));
            if let Some(u) = self.arg(margs, 0, "user") {
                match self.eval(u, 0) {
                    Val::Str { text, span } => {
                        p.username = Some(Value::literal(text, self.loc(span)))
                    }
                    Val::EnvText(r) => p.env_refs.push(text_ref(self.file, &r, Target::Username)),
                    _ => {}
                }
            }
            if let Some(pw) = self.arg(margs, 1, "password") {
                match self.eval(pw, 0) {
                    Val::Str { text, span } => {
                        if span.start < span.end {
                            self.ex.secrets.push(span.clone());
                        }
                        p.password = Some(Value::literal(Secret::new(text), self.loc(span)));
                    }
                    Val::EnvText(r) => p.env_refs.push(text_ref(self.file, &r, Target::Password)),
                    _ => {}
                }
            }
        }
        for j in self.calls_of(methods, "auth") {
            let m = &self.methods[j];
            if let Some(Val::Str { text, span }) =
                self.arg(m.args, 0, "mechanism").map(|a| self.eval(a, 0))
            {
                let method = match text.to_ascii_uppercase().as_str() {
                    "XOAUTH2" | "OAUTHBEARER" => AuthMethod::OAuth2,
                    "PLAIN" | "LOGIN" => AuthMethod::Password,
                    "CRAM-MD5" => AuthMethod::EncryptedPassword,
                    other => AuthMethod::Other(other.to_owned()),
                };
                p.auth = Some(Value::literal(method, self.loc(span)));
            }
        }

        // From: envelope senders and From headers of the messages sent.
        let mut froms: Vec<Val> = Vec::new();
        let mut msgs: Vec<String> = Vec::new();
        for j in self.calls_of(methods, "sendmail") {
            let m = &self.methods[j];
            if let Some(f) = self.arg(m.args, 0, "from_addr") {
                froms.push(self.eval(f, 0));
            }
            if let Some(msg) = self.arg(m.args, 2, "msg") {
                msgs.push(message_name(msg, self.src));
            }
        }
        for j in self.calls_of(methods, "send_message") {
            let m = &self.methods[j];
            match self.arg(m.args, 1, "from_addr") {
                Some(f) => froms.push(self.eval(f, 0)),
                None => {
                    if let Some(msg) = self.arg(m.args, 0, "msg") {
                        msgs.push(message_name(msg, self.src));
                    }
                }
            }
        }
        let headers: Vec<Node<'t>> = self
            .headers
            .iter()
            .filter(|(obj, _)| single || msgs.contains(obj))
            .map(|(_, v)| *v)
            .collect();
        for v in headers {
            froms.push(self.header_address(v));
        }
        push_froms(self.file, &mut p, froms);
        Some(p)
    }

    fn calls_of(&self, methods: &[usize], name: &str) -> Vec<usize> {
        methods
            .iter()
            .copied()
            .filter(|&j| self.methods[j].method == name)
            .collect()
    }

    /// `formataddr(("Name", "a@b"))` gives its address; anything else is evaluated.
    fn header_address(&self, v: Node<'t>) -> Val {
        let v = unwrap(v);
        if v.kind() == "call" {
            let f = v.child_by_field_name("function").map(|f| squash(self.t(f)));
            if matches!(
                f.as_deref(),
                Some("formataddr" | "email.utils.formataddr" | "utils.formataddr")
            ) {
                let pair = v
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .map(unwrap);
                if let Some(addr) = pair
                    .filter(|t| matches!(t.kind(), "tuple" | "list"))
                    .and_then(|t| t.named_child(1))
                {
                    return self.eval(addr, 0);
                }
                return Val::Unknown;
            }
        }
        self.eval(v, 0)
    }

    /// Whether an `ssl` context verifies certificates: `None` when it cannot be told.
    fn verify(&self, ctx: Option<Node<'t>>, implied: Range<usize>) -> Option<Value<bool>> {
        let unverified_default = || {
            Some(Value::default(
                false,
                self.loc(implied.clone()),
                SMTP_NO_VERIFY,
            ))
        };
        let Some(ctx) = ctx else {
            return unverified_default();
        };
        let mut n = unwrap(ctx);
        let mut name: Option<String> = None;
        for _ in 0..MAX_DEPTH {
            match n.kind() {
                "none" => return unverified_default(),
                "identifier" | "attribute" => {
                    let nm = squash(self.t(n));
                    match self.lookup(&nm, n.start_byte()) {
                        Some(v) if !v.byte_range().contains(&n.start_byte()) => {
                            name.get_or_insert(nm);
                            n = unwrap(v);
                        }
                        _ => return None,
                    }
                }
                "call" => {
                    let f = n
                        .child_by_field_name("function")
                        .map(|f| squash(self.t(f)))
                        .unwrap_or_default();
                    let base = f.rsplit('.').next().unwrap_or(&f);
                    let verifies = match base {
                        "_create_unverified_context" | "_create_stdlib_context" => false,
                        "create_default_context" => true,
                        "SSLContext" => {
                            let proto = n
                                .child_by_field_name("arguments")
                                .and_then(|a| a.named_child(0))
                                .map(|a| self.t(a))
                                .unwrap_or("");
                            if proto.ends_with("PROTOCOL_TLS_CLIENT") {
                                true
                            } else {
                                return None;
                            }
                        }
                        _ => return None,
                    };
                    if !verifies {
                        return Some(Value::literal(false, self.loc(n.byte_range())));
                    }
                    // A verifying context switched off later: `ctx.verify_mode = ssl.CERT_NONE`.
                    if let Some(nm) = &name {
                        let off = self.ctx_changes.iter().rev().find(|(obj, attr, v)| {
                            obj == nm
                                && match attr.as_str() {
                                    "check_hostname" => self.t(*v) == "False",
                                    _ => self.t(*v).ends_with("CERT_NONE"),
                                }
                        });
                        if let Some((_, _, v)) = off {
                            return Some(Value::literal(false, self.loc(v.byte_range())));
                        }
                    }
                    return None;
                }
                _ => return None,
            }
        }
        None
    }

    fn invalid(&mut self, span: Range<usize>, message: String) {
        self.ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Error,
                message,
                Label::new(self.loc(span), "invalid"),
            )
            .with_help("use 587 (STARTTLS) or 465 (implicit TLS)"),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Django settings
    // -----------------------------------------------------------------------------------------

    fn setting(&self, name: &str) -> Option<&(String, Range<usize>, Node<'t>)> {
        self.module.iter().rev().find(|(n, _, _)| n == name)
    }

    fn django(&mut self) {
        let names: Vec<&str> = self.module.iter().map(|(n, _, _)| n.as_str()).collect();
        let has_backend = names.contains(&"EMAIL_BACKEND");
        let has_host = names.iter().any(|n| n.starts_with("EMAIL_HOST"));
        if !has_backend && !has_host {
            return;
        }
        // A base settings file that only picks the backend leaves the server to another file.
        let has_server = names.iter().any(|n| {
            matches!(
                *n,
                "EMAIL_HOST"
                    | "EMAIL_PORT"
                    | "EMAIL_HOST_USER"
                    | "EMAIL_HOST_PASSWORD"
                    | "EMAIL_USE_TLS"
                    | "EMAIL_USE_SSL"
            )
        });
        if !has_server {
            return;
        }
        let has_smtplib = self.calls.iter().any(|c| self.smtp_class(*c).is_some());
        if has_smtplib && !has_backend && !self.src.contains("django") {
            return; // a script that keeps its own EMAIL_* constants for smtplib
        }
        let mut forced_ssl = None;
        if let Some((_, _, v)) = self.setting("EMAIL_BACKEND") {
            if let Val::Str { text, span } = self.eval(*v, 0) {
                if NON_SMTP_BACKENDS.iter().any(|b| text.contains(b)) {
                    return;
                }
                if text.contains("SSLEmailBackend") {
                    forced_ssl = Some(span);
                }
            }
        }
        let anchor = self
            .module
            .iter()
            .filter(|(n, _, _)| n.starts_with("EMAIL_") || n == "DEFAULT_FROM_EMAIL")
            .map(|(_, s, _)| s.clone())
            .min_by_key(|s| s.start)
            .unwrap_or(0..0);
        let file = self.file;
        let mut p = Profile::new(
            Client::DjangoSettings,
            "EMAIL_* settings",
            self.loc(anchor.clone()),
        );
        let get = |this: &Self, key: &str| this.setting(key).map(|(_, _, v)| this.eval(*v, 0));

        // Host.
        let mut near = anchor.clone();
        match get(self, "EMAIL_HOST") {
            Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                near = span.clone();
                p.host = Some(Value::literal(text.trim().to_owned(), self.loc(span)));
            }
            Some(Val::EnvText(r)) => {
                p.env_refs.push(text_ref(file, &r, Target::Host));
            }
            _ => {}
        }
        // Port.
        match get(self, "EMAIL_PORT") {
            None | Some(Val::Null) => {
                p.port = Some(Value::default(25, self.loc(near.clone()), DJANGO_PORT))
            }
            Some(Val::Num { value, span }) => {
                if value.fract() == 0.0 && (1.0..=65535.0).contains(&value) {
                    p.port = Some(Value::literal(value as u16, self.loc(span)));
                } else {
                    self.invalid(
                        span,
                        format!("EMAIL_PORT {value} is not a port number (1-65535)"),
                    );
                }
            }
            Some(Val::Str { text, span }) => match port_of(&text, NumKind::Whole) {
                Some(n) => p.port = Some(Value::literal(n, self.loc(span))),
                None => self.invalid(
                    span,
                    format!("EMAIL_PORT `{}` is not a port number", text.trim()),
                ),
            },
            Some(Val::EnvText(r)) | Some(Val::EnvNum(r, _)) => {
                p.env_refs
                    .push(env_ref(file, &r, port_conv(NumKind::Whole)))
            }
            Some(_) => {}
        }
        // Login: Django logs in only when both are non-empty.
        let mut user_set = None;
        match get(self, "EMAIL_HOST_USER") {
            Some(Val::Str { text, span }) if !text.is_empty() => {
                user_set = Some(span.clone());
                p.username = Some(Value::literal(text, self.loc(span)));
            }
            Some(Val::EnvText(r)) => {
                user_set = Some(r.reference.clone());
                p.env_refs.push(text_ref(file, &r, Target::Username));
            }
            Some(Val::Str { .. }) | Some(Val::Null) | None => {}
            Some(_) => user_set = Some(anchor.clone()),
        }
        let mut pass_set = None;
        match get(self, "EMAIL_HOST_PASSWORD") {
            Some(Val::Str { text, span }) if !text.is_empty() => {
                pass_set = Some(span.clone());
                p.password = Some(Value::literal(Secret::new(text), self.loc(span)));
            }
            Some(Val::EnvText(r)) => {
                pass_set = Some(r.reference.clone());
                p.env_refs.push(text_ref(file, &r, Target::Password));
            }
            Some(Val::Str { .. }) | Some(Val::Null) | None => {}
            Some(_) => pass_set = Some(anchor.clone()),
        }
        if let (Some(_), Some(s)) = (&user_set, &pass_set) {
            // Both given (perhaps from the environment): Django will log in.
            p.auth = Some(Value::default(
                AuthMethod::Password,
                self.loc(s.clone()),
                DJANGO_LOGIN,
            ));
        }
        if let (Some(s), None) | (None, Some(s)) = (&user_set, &pass_set) {
            p.auth = Some(Value::default(
                AuthMethod::None,
                self.loc(s.clone()),
                DJANGO_NO_LOGIN,
            ));
            p.username = None;
            p.password = None;
        }
        // From.
        for key in ["DEFAULT_FROM_EMAIL", "SERVER_EMAIL"] {
            match get(self, key) {
                Some(Val::Str { text, span }) if !text.trim().is_empty() => {
                    p.from.push(Value::literal(text, self.loc(span)))
                }
                Some(Val::EnvText(r)) | Some(Val::EnvInText(r)) => {
                    p.env_refs.push(text_ref(file, &r, Target::From))
                }
                _ => {}
            }
        }
        // TLS.
        let tls = self.setting("EMAIL_USE_TLS").map(|(_, _, v)| self.flag(*v));
        let ssl = self.setting("EMAIL_USE_SSL").map(|(_, _, v)| self.flag(*v));
        if let Some(span) = forced_ssl {
            p.security = Some(Value::literal(Security::ImplicitTls, self.loc(span)));
        } else {
            self.django_tls(&mut p, tls, ssl, near);
        }
        self.ex.profiles.push(p);
    }

    fn django_tls(
        &mut self,
        p: &mut Profile,
        tls: Option<BoolVal>,
        ssl: Option<BoolVal>,
        near: Range<usize>,
    ) {
        use BoolVal::{Env, Known};
        let file = self.file;
        let falsy = |b: &Option<BoolVal>| b.is_none() || matches!(b, Some(Known(false, _)));
        match (&tls, &ssl) {
            (Some(Known(true, t)), Some(Known(true, s))) => {
                self.ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Error,
                        "EMAIL_USE_TLS and EMAIL_USE_SSL are both true, and Django refuses to send \
                         with both (they are mutually exclusive)",
                        Label::new(self.loc(s.clone()), "implicit TLS"),
                    )
                    .with_label(Label::new(self.loc(t.clone()), "STARTTLS"))
                    .with_help(
                        "keep EMAIL_USE_SSL = True for port 465 or EMAIL_USE_TLS = True for port 587, \
                         and set the other to False",
                    ),
                );
            }
            (_, Some(Known(true, s))) if falsy(&tls) => {
                p.security = Some(Value::literal(Security::ImplicitTls, self.loc(s.clone())))
            }
            (Some(Known(true, t)), _) if falsy(&ssl) => {
                p.security = Some(Value::literal(
                    Security::StartTls { required: true },
                    self.loc(t.clone()),
                ))
            }
            (Some(Known(false, t)), Some(Known(false, _))) | (Some(Known(false, t)), None) => {
                p.security = Some(Value::literal(Security::None, self.loc(t.clone())))
            }
            (None, Some(Known(false, s))) => {
                p.security = Some(Value::literal(Security::None, self.loc(s.clone())))
            }
            (None, None) => {
                p.security = Some(Value::default(Security::None, self.loc(near), DJANGO_PLAIN))
            }
            // One flag from the environment, the other written or absent.
            (Some(Env(r, pr)), other) if falsy(other) => {
                let c = bool_conv(Out::StartReq, Out::NoTls, pr.clone());
                p.env_refs.push(env_ref(file, r, c));
            }
            (other, Some(Env(r, pr))) if falsy(other) => {
                let c = bool_conv(Out::Implicit, Out::NoTls, pr.clone());
                p.env_refs.push(env_ref(file, r, c));
            }
            (Some(Known(true, _)), Some(Env(r, pr))) => {
                let expects = if *pr == Pred::Truthy {
                    "an empty value: settings.py reads EMAIL_USE_SSL as a raw string, so even \"False\" \
                     turns it on, and Django refuses it next to EMAIL_USE_TLS = True"
                } else {
                    "false, because EMAIL_USE_TLS is True and Django refuses both"
                };
                let c = Conversion::choice(
                    pr.clone(),
                    Outcome::Refused(expects),
                    Out::StartReq.outcome(),
                );
                p.env_refs.push(env_ref(file, r, c));
            }
            (Some(Env(r, pr)), Some(Known(true, _))) => {
                let expects = if *pr == Pred::Truthy {
                    "an empty value: settings.py reads EMAIL_USE_TLS as a raw string, so even \"False\" \
                     turns it on, and Django refuses it next to EMAIL_USE_SSL = True"
                } else {
                    "false, because EMAIL_USE_SSL is True and Django refuses both"
                };
                let c = Conversion::choice(
                    pr.clone(),
                    Outcome::Refused(expects),
                    Out::Implicit.outcome(),
                );
                p.env_refs.push(env_ref(file, r, c));
            }
            (Some(Env(t, Pred::Truthy)), Some(Env(s, Pred::Truthy))) => {
                // Both read raw: any non-empty value turns each on. Which wins depends on the
                // env file; the combination itself is the mistake.
                self.ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Warning,
                        "EMAIL_USE_TLS and EMAIL_USE_SSL are read as raw strings: any non-empty value, \
                         \"False\" included, turns each on, and Django refuses both at once",
                        Label::new(self.loc(s.reference.clone()), "a string, not a boolean"),
                    )
                    .with_label(Label::new(self.loc(t.reference.clone()), "a string, not a boolean"))
                    .with_help(
                        "read them as booleans: `env.bool(\"EMAIL_USE_TLS\", default=False)` or \
                         `os.getenv(\"EMAIL_USE_TLS\", \"False\") == \"True\"`",
                    ),
                );
            }
            _ => {}
        }
    }
}

fn unwrap(n: Node) -> Node {
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
fn content<'s>(n: Node, src: &'s str) -> Option<(Range<usize>, &'s str)> {
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

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn is_environ(t: &str) -> bool {
    matches!(squash(t).as_str(), "os.environ" | "environ")
}

fn truthiness(v: Val) -> Val {
    match v {
        Val::EnvText(r) | Val::EnvLower(r) => Val::EnvBool(r, Pred::Truthy),
        Val::EnvNum(r, _) => Val::EnvBool(r, Pred::Int),
        Val::EnvBool(..) => v,
        other => match other.as_bool() {
            BoolVal::Known(value, span) => Val::Bool { value, span },
            _ => Val::Unknown,
        },
    }
}

fn parse_py_number(t: &str) -> Option<f64> {
    let t = t.replace('_', "").to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = t.strip_prefix(prefix) {
            return u64::from_str_radix(d, radix).ok().map(|v| v as f64);
        }
    }
    t.trim_end_matches(['l', 'j']).parse::<f64>().ok()
}

/// Is this statement outside any function or class (module level, possibly inside `if`/`try`)?
fn at_module_level(n: Node) -> bool {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if matches!(
            p.kind(),
            "function_definition" | "class_definition" | "lambda"
        ) {
            return false;
        }
        cur = p.parent();
    }
    true
}

/// The name a call's result is kept under: `s = SMTP(...)`, `with SMTP(...) as s`,
/// `self.server = SMTP(...)`.
fn assigned_to(call: Node, src: &str) -> Option<String> {
    let parent = call.parent()?;
    match parent.kind() {
        "assignment" => parent
            .child_by_field_name("left")
            .filter(|l| matches!(l.kind(), "identifier" | "attribute"))
            .map(|l| squash(text(l, src))),
        "as_pattern" => parent
            .child_by_field_name("alias")
            .map(|a| squash(text(a, src))),
        _ => None,
    }
}

/// The message object a send call uses: `msg` for `msg`, `msg.as_string()`, `str(msg)`.
fn message_name(n: Node, src: &str) -> String {
    let mut n = unwrap(n);
    for _ in 0..4 {
        match n.kind() {
            "call" => {
                let f = n.child_by_field_name("function");
                match f {
                    Some(f) if f.kind() == "attribute" => match f.child_by_field_name("object") {
                        Some(o) => n = o,
                        None => break,
                    },
                    Some(_) => match n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                    {
                        Some(a) => n = a,
                        None => break,
                    },
                    None => break,
                }
            }
            _ => break,
        }
    }
    squash(text(n, src))
}

#[cfg(test)]
mod tests;
