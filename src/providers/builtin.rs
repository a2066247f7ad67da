//! The provider files compiled into the binary: `rules/*.yaml`, converted to JSON by build.rs
//! (parsing JSON at start-up costs a fraction of parsing YAML). A test checks that every file
//! under `rules/` is here and that the JSON says what the YAML says.

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
