//! Per-case results of a session's checks: every (case, variant, check) passed or failed, the
//! unit CI outputs report (JUnit test cases, the markdown summary, `check --json`).

use super::evaluate::{CheckedCell, Failure};
use serde::Serialize;

/// One check on one cell: held, or the failure with its measured value and bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    pub check: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Not run (a promptfoo assertion temper cannot grade): never a pass or a failure, a
    /// `<skipped>` test case in JUnit.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// Every check of one case on one variant (and prompt version).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseOutcome {
    pub case: String,
    pub variant: String,
    pub prompt: String,
    pub passed: bool,
    pub checks: Vec<CheckOutcome>,
}

/// The outcome of each of `names` (the session's checks) on each cell, failures taken from
/// `failures`; a failure whose check is not among `names` is still listed.
pub fn case_outcomes(
    names: &[String],
    cells: &[CheckedCell<'_>],
    failures: &[Failure],
) -> Vec<CaseOutcome> {
    let mut by_cell: std::collections::HashMap<(&str, &str, &str), Vec<&Failure>> =
        std::collections::HashMap::new();
    for f in failures {
        by_cell
            .entry((f.prompt.as_str(), f.variant.as_str(), f.case.as_str()))
            .or_default()
            .push(f);
    }
    cells
        .iter()
        .map(|cell| {
            let failed = by_cell
                .get(&(cell.prompt, cell.variant, cell.case))
                .map_or(&[][..], Vec::as_slice);
            let mut checks: Vec<CheckOutcome> = names
                .iter()
                .map(|name| match failed.iter().find(|f| &f.check == name) {
                    Some(f) => failed_outcome(f),
                    None => CheckOutcome {
                        check: name.clone(),
                        passed: true,
                        value: None,
                        bar: None,
                        detail: None,
                        skipped: false,
                    },
                })
                .collect();
            checks.extend(
                failed
                    .iter()
                    .filter(|f| !names.contains(&f.check))
                    .map(|f| failed_outcome(f)),
            );
            CaseOutcome {
                case: cell.case.to_string(),
                variant: cell.variant.to_string(),
                prompt: cell.prompt.to_string(),
                passed: failed.is_empty(),
                checks,
            }
        })
        .collect()
}

fn failed_outcome(f: &Failure) -> CheckOutcome {
    CheckOutcome {
        check: f.check.clone(),
        passed: false,
        value: Some(f.value.clone()),
        bar: Some(f.bar.clone()),
        detail: f.detail.clone(),
        skipped: false,
    }
}
