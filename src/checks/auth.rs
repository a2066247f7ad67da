//! `auth-missing`, `auth-method-unsupported`, `username-not-full-address`, `username-mismatch`
//! and `app-password-required`: how the client logs in, against what the provider accepts.

use super::{anchor, value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Applicability, Finding, Fix, Label, Severity};
use crate::identify::Match;
use crate::model::{address_domain, bare_address, AuthMethod, Origin, Profile};
use crate::providers::{PasswordKind, Provider, UsernameForm, UsernameRule};

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(ident) = &ctx.ident else { return };
    if !matches!(ident.how, Match::Host | Match::Domain) {
        return;
    }
    let prov = ident.provider;
    if auth_missing(ctx, prov, out) {
        return;
    }
    let reported_method = auth_method(ctx, prov, out);
    username_form(ctx, prov, out);
    username_mismatch(ctx, prov, out);
    if !reported_method {
        app_password(ctx, prov, out);
    }
}

/// A password login: an auth method that uses one, or a password without a method.
fn uses_password(p: &Profile) -> bool {
    match &p.auth {
        Some(a) => a.value.is_password(),
        None => p.password.is_some(),
    }
}

/// `auth-missing`; `true` when reported (the other login checks have nothing to judge).
fn auth_missing(ctx: &Ctx, prov: &Provider, out: &mut Vec<Finding>) -> bool {
    let p = ctx.profile;
    let explicit_none = p.auth.as_ref().filter(|a| a.value == AuthMethod::None);
    if prov.auth.required {
        let primary = match explicit_none {
            Some(a) => Some(value_label(a, "no authentication")),
            None if p.auth.is_none() && p.username.is_none() && p.password.is_none() => {
                Some(vec![Label::new(
                    p.host
                        .as_ref()
                        .map(|h| h.loc.clone())
                        .unwrap_or_else(|| anchor(p)),
                    "no username or password for this server",
                )])
            }
            None => None,
        };
        if let Some(labels) = primary {
            let mut it = labels.into_iter();
            let f = ctx
                .finding(
                    codes::AUTH_MISSING,
                    Severity::Error,
                    format!(
                        "{} requires authentication, but this configuration does not log in",
                        prov.name
                    ),
                    it.next().expect("label"),
                )
                .with_help(match prov.auth.username {
                    UsernameForm::FullAddress => format!(
                        "log in with the full address and {}",
                        prov.auth.password.describe
                    ),
                    _ => format!("log in with {}", prov.auth.password.describe),
                });
            out.push(with_labels(f, it.collect()));
            return true;
        }
    }
    false
}

/// `auth-method-unsupported`: password login where OAuth2 is required or preferred, or a
/// mechanism the provider does not offer; `true` when reported.
fn auth_method(ctx: &Ctx, prov: &Provider, out: &mut Vec<Finding>) -> bool {
    let p = ctx.profile;
    let method_labels = || {
        p.auth
            .as_ref()
            .map(|a| value_label(a, &a.value.to_string()))
            .or_else(|| {
                p.password
                    .as_ref()
                    .map(|v| value_label(v, "password login"))
            })
            .unwrap_or_else(|| vec![Label::new(anchor(p), "password login")])
    };
    let pw = &prov.auth.password;
    let mut reported_method = false;
    if uses_password(p)
        && matches!(
            pw.kind,
            PasswordKind::Oauth2Only | PasswordKind::Oauth2Preferred
        )
    {
        let (sev, msg) = if pw.kind == PasswordKind::Oauth2Only {
            (
                Severity::Error,
                format!(
                    "{} accepts only OAuth2; password login (basic auth) is refused",
                    prov.name
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "{} is retiring password login (basic auth) for SMTP",
                    prov.name
                ),
            )
        };
        let mut it = method_labels().into_iter();
        let f = ctx
            .finding(
                codes::AUTH_METHOD_UNSUPPORTED,
                sev,
                msg,
                it.next().expect("label"),
            )
            .with_help(pw.how.clone());
        out.push(with_labels(f, it.collect()));
        reported_method = true;
    } else if let Some(a) = &p.auth {
        let mechs = a.value.mechanisms();
        if !mechs.is_empty()
            && !mechs
                .iter()
                .any(|m| prov.auth.mechanisms.iter().any(|pm| pm == m))
        {
            let mut it = value_label(a, "not offered").into_iter();
            let f = ctx
                .finding(
                    codes::AUTH_METHOD_UNSUPPORTED,
                    Severity::Error,
                    format!(
                        "{} does not offer {} (it offers {})",
                        prov.name,
                        a.value,
                        prov.auth.mechanisms.join(", ").to_uppercase()
                    ),
                    it.next().expect("label"),
                )
                .with_help(format!(
                    "use {}",
                    prov.auth.mechanisms.join(" or ").to_uppercase()
                ));
            out.push(with_labels(f, it.collect()));
            reported_method = true;
        }
    }
    reported_method
}

