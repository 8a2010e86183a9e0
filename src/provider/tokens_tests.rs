//! Unit tests of `tokens.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::{Message, Role};

#[test]
fn absurd_usage_is_refused_not_wrapped() {
    let u = |v: Value| openai_usage(&serde_json::json!({ "prompt_tokens": v }));
    assert_eq!(u(serde_json::json!(7)).unwrap().input, 7);
    assert_eq!(u(Value::Null).unwrap().input, 0);
    for bad in [
        serde_json::json!(i64::MAX),
        serde_json::json!(u64::MAX),
        serde_json::json!(-4),
        serde_json::json!(1.5),
        serde_json::json!("12"),
        serde_json::json!(MAX_REPORTED_TOKENS + 1),
    ] {
        let why = u(bad.clone()).unwrap_err();
        assert!(why.contains("usage.prompt_tokens") && why.contains(&bad.to_string()));
    }
    let a = serde_json::json!({"input_tokens": 1, "cache_read_input_tokens": -1});
    assert!(anthropic_usage(&a).is_err());
}

#[test]
fn counts_with_the_real_tokenizer_and_chat_framing() {
    assert_eq!(estimate_tokens("echo", ""), 0);
    // "hello world" is two o200k tokens.
    assert_eq!(estimate_tokens("echo", "hello world"), 2);
    let request = Request {
        model: "echo".into(),
        messages: vec![Message::new(Role::User, "hello world")],
        ..Request::default()
    };
    // 3 per message + "user" (1) + content (2) + 3 reply priming.
    assert_eq!(estimate_input(&request), 9);
}
