//! The Run view: pick variants and N, start, watch live progress per variant, cancel, and read
//! each sample as it arrives. Until the runner (src/runner) lands it shows what it needs and
//! keeps the N the user picked.

use super::{Effect, Level, View, draw_pending, needs};
use crate::tui::action::{Action, Tab};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// State of the Run view.
pub struct RunView {
    /// Samples per variant.
    pub n: u32,
}

impl Default for RunView {
    fn default() -> Self {
        RunView { n: 10 }
    }
}

impl View for RunView {
    fn tab(&self) -> Tab {
        Tab::Run
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::More => self.n = (self.n + 1).min(1000),
            Action::Less => self.n = self.n.saturating_sub(1).max(1),
            Action::Start | Action::Cancel => {
                return Some(vec![Effect::Status(
                    Level::Warn,
                    "runs need the runner (src/runner), not in this build yet".into(),
                )]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw_pending(
            frame,
            area,
            theme,
            "Run",
            &[
                "Fire the selected prompt N times per variant and watch each sample arrive.".into(),
                String::new(),
                format!("N = {} per variant  (+/- to change)", self.n),
                String::new(),
                needs("the runner (src/runner: Plan, run, progress events)"),
            ],
        );
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Start,
            Action::More,
            Action::Less,
            Action::Help,
            Action::Quit,
        ]
    }

    fn focused_text(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_stays_in_bounds() {
        let mut v = RunView::default();
        for _ in 0..20 {
            v.on_action(Action::Less);
        }
        assert_eq!(v.n, 1);
        v.on_action(Action::More);
        assert_eq!(v.n, 2);
        assert!(v.on_action(Action::Filter).is_none());
        let warn = v.on_action(Action::Start).unwrap();
        assert!(matches!(&warn[0], Effect::Status(Level::Warn, m) if m.contains("runner")));
    }
}
