//! Unit tests of `overrides.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn toml_file_with_partial_and_full_rows() {
    let (info, patches) = parse_file(
        "as_of = \"2026-01-01\"\n[prices.\"openai:gpt-4o\"]\noutput = 8\n[prices.my-model]\ninput = 1.5\noutput = 3\n",
        "p.toml",
    )
    .unwrap();
    assert_eq!(info.as_of.as_deref(), Some("2026-01-01"));
    assert_eq!(patches[0].provider, None);
    assert_eq!(patches[0].model, "my-model");
    assert_eq!(patches[1].provider.as_deref(), Some("openai"));
    assert_eq!(patches[1].fields.output, Some(8.0));
    assert_eq!(patches[1].fields.input, None);
}

#[test]
fn negative_and_nan_prices_name_their_line() {
    let err = parse_file("[prices.a]\ninput = 1\noutput = -2\n", "p.toml").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("p.toml:3:"), "{text}");
    assert!(text.contains("not a price"), "{text}");
    let err = parse_file("[prices.a]\ninput = nan\n", "p.toml").unwrap_err();
    assert!(err.to_string().starts_with("p.toml:2:"), "{err}");
}

#[test]
fn unknown_key_is_named() {
    let err = parse_file("[prices.a]\nprice_in = 1\n", "p.toml").unwrap_err();
    assert!(err.to_string().contains("price_in"), "{err}");
    assert!(err.to_string().starts_with("p.toml:2:"), "{err}");
}

#[test]
fn litellm_json_per_token_to_per_million() {
    let json = r#"{
  "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "max_tokens": "LEGACY"},
  "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
         "cache_read_input_token_cost": 1.25e-06, "max_input_tokens": 128000,
         "litellm_provider": "openai"},
  "gemini/gemini-2.5-flash": {"input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06,
         "litellm_provider": "gemini"},
  "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation"}
}"#;
    let (_, patches) = parse_file(json, "l.json").unwrap();
    assert_eq!(patches.len(), 2);
    let gemini = &patches[0];
    assert_eq!(gemini.key, "google:gemini-2.5-flash");
    assert_eq!(gemini.fields.input, Some(0.3));
    let gpt = &patches[1];
    assert_eq!(gpt.key, "openai:gpt-4o");
    assert_eq!(gpt.fields.input, Some(2.5));
    assert_eq!(gpt.fields.cached_input, Some(1.25));
    assert_eq!(gpt.fields.output, Some(10.0));
    assert_eq!(gpt.fields.context_window, Some(128000));
}

#[test]
fn litellm_errors_have_lines() {
    let err = parse_file("{\n\"m\": {\n\"input_cost_per_token\": -1e-6}}", "l.json").unwrap_err();
    assert!(err.to_string().starts_with("l.json:3:"), "{err}");
    let err = parse_file("{\n\"m\": {,}}", "l.json").unwrap_err();
    assert!(err.to_string().starts_with("l.json:2:"), "{err}");
}

#[test]
fn config_tables_are_checked() {
    let mut prices = BTreeMap::new();
    let table: toml::Table = toml::from_str("input = -1\noutput = 2").unwrap();
    prices.insert("gpt-4o".to_string(), table);
    let err = from_config(&prices).unwrap_err();
    assert!(
        err.to_string().starts_with("config [prices.\"gpt-4o\"]"),
        "{err}"
    );
}
