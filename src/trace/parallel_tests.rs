//! Unit tests of `parallel.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn results_come_in_job_order_and_stop_when_asked() {
    let mut got = Vec::new();
    let sent = ordered_map(
        |send| (0..1000u64).take_while(|&i| send(i)).count(),
        |i| {
            // Later jobs finish first now and then.
            if i % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            i * 2
        },
        |r| {
            got.push(r);
            r < 1000
        },
    );
    assert_eq!(got, (0..=500).map(|i| i * 2).collect::<Vec<_>>());
    assert!(sent < 1000, "sending stopped once consume said so ({sent})");
}
