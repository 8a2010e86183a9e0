//! Unit tests of `sample.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn a_big_raw_body_keeps_its_metadata_but_not_the_answer_twice() {
    let small = r#"{"model":"m","choices":[{"message":{"content":"hi"}}]}"#.to_string();
    assert_eq!(compact_raw(Some(small.clone())), Some(small));
    let text = "x".repeat(RAW_KEEP * 2);
    let big = serde_json::json!({"model": "gpt-4o-mini", "usage": {"prompt_tokens": 3},
        "choices": [{"message": {"content": text}, "logprobs": {"content": []}}]});
    let kept = compact_raw(Some(big.to_string())).unwrap();
    assert!(kept.len() < 1024, "{kept}");
    let v: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert_eq!(v["model"], "gpt-4o-mini");
    assert_eq!(v["usage"]["prompt_tokens"], 3);
    assert!(
        v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .contains("elided")
    );
    assert_eq!(compact_raw(Some(format!("not json {text}"))), None);
}
