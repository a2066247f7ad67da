//! PHPMailer: which objects the PHP reader saw are PHPMailers, what the code set on each one,
//! and the [`crate::model::Profile`] PHPMailer will act on (`profile.rs`).
//!
//! `$x = new PHPMailer(...)` starts a PHPMailer; settings on a receiver that was never created
//! in this file count when they are PHPMailer's own (`SMTPSecure`, `isSMTP()` ...). Settings are
//! read in source order and the last one wins, as when PHPMailer reads them at `send()`.

use std::collections::HashMap;
use std::ops::Range;

use crate::extract::php::value::{Expr, PhpVal};
use crate::extract::php::Src;
use crate::extract::syntax::php::objects::{Branches, Event, KeyPath, Object};
use crate::extract::syntax::php::Interest;
use crate::extract::Extraction;
use crate::finding::{Finding, Label, Severity};

mod profile;

/// What the PHP reader must look at for PHPMailer: its encryption constants and the methods
/// that choose the transport, set the sender or show the object is a PHPMailer.
pub const INTEREST: Interest = Interest {
    class_consts: &[
        ("PHPMailer", "ENCRYPTION_SMTPS", "ssl"),
        ("PHPMailer", "ENCRYPTION_STARTTLS", "tls"),
    ],
    methods: &[
        "issmtp",
        "ismail",
        "issendmail",
        "isqmail",
        "setfrom",
        "addaddress",
        "addcc",
        "addbcc",
        "addreplyto",
        "msghtml",
        "ishtml",
        "addattachment",
        "addembeddedimage",
        "addstringattachment",
        "smtpconnect",
    ],
};

/// PHPMailer properties smtp-doctor reads. PHP property names are case-sensitive: `$mail->host`
/// is a new property PHPMailer never looks at. The settings that only matter for SMTP come first.
const PROPS: &[&str] = &[
    "Host",
    "Port",
    "SMTPSecure",
    "SMTPAutoTLS",
    "SMTPAuth",
    "AuthType",
    "Username",
    "Password",
    "SMTPOptions",
    "From",
    "Sender",
    "Mailer",
];

/// Members only a PHPMailer object has: a receiver that never met `new PHPMailer` in this file
/// counts as one only when it shows one of these.
const STRONG_PROPS: &[&str] = &[
    "SMTPSecure",
    "SMTPAutoTLS",
    "SMTPAuth",
    "AuthType",
    "SMTPOptions",
    "Mailer",
];

/// Settings that only matter for SMTP: the first nine of [`PROPS`].
const SMTP_PROPS: &[&str] = PROPS.split_at(9).0;

enum Ev<'o> {
    Prop {
        name: &'static str,
        value: &'o Expr,
        branches: &'o Branches,
    },
    SetFrom {
        addr: &'o Expr,
        auto: Option<&'o Expr>,
        branches: &'o Branches,
    },
    /// `$mail->SMTPOptions['ssl']['verify_peer'] = false;`
    OptionPath { path: &'o KeyPath, value: &'o Expr },
}

/// One PHPMailer object and what the code did with it.
struct Instance<'o> {
    receiver: &'o str,
    /// `new PHPMailer(...)`.
    created: Option<Range<usize>>,
    /// The first statement seen on the object.
    first: Range<usize>,
    /// Every `isSMTP()` / `Mailer = 'smtp'` (true) and `isMail()`/`isSendmail()`/`isQmail()`
    /// (false), in order.
    mailers: Vec<(bool, Range<usize>, &'o Branches)>,
    strong: bool,
    events: Vec<Ev<'o>>,
    /// Property names written with the wrong case: (written, meant, span of the name).
    miscased: Vec<(&'o str, &'static str, Range<usize>)>,
}

impl<'o> Instance<'o> {
    fn new(receiver: &'o str, created: Option<Range<usize>>, first: Range<usize>) -> Self {
        Instance {
            receiver,
            strong: created.is_some(),
            created,
            first,
            mailers: Vec::new(),
            events: Vec::new(),
            miscased: Vec::new(),
        }
    }

