//! LiteLLM's price map (`model_prices_and_context_window.json`, MIT) as temper price rows: the
//! embedded snapshot is read with it, and so is a newer file given to `temper prices update`.
//!
//! Per entry temper reads the per-token prices (input, output, cache read, cache creation incl.
//! the 1-hour rate, reasoning), the long-context tiers above 200k and 272k tokens, the batch
//! rates, `max_input_tokens` (the context window) and `max_output_tokens`; entries whose `mode`
//! is not chat, completion or responses, or that lack an input or output price, are skipped.

use super::table::{BatchRates, ContextTier, PriceRow};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
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

/// Parse LiteLLM JSON text into rows, one per provider and model (the first key in sorted
/// order wins when two spell the same model); an error names the entry and field.
///
/// Each entry is read into [`Entry`], the fields temper prices with, straight from the text:
/// the other fields are skipped unparsed, so the embedded snapshot decodes in a fraction of
/// the time a JSON value per entry took (it is on the start-up path of every `temper run`).
pub fn rows_from_json(text: &str) -> Result<Vec<PriceRow>, String> {
    let entries = serde_json::from_str::<Entries>(text)
        .map_err(|e| format!("line {}:{}: {e}", e.line(), e.column()))?;
    let mut entries = entries.0;
    // A JSON object's keys in sorted order, the last of a repeated key winning, as a map would.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (i, (key, entry)) in entries.iter().enumerate() {
        let repeated = entries.get(i + 1).is_some_and(|next| next.0 == *key);
        let Some(entry) = entry.as_ref().filter(|_| !repeated) else {
            continue;
        };
        let Some(row) = row_from_entry(key, entry)? else {
            continue;
        };
        if seen.insert(row.key().to_ascii_lowercase()) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The fields of an entry temper reads; every other field is skipped without being parsed.
const FIELDS: [&str; 22] = [
    "mode",
    "litellm_provider",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "input_cost_per_token_cache_hit",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "output_cost_per_reasoning_token",
    "input_cost_per_token_above_200k_tokens",
    "cache_read_input_token_cost_above_200k_tokens",
    "cache_creation_input_token_cost_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "input_cost_per_token_above_272k_tokens",
    "cache_read_input_token_cost_above_272k_tokens",
    "cache_creation_input_token_cost_above_272k_tokens",
    "output_cost_per_token_above_272k_tokens",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "cache_read_input_token_cost_batches",
    "max_input_tokens",
    "max_output_tokens",
];

/// Long-context tiers: the threshold, then the input, cache read, cache write and output fields.
const TIERS: [(u64, [&str; 4]); 2] = [
    (200_000, [FIELDS[9], FIELDS[10], FIELDS[11], FIELDS[12]]),
    (272_000, [FIELDS[13], FIELDS[14], FIELDS[15], FIELDS[16]]),
];

/// One entry's fields of [`FIELDS`] that are present, each as its JSON value.
#[derive(Default)]
struct Entry(Vec<(&'static str, Value)>);

impl Entry {
    fn get(&self, field: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, v)| v)
    }
}

/// The top-level object in file order: each key with its entry (`None` when not an object).
struct Entries(Vec<(String, Option<Entry>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object of model name -> prices")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(4096));
        while let Some(key) = map.next_key::<String>()? {
            let MaybeEntry(entry) = map.next_value()?;
            out.push((key, entry));
        }
        Ok(Entries(out))
    }
}

/// An entry's value: an object is read as an [`Entry`]; anything else is skipped.
struct MaybeEntry(Option<Entry>);

impl<'de> Deserialize<'de> for MaybeEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeEntryVisitor)
    }
}

struct MaybeEntryVisitor;

impl<'de> Visitor<'de> for MaybeEntryVisitor {
    type Value = MaybeEntry;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an entry of prices")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeEntry, A::Error> {
        let mut entry = Entry::default();
        while let Some(FieldName(name)) = map.next_key()? {
            match name {
                Some(name) => entry.0.push((name, map.next_value()?)),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(MaybeEntry(Some(entry)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeEntry, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MaybeEntry(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }

    fn visit_str<E>(self, _: &str) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }

    fn visit_unit<E>(self) -> Result<MaybeEntry, E> {
        Ok(MaybeEntry(None))
    }
}

/// A field name of an entry: which of [`FIELDS`] it is, matched without allocating.
struct FieldName(Option<&'static str>);

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(FieldNameVisitor)
    }
}

struct FieldNameVisitor;

impl Visitor<'_> for FieldNameVisitor {
    type Value = FieldName;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<FieldName, E> {
        Ok(FieldName(FIELDS.iter().find(|f| **f == v).copied()))
    }
}

fn row_from_entry(key: &str, e: &Entry) -> Result<Option<PriceRow>, String> {
    let mode = e.get("mode").and_then(Value::as_str).unwrap_or("");
    if key == "sample_spec" || !MODES.contains(&mode) {
        return Ok(None);
    }
    let price = |field: &str| per_million(key, e.get(field), field);
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
    for (above_tokens, [input, cached_input, cache_write, output]) in TIERS {
        let tier = ContextTier {
            above_tokens,
            input: price(input)?,
            cached_input: price(cached_input)?,
            cache_write: price(cache_write)?,
            output: price(output)?,
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
fn per_million(key: &str, value: Option<&Value>, field: &str) -> Result<Option<f64>, String> {
    match value {
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
#[path = "litellm_tests.rs"]
mod tests;
