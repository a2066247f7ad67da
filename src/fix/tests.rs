use super::*;
use crate::finding::{Label, Severity};
use crate::source::Loc;

fn finding(code: &str, at: Range<usize>, fix: Option<Fix>) -> Finding {
    let mut f = Finding::new(
        code,
        Severity::Error,
        "m",
        Label::bare(Loc::new(FileId(0), at)),
    );
    f.fix = fix;
    f
}

fn fix(app: Applicability, at: Range<usize>, to: &str) -> Fix {
    Fix::replace(app, "m", Loc::new(FileId(0), at), to)
}

#[test]
fn overlapping_fixes_first_one_wins_and_secrets_are_never_edited() {
    let text = "port = 587\nsecure = true\npassword = hunter22\n";
    let fs = vec![
        finding("a", 7..10, Some(fix(Applicability::Safe, 7..10, "465"))),
        // Overlaps the first: left for the next round.
        finding("b", 8..9, Some(fix(Applicability::Safe, 8..9, "x"))),
        // Unsafe: only with unsafe fixes.
        finding(
            "c",
            20..24,
            Some(fix(Applicability::Unsafe, 20..24, "false")),
        ),
        // Inside the secret.
        finding("d", 36..44, Some(fix(Applicability::Safe, 36..44, "nope"))),
        // Changes nothing.
        finding("e", 0..4, Some(fix(Applicability::Safe, 0..4, "port"))),
        // Out of range.
        finding("f", 90..95, Some(fix(Applicability::Safe, 90..95, "x"))),
    ];
    let secrets: Vec<Range<usize>> = std::iter::once(36..44).collect();
    let safe = select(&fs, false, |_| Some((text, secrets.clone())));
    assert_eq!(safe.len(), 1);
    let all = select(&fs, true, |_| Some((text, secrets.clone())));
    assert_eq!(all.len(), 2);
    let edits: Vec<&Edit> = all.iter().flat_map(|f| &f.edits).collect();
    assert_eq!(
        apply(text, &edits),
        "port = 465\nsecure = false\npassword = hunter22\n"
    );
}

#[test]
fn the_loop_stops_when_fixes_go_round_in_a_circle() {
    // A check that always asks to flip the word: the loop must stop, not run forever.
    let key = PathBuf::from("mem");
    let mut texts = Texts::new();
    texts.insert(key.clone(), "a".into());
    let mut rounds = 0;
    let run = run(
        |t| {
            rounds += 1;
            let mut o = Outcome::default();
            let text = t.get(&key).unwrap().clone();
            o.sources
                .add(crate::source::SourceFile::new("mem", text.clone()));
            let to = if text == "a" { "b" } else { "a" };
            o.findings
                .push(finding("x", 0..1, Some(fix(Applicability::Safe, 0..1, to))));
            o
        },
        texts,
        false,
    );
    assert!(rounds <= MAX_ROUNDS + 1, "{rounds}");
    assert_eq!(run.changes.len(), 1);
    assert_eq!(run.changes[0].fixed, "b");
}

#[test]
fn a_round_that_would_send_the_password_in_clear_is_not_applied() {
    let key = PathBuf::from("mem");
    let mut texts = Texts::new();
    texts.insert(key.clone(), "ssl".into());
    let run = run(
        |t| {
            let mut o = Outcome::default();
            let text = t.get(&key).unwrap().clone();
            o.sources
                .add(crate::source::SourceFile::new("mem", text.clone()));
            if text == "ssl" {
                // The fix on offer turns TLS off.
                o.findings.push(finding(
                    "tls-mode-mismatch",
                    0..3,
                    Some(fix(Applicability::Safe, 0..3, "off")),
                ));
            } else {
                o.findings
                    .push(finding(crate::codes::INSECURE_TRANSPORT, 0..3, None));
            }
            o
        },
        texts,
        false,
    );
    assert!(run.changes.is_empty());
    assert_eq!(run.applied, 0);
}
