//! `smtp-doctor probe`, and the probe options it shares with `check --probe`.
//!
//! The targets become a small virtual source, `<targets>`, one line per endpoint, so that
//! findings point at the target they are about and render like those of `check`. No SMTP profile
//! is made up for them: each line is a [`Target`] with the line's spans as its anchors.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{load_providers, output, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::engine::Outcome;
use crate::finding::Severity;
use crate::model::{Secret, TlsMode};
use crate::probe::{Endpoint, ProbeOptions};
use crate::probing::{Anchors, Target};
use crate::providers::Providers;
use crate::report::{self, OutputFormat, Style};
use crate::source::{Loc, SourceFile};

/// Options of live probes, shared by `check --probe` and `probe`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProbeArgs {
    /// Ask this DNS server (IP[:PORT]) instead of the system resolver.
    #[arg(long, value_name = "IP[:PORT]", help_heading = "Live probes")]
    pub dns: Option<String>,
    /// Trust this PEM file of CA certificates (a private CA) in addition to the public roots.
    #[arg(long, value_name = "FILE", help_heading = "Live probes")]
    pub ca_file: Option<PathBuf>,
    /// Connect to ADDR:PORT instead of HOST:PORT, keeping SNI and the name check of HOST (as curl).
    #[arg(long, value_name = "HOST:PORT:ADDR:PORT", help_heading = "Live probes")]
    pub connect_to: Vec<String>,
    /// Also log in (only over TLS whose certificate verified). The password comes from the
    /// configuration, or for `probe` from SMTP_DOCTOR_PASSWORD or a prompt.
    #[arg(long, help_heading = "Live probes")]
    pub auth: bool,
    /// Seconds allowed for each step (connect, greeting, each reply, handshake).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 5.0,
        help_heading = "Live probes"
    )]
    pub timeout: f64,
    /// Show the SMTP dialogue of each probe on stderr (secrets masked).
    #[arg(long, short, help_heading = "Live probes")]
    pub verbose: bool,
}

#[derive(Debug, clap::Args)]
pub struct ProbeCmdArgs {
    /// Servers to probe: HOST[:PORT] (default port 587; 465 means implicit TLS).
    pub targets: Vec<String>,
    /// Probe every submission endpoint of a known provider (e.g. icloud).
    #[arg(long, value_name = "ID")]
    pub provider: Vec<String>,
    /// TLS mode for the targets given as HOST[:PORT].
    #[arg(long, value_enum)]
    pub tls: Option<TlsMode>,
    /// Log in as this user with --auth (password from SMTP_DOCTOR_PASSWORD, or asked for on the
    /// terminal).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Check that the server accepts this sender (with --auth).
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Output format.
    #[arg(long, alias = "output-format", value_enum, default_value_t = OutputFormat::Full)]
    pub format: OutputFormat,
    /// Add provider rules from a folder of YAML files (may be repeated).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub probe_args: ProbeArgs,
}

/// The flags as [`ProbeOptions`]; a bad value is a usage error (exit 2).
pub(super) fn probe_options(a: &ProbeArgs) -> Result<ProbeOptions, u8> {
    let usage = |m: String| {
        eprintln!("error: {m}");
        EXIT_ERROR
    };
    let mut o = ProbeOptions::default();
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 600.0) {
        return Err(usage("--timeout must be between 0 and 600 seconds".into()));
    }
    o.timeout = std::time::Duration::from_secs_f64(a.timeout);
    if let Some(d) = &a.dns {
        o.dns = Some(crate::probe::parse_dns_server(d).map_err(|m| usage(format!("--dns: {m}")))?);
    }
    o.ca_file = a.ca_file.clone();
    for c in &a.connect_to {
        o.connect_to
            .push(c.parse().map_err(|m| usage(format!("--connect-to: {m}")))?);
    }
    o.auth = a.auth;
    o.transcript = a.verbose;
    o.validate().map_err(usage)?;
    Ok(o)
}

/// One line of `<targets>`: `HOST:PORT`, its TLS mode, and the provider it was taken from.
struct Line {
    host: String,
    port: u16,
    mode: TlsMode,
    provider: Option<String>,
}

