//! Drawing the Trace view: tree | chunks | tools | answer side by side from 160 columns; on
//! narrower terminals the tree on the left and the other three stacked on the right.

use super::{TracePane, TraceView};
use crate::trace::Status;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::charts::waterfall::{MIN_BAR, Waterfall, fit_line};
use crate::tui::views::widgets::{ListSpec, draw_list, empty_state, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Tree, chunks, tools and answer areas for `area`; `wide` (the waterfall toggle): the tree
/// across the top, the other three side by side under it.
pub fn layout(area: Rect, wide: bool) -> [Rect; 4] {
    if wide {
        let [tree, rest] =
            Layout::vertical([Constraint::Percentage(62), Constraint::Min(3)]).areas(area);
        let [chunks, tools, answer] = Layout::horizontal([Constraint::Ratio(1, 3); 3]).areas(rest);
        [tree, chunks, tools, answer]
    } else if area.width >= 160 {
        Layout::horizontal([
            Constraint::Percentage(34),
            Constraint::Percentage(22),
            Constraint::Percentage(22),
            Constraint::Percentage(22),
        ])
        .areas(area)
    } else {
        let [tree, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(area);
        let [chunks, tools, answer] = Layout::vertical([
            Constraint::Percentage(34),
            Constraint::Percentage(33),
            Constraint::Percentage(33),
        ])
        .areas(right);
        [tree, chunks, tools, answer]
    }
}

/// Draw the view.
pub fn draw(view: &TraceView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(loaded) = view.loaded() else {
        let block = pane(" Trace ", true, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let file = view.path.as_ref().map(|p| p.display().to_string());
        let text = match (&view.error, view.loading, file) {
            (Some(e), _, _) => format!("{e}\n\no opens another file"),
            (None, true, Some(f)) => format!("reading {f}…"),
            _ => "No trace open.\n\no opens a trace file: temper JSONL, OpenInference, OTLP or Langfuse\n(e.g. examples/traces/rag-answer.temper.jsonl), or run temper trace FILE --tui".into(),
        };
        let style = if view.error.is_some() {
            theme.fg(theme.error)
        } else {
            theme.muted()
        };
        empty_state(frame, inner, &crate::sanitize::for_display(&text), style);
        draw_open(view, frame, area, theme);
        return;
    };
    let [tree, chunks, tools, answer] = layout(area, view.wide);
    let t = &loaded.trace;
    let focused = |p| view.focus() == p;
    let (rows, chunk_rows) = (view.rows(), view.chunks());
    let title = tree_title(view, loaded);
    let spec = ListSpec {
        cursor: &view.cursors[0],
        len: rows.len(),
        focused: focused(TracePane::Tree),
    };
    let waterfall = view.waterfall();
    let (name_w, bar_w) = bar_widths(tree.width.saturating_sub(2), view.wide, waterfall);
    let mut block = pane(title, spec.focused, theme);
    if let Some(legend) = waterfall.legend() {
        block = block.title_bottom(Line::styled(legend, theme.muted()).right_aligned());
    }
    draw_list(frame, tree, block, spec, theme, |row| {
        let (i, depth) = rows[row];
        let line = tree_row(loaded, (i as usize, depth as usize), theme);
        if waterfall.axis.is_none() {
            return line;
        }
        let mut spans = fit_line(line, name_w).spans;
        spans.extend(waterfall.cells(t, i as usize, bar_w, theme));
        Line::from(spans)
    });
    let spec = ListSpec {
        cursor: &view.cursors[1],
        len: chunk_rows.len(),
        focused: focused(TracePane::Chunks),
    };
    let title = format!(" Chunks ({}) ", chunk_rows.len());
    draw_list(
        frame,
        chunks,
        pane(title, spec.focused, theme),
        spec,
        theme,
        |row| {
            let (s, d) = chunk_rows[row];
            let doc = t.documents(s as usize).get(d as usize).unwrap_or_default();
            let id = text(doc.id);
            let cited = view.shown().is_some_and(|(_, tr)| tr.cited(id));
            Line::from(vec![
                Span::styled(if cited { "✓ " } else { "  " }, theme.fg(theme.ok)),
                one_line(id, theme.fg(theme.accent)),
                Span::styled(
                    doc.score.map_or(String::new(), |s| format!(" {s:.2}")),
                    theme.muted(),
                ),
                one_line(&format!(" {}", text(doc.source)), theme.muted()),
                // The start of the text, so what a chunk says shows in the list itself.
                one_line(&format!(" {}", text(doc.content)), theme.text()),
            ])
        },
    );
    draw_tools(view, frame, tools, theme);
    let (title, body) = super::detail::detail(view, loaded, theme);
    let para = Paragraph::new(body)
        .block(pane(
            one_line(&title, theme.text()),
            focused(TracePane::Answer),
            theme,
        ))
        .wrap(Wrap { trim: false });
    let para = view.answer_scroll.apply(para, answer);
    frame.render_widget(para, answer);
    draw_open(view, frame, area, theme);
}

/// A field of the arena as text, empty when absent.
fn text(t: Option<crate::trace::packed::Text<'_>>) -> &str {
    t.map_or("", |t| t.str())
}

/// Name and bar widths of a tree row `inner` cells wide: the bars take a third (three fifths
/// in the wide layout); under [`MIN_BAR`] cells the row shows the start offset as text.
fn bar_widths(inner: u16, wide: bool, waterfall: &Waterfall) -> (usize, usize) {
    let inner = inner as usize;
    if waterfall.axis.is_none() {
        return (inner, 0);
    }
    let bar = if wide { inner * 3 / 5 } else { inner / 3 };
    let bar = if bar < MIN_BAR { 0 } else { bar };
    // The mark column between name and bar; the offset text needs about eight cells.
    let name = inner.saturating_sub(1 + bar.max(8));
    (name, bar)
}

/// One row of the span tree: indent, flag, kind, name, duration and detector flags (from the
/// packed heads: nothing decoded).
fn tree_row(loaded: &super::Loaded, (i, depth): (usize, usize), theme: &Theme) -> Line<'static> {
    let t = &loaded.trace;
    let flagged = t.flagged(i);
    let mut spans = vec![
        Span::raw("  ".repeat(depth.min(12))),
        Span::styled(if flagged { "⚑ " } else { "" }, theme.fg(theme.flag)),
        Span::styled(format!("{} ", t.kind(i).as_str()), theme.fg(theme.label)),
        one_line(
            t.name(i),
            if t.status(i) == Status::Error {
                theme.fg(theme.error)
            } else {
                theme.text()
            },
        ),
    ];
    if let Some(ms) = t.duration_ms(i) {
        spans.push(Span::styled(format!(" {ms:.0}ms"), theme.muted()));
    }
    for f in t.flags_of(i) {
        spans.push(Span::styled(
            format!(" [{}]", f.kind.as_str()),
            theme.fg(theme.flag).add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}

/// The tool calls pane: name(arguments) → result, or ✗ and the error.
fn draw_tools(view: &TraceView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(loaded) = view.loaded() else { return };
    let (t, tool_rows) = (&loaded.trace, view.tools());
    let spec = ListSpec {
        cursor: &view.cursors[2],
        len: tool_rows.len(),
        focused: view.focus() == TracePane::Tools,
    };
    let title = format!(" Tools ({}) ", tool_rows.len());
    draw_list(
        frame,
        area,
        pane(title, spec.focused, theme),
        spec,
        theme,
        |row| {
            let s = t.span_ref(tool_rows[row] as usize);
            let extra = s.extra();
            let (name, args, result) = match extra.tool {
                Some(tc) => (tc.name, tc.arguments.map_or("", |a| a.str()), tc.result),
                None => (s.name, "", s.output),
            };
            let outcome = match (extra.error, result) {
                (Some(e), _) => Span::styled(
                    format!(" ✗ {}", crate::sanitize::one_line(e.str())),
                    theme.fg(theme.error),
                ),
                (None, Some(r)) => one_line(&format!(" → {}", r.str()), theme.muted()),
                (None, None) => Span::raw(""),
            };
            Line::from(vec![
                one_line(name.str(), theme.fg(theme.accent)),
                one_line(&format!("({args})"), theme.text()),
                outcome,
            ])
        },
    );
}

/// "Spans (12) · 1 problem", led by "trace 2/3 query ·" when the file holds several traces
/// (`t` picks another).
fn tree_title(view: &TraceView, loaded: &super::Loaded) -> String {
    let Some((index, shown)) = view.shown() else {
        return " Spans (0) ".into();
    };
    let counts = format!(
        "Spans ({}) · {}",
        shown.walk.len(),
        crate::plural::count(shown.problems as u64, "problem")
    );
    if let Some(span) = view.zoomed() {
        let name = crate::sanitize::one_line(loaded.trace.name(span));
        return format!(" zoom: {name} · z back · {} ", view.rows().len());
    }
    match loaded.traces.len() {
        n if n > 1 => format!(
            " trace {}/{n} {} · {counts} · t next ",
            index + 1,
            crate::sanitize::one_line(loaded.trace.name(shown.root))
        ),
        _ => format!(" {counts} "),
    }
}

fn draw_open(view: &TraceView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(input) = &view.open else { return };
    crate::tui::views::widgets::bottom_input(frame, area, input.line("open trace: ", theme), theme);
}
