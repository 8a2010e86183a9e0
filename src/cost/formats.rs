//! Price files temper reads besides its own: LiteLLM's model map (see [`super::litellm`]),
//! models.dev's `api.json` and OpenRouter's `/api/v1/models` answer. [`detect`] tells them
//! apart by shape; each reader turns its file into price rows and names the entry and field when
//! a value is wrong (`temper prices update`, docs/cost.md).

use super::litellm::{self, canonical_provider};
use super::table::{BatchRates, ContextTier, PriceRow, valid_price};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The shapes of price file temper reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormat {
    /// `model_prices_and_context_window.json`: model name -> per-token prices.
    Litellm,
    /// `https://models.dev/api.json`: provider -> models -> cost per 1M tokens.
    ModelsDev,
    /// `https://openrouter.ai/api/v1/models`: `{"data": [{id, pricing, context_length}]}`.
    Openrouter,
}

impl PriceFormat {
    /// How the format is named to users.
    pub fn describe(self) -> &'static str {
        match self {
            PriceFormat::Litellm => "LiteLLM model map",
            PriceFormat::ModelsDev => "models.dev api.json",
            PriceFormat::Openrouter => "OpenRouter /api/v1/models",
        }
    }

    /// Where the format is published.
    pub fn url(self) -> &'static str {
        match self {
            PriceFormat::Litellm => super::snapshot::LITELLM_URL,
            PriceFormat::ModelsDev => "https://models.dev/api.json",
            PriceFormat::Openrouter => "https://openrouter.ai/api/v1/models",
        }
    }
}

/// Which format `text` is, and its rows; an error says what is wrong and where.
pub fn read(text: &str) -> Result<(PriceFormat, Vec<PriceRow>), String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| format!("not JSON: line {}:{}: {e}", e.line(), e.column()))?;
    let format = detect(&value)?;
    let rows = match (&value, format) {
        // Read again from the text: the typed reader is the one the embedded snapshot uses.
        (Value::Object(_), PriceFormat::Litellm) => litellm::rows_from_json(text)?,
        (Value::Object(map), PriceFormat::ModelsDev) => models_dev(map)?,
        (Value::Object(map), PriceFormat::Openrouter) => openrouter(map)?,
        _ => Vec::new(),
    };
    if rows.is_empty() {
        return Err(format!(
            "the {} has no priced text model (every entry lacks an input or output price)",
            format.describe()
        ));
    }
    Ok((format, rows))
}

/// The format of a parsed file, by its shape.
pub fn detect(value: &Value) -> Result<PriceFormat, String> {
    const EXPECTED: &str = "expected LiteLLM's model map ({\"gpt-4o\": {\"input_cost_per_token\": …}}), models.dev's api.json ({\"openai\": {\"models\": {…}}}) or OpenRouter's /api/v1/models ({\"data\": [{\"id\", \"pricing\"}]})";
    let Value::Object(map) = value else {
        return Err(format!("the top level is not an object; {EXPECTED}"));
    };
    if map.get("data").is_some_and(Value::is_array) {
        return Ok(PriceFormat::Openrouter);
    }
    let entries = || map.values().filter_map(Value::as_object);
    if entries().any(|e| e.get("models").is_some_and(Value::is_object)) {
        return Ok(PriceFormat::ModelsDev);
    }
    if entries()
        .any(|e| e.contains_key("input_cost_per_token") || e.contains_key("litellm_provider"))
    {
        return Ok(PriceFormat::Litellm);
    }
    let keys: Vec<&str> = map.keys().take(3).map(String::as_str).collect();
    Err(format!(
        "no entry has the fields of a known price file (top-level keys: {}); {EXPECTED}",
        keys.join(", ")
    ))
}

/// A price field as USD per 1M tokens from a per-token number or numeric string (OpenRouter
/// writes strings); `Ok(None)` when absent or null.
fn per_token(at: &str, field: &str, value: Option<&Value>) -> Result<Option<f64>, String> {
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(-1.0) => Ok(None),
        Some(v) if valid_price(v) => Ok(Some(v * 1e6)),
        _ => Err(litellm::field_error(
            at,
            field,
            value.unwrap_or(&Value::Null),
            "a price in USD per token (a number ≥ 0, or a numeric string)",
        )),
    }
}

/// A price field already in USD per 1M tokens (models.dev).
fn per_million(at: &str, field: &str, value: Option<&Value>) -> Result<Option<f64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_f64().is_some_and(valid_price) => Ok(n.as_f64()),
        Some(other) => Err(litellm::field_error(
            at,
            field,
            other,
            "a price in USD per 1M tokens (a number ≥ 0)",
        )),
    }
}

fn count(value: Option<&Value>) -> Option<u64> {
    value.and_then(Value::as_u64).filter(|n| *n > 0)
}

