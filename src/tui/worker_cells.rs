//! The worker's side of a large cell in the Diff view: its clusters from the store's groups of
//! identical answers (`GROUP BY output_hash`: each one's size and first sample, never its
//! members) and the two samples first compared, read whole; never the cell's samples (docs/architecture.md, "History at scale").

use super::event::{GroupedCell, SamplePage};
use crate::analysis::stored::CellAnswers;
use crate::analysis::{Options, analyze_groups};
use crate::store::{Store, StoreError};

/// Cells planned with more samples than this are compared from groups and pages in the Diff
/// view; smaller ones are read whole (the explain panel needs each sample's logprobs).
pub const PAGED_ABOVE: u32 = 10_000;

/// Cell `cell_id` as the Diff view opens it: A is the modal answer, B the earliest to diverge
/// (else the second cluster, else the next sample), as the view picks them from samples.
pub fn grouped(store: &Store, cell_id: i64) -> Result<GroupedCell, StoreError> {
    let answers = CellAnswers::sizes(store, cell_id)?;
    let analysis = analyze_groups(answers.samples, &answers.groups(), Options::default());
    let samples = answers.samples as u64;
    drop(answers);
    let reps: Vec<u32> = analysis
        .clusters
        .iter()
        .map(|c| c.representative())
        .collect();
    let a = reps.first().copied().unwrap_or(0);
    let b = analysis
        .divergence
        .as_ref()
        .map(|d| d.other_sample)
        .or(reps.get(1).copied())
        .unwrap_or(a + 1);
    let mut pair = Vec::with_capacity(2);
    for idx in [a, b] {
        if let Some(sample) = store.sample_at(cell_id, idx)? {
            pair.push(sample);
        }
    }
    Ok(GroupedCell {
        samples,
        analysis,
        pair,
    })
}

/// Rows of a large cell's sample list read at once by the Run view.
pub const PAGE_ROWS: u32 = 200;

/// The page of cell `cell_id` from its `offset`-th sample and how many samples it has (along
/// the store's `(cell_id, idx)` key); with `errors`, how many failed (that reads every row).
pub fn page(
    store: &Store,
    cell_id: i64,
    offset: u32,
    errors: bool,
) -> Result<SamplePage, StoreError> {
    Ok(SamplePage {
        cell_id,
        offset,
        rows: store.sample_window(cell_id, offset, PAGE_ROWS)?,
        total: store.cell_sample_count(cell_id)?,
        errors: errors
            .then(|| store.cell_error_count(cell_id))
            .transpose()?,
    })
}
