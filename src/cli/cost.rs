//! `temper cost`: tokens and cost per call, per day and per 30 days, before shipping.

use super::prompt::parse_var;
use super::style::{Tone, paint};
use super::{Ctx, print_json};
use crate::cost::estimate::{EstimateRequest, estimate};
use crate::cost::{PriceBook, history};
use crate::sanitize::for_display;
use std::path::PathBuf;
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// A price table older than this is flagged: list prices move.
pub(crate) const STALE_AFTER_DAYS: i64 = 90;

/// Arguments of `temper cost`.
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// Prompt reference: name, name@3 or name:label (with --cascade: a run id, or a prompt
    /// reference meaning its latest run; none with --split)
    #[arg(required_unless_present = "split")]
    pub reference: Option<String>,
    /// Model to price, as provider:model (repeatable), e.g. openai:gpt-4o-mini
    #[arg(long = "model", short = 'm', value_name = "PROVIDER:MODEL")]
    pub models: Vec<String>,
    /// Variable for rendering, as key=value (repeatable)
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Expected output tokens per call [default: mean of past samples, else max_tokens]
    #[arg(long, value_name = "N", value_parser = super::ranges::count_u64)]
    pub output_tokens: Option<u64>,
    /// Calls per day for the projection: 1000, 50k, 1.5M
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = crate::cost::parse_volume)]
    pub calls_per_day: u64,
    /// Share of input tokens served from the prompt cache, 0 to 1 (cached-input prices)
    #[arg(long, default_value_t = 0.0, value_name = "F", value_parser = super::ranges::fraction)]
    pub cached_fraction: f64,
    /// Stability past runs must reach for a model to be recommended, 0 to 1
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = super::ranges::fraction)]
    pub min_stability: f64,
    /// Price overrides: temper TOML or LiteLLM-style JSON
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Price at batch API rates (about half, answers within 24 hours) where the model has them
    #[arg(long)]
    pub batch: bool,
    /// Show the rates each cost used: tier, cache reads, batch, line by line
    #[arg(long)]
    pub explain: bool,
    /// Count input tokens with the provider's own counter where there is one (Anthropic's
    /// count_tokens, when its key is set); other models keep the offline estimate
    #[arg(long)]
    pub exact: bool,
    /// For models with no past samples of this version, run N samples first so the projection
    /// uses measured output tokens instead of max_tokens
    #[arg(long, value_name = "N", value_parser = super::ranges::samples)]
    pub probe: Option<u32>,
    /// Start the --probe run even when its spend estimate is over the confirmation threshold
    #[arg(short = 'y', long, requires = "probe")]
    pub yes: bool,
    /// Simulate "call A, and only when its answer fails the checks call B" over a run's stored
    /// samples: variants of the run, cheapest first, e.g. "openai:gpt-4o-mini,openai:gpt-4.1"
    #[arg(long, value_name = "A,B", conflicts_with_all = ["models", "output_tokens", "batch", "explain"])]
    pub cascade: Option<String>,
    /// Session file whose [check] table grades the answers for --cascade [default: an answer
    /// passes when its call succeeded]
    #[arg(long, value_name = "FILE", requires = "cascade")]
    pub session: Option<PathBuf>,
    /// The last 30 days of stored samples per model, cost split into input, cached input and
    /// output (no reference: every prompt)
    #[arg(long, conflicts_with_all = ["reference", "models", "cascade", "probe", "explain"])]
    pub split: bool,
}

impl CostArgs {
    /// The prompt or run reference (required unless `--split`).
    pub(super) fn reference(&self) -> anyhow::Result<&str> {
        self.reference
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("temper cost needs a prompt reference (or --split)"))
    }
}

