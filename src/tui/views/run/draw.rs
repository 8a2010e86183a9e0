//! Drawing the Run view: runs | cells | samples | output, stacked on 80 columns.

use super::{RunPane, RunView};
use crate::store::{RunStatus, SampleStatus};
use crate::tui::highlight::{detect, highlight};
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::{ListSpec, draw_list, empty_state, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Runs, cells, samples and output areas for `area`.
pub fn layout(area: Rect) -> [Rect; 4] {
    if area.width >= 110 {
        let [runs, cells, right] = Layout::horizontal([
            Constraint::Length(40),
            Constraint::Length(44),
            Constraint::Min(30),
        ])
        .areas(area);
        let [samples, output] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Min(5)]).areas(right);
        [runs, cells, samples, output]
    } else {
        let [runs, right] =
            Layout::horizontal([Constraint::Length(30), Constraint::Min(30)]).areas(area);
        let [cells, samples, output] = Layout::vertical([
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Min(3),
        ])
        .areas(right);
        [runs, cells, samples, output]
    }
}

fn status_color(status: RunStatus, theme: &Theme) -> Color {
    match status {
        RunStatus::Running => theme.accent,
        RunStatus::Done => theme.ok,
        RunStatus::Cancelled | RunStatus::Interrupted => theme.warning,
        RunStatus::Failed => theme.error,
    }
}

/// Draw the view.
pub fn draw(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [runs, cells, samples, output] = layout(area);
    draw_runs(view, frame, runs, theme);
    draw_cells(view, frame, cells, theme);
    draw_samples(view, frame, samples, theme);
    draw_output(view, frame, output, theme);
    if let Some(input) = &view.models_input {
        crate::tui::views::widgets::bottom_input(frame, area, input.line("models: ", theme), theme);
    }
    if let Some(line) = view.save_line(theme) {
        crate::tui::views::widgets::bottom_input(frame, area, line, theme);
    }
    super::checks::draw_checks(view, frame, area, theme);
    super::checks::draw_picker(view, frame, area, theme);
    super::popup::draw_confirm(view, frame, area, theme);
}

fn draw_runs(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == RunPane::Runs;
    // `r` runs the version selected in Prompts: name it on top, the matrix at the bottom, so
    // neither is cut in a narrow pane.
    let next = view.next_prompt.as_deref().unwrap_or("pick one in Prompts");
    let title = format!(" Runs · r: {next} ");
    // Concurrency before the models: a long model list is what gets cut.
    let at_once = view
        .concurrency
        .map(|c| format!(" ({c} at once)"))
        .unwrap_or_default();
    let matrix = format!(" next{at_once}: {} × {} ", view.n, view.models.join(","));
    let block = pane(one_line(&title, theme.text()), focused, theme)
        .title_bottom(one_line(&matrix, theme.muted()));
    let runs = match &view.runs {
        Some(runs) if !runs.is_empty() => runs,
        other => {
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let text = if other.is_none() {
                "loading runs…"
            } else {
                "No runs yet.\nr runs the version selected in Prompts\n(or: temper run support-answer -n 5 --model mock:drift)"
            };
            empty_state(frame, inner, text, theme.muted());
            return;
        }
    };
    let spec = ListSpec {
        cursor: &view.runs_cursor,
        len: runs.len(),
        focused,
    };
    draw_list(frame, area, block, spec, theme, |i| {
        let r = &runs[i];
        let when: String = r.started_at.chars().skip(11).take(5).collect();
        Line::from(vec![
            Span::styled(format!("#{:<4}", r.id), theme.fg(theme.accent)),
            Span::styled(
                format!("{:<9}", r.status.as_str()),
                theme.fg(status_color(r.status, theme)),
            ),
            Span::styled(when, theme.muted()),
            Span::raw(" "),
            Span::styled(
                crate::sanitize::one_line(&r.prompts.join(", ")),
                theme.text(),
            ),
        ])
    });
}

