//! `smtp-doctor triage`: a pasted log, traceback, transcript or error dialog, explained; with
//! `--config`, combined with the findings of checking that configuration.

use std::path::PathBuf;

use super::values::ListFormat;
use super::{load_providers, output, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::providers::Providers;
use crate::triage::{ConfigFacts, ConfigFinding, Options, Report};

#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The pasted text (a whole log, traceback, transcript or dialog text), e.g.
    /// "535-5.7.8 Username and Password not accepted"; read from standard input when absent.
    pub message: Vec<String>,
    /// Only this provider's explanations (and take it as the provider the paste talks to).
    #[arg(long, value_name = "ID")]
    pub provider: Option<String>,
    /// Also check this configuration file or folder and put the findings the error points at
    /// first.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Also load provider rules and symptoms (symptoms.yaml, *.symptoms.yaml) from a folder.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

/// `smtp-doctor triage`: exit 0 when the message is explained, 1 when nothing is known of it.
pub(super) fn run(args: TriageArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let symptoms = match crate::triage::symptoms::load(&args.rule_dirs) {
        Ok(s) => s,
        Err(e) => return output::report_rule_error(&e, err_color),
    };
    if let Some(id) = &args.provider {
        if providers.get(id).is_none() {
            eprintln!("error: unknown provider `{id}` (see `smtp-doctor rules`)");
            return EXIT_ERROR;
        }
    }
    let text = if args.message.is_empty() {
        match crate::input::read_stdin(crate::input::MAX_SMALL_FILE_SIZE) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(m) => {
                eprintln!("error: {m}");
                return EXIT_ERROR;
            }
        }
    } else {
        args.message.join(" ")
    };
    if text.trim().is_empty() {
        eprintln!("error: give the message to explain, as arguments or on standard input");
        return EXIT_ERROR;
    }
    let (config, config_secrets) = match &args.config {
        Some(path) => match config_facts(path, &providers) {
            Ok(c) => (Some(c.0), c.1),
            Err(m) => {
                eprintln!("error: {m}");
                return EXIT_ERROR;
            }
        },
        None => (None, Vec::new()),
    };
    let opts = Options {
        only: args.provider.as_deref(),
        config,
    };
    let report = crate::triage::triage(&text, &providers, &symptoms, &opts);
    let out = match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
            s.push('\n');
            crate::report::escape::json(s)
        }
        ListFormat::Text => crate::report::escape::text(&render(&report, &providers)).into_owned(),
    };
    // The configuration's passwords never reach the output, whatever a message quoted.
    let out = config_secrets
        .iter()
        .fold(out, |o, s| o.replace(s.as_str(), &"*".repeat(s.len())));
    if !output::write_stdout(&out) {
        return EXIT_ERROR;
    }
    if report.explanations.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Check the configuration: its first profile's host, port, TLS mode and provider, and its
