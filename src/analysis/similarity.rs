//! Mean pairwise similarity of the samples, kept sub-quadratic.
//!
//! Two samples in the same cluster are identical (ratio 1), so the mean over all sample pairs
//! only needs one diff per pair of *clusters*, weighted by their sizes. When even that is too
//! many diffs (many distinct outputs), a fixed number of sample pairs is drawn with a seeded
//! generator, so the figure is deterministic and the cost stays linear in N.

use super::cluster::Cluster;
use serde::Serialize;
use similar::TextDiff;
use std::collections::HashMap;
use std::time::Duration;

/// Cluster pairs compared exactly up to this many; beyond, this many sample pairs are sampled.
pub const PAIR_BUDGET: usize = 300;

/// Longest a single pairwise diff may take before `similar` settles for an approximate one.
const DIFF_TIMEOUT: Duration = Duration::from_millis(5);

/// How the similarity figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SimilarityMethod {
    /// Every pair of clusters was compared.
    Exact,
    /// A deterministic sample of pairs was compared.
    Sampled,
}

/// Mean pairwise similarity (0..1) and how it was computed; `None` below two samples.
pub fn mean_pairwise(clusters: &[Cluster]) -> Option<(f64, SimilarityMethod)> {
    let sizes: Vec<usize> = clusters.iter().map(Cluster::size).collect();
    let n: usize = sizes.iter().sum();
    if n < 2 {
        return None;
    }
    let k = clusters.len();
    if k * (k - 1) / 2 <= PAIR_BUDGET {
        let total_pairs = (n * (n - 1) / 2) as f64;
        let mut sum: f64 = sizes
            .iter()
            .map(|&s| (s * s.saturating_sub(1) / 2) as f64)
            .sum();
        for i in 0..k {
            for j in i + 1..k {
                let weight = (sizes[i] * sizes[j]) as f64;
                sum += weight * ratio(&clusters[i].normalized, &clusters[j].normalized);
            }
        }
        return Some((sum / total_pairs, SimilarityMethod::Exact));
    }
    // Map every sample position to its cluster, then draw pairs of positions.
    let owner: Vec<usize> = sizes
        .iter()
        .enumerate()
        .flat_map(|(c, &s)| std::iter::repeat_n(c, s))
        .collect();
    let mut rng = SplitMix64(0x7e3d_5eed);
    let mut cache: HashMap<(usize, usize), f64> = HashMap::new();
    let mut sum = 0.0;
    for _ in 0..PAIR_BUDGET {
        let a = rng.below(n);
        let mut b = rng.below(n - 1);
        if b >= a {
            b += 1;
        }
        let (ca, cb) = (owner[a].min(owner[b]), owner[a].max(owner[b]));
        sum += if ca == cb {
            1.0
        } else {
            *cache
                .entry((ca, cb))
                .or_insert_with(|| ratio(&clusters[ca].normalized, &clusters[cb].normalized))
        };
    }
    Some((sum / PAIR_BUDGET as f64, SimilarityMethod::Sampled))
}

/// `similar`'s ratio of a word diff of two texts, bounded in time.
pub fn ratio(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    f64::from(
        TextDiff::configure()
            .timeout(DIFF_TIMEOUT)
            .diff_words(a, b)
            .ratio(),
    )
}

/// A tiny deterministic generator (SplitMix64): reproducible figures without a seed parameter.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

#[cfg(test)]
#[path = "similarity_tests.rs"]
mod tests;
