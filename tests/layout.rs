//! The shape of the source tree, kept by a test: no production file in `src/` over 800 lines and
//! no function over 120 lines, so that no module grows back into a file that mixes lexer,
//! evaluator, meaning and tests (the redesign of `extract/` cut them apart).
//!
//! Test code does not count: files named `tests.rs` and the `#[cfg(test)] mod tests { ... }`
//! block at the end of a file. The code is rustfmt-formatted, so a function ends at the first
//! line that is its own indentation followed by `}`.

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 120;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(p);
        }
    }
}

/// The lines of a file without its trailing test module.
fn production_lines(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].starts_with("mod tests"))
        .unwrap_or(lines.len());
    lines[..end].to_vec()
}

/// `(name, first line, length)` of every function, methods included.
fn functions(lines: &[&str]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let rest = [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ]
        .iter()
        .fold(trimmed, |t, p| t.strip_prefix(p).unwrap_or(t));
        let Some(sig) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = sig
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // A declaration without a body (trait method) ends with `;` before any `{`.
        let close = format!("{}}}", " ".repeat(indent));
        let Some(len) = lines[i..].iter().position(|l| *l == close) else {
            continue;
        };
        if lines[i..=i + len].iter().any(|l| l.contains('{')) {
            out.push((name, i + 1, len + 1));
        }
    }
    out
}

#[test]
fn no_production_file_or_function_is_too_long() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    assert!(files.len() > 20, "src/ not found: {files:?}");
    let mut problems = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let lines = production_lines(&text);
        if lines.len() > MAX_FILE_LINES {
            problems.push(format!(
                "{}: {} lines (at most {MAX_FILE_LINES})",
                path.display(),
                lines.len()
            ));
        }
        for (name, at, len) in functions(&lines) {
            if len > MAX_FN_LINES {
                problems.push(format!(
                    "{}:{at}: fn {name} is {len} lines (at most {MAX_FN_LINES})",
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_measure_counts_functions_and_skips_tests() {
    let text = "fn a() {\n    x();\n}\n\nimpl S {\n    pub fn b(&self) -> u8 {\n        1\n    }\n}\n\n#[cfg(test)]\nmod tests {\n    fn c() {}\n}\n";
    let lines = production_lines(text);
    assert_eq!(lines.len(), 10);
    let fns = functions(&lines);
    assert_eq!(fns, vec![("a".to_owned(), 1, 3), ("b".to_owned(), 6, 3)]);
}
