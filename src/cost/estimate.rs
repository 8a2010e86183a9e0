//! Estimate before running (`temper cost`): exact input tokens of the rendered prompt, expected
//! output tokens, cost per call, per day and per 30 days, context headroom, and the cheapest
//! model whose past runs met the stability bar.

use super::bill::{Bill, CallTokens};
use super::book::{PriceBook, Pricing};
use super::history::ModelHistory;
use super::money::{Projection, Usage, project};
use super::overrides::{FileInfo, PriceError};
use super::table::TableInfo;
use super::tokens::{TokenCount, count_request};
use crate::prompt::{PromptBody, RenderError, render};
use serde::Serialize;
use std::collections::BTreeMap;
use thiserror::Error;

/// Why an estimate could not be made.
#[derive(Debug, Error)]
pub enum EstimateError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Price(#[from] PriceError),
    #[error("--cached-fraction must be between 0 and 1, got {0}")]
    CachedFraction(f64),
    #[error("name at least one model: --model provider:model (e.g. --model openai:gpt-4o-mini)")]
    NoModels,
}

/// What to estimate.
#[derive(Debug, Clone)]
pub struct EstimateRequest<'a> {
    pub body: &'a PromptBody,
    pub vars: BTreeMap<String, String>,
    pub models: Vec<String>,
    /// Expected output tokens given by the user; else past samples, else `max_tokens`.
    pub output_tokens: Option<u64>,
    pub calls_per_day: u64,
    /// Share of input tokens served from the provider's prompt cache (0..=1).
    pub cached_fraction: f64,
    /// Stability a model's past runs must reach to be recommended (0..=1).
    pub min_stability: f64,
    /// Price at the batch API's rates where the model has them.
    pub batch: bool,
    /// Per model, the input tokens its provider counted (`temper cost --exact`) and how, or
    /// why it could not; models without an entry are counted offline.
    pub exact: BTreeMap<String, ExactCount>,
}

/// What `--exact` found for one model: the provider's count, or why the offline estimate stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExactCount {
    /// Counted by the provider (`by`: e.g. Anthropic count_tokens).
    Counted { tokens: u64, by: String },
    /// Not counted: why; the estimate is used.
    Unavailable { why: String },
}

/// Where the expected output token count came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutputSource {
    /// `--output-tokens`.
    Flag,
    /// Median (p50) of past answered samples of this prompt version and model; `p95` is their
    /// 95th percentile, projected beside it.
    PastSamples { samples: usize, p95: u64 },
    /// The prompt's `max_tokens`: an upper bound.
    MaxTokens,
    /// Nothing to go on: output is counted as 0, so the cost is a lower bound.
    Unknown,
}

impl OutputSource {
    /// Short wording for tables.
    pub fn describe(&self) -> String {
        match self {
            OutputSource::Flag => "--output-tokens".into(),
            OutputSource::PastSamples { samples, p95 } => {
                format!("p50 of {samples} past samples (p95 {p95})")
            }
            OutputSource::MaxTokens => "max_tokens, upper bound".into(),
            OutputSource::Unknown => "unknown: pass --output-tokens".into(),
        }
    }
}

/// The estimate for one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEstimate {
    pub model: String,
    pub input_tokens: TokenCount,
    /// `--exact`: the provider's count (then `input_tokens` is it) or why there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<ExactCount>,
    pub cached_tokens: u64,
    pub output_tokens: u64,
    pub output_source: OutputSource,
    pub pricing: Pricing,
    /// `None` when the model is unpriced.
    pub projection: Option<Projection>,
    /// The projection at the past samples' p95 output tokens, when there are past samples.
    pub projection_p95: Option<Projection>,
    /// The rates one call used, line by line (`temper cost --explain`); priced models only.
    pub bill: Option<Bill>,
    /// Rows that price this model under another provider, when it is unpriced as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub did_you_mean: Vec<String>,
    pub context_window: Option<u64>,
    /// Context window minus input and expected output tokens (negative: it does not fit).
    pub headroom_tokens: Option<i64>,
    /// Worst-cell stability of past runs, when there are any.
    pub stability: Option<f64>,
    pub past_samples: usize,
    pub cheapest_stable: bool,
}

/// The whole estimate, with the price table's date and sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub calls_per_day: u64,
    pub cached_fraction: f64,
    pub min_stability: f64,
    pub batch: bool,
    pub models: Vec<ModelEstimate>,
    /// The cheapest priced model whose past runs reached `min_stability`.
    pub cheapest_stable: Option<String>,
    pub warnings: Vec<String>,
    pub table: TableInfo,
    pub price_files: Vec<FileInfo>,
}

