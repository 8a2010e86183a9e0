//! Unit tests of `wire.rs` (kept beside it so the module reads without them).

use super::*;

/// Large traces hold a million spans: the inline part must stay small.
#[test]
fn span_stays_compact() {
    let size = std::mem::size_of::<Span>();
    assert!(
        size <= 208,
        "Span grew to {size} bytes (was 496 with every field inline)"
    );
}

#[test]
fn round_trips_flat_and_boxes_only_when_needed() {
    let line = r#"{"id":"a","parent":"p","kind":"llm","name":"n","status":"error","error":"boom","input":"i","model":"m","usage":{"prompt_tokens":3},"cost":0.5,"tool_calls":[{"name":"f"}],"request":{"messages":[{"content":"q","role":"user"}]}}"#;
    let span: Span = serde_json::from_str(line).unwrap();
    assert_eq!(span.error.as_deref(), Some("boom"));
    let request = span.request.as_ref().map(JsonText::value).unwrap();
    assert_eq!(request["messages"][0]["content"], "q");
    assert_eq!(serde_json::to_string(&span).unwrap(), line);
    let plain: Span = serde_json::from_str(r#"{"id":"b","input":{"q":1}}"#).unwrap();
    assert!(plain.extra.is_none());
    assert_eq!(plain.input.as_deref(), Some(r#"{"q":1}"#));
    let mut touched = plain.clone();
    touched.documents.clear();
    assert_eq!(touched, plain);
    touched.compact();
    assert!(touched.extra.is_none());
}
