//! `temper trace FILE`: the span tree with kinds, timings, tokens and cost, the detector flags
//! with reasons, and `--span ID` for one span in full. Costs recorded in the file are shown as
//! is; only missing ones are estimated from the price table, and marked `≈`. Every string from
//! the file is untrusted and goes through the sanitiser before it is printed (see `view`).

mod json;
mod listen;
mod view;

use super::{Ctx, EXIT_CHECK_FAILED, print_json};
use crate::cost::{PriceBook, Pricing};
use crate::sanitize::one_line;
use crate::trace::detectors::{self, Limits, builtin_context_window};
use crate::trace::pricing::{CostSource, SpanCost, billed_spans, span_costs};
use crate::trace::{Format, Span, Trace, Usage};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `temper trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Trace file (temper JSONL, OpenInference/Phoenix, OTLP JSON or protobuf, Langfuse export,
    /// ConsoleSpanExporter output)
    #[arg(required_unless_present = "listen")]
    pub file: Option<PathBuf>,
    /// OTel logs file whose GenAI log records (prompts, answers) belong to the trace's spans
    pub logs: Option<PathBuf>,
    /// Format of the file [default: detected from the content]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Print one span in full: input, output, chunks and tool call
    #[arg(long, value_name = "ID")]
    pub span: Option<String>,
    /// Print at most this many tree rows
    #[arg(long, default_value_t = 200, value_parser = crate::cli::ranges::count)]
    pub limit: usize,
    /// Flag agents (or traces) with more LLM + tool calls than this
    #[arg(long, default_value_t = 25, value_parser = crate::cli::ranges::count)]
    pub max_steps: usize,
    /// Flag retrievals whose scores are all below this
    #[arg(long, default_value_t = 0.5, value_parser = crate::cli::ranges::fraction)]
    pub min_score: f64,
    /// Exit 1 when any detector raised a flag (for CI)
    #[arg(long)]
    pub fail_on_flags: bool,
    /// Open the file in the TUI's Trace view instead of printing it
    #[arg(long, conflicts_with_all = ["span", "fail_on_flags"])]
    pub tui: bool,
    /// Receive traces live over OTLP/HTTP on ADDR [default: 127.0.0.1:4318, loopback only]
    #[arg(
        long,
        value_name = "ADDR",
        num_args = 0..=1,
        default_missing_value = crate::trace::receiver::DEFAULT_ADDR,
        conflicts_with_all = ["file", "logs", "format", "span", "tui", "fail_on_flags"]
    )]
    pub listen: Option<String>,
    /// With --listen: append every received span to FILE as temper JSONL
    #[arg(long, value_name = "FILE", requires = "listen")]
    pub save: Option<PathBuf>,
    /// With --listen: spans held in memory; past it the oldest traces are dropped
    #[arg(long, value_name = "N", default_value_t = 200_000, requires = "listen")]
    pub max_spans: usize,
    /// With --listen: largest request body accepted, in MB (before and after gzip)
    #[arg(long, value_name = "MB", default_value_t = 16, requires = "listen")]
    pub max_body: usize,
    /// With --listen: print one line per trace instead of opening the Trace view, even on a
    /// terminal (the default when stdout is not a terminal)
    #[arg(long, requires = "listen")]
    pub headless: bool,
}

impl TraceArgs {
    /// The trace file (clap requires it unless --listen, which never reads it).
    fn path(&self) -> &std::path::Path {
        self.file.as_deref().unwrap_or(std::path::Path::new("-"))
    }
}

/// Run `temper trace`.
pub fn execute(args: &TraceArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    if let Some(addr) = &args.listen {
        return listen::execute(args, addr, ctx);
    }
    if args.tui {
        crate::tui::run(crate::tui::Options {
            db_path: ctx.db_path.clone(),
            theme: ctx.theme.clone(),
            keys: ctx.config.ui.keys.clone(),
            config: ctx.config.clone(),
            trace: Some(args.path().to_path_buf()),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    // A JSONL file is not loaded for the whole-trace document: read twice, root by root.
    if ctx.json
        && args.span.is_none()
        && args.logs.is_none()
        && let Some(flagged) = json::stream(args, ctx)?
    {
        return Ok(exit(args.fail_on_flags && flagged));
    }
    let mut trace = match &args.logs {
        Some(logs) => crate::trace::load_with_logs(args.path(), logs, args.format)?,
        None => crate::trace::load(args.path(), args.format)?,
    };
    // A broken price override must not stop trace inspection: estimates are simply absent.
    let book = PriceBook::load(&ctx.config, None).ok();
    detectors::run(&mut trace, &limits(args, book.clone()));
    let price = pricer(book);
    let costs = span_costs(&trace, &price);
    if let Some(id) = &args.span {
        let Some(i) = trace.find(id) else {
            anyhow::bail!(
                "no span with id {:?} in {}; run `temper trace {}` to list the ids",
                one_line(id),
                args.path().display(),
                args.path().display()
            );
        };
        if ctx.json {
            let flags = trace.flags_of(i);
            let children: Vec<&str> = trace.children[i]
                .iter()
                .map(|&c| trace.spans[c].id.as_str())
                .collect();
            print_json(
                &json!({"span": trace.spans[i], "cost_shown": costs[i], "children": children, "flags": flags}),
            )?;
        } else {
            print!("{}", view::span_detail(&trace, &costs, i));
        }
    } else if ctx.json {
        json::write(&trace, &costs, args)?;
    } else {
        print!("{}", view::summary(&trace, &costs, args));
    }
    Ok(exit(args.fail_on_flags && !trace.flags.is_empty()))
}

/// Exit 1 when `--fail-on-flags` was given and a detector raised a flag.
fn exit(flagged: bool) -> ExitCode {
    if flagged {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// The detector thresholds of the flags, with context windows from the price table.
fn limits(args: &TraceArgs, book: Option<PriceBook>) -> Limits {
    let seen = Models::default();
    Limits {
        max_steps: args.max_steps,
        min_score: args.min_score,
        context_window: Box::new(move |model: &str| {
            let from_table = priced(&book, &seen, model, Pricing::context_window);
            from_table.or_else(|| builtin_context_window(model))
        }),
        ..Limits::default()
    }
}

/// The price of a span's recorded usage from the price table, for spans without a cost.
fn pricer(book: Option<PriceBook>) -> impl Fn(&str, &Usage) -> Option<f64> {
    let seen = Models::default();
    move |model: &str, u: &Usage| {
        let usage = crate::cost::Usage {
            input: u.prompt_tokens?,
            cached: 0,
            output: u.completion_tokens.unwrap_or(0),
        };
        priced(&book, &seen, model, |p| p.cost_usd(&usage))
    }
}

/// Price-table answers by model name: a trace names a few models over many thousand spans, and
/// one lookup scans the whole table.
type Models = std::sync::Mutex<std::collections::HashMap<String, Option<Pricing>>>;

/// `read` of the pricing of `model` (None when the table has no answer), looked up once per
/// name.
fn priced<T>(
    book: &Option<PriceBook>,
    seen: &Models,
    model: &str,
    read: impl FnOnce(&Pricing) -> Option<T>,
) -> Option<T> {
    let book = book.as_ref()?;
    let mut seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !seen.contains_key(model) {
        seen.insert(model.to_string(), book.lookup(model).ok());
    }
    seen.get(model)?.as_ref().and_then(read)
}

/// Whole-trace figures for the header line and `--json`.
#[derive(serde::Serialize)]
struct Totals {
    spans: usize,
    llm_calls: usize,
    tool_calls: usize,
    prompt_tokens: u64,
    completion_tokens: u64,
    /// Sum of the LLM/embedding costs the file itself recorded (None when it recorded none).
    cost_from_file: Option<f64>,
    /// Sum of the costs temper estimated where the file had none (None when there were none).
    cost_estimated: Option<f64>,
    duration_ms: Option<f64>,
}

fn totals(trace: &Trace, costs: &[Option<SpanCost>]) -> Totals {
    let calls = trace.model_calls();
    let llm = calls.iter().map(|&i| &trace.spans[i]);
    let usage = |f: fn(&Usage) -> Option<u64>| {
        llm.clone()
            .filter_map(|s| s.usage.as_ref().and_then(f))
            .fold(0u64, u64::saturating_add)
    };
    let model_costs = |source: CostSource| {
        let picked: Vec<f64> = billed_spans(trace, costs)
            .into_iter()
            .filter_map(|i| costs[i].filter(|c| c.source == source).map(|c| c.usd))
            .collect();
        (!picked.is_empty()).then(|| picked.iter().sum())
    };
    let start = trace.spans.iter().filter_map(|s| s.start).min();
    let end = trace.spans.iter().filter_map(|s| s.end).max();
    Totals {
        spans: trace.spans.len(),
        llm_calls: llm.clone().count(),
        tool_calls: trace.tool_call_count(),
        prompt_tokens: usage(|u| u.prompt_tokens),
        completion_tokens: usage(|u| u.completion_tokens),
        cost_from_file: model_costs(CostSource::File),
        cost_estimated: model_costs(CostSource::PriceTable),
        duration_ms: Span {
            start,
            end,
            ..Span::default()
        }
        .duration_ms(),
    }
}
