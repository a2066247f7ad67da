//! msmtp's configuration syntax (`~/.msmtprc`, `/etc/msmtprc`), as marlam/msmtp `src/conf.c`
//! reads it: one `command argument` per line, `#` comment lines (a `#` later in a line is
//! part of the argument), an argument wrapped whole in double quotes loses them; `defaults`
//! starts settings copied into every later account, `account NAME` starts an account,
//! `account NAME : A, B` also copies every setting the accounts A and B wrote.
//!
//! The result is one table per account, path `["account", NAME]`, holding the entries that
//! apply to it (from `defaults`, inherited accounts and its own lines, later ones winning),
//! each with the span where it was written. An account that writes nothing of its own
//! (`account default : work`, an alias) gets no table: its settings are those of the tables
//! already read. Lines msmtp refuses are errors with their spans.

use std::collections::HashMap;
use std::ops::Range;

pub use super::toml::{Entry, Scalar, Table};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Document {
    pub tables: Vec<Table>,
    pub errors: Vec<ParseError>,
}

/// Every command msmtp knows (marlam/msmtp `src/conf.c`); any other word is refused.
const COMMANDS: &[&str] = &[
    "add_missing_date_header",
    "add_missing_from_header",
    "aliases",
    "allow_from_override",
    "auth",
    "auto_from",
    "connect_timeout",
    "domain",
    "dsn_notify",
    "dsn_return",
    "eval",
    "from",
    "from_full_name",
    "host",
    "keepbcc",
    "logfile",
    "logfile_time_format",
    "maildomain",
    "ntlmdomain",
    "password",
    "passwordeval",
    "port",
    "protocol",
    "proxy_host",
    "proxy_port",
    "remove_bcc_headers",
    "set_date_header",
    "set_from_header",
    "set_msgid_header",
    "set_to_header",
    "socket",
    "source_ip",
    "syslog",
    "timeout",
    "tls",
    "tls_cert_file",
    "tls_certcheck",
    "tls_crl_file",
    "tls_fingerprint",
    "tls_host_override",
    "tls_key_file",
    "tls_min_dh_prime_bits",
    "tls_nocertcheck",
    "tls_nostarttls",
    "tls_priorities",
    "tls_starttls",
    "tls_trust_file",
    "undisclosed_recipients",
    "user",
];

/// The settings an account (or `defaults`) holds, in the order first written; at most one per
/// command of [`COMMANDS`], so copying them is bounded.
#[derive(Clone, Default)]
struct Settings {
    entries: Vec<Entry>,
}

impl Settings {
    fn set(&mut self, e: Entry) {
        match self.entries.iter_mut().find(|x| x.key == e.key) {
            Some(x) => *x = e,
            None => self.entries.push(e),
        }
    }
}

struct Account {
    name: String,
    header: Range<usize>,
    /// Everything that applies (defaults, parents, own lines).
    all: Settings,
    /// What the account's lines and its parents wrote (what a child inherits with `: name`).
    own: Settings,
    /// Whether a line of the account itself set something.
    wrote: bool,
}

