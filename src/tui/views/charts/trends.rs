//! Trends across versions (docs/tui.md, "Charts"): stability, cost per call and p95 latency of
//! one variant over the versions of a prompt, each a sparkline with its first and last value as
//! text, then one row per version with the numbers.

use super::bars::{fit, sparkline};
use crate::cost::format_usd;
use crate::store::VersionTrend;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// The trend lines of `variant` over `trends` (oldest version first).
pub fn lines(variant: &str, trends: &[VersionTrend], theme: &Theme) -> Vec<Line<'static>> {
    let name = crate::sanitize::one_line(variant);
    if trends.is_empty() {
        return vec![Line::styled(
            format!("no runs of {name} for this prompt yet"),
            theme.muted(),
        )];
    }
    let mut out = vec![Line::styled(
        format!("{name} across {} versions with runs", trends.len()),
        theme.muted(),
    )];
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    let usd = |v: f64| format_usd(v);
    let ms = |v: f64| format!("{v:.0}ms");
    out.push(metric(
        "stability",
        trends.iter().map(|t| t.stability),
        &pct,
        theme,
    ));
    out.push(metric(
        "$/call",
        trends.iter().map(|t| t.cost_per_call_usd),
        &usd,
        theme,
    ));
    out.push(metric(
        "p95",
        trends.iter().map(|t| t.latency_p95_ms),
        &ms,
        theme,
    ));
    out.push(Line::default());
    for t in trends {
        let cell = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("-".into(), f);
        out.push(Line::styled(
            format!(
                "@{:<3} {:>5} {:>10}/call {:>8} p95 · {} samples",
                t.number,
                cell(t.stability, &pct),
                cell(t.cost_per_call_usd, &usd),
                cell(t.latency_p95_ms, &ms),
                t.samples
            ),
            theme.text(),
        ));
    }
    out
}

/// "stability  ▁▅█  50% → 100%": the sparkline of a metric (a version without a value drawn
/// blank) and its first and last values.
fn metric(
    what: &str,
    values: impl Iterator<Item = Option<f64>>,
    show: &dyn Fn(f64) -> String,
    theme: &Theme,
) -> Line<'static> {
    let values: Vec<Option<f64>> = values.collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let spark: String = values
        .iter()
        .map(|v| match v {
            Some(v) => sparkline(&[*v], lo, hi).chars().next().unwrap_or(' '),
            None => ' ',
        })
        .collect();
    let span = match (known.first(), known.last()) {
        (Some(a), Some(b)) => format!("{} → {}", show(*a), show(*b)),
        _ => "-".into(),
    };
    Line::from(vec![
        Span::styled(fit(what, 10), theme.text()),
        Span::styled(spark, theme.fg(theme.accent)),
        Span::styled(format!("  {span}"), theme.muted()),
    ])
}

#[cfg(test)]
#[path = "trends_tests.rs"]
mod tests;
