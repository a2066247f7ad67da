//! One run: discover → extract → resolve → identify → check → (probe) → select. Every caller
//! (the CLI, the tests, a library user) gets the same path; only `RunOptions` differ.
//!
//! Library code never prints: the outcome carries files, findings and input errors, and the
//! report layer decides what to show.

use crate::codes;
use std::path::{Path, PathBuf};

use crate::checks::{self, Ctx};
use crate::extract::{self, Format};
use crate::finding::{Finding, Label, Severity};
use crate::identify::{identify, Identity};
use crate::model::{Origin, Profile};
use crate::providers::Providers;
use crate::source::{FileId, Loc, SourceFile, Sources};

/// Files larger than this are not read (configuration files are small).
pub const MAX_FILE_SIZE: u64 = crate::input::MAX_FILE_SIZE;

/// A path that could not be checked at all (exit code 2).
#[derive(Debug, Clone)]
pub struct InputError {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub sources: Sources,
    pub findings: Vec<Finding>,
    pub profiles: Vec<Profile>,
    /// The provider the identify step found for each profile (same order as `profiles`).
    pub identified: Vec<Option<Identity>>,
    /// Variables defined by env files, for the resolve step.
    pub env_files: Vec<crate::resolve::EnvFile>,
    pub errors: Vec<InputError>,
    /// Paths found in a folder that could not be read (shown, but the run goes on; they become
    /// errors when nothing at all could be read).
    pub warnings: Vec<InputError>,
    /// Files read and recognised as a configuration format.
    pub files_checked: usize,
    /// What live probes observed (only with `--probe`).
    pub probes: Vec<crate::probe::ProbeReport>,
}

/// One file to check, with its format if the caller already knows it.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// Named explicitly by the user (errors are reported) rather than found in a folder.
    pub explicit: bool,
}

/// What a run reports, beyond the providers.
#[derive(Debug, Default, Clone)]
pub struct RunOptions {
    pub selection: crate::select::Selection,
    /// Formats chosen by glob for files whose name says nothing.
    pub formats: Vec<(globset::GlobMatcher, Format)>,
    /// Probe every server the profiles name, after the checks and before selection
    /// (`--probe`); `None` keeps the run off the network.
    pub probe: Option<crate::probe::ProbeOptions>,
}

/// Check the given files and folders with default options (inline suppressions still apply).
pub fn check_paths(paths: &[PathBuf], providers: &Providers) -> Outcome {
    check_paths_with(paths, providers, &RunOptions::default())
}

/// Check the given files and folders.
pub fn check_paths_with(paths: &[PathBuf], providers: &Providers, opts: &RunOptions) -> Outcome {
    let mut out = Outcome::default();
    let mut inputs = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => out.errors.push(InputError {
                path: path.clone(),
                message: io_message(&e),
            }),
            Ok(m) if m.is_dir() => {
                let walk = crate::discover::walk(path, &|p| forced_format(opts, p).is_some());
                out.warnings.extend(
                    walk.errors
                        .into_iter()
                        .map(|(path, message)| InputError { path, message }),
                );
                inputs.extend(walk.files.into_iter().map(|p| Input {
                    path: p,
                    explicit: false,
                }));
            }
            Ok(_) => inputs.push(Input {
                path: path.clone(),
                explicit: true,
            }),
        }
    }
    // A file named twice (directly and through its folder) is checked once.
    let mut seen = std::collections::HashSet::new();
    inputs
        .retain(|i| seen.insert(std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone())));
    inputs.retain(|i| {
        !i.path
            .file_name()
            .is_some_and(|n| crate::config::FILE_NAMES.iter().any(|c| n == *c))
    });
    let mut read = 0;
    for input in inputs {
        read += usize::from(read_one(&input, &mut out, opts));
    }
    // Nothing could be read, and something was skipped: that is not a clean run.
    if read == 0 && out.errors.is_empty() && !out.warnings.is_empty() {
        out.errors.append(&mut out.warnings);
    }
    finish(&mut out, providers, opts);
    out
}

/// Check text that did not come from disk (stdin), as if it were `path`.
pub fn check_text(
    path: &Path,
    text: &str,
    format: Format,
    providers: &Providers,
    opts: &RunOptions,
) -> Outcome {
    let mut out = Outcome::default();
    add_file(&mut out, path.to_path_buf(), text.to_owned(), format, None);
    finish(&mut out, providers, opts);
    out
}

/// Check bytes that did not come from disk (stdin) as if they were the file `path`: the same
/// treatment of NUL bytes, invalid UTF-8 and unknown formats as a file named on the command line.
pub fn check_bytes(
    path: &Path,
    bytes: Vec<u8>,
    providers: &Providers,
    opts: &RunOptions,
) -> Outcome {
    let mut out = Outcome::default();
    let input = Input {
        path: path.to_path_buf(),
        explicit: true,
    };
    add_bytes(&input, bytes, &mut out, opts);
    finish(&mut out, providers, opts);
    out
}

/// The format the settings file assigns to a path (globs are matched against absolute paths).
pub fn forced_format(opts: &RunOptions, path: &Path) -> Option<Format> {
    if opts.formats.is_empty() {
        return None;
    }
    let abs = std::path::absolute(path).ok()?;
    opts.formats
        .iter()
        .find(|(g, _)| g.is_match(&abs))
        .map(|(_, f)| *f)
}

