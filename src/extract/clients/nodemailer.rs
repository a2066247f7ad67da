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
//! `docs/formats/nodemailer.md` lists every rule implemented here. The JavaScript itself is read
//! by `extract::syntax::js`; this file and the ones below it give it Nodemailer's meaning.
//!
//! [`EnvRef`]: crate::model::EnvRef

mod presets;
mod profile;
pub mod services;
mod shape;
mod url;

use url::UrlParts;

use std::ops::Range;

use tree_sitter::Node;

use crate::extract::clients::reads::push_froms;
use crate::extract::clients::spelling::{suggest_within, KeySet};
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::js::{assigned_name, last, parse, unwrap, Entry, JsFile};
use crate::extract::syntax::tree::{first_error, squash, widen};
use crate::extract::syntax::value::{BoolVal, Val};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{Client, Profile};
use crate::source::FileId;

/// The top-level options of an SMTP transport (SMTPTransport / SMTPConnection / pool).
const OPTIONS: KeySet = KeySet {
    program: "Nodemailer",
    prefix: "",
    known: &[
        "host",
        "port",
        "secure",
        "requireTLS",
        "ignoreTLS",
        "opportunisticTLS",
        "auth",
        "authMethod",
        "service",
        "tls",
        "name",
        "url",
        "pool",
        "proxy",
        "logger",
        "debug",
        "connectionTimeout",
        "greetingTimeout",
        "socketTimeout",
        "dnsTimeout",
        "localAddress",
        "maxConnections",
        "maxMessages",
        "rateDelta",
        "rateLimit",
        "dkim",
        "from",
        "lmtp",
        "transactionLog",
        "disableFileAccess",
        "disableUrlAccess",
        "socket",
        "connection",
    ],
    renamed: &[],
};
const AUTH_OPTIONS: KeySet = KeySet {
    program: "Nodemailer",
    prefix: "",
    known: &[
        "type",
        "user",
        "pass",
        "method",
        "clientId",
        "clientSecret",
        "refreshToken",
        "accessToken",
        "expires",
        "accessUrl",
        "serviceClient",
        "privateKey",
    ],
    renamed: &[],
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
    let js = JsFile::read(file, text, tree.root_node());
    // `import { createTransport as make }`, `const { createTransport: make } = require(...)`.
    let create_aliases = js
        .renames
        .iter()
        .filter(|r| r.name == "createTransport")
        .filter(|r| r.module.as_deref().is_none_or(|m| m == "nodemailer"))
        .map(|r| r.alias.clone())
        .collect();
    let mut n = Nodemailer {
        js: &js,
        create_aliases,
        legacy_wrappers: legacy_wrappers(text),
        ex: Extraction {
            secrets: js.secrets.clone(),
            ..Extraction::default()
        },
    };
    let has_transport = n.js.calls.iter().any(|c| n.is_create_transport(*c));
    n.run();
    if !has_transport {
        n.shaped(tree.root_node());
    }
    n.ex
}

struct Nodemailer<'a, 't> {
    js: &'a JsFile<'t>,
    create_aliases: Vec<String>,
    /// The names the file binds the legacy `nodemailer-smtp-transport` package to.
    legacy_wrappers: Vec<String>,
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

impl<'t> Nodemailer<'_, 't> {
    fn is_create_transport(&self, call: Node<'t>) -> bool {
        let Some(f) = call.field(TsField::Function) else {
            return false;
        };
        match f.kind() {
            "identifier" => {
                let name = self.js.t(f);
                name == "createTransport" || self.create_aliases.iter().any(|a| a == name)
            }
            "member_expression" => f
                .field(TsField::Property)
                .is_some_and(|p| self.js.t(p) == "createTransport"),
            _ => false,
        }
    }

