//! Clients defined as data: `clients/<id>.yaml` says which sections of a file hold SMTP
//! settings, which key sets which field, what the program does with each word, and its
//! defaults, each fact with its source (docs/client-definitions.md). This module loads the
//! definitions (built into the binary by build.rs, as JSON) and runs one over a file read by
//! its syntax reader; what data cannot say is a named combiner in Rust (`tls-variant`), and
//! `host:port` values are split here once for every client.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::OnceLock;

use crate::extract::syntax::toml::Scalar;
use crate::extract::syntax::toml::{Entry, Table};
use crate::extract::syntax::{ini, ini_properties, json, msmtprc, yaml};
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Security};
use crate::source::{FileId, Loc};

mod apply;
mod env;
mod load;
mod raw;

pub use env::{decode_section_key, extract as from_env, EnvVar};
pub use load::{
    parse_yaml, DefinitionError, AUTH_WORDS, COMBINERS, ENV_NAMES, FIELDS, SECURITY_WORDS, SYNTAXES,
};

include!(concat!(env!("OUT_DIR"), "/builtin_clients.rs"));

/// The file syntax a definition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    GoIni,
    GitConfig,
    Msmtprc,
    JavaProperties,
    Json,
    Yaml,
}

/// A profile field a key can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Host,
    Port,
    /// `host:port` in one value.
    HostPort,
    Security,
    /// A TLS on/off switch whose kind another key decides (combiner `tls-variant`).
    TlsSwitch,
    /// On: STARTTLS; off: implicit TLS (combiner `tls-variant`).
    StarttlsVariant,
    Username,
    Password,
    /// A password kept elsewhere (a command, a file): not a secret itself.
    PasswordRef,
    From,
    Auth,
    /// True switches certificate verification off.
    SkipVerify,
    /// False switches certificate verification off.
    Verify,
    /// A CA path whose empty value switches verification off (git's `smtpSslCertPath`).
    CaPath,
    /// True: implicit TLS (combiner `switch-precedence`).
    ImplicitSwitch,
    /// True: STARTTLS when the server offers it (combiner `switch-precedence`).
    StarttlsSwitch,
    /// True: STARTTLS that must succeed (combiner `switch-precedence`).
    StarttlsRequiredSwitch,
    /// Hosts whose certificate is trusted without checks; `*` switches verification off.
    TrustHosts,
}

/// What `[section "sub"]` tables are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subsections {
    None,
    Inherit,
    Alone,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityWord {
    Mode(Security),
    /// The program delivers without SMTP (sendmail, a test sink): no profile.
    NotSmtp,
}

/// What the program does with a word it does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown<T> {
    Error,
    FallsBack(T),
}

#[derive(Clone, Debug)]
pub struct Words<T> {
    pub ignore_case: bool,
    pub map: Vec<(String, T)>,
    pub unknown: Unknown<T>,
}

impl<T: Clone> Words<T> {
    pub fn get(&self, word: &str) -> Option<T> {
        self.map
            .iter()
            .find(|(w, _)| {
                if self.ignore_case {
                    w.eq_ignore_ascii_case(word)
                } else {
                    w == word
                }
            })
            .map(|(_, v)| v.clone())
    }

    pub fn known(&self) -> String {
        let words: Vec<&str> = self.map.iter().map(|(w, _)| w.as_str()).collect();
        words.join(", ")
    }
}

