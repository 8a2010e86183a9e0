//! Unit tests of `attrs.rs` (kept beside it so the module reads without them).

use super::*;
use serde_json::json;

#[test]
fn nested_and_flat_agree() {
    let nested =
        flatten(json!({"retrieval": {"documents": [{"document": {"id": "a", "score": 0.5}}]}}));
    let flat = flatten(
        json!({"retrieval.documents.0.document.id": "a", "retrieval.documents.0.document.score": 0.5}),
    );
    assert_eq!(nested, flat);
    assert_eq!(
        indexed(&flat, "retrieval.documents"),
        vec!["retrieval.documents.0"]
    );
    assert_eq!(
        number(&flat, "retrieval.documents.0.document.score"),
        Some(0.5)
    );
}

#[test]
fn subtree_rebuilds_json() {
    let a = flatten(json!({"tool": {"args": {"q": "x", "ids": [1, 2]}}}));
    assert_eq!(
        text(&a, "tool.args").as_deref(),
        Some(r#"{"ids":[1,2],"q":"x"}"#)
    );
    assert!(has(&a, "tool"));
    assert!(!has(&a, "to"));
}

#[test]
fn timestamps_in_every_unit() {
    let want: jiff::Timestamp = "2025-03-01T10:00:00Z".parse().unwrap();
    for v in [
        json!("2025-03-01T10:00:00Z"),
        json!("2025-03-01T10:00:00"),
        json!(1740823200),
        json!(1740823200000u64),
        json!("1740823200000000000"),
    ] {
        assert_eq!(timestamp(&v), Some(want), "{v}");
    }
    assert_eq!(timestamp(&json!("yesterday")), None);
}

#[test]
fn hostile_dotted_keys_do_not_nest_deeply() {
    let mut a = Attrs::new();
    a.insert(format!("tool.args{}", ".x".repeat(100_000)), json!(1));
    let rebuilt = text(&a, "tool.args").unwrap();
    assert!(rebuilt.matches('{').count() <= 32);
}

#[test]
fn json_string_expands() {
    let mut a = Attrs::new();
    a.insert("docs".into(), json!(r#"[{"id":"d1","score":0.9}]"#));
    expand_json_string(&mut a, "docs");
    assert_eq!(text(&a, "docs.0.id").as_deref(), Some("d1"));
}
