//! Unit tests of `mock.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::{Message, Role};

fn request(i: u32) -> Request {
    Request {
        model: "drift".into(),
        messages: vec![Message::new(
            Role::User,
            "Context:\n[c2] Annual plans are refundable in full within 30 days.\nQuestion: refund window for annual plans?",
        )],
        sample_index: i,
        ..Request::default()
    }
}

#[test]
fn echo_is_stable_and_drift_reproduces() {
    let echo = Mock::new(MockOptions::parse("echo", "").unwrap());
    let first = echo.answer(&request(0)).unwrap().text;
    assert!((1..20).all(|i| echo.answer(&request(i)).unwrap().text == first));

    let drift = Mock::new(MockOptions::parse("drift", "p=0.5&seed=7").unwrap());
    let run = || {
        (0..40)
            .map(|i| drift.answer(&request(i)).unwrap().text)
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run(), "same seed, same answers");
    let changed = a.iter().filter(|t| **t != first).count();
    assert!((8..=32).contains(&changed), "{changed} of 40 drifted");
}

#[test]
fn failures_and_bad_options() {
    let m = Mock::new(MockOptions::parse("echo", "fail=1").unwrap());
    assert_eq!(
        m.answer(&request(4)).unwrap_err(),
        ProviderError::Injected(4)
    );
    for (model, q) in [
        ("drift", "p=2"),
        ("drift", "q=1"),
        ("nope", ""),
        ("echo", "latency_ms=x"),
    ] {
        let e = MockOptions::parse(model, q).unwrap_err().to_string();
        assert!(e.starts_with("bad model"), "{e}");
    }
}

#[test]
fn drift_changes_a_number_or_a_word() {
    assert_eq!(drift("within 30 days", 0), "within 31 days");
    assert_eq!(drift("it is fine", 0), "it remains fine");
}
