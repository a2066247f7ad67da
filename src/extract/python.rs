//! Python files: the syntax reader (`syntax::python`) reads the file once, then each client
//! program that lives in Python code takes what it recognises: `smtplib` connections
//! (`clients::smtplib`), Django settings modules (`clients::django`) and Flask-Mail settings
//! (`clients::flask_mail`).
//!
//! `docs/formats/python.md` lists every rule implemented there.

use super::clients::{django, flask_mail, smtplib};
use super::syntax::python::{parse, PyFile};
use super::Extraction;
use crate::source::FileId;

pub fn extract(file: FileId, text: &str) -> Extraction {
    let Some(tree) = parse(text) else {
        return Extraction::default();
    };
    let py = PyFile::read(file, text, tree.root_node());
    let mut ex = Extraction {
        secrets: py.secrets.clone(),
        ..Extraction::default()
    };
    smtplib::read(&py, &mut ex);
    let connects = smtplib::connects(&py);
    django::from_settings(&py, &mut ex, connects);
    flask_mail::read(&py, &mut ex, connects);
    ex
}

#[cfg(test)]
mod tests;
