//! Environment variables that override a defined client's file (`GITEA__mailer__SMTP_ADDR`,
//! `GF_SMTP_HOST`): each variable the definition's `env` names is turned back into the section
//! and key it overrides, and the same rules as the file's run over them. The variables of one
//! env file make a profile of their own (the file they override may not be in the project).

use std::ops::Range;

use super::*;

/// One variable as an env file defines it.
pub struct EnvVar<'a> {
    pub name: &'a str,
    pub name_span: Range<usize>,
    /// The value after the env file's own expansion; `None` when it could not be expanded.
    pub value: Option<&'a str>,
    pub value_span: Range<usize>,
}

/// The entry value of a variable whose value is not known here (a `__FILE` path, a `${X}`
/// that is not defined): not read, not a secret.
pub(super) const REFERENCE: Scalar = Scalar::Other("reference");

/// The profiles that env variables give every definition with an `env` family.
pub fn extract(file: FileId, vars: &[EnvVar]) -> Extraction {
    let mut ex = Extraction::default();
    for def in builtin() {
        let Some(env) = &def.env else { continue };
        let mut tables: Vec<Table> = Vec::new();
        for v in vars {
            let Some(rest) = v.name.strip_prefix(env.prefix.as_str()) else {
                continue;
            };
            let (rest, from_file) = match env.file_suffix.as_deref() {
                Some(sfx) if rest.len() > sfx.len() && rest.ends_with(sfx) => {
                    (&rest[..rest.len() - sfx.len()], true)
                }
                _ => (rest, false),
            };
            let Some((section, key)) = section_key(def, env, rest) else {
                continue;
            };
            let value = match v.value {
                Some(_) if from_file => REFERENCE,
                Some("") if env.skip_empty => continue,
                Some(s) => Scalar::Str(s.to_owned()),
                None => REFERENCE,
            };
            let entry = Entry {
                key,
                key_span: v.name_span.clone(),
                value,
                value_span: v.value_span.clone(),
            };
            match tables.iter_mut().find(|t| t.path[0] == section) {
                Some(t) => t.entries.push(entry),
                None => tables.push(Table {
                    path: vec![section],
                    header: None,
                    entries: vec![entry],
                }),
            }
        }
        for t in &tables {
            apply::secrets(def, &t.entries, &mut ex.secrets);
            let entries: Vec<&Entry> = t.entries.iter().collect();
            let anchor = t.entries[0].key_span.clone();
            let label = env.label.clone();
            let before = ex.findings.len();
            apply::profile(def, file, label, anchor, &entries, true, &mut ex);
            // Messages name the key; the user wrote the variable.
            for f in &mut ex.findings[before..] {
                for e in &t.entries {
                    let var = &vars
                        .iter()
                        .find(|v| v.name_span == e.key_span)
                        .map_or("", |v| v.name);
                    f.message = f
                        .message
                        .replace(&format!("`{}`", e.key), &format!("`{var}`"));
                }
            }
        }
    }
    ex
}

/// The section (one of the definition's) and the key (one it reads) a variable stands for.
fn section_key(def: &Definition, env: &EnvOverrides, rest: &str) -> Option<(String, String)> {
    let keys = def
        .keys
        .iter()
        .map(|k| k.key.as_str())
        .chain(def.removed.iter().map(|r| r.key.as_str()))
        .chain(def.enabled.iter().map(|(k, _)| k.as_str()));
    match env.names {
        EnvNames::SectionKey => {
            let (section, key) = decode_section_key(rest)?;
            let section = def
                .sections
                .iter()
                .find(|s| def.same_key(s, &section))?
                .clone();
            let key = keys.into_iter().find(|k| def.same_key(k, &key))?;
            Some((section, key.to_owned()))
        }
        EnvNames::UpperSnake => {
            let upper = |s: &str| s.replace(['.', '-'], "_").to_ascii_uppercase();
            def.sections.iter().find_map(|s| {
                let key_part = rest.strip_prefix(&upper(s))?.strip_prefix('_')?;
                let key = keys.clone().find(|k| upper(k) == key_part)?;
                Some((s.clone(), key.to_owned()))
            })
        }
    }
}

