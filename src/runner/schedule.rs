//! The batch probe: send a cell's N requests one at a time (`sequential`) or all at once
//! (`burst`). Batch-size-dependent kernels make many servers nondeterministic only under
//! concurrent load; running both shows whether production concurrency will see drift that a
//! sequential test hides. The schedule is stored in the cell's `variant_json` as `"schedule"`.

use super::budget::skip_the_rest;
use super::{LiveCell, PreparedCell, Shared, one_sample};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How a cell's samples are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// One request at a time, each after the previous answer.
    Sequential,
    /// All N requests in flight at once.
    Burst,
}

impl Schedule {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Sequential => "sequential",
            Schedule::Burst => "burst",
        }
    }

    /// The schedule recorded in a cell's `variant_json`, if any.
    pub fn of_variant_json(json: &str) -> Option<Schedule> {
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        serde_json::from_value(v.get("schedule")?.clone()).ok()
    }
}

/// Tag every cell with each schedule (one copy per schedule, sequential first), naming the
/// variant `model [burst]` and recording the schedule in its JSON.
pub fn apply(cells: Vec<PreparedCell>, schedules: &[Schedule]) -> Vec<PreparedCell> {
    if schedules.is_empty() {
        return cells;
    }
    let mut out = Vec::with_capacity(cells.len() * schedules.len());
    for cell in cells {
        for &schedule in schedules {
            let mut tagged = cell.clone();
            tagged.schedule = Some(schedule);
            if schedules.len() > 1 {
                tagged.new_cell.variant_name =
                    format!("{} [{}]", cell.new_cell.variant_name, schedule.as_str());
            }
            let mut json: serde_json::Value =
                serde_json::from_str(&cell.new_cell.variant_json).unwrap_or_default();
            if let Some(obj) = json.as_object_mut() {
                obj.insert("schedule".into(), serde_json::json!(schedule.as_str()));
            }
            tagged.new_cell.variant_json = json.to_string();
            out.push(tagged);
        }
    }
    out
}

/// Run the cells that have a schedule, one cell after another so bursts do not overlap with
/// anything else: sequential cells await each sample, burst cells send all N at once. Returns
/// the samples skipped by a budget stop and whether the budget stopped the run.
pub(super) async fn dispatch(
    cells: &[Arc<LiveCell>],
    samples: u32,
    shared: &Arc<Shared>,
) -> (usize, bool) {
    for (position, cell) in cells.iter().enumerate() {
        let mut tasks = tokio::task::JoinSet::new();
        for idx in 0..samples {
            let ticket = tokio::select! {
                biased;
                _ = shared.cancel.cancelled() => None,
                t = shared.budget.admit(cell.price.worst_usd) => t,
            };
            let Some(ticket) = ticket else {
                while tasks.join_next().await.is_some() {}
                if shared.cancel.is_cancelled() {
                    return (0, false);
                }
                let skipped = skip_the_rest(shared, &cells[position..=position], samples, (idx, 0))
                    + skip_the_rest(shared, &cells[position + 1..], samples, (0, 0));
                return (skipped, true);
            };
            if cell.cell.schedule == Some(Schedule::Burst) {
                let (shared, cell) = (shared.clone(), cell.clone());
                tasks.spawn(async move { one_sample(&shared, &cell, idx, ticket).await });
            } else {
                one_sample(shared, cell, idx, ticket).await;
            }
        }
        while tasks.join_next().await.is_some() {}
    }
    (0, false)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
