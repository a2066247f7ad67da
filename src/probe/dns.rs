//! DNS: addresses of the SMTP host, MX of the mail domains (with provider recognition) and the
//! RFC 6186 / RFC 8314 submission SRV records.

use crate::codes;
use std::net::IpAddr;
use std::time::Instant;

use hickory_resolver::config::{
    LookupIpStrategy, NameServerConfigGroup, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveError, TokioResolver};
use serde::Serialize;
use tokio::time::timeout;

use super::{DomainReport, Endpoint, MxRecord, ProbeFinding, ProbeOptions, Shared, SrvRecord};
use crate::finding::Severity;

/// The resolver of a run: the system's (`/etc/resolv.conf`, hosts file) or `--dns`.
pub(crate) struct Resolver {
    inner: TokioResolver,
    /// Bound on one lookup, on top of the resolver's own timeout.
    bound: std::time::Duration,
    pub(crate) description: String,
}

impl Resolver {
    pub(crate) fn new(opts: &ProbeOptions) -> Result<Resolver, String> {
        let provider = TokioConnectionProvider::default();
        let (builder, description) = match opts.dns {
            Some(server) => {
                let group =
                    NameServerConfigGroup::from_ips_clear(&[server.ip()], server.port(), true);
                let cfg = ResolverConfig::from_parts(None, vec![], group);
                let mut b = TokioResolver::builder_with_config(cfg, provider);
                b.options_mut().use_hosts_file = ResolveHosts::Never;
                (b, format!("DNS server {server}"))
            }
            None => {
                let b = TokioResolver::builder_tokio()
                    .map_err(|e| format!("cannot read the system DNS configuration: {e}"))?;
                (b, "system resolver".to_string())
            }
        };
        let mut builder = builder;
        let o: &mut ResolverOpts = builder.options_mut();
        o.timeout = opts.timeout;
        o.attempts = 1;
        o.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        Ok(Resolver {
            inner: builder.build(),
            bound: opts.timeout * 2 + std::time::Duration::from_millis(100),
            description,
        })
    }
}

/// Why an address lookup gave nothing.
pub(crate) enum LookupFailure {
    /// The name does not exist or has no A/AAAA record.
    NoAddress(String),
    /// Timeout, SERVFAIL, no resolver...
    Error(String),
}

fn fqdn(name: &str) -> String {
    let n = name.trim().trim_end_matches('.');
    format!("{n}.")
}

fn classify(e: &ResolveError) -> LookupFailure {
    if e.is_nx_domain() {
        LookupFailure::NoAddress("the name does not exist (NXDOMAIN)".into())
    } else if e.is_no_records_found() {
        LookupFailure::NoAddress("the name exists but has no such record".into())
    } else {
        LookupFailure::Error(e.to_string())
    }
}

/// A and AAAA of `host`. An IP literal is returned as is.
pub(crate) async fn addresses(host: &str, shared: &Shared) -> Result<Vec<IpAddr>, LookupFailure> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    match &shared.resolver {
        Ok(r) => match timeout(r.bound, r.inner.lookup_ip(fqdn(host))).await {
            Err(_) => Err(LookupFailure::Error(format!(
                "no answer from the {} within {:?}",
                r.description, r.bound
            ))),
            Ok(Err(e)) => Err(classify(&e)),
            Ok(Ok(found)) => {
                let ips: Vec<IpAddr> = found.iter().collect();
                if ips.is_empty() {
                    Err(LookupFailure::NoAddress("no A or AAAA record".into()))
                } else {
                    Ok(ips)
                }
            }
        },
        // No usable resolver configuration: fall back to the C library (hosts file and all).
        Err(_) => {
            let target = format!("{bare}:0");
            match timeout(
                std::time::Duration::from_secs(10),
                tokio::net::lookup_host(target),
            )
            .await
            {
                Err(_) => Err(LookupFailure::Error(
                    "the system resolver did not answer".into(),
                )),
                Ok(Err(e)) => Err(LookupFailure::NoAddress(e.to_string())),
                Ok(Ok(it)) => Ok(it.map(|sa| sa.ip()).collect()),
            }
        }
    }
}

