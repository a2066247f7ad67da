//! Setting names that are near misses of the names a program reads (`EMAIL_USE_TSL` for
//! `EMAIL_USE_TLS`): the program never reads them, so its default applies instead. One matcher
//! for every client whose keys are a closed set; a client describes its names as a [`KeySet`]
//! and asks [`unknown_setting`] about each key it does not know.

use crate::extract::syntax::dotenv::Ctx;
use crate::finding::{Finding, Label, Severity};
use crate::source::Loc;

/// The names one program reads under one prefix.
pub struct KeySet {
    /// The program, as a message names it ("Django", "Laravel").
    pub program: &'static str,
    /// Only keys that start with this prefix (compared without case) are candidates: a key of
    /// another family is unrelated, not misspelt. Empty for a set without a prefix.
    pub prefix: &'static str,
    /// Every name the program reads with this prefix (a name missing here would be reported).
    pub known: &'static [&'static str],
    /// Names people write that the program does not read, and the name it reads instead
    /// (`secureConnection` for Nodemailer's `secure`).
    pub renamed: &'static [(&'static str, &'static str)],
}

/// The known name `key` was probably meant to be, when it is not itself a known name: a renamed
/// name, the same name in another case, or one within a small edit distance (one edit for a
/// short name, two for a longer one; a swap of two neighbours is one edit).
pub fn suggest(set: &KeySet, key: &str) -> Option<&'static str> {
    suggest_within(set, key, None)
}

/// [`suggest`], with at most `max_edits` edits when given (one for a set that is not closed,
/// such as the keys of an unknown app's TOML table).
pub fn suggest_within(set: &KeySet, key: &str, max_edits: Option<usize>) -> Option<&'static str> {
    if set.known.contains(&key) {
        return None;
    }
    if let Some((_, right)) = set.renamed.iter().find(|(wrong, _)| *wrong == key) {
        return Some(right);
    }
    let upper = key.to_ascii_uppercase();
    let prefix = set.prefix.to_ascii_uppercase();
    if !upper.starts_with(&prefix) || upper.len() == prefix.len() {
        return None;
    }
    let tail = upper.len() - prefix.len();
    let limit = max_edits.unwrap_or(if tail <= 4 { 1 } else { 2 });
    // Names whose lengths differ by more than the limit are further apart than it.
    let chars = upper.chars().count();
    set.known
        .iter()
        .filter(|k| k.chars().count().abs_diff(chars) <= limit)
        .map(|k| (strsim::osa_distance(&upper, &k.to_ascii_uppercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The `unknown-setting` warning for `key` (at `loc`, the key's span) when it is a near miss of
/// a name of `set`; `effect` says what happens instead ("Django sends without TLS").
pub fn unknown_setting(set: &KeySet, key: &str, loc: Loc, effect: &str) -> Option<Finding> {
    let right = suggest(set, key)?;
    let effect = if effect.is_empty() {
        String::new()
    } else {
        format!(": {effect}")
    };
    Some(
        Finding::new(
            "unknown-setting",
            Severity::Warning,
            format!(
                "{} does not read `{key}`; did you mean `{right}`? As written the setting is \
                 ignored{effect}",
                set.program
            ),
            Label::new(loc, format!("did you mean `{right}`?")),
        )
        .with_help(format!("rename it to `{right}`")),
    )
}

/// Report every effective key of an env file that is a near miss of a name of `set`.
pub(crate) fn check_env_keys(ctx: &mut Ctx, set: &KeySet, effect: &str) {
    let mut found = Vec::new();
    for &i in ctx.last.values() {
        let d = &ctx.defs[i];
        if let Some(f) = unknown_setting(set, &d.name, ctx.loc(d.name_span.clone()), effect) {
            found.push((d.name_span.start, f));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    ctx.findings.extend(found.into_iter().map(|(_, f)| f));
}

#[cfg(test)]
mod tests {
    use super::*;

    const DJANGO: KeySet = KeySet {
        program: "Django",
        prefix: "EMAIL_",
        known: &[
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_HOST_USER",
        ],
        renamed: &[],
    };

    #[test]
    fn near_misses_are_suggested() {
        assert_eq!(suggest(&DJANGO, "EMAIL_USE_TSL"), Some("EMAIL_USE_TLS"));
        assert_eq!(suggest(&DJANGO, "EMAIL_USETLS"), Some("EMAIL_USE_TLS"));
        assert_eq!(suggest(&DJANGO, "email_use_tls"), Some("EMAIL_USE_TLS"));
        assert_eq!(suggest(&DJANGO, "EMAIL_HOST_USR"), Some("EMAIL_HOST_USER"));
    }

    #[test]
    fn known_and_unrelated_keys_are_not() {
        assert_eq!(suggest(&DJANGO, "EMAIL_USE_TLS"), None);
        // Another family, even one edit away in the prefix.
        assert_eq!(suggest(&DJANGO, "IMAIL_HOST"), None);
        assert_eq!(suggest(&DJANGO, "EMAIL_SENDER"), None);
        assert_eq!(suggest(&DJANGO, "EMAIL_"), None);
        // A short tail allows one edit only: EMAIL_PASS is not EMAIL_PORT.
        assert_eq!(suggest(&DJANGO, "EMAIL_PASS"), None);
    }

    #[test]
    fn renamed_names_win() {
        let set = KeySet {
            program: "Nodemailer",
            prefix: "",
            known: &["secure"],
            renamed: &[("secureConnection", "secure")],
        };
        assert_eq!(suggest(&set, "secureConnection"), Some("secure"));
        assert_eq!(suggest(&set, "secure"), None);
    }
}
