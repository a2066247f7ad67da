//! Walking folders: `.gitignore`-aware (the `ignore` crate's matchers), dotfiles included on
//! purpose (`.env`), dependency and build folders skipped, and only files that may hold SMTP
//! settings kept: configuration files by name, source files by extension (their text is looked
//! at when they are read).
//!
//! A walk is one depth-first pass in a fixed order ([`walk_order`]) that hands on each file as
//! it finds it. A run reads and checks the files on every core while the walk goes on in a
//! thread of its own, so the walk needs no list of the whole tree: a tree of a million files
//! costs what its deepest folders cost.
//!
//! The ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`, in the folder walked and its
//! parents) are read here, through [`crate::input`], not by the `ignore` crate: a repository
//! may hold a FIFO named `.gitignore` (the crate would wait on it forever) or a symbolic link
//! from `.gitignore` to `/dev/zero` (it would read without end). Such a file is a warning and
//! its patterns are not applied.

use std::cmp::Ordering;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::extract::{self, Format};

/// Folders that hold other people's code or build output.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "vendor",
    "target",
    ".git",
    "dist",
    "build",
    "__pycache__",
    ".venv",
    "venv",
];

/// What a walk found: candidate files, and what it could not look into (an unreadable
/// folder, a path too long for the system), so that nothing is skipped silently.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    /// (path, message), in walk order.
    pub errors: Vec<(PathBuf, String)>,
}

/// Why a candidate that is not a regular file is skipped. Links are not followed in a walk (as
/// git and ripgrep do): a link in a repository may point at any file of the machine, and a
/// parse error would show its text.
fn not_checked(t: &std::fs::FileType) -> String {
    if t.is_symlink() {
        "skipped: a symbolic link; links are not followed in folders (name the file to check it)"
            .into()
    } else {
        format!("skipped: {}, not a regular file", crate::input::kind(t))
    }
}

/// Ignore files larger than this are not read.
const MAX_IGNORE_FILE: u64 = 1 << 20;

/// The ignore matchers that apply in one folder, outermost folder first.
type Chain = Rc<[Rc<Gitignore>]>;

/// What a walk hands on, in walk order.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A regular file whose name or extension says it may hold SMTP settings.
    File(PathBuf),
    /// A path that was not looked into, and why (an unreadable folder, a link, a FIFO with a
    /// configuration file's name, an ignore file that could not be read).
    Skipped(PathBuf, String),
}

/// The order of a walk, for paths of one tree: component by component, and within one folder
/// its env files (`first`) before everything else, so that a streaming run has read the env
/// file of a folder before any file that may use its variables.
pub fn walk_order(a: &Path, a_first: bool, b: &Path, b_first: bool) -> Ordering {
    let (mut ca, mut cb) = (a.components(), b.components());
    loop {
        match (ca.next(), cb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                // Only the last component is the file itself.
                let fa = a_first && ca.next().is_none();
                let fb = b_first && cb.next().is_none();
                return (!fa, x).cmp(&(!fb, y));
            }
        }
    }
}

/// What decides which files a walk hands on; each is asked with a file's absolute path.
pub struct Select<'a> {
    /// Admits files whose name alone says nothing (the settings file's `[formats]` globs).
    pub also: &'a dyn Fn(&Path) -> bool,
    /// The env files, listed first in their folder; told the format the file's name gives.
    pub first: &'a dyn Fn(&Path, Option<Format>) -> bool,
}

/// One entry of a folder being walked: a folder, or a file that is a candidate.
struct Entry {
    name: OsString,
    kind: Option<std::fs::FileType>,
    first: bool,
}

/// A folder on the walk's stack: its paths, its ignore chain, and the entries still to visit
/// (sorted, last one first).
struct Dir {
    abs: PathBuf,
    shown: PathBuf,
    chain: Chain,
    entries: Vec<Entry>,
}

