//! Token counting for providers that report no usage (mock, replay of old samples, servers that
//! leave `usage` out): the real offline tokenizer from [`crate::cost`], chat framing included,
//! so an estimated count matches what `temper cost` predicts for the same request. Counts made
//! here are stored with `usage_source = estimated`.

use super::{Request, ToolCall, Usage};
use serde_json::Value;

/// Largest token count believed from a provider's usage report (10^9: no model reads or writes
/// that many in one call). Beyond it, or negative, or not a whole number, the report is refused
/// rather than wrapped or summed (docs/hardening.md).
pub(crate) const MAX_REPORTED_TOKENS: i64 = 1_000_000_000;

/// The count at `path` in a usage object: 0 when absent or null, else why it is not a count.
pub(crate) fn reported(usage: &Value, path: &[&str]) -> Result<i64, String> {
    let Some(value) = path.iter().try_fold(usage, |v, k| v.get(*k)) else {
        return Ok(0);
    };
    let count = match value {
        Value::Null => return Ok(0),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    match count {
        Some(n) if (0..=MAX_REPORTED_TOKENS).contains(&n) => Ok(n),
        _ => Err(format!(
            "the provider reported usage.{} = {}, which is not a token count (0..={}); \
             the sample is stored as an error rather than priced from it",
            path.join("."),
            crate::sanitize::one_line(&value.to_string()),
            MAX_REPORTED_TOKENS
        )),
    }
}

/// A response's `usage` object read with `parse` (the provider's field names): the counts as
/// the provider reported them, or none (to be estimated) when the response has no `usage`.
pub(crate) fn response_usage(
    response: &Value,
    parse: fn(&Value) -> Result<Usage, String>,
) -> Result<(Usage, super::UsageSource), super::ProviderError> {
    match response.get("usage").filter(|u| u.is_object()) {
        Some(u) => Ok((
            parse(u).map_err(super::ProviderError::BadResponse)?,
            super::UsageSource::Provider,
        )),
        None => Ok((Usage::default(), super::UsageSource::Estimated)),
    }
}

/// Usage in the OpenAI chat completions shape (`prompt_tokens`, `completion_tokens`, cached).
pub(crate) fn openai_usage(u: &Value) -> Result<Usage, String> {
    Ok(Usage {
        input: reported(u, &["prompt_tokens"])?,
        output: reported(u, &["completion_tokens"])?,
        cached: reported(u, &["prompt_tokens_details", "cached_tokens"])?,
    })
}

/// Usage in the Anthropic messages shape; input includes cache reads and writes.
pub(crate) fn anthropic_usage(u: &Value) -> Result<Usage, String> {
    let cached = reported(u, &["cache_read_input_tokens"])?;
    Ok(Usage {
        input: reported(u, &["input_tokens"])?
            + cached
            + reported(u, &["cache_creation_input_tokens"])?,
        output: reported(u, &["output_tokens"])?,
        cached,
    })
}

/// Tokens of `text` as the model `model` would count them (o200k_base unless the model is an
/// OpenAI model with its own encoding).
pub fn estimate_tokens(model: &str, text: &str) -> i64 {
    saturate(crate::cost::count_text(model, text).tokens)
}

/// Input tokens of a whole request: messages with chat framing, tools and response schema,
/// exactly as [`crate::cost::count_request`] counts them.
pub fn estimate_input(request: &Request) -> i64 {
    let count = crate::cost::count_request(
        &request.model,
        &request.messages,
        &request.tools,
        request.params.response_schema.as_ref(),
    );
    saturate(count.tokens)
}

/// Output tokens of an answer: its text plus the arguments of its tool calls.
pub fn estimate_output(model: &str, text: &str, tool_calls: &[ToolCall]) -> i64 {
    estimate_tokens(model, text)
        + tool_calls
            .iter()
            .map(|c| estimate_tokens(model, &c.arguments))
            .sum::<i64>()
}

fn saturate(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
