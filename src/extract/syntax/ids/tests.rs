use std::path::{Path, PathBuf};

use super::*;
use crate::extract::syntax::tree::{walk_tree, walk_tree_depth};

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

/// Every fixture parsed with every grammar (so that error recovery, MISSING nodes and aliased
/// nodes are met too), handed to `check` with its path.
fn every_fixture_in_every_grammar(mut check: impl FnMut(&Path, &tree_sitter::Tree)) {
    let mut paths = Vec::new();
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut paths,
    );
    assert!(paths.len() > 100, "fixtures found: {}", paths.len());
    for language in grammars() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        for path in &paths {
            let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
            check(path, &parser.parse(&text, None).unwrap());
        }
    }
}

#[test]
fn ids_answer_what_names_answer_on_every_fixture() {
    let mut nodes = 0usize;
    every_fixture_in_every_grammar(|path, tree| {
        walk_tree(tree.root_node(), |n| {
            nodes += 1;
            assert!(Grammar::of(n).is_some());
            assert_eq!(kind(n), n.kind(), "{}", path.display());
            for &f in TsField::ALL {
                let by_name = n.child_by_field_name(f.name());
                assert_eq!(n.field(f), by_name, "{} {}", path.display(), f.name());
            }
        });
    });
    assert!(nodes > 100_000, "{nodes}");
}

/// The shared walker, which counts children instead of asking the cursor past the last one,
/// visits what the plain cursor walk visits, in the same order, at the same depths.
#[test]
fn the_walker_visits_what_a_plain_cursor_walk_visits() {
    fn plain<'t>(root: tree_sitter::Node<'t>) -> Vec<(tree_sitter::Node<'t>, usize)> {
        let mut out = Vec::new();
        let mut cursor = root.walk();
        let mut depth = 0usize;
        loop {
            out.push((cursor.node(), depth));
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return out;
                }
                depth -= 1;
            }
        }
    }
    every_fixture_in_every_grammar(|path, tree| {
        let root = tree.root_node();
        // The whole tree, and a walk from inside it (as `first_error` walks one statement).
        let mut roots = vec![root];
        roots.extend(root.named_child(0));
        for r in roots {
            let mut walked = Vec::new();
            walk_tree_depth(r, |n, depth| walked.push((n, depth)));
            assert_eq!(walked, plain(r), "{}", path.display());
        }
    });
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
