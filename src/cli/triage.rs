//! `smtp-doctor triage`: a pasted server reply or client error, explained.

use std::path::PathBuf;

use super::values::ListFormat;
use super::{load_providers, output, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    /// The message, e.g. "535-5.7.8 Username and Password not accepted"; read from standard
    /// input when absent.
    pub message: Vec<String>,
    /// Only this provider's explanations.
    #[arg(long, value_name = "ID")]
    pub provider: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Also load provider rules from a folder of YAML files.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

/// `smtp-doctor triage`: exit 0 when the message is explained, 1 when nothing is known of it.
pub(super) fn run(args: TriageArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
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
    let found = crate::triage::explain(&text, &providers, args.provider.as_deref());
    let out = match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({ "explanations": found }))
                .unwrap_or_default();
            s.push('\n');
            crate::report::escape::json(s)
        }
        ListFormat::Text if found.is_empty() => {
            "No known explanation. `smtp-doctor probe HOST` shows what the server does.\n"
                .to_owned()
        }
        ListFormat::Text => {
            let mut s = String::new();
            for e in &found {
                let who = e.provider_name.as_deref().unwrap_or("any server");
                s.push_str(&format!("{who}: \"{}\"\n", e.matched));
                s.push_str(&format!("  cause: {}\n", e.cause));
                s.push_str(&format!("  fix:   {}\n", e.fix));
                if let Some(c) = e.code {
                    s.push_str(&format!("  rule:  {c} (smtp-doctor explain {c})\n"));
                }
                s.push_str(&format!("  source: {}\n\n", e.source));
            }
            crate::report::escape::text(&s).into_owned()
        }
    };
    if !output::write_stdout(&out) {
        return EXIT_ERROR;
    }
    if found.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
