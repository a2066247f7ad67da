//! The pre-commit hook, for real: `pre-commit try-repo` builds this repository's hook with cargo
//! and runs it on a throwaway git repository with a bad `.env`; it must fail with the right
//! message, then pass once the file is fixed. tests/run.sh installs pre-commit from PyPI.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?} failed");
}

#[test]
#[ignore = "needs pre-commit (PyPI) and a release build: run tests/run.sh"]
fn pre_commit_try_repo_fails_on_a_bad_env_and_passes_when_fixed() {
    let have = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        have,
        "pre-commit is not installed: `python3 -m pip install pre-commit` (tests/run.sh does it)"
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    git(dir, &["init", "-q"]);
    git(dir, &["config", "user.email", "ci@example.invalid"]);
    git(dir, &["config", "user.name", "ci"]);
    std::fs::write(
        dir.join(".env"),
        "MAIL_MAILER=smtp\nMAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\nMAIL_USERNAME=jane.appleseed\nMAIL_URL=\"smtp://smtp.mail.me.com:587?require_tls=true\"\n",
    )
    .unwrap();
    git(dir, &["add", ".env"]);
    let run = || {
        Command::new("pre-commit")
            .args([
                "try-repo",
                repo.to_str().unwrap(),
                "smtp-doctor",
                "--files",
                ".env",
            ])
            .current_dir(dir)
            // Keep pre-commit's environments and cargo's build between runs.
            .env("PRE_COMMIT_HOME", repo.join("target/pre-commit-home"))
            .env("CARGO_TARGET_DIR", repo.join("target/pre-commit-build"))
            // pre-commit builds the hook with `cargo install` (release); a test needs the hook's
            // behaviour, not its speed: no LTO, no optimisation, parallel units (half the build
            // time).
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .output()
            .unwrap()
    };
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(".env:4:15: error[username-not-full-address]"),
        "{out}"
    );

    std::fs::write(
        dir.join(".env"),
        "MAIL_MAILER=smtp\nMAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\nMAIL_USERNAME=jane.appleseed@icloud.com\nMAIL_URL=\"smtp://smtp.mail.me.com:587?require_tls=true\"\n",
    )
    .unwrap();
    git(dir, &["add", ".env"]);
    let o = run();
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("smtp-doctor") && out.contains("Passed"),
        "{out}"
    );
}
