use super::*;

#[test]
fn parses_statements_with_exact_spans() {
    let t = "user_pref(\"a.b\", \"x y\");\npref('n', -42);\nsticky_pref(\"b\", true);\nlockPref(\"c\", +7);";
    let p = parse(t);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.prefs.len(), 4);
    let a = &p.prefs[0];
    assert_eq!(a.level, Level::User);
    assert_eq!(&t[a.name_span.clone()], "a.b");
    assert_eq!(a.value, PrefValue::Str("x y".into()));
    assert_eq!(&t[a.value_span.clone()], "x y");
    assert_eq!(&t[a.stmt_span.clone()], "user_pref(\"a.b\", \"x y\");");
    assert_eq!(p.prefs[1].value, PrefValue::Int(-42));
    assert_eq!(&t[p.prefs[1].value_span.clone()], "-42");
    assert_eq!(p.prefs[1].level, Level::Default);
    assert_eq!(p.prefs[2].value, PrefValue::Bool(true));
    assert_eq!(&t[p.prefs[2].value_span.clone()], "true");
    assert_eq!(p.prefs[3].value, PrefValue::Int(7));
    assert_eq!(p.prefs[3].level, Level::Locked);
    assert_eq!(&t[p.prefs[3].value_span.clone()], "+7");
}

#[test]
fn escapes_comments_whitespace_bom_crlf() {
    let t = "\u{feff}# hash\r\n// slash\r\n/* block\r\n */ user_pref ( \"k\" /*c*/ ,\r\n  \"q\\\"\\'\\\\\\n\\r\\x41\\u00e9\\ud83d\\ude00\" ) ;\r\n";
    let p = parse(t);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.prefs.len(), 1);
    assert_eq!(
        p.prefs[0].value,
        PrefValue::Str("q\"'\\\n\rAé\u{1F600}".into())
    );
    assert_eq!(
        &t[p.prefs[0].value_span.clone()],
        "q\\\"\\'\\\\\\n\\r\\x41\\u00e9\\ud83d\\ude00"
    );
    // Single quotes may hold double quotes.
    let p = parse("user_pref('a', 'say \"hi\"');");
    assert_eq!(p.prefs[0].value, PrefValue::Str("say \"hi\"".into()));
}

#[test]
fn int_limits() {
    let p = parse("pref(\"a\", 2147483647);pref(\"b\", -2147483648);");
    assert_eq!(p.prefs[0].value, PrefValue::Int(i32::MAX));
    assert_eq!(p.prefs[1].value, PrefValue::Int(i32::MIN));
    let t = "user_pref(\"a\", 2147483648);\nuser_pref(\"b\", 1);";
    let p = parse(t);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(&t[p.errors[0].span.clone()], "2147483648");
    assert_eq!(p.prefs.len(), 1);
    assert_eq!(p.prefs[0].name, "b");
}

#[test]
fn errors_point_at_bad_bytes_and_recover() {
    let t = concat!(
        "user_pref(\"a\", tru);\n",             // bad value
        "user_pref(\"b\", \"x\\qy\");\n",       // bad escape
        "user_pref(\"c\", 1)\n",                // missing ;
        "user_pref(\"d\", 58 7);\n",            // junk after value
        "user_pref(\"e\", \"open);\n",          // unterminated string
        "garbage here; user_pref(\"f\", 2);\n", // junk statement, same-line recovery
        "user_pref(\"g\", 12ab);\n",            // letters in number
        "user_pref(\"h\", \"\\ud800\");\n",     // lone surrogate
        "user_pref(\"i\", \"\\x00\");\n",       // NUL escape
        "user_pref(\"ok\", 3);\n",
    );
    let p = parse(t);
    let bad: Vec<&str> = p.errors.iter().map(|e| &t[e.span.clone()]).collect();
    assert_eq!(
        bad,
        vec!["tru", "\\q", ")", "7", "\"open);", "garbage", "12ab", "\\ud800", "\\x00"]
    );
    let names: Vec<&str> = p.prefs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["f", "ok"]);
}

