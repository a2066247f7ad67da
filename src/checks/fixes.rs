//! The fixes the checks attach: the value a finding's provider facts (or the well-known ports)
//! make right, written in the file's own words (`crate::fix::words`). A value that was not
//! written (a client default) gets no fix: there is nothing to replace.
//!
//! Safe or unsafe: a port or TLS mode taken from the identified provider's documented endpoints
//! is safe; the same guess from the well-known ports alone, a username completed from the
//! provider's default domain, a host guessed from a near miss and certificate checks switched
//! back on are unsafe (they may not be what this account or server needs).

use super::Ctx;
use crate::finding::{Applicability, Fix};
use crate::fix::words::{self, At};
use crate::model::{Security, TlsMode, Value};
use crate::providers::Provider;

/// Written in a file (literally, or on the `.env` line code reads), so it can be edited.
pub(crate) fn written<T>(v: &Value<T>) -> bool {
    !v.is_default()
}

/// The text of a value and what precedes it on its line.
pub(crate) fn at<'a, T>(ctx: &Ctx<'a>, v: &Value<T>) -> Option<At<'a>> {
    let text: &'a str = &ctx.sources?.try_get(v.loc.file)?.text;
    let value = text.get(v.loc.span.clone())?;
    let head = text.get(..v.loc.span.start)?;
    let line_start = head.rfind('\n').map(|i| i + 1).unwrap_or(0);
    Some(At {
        before: &head[line_start..],
        text: value,
    })
}

/// Change the port number, keeping whatever is written around it.
fn port_fix(
    ctx: &Ctx,
    port: &Value<u16>,
    to: u16,
    applicability: Applicability,
    message: String,
) -> Option<Fix> {
    if !written(port) || port.value == to {
        return None;
    }
    let text = words::port_text(at(ctx, port)?.text, port.value, to)?;
    Some(Fix::replace(applicability, message, port.loc.clone(), text))
}

