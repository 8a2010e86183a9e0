//! Synthetic token logprobs for the mock, so the explain panel and `temper report --explain`
//! can be tried with no key: confident tokens (p 0.93-1.0), near-ties (p 0.50-0.56) on the tokens
//! `mock:drift` may change (numbers and the words it swaps), and at the token a drifted sample
//! changed, the drifted token chosen by a hair with the original as the runner-up. Tokens come
//! from the real offline tokenizer. Deterministic: identical answers get identical logprobs.

use super::mock::{SWAPS, fnv, mix, unit};
use super::{Alternative, TokenLogprob};

/// Plausible runners-up for a confident token.
const FILLERS: &[&str] = &[" the", " a", ",", ".", " and", " to", " of", "\n"];

/// Logprobs for `answered` (with `top` alternatives per token), the mock's answer before any
/// drift being `original`.
pub fn synthesize(
    model: &str,
    original: &str,
    answered: &str,
    top: u8,
    seed: u64,
) -> Vec<TokenLogprob> {
    let tokens = split(model, answered);
    // Most answers did not drift: their tokens are the original's, no second split needed.
    let before = if original == answered {
        tokens.clone()
    } else {
        split(model, original)
    };
    let changed = tokens.iter().zip(&before).position(|(a, b)| a != b);
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let h = unit(mix(seed) ^ fnv(token.as_bytes()), i as u32);
            let (p, runner_up) = if changed == Some(i) {
                (0.50 + 0.04 * h, before.get(i).cloned())
            } else if let Some(other) = counterpart(token) {
                (0.50 + 0.06 * h, Some(other))
            } else {
                let filler = FILLERS[(h * FILLERS.len() as f64) as usize % FILLERS.len()];
                (0.93 + 0.069 * h, Some(filler.to_string()))
            };
            let runner_up = runner_up.filter(|r| r != token);
            let second = if p < 0.6 { 0.97 - p } else { (1.0 - p) * 0.6 };
            let mut alternatives = vec![(token.clone(), p)];
            alternatives.extend(runner_up.map(|r| (r, second)));
            TokenLogprob {
                token: token.clone(),
                logprob: p.ln() as f32,
                top: alternatives
                    .into_iter()
                    .take(usize::from(top))
                    .map(|(token, p)| Alternative {
                        token,
                        logprob: p.ln() as f32,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The token the drift could have produced instead: the next number, or the swapped word.
fn counterpart(token: &str) -> Option<String> {
    let word = token.trim_start();
    let lead = &token[..token.len() - word.len()];
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        let n: u64 = word.parse().ok()?;
        return Some(format!("{lead}{}", n.saturating_add(1)));
    }
    SWAPS
        .iter()
        .find_map(|(a, b)| match word {
            w if w == *a => Some(*b),
            w if w == *b => Some(*a),
            _ => None,
        })
        .map(|other| format!("{lead}{other}"))
}

/// The tokenizer's split, or words if a token is not valid UTF-8 on its own.
fn split(model: &str, text: &str) -> Vec<String> {
    crate::cost::split_text(model, text).unwrap_or_else(|| words(text))
}

/// Words with their leading space attached, punctuation apart, like a BPE split.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev_space = false;
    for c in text.chars() {
        let starts = out.is_empty()
            || (c.is_whitespace() && !prev_space)
            || (c.is_ascii_punctuation() && !prev_space);
        if starts {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

#[cfg(test)]
#[path = "mock_logprobs_tests.rs"]
mod tests;
