//! The workspace and session files in the Run view: a session opened with `o` becomes the
//! workspace (its models and N here; its checks, cases and variants kept for the next save),
//! and `S` asks for a name under which the app saves the workspace as `sessions/NAME.toml`
//! (assembled by `tui::workspace`, written by the worker).

use super::RunView;
use crate::session::Session;
use crate::tui::event::RunSpec;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::{InputOutcome, LineInput};
use crate::tui::views::{Effect, Level};
use ratatui::crossterm::event::KeyEvent;
use ratatui::text::{Line, Span};

impl RunView {
    /// `S`: open the name input, starting from the opened session's name.
    pub(super) fn ask_save_name(&mut self) -> Vec<Effect> {
        let start = self.origin.as_ref().map(|s| s.name.clone());
        self.save_input = Some(LineInput::new(start.unwrap_or_default()));
        Vec::new()
    }

    /// Keys while the name input is open: enter saves under the name, esc cancels.
    pub(super) fn save_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let input = self.save_input.as_mut()?;
        Some(match input.key(key) {
            InputOutcome::Submit => {
                let name = input.value.trim().to_string();
                self.save_input = None;
                if name.is_empty() {
                    vec![Effect::Status(
                        Level::Warn,
                        "not saved: the session needs a name".into(),
                    )]
                } else {
                    vec![Effect::SaveWorkspace { name }]
                }
            }
            InputOutcome::Cancel => {
                self.save_input = None;
                Vec::new()
            }
            _ => Vec::new(),
        })
    }

    /// A session file was read: it becomes the workspace, and runs through the spend guard.
    pub(super) fn on_session_opened(&mut self, session: &Session) -> Vec<Effect> {
        if let Some(n) = session.samples {
            self.n = n;
        }
        self.models = session
            .variants
            .iter()
            .map(|v| v.model.value.clone())
            .collect();
        self.origin = Some(Box::new(session.clone()));
        self.estimate(RunSpec::Session {
            path: session.path.clone(),
        })
    }

    /// The session the workspace came from, if one was opened with `o`.
    pub fn origin(&self) -> Option<&Session> {
        self.origin.as_deref()
    }

    /// The name input of `S` as a line (`save as sessions/NAME█.toml`), while it is open.
    pub fn save_line(&self, theme: &Theme) -> Option<Line<'static>> {
        let mut line = self.save_input.as_ref()?.line(
            &format!("save the workspace as {}/", super::session::SESSIONS_DIR),
            theme,
        );
        line.push_span(Span::styled(".toml", theme.muted()));
        Some(line)
    }
}
