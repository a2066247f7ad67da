use super::*;
use crate::extract::syntax::value::port_of;

#[test]
fn predicates_read_like_the_languages() {
    assert_eq!(Pred::Truthy.eval("false"), Some(true));
    assert_eq!(Pred::Truthy.eval(""), Some(false));
    assert_eq!(Pred::JsonParse.eval("False"), None);
    assert_eq!(Pred::Lenient.eval("Yes"), Some(true));
    assert_eq!(Pred::Lenient.eval("nope"), Some(false));
    assert_eq!(Pred::Strict.eval("maybe"), None);
    assert_eq!(Pred::Int.eval("0"), Some(false));
    assert_eq!(Pred::Int.eval("x"), None);
    assert_eq!(Pred::Number.eval("abc"), Some(false));
    let eq_true = Pred::equals("true", false, false);
    assert_eq!(eq_true.eval("true"), Some(true));
    assert_eq!(eq_true.eval("True"), Some(false));
    let ne_false_fold = Pred::equals("false", true, true);
    assert_eq!(ne_false_fold.eval("FALSE"), Some(false));
    let member = Pred::one_of(["true", "1"], true);
    assert_eq!(member.eval("TRUE"), Some(true));
    assert_eq!(member.eval("yes"), Some(false));
}

#[test]
fn conversions_are_chosen_by_reading() {
    let f = bool_conv(Out::Implicit, Out::StartOpp, Pred::Truthy);
    assert_eq!(
        f.apply("false"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    let f = bool_conv(
        Out::Implicit,
        Out::StartReq,
        Pred::equals("true", false, true),
    );
    assert_eq!(
        f.apply("FALSE"),
        Some(FieldValue::Security(Security::StartTls { required: true }))
    );
    assert_eq!(
        f,
        Conversion::new(
            Read::Bool(Pred::equals("true", false, true)),
            Target::Choice {
                on_true: Outcome::Set(FieldValue::Security(Security::ImplicitTls)),
                on_false: Outcome::Set(FieldValue::Security(Security::StartTls { required: true })),
            }
        )
    );
    let f = port_security_conv(NumKind::Whole, Out::StartOpp).unwrap();
    assert_eq!(
        f.apply(" 465"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    assert_eq!(port_of("587abc", NumKind::LeadingDigits), Some(587));
    assert_eq!(port_of("587abc", NumKind::Whole), None);
}
