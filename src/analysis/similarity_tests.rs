//! Unit tests of `similarity.rs` (kept beside it so the module reads without them).

use super::*;
use crate::analysis::cluster::{Observed, clusters};
use crate::analysis::normalize::Mode;

#[test]
fn identical_samples_are_fully_similar() {
    let s = [Observed::ok(0, "a b"), Observed::ok(1, "a b")];
    let (cs, _) = clusters(&s, Mode::Exact);
    assert_eq!(mean_pairwise(&cs), Some((1.0, SimilarityMethod::Exact)));
    assert_eq!(mean_pairwise(&cs[..0]), None);
}

#[test]
fn weighted_by_cluster_size() {
    // 3 pairs: (0,1) same = 1, (0,2) and (1,2) totally different = 0.
    let s = [
        Observed::ok(0, "x"),
        Observed::ok(1, "x"),
        Observed::ok(2, "y"),
    ];
    let (cs, _) = clusters(&s, Mode::Exact);
    let (sim, _) = mean_pairwise(&cs).unwrap();
    assert!((sim - 1.0 / 3.0).abs() < 1e-9, "{sim}");
}

#[test]
fn many_distinct_outputs_are_sampled_deterministically() {
    let texts: Vec<String> = (0..100).map(|i| format!("answer number {i}")).collect();
    let s: Vec<Observed> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Observed::ok(i as u32, t))
        .collect();
    let (cs, _) = clusters(&s, Mode::Exact);
    let first = mean_pairwise(&cs).unwrap();
    assert_eq!(first.1, SimilarityMethod::Sampled);
    assert_eq!(Some(first), mean_pairwise(&cs));
    assert!(first.0 > 0.5 && first.0 < 1.0, "{}", first.0);
}
