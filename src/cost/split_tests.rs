//! Unit tests of `split.rs` (kept beside it so the module reads without them).

use super::*;

fn row(model: &str, input: u64, cached: u64, output: u64) -> ModelTokens {
    ModelTokens {
        model: model.into(),
        samples: 10,
        input_tokens: input,
        cached_tokens: cached,
        output_tokens: output,
        stored_cost_usd: None,
    }
}

#[test]
fn parts_are_priced_at_the_models_rates() {
    let book = PriceBook::builtin().unwrap();
    let split = price(
        &row("openai:gpt-4o-mini", 3_000_000, 1_000_000, 1_000_000),
        &book,
    );
    assert_eq!(split.input_tokens, 2_000_000);
    assert_eq!(split.cached_tokens, 1_000_000);
    // gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M.
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
    assert!(close(split.input_usd, 0.30), "{split:?}");
    assert!(close(split.cached_usd, 0.075), "{split:?}");
    assert!(close(split.output_usd, 0.60), "{split:?}");
    assert!(close(split.total_usd, 0.975));
}

#[test]
fn unknown_models_are_unpriced_and_mock_is_free() {
    let book = PriceBook::builtin().unwrap();
    let unknown = price(&row("openai:no-such-model", 10, 0, 10), &book);
    assert_eq!(unknown.total_usd, None);
    assert_eq!(unknown.price, "unpriced");
    let mock = price(&row("mock:drift", 10, 5, 10), &book);
    assert_eq!(mock.total_usd, Some(0.0));
    assert_eq!(mock.cached_share(), None);
}

#[test]
fn since_is_thirty_days_back_in_the_stored_format() {
    let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    assert_eq!(since(now, 30), "2026-11-01T12:00:00Z");
}
