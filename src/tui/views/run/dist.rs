//! `d` in the Run view: the output pane shows the selected cell's distributions — its cluster
//! sizes and its variant's latency (and TTFT) across the run — drawn by `charts::dist`.

use super::RunView;
use crate::store::SampleRow;
use crate::tui::event::Request;
use crate::tui::theme::Theme;
use crate::tui::views::Effect;
use ratatui::text::Line;

impl RunView {
    /// Ask for the samples of every cell of the selected cell's variant not loaded yet, so the
    /// latency histogram covers the variant across the run, not one cell.
    pub(super) fn load_variant_samples(&self) -> Vec<Effect> {
        let (Some(cell), Some(cells)) = (self.selected_cell(), self.run_cells()) else {
            return Vec::new();
        };
        if !self.distributions {
            return Vec::new();
        }
        cells
            .iter()
            .filter(|c| c.cell.variant_name == cell.cell.variant_name)
            .filter(|c| !self.samples.contains_key(&c.id) && !super::paged::is_paged(c))
            .map(|c| Effect::Request(Request::LoadSamples { cell_id: c.id }))
            .collect()
    }

    /// The loaded samples of the selected cell's variant in its run.
    fn variant_samples(&self) -> Vec<&SampleRow> {
        let (Some(cell), Some(cells)) = (self.selected_cell(), self.run_cells()) else {
            return Vec::new();
        };
        cells
            .iter()
            .filter(|c| c.cell.variant_name == cell.cell.variant_name)
            .filter_map(|c| self.samples.get(&c.id))
            .flatten()
            .collect()
    }

    /// The distribution lines for the output pane, `width` cells wide; None when off or when
    /// the cell's samples are not loaded yet.
    pub(super) fn distribution_lines(
        &self,
        width: usize,
        theme: &Theme,
    ) -> Option<Vec<Line<'static>>> {
        if !self.distributions {
            return None;
        }
        if let Some(page) = self.selected_page() {
            return Some(large_cell(page.total));
        }
        let samples = self.cell_samples()?;
        let variant = self.variant_samples();
        Some(crate::tui::views::charts::dist::lines(
            samples, &variant, width, theme,
        ))
    }
}

/// What `d` says of a large cell instead of drawing it from every sample.
fn large_cell(total: u64) -> Vec<Line<'static>> {
    vec![
        Line::from(format!(
            "This cell has {total} samples: they are listed a page at a time and not read whole here."
        )),
        Line::from("Its clusters: the Diff view (3); its latencies: `temper report RUN`."),
    ]
}
