//! What one call of a cell costs: the model's pricing, the request's exact input tokens, the
//! upper bound of its output tokens, and so the most a single call can cost. The runner prices
//! every answered sample with it and the spend guard reserves the worst case before each call.

use super::PreparedCell;
use crate::cost::{PriceBook, Pricing, TokenCount, Usage, count_request, rough_count_request};
use crate::provider::{Response, UsageSource, estimate_input, estimate_output};
use serde::Serialize;

/// Where a call's output-token bound comes from, tightest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputBound {
    /// The request's `max_tokens`.
    MaxTokens,
    /// No `max_tokens`: the model's context window minus the input (a loose bound).
    ContextWindow,
    /// No `max_tokens` and no known context window: output cost has no bound.
    Unbounded,
}

/// Pricing of one cell, computed once before the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellPrice {
    /// `provider:model` as the variant names it.
    pub model: String,
    pub pricing: Pricing,
    /// Why the model could not be priced, when the lookup itself failed (ambiguous alias).
    pub lookup_error: Option<String>,
    /// Input tokens of one call (exact for OpenAI models, else marked estimated).
    pub input: TokenCount,
    /// Most output tokens one call can produce, when bounded.
    pub max_output: Option<u64>,
    pub bound: OutputBound,
    /// Most one call can cost; `None` when unpriced. When the output is unbounded this is the
    /// input cost alone.
    pub worst_usd: Option<f64>,
}

impl CellPrice {
    /// Price `cell` with `book`; without a book every model is unpriced.
    pub fn of(cell: &PreparedCell, book: Option<&PriceBook>) -> CellPrice {
        let model = cell_model(cell);
        let request = &cell.request;
        let unpriced = || Pricing::Unpriced {
            model: model.clone(),
        };
        let (pricing, lookup_error) = match book.map(|b| b.lookup(&model)) {
            Some(Ok(p)) => (p, None),
            Some(Err(e)) => (unpriced(), Some(e.to_string())),
            None => (unpriced(), Some("no price book".into())),
        };
        // Only a priced model's spend depends on the exact count; any other is counted
        // roughly, so a run on a local or unpriced model never loads a BPE table.
        let count = match pricing {
            Pricing::Priced { .. } => count_request,
            _ => rough_count_request,
        };
        let input = count(
            &model,
            &request.messages,
            &request.tools,
            request.params.response_schema.as_ref(),
        );
        let (max_output, bound) = match (request.params.max_tokens, pricing.context_window()) {
            (Some(n), _) => (Some(u64::from(n)), OutputBound::MaxTokens),
            (None, Some(window)) => (
                Some(window.saturating_sub(input.tokens)),
                OutputBound::ContextWindow,
            ),
            (None, None) => (None, OutputBound::Unbounded),
        };
        let worst_usd = pricing.cost_usd(&Usage {
            input: input.tokens,
            cached: 0,
            output: max_output.unwrap_or(0),
        });
        CellPrice {
            model,
            pricing,
            lookup_error,
            input,
            max_output,
            bound,
            worst_usd,
        }
    }

    /// Cost of a call that used `usage`; `None` when the model is unpriced.
    pub fn cost_usd(&self, usage: &crate::provider::Usage) -> Option<f64> {
        let n = |v: i64| v.max(0) as u64;
        self.pricing.cost_usd(&Usage {
            input: n(usage.input),
            cached: n(usage.cached),
            output: n(usage.output),
        })
    }

    /// Whether this cell's spend can be tallied (a price is known, even if it is $0).
    pub fn is_priced(&self) -> bool {
        !matches!(self.pricing, Pricing::Unpriced { .. })
    }
}

/// The model a prepared cell calls: the `model` field of its variant JSON.
pub fn cell_model(cell: &PreparedCell) -> String {
    serde_json::from_str::<serde_json::Value>(&cell.new_cell.variant_json)
        .ok()
        .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| cell.new_cell.variant_name.clone())
}

/// Count usage with the tokenizer when the provider reported none (a server that leaves
/// `usage` out), so every answer carries token counts; the source stays `estimated`.
pub(crate) fn fill_missing_usage(response: &mut Response, request: &crate::provider::Request) {
    let empty = response.usage == crate::provider::Usage::default();
    if response.usage_source == UsageSource::Estimated && empty {
        response.usage.input = estimate_input(request);
        response.usage.output =
            estimate_output(&request.model, &response.text, &response.tool_calls);
    }
}
