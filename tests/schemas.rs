//! The published JSON Schemas agree with the code that reads the same files:
//!
//! - docs/schema/provider.schema.json accepts every shipped and fixture provider file, and a
//!   broken provider file is refused by the schema and by `providers::parse` alike;
//! - docs/schema/config.schema.json has exactly the keys of `config::ConfigFile`, its lists of
//!   codes, formats, output formats and severities are those of the code, and the complete
//!   example of docs/configuration.md (kept as fixtures/settings/example.smtp-doctor.toml)
//!   validates, loads and is accepted by the binary; a broken settings file is refused by the
//!   schema and by the binary alike.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use clap::ValueEnum;
use serde_json::Value;

use smtp_doctor::providers::{self, RuleOrigin};

const PROVIDER_SCHEMA: &str = "docs/schema/provider.schema.json";
const CONFIG_SCHEMA: &str = "docs/schema/config.schema.json";
const EXAMPLE_SETTINGS: &str = "fixtures/settings/example.smtp-doctor.toml";
const CONFIGURATION_DOC: &str = "docs/configuration.md";
/// The provider file the mutations start from (a complete file using most keys).
const RELAY_RULES: &str = "fixtures/custom-relay/rules/acme-relay.yaml";

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn validator(path: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(path))
        .unwrap_or_else(|e| panic!("{path} is not a valid JSON Schema: {e}"))
}

/// Schema errors for `instance`, one line each (empty when it validates).
fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{e} (at `{}`)", e.instance_path()))
        .collect()
}

fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML")
}

fn toml_to_json(text: &str) -> Value {
    toml_edit::de::from_str::<Value>(text).expect("TOML")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        // Symptoms files have their own schema (tests/triage.rs).
        .filter(|p| !smtp_doctor::triage::symptoms::is_symptoms_file(p))
        .collect();
    out.sort();
    out
}

