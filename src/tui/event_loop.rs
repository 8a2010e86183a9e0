//! The async main loop: terminal input, worker events, a tick and the frame cap in one
//! `select!`. Generic over the ratatui backend and the input stream, so tests drive it with a
//! `TestBackend` and a channel of key events.

use super::app::App;
use super::event::Event;
use super::views::{Effect, Level};
use super::worker::WorkerHandle;
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event as TermEvent;
use ratatui::layout::Rect;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

/// At most one frame per this interval (yazi-like ~120 fps cap; bursts of events coalesce).
pub const FRAME: Duration = Duration::from_millis(8);
/// The tick for animations and elapsed times.
pub const TICK: Duration = Duration::from_millis(250);

/// What the loop needs from the outside world besides the terminal.
pub trait Host {
    /// Put `text` on the clipboard; `Ok` says how, `Err` why it could not.
    fn copy(&mut self, text: &str) -> Result<String, String>;
    /// Suspend the TUI, edit `text` in `$EDITOR`, resume; the edited text or why it failed.
    fn edit_externally(&mut self, text: &str) -> Result<String, String>;
    /// Start a run (see `tui::runs`); `Ok` says what started.
    fn start_run(
        &mut self,
        _label: &str,
        _plan: std::sync::Arc<crate::runner::Plan>,
    ) -> Result<String, String> {
        Err("runs cannot be started here".into())
    }
    /// Cancel the run in progress.
    fn cancel_run(&mut self) -> Result<String, String> {
        Err("no run is going".into())
    }
}

/// Draw one frame of `app` (and remember the size for mouse hit tests).
pub fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    terminal.draw(|frame| super::ui::draw(frame, app))?;
    app.dirty = false;
    Ok(())
}

/// Forget what is on screen (the editor drew over it) without asking the terminal for its cursor
/// position, as `Terminal::clear` would: clear it, then sync ratatui's idea of it with a blank
/// frame, so the next draw writes every cell.
fn repaint<B: Backend>(terminal: &mut Terminal<B>) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    terminal
        .backend_mut()
        .clear_region(ratatui::backend::ClearType::All)?;
    terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
    Ok(())
}

/// Run until the user quits or the input ends. `make_input` is called again after `$EDITOR`
/// returns, because the input stream must not read the keys meant for the editor.
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut make_input: impl FnMut() -> S,
    mut events: UnboundedReceiver<Event>,
    worker: &WorkerHandle,
    host: &mut dyn Host,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = std::io::Result<TermEvent>> + Unpin,
{
    let mut input = Some(make_input());
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_frame = Instant::now() - FRAME;
    let mut events_open = true;
    while !app.quit {
        if app.dirty && last_frame.elapsed() >= FRAME {
            draw(terminal, app)?;
            last_frame = Instant::now();
        }
        let Some(stream) = input.as_mut() else {
            break;
        };
        let next_frame = last_frame + FRAME;
        tokio::select! {
            ev = stream.next() => match ev {
                Some(Ok(ev)) => app.on_terminal(ev),
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                None => break,
            },
            ev = events.recv(), if events_open => match ev {
                Some(ev) => app.on_event(ev),
                None => events_open = false,
            },
            _ = tick.tick() => app.on_tick(),
            _ = tokio::time::sleep_until(next_frame), if app.dirty => {}
            // SIGINT from outside (raw mode turns the user's ctrl-c into a key, handled above).
            _ = tokio::signal::ctrl_c() => app.quit = true,
        }
        for effect in app.take_effects() {
            match effect {
                Effect::Request(r) => worker.send(r),
                Effect::Copy(text) => match host.copy(&text) {
                    Ok(how) => app.set_status(Level::Info, how),
                    Err(why) => app.set_status(Level::Error, why),
                },
                Effect::ExternalEdit { text } => {
                    drop(input.take()); // stop reading keys while the editor owns the terminal
                    let result = host.edit_externally(&text);
                    input = Some(make_input());
                    repaint(terminal)?;
                    app.on_external_edit(result);
                }
                Effect::StartRun { label, plan } => match host.start_run(&label, plan.0) {
                    Ok(how) => app.set_status(Level::Info, how),
                    Err(why) => app.set_status(Level::Error, why),
                },
                Effect::CancelRun => match host.cancel_run() {
                    Ok(how) => app.set_status(Level::Warn, how),
                    Err(why) => app.set_status(Level::Error, why),
                },
                Effect::Status(level, text) => app.set_status(level, text),
                Effect::Show(tab) => app.show_tab(tab),
                Effect::SaveWorkspace { name } => app.save_workspace(&name),
            }
        }
    }
    Ok(())
}