    /// The PHPMailer an object is, if it is one: created as one, or from the first statement
    /// only a PHPMailer takes.
    fn of(obj: &'o Object) -> Option<Instance<'o>> {
        let created = obj
            .created
            .as_ref()
            .filter(|(class, _)| class.eq_ignore_ascii_case("PHPMailer"))
            .map(|(_, span)| span.clone());
        let receiver = obj.receiver.as_str();
        let mut inst = created.map(|c| Instance::new(receiver, Some(c.clone()), c));
        let start = |inst: &mut Option<Instance<'o>>, first: &Range<usize>| {
            inst.take()
                .unwrap_or_else(|| Instance::new(receiver, None, first.clone()))
        };
        for ev in &obj.events {
            match ev {
                Event::Prop {
                    stmt,
                    name,
                    name_span,
                    value,
                    branches,
                } => {
                    if let Some(&exact) = PROPS.iter().find(|p| **p == name) {
                        let mut i = start(&mut inst, stmt);
                        i.prop(exact, value, branches);
                        inst = Some(i);
                    } else if let Some(&meant) = PROPS.iter().find(|p| p.eq_ignore_ascii_case(name))
                    {
                        // Only on objects already known to be PHPMailer's.
                        if let Some(i) = &mut inst {
                            i.miscased.push((name, meant, name_span.clone()));
                        }
                    }
                }
                Event::PropPath {
                    stmt,
                    name,
                    path,
                    value,
                } if name == "SMTPOptions" => {
                    let mut i = start(&mut inst, stmt);
                    i.strong = true;
                    i.events.push(Ev::OptionPath { path, value });
                    inst = Some(i);
                }
                Event::PropPath { .. } => {}
                Event::Call {
                    call,
                    stmt,
                    method,
                    args,
                    branches,
                } => {
                    let smtp = match method.as_str() {
                        "issmtp" => Some(true),
                        "ismail" | "issendmail" | "isqmail" => Some(false),
                        _ => None,
                    };
                    if let Some(smtp) = smtp {
                        let mut i = start(&mut inst, call);
                        i.strong = true;
                        i.mailers.push((smtp, call.clone(), branches));
                        inst = Some(i);
                    } else if method == "setfrom" {
                        let Some(addr) = args.first() else { continue };
                        let mut i = start(&mut inst, stmt);
                        let auto = args.get(2);
                        i.events.push(Ev::SetFrom {
                            addr,
                            auto,
                            branches,
                        });
                        inst = Some(i);
                    } else if let Some(i) = &mut inst {
                        // addAddress(), msgHTML() ...: only a PHPMailer has these.
                        i.strong = true;
                    }
                }
            }
        }
        inst
    }

    fn prop(&mut self, name: &'static str, value: &'o Expr, branches: &'o Branches) {
        if name == "Mailer" {
            if let Some(PhpVal::Str(m)) = value.literal() {
                self.mailers.push((m == "smtp", value.span(), branches));
            }
        }
        self.strong |= STRONG_PROPS.contains(&name);
        self.events.push(Ev::Prop {
            name,
            value,
            branches,
        });
    }
}

/// Is every branch of `inner` also a branch of `outer`? Then a statement at `inner` runs
/// whenever one at `outer` does.
fn within(inner: &Branches, outer: &Branches) -> bool {
    inner.iter().all(|b| outer.contains(b))
}

/// The same value, as far as smtp-doctor can tell.
fn same_value(a: &Expr, b: &Expr) -> bool {
    match (a.literal(), b.literal()) {
        (Some(x), Some(y)) => x == y,
        _ => matches!((a, b), (Expr::Env(x), Expr::Env(y)) if x.var == y.var),
    }
}

/// The value a setting ends with: the last assignment, unless it sits in a branch an earlier,
/// different assignment is not in (`if (...) { Port = 465 } else { Port = 587 }`, or a
/// conditional override). Then the value depends on the run and is unknown.
fn settle(history: &[(&Expr, &Branches)]) -> Option<Expr> {
    let (last, last_br) = history.last()?;
    let ambiguous = history[..history.len() - 1]
        .iter()
        .any(|(e, br)| !within(last_br, br) && !same_value(e, last));
    Some(if ambiguous {
        Expr::unknown(last.span())
    } else {
        (*last).clone()
    })
}

