//! Unit tests of `logprobs.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;

#[test]
fn reads_tokens_and_alternatives() {
    let choice = json!({"logprobs": {"content": [
        {"token": "Hi", "logprob": -0.01, "bytes": [72, 105], "top_logprobs": [
            {"token": "Hi", "logprob": -0.01, "bytes": [72, 105]},
            {"token": "Hello", "logprob": -4.7, "bytes": null}]},
        {"token": "!", "logprob": null, "top_logprobs": []},
        {"no_token": true}
    ]}});
    let tokens = parse_openai(&choice).unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0].top[1].token, "Hello");
    assert!((tokens[0].probability() - 0.990).abs() < 0.001);
    assert_eq!(tokens[1].logprob, -9999.0);
    assert!(parse_openai(&json!({"logprobs": null})).is_none());
}
