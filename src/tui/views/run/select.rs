//! Moving through the Run view: the keys' and the mouse's selection, and the loads it asks of
//! the worker (a cell's samples, a run's cells and what it sent).

use super::{ORDER, RunPane, RunView};
use crate::tui::event::Request;
use crate::tui::views::Effect;
use crate::tui::views::widgets::ListCursor;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Margin, Rect};

impl RunView {
    /// Requests for whatever the selection shows and is not loaded yet.
    pub(super) fn load_selected(&mut self) -> Vec<Effect> {
        let Some(run) = self.selected_run() else {
            return Vec::new();
        };
        let run_id = run.id;
        let Some(cells) = self.cells.get(&run_id) else {
            return vec![
                Effect::Request(Request::LoadCells { run_id }),
                Effect::Request(Request::LoadRunSent { run_id }),
            ];
        };
        let len = cells.len();
        self.cells_cursor.select(self.cells_cursor.selected, len);
        match self.selected_cell() {
            Some(cell) if !self.has_samples(cell) => vec![Effect::Request(self.load_cell(cell))],
            _ => Vec::new(),
        }
    }

    /// Move the focused list by `delta`; what the new selection shows is asked for.
    pub(super) fn move_selection(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            RunPane::Runs => {
                let len = self.runs.as_ref().map_or(0, Vec::len);
                if self.runs_cursor.move_by(delta, len) {
                    self.cells_cursor = ListCursor::default();
                    self.samples_cursor = ListCursor::default();
                    self.output_scroll.reset();
                    return self.load_selected();
                }
            }
            RunPane::Cells => {
                let len = self.run_cells().map_or(0, Vec::len);
                if self.cells_cursor.move_by(delta, len) {
                    self.samples_cursor = ListCursor::default();
                    self.output_scroll.reset();
                    let mut out = self.load_selected();
                    out.extend(self.load_variant_samples());
                    return out;
                }
            }
            RunPane::Samples => {
                let len = self.sample_rows().unwrap_or(0);
                if self.samples_cursor.move_by(delta, len) {
                    self.output_scroll.reset();
                    return self.page_for_cursor();
                }
            }
            RunPane::Output => {
                self.output_scroll.move_by(delta);
            }
        }
        Vec::new()
    }

    /// Ask again for the runs and what the selection shows (`F5`, a run that ended).
    pub(super) fn refresh(&mut self) -> Vec<Effect> {
        let mut out = vec![Effect::Request(Request::ListRuns)];
        if let Some(run) = self.selected_run() {
            out.push(Effect::Request(Request::LoadCells { run_id: run.id }));
            out.push(Effect::Request(Request::LoadRunSent { run_id: run.id }));
        }
        if let Some(cell) = self.selected_cell() {
            out.push(Effect::Request(self.load_cell(cell)));
        }
        out
    }

    /// A click focuses the pane under it and selects the row; the wheel moves the selection.
    pub(super) fn click(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        let panes = self.layout(area);
        let Some(i) = panes
            .iter()
            .position(|r| r.contains((mouse.column, mouse.row).into()))
        else {
            return Vec::new();
        };
        let pane = ORDER[i];
        let cursor = match pane {
            RunPane::Runs => &self.runs_cursor,
            RunPane::Cells => &self.cells_cursor,
            RunPane::Samples => &self.samples_cursor,
            RunPane::Output => &self.samples_cursor,
        };
        let clicked = cursor.row_at(panes[i].inner(Margin::new(1, 1)), mouse.row);
        let selected = cursor.selected as isize;
        self.focus = pane;
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_selection(1),
            MouseEventKind::ScrollUp => self.move_selection(-1),
            MouseEventKind::Down(MouseButton::Left) if pane != RunPane::Output => match clicked {
                Some(row) => self.move_selection(row as isize - selected),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