/// Every folder named `rules` (or ending in `-rules`) under `dir`.
fn fixture_rule_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "rules" || n.to_string_lossy().ends_with("-rules"))
            {
                out.push(p.clone());
            }
            fixture_rule_dirs(&p, out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Provider rules

#[test]
fn every_provider_file_validates_against_the_provider_schema() {
    let v = validator(PROVIDER_SCHEMA);
    let mut files = yaml_files(Path::new("rules"));
    files.extend(yaml_files(Path::new("rules/ispdb")));
    let builtin = files.len();
    let mut dirs = Vec::new();
    fixture_rule_dirs(Path::new("fixtures"), &mut dirs);
    for d in &dirs {
        files.extend(yaml_files(d));
    }
    assert!(builtin >= 4, "rules/ has only {builtin} files");
    assert!(
        files.len() > builtin,
        "no provider files found under fixtures/**/rules"
    );
    let mut failures = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = read(path);
        let errs = errors(&v, &yaml_to_json(&text));
        if !errs.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), errs.join("\n  ")));
        }
        // The loader accepts them too (otherwise the check above proves little).
        let origin = if i < builtin {
            RuleOrigin::Builtin
        } else {
            RuleOrigin::User(path.clone())
        };
        if let Err(e) = providers::parse(path.clone(), &text, origin) {
            failures.push(format!(
                "{}: refused by the loader: {}",
                path.display(),
                e.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "provider files that do not validate against {PROVIDER_SCHEMA}:\n{}",
        failures.join("\n")
    );
}

#[test]
fn schema_and_loader_both_refuse_broken_provider_files() {
    let v = validator(PROVIDER_SCHEMA);
    let good = read(RELAY_RULES);
    assert!(
        errors(&v, &yaml_to_json(&good)).is_empty()
            && providers::parse(RELAY_RULES.into(), &good, RuleOrigin::Builtin).is_ok(),
        "{RELAY_RULES} must be valid for this test to mean anything"
    );
    // (what is wrong, text to replace, replacement)
    let mutations: &[(&str, &str, &str)] = &[
        (
            "unknown top-level key",
            "name: ACME mail relay\n",
            "name: ACME mail relay\ncolour: blue\n",
        ),
        (
            "unknown key in `recognise`",
            "recognise:\n",
            "recognise:\n  hosts: [relay.acme.example]\n",
        ),
        (
            "unknown key in a `submission` entry",
            "{ port: 587, tls: starttls, source: wiki }",
            "{ port: 587, tls: starttls, secure: true, source: wiki }",
        ),
        ("unknown TLS mode", "tls: starttls", "tls: startls"),
        ("unknown username form", "username: any", "username: email"),
        ("unknown password kind", "kind: api-key", "kind: apikey"),
        (
            "unknown From policy",
            "policy: own-addresses",
            "policy: own-address",
        ),
        (
            "unknown severity",
            "custom-domain: error",
            "custom-domain: fatal",
        ),
        ("port out of range", "port: 587,", "port: 70000,"),
        ("wrong type", "required: true", "required: [yes]"),
        ("missing required key", "name: ACME mail relay\n", ""),
    ];
    let mut failures = Vec::new();
    for (what, from, to) in mutations {
        assert!(good.contains(from), "{what}: `{from}` not in {RELAY_RULES}");
        let text = good.replacen(from, to, 1);
        let schema_errors = match serde_saphyr::from_str::<Value>(&text) {
            Ok(json) => errors(&v, &json),
            Err(e) => panic!("{what}: the mutation is not YAML: {e}"),
        };
        let loader = providers::parse(PathBuf::from("relay.yaml"), &text, RuleOrigin::Builtin);
        if schema_errors.is_empty() {
            failures.push(format!("{what}: the schema accepts it"));
        }
        if loader.is_ok() {
            failures.push(format!("{what}: the loader accepts it"));
        }
    }
    assert!(
        failures.is_empty(),
        "schema and loader disagree:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Settings file

fn string_set(v: &Value, what: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not an array in {CONFIG_SCHEMA}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

#[test]
fn config_schema_has_exactly_the_keys_of_the_settings_file() {
    let schema = schema(CONFIG_SCHEMA);
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
    let in_schema: BTreeSet<String> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    let in_code: BTreeSet<String> =
        serde_json::to_value(smtp_doctor::config::ConfigFile::default())
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
    assert_eq!(
        in_schema, in_code,
        "{CONFIG_SCHEMA} is stale: its top-level properties must be the fields of ConfigFile \
         (src/config/mod.rs); update the schema and docs/configuration.md"
    );
}

#[test]
fn config_schema_value_lists_match_the_code() {
    let schema = schema(CONFIG_SCHEMA);
    let defs = &schema["definitions"];

    let in_order: Vec<&str> = smtp_doctor::codes::CODES.iter().map(|c| c.code).collect();
    let codes: BTreeSet<String> = in_order.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(
        string_set(&defs["code"]["enum"], "definitions.code.enum"),
        codes,
        "rule codes in {CONFIG_SCHEMA} differ from src/codes.rs; set definitions.code.enum to\n{}",
        serde_json::to_string(&in_order).unwrap()
    );

    let formats: BTreeSet<String> = smtp_doctor::extract::Format::all()
        .map(|f| f.name().to_owned())
        .collect();
    assert_eq!(
        string_set(&defs["format"]["enum"], "definitions.format.enum"),
        formats,
        "format names in {CONFIG_SCHEMA} differ from src/extract/mod.rs"
    );

    let output: BTreeSet<String> = smtp_doctor::report::OutputFormat::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|p| p.get_name().to_owned())
        .collect();
    assert_eq!(
        string_set(
            &schema["properties"]["output-format"]["enum"],
            "output-format.enum"
        ),
        output,
        "output formats in {CONFIG_SCHEMA} differ from src/report/mod.rs"
    );

    let fail_on: BTreeSet<String> = smtp_doctor::cli::FailOn::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|p| p.get_name().to_owned())
        .collect();
    assert_eq!(
        string_set(&schema["properties"]["fail-on"]["enum"], "fail-on.enum"),
        fail_on,
        "fail-on values in {CONFIG_SCHEMA} differ from src/cli/mod.rs"
    );

    use smtp_doctor::config::SeverityOverride as S;
    let severities: BTreeSet<String> = [S::Error, S::Warning, S::Info, S::Off]
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        string_set(&defs["severity"]["enum"], "definitions.severity.enum"),
        severities,
        "severity values in {CONFIG_SCHEMA} differ from SeverityOverride (src/config/mod.rs)"
    );
}

#[test]
fn example_settings_file_validates_loads_and_is_the_one_documented() {
    let text = read(EXAMPLE_SETTINGS);
    let json = toml_to_json(&text);
    let errs = errors(&validator(CONFIG_SCHEMA), &json);
    assert!(
        errs.is_empty(),
        "{EXAMPLE_SETTINGS} does not validate against {CONFIG_SCHEMA}:\n{}",
        errs.join("\n")
    );
    // "Complete": it uses every key of the schema.
    let schema = schema(CONFIG_SCHEMA);
    for key in schema["properties"].as_object().unwrap().keys() {
        assert!(
            json.get(key).is_some(),
            "{EXAMPLE_SETTINGS} does not show `{key}`"
        );
    }
    // The example is also a fixture, read as TOML by the other tests. A string under a key that
    // looks like a secret (`plaintext-secret = "error"` in [severity]) would be masked as a
    // password, and tests/cli.rs would then find that "secret" ("error") in every output.
    let extracted = smtp_doctor::extract::extract(
        smtp_doctor::extract::Format::from_name("toml").unwrap(),
        smtp_doctor::source::FileId(0),
        &text,
    );
    assert!(
        extracted.secrets.is_empty() && extracted.profiles.is_empty(),
        "{EXAMPLE_SETTINGS} must not look like SMTP settings or hold secret-like keys with \
         string values: {:?}",
        extracted
            .secrets
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>()
    );
    let config = smtp_doctor::config::Config::load(Path::new(EXAMPLE_SETTINGS))
        .unwrap_or_else(|e| panic!("{EXAMPLE_SETTINGS}: {}", e.message));
    assert_eq!(config.file.output_format.as_deref(), Some("concise"));
    assert!(!config.file.severity.is_empty() && !config.file.per_file_ignores.is_empty());
    // The page shows this very file.
    assert!(
        read(CONFIGURATION_DOC).contains(&text),
        "{CONFIGURATION_DOC} must contain {EXAMPLE_SETTINGS} verbatim (in its complete example); \
         change both together"
    );
}

fn smtp_doctor_cmd() -> Command {
    let mut c = Command::cargo_bin("smtp-doctor").unwrap();
    c.env_remove("CLICOLOR_FORCE").env("NO_COLOR", "1");
    c
}

/// A project folder with `settings` as its .smtp-doctor.toml and the rules folder the example
/// names; returns `smtp-doctor check --show-settings DIR`'s (exit code, stdout, stderr).
fn show_settings(settings: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".smtp-doctor.toml"), settings).unwrap();
    std::fs::create_dir(dir.path().join("mail-rules")).unwrap();
    std::fs::copy(RELAY_RULES, dir.path().join("mail-rules/acme-relay.yaml")).unwrap();
    let o = smtp_doctor_cmd()
        .args(["check", "--show-settings"])
        .arg(dir.path())
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn example_settings_file_is_accepted_by_the_binary() {
    let (code, out, err) = show_settings(&read(EXAMPLE_SETTINGS));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("output-format = \"concise\"")
            && out.contains("fail-on = \"warning\"")
            && out.contains("\"acme-relay\""),
        "{out}"
    );
}