#[derive(Clone, Debug)]
pub struct KeyDef {
    pub key: String,
    pub field: Field,
    pub port_required: bool,
    pub service_names: bool,
    pub not_smtp_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Removed {
    pub key: String,
    pub message: String,
    pub help: String,
    pub severity: Severity,
    pub read_as: Option<Field>,
    pub unless: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Booleans {
    pub yes: Vec<String>,
    pub no: Vec<String>,
    pub ignore_case: bool,
    /// An unknown word is read as false (go-ini's `MustBool`); otherwise it is refused.
    pub unknown_false: bool,
}

impl Booleans {
    pub fn get(&self, s: &str) -> Option<bool> {
        let eq = |w: &String| {
            if self.ignore_case {
                w.eq_ignore_ascii_case(s)
            } else {
                w == s
            }
        };
        if self.yes.iter().any(eq) {
            Some(true)
        } else if self.no.iter().any(eq) {
            Some(false)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    Security(Security),
    Port(u16),
    /// Any port written.
    PortAny,
}

#[derive(Clone, Debug)]
pub enum DefaultValue {
    /// The host the program connects to when none is written (Home Assistant's `localhost`).
    Host(String),
    Port(u16),
    Security(Security),
    Auth(AuthMethod),
    /// The value of another field.
    Copy(Field),
}

#[derive(Clone, Debug)]
pub struct Default {
    pub field: Field,
    pub value: DefaultValue,
    pub when: Option<Condition>,
    pub overrides: bool,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combiner {
    /// A `tls-switch` (absent: off) and a `starttls-variant` (absent: on): off is no TLS, on is
    /// STARTTLS that must succeed or, with the variant off, implicit TLS (msmtp).
    TlsVariant,
    /// TLS switches by precedence: implicit, then required STARTTLS, then STARTTLS when
    /// offered; a TLS mode already implicit stays (Jakarta Mail's `smtps` protocol).
    SwitchPrecedence,
}

/// One validated client definition.
#[derive(Clone, Debug)]
pub struct Definition {
    pub id: String,
    pub name: String,
    pub sources: BTreeMap<String, String>,
    pub syntax: Syntax,
    pub sections: Vec<String>,
    /// The profile's name when the section has none (keys at the top of the file).
    pub label: Option<String>,
    pub subsections: Subsections,
    pub requires_any: Vec<Field>,
    /// The key that switches mail on, and the program's default.
    pub enabled: Option<(String, bool)>,
    /// With `equals`, mail is on when the enabled key holds this word (Home Assistant's
    /// `platform: smtp`) instead of a true boolean.
    pub enabled_word: Option<String>,
    /// Keys that make a document apply only under a named profile (see `RawActivation`).
    pub activation: Vec<String>,
    pub keys_ignore_case: bool,
    pub keys: Vec<KeyDef>,
    pub removed: Vec<Removed>,
    pub booleans: Booleans,
    pub security: Option<Words<SecurityWord>>,
    pub auth: Option<Words<AuthMethod>>,
    pub defaults: Vec<Default>,
    pub combine: Vec<Combiner>,
    pub references: Vec<String>,
    pub env: Option<EnvOverrides>,
}

/// How an environment variable's name maps to a section and key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvNames {
    /// `PREFIX` `SECTION__KEY`, `_0X<hex>_` escapes, section lower-cased (Gitea).
    SectionKey,
    /// `PREFIX` + upper(section) `_` upper(key), `.` and `-` written `_` (Grafana).
    UpperSnake,
}

/// Environment variables that override the keys of the file (docs/client-definitions.md).
#[derive(Clone, Debug)]
pub struct EnvOverrides {
    pub prefix: String,
    pub names: EnvNames,
    pub file_suffix: Option<String>,
    pub skip_empty: bool,
    pub label: String,
}

impl Definition {
    /// Keys (and section names) compared as the program compares them.
    fn same_key(&self, a: &str, b: &str) -> bool {
        if self.keys_ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    }

    pub fn key(&self, key: &str) -> Option<&KeyDef> {
        self.keys.iter().find(|k| self.same_key(&k.key, key))
    }

    /// Is this value a reference to one kept elsewhere (`${VAR}`)?
    pub fn is_reference(&self, value: &str) -> bool {
        let v = value.trim();
        self.references.iter().any(|r| v.starts_with(r.as_str()))
    }

    pub fn removed(&self, key: &str) -> Option<&Removed> {
        self.removed.iter().find(|k| self.same_key(&k.key, key))
    }
}

/// The definitions built into the binary (`clients/*.yaml`).
pub fn builtin() -> &'static [Definition] {
    static DEFS: OnceLock<Vec<Definition>> = OnceLock::new();
    DEFS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, json)| {
                load::from_json(json).unwrap_or_else(|e| panic!("clients/{name}: {}", e.message))
            })
            .collect()
    })
}

/// The built-in definition with this id.
pub fn get(id: &str) -> &'static Definition {
    builtin()
        .iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("no client definition `{id}` under clients/"))
}

/// Read a file with the definition `id`.
pub fn extract(id: &str, file: FileId, text: &str) -> Extraction {
    extract_as(id, get(id).syntax, file, text)
}

