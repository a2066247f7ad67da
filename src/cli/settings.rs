//! The settings in effect for one `check` run: flags over the settings file over defaults, and
//! `--show-settings`.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::check::CheckArgs;
use super::output::report_config_error;
use super::values::{name_of, FailOn};
use super::EXIT_ERROR;
use crate::codes;
use crate::config::{Config, ConfigFile};
use crate::engine::RunOptions;
use crate::extract::Format;
use crate::providers::Providers;
use crate::report::OutputFormat;
use crate::select::Selection;

/// Settings in effect for one `check` run.
pub(super) struct Settings {
    pub config_path: Option<PathBuf>,
    pub format: OutputFormat,
    pub fail_on: FailOn,
    pub rule_dirs: Vec<PathBuf>,
    /// The run's options; the CLI adds the probe options when `--probe` is given.
    pub opts: RunOptions,
}

/// Reads the settings file (unless `--isolated`) and merges the flags into it.
pub(super) fn settings(args: &CheckArgs, err_color: bool) -> Result<Settings, u8> {
    let config_path = config_path(args);
    let config = match &config_path {
        Some(p) => Config::load(p).map_err(|e| report_config_error(&e, err_color))?,
        None => Config::default(),
    };
    let base = config.base_dir();
    let file = &config.file;
    let bad = |what: &str, value: &str, expected: &str| {
        eprintln!(
            "error: {}: `{what} = \"{}\"`: expected {expected}",
            config_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            crate::report::escape::line(value)
        );
        EXIT_ERROR
    };
    // Values in the file are checked even when a flag overrides them.
    let file_format = match &file.output_format {
        Some(name) => Some(OutputFormat::from_str(name, false).map_err(|_| {
            bad(
                "output-format",
                name,
                "full, concise, json, json-lines, github or sarif",
            )
        })?),
        None => None,
    };
    let file_fail_on = match &file.fail_on {
        Some(name) => Some(
            FailOn::from_str(name, false)
                .map_err(|_| bad("fail-on", name, "error, warning or info"))?,
        ),
        None => None,
    };
    let mut rule_dirs: Vec<PathBuf> = file.rule_dirs.iter().map(|d| base.join(d)).collect();
    rule_dirs.extend(args.rule_dirs.iter().cloned());
    let selection = selection(args, file, &base)?;
    let formats = formats(file, &base, &bad)?;
    Ok(Settings {
        format: args.format.or(file_format).unwrap_or(OutputFormat::Full),
        fail_on: args.fail_on.or(file_fail_on).unwrap_or(FailOn::Error),
        config_path,
        rule_dirs,
        opts: RunOptions {
            selection,
            formats,
            probe: None,
            overlay: None,
        },
    })
}

/// `--config`, or the settings file found from the first path, or none with `--isolated`.
fn config_path(args: &CheckArgs) -> Option<PathBuf> {
    if args.isolated {
        None
    } else if let Some(p) = &args.config {
        Some(p.clone())
    } else {
        let start = args
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        Config::discover(&start)
    }
}

/// `--select` replaces the file's `select`; the other lists add to the file's.
fn selection(args: &CheckArgs, file: &ConfigFile, base: &Path) -> Result<Selection, u8> {
    let mut selection = Selection {
        select: args.select.clone().or_else(|| file.select.clone()),
        extend_select: file
            .extend_select
            .iter()
            .chain(&args.extend_select)
            .cloned()
            .collect(),
        ignore: file.ignore.iter().chain(&args.ignore).cloned().collect(),
        severity: file.severity.clone(),
        per_file_ignores: Vec::new(),
        base: base.to_path_buf(),
    };
    for (glob, names) in &file.per_file_ignores {
        selection
            .add_per_file_ignore(glob, names.clone())
            .map_err(|m| {
                let m = crate::report::escape::line(&m);
                eprintln!("error: per-file-ignores: {m}");
                EXIT_ERROR
            })?;
    }
    Ok(selection)
}

