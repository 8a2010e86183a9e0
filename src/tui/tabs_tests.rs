//! Unit tests of `tabs.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn tab_hit_test_matches_titles() {
    let ranges = tab_ranges();
    assert_eq!(tab_at(ranges[0].1), Some(Tab::Prompts));
    assert_eq!(tab_at(ranges[4].2 - 1), Some(Tab::Cost));
    assert_eq!(tab_at(0), None);
}
