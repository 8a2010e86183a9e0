//! Checks of a session over a stored run: the one path `temper check` and the TUI share.

use super::evidence::{Evidence, Indexed};
use super::judge::Graded;
use super::metrics::VariantMetrics;
use super::outcomes::{CaseOutcome, case_outcomes};
use super::{CellFacts, CheckedCell, Failure, Session, evaluate_checked};
use crate::store::{CellInfo, SampleRow, Store, StoreError};
use std::collections::{HashMap, HashSet};

/// The verdict of a session's checks on one stored run.
#[derive(Debug, Clone)]
pub struct RunChecks {
    /// The run's cells that belong to the session (its variants and cases).
    pub cells: Vec<CellInfo>,
    /// Every check that did not hold, per cell; empty when all held.
    pub failures: Vec<Failure>,
}

/// Evaluate `session`'s checks on run `run_id`; cells of other variants or cases are ignored.
/// A run with none of the session's cells yields no cells (the caller says what to do).
pub fn check_run(store: &Store, session: &Session, run_id: i64) -> Result<RunChecks, StoreError> {
    Ok(verdict(store, session, run_id)?.checks)
}

/// A run's verdict with what CI outputs need: per-case outcomes and per-variant metrics.
#[derive(Debug, Clone)]
pub struct RunVerdict {
    pub checks: RunChecks,
    /// Every check on every cell, in cell order.
    pub cases: Vec<CaseOutcome>,
    /// Agreement and pass@k per variant over the cases.
    pub metrics: Vec<VariantMetrics>,
    /// Stability and cost per cell, aligned with `cases` (what `--baseline` compares).
    pub stats: Vec<super::baseline::CellStats>,
}

/// The cells of run `run_id` that belong to `session` (its variants and cases), kept to the
/// prompt versions `versions` (all when empty): a stored run may hold other versions of the
/// same prompts.
pub fn session_cells(
    store: &Store,
    session: &Session,
    run_id: i64,
    versions: &[i64],
) -> Result<Vec<CellInfo>, StoreError> {
    let variants: HashSet<&str> = session.variants.iter().map(|v| v.name.as_str()).collect();
    let cases: HashSet<&str> = session.cases.iter().map(|k| k.name.as_str()).collect();
    Ok(store
        .cells(run_id)?
        .into_iter()
        .filter(|c| {
            variants.contains(c.cell.variant_name.as_str())
                && cases.contains(c.cell.case_name.as_str())
                && (versions.is_empty() || versions.contains(&c.cell.prompt_version_id))
        })
        .collect())
}

/// Each stored cell's distinct answers as `(first sample index, text)`: what the judge grades.
fn answers_of(evidence: &[Evidence]) -> Vec<Vec<(u32, &str)>> {
    evidence
        .iter()
        .map(|e| {
            e.answers
                .iter()
                .map(|a| (a.first, a.text.as_str()))
                .collect()
        })
        .collect()
}

/// What `checks` measure of each stored cell, from the store's groups and aggregates (no
/// sample read), each answer with the judge's stored grade when the checks have a judge.
pub fn evidence(
    store: &Store,
    checks: &super::Checks,
    cells: &[CellInfo],
) -> Result<Vec<Evidence>, StoreError> {
    let mut evidence: Vec<Evidence> = cells
        .iter()
        .map(|c| Evidence::load(store, c.id, checks))
        .collect::<Result<_, _>>()?;
    if let Some(judge) = &checks.judge {
        let grades = super::judge_run::answer_grades(store, judge, cells, &answers_of(&evidence))?;
        for (ev, graded) in evidence.iter_mut().zip(grades) {
            let mut by_first: HashMap<u32, super::Grade> =
                graded.into_iter().map(|g| (g.sample, g.grade)).collect();
            for answer in &mut ev.answers {
                answer.grade = by_first.remove(&answer.first);
            }
        }
    }
    Ok(evidence)
}

/// The judge calls still to make on run `run_id`'s cells of `versions` (all when empty): one
/// per distinct answer no stored grade covers, read as the store's groups of answers.
pub fn judge_pending(
    store: &mut Store,
    session: &Session,
    (run_id, versions): (i64, &[i64]),
    defaults: &crate::config::RunDefaults,
) -> Result<Option<crate::runner::Plan>, StoreError> {
    let Some(judge) = &session.check.judge else {
        return Ok(None);
    };
    let cells = session_cells(store, session, run_id, versions)?;
    let groups = cells
        .iter()
        .map(|c| store.output_groups(c.id))
        .collect::<Result<Vec<_>, _>>()?;
    let answers: Vec<Vec<(u32, &str)>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|a| (a.first_idx, a.output.as_deref().unwrap_or_default()))
                .collect()
        })
        .collect();
    super::judge_run::pending_answers(store, judge, &session.name, &cells, &answers, defaults)
}

