//! The views (one folder or file each): components that draw from their own state and turn actions and
//! worker events into effects. They never do I/O themselves.

pub mod charts;
pub mod cost;
pub mod cost_cascade;
pub mod cost_split;
pub mod diff;
pub mod prompts;
pub mod run;
pub mod sent;
pub mod trace;
pub mod widgets;

use super::action::{Action, Tab};
use super::event::{Event, Request};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

/// How loud a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// Something a view wants done outside itself: by the worker, the loop or the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Ask the worker.
    Request(Request),
    /// Put text on the clipboard.
    Copy(String),
    /// Suspend the TUI and edit `text` in `$EDITOR`; the result comes back through
    /// [`View::on_external_edit`].
    ExternalEdit { text: String },
    /// Start a planned run the spend guard let through (or the user confirmed).
    StartRun {
        label: String,
        plan: super::event::PlannedRun,
    },
    /// Cancel the run in progress.
    CancelRun,
    /// Save the workspace (the Prompts selection, the Run view's models and N, the open trace)
    /// as `sessions/NAME.toml`; the app assembles it, the worker writes it.
    SaveWorkspace { name: String },
    /// Show a message in the status bar.
    Status(Level, String),
    /// Switch to a tab (e.g. the Diff view once two versions' outputs arrived).
    Show(Tab),
}

/// A tab of the TUI.
pub trait View {
    /// Which tab this is.
    fn tab(&self) -> Tab;
    /// Keys the view takes before the keymap (text inputs, the editor); `Some` when consumed.
    fn capture_key(&mut self, _key: &KeyEvent) -> Option<Vec<Effect>> {
        None
    }
    /// Handle an action; `None` when the view has no use for it.
    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>>;
    /// The tab became visible: load what it shows.
    fn on_show(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    /// A tick (every [`crate::tui::event_loop::TICK`]): poll what is still changing.
    fn on_tick(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    /// A worker event arrived.
    fn on_event(&mut self, _event: &Event) -> Vec<Effect> {
        Vec::new()
    }
    /// A mouse event inside `area` (the view's body).
    fn on_mouse(&mut self, _mouse: &MouseEvent, _area: Rect) -> Vec<Effect> {
        Vec::new()
    }
    /// `$EDITOR` returned (or failed to start).
    fn on_external_edit(&mut self, _result: Result<String, String>) -> Vec<Effect> {
        Vec::new()
    }
    /// Draw into `area`. Pure: reads state only.
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme);
    /// The actions worth a hint in the status bar right now.
    fn hints(&self) -> Vec<Action>;
    /// Hint text when the view is capturing keys (editor, input line), replacing the key hints.
    fn capture_hint(&self) -> Option<&'static str> {
        None
    }
    /// The text `y` copies.
    fn focused_text(&self) -> Option<String>;
}
