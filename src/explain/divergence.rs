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
mod tests {
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
}
