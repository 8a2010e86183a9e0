//! Drawing the Diff view (see `mod.rs` for its state and keys).

use super::*;

/// Draw the view: the cell's head (verdict, clusters, what was sent) over the two samples.
pub(super) fn draw(view: &DiffView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some((_, label)) = &view.cell else {
        let block = pane(" Diff ", true, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = "Pick a run and a cell in the Run view (2): its clusters and stability are shown here,\nand two of its samples are compared word by word.";
        empty_state(frame, inner, text, theme.muted());
        return;
    };
    let sent = view.sent_lines(theme);
    let [head, body] = Layout::vertical([
        Constraint::Length(2 + sent.len() as u16),
        Constraint::Min(3),
    ])
    .areas(area);
    let verdict = if view.sample_count() < 2 {
        Span::styled("needs two samples", theme.fg(theme.warning))
    } else if has_changes(&view.spans) {
        Span::styled(
            match view.change_lines.len() {
                1 => "differ: 1 change".to_string(),
                n => format!("differ: {n} changes (n/N jump)"),
            },
            theme.fg(theme.flag),
        )
    } else {
        Span::styled("identical", theme.fg(theme.ok))
    };
    let header = Line::from(vec![
        one_line(
            &if view.comparing_versions() {
                format!(" {label} · ")
            } else {
                format!(
                    " {label} · {} · ",
                    crate::plural::count(view.sample_count(), "sample")
                )
            },
            theme.text(),
        ),
        verdict,
        Span::styled(
            match (&view.analysis, view.version_stabilities()) {
                (_, Some(both)) => both,
                (Some(a), None) => format!(
                    " · {} · stability {}",
                    crate::plural::count(a.distinct as u64, "cluster"),
                    versions::percent(a.stability)
                ),
                (None, None) => String::new(),
            },
            theme.muted(),
        ),
    ]);
    let mut second = Vec::new();
    if let Some(line) = view.divergence_line() {
        second.push(one_line(&format!(" {line}"), theme.fg(theme.flag)));
    }
    if let Some(position) = view.pair_position().or_else(|| view.cell_position()) {
        // A separator only between two parts, never leading the line.
        let sep = if second.is_empty() { " " } else { " · " };
        second.push(one_line(&format!("{sep}{position}"), theme.muted()));
    }
    let mut head_lines = vec![header, Line::from(second)];
    // Indented like the lines above.
    head_lines.extend(sent.into_iter().map(|l| {
        let mut spans = vec![Span::raw(" ")];
        spans.extend(l.spans);
        Line::from(spans)
    }));
    frame.render_widget(Paragraph::new(head_lines), head);
    let body = if view.explain_open {
        // The samples keep at least three rows of text; the panel takes what it needs of the rest.
        let wanted = view
            .explain_height(body.width)
            .min(body.height.saturating_sub(5));
        let [samples, panel] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(wanted)]).areas(body);
        view.draw_explain(frame, panel, theme);
        samples
    } else {
        body
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let cached = view.pane_lines(theme);
    let side_lines = |i: usize| {
        cached
            .as_ref()
            .map_or_else(Vec::new, |c| lines::borrowed(&c[i]))
    };
    let panes = [
        (left, Side::Old, view.a, side_lines(0)),
        (right, Side::New, view.b, side_lines(1)),
    ];
    for (rect, side, index, lines) in panes {
        let Some(sample) = view.samples.get(index) else {
            frame.render_widget(pane(" — ", false, theme), rect);
            continue;
        };
        let title = match view.version_titles() {
            Some([a, b]) => {
                if side == Side::Old {
                    a
                } else {
                    b
                }
            }
            None => format!(
                " {} #{} ",
                if side == Side::Old { "A" } else { "B" },
                sample.sample.idx
            ),
        };
        let block = pane(title, side == view.side, theme);
        let (lines, block) = view.with_confidence(index, lines, block, rect.width, theme);
        let para = Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((view.scroll, 0));
        frame.render_widget(para, rect);
    }
}
