use super::*;
use crate::extract::syntax::testing::{
    at, check_spans, codes, finishes_quickly, froms, inputs, only,
};
use crate::model::conversion::Applied;

const F: FileId = FileId(0);

fn ex(src: &str) -> Extraction {
    let e = extract(F, src);
    check_spans(src, &e);
    e
}

fn one(src: &str) -> Profile {
    only(ex(src))
}

const GMAIL: &str = r#"Rails.application.configure do
  config.action_mailer.delivery_method = :smtp
  config.action_mailer.smtp_settings = {
    address:              "smtp.gmail.com",
    :port =>              587,
    domain:               "shop.example",
    user_name:            "shop.orders@gmail.com",
    password:             Rails.application.credentials.dig(:smtp, :password),
    authentication:       :plain,
    enable_starttls_auto: true
  }
  config.action_mailer.default_options = { from: "shop.orders@gmail.com" }
end
"#;

#[test]
fn a_production_block_is_one_profile() {
    let e = ex(GMAIL);
    assert_eq!(froms(GMAIL, &e), [["shop.orders@gmail.com"]]);
    let p = only(e);
    assert_eq!(p.client, Client::Rails);
    assert_eq!(p.label, "config.action_mailer.smtp_settings");
    assert_eq!(&GMAIL[p.anchor.span.clone()], "smtp_settings");
    assert_eq!(at(GMAIL, &p.host), "smtp.gmail.com");
    assert_eq!(at(GMAIL, &p.port), "587");
    assert_eq!(at(GMAIL, &p.username), "shop.orders@gmail.com");
    // The password lives in the credentials: set, but not here.
    assert!(p.password.is_none());
    let auth = p.auth.as_ref().unwrap();
    assert_eq!(auth.value, AuthMethod::Password);
    assert_eq!(at(GMAIL, &p.auth), "plain");
    let s = p.security.as_ref().unwrap();
    assert_eq!(s.value, Security::StartTls { required: false });
    assert_eq!(at(GMAIL, &p.security), "true");
}

#[test]
fn mail_defaults_fill_what_is_not_written() {
    let src = "ActionMailer::Base.smtp_settings = { address: 'mail.example.net' }\n";
    let p = one(src);
    assert_eq!(p.port.as_ref().unwrap().value, 25);
    assert!(p.port.as_ref().unwrap().is_default());
    assert_eq!(at(src, &p.port), "mail.example.net");
    let s = p.security.as_ref().unwrap();
    assert_eq!(s.value, Security::StartTls { required: false });
    assert!(s.is_default());
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::None);
    let bare = one("config.action_mailer.smtp_settings = { port: 2525 }\n");
    assert_eq!(bare.host.as_ref().unwrap().value, "localhost");
}

fn security(flags: &str) -> Option<Security> {
    let src = format!("config.action_mailer.smtp_settings = {{ address: 'h', {flags} }}\n");
    one(&src).security.map(|s| s.value)
}

#[test]
fn tls_flags_read_as_mail_reads_them() {
    let st = |required| Some(Security::StartTls { required });
    assert_eq!(security("ssl: true"), Some(Security::ImplicitTls));
    assert_eq!(
        security("tls: 'no'"),
        Some(Security::ImplicitTls),
        "a String is true"
    );
    assert_eq!(security("ssl: nil"), st(false));
    assert_eq!(security("enable_starttls: true"), st(true));
    assert_eq!(security("enable_starttls: :always"), st(true));
    assert_eq!(security("enable_starttls: :auto"), st(false));
    assert_eq!(
        security("enable_starttls: 'auto'"),
        st(true),
        "a String is not :auto"
    );
    assert_eq!(
        security("enable_starttls_auto: false"),
        Some(Security::None)
    );
    assert_eq!(security("enable_starttls: false"), Some(Security::None));
    assert_eq!(
        security("enable_starttls: false, enable_starttls_auto: true"),
        st(false)
    );
    assert_eq!(
        security("enable_starttls: true, enable_starttls_auto: false"),
        st(true)
    );
    assert_eq!(
        security("ssl: true, enable_starttls_auto: false"),
        Some(Security::ImplicitTls)
    );
    assert_eq!(security("ssl: some_method"), None, "unknown: not judged");
}

#[test]
fn implicit_tls_with_a_starttls_flag_raises() {
    let src = "config.action_mailer.smtp_settings = { ssl: true, enable_starttls_auto: true }\n";
    let e = ex(src);
    assert_eq!(codes(&e), ["conflicting-settings"]);
    let labels: Vec<&str> = e.findings[0]
        .labels
        .iter()
        .map(|l| &src[l.loc.span.clone()])
        .collect();
    assert_eq!(labels, ["true", "true"]);
    assert_eq!(
        e.findings[0].labels[0].loc.span.start,
        src.find("true").unwrap()
    );
    assert!(e.profiles[0].security.is_none());
}

