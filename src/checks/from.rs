//! `from-mismatch`: a From address the provider refuses (or rewrites) for this login, or one in
//! a reserved placeholder domain; `invalid-value`: a From that is not an address at all.

use super::{value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Finding, Severity};
use crate::identify::Match;
use crate::model::{address_domain, address_local, bare_address, Value};
use crate::providers::FromPolicy;

/// Domains reserved for examples (RFC 2606 and RFC 6761): no one can own one, so no provider
/// that checks the sender will let mail out from it: `example.com/.net/.org` and their
/// subdomains, the `.test`, `.invalid`, `.example` and `.localhost` top-level domains and
/// `localhost`. Laravel's stock `hello@example.com` is one.
pub fn placeholder_domain(domain: &str) -> bool {
    let d = domain.trim_end_matches('.');
    let under = |parent: &str| {
        d == parent
            || d.strip_suffix(parent)
                .is_some_and(|head| head.ends_with('.'))
    };
    ["example.com", "example.net", "example.org"]
        .iter()
        .any(|p| under(p))
        || ["test", "invalid", "example", "localhost"]
            .iter()
            .any(|tld| under(tld))
}

/// Why a From is not an e-mail address (`None` when it is one, or when it cannot be judged:
/// a template or an unexpanded variable).
fn malformed(from: &str) -> Option<String> {
    let addr = bare_address(from);
    if addr.is_empty() || addr.contains(['$', '{', '}', '%']) {
        return None;
    }
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Some(format!("`{addr}` has no `@`: it is not an e-mail address"));
    };
    if local.is_empty() {
        return Some(format!("`{addr}` has nothing before the `@`"));
    }
    let domain = domain.trim_end_matches('.');
    if domain.is_empty() {
        return Some(format!("`{addr}` has no domain after the `@`"));
    }
    if domain.eq_ignore_ascii_case("localhost") || domain.starts_with('[') {
        return None; // a local relay's own name, or an address literal
    }
    let tld = domain.rsplit('.').next().unwrap_or("");
    if !domain.contains('.') || tld.is_empty() || tld.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!(
            "`{addr}` has no top-level domain after the `@` (`{domain}`), so no server can deliver replies to it"
        ));
    }
    None
}

/// `invalid-value` for every From that is not an address, whatever the provider.
fn malformed_from(ctx: &Ctx, from: &Value<String>, out: &mut Vec<Finding>) -> bool {
    let Some(why) = malformed(&from.value) else {
        return false;
    };
    let mut it = value_label(from, "From").into_iter();
    let f = ctx
        .finding(
            codes::INVALID_VALUE,
            Severity::Error,
            format!("the From address is malformed: {why}"),
            it.next().expect("label"),
        )
        .with_help("write a complete address, name@domain.tld");
    out.push(with_labels(f, it.collect()));
    true
}

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let malformed: Vec<bool> = ctx
        .profile
        .from
        .iter()
        .map(|f| malformed_from(ctx, f, out))
        .collect();
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
    // The provider's own domains: its rules', and a custom domain whose MX names it (`--probe`).
    let own =
        |d: &str| policy.alias_domains.iter().any(|a| a.matches(d)) || ctx.providers.owns(prov, d);
    for (from, bad) in p.from.iter().zip(malformed) {
        let addr = bare_address(&from.value).to_ascii_lowercase();
        let Some(domain) = address_domain(&addr) else {
            continue;
        };
        if bad || login.as_deref() == Some(addr.as_str()) {
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
        } else if placeholder_domain(&domain) {
            // A reserved example domain is never an account's, nor a verifiable identity.
            (
                policy.custom_domain.max(Severity::Warning),
                format!(
                    "`{addr}` is in `{domain}`, a domain reserved for examples that no one can own (a placeholder left in the settings?)"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_domains() {
        for d in [
            "example.com",
            "mail.example.org",
            "example.net",
            "shop.test",
            "x.invalid",
            "appleseed.example",
            "localhost",
            "app.localhost",
        ] {
            assert!(placeholder_domain(d), "{d}");
        }
        for d in [
            "myexample.com",
            "example.co",
            "icloud.com",
            "test.com",
            "examples.org",
        ] {
            assert!(!placeholder_domain(d), "{d}");
        }
    }

    #[test]
    fn malformed_addresses() {
        assert!(malformed("noreply").unwrap().contains("no `@`"));
        assert!(malformed("a@mycompany")
            .unwrap()
            .contains("no top-level domain"));
        assert!(malformed("a@10.0.0.1").is_some());
        assert!(malformed("@gmail.com").is_some() && malformed("a@").is_some());
        for ok in [
            "jane@icloud.com",
            "\"Jane\" <jane@icloud.com>",
            "root@localhost",
            "a@[192.0.2.1]",
            "${MAIL_FROM}",
            "{{ from }}",
            "",
        ] {
            assert_eq!(malformed(ok), None, "{ok}");
        }
    }
}
