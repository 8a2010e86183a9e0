//! Unit tests of `stream_anthropic.rs` (kept beside it so the module reads without them).

use super::*;
use std::time::Duration;

#[test]
fn assembles_text_schema_answer_and_usage() {
    let mut s = AnthropicStream::new(Some("respond"));
    let events = [
        (
            "message_start",
            r#"{"message":{"model":"c","usage":{"input_tokens":7}}}"#,
        ),
        (
            "content_block_start",
            r#"{"content_block":{"type":"tool_use","id":"t","name":"respond"}}"#,
        ),
        (
            "content_block_delta",
            r#"{"delta":{"type":"input_json_delta","partial_json":"{\"a\": "}}"#,
        ),
        (
            "content_block_delta",
            r#"{"delta":{"type":"input_json_delta","partial_json":"1}"}}"#,
        ),
        (
            "message_delta",
            r#"{"delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":4}}"#,
        ),
    ];
    for (name, data) in events {
        s.event(Some(name), data).unwrap();
    }
    assert_eq!(s.event(Some("message_stop"), "{}").unwrap(), Step::Done);
    let timing = Timing {
        latency: Duration::from_millis(5),
        ttft: None,
    };
    let r = s.finish(timing, None);
    assert_eq!(r.text, "{\"a\":1}");
    assert_eq!((r.usage.input, r.usage.output), (7, 4));
    assert_eq!(r.finish_reason.as_deref(), Some("tool_use"));
}

#[test]
fn error_event_is_an_error() {
    let mut s = AnthropicStream::new(None);
    let e = s.event(
        Some("error"),
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    );
    assert!(e.unwrap_err().contains("Overloaded"));
}
