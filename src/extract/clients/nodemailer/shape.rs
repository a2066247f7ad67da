//! Nodemailer options recognised by their shape when no `createTransport` call is in the file:
//! an options object exported (`module.exports = {...}`, `exports.smtp = {...}`,
//! `export default {...}`, `export const smtp = {...}`) or bound to a top-level name
//! (`const smtpConfig = {...}`) and handed to `createTransport` somewhere else. Only objects
//! that look like an SMTP transport become profiles: a `host` with a `port` or `auth`, and one
//! more sign of mail (a `secure`, `auth.user`/`auth.pass`, `requireTLS`, `ignoreTLS` or
//! `service` key, a name or host that says mail or smtp, or a submission port). Nested objects
//! count too (`module.exports = { mail: { host, port, ... } }`).

use tree_sitter::Node;

use super::Nodemailer;
use crate::extract::clients::reads::push_froms;
use crate::extract::syntax::ids::{FieldOf, TsField};
use crate::extract::syntax::js::{last, unwrap, Entry};
use crate::extract::syntax::value::Val;

const SMTP_PORTS: &[f64] = &[25.0, 465.0, 587.0, 2525.0];
const SIGN_KEYS: &[&[&str]] = &[
    &["secure"],
    &["auth", "user"],
    &["auth", "pass"],
    &["requireTLS"],
    &["ignoreTLS"],
    &["service"],
];

impl<'t> Nodemailer<'_, 't> {
    /// Profiles of the SMTP-shaped option objects of a file without `createTransport`.
    pub(super) fn shaped(&mut self, root: Node<'t>) {
        let mut seen = Vec::new();
        let mut work: Vec<(String, Node<'t>, usize)> = candidates(root, self.js.src)
            .into_iter()
            .map(|(label, obj)| (label, obj, 0))
            .collect();
        while let Some((label, obj, depth)) = work.pop() {
            if seen.contains(&obj.id()) || seen.len() > 256 {
                continue;
            }
            seen.push(obj.id());
            let mut entries = Vec::new();
            if !self.js.flatten(obj, &[], &mut entries, 0) {
                continue;
            }
            // Nested objects (`{ mail: { host, ... } }`), a few levels down.
            for e in entries.iter().filter(|e| e.path.len() == 1 && depth < 3) {
                let v = unwrap(e.value);
                if v.kind() == "object" && !matches!(e.path[0].as_str(), "auth" | "tls") {
                    work.push((format!("{label}.{}", e.path[0]), v, depth + 1));
                }
            }
            if !self.looks_smtp(&entries, &label) || self.not_smtp(&entries) {
                continue;
            }
            self.wrong_keys(&entries);
            let anchor = last(&entries, &["host"]).map_or(obj.byte_range(), |e| e.key_span.clone());
            if let Some(mut p) = self.options_profile(&entries, None, label, anchor) {
                let froms = self.froms_of(&entries);
                push_froms(self.js.file, &mut p, froms);
                self.ex.profiles.push(p);
            }
        }
        self.ex.profiles.sort_by_key(|p| p.anchor.span.start);
    }

    /// A `host` with a `port` or `auth`, and one more sign of mail.
    fn looks_smtp(&self, entries: &[Entry<'t>], label: &str) -> bool {
        let at = |k: &[&str]| last(entries, k);
        let Some(host) = at(&["host"]) else {
            return false;
        };
        if at(&["port"]).is_none() && at(&["auth"]).is_none() {
            return false;
        }
        let mailish = |t: &str| {
            ["mail", "smtp"]
                .iter()
                .any(|w| t.to_ascii_lowercase().contains(w))
        };
        let port = at(&["port"]).map(|e| self.js.eval(e.value, 0));
        SIGN_KEYS.iter().any(|k| at(k).is_some())
            || mailish(label)
            || matches!(self.js.eval(host.value, 0), Val::Str { text, .. } if mailish(&text))
            || matches!(port, Some(Val::Num { value, .. }) if SMTP_PORTS.contains(&value))
    }
}

/// Exported or top-level objects, with the name a profile is labelled by.
fn candidates<'t>(root: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        match stmt.kind() {
            "expression_statement" => {
                let Some(a) = stmt
                    .named_child(0)
                    .filter(|a| a.kind() == "assignment_expression")
                else {
                    continue;
                };
                let (Some(l), Some(r)) = (a.field(TsField::Left), a.field(TsField::Right)) else {
                    continue;
                };
                let left: String = src[l.byte_range()]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if left == "module.exports"
                    || left.starts_with("exports.")
                    || left.starts_with("module.exports.")
                {
                    push_object(&mut out, left, r);
                }
            }
            "export_statement" => match stmt.field(TsField::Declaration) {
                Some(d) => declarations(d, src, &mut out),
                None => {
                    if let Some(v) = stmt.field(TsField::Value) {
                        push_object(&mut out, "export default".to_string(), v);
                    }
                }
            },
            "lexical_declaration" | "variable_declaration" => declarations(stmt, src, &mut out),
            _ => {}
        }
    }
    out
}

fn declarations<'t>(decl: Node<'t>, src: &str, out: &mut Vec<(String, Node<'t>)>) {
    let mut c = decl.walk();
    for d in decl
        .named_children(&mut c)
        .filter(|d| d.kind() == "variable_declarator")
    {
        if let (Some(n), Some(v)) = (d.field(TsField::Name), d.field(TsField::Value)) {
            if n.kind() == "identifier" {
                push_object(out, src[n.byte_range()].to_string(), v);
            }
        }
    }
}

fn push_object<'t>(out: &mut Vec<(String, Node<'t>)>, label: String, v: Node<'t>) {
    let v = unwrap(v);
    if v.kind() == "object" {
        out.push((label, v));
    }
}