/// MX and SRV of each mail domain. Returns the reports, findings and transcript lines.
pub(crate) async fn inspect_domains(
    domains: &[String],
    endpoint: &Endpoint,
    opts: &ProbeOptions,
    shared: &Shared,
) -> (Vec<DomainReport>, Vec<ProbeFinding>, Vec<String>) {
    let mut reports = Vec::new();
    let mut findings = Vec::new();
    let mut log = Vec::new();
    let Ok(resolver) = &shared.resolver else {
        if !domains.is_empty() {
            if let Err(e) = &shared.resolver {
                findings.push(ProbeFinding {
                    code: codes::DNS_ERROR,
                    severity: Severity::Warning,
                    message: format!("MX and SRV records not checked: {e}"),
                    help: Some("pass a DNS server with --dns IP[:PORT]".into()),
                });
            }
        }
        return (reports, findings, log);
    };
    let futs = domains
        .iter()
        .map(|d| inspect_domain(d, resolver, &opts.mx_rules));
    let results = futures_util::future::join_all(futs).await;
    for (report, errors, lines) in results {
        for e in errors {
            findings.push(ProbeFinding {
                code: codes::DNS_ERROR,
                severity: Severity::Warning,
                message: e,
                help: Some(format!(
                    "check the name, or ask another server with --dns (now: {})",
                    resolver.description
                )),
            });
        }
        if opts.transcript {
            log.extend(lines);
        }
        if let Some(p) = &report.provider {
            let host_matches = p
                .smtp_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(endpoint.host.trim_end_matches('.')));
            let help = if host_matches {
                None
            } else {
                Some(format!(
                    "{}'s submission server is {}",
                    p.name,
                    p.smtp_hosts.join(" or ")
                ))
            };
            findings.push(ProbeFinding {
                code: codes::MX_PROVIDER,
                severity: Severity::Info,
                message: format!(
                    "mail for {} is received by {} (MX {})",
                    report.domain, p.name, p.matched_exchange
                ),
                help,
            });
        }
        let offered: Vec<&SrvRecord> = report.srv.iter().filter(|s| s.target != ".").collect();
        if !offered.is_empty() {
            let host = endpoint.host.trim_end_matches('.');
            let matches = offered
                .iter()
                .any(|s| s.target.eq_ignore_ascii_case(host) && s.port == endpoint.port);
            if !matches {
                let list: Vec<String> = offered
                    .iter()
                    .map(|s| format!("{} -> {}:{}", s.name, s.target, s.port))
                    .collect();
                findings.push(ProbeFinding {
                    code: codes::SRV_DIFFERS,
                    severity: Severity::Info,
                    message: format!(
                        "{} advertises {} for submission, not {}:{}",
                        report.domain,
                        list.join(", "),
                        host,
                        endpoint.port
                    ),
                    help: Some(
                        "RFC 6186 SRV records are the domain owner's statement of where to submit mail"
                            .into(),
                    ),
                });
            }
        }
        reports.push(report);
    }
    (reports, findings, log)
}

