//! The first divergence in tokens: align the representatives' token sequences (from their
//! logprobs), find the first position where they differ, and show what each cluster chose there,
//! how likely it was and what else was in the running. Falls back to characters without logprobs.

use crate::provider::TokenLogprob;
use serde::Serialize;

/// Alternatives shown per cluster at the divergence point.
const SHOWN_ALTERNATIVES: usize = 3;

/// Where clusters part ways.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SplitPoint {
    /// Token `index` (0-based) is the first that differs; one choice per cluster, largest first.
    Token {
        index: usize,
        choices: Vec<ClusterChoice>,
    },
    /// No logprobs for every cluster: the first differing character and the continuations.
    Chars {
        offset: usize,
        choices: Vec<ClusterText>,
    },
}

/// What one cluster's representative chose at the divergence token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterChoice {
    pub cluster: usize,
    pub sample: u32,
    pub size: usize,
    /// `None` when this output ended before the divergence token.
    pub token: Option<String>,
    pub probability: Option<f64>,
    /// Other candidates at this position (token, probability), most likely first.
    pub alternatives: Vec<(String, f64)>,
}

/// What one cluster's representative says from the divergence character on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterText {
    pub cluster: usize,
    pub sample: u32,
    pub size: usize,
    pub continuation: String,
}

/// One cluster as the splitter sees it: representative sample, size, text and tokens if any.
pub struct ClusterView<'a> {
    pub sample: u32,
    pub size: usize,
    pub text: &'a str,
    pub tokens: Option<&'a [TokenLogprob]>,
}

/// The split point among clusters (largest first), `None` when there is only one cluster.
pub fn split_point(clusters: &[ClusterView<'_>]) -> Option<SplitPoint> {
    if clusters.len() < 2 {
        return None;
    }
    let token_lists: Option<Vec<&[TokenLogprob]>> = clusters.iter().map(|c| c.tokens).collect();
    match token_lists {
        Some(lists) if lists.iter().all(|l| !l.is_empty()) => {
            let index = first_token_difference(&lists);
            Some(SplitPoint::Token {
                index,
                choices: clusters
                    .iter()
                    .zip(&lists)
                    .enumerate()
                    .map(|(i, (c, tokens))| choice_at(i, c, tokens, index))
                    .collect(),
            })
        }
        _ => {
            let modal = clusters[0].text;
            let byte = clusters[1..]
                .iter()
                .map(|c| common_prefix(modal, c.text))
                .min()
                .unwrap_or(0);
            Some(SplitPoint::Chars {
                offset: modal[..byte].chars().count(),
                choices: clusters
                    .iter()
                    .enumerate()
                    .map(|(i, c)| ClusterText {
                        cluster: i,
                        sample: c.sample,
                        size: c.size,
                        continuation: c.text.get(byte..).unwrap_or("").chars().take(40).collect(),
                    })
                    .collect(),
            })
        }
    }
}

/// The first index at which any sequence differs from the first one (or ends early).
fn first_token_difference(lists: &[&[TokenLogprob]]) -> usize {
    let modal = lists[0];
    lists[1..]
        .iter()
        .map(|other| {
            modal
                .iter()
                .zip(other.iter())
                .take_while(|(a, b)| a.token == b.token)
                .count()
        })
        .min()
        .unwrap_or(0)
}

fn choice_at(
    cluster: usize,
    c: &ClusterView<'_>,
    tokens: &[TokenLogprob],
    i: usize,
) -> ClusterChoice {
    let at = tokens.get(i);
    ClusterChoice {
        cluster,
        sample: c.sample,
        size: c.size,
        token: at.map(|t| t.token.clone()),
        probability: at.map(TokenLogprob::probability),
        alternatives: at
            .map(|t| {
                t.top
                    .iter()
                    .filter(|a| a.token != t.token)
                    .take(SHOWN_ALTERNATIVES)
                    .map(|a| (a.token.clone(), f64::from(a.logprob).exp()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Longest common prefix in bytes, on a char boundary of both texts.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(len) {
        len -= 1;
    }
    len
}

#[cfg(test)]
#[path = "divergence_tests.rs"]
mod tests;
