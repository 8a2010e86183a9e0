//! The cascade table under the Cost view's models: for the version's latest run, each variant
//! alone and "call the cheapest; only when its call fails call the next" simulated over the
//! stored samples (pass rate, cost per request and per passing answer, per 30 days, latency).
//! The figures come from `crate::cost::cascade` (docs/cost.md); `temper cost --cascade` prints
//! the same table with a session's checks.

use crate::cost::cascade::{CascadeTable, Outcome};
use crate::cost::{format_usd, project};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

/// Draw the cascade table at the bottom of `area` when there is one (and room for it); returns
/// the area left above it for the models table.
pub fn draw_below(
    frame: &mut Frame,
    area: Rect,
    table: Option<&CascadeTable>,
    calls_per_day: u64,
    theme: &Theme,
) -> Rect {
    let Some(table) = table.filter(|t| t.cascade.is_some()) else {
        return area;
    };
    let rows = table_rows(table, calls_per_day);
    let height = rows.len() as u16 + 3;
    if area.height < height + 3 {
        return area;
    }
    let [above, title, below] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(2),
        Constraint::Length(height - 2),
    ])
    .areas(area);
    let heading = Line::styled(
        "cascade over the latest run (cheapest first; an answer passes when its call succeeded)",
        theme.muted(),
    );
    frame.render_widget(Paragraph::new(vec![Line::raw(""), heading]), title);
    let widths = [
        Constraint::Min(24),
        Constraint::Length(9),
        Constraint::Length(11),
        Constraint::Length(11),
        Constraint::Length(11),
        Constraint::Length(9),
        Constraint::Length(5),
    ];
    let header = Row::new([
        "strategy",
        "pass",
        "$/request",
        "$/passing",
        "30 days",
        "latency",
        "calls",
    ])
    .style(theme.muted().add_modifier(Modifier::BOLD));
    let body: Vec<Row> = rows
        .into_iter()
        .map(|(cells, is_cascade)| {
            let style = if is_cascade {
                theme.fg(theme.accent)
            } else {
                theme.text()
            };
            Row::new(cells.into_iter().map(Cell::from)).style(style)
        })
        .collect();
    frame.render_widget(Table::new(body, widths).header(header), below);
    above
}

/// The cells of each strategy, and whether the row is the cascade.
pub fn table_rows(table: &CascadeTable, calls_per_day: u64) -> Vec<(Vec<String>, bool)> {
    table
        .variants
        .iter()
        .map(|o| (o, false))
        .chain(table.cascade.iter().map(|o| (o, true)))
        .map(|(o, is_cascade)| (cells(o, is_cascade, calls_per_day), is_cascade))
        .collect()
}

fn cells(o: &Outcome, is_cascade: bool, calls_per_day: u64) -> Vec<String> {
    let usd = |v: Option<f64>| v.map_or_else(|| "-".to_string(), format_usd);
    let name = if is_cascade {
        o.steps.join(" → ")
    } else {
        o.steps.join("")
    };
    vec![
        crate::sanitize::one_line(&name),
        format!("{:.0}%", o.pass_rate * 100.0),
        usd(o.cost_per_request_usd),
        usd(o.cost_per_passing_usd),
        usd(o
            .cost_per_request_usd
            .map(|c| project(c, calls_per_day).per_30_days_usd)),
        o.latency_ms.map_or("-".into(), |l| format!("{l:.0} ms")),
        format!("{:.2}", o.calls_per_request),
    ]
}
