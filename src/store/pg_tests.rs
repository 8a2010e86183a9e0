//! Unit tests of `pg.rs` (kept beside it so the module reads without them).

use super::dollar_placeholders;

#[test]
fn placeholders_are_rewritten_outside_quotes_only() {
    assert_eq!(
        dollar_placeholders("SELECT '?1', ?1, x = ?12 WHERE y = '?'"),
        "SELECT '?1', $1, x = $12 WHERE y = '?'"
    );
}
