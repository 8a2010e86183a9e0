//! The Run view: stored runs | their cells (prompt version x variant x case) with progress |
//! the samples of a cell | the selected sample's output. A run still in progress (e.g. started
//! by `temper run` in another terminal) is polled, so its samples appear as they are stored.
//! `r` starts the version selected in Prompts after the spend guard (`spend`) has estimated
//! it. Drawing lives in `draw`.

pub mod cases;
mod checks;
mod dist;
mod draw;
pub mod flaky;
mod live;
mod paged;
mod popup;
pub mod save;
mod select;
pub mod session;
mod spend;

use super::widgets::{LineInput, ListCursor};
use super::{Effect, Level, View};
use crate::store::{CellInfo, RunInfo, RunStatus, SampleRow};
use crate::tui::action::{Action, Tab};
use crate::tui::event::Event;
use crate::tui::theme::Theme;
pub use live::LiveRun;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use std::collections::HashMap;

/// Which pane of the Run view has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPane {
    Runs,
    Cells,
    Samples,
    Output,
}

const ORDER: [RunPane; 4] = [
    RunPane::Runs,
    RunPane::Cells,
    RunPane::Samples,
    RunPane::Output,
];

/// Poll a running run every this many ticks.
const POLL_TICKS: u32 = 4;

/// State of the Run view.
pub struct RunView {
    /// `m`: the output pane colours tokens by logprob margin (see `charts::confidence`).
    pub confidence: bool,
    /// `d`: the output pane shows the cell's distributions (see `charts::dist`).
    pub distributions: bool,
    /// Samples per variant for the next run.
    pub n: u32,
    /// Models of the next run (`provider:model`), one variant each.
    pub models: Vec<String>,
    /// The run started from here, while it is going and after.
    pub live: Option<LiveRun>,
    /// Select this run once the list has it.
    follow: Option<i64>,
    /// The spend guard's lines for the last run asked for (matrix, cost, upper bound, unpriced).
    pub estimate: Option<Vec<String>>,
    /// The worker is estimating a run.
    pub estimating: bool,
    /// The budget of the run started last (its plan's), for the live gauge.
    budget_usd: Option<f64>,
    /// A run waiting for y/n (the estimate is above `[run] confirm_above_usd`).
    confirm: Option<Box<crate::tui::event::SpendCheck>>,
    /// The session file of the run started last, if it was a session's.
    running_session: Option<std::path::PathBuf>,
    /// The promptfoo suite of the last estimate asked for, until it starts.
    pending_suite: Option<crate::promptfoo::SuiteSpec>,
    /// The suite grading a running judge's calls belong to (see `tui::suite::grade`).
    grading: Option<crate::tui::event::SuiteGrading>,
    /// The promptfoo suite of the run started last: graded when it ends.
    running_suite: Option<crate::promptfoo::SuiteSpec>,
    /// `o`: the session files to pick from.
    session_picker: Option<(Vec<std::path::PathBuf>, ListCursor)>,
    /// The checks of the last session run, until `esc`.
    pub session_checks: Option<crate::tui::event::SessionChecks>,
    /// The cases of the shown session checks, pass or fail per check (`f`: failures only).
    pub session_cases: Option<cases::CasesList>,
    models_input: Option<LineInput>,
    /// Calls in flight at once for the next run; `None`: `[run] concurrency` of the config.
    pub concurrency: Option<usize>,
    /// `S`: the name to save the workspace under.
    save_input: Option<LineInput>,
    /// The session the workspace came from (`o`): its checks and cases carry over on save.
    origin: Option<Box<crate::session::Session>>,
    runs: Option<Vec<RunInfo>>,
    /// The version `r` runs: the one selected in Prompts (`support-answer@3`), set on show.
    pub next_prompt: Option<String>,
    runs_cursor: ListCursor,
    cells: HashMap<i64, Vec<CellInfo>>,
    cells_cursor: ListCursor,
    samples: HashMap<i64, Vec<SampleRow>>,
    /// Large cells (see `paged`): the page of their sample list held, with their counts.
    pages: HashMap<i64, crate::tui::event::SamplePage>,
    /// Per run: what its cells sent and its variants' latencies.
    sent: HashMap<i64, crate::tui::event::RunSent>,
    samples_cursor: ListCursor,
    focus: RunPane,
    output_scroll: super::widgets::TextScroll,
    ticks: u32,
}

