//! The run dialog of the Run view: the models input, and the spend guard — a run the user asks
//! for is first estimated by the worker; the view then starts it, asks y/n in a popup, or says
//! why it was refused.

use super::RunView;
use crate::runner::{Decision, Variant};
use crate::tui::event::{Request, RunSpec, SpendCheck};

/// A suite judge's calls that will not run (declined or refused): grading goes on without them,
/// so their rubric's answers show as not graded rather than the report never coming.
fn skip_judge(check: &SpendCheck) -> Option<Effect> {
    let grading = check.grading.clone()?;
    Some(Effect::Request(Request::CheckSuite(grading)))
}
use crate::tui::views::widgets::InputOutcome;
use crate::tui::views::{Effect, Level};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

impl RunView {
    /// Ask the worker to plan and estimate `spec`; nothing starts until its verdict is in.
    pub fn estimate(&mut self, spec: RunSpec) -> Vec<Effect> {
        self.confirm = None;
        self.estimating = true;
        self.pending_suite = match &spec {
            RunSpec::Suite(suite) => Some(suite.clone()),
            _ => None,
        };
        vec![
            Effect::Request(Request::Estimate(spec)),
            Effect::Status(Level::Info, "estimating the cost of the run…".into()),
        ]
    }

    /// The worker's verdict: start, ask (the popup), or refuse with the reason.
    pub(super) fn on_estimated(&mut self, check: &SpendCheck) -> Vec<Effect> {
        self.estimating = false;
        self.estimate = Some(check.lines.clone());
        self.session_checks = None;
        match &check.decision {
            Decision::Start => self.start(check),
            Decision::Confirm { .. } => {
                self.confirm = Some(Box::new(check.clone()));
                vec![Effect::Status(
                    Level::Warn,
                    "confirm the run: y starts it, any other key cancels".into(),
                )]
            }
            Decision::Refuse { reason } => {
                let mut out = vec![Effect::Status(
                    Level::Error,
                    format!("not started: {reason}"),
                )];
                out.extend(skip_judge(check));
                out
            }
        }
    }

    fn start(&mut self, check: &SpendCheck) -> Vec<Effect> {
        self.running_session = check.session.clone();
        self.grading = check.grading.clone();
        self.running_suite = self
            .pending_suite
            .take()
            .filter(|_| check.label.starts_with("promptfoo "));
        self.budget_usd = check.plan.0.budget_usd;
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
            _ => {
                let mut out = vec![Effect::Status(
                    Level::Warn,
                    format!("not started: declined ({})", check.label),
                )];
                out.extend(skip_judge(&check));
                out
            }
        })
    }

    /// Keys while the models input is open (`v`): enter keeps the new list, esc the old one.
    pub(super) fn models_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let input = self.models_input.as_mut()?;
        match input.key(key) {
            InputOutcome::Submit => {
                let (settings, models): (Vec<String>, Vec<String>) = input
                    .value
                    .split(',')
                    .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|m| !m.is_empty())
                    .partition(|m| m.starts_with("concurrency="));
                let concurrency = match settings.last().map(|s| parse_concurrency(s)) {
                    Some(Ok(c)) => Some(c),
                    Some(Err(e)) => return Some(vec![Effect::Status(Level::Error, e)]),
                    None => None,
                };
                // A bad variant keeps the input open with the reason, so nothing typed is lost.
                if let Some(e) = models.iter().find_map(|m| Variant::parse(m).err()) {
                    return Some(vec![Effect::Status(Level::Error, e.to_string())]);
                }
                self.models_input = None;
                if models.is_empty() {
                    return Some(vec![Effect::Status(
                        Level::Warn,
                        "no model given: kept the previous ones".into(),
                    )]);
                }
                self.models = models;
                self.concurrency = concurrency;
            }
            InputOutcome::Cancel => self.models_input = None,
            _ => {}
        }
        Some(Vec::new())
    }

    /// The question of the confirmation popup, while it is up.
    pub fn confirm_question(&self) -> Option<&str> {
        match &self.confirm.as_ref()?.decision {
            Decision::Confirm { question } => Some(question),
            _ => None,
        }
    }

    /// The status-bar hint while a popup or an input of the view has the keys.
    pub(super) fn input_hint(&self) -> Option<&'static str> {
        if self.confirm.is_some() {
            return Some("y starts the run · any other key cancels");
        }
        if self.session_picker.is_some() {
            return Some(
                "j/k pick a session or promptfoo config · enter runs it (after the estimate) · esc",
            );
        }
        if self.save_input.is_some() {
            return Some("a file name (letters, digits, - _ .) · enter saves · esc cancels");
        }
        self.models_input
            .as_ref()
            .map(|_| "models, comma separated (e.g. mock:drift, openai:gpt-4o-mini), and concurrency=N for calls at once · enter · esc")
    }
}

/// `concurrency=N`: calls in flight at once, at least 1.
fn parse_concurrency(setting: &str) -> Result<usize, String> {
    let value = setting.trim_start_matches("concurrency=").trim();
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "concurrency={value} is not a count: write concurrency=N with N at least 1"
        )),
    }
}
