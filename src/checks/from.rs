//! `from-mismatch`: a From address the provider refuses (or rewrites) for this login.

use super::{value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::Finding;
use crate::identify::Match;
use crate::model::{address_domain, address_local, bare_address};
use crate::providers::FromPolicy;

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(ident) = &ctx.ident else { return };
    if !matches!(ident.how, Match::Host | Match::Domain) {
        return;
    }
    let prov = ident.provider;
    let Some(policy) = &prov.from else { return };
    if policy.policy == FromPolicy::Any {
        return;
    }
    let p = ctx.profile;
    let login = p
        .username
        .as_ref()
        .map(|u| bare_address(&u.value).to_ascii_lowercase());
    let login_local = login.as_deref().and_then(address_local);
    let own = |d: &str| policy.alias_domains.iter().any(|a| a.matches(d)) || prov.owns_domain(d);
    for from in &p.from {
        let addr = bare_address(&from.value).to_ascii_lowercase();
        let Some(domain) = address_domain(&addr) else {
            continue;
        };
        if login.as_deref() == Some(addr.as_str()) {
            continue;
        }
        let local = address_local(&addr);
        let login_domain = login.as_deref().and_then(address_domain);
        // The same name in another of the account's alias domains (alice@me.com for alice@icloud.com).
        if own(&domain)
            && local.is_some()
            && local == login_local
            && login_domain.as_deref().is_some_and(own)
        {
            continue;
        }
        let (severity, why) = if own(&domain) {
            if login.is_none() || login_domain.is_none() {
                continue; // cannot compare with a login we do not know
            }
            (
                policy.other_address,
                format!(
                    "`{addr}` is a different {} address than the login",
                    prov.name
                ),
            )
        } else if let Some(other) = ctx.providers.by_domain(&domain).filter(|o| o.id != prov.id) {
            (
                policy.foreign_domain,
                format!(
                    "`{addr}` is a {} address, not one of this {} account",
                    other.name, prov.name
                ),
            )
        } else {
            (
                policy.custom_domain,
                format!("`{addr}` is in a domain {} does not own", prov.name),
            )
        };
        let consequence = match policy.policy {
            FromPolicy::Rewritten => "it will be replaced by the account's address".to_owned(),
            _ => match &policy.reply {
                Some(r) => format!("the server may refuse it with `{r}`"),
                None => "the server may refuse it".to_owned(),
            },
        };
        let mut it = value_label(from, "From").into_iter();
        let f = ctx
            .finding(
                codes::FROM_MISMATCH,
                severity,
                format!("{why}; {consequence}"),
                it.next().expect("label"),
            )
            .with_help(policy.explain.clone());
        let mut f = with_labels(f, it.collect());
        if let Some(u) = &p.username {
            f = f.with_label(crate::finding::Label::new(u.loc.clone(), "login"));
        }
        out.push(f);
    }
}
