//! Unit tests of `fields.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn reports_only_varying_leaves_with_counts() {
    let a = r#"{"total": 10, "items": [{"price": 1}, {"price": 2}, {"price": 3}]}"#;
    let b = r#"{"items": [{"price": 1}, {"price": 2}, {"price": 4}], "total": 10}"#;
    let fields = field_stability(&[(7, a), (3, b), (5, "not json")]);
    assert_eq!(
        fields,
        vec![FieldStability {
            path: "$.items[2].price".into(),
            varies: 3,
            of: 10,
            distinct: 2
        }]
    );
}

#[test]
fn absence_counts_as_variation_and_odd_keys_are_quoted() {
    let fields = field_stability(&[(2, r#"{"a b": 1}"#), (1, "{}")]);
    let odd = fields.iter().find(|f| f.path == "$[\"a b\"]").unwrap();
    assert_eq!((odd.varies, odd.of, odd.distinct), (1, 3, 2));
}
