//! Unit tests of `toolcalls.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;

fn names(v: Value) -> Vec<(Option<String>, String, Option<String>)> {
    extract(&v)
        .into_iter()
        .map(|r| (r.id, r.name, r.arguments))
        .collect()
}

#[test]
fn every_known_shape() {
    let want = |id: &str| {
        (
            Some(id.to_string()),
            "lookup".to_string(),
            Some(r#"{"q":1}"#.to_string()),
        )
    };
    let shapes = [
        json!({"choices": [{"message": {"tool_calls": [{"id": "a", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":1}"}}]}}]}),
        json!({"output": [{"type": "function_call", "call_id": "a", "name": "lookup", "arguments": "{\"q\":1}"}]}),
        json!({"content": [{"type": "text", "text": "hm"}, {"type": "tool_use", "id": "a", "name": "lookup", "input": {"q": 1}}]}),
        json!({"candidates": [{"content": {"parts": [{"function_call": {"id": "a", "name": "lookup", "args": {"q": 1}}}]}}]}),
        json!([{"role": "assistant", "parts": [{"type": "tool_call", "id": "a", "name": "lookup", "arguments": {"q": 1}}]}]),
        json!({"additional_kwargs": {"tool_calls": [{"id": "a", "function": {"name": "lookup", "arguments": "{\"q\":1}"}}]}}),
        json!({"tool_calls": [{"type": "tool_call", "id": "a", "name": "lookup", "args": {"q": 1}}]}),
        json!({"toolCalls": [{"type": "tool-call", "toolCallId": "a", "toolName": "lookup", "args": {"q": 1}}]}),
        json!({"parts": [{"part_kind": "tool-call", "tool_call_id": "a", "tool_name": "lookup", "args": {"q": 1}}]}),
    ];
    for shape in shapes {
        assert_eq!(names(shape.clone()), vec![want("a")], "{shape}");
    }
}

#[test]
fn legacy_function_call_not_counted_twice() {
    let v = json!({"message": {"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{}"}}],
                                "function_call": {"name": "f", "arguments": "{}"}}});
    assert_eq!(extract(&v).len(), 1);
    let legacy = json!({"message": {"function_call": {"name": "f", "arguments": "{}"}}});
    assert_eq!(names(legacy), vec![(None, "f".into(), Some("{}".into()))]);
}

#[test]
fn plain_text_and_messages_have_none() {
    assert!(extract_text("The answer is 42.").is_empty());
    assert!(extract(&json!({"role": "assistant", "content": "hi", "name": "bot"})).is_empty());
}

#[test]
fn calls_written_as_json_inside_a_string_are_found_two_levels_deep() {
    let inner = r#"[{"function":{"name":"HelloTool","arguments":"{}"},"id":"call_1"}]"#;
    let once = json!([{"role": "assistant", "content": inner}]);
    assert_eq!(names(once)[0].1, "HelloTool");
    let wrap = |v: Value| json!({"content": serde_json::to_string(&v).unwrap()});
    let twice = wrap(json!({"content": inner}));
    assert_eq!(names(twice.clone())[0].1, "HelloTool");
    assert!(
        names(wrap(twice)).is_empty(),
        "a third level is not followed"
    );
}
