//! The Trace view: span tree (kinds, timings, detector flags) | retrieved chunks (scores,
//! sources, marked when the answer cites them) | tool calls (arguments, results, errors) | the
//! answer. Side by side from 160 columns, stacked on 80. `o` opens a file; the worker reads it
//! and runs `crate::trace::detectors`. Drawing lives in `draw`.

mod body;
mod call;
mod detail;
mod draw;
mod live;
mod loaded;
mod mouse;
mod open;
mod replay_pane;
mod zoom;

pub use live::{LiveState, status_line};
pub use loaded::{Loaded, TraceInfo};
pub use replay_pane::ReplayPane;

use super::widgets::{LineInput, ListCursor};
use super::{Effect, Level, View};
use crate::tui::action::{Action, Tab};
use crate::tui::event::Event;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use std::path::PathBuf;

/// Which pane of the Trace view has focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracePane {
    Tree,
    Chunks,
    Tools,
    Answer,
}

const ORDER: [TracePane; 4] = [
    TracePane::Tree,
    TracePane::Chunks,
    TracePane::Tools,
    TracePane::Answer,
];

/// State of the Trace view.
pub struct TraceView {
    /// The file shown or being read.
    pub path: Option<PathBuf>,
    /// The file of the trace shown: what stays when opening another one fails.
    shown: Option<PathBuf>,
    loaded: Option<std::sync::Arc<Loaded>>,
    error: Option<String>,
    loading: bool,
    open: Option<LineInput>,
    focus: TracePane,
    /// The list pane the detail pane follows: the answer for the tree, the selected chunk's
    /// text, or the selected tool call's arguments and result.
    detail: TracePane,
    cursors: [ListCursor; 3],
    answer_scroll: super::widgets::TextScroll,
    /// Which trace of the file the panes show (`t` / `T` pick another).
    shown_trace: usize,
    /// Fed by `temper trace --listen` (see `live`): the tree lists every trace.
    live: Option<LiveState>,
    /// `w`: the tree pane spans the view and its bars get most of its width.
    pub wide: bool,
    /// `z`: the rows of [`Loaded::walk`] the tree is zoomed to (a subtree), if any.
    zoom: Option<std::ops::Range<usize>>,
    /// Axis and critical path of the rows shown, computed when they change.
    waterfall: super::charts::waterfall::Waterfall,
    /// `R` / `x`: the replay last asked for (see `replay_pane`).
    replay: Option<ReplayPane>,
    /// The span the detail pane shows, decoded when the selection changes (see `body`).
    body: Option<body::DetailBody>,
}

impl Default for TraceView {
    fn default() -> Self {
        TraceView {
            path: None,
            shown: None,
            loaded: None,
            error: None,
            loading: false,
            open: None,
            focus: TracePane::Tree,
            detail: TracePane::Tree,
            cursors: Default::default(),
            answer_scroll: Default::default(),
            shown_trace: 0,
            live: None,
            wide: false,
            zoom: None,
            waterfall: Default::default(),
            replay: None,
            body: None,
        }
    }
}

impl TraceView {
    /// The loaded trace, if any.
    pub fn loaded(&self) -> Option<&Loaded> {
        self.loaded.as_deref()
    }

    /// The trace the panes show, with its position in the file.
    pub fn shown(&self) -> Option<(usize, &TraceInfo)> {
        let l = self.loaded.as_ref()?;
        l.traces
            .get(self.shown_trace)
            .map(|t| (self.shown_trace, t))
    }

    /// The tree rows of the shown trace: (span index, depth).
    pub fn rows(&self) -> &[(u32, u32)] {
        match (&self.loaded, self.shown(), &self.zoom) {
            (Some(l), _, Some(zoom)) => l.walk.get(zoom.clone()).unwrap_or(&[]),
            (Some(l), _, None) if self.live.is_some() => &l.walk,
            (Some(l), Some((_, t)), None) => &l.walk[t.walk.clone()],
            _ => &[],
        }
    }

    /// The chunks of the shown trace: (span index, document index).
    pub fn chunks(&self) -> &[(u32, u32)] {
        match (&self.loaded, self.shown()) {
            (Some(l), Some((_, t))) => &l.chunks[t.chunks.clone()],
            _ => &[],
        }
    }

    /// The tool-call spans of the shown trace.
    pub fn tools(&self) -> &[u32] {
        match (&self.loaded, self.shown()) {
            (Some(l), Some((_, t))) => &l.tools[t.tools.clone()],
            _ => &[],
        }
    }

    /// The focused pane.
    pub fn focus(&self) -> TracePane {
        self.focus
    }

    /// What the detail pane shows: the item selected in this list pane.
    pub fn detail(&self) -> TracePane {
        self.detail
    }

    /// The selected chunk as (span index, document index).
    pub fn selected_chunk(&self) -> Option<(usize, usize)> {
        let &(s, d) = self.chunks().get(self.cursors[1].selected)?;
        Some((s as usize, d as usize))
    }

    /// The span index of the selected tool call.
    pub fn selected_tool(&self) -> Option<usize> {
        self.tools()
            .get(self.cursors[2].selected)
            .map(|&s| s as usize)
    }

    /// Focus `pane`; a list pane also becomes what the detail pane shows.
    fn focus_on(&mut self, pane: TracePane) {
        self.focus = pane;
        if pane != TracePane::Answer && pane != self.detail {
            self.detail = pane;
            self.answer_scroll.reset();
        }
    }

