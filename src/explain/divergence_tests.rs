//! Unit tests of `divergence.rs` (kept beside it so the module reads without them).

use super::*;
use crate::provider::Alternative;

type Word<'a> = (&'a str, f64, &'a [(&'a str, f64)]);

fn seq(words: &[Word<'_>]) -> Vec<TokenLogprob> {
    words
        .iter()
        .map(|(t, p, alts)| TokenLogprob {
            token: (*t).into(),
            logprob: p.ln() as f32,
            top: alts
                .iter()
                .map(|(t, p)| Alternative {
                    token: (*t).into(),
                    logprob: p.ln() as f32,
                })
                .collect(),
        })
        .collect()
}

#[test]
fn finds_the_token_where_clusters_split() {
    let a = seq(&[
        ("Items", 0.99, &[]),
        (" unused", 0.52, &[(" unused", 0.52), (" unworn", 0.47)]),
        (".", 0.99, &[]),
    ]);
    let b = seq(&[
        ("Items", 0.99, &[]),
        (" unworn", 0.51, &[(" unworn", 0.51), (" unused", 0.48)]),
        (".", 0.99, &[]),
    ]);
    let views = [
        ClusterView {
            sample: 0,
            size: 7,
            text: "Items unused.",
            tokens: Some(&a),
        },
        ClusterView {
            sample: 3,
            size: 3,
            text: "Items unworn.",
            tokens: Some(&b),
        },
    ];
    let Some(SplitPoint::Token { index, choices }) = split_point(&views) else {
        panic!("expected a token split");
    };
    assert_eq!(index, 1);
    assert_eq!(choices[0].token.as_deref(), Some(" unused"));
    assert!((choices[0].probability.unwrap() - 0.52).abs() < 1e-3);
    assert_eq!(choices[0].alternatives[0].0, " unworn");
    assert_eq!((choices[1].sample, choices[1].size), (3, 3));
    assert!(split_point(&views[..1]).is_none());
}

#[test]
fn shorter_output_and_char_fallback() {
    let a = seq(&[("Yes", 0.9, &[]), (".", 0.6, &[])]);
    let b = seq(&[("Yes", 0.9, &[])]);
    let views = [
        ClusterView {
            sample: 0,
            size: 2,
            text: "Yes.",
            tokens: Some(&a),
        },
        ClusterView {
            sample: 1,
            size: 1,
            text: "Yes",
            tokens: Some(&b),
        },
    ];
    let Some(SplitPoint::Token { index, choices }) = split_point(&views) else {
        panic!("expected a token split");
    };
    assert_eq!((index, choices[1].token.clone()), (1, None));
    let views = [
        ClusterView {
            sample: 0,
            size: 2,
            text: "café au lait",
            tokens: None,
        },
        ClusterView {
            sample: 1,
            size: 1,
            text: "café noir",
            tokens: Some(&a),
        },
    ];
    let Some(SplitPoint::Chars { offset, choices }) = split_point(&views) else {
        panic!("expected a char split");
    };
    assert_eq!(offset, 5);
    assert_eq!(choices[1].continuation, "noir");
}
