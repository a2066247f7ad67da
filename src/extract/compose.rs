//! docker-compose files: the `environment:` of each service under `services:` (a mapping, or a
//! list of `KEY=value`) is that service's process environment, read with every reading of
//! `.env` variables ([`super::dotenv::read_families`]): Mastodon's `SMTP_*`, Vaultwarden's,
//! `GITEA__mailer__*`, `GF_SMTP_*`, `MAILER_DSN`, ... One service is one environment, so its
//! variables never mix with another service's. `docs/formats/docker-compose.md` says what is
//! read and what is not.

use std::ops::Range;

use super::syntax::dotenv::{Ctx, Def, Seg};
use super::syntax::toml::{Entry, Scalar, Table};
use super::syntax::yaml;
use super::{dotenv, is_secret_key, Extraction};
use crate::finding::{Finding, Label, Severity};
use crate::source::{FileId, Loc};

pub fn extract(file: FileId, text: &str) -> Extraction {
    let d = yaml::parse(text);
    let mut ex = Extraction::default();
    for e in d.errors {
        ex.findings.push(
            Finding::new(
                "parse-error",
                Severity::Error,
                format!("docker-compose: {}", e.message),
                Label::new(Loc::new(file, e.span), "here"),
            )
            .with_help("fix this line; the rest of the file was read"),
        );
    }
    for t in &d.tables {
        let defs = match environment(t) {
            Some(false) => mapping_defs(text, &t.entries),
            Some(true) => list_defs(text, &t.entries),
            None => continue,
        };
        if defs.is_empty() {
            continue;
        }
        let mut ctx = Ctx::new(file, &defs);
        for def in &defs {
            if is_secret_key(&def.name) && !def.value.is_empty() && !def.has_refs() {
                ctx.secrets.push(def.secret_span.clone());
            }
        }
        let profiles = dotenv::read_families(&mut ctx, &[]);
        ex.profiles.extend(profiles);
        ex.findings.extend(ctx.findings);
        ex.secrets.extend(ctx.secrets);
    }
    ex.secrets
        .retain(|r| r.start < r.end && r.end <= text.len());
    ex.secrets.sort_by_key(|r| (r.start, r.end));
    ex.secrets.dedup();
    ex
}

/// `Some(false)` for `services.<name>.environment` written as a mapping, `Some(true)` for the
/// list form (`environment[]`), `None` for any other table.
fn environment(t: &Table) -> Option<bool> {
    match t.path.as_slice() {
        [s, _, e] if s == "services" && e == "environment" => Some(false),
        [s, _, e] if s == "services" && e == "environment[]" => Some(true),
        _ => None,
    }
}

/// `KEY: value`. A key without a value (`KEY:`) passes the shell's variable through: unknown.
fn mapping_defs(text: &str, entries: &[Entry]) -> Vec<Def> {
    let mut out = Vec::new();
    for e in entries {
        let value = match &e.value {
            Scalar::Str(s) => s.clone(),
            Scalar::Other("null") => continue,
            // Compose passes numbers and booleans on as they are written.
            _ => text.get(e.value_span.clone()).unwrap_or("").to_owned(),
        };
        let idx = out.len();
        out.push(def(
            text,
            idx,
            &e.key,
            e.key_span.clone(),
            value,
            e.value_span.clone(),
        ));
    }
    out
}

/// `- KEY=value`. An item without `=` passes the shell's variable through: unknown.
fn list_defs(text: &str, entries: &[Entry]) -> Vec<Def> {
    let mut out = Vec::new();
    for e in entries {
        let Some(item) = e.value.as_str() else {
            continue;
        };
        let Some((name, value)) = item.split_once('=') else {
            continue;
        };
        let r = e.value_span.clone();
        // Spans inside the item when it is written as it reads (no escapes).
        let exact = text.get(r.clone()) == Some(item);
        let (name_span, value_span) = if exact {
            let eq = r.start + name.len();
            (r.start..eq, eq + 1..r.end)
        } else {
            (r.clone(), r)
        };
        let idx = out.len();
        out.push(def(
            text,
            idx,
            name.trim(),
            name_span,
            value.to_owned(),
            value_span,
        ));
    }
    out
}

/// One variable. Compose fills `$VAR` and `${VAR...}` from the shell or the project's `.env`
/// when it reads the file (`$$` is a `$`): such a value is not known here.
fn def(
    text: &str,
    idx: usize,
    name: &str,
    name_span: Range<usize>,
    value: String,
    span: Range<usize>,
) -> Def {
    let verbatim = text.get(span.clone()) == Some(value.as_str());
    let unescaped = value.replace("$$", "");
    let reference = unescaped
        .find('$')
        .map(|i| {
            unescaped[i + 1..]
                .trim_start_matches('{')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    let (segs, expanded) = match reference {
        Some(var) => (vec![Seg::Ref(var)], None),
        None => {
            let v = value.replace("$$", "$");
            (vec![Seg::Lit(v.clone())], Some(v))
        }
    };
    Def {
        idx,
        name: name.to_owned(),
        name_span,
        value,
        span: span.clone(),
        verbatim: verbatim && expanded.as_deref() == Some(text.get(span.clone()).unwrap_or("")),
        segs,
        expanded,
        secret_span: span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::syntax::testing::check_spans;

    #[test]
    fn each_service_environment_is_read_in_both_forms() {
        let t = "services:\n  gitea:\n    image: gitea/gitea\n    environment:\n      - GITEA__mailer__ENABLED=true\n      - GITEA__mailer__SMTP_ADDR=smtp.gmail.com\n      - GITEA__mailer__SMTP_PORT=465\n      - GITEA__mailer__PROTOCOL=smtp+starttls\n      - GITEA__mailer__PASSWD=abcdabcdabcdabcd\n      - USER_UID\n  grafana:\n    environment:\n      GF_SMTP_ENABLED: \"true\"\n      GF_SMTP_HOST: smtp.gmail.com:587\n      GF_SMTP_PASSWORD: ${GRAFANA_SMTP_PASSWORD}\n  vw:\n    environment:\n      SMTP_HOST: smtp.gmail.com\n";
        let ex = extract(FileId(0), t);
        check_spans(t, &ex);
        let labels: Vec<&str> = ex.profiles.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["GITEA__mailer__*", "GF_SMTP_*", "SMTP_*"]);
        let g = &ex.profiles[0];
        assert_eq!(&t[g.port.as_ref().unwrap().loc.span.clone()], "465");
        assert_eq!(
            &t[g.host.as_ref().unwrap().loc.span.clone()],
            "smtp.gmail.com"
        );
        let secrets: Vec<&str> = ex.secrets.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(secrets, ["abcdabcdabcdabcd"]);
        // `${VAR}` is filled in by Compose: the Grafana password is unknown here.
        assert!(ex.profiles[1].password.is_none());
        // Not a compose service: nothing.
        assert!(extract(FileId(0), "environment:\n  SMTP_HOST: h\n")
            .profiles
            .is_empty());
    }
}
