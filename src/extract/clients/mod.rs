//! Client programs: each turns the values its syntax readers found into [`crate::model::Profile`]s,
//! the way that program reads them, whichever file syntax fed it.

pub mod thunderbird;
pub mod toml_app;
