//! The Trace view fed live by `temper trace --listen` (frames from `tui::live`): the tree lists
//! every held trace, newest first; the chunks, tools and answer panes follow the trace of the
//! selected row; the selected span stays selected as spans stream in, wherever its row moves;
//! flags appear as soon as their spans arrive; a status line on top says where spans are
//! received and how many were received, rejected and dropped.

use super::TraceView;
use crate::trace::receiver::CountersSnapshot;
use crate::tui::live::LiveFrame;
use crate::tui::theme::Theme;
use crate::tui::views::Effect;
use crate::tui::views::widgets::{empty_state, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use std::net::SocketAddr;

/// What the status line shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveState {
    pub addr: SocketAddr,
    pub counters: CountersSnapshot,
    /// Traces and spans held now.
    pub traces: usize,
    pub spans: usize,
    pub save_error: Option<String>,
}

/// `● live http://ADDR · 2 traces, 18 spans held · 18 received · 0 rejected · 0 dropped`, plus
/// refused requests and a failed `--save` when there are any.
pub fn status_line(s: &LiveState) -> String {
    let c = &s.counters;
    let mut line = format!(
        "● live http://{} · {}, {} held · {} received · {} rejected · {} dropped",
        s.addr,
        crate::plural::count(s.traces as u64, "trace"),
        crate::plural::count(s.spans as u64, "span"),
        c.spans_received,
        c.spans_rejected,
        c.spans_dropped
    );
    if c.requests_refused > 0 {
        line.push_str(&format!(
            " · {} refused",
            crate::plural::count(c.requests_refused, "request")
        ));
    }
    if let Some(e) = &s.save_error {
        line.push_str(&format!(" · {e}"));
    }
    crate::sanitize::one_line(&line)
}

impl TraceView {
    /// Whether the view is fed by a receiver.
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// The status line's state, in live mode.
    pub fn live_state(&self) -> Option<&LiveState> {
        self.live.as_ref()
    }

    /// Take a frame of the feed. The selected span keeps its selection (found again by id, as
    /// new traces above it move its row); the chunk and tool cursors stay while the selected row's
    /// trace is the same one.
    pub(super) fn on_live(&mut self, frame: &LiveFrame) -> Vec<Effect> {
        let spans = match (&frame.loaded, &self.loaded) {
            (Some(l), _) | (None, Some(l)) => l.trace.len(),
            (None, None) => 0,
        };
        self.live = Some(LiveState {
            addr: frame.addr,
            counters: frame.counters,
            traces: frame.traces,
            spans,
            save_error: frame.save_error.clone(),
        });
        let Some(loaded) = &frame.loaded else {
            return Vec::new();
        };
        let selected = self.selected_id();
        let shown_root = self.shown().and_then(|(_, t)| {
            let l = self.loaded.as_ref()?;
            Some(l.trace.id(t.root).to_string())
        });
        // The feed thread indexed the trace: taking it in is a swap and one id lookup.
        let row = selected.and_then(|id| loaded.row_of(&id)).unwrap_or(0);
        let len = loaded.walk.len();
        self.loaded = Some(loaded.clone());
        self.cursors[0].select(row, len);
        self.follow_selection();
        let same_trace = self
            .shown()
            .zip(self.loaded.as_ref())
            .map(|((_, t), l)| l.trace.id(t.root).to_string())
            == shown_root;
        if !same_trace {
            self.cursors[1] = Default::default();
            self.cursors[2] = Default::default();
        }
        Vec::new()
    }

    fn selected_id(&self) -> Option<String> {
        let l = self.loaded.as_ref()?;
        self.selected_span().map(|i| l.trace.id(i).to_string())
    }

    /// Show the trace the selected tree row belongs to.
    pub(super) fn follow_selection(&mut self) {
        let row = self.cursors[0].selected;
        if let Some(l) = &self.loaded
            && let Some(t) = l.trace_at(row)
            && t != self.shown_trace
        {
            self.shown_trace = t;
            self.cursors[1] = Default::default();
            self.cursors[2] = Default::default();
            self.answer_scroll.reset();
        }
    }

    /// `t` / `T` in live mode: select the first row of the next (older) or previous trace.
    pub(super) fn jump_trace(&mut self, forward: bool) {
        let Some(l) = &self.loaded else { return };
        let n = l.traces.len();
        if n == 0 {
            return;
        }
        let step = if forward { 1 } else { n - 1 };
        let target = l.traces[(self.shown_trace + step) % n].walk.start;
        let len = l.walk.len();
        self.cursors[0].select(target, len);
        self.follow_selection();
    }
}

/// The status line's row and the panes' area below it.
pub(super) fn split(area: Rect) -> (Rect, Rect) {
    let [status, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    (status, body)
}

/// Draw the live view: the status line, then the Trace view's panes (or where to send spans
/// while none has arrived).
pub(super) fn draw(
    view: &TraceView,
    state: &LiveState,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let (status, body) = split(area);
    frame.render_widget(
        Line::from(Span::styled(status_line(state), theme.fg(theme.accent))),
        status,
    );
    if view.loaded().is_some() {
        super::draw::draw(view, frame, body, theme);
        return;
    }
    let block = pane(" Trace ", true, theme);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let text = format!(
        "Waiting for spans on http://{addr}\n\npoint an instrumented app at it:\n  OTEL_EXPORTER_OTLP_ENDPOINT=http://{addr}\n  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (or http/json)",
        addr = state.addr
    );
    empty_state(frame, inner, &text, theme.muted());
}
