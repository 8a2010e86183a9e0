//! Agreement metrics per variant over a session's cases, comparable with published work (Atil
//! et al., "Non-Determinism of Deterministic LLM Settings": TARr@N and TARa@N), plus pass@k and
//! pass^k of the per-sample checks. See docs/ci.md for the definitions.

use super::checks::Checks;
use super::evaluate::CellFacts;
use crate::analysis::normalize::parse_json;
use crate::store::{SampleRow, SampleStatus};
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

/// The metrics of every (prompt, variant) in `cells`, in order of first appearance.
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
    let outputs: Vec<Option<&str>> = samples
        .iter()
        .map(|s| {
            (s.sample.status == Some(SampleStatus::Ok))
                .then(|| s.sample.output.as_deref().unwrap_or(""))
        })
        .collect();
    let raw: Option<Vec<&str>> = outputs.iter().copied().collect();
    let answers: Option<Vec<String>> = outputs
        .iter()
        .map(|o| o.and_then(|t| checks.answer.extract(t)))
        .collect();
    let passes: Vec<bool> = samples
        .iter()
        .zip(&outputs)
        .map(|(s, o)| {
            o.is_some_and(|t| sample_passes(checks, t))
                && judge_passes(checks, grades, s.sample.idx)
        })
        .collect();
    CaseAgreement {
        raw_agree: raw.is_some_and(|r| all_equal(&r)),
        answer_agree: answers.is_some_and(|a| all_equal(&a)),
        any_pass: passes.iter().any(|p| *p),
        all_pass: !passes.is_empty() && passes.iter().all(|p| *p),
    }
}

fn all_equal<T: PartialEq>(items: &[T]) -> bool {
    !items.is_empty() && items.windows(2).all(|w| w[0] == w[1])
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

/// Whether the judge (if the session has one) graded sample `idx` at or above its pass score.
fn judge_passes(checks: &Checks, grades: &[super::judge::Graded], idx: u32) -> bool {
    checks.judge.as_ref().is_none_or(|judge| {
        grades.iter().any(|g| {
            g.sample == idx
                && matches!(g.grade, super::judge::Grade::Score { score, .. } if score + 1e-9 >= judge.pass_score)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Answer;
    use crate::store::NewSample;

    fn sample(idx: u32, output: Option<&str>) -> SampleRow {
        SampleRow {
            created_at: String::new(),
            sample: NewSample {
                idx,
                status: Some(if output.is_some() {
                    SampleStatus::Ok
                } else {
                    SampleStatus::Error
                }),
                output: output.map(str::to_string),
                ..NewSample::default()
            },
        }
    }

    #[test]
    fn raw_and_answer_agreement_differ_when_only_the_wording_varies() {
        let checks = Checks {
            answer: Answer::Regex(regex::Regex::new(r"label: (\w+)").unwrap()),
            must_contain: vec!["label".into()],
            ..Checks::default()
        };
        let split = [
            sample(0, Some("label: billing.")),
            sample(1, Some("label: billing!")),
        ];
        let same = [sample(0, Some("label: bug")), sample(1, Some("label: bug"))];
        let broken = [sample(0, Some("label: bug")), sample(1, None)];
        let cells = [&split[..], &same[..], &broken[..]].map(|s| CellFacts {
            prompt: "p@1",
            variant: "v",
            case: "c",
            samples: s,
            grades: &[],
        });
        let m = &variant_metrics(&checks, &cells)[0];
        assert_eq!((m.cases, m.samples), (3, 2));
        assert!((m.tar_raw - 1.0 / 3.0).abs() < 1e-9, "{m:?}");
        assert!((m.tar_answer - 2.0 / 3.0).abs() < 1e-9, "{m:?}");
        assert!((m.pass_at_k - 1.0).abs() < 1e-9, "{m:?}");
        assert!((m.pass_all_k - 2.0 / 3.0).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn pointer_answers_compare_json_values() {
        let checks = Checks {
            answer: Answer::Pointer("/label".into()),
            ..Checks::default()
        };
        let s = [
            sample(0, Some(r#"{"label":"a","why":"x"}"#)),
            sample(1, Some(r#"{"why":"y","label":"a"}"#)),
        ];
        let a = case_agreement(&checks, &s, &[]);
        assert!(!a.raw_agree && a.answer_agree && a.all_pass);
        let missing = [sample(0, Some(r#"{"label":"a"}"#)), sample(1, Some("{}"))];
        assert!(!case_agreement(&checks, &missing, &[]).answer_agree);
    }
}
