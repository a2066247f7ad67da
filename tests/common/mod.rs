//! What the CLI test files share: the binary with a clean environment.
#![allow(dead_code)] // each test binary uses a part

pub mod projects;

use std::process::Output;

use assert_cmd::Command;

/// `smtp-doctor` with no colour and no output format or colour forced from the environment,
/// so every test sees the same output whatever the developer's shell sets.
pub fn smtp_doctor() -> Command {
    let mut c = Command::cargo_bin("smtp-doctor").unwrap();
    c.env_remove("CLICOLOR_FORCE")
        .env_remove("SMTP_DOCTOR_OUTPUT_FORMAT")
        .env("NO_COLOR", "1");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