/// The judge's stored grades of each cell (empty lists when the checks have no judge).
pub fn grades(
    store: &Store,
    checks: &super::Checks,
    cells: &[CellInfo],
    samples: &[Vec<SampleRow>],
) -> Result<Vec<Vec<Graded>>, StoreError> {
    match &checks.judge {
        Some(judge) => super::judge_run::grades(store, judge, cells, samples),
        None => Ok(vec![Vec::new(); cells.len()]),
    }
}

/// `name@N` of each cell's prompt version, the label checks and reports use.
pub fn labels(cells: &[CellInfo]) -> Vec<String> {
    cells
        .iter()
        .map(|c| format!("{}@{}", c.prompt, c.prompt_number))
        .collect()
}

/// The cells as the pure evaluation sees them (`labels` and `grades` aligned with `cells`).
pub fn facts<'a>(
    cells: &'a [CellInfo],
    samples: &'a [Vec<SampleRow>],
    labels: &'a [String],
    grades: &'a [Vec<Graded>],
) -> Vec<CellFacts<'a>> {
    cells
        .iter()
        .zip(samples)
        .zip(labels)
        .zip(grades)
        .map(|(((c, s), label), g)| CellFacts {
            prompt: label,
            variant: &c.cell.variant_name,
            case: &c.cell.case_name,
            samples: s,
            grades: g,
        })
        .collect()
}

/// Evaluate `session`'s checks on run `run_id` with the per-case outcomes and metrics.
pub fn verdict(store: &Store, session: &Session, run_id: i64) -> Result<RunVerdict, StoreError> {
    verdict_of_versions(store, session, run_id, &[])
}

/// [`verdict`] over the cells of the prompt versions `versions` only (all when empty). Reads
/// each cell's distinct answers and aggregates, never its samples (see [`evidence`]).
pub fn verdict_of_versions(
    store: &Store,
    session: &Session,
    run_id: i64,
    versions: &[i64],
) -> Result<RunVerdict, StoreError> {
    let checks = &session.check;
    let cells = session_cells(store, session, run_id, versions)?;
    let evidence = evidence(store, checks, &cells)?;
    let labels = labels(&cells);
    let members: Vec<Indexed<'_>> = cells
        .iter()
        .map(|c| Indexed { store, cell: c.id })
        .collect();
    let checked: Vec<CheckedCell<'_>> = cells
        .iter()
        .zip(&evidence)
        .zip(&labels)
        .zip(&members)
        .map(|(((c, evidence), label), members)| CheckedCell {
            prompt: label,
            variant: &c.cell.variant_name,
            case: &c.cell.case_name,
            evidence,
            members,
        })
        .collect();
    let failures = evaluate_checked(checks, session.mode, &checked)?;
    let cases = case_outcomes(&checks.names(), &checked, &failures);
    let metrics = super::metrics::sum_variants(checked.iter().map(|c| super::metrics::CaseRow {
        prompt: c.prompt,
        variant: c.variant,
        samples: c.evidence.samples,
        agreement: super::metrics::agreement(checks, c.evidence),
    }));
    let stats = evidence
        .iter()
        .map(|e| super::baseline::CellStats::of(e, session.mode))
        .collect();
    Ok(RunVerdict {
        checks: RunChecks { cells, failures },
        cases,
        metrics,
        stats,
    })
}

/// One case's agreement from its groups of identical answers, the same as
/// [`super::metrics::case_agreement`] over its samples when the checks have no judge (a judge
/// grades samples one by one: read them). Each distinct answer is checked once.
pub fn group_agreement(
    checks: &super::Checks,
    answers: &crate::analysis::stored::CellAnswers,
) -> super::metrics::CaseAgreement {
    let answers = Evidence {
        samples: answers.samples,
        answered: answers.answered,
        answers: answers
            .groups
            .iter()
            .map(|g| super::evidence::Answer {
                text: g.text.clone(),
                size: g.size,
                first: g.first,
                members: Vec::new(),
                hash: None,
                grade: None,
            })
            .collect(),
        ..Evidence::default()
    };
    super::metrics::agreement(checks, &answers)
}

/// The session metrics of `cells` from their answer groups (`answers`, aligned), without
/// reading a sample; `None` when the checks have a judge (its grades are per sample).
pub fn grouped_metrics(
    checks: &super::Checks,
    cells: &[CellInfo],
    answers: &[crate::analysis::stored::CellAnswers],
) -> Option<Vec<VariantMetrics>> {
    if checks.judge.is_some() {
        return None;
    }
    let labels = labels(cells);
    Some(super::metrics::sum_variants(
        cells
            .iter()
            .zip(answers)
            .zip(&labels)
            .map(|((c, a), label)| super::metrics::CaseRow {
                prompt: label,
                variant: &c.cell.variant_name,
                samples: a.samples,
                agreement: group_agreement(checks, a),
            }),
    ))
}
