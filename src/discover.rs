//! Walking folders: `.gitignore`-aware (the `ignore` crate), in parallel, dotfiles included on
//! purpose (`.env`), dependency and build folders skipped, and only files that may hold SMTP
//! settings kept: configuration files by name, source files by extension (their text is looked
//! at when they are read).
//!
//! The ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`, in the folder walked and its
//! parents) are read here, through [`crate::input`], not by the `ignore` crate: a repository
//! may hold a FIFO named `.gitignore` (the crate would wait on it forever) or a symbolic link
//! from `.gitignore` to `/dev/zero` (it would read without end). Such a file is a warning and
//! its patterns are not applied.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkState};

use crate::extract;

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
    /// (path, message), sorted.
    pub errors: Vec<(PathBuf, String)>,
}

/// The path and a short message of a walk error.
fn describe(e: &ignore::Error, root: &Path) -> (PathBuf, String) {
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    let path = path_of(e).unwrap_or(root).to_path_buf();
    let message = match e.io_error() {
        Some(io) => format!("skipped: {}", crate::input::io_message(io)),
        None => match e {
            ignore::Error::Loop { .. } => "skipped: a symbolic link loop".into(),
            _ => format!("skipped: {e}"),
        },
    };
    (path, message)
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

type Errors = Arc<Mutex<Vec<(PathBuf, String)>>>;

/// The ignore matchers that apply in one folder, outermost folder first.
type Chain = Arc<[Arc<Gitignore>]>;

/// The ignore patterns of each folder, read once, safely.
///
/// Every folder keeps the whole chain of matchers that applies in it (its parents' and its
/// own), so that deciding about an entry is one look-up of its folder, not one per ancestor:
/// in a tree with no ignore files the chain is empty and the decision costs a hash of the
/// folder's path.
struct Ignores {
    /// By the bytes of the folder's absolute path.
    chains: RwLock<HashMap<Box<[u8]>, Chain>>,
    errors: Errors,
}

impl Ignores {
    /// The patterns of the ignore files in `dir` itself (an absolute path), if it has any.
    /// Within one folder a later file wins, as in git: `.git/info/exclude`, then `.gitignore`,
    /// then `.ignore`.
    fn own(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut builder = GitignoreBuilder::new(dir);
        let mut any = false;
        for name in [".git/info/exclude", ".gitignore", ".ignore"] {
            let path = dir.join(name);
            if std::fs::symlink_metadata(&path).is_err() {
                continue;
            }
            match crate::input::read_file(&path, MAX_IGNORE_FILE) {
                Ok(bytes) => {
                    for line in String::from_utf8_lossy(&bytes).lines() {
                        // A malformed pattern is skipped, as git does.
                        any |= builder.add_line(Some(path.clone()), line).is_ok();
                    }
                }
                Err(m) => self.errors.lock().unwrap_or_else(|e| e.into_inner()).push((
                    path,
                    format!("not read, so its patterns are not applied: {m}"),
                )),
            }
        }
        if any {
            builder.build().ok().map(Arc::new)
        } else {
            None
        }
    }

    /// The chain of matchers that applies in `dir` (an absolute path).
    fn chain(&self, dir: &Path) -> Chain {
        let key = |d: &Path| -> Box<[u8]> { d.as_os_str().as_encoded_bytes().into() };
        if let Some(c) = self
            .chains
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir.as_os_str().as_encoded_bytes())
        {
            return c.clone();
        }
        // Folders are added under the write lock, so that each one's ignore files are read
        // once (and a bad one reported once) however many threads reach it together.
        let mut chains = self.chains.write().unwrap_or_else(|e| e.into_inner());
        // The folders from `dir` up to the nearest one already known (or the file system's
        // root), then their chains from the top down.
        let mut missing = Vec::new();
        let mut known: Chain = Arc::new([]);
        for d in dir.ancestors() {
            if let Some(c) = chains.get(d.as_os_str().as_encoded_bytes()) {
                known = c.clone();
                break;
            }
            missing.push(d);
        }
        for d in missing.into_iter().rev() {
            if let Some(m) = self.own(d) {
                known = known.iter().cloned().chain(std::iter::once(m)).collect();
            }
            chains.insert(key(d), known.clone());
        }
        known
    }

    /// Is `abs` (an absolute path) ignored by the patterns of its folders? The deepest folder
    /// with a matching pattern decides.
    fn ignored(&self, abs: &Path, is_dir: bool) -> bool {
        let Some(dir) = abs.parent() else {
            return false;
        };
        for m in self.chain(dir).iter().rev() {
            match m.matched(abs, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

/// Candidate files under `root`, sorted. `also` admits files whose name alone says nothing
/// (the settings file's `[formats]` globs).
pub fn walk(root: &Path, also: &(dyn Fn(&Path) -> bool + Sync)) -> Walk {
    let found = Mutex::new(Vec::new());
    let errors: Errors = Arc::default();
    let ignores = Arc::new(Ignores {
        chains: RwLock::default(),
        errors: errors.clone(),
    });
    // The walk runs on the absolute path, so that the ignore matchers see the paths they were
    // built for without a join per entry; paths are given back in the caller's form.
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let shown = |p: &Path| -> PathBuf {
        match p.strip_prefix(&abs_root) {
            Ok(rel) if rel.as_os_str().is_empty() => root.to_path_buf(),
            Ok(rel) => root.join(rel),
            Err(_) => p.to_path_buf(),
        }
    };
    ignore::WalkBuilder::new(&abs_root)
        // The crate reads no ignore file itself (see the module documentation).
        .standard_filters(false)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()) {
                return false;
            }
            !ignores.ignored(e.path(), is_dir)
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        let (path, message) = describe(&e, &abs_root);
                        errors
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((shown(&path), message));
                        return WalkState::Continue;
                    }
                };
                let path = entry.path();
                let Some(t) = entry.file_type().filter(|t| !t.is_dir()) else {
                    return WalkState::Continue;
                };
                let candidate = extract::detect(path, "").is_some()
                    || extract::is_code_path(path)
                    || also(&shown(path));
                if !candidate {
                    return WalkState::Continue;
                }
                let path = shown(path);
                if t.is_file() {
                    found.lock().unwrap_or_else(|e| e.into_inner()).push(path);
                } else {
                    // A file that would be checked, but is not one: say so, never read it.
                    errors
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((path, not_checked(&t)));
                }
                WalkState::Continue
            })
        });
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    let mut errors = std::mem::take(&mut *errors.lock().unwrap_or_else(|e| e.into_inner()));
    errors.sort();
    Walk { files, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_dotfiles_skips_dependencies_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            ".env",
            ".env.production",
            "config.toml",
            "app/mailer.js",
            "node_modules/x/.env",
            "vendor/a.php",
            "ignored/.env",
            "notes.txt",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        std::fs::write(d.join(".gitignore"), "ignored/\n").unwrap();
        let got: Vec<String> = walk(d, &|_| false)
            .files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            got,
            [".env", ".env.production", "app/mailer.js", "config.toml"]
        );
    }

    #[test]
    fn nested_ignore_files_and_negations_apply() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["a/.env", "a/keep.env", "a/b/.env", "c/.env", "c/x.env"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        std::fs::write(d.join(".gitignore"), "*.env\n!keep.env\nc/\n").unwrap();
        std::fs::write(d.join("a/b/.ignore"), "!.env\n").unwrap();
        let got: Vec<String> = walk(d, &|_| false)
            .files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        // `*.env` matches `.env` too, as in git.
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
        let ok = std::process::Command::new("mkfifo")
            .arg(d.join(".gitignore"))
            .status()
            .unwrap()
            .success();
        assert!(ok);
        std::os::unix::fs::symlink("/dev/zero", d.join("sub/.ignore")).unwrap();
        let w = walk(d, &|_| false);
        assert_eq!(w.files.len(), 2);
        let msgs: Vec<String> = w
            .errors
            .iter()
            .map(|(p, m)| format!("{}: {m}", p.strip_prefix(d).unwrap().display()))
            .collect();
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
        let ok = std::process::Command::new("mkfifo")
            .arg(d.join("config.toml"))
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let w = walk(d, &|_| false);
        let files: Vec<_> = w.files.iter().map(|p| p.strip_prefix(d).unwrap()).collect();
        assert_eq!(files, [std::path::Path::new("real.env")]);
        let msgs: Vec<String> = w
            .errors
            .iter()
            .map(|(p, m)| format!("{}: {m}", p.strip_prefix(d).unwrap().display()))
            .collect();
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
