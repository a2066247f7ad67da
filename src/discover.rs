//! Walking folders: `.gitignore`-aware (the `ignore` crate), in parallel, dotfiles included on
//! purpose (`.env`), dependency and build folders skipped, and only files that may hold SMTP
//! settings kept: configuration files by name, source files by extension (their text is looked
//! at when they are read).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::WalkState;

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

/// Candidate files under `root`, sorted. `also` admits files whose name alone says nothing
/// (the settings file's `[formats]` globs).
pub fn walk(root: &Path, also: &(dyn Fn(&Path) -> bool + Sync)) -> Walk {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        errors
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(describe(&e, root));
                        return WalkState::Continue;
                    }
                };
                {
                    let path = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && (extract::detect(path, "").is_some()
                            || extract::is_code_path(path)
                            || also(path))
                    {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(entry.into_path());
                    }
                }
                WalkState::Continue
            })
        });
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
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
}
