//! Unit tests of `stream_openai.rs` (kept beside it so the module reads without them).

use super::*;
use std::time::Duration;

#[test]
fn assembles_text_tools_usage_and_logprobs() {
    let mut s = OpenAiStream::new(true);
    let events = [
        r#"{"model":"m","choices":[{"delta":{"role":"assistant"}}]}"#,
        r#"{"choices":[{"delta":{"content":"Hel"},"logprobs":{"content":[{"token":"Hel","logprob":-0.1,"top_logprobs":[]}]}}]}"#,
        r#"{"choices":[{"delta":{"content":"lo"}}]}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{\"a\""}}]}}]}"#,
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3}}"#,
    ];
    let steps: Vec<Step> = events.iter().map(|e| s.event(None, e).unwrap()).collect();
    assert_eq!(steps[0], Step::Nothing);
    assert_eq!(steps[1], Step::Content);
    assert_eq!(s.event(None, "[DONE]").unwrap(), Step::Done);
    let timing = Timing {
        latency: Duration::from_millis(9),
        ttft: Some(Duration::from_millis(2)),
    };
    let r = s.finish(timing, None);
    assert_eq!(r.text, "Hello");
    assert_eq!(r.tool_calls[0].arguments, "{\"a\":1}");
    assert_eq!(r.finish_reason.as_deref(), Some("tool_calls"));
    assert_eq!((r.usage.input, r.usage.output), (5, 3));
    assert_eq!(r.logprobs.map(|l| l.len()), Some(1));
    // The same text a `serde_json::Value` of the non-streamed shape prints.
    let expected = json!({
        "object": "chat.completion", "streamed": true, "model": "m",
        "system_fingerprint": null,
        "choices": [{"index": 0, "finish_reason": "tool_calls",
                     "message": {"role": "assistant", "content": "Hello"}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3},
    });
    assert_eq!(r.raw.unwrap_or_default(), expected.to_string());
}

#[test]
fn error_events_and_garbage_say_what_came() {
    let mut s = OpenAiStream::new(false);
    let e = s.event(None, r#"{"error":{"message":"overloaded"}}"#);
    assert!(e.unwrap_err().contains("overloaded"));
    assert!(s.event(None, "hello").unwrap_err().contains("\"hello\""));
}