fn draw_cells(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == RunPane::Cells;
    let title = match &view.live {
        Some(l) if !l.finished => Line::styled(
            format!(
                " running #{}: {}/{}{}{} · c cancels ",
                l.run_id,
                l.done,
                l.total,
                marked(" ✗", l.errors),
                marked(" ↻", l.retries)
            ),
            theme.fg(theme.accent),
        ),
        _ => Line::from(" Cells: prompt × variant × case "),
    };
    let mut block = pane(title, focused, theme);
    if let Some(live) = view.live.as_ref().filter(|l| !l.finished) {
        // Borders and the two spaces around the title.
        let gauge = live.gauge(area.width.saturating_sub(6) as usize);
        block = block.title_bottom(Line::styled(format!(" {gauge} "), theme.fg(theme.accent)));
    } else if view.estimating {
        block = block.title_bottom(Line::styled(" estimating… ", theme.muted()));
    } else if let Some(total) = super::popup::estimate_total(view) {
        block = block.title_bottom(one_line(&total, theme.muted()));
    }
    let Some(cells) = view.run_cells() else {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if view.selected_run().is_some() {
            "loading…"
        } else {
            ""
        };
        empty_state(frame, inner, text, theme.muted());
        return;
    };
    let spec = ListSpec {
        cursor: &view.cells_cursor,
        len: cells.len(),
        focused,
    };
    draw_list(frame, area, block, spec, theme, |i| {
        let c = &cells[i];
        let progress = match (view.samples.get(&c.id), view.pages.get(&c.id)) {
            (Some(s), _) => {
                let errors = s
                    .iter()
                    .filter(|x| x.sample.status == Some(SampleStatus::Error))
                    .count();
                format!("{}/{}{}", s.len(), c.cell.n, marked(" ✗", errors))
            }
            (None, Some(page)) => {
                let errors = usize::try_from(page.errors.unwrap_or(0)).unwrap_or(usize::MAX);
                format!("{}/{}{}", page.total, c.cell.n, marked(" ✗", errors))
            }
            // Not loaded yet: the same done/total notation, with the count unknown.
            (None, None) => format!("…/{}", c.cell.n),
        };
        let mut spans = vec![
            Span::styled(format!("{progress:<8} "), theme.fg(theme.accent)),
            one_line(&format!("{}@{} ", c.prompt, c.prompt_number), theme.text()),
            one_line(&c.cell.variant_name, theme.fg(theme.label)),
        ];
        if !c.cell.case_name.is_empty() {
            spans.push(one_line(&format!(" [{}]", c.cell.case_name), theme.muted()));
        }
        Line::from(spans)
    });
}

fn draw_samples(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == RunPane::Samples;
    let block = pane(" Samples ", focused, theme);
    let Some(len) = view.sample_rows() else {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if view.selected_cell().is_some() {
            "loading…"
        } else {
            ""
        };
        empty_state(frame, inner, text, theme.muted());
        return;
    };
    let spec = ListSpec {
        cursor: &view.samples_cursor,
        len,
        focused,
    };
    draw_list(frame, area, block, spec, theme, |i| {
        let Some(s) = view.sample_at_row(i).map(|s| &s.sample) else {
            // A large cell's row outside the page held: its page is on its way.
            return Line::from(Span::styled(format!("#{i:<3}…"), theme.muted()));
        };
        let (mark, color) = match s.status {
            Some(SampleStatus::Ok) => ("✓", theme.ok),
            Some(SampleStatus::Skipped) => ("-", theme.muted),
            _ => ("✗", theme.error),
        };
        let latency = s
            .latency_ms
            .map_or(String::new(), |ms| format!("{ms:>6.0}ms "));
        let text = s.output.as_deref().or(s.error.as_deref()).unwrap_or("");
        Line::from(vec![
            Span::styled(format!("#{:<3}", s.idx), theme.muted()),
            Span::styled(format!("{mark} "), theme.fg(color)),
            Span::styled(latency, theme.muted()),
            one_line(text, theme.text()),
        ])
    });
}

fn draw_output(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == RunPane::Output;
    // What the cell sent leads the pane: the request as sent, not what the prompt file said.
    let mut lines = match view.selected_cell() {
        Some(cell) => crate::tui::views::sent::lines(view.sent_of(cell.run_id), cell, theme),
        None => Vec::new(),
    };
    let width = area.width.saturating_sub(4) as usize;
    if let (Some(dist), Some(cell)) = (view.distribution_lines(width, theme), view.selected_cell())
    {
        // The cell's distributions take the whole pane: at 80x24 it has seven rows.
        let title = format!(" Distributions · {} · d: output ", cell.cell.variant_name);
        let block = pane(one_line(&title, theme.text()), focused, theme);
        let para = Paragraph::new(dist).block(block);
        frame.render_widget(view.output_scroll.apply(para, area), area);
        return;
    }
    let Some(row) = view.selected_sample() else {
        let block = pane(" Output ", focused, theme);
        let para = Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false });
        frame.render_widget(para, area);
        return;
    };
    let s = &row.sample;
    let mut title = format!(" Output #{} ", s.idx);
    if let (Some(i), Some(o)) = (s.input_tokens, s.output_tokens) {
        title.push_str(&format!("· {i}→{o} tok "));
    }
    if let Some(reason) = &s.finish_reason {
        title.push_str(&format!("· {reason} "));
    }
    let block = pane(one_line(&title, theme.text()), focused, theme);
    if !lines.is_empty() {
        lines.push(Line::default());
    }
    if let Some(err) = &s.error {
        lines.extend(crate::tui::text::lines(err, theme.fg(theme.error)));
    }
    let (tokens, bottom) = match view.confidence {
        true => crate::tui::views::charts::confidence::pane(
            row,
            None,
            area.width.saturating_sub(4) as usize,
            theme,
        ),
        false => (None, Line::default()),
    };
    let block = block.title_bottom(bottom);
    match (tokens, &s.output) {
        (Some(tokens), _) => lines.extend(tokens),
        (None, Some(out)) => {
            lines.extend(highlight(out, detect(out), &theme.syntect, theme.text()))
        }
        (None, None) => {}
    }
    let para = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    let para = view.output_scroll.apply(para, area);
    frame.render_widget(para, area);
}

/// `mark` and the count, or nothing when it is 0 (no `✗0` clutter).
fn marked(mark: &str, count: usize) -> String {
    if count == 0 {
        String::new()
    } else {
        format!("{mark}{count}")
    }
}
