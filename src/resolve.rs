//! Resolve: fill the fields that code reads from the environment, from the `.env` files of the
//! same project (the closest folder first; `.env` before `.env.*`), or from the default written
//! in code. A value taken from an env file keeps the span of its definition and remembers the
//! code that reads it, so a finding labels both places.
//!
//! When code reads a `.env` file's variables, the code decides what they mean (Nodemailer's
//! `secure` is not Django's `EMAIL_USE_SSL`), so the `.env` file's own guess at a profile over
//! the same lines is dropped and each mistake is reported once.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use crate::extract::EnvDef;
use crate::finding::{Finding, Label, Severity};
use crate::model::conversion::Applied;
use crate::model::{Client, Origin, Profile};
use crate::source::{FileId, Loc, Sources};

/// Env definitions of one file.
#[derive(Debug)]
pub struct EnvFile {
    pub path: std::path::PathBuf,
    pub defs: Vec<EnvDef>,
}

/// Fill every profile's env references; returns findings for values the client cannot use.
pub fn resolve(
    profiles: &mut Vec<Profile>,
    env_files: &[EnvFile],
    sources: &Sources,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut consumed: HashSet<Loc> = HashSet::new();
    for p in profiles.iter_mut() {
        let refs = std::mem::take(&mut p.env_refs);
        if refs.is_empty() {
            continue;
        }
        let code_path = sources.path(p.file()).to_path_buf();
        let candidates = candidates(&code_path, env_files);
        for r in &refs {
            let def = candidates
                .iter()
                .find_map(|f| f.defs.iter().rev().find(|d| d.name == r.var));
            match (def, &r.default) {
                // `X=` in the .env file and `process.env.X || 'd'` in code: the code's default.
                (Some(d), Some((text, loc))) if r.default_if_empty && d.value.is_empty() => {
                    consumed.insert(d.loc.clone());
                    if let Some(v) = r.apply(text) {
                        p.set(v, loc.clone(), Origin::Literal);
                    }
                }
                (Some(d), _) => {
                    consumed.insert(d.loc.clone());
                    match r.applied(&d.value) {
                        Applied::Set(v) => p.set(
                            v,
                            d.loc.clone(),
                            Origin::Env {
                                var: r.var.clone(),
                                reference: r.reference.clone(),
                            },
                        ),
                        Applied::Keep => {}
                        Applied::Refused => findings.push(
                            Finding::new(
                                "invalid-value",
                                Severity::Error,
                                format!(
                                    "`{}` cannot be used here: the code expects {}",
                                    r.var,
                                    r.expects()
                                ),
                                Label::new(d.loc.clone(), "defined here"),
                            )
                            .with_label(Label::new(r.reference.clone(), "read here")),
                        ),
                    }
                }
                (None, Some((text, loc))) => {
                    if let Some(v) = r.apply(text) {
                        p.set(v, loc.clone(), Origin::Literal);
                    }
                }
                (None, None) => {} // unresolved: not an error, the value comes from elsewhere
            }
        }
    }
    // Drop an env file's own reading of lines that code interprets: when code reads its server
    // settings (host, port or TLS), or anything at all of a reading that names no host. A file
    // whose code reads only, say, the From keeps its own reading of the server. A value may
    // come from inside a definition that code reads whole (a part of MAIL_URL).
    let mut read_spans: HashMap<FileId, Vec<Range<usize>>> = HashMap::new();
    for l in &consumed {
        read_spans.entry(l.file).or_default().push(l.span.clone());
    }
    let within = |l: &Loc| {
        read_spans.get(&l.file).is_some_and(|spans| {
            spans
                .iter()
                .any(|s| s.start <= l.span.start && l.span.end <= s.end)
        })
    };
    profiles.retain(|p| {
        let env_file = matches!(
            p.client,
            Client::Laravel | Client::Django | Client::DotenvGeneric
        );
        let read = |l: Option<&Loc>| l.is_some_and(&within);
        let server_read = read(p.host.as_ref().map(|v| &v.loc))
            || read(p.port.as_ref().map(|v| &v.loc))
            || read(p.security.as_ref().map(|v| &v.loc));
        let any_read = p.field_locs().iter().any(|l| within(l));
        !(env_file && (server_read || (p.host.is_none() && any_read)))
    });
    findings
}

/// Env files that apply to a code file: those in its folder or an ancestor folder, closest first,
/// `.env` before `.env.*` variants.
fn candidates<'a>(code: &Path, env_files: &'a [EnvFile]) -> Vec<&'a EnvFile> {
    let mut out: Vec<(usize, bool, &EnvFile)> = env_files
        .iter()
        .filter_map(|f| {
            let dir = f.path.parent()?;
            let depth = code.ancestors().skip(1).position(|a| a == dir)?;
            let is_plain = f.path.file_name().is_some_and(|n| n == ".env");
            Some((depth, !is_plain, f))
        })
        .collect();
    out.sort_by(|a, b| (a.0, a.1, &a.2.path).cmp(&(b.0, b.1, &b.2.path)));
    out.into_iter().map(|(_, _, f)| f).collect()
}
