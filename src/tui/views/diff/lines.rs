//! The Diff view's two panes as drawable lines: word changes coloured, the rest of a JSON or
//! Markdown output syntax-highlighted (syntect), the divergence point marked. Built once per
//! pair of samples and theme and reused by every frame until either changes: highlighting a large
//! output is too slow to repeat per frame.

use super::{DiffView, output};
use crate::analysis::worddiff::has_changes;
use crate::tui::highlight::{Lang, detect, highlight, overlay_syntax};
use crate::tui::text::{Side, diff_side};
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use std::cell::{Ref, RefCell};

/// What the panes' lines depend on.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    cell: Option<i64>,
    a: usize,
    b: usize,
    samples: usize,
    theme: String,
}

/// The lines of both panes for the last [`Key`] drawn.
#[derive(Default)]
pub(super) struct PaneCache(RefCell<Option<(Key, [Vec<Line<'static>>; 2])>>);

impl PaneCache {
    /// Forget the lines (the samples or the compared pair changed).
    pub(super) fn clear(&self) {
        self.0.replace(None);
    }
}

/// Lines that borrow their text from `lines` (no copy of the text itself).
pub(super) fn borrowed<'a>(lines: &'a [Line<'static>]) -> Vec<Line<'a>> {
    lines
        .iter()
        .map(|line| {
            let spans: Vec<Span<'a>> = line
                .spans
                .iter()
                .map(|s| Span::styled(s.content.as_ref(), s.style))
                .collect();
            Line::from(spans).style(line.style)
        })
        .collect()
}

impl DiffView {
    /// The A and B panes' lines from the cache (built first when something they depend on
    /// changed); draw them through [`borrowed`] so a frame copies no text.
    pub(super) fn pane_lines(&self, theme: &Theme) -> Option<Ref<'_, [Vec<Line<'static>>; 2]>> {
        self.fill_cache(theme);
        Ref::filter_map(self.panes.0.borrow(), |c| {
            c.as_ref().map(|(_, lines)| lines)
        })
        .ok()
    }

    fn fill_cache(&self, theme: &Theme) {
        let key = Key {
            cell: self.cell_id(),
            a: self.a,
            b: self.b,
            samples: self.samples.len(),
            theme: theme.syntect.clone(),
        };
        if self
            .panes
            .0
            .borrow()
            .as_ref()
            .is_some_and(|(cached, _)| *cached == key)
        {
            return;
        }
        let lines = [
            self.side_lines(Side::Old, theme),
            self.side_lines(Side::New, theme),
        ];
        self.panes.0.replace(Some((key, lines)));
    }

    fn side_lines(&self, side: Side, theme: &Theme) -> Vec<Line<'static>> {
        let index = if side == Side::Old { self.a } else { self.b };
        let Some(sample) = self.samples.get(index) else {
            return Vec::new();
        };
        let text = output(sample);
        let lang = detect(text);
        if !has_changes(self.spans()) {
            return highlight(text, lang, &theme.syntect, theme.text());
        }
        let mut lines = diff_side(self.spans(), side, theme);
        if lang != Lang::Plain {
            let syntax = highlight(text, lang, &theme.syntect, theme.text());
            lines = overlay_syntax(lines, &syntax, theme.text());
        }
        if let Some(d) = self.analysis.as_ref().and_then(|a| a.divergence.as_ref()) {
            let mark = theme.fg(theme.flag).add_modifier(Modifier::REVERSED);
            super::cells::mark_char(&mut lines, d.char_offset, mark);
        }
        lines
    }
}
