//! `temper prices update FILE`: put a newer price table in force (LiteLLM's model map, a
//! models.dev `api.json` or an OpenRouter `/api/v1/models` answer), stored beside the config
//! with its date (`crate::cost::stored`, docs/cost.md).

use super::{Ctx, print_json};
use crate::sanitize::one_line;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// `temper prices …`.
#[derive(Debug, clap::Subcommand)]
pub enum PricesCommand {
    /// Store a newer price table beside the config: LiteLLM JSON, models.dev api.json or
    /// OpenRouter /api/v1/models JSON
    Update {
        /// The price file
        file: PathBuf,
    },
}

/// Run `temper prices …`.
pub fn execute(command: &PricesCommand, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let PricesCommand::Update { file } = command;
    let dir = ctx.config.prices_dir.clone().context(
        "no config directory to store the price table in: pass --config PATH (the table is stored beside it)",
    )?;
    let text = crate::fsio::read_text(file)
        .with_context(|| format!("cannot read price file {}", file.display()))?;
    let before = crate::cost::PriceBook::load(&ctx.config, None)
        .map(|b| describe(b.table_info()))
        .unwrap_or_else(|e| format!("unreadable: {e}"));
    let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
    let today = jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .context("today's date is out of range")?
        .to_string();
    let about = crate::cost::stored::save(&dir, &file.display().to_string(), &text, &today)
        .map_err(|e| anyhow::anyhow!("{e}; the table in force is unchanged ({before})"))?;
    if ctx.json {
        print_json(&serde_json::json!({"stored_in": dir, "table": about}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}",
        one_line(&format!(
            "price table updated: {} from {}, {} models, as of {}; stored in {}",
            about.format.describe(),
            about.source,
            about.models,
            about.updated,
            dir.display()
        ))
    );
    println!(
        "it is now the table in force (the built-in table prices models it lacks); [prices] in the config and --prices FILE still override it; `temper models` shows it"
    );
    Ok(ExitCode::SUCCESS)
}

/// `built-in, as of 2026-12-01` or `/path/table.json, as of …`.
fn describe(info: &crate::cost::TableInfo) -> String {
    format!(
        "{}, as of {}",
        info.file.as_deref().unwrap_or("built-in"),
        info.as_of
    )
}
