//! Progress of a run started from the TUI, from the runner's events (`crate::runner::RunEvent`).

use super::{RunPane, RunView};
use crate::tui::event::Request;
use crate::tui::views::{Effect, Level};

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
    /// The run ended: say how, reload, and check a session's run against its `[check]`.
    pub(super) fn on_ended(
        &mut self,
        result: &Result<crate::runner::RunOutcome, String>,
    ) -> Vec<Effect> {
        if let Some(live) = &mut self.live {
            live.finished = true;
        }
        let (level, text) = match result {
            Ok(o) => (
                Level::Info,
                format!(
                    "run #{} {}: {} ok, {} failed, {} not run, {:.1}s",
                    o.run_id,
                    o.status.as_str(),
                    o.ok,
                    o.failed,
                    o.not_run,
                    o.elapsed.as_secs_f64()
                ),
            ),
            Err(e) => (Level::Error, format!("run failed: {e}")),
        };
        let mut out = vec![Effect::Status(level, text)];
        if let (Ok(o), Some(path)) = (result, self.running_session.take()) {
            out.push(Effect::Request(Request::CheckSession {
                path,
                run_id: o.run_id,
            }));
        }
        out.extend(self.refresh());
        out
    }

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
