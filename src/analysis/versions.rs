//! Compare two prompt versions by what they produced, not by their text: for every variant x
//! case both versions ran, the modal output of each version's newest cell and what that cell
//! measured ([`CellFigures`]: tokens, cost, latency, checks). `temper diff P@3 P@4`, `temper
//! compare` and the TUI Diff view (`O` in the Prompts view) share it.

use super::cell::observed;
use super::versions_figures::CellFigures;
use super::{Mode, Options, analyze};
use crate::sanitize::one_line;
use crate::store::{CellInfo, Store, StoreError};
use std::collections::BTreeMap;
use thiserror::Error;

/// What one version said for a variant x case: its newest cell's modal output.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionOutput {
    /// The reference as given (`support-answer@3`).
    pub reference: String,
    pub cell: CellInfo,
    /// The modal sample's index and text.
    pub sample: u32,
    pub output: String,
    /// Largest cluster / samples with an output in that cell.
    pub stability: Option<f64>,
    /// Tokens, cost, latency, agreement and checks of that cell.
    pub figures: CellFigures,
}

/// Both versions' outputs for one variant x case.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionPair {
    pub variant: String,
    pub case: String,
    pub old: VersionOutput,
    pub new: VersionOutput,
}

/// Why two versions' outputs cannot be compared.
#[derive(Debug, Error)]
pub enum CompareError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{reference} has no stored outputs{filter}: run it first (`temper run {reference}`)")]
    NoOutputs { reference: String, filter: String },
    #[error("{a} and {b} share no variant × case: {a} has {a_has}; {b} has {b_has}")]
    NothingShared {
        a: String,
        b: String,
        a_has: String,
        b_has: String,
    },
    #[error("cell #{cell} has no successful sample{why}")]
    NoOutput { cell: i64, why: String },
}

/// The modal outputs of `a` and `b` for every variant x case both ran (newest cell of each),
/// only variants whose name or model contains `model` when given; samples grouped by `mode`.
/// A sample passes the checks when its call answered.
pub fn compare_versions(
    store: &Store,
    a: &str,
    b: &str,
    model: Option<&str>,
    mode: Mode,
) -> Result<Vec<VersionPair>, CompareError> {
    compare_versions_with(store, a, b, model, mode, &|_| true)
}

/// [`compare_versions`] with the per-sample checks as `passes` (an answered output passes when
/// it returns true), for callers holding a session's checks (`temper compare --session`).
pub fn compare_versions_with(
    store: &Store,
    a: &str,
    b: &str,
    model: Option<&str>,
    mode: Mode,
    passes: &dyn Fn(&str) -> bool,
) -> Result<Vec<VersionPair>, CompareError> {
    let old = latest_cells(store, a, model)?;
    let new = latest_cells(store, b, model)?;
    let mut out = Vec::new();
    for (key, old_cell) in &old {
        let Some(new_cell) = new.get(key) else {
            continue;
        };
        out.push(VersionPair {
            variant: key.0.clone(),
            case: key.1.clone(),
            old: modal_output(store, a, old_cell, mode, passes)?,
            new: modal_output(store, b, new_cell, mode, passes)?,
        });
    }
    if out.is_empty() {
        let names = |m: &BTreeMap<(String, String), CellInfo>| {
            m.keys()
                .map(|(v, c)| format!("{v} × {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(CompareError::NothingShared {
            a: a.to_string(),
            b: b.to_string(),
            a_has: names(&old),
            b_has: names(&new),
        });
    }
    Ok(out)
}

/// The newest cell of a version per (variant, case), filtered by `model`.
fn latest_cells(
    store: &Store,
    reference: &str,
    model: Option<&str>,
) -> Result<BTreeMap<(String, String), CellInfo>, CompareError> {
    let version = store.resolve_str(reference)?;
    let mut out = BTreeMap::new();
    for c in store.cells_for_version(version.info.id)? {
        let matches = model
            .is_none_or(|m| c.cell.variant_name.contains(m) || c.cell.variant_json.contains(m));
        if matches {
            out.insert((c.cell.variant_name.clone(), c.cell.case_name.clone()), c);
        }
    }
    if out.is_empty() {
        return Err(CompareError::NoOutputs {
            reference: reference.to_string(),
            filter: model
                .map(|m| format!(" with a variant matching {m:?}"))
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

fn modal_output(
    store: &Store,
    reference: &str,
    cell: &CellInfo,
    mode: Mode,
    passes: &dyn Fn(&str) -> bool,
) -> Result<VersionOutput, CompareError> {
    let samples = store.samples(cell.id)?;
    let analysis = analyze(&observed(&samples), Options::mode(mode));
    let row = analysis
        .modal_sample()
        .and_then(|idx| samples.iter().find(|s| s.sample.idx == idx));
    let Some((row, output)) = row.and_then(|r| Some((r, r.sample.output.clone()?))) else {
        let why = samples
            .iter()
            .find_map(|s| s.sample.error.as_deref())
            .map(|e| format!(" (e.g. {})", one_line(e)))
            .unwrap_or_default();
        return Err(CompareError::NoOutput { cell: cell.id, why });
    };
    Ok(VersionOutput {
        reference: reference.to_string(),
        cell: cell.clone(),
        sample: row.sample.idx,
        output,
        stability: analysis.stability,
        figures: CellFigures::of(&samples, &analysis, passes),
    })
}
