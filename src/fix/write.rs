//! Writing fixed files: a temporary file in the same folder, renamed over the original, so a
//! reader sees the old text or the new one and never half of it; the file's mode is kept.

use std::io::Write;

use super::Change;

/// Write every change; the files that could not be written, with the reason.
pub fn write(changes: &[Change]) -> Vec<(std::path::PathBuf, String)> {
    let mut failed = Vec::new();
    for c in changes {
        if let Err(e) = write_one(c) {
            failed.push((c.path.clone(), e));
        }
    }
    failed
}

fn write_one(c: &Change) -> Result<(), String> {
    let path = &c.key;
    let meta = std::fs::metadata(path).map_err(|e| crate::input::io_message(&e))?;
    // The file must still hold the text the fixes were made for.
    let now = std::fs::read(path).map_err(|e| crate::input::io_message(&e))?;
    if now != c.original.as_bytes() {
        return Err("the file changed while it was being fixed; nothing written".into());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".smtp-doctor-fix-")
        .tempfile_in(dir)
        .map_err(|e| crate::input::io_message(&e))?;
    tmp.write_all(c.fixed.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .and_then(|_| std::fs::set_permissions(tmp.path(), meta.permissions()))
        .map_err(|e| crate::input::io_message(&e))?;
    tmp.persist(path)
        .map_err(|e| crate::input::io_message(&e.error))?;
    Ok(())
}
