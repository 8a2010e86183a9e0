//! `temper replay TRACE --span ID`: the LLM call of a trace span becomes a prompt version, is
//! fired N times and compared with the answer the trace recorded (docs/replay.md).

use super::run_spend;
use super::{Ctx, EXIT_ERROR, print_json};
use crate::cost::PriceBook;
use crate::replay::grounding::{self, ProbeSpec};
use crate::replay::{self, ModelReplay};
use crate::runner::{self, Case, Plan};
use crate::sanitize::one_line;
use crate::trace::Format;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Arguments of `temper replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Trace file (any format `temper trace` reads), then an OTel logs file holding the prompts
    /// as GenAI log records; with --to-session, any number of trace files
    #[arg(required = true, value_name = "TRACE [LOGS]")]
    pub files: Vec<PathBuf>,
    /// Format of the trace files [default: detected from the content]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The LLM span to replay (its id, or a unique prefix of it); repeatable with --to-session
    #[arg(long, value_name = "ID")]
    pub span: Vec<String>,
    /// Samples per model (with --to-session: the session's samples)
    #[arg(short = 'n', long = "samples", value_name = "N", default_value_t = 10)]
    pub samples: u32,
    /// Variant to fire instead of the recorded model, repeatable (e.g. "openai:gpt-4o-mini temperature=0")
    #[arg(short = 'm', long = "model", value_name = "PROVIDER:MODEL [K=V]...")]
    pub models: Vec<String>,
    /// Prompt name to save the request under [default: replay-<span id prefix>]
    #[arg(long = "as", value_name = "NAME")]
    pub name: Option<String>,
    /// Refuse to start above this estimate, stop before crossing it [default: [run] budget_usd]
    #[arg(long, value_name = "USD")]
    pub budget_usd: Option<f64>,
    /// Start even when the estimate is over the budget, never ask
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Write a session file whose prompts are the selected LLM spans (every LLM span with
    /// captured messages when no --span), each with its recorded answer as a must_equal check;
    /// nothing is fired (run it with `temper check FILE`)
    #[arg(long, value_name = "FILE")]
    pub to_session: Option<PathBuf>,
    /// Grounding probe: also fire the request with this retrieved chunk's text removed
    /// (its id as `temper trace` lists it, or a unique prefix), repeatable
    #[arg(long = "without-chunk", value_name = "ID")]
    pub without_chunk: Vec<String>,
    /// Grounding probe: also fire the request with the retrieved chunks in reverse order
    #[arg(long)]
    pub shuffle_chunks: bool,
}

/// Run `temper replay`.
pub fn execute(args: &ReplayArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let spec = ProbeSpec {
        without: args.without_chunk.clone(),
        shuffle: args.shuffle_chunks,
    };
    if let Some(out) = &args.to_session {
        anyhow::ensure!(
            spec.is_empty(),
            "--without-chunk and --shuffle-chunks probe one span: not with --to-session"
        );
        return super::replay_session::execute(args, out, ctx);
    }
    anyhow::ensure!(args.samples >= 1, "-n must be at least 1");
    let (file, logs) = match args.files.as_slice() {
        [file] => (file, None),
        [file, logs] => (file, Some(logs)),
        _ => anyhow::bail!(
            "replay takes one trace file and at most one logs file; several trace files go with --to-session"
        ),
    };
    let span_id = match args.span.as_slice() {
        [one] => one,
        [] => anyhow::bail!(
            "--span ID is required: pick an LLM span from `temper trace {}`",
            file.display()
        ),
        _ => {
            anyhow::bail!("--span is repeatable only with --to-session: replay one span at a time")
        }
    };
    let trace = match logs {
        Some(logs) => crate::trace::load_with_logs(file, logs, args.format)?,
        None => crate::trace::load(file, args.format)?,
    };
    let shown = file.display().to_string();
    let span = replay::find(&trace, span_id, &shown)?;
    let prepared = replay::prepare(span)?;
    let probe = if spec.is_empty() {
        None
    } else {
        Some(grounding::build(&trace, &prepared, &spec, &shown)?)
    };
    let recorded = prepared.request.output.clone().with_context(|| {
        format!(
            "span {} recorded no output to compare with: the instrumentation did not capture the answer (enable output capture)",
            span.id
        )
    })?;
    let registry = runner::registry(&ctx.config, &ctx.db_path);
    let variants = replay::variants(&prepared, &args.models, &registry)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| replay::default_name(&prepared.span_id));
    crate::prompt::validate_name(&name).map_err(|why| anyhow::anyhow!("--as: {why}"))?;
    let budget_usd = run_spend::check_budget(args.budget_usd.or(ctx.config.run.budget_usd))?;
    let book = PriceBook::load(&ctx.config, None)?;
    let mut store = ctx.open_store()?;
    // Everything that can refuse (the plan, the spend guard) runs on the version about to be
    // saved, so a refusal leaves the database as it was.
    let pending = replay::fire::pending(&store, &name, &prepared, probe.as_ref().map(|p| &p.0))?;
    let case = Case {
        name: "recorded".into(),
        vars: Default::default(),
    };
    let mut plan = Plan::new(pending, variants, vec![case], &ctx.config.run);
    plan.samples = args.samples;
    plan.budget_usd = budget_usd;
    plan.prices = Some(Arc::new(book.clone()));
    let mut cells = plan.prepare(&registry)?;
    let guard = run_spend::GuardInput {
        cells: &cells,
        book: &book,
        store: &store,
        budget_usd,
        yes: args.yes,
    };
    if run_spend::guard(&guard, ctx)?.is_none() {
        eprintln!("not started: declined (nothing saved)");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let labels = replay::fire::commit(
        &mut store,
        (&mut plan, &mut cells),
        &name,
        &prepared,
        probe.as_ref(),
        file,
    )?;
    let label = &labels[0];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let outcome = runtime.block_on(runner::execute(
        &plan,
        cells,
        &ctx.db_path,
        None,
        CancellationToken::new(),
    ))?;
    if let Some((_, p)) = &probe {
        let results = grounding::results(&store, outcome.run_id, &name, &recorded)?;
        let shown = super::replay_probe::Shown {
            label,
            probe_label: &labels[1],
            span: &prepared.span_id,
            run_id: outcome.run_id,
            recorded: &recorded,
        };
        super::replay_probe::print(&shown, &results, p, ctx.json)?;
        return Ok(exit_code(outcome.ok));
    }
    let models = replay::results(&store, outcome.run_id, &recorded)?;
    if ctx.json {
        print_json(&serde_json::json!({
            "prompt": label,
            "span": prepared.span_id,
            "run_id": outcome.run_id,
            "recorded_output": recorded,
            "models": models,
            "verdicts": models.iter().map(replay::verdict).collect::<Vec<_>>(),
        }))?;
    } else {
        print_text(label, outcome.run_id, &recorded, &models);
    }
    Ok(exit_code(outcome.ok))
}

/// 0 when at least one sample got an answer.
fn exit_code(ok: usize) -> ExitCode {
    if ok == 0 {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_text(label: &str, run_id: i64, recorded: &str, models: &[ModelReplay]) {
    println!("saved {label} · run #{run_id}");
    println!("recorded output\n  {}", one_line(recorded));
    print_models(models);
    for m in models {
        println!("{}", one_line(&replay::verdict(m)));
    }
}

/// Each model's comparison with the recorded output, and where its modal answer diverges.
pub(super) fn print_models(models: &[ModelReplay]) {
    for m in models {
        let stability = m.stability.map_or("-".into(), |s| format!("{s:.2}"));
        println!(
            "{}  {}/{} reproduced · {} distinct · stability {stability} · compared {}",
            one_line(&m.model),
            m.reproduced,
            m.ok,
            m.distinct,
            m.mode
        );
        if let Some(d) = &m.divergence {
            println!(
                "  first divergence at char {}: after {:?}, recorded {:?} vs sample #{} {:?}",
                d.char_offset,
                one_line(&d.context),
                one_line(&d.recorded),
                d.modal_sample,
                one_line(&d.modal)
            );
        }
    }
}
