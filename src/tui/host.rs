//! The real [`Host`]: the system clipboard (with an OSC 52 fallback) and `$EDITOR`.

use super::event_loop::Host;
use std::io::Write;

/// Clipboard, editor and runner access for the terminal the TUI runs in.
pub struct TerminalHost {
    /// Kept alive: on X11 the clipboard content lives as long as its owner.
    clipboard: Option<arboard::Clipboard>,
    runs: super::runs::RunController,
}

impl TerminalHost {
    /// A host that starts runs with `runs`.
    pub fn new(runs: super::runs::RunController) -> Self {
        TerminalHost {
            clipboard: None,
            runs,
        }
    }
}

impl Host for TerminalHost {
    fn start_run(
        &mut self,
        label: &str,
        plan: std::sync::Arc<crate::runner::Plan>,
    ) -> Result<String, String> {
        self.runs.start(label, plan)
    }

    fn cancel_run(&mut self) -> Result<String, String> {
        self.runs.cancel()
    }

    fn copy(&mut self, text: &str) -> Result<String, String> {
        let chars = text.chars().count();
        let system = match self.clipboard.as_mut() {
            Some(c) => c.set_text(text).map_err(|e| e.to_string()),
            None => match arboard::Clipboard::new() {
                Ok(mut c) => {
                    let r = c.set_text(text).map_err(|e| e.to_string());
                    self.clipboard = Some(c);
                    r
                }
                Err(e) => Err(e.to_string()),
            },
        };
        let why = match system {
            Ok(()) => return Ok(format!("copied {chars} characters")),
            Err(why) => why,
        };
        osc52(text).map_err(|e| {
            format!("cannot copy: no system clipboard ({why}) and OSC 52 failed ({e})")
        })?;
        Ok(format!(
            "copied {chars} characters via OSC 52 (no system clipboard; your terminal must allow OSC 52)"
        ))
    }

    fn edit_externally(&mut self, text: &str) -> Result<String, String> {
        let editor = std::env::var("VISUAL")
            .ok()
            .or_else(|| std::env::var("EDITOR").ok())
            .filter(|e| !e.trim().is_empty())
            .unwrap_or_else(|| "vi".into());
        let file = tempfile::Builder::new()
            .prefix("temper-")
            .suffix(".toml")
            .tempfile()
            .map_err(|e| format!("cannot create a temporary file: {e}"))?;
        std::fs::write(file.path(), text)
            .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
        let mut words = editor.split_whitespace();
        let program = words.next().unwrap_or("vi");
        super::terminal::restore();
        let status = std::process::Command::new(program)
            .args(words)
            .arg(file.path())
            .status();
        let reentered = reenter();
        let status = status.map_err(|e| format!("cannot start {editor:?} ($EDITOR): {e}"))?;
        reentered.map_err(|e| format!("cannot restore the terminal: {e}"))?;
        if !status.success() {
            return Err(format!("{editor} exited with {status}; nothing saved"));
        }
        std::fs::read_to_string(file.path())
            .map_err(|e| format!("cannot read the edited file: {e}"))
    }
}

fn reenter() -> std::io::Result<()> {
    use ratatui::crossterm::event::EnableMouseCapture;
    use ratatui::crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    ratatui::crossterm::execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        ratatui::crossterm::cursor::Hide
    )
}

/// Ask the terminal to set the clipboard (works over SSH and in tmux with `set-clipboard on`).
fn osc52(text: &str) -> std::io::Result<()> {
    use base64::Engine;
    use std::io::IsTerminal;
    let mut out = std::io::stdout();
    if !out.is_terminal() {
        return Err(std::io::Error::other("stdout is not a terminal"));
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}
