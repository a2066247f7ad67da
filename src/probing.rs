//! The probe step of a run: turn each profile into an endpoint, probe them all concurrently, and
//! report what the servers did as findings labelled at the configuration that named the host or
//! port — the same findings and renderers as the static checks. Selection runs after this step,
//! so probe findings obey `--select`/`--ignore`, suppressions and severity overrides.

use crate::codes::{self, ProbeAt};
use crate::engine::Outcome;
use crate::finding::{Finding, Label};
use crate::model::Profile;
use crate::probe::{self, Endpoint, ProbeOptions, ProbeReport};
use crate::source::Loc;

/// One endpoint to probe, and where in the input its findings point.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint: Endpoint,
    pub at: Anchors,
    /// The provider the endpoint belongs to, if known (tags the findings).
    pub provider: Option<String>,
}

/// The places a probe finding can point at (see [`ProbeAt`]).
#[derive(Debug, Clone)]
pub struct Anchors {
    pub host: Loc,
    pub port: Option<Loc>,
    pub login: Option<Loc>,
    pub sender: Option<Loc>,
}

impl Anchors {
    /// A profile's values; the profile's anchor when it names no host.
    pub fn of_profile(p: &Profile) -> Anchors {
        Anchors {
            host: p
                .host
                .as_ref()
                .map(|h| h.loc.clone())
                .unwrap_or_else(|| p.anchor.clone()),
            port: p.port.as_ref().map(|v| v.loc.clone()),
            login: p.username.as_ref().map(|v| v.loc.clone()),
            sender: p.from.first().map(|v| v.loc.clone()),
        }
    }

    /// Which value a finding of `code` is about, and the label to put there.
    fn for_code(&self, code: &str) -> (Loc, &'static str) {
        let host = self.host.clone();
        let at = codes::lookup(code).and_then(|c| c.probe_at);
        match at {
            Some(ProbeAt::Port) => (self.port.clone().unwrap_or(host), "probed here"),
            Some(ProbeAt::Login) => (self.login.clone().unwrap_or(host), "login probed"),
            Some(ProbeAt::Sender) => (self.sender.clone().unwrap_or(host), "sender probed"),
            Some(ProbeAt::MailDomain) => (
                self.sender.clone().or(self.login.clone()).unwrap_or(host),
                "mail domain",
            ),
            Some(ProbeAt::Host) | None => (host, "probed"),
        }
    }
}

/// Probe every profile of `out` that names a host, tagged with the provider the identify step
/// found for it; findings and reports are added to `out`.
pub fn probe_profiles(out: &mut Outcome, opts: &ProbeOptions) {
    let targets: Vec<Target> = out
        .profiles
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            Endpoint::from_profile(p).map(|endpoint| Target {
                endpoint,
                at: Anchors::of_profile(p),
                provider: out
                    .identified
                    .get(i)
                    .and_then(|id| id.as_ref())
                    .map(|id| id.provider.clone()),
            })
        })
        .collect();
    probe_targets(out, targets, opts);
}

/// Probe the targets concurrently; their findings and reports are added to `out`.
pub fn probe_targets(out: &mut Outcome, targets: Vec<Target>, opts: &ProbeOptions) {
    if targets.is_empty() {
        return;
    }
    let reports = probe::run_probes(targets.iter().map(|t| t.endpoint.clone()).collect(), opts);
    for (target, report) in targets.iter().zip(reports) {
        let new: Vec<Finding> = report
            .findings
            .iter()
            .map(|pf| {
                let (loc, what) = target.at.for_code(pf.code);
                let mut f = Finding::new(
                    pf.code,
                    pf.severity,
                    pf.message.clone(),
                    Label::new(loc, what),
                );
                f.help = pf.help.clone();
                f.provider = target.provider.clone();
                f
            })
            .collect();
        if let Some(port) = &target.at.port {
            settle_static_findings(&mut out.findings, port, &report);
        }
        out.findings.extend(new);
        out.probes.push(report);
    }
    out.findings
        .sort_by_key(|f| (f.primary().file, f.primary().span.start, f.code.clone()));
}

/// A static finding about the port or TLS mode that a probe has now answered: say what was
/// observed on the finding itself.
fn settle_static_findings(findings: &mut [Finding], port: &Loc, report: &ProbeReport) {
    let Some(observed) = observation(report) else {
        return;
    };
    for f in findings.iter_mut() {
        if matches!(
            f.code.as_str(),
            codes::PORT_UNDOCUMENTED | codes::PORT_NOT_OFFERED | codes::TLS_MODE_MISMATCH
        ) && f.labels.iter().any(|l| &l.loc == port)
        {
            f.message = format!("{} (observed: {observed})", f.message);
        }
    }
}

/// What the probe saw of the port, in a few words.
fn observation(report: &ProbeReport) -> Option<String> {
    Some(if report.has(codes::CONNECT_REFUSED) {
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
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn findings_point_at_the_value_they_are_about() {
        let loc = |n: usize| Loc::new(FileId(0), n..n + 1);
        let at = Anchors {
            host: loc(0),
            port: Some(loc(1)),
            login: Some(loc(2)),
            sender: None,
        };
        assert_eq!(at.for_code(codes::CONNECT_REFUSED).0, loc(1));
        assert_eq!(at.for_code(codes::AUTH_REJECTED).0, loc(2));
        assert_eq!(at.for_code(codes::FROM_REJECTED).0, loc(0));
        assert_eq!(at.for_code(codes::MX_PROVIDER).0, loc(2));
        assert_eq!(at.for_code(codes::CERTIFICATE_INVALID).0, loc(0));
        // Every probe code has a place.
        for c in codes::probe_codes() {
            assert!(c.probe_at.is_some(), "{}", c.code);
        }
    }
}
