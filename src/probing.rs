//! The probe step of a run: turn each profile into an endpoint, probe them all concurrently, and
//! report what the servers did as findings labelled at the configuration that named the host or
//! port — the same findings and renderers as the static checks.

use crate::codes;
use crate::engine::Outcome;
use crate::finding::{Finding, Label};
use crate::model::Profile;
use crate::probe::{self, Endpoint, ProbeOptions, ProbeReport};
use crate::source::Loc;

/// Probe every profile of `out` that names a host; findings and reports are added to `out`.
pub fn probe_profiles(out: &mut Outcome, opts: &ProbeOptions) {
    let targets: Vec<(usize, Endpoint)> = out
        .profiles
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Endpoint::from_profile(p).map(|e| (i, e)))
        .collect();
    if targets.is_empty() {
        return;
    }
    let reports = probe::run_probes(targets.iter().map(|(_, e)| e.clone()).collect(), opts);
    for ((i, _), report) in targets.iter().zip(reports) {
        let profile = &out.profiles[*i];
        let provider = out
            .findings
            .iter()
            .find(|f| {
                f.labels
                    .iter()
                    .any(|l| profile.field_locs().contains(&&l.loc))
            })
            .and_then(|f| f.provider.clone());
        let mut new = Vec::new();
        for pf in &report.findings {
            let (loc, what) = anchor_for(profile, pf.code);
            let mut f = Finding::new(
                pf.code,
                pf.severity,
                pf.message.clone(),
                Label::new(loc, what),
            );
            f.help = pf.help.clone();
            f.provider = provider.clone();
            new.push(f);
        }
        settle_static_findings(&mut out.findings, profile, &report);
        out.findings.extend(new);
        out.probes.push(report);
    }
    out.findings
        .sort_by_key(|f| (f.primary().file, f.primary().span.start, f.code.clone()));
}

/// Which configuration value a probe finding is about.
fn anchor_for(p: &Profile, code: &str) -> (Loc, String) {
    let host = p
        .host
        .as_ref()
        .map(|h| h.loc.clone())
        .unwrap_or_else(|| p.anchor.clone());
    let port = p
        .port
        .as_ref()
        .map(|v| v.loc.clone())
        .unwrap_or_else(|| host.clone());
    let user = p.username.as_ref().map(|v| v.loc.clone());
    let from = p.from.first().map(|v| v.loc.clone());
    match code {
        codes::CONNECT_REFUSED
        | codes::CONNECT_TIMEOUT
        | codes::CONNECT_FAILED
        | codes::BANNER_TIMEOUT
        | codes::BANNER_INVALID
        | codes::BANNER_REJECTED
        | codes::STARTTLS_NOT_OFFERED
        | codes::STARTTLS_REFUSED
        | codes::STARTTLS_AVAILABLE
        | codes::TLS_HANDSHAKE_FAILED
        | codes::TLS_VERSION_OBSOLETE
        | codes::REPLY_TIMEOUT
        | codes::PROTOCOL_ERROR
        | codes::CONNECTION_CLOSED => (port, "probed here".into()),
        codes::AUTH_REJECTED
        | codes::AUTH_SUCCEEDED
        | codes::AUTH_NOT_OFFERED
        | codes::AUTH_MECHANISM_UNSUPPORTED
        | codes::AUTH_SKIPPED
        | codes::AUTH_BEFORE_TLS => (user.unwrap_or(host), "login probed".into()),
        codes::FROM_REJECTED => (from.unwrap_or(host), "sender probed".into()),
        codes::MX_PROVIDER | codes::SRV_DIFFERS => {
            (from.or(user).unwrap_or(host), "mail domain".into())
        }
        _ => (host, "probed".into()),
    }
}

/// A static finding about the port or TLS mode that a probe has now answered: say what was
/// observed on the finding itself.
fn settle_static_findings(findings: &mut [Finding], p: &Profile, report: &ProbeReport) {
    let Some(port) = &p.port else { return };
    let observed = if report.has(codes::CONNECT_REFUSED) {
        "the probe found the port closed (connection refused)".to_owned()
    } else if report.has(codes::CONNECT_TIMEOUT) || report.has(codes::BANNER_TIMEOUT) {
        "the probe got no answer on this port".to_owned()
    } else if report.has(codes::TLS_HANDSHAKE_FAILED) {
        "the probe's TLS handshake failed".to_owned()
    } else if let Some(tls) = &report.tls {
        format!(
            "the probe reached it: {} with {}, {}",
            report.endpoint.mode,
            tls.version,
            if tls.verified {
                "certificate verified"
            } else {
                "certificate NOT verified"
            }
        )
    } else if report.banner.is_some() {
        format!(
            "the probe reached it and the server answered ({})",
            report.endpoint.mode
        )
    } else {
        return;
    };
    for f in findings.iter_mut() {
        if matches!(
            f.code.as_str(),
            codes::PORT_UNDOCUMENTED | codes::PORT_NOT_OFFERED | codes::TLS_MODE_MISMATCH
        ) && f.labels.iter().any(|l| l.loc == port.loc)
        {
            f.message = format!("{} (observed: {observed})", f.message);
        }
    }
}
