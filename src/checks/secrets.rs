//! `plaintext-secret`: a password written into the file itself.

use super::{value_label, with_labels, Ctx};
use crate::codes;
use crate::finding::{Finding, Severity};
use crate::model::{Client, Origin};

pub fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let p = ctx.profile;
    let Some(pw) = &p.password else { return };
    if pw.origin != Origin::Literal || pw.value.is_empty() {
        return;
    }
    let (severity, message, help) = match p.client {
        Client::Laravel | Client::Django | Client::DotenvGeneric => (
            Severity::Info,
            "the SMTP password is stored in this env file",
            "keep env files out of version control (.gitignore) and out of images",
        ),
        Client::Thunderbird => (
            Severity::Warning,
            "a password is stored in prefs.js; Thunderbird never reads it from there",
            "delete this line: Thunderbird keeps SMTP passwords in its password manager",
        ),
        Client::Rails => (
            Severity::Warning,
            "the SMTP password is written into this file",
            "keep it in the encrypted credentials (`bin/rails credentials:edit`, read with \
             `Rails.application.credentials.dig(:smtp, :password)`) or read it with `ENV.fetch`",
        ),
        _ => (
            Severity::Warning,
            "the SMTP password is written into this file",
            "read it from the environment or a secret store instead of committing it",
        ),
    };
    let mut it = value_label(pw, "password").into_iter();
    let f = ctx
        .finding(
            codes::PLAINTEXT_SECRET,
            severity,
            message.to_owned(),
            it.next().expect("label"),
        )
        .with_help(help);
    out.push(with_labels(f, it.collect()));
}
