//! The probe step of a run: turn each profile into an endpoint, probe them all concurrently, and
//! report what the servers did as findings labelled at the configuration that named the host or
//! port — the same findings and renderers as the static checks. Selection runs after this step,
//! so probe findings obey `--select`/`--ignore`, suppressions and severity overrides.

use crate::codes::{self, ProbeAt};
use crate::engine::Outcome;
use crate::finding::{Finding, Label};
use crate::model::{address_domain, Profile};
use crate::probe::{self, Endpoint, ProbeOptions, ProbeReport};
use crate::providers::Providers;
use crate::source::Loc;

/// Custom domains (`--probe`, before the checks): the login and From domains that no
/// provider's rules own are looked up in DNS, and a domain whose MX records name a provider
/// (Google Workspace, Microsoft 365, iCloud+, Zoho, Fastmail, Proton, ...) counts as that
/// provider's for the identify step and the checks. The providers are returned unchanged when
/// nothing was learned.
pub fn learn_mx_domains(
    profiles: &[Profile],
    providers: &Providers,
    opts: &ProbeOptions,
) -> Option<Providers> {
    let mut domains: Vec<String> = Vec::new();
    for p in profiles {
        let addrs = p.username.iter().chain(&p.from);
        for d in addrs.filter_map(|v| address_domain(&v.value)) {
            let d = d.trim_end_matches('.').to_owned();
            if !d.is_empty() && providers.by_domain(&d).is_none() && !domains.contains(&d) {
                domains.push(d);
            }
        }
    }
    with_mx(providers, &probe::lookup_mx(&domains, opts))
}

/// The providers with what MX lookups found: `(domain, MX hosts)` pairs, most preferred host
/// first. `None` when no MX host belongs to a known provider.
pub fn with_mx(providers: &Providers, found: &[(String, Vec<String>)]) -> Option<Providers> {
    let rules = probe::mx_rules(providers);
    let learned: Vec<(String, String)> = found
        .iter()
        .filter_map(|(domain, mx)| {
            mx.iter()
                .find_map(|h| probe::mx_provider(h, &rules))
                .map(|p| (domain.to_ascii_lowercase(), p.id))
        })
        .collect();
    if learned.is_empty() {
        return None;
    }
    let mut out = providers.clone();
    out.mx_domains.extend(learned);
    Some(out)
}

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

    /// Findings of a TOML config checked with the given providers: (code, message).
    fn check(toml: &str, providers: &Providers) -> Vec<(String, String)> {
        let path = std::path::Path::new("mail.toml");
        let format = crate::extract::detect(path, toml).unwrap();
        let out = crate::engine::check_text(path, toml, format, providers, &Default::default());
        out.findings
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect()
    }

    #[test]
    fn a_custom_domain_takes_the_provider_its_mx_names() {
        let builtin = Providers::builtin().unwrap();
        // What a resolver answered: acme-corp.com at Google Workspace, globex.com at Microsoft
        // 365, initech.com at a mail server no rule knows.
        let answers = [
            (
                "acme-corp.com",
                vec!["aspmx.l.google.com", "alt1.aspmx.l.google.com"],
            ),
            ("globex.com", vec!["globex-com.mail.protection.outlook.com"]),
            ("initech.com", vec!["mx.initech.com"]),
        ]
        .map(|(d, mx)| (d.to_owned(), mx.into_iter().map(String::from).collect()));
        let learned = with_mx(&builtin, &answers).expect("two domains learned");
        assert_eq!(learned.by_domain("acme-corp.com").unwrap().id, "gmail");
        assert_eq!(learned.by_domain("globex.com").unwrap().id, "microsoft365");
        assert!(learned.by_domain("initech.com").is_none());
        assert!(with_mx(&builtin, &answers[2..]).is_none());

        // Another address of the same Workspace domain is the account's domain, not a foreign one.
        let gmail = "[smtp]\nhost = \"smtp.gmail.com\"\nport = 465\nsecurity = \"implicit\"\nusername = \"jane@acme-corp.com\"\npassword_env = \"P\"\nfrom = \"sales@acme-corp.com\"\n";
        let before = check(gmail, &builtin);
        assert!(
            before
                .iter()
                .any(|(c, m)| c == "from-mismatch" && m.contains("does not own")),
            "{before:?}"
        );
        let after = check(gmail, &learned);
        assert!(
            after
                .iter()
                .any(|(c, m)| c == "from-mismatch" && m.contains("is a different Gmail")),
            "{after:?}"
        );

        // A login without its domain is completed with the Workspace domain of the From,
        // not with gmail.com.
        let short = gmail.replace("jane@acme-corp.com", "jane");
        let fix = |providers: &Providers| {
            let path = std::path::Path::new("mail.toml");
            let format = crate::extract::detect(path, &short).unwrap();
            let out =
                crate::engine::check_text(path, &short, format, providers, &Default::default());
            let f = out
                .findings
                .into_iter()
                .find(|f| f.code == "username-not-full-address");
            f.and_then(|f| f.help).unwrap_or_default()
        };
        assert_eq!(fix(&builtin), "log in as jane@gmail.com");
        assert_eq!(fix(&learned), "log in as jane@acme-corp.com");

        // A From at another provider's custom domain is that provider's, not an unknown one.
        let foreign = gmail.replace("sales@acme-corp.com", "sales@globex.com");
        let after = check(&foreign, &learned);
        assert!(
            after
                .iter()
                .any(|(c, m)| c == "from-mismatch" && m.contains("Microsoft 365")),
            "{after:?}"
        );
    }

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