/// findings; plus its secret values, to keep them out of the output.
fn config_facts(
    path: &std::path::Path,
    providers: &Providers,
) -> Result<(ConfigFacts, Vec<String>), String> {
    let outcome = crate::engine::check_paths(&[path.to_path_buf()], providers);
    if let Some(e) = outcome.errors.first() {
        return Err(format!(
            "{}: {}",
            crate::report::escape::path(&e.path),
            e.message
        ));
    }
    let mut c = ConfigFacts::default();
    if let Some(p) = outcome.profiles.first() {
        c.host = p.host_name();
        c.port = p.port.as_ref().map(|v| v.value);
        c.tls = p.security.as_ref().map(|v| v.value.tls_mode());
        use crate::model::Client;
        c.client = match p.client {
            Client::Laravel | Client::LaravelConfig => Some("laravel"),
            Client::Django | Client::DjangoSettings => Some("django"),
            Client::PhpMailer => Some("phpmailer"),
            Client::Nodemailer => Some("nodemailer"),
            Client::PythonSmtplib | Client::FlaskMail => Some("python"),
            Client::Thunderbird => Some("thunderbird"),
            // A data-defined client (msmtp, ...) whose id triage also knows.
            Client::Defined(id) => crate::triage::symptoms::CLIENTS
                .iter()
                .find(|c| **c == id)
                .copied(),
            // Triage's PHPMailer advice names PHPMailer's properties, not WPMS_* constants.
            Client::Toml
            | Client::DotenvGeneric
            | Client::WordPress
            | Client::Nextcloud
            | Client::Rails => None,
        };
        c.provider = outcome
            .identified
            .first()
            .cloned()
            .flatten()
            .map(|i| i.provider);
    }
    for f in &outcome.findings {
        let loc = f.primary();
        let file = outcome.sources.get(loc.file);
        let (line, _) = file.line_col(loc.span.start);
        c.findings.push(ConfigFinding {
            code: f.code.clone(),
            message: f.message.clone(),
            help: f.help.clone(),
            location: format!("{}:{line}", crate::report::escape::path(&file.path)),
        });
    }
    let mut secrets: Vec<String> = Vec::new();
    for (_, f) in outcome.sources.iter() {
        for s in f.secrets() {
            if let Some(t) = f.text.get(s) {
                let t = t.trim();
                if t.len() >= 4 {
                    secrets.push(t.to_owned());
                }
            }
        }
    }
    Ok((c, secrets))
}

/// The text report: what was read, then the causes, most likely first.
fn render(r: &Report, providers: &Providers) -> String {
    let f = &r.facts;
    let mut read = Vec::new();
    if let Some(c) = f.client {
        read.push(format!("client {c}"));
    }
    if let Some(h) = &f.host {
        let name = r
            .provider
            .as_deref()
            .and_then(|id| providers.get(id))
            .map(|p| format!(" ({})", p.name));
        read.push(format!("host {h}{}", name.unwrap_or_default()));
    }
    if let (None, Some(p)) = (
        &f.host,
        r.provider.as_deref().and_then(|id| providers.get(id)),
    ) {
        read.push(format!("provider {}", p.name));
    }
    if let Some(p) = f.port {
        read.push(format!("port {p}"));
    }
    if let Some(t) = f.tls {
        read.push(t.to_string());
    }
    if let Some(l) = f.last_error() {
        let e = l
            .enhanced
            .as_deref()
            .map(|e| format!(" {e}"))
            .unwrap_or_default();
        read.push(format!("reply {}{e}", l.code));
    }
    if !f.errors.is_empty() {
        read.push(f.errors.join(" "));
    }
    if !f.openssl.is_empty() {
        read.push(format!("TLS: {}", f.openssl.join(", ")));
    }
    if f.masked_secrets > 0 {
        read.push(format!("{} secret(s) masked", f.masked_secrets));
    }
    let mut s = String::new();
    if !read.is_empty() {
        s.push_str(&format!("Read: {}\n\n", read.join("; ")));
    }
    if r.explanations.is_empty() {
        s.push_str("No known explanation. `smtp-doctor probe HOST` shows what the server does.\n");
        return s;
    }
    for (i, e) in r.explanations.iter().enumerate() {
        let who = match (&e.location, &e.provider_name) {
            (Some(_), _) => "Your configuration: ".to_owned(),
            (None, Some(name)) => format!("{name}: "),
            (None, None) => String::new(),
        };
        s.push_str(&format!("{}. {who}{}\n", i + 1, e.cause));
        if let Some(l) = &e.location {
            s.push_str(&format!("   at:     {l}\n"));
        }
        s.push_str(&format!("   fix:    {}\n", e.fix));
        s.push_str(&format!("   signal: {}\n", e.matched));
        if let Some(c) = e.code {
            s.push_str(&format!("   rule:   {c} (smtp-doctor explain {c})\n"));
        }
        s.push_str(&format!("   source: {}\n\n", e.source));
    }
    s
}
