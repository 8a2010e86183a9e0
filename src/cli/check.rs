//! `temper check`: run a session file and fail (exit 1) when any of its checks does not hold.
//! The CI gate: 0 all checks hold, 1 a check failed, 2 a bad file or a failure to run.

use super::style::{Tone, paint};
use super::{Ctx, EXIT_CHECK_FAILED};
use crate::sanitize::one_line;
use crate::session::{Failure, Resolved, Session, resolve};
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `temper check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Session file (TOML: prompts x variants x cases x N and a [check] table) or a promptfoo config
    pub session: PathBuf,
    /// Evaluate the checks on a stored run instead of running the session again
    #[arg(long, value_name = "RUN")]
    pub run: Option<i64>,
    /// Start even when the spend estimate is over the budget (the run still stops at it)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Also write JUnit XML here: one test case per case × variant × check
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a markdown summary here (metrics and failing cases, for a pull-request comment)
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub promptfoo: super::import_promptfoo::PromptfooFlags,
}

#[derive(Serialize)]
struct Verdict<'a> {
    session: &'a str,
    run_id: i64,
    passed: bool,
    cells: usize,
    checks: Vec<String>,
    failures: &'a [Failure],
    /// Agreement and pass@k per variant over the cases.
    variants: &'a [crate::session::VariantMetrics],
    /// Every check on every case × variant.
    cases: &'a [crate::session::CaseOutcome],
}

/// A session naming a prompt the DB lacks (a fresh CI checkout): say which DB was read and how
/// to load prompts from files, since CI starts with an empty database.
fn missing_prompt(e: anyhow::Error, ctx: &Ctx) -> anyhow::Error {
    let text = super::describe(&e);
    if !text.contains("no prompt named") {
        return e;
    }
    anyhow::anyhow!(
        "{text}; looked in database {} (set with --db or TEMPER_DB). Load prompts from files first: `temper prompt import DIR` (prompt .toml files, e.g. from `temper prompt export`), or `temper prompt import --examples`",
        ctx.db_path.display()
    )
}

/// Run `temper check`.
pub fn execute(args: &CheckArgs, ctx: &Ctx) -> anyhow::Result<ExitCode> {
    if let Some(code) = super::import_promptfoo::check_if_promptfoo(args, ctx)? {
        return Ok(code);
    }
    let session = Session::read(&args.session)?;
    let store = ctx.open_store()?;
    let resolved =
        resolve(&session, &store, &ctx.config).map_err(|e| missing_prompt(e.into(), ctx))?;
    let run_id = match args.run {
        Some(id) => id,
        None => run_session(&session, &resolved, args.yes, ctx)?,
    };
    let verdict = crate::session::verdict(&store, &session, run_id)
        .with_context(|| format!("loading run #{run_id}"))?;
    let crate::session::RunChecks { cells, failures } = &verdict.checks;
    if cells.is_empty() {
        anyhow::bail!(
            "run #{run_id} has no cell for the variants and cases of session {:?}; run the session (without --run) first",
            session.name
        );
    }
    let passed = failures.is_empty();
    write_ci_files(args, &session.name, &verdict)?;
    if ctx.json {
        super::print_json(&Verdict {
            session: &session.name,
            run_id,
            passed,
            cells: cells.len(),
            checks: session.check.names(),
            failures,
            variants: &verdict.metrics,
            cases: &verdict.cases,
        })?;
    } else {
        let mut text = render(&session, run_id, cells.len(), failures);
        text.push_str(&metrics_lines(&verdict));
        super::report::write_out(&text)?;
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_CHECK_FAILED)
    })
}

/// Write the `--junit` and `--summary` files the arguments ask for.
fn write_ci_files(
    args: &CheckArgs,
    session: &str,
    verdict: &crate::session::RunVerdict,
) -> anyhow::Result<()> {
    use crate::session::ci;
    if let Some(path) = &args.junit {
        let xml = ci::junit(session, &verdict.cases).context("building the JUnit report")?;
        std::fs::write(path, xml)
            .with_context(|| format!("writing the JUnit report to {}", path.display()))?;
    }
    if let Some(path) = &args.summary {
        let text = ci::markdown(session, &verdict.cases, &verdict.metrics);
        std::fs::write(path, text)
            .with_context(|| format!("writing the summary to {}", path.display()))?;
    }
    Ok(())
}

/// Per variant: cases passing every check, and the agreement metrics (docs/ci.md).
fn metrics_lines(verdict: &crate::session::RunVerdict) -> String {
    let mut out = String::new();
    for m in &verdict.metrics {
        let of_variant = verdict
            .cases
            .iter()
            .filter(|c| c.variant == m.variant && c.prompt == m.prompt);
        let (passed, total) =
            of_variant.fold((0, 0), |(p, t), c| (p + usize::from(c.passed), t + 1));
        out.push_str(&paint(
            Tone::Muted,
            &format!(
                "{} [{}]: {passed}/{total} cases pass · tar_raw {:.2} · tar_answer {:.2} · pass@{k} {:.2} · pass^{k} {:.2}",
                one_line(&m.variant),
                one_line(&m.prompt),
                m.tar_raw,
                m.tar_answer,
                m.pass_at_k,
                m.pass_all_k,
                k = m.samples
            ),
        ));
        out.push('\n');
    }
    out
}

/// The run's cells that belong to the session's variants and cases.
fn render(session: &Session, run_id: i64, cells: usize, failures: &[Failure]) -> String {
    let checks = session.check.names();
    let mut out = format!(
        "session {} · run #{run_id} · {} · checks: {}\n",
        paint(Tone::Strong, &one_line(&session.name)),
        plural(cells, "cell"),
        if checks.is_empty() {
            "none".to_string()
        } else {
            checks.join(", ")
        }
    );
    if failures.is_empty() {
        out.push_str(&paint(
            Tone::Good,
            &format!(
                "✓ all {} hold on {}\n",
                plural(checks.len(), "check"),
                plural(cells, "cell")
            ),
        ));
        return out;
    }
    for f in failures {
        out.push_str(&format!("{} {f}\n", paint(Tone::Removed, "✗")));
        if let Some(detail) = &f.detail {
            out.push_str(&format!("    {}\n", paint(Tone::Muted, &one_line(detail))));
        }
    }
    let failing_cells: std::collections::BTreeSet<(&str, &str, &str)> = failures
        .iter()
        .map(|f| (f.prompt.as_str(), f.variant.as_str(), f.case.as_str()))
        .collect();
    out.push_str(&paint(
        Tone::Removed,
        &format!(
            "{} failed in {} of {}\n",
            plural(failures.len(), "check"),
            failing_cells.len(),
            plural(cells, "cell")
        ),
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    crate::plural::count(n as u64, word)
}

/// Run the session's matrix through the runner and return the new run id. Ctrl-C cancels
/// cleanly: the samples are kept, and an incomplete run gets no verdict (exit 2).
pub(super) fn run_session(
    session: &Session,
    resolved: &Resolved,
    yes: bool,
    ctx: &Ctx,
) -> anyhow::Result<i64> {
    let mut plan = crate::session::plan(session, resolved, &ctx.config.run);
    let registry = crate::runner::registry(&ctx.config, &ctx.db_path);
    let book = crate::cost::PriceBook::load(&ctx.config, None)?;
    plan.budget_usd = super::run_spend::check_budget(plan.budget_usd)?;
    plan.prices = Some(std::sync::Arc::new(book.clone()));
    let cells = plan.prepare(&registry)?;
    let store = ctx.open_store()?;
    let guard = super::run_spend::GuardInput {
        cells: &cells,
        book: &book,
        store: &store,
        budget_usd: plan.budget_usd,
        yes,
    };
    if super::run_spend::guard(&guard, ctx)?.is_none() {
        anyhow::bail!("not started: declined");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let outcome = runtime.block_on(async {
        let cancel = tokio_util::sync::CancellationToken::new();
        let on_ctrl_c = cancel.clone();
        let ctrl_c = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_ctrl_c.cancel();
            }
        });
        let result = crate::runner::execute(&plan, cells, &ctx.db_path, None, cancel).await;
        ctrl_c.abort();
        result
    })?;
    for warning in &outcome.warnings {
        eprintln!("warning: {}", one_line(warning));
    }
    if outcome.budget_reached {
        anyhow::bail!(
            "stopped at the budget of {} ({} spent): run #{} is incomplete ({} stored as `{}`), so no verdict",
            crate::cost::format_usd(outcome.budget_usd.unwrap_or(0.0)),
            crate::cost::format_usd(outcome.spent_usd),
            outcome.run_id,
            plural(outcome.skipped, "sample"),
            crate::runner::SKIPPED_BUDGET
        );
    }
    if outcome.status == crate::store::RunStatus::Cancelled {
        anyhow::bail!(
            "cancelled: run #{} is incomplete, so no verdict (its {} kept)",
            outcome.run_id,
            plural(outcome.ok + outcome.failed, "sample")
        );
    }
    if !ctx.json {
        eprintln!(
            "{}",
            paint(
                Tone::Muted,
                &format!(
                    "ran {} ({} ok, {} failed) in {:.1} s",
                    plural(plan.total_samples(), "call"),
                    outcome.ok,
                    outcome.failed,
                    outcome.elapsed.as_secs_f64()
                )
            )
        );
    }
    Ok(outcome.run_id)
}
