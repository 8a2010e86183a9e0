//! Which cost to show for an LLM span: the one the file recorded (`llm.cost.total`, Langfuse
//! `calculatedTotalCost`, …) always wins; only where it is missing is it estimated from the
//! tokens by a price function (the CLI passes the cost module's price book), and labelled so.

use super::model::{Span, SpanKind, Usage};
use super::tree::Trace;
use serde::Serialize;

/// Where a span's cost came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostSource {
    /// Recorded in the trace file.
    File,
    /// Computed by temper from the recorded tokens and its price table.
    PriceTable,
}

/// The cost shown for one span.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpanCost {
    pub usd: f64,
    pub source: CostSource,
}

/// Cost per span (same indices as `trace.spans`): see `span_cost`.
pub fn span_costs(
    trace: &Trace,
    price: &dyn Fn(&str, &Usage) -> Option<f64>,
) -> Vec<Option<SpanCost>> {
    trace.spans.iter().map(|s| span_cost(s, price)).collect()
}

/// The cost shown for one span: the file's, else `price(model, usage)` for LLM and embedding
/// spans with a model and token counts, else None.
pub fn span_cost(s: &Span, price: &dyn Fn(&str, &Usage) -> Option<f64>) -> Option<SpanCost> {
    if let Some(usd) = s.cost.filter(|c| c.is_finite()) {
        return Some(SpanCost {
            usd,
            source: CostSource::File,
        });
    }
    if !matches!(s.kind, SpanKind::Llm | SpanKind::Embedding) {
        return None;
    }
    let usd = price(s.model.as_deref()?, s.usage.as_ref()?)?;
    Some(SpanCost {
        usd,
        source: CostSource::PriceTable,
    })
}

/// The spans whose cost makes up the trace's total: every model request and embedding, and an
/// LLM span that wraps requests (agno's `OpenAIChat.invoke`, Vercel's `ai.generateText`) only
/// when no LLM span under it has a cost, since otherwise it repeats theirs.
/// O(n) whatever the depth (bottom-up counts, no walk below each span).
pub fn billed_spans(trace: &Trace, costs: &[Option<SpanCost>]) -> Vec<usize> {
    let llm_below = trace.llm_below();
    let costed_below = trace.count_below(|d| {
        trace.spans[d].kind == SpanKind::Llm && costs.get(d).is_some_and(Option::is_some)
    });
    (0..trace.spans.len())
        .filter(|&i| match trace.spans[i].kind {
            SpanKind::Embedding => true,
            SpanKind::Llm => llm_below[i] == 0 || costed_below[i] == 0,
            _ => false,
        })
        .collect()
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