/// Estimate every model of `request`; `history` maps model to what past runs measured.
pub fn estimate(
    request: &EstimateRequest<'_>,
    book: &PriceBook,
    history: &BTreeMap<String, ModelHistory>,
) -> Result<Estimate, EstimateError> {
    if request.models.is_empty() {
        return Err(EstimateError::NoModels);
    }
    let f = request.cached_fraction;
    if !(0.0..=1.0).contains(&f) {
        return Err(EstimateError::CachedFraction(f));
    }
    let rendered = render(request.body, &request.vars)?;
    let params = &request.body.params;
    let mut models = Vec::new();
    for model in &request.models {
        let mut input = count_request(
            model,
            &rendered.messages,
            &request.body.tools,
            params.response_schema.as_ref(),
        );
        let exact = request.exact.get(model).cloned();
        if let Some(ExactCount::Counted { tokens, .. }) = &exact {
            input.tokens = *tokens;
            input.estimated = false;
        }
        let past = find_history(history, model);
        let (output_tokens, output_source) = expected_output(request, params.max_tokens, past);
        let pricing = book.lookup(model)?;
        let cached_tokens = (input.tokens as f64 * f).round() as u64;
        let call = |output: u64| {
            CallTokens::from(Usage {
                input: input.tokens,
                cached: cached_tokens,
                output,
            })
        };
        let per_call = |output: u64| call_usd(&pricing, &call(output), request.batch);
        let projection = per_call(output_tokens).map(|c| project(c, request.calls_per_day));
        let projection_p95 = match output_source {
            OutputSource::PastSamples { p95, .. } => {
                per_call(p95).map(|c| project(c, request.calls_per_day))
            }
            _ => None,
        };
        let bill = match &pricing {
            Pricing::Priced { row } => Some(row.bill(&call(output_tokens), request.batch)),
            _ => None,
        };
        let bill = bill.map(|mut b| {
            let rule = book
                .loopback_rule(model)
                .map(|r| format!("loopback URL: {r}"));
            b.notes.extend(rule);
            b
        });
        let did_you_mean = match pricing {
            Pricing::Unpriced { .. } => book.did_you_mean(model),
            _ => Vec::new(),
        };
        let context_window = pricing.context_window();
        models.push(ModelEstimate {
            model: model.clone(),
            input_tokens: input,
            exact,
            cached_tokens,
            output_tokens,
            output_source,
            headroom_tokens: context_window
                .map(|w| w as i64 - input.tokens as i64 - output_tokens as i64),
            context_window,
            pricing,
            projection,
            projection_p95,
            bill,
            did_you_mean,
            stability: past.and_then(|h| h.stability),
            past_samples: past.map_or(0, |h| h.samples),
            cheapest_stable: false,
        });
    }
    let cheapest = models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.stability.is_some_and(|s| s >= request.min_stability))
        .filter_map(|(i, m)| m.projection.map(|p| (i, p.per_call_usd)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    if let Some(m) = cheapest.and_then(|i| models.get_mut(i)) {
        m.cheapest_stable = true;
    }
    Ok(Estimate {
        calls_per_day: request.calls_per_day,
        cached_fraction: f,
        min_stability: request.min_stability,
        batch: request.batch,
        cheapest_stable: cheapest
            .and_then(|i| models.get(i))
            .map(|m| m.model.clone()),
        models,
        warnings: rendered.warnings,
        table: book.table_info().clone(),
        price_files: book.files().to_vec(),
    })
}

/// The history of `model`, matched exactly, then case-insensitively.
fn find_history<'a>(
    history: &'a BTreeMap<String, ModelHistory>,
    model: &str,
) -> Option<&'a ModelHistory> {
    history.get(model).or_else(|| {
        history
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(model))
            .map(|(_, v)| v)
    })
}

fn expected_output(
    request: &EstimateRequest<'_>,
    max_tokens: Option<u32>,
    past: Option<&ModelHistory>,
) -> (u64, OutputSource) {
    if let Some(n) = request.output_tokens {
        return (n, OutputSource::Flag);
    }
    if let Some(h) = past
        && let (Some(p50), Some(p95)) = (h.p50_output_tokens, h.p95_output_tokens)
    {
        let samples = h.samples;
        return (p50, OutputSource::PastSamples { samples, p95 });
    }
    match max_tokens {
        Some(n) => (u64::from(n), OutputSource::MaxTokens),
        None => (0, OutputSource::Unknown),
    }
}

/// One call's cost in USD: the row's bill (tier, cache, batch), $0 when local, `None` unpriced.
fn call_usd(pricing: &Pricing, tokens: &CallTokens, batch: bool) -> Option<f64> {
    match pricing {
        Pricing::Priced { row } => Some(row.call_micro_usd(tokens, batch) / 1e6),
        Pricing::Local { .. } => Some(0.0),
        Pricing::Unpriced { .. } => None,
    }
}
