//! `m` in the Diff view: both samples' tokens coloured by their logprob margins, with a
//! sparkline of the margins in each pane's bottom border (see `charts::confidence`).

use super::DiffView;
use crate::tui::theme::Theme;
use crate::tui::views::charts::confidence;
use ratatui::text::Line;
use ratatui::widgets::Block;

impl DiffView {
    /// With confidence on: sample `index`'s lines by margin (the divergence token reversed)
    /// instead of `lines`, and its sparkline under `block`.
    pub(super) fn with_confidence<'a>(
        &self,
        index: usize,
        lines: Vec<Line<'a>>,
        block: Block<'a>,
        width: u16,
        theme: &Theme,
    ) -> (Vec<Line<'a>>, Block<'a>) {
        let Some(row) = self.samples.get(index).filter(|_| self.confidence) else {
            return (lines, block);
        };
        let split = self
            .analysis
            .as_ref()
            .and_then(|a| a.divergence.as_ref())
            .map(|d| d.char_offset);
        let (tokens, bottom) =
            confidence::pane(row, split, width.saturating_sub(4) as usize, theme);
        (tokens.unwrap_or(lines), block.title_bottom(bottom))
    }
}
