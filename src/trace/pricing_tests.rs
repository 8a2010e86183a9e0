//! Unit tests of `pricing.rs` (kept beside it so the module reads without them).

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
