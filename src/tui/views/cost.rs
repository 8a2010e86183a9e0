//! The Cost view: variants with tokens in/out, cost per call, p95 and per month at an
//! adjustable calls/day. Until the cost module (src/cost) lands it says what it needs.

use super::{Effect, View, draw_pending, needs};
use crate::tui::action::{Action, Tab};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;

/// State of the Cost view.
pub struct CostView {
    /// Calls per day the projection assumes.
    pub calls_per_day: u64,
}

impl Default for CostView {
    fn default() -> Self {
        CostView {
            calls_per_day: 1000,
        }
    }
}

impl View for CostView {
    fn tab(&self) -> Tab {
        Tab::Cost
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::More => self.calls_per_day = (self.calls_per_day * 2).min(1 << 40),
            Action::Less => self.calls_per_day = (self.calls_per_day / 2).max(1),
            _ => return None,
        }
        Some(Vec::new())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw_pending(
            frame,
            area,
            theme,
            "Cost",
            &[
                "Tokens, cost per call, p95 and cost per month for each variant.".into(),
                String::new(),
                format!(
                    "Projection at {} calls/day  (+/- to change)",
                    self.calls_per_day
                ),
                String::new(),
                needs("the cost module (src/cost: token counts, prices, projections)"),
            ],
        );
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::More, Action::Less, Action::Help, Action::Quit]
    }

    fn focused_text(&self) -> Option<String> {
        Some(self.calls_per_day.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_per_day_doubles_and_halves() {
        let mut v = CostView::default();
        v.on_action(Action::More);
        assert_eq!(v.calls_per_day, 2000);
        for _ in 0..20 {
            v.on_action(Action::Less);
        }
        assert_eq!(v.calls_per_day, 1);
        assert!(v.on_action(Action::Up).is_none());
    }
}
