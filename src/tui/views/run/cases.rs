//! The cases list of a session's verdict in the Run view: one row per case × variant with a
//! ✓ or ✗ per check, the selected row's failures spelled out under it, and `f` to show only the
//! failing rows. The order is a hook ([`CasesList::sorted_by`]) so other suites can reuse the
//! list with their own order; a promptfoo suite's rows also carry their flakiness
//! (`super::flaky`), which ranks them first: flaky, then failing, then passing.

use super::flaky::Flakiness;
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
    /// Per row, its flakiness over N samples (a promptfoo suite's rows; empty for a session).
    flakiness: Vec<Flakiness>,
    /// The title of a suite's list (`suite: 2 flaky, 1 failing of 8 · run #3`).
    verdict: Option<String>,
    order: Order,
    failures_only: bool,
    /// Indexes into `rows` of the rows shown, in order.
    shown: Vec<usize>,
    pub cursor: ListCursor,
}

impl CasesList {
    /// All `rows`, as run.
    pub fn new(rows: Vec<CaseOutcome>) -> CasesList {
        CasesList::with_flakiness(rows, Vec::new(), None)
    }

    /// `rows` with their `flakiness` (aligned, or empty) and the list's `verdict` title.
    pub fn with_flakiness(
        rows: Vec<CaseOutcome>,
        flakiness: Vec<Flakiness>,
        verdict: impl Into<Option<String>>,
    ) -> CasesList {
        let mut list = CasesList {
            rows,
            flakiness,
            verdict: verdict.into(),
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

    /// The flakiness of row `i`, when the list is a suite's.
    pub fn flakiness(&self, i: usize) -> Option<&Flakiness> {
        self.flakiness.get(i)
    }

    /// The title a suite's list gives itself.
    pub fn verdict(&self) -> Option<&str> {
        self.verdict.as_deref()
    }

    /// Row `i` failed, or (in a suite) was flaky.
    fn is_problem(&self, i: usize) -> bool {
        !self.rows[i].passed || self.flakiness(i).is_some_and(|f| f.rank() < 2)
    }

    fn rank(&self, i: usize) -> u8 {
        self.flakiness(i).map_or(0, Flakiness::rank)
    }

    fn refilter(&mut self) {
        let mut shown: Vec<usize> = (0..self.rows.len())
            .filter(|&i| !self.failures_only || self.is_problem(i))
            .collect();
        shown.sort_by(|&a, &b| {
            self.rank(a)
                .cmp(&self.rank(b))
                .then_with(|| (self.order)(&self.rows[a], &self.rows[b]))
        });
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

    /// The rows shown with their flakiness (a suite's), in order.
    pub fn shown_with_flakiness(&self) -> impl Iterator<Item = (&CaseOutcome, Option<&Flakiness>)> {
        self.shown
            .iter()
            .map(|&i| (&self.rows[i], self.flakiness(i)))
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
            |i| {
                let at = self.shown[i];
                row(&self.rows[at], self.flakiness(at), theme)
            },
        );
        let mut text = self.selected().map(failures_of).unwrap_or_default();
        let note = self
            .shown
            .get(self.cursor.selected)
            .and_then(|&i| self.flakiness(i));
        if let Some(note) = note.map(|f| &f.note).filter(|n| !n.is_empty()) {
            if !text.is_empty() {
                text.push_str(" | ");
            }
            text.push_str(note);
        }
        frame.render_widget(
            Paragraph::new(one_line(&text, theme.fg(theme.error))).wrap(Wrap { trim: false }),
            detail,
        );
    }
}

/// One row: the verdict (a suite's: flakiness, pass rate and stability), case, variant and
/// prompt, then ✓/✗ per check (`-` for a check that was not run).
fn row(outcome: &CaseOutcome, flakiness: Option<&Flakiness>, theme: &Theme) -> Line<'static> {
    let mark = |passed: bool| {
        if passed {
            Span::styled("✓ ", theme.fg(theme.ok))
        } else {
            Span::styled("✗ ", theme.fg(theme.error))
        }
    };
    let mut spans = match flakiness {
        Some(f) => f.spans(theme),
        None => vec![mark(outcome.passed)],
    };
    spans.extend([Span::styled(
        crate::sanitize::one_line(&format!(
            "{}  {} [{}]",
            outcome.case, outcome.variant, outcome.prompt
        )),
        theme.text(),
    )]);
    for check in &outcome.checks {
        spans.push(Span::raw("  "));
        spans.push(if check.skipped {
            Span::styled("- ", theme.muted())
        } else {
            mark(check.passed)
        });
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
