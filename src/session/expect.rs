//! `[[check.must_equal]]`: the answer the cells of one prompt must give, as a recorded answer
//! pins it (`temper replay --to-session` writes one per replayed span; docs/replay.md).
//!
//! Answers are compared like `temper replay` compares them: whitespace-normalised, as canonical
//! JSON when the expected answer is JSON. `min_similarity` below 1 loosens equality to a word-diff
//! similarity, so a user can accept rewordings of the recorded answer.

use super::Failure;
use super::file::{Locator, SessionError};
use crate::analysis::normalize::{Mode, normalize, parse_json};
use crate::analysis::similarity::ratio;
use serde::Deserialize;
use toml::Spanned;

/// One `[[check.must_equal]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MustEqualForm {
    #[serde(default)]
    prompt: Option<String>,
    output: String,
    #[serde(default)]
    min_similarity: Option<Spanned<f64>>,
}

/// The answer every successful sample of the matching cells must give.
#[derive(Debug, Clone, PartialEq)]
pub struct MustEqual {
    /// `name` (any version) or `name@N` (that version); `None` applies to every cell.
    pub prompt: Option<String>,
    /// The expected answer as written.
    pub output: String,
    /// 1.0 asks for equality; lower accepts answers at least this similar (0..=1, word diff).
    pub min_similarity: f64,
}

/// Why one sample misses a [`MustEqual`]: its index and how similar it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub sample: u32,
    pub similarity: f64,
}

impl MustEqualForm {
    pub(crate) fn compile(self, at: &Locator<'_>) -> Result<MustEqual, SessionError> {
        let key = "check.must_equal.min_similarity";
        let min_similarity = match &self.min_similarity {
            None => 1.0,
            Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref(),
            Some(s) => {
                return Err(at.invalid(
                    s.span(),
                    key,
                    format!(
                        "{} is outside 0..=1 (1 = equal to output, 0.8 = mostly the same words)",
                        s.get_ref()
                    ),
                ));
            }
        };
        let prompt = self.prompt.map(|p| p.trim().to_string());
        Ok(MustEqual {
            prompt: prompt.filter(|p| !p.is_empty()),
            output: self.output,
            min_similarity,
        })
    }
}

impl MustEqual {
    /// The name the check is reported under.
    pub fn name(&self) -> String {
        match &self.prompt {
            Some(p) => format!("must_equal {p}"),
            None => "must_equal".into(),
        }
    }

    /// Whether the cell of prompt version `label` (`name@N`) is held to this answer.
    pub fn applies_to(&self, label: &str) -> bool {
        match &self.prompt {
            None => true,
            Some(p) if p.contains('@') => p == label,
            Some(p) => label.rsplit_once('@').map_or(label, |(name, _)| name) == p,
        }
    }

    /// The comparison used: canonical JSON when the expected answer is JSON.
    pub fn mode(&self) -> Mode {
        if parse_json(&self.output).is_some() {
            Mode::Json
        } else {
            Mode::Whitespace
        }
    }

    /// The samples (index, text) that miss, in order.
    pub fn mismatches(&self, ok: &[(u32, &str)]) -> Vec<Mismatch> {
        ok.iter()
            .filter_map(|&(idx, text)| {
                self.mismatch(text).map(|similarity| Mismatch {
                    sample: idx,
                    similarity,
                })
            })
            .collect()
    }

    /// How similar `text` is when it misses the expected answer; `None` when it matches.
    pub fn mismatch(&self, text: &str) -> Option<f64> {
        let mode = self.mode();
        let target = normalize(&self.output, mode).text;
        let got = normalize(text, mode).text;
        if got == target {
            return None;
        }
        let similarity = ratio(&target, &got);
        (self.min_similarity >= 1.0 || similarity + 1e-9 < self.min_similarity)
            .then_some(similarity)
    }
}

/// Entries naming a prompt no cell ran (`prompts`: each cell's `name@N`): a regression case that did not run cannot pass.
pub(crate) fn unmatched(entries: &[MustEqual], prompts: &[&str]) -> Vec<Failure> {
    entries
        .iter()
        .filter(|m| !prompts.iter().any(|p| m.applies_to(p)))
        .map(|m| Failure {
            prompt: m.prompt.clone().unwrap_or_default(),
            variant: "-".into(),
            case: "-".into(),
            check: m.name(),
            value: "no cell of this prompt ran".into(),
            bar: "at least one cell".into(),
            detail: Some("add the prompt to the session's `prompts`, or drop this entry".into()),
        })
        .collect()
}

/// `text` on one line, cut to `max` characters with an ellipsis (for bars and details).
pub(crate) fn clipped(text: &str, max: usize) -> String {
    let line = crate::sanitize::one_line(text);
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
#[path = "expect_tests.rs"]
mod tests;
