//! The Diff view: two samples of one cell side by side, word changes coloured, `n`/`N` jumping
//! between changes; identical outputs are syntax-highlighted (JSON, Markdown). The cell comes
//! from the Run view's selection; its clusters, stability and first divergence come from
//! `crate::analysis::analyze`; A starts on the modal cluster, B on the sample that diverges
//! earliest, and the divergence point is marked in both panes.

pub mod cells;
mod confidence;
mod draw;
mod explain;
mod lines;
mod paged;
mod versions;

use super::widgets::{empty_state, pane};
use super::{Effect, View};
use crate::analysis::worddiff::{Span as DiffSpan, SpanKind, has_changes, word_diff};
use crate::store::SampleRow;
use crate::tui::action::{Action, Tab};
use crate::tui::event::Event;
use crate::tui::text::{Side, one_line};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// State of the Diff view.
#[derive(Default)]
pub struct DiffView {
    /// The cell compared: its id and a label (`prompt@n variant`).
    cell: Option<(i64, String)>,
    samples: Vec<SampleRow>,
    /// Indices into `samples` of the left (A) and right (B) sample.
    pub a: usize,
    pub b: usize,
    /// Which side `j`/`k` moves.
    pub side: Side,
    pub scroll: u16,
    spans: Vec<DiffSpan>,
    /// Lines (of the right side) where a change starts, for `n` / `N`.
    change_lines: Vec<u16>,
    /// The change `n` / `N` last jumped to.
    pub change: usize,
    /// Clusters, stability and divergence of the cell's samples.
    pub analysis: Option<crate::analysis::Analysis>,
    /// The cells of the run the compared cell belongs to (see `cells`).
    run_cells: Vec<cells::DiffCell>,
    /// Stability, samples and explanation of the run's cells loaded so far.
    loaded: std::collections::HashMap<i64, cells::LoadedCell>,
    /// The user chose a cell with `c` / `C`: stop following the least stable one.
    picked: bool,
    cell_index: usize,
    /// The compared cell's model, for the divergence token offset.
    model: Option<String>,
    divergence_tokens: Option<usize>,
    /// `e`: the explain panel is shown under the samples.
    pub explain_open: bool,
    /// The explain panel's sentences for the compared cell.
    pub explain: Vec<String>,
    /// The panes' highlighted lines, rebuilt only when the pair or the theme changes.
    panes: lines::PaneCache,
    /// What the run's cells sent (params, latencies), once loaded.
    sent: Option<crate::tui::event::RunSent>,
    /// `O` in the Prompts view: two versions' outputs instead of a run's samples.
    versions: Option<versions::Versions>,
    /// `m`: tokens coloured by logprob margin, a sparkline of margins under each pane.
    pub confidence: bool,
    /// A large cell compared from groups and single samples (`samples` holds only A and B).
    paged: Option<paged::Paged>,
}

/// A sample's text as compared: its output, else its error.
fn output(s: &SampleRow) -> &str {
    s.sample
        .output
        .as_deref()
        .or(s.sample.error.as_deref())
        .unwrap_or("")
}

impl DiffView {
    /// Compare the samples of a cell (from the Run view). Keeps A/B when the cell is the same.
    pub fn set_cell(&mut self, cell_id: i64, label: String, samples: Vec<SampleRow>) {
        let same = self.paged.is_none() && self.cell.as_ref().is_some_and(|(id, _)| *id == cell_id);
        self.paged = None;
        self.cell = Some((cell_id, label));
        self.explain.clear();
        self.samples = samples;
        let observed = crate::analysis::cell::observed(&self.samples);
        let analysis = crate::analysis::analyze(&observed, crate::analysis::Options::default());
        if !same {
            // A: the modal cluster; B: the next cluster if any (that is where the run disagrees).
            let position = |idx: u32| self.samples.iter().position(|s| s.sample.idx == idx);
            let reps: Vec<usize> = analysis
                .clusters
                .iter()
                .filter_map(|c| position(c.representative()))
                .collect();
            // B: the sample that diverges earliest, else the next cluster.
            let earliest = analysis
                .divergence
                .as_ref()
                .and_then(|d| position(d.other_sample));
            self.a = reps.first().copied().unwrap_or(0);
            self.b = earliest.or(reps.get(1).copied()).unwrap_or(self.a + 1);
            self.scroll = 0;
        }
        self.analysis = Some(analysis);
        self.count_divergence_tokens();
        self.recompute();
    }

    /// The word diff of A and B.
    pub fn spans(&self) -> &[DiffSpan] {
        &self.spans
    }

    /// The id of the compared cell.
    fn cell_id(&self) -> Option<i64> {
        self.cell.as_ref().map(|(id, _)| *id)
    }

