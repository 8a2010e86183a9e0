//! The Diff view's explain panel (`e`): why the compared cell's outputs differ, in plain words
//! from `crate::explain`: the token each cluster chose with its probability and alternatives,
//! how many tokens were near-ties, whether the split follows the serving backend, and the batch
//! probe's sequential-vs-burst verdict when the run has both schedules.

use super::DiffView;
use crate::explain::compare_schedules;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::pane;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

impl DiffView {
    /// The panel's sentences for a loaded cell of the run (computed when the cell is shown).
    pub(super) fn explain_lines(&self, cell_id: i64) -> Vec<String> {
        let Some(mine) = self.loaded.get(&cell_id) else {
            return Vec::new();
        };
        let Some(explanation) = mine.explanation() else {
            return vec![format!(
                "This cell has more than {} samples: its clusters come from the stored groups of identical answers and only the two compared samples are read; `temper report RUN --explain` reads them all to explain the split.",
                crate::tui::worker_cells::PAGED_ABOVE
            )];
        };
        let mut lines = explanation.sentences();
        // The batch probe pairs cells of the same run: compare whatever is loaded, in run order.
        let explained: Vec<_> = self
            .run_cells
            .iter()
            .filter_map(|c| self.loaded.get(&c.id)?.explanation())
            .cloned()
            .collect();
        lines.extend(
            compare_schedules(&explained)
                .iter()
                .filter(|c| c.sequential.cell_id == cell_id || c.burst.cell_id == cell_id)
                .map(|c| c.sentence()),
        );
        lines
    }

    /// Rows the panel wants at `width` columns: its wrapped sentences plus the border.
    pub(super) fn explain_height(&self, width: u16) -> u16 {
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let rows: usize = self
            .explain
            .iter()
            .map(|l| {
                unicode_width::UnicodeWidthStr::width(l.as_str())
                    .div_ceil(inner)
                    .max(1)
            })
            .sum();
        u16::try_from(rows.max(1) + 2).unwrap_or(u16::MAX)
    }

    /// Draw the panel in `area`.
    pub(super) fn draw_explain(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let lines: Vec<Line> = if self.explain.is_empty() {
            vec![Line::from(one_line(
                "nothing to explain yet: the cell's samples are still loading",
                theme.muted(),
            ))]
        } else {
            self.explain
                .iter()
                .map(|s| Line::from(one_line(s, theme.text())))
                .collect()
        };
        let para = Paragraph::new(lines)
            .block(pane(" Explain · e hides ", false, theme))
            .wrap(Wrap { trim: false });
        frame.render_widget(para, area);
    }
}
