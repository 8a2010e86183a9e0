//! Starting and cancelling runs from the TUI: the runner (`crate::runner`) runs as a tokio task
//! and its progress comes back as [`Event::RunProgress`]; the samples themselves are written to
//! the DB by the runner and read back by the Run view, so the UI never waits on a provider.

use super::event::Event;
use crate::config::Config;
use crate::runner::{Plan, RunEvent};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// What a run from the TUI needs: the config (providers, `[run]` defaults) and the DB.
pub struct RunController {
    config: Config,
    db_path: PathBuf,
    events: UnboundedSender<Event>,
    cancel: Option<CancellationToken>,
}

impl RunController {
    /// A controller that reports on `events`.
    pub fn new(config: Config, db_path: PathBuf, events: UnboundedSender<Event>) -> Self {
        RunController {
            config,
            db_path,
            events,
            cancel: None,
        }
    }

    /// Start `plan` (planned, priced and let through by the spend guard, see `tui::spend`).
    /// Must be called inside a tokio runtime.
    pub fn start(&mut self, label: &str, plan: Arc<Plan>) -> Result<String, String> {
        if self.cancel.as_ref().is_some_and(|c| !c.is_cancelled()) {
            return Err("a run is already going: c cancels it".into());
        }
        let calls = plan.total_samples();
        let registry = crate::runner::registry(&self.config, &self.db_path);
        let cancel = CancellationToken::new();
        self.cancel = Some(cancel.clone());
        let db = self.db_path.clone();
        let events = self.events.clone();
        tokio::spawn(async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<RunEvent>();
            let forward_to = events.clone();
            let forward = tokio::spawn(async move {
                while let Some(ev) = rx.recv().await {
                    if forward_to.send(Event::RunProgress(Box::new(ev))).is_err() {
                        break;
                    }
                }
            });
            let outcome = crate::runner::run(&plan, &registry, &db, Some(tx), cancel.clone()).await;
            let _ = forward.await;
            cancel.cancel(); // marks the controller idle
            let _ = events.send(Event::RunEnded(outcome.map_err(|e| e.to_string())));
        });
        Ok(format!(
            "starting {label}: {}",
            crate::plural::count(calls as u64, "call")
        ))
    }

    /// Ask the running run to stop; the samples stored so far are kept.
    pub fn cancel(&mut self) -> Result<String, String> {
        match &self.cancel {
            Some(c) if !c.is_cancelled() => {
                c.cancel();
                Ok("cancelling: calls in flight finish, the rest are skipped".into())
            }
            _ => Err("no run is going".into()),
        }
    }
}
