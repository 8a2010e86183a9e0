//! Fire N samples per cell with bounded concurrency and store every one of them.
//!
//! ```no_run
//! # async fn demo(store: temper::store::Store, config: temper::config::Config) -> anyhow::Result<()> {
//! use temper::runner::{self, Plan, Variant};
//! let version = store.resolve_str("support-answer")?;
//! let mut plan = Plan::new(vec![version], vec![Variant::model("mock:drift")], vec![], &config.run);
//! plan.samples = 10;
//! let registry = runner::registry(&config, store.path());
//! let (events, mut rx) = tokio::sync::mpsc::unbounded_channel();
//! let cancel = tokio_util::sync::CancellationToken::new();
//! let outcome = runner::run(&plan, &registry, store.path(), Some(events), cancel).await?;
//! while let Ok(event) = rx.try_recv() { /* RunEvent::Started, Sample, Retrying, Finished */ }
//! println!("run #{} {:?}", outcome.run_id, outcome.status);
//! # Ok(()) }
//! ```
//!
//! Every sample goes through one writer thread (see [`writer`]) that commits within 250 ms (target 100 ms)
//! after the answer arrived. Cancelling keeps the stored samples and marks the run cancelled.

mod budget;
mod outcome;
mod plan;
mod price;
mod replay;
mod retry;
mod sample;
pub mod schedule;
mod schema_check;
pub mod sent;
mod spend;
mod spend_lines;
mod summary;
mod variant_spec;
pub mod writer;

pub use outcome::{CellStarted, RunError, RunEvent, RunOutcome};
pub use plan::{Case, Plan, PlanError, PreparedCell, Variant};
pub use price::{CellPrice, OutputBound, cell_model};
pub use replay::{StoredRuns, registry};
pub use retry::Backoff;
pub use schedule::Schedule;
pub use spend::{Decision, ModelSpend, SpendEstimate, SpendPolicy, estimate};
pub use summary::{LatencyStats, VariantSummary, percentile, summarize};
pub use variant_spec::VariantSpecError;

use crate::cost::PriceBook;
use crate::provider::{ProviderError, Registry, Response};
use crate::store::{NewSample, RunStatus, SampleStatus, StoreError};
pub use budget::SKIPPED_BUDGET;
use budget::{Budget, Ticket, skip_the_rest};
use price::fill_missing_usage;
use retry::{Attempted, CallPolicy, call_with_retries};
use sample::one_sample;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc::UnboundedSender};
use tokio_util::sync::CancellationToken;
use writer::Writer;

/// Prepare and execute `plan`, writing to the DB at `db_path`.
pub async fn run(
    plan: &Plan,
    registry: &Registry,
    db_path: &Path,
    events: Option<UnboundedSender<RunEvent>>,
    cancel: CancellationToken,
) -> Result<RunOutcome, RunError> {
    let cells = plan.prepare(registry)?;
    execute(plan, cells, db_path, events, cancel).await
}

