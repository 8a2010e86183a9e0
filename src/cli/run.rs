//! `temper run REF`: fire a prompt N times per model, store every sample, print a per-variant
//! summary. Ctrl-C cancels cleanly: samples so far are kept and the run is marked cancelled.

use super::run_input::parse_vars;
use super::run_spend;
use super::{Ctx, EXIT_ERROR, print_json};
use crate::cost::history::run_cost;
use crate::cost::{PriceBook, format_usd};
use crate::runner::{self, Case, Plan, PreparedCell, RunEvent, RunOutcome, Schedule, Variant};
use crate::store::{RunStatus, SampleStatus};
use anyhow::Context;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Model used when no `--model` is given: offline and deterministic.
const DEFAULT_MODEL: &str = "mock:echo";

/// Arguments of `temper run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Prompt reference: name, name@3 or name:prod
    pub reference: Option<String>,
    /// Run a session file (prompts x variants x cases; see sessions/) instead of one prompt
    #[arg(long, value_name = "FILE", conflicts_with_all = ["reference", "models", "vars"])]
    pub session: Option<std::path::PathBuf>,
    /// Samples per model [default: [run] samples in the config, else 10]
    #[arg(short = 'n', long = "samples", value_name = "N", value_parser = super::ranges::samples)]
    pub samples: Option<u32>,
    /// Variant: provider:model, then optional params, repeatable (e.g. mock:drift?p=0.3, "openai:gpt-4o-mini temperature=0.7 seed=7"; keys: temperature (0 unless set), top_p, max_tokens, seed, stream=true, response_format=json_object) [default: mock:echo]
    #[arg(short = 'm', long = "model", value_name = "PROVIDER:MODEL [K=V]...")]
    pub models: Vec<String>,
    /// Template variable, repeatable: --var question="How long…"
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
    /// Calls in flight at once [default: [run] concurrency, else 8]
    #[arg(short = 'c', long, value_name = "C", value_parser = super::ranges::concurrency)]
    pub concurrency: Option<usize>,
    /// Seconds per attempt before it counts as timed out [default: [run] timeout_secs, else 60]
    #[arg(long, value_name = "SECONDS", value_parser = super::ranges::seconds)]
    pub timeout: Option<f64>,
    /// Retries after a 429, 5xx, timeout or dropped connection [default: [run] max_retries, else 4]
    #[arg(long, value_name = "R", value_parser = super::ranges::retries)]
    pub retries: Option<u32>,
    /// Refuse to start above this upper-bound estimate, and stop before any call that could
    /// take actual spend past it [default: [run] budget_usd]
    #[arg(long, value_name = "USD", value_parser = super::ranges::usd)]
    pub budget_usd: Option<f64>,
    /// Start even when the estimate is over the budget (the run still stops at it), never ask
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Price overrides: temper TOML or LiteLLM-style JSON (as for temper cost)
    #[arg(long, value_name = "FILE")]
    pub prices: Option<std::path::PathBuf>,
    /// Ask for token logprobs where the provider returns them (OpenAI-compatible) [default: on]
    #[arg(long, overrides_with = "no_logprobs")]
    pub logprobs: bool,
    /// Do not ask for token logprobs (for servers that reject the parameter)
    #[arg(long, overrides_with = "logprobs")]
    pub no_logprobs: bool,
    /// Alternatives per token when asking for logprobs (0-20)
    #[arg(long, value_name = "K", default_value_t = crate::provider::DEFAULT_TOP_LOGPROBS,
          value_parser = clap::value_parser!(u8).range(0..=20))]
    pub top_logprobs: u8,
    /// Batch probe: send each cell's N requests one at a time, all at once, or both (two cells)
    #[arg(long, value_name = "HOW")]
    pub schedule: Option<ScheduleArg>,
    /// Also write the run as a temper JSONL trace (open it with `temper trace FILE`)
    #[arg(long, value_name = "FILE")]
    pub trace_out: Option<std::path::PathBuf>,
    /// Overwrite --trace-out FILE even when it does not look like a trace (never a database)
    #[arg(long, requires = "trace_out")]
    pub force: bool,
}

/// `--schedule`: how each cell's samples are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleArg {
    /// One request at a time
    Sequential,
    /// All N requests in flight at once
    Burst,
    /// One cell of each, to compare stability
    Both,
}