#[test]
fn schema_and_binary_both_refuse_broken_settings_files() {
    let v = validator(CONFIG_SCHEMA);
    let good = read(EXAMPLE_SETTINGS);
    let mutations: &[(&str, &str, &str)] = &[
        (
            "unknown key",
            "fail-on = \"warning\"\n",
            "fail-on = \"warning\"\ncolour = \"never\"\n",
        ),
        ("snake_case key", "rule-dirs =", "rule_dirs ="),
        (
            "unknown output format",
            "output-format = \"concise\"",
            "output-format = \"text\"",
        ),
        (
            "unknown fail-on",
            "fail-on = \"warning\"",
            "fail-on = \"warn\"",
        ),
        (
            "unknown severity",
            "insecure-transport = \"error\"",
            "insecure-transport = \"fatal\"",
        ),
        (
            "severity for an unknown code",
            "insecure-transport = \"error\"",
            "insecure-transports = \"error\"",
        ),
        (
            "unknown format",
            "\"deploy/mail.conf\" = \"toml\"",
            "\"deploy/mail.conf\" = \"ini\"",
        ),
        (
            "a string where a list belongs",
            "ignore = [\"microsoft365\"]",
            "ignore = \"microsoft365\"",
        ),
    ];
    let mut failures = Vec::new();
    for (what, from, to) in mutations {
        assert!(
            good.contains(from),
            "{what}: `{from}` not in {EXAMPLE_SETTINGS}"
        );
        let text = good.replacen(from, to, 1);
        if errors(&v, &toml_to_json(&text)).is_empty() {
            failures.push(format!("{what}: the schema accepts it"));
        }
        let (code, _, err) = show_settings(&text);
        if code != Some(2) {
            failures.push(format!(
                "{what}: smtp-doctor exits with {code:?}, not 2 ({})",
                err.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "schema and smtp-doctor disagree:\n{}",
        failures.join("\n")
    );
}

/// The rule index lists every code, static and probe.
#[test]
fn rule_index_lists_every_code() {
    let index = std::fs::read_to_string("docs/rules/index.md").unwrap();
    let missing: Vec<&str> = smtp_doctor::codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| !index.contains(&format!("[{c}]({c}.md)")))
        .collect();
    assert!(missing.is_empty(), "docs/rules/index.md lacks {missing:?}");
}
