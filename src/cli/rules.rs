//! `smtp-doctor rules` (the providers and the code table) and `smtp-doctor explain CODE`.

use std::path::PathBuf;

use super::values::ListFormat;
use super::{load_providers, output, EXIT_ERROR, EXIT_OK};
use crate::codes::{self, CODES};
use crate::providers::RuleOrigin;

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Also load provider rules from a folder of YAML files.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

pub(super) fn rules(args: RulesArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = match args.format {
        ListFormat::Json => {
            let provs: Vec<_> = providers
                .list
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id, "name": p.name,
                        "origin": match &p.origin { RuleOrigin::Builtin => "builtin".to_owned(), RuleOrigin::User(path) => path.display().to_string() },
                        "curated": !p.generated,
                        "source": if p.generated { "ispdb" } else { "curated" },
                        "smtp_hosts": p.smtp_hosts.iter().map(|h| h.text.clone()).collect::<Vec<_>>(),
                        "endpoints": p.submission.iter().map(|e| serde_json::json!({"port": e.port, "tls": e.tls, "documented": e.documented})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let codes: Vec<_> = CODES
                .iter()
                .map(|c| serde_json::json!({"code": c.code, "severity": c.severity.as_str(), "summary": c.summary, "probe": c.probe}))
                .collect();
            let mut s = serde_json::to_string_pretty(
                &serde_json::json!({"providers": provs, "codes": codes}),
            )
            .unwrap_or_default();
            s.push('\n');
            crate::report::escape::json(s)
        }
        ListFormat::Text => {
            let generated = providers.list.iter().filter(|p| p.generated).count();
            let mut s = format!(
                "Providers ({} curated, {generated} generated from Thunderbird's ISPDB):\n",
                providers.list.len() - generated
            );
            for p in &providers.list {
                let origin = match &p.origin {
                    RuleOrigin::Builtin if p.generated => "  (ISPDB)".to_owned(),
                    RuleOrigin::Builtin => String::new(),
                    RuleOrigin::User(path) => format!("  (from {})", path.display()),
                };
                s.push_str(&format!(
                    "  {:<14} {:<32} {}: {}{origin}\n",
                    p.id,
                    p.name,
                    p.primary_host(),
                    p.documented_endpoints()
                ));
            }
            s.push_str("\nRule codes:\n");
            for c in CODES {
                s.push_str(&format!(
                    "  {:<26} {:<8} {}\n",
                    c.code,
                    c.severity.as_str(),
                    c.summary
                ));
            }
            s.push_str("\nMore: smtp-doctor explain CODE\n");
            crate::report::escape::text(&s).into_owned()
        }
    };
    if output::write_stdout(&text) {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

pub(super) fn explain(code: &str) -> u8 {
    match codes::lookup(code) {
        Some(c) => {
            if output::write_stdout(c.doc) {
                EXIT_OK
            } else {
                EXIT_ERROR
            }
        }
        None => {
            eprintln!("error: unknown rule code `{code}`; `smtp-doctor rules` lists them");
            EXIT_ERROR
        }
    }
}