    /// Index of the selected span.
    pub fn selected_span(&self) -> Option<usize> {
        self.rows()
            .get(self.cursors[0].selected)
            .map(|&(i, _)| i as usize)
    }

    fn pane_len(&self, pane: TracePane) -> usize {
        match pane {
            TracePane::Tree => self.rows().len(),
            TracePane::Chunks => self.chunks().len(),
            TracePane::Tools => self.tools().len(),
            TracePane::Answer => 0,
        }
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.pane_len(self.focus);
        let moved = match self.focus {
            TracePane::Tree => self.cursors[0].move_by(delta, len),
            TracePane::Chunks => self.cursors[1].move_by(delta, len),
            TracePane::Tools => self.cursors[2].move_by(delta, len),
            TracePane::Answer => {
                self.answer_scroll.move_by(delta);
                true
            }
        };
        if moved && self.focus == TracePane::Tree && self.live.is_some() {
            self.follow_selection();
        }
        // A new item in the list the detail pane follows starts its text at the top.
        if moved && self.focus != TracePane::Answer {
            self.answer_scroll.reset();
        }
    }
}

impl View for TraceView {
    fn tab(&self) -> Tab {
        Tab::Trace
    }

    fn on_show(&mut self) -> Vec<Effect> {
        match &self.path {
            Some(p) if self.loaded.is_none() && !self.loading && self.error.is_none() => {
                self.request_load(p.clone())
            }
            _ => Vec::new(),
        }
    }

    fn capture_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        self.open_key(key)
    }

    fn capture_hint(&self) -> Option<&'static str> {
        self.open
            .as_ref()
            .map(|_| "path of a trace file (temper JSONL, OpenInference, OTLP, Langfuse) · tab complete · enter open · esc cancel")
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let effects = self.act(action);
        self.sync_body();
        effects
    }

    fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        let effects = self.take_event(event);
        self.sync_body();
        effects
    }

    fn on_mouse(&mut self, mouse: &MouseEvent, area: Rect) -> Vec<Effect> {
        self.click(mouse, area);
        self.sync_body();
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let area = match &self.replay {
            Some(p) => {
                let (top, bottom) = replay_pane::split(area);
                replay_pane::draw(p, frame, bottom, theme);
                top
            }
            None => area,
        };
        match &self.live {
            Some(state) => live::draw(self, state, frame, area, theme),
            None => draw::draw(self, frame, area, theme),
        }
    }

    fn hints(&self) -> Vec<Action> {
        let mut hints = vec![
            Action::Open,
            Action::Waterfall,
            Action::Zoom,
            Action::FocusNext,
        ];
        if self.live.is_some() {
            hints.remove(0);
        }
        if self.loaded.as_ref().is_some_and(|l| l.traces.len() > 1) {
            hints.push(Action::NextTrace);
        }
        hints.splice(0..0, self.replay_hints());
        hints.extend([Action::Help, Action::Quit]);
        hints
    }

    fn focused_text(&self) -> Option<String> {
        self.focused()
    }
}

impl TraceView {
    /// What an action does to the view (the selected span's body is decoded after it).
    fn act(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Open if self.live.is_some() => {
                let text = "the live view shows what the receiver gets; open a saved file with temper trace FILE --tui";
                return Some(vec![Effect::Status(Level::Info, text.into())]);
            }
            // Starts empty: a new path is typed (tab completes), not edited out of the old one.
            Action::Open => self.open = Some(LineInput::new(String::new())),
            Action::Refresh => {
                return Some(
                    self.path
                        .clone()
                        .map(|p| self.request_load(p))
                        .unwrap_or_default(),
                );
            }
            Action::NextTrace | Action::PrevTrace => self.step_trace(action == Action::NextTrace),
            Action::Waterfall => self.wide = !self.wide,
            Action::Zoom => self.toggle_zoom(),
            Action::Replay | Action::ProbeChunk => {
                return Some(self.ask_replay(action == Action::ProbeChunk));
            }
            Action::Back if self.replay.is_some() => self.replay = None,
            Action::Back if self.zoom.is_some() => self.toggle_zoom(),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-20),
            Action::PageDown => self.move_by(20),
            Action::Top => self.move_by(-(isize::MAX / 2)),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::FocusNext | Action::FocusPrev => {
                let next =
                    super::widgets::cycle_focus(&ORDER, self.focus, action == Action::FocusNext);
                self.focus_on(next);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// What an event does to the view.
    fn take_event(&mut self, event: &Event) -> Vec<Effect> {
        if let Event::Replayed(replayed) = event {
            return self.on_replayed(replayed);
        }
        if let Event::Live(frame) = event {
            return self.on_live(frame);
        }
        if let Event::SessionOpened(session) = event {
            // A session opened in the Run view brings its first trace here.
            return match session.traces.first() {
                Some(path) => self.request_load(path.clone()),
                None => Vec::new(),
            };
        }
        if let Event::PathCompleted { text, completed } = event {
            if let Some(input) = self.open.as_mut().filter(|i| &i.value == text) {
                input.value = completed.clone();
            }
            return Vec::new();
        }
        match event {
            Event::Trace { path, result } => self.on_trace(path, result),
            _ => Vec::new(),
        }
    }
}