/// OpenRouter's models: provider `openrouter`, the model id as OpenRouter spells it
/// (`openai/gpt-4o-mini`); a `:batch` twin becomes the batch rates of its model, `overrides`
/// with `min_prompt_tokens` become long-context tiers (time-of-day overrides are not modelled);
/// variable prices (`-1`) are skipped.
fn openrouter(map: &Map<String, Value>) -> Result<Vec<PriceRow>, String> {
    let Some(Value::Array(data)) = map.get("data") else {
        return Ok(Vec::new());
    };
    let mut rows: Vec<PriceRow> = Vec::new();
    let mut batches: Vec<(String, BatchRates)> = Vec::new();
    for (i, entry) in data.iter().enumerate() {
        let id = entry.get("id").and_then(Value::as_str).ok_or_else(|| {
            format!("data[{i}]: field \"id\" is missing or not a string, expected the model id")
        })?;
        let at = format!("data[{i}] {id}");
        let pricing = entry.get("pricing").and_then(Value::as_object);
        let Some(p) = pricing else { continue };
        let rate = |field: &str| per_token(&at, &format!("pricing.{field}"), p.get(field));
        let (Some(input), Some(output)) = (rate("prompt")?, rate("completion")?) else {
            continue;
        };
        if let Some(base) = id.strip_suffix(":batch") {
            let cached_input = rate("input_cache_read")?;
            batches.push((
                base.to_string(),
                BatchRates {
                    input,
                    output,
                    cached_input,
                },
            ));
            continue;
        }
        let mut tiers = Vec::new();
        for (j, o) in p
            .get("overrides")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let field = |f: &str| format!("pricing.overrides[{j}].{f}");
            // Overrides on other conditions (time-of-day `utc_start`/`utc_end`) are not modelled.
            let Some(min) = o.get("min_prompt_tokens") else {
                continue;
            };
            let Some(min) = min.as_u64() else {
                return Err(litellm::field_error(
                    &at,
                    &field("min_prompt_tokens"),
                    min,
                    "a token count",
                ));
            };
            tiers.push(ContextTier {
                above_tokens: min.saturating_sub(1),
                input: per_token(&at, &field("prompt"), o.get("prompt"))?,
                cached_input: per_token(
                    &at,
                    &field("input_cache_read"),
                    o.get("input_cache_read"),
                )?,
                cache_write: per_token(
                    &at,
                    &field("input_cache_write"),
                    o.get("input_cache_write"),
                )?,
                output: per_token(&at, &field("completion"), o.get("completion"))?,
            });
        }
        let top = entry.get("top_provider");
        rows.push(PriceRow {
            provider: "openrouter".into(),
            model: id.to_string(),
            input,
            cached_input: rate("input_cache_read")?,
            output,
            context_window: count(entry.get("context_length")),
            max_output_tokens: count(top.and_then(|t| t.get("max_completion_tokens"))),
            cache_write: rate("input_cache_write")?,
            cache_write_1h: rate("input_cache_write_1h")?,
            reasoning: rate("internal_reasoning")?.filter(|r| *r > 0.0),
            tiers,
            ..PriceRow::default()
        });
    }
    for (base, rates) in batches {
        if let Some(row) = rows.iter_mut().find(|r| r.model == base) {
            row.batch = Some(rates);
        }
    }
    Ok(rows)
}

/// models.dev: per provider (named as temper names it: `togetherai` is `together`), each model
/// with a `cost` (USD per 1M tokens: input, output, cache_read, cache_write, reasoning,
/// `context_over_200k`) and `limit.context`; models without a cost are skipped.
fn models_dev(map: &Map<String, Value>) -> Result<Vec<PriceRow>, String> {
    let mut rows = Vec::new();
    for (provider_id, provider) in map {
        let Some(models) = provider.get("models").and_then(Value::as_object) else {
            continue;
        };
        let provider = match provider_id.as_str() {
            "togetherai" => "together".to_string(),
            "fireworks-ai" => "fireworks".to_string(),
            other => canonical_provider(other),
        };
        for (model_id, model) in models {
            let at = format!("{provider_id}.models.{model_id}");
            let Some(cost) = model.get("cost") else {
                continue;
            };
            let Some(cost) = cost.as_object() else {
                return Err(litellm::field_error(
                    &at,
                    "cost",
                    cost,
                    "an object of prices",
                ));
            };
            let rate = |f: &str| per_million(&at, &format!("cost.{f}"), cost.get(f));
            let (Some(input), Some(output)) = (rate("input")?, rate("output")?) else {
                continue;
            };
            let mut tiers = Vec::new();
            if let Some(t) = cost.get("context_over_200k").and_then(Value::as_object) {
                let tier =
                    |f: &str| per_million(&at, &format!("cost.context_over_200k.{f}"), t.get(f));
                tiers.push(ContextTier {
                    above_tokens: 200_000,
                    input: tier("input")?,
                    cached_input: tier("cache_read")?,
                    cache_write: tier("cache_write")?,
                    output: tier("output")?,
                });
            }
            let limit = model.get("limit");
            rows.push(PriceRow {
                provider: provider.clone(),
                model: model_id.clone(),
                input,
                cached_input: rate("cache_read")?,
                output,
                context_window: count(limit.and_then(|l| l.get("input")))
                    .or_else(|| count(limit.and_then(|l| l.get("context")))),
                max_output_tokens: count(limit.and_then(|l| l.get("output"))),
                cache_write: rate("cache_write")?,
                reasoning: rate("reasoning")?,
                tiers,
                ..PriceRow::default()
            });
        }
    }
    Ok(rows)
}
