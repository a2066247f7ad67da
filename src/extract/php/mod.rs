//! PHP: PHPMailer objects configured in code, Laravel's `config/mail.php`, and WP Mail SMTP's
//! constants in a WordPress `wp-config.php`, and Nextcloud's `config.php`.
//!
//! The PHP syntax reader ([`crate::extract::syntax::php`]) turns the file into values: what
//! objects are told, the arrays a top-level `return` hands out, and the secrets it saw. Two
//! client programs give them their meaning: PHPMailer ([`crate::extract::clients::phpmailer`])
//! Laravel ([`crate::extract::clients::laravel`]), WP Mail SMTP
//! ([`crate::extract::clients::wordpress`]) and Nextcloud ([`crate::extract::clients::nextcloud`]). Environment reads become
//! [`crate::model::EnvRef`]s that the resolve step fills from the project's `.env` files, with
//! the conversions of `value::Field`. `docs/formats/phpmailer.md` has the details.

use std::ops::Range;

use super::Extraction;
use crate::extract::clients::{laravel, nextcloud, phpmailer, wordpress};
use crate::extract::syntax::php::{self as syntax, contains_ignore_case};
use crate::finding::{Finding, Label, Severity};
use crate::model::{AuthMethod, Profile, Secret, Value};
use crate::source::{FileId, Loc};

pub(crate) mod value;

pub fn extract(file: FileId, text: &str) -> Extraction {
    let mut ex = Extraction::default();
    let Some(mut php) = syntax::read(text, &phpmailer::INTEREST) else {
        return ex;
    };
    let src = Src { file };
    phpmailer::build(&src, &php.objects.list, &mut ex);
    laravel::from_config(file, &php.returns, &mut ex);
    wordpress::build(&src, &php.defines, &mut ex);
    nextcloud::build(&src, &php.globals, &mut ex);
    let mut secrets = std::mem::take(&mut php.secrets);
    secrets.append(&mut ex.secrets);
    secrets.retain(|r| r.start < r.end && r.end <= text.len());
    secrets.sort_by_key(|r| (r.start, r.end));
    secrets.dedup();
    ex.secrets = secrets;
    ex.profiles.sort_by_key(|p| p.anchor.span.start);
    // A syntax error matters here only in a file about mail settings: many PHP files mention
    // "smtp" in passing (a settings form, a template) and are not ours to lint.
    let about_mail = !ex.profiles.is_empty()
        || [
            "phpmailer",
            "issmtp",
            "'mailers'",
            "\"mailers\"",
            "wpms_smtp_",
        ]
        .iter()
        .any(|n| contains_ignore_case(text, n));
    if about_mail {
        if let Some(f) = php.syntax_error(file, text) {
            ex.findings.insert(0, f);
        }
    }
    ex
}

/// The file being read, for spans and text.
pub(crate) struct Src {
    pub file: FileId,
}

impl Src {
    pub fn loc(&self, span: Range<usize>) -> Loc {
        Loc::new(self.file, span)
    }

    /// An auth switch written as a PHP value (`WPMS_SMTP_AUTH`, `mail_smtpauth`, both cast with
    /// `(bool)`): a literal that PHP reads as true means a password login, false none; an
    /// environment read is left to the resolve step. A string that says false (`'false'`,
    /// `'off'`) is true to PHP: an `invalid-value` warning naming `key`.
    pub fn auth_switch(&self, key: &str, v: &value::Expr, p: &mut Profile, ex: &mut Extraction) {
        if let value::Expr::Str(s) = v {
            let word = s.text.trim();
            if !word.is_empty() && word != "0" && crate::extract::parse_bool(word) == Some(false) {
                ex.findings.push(
                    Finding::new(
                        "invalid-value",
                        Severity::Warning,
                        format!(
                            "{key} is the string '{word}', which PHP casts to true: the login is \
                             switched on"
                        ),
                        Label::new(self.loc(s.span.clone()), "a non-empty string is true"),
                    )
                    .with_help(format!("write false without quotes to switch {key} off")),
                );
            }
        }
        match v {
            value::Expr::Env(e) => self.env(p, e, value::Field::PmAuth(AuthMethod::Password)),
            v => {
                if let Some(lit) = v.literal() {
                    let m = if lit.truthy() {
                        AuthMethod::Password
                    } else {
                        AuthMethod::None
                    };
                    p.auth = Some(Value::literal(m, self.loc(v.span())));
                }
            }
        }
    }

    /// A user name and a password written as PHP values (constants, array items): literals are
    /// set (every password literal, even empty, and every piece of a built one is a secret
    /// span); environment reads become references the resolve step fills.
    pub fn login(
        &self,
        user: Option<&value::Expr>,
        pass: Option<&value::Expr>,
        p: &mut Profile,
        ex: &mut Extraction,
    ) {
        match user {
            Some(value::Expr::Str(s)) if !s.text.is_empty() => {
                p.username = Some(Value::literal(s.text.clone(), self.loc(s.span.clone())))
            }
            Some(value::Expr::Env(e)) => self.env(p, e, value::Field::Username),
            _ => {}
        }
        match pass {
            Some(value::Expr::Str(s)) => {
                ex.secrets.push(s.span.clone());
                if !s.text.is_empty() {
                    let secret = Secret::new(s.text.clone());
                    p.password = Some(Value::literal(secret, self.loc(s.span.clone())));
                }
            }
            Some(value::Expr::Env(e)) => {
                ex.secrets.extend(e.default.iter().map(|(_, s)| s.clone()));
                self.env(p, e, value::Field::Password);
            }
            Some(other) => ex.secrets.extend(other.pieces()),
            None => {}
        }
    }

    /// A field read from the environment, for the resolve step.
    pub fn env(&self, p: &mut Profile, e: &value::EnvRead, f: value::Field) {
        p.env_refs.push(e.env_ref(|r| self.loc(r), f));
    }
}

#[cfg(test)]
mod tests;
