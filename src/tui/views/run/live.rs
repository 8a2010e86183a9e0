//! Progress of a run started from the TUI, from the runner's events (`crate::runner::RunEvent`).

use super::{RunPane, RunView};
use crate::tui::event::Request;
use crate::tui::event::SuiteGrading;
use crate::tui::views::{Effect, Level};

/// Progress of the run started from this TUI, from the runner's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveRun {
    pub run_id: i64,
    pub total: usize,
    pub done: usize,
    pub errors: usize,
    pub retries: usize,
    pub finished: bool,
    /// When the runner said it started: the calls-per-second of the gauge.
    pub started: Option<std::time::Instant>,
    /// Sum of the `cost_usd` of the samples so far.
    pub spent_usd: f64,
    /// The run's budget (the spend guard's), for the gauge.
    pub budget_usd: Option<f64>,
}

impl LiveRun {
    /// The gauge line of this run, `width` cells wide (`charts::gauge`).
    pub fn gauge(&self, width: usize) -> String {
        let g = crate::tui::views::charts::gauge::Gauge {
            done: self.done,
            elapsed_secs: self.started.map_or(0.0, |t| t.elapsed().as_secs_f64()),
            spent_usd: self.spent_usd,
            budget_usd: self.budget_usd,
        };
        crate::tui::views::charts::gauge::line(&g, width)
    }
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
        if let (Ok(o), Some(suite)) = (result, self.running_suite.take()) {
            out.push(Effect::Request(Request::CheckSuite(SuiteGrading {
                suite,
                run_id: o.run_id,
                judged: 0,
            })));
        }
        // A judge's calls ended (or failed): grading goes on with the next judge.
        if let Some(grading) = self.grading.take() {
            out.push(Effect::Request(Request::CheckSuite(grading)));
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
                    started: Some(std::time::Instant::now()),
                    budget_usd: self.budget_usd,
                    ..LiveRun::default()
                });
                self.follow = Some(*run_id);
                self.focus = RunPane::Samples;
                return vec![Effect::Request(Request::ListRuns)];
            }
            RunEvent::Sample { sample } => {
                if let Some(live) = &mut self.live {
                    live.done += 1;
                    live.spent_usd += sample.cost_usd.unwrap_or(0.0);
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
