//! One run: discover → extract → resolve → identify → check → (probe) → select. Every caller
//! (the CLI, the tests, a library user) gets the same path; only `RunOptions` differ.
//!
//! Library code never prints: the outcome carries files, findings and input errors, and the
//! report layer decides what to show.

use crate::codes;
use std::path::{Path, PathBuf};

use crate::checks::{self, Ctx};
use crate::discover::Found;
use crate::extract::{self, Extraction, Format};
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
pub(crate) struct Input {
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
    /// Text to use instead of a file's content on disk, by canonical path (`check --fix`
    /// re-checks its edits in memory before it writes anything).
    pub overlay: Option<std::sync::Arc<std::collections::HashMap<PathBuf, String>>>,
}

/// Check the given files and folders with default options (inline suppressions still apply).
pub fn check_paths(paths: &[PathBuf], providers: &Providers) -> Outcome {
    check_paths_with(paths, providers, &RunOptions::default())
}

/// Check the given files and folders.
pub fn check_paths_with(paths: &[PathBuf], providers: &Providers, opts: &RunOptions) -> Outcome {
    let mut out = Outcome::default();
    let inputs = gather(paths, opts, &mut out);
    let read = read_all(&inputs, &mut out, opts);
    nothing_read(&mut out, read);
    finish(&mut out, providers, opts);
    out
}

/// The files to check: the paths named, and the candidates found in the folders named (their
/// walk's warnings go to `out`), in walk order. A file named twice (directly and through its
/// folder) is listed once; settings files are never checked.
pub(crate) fn gather(paths: &[PathBuf], opts: &RunOptions, out: &mut Outcome) -> Vec<Input> {
    let mut inputs = Vec::new();
    gather_each(paths, opts, &mut |g| {
        match g {
            Gathered::Input(i) => inputs.push(i),
            Gathered::Error(e) => out.errors.push(e),
            Gathered::Warning(w) => out.warnings.push(w),
        }
        true
    });
    inputs
}

/// What [`gather_each`] hands on.
pub(crate) enum Gathered {
    Input(Input),
    /// A path named that cannot be checked at all.
    Error(InputError),
    /// A path in a folder that was skipped.
    Warning(InputError),
}

/// Whether the file is read as an env file (`.env`, `.env.*`, `*.env`, or by `[formats]`);
/// `by_name` is the format its name gives.
pub(crate) fn is_env_file(opts: &RunOptions, path: &Path, by_name: Option<Format>) -> bool {
    forced_format(opts, path)
        .or(by_name)
        .is_some_and(|f| f.name() == "dotenv")
}

/// [`gather`], handing each input to `sink` as the walk finds it (`sink` returns `false` to
/// stop), in walk order ([`crate::discover::walk_order`]): the paths named in that order, a
/// folder's files where the folder is, each folder's env files before its other files.
///
/// When no path named lies in another (the usual case), nothing is kept per file, so a tree
/// of any size costs the same memory. Paths that overlap (a folder and a file in it, a folder
/// named through a link and directly) are gathered whole, listed once by their real path, and
/// sorted.
pub(crate) fn gather_each(
    paths: &[PathBuf],
    opts: &RunOptions,
    sink: &mut dyn FnMut(Gathered) -> bool,
) {
    let also = |p: &Path| forced_format(opts, p).is_some();
    let first = |p: &Path, by_name| is_env_file(opts, p, by_name);
    let select = crate::discover::Select {
        also: &also,
        first: &first,
    };
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => {
                let message = crate::input::io_message(&e);
                let path = path.clone();
                if !sink(Gathered::Error(InputError { path, message })) {
                    return;
                }
            }
            Ok(m) => {
                let env = !m.is_dir() && first(path, extract::detect(path, ""));
                roots.push((path, m.is_dir(), env));
            }
        }
    }
    roots.sort_by(|a, b| crate::discover::walk_order(a.0, a.2, b.0, b.2));
    let settings = |p: &Path| {
        p.file_name()
            .is_some_and(|n| crate::config::FILE_NAMES.iter().any(|c| n == *c))
    };
    let each = |path: &Path, is_dir: bool, sink: &mut dyn FnMut(Gathered) -> bool| {
        if !is_dir {
            let input = Input {
                path: path.to_path_buf(),
                explicit: true,
            };
            return settings(path) || sink(Gathered::Input(input));
        }
        let mut go = true;
        crate::discover::walk_each(path, &select, &mut |found| {
            go = match found {
                Found::File(p) if settings(&p) => true,
                Found::File(p) => sink(Gathered::Input(Input {
                    path: p,
                    explicit: false,
                })),
                Found::Skipped(path, message) => {
                    sink(Gathered::Warning(InputError { path, message }))
                }
            };
            go
        });
        go
    };
    let real: Vec<PathBuf> = match roots.len() {
        0 | 1 => Vec::new(),
        _ => roots
            .iter()
            .map(|(p, ..)| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
            .collect(),
    };
    if !overlap(&real) {
        for (path, is_dir, _) in roots {
            if !each(path, is_dir, sink) {
                return;
            }
        }
        return;
    }
    // Overlapping paths: every input, listed once by its real path, then sorted. A walk
    // follows no link, so a file found in a folder is the folder's real path joined with the
    // rest: one `canonicalize` per path named, not one per file found.
    let mut inputs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for ((path, is_dir, _), real) in roots.into_iter().zip(real) {
        let go = each(path, is_dir, &mut |g| match g {
            Gathered::Input(i) => {
                let key = match i.path.strip_prefix(path) {
                    Ok(rest) if is_dir => real.join(rest),
                    _ => real.clone(),
                };
                if seen.insert(key) {
                    let env = first(&i.path, extract::detect(&i.path, ""));
                    inputs.push((i, env));
                }
                true
            }
            other => sink(other),
        });
        if !go {
            return;
        }
    }
    inputs.sort_by(|a, b| crate::discover::walk_order(&a.0.path, a.1, &b.0.path, b.1));
    for (i, _) in inputs {
        if !sink(Gathered::Input(i)) {
            return;
        }
    }
}