/// Gitea's `SECTION__KEY`: the first plain `__` splits section from key, `_0X<hex>_` stands for
/// the bytes written in hex (`_0X2E_` is `.`), the section is lower-cased; no key, no pair.
pub fn decode_section_key(encoded: &str) -> Option<(String, String)> {
    let b = encoded.as_bytes();
    // The escapes first, left to right, as the regex finds them; then the text between them.
    let mut escapes: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match escape_at(&b[i..]) {
            Some((bytes, len)) => {
                escapes.push((i..i + len, bytes));
                i += len;
            }
            None => i += 1,
        }
    }
    let mut section: Vec<u8> = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    let mut in_key = false;
    let mut last = 0;
    let ends = escapes
        .iter()
        .map(|(r, bytes)| (r.clone(), Some(bytes)))
        .chain(std::iter::once((b.len()..b.len(), None)));
    for (r, bytes) in ends {
        let plain = &b[last..r.start];
        match plain
            .windows(2)
            .position(|w| w == b"__")
            .filter(|_| !in_key)
        {
            Some(at) => {
                section.extend(&plain[..at]);
                key.extend(&plain[at + 2..]);
                in_key = true;
            }
            None if in_key => key.extend(plain),
            None => section.extend(plain),
        }
        if let Some(bytes) = bytes {
            if in_key { &mut key } else { &mut section }.extend(bytes);
        }
        last = r.end;
    }
    let section = String::from_utf8_lossy(&section).to_lowercase();
    let key = String::from_utf8_lossy(&key).into_owned();
    (!key.is_empty()).then_some((section, key))
}

/// `_0X2E_` (or `_0x2e2d_`: pairs of hex digits) at the start of `b`: the bytes, and the
/// length of the escape.
fn escape_at(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    if b.len() < 6 || b[0] != b'_' || b[1] != b'0' || !matches!(b[2], b'x' | b'X') {
        return None;
    }
    let digits = b[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
    let pairs = digits / 2;
    // The escape ends at `_` after an even number of digits (the regex backtracks to pairs).
    let n = (1..=pairs)
        .rev()
        .find(|n| b.get(3 + 2 * n) == Some(&b'_'))?;
    let hex = std::str::from_utf8(&b[3..3 + 2 * n]).ok()?;
    let bytes = (0..n)
        .map(|j| u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).unwrap_or(0))
        .collect();
    Some((bytes, 3 + 2 * n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitea_names_decode_as_environment_to_ini_does() {
        let d = |s: &str| decode_section_key(s);
        assert_eq!(
            d("mailer__SMTP_ADDR"),
            Some(("mailer".into(), "SMTP_ADDR".into()))
        );
        assert_eq!(
            d("MAILER__SMTP_ADDR"),
            Some(("mailer".into(), "SMTP_ADDR".into()))
        );
        // The first `__` splits; later ones belong to the key.
        assert_eq!(d("a__b__c"), Some(("a".into(), "b__c".into())));
        assert_eq!(
            d("repository_0X2E_local__LOCAL_COPY_PATH"),
            Some(("repository.local".into(), "LOCAL_COPY_PATH".into()))
        );
        assert_eq!(d("s__K_0x2d_X"), Some(("s".into(), "K-X".into())));
        // An odd number of digits is not an escape.
        assert_eq!(d("s__K_0X2E2_"), Some(("s".into(), "K_0X2E2_".into())));
        // Escapes are found before the `__` split.
        assert_eq!(d("a__0X2E_b"), None);
        assert_eq!(d("a___0X2E_b"), Some(("a".into(), ".b".into())));
        assert_eq!(d("mailer"), None);
        assert_eq!(d("mailer__"), None);
    }
}
