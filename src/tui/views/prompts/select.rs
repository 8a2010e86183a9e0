//! The Prompts view's selection: the filter, moving through prompts and versions, and what to
//! ask the worker for when the selection changes.

use super::{Pane, PromptsView};
use crate::tui::event::Request;
use crate::tui::views::Effect;
use crate::tui::views::widgets::ListCursor;

impl PromptsView {
    pub(super) fn refilter(&mut self) {
        let needle = self.filter.value.to_lowercase();
        let keep = self
            .selected_prompt()
            .map(|p| p.name.clone())
            .or_else(|| self.pending_select.take());
        self.visible = self
            .prompts
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, p)| needle.is_empty() || p.name.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        let prompts = self.prompts.as_deref().unwrap_or_default();
        let index = keep
            .and_then(|name| self.visible.iter().position(|&i| prompts[i].name == name))
            .unwrap_or(0);
        self.list.select(index, self.visible.len());
    }

    /// What to load now that the selection may have changed.
    pub(super) fn load_selected(&mut self) -> Vec<Effect> {
        let mut out = self.load_trends();
        out.extend(self.load_log_and_body());
        out
    }

    /// With trends shown, ask for the selected prompt's when the shown ones are another's.
    pub(super) fn load_trends(&self) -> Vec<Effect> {
        let Some(p) = self.selected_prompt().filter(|_| self.show_trends) else {
            return Vec::new();
        };
        if self
            .trends
            .as_ref()
            .is_some_and(|(name, _, _)| *name == p.name)
        {
            return Vec::new();
        }
        vec![Effect::Request(Request::LoadTrends {
            prompt: p.name.clone(),
        })]
    }

    pub(super) fn load_log_and_body(&mut self) -> Vec<Effect> {
        let Some(p) = self.selected_prompt() else {
            return Vec::new();
        };
        let name = p.name.clone();
        let Some(log) = self.logs.get(&name) else {
            return vec![Effect::Request(Request::LoadLog { name })];
        };
        let len = log.len();
        self.versions.select(self.versions.selected, len);
        match self.selected_version() {
            Some(v) if !self.bodies.contains_key(&(name.clone(), v.number)) => {
                vec![Effect::Request(Request::LoadVersion {
                    name,
                    number: v.number,
                })]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn move_selection(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus() {
            Pane::List => {
                if self.list.move_by(delta, self.visible.len()) {
                    self.versions = ListCursor::default();
                    self.body_scroll.reset();
                    return self.load_selected();
                }
                Vec::new()
            }
            Pane::Versions => {
                let len = self.selected_log().map_or(0, Vec::len);
                if self.versions.move_by(delta, len) {
                    self.body_scroll.reset();
                    return self.load_selected();
                }
                Vec::new()
            }
            Pane::Body => {
                self.body_scroll.move_by(delta);
                Vec::new()
            }
        }
    }
}
