//! The frame: tab bar, the current view, the status bar, and the help overlay on top.
//! A pure function of [`App`]: it never waits for anything.

use super::action::Tab;
use super::app::App;
use super::tabs::BRAND;
use super::views::Level;
use super::views::widgets::{empty_state, pane};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Draw the whole frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, tabs, app);
    match &app.fatal {
        Some(why) => {
            let block = pane(" cannot open the database ", true, &app.theme)
                .border_style(app.theme.fg(app.theme.error));
            let inner = block.inner(body);
            frame.render_widget(block, body);
            let text = format!("{why}\n\nq quits");
            empty_state(frame, inner, &text, app.theme.fg(app.theme.error));
        }
        None => app.view(app.tab).draw(frame, body, &app.theme),
    }
    draw_status(frame, status, app);
    if app.help {
        draw_help(frame, body, app);
    }
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = vec![
        Span::styled(
            BRAND,
            Style::default()
                .fg(t.accent_text)
                .bg(t.accent)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
    ];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let title = super::tabs::title(i, *tab);
        let style = if *tab == app.tab {
            t.selected(true).add_modifier(Modifier::UNDERLINED)
        } else {
            t.muted()
        };
        spans.push(Span::styled(title, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let view = app.view(app.tab);
    let left: Line = if let Some(why) = app.fatal.as_ref().filter(|_| app.status.is_none()) {
        Line::styled(
            format!(" {}", crate::sanitize::one_line(why)),
            t.fg(t.error),
        )
    } else if let Some((level, text)) = &app.status {
        let color = match level {
            Level::Info => t.ok,
            Level::Warn => t.warning,
            Level::Error => t.error,
        };
        Line::styled(format!(" {text}"), t.fg(color))
    } else if let Some(hint) = view.capture_hint() {
        Line::styled(format!(" {hint}"), t.fg(t.accent))
    } else {
        let mut spans = vec![Span::raw(" ")];
        for action in view.hints() {
            let keys = app.keymap.keys_for(app.tab, action);
            let key = keys.split(' ').next().unwrap_or_default().to_string();
            if key.is_empty() {
                continue;
            }
            spans.push(Span::styled(
                key,
                t.fg(t.accent).add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(format!(" {}  ", action.hint()), t.muted()));
        }
        Line::from(spans)
    };
    let right = match &app.db {
        Some(db) => db
            .file_name()
            .map(|n| crate::sanitize::one_line(&n.to_string_lossy()))
            .unwrap_or_default(),
        None if app.fatal.is_none() => "opening…".into(),
        None => String::new(),
    };
    // A long message wins over the DB name.
    let right = if left.width() + right.len() + 2 > area.width as usize {
        String::new()
    } else {
        right
    };
    let right_width = right.len() as u16 + 1;
    let [l, r] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(Line::styled(right, t.muted())), r);
}

/// Rows the help overlay has (its entries, a blank line and the mouse line): the app keeps its
/// scroll within them.
pub fn help_rows(app: &App) -> usize {
    app.keymap.help(app.tab).len() + 2
}

fn draw_help(frame: &mut Frame, body: Rect, app: &App) {
    let t = &app.theme;
    let entries = app.keymap.help(app.tab);
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|(keys, action)| {
            Line::from(vec![
                Span::styled(
                    format!(" {keys:<key_width$}  "),
                    t.fg(t.accent).add_modifier(Modifier::BOLD),
                ),
                Span::styled(action.describe(), t.text()),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        " mouse: click a tab or a row, scroll a pane · any other key closes",
        t.muted(),
    ));
    // As wide as the widest line (plus borders), so nothing is cut when the terminal has room.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let width = (widest + 2).min(body.width);
    let height = (lines.len() as u16 + 2).min(body.height);
    let popup = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y + (body.height - height) / 2,
        width,
        height,
    };
    let more = if lines.len() as u16 + 2 > body.height {
        " (j/k scroll)"
    } else {
        ""
    };
    let title = format!(" keys: {}{more} ", app.tab.title());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(pane(title, true, t))
            .scroll((app.help_scroll, 0)),
        popup,
    );
}
