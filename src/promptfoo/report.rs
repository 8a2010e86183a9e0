//! The flakiness report: per test (× prompt × provider) the pass rate over N samples, `flaky`
//! when some pass and some fail, stability and the first divergence of the outputs, and what
//! was skipped. Per-case outcomes in the session's shape feed the same JUnit writer.

use super::convert::Converted;
use super::grade::{SampleFacts, grade_test, is_graded};
use crate::analysis::{Mode, Observed, Options, analyze};
use crate::session::judge::{Grade, Graded};
use crate::session::{CaseOutcome, CellFacts, CheckOutcome};
use crate::store::SampleStatus;
use serde::Serialize;

/// One test on one prompt and provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    pub test: String,
    /// Where the test was written (`file:line`).
    pub origin: String,
    pub prompt: String,
    pub provider: String,
    pub samples: usize,
    pub passed: usize,
    /// passed / samples; `None` when every assertion was skipped.
    pub pass_rate: Option<f64>,
    /// Some samples passed and some failed.
    pub flaky: bool,
    /// Failed on a majority of samples (what fails the gate).
    pub failing: bool,
    /// Largest group of identical outputs / successful samples.
    pub stability: Option<f64>,
    /// Where the outputs first part ways: `at char N: "…" vs "…"`.
    pub first_divergence: Option<String>,
    /// Assertions not run, as `skipped: javascript assertion`.
    pub skipped: Vec<String>,
    /// The first failing sample's reason.
    pub first_failure: Option<String>,
}

impl TestReport {
    /// Every assertion was skipped: no verdict (shown, never counted as a pass).
    pub fn all_skipped(&self) -> bool {
        self.pass_rate.is_none()
    }
}

/// The whole suite's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteReport {
    pub suite: String,
    pub run_id: i64,
    /// Flaky first, then failing, then the rest, each in suite order.
    pub tests: Vec<TestReport>,
    /// Every graded assertion per test, in the session's per-case shape (JUnit, JSON).
    #[serde(skip)]
    pub cases: Vec<CaseOutcome>,
}

impl SuiteReport {
    /// Whether the gate holds: no test fails on a majority of samples (and none is flaky when
    /// `fail_on_flaky`).
    pub fn passed(&self, fail_on_flaky: bool) -> bool {
        !self
            .tests
            .iter()
            .any(|t| t.failing || (fail_on_flaky && t.flaky))
    }
}

/// The judge's (rubric, grade) of one cell's samples.
pub type RubricGrades = Vec<(String, Graded)>;

