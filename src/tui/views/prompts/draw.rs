//! Drawing the Prompts view: three panes side by side on wide terminals, list | (versions over
//! body) on 80 columns; the editor and diffs take the whole right side.

use super::modes::Mode;
use super::{Pane, PromptsView};
use crate::tui::text::{Side, diff_side, one_line, styled_body};
use crate::tui::theme::Theme;
use crate::tui::views::widgets::{ListSpec, draw_list, empty_state, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The list, versions and body areas for `area`.
pub fn layout(_view: &PromptsView, area: Rect) -> [Rect; 3] {
    if area.width >= 110 {
        let [list, versions, body] = Layout::horizontal([
            Constraint::Length(30),
            Constraint::Length(42),
            Constraint::Min(20),
        ])
        .areas(area);
        [list, versions, body]
    } else {
        let [list, right] =
            Layout::horizontal([Constraint::Length(26), Constraint::Min(20)]).areas(area);
        let [versions, body] =
            Layout::vertical([Constraint::Length(8), Constraint::Min(3)]).areas(right);
        [list, versions, body]
    }
}

/// Draw the whole view.
pub fn draw(view: &PromptsView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [list, versions, body] = layout(view, area);
    draw_prompt_list(view, frame, list, theme);
    let right = versions.union(body);
    match &view.mode {
        Mode::Edit { editor, .. } => {
            let title = match view.selected_version() {
                Some(v) => format!(" editing {}@{} ", v.prompt, v.number),
                None => " editing ".into(),
            };
            let block = pane(one_line(&title, theme.fg(theme.accent)), true, theme);
            let inner = block.inner(right);
            frame.render_widget(block, right);
            frame.render_widget(&**editor, inner);
        }
        Mode::Diff { diff, scroll } => draw_diff(frame, right, diff, *scroll, theme),
        _ => {
            draw_versions(view, frame, versions, theme);
            draw_body(view, frame, body, theme);
        }
    }
    let input = match &view.mode {
        Mode::Message { input, name, .. } => {
            Some(input.line(&format!("message for the new version of {name}: "), theme))
        }
        Mode::Label {
            input,
            name,
            number,
        } => Some(input.line(&format!("label for {name}@{number}: "), theme)),
        Mode::PickDiff {
            input,
            name,
            number,
        } => Some(input.line(&format!("diff {name}@{number} against version: @"), theme)),
        _ => None,
    };
    if let Some(line) = input {
        let column = Rect {
            y: area.y,
            height: area.height,
            ..right
        };
        crate::tui::views::widgets::bottom_input(frame, column, line, theme);
    }
}

fn draw_prompt_list(view: &PromptsView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == Pane::List;
    let title: Line = if view.filtering || !view.filter.value.is_empty() {
        let mut line = view.filter.line(" /", theme);
        if !view.filtering {
            line.spans.pop();
        }
        line.spans.push(Span::raw(" "));
        line
    } else {
        match &view.prompts {
            Some(list) => Line::from(format!(" Prompts ({}) ", list.len())),
            None => Line::from(" Prompts "),
        }
    };
    let block = pane(title, focused, theme);
    let Some(prompts) = &view.prompts else {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        empty_state(frame, inner, "loading prompts…", theme.muted());
        return;
    };
    if view.visible.is_empty() {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if prompts.is_empty() {
            "No prompts yet.\nCreate one with\ntemper prompt new NAME".to_string()
        } else {
            format!(
                "nothing matches /{}\nesc clears the filter",
                view.filter.value
            )
        };
        empty_state(
            frame,
            inner,
            &crate::sanitize::for_display(&text),
            theme.muted(),
        );
        return;
    }
    let width = area.width.saturating_sub(2) as usize;
    draw_list(
        frame,
        area,
        block,
        ListSpec {
            cursor: &view.list,
            len: view.visible.len(),
            focused,
        },
        theme,
        |i| {
            let p = &prompts[view.visible[i]];
            let latest = format!("@{}", p.latest);
            let name = crate::sanitize::one_line(&p.name);
            let room = width.saturating_sub(latest.len() + 1);
            let name: String = truncate(&name, room);
            let pad = width.saturating_sub(
                unicode_width::UnicodeWidthStr::width(name.as_str()) + latest.len(),
            );
            Line::from(vec![
                Span::styled(name, theme.text()),
                Span::raw(" ".repeat(pad)),
                Span::styled(latest, theme.muted()),
            ])
        },
    );
}

fn draw_versions(view: &PromptsView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == Pane::Versions;
    let block = pane(" Versions ", focused, theme);
    let Some(log) = view.selected_log() else {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if view.selected_prompt().is_some() {
            "loading versions…"
        } else {
            ""
        };
        empty_state(frame, inner, text, theme.muted());
        return;
    };
    let wide = area.width >= 60;
    draw_list(
        frame,
        area,
        block,
        ListSpec {
            cursor: &view.versions,
            len: log.len(),
            focused,
        },
        theme,
        |i| {
            let v = &log[i];
            let mut spans = vec![Span::styled(
                format!("@{:<3}", v.number),
                theme.fg(theme.accent).add_modifier(Modifier::BOLD),
            )];
            for label in &v.labels {
                spans.push(one_line(&format!("[{label}]"), theme.fg(theme.label)));
                spans.push(Span::raw(" "));
            }
            if wide {
                spans.push(Span::styled(
                    v.created_at.chars().take(10).collect::<String>() + " ",
                    theme.muted(),
                ));
            }
            spans.push(one_line(&v.message, theme.text()));
            Line::from(spans)
        },
    );
}

fn draw_body(view: &PromptsView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = view.focus() == Pane::Body;
    if view.show_trends {
        let name = view.selected_prompt().map(|p| p.name.as_str());
        let lines = match &view.trends {
            Some((prompt, variant, trends)) if Some(prompt.as_str()) == name => match variant {
                Some(v) => crate::tui::views::charts::trends::lines(v, trends, theme),
                None => vec![Line::styled("no runs of this prompt yet", theme.muted())],
            },
            _ => vec![Line::styled("loading trends…", theme.muted())],
        };
        let block = pane(" Trends · t: messages ", focused, theme);
        frame.render_widget(Paragraph::new(lines).block(block), area);
        return;
    }
    let title = match view.selected_version() {
        Some(v) => format!(" {}@{} ", v.prompt, v.number),
        None => " Messages ".into(),
    };
    let block = pane(one_line(&title, theme.text()), focused, theme);
    match view.selected_body() {
        Some(v) => {
            let para = Paragraph::new(styled_body(&v.body, theme))
                .block(block)
                .wrap(Wrap { trim: false });
            let para = view.body_scroll.apply(para, area);
            frame.render_widget(para, area);
        }
        None => {
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let text = if view.selected_version().is_some() {
                "loading…"
            } else {
                ""
            };
            empty_state(frame, inner, text, theme.muted());
        }
    }
}

fn draw_diff(
    frame: &mut Frame,
    area: Rect,
    diff: &crate::tui::event::VersionDiff,
    scroll: u16,
    theme: &Theme,
) {
    let [old, new] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    for (rect, side, number) in [(old, Side::Old, diff.old), (new, Side::New, diff.new)] {
        let title = format!(" {}@{number} ", diff.name);
        let block = pane(one_line(&title, theme.text()), side == Side::New, theme);
        let para = Paragraph::new(diff_side(&diff.spans, side, theme))
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0));
        frame.render_widget(para, rect);
    }
    if !crate::analysis::worddiff::has_changes(&diff.spans) {
        let note = Rect {
            y: area.y + area.height.saturating_sub(1),
            height: 1.min(area.height),
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::styled(" identical content ", theme.muted())),
            note,
        );
    }
}

/// Cut `text` to `width` columns, with an ellipsis when cut.
pub fn truncate(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}
