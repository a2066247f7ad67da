//! A run in parts, for the output formats that print one finding at a time (`concise`,
//! `json-lines`, `github`): memory is bounded by one batch of files and the env files of the
//! folders above it, not by the size of the tree.
//!
//! The steps are the engine's (read and extract on every core, resolve, identify, check,
//! select); what changes is when a file's findings are final:
//!
//! - a file that defines env variables (`.env`) waits until every file below its folder has
//!   been checked, because code there may read its lines (then the file's own reading of those
//!   lines is dropped, and a finding at one of its lines must be reported once, whichever
//!   reader made it);
//! - every other file is final after its batch: its findings are printed and its text is
//!   forgotten (unless a waiting finding labels it).
//!
//! Inputs come from the walk as it finds them, in walk order ([`crate::discover::walk_order`]): a
//! folder's files are consecutive and its env files come first, so an env file is loaded before the
//! first file below its folder. Findings come out batch by batch, an env file's after its folder's;
//! the set of findings is the one a whole run reports (`tests/stream.rs` compares them on every
//! fixture).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::engine::{self, Input, Outcome, Read, RunOptions};
use crate::finding::{Finding, Severity};
use crate::model::Profile;
use crate::providers::Providers;
use crate::read_ahead::read_ahead;
use crate::report::Tally;
use crate::resolve::EnvFile;
use crate::source::{FileId, Loc};

/// Files read and checked together (on every core) before their findings are printed.
pub const BATCH: usize = 256;

/// What a streamed run leaves when every part has been shown: the counts for the summary line,
/// the worst severity seen, and the input errors and warnings.
#[derive(Debug, Default)]
pub struct Streamed {
    pub tally: Tally,
    pub worst: Option<Severity>,
    pub errors: Vec<engine::InputError>,
    pub warnings: Vec<engine::InputError>,
    /// `show` asked to stop (its output went away): the rest was not checked.
    pub stopped: bool,
}

/// An env file that is loaded and whose findings wait for its folder to be done.
struct Waiting {
    dir: PathBuf,
    id: FileId,
    profiles: Vec<Profile>,
    findings: Vec<Finding>,
    /// The [`engine::dedup_key`] of each waiting finding: a finding made again (each file
    /// below the folder that reads the same line) is dropped at once, as the first one is the
    /// one shown, so that it neither waits nor keeps the file that made it.
    keys: HashSet<(FileId, usize, String)>,
}

struct Run<'a> {
    show_fn: &'a mut dyn FnMut(&Outcome) -> bool,
    providers: &'a Providers,
    opts: &'a RunOptions,
    /// Sources of every file so far (the texts of finished files are released).
    out: Outcome,
    env_files: Vec<EnvFile>,
    waiting: Vec<Waiting>,
    consumed: HashSet<Loc>,
    /// Files whose text a waiting finding still needs, with how many findings need it.
    pinned: HashMap<FileId, usize>,
    streamed: Streamed,
}

/// Check `paths` like [`engine::check_paths_with`] (no probes), handing each part's findings to
/// `show` as soon as they are final; `show` returns `false` to stop the run.
pub fn check_paths_streaming(
    paths: &[PathBuf],
    providers: &Providers,
    opts: &RunOptions,
    show: &mut dyn FnMut(&Outcome) -> bool,
) -> Streamed {
    check_paths_in_batches(paths, providers, opts, BATCH, show)
}

/// [`check_paths_streaming`] with batches of `batch` files (at least one).
pub fn check_paths_in_batches(
    paths: &[PathBuf],
    providers: &Providers,
    opts: &RunOptions,
    batch_size: usize,
    show: &mut dyn FnMut(&Outcome) -> bool,
) -> Streamed {
    let batch_size = batch_size.max(1);
    let mut run = Run {
        show_fn: show,
        providers,
        opts,
        out: Outcome::default(),
        env_files: Vec::new(),
        waiting: Vec::new(),
        consumed: HashSet::new(),
        pinned: HashMap::new(),
        streamed: Streamed::default(),
    };
    // Files are read ahead, two batches at a time, while a batch is checked and shown.
    let first_id = run.out.sources.next_id();
    let window = 2 * batch_size;
    let read = read_ahead(paths, opts, window, first_id, |ahead| {
        let mut read = 0;
        while !run.streamed.stopped {
            let batch = ahead.take(batch_size, &mut run.out);
            if batch.is_empty() {
                break;
            }
            let bytes = batch.iter().map(|(_, _, r)| r.size()).sum();
            read += run.batch(batch);
            ahead.done_with(bytes);
            // Env files whose folder holds none of the files still to come are done.
            let upcoming = ahead.upcoming(&mut run.out).map(Path::to_path_buf);
            run.finish_folders(upcoming.as_deref());
        }
        read
    });
    run.finish_folders(None);
    engine::nothing_read(&mut run.out, read);
    let Run {
        out, mut streamed, ..
    } = run;
    streamed.tally.files_checked = out.files_checked;
    streamed.tally.unreadable = out.errors.len() + out.warnings.len();
    streamed.errors = out.errors;
    streamed.warnings = out.warnings;
    streamed
}