/// `tls-mode-mismatch`: implicit TLS where the port expects STARTTLS keeps implicit TLS (RFC
/// 8314 prefers it) and moves to the implicit-TLS port; otherwise the TLS setting is rewritten
/// for the port, and when the file's words cannot say that, the port is moved to the one that
/// goes with the TLS setting.
pub(crate) fn tls_pair(
    ctx: &Ctx,
    port: &Value<u16>,
    sec: &Value<Security>,
    expected: TlsMode,
    prov: Option<&Provider>,
) -> Option<Fix> {
    let current = sec.value.tls_mode();
    let app = if prov.is_some() {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let port_for = |mode: TlsMode| match prov {
        Some(p) => p
            .submission
            .iter()
            .find(|e| e.documented && e.tls == mode)
            .map(|e| e.port),
        None => match mode {
            TlsMode::Implicit => Some(465),
            TlsMode::Starttls => Some(587),
            TlsMode::None => None,
        },
    };
    let move_port = |mode: TlsMode| {
        let to = port_for(mode)?;
        port_fix(ctx, port, to, app, format!("use port {to} for {mode}"))
    };
    // Implicit TLS stays implicit; a port the provider does not document is left for its
    // documented one.
    let undocumented = prov
        .and_then(|p| p.endpoint(port.value))
        .is_some_and(|e| !e.documented);
    if current == TlsMode::Implicit || undocumented {
        if let Some(f) = move_port(current) {
            return Some(f);
        }
    }
    if written(sec) {
        let text = at(ctx, sec)
            .and_then(|a| words::security_text(ctx.profile.client, a, current, expected));
        if let Some(text) = text {
            let message = format!("use {expected} on port {}", port.value);
            let text = require_starttls(ctx, sec, expected, text);
            return Some(Fix::replace(app, message, sec.loc.clone(), text));
        }
    }
    move_port(current)
}

/// Nodemailer's `secure: false` alone is opportunistic STARTTLS: a literal `secure` switched to
/// STARTTLS also gets `requireTLS: true` beside it, unless the file names `requireTLS` already;
/// so does Rails' `ssl: false` get `enable_starttls: true` (Mail's required STARTTLS).
fn require_starttls(ctx: &Ctx, sec: &Value<Security>, expected: TlsMode, text: String) -> String {
    use crate::model::Client;
    let literal = matches!(sec.origin, crate::model::Origin::Literal);
    let (key, add) = match ctx.profile.client {
        Client::Nodemailer => ("requireTLS", "requireTLS: true"),
        Client::Rails => ("enable_starttls", "enable_starttls: true"),
        _ => return text,
    };
    // The key named anywhere in the file (`enable_starttls_auto` is another key).
    let named = ctx
        .sources
        .and_then(|s| s.try_get(sec.loc.file))
        .is_some_and(|f| {
            let t = &f.text;
            t.match_indices(key)
                .any(|(i, _)| !t[i + key.len()..].starts_with("_auto"))
        });
    if expected == TlsMode::Starttls && literal && !named && text == "false" {
        format!("{text}, {add}")
    } else {
        text
    }
}

/// `port-not-offered`: the provider's documented port for the TLS mode the file asks for; safe
/// when that mode is written and one documented port has it.
pub(crate) fn offered_port(
    ctx: &Ctx,
    prov: &Provider,
    port: &Value<u16>,
    sec: Option<&Value<Security>>,
) -> Option<Fix> {
    let mode = sec.map(|s| s.value.tls_mode());
    let candidates: Vec<u16> = prov
        .submission
        .iter()
        .filter(|e| e.documented && mode.is_none_or(|m| m == e.tls))
        .map(|e| e.port)
        .collect();
    let certain = sec.is_some_and(written) && candidates.len() == 1;
    let to = match (mode, candidates.as_slice()) {
        (Some(_), [first, ..]) | (None, [first]) => *first,
        (Some(TlsMode::Implicit), []) => return implicit_to_starttls(ctx, prov, port, sec?),
        _ => return None,
    };
    let app = if certain {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let how = match mode {
        Some(m) => format!(" for {m}"),
        None => String::new(),
    };
    port_fix(ctx, port, to, app, format!("use port {to}{how}"))
}

/// `insecure-transport`: no TLS, or STARTTLS the client may skip, on a port of the identified
/// provider that has TLS: the TLS setting in the file's words for that port's mode (safe: the
/// provider's endpoint says which).
pub(crate) fn require_tls(ctx: &Ctx, sec: &Value<Security>) -> Option<Fix> {
    let ident = ctx.ident.as_ref()?;
    if !matches!(ident.how, crate::identify::Match::Host) || !written(sec) {
        return None;
    }
    let port = ctx.profile.port.as_ref()?;
    let ep = ident
        .provider
        .endpoint(port.value)
        .filter(|e| e.tls != TlsMode::None)?;
    let current = sec.value.tls_mode();
    let at = at(ctx, sec)?;
    let text = match words::security_text(ctx.profile.client, at, current, ep.tls) {
        Some(t) => t,
        // Opportunistic STARTTLS already: only Nodemailer's `requireTLS` can make it required.
        None if current == ep.tls => at.text.to_owned(),
        None => return None,
    };
    let text = require_starttls(ctx, sec, ep.tls, text);
    (text != at.text).then(|| {
        Fix::replace(
            Applicability::Safe,
            format!("require {} on port {}", ep.tls, port.value),
            sec.loc.clone(),
            text,
        )
    })
}

/// `tls-verify-disabled`: the boolean that switched verification off, turned over.
pub(crate) fn verify_on(ctx: &Ctx, v: &Value<bool>) -> Option<Fix> {
    if !written(v) || v.value {
        return None;
    }
    let text = words::flip_bool(at(ctx, v)?.text)?;
    Some(Fix::replace(
        Applicability::Unsafe,
        "switch certificate verification back on",
        v.loc.clone(),
        text,
    ))
}

/// Implicit TLS on a port of a provider that has no implicit-TLS port: its STARTTLS port and
/// the TLS setting switched to STARTTLS, together.
fn implicit_to_starttls(
    ctx: &Ctx,
    prov: &Provider,
    port: &Value<u16>,
    sec: &Value<Security>,
) -> Option<Fix> {
    let mut starttls = prov
        .submission
        .iter()
        .filter(|e| e.documented && e.tls == TlsMode::Starttls);
    let to = starttls.next()?.port;
    let certain = starttls.next().is_none();
    if !written(sec) {
        return None;
    }
    let sec_text = words::security_text(
        ctx.profile.client,
        at(ctx, sec)?,
        TlsMode::Implicit,
        TlsMode::Starttls,
    )?;
    let mut fix = port_fix(
        ctx,
        port,
        to,
        if certain {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        format!("use port {to} with STARTTLS"),
    )?;
    fix.edits.push(crate::finding::Edit {
        loc: sec.loc.clone(),
        replacement: sec_text,
    });
    Some(fix)
}
