//! The replay pane of the Trace view: `R` on an LLM span replays it, `x` on a retrieved chunk
//! reruns the request that used it without that chunk. The worker does the work
//! (`crate::tui::replay`: spend guard, save, fire, compare); the pane shows that it is going,
//! the guard's question (the same key again confirms), or the verdict. Esc closes it.

use super::TracePane;
use crate::trace::SpanKind;
use crate::tui::action::Action;
use crate::tui::event::Request;
use crate::tui::replay::{
    ReplayAsk, ReplayOutcome, ReplayReport, ReplayTarget, Replayed, SharedTrace,
};
use crate::tui::text::{lines, one_line};
use crate::tui::theme::Theme;
use crate::tui::views::widgets::pane;
use crate::tui::views::{Effect, Level};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use std::path::PathBuf;

/// Rows the pane takes at the bottom of the view.
const HEIGHT: u16 = 10;

/// The replay last asked for and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayPane {
    pub ask: ReplayAsk,
    /// `None` while the worker is at it.
    pub outcome: Option<ReplayOutcome>,
}

impl ReplayPane {
    /// A pane waiting for the worker's answer to `ask`.
    pub fn asked(ask: ReplayAsk) -> Self {
        ReplayPane { ask, outcome: None }
    }

    /// Whether the replay is still going: the worker is saving it, or its calls are running.
    pub fn running(&self) -> bool {
        matches!(self.outcome, None | Some(ReplayOutcome::Firing { .. }))
    }

    /// Whether pressing the key for `target` again confirms the guard's question.
    pub fn confirms(&self, target: &ReplayTarget) -> bool {
        matches!(self.outcome, Some(ReplayOutcome::Confirm { .. })) && &self.ask.target == target
    }

    /// Take the worker's answer when it is for the replay shown; true when taken.
    pub fn on_replayed(&mut self, replayed: &Replayed) -> bool {
        if replayed.ask != self.ask {
            return false;
        }
        self.outcome = Some(replayed.outcome.clone());
        true
    }

    /// A one-line summary for the status bar.
    pub fn status(&self) -> String {
        match &self.outcome {
            None => format!("{}…", what(&self.ask.target)),
            Some(ReplayOutcome::Firing { model, samples }) => format!(
                "{}: {} on {model}…",
                what(&self.ask.target),
                crate::plural::count(u64::from(*samples), "sample")
            ),
            Some(ReplayOutcome::Done(r)) => format!(
                "{} done: run #{}, {}",
                what(&self.ask.target),
                r.run_id,
                r.labels.join(" and ")
            ),
            Some(ReplayOutcome::Confirm { .. }) => "the spend guard asks first".into(),
            Some(ReplayOutcome::Refused { .. }) => "the spend guard refused the replay".into(),
            Some(ReplayOutcome::Failed(e)) => format!("{} failed: {e}", what(&self.ask.target)),
        }
    }
}

/// "replaying span ab12" / "probing without chunk kb-1".
fn what(target: &ReplayTarget) -> String {
    match target {
        ReplayTarget::Span(id) => format!("replaying span {id}"),
        ReplayTarget::Chunk(id) => format!("rerunning without chunk {id}"),
    }
}

/// `area` split into what the view draws and the pane under it.
pub fn split(area: Rect) -> (Rect, Rect) {
    let height = HEIGHT.min(area.height / 2);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(height)]).areas(area);
    (top, bottom)
}

/// Draw the pane into `area`.
pub fn draw(p: &ReplayPane, frame: &mut Frame, area: Rect, theme: &Theme) {
    let title = match &p.ask.target {
        ReplayTarget::Span(id) => format!(" Replay · span {id} "),
        ReplayTarget::Chunk(id) => format!(" Without chunk {id} "),
    };
    let block = pane(Line::from(one_line(&title, theme.text())), true, theme);
    let body = body(p, theme);
    let widget = Paragraph::new(body).block(block).wrap(Wrap { trim: false });
    frame.render_widget(widget, area);
}

fn body(p: &ReplayPane, theme: &Theme) -> Vec<Line<'static>> {
    let key = match p.ask.target {
        ReplayTarget::Span(_) => "R",
        ReplayTarget::Chunk(_) => "x",
    };
    let muted = theme.muted();
    match &p.outcome {
        None => lines(
            &format!("{}: checking the spend and saving…", what(&p.ask.target)),
            muted,
        ),
        Some(ReplayOutcome::Firing { model, samples }) => lines(
            &format!(
                "saved; firing {} on {model}: the verdict comes when they are done, the other views keep working…",
                crate::plural::count(u64::from(*samples), "sample")
            ),
            muted,
        ),
        Some(ReplayOutcome::Done(r)) => report(r, theme),
        Some(ReplayOutcome::Confirm {
            question,
            lines: est,
        }) => {
            let mut out = lines(question, theme.fg(theme.warning));
            out.extend(est.iter().flat_map(|l| lines(l, muted)));
            out.extend(lines(&format!("{key} again starts it · esc closes"), muted));
            out
        }
        Some(ReplayOutcome::Refused { reason, lines: est }) => {
            let mut out = lines(&format!("not started: {reason}"), theme.fg(theme.error));
            out.extend(est.iter().flat_map(|l| lines(l, muted)));
            out
        }
        Some(ReplayOutcome::Failed(e)) => lines(e, theme.fg(theme.error)),
    }
}