#[test]
fn one_flag_from_the_environment_carries_both_outcomes() {
    let src = "config.action_mailer.smtp_settings = { address: 'h', ssl: ENV['SMTP_SSL'] }\n";
    let p = one(src);
    let r = &p.env_refs[0];
    assert_eq!(r.var, "SMTP_SSL");
    // Ruby: "false" is a String, so true.
    assert_eq!(
        r.apply("false"),
        Some(FieldValue::Security(Security::ImplicitTls))
    );
    let src = "config.action_mailer.smtp_settings = { ssl: ENV['SSL'] == 'true', enable_starttls_auto: true }\n";
    let r = &one(src).env_refs[0];
    assert!(matches!(r.applied("true"), Applied::Refused));
    assert_eq!(
        r.apply("false"),
        Some(FieldValue::Security(Security::StartTls { required: false }))
    );
}

#[test]
fn verify_modes() {
    let v = |mode: &str| {
        let src =
            format!("config.action_mailer.smtp_settings = {{ openssl_verify_mode: {mode} }}\n");
        let e = ex(&src);
        (
            e.profiles[0].tls_verify.as_ref().map(|v| v.value),
            codes(&e).join(","),
        )
    };
    assert_eq!(v("'none'"), (Some(false), String::new()));
    assert_eq!(v("\"NONE\""), (Some(false), String::new()));
    assert_eq!(v("OpenSSL::SSL::VERIFY_NONE"), (Some(false), String::new()));
    assert_eq!(v("OpenSSL::SSL::VERIFY_PEER"), (Some(true), String::new()));
    assert_eq!(v("'peer'"), (Some(true), String::new()));
    assert_eq!(v(":none"), (None, "invalid-value".into()));
    assert_eq!(v("'nothing'"), (None, "invalid-value".into()));
    let src = "config.action_mailer.smtp_settings = { openssl_verify_mode: ENV['MODE'] }\n";
    let r = &one(src).env_refs[0];
    assert_eq!(r.apply("None"), Some(FieldValue::TlsVerify(false)));
    assert!(matches!(r.applied("peer"), Applied::Keep));
}

#[test]
fn string_keys_are_never_read_unless_the_hash_is_indifferent() {
    let src =
        "config.action_mailer.smtp_settings = { \"address\" => 'smtp.gmail.com', 'port' => 587 }\n";
    let e = ex(src);
    assert_eq!(codes(&e), ["unknown-setting", "unknown-setting"]);
    let l = &e.findings[0].labels[0];
    assert_eq!(&src[l.loc.span.clone()], "\"address\"");
    assert_eq!(e.profiles[0].host.as_ref().unwrap().value, "localhost");
    let src = "config.action_mailer.smtp_settings = { \"address\" => 'smtp.gmail.com' }.with_indifferent_access\n";
    let e = ex(src);
    assert!(e.findings.is_empty());
    assert_eq!(at(src, &e.profiles[0].host), "smtp.gmail.com");
    // `"address": x` is a symbol key.
    let src = "config.action_mailer.smtp_settings = { \"address\": 'smtp.gmail.com' }\n";
    assert_eq!(at(src, &one(src).host), "smtp.gmail.com");
}

#[test]
fn misspelt_keys_are_reported_at_the_key() {
    let src = "config.action_mailer.smtp_settings = {\n  address: 'h',\n  :enable_startls_auto => false,\n  username: 'me'\n}\n";
    let e = ex(src);
    assert_eq!(codes(&e), ["unknown-setting", "unknown-setting"]);
    let spans: Vec<&str> = e
        .findings
        .iter()
        .map(|f| &src[f.labels[0].loc.span.clone()])
        .collect();
    assert_eq!(spans, [":enable_startls_auto", "username"]);
    assert!(e.findings[0].message.contains("enable_starttls_auto"));
    // Mail never read the flag: its default applies.
    assert_eq!(
        e.profiles[0].security.as_ref().unwrap().value,
        Security::StartTls { required: false }
    );
}

#[test]
fn a_misspelt_option_name_is_reported_at_the_name() {
    let src = "config.action_mailer.smtp_setting = { address: 'h' }\nconfig.action_mailer.delivery_methd = :smtp\nconfig.action_mailer.mailgun_settings = { api_key: 'k' }\nconfig.action_mailer.preview_path = 'x'\n";
    let e = ex(src);
    assert!(e.profiles.is_empty());
    assert_eq!(codes(&e), ["unknown-setting", "unknown-setting"]);
    let at: Vec<&str> = e
        .findings
        .iter()
        .map(|f| &src[f.labels[0].loc.span.clone()])
        .collect();
    assert_eq!(at, ["smtp_setting", "delivery_methd"]);
    assert!(e.findings[0].message.contains("NoMethodError"));
    // A String key that is also misspelt.
    let src = "ActionMailer::Base.smtp_settings = { \"adress\" => 'h' }\n";
    assert_eq!(codes(&ex(src)), ["unknown-setting"]);
}

