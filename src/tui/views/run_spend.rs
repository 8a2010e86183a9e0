//! The spend guard in the Run view: a run the user asks for is first estimated by the worker;
//! the view then starts it, asks y/n in a popup, or says why it was refused.

use super::run::RunView;
use super::{Effect, Level};
use crate::runner::Decision;
use crate::tui::event::{Request, RunSpec, SpendCheck};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

impl RunView {
    /// Ask the worker to plan and estimate `spec`; nothing starts until its verdict is in.
    pub fn estimate(&mut self, spec: RunSpec) -> Vec<Effect> {
        self.confirm = None;
        self.estimating = true;
        vec![
            Effect::Request(Request::Estimate(spec)),
            Effect::Status(Level::Info, "estimating the cost of the run…".into()),
        ]
    }

    /// The worker's verdict: start, ask (the popup), or refuse with the reason.
    pub(super) fn on_estimated(&mut self, check: &SpendCheck) -> Vec<Effect> {
        self.estimating = false;
        self.estimate = Some(check.lines.clone());
        match &check.decision {
            Decision::Start => self.start(check),
            Decision::Confirm { .. } => {
                self.confirm = Some(Box::new(check.clone()));
                Vec::new()
            }
            Decision::Refuse { reason } => {
                vec![Effect::Status(
                    Level::Error,
                    format!("not started: {reason}"),
                )]
            }
        }
    }

    fn start(&mut self, check: &SpendCheck) -> Vec<Effect> {
        self.running_session = check.session.clone();
        vec![Effect::StartRun {
            label: check.label.clone(),
            plan: check.plan.clone(),
        }]
    }

    /// Keys while the confirmation popup is up: `y` starts, anything else declines.
    pub(super) fn confirm_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let check = self.confirm.take()?;
        Some(match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => self.start(&check),
            _ => vec![Effect::Status(
                Level::Warn,
                format!("not started: declined ({})", check.label),
            )],
        })
    }

    /// The question of the confirmation popup, while it is up.
    pub fn confirm_question(&self) -> Option<&str> {
        match &self.confirm.as_ref()?.decision {
            Decision::Confirm { question } => Some(question),
            _ => None,
        }
    }
}