/// The settings of one object after every statement: the last value of each.
#[derive(Default)]
struct State {
    props: HashMap<&'static str, Expr>,
    from: Option<Expr>,
    sender: Option<Expr>,
    options: Vec<(KeyPath, Expr)>,
}

impl State {
    fn of(inst: &Instance) -> State {
        let mut history: HashMap<&'static str, Vec<(&Expr, &Branches)>> = HashMap::new();
        let mut options = Vec::new();
        for ev in &inst.events {
            match ev {
                Ev::Prop {
                    name,
                    value,
                    branches,
                } => {
                    if *name == "SMTPOptions" {
                        options.clear();
                    }
                    history.entry(name).or_default().push((value, branches));
                }
                Ev::SetFrom {
                    addr,
                    auto,
                    branches,
                } => {
                    history.entry("From").or_default().push((addr, branches));
                    let auto = auto.is_none_or(|a| a.literal().is_none_or(|v| v.truthy()));
                    if auto {
                        history.entry("Sender").or_default().push((addr, branches));
                    }
                }
                Ev::OptionPath { path, value } => options.push(((*path).clone(), (*value).clone())),
            }
        }
        let mut s = State {
            options,
            ..State::default()
        };
        for (p, h) in history {
            let Some(v) = settle(&h) else { continue };
            match p {
                "From" => s.from = Some(v),
                "Sender" => s.sender = Some(v),
                _ => {
                    s.props.insert(p, v);
                }
            }
        }
        s
    }

    fn get(&self, p: &str) -> Option<&Expr> {
        self.props.get(p)
    }
}

/// Whether the object sends with SMTP: the last transport choice, or an earlier `isSMTP()`
/// the last choice may not override (it sits in a branch the earlier one is not in).
fn smtp_choice(inst: &Instance) -> Option<(bool, Range<usize>)> {
    let (last, span, br) = inst.mailers.last()?;
    if !last {
        if let Some((_, s, _)) = inst
            .mailers
            .iter()
            .rev()
            .skip(1)
            .find(|(smtp, _, b)| *smtp && !within(br, b))
        {
            return Some((true, s.clone()));
        }
    }
    Some((*last, span.clone()))
}

/// Turn every PHPMailer object of the file into a profile (or an info finding).
pub(crate) fn build(src: &Src, objects: &[Object], ex: &mut Extraction) {
    for inst in objects.iter().filter_map(Instance::of) {
        for (written, meant, span) in &inst.miscased {
            ex.findings.push(
                Finding::new(
                    "invalid-value",
                    Severity::Warning,
                    format!(
                        "PHPMailer has no property `{written}`: property names are case-sensitive, so this setting is ignored"
                    ),
                    Label::new(src.loc(span.clone()), format!("not `{meant}`")),
                )
                .with_help(format!("write `{meant}`")),
            );
        }
        let state = State::of(&inst);
        let smtp = smtp_choice(&inst);
        if sends_with_smtp(src, &inst, &smtp, &state, ex) {
            let p = profile::profile(src, &inst, smtp, &state, ex);
            ex.profiles.push(p);
        }
    }
}

/// Does the object send with SMTP, as far as this file shows? Tells when SMTP settings are set
/// on an object created here that never calls `isSMTP()`.
fn sends_with_smtp(
    src: &Src,
    inst: &Instance,
    smtp: &Option<(bool, Range<usize>)>,
    state: &State,
    ex: &mut Extraction,
) -> bool {
    let has_smtp_settings = SMTP_PROPS.iter().any(|p| state.get(p).is_some());
    match smtp {
        Some((true, _)) => true,
        Some((false, _)) => false, // mail(), sendmail or qmail, chosen on purpose
        None => {
            let Some(created) = &inst.created else {
                // An object from elsewhere: whoever created it may have called isSMTP().
                return inst.strong && has_smtp_settings;
            };
            if has_smtp_settings {
                ex.findings.push(
                    Finding::new(
                        "conflicting-settings",
                        Severity::Info,
                        "SMTP settings are set, but isSMTP() is never called here: PHPMailer sends with PHP's mail() and ignores them",
                        Label::new(src.loc(created.clone()), "created here"),
                    )
                    .with_help(format!(
                        "call {}->isSMTP() before sending (unless another part of the code does)",
                        inst.receiver
                    )),
                );
            }
            false
        }
    }
}
