//! A promptfoo suite as the cases list (issue 22): each test × prompt × provider with its pass
//! rate over N samples, a `flaky` marker when some samples passed and some failed, and the
//! stability of its answers; flaky tests first, then failing, then passing (docs/promptfoo.md).

use super::cases::CasesList;
use crate::promptfoo::{SuiteReport, TestReport};
use crate::session::CaseOutcome;
use crate::tui::theme::Theme;
use ratatui::text::Span;

/// How one test fared over its samples: the suite's columns of the cases list.
#[derive(Debug, Clone, PartialEq)]
pub struct Flakiness {
    pub passed: usize,
    pub samples: usize,
    /// `None` when every assertion was skipped (no verdict).
    pub pass_rate: Option<f64>,
    pub flaky: bool,
    /// Failed on a majority of samples.
    pub failing: bool,
    pub stability: Option<f64>,
    /// First divergence and skipped assertions, for the line under the list.
    pub note: String,
}

impl Flakiness {
    /// The test's place in the list: flaky 0, failing 1, passing (or skipped) 2.
    pub fn rank(&self) -> u8 {
        if self.flaky {
            0
        } else if self.failing {
            1
        } else {
            2
        }
    }

    fn of(test: &TestReport) -> Flakiness {
        let mut notes: Vec<String> = test.first_divergence.iter().cloned().collect();
        notes.extend(test.skipped.iter().cloned());
        Flakiness {
            passed: test.passed,
            samples: test.samples,
            pass_rate: test.pass_rate,
            flaky: test.flaky,
            failing: test.failing,
            stability: test.stability,
            note: notes.join(" · "),
        }
    }

    /// `≈ flaky 3/5  60% stab  60%` (or `✓ pass`, `✗ fail`, `- skip`), fixed width.
    pub fn spans(&self, theme: &Theme) -> Vec<Span<'static>> {
        let (mark, word, color) = match (self.pass_rate, self.rank()) {
            (None, _) => ("-", "skip ", theme.muted),
            (_, 0) => ("≈", "flaky", theme.warning),
            (_, 1) => ("✗", "fail ", theme.error),
            _ => ("✓", "pass ", theme.ok),
        };
        let pct = |v: Option<f64>| v.map_or("   -".to_string(), |v| format!("{:>3.0}%", v * 100.0));
        vec![
            Span::styled(format!("{mark} {word} "), theme.fg(color)),
            Span::styled(
                format!(
                    "{:>2}/{:<2} {} stab {} ",
                    match self.pass_rate {
                        Some(_) => self.passed.to_string(),
                        None => "-".to_string(),
                    },
                    self.samples,
                    pct(self.pass_rate),
                    pct(self.stability)
                ),
                theme.text(),
            ),
        ]
    }
}

/// One promptfoo test as a case row: its per-check outcome and its flakiness.
fn pair(report: &SuiteReport, test: &TestReport) -> (CaseOutcome, Flakiness) {
    let outcome = report
        .cases
        .iter()
        .find(|c| c.case == test.test && c.variant == test.provider && c.prompt == test.prompt)
        .cloned()
        .unwrap_or_else(|| CaseOutcome {
            case: test.test.clone(),
            variant: test.provider.clone(),
            prompt: test.prompt.clone(),
            passed: !test.failing,
            checks: Vec::new(),
        });
    (outcome, Flakiness::of(test))
}

impl CasesList {
    /// The tests of a suite's report, flaky first, then failing, then passing; `f` shows only
    /// the flaky and failing ones.
    pub fn from_suite(report: &SuiteReport) -> CasesList {
        let (rows, flakiness): (Vec<_>, Vec<_>) =
            report.tests.iter().map(|t| pair(report, t)).unzip();
        let flaky = flakiness.iter().filter(|f| f.flaky).count();
        let failing = flakiness.iter().filter(|f| f.failing && !f.flaky).count();
        let verdict = format!(
            "{}: {} flaky, {} failing of {} · run #{}",
            report.suite,
            flaky,
            failing,
            rows.len(),
            report.run_id
        );
        CasesList::with_flakiness(rows, flakiness, verdict)
    }
}
