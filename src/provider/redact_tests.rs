//! Unit tests of `redact.rs` (kept beside it so the module reads without them).

use super::*;

const KEY: &str = "sk-proj/AbC+123_xyz";

fn every_escaping() -> Vec<String> {
    let all_u: String = KEY
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let all_upper: String = KEY
        .chars()
        .map(|c| format!("\\u{:04X}", c as u32))
        .collect();
    let slash = KEY.replace('/', "\\/");
    let mixed: String = KEY
        .chars()
        .enumerate()
        .map(|(i, c)| match (i % 3, c) {
            (_, '/') => "\\/".to_string(),
            (0, c) => format!("\\u{:04x}", c as u32),
            (_, c) => c.to_string(),
        })
        .collect();
    vec![KEY.to_string(), all_u, all_upper, slash, mixed]
}

#[test]
fn every_json_spelling_of_the_key_is_scrubbed_in_raw_text_and_decoded_value() {
    let s = Scrubber::new(Some(KEY));
    for spelled in every_escaping() {
        let raw = format!(r#"{{"echo":"key={spelled}!","{spelled}":1}}"#);
        let scrubbed = s.body(&raw);
        assert!(!scrubbed.contains("AbC"), "{spelled}: {scrubbed}");
        let back: serde_json::Value = serde_json::from_str(&scrubbed).unwrap();
        assert_eq!(back["echo"], "key=[redacted API key]!");
        assert!(!s.text(&raw).contains("AbC"), "{spelled}");
    }
}

#[test]
fn placeholders_and_unrelated_escapes_are_left_alone() {
    assert_eq!(scrub("x marks the spot", Some("x")), "x marks the spot");
    let s = Scrubber::new(Some(KEY));
    assert_eq!(s.text(r"a\/b \u0041"), r"a\/b \u0041");
}
