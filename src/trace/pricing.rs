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
mod tests {
    use super::*;
    use crate::trace::{Format, SpanExtra};

    #[test]
    fn file_cost_wins_and_estimates_are_labelled() {
        let llm = |id: &str, cost: Option<f64>| {
            Span {
                id: id.into(),
                kind: SpanKind::Llm,
                model: Some("m".into()),
                ..Span::default()
            }
            .with_extra(SpanExtra {
                usage: Some(Usage {
                    prompt_tokens: Some(1000),
                    completion_tokens: Some(10),
                    total_tokens: None,
                }),
                cost,
                ..SpanExtra::default()
            })
        };
        let tool = Span {
            id: "t".into(),
            kind: SpanKind::Tool,
            ..Span::default()
        };
        let t = Trace::build(
            Format::TemperJsonl,
            vec![llm("a", Some(0.5)), llm("b", None), tool],
            vec![],
        );
        let price = |_: &str, u: &Usage| Some(u.prompt_tokens.unwrap_or(0) as f64 * 1e-6);
        let costs = span_costs(&t, &price);
        assert_eq!(
            costs[0],
            Some(SpanCost {
                usd: 0.5,
                source: CostSource::File
            })
        );
        assert_eq!(
            costs[1],
            Some(SpanCost {
                usd: 0.001,
                source: CostSource::PriceTable
            })
        );
        assert_eq!(costs[2], None);
    }
}
