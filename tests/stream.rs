//! The streamed run (`crate::stream`, used by `concise`, `json-lines` and `github`) reports
//! exactly the findings of a whole run, in batches of any size.

use std::path::PathBuf;

use smtp_doctor::engine::{check_paths_with, RunOptions};
use smtp_doctor::providers::Providers;
use smtp_doctor::report::{self, Tally};
use smtp_doctor::stream::check_paths_in_batches;

fn lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
    v.sort();
    v
}

/// json-lines of a whole run and of a streamed one, sorted, and the streamed run's tally.
fn both(paths: &[PathBuf], batch: usize) -> (Vec<String>, Vec<String>, Tally, Tally) {
    let providers = Providers::builtin().unwrap();
    let opts = RunOptions::default();
    let whole = check_paths_with(paths, &providers, &opts);
    let mut streamed = String::new();
    let mut parts = 0;
    let done = check_paths_in_batches(paths, &providers, &opts, batch, &mut |part| {
        parts += 1;
        streamed.push_str(&report::json::render_lines(part));
        streamed.push_str(&report::concise_findings(part));
        true
    });
    assert_eq!(done.errors.len(), whole.errors.len());
    assert_eq!(done.warnings.len(), whole.warnings.len());
    let mut expected = report::json::render_lines(&whole);
    expected.push_str(&report::concise_findings(&whole));
    assert!(parts > 0 || whole.findings.is_empty());
    (
        lines(&expected),
        lines(&streamed),
        Tally::of(&whole),
        done.tally,
    )
}

#[test]
fn every_fixture_folder_streams_the_findings_of_a_whole_run() {
    let mut roots: Vec<PathBuf> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    roots.sort();
    roots.push(PathBuf::from("fixtures"));
    roots.push(PathBuf::from("examples"));
    for root in &roots {
        for batch in [1, 7, 256] {
            let (whole, streamed, t_whole, t_streamed) = both(std::slice::from_ref(root), batch);
            assert!(
                whole == streamed,
                "{} in batches of {batch}: findings differ\nonly in the whole run:\n{}\nonly streamed:\n{}",
                root.display(),
                whole.iter().filter(|l| !streamed.contains(l)).cloned().collect::<Vec<_>>().join("\n"),
                streamed.iter().filter(|l| !whole.contains(l)).cloned().collect::<Vec<_>>().join("\n"),
            );
            assert_eq!(
                t_whole,
                t_streamed,
                "{} in batches of {batch}",
                root.display()
            );
        }
    }
}

#[test]
fn files_named_in_any_order_stream_like_a_whole_run() {
    // A pre-commit hook passes files, not folders, in no particular order.
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::from("fixtures/nodemailer")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.ends_with("expected.txt") {
                files.push(p);
            }
        }
    }
    files.reverse();
    let (whole, streamed, _, _) = both(&files, 2);
    assert_eq!(whole, streamed);
}

/// `json` and `sarif` written part by part: valid documents with the findings, counts and
/// rules of a whole run.
#[test]
fn json_and_sarif_documents_written_in_parts_hold_the_whole_run() {
    use serde_json::Value;
    use smtp_doctor::report::json::JsonWriter;
    use smtp_doctor::report::sarif::SarifWriter;
    let providers = Providers::builtin().unwrap();
    let opts = RunOptions::default();
    let paths = [PathBuf::from("fixtures")];
    let whole = check_paths_with(&paths, &providers, &opts);
    let (mut json, mut sarif) = (JsonWriter::new(), SarifWriter::new());
    let (mut j, mut s) = (json.begin(), sarif.begin());
    let done = check_paths_in_batches(&paths, &providers, &opts, 5, &mut |part| {
        j.push_str(&json.part(part));
        s.push_str(&sarif.part(part));
        true
    });
    j.push_str(&json.end(&done.tally, &[]));
    s.push_str(&sarif.end());
    let sorted = |v: &Value| {
        let mut items: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.to_string())
            .collect();
        items.sort();
        items
    };
    let streamed: Value = serde_json::from_str(&j).expect("streamed json parses");
    let expected: Value = serde_json::from_str(&report::json::render(&whole)).unwrap();
    assert!(expected["diagnostics"].as_array().unwrap().len() > 100);
    assert_eq!(
        sorted(&streamed["diagnostics"]),
        sorted(&expected["diagnostics"])
    );
    for key in ["files_checked", "profiles", "version", "tool"] {
        assert_eq!(streamed[key], expected[key], "{key}");
    }
    let streamed: Value = serde_json::from_str(&s).expect("streamed sarif parses");
    let expected: Value = serde_json::from_str(&report::sarif::render(&whole)).unwrap();
    let (a, b) = (&streamed["runs"][0], &expected["runs"][0]);
    assert_eq!(sorted(&a["results"]), sorted(&b["results"]));
    assert_eq!(a["tool"], b["tool"]);
    assert_eq!(streamed["version"], expected["version"]);
}

/// A streamed run holds one batch of files and the env files of the folders above it, however
/// many files the tree has, even when every file below a `.env` reads the same lines of it (each
/// file's finding at the `.env` line points back at the file that read it).
#[test]
fn a_streamed_run_holds_a_batch_of_files_not_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy("fixtures/nodemailer/node-app/.env", d.join(".env")).unwrap();
    // Names that sort before `.env` too: the walk still reads the `.env` first.
    for i in 0..300 {
        let sub = d.join(format!("{}p{i}", if i % 3 == 0 { "-" } else { "" }));
        std::fs::create_dir(&sub).unwrap();
        std::fs::copy(
            "fixtures/nodemailer/node-app/src/mailer.js",
            sub.join("mailer.js"),
        )
        .unwrap();
    }
    let (batch, paths) = (8, [d.to_path_buf()]);
    let (whole, streamed, t_whole, t_streamed) = both(&paths, batch);
    assert_eq!(whole, streamed);
    assert_eq!(t_whole, t_streamed);
    assert_eq!(t_streamed.files_checked, 301);
    let providers = Providers::builtin().unwrap();
    let mut most = 0;
    check_paths_in_batches(
        &paths,
        &providers,
        &RunOptions::default(),
        batch,
        &mut |part| {
            most = most.max(part.sources.len());
            true
        },
    );
    // A batch, the `.env`, and the one file that made the `.env`'s findings first.
    assert!(most <= batch + 2, "held {most} files at once");
}

/// Large files make small batches: a batch stops once its texts reach a megabyte, so a tree of
/// large files is not held a few hundred files at a time.
#[test]
fn a_batch_of_large_files_is_small() {
    let dir = tempfile::tempdir().unwrap();
    let settings = std::fs::read_to_string("fixtures/spring-boot/bad/application.properties");
    let filler = "# a long comment line to make the file large\n".repeat(25_000);
    let text = format!("{}{filler}", settings.unwrap());
    for i in 0..6 {
        let sub = dir.path().join(format!("app{i}"));
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("application.properties"), &text).unwrap();
    }
    let providers = Providers::builtin().unwrap();
    let (mut most, mut parts) = (0, 0);
    let paths = [dir.path().to_path_buf()];
    let done = check_paths_in_batches(&paths, &providers, &RunOptions::default(), 256, &mut |p| {
        most = most.max(p.sources.len());
        parts += 1;
        true
    });
    assert_eq!(done.tally.files_checked, 6);
    assert_eq!((parts, most), (6, 1));
    // Stopped at the first part, with reading threads waiting for room: the run still ends.
    let done = check_paths_in_batches(&paths, &providers, &RunOptions::default(), 256, &mut |_| {
        false
    });
    assert!(done.stopped);
    assert!(done.tally.files_checked < 6);
}
