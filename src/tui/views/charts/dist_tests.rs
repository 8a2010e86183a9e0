//! Unit tests of `dist.rs` (kept beside it so the module reads without them).

use super::*;

fn text(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row(idx: u32, out: &str, ms: f64) -> SampleRow {
    let mut r = SampleRow {
        created_at: String::new(),
        sample: Default::default(),
    };
    r.sample.idx = idx;
    r.sample.status = Some(crate::store::SampleStatus::Ok);
    r.sample.output = Some(out.into());
    r.sample.latency_ms = Some(ms);
    r
}

#[test]
fn the_modal_cluster_comes_first_with_its_first_words() {
    let theme = Theme::default();
    let rows = vec![
        row(0, "Refunds within 14 days of purchase", 300.0),
        row(1, "Refunds within 30 days of purchase", 310.0),
        row(2, "Refunds within 30 days of purchase", 320.0),
    ];
    let t = text(&cluster_lines(&rows, 60, &theme));
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "clusters: 2 distinct of 3 ok");
    // The words every cluster shares are left out of the labels.
    assert!(lines[1].starts_with("◆ …30 days of purchase"), "{t}");
    assert!(lines[1].ends_with("  2  67%"), "{t}");
    assert!(
        lines[2].starts_with("  …14 days") && lines[2].ends_with("  1  33%"),
        "{t}"
    );
    // The modal bar is full, the other half as long.
    let blocks = |l: &str| l.chars().filter(|c| *c == '█').count();
    assert!(blocks(lines[1]) > 2 * blocks(lines[2]) - 2, "{t}");
    assert!(blocks(lines[1]) <= 2 * blocks(lines[2]) + 1, "{t}");
}

#[test]
fn latency_marks_p50_and_p95_under_the_histogram() {
    let theme = Theme::default();
    let mut v: Vec<f64> = (0..19).map(|i| 100.0 + f64::from(i)).collect();
    v.push(1000.0);
    let t = text(&timing_lines("latency", &v, 24, &theme));
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("latency: p50 109ms p95 118ms"), "{t}");
    // Nineteen fast calls in the first bin, the slow one in the last, gaps between.
    assert_eq!(lines[1], "│█        ▁│ 100–1000ms");
    assert!(lines[2] == " *", "both marks in the first bin: {t}");
    let spread: Vec<f64> = (1..=20).map(|i| f64::from(i) * 100.0).collect();
    let t = text(&timing_lines("latency", &spread, 24, &theme));
    let marks = t.lines().nth(2).unwrap_or_default();
    assert_eq!(marks.find('5'), Some(5), "{t}");
    assert_eq!(marks.find('9'), Some(10), "{t}");
    assert_eq!(
        text(&timing_lines("ttft", &[], 24, &theme)),
        "ttft: no timed samples"
    );
}
