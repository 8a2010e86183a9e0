//! `temper cost --split`: the last 30 days of stored samples per model, cost split into input,
//! cached input and output (`crate::cost::split`, docs/cost.md), the biggest spender first.

use super::cost::print_table;
use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::cost::split::{CostSplit, DAYS, last_days, since};
use crate::cost::{PriceBook, format_usd, group_thousands};
use std::process::ExitCode;

/// Run `temper cost --split`.
pub fn execute(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let book = PriceBook::load(&ctx.config, None)?;
    let store = ctx.open_store()?;
    let now = jiff::Timestamp::now();
    let split = last_days(&store, &book, now)?;
    let since = since(now, DAYS);
    if ctx.json {
        print_json(&serde_json::json!({"days": DAYS, "since": since, "models": split}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} · since {} · each part at the model's base rate",
        paint(
            Tone::Strong,
            &format!("Cost of the last {DAYS} days per model")
        ),
        since.get(..10).unwrap_or(&since)
    );
    if split.is_empty() {
        println!(
            "{}",
            paint(
                Tone::Muted,
                "no samples stored in that time: run a prompt (temper run NAME -n 5 --model mock:drift)"
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let headers = [
        "model",
        "samples",
        "input",
        "cached input",
        "output",
        "total",
        "cached share",
        "stored",
    ];
    let rows: Vec<Vec<String>> = split.iter().map(row).collect();
    print_table(&headers, &rows);
    for s in split.iter().filter(|s| s.total_usd.is_none()) {
        println!(
            "{}",
            paint(
                Tone::Muted,
                &format!(
                    "note: {} is unpriced: give it a price under [prices] (docs/cost.md)",
                    crate::sanitize::one_line(&s.model)
                )
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn row(s: &CostSplit) -> Vec<String> {
    let usd = |v: Option<f64>| v.map_or_else(|| "unpriced".to_string(), format_usd);
    let part = |v: Option<f64>, tokens: u64| {
        format!("{} ({} tok)", usd(v), group_thousands(&tokens.to_string()))
    };
    vec![
        crate::sanitize::one_line(&s.model),
        s.samples.to_string(),
        part(s.input_usd, s.input_tokens),
        part(s.cached_usd, s.cached_tokens),
        part(s.output_usd, s.output_tokens),
        usd(s.total_usd),
        s.cached_share()
            .map_or_else(|| "-".to_string(), |c| format!("{:.0}%", c * 100.0)),
        s.stored_usd.map_or_else(|| "-".to_string(), format_usd),
    ]
}
