//! The cases list of a session's verdict in the Run view: one row per case × variant with a
//! ✓ or ✗ per check, the selected row's failures spelled out under it, and `f` to show only the
//! failing rows. The order is a hook ([`CasesList::sorted_by`]) so other suites can reuse the
//! list with their own order (flaky cases first, say).

use crate::session::CaseOutcome;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::{ListCursor, ListSpec, draw_list, pane};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::cmp::Ordering;

/// How rows are ordered: a comparison of two outcomes (a stable sort keeps ties as run).
pub type Order = fn(&CaseOutcome, &CaseOutcome) -> Ordering;

/// The order `temper check` reports them in (cell order).
pub fn as_run(_: &CaseOutcome, _: &CaseOutcome) -> Ordering {
    Ordering::Equal
}

/// Failing rows first, each group as run.
pub fn failures_first(a: &CaseOutcome, b: &CaseOutcome) -> Ordering {
    a.passed.cmp(&b.passed)
}

/// Rows of outcomes, a filter to failures, and a cursor over the rows shown.
#[derive(Debug, Clone)]
pub struct CasesList {
    rows: Vec<CaseOutcome>,
    order: Order,
    failures_only: bool,
    /// Indexes into `rows` of the rows shown, in order.
    shown: Vec<usize>,
    pub cursor: ListCursor,
}

impl CasesList {
    /// All `rows`, as run.
    pub fn new(rows: Vec<CaseOutcome>) -> CasesList {
        let mut list = CasesList {
            rows,
            order: as_run,
            failures_only: false,
            shown: Vec::new(),
            cursor: ListCursor::default(),
        };
        list.refilter();
        list
    }

    /// The same rows in `order` (the hook for other suites' orders).
    pub fn sorted_by(mut self, order: Order) -> CasesList {
        self.order = order;
        self.refilter();
        self
    }

    fn refilter(&mut self) {
        let mut shown: Vec<usize> = (0..self.rows.len())
            .filter(|&i| !self.failures_only || !self.rows[i].passed)
            .collect();
        shown.sort_by(|&a, &b| (self.order)(&self.rows[a], &self.rows[b]));
        self.shown = shown;
        let len = self.shown.len();
        self.cursor.select(self.cursor.selected, len);
    }

    /// `f`: show only the failing rows, or all of them again.
    pub fn toggle_failures(&mut self) {
        self.failures_only = !self.failures_only;
        self.cursor = ListCursor::default();
        self.refilter();
    }

    /// Whether only failing rows are shown.
    pub fn failures_only(&self) -> bool {
        self.failures_only
    }

    /// The rows shown, in order.
    pub fn shown(&self) -> impl Iterator<Item = &CaseOutcome> {
        self.shown.iter().map(|&i| &self.rows[i])
    }

    /// The row under the cursor.
    pub fn selected(&self) -> Option<&CaseOutcome> {
        self.shown.get(self.cursor.selected).map(|&i| &self.rows[i])
    }

    /// Keys of the list (move, `f`); `false` for keys it leaves to others (esc closes).
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let len = self.shown.len();
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.cursor.move_by(1, len),
            KeyCode::Up | KeyCode::Char('k') => self.cursor.move_by(-1, len),
            KeyCode::PageDown => self.cursor.move_by(10, len),
            KeyCode::PageUp => self.cursor.move_by(-10, len),
            KeyCode::Char('f') => {
                self.toggle_failures();
                true
            }
            _ => return false,
        };
        true
    }

    /// Draw the list in `area` under `title`, the selected row's failures below it.
    pub fn draw(&self, frame: &mut Frame, area: Rect, title: &str, theme: &Theme) {
        let passed = self.rows.iter().filter(|r| r.passed).count();
        let title = format!(
            " {title} · {passed}/{} pass{} · f {} · esc ",
            self.rows.len(),
            if self.failures_only {
                " · failures only"
            } else {
                ""
            },
            if self.failures_only {
                "all"
            } else {
                "failures"
            }
        );
        let [list, detail] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
        let spec = ListSpec {
            cursor: &self.cursor,
            len: self.shown.len(),
            focused: true,
        };
        draw_list(
            frame,
            list,
            pane(one_line(&title, theme.text()), true, theme),
            spec,
            theme,
            |i| row(&self.rows[self.shown[i]], theme),
        );
        let text = self.selected().map(failures_of).unwrap_or_default();
        frame.render_widget(
            Paragraph::new(one_line(&text, theme.fg(theme.error))).wrap(Wrap { trim: false }),
            detail,
        );
    }
}

/// One row: the verdict, case, variant and prompt, then ✓/✗ per check.
fn row(outcome: &CaseOutcome, theme: &Theme) -> Line<'static> {
    let mark = |passed: bool| {
        if passed {
            Span::styled("✓ ", theme.fg(theme.ok))
        } else {
            Span::styled("✗ ", theme.fg(theme.error))
        }
    };
    let mut spans = vec![
        mark(outcome.passed),
        Span::styled(
            crate::sanitize::one_line(&format!(
                "{}  {} [{}]",
                outcome.case, outcome.variant, outcome.prompt
            )),
            theme.text(),
        ),
    ];
    for check in &outcome.checks {
        spans.push(Span::raw("  "));
        spans.push(mark(check.passed));
        spans.push(Span::styled(
            crate::sanitize::one_line(&check.check),
            theme.muted(),
        ));
    }
    Line::from(spans)
}

/// The failed checks of a row with value, bar and detail, on one line.
fn failures_of(outcome: &CaseOutcome) -> String {
    outcome
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let mut text = format!(
                "{}: {} (bar {})",
                c.check,
                c.value.as_deref().unwrap_or("-"),
                c.bar.as_deref().unwrap_or("-")
            );
            if let Some(detail) = &c.detail {
                text.push_str(&format!(" · {detail}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
