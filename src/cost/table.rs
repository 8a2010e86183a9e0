//! The embedded, dated price table (`prices.toml`) and how a model name finds its row.
//!
//! A name matches a row by its API id or one of its aliases (case-insensitive); failing that,
//! a dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`, `mistral-large-2411`,
//! `…-latest`) matches the row of its undated name, and a vendor path (`openai/gpt-4o` on a
//! router) matches the row of its last segment. An exact row beats a stripped one, so
//! `gpt-4o-2024-05-13` keeps its own launch price.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The embedded table's text, compiled into the binary.
pub const EMBEDDED_TABLE: &str = include_str!("prices.toml");

/// Where a price came from, so a user can tell a list price from their own override.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceOrigin {
    /// The embedded table.
    #[default]
    Table,
    /// The config file's `[prices]`.
    Config,
    /// A `--prices FILE`.
    File(String),
}

impl std::fmt::Display for PriceOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PriceOrigin::Table => write!(f, "table"),
            PriceOrigin::Config => write!(f, "config"),
            PriceOrigin::File(path) => write!(f, "{path}"),
        }
    }
}

/// One priced model. Prices are USD per 1M tokens (= micro-dollars per token). Beyond input,
/// cached input and output, a row may know how its provider bills the rest: cache writes,
/// reasoning tokens, long-context tiers and the batch discount (see [`super::bill`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRow {
    pub provider: String,
    pub model: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub input: f64,
    /// Price of a cache hit; `None` bills cached tokens as input.
    #[serde(default)]
    pub cached_input: Option<f64>,
    pub output: f64,
    /// Input tokens the model accepts (LiteLLM's `max_input_tokens`).
    #[serde(default)]
    pub context_window: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Price of a prompt-cache write (Anthropic's 5-minute cache); `None` bills writes as input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<f64>,
    /// Price of a 1-hour prompt-cache write; `None` bills them as 5-minute writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_1h: Option<f64>,
    /// Price of reasoning tokens when billed apart from output; `None` bills them as output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<f64>,
    /// Rates that apply when a prompt is longer than a threshold, lowest threshold first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<ContextTier>,
    /// The batch API's rates, when the provider offers one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchRates>,
    #[serde(skip_deserializing, default = "table_origin")]
    pub origin: PriceOrigin,
}

/// Rates above a prompt length (`input_cost_per_token_above_200k_tokens` and friends): a field
/// left out keeps the base rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextTier {
    /// The tier applies when the prompt's input tokens exceed this.
    pub above_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<f64>,
}

/// Batch API rates (usually half the standard ones); a cached price left out is derived from
/// the standard cached price by the same discount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRates {
    pub input: f64,
    pub output: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_input: Option<f64>,
}

fn table_origin() -> PriceOrigin {
    PriceOrigin::Table
}

impl PriceRow {
    /// `provider:model`, the unambiguous name of the row.
    pub fn key(&self) -> String {
        format!("{}:{}", self.provider, self.model)
    }

    /// Whether `name` is this row's model id or one of its aliases (case-insensitive).
    pub fn answers_to(&self, name: &str) -> bool {
        self.model.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// The table's date and sources, shown next to every estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInfo {
    pub as_of: String,
    pub note: String,
    pub sources: BTreeMap<String, String>,
    /// The stored table file when `temper prices update` put one in force (else built-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(flatten)]
    info: TableInfo,
    models: Vec<PriceRow>,
}

/// Parse a table in the `prices.toml` format; errors name the line.
pub fn parse_table(text: &str) -> Result<(TableInfo, Vec<PriceRow>), String> {
    let file: TableFile = toml::from_str(text).map_err(|e| crate::toml_error::located(text, &e))?;
    for row in &file.models {
        for (what, value) in [
            ("input", Some(row.input)),
            ("cached_input", row.cached_input),
            ("output", Some(row.output)),
        ] {
            if let Some(v) = value.filter(|v| !valid_price(*v)) {
                return Err(format!("{}: {what} = {v} is not a price", row.key()));
            }
        }
    }
    Ok((file.info, file.models))
}

/// A price is finite and not negative.
pub fn valid_price(value: f64) -> bool {
    value.is_finite() && value >= 0.0
}

/// The names to try for `model`, most specific first: as written, without a snapshot date,
/// without a vendor path, and without both.
pub fn name_variants(model: &str) -> Vec<&str> {
    let last = model.rsplit('/').next().unwrap_or(model);
    let mut names = vec![model];
    names.extend(strip_snapshot(model));
    names.push(last);
    names.extend(strip_snapshot(last));
    names.dedup();
    names
}

/// `gpt-4o-2024-08-06` -> `gpt-4o`, `claude-3-5-haiku-20241022` -> `claude-3-5-haiku`,
/// `gpt-4-0613` -> `gpt-4`, `mistral-large-latest` -> `mistral-large`.
pub fn strip_snapshot(name: &str) -> Option<&str> {
    if let Some(base) = name.strip_suffix("-latest") {
        return Some(base).filter(|b| !b.is_empty());
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // -YYYY-MM-DD
    if name.len() > 11 {
        let cut = name.len() - 11;
        if let (Some(base), Some(tail)) = (name.get(..cut), name.get(cut..)) {
            let parts: Vec<&str> = tail.split('-').collect();
            if let ["", y, m, d] = parts.as_slice()
                && y.len() == 4
                && m.len() == 2
                && d.len() == 2
                && digits(y)
                && digits(m)
                && digits(d)
            {
                return Some(base);
            }
        }
    }
    // -YYYYMMDD or -MMDD / -YYMM
    let (base, tail) = name.rsplit_once('-')?;
    (digits(tail) && (tail.len() == 8 || tail.len() == 4) && !base.is_empty()).then_some(base)
}

/// Rows of `rows` that `name` matches, restricted to `provider` when given. The first name
/// variant with any match decides, so a more specific match always wins.
pub fn find_rows<'a>(
    rows: &'a [PriceRow],
    provider: Option<&str>,
    model: &str,
) -> Vec<&'a PriceRow> {
    for name in name_variants(model) {
        let hits: Vec<&PriceRow> = rows
            .iter()
            .filter(|r| provider.is_none_or(|p| r.provider.eq_ignore_ascii_case(p)))
            .filter(|r| r.answers_to(name))
            .collect();
        if !hits.is_empty() {
            return hits;
        }
    }
    Vec::new()
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