#[test]
fn env_reads_and_conversions() {
    let src = r#"config.action_mailer.smtp_settings = {
  address: ENV.fetch("SMTP_HOST", "localhost"),
  port: Integer(ENV.fetch("SMTP_PORT") { 587 }),
  user_name: ENV["SMTP_USER"],
  password: ENV["SMTP_PASSWORD"],
}
"#;
    let p = one(src);
    let vars: Vec<&str> = p.env_refs.iter().map(|r| r.var.as_str()).collect();
    assert_eq!(
        vars,
        ["SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD"]
    );
    let port = &p.env_refs[1];
    assert_eq!(port.default.as_ref().unwrap().0, "587");
    assert_eq!(port.apply("2525"), Some(FieldValue::Port(2525)));
    assert_eq!(p.auth.as_ref().unwrap().value, AuthMethod::Password);
    let to_i = one("config.action_mailer.smtp_settings = { port: ENV['P'].to_i }\n");
    assert_eq!(
        to_i.env_refs[0].apply("465abc"),
        Some(FieldValue::Port(465))
    );
}

#[test]
fn logins_as_net_smtp_does_them() {
    let half = ex("config.action_mailer.smtp_settings = { user_name: 'me@example.com', authentication: :login }\n");
    assert_eq!(codes(&half), ["conflicting-settings"]);
    let bad = ex("config.action_mailer.smtp_settings = { user_name: 'u', password: 'p', authentication: :oauth }\n");
    assert_eq!(codes(&bad), ["invalid-value"]);
    let cram = one("config.action_mailer.smtp_settings = { user_name: 'u', password: 'p', authentication: 'cram_md5' }\n");
    assert_eq!(cram.auth.unwrap().value, AuthMethod::EncryptedPassword);
    let plain = "config.action_mailer.smtp_settings = { user_name: 'u', password: 'pw-in-file' }\n";
    let p = one(plain);
    assert_eq!(at(plain, &p.password), "pw-in-file");
    assert!(p.auth.unwrap().is_default(), "Net::SMTP's :plain");
}

#[test]
fn delivery_methods_other_than_smtp_have_no_profile() {
    for m in [":sendmail", ":test", "'file'", ":letter_opener"] {
        let src = format!("config.action_mailer.delivery_method = {m}\nconfig.action_mailer.smtp_settings = {{ address: 'h' }}\n");
        assert!(ex(&src).profiles.is_empty(), "{m}");
    }
    let env = "config.action_mailer.delivery_method = ENV.fetch('MAILER', 'smtp').to_sym\nconfig.action_mailer.smtp_settings = { address: 'h' }\n";
    assert_eq!(ex(env).profiles.len(), 1);
}

#[test]
fn elements_merges_and_names_join_the_settings() {
    let src = r#"SMTP = { address: "smtp.example.com" }.freeze
ActionMailer::Base.smtp_settings = SMTP.merge(port: 465)
ActionMailer::Base.smtp_settings[:ssl] = true
ActionMailer::Base.smtp_settings.merge!(user_name: "u@example.com", password: ENV["P"])
"#;
    let p = one(src);
    assert_eq!(at(src, &p.host), "smtp.example.com");
    assert_eq!(at(src, &p.port), "465");
    assert_eq!(p.security.as_ref().unwrap().value, Security::ImplicitTls);
    assert_eq!(at(src, &p.username), "u@example.com");
    // Settings from YAML or credentials are not read.
    assert!(
        ex("config.action_mailer.smtp_settings = config_for(:smtp)\n")
            .profiles
            .is_empty()
    );
}

#[test]
fn stock_templates_and_comments_are_silent() {
    let src = "Rails.application.configure do\n  config.action_mailer.raise_delivery_errors = false\n  # config.action_mailer.smtp_settings = {\n  #   address: \"smtp.example.com\",\n  #   port: 587\n  # }\n  config.action_mailer.default_url_options = { host: \"example.com\" }\nend\n";
    let e = ex(src);
    assert!(e.profiles.is_empty() && e.findings.is_empty());
}

#[test]
fn garbage_never_panics() {
    let alphabet = b"{}[]():=>,'\"#ENV.fetch smtp_settings address port ssl true nil \n\\%w|&";
    inputs(0x5eed_0b1e, alphabet, &[GMAIL], |s| {
        check_spans(s, &extract(F, s));
    });
}

#[test]
fn hostile_ruby_finishes_quickly() {
    let settings = "config.action_mailer.smtp_settings = { address: x }\n";
    let nested = format!(
        "{}{settings}{}",
        "begin\n".repeat(5_000),
        "end\n".repeat(5_000)
    );
    let heredocs = format!("{}{settings}", "x = <<~A\n".repeat(5_000));
    let chain: String = (1..5_000)
        .map(|i| format!("x{i} = x{} || x{}\n", i - 1, i - 1))
        .collect::<String>()
        + "config.action_mailer.smtp_settings = { address: x4999 }\n";
    let interpolated = format!(
        "x = {}{}\n{settings}",
        "\"#{".repeat(300),
        "}\"".repeat(300)
    );
    for src in [nested, heredocs, chain, interpolated] {
        finishes_quickly(&src, ex);
    }
}