    fn run(&mut self) {
        let transports: Vec<Node<'t>> = self
            .js
            .calls
            .iter()
            .copied()
            .filter(|c| self.is_create_transport(*c))
            .collect();
        let send_calls: Vec<Node<'t>> = self
            .js
            .calls
            .iter()
            .copied()
            .filter(|c| {
                c.field(TsField::Function)
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.field(TsField::Property))
                    .is_some_and(|p| self.js.t(p) == "sendMail")
            })
            .collect();
        let single = transports.len() == 1;
        for call in &transports {
            let name = assigned_name(*call, self.js.src);
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
            .field(TsField::Function)
            .and_then(|f| f.field(TsField::Object))
        else {
            return false;
        };
        let recv = unwrap(recv);
        if recv.id() == call.id() {
            return true;
        }
        let text = squash(self.js.t(recv));
        let last = text.rsplit('.').next().unwrap_or(&text);
        name.is_some_and(|n| n == last)
    }

    /// `createTransport(smtpTransport({...}))`: the `nodemailer-smtp-transport` package of
    /// Nodemailer 0.x-2.x returns its options for `createTransport` to read, so the call is
    /// looked through when its callee is the name the file binds that package to.
    fn legacy_wrapper(&self, arg: Node<'t>) -> Node<'t> {
        let n = crate::extract::syntax::js::unwrap(arg);
        let bound = n
            .field(TsField::Function)
            .filter(|_| n.kind() == "call_expression")
            .is_some_and(|f| self.legacy_wrappers.iter().any(|w| w == self.js.t(f)));
        if !bound {
            return arg;
        }
        n.field(TsField::Arguments)
            .and_then(|a| a.named_child(0))
            .filter(|a| a.kind() != "comment")
            .unwrap_or(arg)
    }

    fn transport(
        &mut self,
        call: Node<'t>,
        name: Option<&str>,
        sends: &[Node<'t>],
    ) -> Option<Profile> {
        let callee = call.field(TsField::Function)?;
        let args = call.field(TsField::Arguments)?;
        let mut c = args.walk();
        let arglist: Vec<Node> = args
            .named_children(&mut c)
            .filter(|a| a.kind() != "comment")
            .collect();
        let first = self.legacy_wrapper(*arglist.first()?);
        let anchor = callee.byte_range();

        let mut entries = Vec::new();
        let mut url: Option<(UrlParts, bool)> = None;
        if self.js.flatten(first, &[], &mut entries, 0) {
            if self.not_smtp(&entries) {
                return None;
            }
            self.wrong_keys(&entries);
        } else {
            // Not an object: a URL, or a plugin transport / options we cannot see.
            url = Some(self.url_of(first)?);
        }
        if let Some(span) = first_error(args) {
            let span = widen(self.js.src, span);
            self.ex.findings.push(
                Finding::new(
                    "parse-error",
                    Severity::Error,
                    "this createTransport call has a syntax error; the options after it may be missed",
                    Label::new(self.js.loc(span), "cannot parse this"),
                )
                .with_help("fix the JavaScript syntax so the whole options object can be read"),
            );
        }
        let label = name.unwrap_or("createTransport").to_owned();
        let mut p = self.options_profile(&entries, url, label, anchor)?;

        // From: the `defaults` argument, then every sendMail on this transport.
        let mut froms: Vec<Val> = Vec::new();
        if let Some(defaults) = arglist.get(1) {
            let mut e = Vec::new();
            if self.js.flatten(*defaults, &[], &mut e, 0) {
                froms.extend(self.froms_of(&e));
            }
        }
        for s in sends {
            let Some(a) = s.field(TsField::Arguments).and_then(|a| a.named_child(0)) else {
                continue;
            };
            let mut e = Vec::new();
            if self.js.flatten(a, &[], &mut e, 0) {
                froms.extend(self.froms_of(&e));
            }
        }
        push_froms(self.js.file, &mut p, froms);
        Some(p)
    }

    /// The profile of one set of transport options (the entries of an options object, or a
    /// connection URL given instead of one); `None` for a `direct:` URL.
    fn options_profile(
        &mut self,
        entries: &[Entry<'t>],
        mut url: Option<(UrlParts, bool)>,
        label: String,
        anchor: Range<usize>,
    ) -> Option<Profile> {
        let mut opts = Opts::default();
        self.read_entries(entries, &mut opts);
        if let Some(e) = last(entries, &["url"]) {
            url = self.url_of(e.value);
        }
        if let Some((u, direct)) = url {
            if direct {
                return None;
            }
            self.apply_url(u, &mut opts);
        }
        let mut p = Profile::new(Client::Nodemailer, label, self.js.loc(anchor.clone()));
        let service_unknown = self.apply_service(&mut opts);
        self.fill(&opts, &mut p, anchor, service_unknown);
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
            if self.js.flatten(env.value, &[], &mut sub, 0) {
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
        if self.js.flatten(n, &[], &mut sub, 0) {
            return match last(&sub, &["address"]) {
                Some(a) => self.js.eval(a.value, 0),
                None => Val::Unknown,
            };
        }
        self.js.eval(n, 0)
    }

    /// `createTransport({ sendmail: true })` and other non-SMTP transports.
    fn not_smtp(&self, entries: &[Entry<'t>]) -> bool {
        entries.iter().any(|e| {
            e.path.len() == 1
                && match e.path[0].as_str() {
                    "sendmail" | "streamTransport" | "jsonTransport" => {
                        matches!(self.js.eval(e.value, 0).as_bool(), BoolVal::Known(true, _))
                    }
                    "SES" | "transport" => true,
                    _ => false,
                }
        })
    }

    /// Option names Nodemailer does not read, which people write expecting an effect.
    fn wrong_keys(&mut self, entries: &[Entry<'t>]) {
        let mut hint_owned;
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
                _ => match self.near_miss(&e.path) {
                    Some(h) => {
                        hint_owned = h;
                        &hint_owned
                    }
                    None => continue,
                },
            };
            let key = e.path.join(".");
            self.ex.findings.push(
                Finding::new(
                    "unknown-setting",
                    Severity::Warning,
                    format!("`{key}` is not an option Nodemailer reads, so it has no effect"),
                    Label::new(self.js.loc(e.key_span.clone()), "ignored"),
                )
                .with_help(hint),
            );
        }
    }

    /// An option name one edit away from one Nodemailer reads (`secrue`, `requireTSL`,
    /// `auth.usr`), with the name it reads.
    fn near_miss(&self, path: &[String]) -> Option<String> {
        let (set, key) = match path {
            [k] => (&OPTIONS, k),
            [a, k] if a == "auth" => (&AUTH_OPTIONS, k),
            _ => return None,
        };
        if key.len() < 4 {
            return None;
        }
        let right = suggest_within(set, key, Some(1))?;
        Some(format!(
            "Nodemailer reads `{right}`; this spelling is ignored"
        ))
    }

    fn setting(&self, e: &Entry<'t>) -> Setting {
        let val = self.js.eval(e.value, 0);
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
}

#[cfg(test)]
mod tests;

/// The names `X` of `X = require('nodemailer-smtp-transport')` and
/// `import X from 'nodemailer-smtp-transport'` in the text.
fn legacy_wrappers(text: &str) -> Vec<String> {
    const PACKAGE: &str = "nodemailer-smtp-transport";
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    // The text before `at` without trailing blanks, after taking off `word` if it ends so.
    let back = |head: &str, word: &str| -> Option<usize> {
        let h = head.trim_end();
        h.strip_suffix(word).map(str::len)
    };
    let mut out: Vec<String> = Vec::new();
    for (at, _) in text.match_indices(PACKAGE) {
        let Some(quote) = text[..at]
            .chars()
            .next_back()
            .filter(|c| *c == '\'' || *c == '"')
        else {
            continue;
        };
        let head = &text[..at - quote.len_utf8()];
        // `X = require(` or `import X from`.
        let name_end = match back(head, "(").and_then(|e| back(&head[..e], "require")) {
            Some(e) => back(&head[..e], "="),
            None => back(head, "from"),
        };
        let Some(end) = name_end else { continue };
        let h = head[..end].trim_end();
        let name = &h[h.trim_end_matches(ident).len()..];
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod legacy_tests {
    #[test]
    fn names_bound_to_the_legacy_package() {
        let text = "const smtpTransport = require('nodemailer-smtp-transport');\n\
                    import smtp from \"nodemailer-smtp-transport\";\n\
                    require('nodemailer-smtp-transport');\nlet x = 'nodemailer-smtp-transport';";
        assert_eq!(super::legacy_wrappers(text), ["smtpTransport", "smtp"]);
    }
}