/// Run `temper cost`.
pub fn execute(args: &CostArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    if args.split {
        return super::cost_split::execute(ctx);
    }
    if let Some(spec) = &args.cascade {
        return super::cost_cascade::execute(args, spec, ctx);
    }
    if !(0.0..=1.0).contains(&args.min_stability) {
        anyhow::bail!(
            "--min-stability must be between 0 and 1, got {}",
            args.min_stability
        );
    }
    crate::cost::warm_up_in_background();
    let book = PriceBook::load(&ctx.config, args.prices.as_deref())?;
    let store = ctx.open_store()?;
    let version = store.resolve_str(args.reference()?)?;
    let mut past = history::version_history(&store, version.info.id)?;
    if let Some(n) = args.probe
        && let Some(note) = probe(args, ctx, &store, &version, n, &past)?
    {
        eprintln!("{note}");
        past = history::version_history(&store, version.info.id)?;
    }
    let request = EstimateRequest {
        body: &version.body,
        vars: args.vars.iter().cloned().collect(),
        models: args.models.clone(),
        output_tokens: args.output_tokens,
        calls_per_day: args.calls_per_day,
        cached_fraction: args.cached_fraction,
        min_stability: args.min_stability,
        batch: args.batch,
        exact: if args.exact {
            super::cost_exact::exact_counts(
                &version.body,
                &args.vars.iter().cloned().collect(),
                &args.models,
                &ctx.config,
            )?
        } else {
            Default::default()
        },
    };
    let result = estimate(&request, &book, &past)?;
    let title = format!("{}@{}", version.info.prompt, version.info.number);
    if ctx.json {
        print_json(&serde_json::json!({"prompt": title, "estimate": result}))?;
    } else {
        super::cost_text::print_text(&title, &result, args.explain);
    }
    Ok(ExitCode::SUCCESS)
}

/// `--probe N`: run N samples of the version on the models it has no past samples for; says
/// what ran, or `None` when every model has samples already.
fn probe(
    args: &CostArgs,
    ctx: &Ctx,
    store: &crate::store::Store,
    version: &crate::store::Version,
    n: u32,
    past: &std::collections::BTreeMap<String, history::ModelHistory>,
) -> anyhow::Result<Option<String>> {
    let has_samples = |m: &str| {
        past.iter()
            .any(|(k, h)| k.eq_ignore_ascii_case(m) && h.p50_output_tokens.is_some())
    };
    let missing: Vec<&String> = args.models.iter().filter(|m| !has_samples(m)).collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let variants = missing
        .iter()
        .map(|m| crate::runner::Variant::parse(m))
        .collect::<Result<Vec<_>, _>>()?;
    let case = crate::runner::Case {
        name: "default".into(),
        vars: args.vars.iter().cloned().collect(),
    };
    let plan = (vec![version.clone()], variants, case);
    let Some(outcome) = super::compare::run_plan(ctx, store, plan, Some(n), args.yes)? else {
        anyhow::bail!(
            "--probe run not started: declined (the estimate below would use max_tokens)"
        );
    };
    let names: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
    Ok(Some(format!(
        "probe: {} of {} in run #{} ({} answered, {} failed)",
        crate::plural::count(u64::from(n), "sample"),
        names.join(", "),
        outcome.run_id,
        outcome.ok,
        outcome.failed
    )))
}

/// Days from an `as_of` date (`YYYY-MM-DD`) to today.
pub(crate) fn age_in_days(as_of: &str) -> Option<i64> {
    let date: jiff::civil::Date = as_of.parse().ok()?;
    let since_epoch = date.duration_since(jiff::civil::date(1970, 1, 1)).as_secs() / 86_400;
    Some(jiff::Timestamp::now().as_second() / 86_400 - since_epoch)
}

/// Left-aligned first column, right-aligned numbers; widths by display width.
pub(super) fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let clean: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| for_display(c).into_owned()).collect())
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            clean
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.width())
                .chain([headers.get(i).map_or(0, |h| h.width())])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w.saturating_sub(c.width()));
                if i == 0 || i + 1 == cells.len() {
                    format!("{c}{pad}")
                } else {
                    format!("{pad}{c}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", paint(Tone::Strong, &line(headers.to_vec())));
    for r in &clean {
        println!("{}", line(r.iter().map(String::as_str).collect()));
    }
}
