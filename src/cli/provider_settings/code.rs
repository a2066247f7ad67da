//! The snippets for code and the formats `settings` started with: Nodemailer, PHPMailer,
//! smtplib, Django, a Laravel `.env`, TOML, Thunderbird's `user.js`, and Rails ActionMailer.

use super::{Plan, Target};
use crate::model::TlsMode;

/// The body (after the comment header) for one of these formats.
pub(super) fn body(t: Target, p: &Plan) -> String {
    let implicit = p.tls == TlsMode::Implicit;
    let (host, port, user) = (&p.host, p.port, &p.user);
    match t {
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
        Target::Rails => {
            // Mail's `enable_starttls: true` is STARTTLS that must succeed; `ssl: true`
            // implicit TLS (docs/formats/rails.md).
            let tls = if implicit {
                "ssl: true"
            } else {
                "enable_starttls: true"
            };
            let (secret, auth) = if p.oauth2 {
                ("ENV[\"SMTP_OAUTH2_TOKEN\"]", ":xoauth2")
            } else {
                ("ENV[\"SMTP_PASSWORD\"]", ":plain")
            };
            format!("Rails.application.configure do\n  config.action_mailer.delivery_method = :smtp\n  config.action_mailer.smtp_settings = {{\n    address: \"{host}\",\n    port: {port},\n    {tls},\n    user_name: \"{user}\",\n    password: {secret},\n    authentication: {auth}\n  }}\nend\n")
        }
        _ => {
            let try_ssl = if implicit { 3 } else { 2 };
            let auth = if p.oauth2 { 10 } else { 3 };
            format!("// Thunderbird asks for the password on first send and keeps it in its password manager.\nuser_pref(\"mail.smtpservers\", \"smtp1\");\nuser_pref(\"mail.smtpserver.smtp1.hostname\", \"{host}\");\nuser_pref(\"mail.smtpserver.smtp1.port\", {port});\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", {try_ssl});\nuser_pref(\"mail.smtpserver.smtp1.authMethod\", {auth});\nuser_pref(\"mail.smtpserver.smtp1.username\", \"{user}\");\n")
        }
    }
}
