//! Hints the command line adds to an error from below, where only the front end knows the
//! answer: which config file was read when a provider is unknown.

use super::Ctx;
use crate::provider::ProviderError;
use crate::runner::{PlanError, RunError};

/// `e` with a hint appended when one applies; otherwise `e` unchanged.
pub fn add(e: anyhow::Error, ctx: &Ctx) -> anyhow::Error {
    if unknown_provider(&e) {
        return anyhow::anyhow!(
            "{} (config file: {})",
            super::describe(&e),
            config_source(ctx)
        );
    }
    e
}

/// Whether the error (or what it wraps) is a provider name temper does not know.
fn unknown_provider(e: &anyhow::Error) -> bool {
    let is_unknown = |p: &ProviderError| matches!(p, ProviderError::UnknownProvider { .. });
    let plan = |p: &PlanError| matches!(p, PlanError::Model { error, .. } if is_unknown(error));
    e.chain().any(|cause| {
        cause
            .downcast_ref::<ProviderError>()
            .is_some_and(is_unknown)
            || cause.downcast_ref::<PlanError>().is_some_and(plan)
            || matches!(cause.downcast_ref::<RunError>(), Some(RunError::Plan(p)) if plan(p))
    })
}

/// The config file the providers came from (or why there is none), so the user knows where
/// to add one.
pub fn config_source(ctx: &Ctx) -> String {
    match (&ctx.config_path, crate::config::default_config_path()) {
        (Some(path), _) => path.display().to_string(),
        (None, Some(default)) => format!(
            "none; {} does not exist, so only the built-in providers",
            default.display()
        ),
        (None, None) => "none, so only the built-in providers".to_string(),
    }
}
