//! Unit tests of `cost.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn calls_per_day_doubles_and_halves() {
    let mut v = CostView::default();
    v.on_action(Action::More);
    assert_eq!(v.calls_per_day, 2000);
    for _ in 0..20 {
        v.on_action(Action::Less);
    }
    assert_eq!(v.calls_per_day, 1);
    assert!(v.on_action(Action::Up).is_none());
}
