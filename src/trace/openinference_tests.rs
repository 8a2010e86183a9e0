//! Unit tests of `openinference.rs` (kept beside it so the module reads without them).

use super::*;

/// The typed line reader gives exactly the spans of the general path, whatever the shape.
#[test]
fn typed_lines_read_like_values() {
    let lines = [
        r#"{"name":"q","context":{"trace_id":"t","span_id":"0xa1"},"parent_id":null,"span_kind":"CHAIN","start_time":"2025-03-01T10:00:00+00:00","end_time":1740823201,"status_code":"OK","status_message":"","events":[],"attributes":{"input":{"value":"hi"},"openinference":{"span":{"kind":"CHAIN"}}}}"#,
        r#"{"name":"llm","context":{"span_id":"b2"},"parent_id":"0xa1","span_kind":"LLM","status_code":"ERROR","status_message":"rate limited","events":[{"name":"exception","attributes":{"exception.message":"boom"}}],"attributes":{"llm":{"model_name":"gpt-4o","token_count":{"prompt":5,"completion":2},"input_messages":[{"message":{"role":"user","content":"x"}}],"output_messages":[{"message":{"role":"assistant","tool_calls":[{"tool_call":{"function":{"name":"f","arguments":"{}"}}}]}}]}}}"#,
        r#"{"name":"r","context":{"span_id":"c3"},"parent_id":"a1","span_kind":"RETRIEVER","status_code":"ERROR","attributes":{"retrieval.documents.0.document.id":"d","retrieval.documents.0.document.score":0.4}}"#,
        r#"{"context":{"span_id":"d4"},"attributes":{}}"#,
        r#"{"context.span_id":"e5","name":"flat","attributes.llm.model_name":"m","span_kind":"LLM"}"#,
        r#"{"context":{"span_id":"f6","parent_id":"a1"},"span_kind":"TOOL","attributes":{"tool":{"name":"t"}}}"#,
        r#"{"context":{"span_id":"g7"},"span_id":"other","status":{"code":"ERROR"},"attributes":{"x":1}}"#,
        r#"{"context":{"span_id":"h8"},"start_time":{"seconds":1},"attributes":null,"events":"none"}"#,
    ];
    let typed_shape: Vec<bool> = lines
        .iter()
        .map(|l| serde_json::from_str::<Line>(l).is_ok())
        .collect();
    assert_eq!(
        typed_shape,
        [true, true, true, true, false, false, false, true]
    );
    for line in lines {
        let mut typed = Vec::new();
        read_line(line.as_bytes(), &mut typed).unwrap();
        let mut general = Vec::new();
        read(serde_json::from_str(line).unwrap(), &mut general).unwrap();
        assert_eq!(typed, general, "{line}");
    }
    let mut out = Vec::new();
    let err = read_line(br#"{"context":{"span_id":"x"},"#, &mut out).unwrap_err();
    assert!(err.0.is_some() && err.1.contains("EOF"), "{err:?}");
}
