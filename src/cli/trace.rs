//! `temper trace`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// Trace file
    pub file: std::path::PathBuf,
}

/// Run `temper trace`.
pub fn execute(_args: &TraceArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper trace is not built yet")
}
