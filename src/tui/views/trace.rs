//! The Trace view: span tree | retrieved chunks | tool calls | answer, side by side at 160
//! columns and stacked at 80. Until the trace module (src/trace) lands it says what it needs.

use super::{Effect, Level, View, draw_pending, needs};
use crate::tui::action::{Action, Tab};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::path::PathBuf;

/// State of the Trace view.
#[derive(Default)]
pub struct TraceView {
    /// The file asked for (`temper trace FILE --tui` or `o`).
    pub path: Option<PathBuf>,
}

impl View for TraceView {
    fn tab(&self) -> Tab {
        Tab::Trace
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Open => Some(vec![Effect::Status(
                Level::Warn,
                "opening traces needs the trace reader (src/trace), not in this build yet".into(),
            )]),
            _ => None,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let file = match &self.path {
            Some(p) => format!(
                "File: {}",
                crate::sanitize::one_line(&p.display().to_string())
            ),
            None => "No trace open (o opens one).".into(),
        };
        draw_pending(
            frame,
            area,
            theme,
            "Trace",
            &[
                "Span tree | retrieved chunks | tool calls | answer, with detector flags.".into(),
                String::new(),
                file,
                String::new(),
                needs("the trace reader (src/trace: normalised spans and detectors)"),
            ],
        );
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::Help, Action::Quit]
    }

    fn focused_text(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.display().to_string())
    }
}
