//! smtp-doctor finds mistakes in e-mail client SMTP settings.
//!
//! The path of a run: discover → extract → resolve → identify → check → (probe) → report.
//! Each step is one module; a module only calls the ones after it.

pub mod codes;
pub mod extract;
pub mod finding;
pub mod model;
pub mod probe;
pub mod source;
