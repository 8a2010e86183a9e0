//! Clustering invariants (proptest) and golden first-divergence cases.

use proptest::prelude::*;
use temper::analysis::{Mode, Observed, Options, TokenCount, analyze};

fn observed(texts: &[Option<String>]) -> Vec<Observed<'_>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Observed {
            idx: i as u32,
            output: t.as_deref(),
        })
        .collect()
}

/// Outputs drawn from a small alphabet so clusters of equal samples are common.
fn outputs() -> impl Strategy<Value = Vec<Option<String>>> {
    prop::collection::vec(prop::option::weighted(0.9, "[ab ]{0,6}"), 1..40)
}

proptest! {
    #[test]
    fn clusters_partition_the_successful_samples(texts in outputs(), mode in prop::sample::select(vec![Mode::Exact, Mode::Whitespace, Mode::Json])) {
        let a = analyze(&observed(&texts), Options::mode(mode));
        let mut members: Vec<u32> = a.clusters.iter().flat_map(|c| c.members.clone()).collect();
        members.sort_unstable();
        let ok: Vec<u32> = texts.iter().enumerate().filter(|(_, t)| t.is_some()).map(|(i, _)| i as u32).collect();
        prop_assert_eq!(members, ok);
        prop_assert_eq!(a.ok + a.failed, a.n);
        prop_assert_eq!(a.distinct, a.clusters.len());
        // Largest first.
        prop_assert!(a.clusters.windows(2).all(|w| w[0].size() >= w[1].size()));
        match a.stability {
            Some(s) => prop_assert!(s > 0.0 && s <= 1.0, "stability {}", s),
            None => prop_assert_eq!(a.ok, 0),
        }
        prop_assert!(a.entropy_bits >= 0.0 && a.entropy_bits <= (a.ok.max(1) as f64).log2() + 1e-9);
        if let Some(sim) = a.similarity {
            prop_assert!((0.0..=1.0 + 1e-9).contains(&sim));
        }
        // Equal clusters never hold different texts, and distinct clusters never hold equal ones.
        prop_assert_eq!(a.divergence.is_some(), a.distinct > 1);
    }

    #[test]
    fn json_mode_equates_reordered_keys_and_formatting(
        entries in prop::collection::btree_map("[a-z]{1,5}", 0i64..1000, 1..8),
        seed in any::<u64>(),
    ) {
        let forward: Vec<String> = entries.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
        let mut shuffled = forward.clone();
        let len = shuffled.len();
        shuffled.rotate_left((seed as usize) % len);
        let a = format!("{{{}}}", forward.join(", "));
        let b = format!("{{\n  {}\n}}", shuffled.join(",\n  "));
        let texts = vec![Some(a), Some(b)];
        let json = analyze(&observed(&texts), Options::mode(Mode::Json));
        prop_assert_eq!(json.distinct, 1);
        prop_assert_eq!(json.stability, Some(1.0));
        prop_assert!(json.notes.is_empty());
    }

    #[test]
    fn whitespace_mode_never_splits_what_exact_mode_joins(texts in outputs()) {
        let exact = analyze(&observed(&texts), Options::mode(Mode::Exact));
        let ws = analyze(&observed(&texts), Options::mode(Mode::Whitespace));
        prop_assert!(ws.distinct <= exact.distinct);
        prop_assert!(ws.stability >= exact.stability);
    }
}

fn ok(texts: &[&str]) -> Vec<Option<String>> {
    texts.iter().map(|t| Some(t.to_string())).collect()
}

