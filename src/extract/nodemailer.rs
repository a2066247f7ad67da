//! Placeholder: being written.
use super::Extraction;
use crate::source::FileId;

pub fn extract(_file: FileId, _text: &str, _typescript: bool) -> Extraction {
    Extraction::default()
}
