//! Drawing sessions in the Run view: the session picker and a session run's check results.

use super::RunView;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use crate::tui::views::widgets::{ListSpec, draw_list, pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// A box of `height` rows at the bottom of `area`.
fn bottom(area: Rect, height: u16) -> Rect {
    let height = height.min(area.height);
    Rect {
        y: area.y + area.height - height,
        height,
        ..area
    }
}

/// The picker over `sessions/*.toml`.
pub fn draw_picker(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some((files, cursor)) = view.session_files() else {
        return;
    };
    let popup = bottom(area, files.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = pane(" Run a session (enter) ", true, theme);
    let spec = ListSpec {
        cursor,
        len: files.len(),
        focused: true,
    };
    draw_list(frame, popup, block, spec, theme, |i| {
        Line::from(one_line(&files[i].display().to_string(), theme.text()))
    });
}

/// The session's checks: ✓ per check that held everywhere, ✗ with value vs bar per failure.
pub fn draw_checks(view: &RunView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(checks) = &view.session_checks else {
        return;
    };
    if let Some(list) = &view.session_cases {
        let popup = bottom(area, (area.height / 2).max(8));
        frame.render_widget(Clear, popup);
        let title = list.verdict().map(str::to_string).unwrap_or_else(|| {
            format!(
                "{}: {} · run #{}",
                checks.name,
                match checks.failures.len() {
                    0 => "every check holds".to_string(),
                    n => format!("{n} failed"),
                },
                checks.run_id
            )
        });
        list.draw(frame, popup, &title, theme);
        return;
    }
    let mut lines = Vec::new();
    for name in &checks.checks {
        let passed = checks.passed(name);
        let (mark, color) = if passed {
            ("✓", theme.ok)
        } else {
            ("✗", theme.error)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), theme.fg(color)),
            Span::styled(name.clone(), theme.text()),
            Span::styled(
                if passed { " holds in every cell" } else { "" },
                theme.muted(),
            ),
        ]));
        for f in checks.failures.iter().filter(|f| &f.check == name) {
            let mut text = format!(
                "    {} {} {}: {} vs bar {}",
                f.prompt, f.variant, f.case, f.value, f.bar
            );
            if let Some(detail) = &f.detail {
                text.push_str(&format!(" · {detail}"));
            }
            lines.push(Line::from(one_line(&text, theme.fg(theme.error))));
        }
    }
    let verdict = if checks.failures.is_empty() {
        format!(
            " {}: {} · run #{} · esc ",
            checks.name,
            match checks.checks.len() {
                1 => "the check holds".to_string(),
                n => format!("all {n} checks hold"),
            },
            checks.run_id
        )
    } else {
        format!(
            " {}: {} failed · run #{} · esc ",
            checks.name,
            checks.failures.len(),
            checks.run_id
        )
    };
    let popup = bottom(
        area,
        (super::popup::wrapped_rows(&lines, area.width) + 2)
            .min(area.height / 2)
            .max(3),
    );
    frame.render_widget(Clear, popup);
    let block = pane(one_line(&verdict, theme.text()), false, theme);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
