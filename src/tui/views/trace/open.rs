//! Opening a trace file in the Trace view: the path prompt (`o`, tab completes), the request to
//! the worker, and what its answer does to the view (a failed open keeps the trace shown).

use super::{Loaded, TraceView};
use crate::trace::PackedTrace;
use crate::tui::event::Request;
use crate::tui::views::widgets::InputOutcome;
use crate::tui::views::{Effect, Level};
use ratatui::crossterm::event::KeyEvent;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl TraceView {
    /// Ask the worker to read `path` (it runs the detectors too).
    pub(super) fn request_load(&mut self, path: PathBuf) -> Vec<Effect> {
        self.path = Some(path.clone());
        self.loading = true;
        self.error = None;
        vec![Effect::Request(Request::LoadTrace { path })]
    }

    /// Keys while the path prompt (`o`) is open; None when it is not.
    pub(super) fn open_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let input = self.open.as_mut()?;
        if key.code == ratatui::crossterm::event::KeyCode::Tab {
            let text = input.value.clone();
            return Some(vec![Effect::Request(Request::CompletePath { text })]);
        }
        Some(match input.key(key) {
            InputOutcome::Submit => {
                let path = PathBuf::from(input.value.trim());
                self.open = None;
                if path.as_os_str().is_empty() {
                    Vec::new()
                } else {
                    self.request_load(path)
                }
            }
            InputOutcome::Cancel => {
                self.open = None;
                Vec::new()
            }
            _ => Vec::new(),
        })
    }

    /// The worker read `path`: show it, or say why not (ignored when another file was asked
    /// for since).
    pub(super) fn on_trace(
        &mut self,
        path: &Path,
        result: &Result<Arc<PackedTrace>, String>,
    ) -> Vec<Effect> {
        if self.path.as_deref() != Some(path) {
            return Vec::new();
        }
        self.loading = false;
        match result {
            Ok(trace) => {
                let loaded = Loaded::new(trace.clone());
                let traces = match loaded.traces.len() {
                    n if n > 1 => format!(" in {n} traces (t picks one)"),
                    _ => String::new(),
                };
                let text = format!(
                    "{}: {}{traces}, {}",
                    path.display(),
                    crate::plural::count(loaded.trace.len() as u64, "span"),
                    crate::plural::count(loaded.problems() as u64, "problem")
                );
                self.shown_trace = loaded.first_shown();
                self.loaded = Some(std::sync::Arc::new(loaded));
                self.shown = Some(path.to_path_buf());
                self.cursors = Default::default();
                self.answer_scroll.reset();
                self.zoom = None;
                self.refresh_waterfall();
                vec![Effect::Status(
                    Level::Info,
                    crate::sanitize::one_line(&text),
                )]
            }
            // A failed open keeps the trace already shown; the status line says what failed.
            Err(e) if self.loaded.is_some() => {
                self.path = self.shown.clone();
                let kept = self
                    .shown
                    .as_ref()
                    .map(|p| format!("; still showing {}", p.display()))
                    .unwrap_or_default();
                let text = format!("cannot open {}: {e}{kept}", path.display());
                vec![Effect::Status(
                    Level::Error,
                    crate::sanitize::one_line(&text),
                )]
            }
            Err(e) => {
                self.error = Some(e.clone());
                self.loaded = None;
                vec![Effect::Status(Level::Error, crate::sanitize::one_line(e))]
            }
        }
    }
}