/// `username-not-full-address`, with the address as an unsafe fix when the domain is known.
fn username_form(ctx: &Ctx, prov: &Provider, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    if let Some(user) = &p.username {
        let u = user.value.trim();
        if prov.auth.username == UsernameForm::FullAddress && !u.is_empty() && !u.contains('@') {
            let domain = p
                .from
                .iter()
                .filter_map(|f| address_domain(&f.value))
                .find(|d| ctx.providers.owns(prov, d))
                .or_else(|| {
                    prov.domains
                        .iter()
                        .find(|d| d.is_exact())
                        .map(|d| d.text.clone())
                });
            let mut it = value_label(user, "no domain").into_iter();
            let mut f = ctx
                .finding(
                    codes::USERNAME_NOT_FULL_ADDRESS,
                    Severity::Error,
                    format!(
                        "{} expects the full e-mail address as the login, not `{u}`",
                        prov.name
                    ),
                    it.next().expect("label"),
                )
                .with_help(match &domain {
                    Some(d) => format!("log in as {u}@{d}"),
                    None => "log in with the full address, name@domain".to_owned(),
                });
            // Written as it is (literally or on the `.env` line code reads): the address
            // replaces it; certain (safe) when a From address is exactly that address.
            let as_written = super::fixes::at(ctx, user).is_some_and(|a| a.text == user.value);
            if let Some(d) = domain
                .as_ref()
                .filter(|_| user.origin != Origin::Literal || as_written)
            {
                let addr = format!("{u}@{d}");
                let certain = p
                    .from
                    .iter()
                    .any(|f| bare_address(&f.value).eq_ignore_ascii_case(&addr));
                if super::fixes::written(user) && as_written {
                    f = f.with_fix(Fix::replace(
                        if certain {
                            Applicability::Safe
                        } else {
                            Applicability::Unsafe
                        },
                        format!("log in as {addr}"),
                        user.loc.clone(),
                        addr,
                    ));
                }
            }
            out.push(with_labels(f, it.collect()));
        }
    }
}

/// `username-mismatch`: a user name other than the literal one the provider prescribes, one that
/// does not match its pattern, or a full address in the provider's own domain where it
/// documents only the part before `@` (a warning: some of those servers take both).
fn username_mismatch(ctx: &Ctx, prov: &Provider, out: &mut Vec<Finding>) {
    let Some(user) = &ctx.profile.username else {
        return;
    };
    let u = user.value.trim();
    if u.is_empty() || user.is_default() {
        return;
    }
    let (severity, message, help, fix) = match &prov.auth.username_rule {
        Some(UsernameRule::Literal(name)) if u != name => (
            Severity::Error,
            format!("{} expects the user name `{name}`, not `{u}`", prov.name),
            format!(
                "log in with the user name `{name}` (that exact word) and {}",
                prov.auth.password.describe
            ),
            Some(name.clone()),
        ),
        Some(UsernameRule::Pattern {
            regex, describe, ..
        }) if !regex.is_match(u) => (
            Severity::Error,
            format!(
                "{} needs {describe} as the login; `{u}` does not have that form",
                prov.name
            ),
            prov.auth.password.how.clone(),
            None,
        ),
        None if prov.auth.username == UsernameForm::LocalPart => {
            let Some((local, domain)) = u.rsplit_once('@') else {
                return;
            };
            if local.is_empty() || !ctx.providers.owns(prov, &domain.to_ascii_lowercase()) {
                return;
            }
            (
                Severity::Warning,
                format!(
                    "{} documents the part before @ as the login, not the full address `{u}`",
                    prov.name
                ),
                format!("log in as {local}; if the server refuses it, try the full address"),
                Some(local.to_owned()),
            )
        }
        _ => return,
    };
    let mut it = value_label(user, "login").into_iter();
    let mut f = ctx
        .finding(
            codes::USERNAME_MISMATCH,
            severity,
            message,
            it.next().expect("label"),
        )
        .with_help(help);
    // Only where the login is written as it is read (not built from parts or escaped).
    let as_written = super::fixes::at(ctx, user).is_some_and(|a| a.text == user.value);
    if let Some(name) = fix.filter(|_| super::fixes::written(user) && as_written) {
        f = f.with_fix(Fix::replace(
            Applicability::Unsafe,
            format!("log in as {name}"),
            user.loc.clone(),
            name,
        ));
    }
    out.push(with_labels(f, it.collect()));
}

/// `app-password-required`: a password that does not have the app-specific form.
fn app_password(ctx: &Ctx, prov: &Provider, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    let pw = &prov.auth.password;
    if !uses_password(p) || !matches!(pw.kind, PasswordKind::AppSpecific | PasswordKind::ApiKey) {
        return;
    }
    let (Some(pattern), Some(secret)) = (&pw.pattern, &p.password) else {
        return;
    };
    if secret.is_default() || secret.value.is_empty() {
        return;
    }
    if !pattern.is_match(secret.value.expose()) {
        let mut it = value_label(secret, "not an app-specific password").into_iter();
        let f = ctx
            .finding(
                codes::APP_PASSWORD_REQUIRED,
                Severity::Error,
                if pw.kind == PasswordKind::AppSpecific {
                    format!("{} needs {}; this password does not have that form, so it is probably the account password", prov.name, pw.describe)
                } else {
                    format!("{} needs {}; this password does not have that form", prov.name, pw.describe)
                },
                it.next().expect("label"),
            )
            .with_help(pw.how.clone());
        out.push(with_labels(f, it.collect()));
    }
}