fn report(r: &ReplayReport, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(changed) = r.changed {
        let (text, colour) = if changed {
            ("the answer changes without this chunk", theme.warning)
        } else {
            ("the answer does not change without this chunk", theme.ok)
        };
        out.extend(lines(text, theme.fg(colour).add_modifier(Modifier::BOLD)));
    }
    for v in &r.verdicts {
        out.extend(lines(&crate::sanitize::one_line(v), theme.text()));
    }
    if let Some(note) = &r.model_note {
        out.extend(lines(note, theme.fg(theme.warning)));
    }
    let head = format!(
        "saved {} · run #{} · {} samples on {}",
        r.labels.join(" and "),
        r.run_id,
        r.samples,
        r.model
    );
    out.extend(lines(&head, theme.muted()));
    let recorded = format!("recorded: {}", crate::sanitize::one_line(&r.recorded));
    out.extend(lines(&recorded, theme.muted()));
    out
}

impl super::TraceView {
    /// The replay pane, when open.
    pub fn replay_pane(&self) -> Option<&ReplayPane> {
        self.replay.as_ref()
    }

    /// `R` (`chunk` false) or `x` (`chunk` true): ask the worker, or confirm what it asked.
    pub(super) fn ask_replay(&mut self, chunk: bool) -> Vec<Effect> {
        let Some(loaded) = self.loaded() else {
            return status(Level::Info, "open a trace first (o)");
        };
        let target = match self.replay_target(chunk) {
            Ok(t) => t,
            Err(why) => return status(Level::Info, why),
        };
        if self.replay.as_ref().is_some_and(|p| p.running()) {
            return status(Level::Info, "a replay is going: wait for its verdict");
        }
        let confirmed = self.replay.as_ref().is_some_and(|p| p.confirms(&target));
        let ask = ReplayAsk {
            trace: SharedTrace(loaded.trace.clone()),
            file: match (&self.live, &self.shown) {
                (None, Some(p)) => p.clone(),
                _ => PathBuf::from("live"),
            },
            target,
            confirmed,
        };
        let pane = ReplayPane::asked(ask.clone());
        let text = pane.status();
        self.replay = Some(pane);
        vec![
            Effect::Request(Request::Replay(Box::new(ask))),
            Effect::Status(Level::Info, crate::sanitize::one_line(&text)),
        ]
    }

    /// The selected LLM span, or the selected chunk, as a replay target; else what to select.
    fn replay_target(&self, chunk: bool) -> Result<ReplayTarget, &'static str> {
        let trace = self.loaded().map(|l| &l.trace);
        if chunk {
            let doc = (self.focus == TracePane::Chunks)
                .then(|| self.selected_chunk())
                .flatten()
                .and_then(|(s, d)| Some(trace?.documents(s).get(d)?.id?.str().to_string()));
            return doc
                .map(ReplayTarget::Chunk)
                .ok_or("x reruns without a chunk: select one with an id in the Chunks pane");
        }
        let span = (self.focus == TracePane::Tree)
            .then(|| self.selected_span())
            .flatten()
            .and_then(|i| trace.map(|t| (t, i)))
            .filter(|(t, i)| t.kind(*i) == SpanKind::Llm);
        span.map(|(t, i)| ReplayTarget::Span(t.id(i).to_string()))
            .ok_or("R replays an LLM call: select an LLM span in the tree")
    }

    /// The worker's answer: shown when it is for the pane's replay.
    pub(super) fn on_replayed(&mut self, replayed: &Replayed) -> Vec<Effect> {
        let Some(pane) = self.replay.as_mut() else {
            return Vec::new();
        };
        if !pane.on_replayed(replayed) {
            return Vec::new();
        }
        let level = match &pane.outcome {
            Some(ReplayOutcome::Failed(_) | ReplayOutcome::Refused { .. }) => Level::Error,
            Some(ReplayOutcome::Confirm { .. }) => Level::Warn,
            _ => Level::Info,
        };
        status(level, pane.status())
    }

    /// Whether `R` / `x` are worth a hint now.
    pub(super) fn replay_hints(&self) -> Vec<Action> {
        let mut out = Vec::new();
        if self.replay_target(false).is_ok() {
            out.push(Action::Replay);
        }
        if self.replay_target(true).is_ok() {
            out.push(Action::ProbeChunk);
        }
        out
    }
}

fn status(level: Level, text: impl AsRef<str>) -> Vec<Effect> {
    vec![Effect::Status(
        level,
        crate::sanitize::one_line(text.as_ref()),
    )]
}
