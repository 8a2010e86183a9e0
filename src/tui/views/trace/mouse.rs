//! The mouse in the Trace view: the same panes and rows the keys move through.

use super::{ORDER, TraceView, draw, live, replay_pane};
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

impl TraceView {
    /// A click focuses the pane under it and selects the row; the wheel scrolls it.
    pub(super) fn click(&mut self, mouse: &MouseEvent, area: Rect) {
        if self.loaded.is_none() {
            return;
        }
        let area = if self.live.is_some() {
            live::split(area).1
        } else {
            area
        };
        let area = match &self.replay {
            Some(_) => replay_pane::split(area).0,
            None => area,
        };
        let panes = draw::layout(area, self.wide);
        let Some(i) = panes
            .iter()
            .position(|r| r.contains((mouse.column, mouse.row).into()))
        else {
            return;
        };
        self.focus_on(ORDER[i]);
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_by(1),
            MouseEventKind::ScrollUp => self.move_by(-1),
            MouseEventKind::Down(MouseButton::Left) if i < self.cursors.len() => {
                let inner = panes[i].inner(ratatui::layout::Margin::new(1, 1));
                if let Some(row) = self.cursors[i].row_at(inner, mouse.row) {
                    let delta = row as isize - self.cursors[i].selected as isize;
                    self.move_by(delta);
                }
            }
            _ => {}
        }
    }
}
