//! Agreement metrics per variant over a session's cases, comparable with published work (Atil
//! et al., "Non-Determinism of Deterministic LLM Settings": TARr@N and TARa@N), plus pass@k and
//! pass^k of the per-sample checks. See docs/ci.md for the definitions.

use super::checks::Checks;
use super::evaluate::CellFacts;
use super::evidence::Evidence;
use crate::analysis::normalize::parse_json;
use crate::store::SampleRow;
use serde::Serialize;

/// One variant's (and prompt version's) agreement over its cases; shares are 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantMetrics {
    pub variant: String,
    /// `name@N` of the prompt version the cells ran.
    pub prompt: String,
    /// Cases (cells) measured.
    pub cases: usize,
    /// Samples per case (the largest N seen).
    pub samples: usize,
    /// Share of cases whose N raw outputs are all identical (TARr@N).
    pub tar_raw: f64,
    /// Share of cases whose N extracted answers are all identical (TARa@N).
    pub tar_answer: f64,
    /// Share of cases where at least one of the N samples passes every per-sample check.
    pub pass_at_k: f64,
    /// Share of cases where all N samples pass every per-sample check (pass^k).
    pub pass_all_k: f64,
}

/// Per-case agreement facts, before they are summed per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseAgreement {
    pub raw_agree: bool,
    pub answer_agree: bool,
    pub any_pass: bool,
    pub all_pass: bool,
}

/// The metrics of every (prompt, variant) in `cells` (their samples held), in order of first
/// appearance.
pub fn variant_metrics(checks: &Checks, cells: &[CellFacts<'_>]) -> Vec<VariantMetrics> {
    sum_variants(cells.iter().map(|cell| CaseRow {
        prompt: cell.prompt,
        variant: cell.variant,
        samples: cell.samples.len(),
        agreement: case_agreement(checks, cell.samples, cell.grades),
    }))
}

/// One case already judged: whose it is, its N and its agreement.
#[derive(Debug, Clone, Copy)]
pub struct CaseRow<'a> {
    /// `name@N` of the prompt version.
    pub prompt: &'a str,
    pub variant: &'a str,
    pub samples: usize,
    pub agreement: CaseAgreement,
}

/// [`variant_metrics`] over cases whose agreement is known (however it was computed).
pub fn sum_variants<'a>(cases: impl IntoIterator<Item = CaseRow<'a>>) -> Vec<VariantMetrics> {
    let mut out: Vec<(VariantMetrics, [usize; 4])> = Vec::new();
    for case in cases {
        let a = case.agreement;
        let at = match out
            .iter()
            .position(|(m, _)| m.variant == case.variant && m.prompt == case.prompt)
        {
            Some(i) => i,
            None => {
                out.push((empty(&case), [0; 4]));
                out.len() - 1
            }
        };
        let (m, counts) = &mut out[at];
        m.cases += 1;
        m.samples = m.samples.max(case.samples);
        let flags = [a.raw_agree, a.answer_agree, a.any_pass, a.all_pass];
        for (count, flag) in counts.iter_mut().zip(flags) {
            *count += usize::from(flag);
        }
    }
    out.into_iter()
        .map(|(mut m, [raw, answer, any, all])| {
            let share = |n: usize| n as f64 / m.cases.max(1) as f64;
            (m.tar_raw, m.tar_answer) = (share(raw), share(answer));
            (m.pass_at_k, m.pass_all_k) = (share(any), share(all));
            m
        })
        .collect()
}

fn empty(case: &CaseRow<'_>) -> VariantMetrics {
    VariantMetrics {
        variant: case.variant.to_string(),
        prompt: case.prompt.to_string(),
        cases: 0,
        samples: 0,
        tar_raw: 0.0,
        tar_answer: 0.0,
        pass_at_k: 0.0,
        pass_all_k: 0.0,
    }
}

/// One case's agreement: a failed call breaks agreement and fails its sample; a case with no
/// samples agrees on nothing.
pub fn case_agreement(
    checks: &Checks,
    samples: &[SampleRow],
    grades: &[super::judge::Graded],
) -> CaseAgreement {
    agreement(checks, &Evidence::of_samples(samples, grades))
}

/// [`case_agreement`] from a cell's distinct answers: each answer is checked once.
pub fn agreement(checks: &Checks, ev: &Evidence) -> CaseAgreement {
    let all_answered = ev.samples > 0 && ev.unanswered() == 0;
    let extracted: Option<Vec<String>> = ev
        .answers
        .iter()
        .map(|a| checks.answer.extract(&a.text))
        .collect();
    let passes: Vec<bool> = ev
        .answers
        .iter()
        .map(|a| sample_passes(checks, &a.text) && judge_passes(checks, a.grade.as_ref()))
        .collect();
    CaseAgreement {
        raw_agree: all_answered && ev.answers.windows(2).all(|w| w[0].text == w[1].text),
        answer_agree: all_answered && extracted.is_some_and(|a| a.windows(2).all(|w| w[0] == w[1])),
        any_pass: passes.iter().any(|p| *p),
        all_pass: all_answered && passes.iter().all(|p| *p),
    }
}

/// Whether one successful output passes the per-sample checks (`must_contain`,
/// `must_not_contain`, `regex`, `json_schema`); cell-level bars (stability, cost, latency) are
/// not per sample and do not count here.
pub fn sample_passes(checks: &Checks, output: &str) -> bool {
    checks
        .must_contain
        .iter()
        .all(|n| output.contains(n.as_str()))
        && !checks
            .must_not_contain
            .iter()
            .any(|n| output.contains(n.as_str()))
        && checks.regex.iter().all(|re| re.is_match(output))
        && checks
            .json_schema
            .as_ref()
            .is_none_or(|schema| parse_json(output).is_some_and(|v| schema.validator.is_valid(&v)))
}

/// Whether the judge (if the session has one) gave `grade` at or above its pass score.
fn judge_passes(checks: &Checks, grade: Option<&super::judge::Grade>) -> bool {
    checks.judge.as_ref().is_none_or(|judge| {
        matches!(grade, Some(super::judge::Grade::Score { score, .. }) if score + 1e-9 >= judge.pass_score)
    })
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
