//! Unit tests of `output.rs` (kept beside it so the module reads without them).

#[test]
fn json_output_escapes_c1_and_bidi_but_keeps_the_value() {
    let hostile = "a\u{9b}2J\u{7f}\u{202e}b\u{1b}";
    let text = super::inert_json(&serde_json::json!({"k": hostile})).unwrap_or_default();
    assert!(
        !text.chars().any(|c| c != '\n' && c.is_control()),
        "{text:?}"
    );
    assert!(text.contains(r"\u009b") && text.contains(r"\u202e"));
    let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(back["k"], hostile);
}
