//! Unit tests of `schema.rs` (kept beside it so the module reads without them).

use super::check;
use serde_json::json;

fn schema() -> serde_json::Value {
    json!({"type": "object", "required": ["total"],
           "properties": {"total": {"type": "number"}, "currency": {"type": "string"}}})
}

#[test]
fn a_following_output_passes() {
    assert_eq!(
        check(&schema(), r#" {"total": 267.5, "currency": "USD"} "#),
        None
    );
}

#[test]
fn names_the_path_of_the_first_errors() {
    let reason = check(&schema(), r#"{"total": "267.50", "currency": 1}"#).unwrap();
    assert!(
        reason.starts_with("output does not follow the requested schema: at /"),
        "{reason}"
    );
    assert!(reason.contains("/total"), "{reason}");
    assert!(reason.contains("/currency"), "{reason}");
    let missing = check(&schema(), "{}").unwrap();
    assert!(
        missing.contains("\"total\" is a required property"),
        "{missing}"
    );
}

#[test]
fn prose_and_broken_schemas_are_named() {
    let prose = check(&schema(), "The total is $267.50.").unwrap();
    assert!(prose.starts_with("output is not JSON"), "{prose}");
    let broken = check(&json!({"type": 12}), "{}").unwrap();
    assert!(
        broken.starts_with("the requested schema itself is invalid"),
        "{broken}"
    );
}
