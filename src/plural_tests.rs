//! Unit tests of `plural.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn singular_at_one_plural_otherwise() {
    assert_eq!(count(1u32, "sample"), "1 sample");
    assert_eq!(count(0u32, "sample"), "0 samples");
    assert_eq!(count(2u32, "LLM call"), "2 LLM calls");
    assert_eq!(count(3u32, "match"), "3 matches");
    assert_eq!(count(2u32, "entry"), "2 entries");
    assert_eq!(count(2u32, "day"), "2 days");
    assert_eq!(count(1u32, "cluster"), "1 cluster");
}
