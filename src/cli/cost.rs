//! `temper cost`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper cost`.
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// Prompt reference
    pub reference: String,
}

/// Run `temper cost`.
pub fn execute(_args: &CostArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper cost is not built yet")
}
