use super::*;
use crate::extract::syntax::testing::texts;

#[test]
fn blanking_comments_keeps_strings() {
    let src = "A = '#x' # c\nB = \"\"\"\n# not a comment\n\"\"\"  # c2\nC = 'it\\'s' # d é\n";
    let b = blank_comments(src).unwrap();
    assert_eq!(b.len(), src.len());
    assert_eq!(
        b,
        "A = '#x'    \nB = \"\"\"\n# not a comment\n\"\"\"      \nC = 'it\\'s'       \n"
    );
}

fn secrets(src: &str) -> Vec<String> {
    let tree = parse(src).unwrap();
    texts(src, &PyFile::read(FileId(0), src, tree.root_node()).secrets)
}

#[test]
fn secrets_built_from_pieces_are_masked() {
    assert_eq!(
        secrets("EMAIL_HOST_PASSWORD = 'hunter' + \"2hunter2\"\n"),
        ["hunter", "2hunter2"]
    );
    assert_eq!(
        secrets("EMAIL_HOST_PASSWORD = f\"abc{os.environ['X']}def\"\n"),
        ["abc", "def"]
    );
    assert_eq!(secrets("connect(password='abc' 'def')\n"), ["abc", "def"]);
    assert_eq!(
        secrets("p = os.environ.get('P') + 'suffix1'\npassword = p\nsmtp_pass = os.environ['P'] + 'tail22'\n"),
        ["tail22"]
    );
    assert_eq!(secrets("EMAIL_HOST = 'a' + 'b'\n"), Vec::<String>::new());
}
