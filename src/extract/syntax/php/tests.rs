use super::objects::Event;
use super::value::Expr;
use super::*;

const NOTHING: Interest = Interest {
    class_consts: &[("Lib", "MODE", "on")],
    methods: &["send"],
};

fn texts<'t>(text: &'t str, spans: &[Range<usize>]) -> Vec<&'t str> {
    spans.iter().map(|s| &text[s.clone()]).collect()
}

#[test]
fn objects_record_properties_paths_and_asked_calls() {
    let text = r#"<?php
$x = new \Some\Lib(1);
$x->Mode = Lib::MODE;
$x->Opts['a']['b'] = 2;
$x->send('to');
$x->other();
function f() { $x->Mode = self::MODE; $x->Copy = $x->Mode; }
"#;
    let php = read(text, &NOTHING).unwrap();
    let objs = &php.objects.list;
    assert_eq!(objs.len(), 2, "{objs:#?}");
    assert_eq!(objs[0].created.as_ref().unwrap().0, "Lib");
    let kinds: Vec<String> = objs[0]
        .events
        .iter()
        .map(|e| match e {
            Event::Prop { name, value, .. } => format!("{name}={:?}", value.literal()),
            Event::PropPath { name, path, .. } => format!("{name}{}", path.len()),
            Event::Call { method, args, .. } => format!("{method}({})", args.len()),
        })
        .collect();
    assert_eq!(
        kinds,
        ["Mode=Some(Str(\"on\"))", "Opts2", "send(1)"],
        "calls nobody asked about are not recorded"
    );
    // Another function is another scope; a property reads back what was set on the object.
    match &objs[1].events[1] {
        Event::Prop { name, value, .. } => {
            assert_eq!(name, "Copy");
            assert!(matches!(value, Expr::Str(s) if s.text == "on"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pieces_of_concatenations_and_interpolations() {
    let text = r#"<?php
$a = 'abc' . "def";
$b = "pre{$a}mid$c post";
$p = getenv('X') . 'tail' . 42;
"#;
    let php = read(text, &NOTHING).unwrap();
    assert!(php.objects.list.is_empty());
    let mut w = Walker::new(text, &NOTHING, Kinds::of(php.tree.root_node()));
    walk_tree_depth(php.tree.root_node(), |n, depth| w.enter(n, depth));
    let var = |name: &str| w.vars.get(&(0, name.to_owned())).unwrap().pieces();
    assert_eq!(texts(text, &var("a")), ["abc", "def"]);
    assert_eq!(
        texts(text, &var("b")),
        ["pre", "abc", "def", "mid", " post"]
    );
    assert_eq!(texts(text, &var("p")), ["tail", "42"]);
}

#[test]
fn secret_names_mask_what_they_are_given() {
    let text = r#"<?php
$part = 'piece-one';
$smtp_password = $part . "-{$part}-" . 'piece-two';
$dsn = "see smtp://user:url-secret@host:25/x?q=a@b";
"#;
    let php = read(text, &NOTHING).unwrap();
    let mut got = texts(text, &php.secrets);
    got.sort();
    got.dedup();
    assert_eq!(got, ["-", "piece-one", "piece-two", "url-secret"]);
}

#[test]
fn syntax_errors_name_what_is_missing() {
    let text = "<?php\n$m->Host = ('x';\n";
    let php = read(text, &NOTHING).unwrap();
    let f = php.syntax_error(FileId(0), text).unwrap();
    assert_eq!(f.message, "PHP syntax error: `)` is missing here");
    let ok = read("<?php $m->Host = 'x';", &NOTHING).unwrap();
    assert!(ok
        .syntax_error(FileId(0), "<?php $m->Host = 'x';")
        .is_none());
}

#[test]
fn defines_and_top_level_assignments_are_kept_in_order() {
    let text = r#"<?php
define( 'A_HOST', 'h.example' );
define('A_PORT', 587);
define('A_PORT', 25);
if (!defined('B')) { define('B', true); }
$CONFIG = array('k' => 'v', 'n' => 2);
function f() { $local = 1; define('C', A_PORT); }
"#;
    let php = read(text, &NOTHING).unwrap();
    let names: Vec<(&str, bool)> = php
        .defines
        .iter()
        .map(|d| (d.name.as_str(), d.conditional))
        .collect();
    assert_eq!(
        names,
        [
            ("A_HOST", false),
            ("A_PORT", false),
            ("A_PORT", false),
            ("B", true),
            ("C", true)
        ]
    );
    assert_eq!(&text[php.defines[0].name_span.clone()], "A_HOST");
    assert!(matches!(php.defines[1].value, Expr::Int { value: 587, .. }));
    // The first definition wins when the constant is read back.
    assert!(matches!(php.defines[4].value, Expr::Int { value: 587, .. }));
    assert_eq!(php.globals.len(), 1, "function locals are not globals");
    let g = &php.globals[0];
    assert_eq!(
        (g.name.as_str(), &text[g.name_span.clone()]),
        ("CONFIG", "$CONFIG")
    );
    let Expr::Array(a) = &g.value else {
        panic!("{:?}", g.value)
    };
    assert_eq!(
        a.get("k").unwrap().value.literal(),
        Some(value::PhpVal::Str("v".into()))
    );
}

/// Every PHP fixture that [`all_php`] gives to the grammar without markup gets the tree the
/// full grammar gives it.
#[test]
fn files_read_as_all_php_get_the_tree_of_the_full_grammar() {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("fixtures")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            match p.extension() {
                _ if p.is_dir() => dirs.push(p),
                Some(x) if x == "php" => files.push(p),
                _ => {}
            }
        }
    }
    let tree = |text: &str, language: tree_sitter::Language| {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        parser.parse(text, None).unwrap().root_node().to_sexp()
    };
    let mut compared = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if all_php(&text) && text.starts_with("<?php") {
            let only = tree(&text, tree_sitter_php::LANGUAGE_PHP_ONLY.into());
            assert_eq!(
                only,
                tree(&text, tree_sitter_php::LANGUAGE_PHP.into()),
                "{}",
                f.display()
            );
            compared += 1;
        }
    }
    assert!(compared > 30, "{compared}");
    assert!(!all_php("<?php $a = 1; ?>\n<p>text</p>"));
    assert!(!all_php("<html><?php $a = 1;"));
    assert!(!all_php("  <?php $a = 1;"));
    assert!(all_php("$mail->Host = 'x';"));
}
