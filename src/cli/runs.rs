//! `temper runs`: the most recent runs with their status and sample counts, newest first.

use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::store::RunStatus;
use std::process::ExitCode;

/// Arguments of `temper runs`.
#[derive(Debug, clap::Args)]
pub struct RunsArgs {
    /// How many runs to list, newest first; 0 lists them all
    #[arg(long, default_value_t = 20, value_parser = super::ranges::count)]
    pub limit: usize,
}

/// Run `temper runs`.
pub fn execute(args: &RunsArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store()?;
    let mut rows = Vec::new();
    let limit = match args.limit {
        0 => i64::MAX as usize,
        n => n,
    };
    for run in store.list_runs(limit)? {
        let samples = store.sample_count(run.id)?;
        let cells = store.cells(run.id)?;
        let mut prompts: Vec<String> = cells
            .iter()
            .map(|c| format!("{}@{}", c.prompt, c.prompt_number))
            .collect();
        prompts.dedup();
        let mut variants: Vec<String> = cells.iter().map(|c| c.cell.variant_name.clone()).collect();
        variants.sort();
        variants.dedup();
        rows.push(serde_json::json!({
            "id": run.id, "status": run.status, "source": run.source, "session": run.session,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "samples": samples, "prompts": prompts, "variants": variants,
        }));
        if !ctx.json {
            // Pad before painting: escape codes count as width and would eat the padding.
            let padded = format!("{:<11}", run.status.as_str());
            let status = match run.status {
                RunStatus::Done => paint(Tone::Good, &padded),
                RunStatus::Running => paint(Tone::Strong, &padded),
                _ => paint(Tone::Removed, &padded),
            };
            println!(
                "{:<6} {status} {:>13}  {}  {}  {}",
                format!("#{}", run.id),
                crate::plural::count(samples as u64, "sample"),
                paint(Tone::Muted, &short_time(&run.started_at)),
                paint(Tone::Strong, &prompts.join(", ")),
                crate::sanitize::one_line(&variants.join(", "))
            );
        }
    }
    if ctx.json {
        print_json(&rows)?;
    } else if rows.is_empty() {
        println!("no runs yet: try `temper run support-answer -n 5 --model mock:drift`");
    }
    Ok(ExitCode::SUCCESS)
}

/// `2026-11-24T20:51:17.40Z` as `2026-11-24 20:51:17`.
fn short_time(at: &str) -> String {
    at.chars().take(19).collect::<String>().replace('T', " ")
}
