//! Price overrides: the config's `[prices]` and `--prices FILE` (temper TOML or LiteLLM JSON).
//!
//! temper TOML (the config's `[prices]` has the same tables):
//! ```toml
//! as_of = "2026-01-15"            # optional, shown to the user
//! source = "our contract"         # optional
//! [prices."openai:gpt-4o"]        # provider:model, or a bare model name
//! input = 2.0                     # USD per 1M input tokens
//! cached_input = 1.0              # USD per 1M cached input tokens (optional)
//! output = 8.0                    # USD per 1M output tokens
//! context_window = 128000         # optional
//! ```
//! A key that names a built-in row may set only some fields; any other key needs input and
//! output. LiteLLM JSON maps a model to `input_cost_per_token`, `output_cost_per_token`,
//! `cache_read_input_token_cost` (USD per token) and `max_input_tokens`.

use super::table::{PriceOrigin, PriceRow, valid_price};
use serde::{Deserialize, Deserializer, de::Error as _};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

/// Why prices could not be loaded or a model could not be priced.
#[derive(Debug, Error)]
pub enum PriceError {
    #[error("cannot read price file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    File {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config [prices.\"{key}\"]: {message}")]
    Config { key: String, message: String },
    #[error("{origin} [prices.\"{key}\"]: {message}")]
    Incomplete {
        origin: PriceOrigin,
        key: String,
        message: String,
    },
    #[error(
        "model {name:?} matches {} rows: {}; write it as provider:model, e.g. {}",
        .candidates.len(),
        .candidates.join(", "),
        .candidates.first().map(String::as_str).unwrap_or("openai:gpt-4o")
    )]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    #[error("the embedded price table is broken at {0}")]
    Table(String),
}

/// One override: any field it leaves out comes from the built-in row of the same model.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePatch {
    /// As written by the user (`openai:gpt-4o` or `gpt-4o`).
    pub key: String,
    pub provider: Option<String>,
    pub model: String,
    pub fields: PatchFields,
    pub origin: PriceOrigin,
}

/// The price fields a user may set; unknown keys are rejected with the list of these.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchFields {
    #[serde(default, deserialize_with = "price")]
    pub input: Option<f64>,
    #[serde(default, deserialize_with = "price")]
    pub cached_input: Option<f64>,
    #[serde(default, deserialize_with = "price")]
    pub output: Option<f64>,
    #[serde(default)]
    pub context_window: Option<u64>,
}

/// Metadata of a price file, shown with the estimate.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FileInfo {
    pub path: String,
    pub as_of: Option<String>,
    pub source: Option<String>,
}

fn price<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = f64::deserialize(d)?;
    if !valid_price(value) {
        return Err(D::Error::custom(format!(
            "{value} is not a price: use a finite number ≥ 0 (USD per 1M tokens)"
        )));
    }
    Ok(Some(value))
}

/// Split `provider:model`; a key without a plain-identifier prefix is a bare model name.
pub(crate) fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once(':') {
        Some((p, m)) if super::tokens::is_provider_like(p) && !m.is_empty() => (Some(p), m),
        _ => (None, key),
    }
}

fn patch(key: &str, fields: PatchFields, origin: PriceOrigin) -> PricePatch {
    let (provider, model) = split_key(key);
    PricePatch {
        key: key.to_string(),
        provider: provider.map(str::to_string),
        model: model.to_string(),
        fields,
        origin,
    }
}

