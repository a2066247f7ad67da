//! Reading files that anyone may have put in a repository, safely.
//!
//! Every file smtp-doctor reads (files named on the command line or found in a folder, the
//! settings file, provider rule files, `--ca-file`) and standard input go through here:
//!
//! - only regular files are read: a FIFO would block forever, `/dev/zero` never ends, a socket
//!   or a device is not a configuration file. A symlink is followed and its target checked. The
//!   file is opened non-blocking and checked again once open, so that a FIFO swapped in after
//!   the check cannot block either;
//! - at most `limit` bytes are read (`limit + 1` to tell "exactly the limit" from "more"): a file
//!   that grows, or a `/proc` file that claims size 0, cannot exhaust memory;
//! - bytes become text the same way for files and standard input ([`decode`]).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Files and standard input larger than this are not checked (configuration files are small).
pub const MAX_FILE_SIZE: u64 = 8 << 20;

/// Provider rule files, the settings file and CA files are smaller still.
pub const MAX_SMALL_FILE_SIZE: u64 = 1 << 20;

/// The message for a file over the limit (the first words are what users and tests look for).
pub fn too_large(limit: u64) -> String {
    format!(
        "file is larger than {}; smtp-doctor reads configuration files up to {limit} bytes",
        human(limit)
    )
}

fn human(n: u64) -> String {
    if n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// An I/O error as a short message (no "os error 2").
pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            if e.raw_os_error() == Some(36) && cfg!(target_os = "linux") {
                return "path is too long".into();
            }
            e.to_string()
        }
    }
}

/// What kind of thing a non-regular file is, for the message.
pub fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "not a regular file"
}

fn not_regular(t: &std::fs::FileType) -> String {
    format!(
        "{}, not a regular file; smtp-doctor reads only regular files",
        kind(t)
    )
}

/// Check the type first (following symlinks), unless a folder walk has just seen it is a
/// regular file, then open without blocking and check again. Returns the file and its size.
fn open_regular(path: &Path, seen_regular: bool) -> Result<(File, u64), String> {
    if !seen_regular {
        let meta = std::fs::metadata(path).map_err(|e| io_message(&e))?;
        if !meta.file_type().is_file() {
            return Err(not_regular(&meta.file_type()));
        }
    }
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(|e| io_message(&e))?;
    let meta = file.metadata().map_err(|e| io_message(&e))?;
    if !meta.file_type().is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    Ok((file, meta.len()))
}

/// Read at most `limit` bytes of `reader`; more is an error, not a silent cut.
pub fn read_capped(reader: impl Read, limit: u64) -> Result<Vec<u8>, String> {
    read_capped_into(reader, limit, Vec::new())
}

fn read_capped_into(reader: impl Read, limit: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_message(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// The bytes of a regular file of at most `limit` bytes; otherwise a message saying why not
/// (without the path: the caller names it).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    read_open(open_regular(path, false)?, limit)
}

/// [`read_file`] for a file a folder walk found as a regular file (not a link): its type is
/// checked once, on the open file. A folder check reads every candidate, so the system calls
/// per file count: one `open`, one `fstat`, two `read`s (the text and its end), one `close`.
pub fn read_walked_file(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    read_open(open_regular(path, true)?, limit)
}

fn read_open((file, len): (File, u64), limit: u64) -> Result<Vec<u8>, String> {
    if len > limit {
        return Err(too_large(limit));
    }
    // Room for the whole file and one byte more, so that the end is found by the next read
    // and the buffer never grows (a file that grew since `fstat` is still read to the cap).
    read_capped_into(file, limit, Vec::with_capacity(len as usize + 1))
}

/// A small UTF-8 text file (settings, rules): read with [`read_file`], invalid UTF-8 an error.
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    let bytes = read_file(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "file is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Standard input, up to `limit` bytes; more is an error.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, String> {
    read_capped(std::io::stdin().lock(), limit).map_err(|m| {
        if m.starts_with("file is larger") {
            format!(
                "standard input is larger than {}; smtp-doctor reads configuration files up to {limit} bytes",
                human(limit)
            )
        } else {
            format!("cannot read standard input: {m}")
        }
    })
}

/// Text as a checked file is read: a NUL byte in the first 8 KiB means a binary file (an
/// error); invalid UTF-8 is replaced (U+FFFD) and the offset of the first bad byte returned, for
/// a `parse-error` finding.
pub fn decode(bytes: Vec<u8>) -> Result<(String, Option<usize>), String> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file, not a configuration file".into());
    }
    Ok(match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // The replacement character takes 3 bytes; `at` stays valid in the lossy text.
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_folders_are_refused() {
        let e = read_file(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(e.contains("a device"), "{e}");
        let e = read_file(Path::new("/"), 100).unwrap_err();
        assert!(e.contains("a folder"), "{e}");
    }

    #[test]
    fn reads_are_capped() {
        assert_eq!(read_capped(&b"12345"[..], 5).unwrap(), b"12345");
        assert!(read_capped(std::io::repeat(0), 1000)
            .unwrap_err()
            .contains("larger than 1000 bytes"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_to_a_device_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_file(&link, 100).unwrap_err().contains("a device"));
    }

    #[test]
    fn decode_reports_binary_and_bad_utf8() {
        assert!(decode(b"a\0b".to_vec()).is_err());
        assert_eq!(decode(b"ok".to_vec()).unwrap(), ("ok".into(), None));
        let (t, at) = decode(b"ab\xffc".to_vec()).unwrap();
        assert_eq!((t.as_str(), at), ("ab\u{fffd}c", Some(2)));
    }
}
