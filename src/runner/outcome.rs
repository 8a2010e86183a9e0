//! What a run reports: its progress events, how it ended, and why it could not run (the types
//! the CLI and the TUI read; see docs/architecture.md "runner").

use super::budget::SKIPPED_BUDGET;
use super::plan::PlanError;
use crate::store::{NewSample, RunStatus, StoreError};
use serde::Serialize;
use std::time::Duration;
use thiserror::Error;

/// Progress of a run, sent as it happens (for the TUI and the CLI progress bar).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// The run and its cells exist in the DB; `total` calls will be made.
    Started {
        run_id: i64,
        total: usize,
        cells: Vec<CellStarted>,
    },
    /// An attempt failed and will be retried after `delay`.
    Retrying {
        cell_id: i64,
        idx: u32,
        attempt: u32,
        delay: Duration,
        error: String,
    },
    /// A sample is final (ok or error) and queued for the DB. `response_json` and `logprobs`
    /// are left out.
    Sample { sample: Box<NewSample> },
    /// The budget would be crossed by the next call: no more calls are made and the remaining
    /// `skipped` samples are stored as skipped.
    BudgetReached {
        budget_usd: f64,
        spent_usd: f64,
        skipped: usize,
    },
    /// The run is closed in the DB.
    Finished {
        run_id: i64,
        status: RunStatus,
        ok: usize,
        failed: usize,
        elapsed: Duration,
    },
}

/// A cell as announced in [`RunEvent::Started`].
#[derive(Debug, Clone, Serialize)]
pub struct CellStarted {
    pub cell_id: i64,
    pub prompt_version_id: i64,
    pub variant: String,
    pub case: String,
    pub n: u32,
}

impl RunOutcome {
    /// How far spend went past the budget, when it did (never hidden as "within budget").
    pub fn overshoot_usd(&self) -> Option<f64> {
        let budget = self.budget_usd?;
        (self.spent_usd > budget).then_some(self.spent_usd - budget)
    }

    /// Why the spend guard stopped the run, in words for the user (`None` if it did not).
    pub fn budget_stop_message(&self) -> Option<String> {
        use crate::cost::format_usd;
        if !self.budget_reached && self.overshoot_usd().is_none() {
            return None;
        }
        let budget = format_usd(self.budget_usd.unwrap_or(0.0));
        let spent = format_usd(self.spent_usd);
        let why = match (self.over_reported, self.overshoot_usd()) {
            (0, None) => format!(
                "the next call could take spend past the budget of {budget} ({spent} spent)"
            ),
            (0, Some(over)) => format!(
                "spend reached {spent}, {} over the budget of {budget}",
                format_usd(over)
            ),
            (n, over) => format!(
                "{} cost more than max_tokens allows (the provider reported more usage than it could produce); spent {spent} against a budget of {budget}{}",
                crate::plural::count(n as u64, "answer"),
                over.map(|o| format!(", {} over", format_usd(o)))
                    .unwrap_or_default()
            ),
        };
        Some(format!(
            "stopped: {why}; {} not sent, stored as `{SKIPPED_BUDGET}` in run #{}",
            crate::plural::count(self.skipped as u64, "sample"),
            self.run_id
        ))
    }
}

/// How a run ended.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub run_id: i64,
    /// `done`, `cancelled`, or `failed` (storage failed, or no sample got an answer).
    pub status: RunStatus,
    pub ok: usize,
    pub failed: usize,
    /// Calls never finished because the run was cancelled.
    pub not_run: usize,
    /// Samples stored as `skipped: budget` because the budget was reached.
    pub skipped: usize,
    /// Actual spend of the answered calls of priced models, in USD.
    pub spent_usd: f64,
    /// The budget the run was held to, if any.
    pub budget_usd: Option<f64>,
    /// Whether the spend guard stopped the run early: the next call could cross the budget,
    /// spend reached it, or a provider over-reported (see `over_reported`).
    pub budget_reached: bool,
    /// Answers that cost more than 1.5 times the reservation for their `max_tokens`: the
    /// provider reported more usage than it could have produced. The first one stops the run.
    pub over_reported: usize,
    pub elapsed: Duration,
    /// Render warnings (unused variables), deduplicated.
    pub warnings: Vec<String>,
    /// Longest time a sample waited between its answer and its commit: what a `kill -9`
    /// could lose beyond the calls in flight (docs/hardening.md).
    pub max_commit_lag_ms: f64,
}

/// Why a run could not start or could not be stored.
#[derive(Debug, Error)]
pub enum RunError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("storing the run: {0}")]
    Store(#[from] StoreError),
    /// A commit failed mid-run (disk full, read-only DB): the run stopped at once.
    #[error(
        "storing samples failed, so run #{run_id} stopped at once: no new calls were made; the {stored} samples committed before the failure are kept (calls in flight were abandoned). Cause: {source}"
    )]
    StorageFailed {
        run_id: i64,
        stored: usize,
        source: StoreError,
    },
}
