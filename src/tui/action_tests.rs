//! Unit tests of `action.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn names_round_trip_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for a in Action::ALL {
        assert_eq!(Action::from_name(a.name()), Some(a));
        assert!(seen.insert(a.name()), "duplicate {}", a.name());
    }
}
