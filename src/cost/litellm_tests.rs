//! Unit tests of `litellm.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn entries_become_rows_with_tiers_batch_and_cache_writes() {
    let rows = rows_from_json(
        r#"{
  "sample_spec": {"mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0},
  "gemini/gemini-2.5-pro": {"litellm_provider": "gemini", "mode": "chat",
  "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
  "input_cost_per_token_above_200k_tokens": 2.5e-06,
  "output_cost_per_token_above_200k_tokens": 1.5e-05, "max_input_tokens": 1048576},
  "claude-x": {"litellm_provider": "anthropic", "mode": "chat",
  "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
  "cache_creation_input_token_cost": 3.75e-06,
  "cache_creation_input_token_cost_above_1hr": 6e-06,
  "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06},
  "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation"},
  "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding",
  "input_cost_per_token": 2e-08, "output_cost_per_token": 0}
}"#,
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    let claude = &rows[0];
    assert_eq!(claude.key(), "anthropic:claude-x");
    assert_eq!(claude.cache_write, Some(3.75));
    assert_eq!(claude.cache_write_1h, Some(6.0));
    assert_eq!(claude.batch.as_ref().map(|b| b.input), Some(1.5));
    let gemini = &rows[1];
    assert_eq!(gemini.key(), "google:gemini-2.5-pro");
    assert_eq!(gemini.context_window, Some(1_048_576));
    assert_eq!(gemini.tiers[0].above_tokens, 200_000);
    assert_eq!(gemini.tiers[0].input, Some(2.5));
}

#[test]
fn a_wrong_field_is_named() {
    let err = rows_from_json(
        r#"{"m": {"mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": 1}}"#,
    )
    .unwrap_err();
    assert!(
        err.contains("\"m\"") && err.contains("input_cost_per_token"),
        "{err}"
    );
    let err = rows_from_json("[1, 2]").unwrap_err();
    assert!(err.contains("JSON object"), "{err}");
}

#[test]
fn provider_spellings_meet() {
    assert_eq!(canonical_provider("Gemini"), "google");
    assert_eq!(canonical_provider("together_ai"), "together");
    assert_eq!(canonical_provider("openai"), "openai");
}