/// Execute already prepared cells (from [`Plan::prepare`], e.g. after a cost check).
pub async fn execute(
    plan: &Plan,
    cells: Vec<PreparedCell>,
    db_path: &Path,
    events: Option<UnboundedSender<RunEvent>>,
    cancel: CancellationToken,
) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let new_cells = cells.iter().map(|c| c.new_cell.clone()).collect();
    // Cancelled by the user (`cancel`) or by the writer when a commit fails.
    let halt = cancel.child_token();
    let names = (plan.source.as_str(), plan.session.as_deref());
    let (writer, created) = Writer::start(db_path, names, new_cells, halt.clone())?;
    let emit = |event: RunEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(event);
        }
    };
    let total = cells.len() * plan.samples as usize;
    emit(RunEvent::Started {
        run_id: created.run_id,
        total,
        cells: cells
            .iter()
            .zip(&created.cell_ids)
            .map(|(c, id)| CellStarted {
                cell_id: *id,
                prompt_version_id: c.new_cell.prompt_version_id,
                variant: c.new_cell.variant_name.clone(),
                case: c.new_cell.case_name.clone(),
                n: c.new_cell.n,
            })
            .collect(),
    });
    record_requests(db_path, &cells, &created.cell_ids).await?;
    let mut warnings: Vec<String> = cells.iter().flat_map(|c| c.warnings.clone()).collect();
    warnings.sort();
    warnings.dedup();

    let book = match &plan.prices {
        Some(book) => Some(book.clone()),
        None => PriceBook::builtin().ok().map(Arc::new),
    };
    let shared = Arc::new(Shared {
        budget: Budget::new(plan.budget_usd),
        writer,
        events: events.clone(),
        cancel: halt.clone(),
        max_retries: plan.max_retries,
        backoff: plan.backoff,
        ok: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
    });
    let cells: Vec<Arc<LiveCell>> = cells
        .into_iter()
        .zip(created.cell_ids)
        .map(|(cell, id)| {
            let price = CellPrice::of(&cell, book.as_deref());
            let schema = schema_check::validator(&cell.request);
            Arc::new(LiveCell {
                cell,
                id,
                price,
                schema,
            })
        })
        .collect();
    let (scheduled, cells): (Vec<_>, Vec<_>) =
        cells.into_iter().partition(|c| c.cell.schedule.is_some());
    let (mut skipped, stopped) = schedule::dispatch(&scheduled, plan.samples, &shared).await;
    // A budget stop during the probe skips the unscheduled cells too.
    let cells = if stopped {
        skipped += skip_the_rest(&shared, &cells, plan.samples, (0, 0));
        Vec::new()
    } else {
        cells
    };
    let mut stopped_at: Option<(u32, usize)> = None;
    let semaphore = Arc::new(Semaphore::new(plan.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    // Sample-major order, so every variant progresses together.
    'outer: for idx in 0..plan.samples {
        for (position, cell) in cells.iter().enumerate() {
            let permit = tokio::select! {
                biased;
                _ = halt.cancelled() => break 'outer,
                p = semaphore.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break 'outer },
            };
            let ticket = tokio::select! {
                biased;
                _ = halt.cancelled() => break 'outer,
                t = shared.budget.admit(cell.price.worst_usd) => t,
            };
            let Some(ticket) = ticket else {
                stopped_at = Some((idx, position));
                break 'outer;
            };
            let (shared, cell) = (shared.clone(), cell.clone());
            tasks.spawn(async move {
                let _permit = permit;
                one_sample(&shared, &cell, idx, ticket).await;
            });
            while tasks.try_join_next().is_some() {}
        }
    }
    if let Some(from) = stopped_at {
        skipped += skip_the_rest(&shared, &cells, plan.samples, from);
    }
    while tasks.join_next().await.is_some() {}

    let ok = shared.ok.load(Ordering::Relaxed);
    let failed = shared.failed.load(Ordering::Relaxed);
    let status = if cancel.is_cancelled() {
        RunStatus::Cancelled
    } else if ok == 0 && failed > 0 {
        RunStatus::Failed
    } else {
        RunStatus::Done
    };
    let spent_usd = shared.budget.spent();
    let budget_reached = shared.budget.stopped();
    let over_reported = shared.budget.over_reported();
    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err(RunError::Store(StoreError::Invalid {
            what: "run".into(),
            why: "a sample task outlived the run".into(),
        }));
    };
    let stats = shared.writer.stats.clone();
    let stored = shared.writer.finish(status).await;
    let committed = stats.committed.load(Ordering::Relaxed);
    let max_commit_lag_ms = stats.max_lag_us.load(Ordering::Relaxed) as f64 / 1000.0;
    let status = if stored.is_err() {
        RunStatus::Failed
    } else {
        status
    };
    let elapsed = started.elapsed();
    emit(RunEvent::Finished {
        run_id: created.run_id,
        status,
        ok,
        failed,
        elapsed,
    });
    stored.map_err(|source| RunError::StorageFailed {
        run_id: created.run_id,
        stored: committed,
        source,
    })?;
    Ok(RunOutcome {
        run_id: created.run_id,
        status,
        ok,
        failed,
        not_run: total.saturating_sub(ok + failed + skipped),
        skipped,
        spent_usd,
        budget_usd: plan.budget_usd,
        budget_reached,
        over_reported,
        elapsed,
        warnings,
        max_commit_lag_ms,
    })
}

/// A cell with its DB id and its prices.
struct LiveCell {
    cell: PreparedCell,
    id: i64,
    price: CellPrice,
    /// The prompt's schema, checked by temper when the server was only asked for a JSON object.
    schema: Option<Arc<jsonschema::Validator>>,
}

/// Store what every cell sends (effective params and body) before the first call.
async fn record_requests(
    db_path: &Path,
    cells: &[PreparedCell],
    ids: &[i64],
) -> Result<(), RunError> {
    let requests: Vec<_> = cells
        .iter()
        .zip(ids)
        .map(|(c, id)| sent::cell_request(c, *id))
        .collect();
    let path = db_path.to_path_buf();
    let stored = tokio::task::spawn_blocking(move || {
        crate::store::Store::open(&path)?.record_cell_requests(&requests)
    })
    .await
    .map_err(|e| StoreError::Invalid {
        what: "recording requests".into(),
        why: e.to_string(),
    })?;
    Ok(stored?)
}

/// What every sample task shares.
struct Shared {
    budget: Budget,
    writer: Writer,
    events: Option<UnboundedSender<RunEvent>>,
    cancel: CancellationToken,
    max_retries: u32,
    backoff: Backoff,
    ok: AtomicUsize,
    failed: AtomicUsize,
}
