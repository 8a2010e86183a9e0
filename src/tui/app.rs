//! The application state: the views, the active tab, the help overlay and the status bar, and
//! the routing of keys, mouse and worker events to them. No I/O here: effects that need the
//! outside world (DB, clipboard, `$EDITOR`) are queued for the loop.

use super::action::{Action, Tab};
use super::event::Event;
use super::keymap::Keymap;
use super::theme::Theme;
use super::views::cost::CostView;
use super::views::diff::DiffView;
use super::views::prompts::PromptsView;
use super::views::run::RunView;
use super::views::trace::TraceView;
use super::views::{Effect, Level, View};
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::path::PathBuf;

/// Everything the TUI shows.
pub struct App {
    pub theme: Theme,
    pub keymap: Keymap,
    pub tab: Tab,
    pub help: bool,
    pub help_scroll: u16,
    pub status: Option<(Level, String)>,
    /// The DB file, once the worker has opened it.
    pub db: Option<PathBuf>,
    /// Why the DB could not be opened; the views cannot work without it.
    pub fatal: Option<String>,
    pub quit: bool,
    /// Quit was pressed while a run is going: the next quit key quits, any other key stays.
    pub quit_asked: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The terminal size at the last frame (for mouse hit tests).
    pub size: Rect,
    pub prompts: PromptsView,
    pub run: RunView,
    pub diff: DiffView,
    pub trace: TraceView,
    pub cost: CostView,
    outbox: Vec<Effect>,
}

impl App {
    /// A fresh app; `warnings` (bad theme, bad key overrides) are shown in the status bar.
    pub fn new(theme: Theme, keymap: Keymap, warnings: Vec<String>) -> App {
        let status = (!warnings.is_empty()).then(|| (Level::Warn, warnings.join("; ")));
        App {
            theme,
            keymap,
            tab: Tab::Prompts,
            help: false,
            help_scroll: 0,
            status,
            db: None,
            fatal: None,
            quit: false,
            quit_asked: false,
            dirty: true,
            size: Rect::new(0, 0, 80, 24),
            prompts: PromptsView::default(),
            run: RunView::default(),
            diff: DiffView::default(),
            trace: TraceView::default(),
            cost: CostView::default(),
            outbox: Vec::new(),
        }
    }

    /// The view of `tab`.
    pub fn view(&self, tab: Tab) -> &dyn View {
        match tab {
            Tab::Prompts => &self.prompts,
            Tab::Run => &self.run,
            Tab::Diff => &self.diff,
            Tab::Trace => &self.trace,
            Tab::Cost => &self.cost,
        }
    }

    fn view_mut(&mut self, tab: Tab) -> &mut dyn View {
        match tab {
            Tab::Prompts => &mut self.prompts,
            Tab::Run => &mut self.run,
            Tab::Diff => &mut self.diff,
            Tab::Trace => &mut self.trace,
            Tab::Cost => &mut self.cost,
        }
    }

