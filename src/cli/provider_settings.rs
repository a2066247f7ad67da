//! `smtp-doctor settings PROVIDER [--for FORMAT] [--user ADDRESS]`: a configuration that works,
//! for each supported format, from the provider's facts: its SMTP host, the documented port
//! and TLS mode (implicit TLS first, as RFC 8314 recommends), the login form, what kind of
//! password it takes and where to create one. Passwords are never written: each snippet reads
//! them from the environment (or leaves them to the client, for Thunderbird).

use std::path::PathBuf;

use clap::ValueEnum;

use super::{load_providers, output, EXIT_ERROR};
use crate::model::TlsMode;
use crate::providers::{PasswordKind, Provider, UsernameForm, UsernameRule};

#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// Provider id or name, as `smtp-doctor rules` lists them (e.g. gmail, icloud).
    pub provider: String,
    /// Print only this format [default: every format].
    #[arg(long = "for", value_enum, value_name = "FORMAT")]
    pub target: Option<Target>,
    /// The account's e-mail address (the login, for providers that want the full address).
    #[arg(long, value_name = "ADDRESS")]
    pub user: Option<String>,
    /// Add provider rules from a folder of YAML files (may be repeated).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

/// The formats `settings` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    Nodemailer,
    Phpmailer,
    Smtplib,
    Django,
    Laravel,
    Toml,
    Thunderbird,
}

impl Target {
    /// The file name the snippet is meant for (and is checked as in the tests).
    pub fn file_name(self) -> &'static str {
        match self {
            Target::Nodemailer => "mailer.js",
            Target::Phpmailer => "mailer.php",
            Target::Smtplib => "send.py",
            Target::Django => "settings.py",
            Target::Laravel => ".env",
            Target::Toml => "config.toml",
            Target::Thunderbird => "user.js",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Target::Nodemailer => "Nodemailer",
            Target::Phpmailer => "PHPMailer",
            Target::Smtplib => "Python smtplib",
            Target::Django => "Django settings.py",
            Target::Laravel => "Laravel .env",
            Target::Toml => "TOML (generic [smtp] table)",
            Target::Thunderbird => "Thunderbird user.js",
        }
    }

    fn comment(self) -> &'static str {
        match self {
            Target::Nodemailer | Target::Phpmailer | Target::Thunderbird => "//",
            _ => "#",
        }
    }
}

/// What every snippet of one provider says.
struct Plan<'a> {
    prov: &'a Provider,
    host: String,
    port: u16,
    tls: TlsMode,
    user: String,
    oauth2: bool,
}

