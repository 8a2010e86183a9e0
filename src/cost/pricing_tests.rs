//! Unit tests of `pricing.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn unpriced_is_none_and_local_is_zero() {
    let usage = Usage {
        input: 10,
        cached: 0,
        output: 10,
    };
    let unpriced = Pricing::Unpriced { model: "x".into() };
    assert_eq!(unpriced.cost_usd(&usage), None);
    let local = Pricing::Local {
        provider: "ollama".into(),
    };
    assert_eq!(local.cost_usd(&usage), Some(0.0));
    let json = serde_json::to_value(&unpriced).unwrap();
    assert_eq!(json["kind"], "unpriced");
}
