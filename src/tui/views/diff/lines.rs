//! The Diff view's two panes as drawable lines: word changes coloured, the rest of a JSON or
//! Markdown output syntax-highlighted (syntect), the divergence point marked. Built once per
//! pair of samples and theme and reused by every frame until either changes: highlighting a large
//! output is too slow to repeat per frame.

use super::{DiffView, output};
use crate::analysis::worddiff::has_changes;
use crate::tui::highlight::{Lang, detect, highlight, overlay_syntax};
use crate::tui::text::{Side, diff_side};
use crate::tui::theme::Theme;
use ratatui::style::{Modifier, Style};
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
            mark_char(&mut lines, d.char_offset, mark);
        }
        lines
    }
}

/// Mark the character at `offset` (counting a line break as one character, as in the output)
/// with `style`: where every sample stops agreeing. At a line break or the end of the text, a
/// marked space shows the point.
pub fn mark_char(lines: &mut [Line<'static>], offset: usize, style: Style) {
    let mut left = offset;
    for line in lines.iter_mut() {
        let width: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
        if left > width {
            left -= width + 1; // this line and its line break
            continue;
        }
        if left == width {
            line.spans.push(Span::styled(" ", style));
            return;
        }
        let mut spans = Vec::with_capacity(line.spans.len() + 2);
        let mut pending = Some(left);
        for span in std::mem::take(&mut line.spans) {
            let n = span.content.chars().count();
            match pending {
                Some(at) if at < n => {
                    let text: Vec<char> = span.content.chars().collect();
                    let piece = |r: std::ops::Range<usize>| text[r].iter().collect::<String>();
                    if at > 0 {
                        spans.push(Span::styled(piece(0..at), span.style));
                    }
                    spans.push(Span::styled(piece(at..at + 1), span.style.patch(style)));
                    if at + 1 < n {
                        spans.push(Span::styled(piece(at + 1..n), span.style));
                    }
                    pending = None;
                }
                Some(at) => {
                    pending = Some(at - n);
                    spans.push(span);
                }
                None => spans.push(span),
            }
        }
        line.spans = spans;
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect()
    }

    #[test]
    fn marks_the_char_at_the_offset_across_spans_and_lines() {
        let mut lines = vec![
            Line::from(vec![Span::raw("ab"), Span::raw("cd")]),
            Line::from("efg"),
        ];
        let mark = Style::default().add_modifier(ratatui::style::Modifier::REVERSED);
        mark_char(&mut lines, 6, mark); // a b c d \n e [f]
        assert_eq!(text(&lines), [vec!["ab", "cd"], vec!["e", "f", "g"]]);
        assert_eq!(lines[1].spans[1].style, mark);
        mark_char(&mut lines, 3, mark);
        assert_eq!(text(&lines)[0], ["ab", "c", "d"]);
        mark_char(&mut lines, 4, mark); // the line break: a marked space
        assert_eq!(text(&lines)[0], ["ab", "c", "d", " "]);
    }
}