pub(super) fn run(args: ProbeCmdArgs, style: &Style, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut popts = match probe_options(&args.probe_args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    popts.mx_rules = std::sync::Arc::new(crate::probe::mx_rules(&providers));
    let lines = match target_lines(&args, &providers) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let credentials = match credentials(&args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut outcome = Outcome::default();
    let targets = targets(&mut outcome, &lines, credentials.as_ref(), &args);
    crate::probing::probe_targets(&mut outcome, targets, &popts);
    print_transcripts(&outcome, args.probe_args.verbose);
    let mut text = report::render(args.format, &outcome, style);
    if args.format.is_human() {
        text.push_str(&observations(&outcome));
    }
    if !output::write_stdout(&text) {
        return EXIT_ERROR;
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity >= Severity::Error)
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The targets given as `HOST[:PORT]`, then every endpoint of each `--provider`.
fn target_lines(args: &ProbeCmdArgs, providers: &Providers) -> Result<Vec<Line>, u8> {
    let mut lines = Vec::new();
    for t in &args.targets {
        let ep = Endpoint::parse(t).map_err(|m| {
            eprintln!("error: {m}");
            EXIT_ERROR
        })?;
        lines.push(Line {
            mode: args.tls.unwrap_or(ep.mode),
            host: ep.host,
            port: ep.port,
            provider: None,
        });
    }
    for id in &args.provider {
        let Some(p) = providers.get(id) else {
            eprintln!("error: unknown provider `{id}` (see `smtp-doctor rules`)");
            return Err(EXIT_ERROR);
        };
        let Some(host) = p.smtp_hosts.iter().find(|h| h.is_exact()) else {
            eprintln!(
                "error: {} names its SMTP hosts only by pattern ({}); probe the host of your account instead",
                p.name,
                p.smtp_hosts.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join(", ")
            );
            return Err(EXIT_ERROR);
        };
        for e in &p.submission {
            lines.push(Line {
                host: host.text.clone(),
                port: e.port,
                mode: e.tls,
                provider: Some(p.id.clone()),
            });
        }
    }
    if lines.is_empty() {
        eprintln!("error: name a target (HOST[:PORT]) or --provider ID");
        return Err(EXIT_ERROR);
    }
    Ok(lines)
}

/// `--user` and the password from SMTP_DOCTOR_PASSWORD (or, with `--auth` on a terminal, a
/// prompt). `--auth` without both is a usage error.
fn credentials(args: &ProbeCmdArgs) -> Result<Option<(String, Secret)>, u8> {
    let mut password = std::env::var("SMTP_DOCTOR_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if args.probe_args.auth {
        let Some(user) = &args.user else {
            eprintln!("error: --auth needs --user USER");
            return Err(EXIT_ERROR);
        };
        // No password in the environment: ask on the terminal (not echoed), never on a pipe.
        if password.is_none() && std::io::stdin().is_terminal() {
            password = rpassword::prompt_password(format!("password for {user}: "))
                .ok()
                .filter(|p| !p.is_empty());
        }
        if password.is_none() {
            eprintln!("error: --auth needs the password: set SMTP_DOCTOR_PASSWORD, or run in a terminal to be asked");
            return Err(EXIT_ERROR);
        }
    }
    Ok(match (&args.user, password) {
        (Some(u), Some(pw)) => Some((u.clone(), Secret::new(pw))),
        _ => None,
    })
}

/// Adds the `<targets>` source to `outcome` and returns one probe target per line: findings
/// about the connection point at the port, the others at the host.
fn targets(
    outcome: &mut Outcome,
    lines: &[Line],
    credentials: Option<&(String, Secret)>,
    args: &ProbeCmdArgs,
) -> Vec<Target> {
    let texts: Vec<String> = lines
        .iter()
        .map(|l| format!("{}:{}", l.host, l.port))
        .collect();
    let text: String = texts.iter().map(|t| format!("{t}\n")).collect();
    let file = outcome.sources.add(SourceFile::new("<targets>", text));
    let mut offset = 0;
    let mut out = Vec::new();
    for (line, text) in lines.iter().zip(&texts) {
        let host = Loc::new(file, offset..offset + line.host.len());
        let port = Loc::new(file, offset + line.host.len() + 1..offset + text.len());
        let mut endpoint = Endpoint::new(line.host.clone(), line.port, line.mode);
        if let Some((user, password)) = credentials {
            endpoint = endpoint.with_credentials(user.clone(), password.clone());
        }
        if let Some(from) = &args.from {
            endpoint = endpoint.with_from(from.clone());
        }
        out.push(Target {
            endpoint,
            at: Anchors {
                login: credentials.map(|_| host.clone()),
                sender: args.from.as_ref().map(|_| host.clone()),
                host,
                port: Some(port),
            },
            provider: line.provider.clone(),
        });
        offset += text.len() + 1;
    }
    out
}

/// One line per probed endpoint: what the server did (for people; JSON has the full reports).
fn observations(outcome: &Outcome) -> String {
    let mut s = String::from("\nObserved:\n");
    for r in &outcome.probes {
        let mut parts = Vec::new();
        match (&r.connected, &r.banner) {
            (None, _) => parts.push("not reached".to_owned()),
            (Some(addr), None) => parts.push(format!("connected to {addr}, no greeting")),
            (Some(addr), Some(_)) => parts.push(format!("{addr}")),
        }
        if let Some(t) = &r.tls {
            parts.push(format!(
                "{} {}, certificate {} ({} days left)",
                t.version,
                t.cipher_suite,
                if t.verified {
                    "verified"
                } else {
                    "NOT verified"
                },
                t.days_left
            ));
        }
        if let Some(c) = r.capabilities() {
            if !c.auth.is_empty() {
                parts.push(format!("AUTH {}", c.auth.join(" ")));
            }
        }
        if let Some(a) = &r.auth {
            parts.push(format!(
                "login {}",
                if a.accepted { "accepted" } else { "refused" }
            ));
        }
        parts.push(format!("{} ms", r.elapsed.as_millis()));
        s.push_str(&format!(
            "  {}:{} ({}): {}\n",
            r.endpoint.host,
            r.endpoint.port,
            r.endpoint.mode,
            parts.join(", ")
        ));
    }
    crate::report::escape::text(&s).into_owned()
}

/// `--verbose`: the dialogue of each probe on stderr (secrets were masked by the probe).
pub(super) fn print_transcripts(outcome: &Outcome, verbose: bool) {
    if !verbose {
        return;
    }
    let _ = std::io::stderr().write_all(crate::report::transcripts(outcome).as_bytes());
}
