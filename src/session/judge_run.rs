//! The judge's calls on a run: what each answered sample asks the judge, the grades already
//! stored for it, and a runner [`Plan`] for the ones still missing (see `judge.rs`).
//!
//! A judge call is a cell of the `temper-judge` prompt with the vars `rubric`, `input` (the last
//! user message the graded model saw) and `output` (its answer), sampled once at temperature 0.
//! Grades are found again by those vars, so an answer given twice (the samples of a stable
//! cell, a re-check of the same run) is graded once by the same judge and rubric.

use super::judge::{Grade, Graded, JUDGE_PROMPT, Judge, fence, judge_body, parse_grade};
use crate::config::RunDefaults;
use crate::prompt::Params;
use crate::runner::{Case, Plan, Variant};
use crate::store::{CellInfo, SampleRow, SampleStatus, Store, StoreError, Version};
use std::collections::{BTreeMap, HashMap};

/// What one answer asks the judge (besides the rubric).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Ask {
    input: String,
    output: String,
}

/// The variant every judge call runs: the judge's model at temperature 0.
fn judge_variant(judge: &Judge) -> Variant {
    Variant {
        name: "judge".into(),
        model: judge.model.clone(),
        params: Params {
            temperature: Some(0.0),
            ..Params::default()
        },
    }
}

