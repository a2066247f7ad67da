//! smtp-doctor finds mistakes in e-mail client SMTP settings.
//!
//! The path of a run: discover → extract → resolve → identify → check → (probe) → select →
//! report, run by [`engine`]; [`cli`] parses arguments and renders.
//! Each step is one module; a module only calls the ones after it.

pub mod checks;
pub mod cli;
pub mod codes;
pub mod config;
pub mod discover;
pub mod engine;
pub mod extract;
pub mod finding;
pub mod fix;
pub mod identify;
pub mod input;
pub mod model;
pub mod probe;
pub mod probing;
pub mod providers;
pub(crate) mod read_ahead;
pub mod redact;
pub mod report;
pub mod resolve;
pub mod select;
pub mod source;
pub mod stream;
pub mod triage;
