//! The snippets for apps configured by a file of their own: Gitea/Forgejo, Grafana, git
//! send-email, msmtp, Spring Boot, Symfony, .NET, Mastodon and Vaultwarden. Each keeps the
//! password out of the file with the app's own mechanism for secrets.

use super::{Plan, Target};
use crate::model::TlsMode;

/// The body (after the comment header) for one of these apps.
pub(super) fn body(t: Target, p: &Plan) -> String {
    let implicit = p.tls == TlsMode::Implicit;
    let (host, port, user) = (&p.host, p.port, &p.user);
    match t {
        Target::Gitea => {
            let (protocol, note) = if implicit {
                ("smtps", String::new())
            } else {
                // services/mailer/sender/smtp.go: STARTTLS only when the server offers it.
                ("smtp+starttls", "# Gitea cannot require STARTTLS: with smtp+starttls it sends in plain text when the\n# server offers no STARTTLS. No other PROTOCOL reaches this provider's port.\n".to_owned())
            };
            format!("# The password is not written here: set GITEA__mailer__PASSWD (or GITEA__mailer__PASSWD__FILE,\n# naming a file that holds it) in Gitea's environment; environment-to-ini copies it into [mailer].\n{note}[mailer]\nENABLED = true\nPROTOCOL = {protocol}\nSMTP_ADDR = {host}\nSMTP_PORT = {port}\nUSER = {user}\n{from}", from = from_line(p, "FROM = "))
        }
        Target::Grafana => {
            // Port 465 is implicit TLS whatever startTLS_policy says.
            let policy = if implicit {
                ""
            } else {
                "startTLS_policy = MandatoryStartTLS\n"
            };
            format!("# The password is not written here: set GF_SMTP_PASSWORD in Grafana's environment,\n# or write password = $__file{{/run/secrets/smtp_password}} (Grafana reads the file).\n[smtp]\nenabled = true\nhost = {host}:{port}\n{policy}user = {user}\n{from}", from = from_line(p, "from_address = "))
        }
        Target::GitSendemail => {
            let enc = if implicit { "ssl" } else { "tls" };
            let auth = if p.oauth2 {
                "\tsmtpAuth = XOAUTH2\n"
            } else {
                ""
            };
            format!("# No smtpPass: git send-email asks for the password, or takes it from a credential helper.\n[sendemail]\n\tsmtpServer = {host}\n\tsmtpServerPort = {port}\n\tsmtpEncryption = {enc}\n\tsmtpUser = {user}\n{auth}")
        }
        Target::Msmtp => {
            let starttls = if implicit { "off" } else { "on" };
            let (auth, secret) = if p.oauth2 {
                ("xoauth2", "SMTP_OAUTH2_TOKEN")
            } else {
                ("on", "SMTP_PASSWORD")
            };
            format!("# passwordeval runs a command that prints the password (here: from the environment;\n# a keyring lookup such as `secret-tool lookup ...` works the same way).\naccount default\nhost {host}\nport {port}\ntls on\ntls_starttls {starttls}\nauth {auth}\nuser {user}\npasswordeval \"printenv {secret}\"\n{from}", from = from_line(p, "from "))
        }
        Target::SpringBoot => {
            let tls = if implicit {
                "spring.mail.properties.mail.smtp.ssl.enable=true\n"
            } else {
                "spring.mail.properties.mail.smtp.starttls.enable=true\nspring.mail.properties.mail.smtp.starttls.required=true\n"
            };
            format!("# ${{SMTP_PASSWORD}} is resolved by Spring from the environment when the app starts.\nspring.mail.host={host}\nspring.mail.port={port}\nspring.mail.username={user}\nspring.mail.password=${{SMTP_PASSWORD}}\nspring.mail.properties.mail.smtp.auth=true\n{tls}")
        }
        Target::Symfony => {
            let (scheme, opts) = if implicit {
                ("smtps", "")
            } else {
                ("smtp", "?require_tls=true")
            };
            let user = percent_encode(user);
            format!("# The shape of the DSN, without the password. Keep the real one out of version control:\n# `php bin/console secrets:set MAILER_DSN` (Symfony's secrets vault) or .env.local, with the\n# password percent-encoded after the user name (user:password@host).\nMAILER_DSN={scheme}://{user}@{host}:{port}{opts}\n")
        }
        Target::Dotnet => {
            format!("// SmtpClient's EnableSsl means STARTTLS; it cannot do implicit TLS.\n// The password is not written here: keep it in user secrets (`dotnet user-secrets set \"Smtp:Password\" ...`)\n// in development, and in the environment variable Smtp__Password in production.\n{{\n  \"Smtp\": {{\n    \"Host\": \"{host}\",\n    \"Port\": {port},\n    \"EnableSsl\": true,\n    \"UserName\": \"{user}\"\n  }}\n}}\n")
        }
        Target::Mastodon => {
            let tls = if implicit {
                "SMTP_TLS=true\n"
            } else {
                "SMTP_ENABLE_STARTTLS=always\n"
            };
            format!("# The password is not written here: set SMTP_PASSWORD in the environment of Mastodon's\n# processes (or add it to this file on the server only, never to version control).\nSMTP_SERVER={host}\nSMTP_PORT={port}\n{tls}SMTP_LOGIN={user}\n{from}", from = from_line(p, "SMTP_FROM_ADDRESS="))
        }
        _ => {
            let security = if implicit { "force_tls" } else { "starttls" };
            format!("# The password is not written here: set SMTP_PASSWORD in Vaultwarden's environment, or\n# SMTP_PASSWORD_FILE naming a file that holds it.\nSMTP_HOST={host}\nSMTP_PORT={port}\nSMTP_SECURITY={security}\nSMTP_USERNAME={user}\n{from}", from = from_line(p, "SMTP_FROM="))
        }
    }
}

/// The sender line, when the address is known; else a comment, since only the account's owner
/// knows which sender addresses the provider lets it use.
fn from_line(p: &Plan, key: &str) -> String {
    if let Some(a) = &p.address {
        format!("{key}{a}\n")
    } else {
        format!(
            "# {}: add a sender address that this account may send from\n",
            key.trim_end_matches([' ', '=']).trim_end()
        )
    }
}

/// Percent-encodes what may not stand in a URL's user part (RFC 3986 userinfo).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
