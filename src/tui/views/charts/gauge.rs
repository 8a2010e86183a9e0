//! The live gauge of a run going (docs/tui.md, "Charts"): calls per second and the spend so
//! far as a bar against the budget, with the numbers as text so it reads without colour.

use super::bars::{fit, hbar};
use crate::cost::format_usd;

/// What the gauge shows: progress, the time it took so far, the spend and the budget if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gauge {
    pub done: usize,
    pub elapsed_secs: f64,
    pub spent_usd: f64,
    pub budget_usd: Option<f64>,
}

/// One line `width` cells wide: "4.2 calls/s · $0.0300 ███▌       30% of $0.1000 budget", or the
/// spend alone when the run has no budget.
pub fn line(g: &Gauge, width: usize) -> String {
    let rate = if g.elapsed_secs > 0.0 {
        g.done as f64 / g.elapsed_secs
    } else {
        0.0
    };
    let head = format!("{rate:.1} calls/s · {} ", format_usd(g.spent_usd));
    // Narrow panes (80 columns) keep the numbers and shorten the words.
    let head = if width < 50 {
        format!("{rate:.1}/s · {} ", format_usd(g.spent_usd))
    } else {
        head
    };
    let Some(budget) = g.budget_usd.filter(|b| *b > 0.0) else {
        return format!("{head}spent");
    };
    let pct = 100.0 * g.spent_usd / budget;
    let word = if width < 50 { "" } else { " budget" };
    let tail = format!(" {pct:.0}% of {}{word}", format_usd(budget));
    let used = head.chars().count() + tail.chars().count();
    let bar_w = width.saturating_sub(used).clamp(4, 30);
    let bar = fit(&hbar(g.spent_usd, budget, bar_w), bar_w);
    format!("{head}{bar}{tail}")
}

#[cfg(test)]
#[path = "gauge_tests.rs"]
mod tests;