/// The config file's `[prices]` tables as patches.
pub fn from_config(prices: &BTreeMap<String, toml::Table>) -> Result<Vec<PricePatch>, PriceError> {
    prices
        .iter()
        .map(|(key, table)| {
            let fields =
                PatchFields::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
                    PriceError::Config {
                        key: key.clone(),
                        message: e.message().to_string(),
                    }
                })?;
            Ok(patch(key, fields, PriceOrigin::Config))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlPriceFile {
    as_of: Option<String>,
    source: Option<String>,
    #[serde(default)]
    prices: BTreeMap<String, PatchFields>,
}

/// A `--prices FILE`: LiteLLM-style JSON when it starts with `{`, else temper TOML.
pub fn load_file(path: &Path) -> Result<(FileInfo, Vec<PricePatch>), PriceError> {
    let shown = path.display().to_string();
    let text = crate::fsio::read_text(path).map_err(|source| PriceError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_file(&text, &shown)
}

/// Parse price file text; `path` names it in errors and in the origin of its rows.
pub fn parse_file(text: &str, path: &str) -> Result<(FileInfo, Vec<PricePatch>), PriceError> {
    if text.trim_start().starts_with('{') {
        return parse_litellm(text, path);
    }
    let origin = PriceOrigin::File(path.to_string());
    let file: TomlPriceFile = toml::from_str(text).map_err(|e| {
        let (line, column) = crate::toml_error::position(text, &e);
        PriceError::File {
            path: path.to_string(),
            line,
            column,
            message: format!(
                "{} (a price file has optional as_of and source, then [prices.\"provider:model\"] tables with input, cached_input, output, context_window)",
                e.message().trim_end()
            ),
        }
    })?;
    let patches = file
        .prices
        .into_iter()
        .map(|(key, fields)| patch(&key, fields, origin.clone()))
        .collect();
    let info = FileInfo {
        path: path.to_string(),
        as_of: file.as_of,
        source: file.source,
    };
    Ok((info, patches))
}

/// A LiteLLM `model_prices_and_context_window.json` entry; other fields are ignored.
#[derive(Deserialize)]
struct LiteLlmEntry {
    #[serde(default, deserialize_with = "price")]
    input_cost_per_token: Option<f64>,
    #[serde(default, deserialize_with = "price")]
    output_cost_per_token: Option<f64>,
    #[serde(default, deserialize_with = "price")]
    cache_read_input_token_cost: Option<f64>,
    #[serde(default)]
    max_input_tokens: Option<serde_json::Value>,
    #[serde(default)]
    litellm_provider: Option<String>,
}

/// LiteLLM's provider names, as temper names the same providers.
fn temper_provider(litellm: &str) -> &str {
    match litellm {
        "gemini" => "google",
        "together_ai" => "together",
        other => other,
    }
}

fn per_million(per_token: f64) -> f64 {
    // 2.5e-06 * 1e6 is 2.4999999999999996 in binary: round to a nano-dollar per 1M tokens.
    (per_token * 1e6 * 1e9).round() / 1e9
}

fn parse_litellm(text: &str, path: &str) -> Result<(FileInfo, Vec<PricePatch>), PriceError> {
    let entries: BTreeMap<String, LiteLlmEntry> =
        serde_json::from_str(text).map_err(|e| PriceError::File {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        })?;
    let origin = PriceOrigin::File(path.to_string());
    let mut patches = Vec::new();
    for (key, entry) in entries {
        // Entries without both token prices (images, audio, LiteLLM's sample_spec) are skipped.
        let (Some(input), Some(output)) = (entry.input_cost_per_token, entry.output_cost_per_token)
        else {
            continue;
        };
        if key == "sample_spec" {
            continue;
        }
        let provider = entry.litellm_provider.as_deref().map(temper_provider);
        let model = match (provider, key.split_once('/')) {
            (Some(p), Some((prefix, rest))) if temper_provider(prefix) == p => rest,
            _ => key.as_str(),
        };
        let fields = PatchFields {
            input: Some(per_million(input)),
            cached_input: entry.cache_read_input_token_cost.map(per_million),
            output: Some(per_million(output)),
            context_window: entry.max_input_tokens.and_then(|v| v.as_u64()),
        };
        let key = match provider {
            Some(p) => format!("{p}:{model}"),
            None => model.to_string(),
        };
        patches.push(patch(&key, fields, origin.clone()));
    }
    let info = FileInfo {
        path: path.to_string(),
        as_of: None,
        source: Some("LiteLLM-style JSON".to_string()),
    };
    Ok((info, patches))
}

/// A patch over an optional base row. `add_layer` guarantees a patch without a base is complete.
/// A patch that changes the input or output price drops the base's tiers, cache-write,
/// reasoning and batch rates: they were quoted against the old prices.
pub(super) fn merge(base: Option<&PriceRow>, patch: &PricePatch) -> PriceRow {
    let f = &patch.fields;
    let keeps_rates = f.input.is_none() && f.output.is_none();
    let extra = base.filter(|_| keeps_rates).cloned().unwrap_or_default();
    PriceRow {
        provider: patch
            .provider
            .clone()
            .or_else(|| base.map(|b| b.provider.clone()))
            .unwrap_or_default(),
        model: base.map_or_else(|| patch.model.clone(), |b| b.model.clone()),
        aliases: base.map(|b| b.aliases.clone()).unwrap_or_default(),
        input: f.input.or(base.map(|b| b.input)).unwrap_or(0.0),
        cached_input: f.cached_input.or(base.and_then(|b| b.cached_input)),
        output: f.output.or(base.map(|b| b.output)).unwrap_or(0.0),
        context_window: f.context_window.or(base.and_then(|b| b.context_window)),
        max_output_tokens: base.and_then(|b| b.max_output_tokens),
        cache_write: extra.cache_write,
        cache_write_1h: extra.cache_write_1h,
        reasoning: extra.reasoning,
        tiers: extra.tiers,
        batch: extra.batch,
        origin: patch.origin.clone(),
    }
}

#[cfg(test)]
#[path = "overrides_tests.rs"]
mod tests;