/// Walk `root` in [`walk_order`], one folder at a time, handing each candidate file and each
/// path skipped to `sink` (which returns `false` to stop the walk).
///
/// The walk is depth first and keeps only the folders from `root` to the one being read, with
/// their ignore matchers: its memory is bounded by the depth and width of the tree, not by the
/// number of files in it, and a caller can check files while the walk goes on.
pub fn walk_each(root: &Path, select: &Select, sink: &mut dyn FnMut(Found) -> bool) {
    // The walk runs on the absolute path, so that the ignore matchers see the paths they were
    // built for; paths are handed on in the caller's form.
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let stop = std::cell::Cell::new(false);
    let mut emit = |f: Found| {
        if !stop.get() {
            stop.set(!sink(f));
        }
    };
    // The matchers of the root's parents, outermost first (the root's own are added when its
    // entries are read).
    let mut chain: Chain = Rc::new([]);
    let parents: Vec<&Path> = abs_root.ancestors().skip(1).collect();
    for d in parents.into_iter().rev() {
        let probe = |name: &str| std::fs::symlink_metadata(d.join(name)).is_ok();
        chain = with_own(&chain, d, &probe, &mut emit, &|p| p);
    }
    let shown_of = |p: PathBuf| match p.strip_prefix(&abs_root) {
        Ok(rel) => root.join(rel),
        Err(_) => p,
    };
    let reader = Reader {
        select,
        shown: &shown_of,
    };
    let mut stack = Vec::new();
    if let Some(dir) = reader.open(abs_root.clone(), root.to_path_buf(), &chain, &mut emit) {
        stack.push(dir);
    }
    while let Some(top) = stack.last_mut() {
        if stop.get() {
            return;
        }
        let Some(entry) = top.entries.pop() else {
            stack.pop();
            continue;
        };
        let abs = top.abs.join(&entry.name);
        let shown = top.shown.join(&entry.name);
        let Some(kind) = entry.kind else {
            emit(Found::Skipped(
                shown,
                "skipped: its type could not be read".into(),
            ));
            continue;
        };
        let is_dir = kind.is_dir();
        if is_dir && SKIP_DIRS.iter().any(|d| entry.name == *d) {
            continue;
        }
        if ignored(&top.chain, &abs, is_dir) {
            continue;
        }
        if is_dir {
            let parent = top.chain.clone();
            if let Some(dir) = reader.open(abs, shown, &parent, &mut emit) {
                stack.push(dir);
            }
        } else if kind.is_file() {
            emit(Found::File(shown));
        } else {
            // A file that would be checked, but is not one: say so, never read it.
            let why = not_checked(&kind);
            emit(Found::Skipped(shown, why));
        }
    }
}

/// What every folder of one walk is read with.
struct Reader<'a> {
    select: &'a Select<'a>,
    /// The caller's form of an absolute path.
    shown: &'a dyn Fn(PathBuf) -> PathBuf,
}

impl Reader<'_> {
    /// Read a folder's entries (its folders, and the files that are candidates), sorted for
    /// the walk, last one first, and add its ignore files to its parent's `chain`. An
    /// unreadable folder is reported and gives nothing.
    fn open(
        &self,
        abs: PathBuf,
        shown: PathBuf,
        chain: &Chain,
        emit: &mut dyn FnMut(Found),
    ) -> Option<Dir> {
        let skipped = |e: &std::io::Error| format!("skipped: {}", crate::input::io_message(e));
        let read = match std::fs::read_dir(&abs) {
            Ok(r) => r,
            Err(e) => {
                emit(Found::Skipped(shown, skipped(&e)));
                return None;
            }
        };
        let mut entries = Vec::new();
        // Which of `.git`, `.gitignore` and `.ignore` the folder has (looking for each by
        // name cost three system calls a folder).
        let mut present = [false; 3];
        for e in read {
            let e = match e {
                Ok(e) => e,
                Err(e) => {
                    emit(Found::Skipped(shown.clone(), skipped(&e)));
                    break;
                }
            };
            let name = e.file_name();
            if let Some(i) = IGNORE_FILES.iter().position(|(n, _)| name == *n) {
                present[i] = true;
            }
            let kind = e.file_type().ok();
            let mut first = false;
            if kind.is_none_or(|k| !k.is_dir()) {
                let path = abs.join(&name);
                let by_name = extract::detect(&path, "");
                let candidate =
                    by_name.is_some() || extract::is_code_path(&path) || (self.select.also)(&path);
                if !candidate {
                    continue;
                }
                first = (self.select.first)(&path, by_name);
            }
            entries.push(Entry { name, kind, first });
        }
        // Reversed, so that the next entry is popped from the end.
        entries.sort_unstable_by(|a, b| (!b.first, &b.name).cmp(&(!a.first, &a.name)));
        let has = |name: &str| {
            let i = IGNORE_FILES.iter().position(|(n, _)| name == *n);
            i.is_some_and(|i| present[i])
        };
        let chain = with_own(chain, &abs, &has, emit, self.shown);
        Some(Dir {
            abs,
            shown,
            chain,
            entries,
        })
    }
}

