//! Sessions from the Run view: `o` lists `sessions/*.toml` under the current directory, enter
//! opens the picked one (the worker reads it; `save` makes it the workspace) and runs it
//! through the spend guard (as `temper run --session`), and its checks are shown once the run
//! ends.

use super::RunView;
use crate::tui::event::Request;
use crate::tui::views::widgets::ListCursor;
use crate::tui::views::{Effect, Level};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::path::PathBuf;

/// Where `o` looks for session files, relative to the current directory.
pub const SESSIONS_DIR: &str = "sessions";

impl RunView {
    /// `o`: ask the worker for the session files.
    pub(super) fn open_sessions(&mut self) -> Vec<Effect> {
        vec![Effect::Request(Request::ListSessions {
            dir: PathBuf::from(SESSIONS_DIR),
        })]
    }

    /// The session files arrived: open the picker, or say there are none.
    pub(super) fn on_sessions(&mut self, files: &[PathBuf]) -> Vec<Effect> {
        if files.is_empty() {
            self.session_picker = None;
            return vec![Effect::Status(
                Level::Warn,
                format!(
                    "no session files: {SESSIONS_DIR}/*.toml or promptfooconfig.yaml under the current directory"
                ),
            )];
        }
        self.session_picker = Some((files.to_vec(), ListCursor::default()));
        Vec::new()
    }

    /// Keys while the picker is up: move, enter runs the session, esc closes.
    pub(super) fn picker_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let (files, cursor) = self.session_picker.as_mut()?;
        let len = files.len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                cursor.move_by(1, len);
            }
            KeyCode::Up | KeyCode::Char('k') => {
                cursor.move_by(-1, len);
            }
            KeyCode::Enter => {
                let path = files.get(cursor.selected).cloned();
                self.session_picker = None;
                return Some(match path {
                    Some(path) if crate::tui::suite::is_config(&path) => {
                        self.open_suite(crate::promptfoo::SuiteSpec::new(path))
                    }
                    Some(path) => vec![Effect::Request(Request::OpenSession { path })],
                    None => Vec::new(),
                });
            }
            KeyCode::Esc | KeyCode::Char('q') => self.session_picker = None,
            _ => {}
        }
        Some(Vec::new())
    }

    /// Run a promptfoo suite (the picker's YAML, `temper check CONFIG --tui`) through the
    /// spend guard; once it ends its tests are graded and listed, flaky first.
    pub fn open_suite(&mut self, suite: crate::promptfoo::SuiteSpec) -> Vec<Effect> {
        self.estimate(crate::tui::event::RunSpec::Suite(suite))
    }

    /// The suite's report arrived: its tests become the cases list, flaky first.
    pub(super) fn on_suite_checks(
        &mut self,
        report: &crate::promptfoo::SuiteReport,
    ) -> Vec<Effect> {
        let list = super::cases::CasesList::from_suite(report);
        self.session_checks = Some(crate::tui::event::SessionChecks {
            name: report.suite.clone(),
            run_id: report.run_id,
            cells: report.tests.len(),
            checks: Vec::new(),
            failures: Vec::new(),
            cases: Vec::new(),
        });
        self.session_cases = Some(list);
        Vec::new()
    }

    /// The picker's files and cursor, while it is up.
    pub fn session_files(&self) -> Option<(&[PathBuf], &ListCursor)> {
        self.session_picker
            .as_ref()
            .map(|(files, cursor)| (files.as_slice(), cursor))
    }
}
