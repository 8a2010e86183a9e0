//! Entering and leaving the terminal: raw mode, the alternate screen and mouse capture, undone
//! on every exit path (normal, error, panic, Ctrl-C) and around `$EDITOR`.

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use std::io::{Stdout, stdout};

/// The real terminal type.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Install color-eyre's panic report, wrapped so the terminal is restored before it prints.
/// Call before anything touches the terminal.
pub fn install_panic_hook() {
    let _ = color_eyre::install();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Raw mode, alternate screen, mouse capture, hidden cursor.
pub fn enter() -> std::io::Result<Tui> {
    enable_raw_mode()?;
    let mut out = stdout();
    if let Err(e) = execute!(out, EnterAlternateScreen, EnableMouseCapture, cursor::Hide) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Leave everything as it was. Safe to call more than once and when nothing was entered.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal when dropped, so an early `?` return cannot leave it raw.
pub struct RestoreGuard;

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        restore();
    }
}