/// The ignore files of a folder, by the name of the entry each is under, in the order they
/// apply (a later one wins).
const IGNORE_FILES: [(&str, &str); 3] = [
    (".git", ".git/info/exclude"),
    (".gitignore", ".gitignore"),
    (".ignore", ".ignore"),
];

/// `chain` with the matchers of the ignore files in `dir` itself (an absolute path) added, if
/// it has any; `has` says whether the folder has an entry of the name. Within one folder a
/// later file wins, as in git: `.git/info/exclude`, then `.gitignore`, then `.ignore`. An
/// ignore file that cannot be read is reported (by its `shown` path).
fn with_own(
    chain: &Chain,
    dir: &Path,
    has: &dyn Fn(&str) -> bool,
    emit: &mut dyn FnMut(Found),
    shown: &dyn Fn(PathBuf) -> PathBuf,
) -> Chain {
    let mut builder = GitignoreBuilder::new(dir);
    let mut any = false;
    for (entry, name) in IGNORE_FILES {
        let path = dir.join(name);
        if !has(entry) || (entry != name && std::fs::symlink_metadata(&path).is_err()) {
            continue;
        }
        match crate::input::read_file(&path, MAX_IGNORE_FILE) {
            Ok(bytes) => {
                for line in String::from_utf8_lossy(&bytes).lines() {
                    // A malformed pattern is skipped, as git does.
                    any |= builder.add_line(Some(path.clone()), line).is_ok();
                }
            }
            Err(m) => {
                emit(Found::Skipped(
                    shown(path),
                    format!("not read, so its patterns are not applied: {m}"),
                ));
            }
        }
    }
    match builder.build() {
        Ok(m) if any => chain.iter().cloned().chain([Rc::new(m)]).collect(),
        _ => chain.clone(),
    }
}

