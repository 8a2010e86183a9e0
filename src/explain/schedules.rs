//! The batch probe's verdict: the same cell sent one request at a time and all at once.

use super::cell::CellExplanation;
use crate::runner::Schedule;
use serde::Serialize;

/// Stability of one (prompt, model, case) under each schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleComparison {
    /// The variant compared as the user wrote it (`openai:gpt-4o-mini temperature=0.7`).
    pub model: String,
    pub case: String,
    pub sequential: ScheduleResult,
    pub burst: ScheduleResult,
    pub verdict: ScheduleVerdict,
}

/// One schedule's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleResult {
    pub cell_id: i64,
    pub ok: usize,
    pub distinct: usize,
    pub stability: Option<f64>,
}

/// What the comparison shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleVerdict {
    /// Stable either way.
    StableBoth,
    /// Stable one at a time, drifting under concurrent load.
    DriftUnderLoad,
    /// Drifting one at a time, stable in a burst (unusual; other causes dominate).
    DriftSequentialOnly,
    /// Drifting either way: load is not the (only) cause.
    DriftBoth,
}

/// Pair every sequential cell with the burst cell of the same prompt version, model and case.
pub fn compare_schedules(cells: &[CellExplanation]) -> Vec<ScheduleComparison> {
    let result = |c: &CellExplanation| ScheduleResult {
        cell_id: c.cell_id,
        ok: c.ok,
        distinct: c.clusters.len(),
        stability: c.stability,
    };
    cells
        .iter()
        .filter(|c| c.schedule == Some(Schedule::Sequential))
        .filter_map(|seq| {
            let burst = cells.iter().find(|c| {
                c.schedule == Some(Schedule::Burst)
                    && c.prompt_version_id == seq.prompt_version_id
                    && c.variant_key == seq.variant_key
                    && c.case == seq.case
            })?;
            let verdict = match (seq.clusters.len() > 1, burst.clusters.len() > 1) {
                (false, false) => ScheduleVerdict::StableBoth,
                (false, true) => ScheduleVerdict::DriftUnderLoad,
                (true, false) => ScheduleVerdict::DriftSequentialOnly,
                (true, true) => ScheduleVerdict::DriftBoth,
            };
            Some(ScheduleComparison {
                // The variant's name as the user wrote it (model and params), schedule aside.
                model: seq
                    .variant
                    .strip_suffix(" [sequential]")
                    .unwrap_or(&seq.variant)
                    .to_string(),
                case: seq.case.clone(),
                sequential: result(seq),
                burst: result(burst),
                verdict,
            })
        })
        .collect()
}
