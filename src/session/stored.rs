//! Checks of a session over a stored run: the one path `temper check` and the TUI share.

use super::{CellFacts, Failure, Session, evaluate};
use crate::store::{CellInfo, SampleRow, Store, StoreError};

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
    let cells: Vec<CellInfo> = store
        .cells(run_id)?
        .into_iter()
        .filter(|c| {
            session
                .variants
                .iter()
                .any(|v| v.name == c.cell.variant_name)
                && session.cases.iter().any(|k| k.name == c.cell.case_name)
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
    Ok(RunChecks { cells, failures })
}
