//! Small drawing helpers shared by the views: windowed lists, panes, a one-line input.

use super::super::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};
use std::cell::Cell;
use std::ops::Range;

/// A bordered pane whose border brightens with focus.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(title)
}

/// Scroll position of a list: which row is selected and which row is drawn first.
///
/// The offset lives in a `Cell` because only drawing knows the height; it is the one piece of
/// state drawing writes, as ratatui's own `ListState` does.
#[derive(Debug, Default, Clone)]
pub struct ListCursor {
    pub selected: usize,
    offset: Cell<usize>,
}

impl ListCursor {
    /// Move by `delta` rows within `len`; true when the selection changed.
    pub fn move_by(&mut self, delta: isize, len: usize) -> bool {
        let before = self.selected;
        let max = len.saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max.max(0)) as usize;
        before != self.selected
    }

    /// Select `index` (clamped to `len`); true when the selection changed.
    pub fn select(&mut self, index: usize, len: usize) -> bool {
        let before = self.selected;
        self.selected = index.min(len.saturating_sub(1));
        before != self.selected
    }

    /// The rows to draw in `height` rows, keeping the selection in view. Only these rows are
    /// ever built, so a list of 100,000 items costs the same to draw as one of 20.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        if height == 0 || len == 0 {
            return 0..0;
        }
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        if offset + height > len {
            offset = len.saturating_sub(height);
        }
        self.offset.set(offset);
        offset..(offset + height).min(len)
    }

    /// The row index under screen row `row` of a list drawn in `inner` (for mouse clicks).
    pub fn row_at(&self, inner: Rect, row: u16) -> Option<usize> {
        (row >= inner.y && row < inner.y + inner.height)
            .then(|| self.offset.get() + (row - inner.y) as usize)
    }
}

/// A list to draw: its cursor, its length and whether its pane has focus.
pub struct ListSpec<'c> {
    pub cursor: &'c ListCursor,
    pub len: usize,
    pub focused: bool,
}

/// Draw a windowed list: `row(i)` builds row `i`, and only visible rows are built.
pub fn draw_list(
    frame: &mut Frame,
    area: Rect,
    block: Block<'_>,
    list: ListSpec<'_>,
    theme: &Theme,
    row: impl Fn(usize) -> Line<'static>,
) {
    let ListSpec {
        cursor,
        len,
        focused,
    } = list;
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let window = cursor.window(len, inner.height as usize);
    let lines: Vec<Line> = window
        .map(|i| {
            let line = row(i);
            if i == cursor.selected {
                line.style(theme.selected(focused))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The pane after (or before) `current` in a view's focus order, wrapping around; a view's
/// Tab / Shift-Tab. An unknown `current` counts as the first pane.
pub fn cycle_focus<T: PartialEq + Copy>(order: &[T], current: T, forward: bool) -> T {
    let Some(&first) = order.first() else {
        return current;
    };
    let i = order.iter().position(|p| *p == current).unwrap_or(0);
    let step = if forward { 1 } else { order.len() - 1 };
    order
        .get((i + step) % order.len())
        .copied()
        .unwrap_or(first)
}

/// A centred message for an empty or failed pane.
/// A one-line input (a filter, a name, a path) in a box over the bottom of `area`.
pub fn bottom_input(frame: &mut Frame, area: Rect, line: Line<'static>, theme: &Theme) {
    let height = 3.min(area.height);
    let popup = Rect {
        y: area.y + area.height.saturating_sub(height),
        height,
        ..area
    };
    frame.render_widget(ratatui::widgets::Clear, popup);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(line).block(pane("", true, theme)),
        popup,
    );
}

pub fn empty_state(frame: &mut Frame, area: Rect, text: &str, style: Style) {
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::styled(l.to_string(), style))
        .collect();
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let inner = Rect {
        y: area.y + top.min(area.height),
        height: area.height.saturating_sub(top),
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .alignment(ratatui::layout::Alignment::Center),
        inner,
    );
}

/// A one-line text input (filter, label, version number, save message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub value: String,
}

/// What a key did to a [`LineInput`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputOutcome {
    Changed,
    Submit,
    Cancel,
    Ignored,
}

impl LineInput {
    /// An input holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        LineInput {
            value: value.into(),
        }
    }

    /// Apply a key: characters type, backspace deletes, ctrl-u clears, enter submits, esc cancels.
    pub fn key(&mut self, key: &KeyEvent) -> InputOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => InputOutcome::Submit,
            KeyCode::Esc => InputOutcome::Cancel,
            KeyCode::Backspace => {
                self.value.pop();
                InputOutcome::Changed
            }
            KeyCode::Char('u') if ctrl => {
                self.value.clear();
                InputOutcome::Changed
            }
            KeyCode::Char('c') if ctrl => InputOutcome::Cancel,
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                self.value.push(c);
                InputOutcome::Changed
            }
            _ => InputOutcome::Ignored,
        }
    }

    /// The input as a line: prompt, sanitised value, and a block cursor.
    pub fn line(&self, prompt: &str, theme: &Theme) -> Line<'static> {
        Line::from(vec![
            Span::styled(prompt.to_string(), theme.fg(theme.accent)),
            Span::styled(crate::sanitize::one_line(&self.value), theme.text()),
            Span::styled("█", theme.fg(theme.accent)),
        ])
    }
}

/// Scroll of a wrapped text pane that never goes past the end (`G` shows the last page, not
/// blank rows). Like [`ListCursor`], drawing records the one thing only it knows: how many
/// rows the text wraps to, hence the largest useful offset.
#[derive(Debug, Default, Clone)]
pub struct TextScroll {
    offset: u16,
    max: Cell<u16>,
}

impl TextScroll {
    /// Scroll by `delta` rows, within what the last frame showed.
    pub fn move_by(&mut self, delta: isize) {
        let max = self.max.get() as isize;
        self.offset = (self.offset as isize + delta).clamp(0, max) as u16;
    }

    /// Back to the top (new content).
    pub fn reset(&mut self) {
        self.offset = 0;
    }

    /// The first row shown.
    pub fn offset(&self) -> u16 {
        self.offset.min(self.max.get())
    }

    /// `para` (wrapped, in a bordered pane) scrolled for `area`, recording the largest offset
    /// that still fills the pane.
    pub fn apply<'a>(&self, para: Paragraph<'a>, area: Rect) -> Paragraph<'a> {
        let rows = para.line_count(area.width.saturating_sub(2));
        let max = rows
            .saturating_sub(area.height as usize)
            .min(u16::MAX as usize) as u16;
        self.max.set(max);
        para.scroll((self.offset.min(max), 0))
    }
}

#[cfg(test)]
#[path = "widgets_tests.rs"]
mod tests;
