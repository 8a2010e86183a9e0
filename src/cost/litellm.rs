//! LiteLLM's price map (`model_prices_and_context_window.json`, MIT) as temper price rows: the
//! embedded snapshot is read with it, and so is a newer file given to `temper prices update`.
//!
//! Per entry temper reads the per-token prices (input, output, cache read, cache creation incl.
//! the 1-hour rate, reasoning), the long-context tiers above 200k and 272k tokens, the batch
//! rates, `max_input_tokens` (the context window) and `max_output_tokens`; entries whose `mode`
//! is not chat, completion or responses, or that lack an input or output price, are skipped.

use super::table::{BatchRates, ContextTier, PriceRow};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The `mode`s temper prices: text generation.
const MODES: [&str; 3] = ["chat", "completion", "responses"];

/// LiteLLM's `litellm_provider` as temper names the provider (`gemini` -> `google`).
pub fn temper_provider(litellm: &str) -> &str {
    match litellm {
        "gemini" => "google",
        "together_ai" => "together",
        "fireworks_ai" => "fireworks",
        "text-completion-openai" => "openai",
        "text-completion-codestral" => "codestral",
        "cohere_chat" => "cohere",
        "bedrock_converse" => "bedrock",
        "azure_text" => "azure",
        other if other.starts_with("vertex_ai") => "vertex_ai",
        other => other,
    }
}

/// The provider a user wrote, as the table names it: temper's own names and LiteLLM's
/// spellings (`gemini:`, `together_ai:`, `fireworks_ai:`) find the same rows.
pub fn canonical_provider(name: &str) -> String {
    temper_provider(&name.to_ascii_lowercase()).to_string()
}

/// Why a LiteLLM file could not be read: the entry and the field, and what was expected.
pub fn field_error(key: &str, field: &str, value: &Value, expected: &str) -> String {
    let shown: String = value.to_string().chars().take(40).collect();
    format!("entry {key:?}: field {field:?} is {shown}, expected {expected}")
}

/// Every priced text model of a LiteLLM price map, one row per provider and model (the first
/// key wins when two spell the same model).
pub fn rows_from_map(map: &Map<String, Value>) -> Result<Vec<PriceRow>, String> {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (key, entry) in map {
        let Some(row) = row_from_entry(key, entry)? else {
            continue;
        };
        if seen.insert(row.key().to_ascii_lowercase()) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Parse LiteLLM JSON text into rows; an error names the entry and field.
pub fn rows_from_json(text: &str) -> Result<Vec<PriceRow>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("line {}:{}: {e}", e.line(), e.column()))?;
    let Value::Object(map) = value else {
        return Err("expected a JSON object of model name -> prices".into());
    };
    rows_from_map(&map)
}

