use super::*;
use crate::extract::syntax::url::percent_decode;

#[test]
fn escapes_and_percent() {
    assert_eq!(unescape(r"a\x41\u0042\u{43}\n\\"), "aABC\n\\");
    assert_eq!(unescape("\\"), "\\");
    assert_eq!(
        percent_decode("me%40icloud.com%2", false),
        "me@icloud.com%2"
    );
    assert_eq!(percent_decode("%", false), "%");
}