    /// Forget the compared cell (the next run cell shown starts afresh).
    fn reset_cell(&mut self) {
        self.cell = None;
    }

    /// The word diff of A and B and its change lines, after A or B changed.
    fn recompute(&mut self) {
        self.panes.clear();
        let last = self.samples.len().saturating_sub(1);
        self.a = self.a.min(last);
        self.b = self.b.min(last);
        let (Some(a), Some(b)) = (self.samples.get(self.a), self.samples.get(self.b)) else {
            self.spans.clear();
            self.change_lines.clear();
            return;
        };
        self.spans = word_diff(output(a), output(b));
        let mut line = 0u16;
        self.change_lines.clear();
        for span in &self.spans {
            if span.kind != SpanKind::Same && self.change_lines.last() != Some(&line) {
                self.change_lines.push(line);
            }
            if span.kind != SpanKind::Removed {
                line = line.saturating_add(span.text.matches('\n').count() as u16);
            }
        }
        self.change = 0;
    }

    fn jump(&mut self, forward: bool) {
        if self.change_lines.is_empty() {
            return;
        }
        let n = self.change_lines.len();
        self.change = if forward {
            (self.change + 1) % n
        } else {
            (self.change + n - 1) % n
        };
        self.scroll = self.change_lines[self.change];
    }
}

impl View for DiffView {
    fn tab(&self) -> Tab {
        Tab::Diff
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if matches!(action, Action::Up | Action::Down)
            && let Some(effects) = self.step_paged(action == Action::Down)
        {
            return Some(effects);
        }
        let len = self.samples.len();
        let pick = match self.side {
            Side::Old => &mut self.a,
            Side::New => &mut self.b,
        };
        match action {
            Action::Up => *pick = pick.saturating_sub(1),
            Action::Down => *pick = (*pick + 1).min(len.saturating_sub(1)),
            Action::FocusNext | Action::FocusPrev => {
                self.side = if self.side == Side::Old {
                    Side::New
                } else {
                    Side::Old
                };
                return Some(Vec::new());
            }
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(10);
                return Some(Vec::new());
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(10);
                return Some(Vec::new());
            }
            Action::NextChange | Action::PrevChange => {
                self.jump(action == Action::NextChange);
                return Some(Vec::new());
            }
            Action::NextCell | Action::PrevCell => {
                if !self.step_pair(action == Action::NextCell) {
                    self.step_cell(action == Action::NextCell);
                }
                return Some(Vec::new());
            }
            Action::Back if self.comparing_versions() => return Some(self.leave_versions()),
            Action::Explain => {
                self.explain_open = !self.explain_open;
                return Some(Vec::new());
            }
            Action::Confidence => {
                self.confidence = !self.confidence;
                return Some(Vec::new());
            }
            _ => return None,
        }
        self.scroll = 0;
        self.recompute();
        Some(Vec::new())
    }

    fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        if let Event::VersionOutputs {
            name,
            old,
            new,
            pairs,
        } = event
        {
            return self.set_versions(name, *old, *new, pairs);
        }
        if let Event::RunSent(sent) = event {
            self.sent_loaded(sent);
        }
        if let Event::CellGroups { cell_id, grouped } = event
            && !self.comparing_versions()
        {
            self.cell_grouped(*cell_id, grouped);
        }
        if let Event::Sample {
            cell_id,
            idx,
            sample,
        } = event
        {
            self.sample_loaded(*cell_id, *idx, sample.as_deref());
        }
        if let Event::Samples { cell_id, samples } = event
            && !self.comparing_versions()
            && !self.cell_loaded(*cell_id, samples)
            && let Some((id, label)) = self.cell.clone()
            && id == *cell_id
        {
            self.set_cell(id, label, samples.clone());
        }
        Vec::new()
    }

    fn on_mouse(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.scroll = self.scroll.saturating_add(3),
            MouseEventKind::ScrollUp => self.scroll = self.scroll.saturating_sub(3),
            MouseEventKind::Down(MouseButton::Left) => {
                self.side = if mouse.column < area.x + area.width / 2 {
                    Side::Old
                } else {
                    Side::New
                };
            }
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw::draw(self, frame, area, theme);
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::NextChange,
            Action::PrevChange,
            Action::NextCell,
            Action::Explain,
            Action::Confidence,
            Action::FocusNext,
            Action::Help,
            Action::Quit,
        ]
    }

    fn focused_text(&self) -> Option<String> {
        let index = if self.side == Side::Old {
            self.a
        } else {
            self.b
        };
        self.samples.get(index).map(|s| output(s).to_string())
    }
}