pub(super) fn run(args: SettingsArgs, err_color: bool) -> u8 {
    let providers = match load_providers(&args.rule_dirs, err_color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let wanted = args.provider.to_ascii_lowercase();
    let Some(prov) = providers
        .list
        .iter()
        .find(|p| p.id == wanted || p.name.eq_ignore_ascii_case(&wanted))
    else {
        let ids: Vec<&str> = providers.list.iter().map(|p| p.id.as_str()).collect();
        eprintln!(
            "error: no provider `{}`; known: {}",
            crate::report::escape::line(&args.provider),
            ids.join(", ")
        );
        return EXIT_ERROR;
    };
    let plan = match plan(prov, args.user.as_deref()) {
        Ok(p) => p,
        Err(m) => {
            eprintln!("error: {m}");
            return EXIT_ERROR;
        }
    };
    let targets: Vec<Target> = match args.target {
        Some(t) => vec![t],
        None => Target::value_variants().to_vec(),
    };
    let mut out = String::new();
    for t in &targets {
        let text = match snippet(*t, &plan) {
            Ok(s) => s,
            Err(why) if args.target.is_some() => {
                eprintln!("error: {why}");
                return EXIT_ERROR;
            }
            Err(why) => format!("{} {why}\n", t.comment()),
        };
        if args.target.is_none() {
            out.push_str(&format!("==> {} ({}) <==\n", t.title(), t.file_name()));
        }
        out.push_str(&text);
        if args.target.is_none() {
            out.push('\n');
        }
    }
    output::exit_after(output::write_stdout(&crate::report::escape::text(&out)))
}

/// The endpoint, the login and the password kind for one provider.
fn plan<'a>(prov: &'a Provider, user: Option<&str>) -> Result<Plan<'a>, String> {
    let documented = |tls| {
        prov.submission
            .iter()
            .find(|e| e.documented && e.tls == tls)
    };
    let ep = documented(TlsMode::Implicit)
        .or_else(|| documented(TlsMode::Starttls))
        .ok_or_else(|| format!("{} documents no TLS submission port", prov.name))?;
    let host = match prov.exact_host() {
        Some(h) => h.to_owned(),
        // A pattern (`email-smtp.*.amazonaws.com`): the part that varies is the account's region.
        None => prov
            .smtp_hosts
            .first()
            .map(|h| h.text.replace('*', "your-region"))
            .ok_or_else(|| format!("{} names no SMTP host", prov.name))?,
    };
    // The address goes into string literals of code: only the characters of a plain address.
    if let Some(u) = user.filter(|u| {
        u.is_empty()
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-@=!#%&*/?^|~".contains(c))
    }) {
        return Err(format!(
            "`{}` is not a plain e-mail address (letters, digits and . _ + - @ only, no quotes or spaces)",
            crate::report::escape::line(u)
        ));
    }
    let user = match (prov.auth.username, user) {
        (UsernameForm::FullAddress, Some(u)) if !u.contains('@') => {
            return Err(format!(
                "{} logs in with the full e-mail address; `{}` has no domain",
                prov.name,
                crate::report::escape::line(u)
            ))
        }
        (UsernameForm::LocalPart, Some(u)) => u.split('@').next().unwrap_or(u).to_owned(),
        (_, Some(u)) => u.to_owned(),
        (UsernameForm::FullAddress, None) => {
            let domain = prov
                .domains
                .iter()
                .find(|d| d.is_exact())
                .map(|d| d.text.as_str())
                .unwrap_or("your-domain.example");
            format!("you@{domain}")
        }
        (UsernameForm::LocalPart, None) => "you".to_owned(),
        // A user name the rules prescribe (SendGrid's `apikey`) or a sample of its shape.
        (_, None) if prov.auth.username_rule.is_some() => match &prov.auth.username_rule {
            Some(UsernameRule::Literal(name)) => name.clone(),
            Some(UsernameRule::Pattern {
                example: Some(e), ..
            }) => e.clone(),
            _ => "your-smtp-username".to_owned(),
        },
        (UsernameForm::Any, None) => "your-smtp-username".to_owned(),
    };
    let oauth2 = matches!(
        prov.auth.password.kind,
        PasswordKind::Oauth2Only | PasswordKind::Oauth2Preferred
    );
    Ok(Plan {
        prov,
        host,
        port: ep.port,
        tls: ep.tls,
        user,
        oauth2,
    })
}

/// The comment block every snippet starts with: endpoint, login, password and its source.
fn header(t: Target, p: &Plan) -> String {
    let c = t.comment();
    let prov = p.prov;
    let pw = &prov.auth.password;
    let login = match prov.auth.username {
        UsernameForm::FullAddress => "the full e-mail address",
        UsernameForm::LocalPart => "the part of the address before the @",
        UsernameForm::Any => "the user name the provider issued (see below)",
    };
    let mut lines = vec![
        format!(
            "{} via {}, port {} with {} (documented: {})",
            prov.name,
            p.host,
            p.port,
            p.tls,
            prov.documented_endpoints()
        ),
        format!("Login: {login}"),
        format!(
            "Password ({}): {}",
            match pw.kind {
                PasswordKind::Account => "the account password",
                PasswordKind::AppSpecific => "an app password",
                PasswordKind::ApiKey => "an API key or SMTP token",
                PasswordKind::Oauth2Only => "OAuth2 only",
                PasswordKind::Oauth2Preferred => "OAuth2; passwords are being retired",
            },
            pw.describe
        ),
        format!("How: {}", pw.how),
        format!("Source: {}", prov.source_url(&pw.source)),
    ];
    if p.host.contains("your-region") {
        lines.insert(
            1,
            "Host: put the region you send from in place of your-region".into(),
        );
    }
    lines.iter().map(|l| format!("{c} {l}\n")).collect()
}

