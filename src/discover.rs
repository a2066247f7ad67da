//! Walking folders: `.gitignore`-aware (the `ignore` crate), dotfiles included on purpose (`.env`),
//! dependency and build folders skipped, and only files whose name says they may hold SMTP
//! settings kept.

use std::path::{Path, PathBuf};

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

/// Candidate files under `root`, sorted.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .build();
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|t| t.is_file())
            && extract::detect(entry.path(), "").is_some()
        {
            out.push(entry.into_path());
        }
    }
    out.sort();
    out
}
