//! Unit tests of `worddiff.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn marks_changed_words() {
    let spans = word_diff("the cat sat", "the dog sat");
    assert!(has_changes(&spans));
    let removed: String = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Removed)
        .map(|s| s.text.as_str())
        .collect();
    let added: String = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Added)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!((removed.as_str(), added.as_str()), ("cat", "dog"));
    assert!(!has_changes(&word_diff("same", "same")));
}