/// The snippet for one format, or why the format cannot log in to this provider.
fn snippet(t: Target, p: &Plan) -> Result<String, String> {
    let implicit = p.tls == TlsMode::Implicit;
    let (host, port, user) = (&p.host, p.port, &p.user);
    if p.oauth2 && matches!(t, Target::Django | Target::Laravel) {
        return Err(format!(
            "{} cannot sign in with OAuth2 through its SMTP settings alone, and {} {}",
            t.title(),
            p.prov.name,
            match p.prov.auth.password.kind {
                PasswordKind::Oauth2Only => "accepts only OAuth2",
                _ => "is retiring password login",
            }
        ));
    }
    let body = match t {
        Target::Nodemailer => {
            let tls = if implicit {
                "  secure: true,\n".to_owned()
            } else {
                "  secure: false,\n  requireTLS: true,\n".to_owned()
            };
            let auth = if p.oauth2 {
                format!("  auth: {{\n    type: \"OAuth2\",\n    user: \"{user}\",\n    accessToken: process.env.SMTP_OAUTH2_TOKEN,\n  }},\n")
            } else {
                format!("  auth: {{\n    user: \"{user}\",\n    pass: process.env.SMTP_PASSWORD,\n  }},\n")
            };
            format!("const nodemailer = require(\"nodemailer\");\n\nconst transporter = nodemailer.createTransport({{\n  host: \"{host}\",\n  port: {port},\n{tls}{auth}}});\n\nmodule.exports = transporter;\n")
        }
        Target::Phpmailer => {
            let sec = if implicit {
                "ENCRYPTION_SMTPS"
            } else {
                "ENCRYPTION_STARTTLS"
            };
            let auth = if p.oauth2 {
                "$mail->AuthType = 'XOAUTH2';\n// and $mail->setOAuth(...) with a PHPMailer OAuth provider for this account\n"
            } else {
                "$mail->Password = getenv('SMTP_PASSWORD');\n"
            };
            format!("<?php\nuse PHPMailer\\PHPMailer\\PHPMailer;\n\n$mail = new PHPMailer(true);\n$mail->isSMTP();\n$mail->Host = '{host}';\n$mail->Port = {port};\n$mail->SMTPSecure = PHPMailer::{sec};\n$mail->SMTPAuth = true;\n$mail->Username = '{user}';\n{auth}")
        }
        Target::Smtplib => {
            let connect = if implicit {
                format!("with smtplib.SMTP_SSL(\"{host}\", {port}, context=context) as server:\n")
            } else {
                format!("with smtplib.SMTP(\"{host}\", {port}) as server:\n    server.starttls(context=context)\n")
            };
            let login = if p.oauth2 {
                format!("    token = os.environ[\"SMTP_OAUTH2_TOKEN\"]\n    server.auth(\"XOAUTH2\", lambda challenge=None: f\"user={user}\\x01auth=Bearer {{token}}\\x01\\x01\")\n")
            } else {
                format!("    server.login(\"{user}\", os.environ[\"SMTP_PASSWORD\"])\n")
            };
            format!("import os\nimport smtplib\nimport ssl\n\ncontext = ssl.create_default_context()\n{connect}{login}")
        }
        Target::Django => {
            let flag = if implicit {
                "EMAIL_USE_SSL"
            } else {
                "EMAIL_USE_TLS"
            };
            format!("import os\n\nEMAIL_BACKEND = \"django.core.mail.backends.smtp.EmailBackend\"\nEMAIL_HOST = \"{host}\"\nEMAIL_PORT = {port}\n{flag} = True\nEMAIL_HOST_USER = \"{user}\"\nEMAIL_HOST_PASSWORD = os.environ[\"EMAIL_HOST_PASSWORD\"]\n")
        }
        Target::Laravel => {
            let scheme = if implicit { "smtps" } else { "smtp" };
            // Symfony Mailer carries on without TLS when STARTTLS fails, unless the DSN says
            // require_tls (which only MAIL_URL can pass on).
            let url = if implicit {
                String::new()
            } else {
                format!("MAIL_URL=\"smtp://{host}:{port}?require_tls=true\"\n")
            };
            format!("MAIL_MAILER=smtp\nMAIL_SCHEME={scheme}\nMAIL_HOST={host}\nMAIL_PORT={port}\n{url}MAIL_USERNAME={user}\n# the password: set MAIL_PASSWORD in the server's environment, not in this file\n")
        }
        Target::Toml => {
            let sec = if implicit { "implicit" } else { "starttls" };
            let auth = if p.oauth2 { "auth = \"oauth2\"\n" } else { "" };
            format!("[smtp]\nhost = \"{host}\"\nport = {port}\nsecurity = \"{sec}\"\nusername = \"{user}\"\n{auth}password_env = \"SMTP_PASSWORD\"\n")
        }
        Target::Thunderbird => {
            let try_ssl = if implicit { 3 } else { 2 };
            let auth = if p.oauth2 { 10 } else { 3 };
            format!("// Thunderbird asks for the password on first send and keeps it in its password manager.\nuser_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"{host}\");\nuser_pref(\"mail.smtpserver.smtp1.port\", {port});\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", {try_ssl});\nuser_pref(\"mail.smtpserver.smtp1.authMethod\", {auth});\nuser_pref(\"mail.smtpserver.smtp1.username\", \"{user}\");\n")
        }
    };
    let head = header(t, p);
    Ok(match t {
        // PHP needs its open tag first.
        Target::Phpmailer => body.replacen("<?php\n", &format!("<?php\n{head}"), 1),
        _ => format!("{head}{body}"),
    })
}
