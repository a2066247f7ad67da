//! The tool's own settings file, `.smtp-doctor.toml` (or `smtp-doctor.toml`), found by walking
//! up from the checked path. A distinct name on purpose: smtp-doctor checks arbitrary
//! `config.toml` files and must never take a target for its own settings.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const FILE_NAMES: &[&str] = &[".smtp-doctor.toml", "smtp-doctor.toml"];

/// The file as written. Unknown keys are errors.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Folders of provider YAML files to add (relative to this file).
    #[serde(default)]
    pub rule_dirs: Vec<PathBuf>,
    /// Codes or provider ids to report (default: all). `ALL` selects everything.
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Codes or provider ids added to the selection.
    #[serde(default)]
    pub extend_select: Vec<String>,
    /// Codes or provider ids never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Change a code's severity, or switch it off: `plaintext-secret = "error"`, `... = "off"`.
    #[serde(default)]
    pub severity: BTreeMap<String, SeverityOverride>,
    /// Glob (relative to this file) -> codes or providers to ignore in matching files.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// Glob (relative to this file) -> format name, for files whose name says nothing.
    #[serde(default)]
    pub formats: BTreeMap<String, String>,
    /// Default output format (`full`, `concise`, `json`, `json-lines`, `github`, `sarif`).
    #[serde(default)]
    pub output_format: Option<String>,
    /// Default `--fail-on` (`error`, `warning`, `info`).
    #[serde(default)]
    pub fail_on: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeverityOverride {
    Error,
    Warning,
    Info,
    Off,
}

/// A settings file that could not be read.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// A loaded settings file and the folder its relative paths start from.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub file: ConfigFile,
}

impl Config {
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent())
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let fail = |text: String, span, message: String| ConfigError {
            path: path.to_path_buf(),
            text,
            span,
            message,
        };
        // A regular file of at most 1 MiB: a FIFO or /dev/zero passed as --config must not
        // block or exhaust memory.
        let text = crate::input::read_text(path, crate::input::MAX_SMALL_FILE_SIZE)
            .map_err(|message| fail(String::new(), None, message))?;
        let file: ConfigFile = toml_edit::de::from_str(&text).map_err(|e| {
            let message = e.message().trim().to_owned();
            fail(text.clone(), e.span(), message)
        })?;
        Ok(Config {
            path: Some(path.to_path_buf()),
            file,
        })
    }

    /// The settings file that applies to `start` (a file or folder): the nearest one in it or
    /// its parents.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let abs = std::path::absolute(start).ok()?;
        let dir = if abs.is_dir() {
            abs.as_path()
        } else {
            abs.parent()?
        };
        for d in dir.ancestors() {
            for name in FILE_NAMES {
                let p = d.join(name);
                // Anything by that name counts, even a FIFO or a broken link: loading it then
                // says what is wrong, instead of a settings file further up applying silently.
                if std::fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
                    return Some(p);
                }
            }
        }
        None
    }
}
