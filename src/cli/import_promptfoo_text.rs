//! The text form of a promptfoo suite's flakiness report: one line per test × prompt ×
//! provider, flaky first, with the pass rate, stability and first divergence.

use super::style::{Tone, paint};
use crate::promptfoo::{SuiteReport, TestReport};
use crate::sanitize::one_line;

/// The report as terminal text.
pub(super) fn render(report: &SuiteReport, n: u32, fail_on_flaky: bool) -> String {
    let mut out = format!(
        "promptfoo suite {} · run #{} · {} · N={n}\n",
        paint(Tone::Strong, &one_line(&report.suite)),
        report.run_id,
        crate::plural::count(report.tests.len() as u64, "test cell"),
    );
    for t in &report.tests {
        out.push_str(&line(t));
    }
    let failing = report.tests.iter().filter(|t| t.failing).count();
    let flaky = report.tests.iter().filter(|t| t.flaky).count();
    let skipped = report.tests.iter().filter(|t| t.all_skipped()).count();
    let verdict = format!(
        "{failing} failing (on a majority of samples) · {flaky} flaky · {skipped} with every assertion skipped",
    );
    let (tone, mark) = if report.passed(fail_on_flaky) {
        (Tone::Good, "✓")
    } else {
        (Tone::Removed, "✗")
    };
    out.push_str(&paint(tone, &format!("{mark} {verdict}\n")));
    if flaky > 0 && !fail_on_flaky {
        out.push_str(&paint(
            Tone::Muted,
            "flaky tests do not fail the gate; pass --fail-on-flaky to fail on them\n",
        ));
    }
    out
}

fn line(t: &TestReport) -> String {
    let (tag, tone) = if t.all_skipped() {
        ("SKIP ", Tone::Muted)
    } else if t.flaky {
        ("FLAKY", Tone::Removed)
    } else if t.failing {
        ("FAIL ", Tone::Removed)
    } else {
        ("pass ", Tone::Good)
    };
    let rate = if t.all_skipped() {
        "  -  ".to_string()
    } else {
        format!("{}/{}", t.passed, t.samples)
    };
    let mut out = format!(
        "{} {rate:>5}  {} × {} [{}]",
        paint(tone, tag),
        one_line(&t.test),
        one_line(&t.provider),
        one_line(&clip(&t.prompt, 40)),
    );
    if let Some(s) = t.stability {
        out.push_str(&format!(" · stability {s:.2}"));
    }
    out.push('\n');
    let mut sub = |text: String| {
        out.push_str(&format!(
            "        {}\n",
            paint(Tone::Muted, &one_line(&text))
        ))
    };
    if let Some(d) = &t.first_divergence {
        sub(format!("first divergence {d}"));
    }
    if let Some(f) = &t.first_failure {
        sub(format!("first failure {f}"));
    }
    if !t.skipped.is_empty() {
        sub(t.skipped.join("; "));
    }
    out
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
