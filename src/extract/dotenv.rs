//! `.env` files: the dotenv syntax reader ([`crate::extract::syntax::dotenv`]), then the meaning
//! that three families of variables have for the programs that read them:
//!
//! - Laravel `MAIL_*` ([`clients::laravel`], Symfony Mailer underneath, `MAIL_URL` DSNs included),
//! - Django `EMAIL_*` ([`clients::django`]),
//! - generic `SMTP_*` ([`clients::env_generic`]: Nodemailer-style apps, Mastodon, Vaultwarden).
//!
//! `docs/formats/dotenv.md` describes the syntax rules and what each family means.

use super::clients::env_generic::Keys;
use super::clients::{defined, django, env_families, env_generic, env_url, laravel, symfony};
use super::syntax::dotenv::{report_phpdotenv_only, Ctx, Def, Parser};
use super::syntax::url::password_span;
use super::{EnvDef, Extraction};
use crate::source::{FileId, Loc};

pub fn extract(file: FileId, text: &str) -> Extraction {
    let parsed = Parser::new(file, text).run();
    let mut ctx = Ctx::new(file, &parsed.defs);
    ctx.findings = parsed.findings;
    ctx.secrets = parsed.secrets;
    let profiles = read_families(&mut ctx, &parsed.php_only);

    // Only the effective definition of each name, in file order.
    let mut effective: Vec<&Def> = ctx.last.values().map(|&i| &parsed.defs[i]).collect();
    effective.sort_by_key(|d| d.idx);
    let env = effective
        .into_iter()
        .map(|d| EnvDef {
            name: d.name.clone(),
            value: d.value.clone(),
            loc: Loc::new(file, d.span.clone()),
        })
        .collect();

    let mut secrets = ctx.secrets;
    secrets.retain(|r| r.start < r.end && r.end <= text.len());
    secrets.sort_by_key(|r| (r.start, r.end));
    secrets.dedup();
    Extraction {
        profiles,
        findings: ctx.findings,
        secrets,
        env,
    }
}

/// The profiles every family of variables gives (one process's environment), with their
/// findings and secrets added to `ctx`. `php_only` are phpdotenv's own refusals, reported when
/// the variables are Laravel's.
pub(crate) fn read_families(
    ctx: &mut Ctx,
    php_only: &[(
        std::ops::Range<usize>,
        crate::extract::syntax::dotenv::PhpIssue,
    )],
) -> Vec<crate::model::Profile> {
    let mut profiles = Vec::new();
    let laravel_present = laravel::env_recognised(ctx);
    if laravel_present {
        report_phpdotenv_only(ctx, php_only);
        if let Some(p) = laravel::from_env_file(ctx) {
            profiles.push(p);
        }
    }
    if env_url::has_email_url(ctx) {
        profiles.extend(env_url::from_email_url(ctx));
    } else if let Some(p) = django::from_env_file(ctx) {
        profiles.push(p);
    }
    profiles.extend(symfony::from_env_file(ctx));
    let (apps, owned) = env_families::profiles(ctx);
    profiles.extend(apps);
    match env_url::generic_url_key(ctx, laravel_present) {
        Some(key) => profiles.extend(env_url::from_generic_url(ctx, key)),
        None if !owned.smtp => profiles.extend(env_generic::from_env_file(ctx, &Keys::generic(""))),
        None => {}
    }
    profiles.extend(defined_overrides(ctx));
    for prefix in env_families::generic_prefixes(ctx, &owned) {
        profiles.extend(env_generic::from_env_file(ctx, &Keys::generic(&prefix)));
    }
    profiles.sort_by_key(|p| p.anchor.span.start);
    secrets_in_urls(ctx);
    profiles
}

/// Variables that override a defined client's file (`GITEA__mailer__SMTP_ADDR`,
/// `GF_SMTP_HOST`): read with that client's rules, into a profile of its own.
fn defined_overrides(ctx: &mut Ctx) -> Vec<crate::model::Profile> {
    let mut effective: Vec<&Def> = ctx.last.values().map(|&i| &ctx.defs[i]).collect();
    effective.sort_by_key(|d| d.idx);
    let texts: Vec<Option<String>> = effective.iter().map(|d| ctx.text(d)).collect();
    let vars: Vec<defined::EnvVar> = effective
        .iter()
        .zip(&texts)
        .map(|(d, t)| defined::EnvVar {
            name: &d.name,
            name_span: d.name_span.clone(),
            value: t.as_deref(),
            value_span: d.span.clone(),
        })
        .collect();
    let ex = defined::from_env(ctx.file, &vars);
    ctx.findings.extend(ex.findings);
    ctx.secrets.extend(ex.secrets);
    ex.profiles
}

/// Mask the password of every `scheme://user:password@host` URL in the file (DATABASE_URL,
/// REDIS_URL, MAIL_URL ...), whatever its key is called.
fn secrets_in_urls(ctx: &mut Ctx) {
    for d in ctx.defs {
        if !d.value.contains("://") || !d.value.contains('@') {
            continue;
        }
        // Several URLs in one value (Symfony's `failover(a b)`): each one's password (the
        // whole value would read one userinfo up to its last `@`).
        let parts: Vec<std::ops::Range<usize>> = if d.value.matches("://").count() > 1 {
            let mut at = 0;
            d.value
                .split(' ')
                .map(|w| {
                    let r = at..at + w.len();
                    at += w.len() + 1;
                    r
                })
                .collect()
        } else {
            std::iter::once(0..d.value.len()).collect()
        };
        for part in parts {
            if let Some(r) = password_span(&d.value[part.clone()]) {
                let r = part.start + r.start..part.start + r.end;
                let loc = ctx.sub_loc(d, &r);
                ctx.secrets.push(loc.span);
            }
        }
    }
}

#[cfg(test)]
mod tests;
