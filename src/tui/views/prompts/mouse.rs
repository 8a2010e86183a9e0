//! The mouse in the Prompts view.

use super::modes::Mode;
use super::{Pane, PromptsView};
use crate::tui::views::Effect;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

impl PromptsView {
    /// A click selects the row under it (and focuses its pane); the wheel moves the selection
    /// of the pane under the pointer, or scrolls a diff, without taking the focus.
    pub(super) fn mouse(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        let [list, versions, body] = self.layout(area);
        let hit = |r: Rect| r.contains((mouse.column, mouse.row).into());
        let pane = if hit(list) {
            Pane::List
        } else if hit(versions) {
            Pane::Versions
        } else if hit(body) {
            Pane::Body
        } else {
            return Vec::new();
        };
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let before = self.focus;
                self.focus = Some(pane);
                let delta = if mouse.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                };
                let effects = match &mut self.mode {
                    Mode::Diff { scroll, .. } if pane == Pane::Body => {
                        *scroll = (*scroll as isize + delta * 3).max(0) as u16;
                        Vec::new()
                    }
                    _ => self.move_selection(if pane == Pane::Body { delta * 3 } else { delta }),
                };
                self.focus = before.or(Some(Pane::List));
                effects
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = Some(pane);
                let inner = |r: Rect| r.inner(ratatui::layout::Margin::new(1, 1));
                match pane {
                    Pane::List => match self.list.row_at(inner(list), mouse.row) {
                        Some(i) if i < self.visible.len() => {
                            let target = i as isize - self.list.selected as isize;
                            self.move_selection(target)
                        }
                        _ => Vec::new(),
                    },
                    Pane::Versions => {
                        let len = self.selected_log().map_or(0, Vec::len);
                        match self.versions.row_at(inner(versions), mouse.row) {
                            Some(i) if i < len => {
                                let target = i as isize - self.versions.selected as isize;
                                self.move_selection(target)
                            }
                            _ => Vec::new(),
                        }
                    }
                    Pane::Body => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }
}
