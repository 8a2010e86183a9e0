//! The Diff view: clusters of a run's outputs with counts and stability, the first divergence,
//! two samples side by side with word changes and syntax highlighting. Until the analysis
//! module (src/analysis clusters / stability / divergence) lands it says what it needs.

use super::{Effect, View, draw_pending, needs};
use crate::tui::action::{Action, Tab};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// State of the Diff view.
#[derive(Default)]
pub struct DiffView {
    /// Index of the change the user jumped to with n / N.
    pub change: usize,
}

impl View for DiffView {
    fn tab(&self) -> Tab {
        Tab::Diff
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::NextChange => self.change += 1,
            Action::PrevChange => self.change = self.change.saturating_sub(1),
            _ => return None,
        }
        Some(Vec::new())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw_pending(
            frame,
            area,
            theme,
            "Diff",
            &[
                "Clusters of a run's outputs, stability, the first divergence, and two".into(),
                "samples side by side with their word changes highlighted.".into(),
                String::new(),
                "No run to analyse yet.".into(),
                String::new(),
                needs("the analysis module (src/analysis: clusters, stability, divergence)"),
            ],
        );
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::NextChange,
            Action::PrevChange,
            Action::Help,
            Action::Quit,
        ]
    }

    fn focused_text(&self) -> Option<String> {
        None
    }
}