/// Do any of these real paths lie in another (or name the same file)?
fn overlap(real: &[PathBuf]) -> bool {
    let mut sorted: Vec<&PathBuf> = real.iter().collect();
    sorted.sort();
    // In path order, whatever lies in a folder comes right after it.
    sorted.windows(2).any(|w| w[1].starts_with(w[0]))
}

/// Nothing could be read, and something was skipped: that is not a clean run (the warnings
/// become errors).
pub(crate) fn nothing_read(out: &mut Outcome, read: usize) {
    if read == 0 && out.errors.is_empty() && !out.warnings.is_empty() {
        out.errors.append(&mut out.warnings);
    }
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
    let id = out.sources.next_id();
    let loaded = Loaded::File {
        text: text.to_owned(),
        format,
        bad_utf8: None,
    };
    let input = Input {
        path: path.to_path_buf(),
        explicit: true,
    };
    add_read(&mut out, &input, id, prepare(&input, id, loaded));
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
    let id = out.sources.next_id();
    let read = prepare(&input, id, recognise(path, bytes, opts));
    add_read(&mut out, &input, id, read);
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

/// What reading one input gave: a file to extract, nothing to check (code that uses no mail
/// library), a file that is not configuration, or one that could not be read.
enum Loaded {
    File {
        text: String,
        format: Format,
        bad_utf8: Option<usize>,
    },
    Skip,
    /// Read, but not configuration (binary, or no format fits): an error only when named.
    NotConfig(String),
    /// Not read at all: an error when named, a warning when found in a walk.
    Unreadable(String),
}

/// Read, decode and recognise one input (the part of a run that touches the file system).
fn read_one(input: &Input, opts: &RunOptions) -> Loaded {
    if let Some(text) = opts.overlay.as_ref().and_then(|o| {
        let key = std::fs::canonicalize(&input.path).ok()?;
        o.get(&key)
    }) {
        return recognise(&input.path, text.clone().into_bytes(), opts);
    }
    let read = match input.explicit {
        true => crate::input::read_file(&input.path, MAX_FILE_SIZE),
        false => crate::input::read_walked_file(&input.path, MAX_FILE_SIZE),
    };
    match read {
        Ok(bytes) => recognise(&input.path, bytes, opts),
        Err(message) => Loaded::Unreadable(message),
    }
}

/// Decode bytes (NUL bytes and invalid UTF-8 treated the same for files and stdin) and choose
/// the format.
fn recognise(path: &Path, bytes: Vec<u8>, opts: &RunOptions) -> Loaded {
    let (text, bad_utf8) = match crate::input::decode(bytes) {
        Ok(t) => t,
        Err(m) => return Loaded::NotConfig(m),
    };
    let forced = forced_format(opts, path);
    match forced.or_else(|| extract::detect(path, &text)) {
        Some(format) => Loaded::File {
            text,
            format,
            bad_utf8,
        },
        None if extract::is_code_path(path) => Loaded::Skip,
        None => Loaded::NotConfig(
            "cannot tell the format of this file from its name or content (smtp-doctor reads .env files, *.toml, Thunderbird prefs.js/user.js)".into(),
        ),
    }
}

/// Read and extract every input on all cores, then add the results in input order, so a run's
/// file ids, findings and output do not depend on thread timing. Returns how many inputs could
/// be read at all.
pub(crate) fn read_all(inputs: &[Input], out: &mut Outcome, opts: &RunOptions) -> usize {
    // Input i gets id `base + i` if it is a file (ids need not be dense).
    let base = out.sources.next_id().0;
    let jobs: Vec<(FileId, &Input)> = (base..).map(FileId).zip(inputs).collect();
    let reads = par_map(&jobs, |(id, input)| read_input(input, *id, opts, &|_| {}));
    let mut read = 0;
    for ((id, input), r) in jobs.into_iter().zip(reads) {
        read += usize::from(add_read(out, input, id, r));
    }
    read
}

/// One input as a reading thread leaves it: the file ready to be added (its text, line index
/// and secrets) with what its reader found, or why it is not checked.
pub(crate) enum Read {
    File {
        file: SourceFile,
        bad_utf8: Option<usize>,
        ex: Extraction,
    },
    Skip,
    NotConfig(String),
    Unreadable(String),
}

impl Read {
    /// The size of the file's text (none if it is not a file to check).
    pub(crate) fn size(&self) -> usize {
        match self {
            Read::File { file, .. } => file.text.len(),
            _ => 0,
        }
    }
}

/// Read, recognise and extract one input as file `id` (the part of a run that can go on any
/// thread). `reserve` is told the size of the text before it is extracted, and may wait.
pub(crate) fn read_input(
    input: &Input,
    id: FileId,
    opts: &RunOptions,
    reserve: &dyn Fn(usize),
) -> Read {
    let loaded = read_one(input, opts);
    if let Loaded::File { text, .. } = &loaded {
        reserve(text.len());
    }
    prepare(input, id, loaded)
}

/// Extract a file that was read, and find the secrets in its text.
fn prepare(input: &Input, id: FileId, loaded: Loaded) -> Read {
    match loaded {
        Loaded::File {
            text,
            format,
            bad_utf8,
        } => {
            let mut ex = extract::extract(format, id, &text);
            let literal = crate::redact::literal_secrets(&text);
            let mut file = SourceFile::new(input.path.clone(), text);
            for s in std::mem::take(&mut ex.secrets).into_iter().chain(literal) {
                file.add_secret(s);
            }
            for p in &ex.profiles {
                if let Some(pw) = &p.password {
                    if pw.loc.file == id && !matches!(pw.origin, Origin::Default { .. }) {
                        file.add_secret(pw.loc.span.clone());
                    }
                }
            }
            Read::File { file, bad_utf8, ex }
        }
        Loaded::Skip => Read::Skip,
        Loaded::NotConfig(m) => Read::NotConfig(m),
        Loaded::Unreadable(m) => Read::Unreadable(m),
    }
}

/// Add what reading one input gave to the outcome: the file (as `id`) and its extraction, or
/// an error or warning. Returns whether the input could be read at all.
pub(crate) fn add_read(out: &mut Outcome, input: &Input, id: FileId, r: Read) -> bool {
    let error = |message| InputError {
        path: input.path.clone(),
        message,
    };
    match r {
        Read::File { file, bad_utf8, ex } => add_extraction(out, id, file, bad_utf8, ex),
        Read::Skip => {}
        Read::NotConfig(m) if input.explicit => out.errors.push(error(m)),
        Read::NotConfig(_) => {}
        Read::Unreadable(m) => {
            match input.explicit {
                true => out.errors.push(error(m)),
                false => out.warnings.push(error(m)),
            }
            return false;
        }
    }
    true
}

/// At most this many findings of one code from one file's reader; the rest become one summary.
pub const MAX_FINDINGS_PER_CODE: usize = 100;

/// Keep the first [`MAX_FINDINGS_PER_CODE`] findings of each code a reader made for one file and
/// say how many more there were, so a file of junk lines costs what is reported, not what is read.
fn cap_per_code(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(findings.len().min(4 * MAX_FINDINGS_PER_CODE));
    let mut dropped: Vec<(Finding, usize)> = Vec::new();
    for f in findings {
        let n = seen.entry(f.code.clone()).or_default();
        *n += 1;
        if *n <= MAX_FINDINGS_PER_CODE {
            kept.push(f);
        } else if let Some(d) = dropped.iter_mut().find(|(d, _)| d.code == f.code) {
            d.1 += 1;
        } else {
            dropped.push((f, 1));
        }
    }
    for (first, more) in dropped {
        let mut summary = Finding::new(
            first.code.clone(),
            first.severity,
            format!(
                "{more} more `{}` findings in this file are not shown (the first {MAX_FINDINGS_PER_CODE} are)",
                first.code
            ),
            Label::new(first.primary().clone(), "the first of them"),
        );
        summary.help = Some("fix the ones shown and check the file again".into());
        kept.push(summary);
    }
    kept
}

/// `f` over `items` on every core (scoped threads taking the next item from a shared counter);
/// the results in the order of `items`.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, R)> = parts.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Add a file (as `id`) and what its extraction found.
fn add_extraction(
    out: &mut Outcome,
    id: FileId,
    file: SourceFile,
    bad_utf8: Option<usize>,
    ex: Extraction,
) {
    let len = file.text.len();
    let path = (!ex.env.is_empty()).then(|| file.path.clone());
    out.sources.add_as(id, file);
    out.files_checked += 1;
    if let Some(at) = bad_utf8 {
        let end = (at + '\u{fffd}'.len_utf8()).min(len);
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
    out.findings.extend(cap_per_code(ex.findings));
    out.profiles.extend(ex.profiles);
    if let Some(path) = path {
        out.env_files.push(crate::resolve::EnvFile {
            id,
            path,
            defs: ex.env,
        });
    }
}

fn finish(out: &mut Outcome, providers: &Providers, opts: &RunOptions) {
    resolve_step(out);
    // With --probe, a custom login/From domain whose MX names a provider counts as its.
    let learned = opts
        .probe
        .as_ref()
        .and_then(|p| crate::probing::learn_mx_domains(&out.profiles, providers, p));
    let providers = learned.as_ref().unwrap_or(providers);
    identify_and_check(out, providers);
    crate::redact::mask_every_copy(&mut out.sources);
    sort_and_dedup(&mut out.findings);
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

/// Stable order: file, position, code; and each finding once. Two readers can report the same
/// value (a .env line read by the dotenv reader and by the code that uses it): one finding per
/// code and place.
pub(crate) fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by_key(dedup_key);
    findings.dedup_by(|a, b| dedup_key(a) == dedup_key(b));
}

/// What makes two findings the same finding: their file, where they start, and their code.
pub(crate) fn dedup_key(f: &Finding) -> (FileId, usize, String) {
    (f.primary().file, f.primary().span.start, f.code.clone())
}

/// Env references filled from the run's env files; their secrets are masked there too.
fn resolve_step(out: &mut Outcome) {
    let resolved = crate::resolve::resolve(&mut out.profiles, &out.env_files, &out.sources);
    out.findings.extend(resolved);
    for p in &out.profiles {
        if let Some(pw) = &p.password {
            if let Some(file) = out.sources.get_mut(pw.loc.file) {
                file.add_secret(pw.loc.span.clone());
            }
        }
    }
}

/// The provider of each profile (kept on the outcome), and the checks that use it.
fn identify_and_check(out: &mut Outcome, providers: &Providers) {
    out.identified.clear();
    let findings = check_profiles(&out.profiles, providers, &out.sources, &mut out.identified);
    out.findings.extend(findings);
}

/// Identify the provider of each profile (pushed to `identified`, in order) and run the checks.
pub(crate) fn check_profiles(
    profiles: &[Profile],
    providers: &Providers,
    sources: &Sources,
    identified: &mut Vec<Option<Identity>>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for p in profiles {
        let ident = identify(p, providers);
        identified.push(ident.as_ref().map(|i| i.identity()));
        let ctx = Ctx {
            profile: p,
            ident,
            providers,
            sources: Some(sources),
        };
        findings.extend(checks::run(&ctx));
    }
    findings
}

/// The file of a finding's primary label.
pub fn finding_file(f: &Finding) -> FileId {
    f.primary().file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_the_order_of_its_items() {
        let items: Vec<u64> = (0..5_000).collect();
        // Uneven work, so threads finish out of order.
        let out = par_map(&items, |&i| {
            let mut x = i;
            for _ in 0..(i % 7) * 100 {
                x = x.wrapping_mul(31).wrapping_add(1);
            }
            (i, x)
        });
        assert_eq!(out.len(), items.len());
        assert!(out.iter().enumerate().all(|(k, (i, _))| *i == k as u64));
        assert!(par_map(&[] as &[u64], |&i| i).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_named_twice_is_gathered_once_whatever_the_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("app/sub")).unwrap();
        std::fs::write(d.join("app/.env"), "SMTP_HOST=x\n").unwrap();
        std::fs::write(d.join("app/sub/.env"), "SMTP_HOST=y\n").unwrap();
        // A link to the folder: the same files by another path.
        std::os::unix::fs::symlink(d.join("app"), d.join("link")).unwrap();
        let gathered = |paths: &[PathBuf]| {
            let mut out = Outcome::default();
            let inputs = gather(paths, &RunOptions::default(), &mut out);
            inputs.into_iter().map(|i| i.path).collect::<Vec<_>>()
        };
        let got = gathered(&[
            d.join("app"),
            d.join("app/sub/.env"),
            d.join("link"),
            d.join("app/./sub"),
        ]);
        assert_eq!(got, [d.join("app/.env"), d.join("app/sub/.env")]);
        // One folder named: each file once, no key needed.
        assert_eq!(gathered(&[d.join("app")]).len(), 2);
    }
}
