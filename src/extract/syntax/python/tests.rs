use super::*;

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
