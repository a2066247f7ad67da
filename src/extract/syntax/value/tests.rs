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

#[test]
fn url_passwords_are_found_inside_text() {
    use crate::extract::syntax::url::password_span;
    let at = |t: &str| password_span(t).map(|r| t[r].to_owned());
    assert_eq!(
        at("smtps://me:s3cret@smtp.example.com:465").as_deref(),
        Some("s3cret")
    );
    assert_eq!(at("url=smtp://u:p#ss@h?x=1").as_deref(), Some("p#ss"));
    assert_eq!(at("smtp://u:@h"), None);
    assert_eq!(at("smtp://user@h"), None);
    assert_eq!(at("see http://h/a:b@c"), None);
}
