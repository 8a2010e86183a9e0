//! Unit tests of `gauge.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn the_gauge_reads_rate_spend_and_budget() {
    let g = Gauge {
        done: 21,
        elapsed_secs: 5.0,
        spent_usd: 0.03,
        budget_usd: Some(0.1),
    };
    let l = line(&g, 60);
    assert!(l.starts_with("4.2 calls/s · $0.0300 "), "{l}");
    assert!(l.ends_with(" 30% of $0.1000 budget"), "{l}");
    // 30% of a 16-cell bar: four cells and six eighths.
    assert!(l.contains("████▊ "), "{l}");
    let none = line(
        &Gauge {
            budget_usd: None,
            ..g
        },
        60,
    );
    assert!(none.ends_with(" spent") && !none.contains('█'), "{none}");
    let start = line(
        &Gauge {
            done: 0,
            elapsed_secs: 0.0,
            ..g
        },
        60,
    );
    assert!(start.starts_with("0.0 calls/s"), "{start}");
    let narrow = line(&g, 46);
    assert!(narrow.starts_with("4.2/s · $0.0300 █"), "{narrow}");
    assert!(narrow.chars().count() <= 46, "{narrow}");
    assert!(narrow.ends_with(" 30% of $0.1000"), "{narrow}");
}
