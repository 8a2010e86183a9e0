//! The 30-day bars under the Cost view's tables: every model's cost of the last 30 days split
//! into input, cached input and output (`charts::cost_split`; the figures from
//! `crate::cost::split`, loaded by the worker).

use crate::cost::split::CostSplit;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Most model rows shown; the biggest spenders come first.
const MAX_ROWS: usize = 8;

/// Draw the bars at the bottom of `area` when loaded (and the table above keeps 3 rows);
/// returns the area left above them.
pub fn draw_below(
    frame: &mut Frame,
    area: Rect,
    split: Option<&[CostSplit]>,
    theme: &Theme,
) -> Rect {
    let Some(split) = split else {
        return area;
    };
    let shown = &split[..split.len().min(MAX_ROWS)];
    let mut lines = crate::tui::views::charts::cost_split::lines(shown, area.width as usize, theme);
    if split.len() > shown.len() {
        lines.push(Line::styled(
            format!(
                "… {} more: temper cost --split lists every model",
                split.len() - shown.len()
            ),
            theme.muted(),
        ));
    }
    // A blank row between the tables and the bars.
    let height = lines.len() as u16 + 1;
    if area.height < height + 3 {
        return area;
    }
    let [above, below] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(area);
    let mut text = vec![Line::raw("")];
    text.extend(lines);
    frame.render_widget(Paragraph::new(text), below);
    above
}
