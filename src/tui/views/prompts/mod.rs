//! The Prompts view: prompt list (with `/` filter) | versions with messages and labels | the
//! selected version's messages. Editing, labelling and version diffs are modes of this view
//! (see `modes`); drawing lives in `draw`, clicks and the wheel in `mouse`.

mod draw;
mod modes;
mod mouse;
mod select;

use super::widgets::{InputOutcome, LineInput, ListCursor};
use super::{Effect, Level, View};
use crate::store::{PromptSummary, Version, VersionInfo};
use crate::tui::action::{Action, Tab};
use crate::tui::event::{Event, Request};
use crate::tui::theme::Theme;
use modes::Mode;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use std::collections::HashMap;

/// Which pane of the Prompts view has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    List,
    Versions,
    Body,
}

/// State of the Prompts view.
#[derive(Default)]
pub struct PromptsView {
    /// None until the worker has answered the first time (drawn as "loading").
    prompts: Option<Vec<PromptSummary>>,
    filter: LineInput,
    filtering: bool,
    /// Indices into `prompts` that match the filter.
    visible: Vec<usize>,
    list: ListCursor,
    logs: HashMap<String, Vec<VersionInfo>>,
    versions: ListCursor,
    bodies: HashMap<(String, u32), Version>,
    body_scroll: super::widgets::TextScroll,
    focus: Option<Pane>,
    mode: Mode,
    /// Select this prompt once the list reloads (after a save).
    pending_select: Option<String>,
    /// `t`: the body pane shows the selected prompt's trends across versions; the last
    /// answer (prompt, variant, points) once the worker has it.
    pub show_trends: bool,
    pub trends: Option<(String, Option<String>, Vec<crate::store::VersionTrend>)>,
    /// Ticks while shown: the list is re-read now and then, so prompts saved by another
    /// process (`temper prompt new`, a second TUI) appear without ctrl-r.
    ticks: u32,
}

/// Ticks between re-reads of the prompt list (2 s at the loop's 250 ms tick).
const POLL_TICKS: u32 = 8;

impl PromptsView {
    /// The focused pane (the list until the user moves).
    pub fn focus(&self) -> Pane {
        self.focus.unwrap_or(Pane::List)
    }

    /// The selected prompt, if the list has one.
    pub fn selected_prompt(&self) -> Option<&PromptSummary> {
        let i = *self.visible.get(self.list.selected)?;
        self.prompts.as_ref()?.get(i)
    }

    /// Versions of the selected prompt, once loaded.
    pub fn selected_log(&self) -> Option<&Vec<VersionInfo>> {
        self.logs.get(&self.selected_prompt()?.name)
    }

    /// The selected version's summary.
    pub fn selected_version(&self) -> Option<&VersionInfo> {
        self.selected_log()?.get(self.versions.selected)
    }

    /// The selected version with its body, once loaded.
    pub fn selected_body(&self) -> Option<&Version> {
        let v = self.selected_version()?;
        self.bodies.get(&(v.prompt.clone(), v.number))
    }

    /// The mode (browsing, editing, a diff…).
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    fn cycle_focus(&mut self, forward: bool) {
        let order = [Pane::List, Pane::Versions, Pane::Body];
        let i = order.iter().position(|p| *p == self.focus()).unwrap_or(0);
        let next = if forward { (i + 1) % 3 } else { (i + 2) % 3 };
        self.focus = Some(order[next]);
    }

    /// Screen areas of the three panes for `area` (shared by drawing and mouse hit tests).
    pub fn layout(&self, area: Rect) -> [Rect; 3] {
        draw::layout(self, area)
    }
}

impl View for PromptsView {
    fn tab(&self) -> Tab {
        Tab::Prompts
    }

    fn on_tick(&mut self) -> Vec<Effect> {
        self.ticks = self.ticks.wrapping_add(1);
        let idle = !self.filtering && matches!(self.mode, Mode::Browse);
        if idle && self.prompts.is_some() && self.ticks.is_multiple_of(POLL_TICKS) {
            vec![Effect::Request(Request::ListPrompts)]
        } else {
            Vec::new()
        }
    }

