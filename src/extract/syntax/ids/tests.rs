use std::path::{Path, PathBuf};

use super::*;
use crate::extract::syntax::tree::walk_tree;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every fixture, parsed with every grammar (so that error recovery, MISSING nodes and aliased
/// nodes are met too): the field and kind asked by id answer what the name gives.
#[test]
fn ids_answer_what_names_answer_on_every_fixture() {
    let mut paths = Vec::new();
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut paths,
    );
    assert!(paths.len() > 100, "fixtures found: {}", paths.len());
    let mut nodes = 0usize;
    for language in grammars() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        for path in &paths {
            let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
            let tree = parser.parse(&text, None).unwrap();
            walk_tree(tree.root_node(), |n| {
                nodes += 1;
                assert!(Grammar::of(n).is_some());
                assert_eq!(kind(n), n.kind(), "{}", path.display());
                for &f in TsField::ALL {
                    let by_name = n.child_by_field_name(f.name());
                    assert_eq!(n.field(f), by_name, "{} {}", path.display(), f.name());
                }
            });
        }
    }
    assert!(nodes > 100_000, "{nodes}");
}

#[test]
fn every_field_is_known_to_some_grammar() {
    for &f in TsField::ALL {
        let known = grammars()
            .iter()
            .any(|l| l.field_id_for_name(f.name()).is_some());
        assert!(known, "{}", f.name());
    }
}