/// Grade every cell of the run; `cells` carry `name@N` prompt labels as the store gives them,
/// `rubric_grades` the judge's (rubric, grade) of their samples, aligned with `cells`.
pub fn build_report(
    converted: &Converted,
    run_id: i64,
    (cells, rubric_grades): (&[CellFacts<'_>], &[RubricGrades]),
    fail_on_flaky: bool,
) -> SuiteReport {
    let mut tests = Vec::new();
    let mut cases = Vec::new();
    for (at, cell) in cells.iter().enumerate() {
        let Some(test) = converted.tests.get(cell.case) else {
            continue;
        };
        let prompt_name = cell.prompt.rsplit_once('@').map_or(cell.prompt, |(n, _)| n);
        let prompt = converted
            .labels
            .get(prompt_name)
            .cloned()
            .unwrap_or_else(|| cell.prompt.to_string());
        let judged: Vec<Vec<(&str, &Grade)>> = cell
            .samples
            .iter()
            .map(|s| {
                rubric_grades
                    .get(at)
                    .into_iter()
                    .flatten()
                    .filter(|(_, g)| g.sample == s.sample.idx)
                    .map(|(r, g)| (r.as_str(), &g.grade))
                    .collect()
            })
            .collect();
        let facts: Vec<SampleFacts<'_>> = cell
            .samples
            .iter()
            .zip(&judged)
            .map(|(s, j)| facts_of(&s.sample, j))
            .collect();
        let verdicts: Vec<_> = facts
            .iter()
            .map(|f| grade_test(&test.asserts, test.threshold, &converted.tools, f))
            .collect();
        let graded = test.asserts.iter().filter(|a| is_graded(a)).count();
        let skipped: Vec<String> = test
            .asserts
            .iter()
            .filter(|a| !is_graded(a))
            .map(skip_text)
            .collect();
        let all_skipped = graded == 0 && !skipped.is_empty();
        let passed = verdicts.iter().filter(|v| v.passed).count();
        let n = verdicts.len();
        let ok: Vec<Observed<'_>> = cell
            .samples
            .iter()
            .filter(|s| s.sample.status == Some(SampleStatus::Ok))
            .map(|s| Observed::ok(s.sample.idx, s.sample.output.as_deref().unwrap_or("")))
            .collect();
        let analysis = analyze(&ok, Options::mode(Mode::Exact));
        let first_divergence = analysis.divergence.as_ref().map(|d| {
            format!(
                "at char {}: {:?} vs {:?}",
                d.char_offset,
                crate::sanitize::one_line(&d.modal_continuation),
                crate::sanitize::one_line(&d.other_continuation)
            )
        });
        let flaky = !all_skipped && passed > 0 && passed < n;
        let failing = !all_skipped && (n - passed) * 2 > n;
        let first_failure = verdicts
            .iter()
            .zip(cell.samples)
            .find(|(v, _)| !v.passed)
            .map(|(v, s)| {
                let (what, why) = v.failed.first().cloned().unwrap_or_default();
                format!("sample {}: {what}: {why}", s.sample.idx)
            });
        cases.push(case_outcome(
            test,
            cell,
            &prompt,
            &verdicts,
            graded,
            fail_on_flaky,
        ));
        tests.push(TestReport {
            test: cell.case.to_string(),
            origin: test.origin.clone(),
            prompt,
            provider: cell.variant.to_string(),
            samples: n,
            passed,
            pass_rate: (!all_skipped && n > 0).then(|| passed as f64 / n as f64),
            flaky,
            failing,
            stability: analysis.stability,
            first_divergence,
            skipped,
            first_failure,
        });
    }
    tests.sort_by_key(|t| {
        if t.flaky {
            0
        } else if t.failing {
            1
        } else {
            2
        }
    });
    SuiteReport {
        suite: converted.session.name.clone(),
        run_id,
        tests,
        cases,
    }
}

fn facts_of<'a>(
    s: &'a crate::store::NewSample,
    rubric_grades: &'a [(&'a str, &'a Grade)],
) -> SampleFacts<'a> {
    SampleFacts {
        rubric_grades,
        ok: s.status == Some(SampleStatus::Ok),
        output: s.output.as_deref().unwrap_or(""),
        error: s.error.as_deref(),
        cost_usd: s.cost_usd,
        latency_ms: s.latency_ms,
        finish_reason: s.finish_reason.as_deref(),
        tool_calls_json: s.tool_calls_json.as_deref(),
    }
}

fn skip_text(a: &super::Assertion) -> String {
    match &a.kind {
        super::Kind::Unsupported(t) if t == "transform" => {
            format!("skipped: {} (transform is javascript)", a.name)
        }
        super::Kind::Unsupported(t) => format!("skipped: {t} assertion"),
        _ => format!("skipped: {}", a.name),
    }
}

/// One graded assertion per check: it holds unless it failed on a majority of samples (on any
/// sample with `fail_on_flaky`); failed calls are the `call` check.
fn case_outcome(
    test: &super::tests_load::PfTest,
    cell: &CellFacts<'_>,
    prompt: &str,
    verdicts: &[super::grade::SampleVerdict],
    graded: usize,
    fail_on_flaky: bool,
) -> CaseOutcome {
    let n = verdicts.len();
    let mut names: Vec<String> = vec!["call".into()];
    names.extend(
        test.asserts
            .iter()
            .filter(|a| is_graded(a))
            .map(|a| a.name.clone()),
    );
    let checks: Vec<CheckOutcome> = names
        .iter()
        .filter(|name| graded > 0 || name.as_str() == "call")
        .map(|name| {
            let misses: Vec<&String> = verdicts
                .iter()
                .filter_map(|v| v.failed.iter().find(|(n, _)| n == name).map(|(_, why)| why))
                .collect();
            let passed = if fail_on_flaky {
                misses.is_empty()
            } else {
                misses.len() * 2 <= n
            };
            CheckOutcome {
                check: name.clone(),
                passed,
                value: (!misses.is_empty()).then(|| format!("failed {}/{n}", misses.len())),
                bar: (!misses.is_empty()).then(|| {
                    if fail_on_flaky {
                        "0 failed".into()
                    } else {
                        "fails on at most half".into()
                    }
                }),
                detail: misses.first().map(|w| crate::sanitize::one_line(w)),
                skipped: false,
            }
        })
        .chain(
            test.asserts
                .iter()
                .filter(|a| !is_graded(a))
                .map(|a| CheckOutcome {
                    check: a.name.clone(),
                    passed: true,
                    value: None,
                    bar: None,
                    detail: Some(skip_text(a)),
                    skipped: true,
                }),
        )
        .collect();
    CaseOutcome {
        case: cell.case.to_string(),
        variant: cell.variant.to_string(),
        prompt: prompt.to_string(),
        passed: checks.iter().all(|c| c.passed),
        checks,
    }
}