/// The `[formats]` table: globs relative to the settings file's folder.
fn formats(
    file: &ConfigFile,
    base: &Path,
    bad: &dyn Fn(&str, &str, &str) -> u8,
) -> Result<Vec<(globset::GlobMatcher, Format)>, u8> {
    let mut formats = Vec::new();
    for (glob, name) in &file.formats {
        let f = Format::from_name(name).ok_or_else(|| {
            let names: Vec<_> = Format::all().map(|f| f.name()).collect();
            let glob = crate::report::escape::line(glob);
            bad(&format!("formats.\"{glob}\""), name, &names.join(", "))
        })?;
        let abs_base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
        let m = globset::Glob::new(&abs_base.join(glob).to_string_lossy())
            .map_err(|e| {
                let (glob, e) = (
                    crate::report::escape::line(glob),
                    crate::report::escape::line(&e.to_string()).into_owned(),
                );
                eprintln!("error: formats: invalid glob `{glob}`: {e}");
                EXIT_ERROR
            })?
            .compile_matcher();
        formats.push((m, f));
    }
    Ok(formats)
}

/// Every selection name must be a rule code, a provider id or `ALL`.
pub(super) fn validate_names(sel: &Selection, providers: &Providers) -> Result<(), u8> {
    let all = sel
        .select
        .iter()
        .flatten()
        .chain(&sel.extend_select)
        .chain(&sel.ignore)
        .chain(sel.per_file_ignores.iter().flat_map(|(_, n)| n));
    for code in sel.severity.keys() {
        if codes::lookup(code).is_none() {
            let code = crate::report::escape::line(code);
            eprintln!("error: [severity] `{code}` is not a rule code (see `smtp-doctor rules`)");
            return Err(EXIT_ERROR);
        }
    }
    for name in all {
        let known = name.eq_ignore_ascii_case("all")
            || codes::lookup(name).is_some()
            || providers.get(name).is_some();
        if !known {
            let name = crate::report::escape::line(name);
            eprintln!("error: unknown rule code or provider `{name}` (see `smtp-doctor rules`)");
            return Err(EXIT_ERROR);
        }
    }
    Ok(())
}

fn toml_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `--show-settings`: the settings in effect, in the settings file's syntax.
pub(super) fn show_settings(s: &Settings, providers: &Providers) -> String {
    let sel = &s.opts.selection;
    let mut out = String::new();
    out.push_str(&format!(
        "# settings file: {}\n",
        s.config_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "none".into())
    ));
    out.push_str(&format!("output-format = \"{}\"\n", name_of(&s.format)));
    out.push_str(&format!("fail-on = \"{}\"\n", name_of(&s.fail_on)));
    out.push_str(&format!(
        "rule-dirs = {}\n",
        toml_list(
            &s.rule_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
        )
    ));
    out.push_str(&format!(
        "select = {}\n",
        sel.select
            .as_deref()
            .map(toml_list)
            .unwrap_or_else(|| "[\"ALL\"]".into())
    ));
    out.push_str(&format!(
        "extend-select = {}\n",
        toml_list(&sel.extend_select)
    ));
    out.push_str(&format!("ignore = {}\n", toml_list(&sel.ignore)));
    out.push_str(&format!(
        "providers = {}\n",
        toml_list(
            &providers
                .list
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>()
        )
    ));
    show_tables(s, &mut out);
    out
}

/// The tables of `--show-settings`: `[severity]`, `[per-file-ignores]`, `[formats]`.
fn show_tables(s: &Settings, out: &mut String) {
    let sel = &s.opts.selection;
    out.push_str("\n[severity]\n");
    for (code, o) in &sel.severity {
        out.push_str(&format!(
            "{code} = \"{}\"\n",
            format!("{o:?}").to_lowercase()
        ));
    }
    // Globs as matched: relative ones were joined to the settings file's folder.
    out.push_str("\n[per-file-ignores]\n");
    for (glob, names) in &sel.per_file_ignores {
        out.push_str(&format!(
            "{:?} = {}\n",
            glob.glob().glob(),
            toml_list(names)
        ));
    }
    out.push_str("\n[formats]\n");
    for (glob, format) in &s.opts.formats {
        out.push_str(&format!(
            "{:?} = \"{}\"\n",
            glob.glob().glob(),
            format.name()
        ));
    }
}
