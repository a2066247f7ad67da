//! `check --fix`, `--unsafe-fixes` and `--diff` through the binary: on a copy of every bad
//! fixture, on a project whose code reads its port from `.env`, and on standard input.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{smtp_doctor, stdout};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            out.insert(d.clone(), std::fs::read(&d).unwrap());
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap() {
            stack.push(e.unwrap().path());
        }
    }
    out
}

/// The bad fixtures (files and project folders), each with its group's `rules/` folder if any.
fn bad_fixtures(root: &Path) -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut out = Vec::new();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    groups.sort();
    for g in groups.into_iter().filter(|g| g.is_dir()) {
        let rules = g.join("rules");
        let rules = rules.is_dir().then_some(rules);
        let mut items: Vec<PathBuf> = std::fs::read_dir(&g)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().contains("bad"))
            .collect();
        items.sort();
        out.extend(items.into_iter().map(|i| (i, rules.clone())));
    }
    out
}

fn fix_cmd(item: &Path, rules: &Option<PathBuf>, extra: &[&str]) -> std::process::Output {
    let mut c = smtp_doctor();
    c.args(["check", "--isolated"]);
    if let Some(r) = rules {
        c.arg("--rules").arg(r);
    }
    c.args(extra).arg(item).output().unwrap()
}

