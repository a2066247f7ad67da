//! AUTH: the mechanism the client would use against those offered and, with `--auth`, the
//! login itself (PLAIN or LOGIN, only over verified TLS), then the From check.

use super::*;

/// The SASL mechanisms a client with this method would use, in its order of preference.
/// `Other(name)` is taken as a mechanism name (`LOGIN`, `NTLM`, `GSSAPI`).
fn client_mechanisms(method: &AuthMethod) -> Vec<String> {
    match method {
        AuthMethod::Other(name) => vec![name.trim().to_ascii_uppercase()],
        m => m
            .mechanisms()
            .iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
    }
}

/// The mechanism the client would use among those offered.
pub(super) fn choose_mechanism(method: &AuthMethod, offered: &[String]) -> Option<String> {
    client_mechanisms(method)
        .into_iter()
        .find(|m| offered.contains(m))
}

pub(super) async fn authenticate(
    conn: &mut Conn,
    ep: &Endpoint,
    opts: &ProbeOptions,
    report: &mut ProbeReport,
    log: &mut Transcript,
    tls_up: bool,
    verified: bool,
) {
    let step = opts.timeout;
    let Some(chosen) = mechanism(ep, report, tls_up) else {
        return;
    };
    if !opts.auth {
        return;
    }
    let skip = |report: &mut ProbeReport, why: String| {
        report.add(
            codes::AUTH_SKIPPED,
            Info,
            format!("AUTH not tried: {why}"),
            None,
        );
    };
    let (Some(user), Some(secret)) = (ep.username.as_deref(), ep.password.as_ref()) else {
        skip(
            report,
            "the configuration has no username and password".into(),
        );
        return;
    };
    if !tls_up {
        skip(report, "never over an unencrypted connection".into());
        return;
    }
    if !verified {
        skip(report, "the server's certificate did not verify".into());
        return;
    }
    let Some(mech) = chosen else {
        if !report.has(codes::AUTH_MECHANISM_UNSUPPORTED) && !report.has(codes::AUTH_NOT_OFFERED) {
            skip(report, "no AUTH mechanism to try".into());
        }
        return;
    };
    let Some(result) = send_auth(conn, &mech, user, secret, log).await else {
        skip(
            report,
            format!("{mech} is not probed (only PLAIN and LOGIN)"),
        );
        return;
    };
    let reply = match result {
        Ok(r) => r,
        Err(e) => {
            reply_failure(report, e, "AUTH", step);
            return;
        }
    };
    judge_auth_reply(conn, ep, &mech, user, &reply, report, log, step).await;
}

/// The mechanism the client would log in with, with `auth-not-offered` or
/// `auth-mechanism-unsupported` when there is none. `None` when there are no capabilities.
fn mechanism(ep: &Endpoint, report: &mut ProbeReport, tls_up: bool) -> Option<Option<String>> {
    let method = ep.auth_method.clone().or_else(|| {
        (ep.username.is_some() || ep.password.is_some()).then_some(AuthMethod::Password)
    });
    let caps = report.capabilities().cloned()?;
    let logs_in = method.as_ref().is_some_and(|m| *m != AuthMethod::None);
    let mut chosen = None;
    if let Some(m) = method.as_ref().filter(|_| logs_in) {
        if caps.auth.is_empty() {
            report.add(
                codes::AUTH_NOT_OFFERED,
                Error,
                format!(
                    "the configuration logs in, but the server offers no AUTH{}",
                    if tls_up { " (even after TLS)" } else { "" }
                ),
                Some(if tls_up {
                    "this host or port does not take logins (a relay or an inbound MX?); use the provider's submission host".into()
                } else {
                    "many servers offer AUTH only after STARTTLS; use TLS".into()
                }),
            );
        } else if !client_mechanisms(m).is_empty() {
            chosen = choose_mechanism(m, &caps.auth);
            if chosen.is_none() {
                report.add(
                    codes::AUTH_MECHANISM_UNSUPPORTED,
                    Error,
                    format!(
                        "the client logs in with {m}, but the server offers AUTH {}",
                        caps.auth.join(" ")
                    ),
                    Some(
                        "change the client's authentication method to one the server offers".into(),
                    ),
                );
            }
        }
    }
    Some(chosen)
}

/// Sends AUTH PLAIN or LOGIN; `None` for any other mechanism.
async fn send_auth(
    conn: &mut Conn,
    mech: &str,
    user: &str,
    secret: &Secret,
    log: &mut Transcript,
) -> Option<Result<Reply, ReplyError>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    Some(match mech {
        "PLAIN" => {
            let mut raw = Vec::new();
            raw.push(0u8);
            raw.extend_from_slice(user.as_bytes());
            raw.push(0u8);
            raw.extend_from_slice(secret.expose().as_bytes());
            let payload = b64.encode(&raw);
            match conn
                .command(&format!("AUTH PLAIN {payload}"), "AUTH PLAIN ****", log)
                .await
            {
                Ok(r) if r.code == 334 => conn.command(&payload, "****", log).await,
                other => other,
            }
        }
        "LOGIN" => {
            let first = conn.command("AUTH LOGIN", "AUTH LOGIN", log).await;
            match first {
                Ok(r) if r.code == 334 => {
                    let u = b64.encode(user.as_bytes());
                    match conn.command(&u, &format!("{u} ({user})"), log).await {
                        Ok(r) if r.code == 334 => {
                            conn.command(&b64.encode(secret.expose().as_bytes()), "****", log)
                                .await
                        }
                        other => other,
                    }
                }
                other => other,
            }
        }
        _ => return None,
    })
}

