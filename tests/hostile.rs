//! Hostile input (issue #9): repositories anyone can write to must not be able to hang the
//! tool, send control sequences to the terminal, or hide what was not read.

use std::process::Output;

use assert_cmd::Command;

const FORMATS: &[&str] = &["full", "concise", "json", "json-lines", "github", "sarif"];

mod common;

fn cmd() -> Command {
    let mut c = common::smtp_doctor();
    c.timeout(std::time::Duration::from_secs(20));
    c
}

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// No byte that starts a terminal control sequence: ESC, BEL, and C1 CSI/OSC (U+009B, U+009D),
/// nor a bare carriage return.
fn assert_no_control(what: &str, out: &[u8]) {
    let s = text(out);
    for c in s.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}';
        assert!(!bad, "{what}: raw control character {c:?} in\n{s}");
    }
}

const BAD_ENV: &str = "EMAIL_HOST=smtp.gmail.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=True\nEMAIL_HOST_USER=jane.doe@gmail.com\nDEFAULT_FROM_EMAIL=jane.doe@gmail.com\n";

#[test]
fn control_characters_in_a_file_name_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\u{1b}]0;owned\u{7}\u{9b}2J\nforged.env:1:1: error[forged] fake.env";
    let path = dir.path().join(name);
    std::fs::write(&path, BAD_ENV).unwrap();
    for format in FORMATS {
        let o = run(&["check", "--format", format, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", text(&o.stderr));
        assert_no_control(format, &o.stdout);
        assert_no_control(format, &o.stderr);
    }
    // concise: one line per finding, and the newline in the name cannot start another.
    let o = run(&["check", "--format", "concise", path.to_str().unwrap()]);
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    let (summary, findings) = lines.split_last().unwrap();
    assert!(summary.starts_with("Found "), "{out}");
    assert!(!findings.is_empty());
    for l in findings {
        assert!(
            l.starts_with(dir.path().to_str().unwrap()),
            "forged line: {l}"
        );
        assert!(
            l.contains("\\x1b]0;owned\\x07\\u{9b}2J\\nforged.env"),
            "{l}"
        );
    }
    // JSON keeps the exact name, as escapes.
    let o = run(&["check", "--format", "json", path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["diagnostics"][0]["file"].as_str().unwrap(),
        path.to_str().unwrap()
    );
}

#[test]
fn control_characters_in_a_decoded_value_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailer.js");
    std::fs::write(
        &path,
        "const nodemailer = require(\"nodemailer\");\n\
         const t = nodemailer.createTransport({ host: \"smtp.gmail.com\", port: \"\\u001b[31m\\u009b587\u{1b}[0m\" });\n",
    )
    .unwrap();
    for format in FORMATS {
        let o = run(&["check", "--format", format, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert_no_control(format, &o.stdout);
    }
    let o = run(&["check", "--format", "concise", path.to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("`\\x1b[31m\\u{9b}587\\x1b[0m`"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn control_characters_in_rule_strings_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string("fixtures/custom-relay/rules/acme-relay.yaml").unwrap();
    std::fs::write(
        dir.path().join("acme-relay.yaml"),
        yaml.replace("name: ACME mail relay", "name: \"ACME\\e[31m\\x9b relay\""),
    )
    .unwrap();
    let rules = dir.path().to_str().unwrap();
    for format in FORMATS {
        let o = run(&[
            "check",
            "--format",
            format,
            "--rules",
            rules,
            "fixtures/custom-relay/acme.bad.toml",
        ]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", text(&o.stderr));
        assert_no_control(format, &o.stdout);
        assert!(text(&o.stdout).contains("ACME"), "{format}");
    }
    for format in ["text", "json"] {
        let o = run(&["rules", "--format", format, "--rules", rules]);
        assert_eq!(o.status.code(), Some(0), "{format}");
        assert_no_control(format, &o.stdout);
        assert!(text(&o.stdout).contains("ACME"), "{format}");
    }
    let o = run(&["rules", "--format", "json", "--rules", rules]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "ACME\u{1b}[31m\u{9b} relay"));
    // A broken rule file: its text, with an ESC in it, is shown in a snippet on stderr.
    std::fs::write(
        dir.path().join("acme-relay.yaml"),
        yaml.replace("tls: starttls", "tls: \"start\u{1b}[2Jtls\""),
    )
    .unwrap();
    let o = run(&["rules", "--rules", rules]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_control("rule error", &o.stderr);
    assert!(text(&o.stderr).contains("invalid provider rules"));
}

#[test]
fn input_errors_escape_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone\u{1b}[2J\n.env");
    let o = run(&["check", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_control("stderr", &o.stderr);
    assert!(text(&o.stderr).contains("gone\\x1b[2J\\n.env"));
}

fn stderr_of(o: &Output) -> String {
    text(&o.stderr)
}

fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.env");
    mkfifo(&fifo);
    let fifo_s = fifo.to_str().unwrap();
    let o = run(&["check", fifo_s]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stdout),
        "Nothing checked: 1 path could not be read.\n"
    );
    assert!(
        stderr_of(&o).contains("pipe.env: a named pipe (FIFO), not a regular file"),
        "{}",
        stderr_of(&o)
    );

    let good = dir.path().join("good.toml");
    std::fs::write(&good, "").unwrap();
    let o = run(&["check", "--config", fifo_s, good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("named pipe"), "{}", stderr_of(&o));

    let o = run(&["probe", "--ca-file", fifo_s, "127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("named pipe"), "{}", stderr_of(&o));

    // Found by walking up, not named: still an error, not skipped in favour of a settings
    // file further up.
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(dir.path().join(".smtp-doctor.toml"), "").unwrap();
    mkfifo(&project.join(".smtp-doctor.toml"));
    std::fs::write(project.join("config.toml"), "").unwrap();
    let o = run(&["check", project.join("config.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("named pipe"), "{}", stderr_of(&o));

    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    mkfifo(&rules.join("relay.yaml"));
    let o = run(&["rules", "--rules", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("cannot read rule file: a named pipe"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn links_and_pipes_found_in_a_folder_are_warnings_never_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.env"), "SMTP_HOST=smtp.example.org\n").unwrap();
    mkfifo(&dir.path().join("pipe.env"));
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join(".env")).unwrap();
    let o = run(&["check", "--isolated", dir.path().to_str().unwrap()]);
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains(".env: skipped: a symbolic link"), "{err}");
    assert!(err.contains("pipe.env: skipped: a named pipe"), "{err}");
    assert!(
        !text(&o.stdout).contains("root:"),
        "a link's target is never read"
    );
    // The summary on stdout says so too, for whoever reads only stdout, whole run or streamed.
    assert!(
        text(&o.stdout).contains("in 1 file (1 SMTP profile); 2 paths could not be read."),
        "{}",
        text(&o.stdout)
    );
    let o = run(&[
        "check",
        "--isolated",
        "--format",
        "concise",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        text(&o.stdout).ends_with("in 1 file (1 SMTP profile); 2 paths could not be read.\n"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_symlink_to_dev_zero_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join(".env");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let o = run(&["check", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains(".env: a device, not a regular file"),
        "{}",
        stderr_of(&o)
    );

    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::os::unix::fs::symlink("/dev/zero", rules.join("relay.yaml")).unwrap();
    let o = run(&["rules", "--rules", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr_of(&o).contains("a device"), "{}", stderr_of(&o));
}

#[test]
fn probe_ca_file_dev_zero_is_a_usage_error() {
    let o = run(&["probe", "--ca-file", "/dev/zero", "127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("cannot read CA file /dev/zero: a device"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn oversized_rule_and_settings_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'#'; (1 << 20) + 1];
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("big.yaml"), &big).unwrap();
    let o = run(&["rules", "--rules", rules.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("rule file is larger than 1 MiB"),
        "{}",
        stderr_of(&o)
    );
    let cfg = dir.path().join(".smtp-doctor.toml");
    std::fs::write(&cfg, &big).unwrap();
    let o = run(&["check", "--config", cfg.to_str().unwrap(), "fixtures/toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("larger than 1 MiB"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn stdin_over_the_limit_is_an_error_not_cut() {
    let mut input = b"EMAIL_HOST=smtp.gmail.com\n".to_vec();
    input.resize(smtp_doctor::engine::MAX_FILE_SIZE as usize + 1, b'#');
    let o = cmd()
        .args(["check", "--stdin-filename", ".env", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("standard input is larger than 8 MiB"),
        "{}",
        stderr_of(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn stdin_and_files_treat_nul_and_bad_utf8_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for (bytes, code, needle) in [
        (&b"EMAIL_HOST=smtp.gmail.com\0\n"[..], 2, "binary file"),
        (
            &b"EMAIL_HOST=smtp.gmail.com\n# caf\xe9\n"[..],
            1,
            ".env:2:6: error[parse-error] the file is not valid UTF-8",
        ),
    ] {
        let file = dir.path().join(".env");
        std::fs::write(&file, bytes).unwrap();
        let from_file = cmd()
            .current_dir(dir.path())
            .args(["check", "--format", "concise", ".env"])
            .output()
            .unwrap();
        let from_stdin = cmd()
            .current_dir(dir.path())
            .args([
                "check",
                "--format",
                "concise",
                "--stdin-filename",
                ".env",
                "-",
            ])
            .write_stdin(bytes)
            .output()
            .unwrap();
        for o in [&from_file, &from_stdin] {
            assert_eq!(o.status.code(), Some(code), "{}", stderr_of(o));
            let all = format!("{}{}", text(&o.stdout), stderr_of(o));
            assert!(all.contains(needle), "{all}");
        }
        assert_eq!(from_file.stdout, from_stdin.stdout);
        assert_eq!(from_file.stderr, from_stdin.stderr);
    }
}

/// A folder nested deeper than the system's path limit (4096 bytes), with a `.env` at the
/// bottom. Built with short names, then renamed bottom-up, so that no call sees a long path.
fn too_deep(root: &std::path::Path) {
    let depth = 25;
    let mut short = root.join("d");
    for _ in 1..depth {
        short = short.join("d");
    }
    std::fs::create_dir_all(&short).unwrap();
    std::fs::write(short.join(".env"), "EMAIL_HOST=smtp.gmail.com\n").unwrap();
    let long = "d".repeat(200);
    for level in (1..=depth).rev() {
        let mut dir = root.to_path_buf();
        for _ in 1..level {
            dir = dir.join("d");
        }
        std::fs::rename(dir.join("d"), dir.join(&long)).unwrap();
    }
}

fn is_root() -> bool {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

#[test]
fn what_a_walk_cannot_read_is_reported() {
    // A path over PATH_MAX cannot be read by anyone, root included.
    let dir = tempfile::tempdir().unwrap();
    let only = dir.path().join("only");
    std::fs::create_dir(&only).unwrap();
    too_deep(&only);
    let o = run(&["check", only.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "nothing could be read");
    assert!(
        stderr_of(&o).contains("skipped: path is too long"),
        "{}",
        stderr_of(&o)
    );

    // Beside a readable file: a warning, and the findings decide the exit code.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    too_deep(&mixed);
    std::fs::write(mixed.join(".env"), BAD_ENV).unwrap();
    let o = run(&["check", "--format", "concise", mixed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("warning: "), "{}", stderr_of(&o));
    assert!(stderr_of(&o).contains("skipped: path is too long"));
    assert!(
        text(&o.stdout).contains("conflicting-settings"),
        "{}",
        text(&o.stdout)
    );

    // An unreadable folder: only testable when not root (root reads it anyway).
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir_all(locked.join("secret")).unwrap();
        std::fs::write(locked.join("secret/.env"), BAD_ENV).unwrap();
        std::fs::set_permissions(
            locked.join("secret"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        let o = run(&["check", locked.to_str().unwrap()]);
        std::fs::set_permissions(
            locked.join("secret"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr_of(&o).contains("skipped: permission denied"),
            "{}",
            stderr_of(&o)
        );
    }
}

#[test]
fn a_megabyte_line_is_not_printed_once_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-line.env");
    let mut content = String::from("EMAIL_HOST=smtp.gmail.com\nEMAIL_PORT=25");
    content.push_str(&"#".repeat(4 << 20));
    content.push('\n');
    std::fs::write(&path, content).unwrap();
    let o = run(&["check", "--format", "full", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.len() < 20_000, "{} bytes of output", out.len());
    assert!(
        out.contains("one-line.env:2:12: port not offered (the line is too long to show)"),
        "{out}"
    );
}

#[test]
fn triage_input_over_the_limit_is_an_error_not_cut() {
    let o = cmd()
        .args(["triage"])
        .write_stdin(vec![b'x'; (1 << 20) + 1])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr_of(&o).contains("standard input is larger than 1 MiB"),
        "{}",
        stderr_of(&o)
    );
}

#[test]
fn a_password_next_to_a_syntax_error_is_masked_in_every_format() {
    // The readers cannot tell what a broken line means, so no profile names the password; the
    // snippet around the syntax error must not show it all the same.
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "config.toml",
            "[smtp]\nhost = \"smtp.gmail.com\"\npassword = \"hunter2hunter2\nport = 587\n",
            "hunter2hunter2",
        ),
        (
            "send.py",
            "import smtplib\ns = smtplib.SMTP(\"smtp.gmail.com\", 587)\ns.login(\"a@gmail.com\", \"pw-s3cret-value\"\nx = (\n",
            "pw-s3cret-value",
        ),
    ];
    for (name, body, secret) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        for format in FORMATS {
            let out = run(&["check", "--format", format, path.to_str().unwrap()]);
            let all = text(&out.stdout) + &text(&out.stderr);
            assert!(!all.contains(secret), "{name} in {format}:\n{all}");
            assert!(!out.stdout.is_empty(), "{name} in {format}: no output");
        }
    }
}

#[test]
fn a_file_of_junk_lines_reports_a_bounded_number_of_findings() {
    // 20,000 lines that are not `KEY=value`: the first 100 parse errors, then one summary, in
    // every format (memory and output follow what is reported, not what is read).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let body: String = (0..20_000).map(|i| format!("junk line {i}\n")).collect();
    std::fs::write(&path, body).unwrap();
    let out = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 101, "{}", text(&out.stdout));
    let last = diags.last().unwrap();
    assert_eq!(last["code"], "parse-error");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .starts_with("19900 more `parse-error` findings"),
        "{last}"
    );
    assert_eq!(last["line"], 101);
}

#[test]
fn control_characters_in_settings_file_globs_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("settings.toml");
    std::fs::write(
        &config,
        "[formats]\n\"\\u001b]0;x\\u0007*.conf\" = \"dotenv\"\n[per-file-ignores]\n\"\\u001b*.env\" = [\"plaintext-secret\"]\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let out = run(&["check", "--config", cfg, "--show-settings", dir_arg]);
    assert_no_control("--show-settings", &out.stdout);
    assert_no_control("--show-settings stderr", &out.stderr);
    let shown = text(&out.stdout);
    assert!(
        shown.matches("\\u{1b}").count() + shown.matches("\\x1b").count() >= 2,
        "{shown}"
    );
    // A format name that does not exist: the error names the glob, escaped.
    std::fs::write(&config, "[formats]\n\"\\u001b[2J*.conf\" = \"nope\"\n").unwrap();
    let out = run(&["check", "--config", cfg, dir_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert_no_control("bad format name", &out.stderr);
    // An invalid glob: its error message quotes it.
    std::fs::write(
        &config,
        "[per-file-ignores]\n\"\\u001b[31m*.env\" = [\"plaintext-secret\"]\n",
    )
    .unwrap();
    let out = run(&["check", "--config", cfg, dir_arg]);
    assert_eq!(out.status.code(), Some(2));
    assert_no_control("invalid glob", &out.stderr);
    assert!(text(&out.stderr).contains("\\x1b"), "{}", text(&out.stderr));
}

/// Every input the fuzzer ever found, checked by the real binary with its data memory capped at
/// 256 MiB (`ulimit -d`, which counts the heap): it ends normally, with findings or without,
/// rather than being killed for memory. (The in-process replay in tests/fuzz.rs checks time.)
#[test]
fn every_regression_input_is_checked_within_256_mib() {
    let root = std::path::Path::new("tests/fuzz-regressions");
    let names = [
        ("dotenv", ".env"),
        ("javascript", "input.js"),
        ("php", "input.php"),
        ("python", "input.py"),
        ("thunderbird-prefs", "prefs.js"),
        ("toml", "input.toml"),
    ];
    let bin = assert_cmd::cargo::cargo_bin("smtp-doctor");
    let mut checked = 0;
    for (folder, name) in names {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries {
            let src = entry.unwrap().path();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            std::fs::copy(&src, &path).unwrap();
            let script = "ulimit -d 262144 && exec \"$0\" check --isolated --format concise \"$1\"";
            let o = std::process::Command::new("bash")
                .args(["-c", script])
                .arg(&bin)
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                matches!(o.status.code(), Some(0 | 1)),
                "{}: {:?}\n{}",
                src.display(),
                o.status,
                text(&o.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} regression inputs found");
}