impl Default for RunView {
    fn default() -> Self {
        RunView {
            confidence: false,
            distributions: false,
            n: 10,
            models: vec!["mock:drift".to_string()],
            live: None,
            follow: None,
            estimate: None,
            estimating: false,
            budget_usd: None,
            confirm: None,
            running_session: None,
            pending_suite: None,
            grading: None,
            running_suite: None,
            session_picker: None,
            session_checks: None,
            session_cases: None,
            models_input: None,
            concurrency: None,
            save_input: None,
            origin: None,
            runs: None,
            next_prompt: None,
            runs_cursor: ListCursor::default(),
            cells: HashMap::new(),
            cells_cursor: ListCursor::default(),
            samples: HashMap::new(),
            pages: HashMap::new(),
            sent: HashMap::new(),
            samples_cursor: ListCursor::default(),
            focus: RunPane::Runs,
            output_scroll: Default::default(),
            ticks: 0,
        }
    }
}

impl RunView {
    /// A run started from this TUI is still going.
    pub fn is_running(&self) -> bool {
        self.live.as_ref().is_some_and(|l| !l.finished)
    }

    /// The selected run.
    pub fn selected_run(&self) -> Option<&RunInfo> {
        self.runs.as_ref()?.get(self.runs_cursor.selected)
    }

    /// The cells of the selected run, once loaded.
    pub fn run_cells(&self) -> Option<&Vec<CellInfo>> {
        self.cells.get(&self.selected_run()?.id)
    }

    /// The selected cell.
    pub fn selected_cell(&self) -> Option<&CellInfo> {
        self.run_cells()?.get(self.cells_cursor.selected)
    }

    /// The samples of the selected cell, once loaded (what the Diff view compares).
    pub fn cell_samples(&self) -> Option<&Vec<SampleRow>> {
        self.samples.get(&self.selected_cell()?.id)
    }

    /// The samples of a cell, once loaded.
    pub fn samples_of(&self, cell_id: i64) -> Option<&Vec<SampleRow>> {
        self.samples.get(&cell_id)
    }

    /// What the cells of run `run_id` sent, once loaded.
    pub fn sent_of(&self, run_id: i64) -> Option<&crate::tui::event::RunSent> {
        self.sent.get(&run_id)
    }

    /// The selected sample (of a large cell: when the page around it is held).
    pub fn selected_sample(&self) -> Option<&SampleRow> {
        self.sample_at_row(self.samples_cursor.selected)
    }

    /// The focused pane.
    pub fn focus(&self) -> RunPane {
        self.focus
    }

    /// Pane areas for `area`: runs, cells, samples, output (shared with mouse hit tests).
    pub fn layout(&self, area: Rect) -> [Rect; 4] {
        draw::layout(area)
    }
}

impl View for RunView {
    fn tab(&self) -> Tab {
        Tab::Run
    }

    fn on_show(&mut self) -> Vec<Effect> {
        self.refresh()
    }

