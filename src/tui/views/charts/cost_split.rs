//! The Cost view's 30-day bars (docs/tui.md, "Charts"): one stacked bar per model, its length
//! the model's cost against the biggest spender's, split into input `█`, cached input `▓` and
//! output `░`, with the total and each part's share as text beside it. The characters differ
//! per part, so the split reads in the mono theme and under `NO_COLOR`; on a narrow pane the
//! bar is left out and the numbers stay.

use super::bars::{fit, split_cells};
use crate::cost::format_usd;
use crate::cost::split::{CostSplit, DAYS};
use crate::tui::theme::Theme;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// The characters of the three parts: input, cached input, output.
pub const MARKS: [char; 3] = ['█', '▓', '░'];

/// Narrower than this, a bar says nothing its numbers do not: it is left out.
const MIN_BAR: usize = 8;

/// The heading with the legend, then one line per model, fitted to `width` cells.
pub fn lines(split: &[CostSplit], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(vec![
        Span::styled(format!("last {DAYS} days per model · "), theme.muted()),
        Span::styled(format!("{} input ", MARKS[0]), part_style(0, theme)),
        Span::styled(format!("{} cached input ", MARKS[1]), part_style(1, theme)),
        Span::styled(format!("{} output", MARKS[2]), part_style(2, theme)),
    ])];
    if split.is_empty() {
        out.push(Line::styled(
            format!("no samples stored in the last {DAYS} days"),
            theme.muted(),
        ));
        return out;
    }
    let max = split.iter().filter_map(|s| s.total_usd).fold(0.0, f64::max);
    let name = split
        .iter()
        .map(|s| s.model.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, (width / 4).max(8));
    // One bar width for every model, so lengths compare and the numbers line up.
    let text = split
        .iter()
        .map(|s| numbers(s).chars().count())
        .max()
        .unwrap_or(0);
    let bar = width.saturating_sub(name + 1 + text + 2);
    for s in split {
        out.push(model_line(s, (name, bar), max, theme));
    }
    out
}

fn part_style(part: usize, theme: &Theme) -> ratatui::style::Style {
    theme.fg([theme.accent, theme.ok, theme.warning][part])
}

/// `model  ███▓▓▓▓▓░  $0.9750  in 31% · cached 8% · out 61%`, the bar `bar` cells wide.
fn model_line(
    s: &CostSplit,
    (name, bar): (usize, usize),
    max: f64,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("{} ", fit(&crate::sanitize::one_line(&s.model), name)),
        theme.text(),
    )];
    let text = numbers(s);
    if bar >= MIN_BAR {
        spans.extend(stacked(s, max, bar, theme));
        spans.push(Span::raw("  "));
    }
    let strong = s.cached_share().is_some_and(|c| c >= 0.5);
    let style = if strong {
        theme.text().add_modifier(Modifier::BOLD)
    } else {
        theme.text()
    };
    spans.push(Span::styled(text, style));
    Line::from(spans)
}

/// The total and each part's share of it, or the tokens when the model is unpriced.
pub fn numbers(s: &CostSplit) -> String {
    let Some(total) = s.total_usd else {
        let k = |t: u64| crate::cost::group_thousands(&t.to_string());
        return format!(
            "unpriced · {} in, {} cached, {} out tok",
            k(s.input_tokens),
            k(s.cached_tokens),
            k(s.output_tokens)
        );
    };
    if total <= 0.0 {
        return format!("{:>9}  local: no charge", "$0");
    }
    let pct = |v: Option<f64>| v.map_or(0.0, |v| v / total * 100.0);
    format!(
        "{:>9}  in {:.0}% · cached {:.0}% · out {:.0}%",
        format_usd(total),
        pct(s.input_usd),
        pct(s.cached_usd),
        pct(s.output_usd)
    )
}

/// The bar of `s`, `width` cells at the biggest spender, padded to `width`.
fn stacked(s: &CostSplit, max: f64, width: usize, theme: &Theme) -> Vec<Span<'static>> {
    let total = s.total_usd.unwrap_or(0.0);
    let length = if max > 0.0 {
        ((total / max) * width as f64).round() as usize
    } else {
        0
    };
    let length = if total > 0.0 { length.max(1) } else { 0 };
    let parts = [s.input_usd, s.cached_usd, s.output_usd].map(|v| v.unwrap_or(0.0));
    let cells = split_cells(&parts, total, length);
    let mut out: Vec<Span<'static>> = cells
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| Span::styled(MARKS[i].to_string().repeat(*n), part_style(i, theme)))
        .collect();
    out.push(Span::raw(" ".repeat(width.saturating_sub(length))));
    out
}

#[cfg(test)]
#[path = "cost_split_tests.rs"]
mod tests;