pub fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let mut defaults = Settings::default();
    let mut accounts: Vec<Account> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    // None: before any `defaults`/`account`; Some(None): in defaults; Some(Some(i)): account i.
    let mut current: Option<Option<usize>> = None;
    let mut pos = 0;
    for raw in text.split_inclusive('\n') {
        let at_line = pos;
        pos += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches([' ', '\t']);
        let at = at_line + (line.len() - body.len());
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let cmd_len = body.find([' ', '\t']).unwrap_or(body.len());
        let cmd = &body[..cmd_len];
        let (arg, arg_span) = argument(&body[cmd_len..], at + cmd_len);
        let line_span = at..at + body.trim_end().len();
        let mut fail = |m: String| {
            doc.errors.push(ParseError {
                span: line_span.clone(),
                message: m,
            })
        };
        match cmd {
            "defaults" => current = Some(None),
            "account" => {
                current = None;
                let (name, parents) = match arg.split_once(':') {
                    Some((n, p)) => (n.trim(), Some(p)),
                    None => (arg.trim(), None),
                };
                if name.is_empty() || name.contains(',') {
                    fail("`account` needs a name without colons or commas".into());
                    continue;
                }
                if by_name.contains_key(name) {
                    fail(format!(
                        "account `{name}` is defined twice: msmtp refuses the file"
                    ));
                    continue;
                }
                let mut all = defaults.clone();
                let mut own = Settings::default();
                for p in parents.into_iter().flat_map(|p| p.split(',')) {
                    match by_name.get(p.trim()) {
                        Some(&i) => {
                            for e in &accounts[i].own.entries {
                                all.set(e.clone());
                                own.set(e.clone());
                            }
                        }
                        None => fail(format!("account `{}` is not defined above", p.trim())),
                    }
                }
                by_name.insert(name.to_owned(), accounts.len());
                current = Some(Some(accounts.len()));
                accounts.push(Account {
                    name: name.to_owned(),
                    header: line_span.clone(),
                    all,
                    own,
                    wrote: false,
                });
            }
            _ if !COMMANDS.contains(&cmd) => {
                fail(format!(
                    "msmtp knows no command `{cmd}` and refuses the file"
                ));
            }
            _ => {
                let e = Entry {
                    key: cmd.to_owned(),
                    key_span: at..at + cmd_len,
                    value: Scalar::Str(arg),
                    value_span: arg_span,
                };
                match current {
                    None => fail(format!(
                        "`{cmd}` before any `account` or `defaults` line: msmtp refuses the file"
                    )),
                    Some(None) => defaults.set(e),
                    Some(Some(i)) => {
                        let a = &mut accounts[i];
                        a.own.set(e.clone());
                        a.all.set(e);
                        a.wrote = true;
                    }
                }
            }
        }
    }
    doc.tables = accounts
        .into_iter()
        .filter(|a| a.wrote)
        .map(|a| Table {
            path: vec!["account".to_owned(), a.name],
            header: Some(a.header),
            entries: a.all.entries,
        })
        .collect();
    doc
}

/// The argument of a command: the rest of the line without surrounding blanks, and without
/// double quotes that wrap all of it.
fn argument(rest: &str, at: usize) -> (String, Range<usize>) {
    let trimmed = rest.trim_matches([' ', '\t']);
    let start = at + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        let inner = &trimmed[1..trimmed.len() - 1];
        return (inner.to_owned(), start + 1..start + 1 + inner.len());
    }
    (trimmed.to_owned(), start..start + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(t: &'a Table, key: &str) -> &'a Entry {
        t.entries.iter().find(|e| e.key == key).unwrap()
    }

    #[test]
    fn defaults_accounts_and_inheritance() {
        let t = "# c\ndefaults\nauth on\ntls on\n\naccount work\nhost smtp.example.com\npassword \"p # w\"\n\naccount home : work\nhost other.example.com\nport 465\n\naccount default : home\n";
        let d = parse(t);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let names: Vec<&str> = d.tables.iter().map(|t| t.path[1].as_str()).collect();
        assert_eq!(names, ["work", "home"], "the alias has no table");
        let work = &d.tables[0];
        assert_eq!(get(work, "auth").value, Scalar::Str("on".into()));
        assert_eq!(&t[get(work, "password").value_span.clone()], "p # w");
        let home = &d.tables[1];
        assert_eq!(
            &t[get(home, "host").value_span.clone()],
            "other.example.com"
        );
        // Inherited from work, with the span where work wrote it.
        assert_eq!(
            get(home, "password").value_span,
            get(work, "password").value_span
        );
        assert_eq!(&t[home.header.clone().unwrap()], "account home : work");
    }

    #[test]
    fn refused_lines_are_errors() {
        let d = parse("host x\naccount a\naccount a\naccount b : nope\naccount\n");
        assert_eq!(d.errors.len(), 4, "{:?}", d.errors);
    }

    #[test]
    fn any_bytes_without_panic() {
        crate::extract::syntax::testing::inputs(
            0x3a5_77e1,
            b"account defaults : ,\"#\n\r\t host port",
            &["account a\nhost h\naccount b : a\nport 1\n"],
            |t| {
                let d = parse(t);
                for e in d.tables.iter().flat_map(|t| &t.entries) {
                    assert!(e.value_span.end <= t.len() && t.is_char_boundary(e.value_span.end));
                    assert!(t.is_char_boundary(e.value_span.start));
                }
            },
        );
    }
}
