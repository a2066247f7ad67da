use super::*;
use crate::extract::syntax::testing::texts;
use crate::extract::syntax::value::{BoolVal, NumKind, Pred, Val};

fn with<R>(src: &str, f: impl FnOnce(&RbFile) -> R) -> R {
    let tree = parse(src).unwrap();
    let rb = RbFile::read(FileId(0), src, tree.root_node());
    f(&rb)
}

/// The value bound to `x` (the last assignment).
fn x(src: &str) -> Val {
    with(src, |rb| {
        let n = rb.lookup("x", usize::MAX).expect("x is bound");
        rb.eval(n, 0)
    })
}

fn secrets(src: &str) -> Vec<String> {
    with(src, |rb| texts(src, &rb.secrets))
}

#[test]
fn literals_keep_their_spans_and_decode() {
    let src = "x = \"a\\tb\"";
    assert_eq!(
        x(src),
        Val::Str {
            text: "a\tb".into(),
            span: 5..9
        }
    );
    assert_eq!(
        x("x = 'it\\'s'"),
        Val::Str {
            text: "it's".into(),
            span: 5..10
        }
    );
    assert_eq!(
        x("x = :plain"),
        Val::Str {
            text: "plain".into(),
            span: 5..10
        }
    );
    assert_eq!(
        x("x = ''"),
        Val::Str {
            text: String::new(),
            span: 5..5
        }
    );
    assert!(matches!(x("x = 1_025"), Val::Num { value, .. } if value == 1025.0));
    assert_eq!(x("x = nil"), Val::Null);
    assert_eq!(x("x = \"a#{y}\""), Val::Unknown);
}

#[test]
fn env_reads_carry_their_defaults() {
    let r = |v: Val| v.env_read().cloned().expect("an env read");
    let v = x("x = ENV['SMTP_HOST']");
    assert!(matches!(v, Val::EnvText(_)));
    assert_eq!(r(v).var, "SMTP_HOST");
    let f = r(x("x = ENV.fetch('P', 587)"));
    assert_eq!(f.default.as_ref().map(|d| d.0.as_str()), Some("587"));
    assert!(!f.default_if_empty, "fetch keeps an empty value");
    let b = r(x("x = ENV.fetch(\"P\") { \"2525\" }"));
    assert_eq!(b.default.as_ref().map(|d| d.0.as_str()), Some("2525"));
    let o = r(x("x = ENV['H'] || 'localhost'"));
    assert!(!o.default_if_empty, "an empty String is true in Ruby");
    let p = r(x("x = ENV['H'].presence || 'localhost'"));
    assert!(
        p.default_if_empty,
        ".presence turns an empty value into nil"
    );
    assert!(matches!(
        x("x = Integer(ENV['P'])"),
        Val::EnvNum(_, NumKind::Whole)
    ));
    assert!(matches!(
        x("x = ENV['P'].to_i"),
        Val::EnvNum(_, NumKind::LeadingDigits)
    ));
    assert!(matches!(
        x("x = ENV['T'] == 'true'"),
        Val::EnvBool(_, Pred::Equals { .. })
    ));
    assert!(matches!(
        x("x = ENV['T'].presence && ENV['T'] == 'true'"),
        Val::EnvBool(_, Pred::Equals { .. })
    ));
    assert!(matches!(
        x("x = %w[true 1].include?(ENV['T'])"),
        Val::EnvBool(_, Pred::OneOf { .. })
    ));
    assert_eq!(x("x = ENV[name]"), Val::Unknown);
}

#[test]
fn names_set_in_branches_are_not_guessed() {
    let src = "v = nil\ncase ENV['S']\nwhen 'always' then v = true\nwhen 'never' then v = false\nend\nx = v\n";
    assert_eq!(x(src), Val::Unknown);
    assert!(matches!(x("v = 587\nx = v\n"), Val::Num { .. }));
}

#[test]
fn ruby_truth_is_not_python_truth() {
    with("a = 'false'\nb = 0\nc = ENV['X']\n", |rb| {
        for name in ["a", "b"] {
            let n = rb.lookup(name, usize::MAX).unwrap();
            assert!(matches!(rb.flag(n), BoolVal::Known(true, _)), "{name}");
        }
        let c = rb.lookup("c", usize::MAX).unwrap();
        assert!(matches!(rb.flag(c), BoolVal::Env(_, Pred::RubyText)));
    });
}

#[test]
fn hash_keys_know_symbols_from_strings() {
    let src = "h = { address: 1, :port => 2, \"user_name\" => 3, \"password\": 4, :'ssl' => 5 }";
    with(src, |rb| {
        let h = rb.lookup("h", usize::MAX).unwrap();
        let keys: Vec<(String, KeyKind, &str)> = rb
            .hash_entries(h)
            .into_iter()
            .map(|e| (e.key.name.clone(), e.key.kind, &src[e.key.span.clone()]))
            .collect();
        assert_eq!(
            keys,
            [
                ("address".into(), KeyKind::Symbol, "address"),
                ("port".into(), KeyKind::Symbol, ":port"),
                ("user_name".into(), KeyKind::String, "\"user_name\""),
                ("password".into(), KeyKind::Symbol, "\"password\""),
                ("ssl".into(), KeyKind::Symbol, ":'ssl'"),
            ]
        );
    });
}

#[test]
fn attribute_and_element_assignments_are_collected() {
    let src = "config.action_mailer.smtp_settings = { a: 1 }\nActionMailer::Base.smtp_settings[:port] = 2\n";
    with(src, |rb| {
        let t: Vec<(&str, Option<&str>, &str)> = rb
            .assigns
            .iter()
            .map(|a| {
                (
                    a.target.as_str(),
                    a.key.as_ref().map(|k| k.name.as_str()),
                    &src[a.name.clone()],
                )
            })
            .collect();
        assert_eq!(
            t,
            [
                ("config.action_mailer.smtp_settings", None, "smtp_settings"),
                (
                    "ActionMailer::Base.smtp_settings",
                    Some("port"),
                    "smtp_settings"
                ),
            ]
        );
    });
}

#[test]
fn secrets_are_found_by_key_and_in_defaults() {
    assert_eq!(
        secrets("s = { password: 'hunter2hunter2', user_name: 'me' }"),
        ["hunter2hunter2"]
    );
    assert_eq!(
        secrets("s = { :password => ENV.fetch('SMTP_PASSWORD', 'fallback-pw') }"),
        ["fallback-pw"]
    );
    assert_eq!(
        secrets("s = { \"password\" => ENV['P'] || 'or-this-one' }"),
        ["or-this-one"]
    );
    assert_eq!(secrets("smtp_password = \"pa#{x}ss\""), ["pa", "ss"]);
    assert_eq!(
        secrets("url = 'smtp://me:s3cret@smtp.example.com:587'"),
        ["s3cret"]
    );
    assert_eq!(
        secrets("s = { address: 'smtp.example.com' }"),
        Vec::<String>::new()
    );
}
