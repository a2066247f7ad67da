//! `port-not-offered`, `port-undocumented` and `tls-mode-mismatch`: the port and the TLS mode
//! must be a pair the server speaks.

use super::{fixes, value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Finding, Label, Severity};
use crate::identify::Match;
use crate::model::{Security, TlsMode, Value};
use crate::providers::Provider;

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    let Some(port) = &p.port else { return };
    let sec = p.security.as_ref();
    // Provider facts apply only when the host is the provider's own SMTP host; a wrong host is
    // reported by `host-typo` and judging its port too would only add noise.
    let provider = ctx.ident.as_ref().and_then(|i| match i.how {
        Match::Host => Some(i.provider),
        _ => None,
    });
    if let Some(ident) = &ctx.ident {
        if !matches!(ident.how, Match::Host | Match::Domain) {
            return;
        }
    }
    if let Some(prov) = provider {
        match prov.endpoint(port.value) {
            // Generated rules list the ports Thunderbird's ISPDB uses, which need not be all
            // the provider offers: another port is undocumented, not refused.
            None if prov.generated => {
                let f = ctx
                    .finding(
                        codes::PORT_UNDOCUMENTED,
                        Severity::Warning,
                        format!(
                            "{} does not document port {} (Thunderbird's ISPDB lists {})",
                            prov.name,
                            port.value,
                            prov.documented_endpoints()
                        ),
                        Label::new(port.loc.clone(), "undocumented port"),
                    )
                    .with_help(format!(
                        "use {} on {}, the setting the ISPDB documents",
                        prov.documented_endpoints(),
                        prov.primary_host()
                    ));
                out.push(with_labels(f, value_label(port, "undocumented port")));
            }
            None => {
                let symptom = prov
                    .not_offered
                    .iter()
                    .find(|n| n.port == port.value)
                    .map(|n| format!(": {}", n.symptom))
                    .unwrap_or_default();
                let f = ctx
                    .finding(
                        codes::PORT_NOT_OFFERED,
                        Severity::Error,
                        format!(
                            "{} does not accept mail submission on port {}{symptom}",
                            prov.name, port.value
                        ),
                        Label::new(port.loc.clone(), "port not offered"),
                    )
                    .with_help(format!(
                        "use {} on {}",
                        prov.documented_endpoints(),
                        prov.primary_host()
                    ));
                let f = match fixes::offered_port(ctx, prov, port, sec) {
                    Some(fix) => f.with_fix(fix),
                    None => f,
                };
                out.push(with_labels(f, value_label(port, "port not offered")));
            }
            Some(ep) => {
                if !ep.documented {
                    let note = ep
                        .note
                        .as_deref()
                        .map(|n| format!("{n}; "))
                        .unwrap_or_default();
                    let f = ctx
                        .finding(
                            codes::PORT_UNDOCUMENTED,
                            Severity::Warning,
                            format!("{} does not document port {}", prov.name, port.value),
                            Label::new(port.loc.clone(), "undocumented port"),
                        )
                        .with_help(format!(
                            "{note}the documented setting is {}",
                            prov.documented_endpoints()
                        ));
                    out.push(with_labels(f, value_label(port, "undocumented port")));
                }
                if let Some(sec) = sec {
                    let mode = sec.value.tls_mode();
                    if mode != ep.tls && !(mode == TlsMode::None && ep.tls == TlsMode::Starttls) {
                        out.push(mismatch(ctx, port, sec, ep.tls, Some(prov)));
                    }
                }
            }
        }
        return;
    }
    // Generic: the well-known ports mean one mode each.
    let Some(sec) = sec else { return };
    let expected = match port.value {
        465 => TlsMode::Implicit,
        587 | 25 => TlsMode::Starttls,
        _ => return,
    };
    let mode = sec.value.tls_mode();
    let wrong = match expected {
        TlsMode::Implicit => mode != TlsMode::Implicit,
        _ => mode == TlsMode::Implicit,
    };
    if wrong {
        out.push(mismatch(ctx, port, sec, expected, None));
    }
}

fn mismatch(
    ctx: &Ctx,
    port: &Value<u16>,
    sec: &Value<Security>,
    expected: TlsMode,
    prov: Option<&Provider>,
) -> Finding {
    let who = prov
        .map(|p| format!("{} on port", p.name))
        .unwrap_or_else(|| "port".into());
    let symptom = match expected {
        TlsMode::Implicit => {
            "the client waits for a plaintext greeting that never comes, then times out"
        }
        TlsMode::Starttls => "the TLS handshake fails with errors like `wrong version number`",
        TlsMode::None => "the server offers no TLS on this port, so the connection fails",
    };
    let message = format!(
        "{} on port {}: {who} {} expects {expected}; {symptom}",
        sec.value, port.value, port.value
    );
    let fix_hint = match expected {
        TlsMode::Implicit => format!(
            "switch to implicit TLS for port {} (or use 587 with STARTTLS)",
            port.value
        ),
        TlsMode::Starttls => format!(
            "use STARTTLS on port {} (or implicit TLS on 465)",
            port.value
        ),
        TlsMode::None => format!(
            "use a port of this server that offers TLS instead of {}",
            port.value
        ),
    };
    // The primary span is the port, unless only the security was written.
    let (primary, second) = if port.is_default() && !sec.is_default() {
        (
            value_label(sec, &format!("{} set here", sec.value)),
            value_label(port, "port"),
        )
    } else {
        (
            value_label(port, &format!("expects {expected}")),
            value_label(sec, &format!("{} set here", sec.value)),
        )
    };
    let mut labels = primary.into_iter();
    let first = labels.next().expect("label");
    let mut f = ctx
        .finding(codes::TLS_MODE_MISMATCH, Severity::Error, message, first)
        .with_help(fix_hint);
    if let Some(fix) = fixes::tls_pair(ctx, port, sec, expected, prov) {
        f = f.with_fix(fix);
    }
    with_labels(with_labels(f, labels.collect()), second)
}
