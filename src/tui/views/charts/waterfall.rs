//! The trace waterfall: every span of the tree drawn as a bar on the trace's time axis (start
//! offset and duration at an eighth of a cell), coloured by kind, with the critical path marked.
//! The axis and the path are computed once when a trace is shown or zoomed ([`Waterfall::new`]);
//! a frame only places the visible rows' bars, so a 100k-span trace draws as fast as a small one.

use super::bars::{axis_bar, fit};
use crate::trace::{PackedTrace, SpanKind};
use crate::tui::theme::Theme;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// Bars narrower than this are not drawn: the row shows the start offset as text instead.
pub const MIN_BAR: usize = 8;

/// The marker of a span on the critical path (readable without colour).
pub const CRITICAL: &str = "◆";

/// The time range the bars are drawn on, in nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub start: i128,
    pub end: i128,
}

impl Axis {
    /// The earliest start to the latest end of the spans in `rows` (span index, depth); None
    /// when no span there has both times.
    pub fn of(trace: &PackedTrace, rows: &[(u32, u32)]) -> Option<Axis> {
        let mut it = rows.iter().filter_map(|&(i, _)| trace.bounds(i as usize));
        let first = it.next()?;
        let (start, end) = it.fold(first, |(s, e), (a, b)| (s.min(a), e.max(b)));
        Some(Axis { start, end })
    }

    /// The axis length in milliseconds.
    pub fn ms(&self) -> f64 {
        (self.end - self.start) as f64 / 1e6
    }

    /// Where span `i` of `trace` starts and ends as fractions of the axis.
    pub fn fractions(&self, trace: &PackedTrace, i: usize) -> Option<(f64, f64)> {
        let (s, e) = trace.bounds(i)?;
        let len = (self.end - self.start).max(1) as f64;
        Some(((s - self.start) as f64 / len, (e - self.start) as f64 / len))
    }
}

/// The spans that bound the trace's duration under `root`: from the child that ends last,
/// back through the children that ended before it started (Jaeger's definition), recursively.
/// Siblings that overlap the path's child ran in parallel and are not on it. Sorted span
/// indices; iterative, so a chain 100k deep cannot overflow the stack.
pub fn critical_path(trace: &PackedTrace, root: usize) -> Vec<usize> {
    let mut path = Vec::new();
    let mut todo = vec![root];
    while let Some(node) = todo.pop() {
        path.push(node);
        let Some((_, mut limit)) = trace.bounds(node) else {
            continue;
        };
        let mut kids: Vec<(usize, i128, i128)> = trace
            .children(node)
            .iter()
            .filter_map(|&c| trace.bounds(c as usize).map(|(s, e)| (c as usize, s, e)))
            .collect();
        kids.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        for (c, s, e) in kids {
            if e <= limit {
                todo.push(c);
                limit = s;
            }
        }
    }
    path.sort_unstable();
    path.dedup();
    path
}

/// What the bars of one shown trace (or zoomed subtree) are drawn from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waterfall {
    pub axis: Option<Axis>,
    /// Sorted span indices on the critical path.
    pub critical: Vec<usize>,
}

impl Waterfall {
    /// The axis of `rows` and the critical path under `root` (the first row).
    pub fn new(trace: &PackedTrace, rows: &[(u32, u32)]) -> Waterfall {
        let axis = Axis::of(trace, rows);
        let critical = match (axis, rows.first()) {
            (Some(_), Some(&(root, _))) => critical_path(trace, root as usize),
            _ => Vec::new(),
        };
        Waterfall { axis, critical }
    }

    /// Whether span `i` is on the critical path.
    pub fn on_path(&self, i: usize) -> bool {
        self.critical.binary_search(&i).is_ok()
    }

    /// The bottom line of the tree pane: the axis length and what the marks mean.
    pub fn legend(&self) -> Option<String> {
        let axis = self.axis?;
        Some(format!(
            " 0 ─ {} · {CRITICAL} critical path ",
            duration(axis.ms())
        ))
    }

    /// The cells after a row's name: the critical-path mark and the bar of span `i`, `width`
    /// cells wide; under [`MIN_BAR`] cells, the start offset as text.
    pub fn cells(
        &self,
        trace: &PackedTrace,
        i: usize,
        width: usize,
        theme: &Theme,
    ) -> Vec<Span<'static>> {
        let mark = if self.on_path(i) { CRITICAL } else { " " };
        let mut out = vec![Span::styled(mark, theme.fg(theme.accent))];
        let Some(axis) = self.axis else {
            return out;
        };
        let Some((from, to)) = axis.fractions(trace, i) else {
            out.push(Span::styled(fit(" no time", width), theme.muted()));
            return out;
        };
        if width < MIN_BAR {
            let at = duration(from * axis.ms());
            out.push(Span::styled(format!(" @{at}"), theme.muted()));
            return out;
        }
        let mut style = Style::default().fg(kind_color(trace, i, theme));
        if self.on_path(i) {
            style = style.add_modifier(Modifier::BOLD);
        }
        out.push(Span::raw(" "));
        out.push(Span::styled(axis_bar(from, to, width - 1), style));
        out
    }
}

/// The colour of span `i`'s bar: errors first, then by kind (llm, tool, retrieval, the rest).
pub fn kind_color(trace: &PackedTrace, i: usize, theme: &Theme) -> Color {
    if trace.failed(i) {
        return theme.error;
    }
    match trace.kind(i) {
        SpanKind::Llm => theme.accent,
        SpanKind::Tool => theme.role_tool,
        SpanKind::Retriever | SpanKind::Reranker | SpanKind::Embedding => theme.label,
        SpanKind::Chain | SpanKind::Agent | SpanKind::Unknown => theme.muted,
    }
}

/// A short duration: `850ms`, `5.95s`, `2m05s`.
pub fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else if ms < 60_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        let s = (ms / 1000.0).round() as u64;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// `line` cut to `width` display cells (the last kept cell `…` when cut) and padded to it, each
/// piece keeping its style.
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    use unicode_width::UnicodeWidthStr;
    let total: usize = line.spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        let mut spans = line.spans;
        spans.push(Span::raw(" ".repeat(width - total)));
        return Line::from(spans).style(line.style);
    }
    let mut left = width;
    let mut spans = Vec::new();
    for s in line.spans {
        if left == 0 {
            break;
        }
        let w = s.content.width();
        if w < left {
            left -= w;
            spans.push(s);
        } else {
            spans.push(Span::styled(fit(&s.content, left), s.style));
            left = 0;
            // `fit` only adds `…` when it cut; a piece that fits exactly still needs the mark.
            if w == spans.last().map_or(0, |s| s.content.width()) && w > 0 {
                let last = spans.len() - 1;
                let text = fit(&format!("{}…", spans[last].content), w);
                spans[last] = Span::styled(text, spans[last].style);
            }
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
#[path = "waterfall_tests.rs"]
mod tests;
