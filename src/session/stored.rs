//! Checks of a session over a stored run: the one path `temper check` and the TUI share.

use super::metrics::{VariantMetrics, variant_metrics};
use super::outcomes::{CaseOutcome, case_outcomes};
use super::{CellFacts, Failure, Session, evaluate};
use crate::store::{CellInfo, SampleRow, Store, StoreError};
use std::collections::HashSet;

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
}

/// Evaluate `session`'s checks on run `run_id` with the per-case outcomes and metrics.
pub fn verdict(store: &Store, session: &Session, run_id: i64) -> Result<RunVerdict, StoreError> {
    let variants: HashSet<&str> = session.variants.iter().map(|v| v.name.as_str()).collect();
    let cases: HashSet<&str> = session.cases.iter().map(|k| k.name.as_str()).collect();
    let cells: Vec<CellInfo> = store
        .cells(run_id)?
        .into_iter()
        .filter(|c| {
            variants.contains(c.cell.variant_name.as_str())
                && cases.contains(c.cell.case_name.as_str())
        })
        .collect();
    let samples: Vec<Vec<SampleRow>> = cells
        .iter()
        .map(|c| store.samples(c.id))
        .collect::<Result<_, _>>()?;
    let labels: Vec<String> = cells
        .iter()
        .map(|c| format!("{}@{}", c.prompt, c.prompt_number))
        .collect();
    let facts: Vec<CellFacts<'_>> = cells
        .iter()
        .zip(&samples)
        .zip(&labels)
        .map(|((c, s), label)| CellFacts {
            prompt: label,
            variant: &c.cell.variant_name,
            case: &c.cell.case_name,
            samples: s,
        })
        .collect();
    let failures = evaluate(&session.check, session.mode, &facts);
    let cases = case_outcomes(&session.check.names(), &facts, &failures);
    let metrics = variant_metrics(&session.check, &facts);
    Ok(RunVerdict {
        checks: RunChecks { cells, failures },
        cases,
        metrics,
    })
}
