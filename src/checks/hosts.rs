//! `host-typo` and `incoming-host-as-smtp`: the SMTP host is not the provider's SMTP host.

use super::{value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Applicability, Finding, Fix, Label, Severity};
use crate::identify::Match;
use crate::model::Value;
use crate::providers::Protocol;

const INCOMING_PORTS: &[(u16, &str)] =
    &[(993, "IMAPS"), (143, "IMAP"), (995, "POP3S"), (110, "POP3")];

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    let Some(host) = &p.host else { return };
    let name = p.host_name().unwrap_or_default();
    // Only a host written as it is (not a default, not assembled from parts) is replaced.
    let editable = super::fixes::written(host)
        && super::fixes::at(ctx, host).is_some_and(|a| a.text.trim() == host.value.trim());
    let fix = |f: Finding, applicability: Applicability, to: Option<&str>| match to {
        Some(to) if editable => f.with_fix(Fix::replace(
            applicability,
            format!("use {to}"),
            host.loc.clone(),
            to,
        )),
        _ => f,
    };
    if let Some(id) = &ctx.ident {
        let prov = id.provider;
        let smtp = prov.primary_host();
        match &id.how {
            Match::WrongHost(w) => {
                let f = ctx
                    .finding(
                        codes::HOST_TYPO,
                        Severity::Error,
                        format!("`{name}` is not {}'s SMTP server: {}", prov.name, w.reason),
                        Label::new(host.loc.clone(), "not an SMTP submission host"),
                    )
                    .with_help(format!("use {smtp} ({})", prov.documented_endpoints()));
                // A name the provider's facts list as wrong: its SMTP host is certain.
                let f = fix(f, Applicability::Safe, prov.exact_host());
                out.push(with_labels(
                    f,
                    value_label(host, "not an SMTP submission host"),
                ));
                return;
            }
            Match::Typo { intended } => {
                let f = ctx
                    .finding(
                        codes::HOST_TYPO,
                        Severity::Error,
                        format!("`{name}` looks like a misspelling of {intended}"),
                        Label::new(host.loc.clone(), format!("did you mean {intended}?")),
                    )
                    .with_help(format!("{} sends through {intended}", prov.name));
                // A near miss is a guess.
                let f = fix(f, Applicability::Unsafe, Some(intended));
                out.push(f);
                return;
            }
            Match::Incoming(i) => {
                let proto = match i.protocol {
                    Protocol::Imap => "IMAP",
                    Protocol::Pop3 => "POP3",
                };
                let mut f = ctx
                    .finding(
                        codes::INCOMING_HOST_AS_SMTP,
                        Severity::Error,
                        format!(
                            "`{name}` is {}'s {proto} server for reading mail, not its SMTP server",
                            prov.name
                        ),
                        Label::new(host.loc.clone(), format!("{proto} host")),
                    )
                    .with_help(format!(
                        "send through {smtp} ({})",
                        prov.documented_endpoints()
                    ));
                if id.ambiguous {
                    // The host serves more than one provider: say so, and write no fix.
                    f.help = Some(format!(
                        "this host serves more than one provider; send through your provider's SMTP host (for {}: {smtp})",
                        prov.name
                    ));
                } else {
                    f = fix(f, Applicability::Unsafe, prov.exact_host());
                }
                if let Some(port) = &p.port {
                    if INCOMING_PORTS.iter().any(|(n, _)| *n == port.value) {
                        f = f.with_label(Label::new(port.loc.clone(), format!("{proto} port")));
                    }
                }
                out.push(f);
                return;
            }
            Match::Host | Match::Domain => {}
        }
    }
    generic_incoming(ctx, host, &name, out);
}

/// Any host: an incoming-looking host name or an incoming port.
fn generic_incoming(ctx: &Ctx, host: &Value<String>, name: &str, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    // A provider's own SMTP host may be named like an incoming one (the ISPDB lists
    // `pop.bb-niigata.jp` for sending): its rules know better than the name.
    let own_smtp_host = ctx
        .ident
        .as_ref()
        .is_some_and(|i| matches!(i.how, Match::Host));
    let incoming_name = !own_smtp_host
        && ["imap.", "imap-", "pop.", "pop3.", "pop-"]
            .iter()
            .any(|pre| name.starts_with(pre));
    let incoming_port = p.port.as_ref().and_then(|port| {
        INCOMING_PORTS
            .iter()
            .find(|(n, _)| *n == port.value)
            .map(|(_, s)| (port, *s))
    });
    if incoming_name || incoming_port.is_some() {
        let (msg, primary) = match (&incoming_port, incoming_name) {
            (Some((port, proto)), _) => (
                format!(
                    "port {} is the {proto} port for reading mail, not an SMTP port",
                    port.value
                ),
                Label::new(port.loc.clone(), format!("{proto} port")),
            ),
            (None, _) => (
                format!(
                    "`{name}` looks like a server for reading mail (IMAP/POP), not for sending"
                ),
                Label::new(host.loc.clone(), "incoming mail host"),
            ),
        };
        let mut f = ctx
            .finding(codes::INCOMING_HOST_AS_SMTP, Severity::Error, msg, primary)
            .with_help("SMTP submission uses port 587 (STARTTLS) or 465 (implicit TLS) on the provider's SMTP host");
        if incoming_name && incoming_port.is_some() {
            f = f.with_label(Label::new(host.loc.clone(), "incoming mail host"));
        }
        out.push(f);
    }
}
