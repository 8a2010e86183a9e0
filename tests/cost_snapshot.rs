//! The embedded LiteLLM snapshot, as shipped: prices looked up through the price book are
//! checked against the numbers in the snapshot's own JSON (decompressed here independently of
//! temper's parser), including a long-context tier, a cache write and a batch rate.

use serde_json::Value;
use std::io::Read;
use temper::cost::{CallTokens, PriceBook, PriceRow, Pricing, Usage};

/// The snapshot file in the repository, decoded here with flate2 and serde_json alone.
fn snapshot() -> serde_json::Map<String, Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/cost/litellm_prices.json.gz"
    );
    let gz = std::fs::read(path).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// USD per 1M tokens of `field` in the snapshot entry `key`.
fn per_million(map: &serde_json::Map<String, Value>, key: &str, field: &str) -> f64 {
    let v = map[key][field]
        .as_f64()
        .unwrap_or_else(|| panic!("{key}.{field}"));
    v * 1e6
}

fn priced(book: &PriceBook, model: &str) -> PriceRow {
    match book.lookup(model).unwrap() {
        Pricing::Priced { row } => *row,
        other => panic!("{model}: {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn base_prices_match_the_snapshot_json() {
    let map = snapshot();
    let book = PriceBook::builtin().unwrap();
    for (model, key) in [
        ("openai:gpt-4o-mini", "gpt-4o-mini"),
        ("anthropic:claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("google:gemini-2.5-pro", "gemini/gemini-2.5-pro"),
        ("gemini:gemini-2.5-pro", "gemini/gemini-2.5-pro"),
        ("deepseek:deepseek-chat", "deepseek/deepseek-chat"),
    ] {
        let row = priced(&book, model);
        assert!(
            close(row.input, per_million(&map, key, "input_cost_per_token")),
            "{model}"
        );
        assert!(
            close(row.output, per_million(&map, key, "output_cost_per_token")),
            "{model}"
        );
        let window = map[key]["max_input_tokens"].as_u64();
        assert_eq!(row.context_window, window, "{model}");
    }
}

#[test]
fn long_context_tier_cache_write_and_batch_rates_match_the_json() {
    let map = snapshot();
    let book = PriceBook::builtin().unwrap();
    let call = |input: u64, cached: u64, output: u64| {
        CallTokens::from(Usage {
            input,
            cached,
            output,
        })
    };

    // Long-context tier: Gemini 2.5 Pro above 200k input tokens.
    let key = "gemini/gemini-2.5-pro";
    let gemini = priced(&book, "google:gemini-2.5-pro");
    let long = call(250_000, 0, 1_000);
    let expected = 250_000.0 * per_million(&map, key, "input_cost_per_token_above_200k_tokens")
        + 1_000.0 * per_million(&map, key, "output_cost_per_token_above_200k_tokens");
    assert!(close(gemini.call_micro_usd(&long, false), expected));
    // The runner's per-sample cost uses the tier too.
    let usage = long.usage;
    let stored = book.cost_usd("google:gemini-2.5-pro", &usage).unwrap();
    assert!(close(stored.unwrap() * 1e6, expected));
    let short = call(1_000, 0, 0);
    let base = 1_000.0 * per_million(&map, key, "input_cost_per_token");
    assert!(close(gemini.call_micro_usd(&short, false), base));

    // Cache writes, 5-minute and 1-hour: Claude Sonnet 4.5.
    let key = "claude-sonnet-4-5";
    let sonnet = priced(&book, "anthropic:claude-sonnet-4-5");
    let mut writes = call(3_000, 1_000, 0);
    writes.cache_write = 1_000;
    writes.cache_write_1h = 500;
    let expected = 500.0 * per_million(&map, key, "input_cost_per_token")
        + 1_000.0 * per_million(&map, key, "cache_read_input_token_cost")
        + 1_000.0 * per_million(&map, key, "cache_creation_input_token_cost")
        + 500.0 * per_million(&map, key, "cache_creation_input_token_cost_above_1hr");
    assert!(close(sonnet.call_micro_usd(&writes, false), expected));

    // Batch: GPT-4o at the batch API's rates.
    let key = "gpt-4o";
    let gpt = priced(&book, "openai:gpt-4o");
    let batch = call(10_000, 0, 2_000);
    let expected = 10_000.0 * per_million(&map, key, "input_cost_per_token_batches")
        + 2_000.0 * per_million(&map, key, "output_cost_per_token_batches");
    assert!(close(gpt.call_micro_usd(&batch, true), expected));
    let bill = gpt.bill(&batch, true);
    assert!(bill.batch && close(bill.total_usd * 1e6, expected));
}

#[test]
fn a_model_under_another_providers_name_gets_a_did_you_mean() {
    let book = PriceBook::builtin().unwrap();
    assert!(matches!(
        book.lookup("openai:claude-sonnet-4-5").unwrap(),
        Pricing::Unpriced { .. }
    ));
    let hints = book.did_you_mean("openai:claude-sonnet-4-5");
    assert_eq!(
        hints.first().map(String::as_str),
        Some("anthropic:claude-sonnet-4-5")
    );
    let typo = book.did_you_mean("openai:gpt-4o-mnii");
    assert!(typo.iter().any(|h| h == "openai:gpt-4o-mini"), "{typo:?}");
    assert!(book.did_you_mean("openai:gpt-4o").is_empty());
}

#[test]
fn a_bare_name_many_hosts_list_is_priced_at_its_maker() {
    let book = PriceBook::builtin().unwrap();
    assert_eq!(priced(&book, "gpt-4o").key(), "openai:gpt-4o");
    assert_eq!(
        priced(&book, "openrouter:openai/gpt-4o").key(),
        "openai:gpt-4o"
    );
}
