//! Syntax readers: each turns a file syntax into values with byte spans, knowing nothing about
//! mail; the client programs in `extract::clients` give those values their meaning.
//!
//! The code readers (`js`, `python`) evaluate expressions into the shared [`value::Val`] and
//! walk their trees with the helpers of [`tree`].

pub mod dotenv;
pub mod ids;
pub mod ini;
pub mod ini_properties;
pub mod js;
pub mod json;
pub mod msmtprc;
pub mod php;
pub mod prefs_js;
pub mod python;
pub mod ruby;
#[cfg(test)]
pub mod testing;
pub mod toml;
pub mod tree;
pub mod ts_memory;
pub mod url;
pub mod value;
pub mod yaml;