    /// Effects for the loop to carry out (worker requests, clipboard, `$EDITOR`).
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.outbox)
    }

    /// Queue effects: status messages apply now, the rest wait for the loop.
    pub fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Status(level, text) => {
                    self.status = Some((level, crate::sanitize::one_line(&text)))
                }
                Effect::Show(tab) => self.show_tab(tab),
                Effect::SaveWorkspace { name } => self.save_workspace(&name),
                other => self.outbox.push(other),
            }
        }
        self.dirty = true;
    }

    /// Show a status message.
    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, crate::sanitize::one_line(&text.into())));
        self.dirty = true;
    }

    /// A terminal event: key, mouse or resize.
    pub fn on_terminal(&mut self, event: TermEvent) {
        match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => self.on_key(&key),
            TermEvent::Mouse(mouse) => self.on_mouse(&mouse),
            TermEvent::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// A key press: the help overlay first, then the view's inputs, then the keymap.
    pub fn on_key(&mut self, key: &KeyEvent) {
        self.dirty = true;
        self.status = None; // messages last until the next key
        if std::mem::take(&mut self.quit_asked) {
            if self.keymap.action(self.tab, key) == Some(Action::Quit) {
                self.quit = true;
            } else {
                self.set_status(Level::Info, "not quitting: the run goes on");
            }
            return;
        }
        if self.help {
            match self.keymap.action(self.tab, key) {
                Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
                Some(Action::Down) => {
                    // Never past the last row: the overlay has the body minus its borders.
                    let shown = self.body_area().height.saturating_sub(2) as usize;
                    let max = super::ui::help_rows(self).saturating_sub(shown) as u16;
                    self.help_scroll = self.help_scroll.saturating_add(1).min(max);
                }
                Some(Action::Quit) if key.code != KeyCode::Char('q') => self.quit = true,
                _ => self.help = false,
            }
            return;
        }
        if let Some(effects) = self.view_mut(self.tab).capture_key(key) {
            self.apply(effects);
            return;
        }
        if let Some(action) = self.keymap.action(self.tab, key) {
            self.dispatch(action);
        }
    }

    /// Carry out an action: app-wide ones here, the rest in the current view.
    pub fn dispatch(&mut self, action: Action) {
        self.dirty = true;
        match action {
            Action::Quit if self.run.is_running() => {
                self.quit_asked = true;
                self.set_status(
                    Level::Warn,
                    "a run is going: quit again to stop it and leave (its samples so far are kept), any other key to stay",
                );
            }
            Action::Quit => self.quit = true,
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
            }
            Action::ShowTab(tab) => self.show_tab(tab),
            Action::NextTab => self.show_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            Action::PrevTab => {
                self.show_tab(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()])
            }
            Action::Start if self.tab == Tab::Run => match self.prompts.selected_body() {
                Some(version) => {
                    let spec = super::event::RunSpec::Prompt {
                        version: Box::new(version.clone()),
                        models: self.run.models.clone(),
                        n: self.run.n,
                        concurrency: self.run.concurrency,
                    };
                    let effects = self.run.estimate(spec);
                    self.apply(effects);
                }
                None => self.set_status(
                    Level::Warn,
                    "select a prompt version in Prompts (1) first: that is what runs",
                ),
            },
            Action::Cancel if self.tab == Tab::Run => self.outbox.push(Effect::CancelRun),
            Action::Copy => match self.view(self.tab).focused_text() {
                Some(text) => self.outbox.push(Effect::Copy(text)),
                None => self.set_status(Level::Warn, "nothing to copy here"),
            },
            other => match self.view_mut(self.tab).on_action(other) {
                Some(effects) => self.apply(effects),
                None if other == Action::Back => self.status = None,
                None => {}
            },
        }
    }

    /// Switch to `tab` and let it load what it shows.
    pub fn show_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.dirty = true;
        // Two versions' outputs stay on screen until `esc`, whatever the Run view selects.
        if tab == Tab::Diff
            && !self.diff.comparing_versions()
            && let Some(cells) = self.run.run_cells()
        {
            let list = cells
                .iter()
                .map(super::views::diff::cells::DiffCell::of)
                .collect();
            // A large cell is read as groups by the Diff view: never copy its samples.
            let known = cells
                .iter()
                .filter(|c| c.cell.n <= super::worker_cells::PAGED_ABOVE)
                .filter_map(|c| Some((c.id, self.run.samples_of(c.id)?.clone())))
                .collect();
            let sent = cells
                .first()
                .and_then(|c| self.run.sent_of(c.run_id))
                .cloned();
            let effects = self.diff.set_run(list, known, sent);
            self.apply(effects);
        }
        if tab == Tab::Run {
            self.run.next_prompt = self
                .prompts
                .selected_version()
                .map(|v| format!("{}@{}", v.prompt, v.number));
        }
        if tab == Tab::Cost {
            self.cost.wanted = self
                .prompts
                .selected_version()
                .map(|v| (v.id, format!("{}@{}", v.prompt, v.number)));
        }
        let effects = self.view_mut(tab).on_show();
        self.apply(effects);
    }

    /// A tick of the loop: the current view may poll for changes.
    pub fn on_tick(&mut self) {
        let effects = self.view_mut(self.tab).on_tick();
        if !effects.is_empty() {
            self.apply(effects);
        }
    }

    /// The area views draw in: everything but the tab bar and the status bar.
    pub fn body_area(&self) -> Rect {
        let s = self.size;
        Rect::new(s.x, s.y + 1, s.width, s.height.saturating_sub(2))
    }

    fn on_mouse(&mut self, mouse: &MouseEvent) {
        if self.help {
            if mouse.kind == MouseEventKind::Down(MouseButton::Left) {
                self.help = false;
                self.dirty = true;
            }
            return;
        }
        if mouse.row == self.size.y && mouse.kind == MouseEventKind::Down(MouseButton::Left) {
            if let Some(tab) = super::tabs::tab_at(mouse.column) {
                self.show_tab(tab);
            }
            return;
        }
        let area = self.body_area();
        let effects = self.view_mut(self.tab).on_mouse(mouse, area);
        self.apply(effects);
    }

    /// A report from the worker.
    pub fn on_event(&mut self, event: Event) {
        self.dirty = true;
        match &event {
            Event::Ready { db, seeded } => {
                self.db = Some(db.clone());
                // A startup warning (theme, keys) matters more than the welcome.
                if *seeded > 0 && self.status.is_none() {
                    self.set_status(
                        Level::Info,
                        format!(
                            "first start: imported {seeded} example prompts · ? shows every key"
                        ),
                    );
                }
            }
            Event::Fatal(why) => self.fatal = Some(crate::sanitize::for_display(why).into_owned()),
            Event::Failed { what, error } => {
                self.set_status(Level::Error, format!("{what}: {error}"))
            }
            _ => {}
        }
        for tab in Tab::ALL {
            let effects = self.view_mut(tab).on_event(&event);
            self.apply(effects);
        }
    }

    /// `$EDITOR` finished (or failed to start): hand the result to the view that asked.
    pub fn on_external_edit(&mut self, result: Result<String, String>) {
        let effects = self.view_mut(self.tab).on_external_edit(result);
        self.apply(effects);
    }
}