/// Read a file with the definition `id` in another syntax that carries the same keys (Spring
/// Boot's `application.yml` flattened to the keys of `application.properties`).
pub fn extract_as(id: &str, syntax: Syntax, file: FileId, text: &str) -> Extraction {
    let def = get(id);
    let mut ex = Extraction::default();
    let mut doc_starts: Vec<usize> = Vec::new();
    let (tables, errors): (Vec<Table>, Vec<(Range<usize>, String)>) = match syntax {
        Syntax::GoIni | Syntax::GitConfig => {
            let dialect = if def.syntax == Syntax::GoIni {
                ini::Dialect::GoIni
            } else {
                ini::Dialect::GitConfig
            };
            let d = ini::parse(text, dialect);
            let errs = d.errors.into_iter().map(|e| (e.span, e.message)).collect();
            (d.tables, errs)
        }
        Syntax::Msmtprc => {
            let d = msmtprc::parse(text);
            let errs = d.errors.into_iter().map(|e| (e.span, e.message)).collect();
            (d.tables, errs)
        }
        Syntax::JavaProperties => (ini_properties::parse(text).tables, Vec::new()),
        Syntax::Json => {
            let d = json::parse(text);
            let errs = d.errors.into_iter().map(|e| (e.span, e.message)).collect();
            (d.tables, errs)
        }
        Syntax::Yaml => {
            let (mut d, starts) = yaml::parse_documents(text);
            doc_starts = starts;
            scalars_as_text(text, &mut d.tables);
            let errs = d.errors.into_iter().map(|e| (e.span, e.message)).collect();
            (d.tables, errs)
        }
    };
    for (span, message) in errors {
        ex.findings.push(
            Finding::new(
                "parse-error",
                Severity::Error,
                format!("{}: {message}", def.name),
                Label::new(Loc::new(file, span), "here"),
            )
            .with_help("fix this line; the rest of the file was read"),
        );
    }
    for t in &tables {
        apply::secrets(def, &t.entries, &mut ex.secrets);
    }
    // A JSON value is in the table of each object above it: one span each.
    ex.secrets.sort_by_key(|r| (r.start, r.end));
    ex.secrets.dedup();
    let found = documents(def, &tables, &doc_starts);
    let skip_root = found.is_some();
    let mut all = found.unwrap_or_default();
    all.extend(candidates(def, &tables, skip_root));
    all.sort_by_key(|(_, anchor, _)| anchor.start);
    for (label, anchor, entries) in all {
        apply::profile(def, file, label, anchor, &entries, false, &mut ex);
    }
    ex
}

/// The programs that read YAML (Spring Boot's binder, Home Assistant's schemas) take a number
/// or an empty value where they want text as its text (`password: 123456` is the string
/// `123456`, `password:` is empty); booleans stay booleans, as `yes` is true to them.
fn scalars_as_text(text: &str, tables: &mut [Table]) {
    for e in tables.iter_mut().flat_map(|t| &mut t.entries) {
        match e.value {
            Scalar::Int(_) | Scalar::Other("float") => {
                e.value = Scalar::Str(text[e.value_span.clone()].to_owned());
            }
            Scalar::Other("null") => e.value = Scalar::Str(String::new()),
            _ => {}
        }
    }
}

/// A table that may be a profile: its label, an anchor span and the entries that apply.
type Candidate<'t> = (String, Range<usize>, Vec<&'t Entry>);

