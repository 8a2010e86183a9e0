//! Unit tests of `margin.rs` (kept beside it so the module reads without them).

use super::*;
use crate::provider::Alternative;

/// A token from probabilities: chosen `p`, alternatives as (token, p).
fn tok(t: &str, p: f64, alts: &[(&str, f64)]) -> TokenLogprob {
    TokenLogprob {
        token: t.into(),
        logprob: p.ln() as f32,
        top: alts
            .iter()
            .map(|(t, p)| Alternative {
                token: (*t).into(),
                logprob: p.ln() as f32,
            })
            .collect(),
    }
}

#[test]
fn margin_is_chosen_minus_best_other() {
    let t = tok(
        " unused",
        0.52,
        &[(" unused", 0.52), (" unworn", 0.47), (" new", 0.01)],
    );
    assert!((margin(&t).unwrap() - 0.05).abs() < 1e-4);
    // A likelier token passed over (sampling above temperature 0) gives a negative margin.
    let t = tok("b", 0.3, &[("a", 0.6), ("b", 0.3)]);
    assert!((margin(&t).unwrap() + 0.3).abs() < 1e-4);
    // Only the chosen token listed: the margin is its whole probability.
    assert!((margin(&tok("a", 0.9, &[("a", 0.9)])).unwrap() - 0.9).abs() < 1e-4);
    assert_eq!(margin(&tok("a", 0.9, &[])), None);
}

#[test]
fn counts_fragile_tokens_and_buckets() {
    let tokens = vec![
        tok("The", 0.99, &[("The", 0.99), ("A", 0.005)]),
        tok(" box", 0.51, &[(" box", 0.51), (" crate", 0.49)]),
        tok(" is", 0.9, &[]),
        tok(" unused", 0.52, &[(" unused", 0.52), (" unworn", 0.48)]),
        tok(".", 0.6, &[(".", 0.6), ("!", 0.3)]),
    ];
    let m = margins(&tokens);
    assert_eq!((m.tokens, m.measured), (5, 4));
    assert_eq!(m.fragile, 2, "0.02 and 0.04 are fragile: {m:?}");
    assert_eq!(m.fragile_at, vec![1, 3]);
    assert_eq!(m.min.map(|(i, _)| i), Some(1));
    assert_eq!(m.histogram, [0, 2, 0, 0, 1, 1]);
    let median = m.median.unwrap();
    assert!((median - (0.04 + 0.3) / 2.0).abs() < 1e-3, "{median}");
    assert_eq!(m.passed_over, 0);
    assert_eq!(m.closest, m.min);
    // A token sampled below the top candidate is passed over, not fragile.
    let sampled = vec![
        tok("b", 0.3, &[("a", 0.6), ("b", 0.3)]),
        tok(" x", 0.7, &[(" x", 0.7), (" y", 0.2)]),
    ];
    let m = margins(&sampled);
    assert_eq!((m.fragile, m.passed_over), (0, 1));
    assert_eq!(m.min.map(|(i, _)| i), Some(0));
    assert_eq!(m.closest.map(|(i, _)| i), Some(1));
    let empty = margins(&[]);
    assert_eq!((empty.fragile, empty.median, empty.min), (0, None, None));
}
