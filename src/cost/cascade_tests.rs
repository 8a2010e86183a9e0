//! Unit tests of `cascade.rs` (kept beside it so the module reads without them).

use super::*;

fn answers(passes: &[bool], cost: f64, latency: f64) -> Vec<Attempt> {
    passes
        .iter()
        .map(|p| Attempt {
            passed: *p,
            cost_usd: Some(cost),
            latency_ms: Some(latency),
        })
        .collect()
}

fn variant(name: &str, cases: &[(&str, Vec<Attempt>)]) -> VariantAttempts {
    VariantAttempts {
        variant: name.into(),
        cases: cases.iter().cloned().map(|(c, a)| (c.into(), a)).collect(),
    }
}

#[test]
fn cheap_then_strong_costs_the_cheap_call_plus_the_failures() {
    let cheap = variant(
        "cheap",
        &[("c", answers(&[true, true, true, false], 1.0, 100.0))],
    );
    let strong = variant("strong", &[("c", answers(&[true, true], 10.0, 400.0))]);
    let all = [cheap.clone(), strong.clone()];
    let c = cascade(&all, &["cheap", "strong"]).unwrap();
    assert_eq!(c.pass_rate, 1.0);
    assert_eq!(c.cost_per_request_usd, Some(1.0 + 0.25 * 10.0));
    assert_eq!(c.latency_ms, Some(100.0 + 0.25 * 400.0));
    assert_eq!(c.calls_per_request, 1.25);
    let a = alone(&cheap);
    assert_eq!(a.pass_rate, 0.75);
    assert_eq!(a.cost_per_passing_usd, Some(4.0 / 3.0));
    assert_eq!(alone(&strong).cost_per_passing_usd, Some(10.0));
}

#[test]
fn cascades_say_what_is_wrong() {
    let a = variant("a", &[("x", answers(&[true], 1.0, 1.0))]);
    let b = variant("b", &[("y", answers(&[true], 1.0, 1.0))]);
    let all = [a, b];
    assert_eq!(cascade(&all, &["a"]), Err(CascadeError::TooShort(1)));
    assert!(matches!(
        cascade(&all, &["a", "zz"]),
        Err(CascadeError::Unknown { .. })
    ));
    assert!(matches!(
        cascade(&all, &["a", "b"]),
        Err(CascadeError::NoSharedCase(_))
    ));
}

#[test]
fn an_unpriced_step_leaves_the_cost_unknown_but_not_the_pass_rate() {
    let mut b = answers(&[true], 1.0, 1.0);
    b[0].cost_usd = None;
    let all = [
        variant("a", &[("x", answers(&[false], 1.0, 1.0))]),
        variant("b", &[("x", b)]),
    ];
    let c = cascade(&all, &["a", "b"]).unwrap();
    assert_eq!(c.cost_per_request_usd, None);
    assert_eq!(c.pass_rate, 1.0);
}
