//! Nodemailer's `service` presets: they override host, port and the TLS switches, and a few
//! of them are known to be wrong for some accounts.

use std::ops::Range;

use super::services;
use super::{Nodemailer, Opts, Setting};
use crate::extract::syntax::value::Val;
use crate::finding::{Finding, Label, Severity};
use crate::model::address_domain;

impl Nodemailer<'_, '_> {
    /// Apply a `service` preset; returns true when a service is set but cannot be read (an env
    /// variable), so the transport's host, port and TLS mode are unknown.
    pub(super) fn apply_service(&mut self, o: &mut Opts) -> bool {
        let Some(svc) = o.service.clone() else {
            return false;
        };
        let (name, span) = match &svc.val {
            Val::Str { text, span } if !text.trim().is_empty() => (text.clone(), span.clone()),
            Val::Str { .. } | Val::Null | Val::Bool { value: false, .. } => return false,
            _ => return true,
        };
        let Some(preset) = services::lookup(&name) else {
            self.unknown_service(&name, span);
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
            let kept = self.overridden(key, old, &new, &shown, &sname, &span);
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

    fn unknown_service(&mut self, name: &str, span: Range<usize>) {
        let help = if services::lookup_key(name) == "icloud.com" {
            "Nodemailer's iCloud preset lists only me.com and mac.com; write `service: 'iCloud'`, \
             or `host: 'smtp.mail.me.com', port: 587, requireTLS: true`"
        } else {
            "use a name from Nodemailer's well-known services list, or set `host` and `port` instead"
        };
        self.ex.findings.push(
            Finding::new(
                "invalid-value",
                Severity::Error,
                format!(
                    "Nodemailer has no well-known service `{name}`: the preset is skipped and, \
                     without a host, it connects to localhost"
                ),
                Label::new(self.js.loc(span), "unknown service"),
            )
            .with_help(help),
        );
    }

    /// An option the preset overrides: the old setting is kept when it says the same, else a
    /// `conflicting-settings` warning says it is ignored.
    fn overridden(
        &mut self,
        key: &str,
        old: Option<Setting>,
        new: &Val,
        shown: &str,
        preset: &str,
        span: &Range<usize>,
    ) -> Option<Setting> {
        let old = old?;
        if same_value(&old.val, new) {
            return Some(old);
        }
        self.ex.findings.push(
            Finding::new(
                "conflicting-settings",
                Severity::Warning,
                format!(
                    "`{key}` is ignored: the `{preset}` service preset sets {key} {shown} \
                     and overrides it"
                ),
                Label::new(self.js.loc(old.expr_span.clone()), "ignored"),
            )
            .with_label(Label::new(self.js.loc(span.clone()), "the preset wins"))
            .with_help(format!(
                "remove `{key}`, or drop `service` and set host, port and secure yourself"
            )),
        );
        None
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
            // Mailjet's preset host (in.mailjet.com) is a `host-typo` of rules/mailjet.yaml, which
            // names the preset: a second finding here said the same.
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
                Label::new(self.js.loc(span), "preset"),
            )
            .with_help(help),
        );
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
