//! A large cell in the Run view (planned with more than `worker_cells::PAGED_ABOVE` samples):
//! its sample list holds one page of rows around the cursor, asked of the worker
//! (`Request::LoadSamplePage`) when the cursor leaves it, and its counts come from the store's
//! indexes; the cell's samples are never held (docs/architecture.md, "History at scale").

use super::RunView;
use crate::store::{CellInfo, SampleRow};
use crate::tui::event::{Request, SamplePage};
use crate::tui::views::Effect;
use crate::tui::worker_cells::{PAGE_ROWS, PAGED_ABOVE};

/// Rows kept above the cursor when a page is asked for, so scrolling up stays in the page.
const ROWS_ABOVE: u32 = PAGE_ROWS / 4;

/// Whether the Run view lists `cell` a page at a time.
pub(super) fn is_paged(cell: &CellInfo) -> bool {
    cell.cell.n > PAGED_ABOVE
}

impl RunView {
    /// The request that loads what `cell`'s sample list shows: every sample of a small cell,
    /// the page around the cursor of a large one, with its count of failed samples.
    pub(super) fn load_cell(&self, cell: &CellInfo) -> Request {
        if !is_paged(cell) {
            return Request::LoadSamples { cell_id: cell.id };
        }
        self.page_request(cell, true)
    }

    /// The page of `cell` around the cursor; `errors`: with the count of failed samples.
    fn page_request(&self, cell: &CellInfo, errors: bool) -> Request {
        let row = u32::try_from(self.samples_cursor.selected).unwrap_or(u32::MAX);
        Request::LoadSamplePage {
            cell_id: cell.id,
            offset: row.saturating_sub(ROWS_ABOVE),
            errors,
        }
    }

    /// Whether `cell`'s list is loaded (for a large cell: a page of it).
    pub(super) fn has_samples(&self, cell: &CellInfo) -> bool {
        self.samples.contains_key(&cell.id) || self.pages.contains_key(&cell.id)
    }

    /// The page held of the selected cell, when it is a large one.
    pub(super) fn selected_page(&self) -> Option<&SamplePage> {
        let cell = self.selected_cell().filter(|c| is_paged(c))?;
        self.pages.get(&cell.id)
    }

    /// After the cursor moved in a large cell's list: the page around it, when it left the
    /// page held (rows outside it show `…` until it arrives).
    pub(super) fn page_for_cursor(&self) -> Vec<Effect> {
        let Some(cell) = self.selected_cell().filter(|c| is_paged(c)) else {
            return Vec::new();
        };
        let row = self.samples_cursor.selected;
        let held = self.pages.get(&cell.id).is_some_and(|p| {
            let start = p.offset as usize;
            (start..start + p.rows.len()).contains(&row)
        });
        if held {
            return Vec::new();
        }
        vec![Effect::Request(self.page_request(cell, false))]
    }

    /// A page arrived: kept as the cell's only page (with the last count of failed samples
    /// when it came without one).
    pub(super) fn page_loaded(&mut self, page: &SamplePage) {
        if self.selected_cell().is_some_and(|c| c.id == page.cell_id) {
            let len = usize::try_from(page.total).unwrap_or(usize::MAX);
            self.samples_cursor
                .select(self.samples_cursor.selected, len);
        }
        let errors = page
            .errors
            .or_else(|| self.pages.get(&page.cell_id).and_then(|p| p.errors));
        self.pages.insert(
            page.cell_id,
            SamplePage {
                errors,
                ..page.clone()
            },
        );
    }

    /// The selected cell's sample at list row `row`: from its samples, or from the page held.
    pub(super) fn sample_at_row(&self, row: usize) -> Option<&SampleRow> {
        if let Some(page) = self.selected_page() {
            return page.rows.get(row.checked_sub(page.offset as usize)?);
        }
        self.cell_samples()?.get(row)
    }

    /// Rows in the selected cell's sample list (`None` until loaded).
    pub(super) fn sample_rows(&self) -> Option<usize> {
        match self.selected_page() {
            Some(page) => Some(usize::try_from(page.total).unwrap_or(usize::MAX)),
            None => self.cell_samples().map(Vec::len),
        }
    }
}
