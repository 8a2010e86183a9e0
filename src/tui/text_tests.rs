//! Unit tests of `text.rs` (kept beside it so the module reads without them).

use super::*;
use crate::analysis::worddiff::word_diff;

#[test]
fn hostile_text_is_sanitised() {
    let l = lines("a\u{1b}[2Jb\nc\u{202E}", Style::default());
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].to_string(), "ab");
    assert_eq!(l[1].to_string(), "c<U+202E>");
}

#[test]
fn diff_sides_keep_their_own_words() {
    let spans = word_diff("the cat sat\nhere", "the dog sat\nhere");
    let theme = Theme::default();
    let old: Vec<String> = diff_side(&spans, Side::Old, &theme)
        .iter()
        .map(|l| l.to_string())
        .collect();
    let new: Vec<String> = diff_side(&spans, Side::New, &theme)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(old, ["the cat sat", "here"]);
    assert_eq!(new, ["the dog sat", "here"]);
}
