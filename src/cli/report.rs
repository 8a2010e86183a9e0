//! `temper report`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A run id, or a prompt reference (its latest run)
    pub target: String,
}

/// Run `temper report`.
pub fn execute(_args: &ReportArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper report is not built yet")
}