/// Is `abs` (an absolute path) ignored by the patterns of its folders? The deepest folder
/// with a matching pattern decides.
fn ignored(chain: &Chain, abs: &Path, is_dir: bool) -> bool {
    for m in chain.iter().rev() {
        match m.matched(abs, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

/// Every candidate file under `root` and every path skipped, in walk order (env files need not
/// come first).
pub fn walk(root: &Path, also: &dyn Fn(&Path) -> bool) -> Walk {
    let mut w = Walk::default();
    let select = Select {
        also,
        first: &|_, _| false,
    };
    walk_each(root, &select, &mut |f| {
        match f {
            Found::File(p) => w.files.push(p),
            Found::Skipped(p, m) => w.errors.push((p, m)),
        }
        true
    });
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empty files at these paths under `d`, with their folders.
    fn touch(d: &Path, files: &[&str]) {
        for f in files {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
    }

    /// `paths` relative to `d`, as text.
    fn rel(d: &Path, paths: &[PathBuf]) -> Vec<String> {
        let rel = |p: &PathBuf| p.strip_prefix(d).unwrap().to_string_lossy().into_owned();
        paths.iter().map(rel).collect()
    }

    /// Each path skipped, relative to `d`, with its message.
    fn skipped(d: &Path, w: &Walk) -> Vec<String> {
        let msg =
            |(p, m): &(PathBuf, String)| format!("{}: {m}", p.strip_prefix(d).unwrap().display());
        w.errors.iter().map(msg).collect()
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let ok = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {}", path.display());
    }

    #[test]
    fn walks_dotfiles_skips_dependencies_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(
            d,
            &[
                ".env",
                ".env.production",
                "config.toml",
                "app/mailer.js",
                "node_modules/x/.env",
                "vendor/a.php",
                "ignored/.env",
                "notes.txt",
            ],
        );
        std::fs::write(d.join(".gitignore"), "ignored/\n").unwrap();
        std::fs::create_dir_all(d.join(".git/info")).unwrap();
        std::fs::write(d.join(".git/info/exclude"), "/excluded.env\n").unwrap();
        std::fs::write(d.join("excluded.env"), "").unwrap();
        let got = rel(d, &walk(d, &|_| false).files);
        assert_eq!(
            got,
            [".env", ".env.production", "app/mailer.js", "config.toml"]
        );
    }

    #[test]
    fn a_walk_hands_on_files_in_walk_order_env_files_first_in_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(
            d,
            &[
                "-x.js",
                ".env",
                "a/.env",
                "a/b.js",
                "#d/c.js",
                "b.env",
                "a.b/e.toml",
            ],
        );
        let env = |p: &Path| p.extension().is_some_and(|e| e == "env") || p.ends_with(".env");
        let select = Select {
            also: &|_| false,
            first: &|p, _| env(p),
        };
        let mut got = Vec::new();
        walk_each(d, &select, &mut |f| {
            if let Found::File(p) = f {
                got.push(p);
            }
            true
        });
        assert_eq!(
            rel(d, &got),
            [
                ".env",
                "b.env",
                "#d/c.js",
                "-x.js",
                "a/.env",
                "a/b.js",
                "a.b/e.toml"
            ]
        );
        // The same order as `walk_order` gives the paths.
        let mut sorted = got.clone();
        sorted.sort_by(|a, b| walk_order(a, env(a), b, env(b)));
        assert_eq!(sorted, got);
        // A sink that says stop ends the walk.
        let mut n = 0;
        walk_each(d, &select, &mut |_| {
            n += 1;
            n < 2
        });
        assert_eq!(n, 2);
    }

    #[test]
    fn nested_ignore_files_and_negations_apply() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(
            d,
            &["a/.env", "a/keep.env", "a/b/.env", "c/.env", "c/x.env"],
        );
        std::fs::write(d.join(".gitignore"), "*.env\n!keep.env\nc/\n").unwrap();
        std::fs::write(d.join("a/b/.ignore"), "!.env\n").unwrap();
        let got = rel(d, &walk(d, &|_| false).files);
        // `*.env` matches `.env` too, as in git.
        assert_eq!(got, ["a/b/.env", "a/keep.env"]);
        // Walked from a folder below, the patterns of the folders above still apply.
        let got = rel(d, &walk(&d.join("a"), &|_| false).files);
        assert_eq!(got, ["a/b/.env", "a/keep.env"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_as_gitignore_is_a_warning_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join(".env"), "").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/.env"), "").unwrap();
        mkfifo(&d.join(".gitignore"));
        std::os::unix::fs::symlink("/dev/zero", d.join("sub/.ignore")).unwrap();
        let w = walk(d, &|_| false);
        assert_eq!(w.files.len(), 2);
        let msgs = skipped(d, &w);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with(".gitignore: not read") && msgs[0].contains("named pipe"));
        assert!(msgs[1].starts_with("sub/.ignore: not read") && msgs[1].contains("a device"));
    }

    #[cfg(unix)]
    #[test]
    fn links_and_special_files_with_config_names_are_reported_not_skipped_silently() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("real.env"), "").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        std::os::unix::fs::symlink(d.join("real.env"), d.join(".env")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", d.join("x.toml")).unwrap();
        std::os::unix::fs::symlink(d.join("notes.txt"), d.join("notes2.txt")).unwrap();
        mkfifo(&d.join("config.toml"));
        let w = walk(d, &|_| false);
        let files: Vec<_> = w.files.iter().map(|p| p.strip_prefix(d).unwrap()).collect();
        assert_eq!(files, [std::path::Path::new("real.env")]);
        let msgs = skipped(d, &w);
        // Sorted by path; notes2.txt is no candidate, so it is not mentioned.
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with(".env: skipped: a symbolic link"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("config.toml: skipped: a named pipe"),
            "{msgs:?}"
        );
        assert!(
            msgs[2].starts_with("x.toml: skipped: a symbolic link"),
            "{msgs:?}"
        );
    }
}
