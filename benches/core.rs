//! Micro-benchmarks of the per-run costs a pre-commit hook pays: loading the embedded provider
//! rules, each extractor, and a whole single-file check. Run: `cargo bench --bench core`.

use std::path::Path;

use smtp_doctor::extract::{self, Format};
use smtp_doctor::providers::Providers;
use smtp_doctor::source::FileId;

fn main() {
    divan::main();
}

#[divan::bench]
fn load_builtin_rules() -> Providers {
    Providers::builtin().unwrap()
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[divan::bench]
fn extract_toml(b: divan::Bencher) {
    let text = fixture("fixtures/toml/gmail.bad.toml");
    b.bench(|| {
        extract::extract(
            Format::from_name("toml").unwrap(),
            FileId(0),
            divan::black_box(&text),
        )
    });
}

#[divan::bench]
fn extract_dotenv(b: divan::Bencher) {
    let text = "APP_NAME=shop\nMAIL_MAILER=smtp\nMAIL_HOST=smtp.mail.me.com\nMAIL_PORT=587\nMAIL_USERNAME=jane@icloud.com\nMAIL_PASSWORD=\"abcd-efgh-ijkl-mnop\"\nMAIL_FROM_ADDRESS=jane@icloud.com\n".repeat(4);
    b.bench(|| {
        extract::extract(
            Format::from_name("dotenv").unwrap(),
            FileId(0),
            divan::black_box(&text),
        )
    });
}

#[divan::bench]
fn extract_thunderbird(b: divan::Bencher) {
    let mut text = String::from("// Mozilla User Preferences\n");
    for i in 0..200 {
        text.push_str(&format!("user_pref(\"browser.some.pref{i}\", {i});\n"));
    }
    text.push_str("user_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.gmail.com\");\nuser_pref(\"mail.smtpserver.smtp1.port\", 465);\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", 3);\nuser_pref(\"mail.smtpserver.smtp1.username\", \"sam@gmail.com\");\n");
    b.bench(|| {
        extract::extract(
            Format::from_name("thunderbird-prefs").unwrap(),
            FileId(0),
            divan::black_box(&text),
        )
    });
}

#[divan::bench]
fn check_example_file(b: divan::Bencher) {
    let providers = Providers::builtin().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.toml");
    b.bench(|| smtp_doctor::engine::check_paths(std::slice::from_ref(&path), &providers));
}
