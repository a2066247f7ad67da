//! Which provider a profile talks to: by SMTP host first (exact, a known wrong guess, an
//! incoming host, a near miss), then — only when no host is given — by the login or From domain.

use crate::model::{address_domain, Profile};
use crate::providers::{Incoming, Provider, Providers, WrongHost};

/// How the provider was recognised.
#[derive(Debug, Clone)]
pub enum Match<'a> {
    /// The host is one of the provider's SMTP hosts.
    Host,
    /// The host is a name people try for this provider that does not work.
    WrongHost(&'a WrongHost),
    /// The host is the provider's IMAP/POP host.
    Incoming(&'a Incoming),
    /// The host is a near miss of this SMTP host.
    Typo { intended: String },
    /// No host was given; the login or From domain belongs to the provider.
    Domain,
}

#[derive(Debug, Clone)]
pub struct Identified<'a> {
    pub provider: &'a Provider,
    pub how: Match<'a>,
    /// Several providers matched equally well (a host two providers share); the fix is left
    /// to the user.
    pub ambiguous: bool,
}

impl Identified<'_> {
    /// The part later steps need, without borrowing the providers.
    pub fn identity(&self) -> Identity {
        Identity {
            provider: self.provider.id.clone(),
            ambiguous: self.ambiguous,
        }
    }
}

/// Which provider a profile talks to, as the outcome of a run keeps it (one per profile, see
/// [`crate::engine::Outcome::identified`]) for the steps after the checks, such as probing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's id (`icloud`).
    pub provider: String,
    /// Several providers matched equally well.
    pub ambiguous: bool,
}

pub fn identify<'a>(profile: &Profile, providers: &'a Providers) -> Option<Identified<'a>> {
    if let Some(host) = profile.host_name() {
        if host.is_empty() {
            return None;
        }
        if let Some(p) = providers.by_smtp_host(&host) {
            return Some(Identified {
                provider: p,
                how: Match::Host,
                ambiguous: false,
            });
        }
        for p in &providers.list {
            if let Some(w) = p.wrong_hosts.iter().find(|w| w.host.matches(&host)) {
                return Some(Identified {
                    provider: p,
                    how: Match::WrongHost(w),
                    ambiguous: false,
                });
            }
        }
        let domain = login_domain(profile);
        let mut incoming: Vec<(&Provider, &Incoming)> = providers
            .list
            .iter()
            .filter_map(|p| {
                p.incoming
                    .iter()
                    .find(|i| i.host.matches(&host))
                    .map(|i| (p, i))
            })
            .collect();
        if incoming.len() > 1 {
            if let Some(d) = &domain {
                if let Some(pos) = incoming.iter().position(|(p, _)| p.owns_domain(d)) {
                    incoming = vec![incoming[pos]];
                }
            }
        }
        if let Some((p, i)) = incoming.first() {
            return Some(Identified {
                provider: p,
                how: Match::Incoming(i),
                ambiguous: incoming.len() > 1,
            });
        }
        if let Some((p, intended)) = near_miss(&host, providers) {
            return Some(Identified {
                provider: p,
                how: Match::Typo { intended },
                ambiguous: false,
            });
        }
        return None;
    }
    let domain = login_domain(profile)?;
    providers.by_domain(&domain).map(|p| Identified {
        provider: p,
        how: Match::Domain,
        ambiguous: false,
    })
}

fn login_domain(profile: &Profile) -> Option<String> {
    profile
        .username
        .as_ref()
        .and_then(|u| address_domain(&u.value))
        .or_else(|| profile.from.first().and_then(|f| address_domain(&f.value)))
}

/// A known exact SMTP host within two edits (a swap counts as one) of `host`.
fn near_miss<'a>(host: &str, providers: &'a Providers) -> Option<(&'a Provider, String)> {
    if host.len() < 8 {
        return None;
    }
    let mut best: Option<(usize, &Provider, &str)> = None;
    let chars = host.chars().count();
    // Generated (ISPDB) hosts are not typo targets: with 150 of them, a provider's second real
    // host (`smtp.bol.com.br` beside the ISPDB's `smtps.bol.com.br`) would be called a typo.
    for p in providers.list.iter().filter(|p| !p.generated) {
        for h in p.smtp_hosts.iter().filter(|h| h.is_exact()) {
            // Two edits change the length by two at most: skip the quadratic distance for
            // hosts that cannot be near (a committed file may hold a host of any length).
            if chars.abs_diff(h.text.chars().count()) > 2 || !same_shape(host, &h.text) {
                continue;
            }
            let d = strsim::damerau_levenshtein(host, &h.text);
            let limit = if h.text.len() >= 12 { 2 } else { 1 };
            if d > 0 && d <= limit && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, p, &h.text));
            }
        }
    }
    best.map(|(_, p, h)| (p, h.to_owned()))
}

/// A typo keeps the number of labels and the first letter of each: `smtp.gmial.com` is a typo
/// of `smtp.gmail.com`, while `smtp.mail.com` is another provider's real host.
fn same_shape(a: &str, b: &str) -> bool {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    la.len() == lb.len()
        && la
            .iter()
            .zip(&lb)
            .all(|(x, y)| x.chars().next() == y.chars().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Client, Value};
    use crate::source::{FileId, Loc};

    fn profile(host: Option<&str>, user: Option<&str>) -> Profile {
        let loc = Loc::new(FileId(0), 0..0);
        let mut p = Profile::new(Client::Toml, "t", loc.clone());
        p.host = host.map(|h| Value::literal(h.to_owned(), loc.clone()));
        p.username = user.map(|u| Value::literal(u.to_owned(), loc.clone()));
        p
    }

    #[test]
    fn by_host_wrong_host_typo_incoming_and_domain() {
        let ps = Providers::builtin().unwrap();
        let id = |h, u| {
            identify(&profile(h, u), &ps).map(|i| (i.provider.id.clone(), format!("{:?}", i.how)))
        };
        assert_eq!(id(Some("SMTP.Mail.Me.com."), None).unwrap().0, "icloud");
        assert!(id(Some("smtp.gmial.com"), None).unwrap().1.contains("Typo"));
        assert!(id(Some("smtp-mail.outlok.com"), None)
            .unwrap()
            .1
            .contains("Typo"));
        // Real hosts of other providers are not typos.
        assert_eq!(
            id(Some("smtp.mail.com"), None).unwrap(),
            ("mailcom".to_owned(), "Host".to_owned())
        );
        assert!(id(Some("smtp.email.com"), None).is_none());
        assert!(id(Some("smtp.me.com"), None)
            .unwrap()
            .1
            .contains("WrongHost"));
        assert!(id(Some("imap.gmail.com"), None)
            .unwrap()
            .1
            .contains("Incoming"));
        assert_eq!(id(None, Some("a@me.com")).unwrap().0, "icloud");
        // A company relay with an iCloud login is not iCloud.
        assert!(id(Some("mail.example.org"), Some("a@icloud.com")).is_none());
    }
}
