//! `temper models`: the providers temper knows (built in and from the config), their wire
//! format, base URL, and whether their key env var is set (never the key itself); then the
//! price rows in use with the price table's `as_of` date and sources.

use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::config::ProviderKind;
use crate::cost::{PriceBook, PriceListing, PriceOrigin};
use crate::provider::{ProviderEntry, Registry};
use crate::sanitize::one_line;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `temper models`.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// Price overrides: temper TOML or LiteLLM-style JSON (as for temper cost)
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// List the price rows of every provider in the table, not only the providers you have
    #[arg(long)]
    pub all: bool,
}

/// Run `temper models`.
pub fn execute(args: &ModelsArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let entries = Registry::new(&ctx.config).entries();
    let mut listing = PriceBook::load(&ctx.config, args.prices.as_deref())?.listing();
    if ctx.json {
        print_json(&serde_json::json!({
            "config": ctx.config_path,
            "providers": entries,
            "prices": listing,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let total = listing.rows.len();
    if !args.all {
        let known = |p: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(p));
        listing
            .rows
            .retain(|r| known(&r.provider) || r.origin != PriceOrigin::Table);
    }
    let mut out = String::new();
    let source = super::hints::config_source(ctx);
    let _ = writeln!(
        out,
        "{}",
        paint(Tone::Muted, &one_line(&format!("config file: {source}")))
    );
    print_providers(&mut out, &entries);
    out.push('\n');
    print_prices(&mut out, &listing);
    if listing.rows.len() < total {
        let _ = writeln!(
            out,
            "{}",
            paint(
                Tone::Muted,
                &format!(
                    "{} more rows for providers you have not configured (azure, bedrock, groq, …): temper models --all lists them",
                    total - listing.rows.len()
                )
            )
        );
    }
    let _ = writeln!(out, "{}", table_in_force(&listing));
    // One write; a closed pipe (`temper models | head`) is not an error.
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn print_providers(out: &mut String, entries: &[ProviderEntry]) {
    let width = entries
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        out,
        "{}",
        paint(
            Tone::Muted,
            &format!(
                "{:<width$}  {:<9}  {:<34}  key",
                "provider", "kind", "base url"
            )
        )
    );
    for e in entries {
        let kind = match e.kind {
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Mock => "mock",
            ProviderKind::Replay => "replay",
        };
        let base = e.base_url.as_deref().unwrap_or("(offline)");
        let key = match (&e.api_key_env, e.key_set) {
            (Some(env), Some(true)) => paint(Tone::Good, &format!("{env} set")),
            (Some(env), _) => paint(Tone::Removed, &format!("{env} not set")),
            (None, _) => paint(Tone::Muted, "no key needed"),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {kind:<9}  {:<34}  {key}",
            one_line(&e.name),
            one_line(base)
        );
    }
    let _ = writeln!(
        out,
        "{}",
        paint(
            Tone::Muted,
            "address a model as provider:model, e.g. openai:gpt-4o-mini, ollama:llama3.2, mock:drift?p=0.3&seed=7, replay:RUN"
        )
    );
}

fn print_prices(out: &mut String, listing: &PriceListing) {
    let _ = writeln!(
        out,
        "{} (USD per 1M tokens) · as of {}",
        paint(Tone::Strong, "prices"),
        one_line(&listing.table.as_of)
    );
    let width = listing
        .rows
        .iter()
        .map(|r| r.key().chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{}",
        paint(
            Tone::Muted,
            &format!(
                "{:<width$}  {:>8}  {:>8}  {:>8}  {:>9}  source",
                "model", "input", "cached", "output", "context"
            )
        )
    );
    let price = |v: f64| format!("{v:.3}");
    for row in &listing.rows {
        let _ = writeln!(
            out,
            "{:<width$}  {:>8}  {:>8}  {:>8}  {:>9}  {}",
            one_line(&row.key()),
            price(row.input),
            row.cached_input.map_or_else(|| "-".to_string(), price),
            price(row.output),
            row.context_window.map_or_else(
                || "-".to_string(),
                |w| crate::cost::group_thousands(&w.to_string())
            ),
            one_line(&row.origin.to_string())
        );
    }
    for file in &listing.price_files {
        let as_of = file
            .as_of
            .as_deref()
            .map(|d| format!(" (as of {d})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "overrides: {}{}",
            one_line(&file.path),
            one_line(&as_of)
        );
    }
    let _ = writeln!(
        out,
        "{}",
        paint(
            Tone::Muted,
            &format!(
                "local providers (mock, replay, servers on localhost) cost $0; any other model not listed is unpriced. {}",
                one_line(&listing.table.note)
            )
        )
    );
    for (vendor, url) in &listing.table.sources {
        let _ = writeln!(
            out,
            "{}",
            paint(
                Tone::Muted,
                &format!("source {}: {}", one_line(vendor), one_line(url))
            )
        );
    }
}

/// Which table is in force, where it came from and how old it is, with a warning past 90 days.
fn table_in_force(listing: &PriceListing) -> String {
    let mut line = match &listing.table.file {
        Some(file) => format!(
            "table in force: {}, as of {} ({})",
            one_line(file),
            one_line(&listing.table.as_of),
            one_line(&listing.table.note)
        ),
        None => format!(
            "table in force: built-in, as of {} ({})",
            one_line(&listing.table.as_of),
            one_line(listing.table.note.split(':').next().unwrap_or_default())
        ),
    };
    if let Some(days) = super::cost::age_in_days(&listing.table.as_of) {
        line.push_str(&format!(", {days} days old"));
        if days > super::cost::STALE_AFTER_DAYS {
            line.push_str(&format!(
                "\n{}",
                paint(
                    Tone::Removed,
                    "warning: prices are over 90 days old; `temper prices update FILE` puts a newer table in force (LiteLLM, models.dev or OpenRouter JSON), or override with --prices FILE or [prices] in the config"
                )
            ));
        }
    }
    line
}