#[test]
fn golden_divergence_points() {
    struct Case {
        outputs: &'static [&'static str],
        char_offset: usize,
        modal: &'static str,
        other: &'static str,
        other_sample: u32,
    }
    let cases = [
        // Earliest of several diverging samples wins, not the first sample.
        Case {
            outputs: &[
                "The refund window is 30 days.",
                "The refund window is 30 days.",
                "The refund window is 14 days.",
                "The refund period is 30 days.",
            ],
            char_offset: 11,
            modal: "window is 30 days.",
            other: "period is 30 days.",
            other_sample: 3,
        },
        // A truncated sample diverges where it stops; its continuation is empty.
        Case {
            outputs: &["abc def", "abc def", "abc"],
            char_offset: 3,
            modal: " def",
            other: "",
            other_sample: 2,
        },
        // Offsets count characters, not bytes.
        Case {
            outputs: &["café crème", "café crème", "café creme"],
            char_offset: 7,
            modal: "crème",
            other: "creme",
            other_sample: 2,
        },
        // Excerpts start at the word the point falls in: `30 days` vs `33 days`.
        Case {
            outputs: &["within 30 days", "within 30 days", "within 33 days"],
            char_offset: 8,
            modal: "30 days",
            other: "33 days",
            other_sample: 2,
        },
        // Divergence at the very first character.
        Case {
            outputs: &["yes", "no", "yes"],
            char_offset: 0,
            modal: "yes",
            other: "no",
            other_sample: 1,
        },
    ];
    for c in cases {
        let texts = ok(c.outputs);
        let a = analyze(&observed(&texts), Options::mode(Mode::Exact));
        let d = a
            .divergence
            .unwrap_or_else(|| panic!("{:?} should diverge", c.outputs));
        assert_eq!(d.char_offset, c.char_offset, "{:?}", c.outputs);
        assert_eq!(d.modal_continuation, c.modal, "{:?}", c.outputs);
        assert_eq!(d.other_continuation, c.other, "{:?}", c.outputs);
        assert_eq!(d.other_sample, c.other_sample, "{:?}", c.outputs);
        assert_eq!(d.modal_sample, 0);
    }
    let same = ok(&["x", "x"]);
    assert!(
        analyze(&observed(&same), Options::mode(Mode::Exact))
            .divergence
            .is_none()
    );
}

#[test]
fn whitespace_and_json_modes_ignore_what_they_normalise() {
    let texts = ok(&["a  b\n c", "a b c ", "a b d"]);
    let a = analyze(&observed(&texts), Options::mode(Mode::Whitespace));
    assert_eq!(a.distinct, 2);
    let d = a.divergence.unwrap();
    assert_eq!(
        (
            d.char_offset,
            d.modal_continuation.as_str(),
            d.other_continuation.as_str()
        ),
        (4, "c", "d")
    );

    let texts = ok(&[
        "{\"b\":1,\"a\":2}",
        "{\"a\":2,\"b\":1}",
        "{\"a\":3,\"b\":1}",
        "oops",
    ]);
    let a = analyze(&observed(&texts), Options::mode(Mode::Json));
    assert_eq!(a.distinct, 3);
    assert_eq!(
        a.notes,
        ["1 of 4 samples is not JSON; it was compared as exact text"]
    );
    let d = a.divergence.unwrap();
    assert_eq!(d.other_sample, 3, "the non-JSON sample parts at char 0");
    assert_eq!(a.json_fields[0].path, "$.a");
    assert_eq!((a.json_fields[0].varies, a.json_fields[0].of), (1, 3));
}

/// Counts whitespace-separated words, standing in for the tokenizer hook.
struct Words;
impl TokenCount for Words {
    fn count_tokens(&self, text: &str) -> usize {
        text.split_whitespace().count()
    }
}

#[test]
fn token_offset_comes_from_the_hook() {
    let texts = ok(&[
        "one two three four",
        "one two three four",
        "one two tree four",
    ]);
    let without = analyze(&observed(&texts), Options::mode(Mode::Exact));
    assert_eq!(without.divergence.unwrap().token_offset, None);
    let with = analyze(
        &observed(&texts),
        Options {
            mode: Mode::Exact,
            tokens: Some(&Words),
        },
    );
    // "one two t" is shared: a token cut by the divergence point counts.
    assert_eq!(with.divergence.unwrap().token_offset, Some(3));
}

#[test]
fn failed_samples_are_counted_not_clustered() {
    let texts = vec![None, Some("a".to_string()), None];
    let a = analyze(&observed(&texts), Options::mode(Mode::Exact));
    assert_eq!((a.n, a.ok, a.failed, a.distinct), (3, 1, 2, 1));
    assert_eq!(a.stability, Some(1.0));
    let none = analyze(&observed(&[None]), Options::mode(Mode::Exact));
    assert_eq!(
        (none.stability, none.similarity, none.distinct),
        (None, None, 0)
    );
}
