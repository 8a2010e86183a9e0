//! Explain nondeterminism, not just detect it: where outputs split (the token each cluster chose,
//! its probability and the alternatives), how fragile an output is even when every sample agreed
//! (tokens decided by a margin under 0.05), whether the split follows the serving backend
//! (`system_fingerprint`, served model, region) rather than the prompt, and whether drift appears
//! only when requests are sent all at once (the batch probe).
//!
//! Pure over stored rows: `temper report --explain` and the TUI Diff view share it.
//!
//! ```no_run
//! # fn demo(store: &temper::store::Store, run_id: i64) -> Result<(), temper::store::StoreError> {
//! let mut cells = Vec::new();
//! for cell in store.cells(run_id)? {
//!     let samples = store.samples(cell.id)?;
//!     cells.push((cell, samples));
//! }
//! let explained = temper::explain::explain_run(&cells, temper::analysis::Mode::Exact);
//! for line in explained.sentences() {
//!     println!("{line}");
//! }
//! # Ok(()) }
//! ```

pub mod backend;
mod cell;
pub mod divergence;
pub mod margin;
mod schedules;
mod words;

pub use backend::{Backend, BackendGroup, BackendVerdict, backend_split};
pub use cell::{CellExplanation, Fragility, explain_cell};
pub use divergence::{ClusterChoice, ClusterText, SplitPoint, split_point};
pub use margin::{FRAGILE, Margins, margin, margins};
pub use schedules::{ScheduleComparison, ScheduleResult, ScheduleVerdict, compare_schedules};
pub use words::passed_over_cause;

use crate::analysis::Mode;
use crate::store::{CellInfo, SampleRow};
use serde::Serialize;

/// The explanation of a whole run: every cell, then the sequential-vs-burst comparisons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunExplanation {
    pub cells: Vec<CellExplanation>,
    pub schedules: Vec<ScheduleComparison>,
}

/// Explain every cell of a run (cells with their stored samples, in run order), comparing
/// outputs under `mode`.
pub fn explain_run(cells: &[(CellInfo, Vec<SampleRow>)], mode: Mode) -> RunExplanation {
    explain_run_sent(cells, mode, &[])
}

/// [`explain_run`] knowing the temperature each cell sent (same order as `cells`; missing
/// entries are unknown), so a token that was not the top choice is put down to its true cause.
pub fn explain_run_sent(
    cells: &[(CellInfo, Vec<SampleRow>)],
    mode: Mode,
    temperatures: &[Option<f64>],
) -> RunExplanation {
    let explained: Vec<CellExplanation> = cells
        .iter()
        .enumerate()
        .map(|(i, (c, s))| {
            explain_cell(c, s, mode).with_temperature(temperatures.get(i).copied().flatten())
        })
        .collect();
    let schedules = compare_schedules(&explained);
    RunExplanation {
        cells: explained,
        schedules,
    }
}

impl RunExplanation {
    /// The explanation in plain words, one line per finding (untrusted text sanitised).
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        for cell in &self.cells {
            out.push(cell.heading());
            out.extend(cell.sentences().into_iter().map(|s| format!("  {s}")));
        }
        for comparison in &self.schedules {
            out.push(comparison.sentence());
        }
        out
    }
}