fn row_from_entry(key: &str, entry: &Value) -> Result<Option<PriceRow>, String> {
    let Value::Object(e) = entry else {
        return Ok(None);
    };
    let mode = e.get("mode").and_then(Value::as_str).unwrap_or("");
    if key == "sample_spec" || !MODES.contains(&mode) {
        return Ok(None);
    }
    let price = |field: &str| per_million(key, e, field);
    let (Some(input), Some(output)) = (
        price("input_cost_per_token")?,
        price("output_cost_per_token")?,
    ) else {
        return Ok(None);
    };
    let litellm = match e.get("litellm_provider") {
        Some(Value::String(p)) => p.as_str(),
        Some(other) => return Err(field_error(key, "litellm_provider", other, "a string")),
        None => "",
    };
    let provider = temper_provider(litellm);
    let model = match key.split_once('/') {
        Some((prefix, rest)) if temper_provider(prefix) == provider && !rest.is_empty() => rest,
        _ => key,
    };
    let mut tiers = Vec::new();
    for (label, above_tokens) in [("200k", 200_000), ("272k", 272_000)] {
        let tier = ContextTier {
            above_tokens,
            input: price(&format!("input_cost_per_token_above_{label}_tokens"))?,
            cached_input: price(&format!("cache_read_input_token_cost_above_{label}_tokens"))?,
            cache_write: price(&format!(
                "cache_creation_input_token_cost_above_{label}_tokens"
            ))?,
            output: price(&format!("output_cost_per_token_above_{label}_tokens"))?,
        };
        if tier.input.is_some() || tier.output.is_some() {
            tiers.push(tier);
        }
    }
    let batch = match (
        price("input_cost_per_token_batches")?,
        price("output_cost_per_token_batches")?,
    ) {
        (Some(input), Some(output)) => Some(BatchRates {
            input,
            output,
            cached_input: price("cache_read_input_token_cost_batches")?,
        }),
        _ => None,
    };
    Ok(Some(PriceRow {
        provider: provider.to_string(),
        model: model.to_string(),
        input,
        output,
        cached_input: price("cache_read_input_token_cost")?
            .or(price("input_cost_per_token_cache_hit")?),
        cache_write: price("cache_creation_input_token_cost")?,
        cache_write_1h: price("cache_creation_input_token_cost_above_1hr")?,
        reasoning: price("output_cost_per_reasoning_token")?,
        context_window: e.get("max_input_tokens").and_then(Value::as_u64),
        max_output_tokens: e.get("max_output_tokens").and_then(Value::as_u64),
        tiers,
        batch,
        ..PriceRow::default()
    }))
}

/// A USD-per-token field as USD per 1M tokens; absent or null is `None`, anything but a finite
/// number ≥ 0 is an error naming the field.
fn per_million(key: &str, entry: &Map<String, Value>, field: &str) -> Result<Option<f64>, String> {
    match entry.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64().filter(|p| super::table::valid_price(*p)) {
            Some(p) => Ok(Some(super::bill::round_rate(p * 1e6))),
            None => Err(field_error(
                key,
                field,
                v,
                "a price in USD per token (a number ≥ 0)",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_rows_with_tiers_batch_and_cache_writes() {
        let rows = rows_from_json(
            r#"{
  "sample_spec": {"mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0},
  "gemini/gemini-2.5-pro": {"litellm_provider": "gemini", "mode": "chat",
      "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
      "input_cost_per_token_above_200k_tokens": 2.5e-06,
      "output_cost_per_token_above_200k_tokens": 1.5e-05, "max_input_tokens": 1048576},
  "claude-x": {"litellm_provider": "anthropic", "mode": "chat",
      "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
      "cache_creation_input_token_cost": 3.75e-06,
      "cache_creation_input_token_cost_above_1hr": 6e-06,
      "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06},
  "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation"},
  "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding",
      "input_cost_per_token": 2e-08, "output_cost_per_token": 0}
}"#,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        let claude = &rows[0];
        assert_eq!(claude.key(), "anthropic:claude-x");
        assert_eq!(claude.cache_write, Some(3.75));
        assert_eq!(claude.cache_write_1h, Some(6.0));
        assert_eq!(claude.batch.as_ref().map(|b| b.input), Some(1.5));
        let gemini = &rows[1];
        assert_eq!(gemini.key(), "google:gemini-2.5-pro");
        assert_eq!(gemini.context_window, Some(1_048_576));
        assert_eq!(gemini.tiers[0].above_tokens, 200_000);
        assert_eq!(gemini.tiers[0].input, Some(2.5));
    }

    #[test]
    fn a_wrong_field_is_named() {
        let err = rows_from_json(
            r#"{"m": {"mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": 1}}"#,
        )
        .unwrap_err();
        assert!(
            err.contains("\"m\"") && err.contains("input_cost_per_token"),
            "{err}"
        );
        let err = rows_from_json("[1, 2]").unwrap_err();
        assert!(err.contains("JSON object"), "{err}");
    }

    #[test]
    fn provider_spellings_meet() {
        assert_eq!(canonical_provider("Gemini"), "google");
        assert_eq!(canonical_provider("together_ai"), "together");
        assert_eq!(canonical_provider("openai"), "openai");
    }
}
