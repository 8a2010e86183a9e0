//! How close each token was to going the other way: the probability margin between the chosen
//! token and the best alternative. A margin under [`FRAGILE`] means a tiny numeric difference
//! (batching, a kernel change) can flip that token, even when every sample agreed this time.

use crate::provider::TokenLogprob;
use serde::Serialize;

/// Margins below this are fragile.
pub const FRAGILE: f64 = 0.05;

/// Upper bounds of the margin histogram buckets (the last bucket is everything above).
pub const BUCKETS: [f64; 5] = [0.01, 0.05, 0.1, 0.25, 0.5];

/// `p(chosen) - p(best other candidate)`; negative when a likelier token was passed over,
/// `None` when the provider sent no alternatives for this position.
pub fn margin(token: &TokenLogprob) -> Option<f64> {
    let best_other = token
        .top
        .iter()
        .filter(|a| a.token != token.token)
        .map(|a| f64::from(a.logprob).exp())
        .fold(None, |best: Option<f64>, p| {
            Some(best.map_or(p, |b| b.max(p)))
        });
    match best_other {
        Some(p) => Some(token.probability() - p),
        // Alternatives were listed but all equal the chosen token: nothing else was in the running.
        None if !token.top.is_empty() => Some(token.probability()),
        None => None,
    }
}

/// The margins of one output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Margins {
    pub tokens: usize,
    /// Tokens that had alternatives to compare with.
    pub measured: usize,
    /// Tokens decided by less than [`FRAGILE`] (a likelier token passed over is not counted:
    /// see `passed_over`).
    pub fragile: usize,
    /// Tokens chosen although a likelier one was listed (negative margin): sampling above
    /// temperature 0 picked them, so calls differ by design there.
    pub passed_over: usize,
    /// Positions (token indices) of the fragile tokens.
    pub fragile_at: Vec<usize>,
    /// The smallest margin and where it is (negative when a likelier token was passed over).
    pub min: Option<(usize, f64)>,
    /// The smallest margin of a token that was the most likely choice, and where it is.
    pub closest: Option<(usize, f64)>,
    pub median: Option<f64>,
    /// Counts per bucket of [`BUCKETS`], plus one for margins of 0.5 and above.
    pub histogram: [usize; 6],
}

/// Margin statistics over a sample's tokens.
pub fn margins(tokens: &[TokenLogprob]) -> Margins {
    let measured: Vec<(usize, f64)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| margin(t).map(|m| (i, m)))
        .collect();
    let mut histogram = [0usize; 6];
    for (_, m) in &measured {
        let bucket = BUCKETS.iter().position(|b| m < b).unwrap_or(BUCKETS.len());
        histogram[bucket] += 1;
    }
    let fragile_at: Vec<usize> = measured
        .iter()
        .filter(|(_, m)| (0.0..FRAGILE).contains(m))
        .map(|(i, _)| *i)
        .collect();
    let mut sorted: Vec<f64> = measured.iter().map(|(_, m)| *m).collect();
    sorted.sort_by(f64::total_cmp);
    let median = match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    };
    Margins {
        tokens: tokens.len(),
        measured: measured.len(),
        fragile: fragile_at.len(),
        fragile_at,
        passed_over: measured.iter().filter(|(_, m)| *m < 0.0).count(),
        min: measured.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)),
        closest: measured
            .iter()
            .copied()
            .filter(|(_, m)| *m >= 0.0)
            .min_by(|a, b| a.1.total_cmp(&b.1)),
        median,
        histogram,
    }
}

#[cfg(test)]
#[path = "margin_tests.rs"]
mod tests;