/// The root tables of a multi-document file whose definition names activation keys (Spring's
/// `spring.config.activate.on-profile`): the documents without one apply always (one profile,
/// in order, later keys winning), each document with one applies over them (a profile of its
/// own, labelled with the profile's name). `None` when that reading does not apply.
fn documents<'t>(
    def: &Definition,
    tables: &'t [Table],
    doc_starts: &[usize],
) -> Option<Vec<Candidate<'t>>> {
    if def.activation.is_empty() || doc_starts.len() < 2 {
        return None;
    }
    let doc_of = |t: &Table| {
        let at = t.entries.first().map(|e| e.key_span.start)?;
        Some(doc_starts.iter().rposition(|&s| s <= at).unwrap_or(0))
    };
    // Per document: its entries, and its activation entry if it has one.
    let mut docs: Vec<(usize, Vec<&'t Entry>, Option<&'t Entry>)> = Vec::new();
    for t in tables.iter().filter(|t| t.path.is_empty()) {
        let Some(i) = doc_of(t) else { continue };
        let active = t
            .entries
            .iter()
            .find(|e| def.activation.iter().any(|k| def.same_key(k, &e.key)));
        docs.push((i, t.entries.iter().collect(), active));
    }
    let base: Vec<&'t Entry> = docs
        .iter()
        .filter(|(_, _, a)| a.is_none())
        .flat_map(|(_, e, _)| e.iter().copied())
        .collect();
    let name = def.label.clone().unwrap_or_else(|| def.name.clone());
    let mut out: Vec<Candidate<'t>> = Vec::new();
    if let Some(first) = base.first() {
        out.push((name.clone(), first.key_span.clone(), base.clone()));
    }
    for (_, entries, active) in &docs {
        let Some(a) = active else { continue };
        // A document that sets no mail key is the default profile again.
        if !entries.iter().any(|e| def.key(&e.key).is_some()) {
            continue;
        }
        let profile = match &a.value {
            Scalar::Str(s) => s.clone(),
            _ => String::new(),
        };
        let mut all = base.clone();
        all.extend(entries.iter().copied());
        out.push((
            format!("{name} (profile {profile})"),
            a.key_span.clone(),
            all,
        ));
    }
    Some(out)
}

/// The tables that may be profiles (a section written twice is one section; a git identity
/// reads its section's keys first). Linear in the number of tables: an identity copies at
/// most one entry per key the definition knows from its section.
fn candidates<'t>(def: &Definition, tables: &'t [Table], skip_root: bool) -> Vec<Candidate<'t>> {
    let known = |k: &str| {
        def.key(k).is_some()
            || def.removed(k).is_some()
            || def
                .enabled
                .as_ref()
                .is_some_and(|(e, _)| def.same_key(e, k))
    };
    let mut base: HashMap<&str, Vec<&Entry>> = HashMap::new();
    if def.subsections == Subsections::Inherit {
        for t in tables.iter().filter(|t| t.path.len() == 1) {
            let list = base.entry(t.path[0].as_str()).or_default();
            for e in t.entries.iter().filter(|e| known(&e.key)) {
                match list.iter_mut().find(|x| def.same_key(&x.key, &e.key)) {
                    Some(x) => *x = e,
                    None => list.push(e),
                }
            }
        }
    }
    let mut index: HashMap<&[String], usize> = HashMap::new();
    let mut out: Vec<Candidate<'t>> = Vec::new();
    for t in tables {
        let first = t.path.first().map_or("", String::as_str);
        let wanted = match (t.path.len(), def.subsections) {
            (0, _) => !skip_root,
            (1, Subsections::Alone) => false,
            (1, _) => true,
            (2, Subsections::Inherit | Subsections::Alone) => true,
            _ => false,
        };
        if !wanted || !def.sections.iter().any(|s| section_matches(def, s, first)) {
            continue;
        }
        if let Some(&i) = index.get(t.path.as_slice()) {
            out[i].2.extend(&t.entries);
            continue;
        }
        let anchor = t
            .header
            .clone()
            .or_else(|| t.entries.first().map(|e| e.key_span.clone()))
            .unwrap_or(0..0);
        let mut entries: Vec<&Entry> = Vec::new();
        if t.path.len() == 2 {
            entries.extend(base.get(first).into_iter().flatten());
        }
        entries.extend(&t.entries);
        index.insert(t.path.as_slice(), out.len());
        out.push((label(def, &t.path), anchor, entries));
    }
    out
}

/// A section name against a table's first path part; `name[]` stands for every element of a
/// sequence of tables (`name[0]`, `name[1]`: YAML lists of mappings), `[]` for a root list.
fn section_matches(def: &Definition, section: &str, first: &str) -> bool {
    match section.strip_suffix("[]") {
        Some(name) => first
            .strip_suffix(']')
            .and_then(|f| f.rsplit_once('['))
            .is_some_and(|(n, i)| {
                def.same_key(n, name) && !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit())
            }),
        None => def.same_key(section, first),
    }
}

fn label(def: &Definition, path: &[String]) -> String {
    match (def.syntax, path) {
        (_, []) => def.label.clone().unwrap_or_else(|| def.name.clone()),
        (Syntax::Msmtprc, [_, name]) => format!("account {name}"),
        (_, [s, sub]) => format!("[{s} \"{sub}\"]"),
        (_, p) => format!("[{}]", p.join(".")),
    }
}

#[cfg(test)]
mod tests;
