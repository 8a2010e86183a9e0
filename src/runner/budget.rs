//! The spend guard during a run: actual spend is tallied from the usage each answer reports,
//! and before every call its worst case is reserved. A call that could cross the budget waits
//! for the calls in flight to settle (they usually cost less than their worst case); when
//! nothing is in flight and it still could cross, the run stops there.

use super::{LiveCell, RunEvent, Shared};
use crate::store::{NewSample, SampleStatus};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Spend so far and the worst cases of the calls in flight, in USD.
#[derive(Debug, Default)]
struct Tally {
    spent: f64,
    reserved: f64,
    in_flight: usize,
    stopped: bool,
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
            tally: Mutex::new(Tally::default()),
            settled: Notify::new(),
        }
    }

    /// Admit a call whose worst case is `worst` USD (`None`: unpriced, cannot be enforced), or
    /// return `None` when it could cross the budget even with nothing else in flight. Waits
    /// while calls in flight might still free room.
    pub async fn admit(&self, worst: Option<f64>) -> Option<Ticket> {
        loop {
            {
                let mut t = self.lock();
                if t.stopped {
                    return None;
                }
                let reserve = worst.unwrap_or(0.0).max(0.0);
                let fits = match self.limit {
                    None => true,
                    Some(_) if reserve == 0.0 => true,
                    Some(limit) => t.spent + t.reserved + reserve <= limit,
                };
                if fits {
                    t.reserved += reserve;
                    t.in_flight += 1;
                    return Some(Ticket { reserved: reserve });
                }
                if t.reserved <= 0.0 {
                    t.stopped = true;
                    return None;
                }
            }
            self.settled.notified().await;
        }
    }

    /// A call finished: release its reservation and add what it actually cost.
    pub fn settle(&self, ticket: Ticket, actual: Option<f64>) {
        {
            let mut t = self.lock();
            t.reserved = (t.reserved - ticket.reserved).max(0.0);
            t.in_flight = t.in_flight.saturating_sub(1);
            if t.in_flight == 0 {
                t.reserved = 0.0;
            }
            t.spent += actual.filter(|c| c.is_finite() && *c > 0.0).unwrap_or(0.0);
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

    /// Whether a call was refused for lack of budget.
    pub fn stopped(&self) -> bool {
        self.lock().stopped
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
mod tests {
    use super::*;

    #[tokio::test]
    async fn stops_only_when_nothing_in_flight_could_free_room() {
        let budget = Budget::new(Some(1.0));
        let a = budget.admit(Some(0.4)).await.unwrap();
        let b = budget.admit(Some(0.4)).await.unwrap();
        // A third worst case of 0.4 does not fit next to two reservations: settle one cheaply.
        budget.settle(a, Some(0.1));
        let c = budget.admit(Some(0.4)).await.unwrap();
        budget.settle(b, Some(0.1));
        budget.settle(c, Some(0.1));
        assert!((budget.spent() - 0.3).abs() < 1e-12);
        // 0.3 spent: 0.4 fits (0.7), then 0.7 + 0.4 > 1.0 with nothing in flight: stop.
        let d = budget.admit(Some(0.4)).await.unwrap();
        budget.settle(d, Some(0.4));
        assert!(budget.admit(Some(0.4)).await.is_none());
        assert!(budget.stopped());
        // Once stopped, even a free call is refused: the run is over.
        assert!(budget.admit(Some(0.0)).await.is_none());
    }

    #[tokio::test]
    async fn unpriced_and_free_calls_are_always_admitted() {
        let budget = Budget::new(Some(0.0));
        let t = budget.admit(None).await.unwrap();
        budget.settle(t, None);
        let t = budget.admit(Some(0.0)).await.unwrap();
        budget.settle(t, Some(0.0));
        assert!(budget.admit(Some(0.000001)).await.is_none());
    }
}