    fn capture_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        if self.filtering {
            match self.filter.key(key) {
                InputOutcome::Changed => {
                    self.refilter();
                    self.versions = ListCursor::default();
                    return Some(self.load_selected());
                }
                InputOutcome::Submit => self.filtering = false,
                InputOutcome::Cancel => {
                    self.filtering = false;
                    self.filter = LineInput::default();
                    self.refilter();
                    return Some(self.load_selected());
                }
                InputOutcome::Ignored => {}
            }
            return Some(Vec::new());
        }
        self.capture_mode_key(key)
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if let Some(effects) = self.mode_action(action) {
            return Some(effects);
        }
        let page = 10;
        Some(match action {
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-page),
            Action::PageDown => self.move_selection(page),
            Action::Top => self.move_selection(-(isize::MAX / 2)),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::FocusNext => {
                self.cycle_focus(true);
                Vec::new()
            }
            Action::FocusPrev => {
                self.cycle_focus(false);
                Vec::new()
            }
            Action::Filter => {
                self.filtering = true;
                self.focus = Some(Pane::List);
                Vec::new()
            }
            Action::Back if !self.filter.value.is_empty() => {
                self.filter = LineInput::default();
                self.refilter();
                self.load_selected()
            }
            Action::Refresh => {
                self.logs.clear();
                self.bodies.clear();
                vec![Effect::Request(Request::ListPrompts)]
            }
            Action::Edit
            | Action::ExternalEdit
            | Action::Label
            | Action::DiffParent
            | Action::DiffWith
            | Action::CompareOutputs => self.start_mode(action),
            Action::Trends => {
                self.show_trends = !self.show_trends;
                match self.selected_prompt() {
                    Some(p) if self.show_trends => vec![Effect::Request(Request::LoadTrends {
                        prompt: p.name.clone(),
                    })],
                    _ => Vec::new(),
                }
            }
            _ => return None,
        })
    }

    fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        match event {
            Event::Prompts(list) => {
                // A log whose newest version is not the prompt's latest is stale: re-read it.
                for p in list {
                    let stale = self
                        .logs
                        .get(&p.name)
                        .is_some_and(|log| log.first().map(|v| v.number) != Some(p.latest));
                    if stale {
                        self.logs.remove(&p.name);
                    }
                }
                self.prompts = Some(list.clone());
                self.refilter();
                self.load_selected()
            }
            Event::Log { name, versions } => {
                self.logs.insert(name.clone(), versions.clone());
                self.load_selected()
            }
            Event::Trends {
                prompt,
                variant,
                trends,
            } => {
                self.trends = Some((prompt.clone(), variant.clone(), trends.clone()));
                Vec::new()
            }
            Event::Version(v) => {
                self.bodies
                    .insert((v.info.prompt.clone(), v.info.number), (**v).clone());
                Vec::new()
            }
            Event::Saved(outcome) => {
                let v = &outcome.version;
                self.logs.remove(&v.prompt);
                self.pending_select = Some(v.prompt.clone());
                if self.selected_prompt().is_some_and(|p| p.name == v.prompt) {
                    self.pending_select = None;
                }
                self.versions = ListCursor::default();
                let text = if outcome.created {
                    format!("saved {}@{}", v.prompt, v.number)
                } else {
                    format!("no change: same content as {}@{}", v.prompt, v.number)
                };
                vec![
                    Effect::Status(Level::Info, crate::sanitize::one_line(&text)),
                    Effect::Request(Request::ListPrompts),
                ]
            }
            Event::Labelled { name, moved } => {
                self.logs.remove(name);
                let from = moved.from.map_or("new".to_string(), |n| format!("@{n}"));
                let text = format!("label {}: {from} → {name}@{}", moved.label, moved.to);
                vec![
                    Effect::Status(Level::Info, crate::sanitize::one_line(&text)),
                    Effect::Request(Request::ListPrompts),
                ]
            }
            Event::Diff(diff) => {
                self.mode = Mode::Diff {
                    diff: diff.clone(),
                    scroll: 0,
                };
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_mouse(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        self.mouse(mouse, area)
    }

    fn on_external_edit(&mut self, result: Result<String, String>) -> Vec<Effect> {
        self.external_edit_done(result)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw::draw(self, frame, area, theme);
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::Filter,
            Action::Edit,
            Action::DiffParent,
            Action::Label,
            Action::Help,
            Action::Quit,
        ]
    }

    fn capture_hint(&self) -> Option<&'static str> {
        if self.filtering {
            return Some("type to filter · enter keep · esc clear");
        }
        self.mode.hint()
    }

    fn focused_text(&self) -> Option<String> {
        if let Mode::Diff { diff, .. } = &self.mode {
            return Some(
                diff.spans
                    .iter()
                    .filter(|s| s.kind != crate::analysis::worddiff::SpanKind::Removed)
                    .map(|s| s.text.as_str())
                    .collect(),
            );
        }
        match self.focus() {
            Pane::List => self.selected_prompt().map(|p| p.name.clone()),
            Pane::Versions => self
                .selected_version()
                .map(|v| format!("{}@{}", v.prompt, v.number)),
            Pane::Body => self
                .selected_body()
                .map(|v| crate::tui::text::body_text(&v.body)),
        }
    }
}
