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
use crate::model::{EnvRef, Origin, Profile};
use crate::source::{FileId, Loc, Sources};

/// Env definitions of one file.
#[derive(Debug)]
pub struct EnvFile {
    pub id: FileId,
    pub path: std::path::PathBuf,
    pub defs: Vec<EnvDef>,
}

/// Fill every profile's env references; returns findings for values the client cannot use.
/// Then drops the env files' own readings of the lines code reads ([`drop_read_env_profiles`]).
pub fn resolve(
    profiles: &mut Vec<Profile>,
    env_files: &[EnvFile],
    sources: &Sources,
) -> Vec<Finding> {
    let mut consumed: HashSet<Loc> = HashSet::new();
    let findings = resolve_refs(profiles, env_files, sources, &mut consumed);
    let env_ids: HashSet<FileId> = env_files.iter().map(|f| f.id).collect();
    drop_read_env_profiles(profiles, &consumed, &|id| env_ids.contains(&id));
    findings
}

/// Fill the env references of `profiles` from `env_files`; the definitions used are added to
/// `consumed`. Returns findings for values the client cannot use.
pub fn resolve_refs(
    profiles: &mut [Profile],
    env_files: &[EnvFile],
    sources: &Sources,
    consumed: &mut HashSet<Loc>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let by_dir = EnvIndex::new(env_files);
    for p in profiles.iter_mut() {
        let refs = std::mem::take(&mut p.env_refs);
        if refs.is_empty() {
            continue;
        }
        let code_path = sources.path(p.file()).to_path_buf();
        let candidates = by_dir.candidates(&code_path);
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
                            part_loc(sources, d, r),
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
    findings
}

/// Drop an env file's own reading of lines that code interprets: when code reads its server
/// settings (host, port or TLS), or anything at all of a reading that names no host. A file
/// whose code reads only, say, the From keeps its own reading of the server. A value may come
/// from inside a definition that code reads whole (a part of MAIL_URL). `is_env_file` tells
/// the files whose profiles are such readings.
pub fn drop_read_env_profiles(
    profiles: &mut Vec<Profile>,
    consumed: &HashSet<Loc>,
    is_env_file: &dyn Fn(FileId) -> bool,
) {
    let mut read_spans: HashMap<FileId, Vec<Range<usize>>> = HashMap::new();
    for l in consumed {
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
        let env_file = is_env_file(p.file());
        let read = |l: Option<&Loc>| l.is_some_and(&within);
        let server_read = read(p.host.as_ref().map(|v| &v.loc))
            || read(p.port.as_ref().map(|v| &v.loc))
            || read(p.security.as_ref().map(|v| &v.loc));
        let any_read = p.field_locs().iter().any(|l| within(l));
        !(env_file && (server_read || (p.host.is_none() && any_read)))
    });
}

/// Where the value a reference takes was written: the part of the definition it reads (a
/// `MAIL_URL`'s port), when the file holds the value verbatim; else the whole definition.
fn part_loc(sources: &Sources, d: &EnvDef, r: &EnvRef) -> Loc {
    let Some(sub) = r.conversion.span_in(&d.value) else {
        return d.loc.clone();
    };
    let text = &sources.get(d.loc.file).text;
    let verbatim = text.get(d.loc.span.clone()) == Some(d.value.as_str());
    if verbatim && sub.end <= d.value.len() {
        let start = d.loc.span.start;
        Loc::new(d.loc.file, start + sub.start..start + sub.end)
    } else {
        d.loc.clone()
    }
}

/// Env files by folder, so that finding the ones that apply to a code file costs the depth of
/// its path, not the number of env files in the run.
struct EnvIndex<'a> {
    by_dir: HashMap<&'a Path, Vec<&'a EnvFile>>,
}

impl<'a> EnvIndex<'a> {
    fn new(env_files: &'a [EnvFile]) -> Self {
        let mut by_dir: HashMap<&Path, Vec<&EnvFile>> = HashMap::new();
        for f in env_files {
            if let Some(dir) = f.path.parent() {
                by_dir.entry(dir).or_default().push(f);
            }
        }
        // In each folder `.env` first, then the `.env.*` variants by name.
        for files in by_dir.values_mut() {
            files.sort_by(|a, b| {
                let plain = |f: &EnvFile| f.path.file_name().is_some_and(|n| n == ".env");
                (!plain(a), &a.path).cmp(&(!plain(b), &b.path))
            });
        }
        EnvIndex { by_dir }
    }

    /// Env files that apply to a code file: those in its folder or an ancestor folder, closest
    /// first, `.env` before `.env.*` variants.
    fn candidates(&self, code: &Path) -> Vec<&'a EnvFile> {
        code.ancestors()
            .skip(1)
            .filter_map(|dir| self.by_dir.get(dir))
            .flatten()
            .copied()
            .collect()
    }
}
