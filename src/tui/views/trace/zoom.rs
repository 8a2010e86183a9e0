//! Which part of the file the Trace view's tree shows: `t` / `T` step through its traces, `z`
//! zooms to the selected span's subtree, and the waterfall (axis, critical path) follows them.

use super::TraceView;
use crate::tui::views::charts::waterfall::Waterfall;

impl TraceView {
    /// Show the next (or previous) trace of the file, from its top.
    pub(super) fn step_trace(&mut self, forward: bool) {
        if self.live.is_some() {
            return self.jump_trace(forward);
        }
        let n = self.loaded.as_ref().map_or(0, |l| l.traces.len());
        if n < 2 {
            return;
        }
        let step = if forward { 1 } else { n - 1 };
        self.shown_trace = (self.shown_trace + step) % n;
        self.cursors = Default::default();
        self.answer_scroll.reset();
        self.zoom = None;
        self.refresh_waterfall();
    }

    /// The waterfall of the rows shown: axis and critical path.
    pub fn waterfall(&self) -> &Waterfall {
        &self.waterfall
    }

    /// The span the tree is zoomed to, if any.
    pub fn zoomed(&self) -> Option<usize> {
        self.zoom
            .as_ref()
            .map(|_| self.rows().first().map_or(0, |r| r.0 as usize))
    }

    pub(super) fn refresh_waterfall(&mut self) {
        self.waterfall = match &self.loaded {
            Some(l) => Waterfall::new(&l.trace, self.rows()),
            None => Default::default(),
        };
    }

    /// `z`: show only the selected span's subtree on its own axis; again: the whole trace,
    /// the zoomed span selected.
    pub(super) fn toggle_zoom(&mut self) {
        let Some(l) = &self.loaded else { return };
        let base = match (&self.zoom, self.shown()) {
            (Some(z), _) => z.start,
            (None, Some((_, t))) => t.walk.start,
            _ => return,
        };
        if self.zoom.take().is_some() {
            let row = base - self.shown().map_or(base, |(_, t)| t.walk.start);
            let len = self.rows().len();
            self.cursors[0] = Default::default();
            self.cursors[0].select(row, len);
        } else {
            let start = base + self.cursors[0].selected;
            let Some(&(_, depth)) = l.walk.get(start) else {
                return;
            };
            let len = l.walk[start + 1..]
                .iter()
                .take_while(|(_, d)| *d > depth)
                .count();
            self.zoom = Some(start..start + 1 + len);
            self.cursors[0] = Default::default();
        }
        self.answer_scroll.reset();
        self.refresh_waterfall();
    }
}
