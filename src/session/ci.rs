//! CI outputs of a verdict: JUnit XML (one test case per case × variant × check) for CI test
//! tabs, and a markdown summary for a pull-request comment (see docs/ci.md).

use super::baseline::Comparison;
use super::metrics::VariantMetrics;
use super::outcomes::CaseOutcome;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// Failing cases listed in the markdown summary before "and N more".
const SUMMARY_ROWS: usize = 50;

/// JUnit XML of `cases`: one suite per variant, one test case per (case, check), a failure
/// carrying the measured value and the bar.
/// With a baseline, one more suite holds a failing test case per regression (or one passing
/// "no regressions" case).
pub fn junit(
    session: &str,
    cases: &[CaseOutcome],
    baseline: Option<(&str, &Comparison)>,
) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(format!("temper check {session}"));
    let mut suites: Vec<TestSuite> = Vec::new();
    for outcome in cases {
        let suite_name = format!("{session} · {}", outcome.variant);
        let at = match suites.iter().position(|s| s.name.as_str() == suite_name) {
            Some(i) => i,
            None => {
                suites.push(TestSuite::new(suite_name));
                suites.len() - 1
            }
        };
        for check in &outcome.checks {
            let status = if check.skipped {
                let mut status = TestCaseStatus::skipped();
                if let Some(why) = &check.detail {
                    status.set_message(crate::sanitize::one_line(why));
                }
                status
            } else if check.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!(
                    "{}: {} (bar {})",
                    check.check,
                    check.value.as_deref().unwrap_or("-"),
                    check.bar.as_deref().unwrap_or("-")
                ));
                status.set_type(check.check.clone());
                if let Some(detail) = &check.detail {
                    status.set_description(crate::sanitize::one_line(detail));
                }
                status
            };
            let mut case = TestCase::new(format!("{} · {}", outcome.case, check.check), status);
            case.set_classname(format!("{}.{}", outcome.prompt, outcome.variant));
            suites[at].add_test_case(case);
        }
    }
    if let Some((reference, comparison)) = baseline {
        suites.push(baseline_suite(session, reference, comparison));
    }
    report.add_test_suites(suites);
    report.to_string()
}

/// The `--baseline` suite: a failing test case per regression.
fn baseline_suite(session: &str, reference: &str, comparison: &Comparison) -> TestSuite {
    let mut suite = TestSuite::new(format!("{session} · baseline {reference}"));
    if comparison.regressions.is_empty() {
        let mut case = TestCase::new("no regressions", TestCaseStatus::success());
        case.set_classname(format!("baseline.{reference}"));
        suite.add_test_case(case);
    }
    for r in &comparison.regressions {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(crate::sanitize::one_line(&r.message));
        status.set_type("regression");
        let mut case = TestCase::new(format!("{} · {} · regressed", r.case, r.check), status);
        case.set_classname(format!("{}.{}", r.candidate, r.variant));
        suite.add_test_case(case);
    }
    suite
}

/// A markdown summary: the verdict, the metrics per variant, and the failing cases.
pub fn markdown(
    session: &str,
    cases: &[CaseOutcome],
    metrics: &[VariantMetrics],
    baseline: Option<(&str, &Comparison)>,
) -> String {
    let failing: Vec<&CaseOutcome> = cases.iter().filter(|c| !c.passed).collect();
    let mut out = format!(
        "### temper check `{}`: {}\n\n{} of {} cells pass.\n\n",
        md(session),
        if failing.is_empty() {
            "✅ passed"
        } else {
            "❌ failed"
        },
        cases.len() - failing.len(),
        cases.len()
    );
    out.push_str("| prompt | variant | cases | tar_raw | tar_answer | pass@k | pass^k |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for m in metrics {
        out.push_str(&format!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
            md(&m.prompt),
            md(&m.variant),
            m.cases,
            m.tar_raw,
            m.tar_answer,
            m.pass_at_k,
            m.pass_all_k
        ));
    }
    if let Some((reference, comparison)) = baseline {
        out.push_str(&baseline_markdown(reference, comparison));
    }
    if failing.is_empty() {
        return out;
    }
    out.push_str(
        "\n| case | variant | failed check | value | bar |\n| --- | --- | --- | --- | --- |\n",
    );
    let rows = failing
        .iter()
        .flat_map(|c| c.checks.iter().filter(|k| !k.passed).map(move |k| (c, k)));
    let total = rows.clone().count();
    for (c, k) in rows.take(SUMMARY_ROWS) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md(&c.case),
            md(&c.variant),
            md(&k.check),
            md(k.value.as_deref().unwrap_or("")),
            md(k.bar.as_deref().unwrap_or(""))
        ));
    }
    if total > SUMMARY_ROWS {
        out.push_str(&format!(
            "\n…and {} more failed checks.\n",
            total - SUMMARY_ROWS
        ));
    }
    out
}

/// The markdown section of a baseline comparison: regressions, then flips.
fn baseline_markdown(reference: &str, comparison: &Comparison) -> String {
    let mut out = format!(
        "\n**Against `{}`**: {}\n\n",
        md(reference),
        match comparison.regressions.len() {
            0 => "no regressions".to_string(),
            n => crate::plural::count(n as u64, "regression"),
        }
    );
    for r in comparison.regressions.iter().take(SUMMARY_ROWS) {
        out.push_str(&format!("- regressed: {}\n", md(&r.message)));
    }
    for f in comparison.flips.iter().take(SUMMARY_ROWS) {
        let word = |passed: bool| if passed { "pass" } else { "fail" };
        out.push_str(&format!(
            "- flipped: {} ({}) {} → {}\n",
            md(&f.case),
            md(&f.variant),
            word(f.baseline_passed),
            word(f.candidate_passed)
        ));
    }
    out
}

/// Text safe inside a markdown table cell: one line, pipes and backticks escaped.
fn md(text: &str) -> String {
    crate::sanitize::one_line(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
}
