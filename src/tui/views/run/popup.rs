//! Drawing the Run view's overlays: the spend guard's confirmation popup and the estimate line.

use super::RunView;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::pane;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// The estimate's total line (what the Cells pane shows at its bottom), if there is one.
pub fn estimate_total(view: &RunView) -> Option<String> {
    let lines = view.estimate.as_ref()?;
    lines
        .iter()
        .find(|l| l.starts_with("total:"))
        .or(lines.first())
        .map(|l| format!(" est. {} ", l.trim_start_matches("total: ")))
}

/// Rows `lines` take when wrapped in a bordered box `width` columns wide.
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let inner_width = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_width))
        .sum();
    rows.min(u16::MAX as usize) as u16
}

/// The y/n popup: the estimate lines, then the question.
pub fn draw_confirm(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(question) = view.confirm_question() else {
        return;
    };
    let estimate = view.estimate.as_deref().unwrap_or_default();
    let width = area.width.saturating_sub(4).min(100);
    let mut lines: Vec<Line> = estimate
        .iter()
        .map(|l| Line::from(one_line(l, theme.text())))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(one_line(question, theme.fg(theme.warning))));
    lines.push(Line::styled(
        "y starts the run · any other key cancels",
        theme.muted(),
    ));
    let height = (wrapped_rows(&lines, width) + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let block = pane(" Start this run? ", true, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
