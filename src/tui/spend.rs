//! The spend guard of runs started from the TUI. The worker (which owns the `Store`) plans the
//! run, estimates its cost from the price book and past samples, and decides whether it may
//! start, must be confirmed, or is refused — all before any call, and never on the UI thread.
//! Sessions go through the same path as `temper run --session`.

use super::event::{Event, PlannedRun, RunSpec, SpendCheck};
use crate::config::Config;
use crate::cost::PriceBook;
use crate::runner::{Plan, SpendPolicy, Variant};
use crate::store::{Store, Version};
use std::path::Path;
use std::sync::Arc;

/// The plan of a TUI run of one prompt version: `[run]` defaults, `n` samples per variant
/// (`MODEL [key=value]...` each, as `temper run -m` takes them).
pub fn prompt_plan(
    config: &Config,
    version: Version,
    models: &[String],
    n: u32,
) -> Result<Plan, crate::runner::VariantSpecError> {
    let variants = models
        .iter()
        .map(|m| Variant::parse(m))
        .collect::<Result<Vec<_>, _>>()?;
    let mut plan = Plan::new(vec![version], variants, Vec::new(), &config.run);
    plan.samples = n;
    plan.source = "tui".into();
    Ok(plan)
}

/// Plan `spec`, estimate it and decide; a plan that cannot be built comes back as `Failed`.
pub fn check(store: &Store, config: &Config, db_path: &Path, spec: RunSpec) -> Event {
    let what = match &spec {
        RunSpec::Prompt { version, .. } => {
            format!("planning {}@{}", version.info.prompt, version.info.number)
        }
        RunSpec::Session { path } => format!("planning the session {}", path.display()),
        RunSpec::Suite(spec) => format!("planning the promptfoo suite {}", spec.path.display()),
    };
    match build(store, config, db_path, spec) {
        Ok(check) => Event::Estimated(Box::new(check)),
        Err(error) => Event::Failed { what, error },
    }
}

fn build(
    store: &Store,
    config: &Config,
    db_path: &Path,
    spec: RunSpec,
) -> Result<SpendCheck, String> {
    let (label, plan, session) = match spec {
        RunSpec::Prompt {
            version,
            models,
            n,
            concurrency,
        } => {
            let label = format!("{}@{}", version.info.prompt, version.info.number);
            let mut plan = prompt_plan(config, *version, &models, n).map_err(|e| e.to_string())?;
            if let Some(c) = concurrency {
                plan.concurrency = c;
            }
            (label, plan, None)
        }
        RunSpec::Session { path } => {
            let session = crate::session::Session::read(&path).map_err(|e| e.to_string())?;
            let resolved =
                crate::session::resolve(&session, store, config).map_err(|e| e.to_string())?;
            let plan = crate::session::plan(&session, &resolved, &config.run);
            (format!("session {}", session.name), plan, Some(path))
        }
        // Saving the suite's prompts writes: the worker sends it to `tui::suite` instead.
        RunSpec::Suite(_) => return Err("a promptfoo suite is planned by the worker".into()),
    };
    guard(store, config, db_path, (label, plan, session))
}

/// Price `plan` (before any call), estimate it from the price book and past samples, and
/// decide whether it may start, must be confirmed, or is refused.
pub fn guard(
    store: &Store,
    config: &Config,
    db_path: &Path,
    (label, mut plan, session): (String, Plan, Option<std::path::PathBuf>),
) -> Result<SpendCheck, String> {
    let book = PriceBook::load(config, None).map_err(|e| e.to_string())?;
    plan.prices = Some(Arc::new(book.clone()));
    let registry = crate::runner::registry(config, db_path);
    let cells = plan.prepare(&registry).map_err(|e| e.to_string())?;
    let estimate = crate::runner::estimate(&cells, &book, store).map_err(|e| e.to_string())?;
    let policy = SpendPolicy {
        budget_usd: plan.budget_usd,
        confirm_above_usd: config.run.confirm_above_usd,
        yes: false,
        interactive: true,
    };
    Ok(SpendCheck {
        label,
        lines: estimate.lines(plan.budget_usd),
        decision: estimate.decide(&policy),
        plan: PlannedRun(Arc::new(plan)),
        session,
        grading: None,
    })
}

/// Estimates of `models` for the version `label` (`name@n`) as `temper cost` makes them, for
/// the Cost view's models that have no runs yet; per call, at one call a day.
pub fn estimate_models(
    store: &Store,
    config: &Config,
    label: &str,
    models: Vec<String>,
) -> Result<Vec<crate::cost::estimate::ModelEstimate>, String> {
    let version = store.resolve_str(label).map_err(|e| e.to_string())?;
    let book = PriceBook::load(config, None).map_err(|e| e.to_string())?;
    let past =
        crate::cost::history::version_history(store, version.info.id).map_err(|e| e.to_string())?;
    let request = crate::cost::estimate::EstimateRequest {
        body: &version.body,
        vars: Default::default(),
        models,
        output_tokens: None,
        calls_per_day: 1,
        cached_fraction: 0.0,
        min_stability: 0.9,
        batch: false,
        exact: Default::default(),
    };
    crate::cost::estimate::estimate(&request, &book, &past)
        .map(|e| e.models)
        .map_err(|e| e.to_string())
}
