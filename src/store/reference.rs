//! Prompt references as users type them: `name` (latest), `name@3` (version 3), `name:prod`.

use super::StoreError;
use std::fmt;

/// A parsed prompt reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Latest(String),
    Number(String, u32),
    Label(String, String),
}

impl Reference {
    /// Parse `name`, `name@N` or `name:label`. Names never contain `@` or `:`.
    pub fn parse(text: &str) -> Result<Reference, StoreError> {
        let bad = || StoreError::BadReference(text.to_string());
        let text = text.trim();
        if let Some((name, number)) = text.rsplit_once('@') {
            let number: u32 = number.parse().map_err(|_| bad())?;
            if name.is_empty() || number == 0 {
                return Err(bad());
            }
            return Ok(Reference::Number(name.to_string(), number));
        }
        if let Some((name, label)) = text.rsplit_once(':') {
            if name.is_empty() || label.is_empty() {
                return Err(bad());
            }
            return Ok(Reference::Label(name.to_string(), label.to_string()));
        }
        if text.is_empty() {
            return Err(bad());
        }
        Ok(Reference::Latest(text.to_string()))
    }

    /// The prompt name the reference points into.
    pub fn name(&self) -> &str {
        match self {
            Reference::Latest(n) | Reference::Number(n, _) | Reference::Label(n, _) => n,
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Latest(n) => write!(f, "{n}"),
            Reference::Number(n, v) => write!(f, "{n}@{v}"),
            Reference::Label(n, l) => write!(f, "{n}:{l}"),
        }
    }
}

/// Up to three candidates close to `wanted` (edit distance, or a shared prefix/substring).
pub(crate) fn close_matches<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let lower = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&wanted_lower, &lower);
            if lower.contains(&wanted_lower) || wanted_lower.contains(&lower) {
                score = score.max(0.9);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
#[path = "reference_tests.rs"]
mod tests;
