//! Unit tests of `stream_chunk.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn borrows_plain_strings_and_copies_escaped_ones() {
    let c: Chunk = serde_json::from_str(
        r#"{"model":"m","choices":[{"delta":{"content":"a\nb"},"finish_reason":null}]}"#,
    )
    .unwrap();
    assert!(matches!(c.model.0, Some(Cow::Borrowed("m"))));
    let delta = c.choices.unwrap().0.unwrap().delta.unwrap();
    assert!(matches!(delta.content.0, Some(Cow::Owned(ref s)) if s == "a\nb"));
}

#[test]
fn odd_field_types_read_as_absent() {
    let c: Chunk = serde_json::from_str(
        r#"{"model":7,"system_fingerprint":[1],"choices":[{"delta":{"content":{"x":1}},"finish_reason":false}],"extra":{}}"#,
    )
    .unwrap();
    assert!(c.model.as_deref().is_none() && c.system_fingerprint.as_deref().is_none());
    let choice = c.choices.unwrap().0.unwrap();
    assert!(choice.finish_reason.as_deref().is_none());
    assert!(choice.delta.unwrap().content.as_deref().is_none());
}

#[test]
fn only_the_first_choice_is_read() {
    let c: Chunk = serde_json::from_str(
        r#"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}},7]}"#,
    )
    .unwrap();
    let delta = c.choices.unwrap().0.unwrap().delta.unwrap();
    assert_eq!(delta.content.as_deref(), Some("a"));
    let none: Chunk = serde_json::from_str(r#"{"choices":[]}"#).unwrap();
    assert!(none.choices.unwrap().0.is_none());
    assert!(serde_json::from_str::<Chunk>(r#"{"choices":{"x":1}}"#).is_err());
}

#[test]
fn a_null_error_is_no_error() {
    let c: Chunk = serde_json::from_str(r#"{"error":null,"choices":[]}"#).unwrap();
    assert!(c.error.is_none());
    let c: Chunk = serde_json::from_str(r#"{"error":{"message":"x"}}"#).unwrap();
    assert!(c.error.is_some());
}