/// The stored version of the judge prompt that holds today's template, if one was ever saved.
fn stored_template(store: &Store) -> Result<Option<Version>, StoreError> {
    let hash = judge_body().content_hash();
    let versions = match store.log(JUDGE_PROMPT) {
        Ok(v) => v,
        Err(StoreError::UnknownPrompt { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    match versions.into_iter().find(|v| v.hash == hash) {
        Some(v) => store
            .resolve_str(&format!("{JUDGE_PROMPT}@{}", v.number))
            .map(Some),
        None => Ok(None),
    }
}

/// Each cell's answers as `(sample index, text)`: every answered sample, in sample order.
fn answered(samples: &[Vec<SampleRow>]) -> Vec<Vec<(u32, &str)>> {
    samples
        .iter()
        .map(|rows| {
            rows.iter()
                .filter(|s| s.sample.status == Some(SampleStatus::Ok))
                .map(|s| (s.sample.idx, s.sample.output.as_deref().unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// For each cell, what each of its `answers` (`(sample index, text)`, in sample order) asks
/// the judge.
fn asks(
    store: &Store,
    cells: &[CellInfo],
    answers: &[Vec<(u32, &str)>],
) -> Result<Vec<Vec<(u32, Ask)>>, StoreError> {
    let mut bodies: HashMap<i64, crate::prompt::PromptBody> = HashMap::new();
    let mut out = Vec::with_capacity(cells.len());
    for (cell, answers) in cells.iter().zip(answers) {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            bodies.entry(cell.cell.prompt_version_id)
        {
            let version = store.resolve_str(&format!("{}@{}", cell.prompt, cell.prompt_number))?;
            slot.insert(version.body);
        }
        let vars = serde_json::from_str::<Case>(&cell.cell.case_json)
            .map(|c| c.vars)
            .unwrap_or_default();
        let input = bodies
            .get(&cell.cell.prompt_version_id)
            .and_then(|body| crate::prompt::render(body, &vars).ok())
            .and_then(|r| {
                r.messages
                    .into_iter()
                    .rev()
                    .find(|m| m.role == crate::prompt::Role::User)
            })
            .map(|m| m.content)
            .unwrap_or_default();
        out.push(
            answers
                .iter()
                .map(|&(idx, output)| {
                    let ask = Ask {
                        input: fence(&input),
                        output: fence(output),
                    };
                    (idx, ask)
                })
                .collect(),
        );
    }
    Ok(out)
}

/// Every grade this judge (model and rubric) gave with today's template, by what was asked. A
/// later grade replaces an earlier one, except that a failed call never hides a real answer.
fn stored_grades(store: &Store, judge: &Judge) -> Result<HashMap<Ask, Grade>, StoreError> {
    let mut grades = HashMap::new();
    let Some(version) = stored_template(store)? else {
        return Ok(grades);
    };
    for cell in store.cells_for_version(version.info.id)? {
        let model = serde_json::from_str::<Variant>(&cell.cell.variant_json).map(|v| v.model);
        if model.as_deref().ok() != Some(judge.model.as_str()) {
            continue;
        }
        let Ok(Case { vars, .. }) = serde_json::from_str::<Case>(&cell.cell.case_json) else {
            continue;
        };
        if vars.get("rubric") != Some(&fence(&judge.rubric)) {
            continue;
        }
        let (Some(input), Some(output)) = (vars.get("input"), vars.get("output")) else {
            continue;
        };
        let Some(first) = store.sample_page(cell.id, None, 1)?.into_iter().next() else {
            continue;
        };
        let grade = match first.sample.status {
            Some(SampleStatus::Ok) => parse_grade(first.sample.output.as_deref().unwrap_or("")),
            Some(SampleStatus::Error) => Grade::CallFailed {
                error: first.sample.error.unwrap_or_default(),
            },
            _ => continue,
        };
        let ask = Ask {
            input: input.clone(),
            output: output.clone(),
        };
        let keep_old = matches!(grade, Grade::CallFailed { .. }) && grades.contains_key(&ask);
        if !keep_old {
            grades.insert(ask, grade);
        }
    }
    Ok(grades)
}

/// The stored grades of each cell's answered samples, aligned with `cells`; a sample the
/// judge has not graded has no entry (the check reports it as not graded).
pub fn grades(
    store: &Store,
    judge: &Judge,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> Result<Vec<Vec<Graded>>, StoreError> {
    answer_grades(store, judge, cells, &answered(samples))
}

/// [`grades`] of each cell's distinct `answers` (`(first sample index, text)`): a grade is
/// found by what the answer asks, so one lookup stands for all the samples that gave it.
pub fn answer_grades(
    store: &Store,
    judge: &Judge,
    cells: &[CellInfo],
    answers: &[Vec<(u32, &str)>],
) -> Result<Vec<Vec<Graded>>, StoreError> {
    let stored = stored_grades(store, judge)?;
    Ok(asks(store, cells, answers)?
        .into_iter()
        .map(|cell| {
            cell.into_iter()
                .filter_map(|(sample, ask)| {
                    let grade = stored.get(&ask)?.clone();
                    Some(Graded { sample, grade })
                })
                .collect()
        })
        .collect())
}

/// The judge calls still to make for these cells: one per distinct answer without a grade (or
/// whose last call failed), as a plan of the judge prompt (saved in the DB if new) sampled once
/// at temperature 0. `None` when every answered sample is graded.
pub fn pending(
    store: &mut Store,
    judge: &Judge,
    session: &str,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
    defaults: &RunDefaults,
) -> Result<Option<Plan>, StoreError> {
    let answers = answered(samples);
    pending_answers(store, judge, session, cells, &answers, defaults)
}

/// [`pending`] from each cell's distinct `answers` (`(first sample index, text)`, by first
/// sample): the same plan, as an answer asks what each of its samples asks.
pub fn pending_answers(
    store: &mut Store,
    judge: &Judge,
    session: &str,
    cells: &[CellInfo],
    answers: &[Vec<(u32, &str)>],
    defaults: &RunDefaults,
) -> Result<Option<Plan>, StoreError> {
    let stored = stored_grades(store, judge)?;
    let mut missing: Vec<Case> = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    for (cell, asks) in cells.iter().zip(asks(store, cells, answers)?) {
        for (idx, ask) in asks {
            let graded =
                matches!(stored.get(&ask), Some(g) if !matches!(g, Grade::CallFailed { .. }));
            if graded || !seen.insert(ask.clone()) {
                continue;
            }
            let mut name = format!(
                "{} · {} · {}@{} · #{idx}",
                cell.cell.case_name, cell.cell.variant_name, cell.prompt, cell.prompt_number
            );
            if !names.insert(name.clone()) {
                name = format!("{name} (run {})", cell.run_id);
                names.insert(name.clone());
            }
            let vars = BTreeMap::from([
                ("rubric".to_string(), fence(&judge.rubric)),
                ("input".to_string(), ask.input),
                ("output".to_string(), ask.output),
            ]);
            missing.push(Case { name, vars });
        }
    }
    if missing.is_empty() {
        return Ok(None);
    }
    let saved = store.save_version(JUDGE_PROMPT, &judge_body(), "temper's judge prompt")?;
    let version = store.resolve_str(&format!("{JUDGE_PROMPT}@{}", saved.version.number))?;
    let mut plan = Plan::new(vec![version], vec![judge_variant(judge)], missing, defaults);
    plan.samples = 1;
    plan.logprobs = None;
    plan.source = "judge".into();
    plan.session = Some(session.to_string());
    Ok(Some(plan))
}
