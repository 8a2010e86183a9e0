//! The spend guard during a run: actual spend is tallied from the usage each answer reports,
//! and before every call its worst case (the cost at `max_tokens`) is reserved. A call that
//! could cross the budget waits for the calls in flight to settle; when nothing is in flight
//! and it still could cross, the run stops there.
//!
//! A reservation is no guarantee when a provider reports more usage than `max_tokens` allows
//! (issue 17.8), so under a budget the guard also: starts with one call in flight and doubles
//! the window on every answer that stayed within its reservation (a provider that over-reports
//! on its first answer costs one call, not the whole concurrency); keeps the calls in flight
//! able to cost twice their reservation, so concurrency falls as spend nears the budget; and
//! stops at once, no new calls, when an answer costs more than [`OVER_REPORT`] times its
//! reservation or spend reaches the budget. What was spent is reported as it is, over or not.

use super::{LiveCell, RunEvent, Shared};
use crate::store::{NewSample, SampleStatus};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// An answer costing more than this multiple of its reservation was over-reported: the
/// provider billed past `max_tokens` (input counts estimated by temper may be a little low,
/// hence not 1.0).
pub const OVER_REPORT: f64 = 1.5;
/// Calls in flight must fit in the budget at this multiple of their reservations.
const HEADROOM: f64 = 2.0;

/// Spend so far and the worst cases of the calls in flight, in USD.
#[derive(Debug)]
struct Tally {
    spent: f64,
    reserved: f64,
    in_flight: usize,
    stopped: bool,
    /// Most calls in flight now (slow start: 1, doubled per answer within its reservation).
    window: usize,
    /// Answers that cost more than [`OVER_REPORT`] times their reservation.
    over_reported: usize,
}

/// A run's budget; without a limit every call is admitted and spend is only tallied.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: Option<f64>,
    tally: Mutex<Tally>,
    settled: Notify,
}

/// An admitted call's reservation, handed back to [`Budget::settle`].
#[derive(Debug)]
pub(crate) struct Ticket {
    reserved: f64,
}

impl Budget {
    /// A budget of `limit` USD (None: no limit).
    pub fn new(limit: Option<f64>) -> Budget {
        Budget {
            limit,
            tally: Mutex::new(Tally {
                spent: 0.0,
                reserved: 0.0,
                in_flight: 0,
                stopped: false,
                window: 1,
                over_reported: 0,
            }),
            settled: Notify::new(),
        }
    }

    /// Admit a call whose worst case is `worst` USD (`None`: unpriced, cannot be enforced), or
    /// return `None` when the run must stop: the call could cross the budget even with nothing
    /// else in flight, spend reached the budget, or a provider over-reported. Waits while calls
    /// in flight might still free room.
    pub async fn admit(&self, worst: Option<f64>) -> Option<Ticket> {
        loop {
            {
                let mut t = self.lock();
                if t.stopped {
                    return None;
                }
                let reserve = worst.unwrap_or(0.0).max(0.0);
                match self.fits(&t, reserve) {
                    Some(true) => {
                        t.reserved += reserve;
                        t.in_flight += 1;
                        return Some(Ticket { reserved: reserve });
                    }
                    Some(false) => {}
                    None => {
                        t.stopped = true;
                        return None;
                    }
                }
            }
            self.settled.notified().await;
        }
    }

    /// Whether a call reserving `reserve` may start now (`Some(false)`: wait for a settle,
    /// `None`: it never will, stop).
    fn fits(&self, t: &Tally, reserve: f64) -> Option<bool> {
        let Some(limit) = self.limit.filter(|_| reserve > 0.0) else {
            return Some(true);
        };
        if t.in_flight == 0 {
            return (t.spent + reserve <= limit).then_some(true);
        }
        let headroom = t.spent + HEADROOM * (t.reserved + reserve) <= limit;
        Some(t.in_flight < t.window && headroom)
    }

    /// A call finished: release its reservation and add what it actually cost. An answer far
    /// over its reservation, or spend at the budget, stops the run.
    pub fn settle(&self, ticket: Ticket, actual: Option<f64>) {
        {
            let mut t = self.lock();
            t.reserved = (t.reserved - ticket.reserved).max(0.0);
            t.in_flight = t.in_flight.saturating_sub(1);
            if t.in_flight == 0 {
                t.reserved = 0.0;
            }
            let cost = actual.filter(|c| c.is_finite() && *c > 0.0).unwrap_or(0.0);
            t.spent += cost;
            if let Some(limit) = self.limit.filter(|_| ticket.reserved > 0.0) {
                if cost > ticket.reserved * OVER_REPORT {
                    t.over_reported += 1;
                    t.stopped = true;
                } else {
                    t.window = t.window.saturating_mul(2);
                }
                if t.spent >= limit {
                    t.stopped = true;
                }
            }
        }
        self.settled.notify_one();
    }

    /// The limit in USD, if any.
    pub fn limit(&self) -> Option<f64> {
        self.limit
    }

    /// What the answered calls cost so far (priced models only).
    pub fn spent(&self) -> f64 {
        self.lock().spent
    }

    /// Whether the guard stopped the run (budget reached or a provider over-reported).
    pub fn stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Answers that cost more than [`OVER_REPORT`] times their reservation.
    pub fn over_reported(&self) -> usize {
        self.lock().over_reported
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Store every sample from `from` (sample index, cell position) on as skipped by the budget,
/// in the order they would have run; returns how many.
pub(super) fn skip_the_rest(
    shared: &Shared,
    cells: &[Arc<LiveCell>],
    samples: u32,
    from: (u32, usize),
) -> usize {
    let mut skipped = Vec::new();
    for idx in from.0..samples {
        let start = if idx == from.0 { from.1 } else { 0 };
        for cell in cells.iter().skip(start) {
            skipped.push(NewSample {
                cell_id: cell.id,
                idx,
                status: Some(SampleStatus::Skipped),
                error: Some(SKIPPED_BUDGET.to_string()),
                request_hash: Some(cell.cell.request_hash.clone()),
                ..NewSample::default()
            });
        }
    }
    if let (Some(tx), Some(budget_usd)) = (&shared.events, shared.budget.limit()) {
        let _ = tx.send(RunEvent::BudgetReached {
            budget_usd,
            spent_usd: shared.budget.spent(),
            skipped: skipped.len(),
        });
    }
    let count = skipped.len();
    for sample in skipped {
        if let Some(tx) = &shared.events {
            let _ = tx.send(RunEvent::Sample {
                sample: Box::new(sample.clone()),
            });
        }
        shared.writer.send(sample);
    }
    count
}

/// The error stored on samples the spend guard did not send.
pub const SKIPPED_BUDGET: &str = "skipped: budget";

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