#[test]
fn multi_line_strings_are_legal_but_blamed_when_the_statement_breaks() {
    let t = "user_pref(\"a\", \"one\ntwo\");\n";
    let p = parse(t);
    assert!(p.errors.is_empty());
    assert_eq!(p.prefs[0].value, PrefValue::Str("one\ntwo".into()));
    let t = "user_pref(\"x.password\", \"open);\nuser_pref(\"b\", 1);\n";
    let p = parse(t);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(&t[p.errors[0].span.clone()], "\"open);");
    assert_eq!(p.errors[0].message, "unterminated string");
    assert_eq!(p.broken_values[0].name, "x.password");
    assert_eq!(&t[p.broken_values[0].span.clone()], "open);");
    assert_eq!(p.prefs.len(), 1);
    assert_eq!(p.prefs[0].name, "b");
}

#[test]
fn error_at_end_of_file_and_unterminated_comment() {
    let t = "user_pref(\"a\", 1";
    let p = parse(t);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(&t[p.errors[0].span.clone()], "1");
    let t = "user_pref(\"a\", 1);\n/* never closed\nuser_pref(\"b\", 2);";
    let p = parse(t);
    assert_eq!(p.prefs.len(), 1);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(&t[p.errors[0].span.clone()], "/*");
    let p = parse("user_pref(\"a\", 1); / user_pref(\"b\", 2);");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.prefs.len(), 1);
}

#[test]
fn attributes_only_in_default_prefs() {
    let p = parse("pref(\"a\", 1, sticky, locked);");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let t = "user_pref(\"a\", 1, locked);";
    let p = parse(t);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(&t[p.errors[0].span.clone()], ",");
}

#[test]
fn broken_statements_keep_their_value_span() {
    let t = concat!(
        "user_pref(\"mail.smtpserver.smtp1.password\", \"s3cr\\qet\");\n",
        "user_pref(\"mail.server.server1.password\", hunter2);\n",
        "user_pref(\"x.password\" \"nocomma\");\n",
        "user_pref(\"y.password\", \"unterminated\n",
    );
    let p = parse(t);
    let masked: Vec<&str> = p.broken_values.iter().map(|b| &t[b.span.clone()]).collect();
    assert_eq!(
        masked,
        vec!["s3cr\\qet", "hunter2)", "nocomma", "unterminated"]
    );
    for e in &p.errors {
        assert!(!e.message.contains("s3cr") && !e.message.contains("hunter2"));
    }
}

#[test]
fn broken_values_before_the_name_are_not_kept() {
    let t = "user_pref(x.password, \"v\");\nuser_pref(\"ok\", 1;\n";
    let p = parse(t);
    assert_eq!(p.errors.len(), 2);
    let kept: Vec<(&str, &str)> = p
        .broken_values
        .iter()
        .map(|b| (b.name.as_str(), &t[b.span.clone()]))
        .collect();
    assert_eq!(kept, vec![("ok", "1;")]);
}

#[test]
fn effective_definitions_by_level_then_order_and_nul() {
    let t = "pref(\"a\", 1);\nuser_pref(\"a\", 2);\npref(\"a\", 3);\nuser_pref(\"b\", 1);\nuser_pref(\"b\", 2);\nlockPref(\"c\", 1);\nuser_pref(\"c\", 2);\n\0user_pref(\"d\", 1);";
    let p = parse(t);
    let eff = p.effective();
    assert_eq!(eff.get("a").unwrap().value, PrefValue::Int(2));
    assert_eq!(eff.get("b").unwrap().value, PrefValue::Int(2));
    assert_eq!(eff.get("c").unwrap().value, PrefValue::Int(1));
    assert!(eff.get("d").is_none());
    let order: Vec<&str> = eff
        .in_file_order()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(order, vec!["a", "b", "c"]);
    assert!(p.cut_by_nul());
    assert_eq!(p.read().count(), 7);
}

#[test]
fn help_by_message() {
    let e = |message| SyntaxError {
        span: 0..1,
        message,
    };
    assert!(e("unknown escape sequence in string")
        .help()
        .contains("\\xNN"));
    assert!(e("unterminated string").help().contains("close"));
    assert!(e("unterminated `/*` comment").help().contains("comments"));
    assert!(e("integer out of range").help().contains("2147483647"));
    assert!(e("expected `;` after `)`").help().contains("user_pref"));
}