fn io_message(e: &std::io::Error) -> String {
    crate::input::io_message(e)
}

/// Read one file (regular files only, at most [`MAX_FILE_SIZE`] bytes: src/input.rs) and add
/// it. Returns whether its bytes could be read. A file that cannot be read is an error when the
/// user named it, a warning when a walk found it; a walked file that is binary or of no known
/// format is skipped silently.
fn read_one(input: &Input, out: &mut Outcome, opts: &RunOptions) -> bool {
    match crate::input::read_file(&input.path, MAX_FILE_SIZE) {
        Ok(bytes) => {
            add_bytes(input, bytes, out, opts);
            true
        }
        Err(message) => {
            let e = InputError {
                path: input.path.clone(),
                message,
            };
            if input.explicit {
                out.errors.push(e);
            } else {
                out.warnings.push(e);
            }
            false
        }
    }
}

fn add_bytes(input: &Input, bytes: Vec<u8>, out: &mut Outcome, opts: &RunOptions) {
    let path = &input.path;
    let fail = |out: &mut Outcome, message: String| {
        if input.explicit {
            out.errors.push(InputError {
                path: path.clone(),
                message,
            });
        }
    };
    let (text, bad_utf8) = match crate::input::decode(bytes) {
        Ok(t) => t,
        Err(m) => return fail(out, m),
    };
    let forced = forced_format(opts, path);
    let Some(format) = forced.or_else(|| extract::detect(path, &text)) else {
        if extract::is_code_path(path) {
            return; // source code that uses no mail library this tool reads
        }
        return fail(
            out,
            "cannot tell the format of this file from its name or content (smtp-doctor reads .env files, *.toml, Thunderbird prefs.js/user.js)".into(),
        );
    };
    add_file(out, path.clone(), text, format, bad_utf8);
}

fn add_file(
    out: &mut Outcome,
    path: PathBuf,
    text: String,
    format: Format,
    bad_utf8: Option<usize>,
) {
    let id = out.sources.add(SourceFile::new(path, text));
    out.files_checked += 1;
    let file = out.sources.get(id);
    let text = file.text.clone();
    if let Some(at) = bad_utf8 {
        let end = (at + '\u{fffd}'.len_utf8()).min(text.len());
        out.findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                Severity::Error,
                "the file is not valid UTF-8",
                Label::new(Loc::new(id, at..end), "invalid byte here"),
            )
            .with_help("save the file as UTF-8; the invalid bytes were replaced before checking"),
        );
    }
    let ex = extract::extract(format, id, &text);
    let file = out.sources.get_mut(id);
    for s in ex.secrets {
        file.add_secret(s);
    }
    for p in &ex.profiles {
        if let Some(pw) = &p.password {
            if pw.loc.file == id && !matches!(pw.origin, Origin::Default { .. }) {
                file.add_secret(pw.loc.span.clone());
            }
        }
    }
    out.findings.extend(ex.findings);
    out.profiles.extend(ex.profiles);
    if !ex.env.is_empty() {
        out.env_files.push(crate::resolve::EnvFile {
            path: out.sources.path(id).to_path_buf(),
            defs: ex.env,
        });
    }
}

fn finish(out: &mut Outcome, providers: &Providers, opts: &RunOptions) {
    resolve_step(out);
    identify_and_check(out, providers);
    crate::redact::mask_every_copy(&mut out.sources);
    // Stable order: file, position, code; and each finding once.
    // Two readers can report the same value (a .env line read by the dotenv reader and by the
    // code that uses it): one finding per code and place.
    let key = |f: &Finding| (f.primary().file, f.primary().span.start, f.code.clone());
    out.findings.sort_by_key(key);
    out.findings.dedup_by(|a, b| key(a) == key(b));
    if let Some(probe) = &opts.probe {
        let mut probe = probe.clone();
        // Providers recognised by MX are the run's, user rule folders included.
        probe.mx_rules = std::sync::Arc::new(crate::probe::mx_rules(providers));
        crate::probing::probe_profiles(out, &probe);
    }
    out.findings = crate::select::apply(
        std::mem::take(&mut out.findings),
        &out.sources,
        &opts.selection,
        opts.probe.is_some(),
    );
}

/// Env references filled from the run's env files; their secrets are masked there too.
fn resolve_step(out: &mut Outcome) {
    let resolved = crate::resolve::resolve(&mut out.profiles, &out.env_files, &out.sources);
    out.findings.extend(resolved);
    for p in &out.profiles {
        if let Some(pw) = &p.password {
            out.sources
                .get_mut(pw.loc.file)
                .add_secret(pw.loc.span.clone());
        }
    }
}

/// The provider of each profile (kept on the outcome), and the checks that use it.
fn identify_and_check(out: &mut Outcome, providers: &Providers) {
    out.identified.clear();
    for p in &out.profiles {
        let ident = identify(p, providers);
        out.identified.push(ident.as_ref().map(|i| i.identity()));
        let ctx = Ctx {
            profile: p,
            ident,
            providers,
        };
        out.findings.extend(checks::run(&ctx));
    }
}

/// The file of a finding's primary label.
pub fn finding_file(f: &Finding) -> FileId {
    f.primary().file
}