    fn on_tick(&mut self) -> Vec<Effect> {
        self.ticks = self.ticks.wrapping_add(1);
        let live = self.live.as_ref().is_some_and(|l| !l.finished);
        let running = self
            .selected_run()
            .is_some_and(|r| r.status == RunStatus::Running);
        let every = if live { 2 } else { POLL_TICKS };
        if (running || live) && self.ticks.is_multiple_of(every) {
            self.refresh()
        } else {
            Vec::new()
        }
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let effects = match action {
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-10),
            Action::PageDown => self.move_selection(10),
            Action::Top => self.move_selection(-(isize::MAX / 2)),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::FocusNext | Action::FocusPrev => {
                self.focus =
                    super::widgets::cycle_focus(&ORDER, self.focus, action == Action::FocusNext);
                Vec::new()
            }
            Action::Refresh => self.refresh(),
            Action::Open => self.open_sessions(),
            Action::SaveSession => self.ask_save_name(),
            Action::Back if self.session_checks.is_some() => {
                self.session_checks = None;
                self.session_cases = None;
                Vec::new()
            }
            Action::More => {
                self.n = (self.n + 1).min(1000);
                Vec::new()
            }
            Action::Less => {
                self.n = self.n.saturating_sub(1).max(1);
                Vec::new()
            }
            Action::Confidence => {
                self.confidence = !self.confidence;
                Vec::new()
            }
            Action::Distributions => {
                self.distributions = !self.distributions;
                self.load_variant_samples()
            }
            Action::Variants => {
                let mut text = self.models.join(", ");
                if let Some(c) = self.concurrency {
                    text.push_str(&format!(", concurrency={c}"));
                }
                self.models_input = Some(LineInput::new(text));
                Vec::new()
            }
            _ => return None,
        };
        Some(effects)
    }

    fn capture_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        self.confirm_key(key)
            .or_else(|| self.picker_key(key))
            .or_else(|| self.save_key(key))
            .or_else(|| self.models_key(key))
            .or_else(|| {
                let list = self.session_cases.as_mut()?;
                list.key(key).then(Vec::new)
            })
    }

    fn capture_hint(&self) -> Option<&'static str> {
        self.input_hint()
    }

    fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        match event {
            Event::RunProgress(progress) => self.on_progress(progress),
            Event::Estimated(check) => self.on_estimated(check),
            Event::Failed { .. } => {
                self.estimating = false;
                Vec::new()
            }
            Event::RunEnded(result) => self.on_ended(result),
            Event::Sessions(files) => self.on_sessions(files),
            Event::SessionOpened(session) => self.on_session_opened(session),
            Event::SessionSaved(path) => {
                vec![Effect::Status(
                    Level::Info,
                    format!("saved {}", path.display()),
                )]
            }
            Event::SuiteChecks(report) => self.on_suite_checks(report),
            Event::SessionChecks(checks) => {
                self.session_cases =
                    (!checks.cases.is_empty()).then(|| cases::CasesList::new(checks.cases.clone()));
                self.session_checks = Some((**checks).clone());
                Vec::new()
            }
            Event::Runs(runs) => {
                let keep = self.follow.take().or(self.selected_run().map(|r| r.id));
                self.runs = Some(runs.clone());
                let index = keep
                    .and_then(|id| runs.iter().position(|r| r.id == id))
                    .unwrap_or(0);
                self.runs_cursor.select(index, runs.len());
                self.load_selected()
            }
            Event::Cells { run_id, cells } => {
                self.cells.insert(*run_id, cells.clone());
                self.load_selected()
            }
            Event::RunSent(sent) => {
                self.sent.insert(sent.run_id, (**sent).clone());
                Vec::new()
            }
            Event::Samples { cell_id, samples } => {
                self.samples.insert(*cell_id, samples.clone());
                let len = samples.len();
                self.samples_cursor
                    .select(self.samples_cursor.selected, len);
                Vec::new()
            }
            Event::SamplePage(page) => {
                self.page_loaded(page);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_mouse(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        self.click(mouse, area)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw::draw(self, frame, area, theme);
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Start,
            Action::Cancel,
            Action::Variants,
            Action::Open,
            Action::SaveSession,
            Action::More,
            Action::Less,
            Action::Help,
            Action::Quit,
        ]
    }

    fn focused_text(&self) -> Option<String> {
        match self.focus {
            RunPane::Runs => self.selected_run().map(|r| format!("{}", r.id)),
            RunPane::Cells => self
                .selected_cell()
                .map(|c| format!("{}@{}", c.prompt, c.prompt_number)),
            RunPane::Samples | RunPane::Output => self.selected_sample().map(|s| {
                s.sample
                    .output
                    .clone()
                    .or_else(|| s.sample.error.clone())
                    .unwrap_or_default()
            }),
        }
    }
}