impl Run<'_> {
    /// Read, extract, resolve and check one batch; show the findings of its files that are
    /// final. Returns how many inputs could be read.
    fn batch(&mut self, batch: Vec<(Input, FileId, Read)>) -> usize {
        let first = batch.first().map_or(u32::MAX, |(_, id, _)| id.0);
        let mut read = 0;
        let mut ids = Vec::with_capacity(batch.len());
        for (input, id, r) in batch {
            if matches!(r, Read::File { .. }) {
                ids.push(id);
            }
            read += usize::from(engine::add_read(&mut self.out, &input, id, r));
        }
        let mut profiles = std::mem::take(&mut self.out.profiles);
        let mut findings = std::mem::take(&mut self.out.findings);
        // The env files of this batch start waiting, with their own profiles and findings.
        let new_env = std::mem::take(&mut self.out.env_files);
        // One pass over the batch's profiles sorts out the env files' own (a pass per env file
        // moved every profile of the batch once for each of them).
        let mut own: HashMap<FileId, Vec<Profile>> =
            new_env.iter().map(|e| (e.id, Vec::new())).collect();
        let mut rest = Vec::with_capacity(profiles.len());
        for p in profiles {
            match own.get_mut(&p.file()) {
                Some(v) => v.push(p),
                None => rest.push(p),
            }
        }
        profiles = rest;
        for env in &new_env {
            self.waiting.push(Waiting {
                dir: env.path.parent().unwrap_or(Path::new("")).to_path_buf(),
                id: env.id,
                profiles: own.remove(&env.id).unwrap_or_default(),
                findings: Vec::new(),
                keys: HashSet::new(),
            });
        }
        self.env_files.extend(new_env);
        // Env files can refer to each other's variables (`${X}`): resolve the new ones too.
        for w in self
            .waiting
            .iter_mut()
            .filter(|w| w.id.0 >= first && w.profiles.iter().any(|p| !p.env_refs.is_empty()))
        {
            let found = crate::resolve::resolve_refs(
                &mut w.profiles,
                &self.env_files,
                &self.out.sources,
                &mut self.consumed,
            );
            findings.extend(found);
        }
        findings.extend(crate::resolve::resolve_refs(
            &mut profiles,
            &self.env_files,
            &self.out.sources,
            &mut self.consumed,
        ));
        self.streamed.tally.profiles += profiles.len();
        let mut ident = Vec::new();
        findings.extend(engine::check_profiles(
            &profiles,
            self.providers,
            &self.out.sources,
            &mut ident,
        ));
        drop(profiles);
        // A finding at a waiting env file waits with it.
        let mut now = Vec::new();
        let slot: HashMap<FileId, usize> = (self.waiting.iter().enumerate())
            .map(|(i, w)| (w.id, i))
            .collect();
        for f in findings {
            match slot.get(&f.primary().file) {
                Some(&i) => {
                    let w = &mut self.waiting[i];
                    if w.keys.insert(engine::dedup_key(&f)) {
                        for id in other_files(&f) {
                            *self.pinned.entry(id).or_default() += 1;
                        }
                        w.findings.push(f);
                    }
                }
                None => now.push(f),
            }
        }
        let part: HashSet<FileId> = ids
            .iter()
            .copied()
            .filter(|id| !slot.contains_key(id))
            .collect();
        self.show(now, &part);
        for id in part {
            if !self.pinned.contains_key(&id) {
                self.out.sources.release(id);
            }
        }
        read
    }

    /// Check and show the env files whose folder is done: every one, or those whose folder
    /// does not hold `upcoming`.
    fn finish_folders(&mut self, upcoming: Option<&Path>) {
        let (done, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| upcoming.is_none_or(|u| !u.starts_with(&w.dir)));
        self.waiting = keep;
        if done.is_empty() {
            return;
        }
        let done_ids: HashSet<FileId> = done.iter().map(|w| w.id).collect();
        let mut findings = Vec::new();
        let mut released = Vec::new();
        for mut w in done {
            crate::resolve::drop_read_env_profiles(&mut w.profiles, &self.consumed, &|_| true);
            self.streamed.tally.profiles += w.profiles.len();
            let mut ident = Vec::new();
            findings.extend(engine::check_profiles(
                &w.profiles,
                self.providers,
                &self.out.sources,
                &mut ident,
            ));
            for f in &w.findings {
                released.extend(other_files(f));
            }
            findings.append(&mut w.findings);
        }
        self.show(findings, &done_ids);
        self.env_files.retain(|e| !done_ids.contains(&e.id));
        self.consumed.retain(|l| !done_ids.contains(&l.file));
        for id in done_ids {
            self.out.sources.release(id);
        }
        for id in released {
            if let Some(n) = self.pinned.get_mut(&id) {
                *n -= 1;
                if *n == 0 {
                    self.pinned.remove(&id);
                    if !self.waiting.iter().any(|w| w.id == id) {
                        self.out.sources.release(id);
                    }
                }
            }
        }
    }

    /// Select, order and show final findings of the files in `part`.
    fn show(&mut self, mut findings: Vec<Finding>, part: &HashSet<FileId>) {
        engine::sort_and_dedup(&mut findings);
        let findings = crate::select::apply_in(
            findings,
            &self.out.sources,
            &|id| part.contains(&id),
            &self.opts.selection,
            false,
        );
        if findings.is_empty() || self.streamed.stopped {
            return;
        }
        self.streamed.tally.count(&findings);
        let worst = findings.iter().map(|f| f.severity).max();
        self.streamed.worst = self.streamed.worst.max(worst);
        self.out.findings = findings;
        // `show` is the caller's; it sees the part as an outcome of its own.
        let keep_going = (self.show_fn)(&self.out);
        self.out.findings.clear();
        self.streamed.stopped = !keep_going;
    }
}

/// The files other than the primary one that a finding's labels and fix point into.
fn other_files(f: &Finding) -> Vec<FileId> {
    let primary = f.primary().file;
    let mut ids: Vec<FileId> = f
        .labels
        .iter()
        .map(|l| l.loc.file)
        .chain(
            f.fix
                .iter()
                .flat_map(|x| x.edits.iter().map(|e| e.loc.file)),
        )
        .filter(|id| *id != primary)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
