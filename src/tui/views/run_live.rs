//! Progress of a run started from the TUI, from the runner's events (`crate::runner::RunEvent`).

use super::Effect;
use super::run::{RunPane, RunView};
use crate::tui::event::Request;

/// Progress of the run started from this TUI, from the runner's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveRun {
    pub run_id: i64,
    pub total: usize,
    pub done: usize,
    pub errors: usize,
    pub retries: usize,
    pub finished: bool,
}

impl RunView {
    /// Count a runner event; a new run is followed (selected once the list has it).
    pub(super) fn on_progress(&mut self, progress: &crate::runner::RunEvent) -> Vec<Effect> {
        use crate::runner::RunEvent;
        match progress {
            RunEvent::Started { run_id, total, .. } => {
                self.live = Some(LiveRun {
                    run_id: *run_id,
                    total: *total,
                    ..LiveRun::default()
                });
                self.follow = Some(*run_id);
                self.focus = RunPane::Samples;
                return vec![Effect::Request(Request::ListRuns)];
            }
            RunEvent::Sample { sample } => {
                if let Some(live) = &mut self.live {
                    live.done += 1;
                    if sample.status == Some(crate::store::SampleStatus::Error) {
                        live.errors += 1;
                    }
                }
            }
            RunEvent::Retrying { .. } => {
                if let Some(live) = &mut self.live {
                    live.retries += 1;
                }
            }
            // The skipped samples follow as Sample events; the Run view shows them stored.
            RunEvent::BudgetReached { .. } => {}
            RunEvent::Finished { .. } => {
                if let Some(live) = &mut self.live {
                    live.finished = true;
                }
            }
        }
        Vec::new()
    }
}
