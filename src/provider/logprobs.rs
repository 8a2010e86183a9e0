//! Token log-probabilities as the OpenAI chat format returns them (`choices[0].logprobs.content`,
//! also spoken by vLLM, llama.cpp server and LM Studio), in one provider-neutral shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many alternatives per token temper asks for by default (OpenAI allows up to 20).
pub const DEFAULT_TOP_LOGPROBS: u8 = 5;

/// One generated token with its log-probability and the most likely alternatives at its place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    pub token: String,
    /// Natural log of the probability the model gave this token.
    pub logprob: f32,
    /// The top candidates at this position, most likely first (usually including the token).
    pub top: Vec<Alternative>,
}

/// A candidate token at a position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub token: String,
    pub logprob: f32,
}

impl TokenLogprob {
    /// The probability of the chosen token (0..=1).
    pub fn probability(&self) -> f64 {
        f64::from(self.logprob).exp()
    }
}

/// The token logprobs of an OpenAI-format choice, `None` when the server sent none.
pub fn parse_openai(choice: &Value) -> Option<Vec<TokenLogprob>> {
    let content = choice.get("logprobs")?.get("content")?.as_array()?;
    Some(
        content
            .iter()
            .filter_map(|t| {
                let (token, logprob) = entry(t)?;
                let top = t
                    .get("top_logprobs")
                    .and_then(Value::as_array)
                    .map(|alts| {
                        alts.iter()
                            .filter_map(entry)
                            .map(|(token, logprob)| Alternative { token, logprob })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(TokenLogprob {
                    token,
                    logprob,
                    top,
                })
            })
            .collect(),
    )
}

/// `{token, logprob}`; a missing or non-finite logprob (some servers send -inf) becomes a floor.
fn entry(v: &Value) -> Option<(String, f32)> {
    let token = v.get("token")?.as_str()?.to_string();
    let logprob = v.get("logprob").and_then(Value::as_f64).unwrap_or(-9999.0);
    let logprob = if logprob.is_finite() {
        logprob.max(-9999.0) as f32
    } else {
        -9999.0
    };
    Some((token, logprob))
}

#[cfg(test)]
#[path = "logprobs_tests.rs"]
mod tests;
