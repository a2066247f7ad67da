//! Nodemailer's well-known services (`service: 'gmail'`): the preset list shipped with
//! Nodemailer (`lib/well-known/services.json`, MIT-0, copied unchanged into
//! `src/extract/clients/nodemailer/services.json`; provenance in `services.SOURCE.md`), parsed
//! once on first use, and looked up the way Nodemailer does it.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("services.json");

/// One preset. Only the keys the entry has override the transport options.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Service {
    #[serde(skip)]
    pub name: String,
    pub host: Option<String>,
    /// A number, or (in one entry) a string that Nodemailer turns into one with `Number()`.
    #[serde(default, deserialize_with = "port_number")]
    pub port: Option<u16>,
    pub secure: Option<bool>,
    #[serde(rename = "requireTLS")]
    pub require_tls: Option<bool>,
    #[serde(rename = "ignoreTLS")]
    pub ignore_tls: Option<bool>,
    #[serde(rename = "authMethod")]
    pub auth_method: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
}

fn port_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let v: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

struct Table {
    services: Vec<Service>,
    index: HashMap<String, usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The data is compiled in and checked by a test; a broken file would only empty the list.
        let raw: HashMap<String, Service> = serde_json::from_str(DATA).unwrap_or_default();
        let mut services: Vec<Service> = raw
            .into_iter()
            .map(|(name, mut s)| {
                s.name = name;
                s
            })
            .collect();
        services.sort_by(|a, b| a.name.cmp(&b.name));
        let mut index = HashMap::new();
        for (i, s) in services.iter().enumerate() {
            for key in std::iter::once(&s.name).chain(&s.aliases).chain(&s.domains) {
                index.insert(normalize(key), i);
            }
        }
        Table { services, index }
    })
}

/// Nodemailer's key normalisation: keep `[a-zA-Z0-9.-]`, lower-case.
pub fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The key Nodemailer looks up for a `service` value: the part after the last `@`, normalised.
pub fn lookup_key(value: &str) -> String {
    normalize(value.rsplit('@').next().unwrap_or(value))
}

/// The preset a `service` value selects, as Nodemailer resolves it (a name, an alias, a domain
/// or a whole address; case and punctuation do not matter).
pub fn lookup(value: &str) -> Option<&'static Service> {
    let t = table();
    t.index.get(&lookup_key(value)).map(|&i| &t.services[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_parses_and_looks_up_like_nodemailer() {
        let parsed: Result<HashMap<String, Service>, _> = serde_json::from_str(DATA);
        assert!(parsed.is_ok(), "{parsed:?}");
        assert!(table().services.len() >= 80);
        assert_eq!(lookup("qiye.aliyun").unwrap().port, Some(465));
        let g = lookup("Gmail").unwrap();
        assert_eq!(g.host.as_deref(), Some("smtp.gmail.com"));
        assert_eq!((g.port, g.secure), (Some(465), Some(true)));
        assert_eq!(lookup("google mail").unwrap().name, "Gmail");
        assert_eq!(lookup("someone@googlemail.com").unwrap().name, "Gmail");
        assert_eq!(
            lookup("ICLOUD").unwrap().host.as_deref(),
            Some("smtp.mail.me.com")
        );
        assert_eq!(lookup("me.com").unwrap().name, "iCloud");
        // Known gap of the data: icloud.com is not one of the iCloud domains.
        assert!(lookup("icloud.com").is_none());
        assert!(lookup("jane@icloud.com").is_none());
        assert_eq!(lookup("Outlook365").unwrap().secure, Some(false));
        assert_eq!(lookup("proton.me").unwrap().require_tls, Some(true));
        assert!(lookup("").is_none());
    }

    #[test]
    fn every_preset_resolves_by_name_alias_and_domain() {
        let t = table();
        assert_eq!(t.services.len(), 88);
        for s in &t.services {
            for key in std::iter::once(&s.name).chain(&s.aliases).chain(&s.domains) {
                assert_eq!(
                    lookup(key).map(|f| f.name.as_str()),
                    Some(s.name.as_str()),
                    "{key}"
                );
                let upper = format!("someone@{}", key.to_uppercase());
                assert_eq!(
                    lookup(&upper).map(|f| f.name.as_str()),
                    Some(s.name.as_str())
                );
            }
        }
    }
}