async fn inspect_domain(
    domain: &str,
    r: &Resolver,
    rules: &[MxRule],
) -> (DomainReport, Vec<String>, Vec<String>) {
    let start = Instant::now();
    let mut report = DomainReport {
        domain: domain.to_string(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let mut log = Vec::new();
    let mx_name = fqdn(domain);
    let sub = fqdn(&format!("_submission._tcp.{domain}"));
    let subs = fqdn(&format!("_submissions._tcp.{domain}"));
    let (mx, srv1, srv2) = tokio::join!(
        timeout(r.bound, r.inner.mx_lookup(mx_name.as_str())),
        timeout(r.bound, r.inner.srv_lookup(sub.as_str())),
        timeout(r.bound, r.inner.srv_lookup(subs.as_str())),
    );
    match mx {
        Err(_) => errors.push(format!("MX lookup of {domain} timed out")),
        Ok(Err(e)) => match classify(&e) {
            LookupFailure::NoAddress(_) => log.push(format!("* MX {domain}: none")),
            LookupFailure::Error(msg) => {
                errors.push(format!("MX lookup of {domain} failed: {msg}"))
            }
        },
        Ok(Ok(found)) => {
            let mut mx: Vec<MxRecord> = found
                .iter()
                .map(|m| MxRecord {
                    preference: m.preference(),
                    exchange: m
                        .exchange()
                        .to_utf8()
                        .trim_end_matches('.')
                        .to_ascii_lowercase(),
                })
                .collect();
            mx.sort_by(|a, b| (a.preference, &a.exchange).cmp(&(b.preference, &b.exchange)));
            log.push(format!(
                "* MX {domain}: {}",
                mx.iter()
                    .map(|m| format!("{} {}", m.preference, m.exchange))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            report.provider = mx.iter().find_map(|m| mx_provider(&m.exchange, rules));
            report.mx = mx;
        }
    }
    for (name, res) in [(sub, srv1), (subs, srv2)] {
        let name = name.trim_end_matches('.').to_string();
        match res {
            Err(_) => errors.push(format!("SRV lookup of {name} timed out")),
            Ok(Err(e)) => {
                if let LookupFailure::Error(msg) = classify(&e) {
                    errors.push(format!("SRV lookup of {name} failed: {msg}"));
                }
            }
            Ok(Ok(found)) => {
                for s in found.iter() {
                    let rec = SrvRecord {
                        name: name.clone(),
                        priority: s.priority(),
                        weight: s.weight(),
                        port: s.port(),
                        target: {
                            let t = s.target().to_utf8();
                            if t == "." {
                                t
                            } else {
                                t.trim_end_matches('.').to_ascii_lowercase()
                            }
                        },
                    };
                    log.push(format!(
                        "* SRV {}: {} {} {} {}",
                        rec.name, rec.priority, rec.weight, rec.port, rec.target
                    ));
                    report.srv.push(rec);
                }
            }
        }
    }
    report.srv.sort_by(|a, b| {
        (&a.name, a.priority, std::cmp::Reverse(a.weight)).cmp(&(
            &b.name,
            b.priority,
            std::cmp::Reverse(b.weight),
        ))
    });
    log.push(format!(
        "* DNS for {domain} took {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    ));
    (report, errors, log)
}

/// The MX hosts of each domain (most preferred first; none when the lookup fails), looked up
/// concurrently with the run's resolver (`--dns` or the system's) on a small runtime built for
/// the purpose. Must not be called from inside a Tokio runtime.
pub fn lookup_mx(domains: &[String], opts: &ProbeOptions) -> Vec<(String, Vec<String>)> {
    if domains.is_empty() {
        return Vec::new();
    }
    let Ok(resolver) = Resolver::new(opts) else {
        return Vec::new();
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the DNS runtime");
    let found = rt.block_on(futures_util::future::join_all(
        domains.iter().map(|d| mx_exchanges(&resolver, d)),
    ));
    domains.iter().cloned().zip(found).collect()
}

/// The MX hosts of a domain, most preferred first; empty when there are none or the lookup
/// failed (the probe of the endpoint reports DNS errors; this lookup only informs the checks).
async fn mx_exchanges(r: &Resolver, domain: &str) -> Vec<String> {
    let Ok(Ok(found)) = timeout(r.bound, r.inner.mx_lookup(fqdn(domain).as_str())).await else {
        return Vec::new();
    };
    let mut mx: Vec<(u16, String)> = found
        .iter()
        .map(|m| {
            let host = m.exchange().to_utf8();
            (
                m.preference(),
                host.trim_end_matches('.').to_ascii_lowercase(),
            )
        })
        .collect();
    mx.sort();
    mx.into_iter().map(|(_, h)| h).collect()
}

/// A provider recognised from an MX host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MxProvider {
    /// Provider id as in `rules/` (`icloud`, `gmail`, `outlook`, ...).
    pub id: String,
    pub name: String,
    /// Its submission host(s).
    pub smtp_hosts: Vec<String>,
    /// The MX host that matched.
    pub matched_exchange: String,
}

/// How to recognise one provider by its MX hosts: the `recognise.mx` facts of its rule file.
#[derive(Clone, Debug)]
pub struct MxRule {
    pub id: String,
    pub name: String,
    pub smtp_hosts: Vec<String>,
    pub patterns: Vec<crate::providers::NamePattern>,
}

/// The MX rules of a set of providers (those that state MX hosts).
pub fn mx_rules(providers: &crate::providers::Providers) -> Vec<MxRule> {
    providers
        .list
        .iter()
        .filter(|p| !p.mx.is_empty())
        .map(|p| MxRule {
            id: p.id.clone(),
            name: p.name.clone(),
            smtp_hosts: p
                .smtp_hosts
                .iter()
                .filter(|h| h.is_exact())
                .map(|h| h.text.clone())
                .collect(),
            patterns: p.mx.clone(),
        })
        .collect()
}

/// The provider an MX host belongs to.
pub fn mx_provider(exchange: &str, rules: &[MxRule]) -> Option<MxProvider> {
    let host = exchange.trim().trim_end_matches('.').to_ascii_lowercase();
    rules
        .iter()
        .find(|r| r.patterns.iter().any(|p| p.matches(&host)))
        .map(|r| MxProvider {
            id: r.id.clone(),
            name: r.name.clone(),
            smtp_hosts: r.smtp_hosts.clone(),
            matched_exchange: host.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mx_patterns_come_from_the_provider_rules() {
        let rules = mx_rules(&crate::providers::Providers::builtin().unwrap());
        let id = |h: &str| mx_provider(h, &rules).map(|p| p.id);
        assert_eq!(id("mx01.mail.icloud.com.").as_deref(), Some("icloud"));
        assert_eq!(id("ALT1.ASPMX.L.GOOGLE.COM").as_deref(), Some("gmail"));
        assert_eq!(id("gmail-smtp-in.l.google.com").as_deref(), Some("gmail"));
        assert_eq!(
            id("contoso-com.mail.protection.outlook.com").as_deref(),
            Some("microsoft365")
        );
        assert_eq!(
            id("contoso-com.r-v1.mx.microsoft").as_deref(),
            Some("microsoft365")
        );
        assert_eq!(
            id("hotmail-com.olc.protection.outlook.com").as_deref(),
            Some("outlook")
        );
        assert_eq!(id("mx.example.com"), None);
    }
}
