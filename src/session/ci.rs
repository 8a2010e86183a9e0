//! CI outputs of a verdict: JUnit XML (one test case per case × variant × check) for CI test
//! tabs, and a markdown summary for a pull-request comment (see docs/ci.md).

use super::metrics::VariantMetrics;
use super::outcomes::CaseOutcome;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// Failing cases listed in the markdown summary before "and N more".
const SUMMARY_ROWS: usize = 50;

/// JUnit XML of `cases`: one suite per variant, one test case per (case, check), a failure
/// carrying the measured value and the bar.
pub fn junit(session: &str, cases: &[CaseOutcome]) -> Result<String, quick_junit::SerializeError> {
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
            let status = if check.passed {
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
    report.add_test_suites(suites);
    report.to_string()
}

/// A markdown summary: the verdict, the metrics per variant, and the failing cases.
pub fn markdown(session: &str, cases: &[CaseOutcome], metrics: &[VariantMetrics]) -> String {
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

/// Text safe inside a markdown table cell: one line, pipes and backticks escaped.
fn md(text: &str) -> String {
    crate::sanitize::one_line(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
}