/// `auth-succeeded` (then the From check), `auth-mechanism-unsupported` or `auth-rejected`.
#[allow(clippy::too_many_arguments)]
async fn judge_auth_reply(
    conn: &mut Conn,
    ep: &Endpoint,
    mech: &str,
    user: &str,
    reply: &Reply,
    report: &mut ProbeReport,
    log: &mut Transcript,
    step: Duration,
) {
    let accepted = reply.code == 235;
    report.auth = Some(AuthOutcome {
        mechanism: mech.to_owned(),
        accepted,
        reply: reply.summary(),
    });
    if accepted {
        report.add(
            codes::AUTH_SUCCEEDED,
            Info,
            format!("the server accepted the login of {user} with AUTH {mech}"),
            None,
        );
        if let Some(from) = ep.from.as_deref() {
            check_from(conn, from, user, report, log, step).await;
        }
    } else if reply.code == 504 {
        report.add(
            codes::AUTH_MECHANISM_UNSUPPORTED,
            Error,
            format!("the server refused AUTH {mech}: {}", reply.summary()),
            None,
        );
    } else {
        let severity = if reply.class() == 4 { Warning } else { Error };
        report.add(
            codes::AUTH_REJECTED,
            severity,
            format!(
                "the server refused the login of {user}: {}",
                reply.summary()
            ),
            Some(auth_cause(reply).to_string()),
        );
    }
}

/// The likely cause of an AUTH failure, from the reply (RFC 4954 codes and providers' texts).
pub(super) fn auth_cause(r: &Reply) -> &'static str {
    let text = r.text().to_ascii_lowercase();
    match r.code {
        534 if text.contains("5.7.9") && text.contains("application-specific") => {
            "the account has 2-step verification: create an app password and use it instead of the account password"
        }
        534 if text.contains("5.7.14") => {
            "the provider blocked this sign-in as suspicious: sign in through the web once, or use OAuth2"
        }
        534 => "the server finds this mechanism too weak for this account",
        535 if text.contains("5.7.139") => {
            "SMTP AUTH (basic authentication) is switched off for this account or tenant: enable it or use OAuth2"
        }
        535 | 536 => {
            "wrong login or password: check that the login is the full address and that the password is the app-specific one where the provider requires it"
        }
        538 => "the server wants an encrypted connection for this mechanism",
        530 => "the server wants STARTTLS (or another step) before AUTH",
        550 if text.contains("5.7.30") => {
            "basic authentication is not supported any more: use OAuth2"
        }
        454 if text.contains("too many") => "too many login attempts: wait before trying again",
        454 => "a temporary failure on the server side: try again later",
        432 => "the password must be changed (transition needed)",
        _ => "the server refused the credentials",
    }
}

/// After a successful login: would the server take this From address? MAIL FROM and RCPT TO the
/// same address, then RSET. No DATA, so nothing is ever sent.
async fn check_from(
    conn: &mut Conn,
    from: &str,
    user: &str,
    report: &mut ProbeReport,
    log: &mut Transcript,
    step: Duration,
) {
    let addr = crate::model::bare_address(from).to_string();
    let mail = format!("MAIL FROM:<{addr}>");
    let refused = |report: &mut ProbeReport, r: &Reply| {
        report.add(
            codes::FROM_REJECTED,
            Error,
            format!("logged in as {user}, the server refuses the sender {addr}: {}", r.summary()),
            Some("send from the account's own address or an alias or custom domain verified for this account".into()),
        );
    };
    match conn.command(&mail, &mail, log).await {
        Ok(r) if r.class() == 2 => {}
        Ok(r) => {
            if r.class() == 5 {
                refused(report, &r);
            }
            let _ = conn.command("RSET", "RSET", log).await;
            return;
        }
        Err(e) => {
            reply_failure(report, e, "MAIL FROM", step);
            return;
        }
    }
    let rcpt = format!("RCPT TO:<{addr}>");
    match conn.command(&rcpt, &rcpt, log).await {
        Ok(r) if r.class() == 5 && r.text().to_ascii_lowercase().contains("sender") => {
            refused(report, &r);
        }
        Ok(_) => {}
        Err(e) => {
            reply_failure(report, e, "RCPT TO", step);
            return;
        }
    }
    let _ = conn.command("RSET", "RSET", log).await;
}
