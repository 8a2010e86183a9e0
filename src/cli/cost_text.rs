//! `temper cost`'s text output: the per-model table, the totals and the `--explain` lines.

use super::cost::{STALE_AFTER_DAYS, age_in_days, print_table};
use super::style::{Tone, paint};
use crate::cost::estimate::{Estimate, ModelEstimate, OutputSource};
use crate::cost::{Pricing, format_usd, group_thousands};
use crate::sanitize::for_display;

pub(super) fn print_text(title: &str, e: &Estimate, explain: bool) {
    println!(
        "{} · {} calls/day · {:.0}% of input cached{}",
        paint(Tone::Strong, title),
        group_thousands(&e.calls_per_day.to_string()),
        e.cached_fraction * 100.0,
        if e.batch { " · batch rates" } else { "" }
    );
    for w in &e.warnings {
        println!("{}", paint(Tone::Muted, &format!("warning: {w}")));
    }
    let headers = [
        "model",
        "input tok",
        "output tok",
        "per call",
        "per day",
        "per 30 days",
        "headroom",
        "stability",
    ];
    let rows: Vec<Vec<String>> = e.models.iter().map(model_row).collect();
    print_table(&headers, &rows);
    println!();
    for m in &e.models {
        let mut notes = vec![format!("output: {}", m.output_source.describe())];
        notes.push(format!("price: {}", m.pricing.describe()));
        if let Some(exact) = &m.exact {
            notes.push(super::cost_exact::note(exact));
        } else if m.input_tokens.estimated {
            notes.push(format!(
                "tokens estimated with {} (not this model's tokenizer; --exact counts Claude prompts with Anthropic's count_tokens)",
                m.input_tokens.encoding.as_str()
            ));
        }
        if let Some(p) = &m.projection_p95 {
            notes.push(format!("at p95 output {}/call", format_usd(p.per_call_usd)));
        }
        if !m.did_you_mean.is_empty() {
            notes.push(format!("did you mean {}?", m.did_you_mean.join(", ")));
        }
        let line = format!("  {}: {}", m.model, notes.join("; "));
        println!("{}", for_display(&line));
        if explain {
            for line in explain_lines(m) {
                println!("{}", for_display(&format!("      {line}")));
            }
        }
    }
    if e.models
        .iter()
        .any(|m| m.output_source == OutputSource::MaxTokens)
    {
        println!(
            "{}",
            paint(
                Tone::Muted,
                "output falls back to max_tokens (an upper bound): --probe 3 runs 3 samples per such model first to measure real answers"
            )
        );
    }
    match &e.cheapest_stable {
        Some(model) => println!(
            "{}",
            paint(
                Tone::Good,
                &format!(
                    "cheapest model with stability ≥ {:.2} in past runs: {model}",
                    e.min_stability
                )
            )
        ),
        None if e.models.iter().any(|m| m.stability.is_some()) => println!(
            "no priced model reached stability {:.2} in past runs",
            e.min_stability
        ),
        None => println!(
            "{}",
            paint(
                Tone::Muted,
                "no past runs of this version for these models: `temper run` them to measure stability"
            )
        ),
    }
    println!("{}", price_source_line(e));
}

fn model_row(m: &ModelEstimate) -> Vec<String> {
    let approx = if m.input_tokens.estimated { "~" } else { "" };
    let input = format!(
        "{approx}{}",
        group_thousands(&m.input_tokens.tokens.to_string())
    );
    let output = group_thousands(&m.output_tokens.to_string());
    let money = |f: fn(&crate::cost::Projection) -> f64| match (&m.pricing, &m.projection) {
        (Pricing::Unpriced { .. }, _) | (_, None) => "unpriced".to_string(),
        (_, Some(p)) => format_usd(f(p)),
    };
    let headroom = match (m.headroom_tokens, m.context_window) {
        (Some(h), Some(w)) if w > 0 => format!(
            "{} ({:.1}%)",
            group_thousands(&h.to_string()),
            h as f64 * 100.0 / w as f64
        ),
        _ => "-".to_string(),
    };
    let stability = match m.stability {
        Some(s) if m.cheapest_stable => format!("{s:.2} ★ cheapest"),
        Some(s) => format!(
            "{s:.2} ({})",
            crate::plural::count(m.past_samples as u64, "sample")
        ),
        None => "-".to_string(),
    };
    vec![
        m.model.clone(),
        input,
        output,
        money(|p| p.per_call_usd),
        money(|p| p.per_day_usd),
        money(|p| p.per_30_days_usd),
        headroom,
        stability,
    ]
}

/// The rates one call used, line by line: `input 1,200 × $3/1M = $0.0036`, then the notes.
fn explain_lines(m: &ModelEstimate) -> Vec<String> {
    let Some(bill) = &m.bill else {
        return vec![format!("no rates: {}", m.pricing.describe())];
    };
    let mut lines: Vec<String> = bill
        .lines
        .iter()
        .map(|l| {
            format!(
                "{:<17} {:>9} tok × ${}/1M = {}",
                l.item,
                group_thousands(&l.tokens.to_string()),
                l.usd_per_million,
                format_usd(l.usd)
            )
        })
        .collect();
    lines.push(format!(
        "{:<17} per call {} ({})",
        "total",
        format_usd(bill.total_usd),
        bill.row
    ));
    lines.extend(bill.notes.iter().cloned());
    lines
}

/// `prices: table as of … (sources in `temper models`)` with a staleness warning.
fn price_source_line(e: &Estimate) -> String {
    let mut line = format!(
        "prices: built-in table as of {} ({}; USD list prices: temper models shows the sources)",
        e.table.as_of,
        e.table.note.split(':').next().unwrap_or_default()
    );
    for f in &e.price_files {
        line.push_str(&format!(
            "; overrides from {}{}",
            f.path,
            f.as_of
                .as_deref()
                .map(|d| format!(" as of {d}"))
                .unwrap_or_default()
        ));
    }
    if let Some(days) = age_in_days(&e.table.as_of).filter(|d| *d > STALE_AFTER_DAYS) {
        line.push_str(&format!(
            "\nwarning: the built-in price table is {days} days old; override prices with --prices FILE or [prices] in the config"
        ));
    }
    for_display(&line).into_owned()
}
