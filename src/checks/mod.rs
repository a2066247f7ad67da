//! Checks: generic ones for any host, and provider checks driven by the provider's YAML facts, so
//! that a new provider needs YAML only. Each file holds one check or a small family of them; the
//! user-facing page of every code is `docs/rules/<code>.md`.

use crate::finding::{Finding, Label, Severity};
use crate::identify::Identified;
use crate::model::{Profile, Value};
use crate::providers::Providers;
use crate::source::Loc;

mod auth;
mod fixes;
mod from;
mod hosts;
mod ports;
mod secrets;
mod transport;

/// What a check sees: one profile, its provider (if recognised) and all providers.
pub struct Ctx<'a> {
    pub profile: &'a Profile,
    pub ident: Option<Identified<'a>>,
    pub providers: &'a Providers,
    /// The run's files (not yet masked), so a fix can be written in the file's own words.
    pub sources: Option<&'a crate::source::Sources>,
}

impl Ctx<'_> {
    pub fn provider_id(&self) -> Option<&str> {
        self.ident.as_ref().map(|i| i.provider.id.as_str())
    }

    /// A finding about this profile, tagged with its provider.
    pub fn finding(
        &self,
        code: &str,
        severity: Severity,
        message: String,
        primary: Label,
    ) -> Finding {
        Finding::new(code, severity, message, primary).with_provider(self.provider_id())
    }
}

type Check = fn(&Ctx, &mut Vec<Finding>);

/// Every check, in the order findings about one profile are reported.
const CHECKS: &[Check] = &[
    hosts::check,
    ports::check,
    transport::check,
    auth::check,
    from::check,
    secrets::check,
];

pub fn run(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for check in CHECKS {
        check(ctx, &mut out);
    }
    out
}

/// Labels for a value: its own span, plus the code that read it from the environment.
pub(crate) fn labels_for<T>(v: &Value<T>, message: impl Into<String>) -> Vec<Label> {
    let mut locs = v.locs().into_iter();
    let mut out = vec![Label::new(
        locs.next().expect("a value has a span"),
        message,
    )];
    out.extend(locs.map(|l| Label::new(l, "read here")));
    out
}

/// A value's primary label with a note when the value is a client default.
pub(crate) fn value_label<T>(v: &Value<T>, what: &str) -> Vec<Label> {
    let text = match &v.origin {
        crate::model::Origin::Default { client_default } => format!("{what}: {client_default}"),
        _ => what.to_owned(),
    };
    labels_for(v, text)
}

pub(crate) fn with_labels(mut f: Finding, labels: Vec<Label>) -> Finding {
    for l in labels {
        f = f.with_label(l);
    }
    f
}

pub(crate) fn anchor(p: &Profile) -> Loc {
    p.anchor.clone()
}
