//! Syntax readers: each turns a file syntax into values with byte spans, knowing nothing about
//! mail; the client programs in `extract::clients` give those values their meaning.

pub mod dotenv;
pub mod php;
pub mod prefs_js;
pub mod toml;
pub mod url;
