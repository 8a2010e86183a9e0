//! The summary `temper run` prints when a run ends: one row per variant (answers, failures,
//! distinct outputs, tokens, latency percentiles, cost per call), then the total cost.

use super::style::{Tone, paint};
use crate::cost::format_usd;
use crate::cost::history::RunCost;
use crate::runner::{RunOutcome, VariantSummary};
use crate::store::RunStatus;

fn ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v < 10.0 => format!("{v:.1} ms"),
        Some(v) => format!("{v:.0} ms"),
        None => "-".into(),
    }
}

pub(super) fn print_summary(
    label: &str,
    outcome: &RunOutcome,
    variants: &[VariantSummary],
    cost: &RunCost,
    unpriced: &[String],
) {
    let status = match outcome.status {
        RunStatus::Done => paint(Tone::Good, "done"),
        other => paint(Tone::Removed, other.as_str()),
    };
    let warm = variants
        .iter()
        .filter_map(|v| v.temperature_above_zero)
        .reduce(f64::max)
        .map(|t| paint(Tone::Removed, &format!(" · temperature {t} (above 0)")))
        .unwrap_or_default();
    println!(
        "run #{} {} · {} · {} in {:.2} s{warm}",
        outcome.run_id,
        status,
        paint(Tone::Strong, label),
        crate::plural::count((outcome.ok + outcome.failed) as u64, "sample"),
        outcome.elapsed.as_secs_f64()
    );
    let width = variants
        .iter()
        .map(|v| v.variant.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    println!(
        "{}",
        paint(
            Tone::Muted,
            &format!(
                "{:<width$}  {:>4}  {:>6}  {:>8}  {:>9}  {:>10}  {:>8}  {:>8}  {:>8}  {:>8}  {:>10}",
                "variant",
                "ok",
                "failed",
                "distinct",
                "tokens in",
                "tokens out",
                "p50",
                "p95",
                "ttft p50",
                "ttft p95",
                "cost/call"
            )
        )
    );
    for v in variants {
        let name = crate::sanitize::one_line(&v.variant);
        let per_call = cost
            .variants
            .iter()
            .find(|c| c.variant == v.variant)
            .map_or_else(|| "-".to_string(), |c| mean_cost(&c.cost, v.ok));
        println!(
            "{name:<width$}  {:>4}  {:>6}  {:>8}  {:>9}  {:>10}  {:>8}  {:>8}  {:>8}  {:>8}  {per_call:>10}",
            v.ok,
            v.failed,
            v.distinct,
            v.input_tokens,
            v.output_tokens,
            ms(v.latency_p50_ms),
            ms(v.latency_p95_ms),
            ms(v.ttft_p50_ms),
            ms(v.ttft_p95_ms)
        );
        if let Some(t) = v.temperature_above_zero {
            println!(
                "  {} temperature {t} was sent: outputs are expected to vary, stability falls by design",
                paint(Tone::Removed, "note:")
            );
        }
        if let Some(error) = &v.top_error {
            println!(
                "  {} {}",
                paint(Tone::Removed, "error:"),
                paint(Tone::Muted, &crate::sanitize::one_line(error))
            );
        }
    }
    println!(
        "{}",
        crate::sanitize::one_line(&total_line(outcome, cost, unpriced))
    );
    println!(
        "{}",
        paint(
            Tone::Muted,
            &format!("next: temper report {}  ·  temper runs", outcome.run_id)
        )
    );
}

/// `$0.000123`, `unpriced` when answers had no price, `-` when nothing was answered.
fn mean_cost(c: &crate::cost::CostSummary, answered: usize) -> String {
    match c.mean_usd {
        Some(mean) => format_usd(mean),
        None if answered > 0 => "unpriced".into(),
        None => "-".into(),
    }
}

/// The run's total spend, what of it is unpriced, and the budget.
fn total_line(outcome: &RunOutcome, cost: &RunCost, unpriced: &[String]) -> String {
    let mut line = format!("total cost {}", format_usd(cost.total.total_usd));
    if !unpriced.is_empty() {
        line.push_str(&format!(" + unknown for unpriced {}", unpriced.join(", ")));
    }
    if let Some(budget) = outcome.budget_usd {
        line.push_str(&format!(" · budget {}", format_usd(budget)));
    }
    if outcome.skipped > 0 {
        line.push_str(&format!(" · {} skipped", outcome.skipped));
    }
    line
}
