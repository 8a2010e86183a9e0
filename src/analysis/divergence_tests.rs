//! Unit tests of `divergence.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn multibyte_prefix_stays_on_char_boundary() {
    // "é" is 0xC3 0xA9, "ê" is 0xC3 0xAA: one shared byte that is not a whole char.
    assert_eq!(common_prefix_len("café", "cafê"), 3);
    assert_eq!(common_prefix_len("abc", "abc"), 3);
    assert_eq!(common_prefix_len("", "x"), 0);
}

#[test]
fn excerpts_start_at_word_boundaries() {
    assert_eq!(word_start("within 3"), 7);
    assert_eq!(word_start("within "), 7);
    assert_eq!(word_start("crè"), 0);
    assert_eq!(tail_words("refundable within", 10), " within");
    assert_eq!(tail_words("short", 10), "short");
}
