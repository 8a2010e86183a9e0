//! Unit tests of `schema_check.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;

#[test]
fn checks_only_json_object_requests() {
    let mut request = Request::default();
    request.params.response_schema = Some(json!({"type": "object", "required": ["a"]}));
    assert!(validator(&request).is_none());
    request.params.response_format = Some(ResponseFormat::JsonObject);
    let v = validator(&request);
    assert_eq!(violation(v.as_deref(), r#"{"a": 1}"#), None);
    let missing = violation(v.as_deref(), r#"{"b": 1}"#).unwrap();
    assert!(
        missing.contains("\"a\" is a required property"),
        "{missing}"
    );
    assert!(
        violation(v.as_deref(), "nope")
            .unwrap()
            .contains("not JSON")
    );
}
