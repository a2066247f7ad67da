use super::*;
use crate::extract::syntax::testing::texts;

/// The secrets of a file, as text.
fn read(src: &str) -> Vec<String> {
    let tree = parse(src, false).unwrap();
    texts(src, &JsFile::read(FileId(0), src, tree.root_node()).secrets)
}

#[test]
fn secrets_built_from_pieces_are_masked() {
    assert_eq!(
        read("const password = 'hunter' + '2hunter2';"),
        ["hunter", "2hunter2"]
    );
    assert_eq!(read("const o = { pass: `abc${x}def` };"), ["abc", "def"]);
    assert_eq!(read("o.smtpPass = process.env.P + 'suffix1';"), ["suffix1"]);
    assert_eq!(read("const host = 'a' + 'b';"), Vec::<String>::new());
}

#[test]
fn renames_keep_their_module() {
    let src = "import { createTransport as make } from 'nodemailer';\n\
               const { createTransport: mk } = require('nodemailer');";
    let tree = parse(src, false).unwrap();
    let js = JsFile::read(FileId(0), src, tree.root_node());
    let r: Vec<_> = js
        .renames
        .iter()
        .map(|r| (r.module.as_deref(), r.name.as_str(), r.alias.as_str()))
        .collect();
    assert_eq!(
        r,
        [
            (None, "createTransport", "make"),
            (Some("nodemailer"), "createTransport", "mk")
        ]
    );
}
