//! `smtp-doctor settings PROVIDER [--for FORMAT] [--user ADDRESS]`: a configuration that works,
//! for each supported format, from the provider's facts: its SMTP host, the documented port
//! and TLS mode (implicit TLS first, as RFC 8314 recommends), the login form, what kind of
//! password it takes and where to create one. Passwords are never written: each snippet reads
//! them from the environment (or leaves them to the client, for Thunderbird).

use std::path::PathBuf;

use clap::ValueEnum;

mod apps;
mod code;

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
    Gitea,
    Grafana,
    GitSendemail,
    Msmtp,
    SpringBoot,
    Symfony,
    Dotnet,
    Mastodon,
    Vaultwarden,
    Rails,
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
            Target::Gitea => "app.ini",
            Target::Grafana => "grafana.ini",
            Target::GitSendemail => ".gitconfig",
            Target::Msmtp => ".msmtprc",
            Target::SpringBoot => "application.properties",
            Target::Symfony | Target::Vaultwarden => ".env",
            Target::Dotnet => "appsettings.json",
            Target::Mastodon => ".env.production",
            Target::Rails => "production.rb",
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
            Target::Gitea => "Gitea / Forgejo app.ini",
            Target::Grafana => "Grafana ini",
            Target::GitSendemail => "git send-email",
            Target::Msmtp => "msmtp",
            Target::SpringBoot => "Spring Boot application.properties",
            Target::Symfony => "Symfony .env (MAILER_DSN)",
            Target::Dotnet => ".NET appsettings.json (SmtpClient)",
            Target::Mastodon => "Mastodon .env.production",
            Target::Vaultwarden => "Vaultwarden .env",
            Target::Rails => "Rails ActionMailer (config/environments/production.rb)",
        }
    }

    fn comment(self) -> &'static str {
        match self {
            Target::Nodemailer | Target::Phpmailer | Target::Thunderbird | Target::Dotnet => "//",
            _ => "#",
        }
    }

    /// Can the format sign in with an OAuth2 token?
    fn oauth2(self) -> bool {
        matches!(
            self,
            Target::Nodemailer
                | Target::Phpmailer
                | Target::Smtplib
                | Target::Toml
                | Target::Thunderbird
                | Target::Msmtp
                | Target::Rails
        )
    }
}

/// What every snippet of one provider says.
#[derive(Clone)]
struct Plan<'a> {
    prov: &'a Provider,
    host: String,
    port: u16,
    tls: TlsMode,
    user: String,
    /// The sender address, when it is known.
    address: Option<String>,
    oauth2: bool,
    /// The documented STARTTLS port, for formats that cannot do implicit TLS.
    starttls_port: Option<u16>,
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
    let domain = prov
        .domains
        .iter()
        .find(|d| d.is_exact())
        .map(|d| d.text.as_str());
    let login = match (prov.auth.username, user) {
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
            format!("you@{}", domain.unwrap_or("your-domain.example"))
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
    // The sender address, for apps that need one: the address given, the login when it is an
    // address, or a placeholder at the provider's own domain.
    let address = user
        .filter(|u| u.contains('@'))
        .map(str::to_owned)
        .or_else(|| login.contains('@').then(|| login.clone()))
        .or_else(|| {
            (prov.auth.username == UsernameForm::LocalPart)
                .then(|| domain.map(|d| format!("{login}@{d}")))
                .flatten()
        });
    let oauth2 = matches!(
        prov.auth.password.kind,
        PasswordKind::Oauth2Only | PasswordKind::Oauth2Preferred
    );
    Ok(Plan {
        prov,
        host,
        port: ep.port,
        tls: ep.tls,
        user: login,
        address,
        oauth2,
        starttls_port: documented(TlsMode::Starttls).map(|e| e.port),
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
    if p.oauth2 && !t.oauth2() {
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
    if p.address.is_none() && matches!(t, Target::Gitea | Target::Vaultwarden) {
        return Err(format!(
            "{} needs a sender address, and {}'s login is not one: give it with --user ADDRESS",
            t.title(),
            p.prov.name
        ));
    }
    // System.Net.Mail.SmtpClient speaks only STARTTLS (`EnableSsl`), never implicit TLS.
    let starttls;
    let p = match (t, p.tls, p.starttls_port) {
        (Target::Dotnet, TlsMode::Implicit, Some(port)) => {
            starttls = Plan {
                port,
                tls: TlsMode::Starttls,
                ..p.clone()
            };
            &starttls
        }
        (Target::Dotnet, TlsMode::Implicit, None) => {
            return Err(format!(
            "{} cannot use implicit TLS (EnableSsl is STARTTLS), and {} documents no STARTTLS port",
            t.title(),
            p.prov.name
        ))
        }
        _ => p,
    };
    let body = match t {
        Target::Nodemailer
        | Target::Phpmailer
        | Target::Smtplib
        | Target::Django
        | Target::Laravel
        | Target::Toml
        | Target::Thunderbird
        | Target::Rails => code::body(t, p),
        _ => apps::body(t, p),
    };
    let head = header(t, p);
    Ok(match t {
        // PHP needs its open tag first.
        Target::Phpmailer => body.replacen("<?php\n", &format!("<?php\n{head}"), 1),
        _ => format!("{head}{body}"),
    })
}
