//! The runs `temper check` makes: the session's matrix, then the judge's calls on its answers
//! (`[check] judge`), each through the spend guard and the runner, sharing the session's budget.

use super::Ctx;
use super::style::{Tone, paint};
use crate::runner::Plan;
use crate::sanitize::one_line;
use crate::session::{Resolved, Session};
use anyhow::Context;

/// Run the session's matrix through the runner; the new run id and what it spent.
pub(super) fn run_session(
    session: &Session,
    resolved: &Resolved,
    yes: bool,
    ctx: &Ctx,
) -> anyhow::Result<(i64, f64)> {
    let plan = crate::session::plan(session, resolved, &ctx.config.run);
    run_plan(plan, yes, ctx, "call")
}

/// Grade the answers of run `run_id` (its cells of `versions`, all when empty) with the
/// session's judge, if it has one: only answers no
/// stored grade covers are sent, at temperature 0, within what is left of the budget after
/// `spent_usd`.
pub(super) fn grade(
    session: &Session,
    (run_id, versions): (i64, &[i64]),
    spent_usd: f64,
    yes: bool,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    if session.check.judge.is_none() {
        return Ok(());
    }
    let mut store = ctx.open_store()?;
    let pending = crate::session::stored::judge_pending(
        &mut store,
        session,
        (run_id, versions),
        &ctx.config.run,
    )
    .with_context(|| format!("loading run #{run_id} for the judge's calls"))?;
    let Some(mut plan) = pending else {
        return Ok(());
    };
    if let Some(c) = session.concurrency {
        plan.concurrency = c;
    }
    plan.budget_usd = session
        .check
        .budget_usd
        .or(ctx.config.run.budget_usd)
        .map(|b| (b - spent_usd).max(0.0));
    run_plan(plan, yes, ctx, "judge call").map(|_| ())
}

/// Run `plan` through the spend guard and the runner; the run id and what it spent. Ctrl-C
/// cancels cleanly: the samples are kept, and an incomplete run gets no verdict (exit 2).
pub(super) fn run_plan(
    mut plan: Plan,
    yes: bool,
    ctx: &Ctx,
    calls: &str,
) -> anyhow::Result<(i64, f64)> {
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
                    "ran {} ({} ok, {} failed) in {:.1} s · run #{}",
                    plural(plan.total_samples(), calls),
                    outcome.ok,
                    outcome.failed,
                    outcome.elapsed.as_secs_f64(),
                    outcome.run_id
                )
            )
        );
    }
    Ok((outcome.run_id, outcome.spent_usd))
}

fn plural(n: usize, word: &str) -> String {
    crate::plural::count(n as u64, word)
}