impl ScheduleArg {
    fn schedules(self) -> Vec<Schedule> {
        match self {
            ScheduleArg::Sequential => vec![Schedule::Sequential],
            ScheduleArg::Burst => vec![Schedule::Burst],
            ScheduleArg::Both => vec![Schedule::Sequential, Schedule::Burst],
        }
    }
}

/// Run `temper run`.
pub fn execute(args: &RunArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    crate::cost::snapshot::warm_in_background();
    let store = ctx.open_store()?;
    if let Some(path) = &args.trace_out {
        // Before any call is paid for: a refused output file must not cost a run.
        let is_trace = crate::fsio::looks_like_trace;
        crate::fsio::check_output(path, store.path(), args.force, "trace", is_trace)?;
    }
    let (label, mut plan) = match &args.session {
        Some(path) => {
            let session = crate::session::Session::read(path)?;
            let resolved = crate::session::resolve(&session, &store, &ctx.config)?;
            let plan = crate::session::plan(&session, &resolved, &ctx.config.run);
            (
                format!("session {}", session.name),
                with_overrides(args, plan)?,
            )
        }
        None => {
            let reference = args.reference.as_deref().context(
                "give a prompt reference, e.g. `temper run support-answer` (see `temper prompt list`), or --session FILE",
            )?;
            let version = store.resolve_str(reference)?;
            let label = format!("{}@{}", version.info.prompt, version.info.number);
            (label, build_plan(args, ctx, version)?)
        }
    };
    let registry = runner::registry(&ctx.config, &ctx.db_path);
    let book = PriceBook::load(&ctx.config, args.prices.as_deref())?;
    plan.budget_usd = run_spend::check_budget(args.budget_usd.or(plan.budget_usd))?;
    plan.prices = Some(Arc::new(book.clone()));
    let cells = plan.prepare(&registry)?;
    let guard = run_spend::GuardInput {
        cells: &cells,
        book: &book,
        store: &store,
        budget_usd: plan.budget_usd,
        yes: args.yes,
    };
    let Some(estimate) = run_spend::guard(&guard, ctx)? else {
        eprintln!("not started: declined");
        return Ok(ExitCode::from(EXIT_ERROR));
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let show_progress = !ctx.json && std::io::stderr().is_terminal();
    let outcome = runtime.block_on(run_with_progress(&plan, cells, ctx, show_progress))?;
    let variants = runner::summarize(&store, outcome.run_id)?;
    let cost = run_cost(&store, outcome.run_id)?;
    for warning in &outcome.warnings {
        eprintln!("warning: {}", crate::sanitize::one_line(warning));
    }
    if let Some(path) = &args.trace_out {
        let spans = crate::trace::write_run_trace(&store, outcome.run_id, path)?;
        eprintln!(
            "trace: {} written to {}",
            crate::plural::count(spans as u64, "span"),
            path.display()
        );
    }
    if ctx.json {
        print_json(&serde_json::json!({
            "run_id": outcome.run_id,
            "prompt": label,
            "status": outcome.status,
            "samples": plan.total_samples(),
            "ok": outcome.ok,
            "failed": outcome.failed,
            "not_run": outcome.not_run,
            "skipped": outcome.skipped,
            "elapsed_ms": outcome.elapsed.as_secs_f64() * 1000.0,
            "variants": variants,
            "estimate": estimate,
            "cost": cost,
            "spent_usd": outcome.spent_usd,
            "budget_usd": outcome.budget_usd,
            "budget_reached": outcome.budget_reached,
            "over_budget_usd": outcome.overshoot_usd(),
            "over_reported": outcome.over_reported,
            "max_commit_lag_ms": outcome.max_commit_lag_ms,
        }))?;
    } else {
        super::run_summary::print_summary(&label, &outcome, &variants, &cost, &estimate.unpriced);
    }
    if let Some(message) = outcome.budget_stop_message() {
        eprintln!("{message}");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(match outcome.status {
        RunStatus::Done => ExitCode::SUCCESS,
        RunStatus::Cancelled => {
            eprintln!(
                "cancelled: {} kept in run #{}",
                crate::plural::count((outcome.ok + outcome.failed) as u64, "sample"),
                outcome.run_id
            );
            ExitCode::from(EXIT_ERROR)
        }
        _ => {
            eprintln!(
                "error: run #{} failed: no sample got an answer",
                outcome.run_id
            );
            ExitCode::from(EXIT_ERROR)
        }
    })
}

fn build_plan(args: &RunArgs, ctx: &Ctx, version: crate::store::Version) -> anyhow::Result<Plan> {
    let vars = parse_vars(&args.vars)?;
    let models: Vec<&str> = if args.models.is_empty() {
        vec![DEFAULT_MODEL]
    } else {
        args.models.iter().map(String::as_str).collect()
    };
    let mut variants: Vec<Variant> = Vec::new();
    for spec in models {
        let variant = Variant::parse(spec)?;
        if !variants.iter().any(|v| v.name == variant.name) {
            variants.push(variant);
        }
    }
    let case = Case {
        name: "default".into(),
        vars,
    };
    let plan = Plan::new(vec![version], variants, vec![case], &ctx.config.run);
    with_overrides(args, plan)
}

/// The plan with the command line's -n, --concurrency, --timeout and --retries applied.
fn with_overrides(args: &RunArgs, mut plan: Plan) -> anyhow::Result<Plan> {
    if let Some(n) = args.samples {
        plan.samples = n;
    }
    if let Some(c) = args.concurrency {
        plan.concurrency = c;
    }
    if let Some(t) = args.timeout {
        anyhow::ensure!(
            t.is_finite() && t > 0.0,
            "--timeout takes a positive number of seconds, got {t}"
        );
        plan.timeout = Duration::try_from_secs_f64(t)
            .map_err(|_| anyhow::anyhow!("--timeout {t} is out of range"))?;
    }
    if let Some(r) = args.retries {
        plan.max_retries = r;
    }
    plan.logprobs = (!args.no_logprobs).then_some(args.top_logprobs);
    if let Some(schedule) = args.schedule {
        plan.schedules = schedule.schedules();
    }
    anyhow::ensure!(plan.samples >= 1, "-n must be at least 1");
    anyhow::ensure!(plan.concurrency >= 1, "--concurrency must be at least 1");
    Ok(plan)
}

pub(super) async fn run_with_progress(
    plan: &Plan,
    cells: Vec<PreparedCell>,
    ctx: &Ctx,
    show_progress: bool,
) -> anyhow::Result<RunOutcome> {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let progress = tokio::spawn(draw_progress(rx, show_progress));
    let result = runner::execute(plan, cells, &ctx.db_path, Some(tx), cancel).await;
    ctrl_c.abort();
    let _ = progress.await;
    Ok(result?)
}

/// What the progress bar counts besides done/total.
#[derive(Default)]
struct Tally {
    failed: usize,
    retries: usize,
    spent_usd: f64,
    last: String,
}

impl Tally {
    fn message(&self) -> String {
        let mut msg = format!(
            "{} failed · {} retries · {}",
            self.failed,
            self.retries,
            format_usd(self.spent_usd)
        );
        if !self.last.is_empty() {
            msg.push_str(" · ");
            msg.push_str(&self.last);
        }
        msg
    }
}

/// A live bar on a terminal (done/total, failures, retries, elapsed, spend); nothing when
/// stderr is piped or `--json` is set (`show` false).
async fn draw_progress(mut rx: tokio::sync::mpsc::UnboundedReceiver<RunEvent>, show: bool) {
    let bar = indicatif::ProgressBar::hidden();
    let mut tally = Tally::default();
    while let Some(event) = rx.recv().await {
        match event {
            RunEvent::Started { total, .. } if show => {
                bar.set_length(total as u64);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {bar:30} {pos}/{len} samples · {elapsed} · {msg}",
                ) {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(200));
            }
            RunEvent::Sample { sample } => {
                bar.inc(1);
                tally.spent_usd += sample.cost_usd.unwrap_or(0.0);
                if sample.status == Some(SampleStatus::Error) {
                    tally.failed += 1;
                    tally.last = format!(
                        "last error: {}",
                        crate::sanitize::one_line(sample.error.as_deref().unwrap_or(""))
                    );
                }
            }
            RunEvent::Retrying { delay, error, .. } => {
                tally.retries += 1;
                tally.last = format!(
                    "retrying in {:.1} s: {}",
                    delay.as_secs_f64(),
                    crate::sanitize::one_line(&error)
                );
            }
            RunEvent::Finished { .. } => bar.finish_and_clear(),
            _ => {}
        }
        if show {
            bar.set_message(tally.message());
        }
    }
}