/// Lines that name a password or secret, which no fix may change.
fn secret_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            (l.contains("pass") || l.contains("secret") || l.contains("token"))
                && !["process.env", "getenv", "env(", "environ"]
                    .iter()
                    .any(|r| l.contains(r))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_bad_fixture_is_fixed_until_nothing_fixable_is_left_and_a_second_fix_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures"), tmp.path());
    let before = snapshot(tmp.path());
    let items = bad_fixtures(tmp.path());
    assert!(items.len() >= 50, "{}", items.len());
    let mut problems = Vec::new();
    for (item, rules) in &items {
        let o = fix_cmd(item, rules, &["--fix", "--unsafe-fixes"]);
        if o.status.code() == Some(2) {
            problems.push(format!(
                "{}: exit 2: {}",
                item.display(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        // The re-check has no fixable finding left.
        let json = fix_cmd(item, rules, &["--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        for d in doc["diagnostics"].as_array().unwrap() {
            if !d["fix"].is_null() {
                problems.push(format!("{}: still fixable: {d}", item.display()));
            }
        }
        // A second run changes nothing and says so.
        let once = snapshot(item);
        let again = fix_cmd(item, rules, &["--fix", "--unsafe-fixes"]);
        if snapshot(item) != once {
            problems.push(format!("{}: a second --fix changed it", item.display()));
        }
        if !String::from_utf8_lossy(&again.stderr).contains("fixed 0 finding(s) in 0 file(s)") {
            problems.push(format!(
                "{}: second run: {}",
                item.display(),
                String::from_utf8_lossy(&again.stderr)
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    let after = snapshot(tmp.path());
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(p, t)| before.get(*p) != Some(t))
        .map(|(p, _)| p)
        .collect();
    // Most bad fixtures have a value the provider facts make right.
    assert!(changed.len() >= 40, "only {} files changed", changed.len());
    for p in &changed {
        let (old, new) = (
            String::from_utf8_lossy(&before[*p]),
            String::from_utf8_lossy(&after[*p]),
        );
        assert_eq!(secret_lines(&old), secret_lines(&new), "{}", p.display());
        assert_eq!(old.lines().count(), new.lines().count(), "{}", p.display());
    }
    // Only bad fixtures change, and no temporary file is left.
    assert_eq!(before.len(), after.len());
    for p in &changed {
        assert!(p.to_string_lossy().contains("bad"), "{}", p.display());
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GMAIL_TOML: &str = "[smtp]\n# the relay\nhost = \"smtp.gmail.com\"\nport = 587   # aligned\npassword = \"qwertasdfgzxcvbn\"\nsecurity = \"ssl\"\nusername = \"sam@gmail.com\"\nfrom = \"sam@gmail.com\"\n";

#[test]
fn diff_shows_the_change_masks_the_password_writes_nothing_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "mail.toml", GMAIL_TOML);
    let o = smtp_doctor()
        .args(["check", "--isolated", "--diff"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("-port = 587   # aligned\n+port = 465   # aligned\n"),
        "{out}"
    );
    // The password line is in the diff's context, masked.
    assert!(
        out.contains("\n password = \"****************\"\n"),
        "{out}"
    );
    assert!(!out.contains("qwertasdfgzxcvbn"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), GMAIL_TOML);
    // Once fixed, the diff is empty and the exit code 0.
    let fixed = smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(fixed.status.code(), Some(0), "{fixed:?}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        GMAIL_TOML.replace("587", "465")
    );
    let o = smtp_doctor()
        .args(["check", "--isolated", "--diff"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
}

#[cfg(unix)]
#[test]
fn fix_keeps_the_mode_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "mail.toml", GMAIL_TOML);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(&file)
        .assert()
        .success();
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("port = 465"));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn safe_fixes_only_unless_unsafe_fixes_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    // The username's domain is a guess (no From says it): an unsafe fix.
    let text = "[smtp]\nhost = \"smtp.mail.me.com\"\nport = 587\nsecurity = \"starttls\"\nusername = \"jane\"\n";
    let file = write(tmp.path(), "mail.toml", text);
    let o = smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(1 more with --unsafe-fixes)"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    smtp_doctor()
        .args(["check", "--isolated", "--fix", "--unsafe-fixes"])
        .arg(&file)
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("username = \"jane@icloud.com\""));
}

#[test]
fn a_port_read_from_the_environment_is_fixed_in_the_env_file_not_the_code() {
    let tmp = tempfile::tempdir().unwrap();
    let code = "const nodemailer = require(\"nodemailer\");\nmodule.exports = nodemailer.createTransport({\n  host: \"smtp.gmail.com\",\n  port: Number(process.env.SMTP_PORT),\n  secure: true,\n  auth: { user: \"sam@gmail.com\", pass: process.env.SMTP_PASS },\n});\n";
    let js = write(tmp.path(), "mailer.js", code);
    let env = write(
        tmp.path(),
        ".env",
        "# mail\nSMTP_PORT=587\nSMTP_PASS=abcdabcdabcdabcd\n",
    );
    let o = smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(std::fs::read_to_string(&js).unwrap(), code);
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "# mail\nSMTP_PORT=465\nSMTP_PASS=abcdabcdabcdabcd\n"
    );
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let text = "[smtp]\nhost = \"smtp.gmial.com\"\nport = 465\nsecurity = \"starttls\"\n";
    let o = smtp_doctor()
        .args([
            "check",
            "--isolated",
            "--fix",
            "--unsafe-fixes",
            "-",
            "--stdin-filename",
            "mail.toml",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o),
        "[smtp]\nhost = \"smtp.gmail.com\"\nport = 465\nsecurity = \"implicit\"\n"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("fixed 2 finding(s)"));
    // --diff on standard input prints the diff, not the text.
    let o = smtp_doctor()
        .args([
            "check",
            "--isolated",
            "--diff",
            "--unsafe-fixes",
            "-",
            "--stdin-filename",
            "mail.toml",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("+security = \"implicit\""));
}

#[test]
fn the_readme_sample_is_real_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let marker = "<!-- sample: smtp-doctor check --diff examples/config.toml -->";
    let rest = &readme[readme.find(marker).expect("README sample")..];
    let body = &rest[rest.find("```").unwrap()..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let block = &body[..body.find("```").unwrap()];
    let o = smtp_doctor()
        .args(["check", "--diff", "examples/config.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        block,
        format!(
            "$ smtp-doctor check --diff examples/config.toml\n{}{}",
            stdout(&o),
            String::from_utf8_lossy(&o.stderr)
        )
    );
}

#[test]
fn a_plain_check_says_how_many_findings_fix_would_fix() {
    let o = smtp_doctor()
        .args(["check", "--isolated", "examples/config.toml"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("note: 1 finding(s) can be fixed with --fix (2 more with --fix --unsafe-fixes)"));
    // Not for machines: JSON carries `fix` on each diagnostic instead.
    let o = smtp_doctor()
        .args([
            "check",
            "--isolated",
            "--format",
            "json",
            "examples/config.toml",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&o.stderr).contains("can be fixed"));
}

#[cfg(unix)]
#[test]
fn crlf_lines_stay_crlf_and_a_symbolic_link_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[smtp]\r\nhost = \"smtp.gmail.com\"\r\nport = 587\r\nsecurity = \"ssl\"\r\n";
    let file = write(tmp.path(), "real.toml", text);
    let link = tmp.path().join("link.toml");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(&link)
        .assert()
        .code(1); // auth-missing is left: nothing to fix it with
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text.replace("587", "465")
    );
}

const RAILS_SSL_587: &str = "Rails.application.configure do\n  config.action_mailer.smtp_settings = {\n    address: \"smtp.mail.me.com\",\n    port: 587,\n    ssl: true,\n    user_name: \"jane@icloud.com\",\n    password: ENV[\"SMTP_PASSWORD\"]\n  }\nend\n";

/// Rails on iCloud (587 with STARTTLS only): `ssl: false` alone would leave Mail's opportunistic
/// STARTTLS; the fix also asks for `enable_starttls: true`, and the fixed file is clean. (Gmail,
/// which offers 465, gets its port moved instead, as every format does.)
#[test]
fn rails_implicit_tls_on_587_becomes_required_starttls() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "production.rb", RAILS_SSL_587);
    let o = smtp_doctor()
        .args(["check", "--isolated", "--fix"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        RAILS_SSL_587.replace("ssl: true,", "ssl: false, enable_starttls: true,")
    );
}
