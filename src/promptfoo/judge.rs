//! `llm-rubric` on temper's judge (`[check] judge`, session/judge.rs): each distinct (grader
//! model, rubric) is one judge, grading the answers of the tests that ask for that rubric. The
//! grader is `--judge-model`, else the test's (or `defaultTest`'s) `options.provider`, else the
//! suite's first provider (docs/promptfoo.md).

use super::{Converted, Kind, PromptfooError};
use crate::session::judge::Judge;
use crate::store::{CellInfo, SampleRow, Store, StoreError};
use std::collections::BTreeSet;

/// One judge and the cases (tests) whose answers it grades.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricJudge {
    pub judge: Judge,
    pub cases: BTreeSet<String>,
}

/// The judges the suite's `llm-rubric` assertions need, grouped by (model, rubric).
pub fn judges(
    converted: &Converted,
    judge_model: Option<&str>,
) -> Result<Vec<RubricJudge>, PromptfooError> {
    let first = converted
        .session
        .variants
        .first()
        .map(|v| v.model.value.as_str());
    let mut out: Vec<RubricJudge> = Vec::new();
    for (case, test) in &converted.tests {
        let rubrics: Vec<&String> = test
            .asserts
            .iter()
            .filter_map(|a| match &a.kind {
                Kind::LlmRubric(r, _) => Some(r),
                _ => None,
            })
            .collect();
        if rubrics.is_empty() {
            continue;
        }
        let model = match (judge_model, &test.grader) {
            (Some(m), _) => m.to_string(),
            (None, Some(id)) => grader_model(id).ok_or_else(|| {
                let line = test.origin.rsplit_once(':').and_then(|(_, l)| l.parse().ok());
                PromptfooError::at(
                    &converted.session.path,
                    line.unwrap_or(0),
                    format!(
                        "test {case:?}: grader provider {id:?} is not supported (openai:, anthropic:, ollama: or temper's mock:judge); pass --judge-model PROVIDER:MODEL"
                    ),
                )
            })?,
            (None, None) => first.unwrap_or("mock:judge").to_string(),
        };
        for rubric in rubrics {
            match out
                .iter_mut()
                .find(|j| j.judge.model == model && j.judge.rubric == *rubric)
            {
                Some(j) => {
                    j.cases.insert(case.clone());
                }
                None => out.push(RubricJudge {
                    judge: Judge {
                        model: model.clone(),
                        rubric: rubric.clone(),
                        pass_score: crate::session::judge::DEFAULT_PASS_SCORE,
                        line: 0,
                    },
                    cases: BTreeSet::from([case.clone()]),
                }),
            }
        }
    }
    Ok(out)
}

/// A promptfoo grader id as a temper model; `mock:…` (temper's offline models) as written.
fn grader_model(id: &str) -> Option<String> {
    if id.starts_with("mock:") {
        return Some(id.to_string());
    }
    super::providers::temper_model(id).map(|(kind, model)| format!("{kind}:{model}"))
}

/// The cells (with their samples) whose case `judge` grades.
fn cells_of(
    judge: &RubricJudge,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> (Vec<CellInfo>, Vec<Vec<SampleRow>>) {
    cells
        .iter()
        .zip(samples)
        .filter(|(c, _)| judge.cases.contains(&c.cell.case_name))
        .map(|(c, s)| (c.clone(), s.clone()))
        .unzip()
}

/// The calls `judge` still has to make on the answers of `cells` (those of its cases without a
/// stored grade), as a plan; `None` when every answer it grades is graded. `temper check` and
/// the TUI both run it before grading a suite's run.
pub fn pending_plan(
    store: &mut Store,
    judge: &RubricJudge,
    (suite, cells, samples): (&str, &[CellInfo], &[Vec<SampleRow>]),
    defaults: &crate::config::RunDefaults,
) -> Result<Option<crate::runner::Plan>, StoreError> {
    let (cells, samples) = cells_of(judge, cells, samples);
    crate::session::judge_run::pending(store, &judge.judge, suite, &cells, &samples, defaults)
}

/// Every stored grade of each cell's samples, as (rubric, grade), aligned with `cells`.
pub fn rubric_grades(
    store: &Store,
    judges: &[RubricJudge],
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> Result<Vec<super::report::RubricGrades>, StoreError> {
    let mut out: Vec<super::report::RubricGrades> = vec![Vec::new(); cells.len()];
    for j in judges {
        let picked: Vec<usize> = (0..cells.len())
            .filter(|&i| j.cases.contains(&cells[i].cell.case_name))
            .collect();
        let (sub_cells, sub_samples) = cells_of(j, cells, samples);
        let grades = crate::session::judge_run::grades(store, &j.judge, &sub_cells, &sub_samples)?;
        for (i, graded) in picked.into_iter().zip(grades) {
            out[i].extend(graded.into_iter().map(|g| (j.judge.rubric.clone(), g)));
        }
    }
    Ok(out)
}
