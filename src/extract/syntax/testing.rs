//! What the code readers' tests share: checks that every span of an extraction lies inside the
//! text, small accessors, and a deterministic fuzzer (random bytes drawn mostly from an
//! alphabet, slices of fixtures, and fixtures with a few bytes replaced; each input is handed to
//! `run`, which must not panic).

use std::ops::Range;

use crate::extract::Extraction;
use crate::model::{Profile, Value};

/// Every span of an extraction is inside `src` and on character boundaries.
pub fn check_spans(src: &str, e: &Extraction) {
    let ok = |r: &Range<usize>| {
        assert!(
            r.start <= r.end && r.end <= src.len(),
            "span {r:?} outside {}",
            src.len()
        );
        assert!(src.is_char_boundary(r.start) && src.is_char_boundary(r.end));
    };
    e.secrets.iter().for_each(ok);
    for f in &e.findings {
        f.labels.iter().for_each(|l| ok(&l.loc.span));
    }
    for p in &e.profiles {
        ok(&p.anchor.span);
        p.field_locs().iter().for_each(|l| ok(&l.span));
        for r in &p.env_refs {
            ok(&r.reference.span);
            if let Some((_, d)) = &r.default {
                ok(&d.span);
            }
        }
    }
}

/// The one profile of an extraction.
pub fn only(e: Extraction) -> Profile {
    assert_eq!(e.profiles.len(), 1, "{:#?}", e.profiles);
    e.profiles.into_iter().next().unwrap()
}

/// The text a value's span covers.
pub fn at<'a, T>(src: &'a str, v: &Option<Value<T>>) -> &'a str {
    &src[v.as_ref().expect("value").loc.span.clone()]
}

/// The text of every profile's From addresses, profile by profile.
pub fn froms<'a>(src: &'a str, e: &Extraction) -> Vec<Vec<&'a str>> {
    let text = |p: &Profile| p.from.iter().map(|f| &src[f.loc.span.clone()]).collect();
    e.profiles.iter().map(text).collect()
}

/// The text of each span.
pub fn texts(src: &str, spans: &[Range<usize>]) -> Vec<String> {
    spans.iter().map(|s| src[s.clone()].to_owned()).collect()
}

/// The finding codes of an extraction, in order.
pub fn codes(e: &Extraction) -> Vec<&str> {
    e.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Extracts `src` and fails if that takes five seconds or more.
pub fn finishes_quickly(src: &str, extract: impl Fn(&str) -> Extraction) {
    let t = std::time::Instant::now();
    let _ = extract(src);
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
}

/// xorshift64: the same inputs on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// 800 rounds of three inputs each.
pub fn inputs(seed: u64, alphabet: &[u8], fixtures: &[&str], mut run: impl FnMut(&str)) {
    let mut rng = Rng(seed);
    for _ in 0..800 {
        let n = rng.below(60);
        let bytes: Vec<u8> = (0..n)
            .map(|_| {
                if rng.below(4) == 0 {
                    rng.next_u64() as u8
                } else {
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect();
        run(&String::from_utf8_lossy(&bytes));

        let fx = fixtures[rng.below(fixtures.len())];
        let mut a = rng.below(fx.len());
        let mut b = a + rng.below(fx.len() - a + 1);
        while !fx.is_char_boundary(a) {
            a -= 1;
        }
        while !fx.is_char_boundary(b) {
            b -= 1;
        }
        run(&fx[a..b.max(a)]);

        let mut m = fx.as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(m.len());
            m[i] = alphabet[rng.below(alphabet.len())];
        }
        run(&String::from_utf8_lossy(&m));
    }
}
