//! Unit tests of `trends.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn each_metric_reads_first_to_last() {
    let t = |number, stability, cost, p95| VersionTrend {
        number,
        samples: 4,
        stability,
        cost_per_call_usd: cost,
        latency_p95_ms: p95,
    };
    let trends = [
        t(1, Some(0.5), Some(0.002), Some(400.0)),
        t(2, Some(1.0), Some(0.001), Some(800.0)),
    ];
    let text: Vec<String> = lines("gpt", &trends, &Theme::default())
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    assert_eq!(text[0], "gpt across 2 versions with runs");
    assert_eq!(text[1], "stability ▅█  50% → 100%");
    assert!(text[2].ends_with("$0.002000 → $0.001000"), "{text:?}");
    assert_eq!(text[3], "p95       ▅█  400ms → 800ms");
    assert!(text[5].starts_with("@1     50%"), "{text:?}");
}
