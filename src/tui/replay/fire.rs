//! A replay saved by the worker and fired off it: the calls run on a thread with a runtime of its
//! own and the comparison reads the run back on a store connection of its own, so the worker
//! keeps answering the other views while a slow model answers (docs/architecture.md, TUI).

use super::{ReplayAsk, ReplayOutcome, ReplayReport, Replayed};
use crate::replay::grounding;
use crate::replay::probe::Probe;
use crate::runner::{self, Plan, PreparedCell};
use crate::store::Store;
use crate::tui::event::Event;
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedSender;

/// A replay the spend guard let through, saved as prompt versions, with what its verdict needs.
pub struct Firing {
    pub(super) ask: ReplayAsk,
    pub(super) db_path: PathBuf,
    pub(super) plan: Plan,
    pub(super) cells: Vec<PreparedCell>,
    /// The replay's prompt name (its probe is `<name>-without`).
    pub(super) name: String,
    pub(super) span: String,
    pub(super) labels: Vec<String>,
    pub(super) model: String,
    pub(super) model_note: Option<String>,
    pub(super) recorded: String,
    pub(super) probe: Option<Probe>,
}

impl Firing {
    /// Fire the calls on a thread of their own when `events` can carry the verdict (the worker
    /// serves a UI, and is not held for as long as the model takes), answering at once that
    /// they started; without `events`, fire them here and answer the verdict.
    pub fn answer(self, events: Option<UnboundedSender<Event>>) -> Event {
        let Some(events) = events else {
            return self.finish();
        };
        let (started, ask) = (self.started(), self.ask().clone());
        let spawned = std::thread::Builder::new()
            .name("temper-replay".into())
            .spawn(move || {
                let _ = events.send(self.finish());
            });
        match spawned {
            Ok(_) => started,
            Err(e) => Event::Replayed(Box::new(Replayed {
                ask,
                outcome: ReplayOutcome::Failed(format!("starting the replay's calls: {e}")),
            })),
        }
    }

    /// The replay asked for.
    pub fn ask(&self) -> &ReplayAsk {
        &self.ask
    }

    /// What the pane shows while the calls run.
    pub fn started(&self) -> Event {
        Event::Replayed(Box::new(Replayed {
            ask: self.ask.clone(),
            outcome: ReplayOutcome::Firing {
                model: self.model.clone(),
                samples: self.plan.samples,
            },
        }))
    }

    /// Fire the calls and compare with what the trace recorded (blocking: run it off the
    /// worker). Every failure comes back in the outcome.
    pub fn finish(self) -> Event {
        let ask = self.ask.clone();
        let outcome = self.fire().unwrap_or_else(ReplayOutcome::Failed);
        Event::Replayed(Box::new(Replayed { ask, outcome }))
    }

    fn fire(self) -> Result<ReplayOutcome, String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("starting the async runtime: {e}"))?;
        let cancel = tokio_util::sync::CancellationToken::new();
        let outcome = runtime
            .block_on(runner::execute(
                &self.plan,
                self.cells,
                &self.db_path,
                None,
                cancel,
            ))
            .map_err(|e| err(&e))?;
        let store = Store::open(&self.db_path).map_err(|e| err(&e))?;
        let (verdicts, changed) = verdicts(
            &store,
            outcome.run_id,
            &self.name,
            &self.recorded,
            self.probe.as_ref(),
        )?;
        Ok(ReplayOutcome::Done(Box::new(ReplayReport {
            span: self.span,
            labels: self.labels,
            run_id: outcome.run_id,
            model: self.model,
            model_note: self.model_note,
            samples: self.plan.samples,
            recorded: self.recorded,
            changed,
            verdicts,
        })))
    }
}

/// The verdict lines of run `run_id` (the probe's first when there is one) and, for a probe,
/// whether the answer changed on any model.
fn verdicts(
    store: &Store,
    run_id: i64,
    name: &str,
    recorded: &str,
    probe: Option<&Probe>,
) -> Result<(Vec<String>, Option<bool>), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match probe {
        Some(p) => {
            let results = grounding::results(store, run_id, name, recorded).map_err(|e| err(&e))?;
            let answered = |m: &str| {
                results
                    .replay
                    .iter()
                    .any(|r| r.model == m && r.modal_output.is_some())
            };
            // The probe's verdict is what `x` asked; the plain replay's follows.
            let mut lines: Vec<String> = results
                .probe
                .iter()
                .map(|m| grounding::verdict(m, p, answered(&m.model)))
                .collect();
            lines.extend(results.replay.iter().map(crate::replay::verdict));
            let changed = results.probe.iter().any(|m| m.changed);
            Ok((lines, Some(changed)))
        }
        None => {
            let models = crate::replay::results(store, run_id, recorded).map_err(|e| err(&e))?;
            Ok((models.iter().map(crate::replay::verdict).collect(), None))
        }
    }
}
