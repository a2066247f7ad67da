//! docs/schema/client.schema.json agrees with the loader of client definitions
//! (`extract::clients::defined`): every shipped `clients/*.yaml` validates against it, its
//! lists of fields, syntaxes, TLS words, auth words and combiners are the loader's, and a broken
//! definition is refused by the schema and by the loader alike.

use std::path::Path;

use serde_json::Value;
use smtp_doctor::extract::clients::defined;

const SCHEMA: &str = "docs/schema/client.schema.json";

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref()).unwrap()
}

fn schema() -> Value {
    serde_json::from_str(&read(SCHEMA)).expect("JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("a valid JSON Schema")
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML")
}

fn definitions() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir("clients")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| (p.display().to_string(), read(&p)))
        .collect();
    out.sort();
    out
}

#[test]
fn every_shipped_definition_validates_and_loads() {
    let v = validator();
    let defs = definitions();
    assert!(defs.len() >= 4);
    for (path, text) in defs {
        let errs: Vec<String> = v.iter_errors(&yaml(&text)).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{path}: {errs:?}");
        defined::parse_yaml(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    }
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

#[test]
fn the_schema_lists_what_the_loader_accepts() {
    let s = schema();
    let fields: Vec<&str> = defined::FIELDS.iter().map(|(n, _)| *n).collect();
    assert_eq!(strings(&s["$defs"]["field"]["enum"]), sorted(&fields));
    assert_eq!(
        strings(&s["properties"]["syntax"]["enum"]),
        sorted(defined::SYNTAXES)
    );
    let words = &s["properties"]["words"]["properties"];
    let sec = &words["security"]["properties"]["map"]["additionalProperties"]["enum"];
    assert_eq!(strings(sec), sorted(defined::SECURITY_WORDS));
    let auth = &words["auth"]["properties"]["map"]["additionalProperties"]["enum"];
    assert_eq!(strings(auth), sorted(defined::AUTH_WORDS));
    assert_eq!(
        strings(&s["properties"]["combine"]["items"]["enum"]),
        sorted(defined::COMBINERS)
    );
    assert_eq!(
        strings(&s["properties"]["env"]["properties"]["names"]["enum"]),
        sorted(defined::ENV_NAMES)
    );
}

#[test]
fn schema_and_loader_both_refuse_broken_definitions() {
    let v = validator();
    let good = read("clients/gitea.yaml");
    let mutations: &[(&str, &str, &str)] = &[
        (
            "unknown top-level key",
            "name: Gitea\n",
            "name: Gitea\ncolour: blue\n",
        ),
        ("unknown field", "field: host,", "field: hostname,"),
        ("unknown syntax", "syntax: go-ini", "syntax: toml"),
        ("unknown TLS word", "smtps: implicit", "smtps: ssl"),
        ("unknown severity", "severity: error", "severity: fatal"),
        (
            "unknown subsections",
            "sections: [mailer]",
            "sections: [mailer]\n  subsections: some",
        ),
        (
            "source not a URL",
            "mailer-go: https://",
            "mailer-go: http://",
        ),
        (
            "unknown key in a key",
            "{ field: port, source: mailer-go }",
            "{ field: port, source: mailer-go, secure: true }",
        ),
        (
            "bad condition",
            "when: { security: none }",
            "when: { protocol: none }",
        ),
        ("unknown env names", "names: section-key", "names: dotted"),
        (
            "missing booleans source",
            "  unknown: \"false\"\n  source: go-ini\n",
            "  unknown: \"false\"\n",
        ),
    ];
    let mut failures = Vec::new();
    for (what, from, to) in mutations {
        assert!(
            good.contains(from),
            "{what}: `{from}` not in clients/gitea.yaml"
        );
        let text = good.replacen(from, to, 1);
        if v.iter_errors(&yaml(&text)).next().is_none() {
            failures.push(format!("{what}: the schema accepts it"));
        }
        if defined::parse_yaml(&text).is_ok() {
            failures.push(format!("{what}: the loader accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
