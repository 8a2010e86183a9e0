//! Unit tests of `budget.rs` (kept beside it so the module reads without them).

use super::*;

#[tokio::test]
async fn stops_only_when_nothing_in_flight_could_free_room() {
    let budget = Budget::new(Some(1.0));
    let a = budget.admit(Some(0.2)).await.unwrap();
    budget.settle(a, Some(0.1));
    // Window 2 now, headroom 2 x (0.2 + 0.2) + 0.1 <= 1.0: two in flight.
    let b = budget.admit(Some(0.2)).await.unwrap();
    let c = budget.admit(Some(0.2)).await.unwrap();
    budget.settle(b, Some(0.1));
    budget.settle(c, Some(0.1));
    assert!((budget.spent() - 0.3).abs() < 1e-12);
    // 0.3 spent: one 0.4 fits alone (0.7); a second would not fit next to it: it waits.
    let d = budget.admit(Some(0.4)).await.unwrap();
    budget.settle(d, Some(0.4));
    // 0.7 + 0.4 > 1.0 with nothing in flight: stop.
    assert!(budget.admit(Some(0.4)).await.is_none());
    assert!(budget.stopped());
    // Once stopped, even a free call is refused: the run is over.
    assert!(budget.admit(Some(0.0)).await.is_none());
    assert_eq!(budget.over_reported(), 0);
}

#[tokio::test]
async fn starts_with_one_call_and_stops_at_an_over_report() {
    let budget = Arc::new(Budget::new(Some(1.0)));
    let a = budget.admit(Some(0.01)).await.unwrap();
    // A second call waits until the first answered within its reservation.
    let waiting = tokio::spawn({
        let budget = budget.clone();
        async move { budget.admit(Some(0.01)).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(!waiting.is_finished());
    // The provider bills 100x the bound: the run stops, the waiting call is refused.
    budget.settle(a, Some(1.0));
    assert!(waiting.await.unwrap().is_none());
    assert!(budget.stopped());
    assert_eq!(budget.over_reported(), 1);
    assert!((budget.spent() - 1.0).abs() < 1e-12);
}

#[tokio::test]
async fn unpriced_and_free_calls_are_always_admitted() {
    let budget = Budget::new(Some(0.0));
    let t = budget.admit(None).await.unwrap();
    budget.settle(t, None);
    let t = budget.admit(Some(0.0)).await.unwrap();
    budget.settle(t, Some(0.0));
    assert!(budget.admit(Some(0.000001)).await.is_none());
}
