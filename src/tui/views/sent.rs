//! What a stored cell sent, as the Run and Diff views show it: one line with the params
//! actually sent (`crate::runner::sent::params_line`) and its variant's p50/p95 latency and
//! time to first token when streamed, and a note when a temperature above 0 was sent
//! (stability is then expected to fall). The same words as `temper report`.

use crate::runner::sent::{params_line, temperature_above_zero};
use crate::store::CellInfo;
use crate::tui::event::RunSent;
use crate::tui::text::one_line;
use crate::tui::theme::Theme;
use ratatui::text::Line;

/// The lines for `cell`: what it sent with its variant's latencies, then the temperature note
/// when one above 0 was sent. `sent` is `None` while the worker reads it.
pub fn lines(sent: Option<&RunSent>, cell: &CellInfo, theme: &Theme) -> Vec<Line<'static>> {
    let Some(sent) = sent.filter(|s| s.run_id == cell.run_id) else {
        return vec![Line::from(one_line("sent: loading…", theme.muted()))];
    };
    let params = sent.params.get(&cell.id);
    let mut line = match params {
        Some(p) => format!("sent: {}", params_line(p)),
        None => "sent: not recorded (the run predates recording)".to_string(),
    };
    if let Some(v) = sent.variant(&cell.cell.variant_name) {
        line.push_str(&latency("latency", v.latency_p50_ms.zip(v.latency_p95_ms)));
        line.push_str(&latency("ttft", v.ttft_p50_ms.zip(v.ttft_p95_ms)));
    }
    let mut out = vec![Line::from(one_line(&line, theme.muted()))];
    if let Some(t) = params.and_then(temperature_above_zero) {
        out.push(Line::from(one_line(
            &format!("temperature {t} was sent, above 0: stability is expected to fall"),
            theme.fg(theme.warning),
        )));
    }
    out
}

/// " · latency p50 812ms p95 1204ms", or nothing when there is no value (TTFT of a run that
/// did not stream).
fn latency(what: &str, p50_p95: Option<(f64, f64)>) -> String {
    p50_p95.map_or_else(String::new, |(p50, p95)| {
        format!(" · {what} p50 {p50:.0}ms p95 {p95:.0}ms")
    })
}
