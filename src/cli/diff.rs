//! `temper diff`: not built yet; see the issue that owns it.

use super::Ctx;
use std::process::ExitCode;

/// Arguments of `temper diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// A run id, or two prompt references
    pub targets: Vec<String>,
}

/// Run `temper diff`.
pub fn execute(_args: &DiffArgs, _ctx: &Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("temper diff is not built yet")
}
